"""InPost's API endpoints (docs/inpost-pay-api.md §5) with good and bad input."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tests.integration.sandbox.conftest import PHONE, dispose

BROWSER = {"user_agent": "Mozilla/5.0", "platform": "Linux", "architecture": "x86_64", "data_time": "2030-01-01T10:00:00Z",
           "location": "pl-PL", "customer_ip": "127.0.0.1", "port": "443"}  # fmt: skip


def test_binding_of_an_unknown_basket_is_not_linked(client, auth):
    answer = client.get("/v1/izi/basket/never-seen/binding", headers=auth)
    assert answer.status_code == 200
    assert answer.json == {"basket_linked": False, "browser_trusted": False}


def test_phone_binding_answers_202_and_the_app_sees_the_request(client, auth, phone_app):
    answer = client.post("/v1/izi/basket/b-1/binding", headers=auth,
                         json={"binding_method": "PHONE", "phone_number": PHONE, "browser": BROWSER,
                               "binding_place": "PRODUCT_CARD"})  # fmt: skip
    assert answer.status_code == 202
    requests = phone_app.get("/app/api/requests").json["requests"]
    assert [(r["basket_id"], r["binding_method"], r["binding_place"], r["status"]) for r in requests] == [
        ("b-1", "PHONE", "PRODUCT_CARD", "PENDING")
    ]
    binding = client.get("/v1/izi/basket/b-1/binding", headers=auth).json
    assert binding["basket_linked"] is False and binding["inpost_basket_id"] == requests[0]["inpost_basket_id"]


def test_deep_link_binding_answer_shape(client, auth):
    answer = client.post(
        "/v1/izi/basket/b-2/binding", headers=auth, json={"binding_method": "DEEP_LINK", "browser": BROWSER}
    )
    assert answer.status_code == 200
    body = answer.json
    assert set(body) == {"qr_code", "deep_link", "deep_link_hms"}
    inpost_basket_id = client.get("/v1/izi/basket/b-2/binding", headers=auth).json["inpost_basket_id"]
    assert body["deep_link"] == f"inpostsandbox://izilink?basket_id={inpost_basket_id}"
    assert body["deep_link_hms"] == f"http://localhost/app/izilink?basket_id={inpost_basket_id}"
    assert body["qr_code"].startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(body["qr_code"].split(",", 1)[1])
    # the http link opens this request in the simulator
    opened = client.get(body["deep_link_hms"].removeprefix("http://localhost"))
    assert opened.status_code == 302 and "/app/?request=" in opened.headers["Location"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "binding_method"),
        ({"binding_method": "SMS"}, "binding_method"),
        ({"binding_method": "PHONE"}, "phone_number"),
        ({"binding_method": "PHONE", "phone_number": "600100200"}, "phone_number"),
        ({"binding_method": "PHONE", "phone_number": {"country_prefix": "+48"}}, "phone_number.phone"),
        (
            {"binding_method": "PHONE", "phone_number": {"country_prefix": "48", "phone": "600100200"}},
            "phone_number.country_prefix",
        ),
        (
            {"binding_method": "PHONE", "phone_number": {"country_prefix": "+48", "phone": 600100200}},
            "phone_number.phone",
        ),
        ({"binding_method": "DEEP_LINK", "browser": "chrome"}, "browser"),
        ({"binding_method": "DEEP_LINK", "binding_place": "FOOTER"}, "binding_place"),
    ],
)
def test_binding_request_bad_input(client, auth, body, field):
    answer = client.post("/v1/izi/basket/b-1/binding", headers=auth, json=body)
    assert answer.status_code == 400
    assert answer.json["error_code"] == "MALFORMED_REQUEST"
    assert answer.json["error_message"].startswith(field + ":")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", '"zażółć"'.encode()])
def test_malformed_json_is_400_not_500(client, auth, raw):
    for method, path in (("POST", "/v1/izi/basket/b-1/binding"), ("PUT", "/v1/izi/basket/b-1"),
                         ("POST", "/v1/izi/order/ORD-1/event")):  # fmt: skip
        answer = client.open(path, method=method, headers={**auth, "Content-Type": "application/json"}, data=raw)
        assert answer.status_code == 400, (method, path, answer.json)
        assert answer.json["error_code"] == "MALFORMED_REQUEST"


def test_bound_basket_cannot_be_bound_again(client, auth, bound_basket):
    answer = client.post(
        "/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE}
    )
    assert (answer.status_code, answer.json["error_code"]) == (409, "BASKET_IS_BINDED")


def test_binding_state_after_accepting(client, auth, bound_basket):
    answer = client.get("/v1/izi/basket/b-1/binding", headers=auth).json
    assert answer["basket_linked"] is True
    assert answer["client_details"] == {"phone_number": PHONE, "masked_phone_number": "60*****00",
                                        "name": "Anna", "surname": "Nowak"}  # fmt: skip


def test_delete_binding(client, auth, bound_basket):
    assert client.delete("/v1/izi/basket/b-1/binding?if_basket_realized=1", headers=auth).status_code == 204
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).json["basket_linked"] is False
    again = client.delete("/v1/izi/basket/b-1/binding", headers=auth)
    assert (again.status_code, again.json["error_code"]) == (404, "BASKET_NOT_BOUND")
    unknown = client.delete("/v1/izi/basket/nope/binding", headers=auth)
    assert (unknown.status_code, unknown.json["error_code"]) == (404, "BASKET_NOT_FOUND")
    bad_flag = client.delete("/v1/izi/basket/b-1/binding?if_basket_realized=maybe", headers=auth)
    assert (bad_flag.status_code, bad_flag.json["error_code"]) == (400, "MALFORMED_REQUEST")


def _one_more_p1(doc: dict) -> None:
    """P1 (10.00 zł, 8.13 net) from 2 to 3 pieces, with a summary that follows."""
    doc["products"][0]["quantity"]["quantity"] = 3
    for key in ("basket_base_price", "basket_promo_price", "basket_final_price"):
        price = doc["summary"][key]
        price["net"] = f"{Decimal(price['net']) + Decimal('8.13'):.2f}"
        price["gross"] = f"{Decimal(price['gross']) + Decimal('10.00'):.2f}"
        price["vat"] = f"{Decimal(price['gross']) - Decimal(price['net']):.2f}"


def test_put_updates_a_bound_basket(client, auth, bound_basket, basket_doc, phone_app):
    _one_more_p1(basket_doc)
    answer = client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)
    assert answer.status_code == 200
    assert answer.json == {"inpost_basket_id": bound_basket["inpost_basket_id"]}
    detail = phone_app.get(f"/app/api/baskets/{bound_basket['inpost_basket_id']}").json
    assert detail["basket"]["products"][0]["quantity"]["quantity"] == 3


def test_put_of_products_that_do_not_reach_the_summary_is_refused(client, auth, bound_basket, basket_doc, phone_app):
    basket_doc["products"] = []
    basket_doc["summary"]["basket_base_price"] = {"net": "125.45", "gross": "154.30", "vat": "28.85"}
    answer = client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert "summary.basket_base_price.gross" in answer.json["error_message"]
    detail = phone_app.get(f"/app/api/baskets/{bound_basket['inpost_basket_id']}").json
    assert len(detail["basket"]["products"]) == 2  # InPost's copy is untouched


def test_put_warnings_are_recorded_and_reach_the_app(client, auth, bound_basket, basket_doc, phone_app):
    basket_doc["related_products"] = [dict(basket_doc["related_products"][0], product_id=f"R{i}") for i in range(11)]
    answer = client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)
    assert answer.status_code == 200
    (put,) = [e for e in client.get("/sandbox/log?basket_id=b-1").json["entries"] if e["method"] == "PUT"]
    assert [(v["field"], v.get("warning")) for v in put["violations"]] == [("related_products", True)]
    detail = phone_app.get(f"/app/api/baskets/{bound_basket['inpost_basket_id']}").json
    assert [w["field"] for w in detail["warnings"]] == ["related_products"]


def test_put_without_binding_is_404(client, auth, basket_doc):
    answer = client.put("/v1/izi/basket/b-9", headers=auth, json=basket_doc)
    assert (answer.status_code, answer.json["error_code"]) == (404, "BASKET_NOT_BOUND")
    unknown_browser = client.put("/v1/izi/basket/b-9", headers=auth, json={**basket_doc, "browser_id": "nope"})
    assert (unknown_browser.status_code, unknown_browser.json["error_code"]) == (404, "BROWSER_NOT_FOUND")


def test_put_checks_the_contract_and_names_the_field(client, auth, bound_basket, basket_doc):
    basket_doc["products"][1]["base_price"]["vat"] = "0.00"
    answer = client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert "products[1].base_price" in answer.json["error_message"]
    wrong_type = client.put("/v1/izi/basket/b-1", headers=auth, json={**basket_doc, "browser_id": 7})
    assert wrong_type.json["error_message"].startswith("browser_id:")


def test_trusted_browser_put_binds_without_an_app_step(client, auth, bound_basket, basket_doc, phone_app, merchant):
    browser_id = merchant.calls_to("confirmation")[0]["json"]["browser"]["browser_id"]
    confirmations = len(merchant.calls_to("confirmation"))
    assert client.get(f"/v1/izi/basket/b-new/binding?browser_id={browser_id}", headers=auth).json == {
        "basket_linked": False, "browser_trusted": True,
        "client_details": {"phone_number": PHONE, "masked_phone_number": "60*****00", "name": "Anna", "surname": "Nowak"},
    }  # fmt: skip
    answer = client.put("/v1/izi/basket/b-new", headers=auth, json={**basket_doc, "browser_id": browser_id})
    assert answer.status_code == 200
    binding = client.get(f"/v1/izi/basket/b-new/binding?browser_id={browser_id}", headers=auth).json
    assert binding["basket_linked"] is True and binding["inpost_basket_id"] == answer.json["inpost_basket_id"]
    assert len(merchant.calls_to("confirmation")) == confirmations  # no app step, no confirmation call
    assert {b["basket_id"] for b in phone_app.get("/app/api/baskets").json["baskets"]} == {"b-1", "b-new"}


def test_delete_browser_binding(client, auth, bound_basket, merchant):
    browser_id = merchant.calls_to("confirmation")[0]["json"]["browser"]["browser_id"]
    assert client.delete(f"/v1/izi/browser/{browser_id}/binding", headers=auth).status_code == 204
    assert (
        client.get(f"/v1/izi/basket/b-1/binding?browser_id={browser_id}", headers=auth).json["browser_trusted"] is False
    )
    again = client.delete(f"/v1/izi/browser/{browser_id}/binding", headers=auth)
    assert (again.status_code, again.json["error_code"]) == (404, "BROWSER_NOT_FOUND")


def test_baskets_list_is_paged(client, auth, bound_basket):
    client.post("/v1/izi/basket/b-2/binding", headers=auth, json={"binding_method": "DEEP_LINK"})
    page = client.get("/v1/izi/baskets?page_index=0&page_size=1", headers=auth).json
    assert (page["page_index"], page["page_size"], page["total_items"], len(page["baskets"])) == (0, 1, 2, 1)
    second = client.get("/v1/izi/baskets?page_index=1&page_size=1", headers=auth).json
    assert {page["baskets"][0]["basket_id"], second["baskets"][0]["basket_id"]} == {"b-1", "b-2"}
    bound = next(b for b in (page["baskets"] + second["baskets"]) if b["basket_id"] == "b-1")
    assert bound["basket_linked"] is True and bound["summary"]["currency"] == "PLN"


@pytest.mark.parametrize("query", ["page_size=0", "page_size=101", "page_index=-1", "page_index=x"])
def test_list_paging_bad_input(client, auth, query):
    for path in ("/v1/izi/baskets", "/v1/izi/orders"):
        answer = client.get(f"{path}?{query}", headers=auth)
        assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
        assert answer.json["error_message"].startswith(query.split("=")[0])


def test_order_event_for_unknown_order(client, auth):
    answer = client.post("/v1/izi/order/nope/event", headers=auth,
                         json={"event_id": "e1", "event_data_time": "2030-01-01T10:00:00.000Z", "event_data": {}})  # fmt: skip
    assert (answer.status_code, answer.json["error_code"]) == (404, "ORDER_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_data_time": "2030-01-01T10:00:00.000Z", "event_data": {}}, "event_id"),
        ({"event_id": "e1", "event_data": {}}, "event_data_time"),
        ({"event_id": "e1", "event_data_time": "yesterday", "event_data": {}}, "event_data_time"),
        ({"event_id": "e1", "event_data_time": "2030-01-01T10:00:00.000Z"}, "event_data"),
        (
            {"event_id": "e1", "event_data_time": "2030-01-01T10:00:00.000Z", "event_data": {"order_status": "DONE"}},
            "event_data.order_status",
        ),
        (
            {
                "event_id": "e1",
                "event_data_time": "2030-01-01T10:00:00.000Z",
                "event_data": {"delivery_references_list": "123"},
            },
            "event_data.delivery_references_list",
        ),
        ({"event_id": 5, "event_data_time": "2030-01-01T10:00:00.000Z", "event_data": {}}, "event_id"),
    ],
)
def test_order_event_bad_input(client, auth, body, field):
    answer = client.post("/v1/izi/order/ORD-1/event", headers=auth, json=body)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert answer.json["error_message"].startswith(field + ":")


def test_unknown_route_and_method_are_json(client, auth):
    missing = client.get("/v1/izi/nothing-here", headers=auth)
    assert missing.status_code == 404 and missing.json["error_code"] == "NOT_FOUND"
    wrong = client.patch("/v1/izi/basket/b-1/binding", headers=auth)
    assert wrong.status_code == 405 and wrong.json["error_code"] == "METHOD_NOT_ALLOWED"


def test_state_survives_a_restart(app, client, auth, bound_basket):
    from sandbox.app import create_sandbox_app

    again = create_sandbox_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SANDBOX_KEYS_DIR",
                                                               "SANDBOX_MERCHANT_URL", "SECRET_KEY")}, "TESTING": True})  # fmt: skip
    other = again.test_client()
    token = other.post("/auth/realms/external/protocol/openid-connect/token",
                       data={"grant_type": "client_credentials", "client_id": "demo-shop",
                             "client_secret": "demo-shop-secret"}).json["access_token"]  # fmt: skip
    answer = other.get("/v1/izi/basket/b-1/binding", headers={"Authorization": f"Bearer {token}"}).json
    assert answer["basket_linked"] is True
    assert (
        again.extensions["sandbox_keys"].current().public_key_base64
        == app.extensions["sandbox_keys"].current().public_key_base64
    )
    dispose(again)


def test_oversized_body_is_refused_cleanly(client, auth):
    answer = client.put(
        "/v1/izi/basket/b-1", headers={**auth, "Content-Type": "application/json"}, data=b"x" * (600 * 1024)
    )
    assert answer.status_code == 413
    assert answer.json["error_code"] == "MALFORMED_REQUEST"
