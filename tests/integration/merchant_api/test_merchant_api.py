"""The seven endpoints InPost calls (docs/architecture.md#interfaces): verify -> parse -> apply -> answer."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from inpost_pay.models import InPostBasket, InPostEvent
from storefront.extensions import db
from storefront.models import Basket, Order, Product
from tests.inpost_payloads import order_body

from .conftest import stale

CONFIRMATION = {
    "status": "SUCCESS",
    "inpost_basket_id": "866e5bf6-4e8a-443e-98f5-f9b0c5c149dd",
    "phone_number": {"country_prefix": "+48", "phone": "600000000"},
    "browser": {"browser_trusted": True, "browser_id": "fbfac472-3bcc-4c2c-bd41-968032233e03"},
    "masked_phone_number": "60*****00",
    "name": "Piotr",
    "surname": "Nowak",
}


def quantity_event(event_id, product_id, quantity, qtype="INTEGER"):
    return {
        "event_id": event_id,
        "event_data_time": "2026-11-23T10:00:00.000Z",
        "event_type": "PRODUCTS_QUANTITY",
        "phone_number": {"country_prefix": "+48", "phone": "600000000"},
        "quantity_event_data": [{"product_id": str(product_id), "quantity": {"quantity": quantity, "quantity_type": qtype}}],
    }


def codes_event(event_id, *codes):
    return {
        "event_id": event_id,
        "event_data_time": "2026-11-23T10:00:00.000Z",
        "event_type": "PROMO_CODES",
        "promo_codes_event_data": [{"name": c, "promo_code_value": c} for c in codes],
    }


def related_event(event_id, product_id, quantity=1):
    return {
        "event_id": event_id,
        "event_data_time": "2026-11-23T10:00:00.000Z",
        "event_type": "RELATED_PRODUCTS",
        "related_products_event_data": {"product_id": str(product_id), "quantity": {"quantity": quantity}},
    }




def db_state(app, basket_id):
    """What a refused call must leave untouched."""
    with app.app_context():
        basket = db.session.get(Basket, basket_id)
        state = db.session.get(InPostBasket, basket_id)
        return (
            basket.version if basket else None,
            [(line.product_id, line.quantity) for line in basket.lines] if basket else None,
            state.binding_status if state else None,
            db.session.query(InPostEvent).count(),
            db.session.query(Order).count(),
        )


# --- signatures -----------------------------------------------------------------------------------


def test_unsigned_and_tampered_calls_are_refused_before_anything_is_read(app, client, signed_call, signer, make_basket):
    basket_id = make_basket((1, 1))
    before = db_state(app, basket_id)
    unsigned = client.post(f"/v1/izi/basket/{basket_id}/confirmation", json=CONFIRMATION, csrf=False)
    assert unsigned.status_code == 401
    assert unsigned.json["error_code"] == "INVALID_SIGNATURE"
    raw = json.dumps(CONFIRMATION).encode()
    tampered = signer.headers(raw)
    response = client.post(
        f"/v1/izi/basket/{basket_id}/confirmation",
        data=raw.replace(b"Piotr", b"Pawel"),
        headers={**tampered, "Content-Type": "application/json"},
        csrf=False,
    )
    assert response.status_code == 401
    old = signer.headers(raw, at=stale(241))
    response = client.post(f"/v1/izi/basket/{basket_id}/confirmation", data=raw,
                           headers={**old, "Content-Type": "application/json"}, csrf=False)
    assert response.status_code == 401
    assert db_state(app, basket_id) == before


# --- GET basket and confirmation -----------------------------------------------------------------


def test_confirmation_binds_and_answers_the_basket_that_get_then_serves_byte_for_byte(app, signed_call, make_basket):
    basket_id = make_basket((1, 2), (2, "0.3"))
    confirmed = signed_call("POST", f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION)
    assert confirmed.status_code == 200
    basket = confirmed.json
    assert [p["product_id"] for p in basket["products"]] == ["1", "2"]
    assert basket["summary"]["basket_final_price"]["gross"] == "120.50"  # 2 x 46.90 + 0.3 kg x 89.00
    again = signed_call("GET", f"/v1/izi/basket/{basket_id}")
    assert again.status_code == 200
    assert again.data == confirmed.data
    with app.app_context():
        state = db.session.get(InPostBasket, basket_id)
        assert (state.binding_status, state.masked_phone_number, state.browser_trusted) == ("bound", "60*****00", True)
        assert state.browser_id == CONFIRMATION["browser"]["browser_id"]


def test_rejected_binding_is_recorded_and_still_answered(app, signed_call, make_basket):
    basket_id = make_basket((3, 1))
    response = signed_call("POST", f"/v1/izi/basket/{basket_id}/confirmation", {**CONFIRMATION, "status": "REJECT"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(InPostBasket, basket_id).binding_status == "rejected"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"not json", None),
        (b"[1, 2]", None),
        (json.dumps({**CONFIRMATION, "status": "MAYBE"}).encode(), "status"),
        (json.dumps({**CONFIRMATION, "browser": {"browser_trusted": "yes"}}).encode(), "browser.browser_trusted"),
        (json.dumps({**CONFIRMATION, "phone_number": {"country_prefix": "+48"}}).encode(), "phone_number.phone"),
    ],
)
def test_malformed_confirmations_are_400_naming_the_field(app, signed_call, make_basket, raw, field):
    basket_id = make_basket((1, 1))
    before = db_state(app, basket_id)
    response = signed_call("POST", f"/v1/izi/basket/{basket_id}/confirmation", raw=raw)
    assert response.status_code == 400
    assert response.json["error_code"] == "MALFORMED_REQUEST"
    if field:
        assert field in response.json["error_message"]
    assert db_state(app, basket_id) == before


def test_unknown_basket_is_404(signed_call):
    for method, path, body in [
        ("GET", "/v1/izi/basket/nope", None),
        ("POST", "/v1/izi/basket/nope/confirmation", CONFIRMATION),
        ("POST", "/v1/izi/basket/nope/event", quantity_event("e-404", 1, 1)),
    ]:
        response = signed_call(method, path, body)
        assert response.status_code == 404, path
        assert response.json["error_code"] == "BASKET_NOT_FOUND"


# --- basket events --------------------------------------------------------------------------------


def test_quantity_event_sets_absolute_quantities_and_clamps_with_an_error_notice(app, signed_call, make_basket):
    basket_id = make_basket((9, 1), (1, 1))
    response = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", quantity_event("e-1", 9, 7))
    assert response.status_code == 200
    body = response.json
    mug = next(p for p in body["products"] if p["product_id"] == "9")
    assert mug["quantity"]["quantity"] == 4
    assert body["summary"]["basket_notice"]["type"] == "ERROR"
    removed = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", quantity_event("e-2", 9, 0)).json
    assert [p["product_id"] for p in removed["products"]] == ["1"]


def test_promo_codes_event_is_the_full_set_with_notices(app, signed_call, make_basket):
    basket_id = make_basket((11, 2))
    good = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", codes_event("c-1", "RABAT10")).json
    assert [c["promo_code_value"] for c in good["promo_codes"]] == ["RABAT10"]
    assert good["summary"]["basket_notice"]["type"] == "ATTENTION"
    bad = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", codes_event("c-2", "RABAT10", "LATO2025")).json
    assert [c["promo_code_value"] for c in bad["promo_codes"]] == ["RABAT10"]
    assert bad["summary"]["basket_notice"]["type"] == "ERROR"
    assert "LATO2025" in bad["summary"]["basket_notice"]["description"]
    cleared = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", codes_event("c-3")).json
    assert cleared["promo_codes"] == []


@pytest.mark.parametrize("amount", ["0.15", "0.1234"], ids=["off-step", "too-precise"])
def test_a_decimal_amount_off_its_step_is_refused_with_an_error_notice(app, signed_call, make_basket, amount):
    """Coffee by weight is sold per 0.1 kg: 0.15 kg is refused in the answer, never priced."""
    basket_id = make_basket((1, 1))
    before = db_state(app, basket_id)[1]
    raw = json.dumps(related_event("r-step", 2, 0)).replace('"quantity": 0}', f'"quantity": {amount}}}').encode()
    response = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", raw=raw)
    assert response.status_code == 200
    assert response.json["summary"]["basket_notice"]["type"] == "ERROR"
    assert [p["product_id"] for p in response.json["products"]] == ["1"]
    assert db_state(app, basket_id)[1] == before
    on_step = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", related_event("r-step-ok", 2, 0.1)).json
    assert next(p for p in on_step["products"] if p["product_id"] == "2")["quantity"]["quantity"] == 0.1


def test_a_repeated_event_is_applied_once_and_answered_the_same(app, signed_call, make_basket):
    basket_id = make_basket((1, 1))
    first = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", related_event("r-1", 3))
    second = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", related_event("r-1", 3))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    with app.app_context():
        basket = db.session.get(Basket, basket_id)
        assert basket.line_for(3).quantity == D("1")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_id": "x", "event_data_time": "2026-11-23T10:00:00Z", "event_type": "NOPE"}, "event_type"),
        ({"event_data_time": "2026-11-23T10:00:00Z", "event_type": "PROMO_CODES", "promo_codes_event_data": []}, "event_id"),
        (quantity_event("q", 1, "lots"), "quantity"),
        ({**quantity_event("q", 1, 1), "quantity_event_data": None}, "quantity_event_data"),
    ],
)
def test_malformed_events_change_nothing(app, signed_call, make_basket, body, field):
    basket_id = make_basket((1, 1))
    before = db_state(app, basket_id)
    response = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", body)
    assert response.status_code == 400
    assert field in response.json["error_message"]
    assert db_state(app, basket_id) == before


def test_delete_binding_only_forgets_locally(app, signed_call, make_basket):
    basket_id = make_basket((1, 1))
    signed_call("POST", f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION)
    response = signed_call("DELETE", f"/v1/izi/basket/{basket_id}/binding")
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(InPostBasket, basket_id).binding_status == "unbound"
    assert signed_call("DELETE", "/v1/izi/basket/unknown/binding").status_code == 200


# --- orders ---------------------------------------------------------------------------------------


def place(signed_call, basket_id, **kwargs):
    basket = signed_call("GET", f"/v1/izi/basket/{basket_id}").json
    apm = next(d for d in basket["delivery"] if d["delivery_type"] == "APM")
    total = D(basket["summary"]["basket_final_price"]["gross"]) + D(apm["delivery_price"]["gross"])
    for code in kwargs.get("codes", ()):
        option = next(o for o in apm["delivery_options"] if o["delivery_code_value"] == code)
        total += D(option["delivery_option_price"]["gross"])
    return signed_call("POST", "/v1/izi/order", order_body(basket_id, total, **kwargs))


def test_order_is_created_once_per_basket(app, signed_call, make_basket):
    basket_id = make_basket((1, 2))
    signed_call("POST", f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION)
    created = place(signed_call, basket_id)
    assert created.status_code == 201
    details = created.json["order_details"]
    assert details["basket_id"] == basket_id and details["pos_id"] == app.config["INPOST_PAY_POS_ID"]
    repeat = place(signed_call, basket_id)
    assert repeat.status_code == 201
    assert repeat.json["order_details"]["order_id"] == details["order_id"]
    with app.app_context():
        assert db.session.query(Order).count() == 1
        assert db.session.get(Product, 1).stock == D("38")
    after = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", quantity_event("late", 1, 3))
    assert after.status_code == 409 and after.json["error_code"] == "ORDER_EXISTS"
    fetched = signed_call("GET", f"/v1/izi/order/{details['order_id']}")
    assert fetched.status_code == 200 and fetched.json["order_details"]["order_id"] == details["order_id"]


def test_cash_on_delivery_order_starts_accepted(app, signed_call, make_basket):
    basket_id = make_basket((3, 1))
    created = place(signed_call, basket_id, payment="CASH_ON_DELIVERY", codes=("COD",))
    assert created.status_code == 201
    with app.app_context():
        order = db.session.query(Order).one()
        assert (order.status, order.payment_status) == ("accepted", "COD")


def test_a_wrong_price_is_409_order_not_create_and_writes_nothing(app, signed_call, make_basket):
    basket_id = make_basket((1, 1))
    before = db_state(app, basket_id)
    response = signed_call("POST", "/v1/izi/order", order_body(basket_id, D("1.00")))
    assert response.status_code == 409
    assert response.json["error_code"] == "ORDER_NOT_CREATE"
    assert "zmieniła" in response.json["error_message"]
    assert db_state(app, basket_id)[4] == before[4] == 0


def test_order_for_unknown_basket_and_unknown_order(signed_call):
    assert signed_call("POST", "/v1/izi/order", order_body("nope", D("10"))).json["error_code"] == "BASKET_NOT_FOUND"
    for order_id in ("999", "abc"):
        response = signed_call("GET", f"/v1/izi/order/{order_id}")
        assert response.status_code == 404 and response.json["error_code"] == "ORDER_NOT_FOUND"


def test_order_events_move_payment_once_per_event_id(app, signed_call, make_basket):
    basket_id = make_basket((1, 1))
    order_id = place(signed_call, basket_id).json["order_details"]["order_id"]
    event = {
        "event_id": "81af00fa-4913-4cd2-b05c-441b2d8df885",
        "event_data_time": "2023-09-20T13:27:25.760Z",
        "phone_number": {"country_prefix": "+48", "phone": "600000000"},
        "event_data": {"payment_status": "AUTHORIZED", "payment_id": "6e37", "payment_reference": "538",
                       "payment_type": "BLIK_CODE"},
    }
    first = signed_call("POST", f"/v1/izi/order/{order_id}/event", event)
    assert first.status_code == 200
    assert first.json == {"order_merchant_status_description": "Opłacone", "delivery_references_list": []}
    second = signed_call("POST", f"/v1/izi/order/{order_id}/event", event)
    assert second.data == first.data
    unknown = {**event, "event_id": "e-new", "event_data": {"payment_status": "TELEPORTED", "payment_type": "CARD_NT"}}
    assert signed_call("POST", f"/v1/izi/order/{order_id}/event", unknown).status_code == 200
    with app.app_context():
        order = db.session.get(Order, int(order_id))
        assert order.status == "paid"
        assert order.payment_status == "TELEPORTED"
        assert len([h for h in order.history if "AUTHORIZED" in h.note]) == 1
