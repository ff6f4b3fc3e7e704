"""The browser API behind window.izi* (docs/architecture.md#interfaces): good input, bad input, InPost down."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from inpost_pay.models import InPostBasket
from storefront.extensions import db
from storefront.models import Basket, Order
from widget.shopper import TRUSTED_COOKIE

from .conftest import TIMEOUT

APM_BLIK = {"delivery_type": "APM", "delivery_point": "KRA010", "payment_type": "BLIK_CODE",
            "consents": {"1": True, "2": True}}  # fmt: skip


def record(pair, basket_id: str) -> dict:
    with pair.shop_app.app_context():
        state = db.session.get(InPostBasket, basket_id)
        basket = db.session.get(Basket, basket_id)
        return {
            "binding_status": state.binding_status if state else None,
            "owner_token": state.owner_token if state else None,
            "lines": {line.product_id: line.quantity for line in basket.lines} if basket else None,
        }


def session_basket(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("basket_id")


def inpost_log(pair, basket_id: str, method: str, path_part: str) -> list[dict]:
    entries = requests.get(f"{pair.sandbox.url}/sandbox/log", params={"basket_id": basket_id, "limit": 500},
                           timeout=TIMEOUT).json()["entries"]  # fmt: skip
    return [e for e in entries if e["direction"] == "inbound" and e["method"] == method and path_part in e["path"]]


# --- CSRF and malformed requests -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/izi/can-be-bound"),
        ("POST", "/izi/add-to-cart"),
        ("POST", "/izi/binding-data"),
        ("DELETE", "/izi/binding"),
    ],
)
def test_state_changing_calls_need_the_csrf_token(client, method, path):
    answer = client.open(path, method=method, json={"product_id": 1}, csrf=False)
    assert answer.status_code == 400
    assert answer.json["error_code"] == "CSRF_FAILED"
    assert session_basket(client) is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "MALFORMED_REQUEST"),
        (b"[1, 2]", 400, "MALFORMED_REQUEST"),
        (json.dumps({"product_id": 999}).encode(), 404, "PRODUCT_NOT_FOUND"),
        (json.dumps({"product_id": "abc"}).encode(), 404, "PRODUCT_NOT_FOUND"),
        (json.dumps({"product_id": 1, "quantity": 0}).encode(), 400, "INVALID_QUANTITY"),
        (json.dumps({"product_id": 1, "quantity": 1.5}).encode(), 400, "INVALID_QUANTITY"),
        (json.dumps({"product_id": 1, "quantity": [1]}).encode(), 400, "INVALID_QUANTITY"),
        (json.dumps({"product_id": 1, "quantity": 11}).encode(), 409, "MAX_QUANTITY"),
    ],
)
def test_add_to_cart_refuses_bad_input_and_keeps_nothing(client, body, status, code):
    answer = client.post("/izi/add-to-cart", data=body, content_type="application/json")
    assert answer.status_code == status, answer.json
    assert answer.json["error_code"] == code
    assert answer.json["error_message"]
    assert session_basket(client) is None  # no basket started for a refused add


def test_can_be_bound_refuses_an_unknown_product(client):
    answer = client.post("/izi/can-be-bound", json={"product_id": 4242})
    assert answer.status_code == 404
    assert answer.json == {"error_code": "PRODUCT_NOT_FOUND", "error_message": "Nie ma takiego produktu."}


# --- iziCanBeBound ---------------------------------------------------------------------------------


def test_can_be_bound_without_a_basket_answers_without_asking_inpost(client):
    answer = client.post("/izi/can-be-bound", json={"product_id": 1})
    assert answer.status_code == 200
    assert answer.json == {"can_be_bound": True, "basket_linked": False, "browser_trusted": False, "count": 0,
                           "basket_ref": None}  # fmt: skip
    # A basket place with nothing in the basket: nothing to link.
    assert client.post("/izi/can-be-bound", json={}).json["can_be_bound"] is False


def test_first_call_for_a_basket_asks_inpost_once_and_records_the_owner(pair, client):
    client.post("/izi/add-to-cart", json={"product_id": 3})
    basket_id = session_basket(client)
    first = client.post("/izi/can-be-bound", json={"product_id": 3})
    assert first.status_code == 200
    assert first.json["basket_linked"] is False and first.json["count"] == 1
    client.post("/izi/can-be-bound", json={})
    assert len(inpost_log(pair, basket_id, "GET", "/binding")) == 1  # Synchronization of a basket and an order (UC.04) step 5: the first call only
    with client.session_transaction() as session:
        owner = session["owner"]
    assert record(pair, basket_id)["owner_token"] == owner


def test_an_out_of_stock_product_cannot_be_bound(pair, client):
    with pair.shop_app.app_context():
        from storefront.models import Product

        product = db.session.get(Product, 15)
        product.stock, product.is_digital = 0, False
        db.session.commit()
    assert client.post("/izi/can-be-bound", json={"product_id": 15}).json["can_be_bound"] is False


# --- iziGetBindingData, iziGetIsBound --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"prefix": "+48", "phone": "60010020"}, "Numer telefonu w Polsce ma 9 cyfr."),
        ({"prefix": "+48", "phone": "60010020a"}, "Numer telefonu może zawierać tylko cyfry."),
        ({"prefix": "48", "phone": "600100200"}, "Kierunkowy to „+” i od 1 do 4 cyfr, np. +48."),
        ({"prefix": "+49", "phone": "12345"}, "Numer telefonu powinien mieć od 6 do 12 cyfr."),
        ({"prefix": "+48", "phone": 600100200}, "Numer telefonu podaj jako tekst z cyframi."),
    ],
)
def test_binding_data_refuses_a_bad_phone(pair, client, body, message):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    answer = client.post("/izi/binding-data", json=body)
    assert answer.status_code == 400
    assert answer.json == {"error_code": "INVALID_PHONE", "error_message": message}
    assert inpost_log(pair, session_basket(client), "POST", "/binding") == []


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"browser": "%%%"}, "INVALID_BROWSER"),
        ({"browser": base64.b64encode(b"[1]").decode()}, "INVALID_BROWSER"),
        ({"binding_place": "THANK_YOU_PAGE"}, "INVALID_BINDING_PLACE"),
    ],
)
def test_binding_data_refuses_bad_browser_data_and_places(client, body, code):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    answer = client.post("/izi/binding-data", json=body)
    assert answer.status_code == 400 and answer.json["error_code"] == code


def test_binding_data_needs_something_in_the_basket(client):
    answer = client.post("/izi/binding-data", json={"prefix": "+48", "phone": "600100200"})
    assert answer.status_code == 400 and answer.json["error_code"] == "EMPTY_BASKET"


def test_binding_by_phone_reaches_the_app_and_the_confirmation_binds(pair, client, phone):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    browser = base64.b64encode(json.dumps({"user_agent": "Chromium test", "platform": "Linux"}).encode()).decode()
    answer = client.post(
        "/izi/binding-data",
        json={"prefix": "+48", "phone": phone.phone, "browser": browser, "binding_place": "PRODUCT_CARD"},
    )
    assert answer.status_code == 202 and answer.json == {}
    request = phone.call("GET", "/requests").json()["requests"][0]
    assert request["basket_id"] == session_basket(client)
    assert request["binding_place"] == "PRODUCT_CARD"
    assert request["browser"]["user_agent"] == "Chromium test"
    assert client.get("/izi/is-bound").json["basket_linked"] is False

    phone.accept_latest()
    bound = client.get("/izi/is-bound").json
    assert bound["basket_linked"] is True and bound["status"] == "bound"
    assert bound["masked_phone_number"] == f"60*****{phone.phone[-2:]}"


def test_deep_link_binding_answers_the_qr_code(client):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    answer = client.post("/izi/binding-data", json={"binding_place": "BASKET_SUMMARY"})
    assert answer.status_code == 200
    assert set(answer.json) == {"qr_code", "deep_link", "deep_link_hms"}
    assert answer.json["qr_code"].startswith("data:image/svg+xml;base64,")


def test_a_rejected_request_is_reported_then_a_new_request_clears_it(pair, client, phone):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    client.post("/izi/binding-data", json={"prefix": "+48", "phone": phone.phone})
    request = phone.call("GET", "/requests").json()["requests"][0]
    phone.call("POST", f"/requests/{request['id']}/reject")
    assert client.get("/izi/is-bound").json["status"] == "rejected"
    client.post("/izi/binding-data", json={"prefix": "+48", "phone": phone.phone})
    assert client.get("/izi/is-bound").json["status"] == "unbound"


# --- iziAddToCart: one PUT per shop request, trusted browsers ---------------------------------------


def test_adding_to_a_bound_basket_puts_it_once(pair, client, bound):
    bound()
    basket_id = session_basket(client)
    answer = client.post("/izi/add-to-cart", json={"product_id": 3})
    assert answer.json == {"count": 2, "basket_linked": True, "basket_ref": answer.json["basket_ref"]}
    assert len(inpost_log(pair, basket_id, "PUT", basket_id)) == 1


def test_a_trusted_browser_binds_the_next_basket_with_one_put_and_no_app_step(pair, client, bound, phone):
    bound(trust=True)
    answer = client.get("/izi/is-bound")  # the next izi call stores InPost's browser_id in a cookie
    cookie = client.get_cookie(TRUSTED_COOKIE)
    assert cookie is not None and cookie.http_only
    assert answer.json["browser_trusted"] is True

    # Later, a new basket in the same browser: the cookie stays (Synchronization of a basket and an order (UC.04) steps 5-6, 9).
    with client.session_transaction() as session:
        session.pop("basket_id")
    assert client.post("/izi/can-be-bound", json={"product_id": 4}).json["browser_trusted"] is True
    added = client.post("/izi/add-to-cart", json={"product_id": 4})
    assert added.json["basket_linked"] is True and added.json["count"] == 1
    basket_id = session_basket(client)
    assert record(pair, basket_id)["binding_status"] == "bound"
    puts = inpost_log(pair, basket_id, "PUT", basket_id)
    assert len(puts) == 1 and puts[0]["request_body"]["browser_id"] == cookie.value
    assert all(r["basket_id"] != basket_id for r in phone.call("GET", "/requests").json()["requests"])  # no app step


def test_a_browser_inpost_no_longer_trusts_loses_its_cookie(pair, client):
    client.set_cookie(TRUSTED_COOKIE, "00000000-dead-beef-0000-000000000000")
    added = client.post("/izi/add-to-cart", json={"product_id": 1})
    assert added.status_code == 200 and added.json["basket_linked"] is False
    assert client.get_cookie(TRUSTED_COOKIE) is None


# --- iziGetOrderComplete, iziBindingDelete, iziMobileLink -------------------------------------------


def test_order_complete_is_204_until_inpost_orders_then_the_thank_you_link(pair, client, bound, phone):
    basket = bound()
    basket_id = session_basket(client)
    assert client.get("/izi/order-complete").status_code == 204
    created = phone.call("POST", f"/baskets/{basket['inpost_basket_id']}/checkout", APM_BLIK)
    assert created.status_code == 201, created.text
    answer = client.get("/izi/order-complete")
    assert answer.status_code == 200
    with pair.shop_app.app_context():
        order = db.session.query(Order).filter_by(basket_id=basket_id).one()
        expected = f"/zamowienie/{order.id}/dziekujemy?token={order.access_token}"
    assert answer.json == {"redirect": expected}
    assert session_basket(client) is None  # the next add starts a fresh basket
    assert client.get("/izi/order-complete").json == {"redirect": expected}  # other tabs still get it
    page = client.get(expected)
    assert page.status_code == 200 and b"data-izi-order" in page.data


def test_unlinking_from_the_widget_unbinds_on_both_sides(pair, client, bound, phone):
    bound()
    basket_id = session_basket(client)
    assert client.delete("/izi/binding").status_code == 204
    assert record(pair, basket_id)["binding_status"] == "unbound"
    assert client.get("/izi/is-bound").json["basket_linked"] is False
    assert phone.call("GET", "/baskets").json()["baskets"] == []
    assert client.delete("/izi/binding").status_code == 204  # again: nothing to do


def test_mobile_link_opens_the_basket_in_the_sandbox_simulator(pair, client, bound, phone):
    """Sandbox mode: the link leads to the simulator's screen of this basket, not a dead inpost://."""
    basket = bound()
    link = client.get("/izi/mobile-link").json["link"]
    assert link == f"{pair.sandbox.url}/app/izilink?basket_id={basket['inpost_basket_id']}"
    opened = requests.get(link, allow_redirects=False, timeout=5)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/app/#/koszyk/{basket['inpost_basket_id']}")


