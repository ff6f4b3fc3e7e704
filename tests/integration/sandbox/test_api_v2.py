"""The sandbox's Widget 2.0 set: the calls the merchant makes (`PUT /v2/izi/basket/{id}/binding`,
`PUT /v2/izi/basket/{id}`) and the widget API the widget script calls from the merchant's page
(`/widget/v2/...`, keyed by the basket binding API key, only from the merchant's origin)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.sandbox.conftest import PHONE, bearer, get_token

MERCHANT_CLIENT_ID = "00000000-0000-4000-8000-000000000001"


def binding_key(client, auth, basket_id: str = "b-1") -> str:
    answer = client.put(f"/v2/izi/basket/{basket_id}/binding", headers=auth)
    assert answer.status_code == 200, answer.json
    return answer.json["basket_binding_api_key"]


@pytest.fixture
def widget_headers(merchant):
    """What the widget script sends from the merchant's page (the merchant double's origin)."""

    def headers(key: str | None = None, **extra) -> dict:
        values = {"Origin": merchant.url, "X-Merchant-Client-Id": MERCHANT_CLIENT_ID}
        if key:
            values["X-Basket-Binding-Api-Key"] = key
        return {**values, **extra}

    return headers


def bind_in_the_app(client, phone_app, key, widget_headers, trust: bool = False) -> dict:
    sent = client.post("/widget/v2/binding", headers=widget_headers(key),
                       json={"binding_method": "PHONE", "phone_number": PHONE, "binding_place": "PRODUCT_CARD"})  # fmt: skip
    assert sent.status_code == 202, sent.json
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    accepted = phone_app.post(f"/app/api/requests/{request_id}/accept", json={"trust_browser": trust})
    assert accepted.status_code == 200, accepted.json
    return accepted.json["basket"]


# -- PUT /v2/izi/basket/{id}/binding -------------------------------------------------------------


def test_binding_key_is_the_same_for_a_repeat_and_differs_per_basket(client, auth):
    first = binding_key(client, auth)
    assert binding_key(client, auth) == first
    assert binding_key(client, bearer(get_token(client))) == first  # a new token, the same merchant
    assert binding_key(client, auth, "b-2") != first


def test_concurrent_first_calls_get_one_key(app, auth):
    def call(_):
        answer = app.test_client().put("/v2/izi/basket/b-race/binding", headers=auth)
        return answer.status_code, answer.json.get("basket_binding_api_key")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(call, range(4)))
    assert {status for status, _ in answers} == {200}
    assert len({key for _, key in answers}) == 1


@pytest.mark.parametrize(
    "path", ["/v2/izi/basket/b-1/binding", "/v2/izi/basket/b-1"], ids=["binding", "basket"]
)
@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"], ids=["missing", "unknown", "not-bearer"])
def test_v2_calls_need_a_valid_bearer(client, basket_doc, path, header):
    answer = client.put(path, headers={"Authorization": header} if header else {}, json=basket_doc)
    assert (answer.status_code, answer.json["error_code"]) == (401, "UNAUTHORIZED")


def test_binding_key_refuses_a_body_that_is_not_json_and_a_long_id(client, auth):
    bad = client.put("/v2/izi/basket/b-1/binding", headers=auth, data="{nope", content_type="application/json")
    assert (bad.status_code, bad.json["error_code"]) == (400, "MALFORMED_REQUEST")
    long_id = client.put("/v2/izi/basket/" + "x" * 201 + "/binding", headers=auth)
    assert (long_id.status_code, long_id.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert "basket_id" in long_id.json["error_message"]


# -- PUT /v2/izi/basket/{id}: update only ---------------------------------------------------------


def test_put_before_binding_is_basket_not_bound_and_writes_nothing(client, auth, basket_doc, phone_app):
    unknown = client.put("/v2/izi/basket/b-unknown", headers=auth, json=basket_doc)
    assert (unknown.status_code, unknown.json["error_code"]) == (404, "BASKET_NOT_FOUND")
    binding_key(client, auth)  # InPost knows the basket now, but nobody linked it
    not_bound = client.put("/v2/izi/basket/b-1", headers=auth, json=basket_doc)
    assert (not_bound.status_code, not_bound.json["error_code"]) == (404, "BASKET_NOT_BOUND")
    listed = client.get("/v1/izi/baskets", headers=auth).json["baskets"]
    assert [(b["basket_id"], b["basket_linked"], b["products"]) for b in listed] == [("b-1", False, [])]


def test_put_updates_a_basket_bound_through_the_widget(client, auth, basket_doc, phone_app, widget_headers):
    key = binding_key(client, auth)
    bound = bind_in_the_app(client, phone_app, key, widget_headers)
    # A change that keeps the basket consistent (its lines still reach its summary).
    basket_doc["products"][0]["product_name"] = "Kawa po zmianie w sklepie"
    answer = client.put("/v2/izi/basket/b-1", headers=auth, json=basket_doc)
    assert answer.status_code == 200
    assert answer.json == {"inpost_basket_id": bound["inpost_basket_id"]}
    detail = phone_app.get(f"/app/api/baskets/{bound['inpost_basket_id']}").json
    assert detail["basket"]["products"][0]["product_name"] == "Kawa po zmianie w sklepie"
    state = client.get("/widget/v2/binding", headers=widget_headers(key)).json
    assert state["basket_linked"] is True and state["count"] == sum(
        int(p["quantity"]["quantity"]) for p in basket_doc["products"] if p["quantity"]["quantity_type"] == "INTEGER"
    ) + sum(1 for p in basket_doc["products"] if p["quantity"]["quantity_type"] == "DECIMAL")


@pytest.mark.parametrize(
    ("body", "field"),
    [("{nope", "request body"), ("[]", "request body"), ("", "request body")],
    ids=["not-json", "array", "empty"],
)
def test_put_refuses_malformed_bodies(client, auth, body, field):
    answer = client.put("/v2/izi/basket/b-1", headers=auth, data=body, content_type="application/json")
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert answer.json["error_message"].startswith(field)


def test_put_checks_the_contract_like_the_v1_put(client, auth, basket_doc, phone_app, widget_headers):
    key = binding_key(client, auth)
    bound = bind_in_the_app(client, phone_app, key, widget_headers)
    basket_doc["products"][1]["base_price"]["vat"] = "0.00"
    answer = client.put("/v2/izi/basket/b-1", headers=auth, json=basket_doc)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert "products[1].base_price" in answer.json["error_message"]
    detail = phone_app.get(f"/app/api/baskets/{bound['inpost_basket_id']}").json  # unchanged
    assert detail["basket"]["products"][1]["base_price"]["vat"] != "0.00"


# -- the widget API: origin, merchant, key ------------------------------------------------------------


@pytest.mark.parametrize("origin", [None, "http://evil.example", "http://127.0.0.1:1"], ids=["none", "other", "port"])
def test_widget_api_answers_only_the_merchants_origin(client, auth, widget_headers, origin):
    key = binding_key(client, auth)
    headers = widget_headers(key)
    headers.pop("Origin")
    if origin:
        headers["Origin"] = origin
    answer = client.get("/widget/v2/binding", headers=headers)
    assert (answer.status_code, answer.json["error_code"]) == (403, "FORBIDDEN")
    assert "Access-Control-Allow-Origin" not in answer.headers
    preflight = client.options("/widget/v2/binding", headers={"Origin": origin} if origin else {})
    assert preflight.status_code == 403


def test_preflight_and_answers_name_the_merchants_origin(client, auth, widget_headers, merchant):
    preflight = client.options("/widget/v2/binding", headers={"Origin": merchant.url,
                               "Access-Control-Request-Method": "POST"})  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == merchant.url
    assert "X-Basket-Binding-Api-Key" in preflight.headers["Access-Control-Allow-Headers"]
    answer = client.get("/widget/v2/binding", headers=widget_headers(binding_key(client, auth)))
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == merchant.url
    assert answer.json["basket_linked"] is False and answer.json["basket_status"] == "NEW"


def test_widget_api_needs_the_merchant_and_a_known_key(client, auth, widget_headers):
    key = binding_key(client, auth)
    wrong_merchant = client.get("/widget/v2/binding", headers=widget_headers(key, **{"X-Merchant-Client-Id": "x"}))
    assert (wrong_merchant.status_code, wrong_merchant.json["error_code"]) == (403, "FORBIDDEN")
    for headers in (widget_headers(), widget_headers("not-a-key")):
        answer = client.get("/widget/v2/binding", headers=headers)
        assert (answer.status_code, answer.json["error_code"]) == (401, "UNAUTHORIZED")
    assert client.get("/widget/v2/config", headers=widget_headers()).json["merchant_client_id"] == MERCHANT_CLIENT_ID


@pytest.mark.parametrize(
    ("body", "field"),
    [("{nope", "request body"), ({"binding_method": "FAX"}, "binding_method"),
     ({"binding_method": "PHONE"}, "phone_number"), ({"binding_method": "PHONE", "phone_number": {"country_prefix": "48", "phone": "1"}}, "phone_number.country_prefix"),
     ({"binding_method": "DEEP_LINK", "binding_place": "NOWHERE"}, "binding_place")],
    ids=["not-json", "method", "no-phone", "bad-prefix", "place"],
)  # fmt: skip
def test_widget_binding_request_refuses_malformed_bodies(client, auth, widget_headers, body, field):
    headers = widget_headers(binding_key(client, auth))
    if isinstance(body, str):
        answer = client.post("/widget/v2/binding", headers=headers, data=body, content_type="application/json")
    else:
        answer = client.post("/widget/v2/binding", headers=headers, json=body)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert answer.json["error_message"].startswith(field)


def test_qr_binding_and_the_shoppers_rejection(client, auth, widget_headers, phone_app, merchant):
    key = binding_key(client, auth)
    qr = client.post("/widget/v2/binding", headers=widget_headers(key), json={"binding_method": "DEEP_LINK"})
    assert qr.status_code == 200 and qr.json["qr_code"].startswith("data:image/svg+xml;base64,")
    sent = client.post("/widget/v2/binding", headers=widget_headers(key),
                       json={"binding_method": "PHONE", "phone_number": PHONE})  # fmt: skip
    assert sent.status_code == 202
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    assert phone_app.post(f"/app/api/requests/{request_id}/reject").status_code == 200
    state = client.get("/widget/v2/binding", headers=widget_headers(key)).json
    assert (state["basket_linked"], state["binding_request_status"]) == (False, "REJECTED")


def test_a_trusted_browser_binds_a_new_basket_through_the_merchants_confirmation(
    client, auth, widget_headers, phone_app, merchant
):
    first = binding_key(client, auth)
    bind_in_the_app(client, phone_app, first, widget_headers, trust=True)
    browser_id = client.get("/widget/v2/binding", headers=widget_headers(first)).json["browser_id"]

    second = binding_key(client, auth, "b-2")
    state = client.get(f"/widget/v2/binding?browser_id={browser_id}", headers=widget_headers(second)).json
    assert (state["basket_linked"], state["browser_trusted"]) == (False, True)
    confirmations = len(merchant.calls_to("confirmation"))
    bound = client.post("/widget/v2/binding/trusted", headers=widget_headers(second), json={"browser_id": browser_id})
    assert bound.status_code == 200 and bound.json["basket_linked"] is True
    call = merchant.calls_to("confirmation")[confirmations]
    assert call["path"] == "/v1/izi/basket/b-2/confirmation"
    assert call["json"]["browser"] == {"browser_trusted": True, "browser_id": browser_id}
    again = client.post("/widget/v2/binding/trusted", headers=widget_headers(second), json={"browser_id": browser_id})
    assert again.status_code == 200 and len(merchant.calls_to("confirmation")) == confirmations + 1  # a repeat: no call


def test_trusted_binding_refuses_unknown_browsers_and_a_merchant_that_says_no(client, auth, widget_headers, merchant):
    key = binding_key(client, auth)
    unknown = client.post("/widget/v2/binding/trusted", headers=widget_headers(key), json={"browser_id": "nope"})
    assert (unknown.status_code, unknown.json["error_code"]) == (404, "BROWSER_NOT_FOUND")
    missing = client.post("/widget/v2/binding/trusted", headers=widget_headers(key), json={})
    assert (missing.status_code, missing.json["error_code"]) == (400, "MALFORMED_REQUEST")


def test_unlink_from_the_widget_tells_the_merchant(client, auth, widget_headers, phone_app, merchant):
    key = binding_key(client, auth)
    bind_in_the_app(client, phone_app, key, widget_headers)
    assert client.delete("/widget/v2/binding", headers=widget_headers(key)).status_code == 204
    assert [c["path"] for c in merchant.calls_to("delete_binding")] == ["/v1/izi/basket/b-1/binding"]
    state = client.get("/widget/v2/binding", headers=widget_headers(key)).json
    assert (state["basket_linked"], state["basket_status"]) == (False, "UNBOUND")
    again = client.delete("/widget/v2/binding", headers=widget_headers(key))
    assert (again.status_code, again.json["error_code"]) == (404, "BASKET_NOT_BOUND")


def test_fault_switch_makes_the_widget_api_unavailable(client, auth, widget_headers):
    key = binding_key(client, auth)
    assert client.post("/sandbox/faults", json={"mode": "unavailable"}).status_code in (200, 204)
    answer = client.get("/widget/v2/binding", headers=widget_headers(key))
    assert (answer.status_code, answer.json["error_code"]) == (503, "SERVICE_UNAVAILABLE")
    assert answer.headers["Access-Control-Allow-Origin"]  # the widget can read why


def test_the_v2_script_is_served_with_the_shared_widget_ui(client):
    answer = client.get("/inpostpay.widget.v2.js")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    text = answer.get_data(as_text=True)
    assert text.index("window.InPostPayWidgetUI =") < text.index("window.InPostPayWidget = {")
