"""The back office: sign-in, the orders list, and the merchant's changes to an order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Order, Product
from storefront.orders import OrderRequest, place_order
from storefront.signals import order_status_changed, order_tracking_added

PASSWORD = "test-admin"  # tests/conftest.py


def make_order(app, items=((1, "2"), (9, "1")), *, channel="website", payment="TRANSFER") -> int:
    """An order placed through the order service, as either channel would."""
    with app.app_context():
        basket = basket_service.new_basket()
        for product_id, quantity in items:
            basket_service.add_product(basket, product_id, quantity)
        cod = payment == "COD"
        order = place_order(
            basket,
            OrderRequest(
                channel=channel,
                owner_token="someone-elses-session-token",
                name="Ewa",
                surname="Lipińska",
                email="ewa@example.pl",
                phone="512345678",
                payment_method=payment,
                cash_on_delivery=cod,
                delivery_type="APM",
                delivery_options=["COD"] if cod else [],
                delivery_point="GDA117M",
                consents={"1": "3", "2": "2", "3": "1"},
                invoice={"legal_form": "COMPANY", "company_name": "Lipa Ewa Lipińska", "tax_id_prefix": "PL",
                         "tax_id": "5260250274", "street": "ul. Grunwaldzka 1", "postal_code": "80-264",
                         "city": "Gdańsk", "country_code": "PL"},
                comment="Zadzwonić przed wysyłką",
            ),
        )
        db.session.commit()
        return order.id


def sign_in(client):
    response = client.post("/admin/login", data={"password": PASSWORD})
    assert response.status_code == 302
    return response


def load(app, order_id) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        # Touch the relationships while the session is open.
        order.history, order.tracking_numbers, order.lines  # noqa: B018
        db.session.expunge(order)
        return order


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


# --- signing in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/"),
        ("GET", "/admin/zamowienia/1"),
        ("POST", "/admin/zamowienia/1/status"),
        ("POST", "/admin/zamowienia/1/przesylki"),
        ("POST", "/admin/zamowienia/1/anuluj"),
    ],
)
def test_every_page_needs_sign_in(app, client, method, path):
    order_id = make_order(app)
    assert order_id == 1
    response = client.open(path, method=method, data={"status": "cancelled", "number": "X1", "confirm": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    assert load(app, 1).status == "awaiting_payment"
    assert load(app, 1).tracking_numbers == []


def test_sign_in_returns_to_the_page_asked_for(client):
    response = client.get("/admin/zamowienia/1")
    assert response.headers["Location"] == "/admin/login?next=/admin/zamowienia/1"
    login_page = client.get(response.headers["Location"])
    assert 'name="next" value="/admin/zamowienia/1"' in login_page.get_data(as_text=True)
    signed = client.post("/admin/login", data={"password": PASSWORD, "next": "/admin/zamowienia/1"})
    assert signed.headers["Location"] == "/admin/zamowienia/1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin/", "/koszyk", "/admin\\@evil"])
def test_sign_in_never_redirects_off_the_back_office(client, target):
    response = client.post("/admin/login", data={"password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("password", ["", "wrong", "test-admin ", "TEST-ADMIN", "hasło-żółć"])
def test_wrong_password_is_401_with_a_message(client, password):
    response = client.post("/admin/login", data={"password": password})
    assert response.status_code == 401
    assert "Nieprawidłowe hasło." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_form_needs_its_csrf_token(client):
    response = client.post("/admin/login", data={"password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_logout(client):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


# --- the list and one order ------------------------------------------------------------------


def test_orders_list_and_status_filter(app, client):
    first = make_order(app)
    second = make_order(app, items=((3, "1"),), channel="inpost_pay", payment="BLIK_CODE")
    with app.app_context():
        order = db.session.get(Order, second)
        order.status, order.status_label, order.payment_status = "paid", "Opłacone", "AUTHORIZED"
        db.session.commit()
    sign_in(client)

    html = client.get("/admin/").get_data(as_text=True)
    assert html.index(f"SPL-{second:06d}") < html.index(f"SPL-{first:06d}")
    assert "Ewa Lipińska" in html
    assert "InPost Pay" in html and "Sklep internetowy" in html
    assert "BLIK" in html and "Opłacone" in html
    assert "Oczekuje na płatność" in html

    paid = client.get("/admin/?status=paid").get_data(as_text=True)
    assert f"SPL-{second:06d}" in paid and f"SPL-{first:06d}" not in paid

    unknown = client.get("/admin/?status=lost&page=abc")
    assert unknown.status_code == 200
    assert "Nieznany status w filtrze" in unknown.get_data(as_text=True)

    empty = client.get("/admin/?status=cancelled").get_data(as_text=True)
    assert "Brak zamówień" in empty


def test_order_page_shows_everything(app, client):
    order_id = make_order(app)
    sign_in(client)
    html = client.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)
    for text in [
        f"SPL-{order_id:06d}",
        "Kawa ziarnista Etiopia Yirgacheffe 250 g",
        "Ewa Lipińska",
        "ewa@example.pl",
        "GDA117M",
        "ul. Grunwaldzka 141",
        "Lipa Ewa Lipińska",
        "5260250274",
        "Akceptuję regulamin sklepu",
        "wersja 3, zaakceptowana",
        "Zadzwonić przed wysyłką",
        "Zamówienie złożone (sklep internetowy)",
        "Przelew tradycyjny",
    ]:
        assert text in html, text


@pytest.mark.parametrize("path", ["/admin/zamowienia/999", "/admin/zamowienia/0", "/admin/zamowienia/99999999999999999999"])
def test_unknown_order_is_404(client, path):
    sign_in(client)
    assert client.get(path).status_code == 404
    assert client.post(path + "/status", data={"status": "paid"}).status_code == 404
    assert client.post(path + "/przesylki", data={"number": "A1"}).status_code == 404
    assert client.post(path + "/anuluj", data={"confirm": "yes"}).status_code == 404


# --- changes -------------------------------------------------------------------------------


@pytest.fixture
def signals_sent(app):
    sent = []

    def on_status(sender, order, old_status, new_status, label):
        sent.append(("status", order.id, old_status, new_status, label))

    def on_tracking(sender, order, number):
        sent.append(("tracking", order.id, number))

    order_status_changed.connect(on_status, app)
    order_tracking_added.connect(on_tracking, app)
    yield sent
    order_status_changed.disconnect(on_status, app)
    order_tracking_added.disconnect(on_tracking, app)


def test_status_change_writes_history_and_label(app, client, signals_sent):
    order_id = make_order(app)
    sign_in(client)
    response = client.post(
        f"/admin/zamowienia/{order_id}/status", data={"status": "processing", "label": "Pakujemy Twoją kawę"}
    )
    assert response.headers["Location"] == f"/admin/zamowienia/{order_id}"
    order = load(app, order_id)
    assert order.status == "processing"
    assert order.status_label == "Pakujemy Twoją kawę"
    assert (order.history[-1].status, order.history[-1].label) == ("processing", "Pakujemy Twoją kawę")
    assert signals_sent == [("status", order_id, "awaiting_payment", "processing", "Pakujemy Twoją kawę")]
    assert "Pakujemy Twoją kawę" in client.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)

    # No descriptive label: the status's own name.
    client.post(f"/admin/zamowienia/{order_id}/status", data={"status": "shipped", "label": "  "})
    assert load(app, order_id).status_label == "Wysłane"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "lost"}, "Nieznany status zamówienia."),
        ({}, "Nieznany status zamówienia."),
        ({"status": "paid", "label": "x" * 121}, "najwyżej 120 znaków"),
    ],
)
def test_invalid_status_change_is_refused(app, client, signals_sent, data, message):
    order_id = make_order(app)
    sign_in(client)
    client.post(f"/admin/zamowienia/{order_id}/status", data=data)
    assert any(category == "error" and message in text for category, text in flashes(client))
    order = load(app, order_id)
    assert (order.status, order.status_label, len(order.history)) == ("awaiting_payment", "Oczekuje na płatność", 1)
    assert signals_sent == []


def test_tracking_number_added_and_duplicate_refused(app, client, signals_sent):
    order_id = make_order(app)
    sign_in(client)
    client.post(f"/admin/zamowienia/{order_id}/przesylki", data={"number": " 620000123456789012345678 "})
    assert [t.number for t in load(app, order_id).tracking_numbers] == ["620000123456789012345678"]
    assert signals_sent == [("tracking", order_id, "620000123456789012345678")]

    client.get(f"/admin/zamowienia/{order_id}")  # consume the success message
    client.post(f"/admin/zamowienia/{order_id}/przesylki", data={"number": "620000123456789012345678"})
    assert any("jest już przy zamówieniu" in text for _, text in flashes(client))
    client.post(f"/admin/zamowienia/{order_id}/przesylki", data={"number": "<script>"})
    assert [t.number for t in load(app, order_id).tracking_numbers] == ["620000123456789012345678"]
    assert len(signals_sent) == 1


def test_cancel_needs_confirmation_and_restores_stock(app, client, signals_sent):
    order_id = make_order(app)
    with app.app_context():
        assert db.session.get(Product, 1).stock == Decimal("38")
        assert db.session.get(Product, 9).stock == Decimal("3")
    sign_in(client)

    client.post(f"/admin/zamowienia/{order_id}/anuluj", data={})
    assert any("Zaznacz potwierdzenie" in text for _, text in flashes(client))
    assert load(app, order_id).status == "awaiting_payment"

    client.post(f"/admin/zamowienia/{order_id}/anuluj", data={"confirm": "yes"})
    order = load(app, order_id)
    assert order.status == "cancelled" and order.status_label == "Anulowane"
    with app.app_context():
        assert db.session.get(Product, 1).stock == Decimal("40")
        assert db.session.get(Product, 9).stock == Decimal("4")
    assert signals_sent == [("status", order_id, "awaiting_payment", "cancelled", "Anulowane")]

    # Twice is refused, and the stock is not restored again.
    client.post(f"/admin/zamowienia/{order_id}/anuluj", data={"confirm": "yes"})
    assert any("już anulowane" in text for _, text in flashes(client))
    with app.app_context():
        assert db.session.get(Product, 1).stock == Decimal("40")
    # A cancelled order cannot be reopened.
    client.post(f"/admin/zamowienia/{order_id}/status", data={"status": "processing"})
    assert load(app, order_id).status == "cancelled"


def test_changes_need_the_csrf_token(app, client):
    order_id = make_order(app)
    sign_in(client)
    response = client.post(f"/admin/zamowienia/{order_id}/status", data={"status": "paid"}, csrf=False)
    assert response.status_code == 400
    assert load(app, order_id).status == "awaiting_payment"


def test_the_shared_pager_keeps_the_list_filters(app):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "admin/_pager.html" import pager %}{{ pager("admin.orders", 2, 3, status="paid") }}'
        )
        single = render_template_string('{% from "admin/_pager.html" import pager %}{{ pager("admin.orders", 1, 1) }}')
    assert 'href="/admin/?page=1&amp;status=paid">← Nowsze' in html
    assert 'href="/admin/?page=3&amp;status=paid">Starsze →' in html
    assert "Strona 2 z 3" in html
    assert single.strip() == ""


def test_payment_card_names_inpost_payment_facts_and_prints_no_raw_dict(app, client):
    order_id = make_order(app, channel="inpost_pay", payment="BLIK_CODE")
    with app.app_context():
        order = db.session.get(Order, order_id)
        order.external = {"inpost": {"delivery_mail": "ewa@example.pl", "client_address": None},
                          "payment_id": "2ef6-pay", "payment_reference": "56868_5d00", "payment_type": "BLIK_CODE"}  # fmt: skip
        db.session.commit()
    sign_in(client)
    text = client.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)
    card = text.split('id="h-payment"', 1)[1].split("</section>", 1)[0]
    assert "Referencja płatności</dt><dd>56868_5d00" in card
    assert "Identyfikator płatności</dt><dd>2ef6-pay" in card
    assert "{" not in card and "payment_reference" not in card and "delivery_mail" not in card
    head = text.split('class="adm-meta"', 1)[1].split("</p>", 1)[0]
    assert "Status: <span" in head and "Płatność: <span" in head  # two badges, each named