@pytest.mark.parametrize(
    ("env", "base"),
    [({}, "http://127.0.0.1:8001/app/izilink"),
     ({"SANDBOX_ENABLED": "0", "INPOST_PAY_API_URL": "https://sandbox-api.inpost.pl"}, "inpostsandbox://izilink"),
     ({"SANDBOX_ENABLED": "0", "INPOST_PAY_API_URL": "https://api.inpost.pl"}, "inpost://izilink"),
     ({"INPOST_PAY_APP_LINK_URL": "https://example.test/open"}, "https://example.test/open")],
    ids=["sandbox", "inpost-sandbox", "production", "configured"],
)  # fmt: skip
def test_the_app_link_comes_from_the_environment(env, base):
    import config

    assert config.load(env)["INPOST_PAY_APP_LINK_URL"] == base


def test_mobile_link_of_an_unbound_basket_is_refused(client):
    answer = client.get("/izi/mobile-link")
    assert answer.status_code == 409 and answer.json["error_code"] == "BASKET_NOT_BOUND"


def test_order_status_is_only_for_the_order_owner_or_the_token_holder(pair, client, bound, phone):
    basket = bound()
    phone.call("POST", f"/baskets/{basket['inpost_basket_id']}/checkout", {**APM_BLIK, "outcome": "DECLINED"})
    redirect = client.get("/izi/order-complete").json["redirect"]
    order_id = int(redirect.split("/")[2])
    own = client.get(f"/izi/order-status/{order_id}")
    assert own.status_code == 200
    assert (own.json["payment_status"], own.json["payment_label"]) == ("DECLINED", "Płatność odrzucona")
    stranger = pair.shop_app.test_client()
    assert stranger.get(f"/izi/order-status/{order_id}").status_code == 404
    token = redirect.split("token=")[1]
    assert stranger.get(f"/izi/order-status/{order_id}?token={token}").json["payment_status"] == "DECLINED"
    assert stranger.get("/izi/order-status/99999999999").status_code == 404


