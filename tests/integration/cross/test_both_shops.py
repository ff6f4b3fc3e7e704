"""The cross-party flows against both shops that mount the integration: the demo shop and the
minimal shop of examples/ (tests/live.py `SHOPS`). Each shop is read through its own side of
the seam (`app.extensions["inpost_pay"].shop`), so one test body serves both: bind by phone,
QR/deep link, trusted browser, app-side events, shop-side PUT, order, payment event, the
merchant's order event through the outbox, unbinding."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal as D
from pathlib import Path

import pytest

from inpost_pay import sync
from inpost_pay.database import db as inpost_db
from tests.live import live_pair

from .conftest import InPostDesk, PhoneApp, Shopper, binding, eventually, shop_context

# Per shop: two products to add, and the consents the app ticks at checkout.
CATALOGUE = {
    "demo": {"first": 1, "second": 3, "consents": {"1": True, "2": True}},
    "minimal": {"first": 101, "second": 103, "consents": {"terms": True}},
}


class MinimalShopper(Shopper):
    """A browser on the minimal shop: its own paths, a form post per add."""

    def add(self, product_id: int, quantity: str | int = 1):
        return self.form("/basket/add", {"product_id": product_id, "quantity": quantity})

    @property
    def basket_id(self) -> str | None:
        return self.page("/basket.json").json()["basket_id"]


@pytest.fixture(scope="module", params=sorted(CATALOGUE))
def kind(request):
    return request.param


@pytest.fixture(scope="module")
def pair(kind):
    workdir = Path(tempfile.mkdtemp(prefix=f"both-{kind}-"))
    try:
        with live_pair(workdir, shop=kind) as live:
            yield live
            worker = live.shop_app.extensions["inpost_pay"].worker
            if worker is not None:
                worker.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def shopper(pair, kind):
    return (MinimalShopper if kind == "minimal" else Shopper)(pair.shop.url)


@pytest.fixture
def products(kind):
    return CATALOGUE[kind]


_phones = iter(range(1, 10**6))


@pytest.fixture
def phone(pair):
    return PhoneApp(pair.sandbox.url, f"603{next(_phones):06d}")


@pytest.fixture
def inpost(pair):
    desk = InPostDesk(pair)
    yield desk
    desk.clear_faults()


def seam_basket(pair, basket_id):
    with pair.shop_app.test_request_context():
        return pair.shop_app.extensions["inpost_pay"].shop.basket(basket_id)


def seam_order(pair, basket_id):
    with pair.shop_app.test_request_context():
        return pair.shop_app.extensions["inpost_pay"].shop.order_of_basket(basket_id)


def bind_by_phone(pair, shopper, phone, trust_browser=False):
    basket_id = shopper.basket_id
    with shop_context(pair) as client:
        client.create_basket_binding(basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": phone.phone})
    request = next(r for r in phone.pending() if r["basket_id"] == basket_id)
    accepted = phone.accept(request["id"], trust_browser=trust_browser)
    assert accepted.status_code == 200, accepted.text
    return basket_id, accepted.json()["basket"]


def test_bind_by_phone_then_app_and_shop_changes_stay_in_step(pair, inpost, shopper, phone, products):
    assert shopper.add(products["first"]).status_code in (200, 303)
    basket_id, detail = bind_by_phone(pair, shopper, phone)
    state = binding(pair, basket_id)
    assert state.binding_status == "bound" and state.phone == phone.phone
    _, held = inpost.stored(basket_id)
    assert [p["product_id"] for p in held["products"]] == [str(products["first"])]

    # app side: a quantity change is applied by the shop, no PUT back
    changed = phone.call("POST", f"/baskets/{detail['inpost_basket_id']}/quantity",
                         {"product_id": str(products["first"]), "quantity": 2})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert seam_basket(pair, basket_id).totals.item_count == 2
    assert inpost.puts(basket_id) == 0

    # shop side: one PUT of the whole basket
    assert shopper.add(products["second"]).status_code in (200, 303)
    assert inpost.puts(basket_id) == 1
    _, held = inpost.stored(basket_id)
    assert sorted(p["product_id"] for p in held["products"]) == sorted(map(str, (products["first"], products["second"])))


def test_deep_link_binds_from_any_phone(pair, shopper, phone, products):
    shopper.add(products["first"])
    basket_id = shopper.basket_id
    with shop_context(pair) as client:
        answer = client.create_basket_binding(basket_id, "DEEP_LINK", binding_place="BASKET_SUMMARY")
    assert answer["qr_code"].startswith("data:image/svg+xml;base64,")
    opened = phone.http.get(answer["deep_link_hms"], allow_redirects=False, timeout=10)
    assert opened.status_code == 302
    assert phone.accept(opened.headers["Location"].split("request=")[1]).status_code == 200
    assert binding(pair, basket_id).binding_status == "bound"


def test_a_trusted_browser_binds_a_new_basket(pair, inpost, shopper, phone, products, kind):
    shopper.add(products["first"])
    first_id, _ = bind_by_phone(pair, shopper, phone, trust_browser=True)
    trusted = binding(pair, first_id)
    assert trusted.browser_trusted and trusted.browser_id
    later = type(shopper)(pair.shop.url)
    later.add(products["second"])
    with shop_context(pair):
        assert sync.push_basket(later.basket_id, browser_id=trusted.browser_id) is True
    assert binding(pair, later.basket_id).binding_status == "bound"
    assert inpost.stored(later.basket_id)[0] == "BOUND"


def test_app_order_payment_and_the_merchants_order_event(pair, inpost, shopper, phone, products, kind):
    shopper.add(products["first"])
    basket_id, detail = bind_by_phone(pair, shopper, phone)
    placed = phone.checkout(detail["inpost_basket_id"], consents=products["consents"])
    assert placed.status_code == 201, placed.text
    order = seam_order(pair, basket_id)
    assert order.channel == "inpost_pay" and str(order.id) == placed.json()["order"]["order_id"]
    assert order.payment_status == "AUTHORIZED"  # the app's payment event reached the shop
    assert order.total.gross == D(placed.json()["order"]["order_final_price"]["gross"])

    # The merchant cancels: the order event goes to InPost through the outbox.
    with pair.shop_app.test_request_context():
        if kind == "minimal":
            from examples.minimal_shop import shop as minimal

            minimal.set_status(inpost_db.session.get(minimal.Order, order.id), "cancelled")
        else:
            from storefront import orders
            from storefront.models import Order

            orders.cancel(inpost_db.session.get(Order, order.id))
        inpost_db.session.commit()
    sent = eventually(lambda: [e for e in inpost.log(order_id=str(order.id))
                               if e["direction"] == "inbound" and e["path"].endswith("/event")], timeout=15)  # fmt: skip
    assert sent and sent[-1]["status"] in (200, 201, 204)


def test_unlinking_in_the_app_is_forgotten_by_the_shop(pair, inpost, shopper, phone, products):
    shopper.add(products["first"])
    basket_id, detail = bind_by_phone(pair, shopper, phone)
    assert phone.call("DELETE", f"/baskets/{detail['inpost_basket_id']}").status_code == 200
    assert binding(pair, basket_id).binding_status == "unbound"
    shopper.add(products["first"])
    assert inpost.puts(basket_id) == 0


def test_each_shops_own_code_rules_reach_the_app_as_notices(pair, shopper, phone, products, kind):
    """The rules are each shop's own: the demo shop takes RABAT10, the minimal shop has no promo
    codes at all (examples/minimal_shop/adapter.py). Through the seam a refusal is an ERROR
    notice in the app, never an HTTP error, and the basket keeps no code."""
    code, notice = ("RABAT10", "ATTENTION") if kind == "demo" else ("SALE", "ERROR")
    shopper.add(products["first"])
    basket_id, detail = bind_by_phone(pair, shopper, phone)
    answer = phone.call("POST", f"/baskets/{detail['inpost_basket_id']}/promo-codes", {"promo_code_value": code})
    assert answer.status_code == 200, answer.text
    assert answer.json()["notice"]["type"] == notice
    applied = [c["promo_code_value"] for c in answer.json()["basket"]["promo_codes"]]
    assert applied == ([code] if notice == "ATTENTION" else [])
    quantity = answer.json()["basket"]["products"][0]["quantity"]
    assert quantity["quantity_type"] == "INTEGER"
    if kind == "minimal":  # at most 5 of a product: the app is told, and offers no more
        assert quantity["max_quantity"] == 5
