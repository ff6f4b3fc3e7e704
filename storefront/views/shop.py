"""Catalogue pages: the shop front, a category and a product card.

Prices shown here come straight from the product rows; the basket computes its own
totals in `storefront.pricing`, so the two can never disagree about rounding.
The product card leaves an empty `izi-slot` (binding place PRODUCT_CARD, reference
§7.1) where the InPost Pay widget is mounted later; the shop itself knows nothing
about InPost.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, g, has_request_context, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value

from .. import pricing
from ..errors import error_response
from ..extensions import db
from ..models import Category, Product
from ..templating import page_url

bp = Blueprint("shop", __name__)

#: At or below this many pieces a physical product shows "Ostatnie sztuki".
LOW_STOCK = Decimal("5")
#: A DECIMAL product's card pre-fills half a unit (0,5 kg, 0,5 m) when its step allows.
CARD_DECIMAL_AMOUNT = Decimal("0.5")


def active_products():
    return select(Product).where(Product.active.is_(True)).order_by(Product.id)


def catalogue_categories() -> list[Category]:
    """The categories, read once per request: the header's nav, the home page's cards and every
    `product.category` of the page then come from the session without another query."""
    current = request._get_current_object() if has_request_context() else None
    cached = g.get("_catalogue_categories")
    if cached is None or cached[0] is not current or current is None:
        cached = (current, db.session.scalars(select(Category).order_by(Category.position)).all())
        g._catalogue_categories = cached
    return cached[1]


def nav_categories() -> list[Category]:
    """The header's nav. The header renders on error pages too; a broken database must not
    turn a 404 or 500 page into a second failure."""
    try:
        return catalogue_categories()
    except SQLAlchemyError:
        db.session.rollback()
        return []


def category_image(category: Category) -> str:
    return page_url("static", filename=f"img/categories/{category.slug}.svg")


def sellable_limit(product: Product) -> Decimal:
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


def stock_state(product: Product) -> str:
    """What the stock badge says: "digital", "out", "low" or "ok"."""
    if product.is_digital:
        return "digital"
    if product.stock <= 0:
        return "out"
    if product.stock <= LOW_STOCK:
        return "low"
    return "ok"


def card_quantity(product: Product) -> Decimal:
    """The amount a card's add-to-basket form sends: 1 piece, or half a kg/m."""
    if not product.is_decimal:
        return Decimal(1)
    step = product.quantity_step
    amount = CARD_DECIMAL_AMOUNT if CARD_DECIMAL_AMOUNT % step == 0 else step
    return min(amount, (min(product.stock, product.max_quantity) // step) * step) or step


def input_number(value: Decimal) -> str:
    """A Decimal as an HTML number input wants it: dot separator, no exponent, no trailing zeros."""
    return f"{Decimal(value).normalize():f}"


def with_categories(products: list[Product], categories: list[Category]) -> None:
    """Give each product its category row from `categories`, as loaded. Every card names its
    product's category: left to the lazy loader, each `product.category` would look the row
    up in the session again (no statement, but most of the cost of one attribute)."""
    by_id = {c.id: c for c in categories}
    for p in products:
        category = by_id.get(p.category_id)
        if category is not None and "category" not in p.__dict__:
            set_committed_value(p, "category", category)


@bp.get("/")
def home():
    categories = catalogue_categories()
    everything = db.session.scalars(select(Product).order_by(Product.id)).all()
    by_category: dict[int, list[Product]] = {c.id: [] for c in categories}
    for p in everything:
        by_category.setdefault(p.category_id, []).append(p)
    for c in categories:  # the cards count each category's products: no query per category
        set_committed_value(c, "products", by_category[c.id])
    with_categories(everything, categories)
    products = [p for p in everything if p.active]
    promoted = [p for p in products if p.promo_price_gross is not None]
    return render_template("shop/home.html", categories=categories, products=products, promoted=promoted)


@bp.get("/kategoria/<slug>")
def category(slug: str):
    found = db.session.scalar(select(Category).where(Category.slug == slug))
    if found is None:
        return error_response(404, "Nie ma takiej kategorii w naszym sklepie.", "CATEGORY_NOT_FOUND")
    products = db.session.scalars(active_products().where(Product.category_id == found.id)).all()
    with_categories(products, [found])
    return render_template("shop/category.html", category=found, products=products)


@bp.get("/produkt/<slug>")
def product(slug: str):
    found = db.session.scalar(active_products().where(Product.slug == slug))
    if found is None:
        return error_response(404, "Nie ma takiego produktu albo nie jest już w sprzedaży.", "PRODUCT_NOT_FOUND")
    related = [p for p in found.related if p.active]
    with_categories([found, *related], catalogue_categories())  # in one query
    return render_template("shop/product.html", product=found, related=related)
