"""The /izi namespace: rooms from the session cookie, and the pushes InPost's calls cause."""

from __future__ import annotations

import json
import uuid

import requests

from sandbox.keys import sign_headers
from storefront.extensions import db
from storefront.models import Order

from .conftest import events

APM_BLIK = {"delivery_type": "APM", "delivery_point": "KRA010", "payment_type": "BLIK_CODE",
            "consents": {"1": True, "2": True}}  # fmt: skip


def test_a_socket_joins_its_sessions_basket_room_and_hears_the_binding(client, sockets, bound, phone):
    client.post("/izi/add-to-cart", json={"product_id": 1})
    sio = sockets(client)
    joined = events(sio)["joined"][0]
    assert joined["basket_ref"] == client.get("/izi/is-bound").json["basket_ref"]

    client.post("/izi/binding-data", json={"prefix": "+48", "phone": phone.phone})
    phone.accept_latest()
    binding = events(sio)["binding"]
    assert binding == [{"basket_linked": True, "masked_phone_number": f"60*****{phone.phone[-2:]}",
                        "name": phone.call("GET", "/session").json()["user"]["name"], "status": "bound"}]  # fmt: skip


def test_a_socket_without_a_basket_joins_nothing_and_hears_nothing(client, sockets, bound, pair):
    lonely_client = pair.shop_app.test_client()
    lonely = sockets(lonely_client)
    assert events(lonely)["joined"] == [{"basket_ref": None, "order_id": None}]
    bound()
    client.post("/izi/add-to-cart", json={"product_id": 3})
    assert events(lonely) == {}


def test_app_side_changes_push_basket_and_count(client, sockets, bound, phone):
    basket = bound()
    sio = sockets(client)
    events(sio)
    answer = phone.call("POST", f"/baskets/{basket['inpost_basket_id']}/quantity", {"product_id": "1", "quantity": 3})
    assert answer.status_code == 200, answer.text
    seen = events(sio)
    assert seen["basket"] == [{"count": 3}]
    assert seen["inpost-update-count"] == [{"count": 3, "basket_linked": True}]


def test_shop_side_changes_push_the_count_to_every_tab(client, sockets, bound):
    bound()
    tab_one, tab_two = sockets(client), sockets(client)
    events(tab_one), events(tab_two)
    client.post("/koszyk/zmien", json={"product_id": 1, "quantity": 2})
    for tab in (tab_one, tab_two):
        assert events(tab)["inpost-update-count"] == [{"count": 2, "basket_linked": True}]


def test_the_order_pushes_order_complete_with_the_secret_link(pair, client, sockets, bound, phone):
    basket = bound()
    sio = sockets(client)
    events(sio)
    created = phone.call("POST", f"/baskets/{basket['inpost_basket_id']}/checkout", APM_BLIK)
    assert created.status_code == 201, created.text
    with pair.shop_app.app_context():
        order = db.session.query(Order).filter_by(basket_id=basket["basket_id"]).one()
        link = f"/zamowienie/{order.id}/dziekujemy?token={order.access_token}"
    assert events(sio)["order-complete"] == [{"redirect": link}]


def checkout(client, bound, phone, **choices) -> tuple[int, str]:
    """Bind a basket, order it in the app; (order id, its secret token)."""
    basket = bound()
    created = phone.call("POST", f"/baskets/{basket['inpost_basket_id']}/checkout", {**APM_BLIK, **choices})
    assert created.status_code == 201, created.text
    redirect = client.get("/izi/order-complete").json["redirect"]
    return int(redirect.split("/")[2]), redirect.split("token=")[1]


def signed_order_event(pair, order_id: int, payment_status: str) -> requests.Response:
    """InPost's `POST /v1/izi/order/{id}/event` (Updating orders at the Merchant’s), signed with the sandbox's own key."""
    body = json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_data_time": "2025-06-01T10:00:00.000Z",
            "event_data": {"payment_status": payment_status, "payment_type": "BLIK_CODE"},
        }
    ).encode()
    ring = pair.sandbox_app.extensions["sandbox_keys"]
    headers = {**sign_headers(body, ring.current(), ring.merchant_external_id), "Content-Type": "application/json"}
    return requests.post(f"{pair.shop.url}/v1/izi/order/{order_id}/event", data=body, headers=headers, timeout=15)


def test_an_order_room_is_joined_only_by_its_session_or_its_token(pair, client, sockets, bound, phone):
    order_id, token = checkout(client, bound, phone)
    stranger = pair.shop_app.test_client()
    wrong = sockets(stranger, auth={"order_id": order_id, "token": "not-the-token"})
    right = sockets(stranger, auth={"order_id": order_id, "token": token})
    owner = sockets(client, auth={"order_id": str(order_id)})
    nonsense = sockets(stranger, auth={"order_id": ["x"], "token": 5})
    assert events(wrong)["joined"][0]["order_id"] is None
    assert events(right)["joined"][0]["order_id"] == order_id
    assert events(owner)["joined"][0]["order_id"] == order_id
    assert events(nonsense)["joined"][0]["order_id"] is None

    answer = signed_order_event(pair, order_id, "AUTHORIZED")
    assert answer.status_code == 200, answer.text
    assert events(wrong) == {}
    for page in (right, owner):
        pushed = events(page)["order-status"]
        assert [(p["order_id"], p["payment_status"], p["payment_label"], p["payment_tone"]) for p in pushed] == [
            (order_id, "AUTHORIZED", "Opłacone", "ok")
        ]


def test_a_declined_payment_is_pushed_as_declined(pair, client, sockets, bound, phone):
    order_id, _ = checkout(client, bound, phone, outcome="AUTHORIZED")
    page = sockets(client, auth={"order_id": order_id})
    events(page)
    assert signed_order_event(pair, order_id, "DECLINED").status_code == 200
    pushed = events(page)["order-status"][0]
    assert (pushed["payment_status"], pushed["payment_label"], pushed["payment_tone"]) == (
        "DECLINED",
        "Płatność odrzucona",
        "bad",
    )
