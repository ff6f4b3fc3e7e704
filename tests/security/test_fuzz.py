"""Property-based fuzz: generated JSON thrown at every JSON endpoint of the shop (merchant
API, signed; browser API; basket forms) and of the sandbox never gives a 5xx, and every
refusal has the JSON error shape (docs/security.md "How it is tested").

Bodies are either arbitrary JSON or a valid InPost body with one value replaced by
arbitrary JSON (which reaches deeper than random noise); the merchant API also gets bodies
drawn from its OpenAPI document's request schemas (docs/openapi/merchant-api.json, with
hypothesis-jsonschema). Examples are bounded so the suite stays fast.
"""

from __future__ import annotations

import json
import types

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from inpost_pay import openapi
from tests.inpost_payloads import order_body

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.text(max_size=40)
    | st.sampled_from(
        ["1e30", "1e309", "NaN", "-0", "²", "0.0000001", "9" * 30, "", " ", "PRODUCTS_QUANTITY", "INTEGER", "DECIMAL"]
    )
)
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
NUMBER_TEXT = st.sampled_from(
    ["1e30", "1e309", "-1e999999999", "NaN", "Infinity", "1" + "0" * 40, "0.1e-30", "[[[[[[1]]]]]]"]
)

BASKET_EVENT = {"event_id": "ev-fuzz", "event_data_time": "2025-01-01T10:00:00Z", "event_type": "PRODUCTS_QUANTITY",
                "quantity_event_data": [{"product_id": "1", "quantity": {"quantity": 2, "quantity_type": "INTEGER"}}]}  # fmt: skip
CONFIRMATION = {"status": "SUCCESS", "inpost_basket_id": "866e5bf6", "masked_phone_number": "60*****00", "name": "Jan",
                "phone_number": {"country_prefix": "+48", "phone": "600100200"},
                "browser": {"browser_trusted": True, "browser_id": "b1"}}  # fmt: skip
ORDER_EVENT = {"event_id": "oe-fuzz", "event_data_time": "2025-01-01T10:00:00Z",
               "event_data": {"payment_status": "AUTHORIZED", "payment_type": "CARD"}}  # fmt: skip


def leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaf_paths(item, (*path, i))
    yield path


def replaced(body, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(body))
    node = copy
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = new
    return copy


@st.composite
def mutated(draw, valid):
    """`valid` with one value (or the whole body) replaced by arbitrary JSON, as raw bytes;
    now and then a number written as hostile JSON text."""
    paths = list(leaf_paths(valid))
    path = draw(st.sampled_from(paths))
    if draw(st.booleans()):
        return json.dumps(replaced(valid, path, draw(JSON))).encode()
    marker = "__NUMBER__"
    return json.dumps(replaced(valid, path, marker)).replace(f'"{marker}"', draw(NUMBER_TEXT)).encode()


def bodies(valid):
    return mutated(valid) | JSON.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)


def assert_no_5xx(response, *, inpost_down_ok: bool = False):
    if inpost_down_ok and response.status_code == 503:
        # No InPost runs beside this app: a call that needs it gets the documented quick refusal.
        assert response.get_json()["error_code"] == "INPOST_UNAVAILABLE"
        return
    assert response.status_code < 500, (response.status_code, response.data[:300])
    if response.status_code >= 400 and response.mimetype == "application/json":
        assert {"error_code", "error_message"} <= set(response.get_json())


@SETTINGS
@given(data=st.data())
def test_merchant_api(data, app, signed_call, make_basket):
    basket_id = make_basket((1, 2))
    endpoints = [
        (f"/v1/izi/basket/{basket_id}/event", BASKET_EVENT),
        (f"/v1/izi/basket/{basket_id}/confirmation", CONFIRMATION),
        ("/v1/izi/order", order_body(basket_id, 10)),
        ("/v1/izi/order/1/event", ORDER_EVENT),
    ]
    path, valid = data.draw(st.sampled_from(endpoints))
    assert_no_5xx(signed_call("POST", path, raw=data.draw(bodies(valid))))


