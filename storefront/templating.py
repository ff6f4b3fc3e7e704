"""Template filters and globals shared by the shop's pages."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, url_for

from .money import fmt_pln


def fmt_qty(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}".replace(".", ",")


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["pln"] = fmt_pln
    app.jinja_env.filters["qty"] = fmt_qty

    @app.context_processor
    def shop_globals():
        from .basket import compute_totals
        from .session import current_basket

        def basket_count() -> int:
            return compute_totals(current_basket()).item_count

        def product_image(product) -> str:
            return url_for("static", filename=f"img/products/{product.image}")

        return {"basket_count": basket_count, "product_image": product_image, "shop_name": "Spiżarnia pod Lipą"}
