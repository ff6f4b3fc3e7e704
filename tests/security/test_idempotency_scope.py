"""Class 5: idempotency keys are scoped by kind and target. An order event reusing a basket
event's `event_id` (or the same id on another basket) is applied, not answered with the
other event's stored answer; a true repeat still gets the first answer, written once
(docs/security.md "Idempotency")."""

from __future__ import annotations

from sqlalchemy import func, select

from inpost_pay.models import InPostEvent
from storefront.extensions import db
from storefront.models import BasketLine, Order
from tests.integration.merchant_api.test_merchant_api import place

SHARED_ID = "3f1c1d4e-0000-4000-8000-000000000001"


def quantity_event(quantity: int) -> dict:
    return {"event_id": SHARED_ID, "event_data_time": "2025-01-01T10:00:00Z", "event_type": "PRODUCTS_QUANTITY",
            "quantity_event_data": [{"product_id": "1", "quantity": {"quantity": quantity, "quantity_type": "INTEGER"}}]}  # fmt: skip


def payment_event() -> dict:
    return {"event_id": SHARED_ID, "event_data_time": "2025-01-01T10:00:00Z",
            "event_data": {"payment_status": "AUTHORIZED", "payment_id": "p1", "payment_type": "BLIK_CODE"}}  # fmt: skip


def test_an_order_event_reusing_a_basket_events_id_is_applied(app, signed_call, make_basket, no_traceback):
    event_basket, order_basket = make_basket((1, 1)), make_basket((1, 1))
    assert signed_call("POST", f"/v1/izi/basket/{event_basket}/event", quantity_event(3)).status_code == 200
    order_id = place(signed_call, order_basket).json["order_details"]["order_id"]
    answer = signed_call("POST", f"/v1/izi/order/{order_id}/event", payment_event())
    assert answer.status_code == 200
    assert answer.json == {"order_merchant_status_description": "Opłacone", "delivery_references_list": []}
    with app.app_context():
        assert db.session.get(Order, int(order_id)).payment_status == "AUTHORIZED"


def test_the_same_event_id_on_another_basket_is_applied_there(app, signed_call, make_basket, no_traceback):
    first, second = make_basket((1, 1)), make_basket((1, 1))
    assert signed_call("POST", f"/v1/izi/basket/{first}/event", quantity_event(3)).status_code == 200
    assert signed_call("POST", f"/v1/izi/basket/{second}/event", quantity_event(4)).status_code == 200
    with app.app_context():
        quantities = {
            b: db.session.scalar(select(BasketLine.quantity).where(BasketLine.basket_id == b)) for b in (first, second)
        }
    assert quantities == {first: 3, second: 4}


def test_a_true_repeat_gets_the_first_answer_and_is_recorded_once(app, signed_call, make_basket, no_traceback):
    basket_id = make_basket((1, 1))
    first = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", quantity_event(3))
    again = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", quantity_event(5))
    assert again.data == first.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InPostEvent)) == 1
        assert db.session.scalar(select(BasketLine.quantity).where(BasketLine.basket_id == basket_id)) == 3
