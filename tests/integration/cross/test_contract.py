"""Every basket the shop emits passes InPost's contract check (the sandbox's `contract.check_basket`,
Basket Update/003 tables, docs/inpost-pay-api.md §4), whatever is in it.

The baskets are built by the shop's own services and turned into JSON by the integration
exactly as it sends them (`inpost_pay.baskets.build_json` + the client's encoding), then read
back the way the sandbox reads a merchant's answer.
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from inpost_pay.baskets import build_json
from inpost_pay.client import encode_json
from inpost_pay.mapping import Notice
from sandbox.contract import check_basket
from sandbox.jsonutil import loads
from shop_adapter import basket_view
from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Product
from storefront.seed import PRODUCTS, ensure_database

ALL_PRODUCTS = [row[0] for row in PRODUCTS]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """One shop for the module; every basket is built in a transaction that is rolled back."""
    app = create_app({
        "TESTING": True, "SECRET_KEY": "contract", "ADMIN_PASSWORD": "contract",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('contract') / 'shop.db'}",
    })  # fmt: skip
    with app.app_context():
        ensure_database()
        yield app
        db.session.remove()
        db.engine.dispose()


def emitted(basket, notice: Notice | None = None) -> dict:
    """The basket as InPost receives it: the exact bytes the shop sends, parsed by the sandbox."""
    return loads(encode_json(build_json(basket_view(basket), notice=notice)))


def checked(doc: dict) -> tuple[list, list]:
    warnings: list = []
    return check_basket(doc, warnings=warnings), warnings


def make(lines, codes=()):
    basket = basket_service.new_basket()
    for product_id, quantity in lines:
        basket_service.add_product(basket, product_id, quantity)
    for code in codes:
        basket_service.apply_code(basket, code)
    db.session.flush()
    return basket


SPREAD = {
    "every product, one step each": [(pid, "1") for pid in ALL_PRODUCTS if pid not in (2, 6, 10)]
    + [(2, "0.1"), (6, "0.05"), (10, "0.5")],
    "decimal amounts": [(2, "0.3"), (6, "0.35"), (10, "2.5")],
    "decimal amounts with awkward rounding": [(2, "1.7"), (6, "0.15"), (10, "1.5")],
    "integer promotions (Omnibus lowest price)": [(1, "3"), (4, "7"), (7, "2"), (11, "1")],
    "digital only: e-book and course": [(14, "1"), (15, "1")],
    "digital and physical": [(13, "1"), (14, "1")],
    "free delivery from 199 zł": [(11, "2"), (12, "1")],
    "low stock, whole stock taken": [(8, "3"), (9, "4")],
    "three VAT rates": [(3, "1"), (4, "1"), (5, "1")],
}


@pytest.mark.parametrize("lines", SPREAD.values(), ids=SPREAD.keys())
def test_a_spread_of_baskets_breaks_no_rule(shop, lines):
    basket = make(lines)
    try:
        doc = emitted(basket)
        assert checked(doc) == ([], [])
        assert {p["product_id"] for p in doc["products"]} == {str(pid) for pid, _ in lines}
    finally:
        db.session.rollback()


@pytest.mark.parametrize(
    ("lines", "codes"),
    [
        ([(1, "2")], ["RABAT10"]),
        ([(11, "2")], ["MINUS20"]),  # 178.00 >= 150
        ([(3, "1")], ["DOSTAWA0"]),
        ([(11, "2"), (2, "0.3")], ["MINUS20", "DOSTAWA0"]),  # RABAT10 does not combine with MINUS20
        ([(14, "1")], ["RABAT10"]),  # digital basket with a percentage code
        ([(4, "1")], ["RABAT10", "DOSTAWA0"]),  # a cheap basket: codes against small amounts
    ],
    ids=["percent", "fixed", "free delivery", "fixed and free delivery", "digital", "small amounts"],
)
def test_baskets_with_promo_codes_break_no_rule(shop, lines, codes):
    basket = make(lines, codes)
    try:
        doc = emitted(basket)
        assert checked(doc) == ([], [])
        assert [c["promo_code_value"] for c in doc["promo_codes"]] == codes
        summary = doc["summary"]
        assert D(summary["basket_final_price"]["gross"]) < D(summary["basket_promo_price"]["gross"]) or codes == [
            "DOSTAWA0"
        ]
    finally:
        db.session.rollback()


def test_free_delivery_shows_as_zero_priced_deliveries(shop):
    basket = make([(11, "3")])  # 267.00 zł
    try:
        doc = emitted(basket)
        assert checked(doc) == ([], [])
        assert {d["delivery_type"]: d["delivery_price"]["gross"] for d in doc["delivery"]} == {
            "APM": "0.00",
            "COURIER": "0.00",
        }
    finally:
        db.session.rollback()


@pytest.mark.parametrize("notice", [Notice("ERROR", "Nie ma kodu NIEMA."), Notice("ATTENTION", "Kod RABAT10 aktywny.")])
def test_event_answers_with_a_notice_break_no_rule(shop, notice):
    basket = make([(1, "1")])
    try:
        doc = emitted(basket, notice)
        assert checked(doc) == ([], [])
        assert doc["summary"]["basket_notice"] == {"type": notice.type, "description": notice.description}
    finally:
        db.session.rollback()


def test_a_basket_emptied_in_the_app_is_still_a_valid_answer(shop):
    """The app may remove the last product (PRODUCTS_QUANTITY 0); the answer must still be a
    basket InPost accepts, or the app would show an error instead of an empty basket."""
    basket = make([(1, "1")])
    try:
        basket_service.set_quantity(basket, 1, 0, source="inpost_pay")
        doc = emitted(basket)
        assert doc["products"] == []
        assert checked(doc) == ([], [])
    finally:
        db.session.rollback()


def _quantity_for(product: Product, steps: int) -> str:
    step = product.quantity_step if product.quantity_type == "DECIMAL" else D(1)
    limit = min(product.stock, product.max_quantity)
    return str(min(step * steps, (limit // step) * step))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.tuples(st.sampled_from(ALL_PRODUCTS), st.integers(1, 12)), min_size=1, max_size=6,
                   unique_by=lambda t: t[0]),  # fmt: skip
    codes=st.lists(st.sampled_from(["RABAT10", "MINUS20", "DOSTAWA0", "LATO2025"]), unique=True, max_size=3),
)
def test_any_basket_breaks_no_rule(shop, picks, codes):
    try:
        basket = basket_service.new_basket()
        for product_id, steps in picks:
            product = db.session.get(Product, product_id)
            basket_service.add_product(basket, product_id, _quantity_for(product, steps))
        for code in codes:
            # A code that does not apply to this basket (minimum, expired, not combinable) is refused.
            with suppress(basket_service.BasketError):
                basket_service.apply_code(basket, code)
        db.session.flush()
        assert checked(emitted(basket)) == ([], [])
    finally:
        db.session.rollback()
