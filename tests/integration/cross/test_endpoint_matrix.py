"""Every merchant endpoint x {malformed JSON, missing field, wrong type, unknown id, repeat,
after order}: the documented status and error code (docs/architecture.md#interfaces, docs/inpost-pay-api.md §3.0), and the
shop's database exactly as it was whenever the call is refused.

The calls are signed with the sandbox's real keys (`sandbox.keys.sign_headers`); the shop
verifies them with keys it fetched from the sandbox's signing-keys endpoint. The isolated
cases of tests/integration/merchant_api/ (test signer) are not repeated here.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal as D

import pytest
import requests

from sandbox.keys import sign_headers

from .conftest import (
    WEBSITE_APM_COD,
    PhoneApp,
    Shopper,
    binding,
    order_body,
    shop_basket,
    shop_context,
    shop_fingerprint,
    shop_orders,
)

PHONE = {"country_prefix": "+48", "phone": "600000000"}
CONFIRMATION = {
    "status": "SUCCESS",
    "inpost_basket_id": "866e5bf6-4e8a-443e-98f5-f9b0c5c149dd",
    "phone_number": PHONE,
    "browser": {"browser_trusted": False},
    "masked_phone_number": "60*****00",
    "name": "Piotr",
    "surname": "Nowak",
}


def event(event_type: str = "PRODUCTS_QUANTITY", **data) -> dict:
    body = {"event_id": str(uuid.uuid4()), "event_data_time": "2026-11-23T10:00:00.000Z", "event_type": event_type,
            "phone_number": PHONE}  # fmt: skip
    if not data and event_type == "PRODUCTS_QUANTITY":
        data = {"quantity_event_data": [{"product_id": "1", "quantity": {"quantity": 2, "quantity_type": "INTEGER"}}]}
    body.update(data)
    return body


def order_event(**event_data) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_data_time": "2026-11-23T10:05:00.000Z",
        "phone_number": PHONE,
        "event_data": event_data or {"payment_status": "AUTHORIZED", "payment_type": "BLIK_CODE"},
    }


def without(doc: dict, path: str) -> dict:
    """A deep copy of `doc` with the field at `path` ("a.b[0].c") removed."""
    copy = json.loads(json.dumps(doc))
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    target = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    del target[last]
    return copy


def replaced(doc: dict, path: str, value) -> dict:
    copy = without(doc, path)  # a copy; then put the new value where the old one was
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    target = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return copy


def assert_refused(response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    answer = response.json()
    assert set(answer) == {"error_code", "error_message"}
    assert answer["error_code"] == code
    if field is not None:
        assert field in answer["error_message"], answer["error_message"]


# --- the baskets and orders the calls are about ----------------------------------------------


@pytest.fixture
def open_basket(shopper):
    """An open basket of the website (one coffee), not bound."""
    assert shopper.add(1).status_code == 200
    return shopper.basket_id


@pytest.fixture(scope="module")
def shared_basket(pair):
    """An open basket for calls that are all refused (so it never changes): one per module."""
    shopper = Shopper(pair.shop.url)
    assert shopper.add(1).status_code == 200
    return shopper.basket_id


@pytest.fixture(scope="module")
def app_order(pair):
    """A basket bound to a phone and ordered in the app, paid (AUTHORIZED): (basket_id, order_id)."""
    shopper, phone = Shopper(pair.shop.url), PhoneApp(pair.sandbox.url, "609000001")
    shopper.add(3, 2)
    basket_id = shopper.basket_id
    with shop_context(pair) as client:
        client.create_basket_binding(basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": phone.phone})
    accepted = phone.accept(phone.pending()[0]["id"]).json()["basket"]
    placed = phone.checkout(accepted["inpost_basket_id"])
    assert placed.status_code == 201, placed.text
    return basket_id, placed.json()["order"]["order_id"]


@pytest.fixture(scope="module")
def website_order(pair):
    """A basket ordered on the website: (basket_id, order_id)."""
    shopper = Shopper(pair.shop.url)
    shopper.add(4)
    basket_id = shopper.basket_id
    assert shopper.form("/zamowienie", WEBSITE_APM_COD).status_code == 302
    [row] = shop_orders(pair, basket_id)
    return basket_id, str(row["id"])


# --- malformed JSON: every endpoint with a body ----------------------------------------------------

MALFORMED = {
    "empty": b"",
    "truncated": b'{"status": "SUCC',
    "a list": b"[1, 2]",
    "null": b"null",
    "a string": b'"SUCCESS"',
    "not utf-8": b'{"name": "\xff\xfe"}',
    "NaN": b'{"event_id": NaN}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_is_400_on_every_endpoint_with_a_body(pair, inpost, shared_basket, app_order, raw):
    _, order_id = app_order
    before = shop_fingerprint(pair)
    for path in (
        f"/v1/izi/basket/{shared_basket}/confirmation",
        f"/v1/izi/basket/{shared_basket}/event",
        "/v1/izi/order",
        f"/v1/izi/order/{order_id}/event",
    ):
        assert_refused(inpost.signed("POST", path, raw=raw), 400, "MALFORMED_REQUEST", "body")
    assert shop_fingerprint(pair) == before


# --- missing fields ---------------------------------------------------------------------------------

MISSING = [
    ("confirmation", {**CONFIRMATION, "phone_number": {"country_prefix": "+48"}}, "phone_number.phone"),
    ("confirmation", {**CONFIRMATION, "browser": {"browser_id": "b-1"}}, "browser.browser_trusted"),
    ("event", without(event(), "event_id"), "event_id"),
    ("event", without(event(), "event_data_time"), "event_data_time"),
    ("event", without(event(), "event_type"), "event_type"),
    ("event", without(event(), "quantity_event_data"), "quantity_event_data"),
    ("event", without(event(), "quantity_event_data[0].product_id"), "quantity_event_data[0].product_id"),
    ("event", without(event(), "quantity_event_data[0].quantity"), "quantity_event_data[0].quantity"),
    ("event", event("PROMO_CODES"), "promo_codes_event_data"),
    ("event", event("PROMO_CODES", promo_codes_event_data=[{"name": "R"}]), "promo_codes_event_data[0].promo_code_value"),
    ("event", event("RELATED_PRODUCTS"), "related_products_event_data"),
    ("order", without(order_body("{basket}", 60), "order_details"), "order_details"),
    ("order", without(order_body("{basket}", 60), "order_details.basket_id"), "order_details.basket_id"),
    ("order", without(order_body("{basket}", 60), "order_details.currency"), "order_details.currency"),
    ("order", without(order_body("{basket}", 60), "order_details.basket_price"), "order_details.basket_price"),
    ("order", without(order_body("{basket}", 60), "order_details.basket_price.vat"), "order_details.basket_price.vat"),
    ("order", without(order_body("{basket}", 60), "order_details.payment_type"), "order_details.payment_type"),
    ("order", without(order_body("{basket}", 60), "account_info"), "account_info"),
    ("order", without(order_body("{basket}", 60), "account_info.mail"), "account_info.mail"),
    ("order", without(order_body("{basket}", 60), "account_info.phone_number"), "account_info.phone_number"),
    ("order", without(order_body("{basket}", 60), "delivery"), "delivery"),
    ("order", without(order_body("{basket}", 60), "delivery.delivery_type"), "delivery.delivery_type"),
    ("order", without(order_body("{basket}", 60), "consents[0].is_accepted"), "consents[0].is_accepted"),
    ("order_event", without(order_event(), "event_id"), "event_id"),
    ("order_event", without(order_event(), "event_data_time"), "event_data_time"),
    ("order_event", without(order_event(), "event_data"), "event_data"),
]

WRONG_TYPE = [
    ("confirmation", {**CONFIRMATION, "status": 5}, "status"),
    ("confirmation", {**CONFIRMATION, "status": "MAYBE"}, "status"),
    ("confirmation", {**CONFIRMATION, "browser": "yes"}, "browser"),
    ("confirmation", {**CONFIRMATION, "name": ["Piotr"]}, "name"),
    ("confirmation", {**CONFIRMATION, "masked_phone_number": {}}, "masked_phone_number"),
    ("confirmation", {**CONFIRMATION, "phone_number": "600000000"}, "phone_number"),
    ("event", event(event_type=7), "event_type"),
    ("event", event("TELEPORT"), "event_type"),
    ("event", replaced(event(), "event_data_time", "yesterday"), "event_data_time"),
    ("event", replaced(event(), "event_id", True), "event_id"),
    ("event", replaced(event(), "quantity_event_data", "3"), "quantity_event_data"),
    ("event", replaced(event(), "quantity_event_data[0].quantity.quantity", True), "quantity"),
    ("event", replaced(event(), "quantity_event_data[0].quantity.quantity", -1), "quantity"),
    ("event", event("PROMO_CODES", promo_codes_event_data=[5]), "promo_codes_event_data[0]"),
    ("order", replaced(order_body("{basket}", 60), "order_details.basket_price.gross", "abc"), "basket_price.gross"),
    ("order", replaced(order_body("{basket}", 60), "order_details.basket_price.gross", -60), "basket_price.gross"),
    ("order", replaced(order_body("{basket}", 60), "order_details.basket_price.gross", "1.234"), "basket_price.gross"),
    ("order", replaced(order_body("{basket}", 60), "order_details.currency", "EUR"), "order_details.currency"),
    ("order", replaced(order_body("{basket}", 60), "delivery.delivery_type", "DRONE"), "delivery.delivery_type"),
    ("order", replaced(order_body("{basket}", 60), "delivery.delivery_codes", "COD"), "delivery.delivery_codes"),
    ("order", replaced(order_body("{basket}", 60), "consents", {}), "consents"),
    ("order", replaced(order_body("{basket}", 60), "account_info.name", 5), "account_info.name"),
    ("order_event", replaced(order_event(), "event_data", []), "event_data"),
    ("order_event", replaced(order_event(), "event_data", {"payment_status": 5}), "event_data.payment_status"),
    ("order_event", replaced(order_event(), "event_data_time", "2026-13-45"), "event_data_time"),
]


def _path(kind: str, basket_id: str, order_id: str) -> str:
    return {
        "confirmation": f"/v1/izi/basket/{basket_id}/confirmation",
        "event": f"/v1/izi/basket/{basket_id}/event",
        "order": "/v1/izi/order",
        "order_event": f"/v1/izi/order/{order_id}/event",
    }[kind]


def _fill(body: dict, basket_id: str) -> dict:
    return json.loads(json.dumps(body).replace("{basket}", basket_id))


@pytest.mark.parametrize(("kind", "body", "field"), MISSING + WRONG_TYPE,
                         ids=[f"missing {f}" for _, _, f in MISSING] + [f"wrong {f}" for _, _, f in WRONG_TYPE])  # fmt: skip
def test_a_missing_or_mistyped_field_is_400_naming_it(pair, inpost, shared_basket, app_order, kind, body, field):
    _, order_id = app_order
    before = shop_fingerprint(pair)
    response = inpost.signed("POST", _path(kind, shared_basket, order_id), _fill(body, shared_basket))
    assert_refused(response, 400, "MALFORMED_REQUEST", field)
    assert shop_fingerprint(pair) == before


# --- unknown ids -----------------------------------------------------------------------------------

UNKNOWN_BASKETS = ["no-such-basket", "x" * 65, "%20", "1"]


@pytest.mark.parametrize("basket_id", UNKNOWN_BASKETS, ids=["unknown", "too long", "blank", "numeric"])
def test_unknown_basket_is_404_basket_not_found(pair, inpost, basket_id):
    before = shop_fingerprint(pair)
    for method, path, body in [
        ("GET", f"/v1/izi/basket/{basket_id}", None),
        ("POST", f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION),
        ("POST", f"/v1/izi/basket/{basket_id}/event", event()),
        ("POST", "/v1/izi/order", order_body(basket_id, 60)),
    ]:
        assert_refused(inpost.signed(method, path, body), 404, "BASKET_NOT_FOUND")
    # Unlinking what we do not know is fine (docs/inpost-pay-api.md §3.4: PS and WC answer 200), and writes nothing.
    assert inpost.signed("DELETE", f"/v1/izi/basket/{basket_id}/binding").status_code == 200
    assert shop_fingerprint(pair) == before


@pytest.mark.parametrize("order_id", ["999999", "abc", "0", "-1", "1" * 30, "1.5"])
def test_unknown_order_is_404_order_not_found(pair, inpost, order_id):
    before = shop_fingerprint(pair)
    assert_refused(inpost.signed("GET", f"/v1/izi/order/{order_id}"), 404, "ORDER_NOT_FOUND")
    assert_refused(inpost.signed("POST", f"/v1/izi/order/{order_id}/event", order_event()), 404, "ORDER_NOT_FOUND")
    assert shop_fingerprint(pair) == before


def test_a_website_order_is_not_inposts_to_read_or_change(pair, inpost, website_order):
    basket_id, order_id = website_order
    before = shop_fingerprint(pair)
    assert_refused(inpost.signed("GET", f"/v1/izi/order/{order_id}"), 404, "ORDER_NOT_FOUND")
    assert_refused(inpost.signed("POST", f"/v1/izi/order/{order_id}/event", order_event()), 404, "ORDER_NOT_FOUND")
    # Nor can InPost order that basket again: it was bought (pitfall 9 when the unbinding was lost).
    assert_refused(inpost.signed("POST", "/v1/izi/order", order_body(basket_id, 60)), 409, "ORDER_EXISTS")
    assert shop_fingerprint(pair) == before


# --- repeats ---------------------------------------------------------------------------------------


def test_repeated_get_basket_is_byte_for_byte_and_writes_nothing(pair, inpost, open_basket):
    first = inpost.signed("GET", f"/v1/izi/basket/{open_basket}")
    assert first.status_code == 200
    after_first = shop_fingerprint(pair)
    second = inpost.signed("GET", f"/v1/izi/basket/{open_basket}")
    assert second.content == first.content
    assert shop_fingerprint(pair) == after_first


def test_a_repeated_confirmation_answers_the_same_basket(pair, inpost, open_basket):
    first = inpost.signed("POST", f"/v1/izi/basket/{open_basket}/confirmation", CONFIRMATION)
    second = inpost.signed("POST", f"/v1/izi/basket/{open_basket}/confirmation", CONFIRMATION)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    state = binding(pair, open_basket)
    assert (state.binding_status, state.phone, state.masked_phone_number) == ("bound", "600000000", "60*****00")
    assert shop_basket(pair, open_basket)["version"] == 2  # created, one coffee added; confirmations change nothing


@pytest.mark.parametrize(
    "body",
    [
        event(),
        event("PROMO_CODES", promo_codes_event_data=[{"name": "RABAT10", "promo_code_value": "RABAT10"}]),
        event("RELATED_PRODUCTS", related_products_event_data=[{"product_id": "3", "quantity": {"quantity": 1}}]),
    ],
    ids=["PRODUCTS_QUANTITY", "PROMO_CODES", "RELATED_PRODUCTS"],
)
def test_a_repeated_basket_event_is_applied_once_and_answered_the_same(pair, inpost, open_basket, body):
    body = {**body, "event_id": str(uuid.uuid4())}
    before = shop_fingerprint(pair)
    first = inpost.signed("POST", f"/v1/izi/basket/{open_basket}/event", body)
    assert first.status_code == 200, first.text
    after_first = shop_fingerprint(pair)
    assert after_first != before  # applied (and the fingerprint sees it)
    second = inpost.signed("POST", f"/v1/izi/basket/{open_basket}/event", body)
    assert second.status_code == 200
    assert second.content == first.content
    assert shop_fingerprint(pair) == after_first


def test_repeated_unlinking_is_200_and_changes_nothing_more(pair, inpost, open_basket):
    inpost.signed("POST", f"/v1/izi/basket/{open_basket}/confirmation", CONFIRMATION)
    assert inpost.signed("DELETE", f"/v1/izi/basket/{open_basket}/binding").status_code == 200
    assert binding(pair, open_basket).binding_status == "unbound"
    after_first = shop_fingerprint(pair)
    assert inpost.signed("DELETE", f"/v1/izi/basket/{open_basket}/binding").status_code == 200
    assert shop_fingerprint(pair) == after_first


def test_repeated_order_reads_and_order_creation_return_the_same_order(pair, inpost, app_order):
    basket_id, order_id = app_order
    before = shop_fingerprint(pair)
    first = inpost.signed("GET", f"/v1/izi/order/{order_id}")
    second = inpost.signed("GET", f"/v1/izi/order/{order_id}")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    again = inpost.signed("POST", "/v1/izi/order", order_body(basket_id, D("1.00")))  # even with another price
    assert again.status_code == 201
    assert again.json() == first.json()
    assert shop_fingerprint(pair) == before


def test_a_repeated_order_event_is_applied_once(pair, inpost, app_order):
    _, order_id = app_order
    body = order_event(order_status="ORDER_PROCESSING", payment_status="AUTHORIZED")
    before = shop_fingerprint(pair)
    first = inpost.signed("POST", f"/v1/izi/order/{order_id}/event", body)
    assert first.status_code == 200
    assert first.json() == {"order_merchant_status_description": "Opłacone", "delivery_references_list": []}
    after_first = shop_fingerprint(pair)
    assert after_first != before  # the event itself is recorded (inpost_event)
    second = inpost.signed("POST", f"/v1/izi/order/{order_id}/event", body)
    assert second.content == first.content
    assert shop_fingerprint(pair) == after_first


# --- after the order ---------------------------------------------------------------------------------


def test_after_the_order_the_basket_takes_no_more_changes(pair, inpost, app_order):
    basket_id, _ = app_order
    before = shop_fingerprint(pair)
    for body in (
        event(),
        event("PROMO_CODES", promo_codes_event_data=[]),
        event("RELATED_PRODUCTS", related_products_event_data=[{"product_id": "4", "quantity": {"quantity": 1}}]),
    ):
        assert_refused(inpost.signed("POST", f"/v1/izi/basket/{basket_id}/event", body), 409, "ORDER_EXISTS")
    assert_refused(inpost.signed("POST", f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION), 409, "ORDER_EXISTS")
    # GET still answers the basket as it was ordered: what InPost holds.
    got = inpost.signed("GET", f"/v1/izi/basket/{basket_id}")
    assert got.status_code == 200
    assert [(p["product_id"], p["quantity"]["quantity"]) for p in got.json()["products"]] == [("3", 2)]
    assert shop_fingerprint(pair) == before


def test_late_payment_news_of_a_cancelled_order_is_recorded_without_reviving_it(pair, inpost, shopper, phone_app,
                                                                                 bind):  # fmt: skip
    shopper.add(7)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    placed = phone.checkout(detail["inpost_basket_id"], outcome="DECLINED")
    order_id = placed.json()["order"]["order_id"]
    rejected = inpost.signed("POST", f"/v1/izi/order/{order_id}/event", order_event(order_status="ORDER_REJECTED"))
    assert rejected.json()["order_merchant_status_description"] == "Anulowane"
    late = inpost.signed("POST", f"/v1/izi/order/{order_id}/event", order_event(payment_status="AUTHORIZED"))
    assert late.status_code == 200
    [row] = shop_orders(pair, basket_id)
    assert (row["status"], row["payment_status"]) == ("cancelled", "AUTHORIZED")


def test_business_refusals_of_an_order_are_409_order_not_create(pair, inpost, shared_basket):
    before = shop_fingerprint(pair)
    price = D("46.90") + D("13.99")  # one coffee + APM
    cases = [
        (replaced(order_body(shared_basket, price), "consents", []), "Zaakceptuj"),
        (order_body(shared_basket, price, delivery_type="DIGITAL"), "dostawy"),
        (order_body(shared_basket, price + D("5.00"), payment="CASH_ON_DELIVERY"), "COD"),
        (order_body(shared_basket, price, codes=["PWW"]), "zmieniła"),  # the weekend option costs extra
    ]
    for body, words in cases:
        response = inpost.signed("POST", "/v1/izi/order", body)
        assert_refused(response, 409, "ORDER_NOT_CREATE", words)
    assert shop_fingerprint(pair) == before


# --- signatures, with InPost's real keys ----------------------------------------------------------


def test_calls_not_signed_by_inposts_current_keys_are_401(pair, inpost, open_basket):
    ring = pair.sandbox_app.extensions["sandbox_keys"]
    raw = json.dumps(CONFIRMATION).encode()
    path = f"{pair.shop.url}/v1/izi/basket/{open_basket}/confirmation"
    before = shop_fingerprint(pair)

    def post(headers, body=raw):
        return requests.post(path, data=body, headers={**headers, "Content-Type": "application/json"}, timeout=10)

    good = sign_headers(raw, ring.current(), ring.merchant_external_id)
    assert_refused(post(good, raw.replace(b"Piotr", b"Pawel")), 401, "INVALID_SIGNATURE")  # body tampered
    assert_refused(post(sign_headers(raw, ring.current(), "another-merchant")), 401, "INVALID_SIGNATURE")
    assert_refused(post({**good, "x-public-key-ver": "99"}), 401, "INVALID_SIGNATURE")  # InPost has no such key
    assert_refused(post({**good, "x-public-key-hash": "0" * 64}), 401, "INVALID_SIGNATURE")
    assert_refused(post(sign_headers(raw, ring.current(), ring.merchant_external_id, "2020-01-01T00:00:00.000Z")),
                   401, "INVALID_SIGNATURE")  # fmt: skip
    assert shop_fingerprint(pair) == before


def test_a_rotated_key_is_fetched_and_trusted(pair, inpost, open_basket):
    """InPost rotates its signing key: the next call carries the new version; the shop fetches
    that version (docs/inpost-pay-api.md §6.2 step 2) and accepts the call, and the old version still works."""
    ring = pair.sandbox_app.extensions["sandbox_keys"]
    old = ring.current()
    new = ring.rotate()
    assert new.version != old.version
    got = inpost.signed("GET", f"/v1/izi/basket/{open_basket}")  # signed with the new key
    assert got.status_code == 200, got.text
    raw = b""
    by_old = requests.get(f"{pair.shop.url}/v1/izi/basket/{open_basket}",
                          headers=sign_headers(raw, old, ring.merchant_external_id), timeout=10)  # fmt: skip
    assert by_old.status_code == 200
    assert by_old.content == got.content
