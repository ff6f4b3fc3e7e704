"""Catalogue pages: the shop front, a category and a product card.

Prices shown here come straight from the product rows; the basket computes its own
totals in `storefront.pricing`, so the two can never disagree about rounding.
The product card leaves an empty `izi-slot` (binding place PRODUCT_CARD, reference
§7.1) where the InPost Pay widget is mounted later; the shop itself knows nothing
about InPost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from flask import Blueprint, render_template
from sqlalchemy.exc import SQLAlchemyError

from .. import catalogue, pricing
from ..errors import error_response
from ..extensions import db
from ..models import Product
from ..templating import page_url

bp = Blueprint("shop", __name__)

#: At or below this many pieces a physical product shows "Ostatnie sztuki".
LOW_STOCK = Decimal("5")
#: A DECIMAL product's card pre-fills half a unit (0,5 kg, 0,5 m) when its step allows.
CARD_DECIMAL_AMOUNT = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class ListedProduct(catalogue.ProductRow):
    """A product row of the catalogue with its category row: what a card and the product page
    show (`product.category.name`)."""

    category: catalogue.CategoryRow | None = None


_PRODUCT_FIELDS = tuple(f.name for f in fields(catalogue.ProductRow))


def listed(rows: catalogue.Catalogue, product: catalogue.ProductRow) -> ListedProduct:
    """`product` with its category, made once per version of the catalogue."""

    def build() -> ListedProduct:
        category = next((c for c in rows.categories() if c.id == product.category_id), None)
        return ListedProduct(*(getattr(product, name) for name in _PRODUCT_FIELDS), category=category)

    return rows.derived(("shop.listed", product.id), build)


def catalogue_categories() -> tuple[catalogue.CategoryRow, ...]:
    """The categories, in their order, from the process's copy of the catalogue."""
    return catalogue.current().categories()


def nav_categories() -> tuple[catalogue.CategoryRow, ...]:
    """The header's nav. The header renders on error pages too; a broken database must not
    turn a 404 or 500 page into a second failure."""
    try:
        return catalogue_categories()
    except SQLAlchemyError:
        db.session.rollback()
        return ()


def category_image(category: catalogue.CategoryRow) -> str:
    return page_url("static", filename=f"img/categories/{category.slug}.svg")


def sellable_limit(product: Product | catalogue.ProductRow) -> Decimal:
    return min(product.stock, product.max_quantity)


@bp.record_once
def catalogue_globals(state) -> None:
    """Helpers every page (base.html's nav, product cards) needs: template globals, not a
    context processor, which would run again for every template of a page (its slots too)."""
    state.app.jinja_env.globals.update(
        nav_categories=nav_categories,
        category_image=category_image,
        stock_state=stock_state,
        card_quantity=card_quantity,
        input_number=input_number,
        sellable_limit=sellable_limit,
        free_delivery_minimum=pricing.FREE_DELIVERY_MINIMUM,
    )


def stock_state(product: Product | catalogue.ProductRow) -> str:
    """What the stock badge says: "digital", "out", "low" or "ok"."""
    if product.is_digital:
        return "digital"
    if product.stock <= 0:
        return "out"
    if product.stock <= LOW_STOCK:
        return "low"
    return "ok"


def card_quantity(product: Product | catalogue.ProductRow) -> Decimal:
    """The amount a card's add-to-basket form sends: 1 piece, or half a kg/m."""
    if not product.is_decimal:
        return Decimal(1)
    step = product.quantity_step
    amount = CARD_DECIMAL_AMOUNT if CARD_DECIMAL_AMOUNT % step == 0 else step
    return min(amount, (min(product.stock, product.max_quantity) // step) * step) or step


def input_number(value: Decimal) -> str:
    """A Decimal as an HTML number input wants it: dot separator, no exponent, no trailing zeros."""
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class HomeListing:
    """What the home page lists, from one version of the catalogue (built once per version)."""

    categories: tuple[catalogue.CategoryRow, ...]
    products: tuple[ListedProduct, ...]  # the active ones, by id
    promoted: tuple[ListedProduct, ...]
    active_counts: dict[int, int]  # category id -> its active products, for the category cards

    @classmethod
    def of(cls, rows: catalogue.Catalogue) -> HomeListing:
        def build() -> HomeListing:
            products = tuple(listed(rows, p) for p in rows.all_products() if p.active)
            counts = {c.id: 0 for c in rows.categories()}
            for p in products:
                counts[p.category_id] = counts.get(p.category_id, 0) + 1
            promoted = tuple(p for p in products if p.promo_price_gross is not None)
            return cls(rows.categories(), products, promoted, counts)

        return rows.derived(cls, build)


@bp.get("/")
def home():
    listing = HomeListing.of(catalogue.current())
    return render_template(
        "shop/home.html",
        categories=listing.categories,
        products=listing.products,
        promoted=listing.promoted,
        active_counts=listing.active_counts,
    )


@bp.get("/kategoria/<slug>")
def category(slug: str):
    rows = catalogue.current()
    found = next((c for c in rows.categories() if c.slug == slug), None)
    if found is None:
        return error_response(404, "Nie ma takiej kategorii w naszym sklepie.", "CATEGORY_NOT_FOUND")
    products = [listed(rows, p) for p in rows.all_products() if p.active and p.category_id == found.id]
    return render_template("shop/category.html", category=found, products=products)


@bp.get("/produkt/<slug>")
def product(slug: str):
    rows = catalogue.current()
    found = rows.product_by_slug(slug)
    if found is None or not found.active:
        return error_response(404, "Nie ma takiego produktu albo nie jest już w sprzedaży.", "PRODUCT_NOT_FOUND")
    related_ids = rows.related_ids([found.id])[found.id]
    related_rows = rows.products(related_ids)
    related = [listed(rows, r) for rid in related_ids if (r := related_rows.get(rid)) is not None and r.active]
    return render_template("shop/product.html", product=listed(rows, found), related=related)