@SETTINGS
@given(data=st.data())
def test_browser_api_and_basket_forms(data, client):
    path = data.draw(st.sampled_from(["/izi/can-be-bound", "/izi/add-to-cart", "/izi/binding-data", "/koszyk/dodaj",
                                      "/koszyk/zmien", "/koszyk/usun", "/koszyk/kod"]))  # fmt: skip
    valid = {"product_id": 1, "quantity": 1, "code": "RABAT10", "phone": "600100200", "prefix": "+48"}
    response = client.post(path, data=data.draw(bodies(valid)), content_type="application/json")
    assert_no_5xx(response, inpost_down_ok=path.startswith("/izi/"))


@SETTINGS
@given(data=st.data())
def test_sandbox_api(data, sandbox_client, sandbox_bearer):
    method, path, valid = data.draw(st.sampled_from([
        ("POST", "/v1/izi/basket/b1/binding", {"binding_method": "PHONE", "phone_number": {"country_prefix": "+48", "phone": "600100200"}}),
        ("PUT", "/v1/izi/basket/b1", {"summary": {"basket_final_price": {"net": 1, "gross": 1, "vat": 0}}, "products": []}),
        ("POST", "/v1/izi/order/1/event", {"event_id": "e1", "event_data": {"order_status": "ORDER_COMPLETED"}}),
    ]))  # fmt: skip
    headers = {**sandbox_bearer, "Content-Type": "application/json"}
    assert_no_5xx(sandbox_client.open(path, method=method, data=data.draw(bodies(valid)), headers=headers))


@pytest.mark.parametrize("page_index", ["0", "9" * 9, "9" * 30, "x"])
def test_sandbox_lists_page_through_safely(page_index, sandbox_client, sandbox_bearer):
    for path in ("/v1/izi/baskets", "/v1/izi/orders"):
        assert_no_5xx(sandbox_client.get(path, query_string={"page_index": page_index}, headers=sandbox_bearer))


# --- bodies drawn from the OpenAPI document's request schemas ----------------------------------

OPENAPI = json.loads(openapi.DOCUMENT.read_text(encoding="utf-8"))
SCHEMA_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)  # fmt: skip


def _hypothesis_jsonschema_compat() -> None:
    """hypothesis-jsonschema 0.23.1 draws object keys with `many(...).more()`, which newer
    Hypothesis replaced by `with many(...) as elements: for _ in elements:`. Its module gets a
    `many` with `more()` driving the new iteration; Hypothesis itself is left as it is."""
    from hypothesis.internal.conjecture import utils
    from hypothesis_jsonschema import _from_schema

    if hasattr(utils.many, "more") or getattr(_from_schema.cu, "patched", False):
        return

    class Many:
        def __init__(self, data, **sizes):
            self._many = utils.many(data, **sizes)
            self._steps = iter(self._many.__enter__())

        def more(self) -> bool:
            if next(self._steps, False) is None:
                return True
            self._many.__exit__(None, None, None)
            return False

        def reject(self, why=None) -> None:
            self._many.reject(why)

    _from_schema.cu = types.SimpleNamespace(**{**vars(utils), "many": Many, "patched": True})


_hypothesis_jsonschema_compat()


def request_bodies(method: str, path: str):
    """Bodies the document says are valid for this call (its $refs resolvable)."""
    schema = OPENAPI["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return from_schema({**schema, "components": OPENAPI["components"]})


@pytest.mark.parametrize(("method", "path"), sorted(OPENAPI_REQUESTS := [
    (method, path) for path, item in OPENAPI["paths"].items() for method, op in item.items() if "requestBody" in op
]))  # fmt: skip
def test_merchant_api_from_the_openapi_document(method, path, app, signed_call, make_basket):
    """What the document describes, signed as InPost signs: answered, never a 5xx. The basket
    and the order exist now and then, so that valid bodies also reach the shop's logic."""
    basket_id = make_basket((1, 2))

    @SCHEMA_SETTINGS
    @given(body=request_bodies(method, path), known=st.booleans())
    def check(body, known):
        if known and path == "/v1/izi/order":
            body["order_details"]["basket_id"] = basket_id
        url = path.format(basket_id=basket_id if known else "b-unknown", order_id=1 if known else 999999)
        assert_no_5xx(signed_call(method.upper(), url, raw=json.dumps(body).encode()))

    check()
