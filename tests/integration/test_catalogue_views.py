"""Basket views never show a product or consent older than the transaction: a change made in the
session, flushed or not, shows in the next view, and a new transaction sees another writer's
change (the kept catalogue, `storefront.catalogue`, is versioned by the database)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from shop_adapter import basket_view
from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Consent, Product


@pytest.fixture
def shop(app):
    """The shared test shop (tests/conftest.py), its app context open for the whole test."""
    with app.app_context():
        yield app


def a_basket_with_related():
    """A basket with a product that has related products, and the id of one of them."""
    for product in db.session.query(Product).order_by(Product.id):
        related = [r for r in product.related if r.active and r.stock >= 1 and r.quantity_type == "INTEGER"]
        if product.quantity_type == "INTEGER" and related:
            basket = basket_service.new_basket()
            basket_service.add_product(basket, product.id, 1)
            return basket, product.id, related[0].id
    raise AssertionError("the demo catalogue has a product with related products")


def statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2].split()[0]))
    return seen


def test_the_second_view_of_a_transaction_reads_no_catalogue(shop):
    basket, _, _ = a_basket_with_related()
    basket_view(basket)
    seen = statements(db.engine)
    basket_view(basket)
    assert seen == []


def test_a_change_in_the_session_shows_in_the_next_view(shop):
    basket, product_id, related_id = a_basket_with_related()
    first = basket_view(basket)
    assert any(r.product_id == related_id for r in first.related)

    product = db.session.get(Product, product_id)
    product.name = "Nowa nazwa"  # pending, not flushed
    assert basket_view(basket).products[0].name == "Nowa nazwa"

    db.session.get(Product, related_id).active = False
    db.session.flush()  # flushed before the next view
    assert all(r.product_id != related_id for r in basket_view(basket).related)

    consent = db.session.scalars(db.select(Consent)).first()
    consent.description = "Nowa treść zgody"
    assert any(c.description == "Nowa treść zgody" for c in basket_view(basket).consents)


def test_a_new_transaction_reads_the_catalogue_again(shop):
    basket, product_id, _ = a_basket_with_related()
    basket_view(basket)
    db.session.commit()  # this transaction ends; the next view is of a new one
    with db.engine.begin() as other:  # another writer changes the product meanwhile
        other.execute(db.update(Product).where(Product.id == product_id).values(name="Z innego procesu"))
    assert basket_view(basket).products[0].name == "Z innego procesu"
