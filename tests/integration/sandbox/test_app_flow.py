"""The phone app's actions and the signed calls they make to the merchant (docs/architecture.md#the-flows)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from tests.integration.sandbox.conftest import PHONE

APM_CHECKOUT = {
    "delivery_type": "APM",
    "delivery_point": "KRA010",
    "payment_type": "BLIK_CODE",
    "consents": {"regulamin": True, "rodo": True},
    "outcome": "AUTHORIZED",
}


def log_for(client, basket_id="b-1"):
    return client.get(f"/sandbox/log?basket_id={basket_id}").json["entries"]


# -- binding ------------------------------------------------------------------------


def test_accepting_a_phone_request_sends_a_signed_confirmation_and_binds(client, auth, bound_basket, merchant):
    (call,) = merchant.calls_to("confirmation")
    assert call["signature_problem"] is None
    assert call["path"] == "/v1/izi/basket/b-1/confirmation"
    body = call["json"]
    assert body["status"] == "SUCCESS"
    assert body["inpost_basket_id"] == bound_basket["inpost_basket_id"]
    assert body["phone_number"] == PHONE
    assert body["masked_phone_number"] == "60*****00"
    assert (body["name"], body["surname"]) == ("Anna", "Nowak")
    assert body["browser"]["browser_trusted"] is True and body["browser"]["browser_id"]
    assert call["headers"]["X-Public-Key-Ver"] == "1"
    assert bound_basket["status"] == "BOUND"
    assert bound_basket["basket"]["summary"]["basket_final_price"]["gross"] == "36.00"
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is True


def test_invalid_basket_in_the_confirmation_answer_leaves_the_basket_unbound(
    client, auth, phone_app, merchant, basket_doc
):
    broken = copy.deepcopy(basket_doc)
    broken["products"][0]["base_price"]["vat"] = "0.00"
    broken["promo_codes"] = {}
    merchant.answers["confirmation"] = (200, broken)
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]

    answer = phone_app.post(f"/app/api/requests/{request_id}/accept", json={})
    assert answer.status_code == 502
    assert answer.json["error_code"] == "MERCHANT_BASKET_INVALID"
    assert {v["field"] for v in answer.json["violations"]} == {"products[0].base_price", "promo_codes"}
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is False
    logged = [e for e in log_for(client) if e["path"].endswith("/confirmation")]
    assert {v["field"] for v in logged[-1]["violations"]} == {"products[0].base_price", "promo_codes"}
    assert logged[-1]["request_body"]["phone_number"]["phone"] == "60*****00"  # masked in the log

    # the request stays open: once the shop answers properly, accepting works
    del merchant.answers["confirmation"]
    assert phone_app.post(f"/app/api/requests/{request_id}/accept", json={}).status_code == 200


@pytest.mark.parametrize(("status", "code"), [(409, "MERCHANT_ERROR"), (500, "MERCHANT_ERROR")])
def test_refused_confirmation_leaves_the_basket_unbound(client, auth, phone_app, merchant, status, code):
    merchant.answers["confirmation"] = (
        status,
        {"error_code": "ORDER_EXISTS", "error_message": "Zamówienie już istnieje"},
    )
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    answer = phone_app.post(f"/app/api/requests/{request_id}/accept", json={})
    assert (answer.status_code, answer.json["error_code"]) == (502, code)
    assert "Zamówienie już istnieje" in answer.json["error_message"]
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is False


def test_rejecting_tells_the_merchant_and_binds_nothing(client, auth, phone_app, merchant):
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    answer = phone_app.post(f"/app/api/requests/{request_id}/reject")
    assert answer.status_code == 200 and answer.json["request"]["status"] == "REJECTED"
    (call,) = merchant.calls_to("confirmation")
    assert call["json"]["status"] == "REJECT" and call["signature_problem"] is None
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is False
    again = phone_app.post(f"/app/api/requests/{request_id}/accept", json={})
    assert (again.status_code, again.json["error_code"]) == (409, "REQUEST_NOT_PENDING")


def test_deep_link_request_is_accepted_by_whoever_opens_it(client, auth, phone_app, merchant):
    client.post("/v1/izi/basket/b-5/binding", headers=auth, json={"binding_method": "DEEP_LINK"})
    inpost_basket_id = client.get("/v1/izi/basket/b-5/binding", headers=auth).json["inpost_basket_id"]
    request_id = client.get(f"/app/izilink?basket_id={inpost_basket_id}").headers["Location"].split("request=")[1]
    assert phone_app.get("/app/api/requests").json["requests"] == []  # not pushed to any phone
    assert phone_app.get(f"/app/api/requests/{request_id}").json["request"]["binding_method"] == "DEEP_LINK"
    assert phone_app.post(f"/app/api/requests/{request_id}/accept", json={"trust_browser": False}).status_code == 200
    assert "browser_id" not in merchant.calls_to("confirmation")[0]["json"]["browser"]
    assert client.get("/v1/izi/basket/b-5/binding", headers=auth).json["client_details"]["phone_number"] == PHONE


def test_other_phones_cannot_see_a_phone_request(app, client, auth, phone_app):
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    stranger = app.test_client()
    stranger.post("/app/api/session", json={"country_prefix": "+48", "phone": "700700700"})
    assert stranger.get("/app/api/requests").json["requests"] == []
    answer = stranger.post(f"/app/api/requests/{request_id}/accept", json={})
    assert (answer.status_code, answer.json["error_code"]) == (404, "REQUEST_NOT_FOUND")


# -- basket events --------------------------------------------------------------------


def test_events_are_sent_as_lists(phone_app, bound_basket, merchant):
    basket = f"/app/api/baskets/{bound_basket['inpost_basket_id']}"
    assert phone_app.post(f"{basket}/quantity", json={"product_id": "P1", "quantity": 3}).status_code == 200
    assert phone_app.post(f"{basket}/promo-codes", json={"promo_code_value": "RABAT10"}).status_code == 200
    assert phone_app.delete(f"{basket}/promo-codes/MINUS4").status_code == 200
    assert phone_app.post(f"{basket}/related-products", json={"product_id": "R1"}).status_code == 200
    assert phone_app.delete(f"{basket}/products/P2").status_code == 200

    events = merchant.calls_to("event")
    assert all(e["signature_problem"] is None for e in events)
    bodies = [e["json"] for e in events]
    assert [b["event_type"] for b in bodies] == ["PRODUCTS_QUANTITY", "PROMO_CODES", "PROMO_CODES", "RELATED_PRODUCTS",
                                                 "PRODUCTS_QUANTITY"]  # fmt: skip
    assert bodies[0]["quantity_event_data"] == [
        {"product_id": "P1", "quantity": {"quantity": 3, "quantity_type": "INTEGER", "quantity_unit": "szt."}}
    ]
    # the full desired set of codes each time (the merchant's basket still holds MINUS4)
    assert bodies[1]["promo_codes_event_data"] == [{"name": "Rabat 4 zł", "promo_code_value": "MINUS4"},
                                                   {"name": "RABAT10", "promo_code_value": "RABAT10"}]  # fmt: skip
    assert bodies[2]["promo_codes_event_data"] == []
    assert bodies[3]["related_products_event_data"] == [
        {"product_id": "R1", "quantity": {"quantity": 1, "quantity_type": "INTEGER", "quantity_unit": "szt."},
         "ean": "5901234123464"}
    ]  # fmt: skip
    assert bodies[4]["quantity_event_data"][0]["quantity"]["quantity"] == 0
    for body in bodies:
        assert set(body) >= {"event_id", "event_data_time", "event_type", "phone_number"}
        assert body["phone_number"] == PHONE
    assert len({b["event_id"] for b in bodies}) == 5


def test_a_related_product_sold_by_weight_is_added_in_the_amount_offered(
    client, phone_app, merchant, bound_basket, basket_doc
):
    """The app shows "5,00 zł za 0,25 kg"; "Dodaj" (no quantity given) must add 0.25 kg, not 1."""
    weighed = copy.deepcopy(basket_doc)
    weighed["related_products"][0]["quantity"] = {
        "quantity": 0.25, "quantity_type": "DECIMAL", "quantity_unit": "kg", "available_quantity": 20,
    }
    merchant.answers["get_basket"] = (200, weighed)
    basket = f"/app/api/baskets/{bound_basket['inpost_basket_id']}"
    refreshed = phone_app.post(f"{basket}/refresh")
    assert refreshed.status_code == 200, refreshed.json
    assert phone_app.post(f"{basket}/related-products", json={"product_id": "R1"}).status_code == 200
    (event,) = merchant.calls_to("event")
    assert event["json"]["related_products_event_data"][0]["quantity"] == {
        "quantity": 0.25, "quantity_type": "DECIMAL", "quantity_unit": "kg"}
    # The sandbox's log shows the number as the wire has it, not the string "0.25".
    (logged,) = [e for e in log_for(client) if e["path"].endswith("/event")]
    assert logged["request_body"]["related_products_event_data"][0]["quantity"]["quantity"] == 0.25


def test_event_answer_replaces_the_basket_only_when_valid(phone_app, bound_basket, merchant, basket_doc):
    basket = f"/app/api/baskets/{bound_basket['inpost_basket_id']}"
    changed = copy.deepcopy(basket_doc)
    changed["summary"]["basket_notice"] = {"type": "ERROR", "description": "Kod RABAT10 jest nieaktywny"}
    merchant.answers["event"] = (200, changed)
    detail = phone_app.post(f"{basket}/promo-codes", json={"promo_code_value": "RABAT10"}).json
    assert detail["notice"] == {"type": "ERROR", "description": "Kod RABAT10 jest nieaktywny"}

    changed["summary"]["currency"] = "EUR"
    answer = phone_app.post(f"{basket}/quantity", json={"product_id": "P1", "quantity": 1})
    assert (answer.status_code, answer.json["error_code"]) == (502, "MERCHANT_BASKET_INVALID")
    assert phone_app.get(basket).json["basket"]["summary"]["currency"] == "PLN"


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("quantity", {"product_id": "P1", "quantity": -1}, 400, "INVALID_INPUT"),
        ("quantity", {"product_id": "P1", "quantity": 1.5}, 400, "INVALID_INPUT"),
        ("quantity", {"product_id": "P1", "quantity": 11}, 400, "INVALID_INPUT"),  # max_quantity 10
        ("quantity", {"product_id": "P1", "quantity": "many"}, 400, "INVALID_INPUT"),
        ("quantity", {"product_id": "NOPE", "quantity": 1}, 404, "PRODUCT_NOT_FOUND"),
        ("promo-codes", {"promo_code_value": ""}, 400, "INVALID_INPUT"),
        ("promo-codes", {"promo_code_value": "minus4"}, 409, "PROMO_CODE_EXISTS"),
        ("related-products", {"product_id": "P1"}, 404, "PRODUCT_NOT_FOUND"),
    ],
)
def test_basket_action_bad_input_changes_nothing(phone_app, bound_basket, merchant, path, body, status, code):
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/{path}", json=body)
    assert (answer.status_code, answer.json["error_code"]) == (status, code)
    assert merchant.calls_to("event") == []


def test_app_api_needs_a_signed_in_phone(app):
    anonymous = app.test_client()
    answer = anonymous.get("/app/api/baskets")
    assert (answer.status_code, answer.json["error_code"]) == (401, "UNAUTHORIZED")
    bad = anonymous.post("/app/api/session", json={"country_prefix": "+48", "phone": "12ab"})
    assert (bad.status_code, bad.json["error_code"]) == (400, "INVALID_INPUT")


def test_unlinking_in_the_app_tells_the_merchant(client, auth, phone_app, bound_basket, merchant):
    answer = phone_app.delete(f"/app/api/baskets/{bound_basket['inpost_basket_id']}")
    assert answer.status_code == 200 and answer.json["merchant_notified"] is True
    (call,) = merchant.calls_to("delete_binding")
    assert call["raw"] == b"" and call["signature_problem"] is None
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is False
    assert phone_app.get("/app/api/baskets").json["baskets"] == []


# -- checkout -------------------------------------------------------------------------


def test_checkout_creates_the_order_and_sends_the_payment(client, auth, phone_app, bound_basket, merchant):
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout",
                            json={**APM_CHECKOUT, "options": ["PWW"]})  # fmt: skip
    assert answer.status_code == 201, answer.json
    order = answer.json["order"]
    assert (order["order_id"], order["payment_status"], order["order_status"]) == (
        "ORD-1",
        "AUTHORIZED",
        "ORDER_PROCESSING",
    )
    assert order["order_merchant_status_description"] == "Opłacone"

    names = [c["name"] for c in merchant.calls if c["name"] != "confirmation"]
    assert names == ["get_basket", "order", "order_event"]  # re-read, create, pay
    assert all(c["signature_problem"] is None for c in merchant.calls)
    assert merchant.calls_to("get_basket")[0]["raw"] == b""

    sent = merchant.calls_to("order")[0]["json"]
    details = sent["order_details"]
    # final 36.00 + APM 10.00 + PWW 5.00, as JSON numbers
    assert details["basket_price"] == {"net": Decimal("41.47"), "gross": Decimal("51.00"), "vat": Decimal("9.53")}
    assert b'"basket_price":{"net":41.47,"gross":51.00,"vat":9.53}' in merchant.calls_to("order")[0]["raw"]
    assert (details["basket_id"], details["currency"], details["payment_type"]) == ("b-1", "PLN", "BLIK_CODE")
    assert details["basket_additional_parameters"] == [{"key": "campaign", "value": "spring"}]
    assert sent["account_info"]["phone_number"] == PHONE and sent["account_info"]["mail"] == "anna@example.com"
    assert set(sent["account_info"]["client_address"]) == {"country_code", "address", "city", "postal_code"}
    assert sent["delivery"] == {"delivery_type": "APM", "delivery_codes": ["PWW"], "mail": "anna@example.com",
                                "phone_number": PHONE, "delivery_point": "KRA010"}  # fmt: skip
    assert sent["consents"] == [
        {"consent_id": "regulamin", "consent_version": "1", "is_accepted": True},
        {"consent_id": "rodo", "consent_version": "2", "is_accepted": True},
        {"consent_id": "newsletter", "consent_version": "1", "is_accepted": False},
    ]

    payment = merchant.calls_to("order_event")[0]
    assert payment["path"] == "/v1/izi/order/ORD-1/event"
    data = payment["json"]["event_data"]
    assert (data["payment_status"], data["payment_type"]) == ("AUTHORIZED", "BLIK_CODE")
    assert data["payment_id"] and data["payment_reference"]

    assert phone_app.get("/app/api/baskets").json["baskets"] == []  # ordered: gone from the list
    orders = phone_app.get("/app/api/orders").json["orders"]
    assert [o["order_id"] for o in orders] == ["ORD-1"]
    listed = client.get("/v1/izi/orders?order_id=ORD-1", headers=auth).json
    assert listed["total_items"] == 1 and listed["orders"][0]["order_details"]["payment_status"] == "AUTHORIZED"


def test_cash_on_delivery_sends_cod(phone_app, bound_basket, merchant):
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout",
                            json={**APM_CHECKOUT, "payment_type": "CASH_ON_DELIVERY"})  # fmt: skip
    assert answer.status_code == 201, answer.json
    sent = merchant.calls_to("order")[0]["json"]
    assert sent["delivery"]["delivery_codes"] == ["COD"]
    assert sent["order_details"]["basket_price"]["gross"] == Decimal("49.00")  # 36 + 10 + COD 3
    assert merchant.calls_to("order_event")[0]["json"]["event_data"]["payment_status"] == "COD"


def test_courier_checkout_with_invoice_and_declined_payment(phone_app, bound_basket, merchant):
    form = {"delivery_type": "COURIER", "payment_type": "CARD", "outcome": "DECLINED", "consents": {"regulamin": True, "rodo": True},
            "delivery_address": {"address": "ul. Lipowa 5", "city": "Gdańsk", "postal_code": "80-001"},
            "courier_note": "Proszę dzwonić",
            "invoice": {"legal_form": "COMPANY", "company_name": "Lipa sp. z o.o.", "tax_id": "1234567890",
                        "city": "Gdańsk", "street": "Lipowa", "building": "5", "postal_code": "80-001"}}  # fmt: skip
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=form)
    assert answer.status_code == 201, answer.json
    assert answer.json["order"]["payment_status"] == "DECLINED"
    sent = merchant.calls_to("order")[0]["json"]
    assert sent["delivery"]["delivery_address"] == {"name": "Anna Nowak", "country_code": "PL", "address": "ul. Lipowa 5",
                                                    "city": "Gdańsk", "postal_code": "80-001"}  # fmt: skip
    assert sent["delivery"]["courier_note"] == "Proszę dzwonić"
    assert sent["invoice_details"]["tax_id_prefix"] == "PL"


def test_changed_basket_aborts_the_checkout(phone_app, bound_basket, merchant, basket_doc):
    drifted = copy.deepcopy(basket_doc)
    drifted["summary"]["basket_final_price"] = {"net": "29.28", "gross": "36.01", "vat": "6.73"}
    merchant.answers["get_basket"] = (200, drifted)
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert (answer.status_code, answer.json["error_code"]) == (409, "BASKET_CHANGED")
    assert answer.json["error_message"].startswith("Koszyk się zmienił, odśwież koszyk")
    assert {v["field"] for v in answer.json["violations"]} == {
        "summary.basket_final_price.net",
        "summary.basket_final_price.gross",
    }
    assert merchant.calls_to("order") == []
    # refreshing takes the merchant's basket; then the order goes through
    assert phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/refresh").status_code == 200


def test_the_same_basket_in_other_spelling_is_not_a_change(phone_app, bound_basket, merchant, basket_doc):
    respelled = copy.deepcopy(basket_doc)
    respelled["summary"]["basket_base_price"] = {"vat": 8.34, "gross": 44.6, "net": 36.26}
    merchant.answers["get_basket"] = (200, respelled)
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert answer.status_code == 201, answer.json


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"delivery_type": "DIGITAL"}, "INVALID_INPUT"),
        ({"delivery_point": None}, "INVALID_INPUT"),
        ({"payment_type": "BITCOIN"}, "INVALID_INPUT"),
        ({"options": ["GW"]}, "INVALID_INPUT"),
        ({"options": ["COD"]}, "INVALID_INPUT"),
        ({"outcome": "MAYBE"}, "INVALID_INPUT"),
        ({"consents": {"regulamin": False, "rodo": True}}, "CONSENT_REQUIRED"),
        ({"consents": {"regulamin": True}}, "CONSENT_REQUIRED"),
        ({"invoice": {"legal_form": "COMPANY", "city": "X"}}, "INVALID_INPUT"),
    ],
)
def test_checkout_bad_input_calls_nobody(phone_app, bound_basket, merchant, change, code):
    answer = phone_app.post(
        f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json={**APM_CHECKOUT, **change}
    )
    assert answer.status_code == 400 and answer.json["error_code"] == code
    assert [c["name"] for c in merchant.calls] == ["confirmation"]


def test_required_once_consent_is_remembered(client, auth, phone_app, bound_basket, merchant):
    first = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert first.status_code == 201
    # a second basket: REQUIRED_ONCE "rodo" v2 was accepted before, REQUIRED_ALWAYS must be given again
    client.post("/v1/izi/basket/b-2/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    second = phone_app.post(f"/app/api/requests/{request_id}/accept", json={}).json["basket"]
    assert second["accepted_consents"] == [{"consent_id": "rodo", "consent_version": "2"}]
    answer = phone_app.post(f"/app/api/baskets/{second['inpost_basket_id']}/checkout",
                            json={**APM_CHECKOUT, "consents": {"regulamin": True}})  # fmt: skip
    assert answer.status_code == 201, answer.json
    assert merchant.calls_to("order")[-1]["json"]["consents"][1] == {
        "consent_id": "rodo",
        "consent_version": "2",
        "is_accepted": True,
    }


def test_invalid_order_answer_is_refused(phone_app, bound_basket, merchant):
    merchant.answers["order"] = (201, {"order_details": {"order_id": "ORD-X"}})
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert (answer.status_code, answer.json["error_code"]) == (502, "MERCHANT_ORDER_INVALID")
    assert "order_details.pos_id" in {v["field"] for v in answer.json["violations"]}
    assert phone_app.get("/app/api/orders").json["orders"] == []


def test_merchant_refusing_the_order_shows_its_message(phone_app, bound_basket, merchant):
    merchant.answers["order"] = (409, {"error_code": "ORDER_NOT_CREATE", "error_message": "Cena koszyka się zmieniła"})
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert (answer.status_code, answer.json["error_code"], answer.json["error_message"]) == (
        409, "ORDER_NOT_CREATED", "Cena koszyka się zmieniła")  # fmt: skip


# -- merchant order events (docs/inpost-pay-api.md §5.5, Updating orders at the Merchant’s) -----------------------------------


def order_event(client, auth, event_id, **event_data):
    return client.post("/v1/izi/order/ORD-1/event", headers=auth,
                       json={"event_id": event_id, "event_data_time": "2030-01-01T10:00:00.000Z", "event_data": event_data})  # fmt: skip


@pytest.fixture
def paid_order(phone_app, bound_basket):
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=APM_CHECKOUT)
    assert answer.status_code == 201
    return answer.json["order"]


def test_merchant_order_event_stores_label_and_tracking(client, auth, phone_app, paid_order):
    answer = order_event(client, auth, "e1", order_merchant_status_description="Wysłane",
                         delivery_references_list=["620000000000000000000001", 12345678])  # fmt: skip
    assert answer.status_code == 201  # pitfall 13
    assert answer.json["delivery_references_list"] == ["620000000000000000000001", "12345678"]
    order = phone_app.get("/app/api/orders/ORD-1").json["order"]
    assert order["order_merchant_status_description"] == "Wysłane"
    assert order["delivery_references_list"] == ["620000000000000000000001", "12345678"]
    # the same event_id again changes nothing
    assert order_event(client, auth, "e1", order_merchant_status_description="Inne").status_code == 201
    assert phone_app.get("/app/api/orders/ORD-1").json["order"]["order_merchant_status_description"] == "Wysłane"


def test_order_completed_is_refused_for_an_order_paid_in_the_app(client, auth, paid_order):
    answer = order_event(client, auth, "e2", order_status="ORDER_COMPLETED")
    assert (answer.status_code, answer.json["error_code"]) == (409, "STATUS_ORDER_ERROR")
    processing = order_event(client, auth, "e3", order_status="ORDER_PROCESSING")
    assert (processing.status_code, processing.json["error_code"]) == (409, "STATUS_ORDER_ERROR")


def test_nothing_after_a_final_status(client, auth, phone_app, paid_order):
    assert order_event(client, auth, "e4", order_status="ORDER_REJECTED").status_code == 201
    assert phone_app.get("/app/api/orders/ORD-1").json["order"]["order_status"] == "ORDER_REJECTED"
    later = order_event(client, auth, "e5", order_merchant_status_description="Wysłane")
    assert (later.status_code, later.json["error_code"]) == (409, "STATUS_ORDER_ERROR")


def test_unpaid_order_may_be_completed(client, auth, phone_app, bound_basket):
    phone_app.post(
        f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json={**APM_CHECKOUT, "outcome": "DECLINED"}
    )
    answer = order_event(client, auth, "e6", order_status="ORDER_COMPLETED")
    assert answer.status_code == 201 and answer.json["order_status"] == "ORDER_COMPLETED"


# -- paying again after a declined payment -------------------------------------------


def declined_order(phone_app, bound_basket) -> str:
    answer = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout",
                            json={**APM_CHECKOUT, "outcome": "DECLINED"})  # fmt: skip
    assert answer.json["order"]["payment_status"] == "DECLINED"
    return answer.json["order"]["order_id"]


def test_paying_again_sends_a_new_authorized_event_once(phone_app, bound_basket, merchant):
    order_id = declined_order(phone_app, bound_basket)
    again = phone_app.post(f"/app/api/orders/{order_id}/payment", json={"outcome": "AUTHORIZED"})
    assert again.status_code == 200
    assert again.json["order"]["payment_status"] == "AUTHORIZED"
    first, second = (c["json"] for c in merchant.calls_to("order_event"))
    assert (first["event_data"]["payment_status"], second["event_data"]["payment_status"]) == ("DECLINED", "AUTHORIZED")
    assert first["event_id"] != second["event_id"]
    assert first["event_data"]["payment_id"] != second["event_data"]["payment_id"]
    assert second["event_data"]["payment_type"] == "BLIK_CODE"
    repeat = phone_app.post(f"/app/api/orders/{order_id}/payment", json={})
    assert (repeat.status_code, repeat.json["error_code"]) == (409, "ORDER_NOT_PAYABLE")
    assert len(merchant.calls_to("order_event")) == 2


def test_a_declined_retry_can_be_retried_again(phone_app, bound_basket, merchant):
    order_id = declined_order(phone_app, bound_basket)
    assert phone_app.post(f"/app/api/orders/{order_id}/payment", json={"outcome": "DECLINED"}).json["order"][
        "payment_status"] == "DECLINED"
    assert phone_app.post(f"/app/api/orders/{order_id}/payment").json["order"]["payment_status"] == "AUTHORIZED"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"outcome": "MAYBE"}, 400, "INVALID_INPUT"),
        ({"payment_type": "CASH_ON_DELIVERY"}, 400, "INVALID_INPUT"),
        ({"payment_type": ["BLIK_CODE"]}, 400, "INVALID_INPUT"),
    ],
)
def test_pay_again_bad_input_sends_nothing(phone_app, bound_basket, merchant, body, status, code):
    order_id = declined_order(phone_app, bound_basket)
    answer = phone_app.post(f"/app/api/orders/{order_id}/payment", json=body)
    assert (answer.status_code, answer.json["error_code"]) == (status, code)
    assert len(merchant.calls_to("order_event")) == 1


def test_pay_again_refuses_unknown_paid_and_rejected_orders(app, phone_app, bound_basket, merchant):
    assert phone_app.post("/app/api/orders/nope/payment").status_code == 404
    bad_json = phone_app.post("/app/api/orders/nope/payment", data="{", content_type="application/json")
    assert bad_json.status_code == 400
    order_id = declined_order(phone_app, bound_basket)
    from sandbox.extensions import db
    from sandbox.models import Order

    with app.app_context():
        db.session.get(Order, order_id).order_status = "ORDER_REJECTED"
        db.session.commit()
    rejected = phone_app.post(f"/app/api/orders/{order_id}/payment")
    assert (rejected.status_code, rejected.json["error_code"]) == (409, "ORDER_NOT_PAYABLE")


def test_merchant_down_during_a_retry_is_no_500(phone_app, bound_basket, merchant):
    order_id = declined_order(phone_app, bound_basket)
    merchant.answers["order_event"] = (503, {"error_code": "DOWN", "error_message": "down"})
    answer = phone_app.post(f"/app/api/orders/{order_id}/payment")
    assert answer.status_code == 200
    assert answer.json["order"]["events"][-1]["response_status"] == 503


def test_reset_db_empties_the_sandbox_and_keeps_its_signing_keys(app, client, auth, bound_basket):
    """`make reset` runs it: the phone's baskets are gone, the signing key still verifies."""
    before = client.get("/v1/izi/signing-keys/public", headers=auth).json
    result = app.test_cli_runner().invoke(args=["reset-db"])
    assert result.exit_code == 0 and "signing keys kept" in result.output
    from sandbox.extensions import db
    from sandbox.models import Basket

    with app.app_context():
        assert db.session.query(Basket).count() == 0
    token = client.post("/auth/realms/external/protocol/openid-connect/token", data={
        "grant_type": "client_credentials", "client_id": app.config["INPOST_PAY_CLIENT_ID"],
        "client_secret": app.config["INPOST_PAY_CLIENT_SECRET"]}).json["access_token"]  # fmt: skip
    assert client.get("/v1/izi/signing-keys/public", headers={"Authorization": f"Bearer {token}"}).json == before


def test_demo_names_agree_in_gender():
    import random

    from sandbox.app_actions.account import FIRST_NAMES, demo_name

    for seed in range(200):
        first, surname = demo_name(random.Random(seed))
        female = first in FIRST_NAMES["f"]
        assert not surname.endswith("ski") or not female, (first, surname)
        assert not surname.endswith("ska") or female, (first, surname)


def test_two_taps_on_pay_again_pay_once(app, phone_app, bound_basket, merchant):
    """Concurrent retries: the conditional UPDATE lets exactly one through."""
    import threading

    order_id = declined_order(phone_app, bound_basket)
    second = app.test_client()
    assert second.post("/app/api/session", json=PHONE).status_code == 200
    results, start = [], threading.Barrier(2)

    def tap(client):
        start.wait()
        results.append(client.post(f"/app/api/orders/{order_id}/payment", json={}).status_code)

    threads = [threading.Thread(target=tap, args=(c,)) for c in (phone_app, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [200, 409]
    assert [c["json"]["event_data"]["payment_status"] for c in merchant.calls_to("order_event")] == [
        "DECLINED", "AUTHORIZED"]
