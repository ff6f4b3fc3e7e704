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
from flask import Flask, current_app, url_for
from markupsafe import Markup

from .money import fmt_pln

SLOTS = ("head", "minicart", "product_card", "basket_summary", "checkout", "thank_you", "order_page")
POLISH = Locale("pl")


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


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["pln"] = fmt_pln
    app.jinja_env.filters["qty"] = fmt_qty
    app.add_template_global(slot, "slot")
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["hours"] = fmt_hours

    @app.context_processor
    def shop_globals():
        from .basket import compute_totals
        from .session import current_basket

        def basket_count() -> int:
            return compute_totals(current_basket()).item_count

        def product_image(product) -> str:
            return url_for("static", filename=f"img/products/{product.image}")

        return {"basket_count": basket_count, "product_image": product_image, "shop_name": "Spiżarnia pod Lipą"}