# --- InPost unavailable ------------------------------------------------------------------------------


def test_inpost_unreachable_is_a_quick_503_and_the_shop_keeps_the_product(offline_app):
    client = offline_app.test_client()
    added = client.post("/izi/add-to-cart", json={"product_id": 1})
    assert added.status_code == 200 and added.json["basket_linked"] is False  # the shop still sells
    for method, path, body in [("POST", "/izi/can-be-bound", {"product_id": 1}),
                               ("POST", "/izi/binding-data", {"prefix": "+48", "phone": "600100200"})]:  # fmt: skip
        answer = client.open(path, method=method, json=body)
        assert answer.status_code == 503
        assert answer.json == {
            "error_code": "INPOST_UNAVAILABLE",
            "error_message": "InPost Pay jest chwilowo niedostępny",
        }
    assert client.get("/koszyk.json").json["count"] == 1


def test_inpost_answering_503_is_reported_as_unavailable(pair, client, inpost_faults):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    inpost_faults(mode="unavailable")
    assert client.post("/izi/can-be-bound", json={}).status_code == 503
    requests.delete(f"{pair.sandbox.url}/sandbox/faults", timeout=TIMEOUT)
    assert client.post("/izi/can-be-bound", json={}).status_code == 200  # asked again once InPost is back


# --- test mode -------------------------------------------------------------------------------------


def test_test_mode_shows_the_widget_only_after_show_izi(pair, client):
    pair.shop_app.config["INPOST_PAY_TEST_MODE"] = True
    try:
        page = client.get("/produkt/kawa-etiopia-yirgacheffe")
        assert b"<inpost-izi-button" not in page.data and b"izi-glue.js" not in page.data
        assert client.post("/izi/can-be-bound", json={}).status_code == 403
        page = client.get("/produkt/kawa-etiopia-yirgacheffe?showIzi=true")
        assert b'binding_place="PRODUCT_CARD"' in page.data
        assert client.post("/izi/can-be-bound", json={}).status_code == 200
        client.get("/?showIzi=false")
        assert b"<inpost-izi-button" not in client.get("/produkt/kawa-etiopia-yirgacheffe").data
    finally:
        pair.shop_app.config["INPOST_PAY_TEST_MODE"] = False


def test_pages_carry_a_csp_allowing_the_shop_and_the_widget_origin(pair, client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert f"script-src 'self' {pair.sandbox.url}" in policy
    assert "connect-src 'self' ws://localhost" in policy
    assert "default-src 'self'" in policy
