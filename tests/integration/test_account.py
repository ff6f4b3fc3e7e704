"""The shopper's orders: /moje-zamowienia and one order, readable by its session or its secret link."""

from __future__ import annotations

import re

import pytest

from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Order
from storefront.orders import add_tracking, change_status

CHECKOUT = {
    "name": "Jan",
    "surname": "Nowak",
    "email": "jan.nowak@example.pl",
    "phone_prefix": "+48",
    "phone": "501 234 567",
    "delivery_type": "APM",
    "delivery_point": "WAW22A",
    "payment_method": "TRANSFER",
    "consent_1": "1",
    "consent_2": "1",
}


def order_through_checkout(app, client, items=((3, "2"),)) -> int:
    """Fill a basket for `client`'s session and buy it through the website checkout."""
    with app.app_context():
        basket = basket_service.new_basket()
        for product_id, quantity in items:
            basket_service.add_product(basket, product_id, quantity)
        db.session.commit()
        basket_id = basket.id
    with client.session_transaction() as session:
        session["basket_id"] = basket_id
    response = client.post("/zamowienie", data=CHECKOUT)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/zamowienie/(\d+)/", response.headers["Location"]).group(1))


def test_no_orders_yet_shows_the_empty_state(client):
    page = client.get("/moje-zamowienia")
    assert page.status_code == 200
    assert "Nie masz jeszcze zamówień" in page.get_data(as_text=True)


def test_my_orders_lists_this_sessions_orders_newest_first(app, client):
    first = order_through_checkout(app, client)
    second = order_through_checkout(app, client, items=((7, "1"),))
    someone_else = app.test_client()
    foreign = order_through_checkout(app, someone_else)

    html = client.get("/moje-zamowienia").get_data(as_text=True)
    numbers = re.findall(r'class="ord-list-number">(SPL-\d+)<', html)
    assert numbers == [f"SPL-{second:06d}", f"SPL-{first:06d}"]
    assert f"SPL-{foreign:06d}" not in html
    assert "Oczekuje na płatność" in html


def test_one_order_shows_lines_totals_delivery_status_tracking_history_and_the_share_link(app, client):
    order_id = order_through_checkout(app, client)
    with app.app_context():
        order = db.session.get(Order, order_id)
        change_status(order, "shipped", "Paczka jedzie do Paczkomatu")
        add_tracking(order, "620000123456789012345678")
        db.session.commit()
        token = order.access_token

    page = client.get(f"/moje-zamowienia/{order_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Herbata zielona Sencha 100 g" in html
    assert "55,80" in html  # 2 x 27.90
    assert "69,79" in html  # + 13.99 to the locker
    assert "WAW22A" in html and "ul. Marszałkowska 104" in html
    assert "Paczka jedzie do Paczkomatu" in html
    assert "620000123456789012345678" in html
    assert "Oczekuje na płatność" in html  # the history keeps the first label
    assert f"/moje-zamowienia/{order_id}?token={token}" in html


def test_someone_elses_order_is_not_found_unless_they_have_the_link(app, client):
    order_id = order_through_checkout(app, client)
    with app.app_context():
        token = db.session.get(Order, order_id).access_token

    stranger = app.test_client()
    assert stranger.get(f"/moje-zamowienia/{order_id}").status_code == 404
    assert stranger.get(f"/moje-zamowienia/{order_id}?token=" + "x" * len(token)).status_code == 404
    assert stranger.get(f"/moje-zamowienia/{order_id}?token=").status_code == 404
    shared = stranger.get(f"/moje-zamowienia/{order_id}?token={token}")
    assert shared.status_code == 200
    assert f"SPL-{order_id:06d}" in shared.get_data(as_text=True)
    # The link shows the order; it does not add it to the stranger's list.
    assert f"SPL-{order_id:06d}" not in stranger.get("/moje-zamowienia").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/moje-zamowienia/999", "/moje-zamowienia/0", "/moje-zamowienia/99999999999999999999"])
def test_unknown_orders_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_a_tampered_session_cookie_sees_no_orders(app, client):
    order_id = order_through_checkout(app, client)
    cookie = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", cookie[:10] + ("x" if cookie[10] != "x" else "y") + cookie[11:])
    assert other.get(f"/moje-zamowienia/{order_id}").status_code == 404
    listing = other.get("/moje-zamowienia")
    assert listing.status_code == 200
    assert "Nie masz jeszcze zamówień" in listing.get_data(as_text=True)
