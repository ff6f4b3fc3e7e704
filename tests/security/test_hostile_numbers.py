"""Class 1: hostile numbers, ids and shapes are a 400 naming the field, never a 500, and
nothing is written — on the merchant API, the browser API, the basket forms and the
sandbox's API (docs/security.md "Limits")."""

from __future__ import annotations

import json

import pytest

from storefront import bounds
from tests.inpost_payloads import order_body
from tests.security.conftest import assert_json_error

# Written as JSON text, since json.dumps cannot write most of them.
HOSTILE_NUMBERS = [
    "1e30",
    '"1e309"',
    "1" + "0" * 30,
    '"NaN"',
    '"Infinity"',
    "NaN",
    "-Infinity",
    "1e-30",
    '"1e999999999"',
]
DEEP = b"[" * 50000


def quantity_event(quantity: str) -> bytes:
    return (
        '{"event_id":"ev-hostile","event_data_time":"2025-01-01T10:00:00Z","event_type":"PRODUCTS_QUANTITY",'
        '"quantity_event_data":[{"product_id":"1","quantity":{"quantity":' + quantity + ',"quantity_type":"INTEGER"}}]}'
    ).encode()


def order_with_gross(basket_id: str, gross: str) -> bytes:
    text = json.dumps(order_body(basket_id, 10))
    return text.replace('"gross": 10.0', f'"gross": {gross}').encode()


# Each test runs its whole battery against one app: a fresh app per value would make the
# suite slow without testing anything more.


def test_merchant_api_quantity(signed_call, make_basket, snapshot, no_traceback):
    basket_id = make_basket((1, 1))
    before = snapshot()
    for number in HOSTILE_NUMBERS:
        response = signed_call("POST", f"/v1/izi/basket/{basket_id}/event", raw=quantity_event(number))
        body = assert_json_error(response, 400, "MALFORMED_REQUEST")
        assert body["error_message"].startswith(("quantity_event_data[0].quantity.quantity", "body")), body
    assert snapshot() == before


def test_merchant_api_order_amount(signed_call, make_basket, snapshot, no_traceback):
    basket_id = make_basket((1, 1))
    before = snapshot()
    for number in HOSTILE_NUMBERS:
        response = signed_call("POST", "/v1/izi/order", raw=order_with_gross(basket_id, number))
        body = assert_json_error(response, 400, "MALFORMED_REQUEST")
        assert body["error_message"].startswith(("order_details.basket_price.gross", "body")), body
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", ["/v1/izi/basket/{b}/event", "/v1/izi/basket/{b}/confirmation", "/v1/izi/order", "/v1/izi/order/1/event"]
)
def test_merchant_api_deep_nesting(path, signed_call, make_basket, snapshot, no_traceback):
    basket_id = make_basket((1, 1))
    before = snapshot()
    body = assert_json_error(signed_call("POST", path.format(b=basket_id), raw=DEEP), 400, "MALFORMED_REQUEST")
    assert body["error_message"].startswith("body")
    assert snapshot() == before


def test_merchant_api_order_ids_beyond_range(signed_call, snapshot, no_traceback):
    before = snapshot()
    raw = b'{"event_id":"e-1","event_data_time":"2025-01-01T10:00:00Z","event_data":{"payment_status":"AUTHORIZED"}}'
    for order_id in ["%C2%B2", "%D9%A3", "9" * 30, "-1", "0", "1e3", str(2**63)]:
        assert_json_error(signed_call("GET", f"/v1/izi/order/{order_id}"), 404, "ORDER_NOT_FOUND")
        assert_json_error(signed_call("POST", f"/v1/izi/order/{order_id}/event", raw=raw), 404, "ORDER_NOT_FOUND")
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/izi/add-to-cart", "/izi/can-be-bound", "/koszyk/dodaj"])
def test_browser_and_forms_product_ids(path, client, snapshot, no_traceback):
    before = snapshot()
    for product_id in ["1" + "0" * 30, '"²"', str(2**63), '"' + "9" * 5000 + '"']:
        raw = ('{"product_id":' + product_id + ',"quantity":1}').encode()
        assert_json_error(client.post(path, data=raw, content_type="application/json"), 404, "PRODUCT_NOT_FOUND")
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/izi/add-to-cart", "/koszyk/dodaj"])
def test_browser_and_forms_quantities(path, client, snapshot, no_traceback):
    before = snapshot()
    for number in HOSTILE_NUMBERS:
        raw = ('{"product_id":1,"quantity":' + number + "}").encode()
        response = client.post(path, data=raw, content_type="application/json")
        assert response.status_code == 400, (number, response.data)
        assert set(response.get_json()) >= {"error_code", "error_message"}
    assert snapshot() == before


def test_basket_form_quantity(client, snapshot, no_traceback):
    """A classic form post: refused with the flash message and a redirect back, nothing kept."""
    before = snapshot()
    for quantity in ["1e30", "1" + "0" * 30, "NaN", "²"]:
        response = client.post("/koszyk/dodaj", data={"product_id": "1", "quantity": quantity})
        assert response.status_code == 303, response.status_code
    assert snapshot() == before


@pytest.mark.parametrize(
    "path", ["/izi/add-to-cart", "/izi/can-be-bound", "/izi/binding-data", "/koszyk/dodaj", "/koszyk/zmien"]
)
def test_browser_and_forms_deep_nesting(path, client, snapshot, no_traceback):
    before = snapshot()
    body = assert_json_error(client.post(path, data=DEEP, content_type="application/json"), 400, "MALFORMED_REQUEST")
    assert "body" in body["error_message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "method, path",
    [("POST", "/v1/izi/basket/b1/binding"), ("PUT", "/v1/izi/basket/b1"), ("POST", "/v1/izi/order/1/event")],
)
def test_sandbox_api_bodies(method, path, sandbox_client, sandbox_bearer, sandbox_snapshot, no_traceback):
    before = sandbox_snapshot()
    headers = {**sandbox_bearer, "Content-Type": "application/json"}
    for raw in [DEEP, b'{"a": NaN}', b"[" * 40 + b"]" * 40]:
        assert_json_error(sandbox_client.open(path, method=method, data=raw, headers=headers), 400, "MALFORMED_REQUEST")
    assert sandbox_snapshot() == before


@pytest.mark.parametrize("path", ["/v1/izi/baskets", "/v1/izi/orders"])
def test_sandbox_api_page_index(path, sandbox_client, sandbox_bearer, no_traceback):
    for page_index in ["9" * 30, "9" * 10, "²", "-1", "1e3"]:
        response = sandbox_client.get(path, query_string={"page_index": page_index}, headers=sandbox_bearer)
        assert "page_index" in assert_json_error(response, 400, "MALFORMED_REQUEST")["error_message"]


# --- the validator itself -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "1e3", "-1", "0", " ", "", str(2**63), "1" * 20, True, None, 1.0, [1]])
def test_parse_id_refuses(value):
    with pytest.raises(bounds.OutOfBounds):
        bounds.parse_id(value, "product_id")


def test_parse_id_accepts_the_largest_row_id():
    assert bounds.parse_id(str(bounds.MAX_ID)) == bounds.MAX_ID and bounds.parse_id(7) == 7


def test_depth_counts_only_brackets_outside_strings():
    assert bounds.json_depth_ok(b'{"a": "' + b"[" * 1000 + b'"}')
    assert not bounds.json_depth_ok(b"[" * 33 + b"]" * 33)
    assert bounds.json_depth_ok(b"[" * 32 + b"]" * 32)
