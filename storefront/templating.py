"""Template filters and globals shared by the shop's pages, and the pages' slots.

A slot is a named place on a page that an integration may fill (the InPost Pay widget fills
them through the demo shop's adapter, shop_adapter.py); the shop never imports an integration:
`{{ slot("product_card", product_id=product.id) }}` renders what was registered for that name,
and nothing when nothing was. The names: head, minicart, product_card, basket_summary,
checkout, thank_you, order_page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from babel import Locale
from flask import Flask, current_app, g, has_request_context, url_for
from flask.globals import request_ctx
from markupsafe import Markup

from .money import fmt_pln

SLOTS = ("head", "minicart", "product_card", "basket_summary", "checkout", "thank_you", "order_page")
POLISH = Locale("pl")


#: How many built links one app remembers; the catalogue's links are a few hundred. When full,
#: it starts again empty (a link costs one build the next time).
BUILT_URLS_MAX = 2048


def fmt_qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def fill_slot(app: Flask, name: str, render: Callable[..., str]) -> None:
    """Add `render(**context)` (HTML, already escaped) to the slot `name` of every page."""
    if name not in SLOTS:
        raise ValueError(f"unknown slot {name!r} (the shop offers: {', '.join(SLOTS)})")
    app.extensions.setdefault("shop_slots", {}).setdefault(name, []).append(render)


def slot(name: str, **context) -> Markup:
    """What the integrations put in the slot `name` of this page (empty when none did)."""
    fillers = current_app.extensions.get("shop_slots", {}).get(name, ())
    return Markup("").join(Markup(render(**context)) for render in fillers)


def plural(count, one: str, few: str, many: str, other: str | None = None) -> str:
    """ "1 produkt", "4 produkty", "5 produktów", "1,5 godziny": the noun in the form Polish
    uses after `count`, by the CLDR plural rules Babel carries (one, few, many, other)."""
    forms = {"one": one, "few": few, "many": many, "other": other or few}
    number = Decimal(str(count))
    if number == number.to_integral_value():
        number = int(number)  # 24.0 is "24 godzinach", not a fraction
    return f"{fmt_qty(Decimal(number))} {forms[POLISH.plural_form(number)]}"


def fmt_hours(hours) -> str:
    return plural(hours, "godzinie", "godzinach", "godzinach", "godziny")


def page_url(endpoint: str, **values) -> str:
    """`url_for` for the templates, remembering each link it built.

    A page builds the same few links over and over (the home page three per product card), and
    werkzeug's `MapAdapter.build` is the slow part of `url_for`. A relative link depends only on
    the URL map, which Flask freezes once the app serves its first request, on the endpoint and
    values, and on what the request's URL adapter was bound to (script root, host, scheme,
    method): all of that is the key, so a remembered link is the one `url_for` would build.
    Whatever could make `url_for` give something else goes to `url_for` itself: values that
    are not plain strings, `_external` and the other `_` options, a relative `.endpoint`, an
    app with `url_defaults` or URL build error handlers, no request.
    """
    ctx = request_ctx._get_current_object() if has_request_context() else None
    adapter = ctx.url_adapter if ctx is not None else None
    if adapter is None:
        return url_for(endpoint, **values)
    key = (adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme,
           adapter.default_method, endpoint, *values.items())
    built_urls = ctx.app.extensions["shop_built_urls"]
    try:
        return built_urls[key]  # only links that passed _rememberable are there
    except KeyError:
        pass
    except TypeError:  # an unhashable value
        return url_for(endpoint, **values)
    url = url_for(endpoint, **values)
    if _rememberable(ctx.app, endpoint, values):
        if len(built_urls) >= BUILT_URLS_MAX:
            built_urls.clear()
        built_urls[key] = url
    return url


def _rememberable(app: Flask, endpoint: str, values: dict) -> bool:
    # Only str values: 1, 1.0, True and Decimal("1") are equal keys but build different links.
    return (
        endpoint[:1] != "."
        and not app.url_default_functions
        and not app.url_build_error_handlers
        and all(type(v) is str and k[:1] != "_" for k, v in values.items())
    )


def register_template_helpers(app: Flask) -> None:
    app.extensions["shop_built_urls"] = {}
    app.jinja_env.globals["url_for"] = page_url
    app.jinja_env.filters["pln"] = fmt_pln
    app.jinja_env.filters["qty"] = fmt_qty
    app.add_template_global(slot, "slot")
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["hours"] = fmt_hours

    # Template globals rather than a context processor: these do not depend on the request
    # when they are handed over, and a context processor runs again for every template a page
    # renders (the page and each filled slot).
    app.jinja_env.globals.update(
        basket_count=basket_count,
        product_image=product_image,
        once_per_page=once_per_page,
        shop_name="Spiżarnia pod Lipą",
    )
    app.teardown_request(forget_page_memos)


def page_basket():
    """The session's open basket, kept for the rest of the request (`basket.hold`): the slots
    drawn after the header (the widget reads the same basket through the seam) get it without
    a statement."""
    from .basket import hold
    from .session import current_basket

    basket = current_basket()
    return hold(basket) if basket is not None else None


def once_per_page(key: tuple, render: Callable[..., str], *args) -> str:
    """`render(*args)`, drawn once per request for `key` and then repeated.

    The home page shows each promoted product twice (the promotions, then all products), and
    its card is the same HTML both times: it depends on the product row (one per session) and
    on what is the same for the whole request (its path, the CSRF token)."""
    drawn = g.setdefault("_drawn_once", {})
    if key not in drawn:
        drawn[key] = render(*args)
    return drawn[key]


def forget_page_memos(_exc: BaseException | None = None) -> None:
    """What a page kept for its request (held baskets, once_per_page) ends with the request,
    also when the app context outlives it (a test, a CLI command)."""
    g.pop("_held_baskets", None)
    g.pop("_drawn_once", None)


def basket_count() -> int:
    from .basket import compute_totals

    return compute_totals(page_basket()).item_count


def product_image(product) -> str:
    return page_url("static", filename=f"img/products/{product.image}")
