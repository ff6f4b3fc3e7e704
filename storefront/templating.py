"""Template filters and globals shared by the shop's pages."""

from __future__ import annotations

from decimal import Decimal

from babel import Locale
from flask import Flask, url_for

from .money import fmt_pln

POLISH = Locale("pl")


def fmt_qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


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
