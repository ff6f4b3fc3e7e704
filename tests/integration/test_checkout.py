"""The website checkout (POST /zamowienie) and its thank-you page, through the Flask test client.

The basket is filled through the basket service and handed to the client's session
(`session["basket_id"]`), as the basket pages would; the checkout itself goes over HTTP.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront import basket as basket_service
from storefront.basket import compute_totals
from storefront.extensions import db
from storefront.models import Basket, Order, Product

APM_COD = {
    "name": "Anna",
    "surname": "Kowalska",
    "email": "anna.kowalska@example.pl",
    "phone_prefix": "+48",
    "phone": "600 123 456",
    "delivery_type": "APM",
    "delivery_point": "KRA010",
    "payment_method": "COD",
    "consent_1": "1",
    "consent_2": "1",
}
COURIER_TRANSFER_INVOICE = {
    **APM_COD,
    "delivery_type": "COURIER",
    "delivery_point": "",
    "street": "ul. Lipowa 5",
    "flat": "3",
    "postal_code": "30-702",
    "city": "Kraków",
    "courier_note": "Domofon 3",
    "payment_method": "TRANSFER",
    "invoice": "1",
    "company_name": "Pracownia Lipa sp. z o.o.",
    "nip": "526-025-02-74",
    "invoice_street": "ul. Lipowa 4",
    "invoice_postal_code": "30-702",
    "invoice_city": "Kraków",
    "comment": "Proszę o staranne zapakowanie.",
}
DIGITAL_TRANSFER = {
    **APM_COD,
    "delivery_type": "DIGITAL",
    "delivery_point": "",
    "digital_email": "czytelnik@example.pl",
    "payment_method": "TRANSFER",
}

PHYSICAL = [(1, "2"), (2, "0.5")]  # coffee beans x2, coffee by weight 0.5 kg
EBOOK = [(14, "1")]


def fill_basket(app, client, items) -> str:
    """Put `items` [(product_id, quantity)] in a new basket and make it the client's session basket."""
    with app.app_context():
        basket = basket_service.new_basket()
        for product_id, quantity in items:
            basket_service.add_product(basket, product_id, quantity)
        db.session.commit()
        basket_id = basket.id
    with client.session_transaction() as session:
        session["basket_id"] = basket_id
    return basket_id


def stock_of(app, product_id: int) -> Decimal:
    with app.app_context():
        return db.session.get(Product, product_id).stock


def order_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Order))


def expected_total(app, basket_id: str, delivery_type: str, options: list[str]) -> Decimal:
    with app.app_context():
        basket = db.session.get(Basket, basket_id)
        return compute_totals(basket).total_with_delivery(delivery_type, options).gross


def place(app, client, items, data):
    """A whole website checkout; returns (order id, basket id, response)."""
    basket_id = fill_basket(app, client, items)
    response = client.post("/zamowienie", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/zamowienie/(\d+)/dziekujemy", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1)), basket_id, response


def errors_in(html: str) -> list[str]:
    return re.findall(r'<p class="co-error" id="err-[^"]+">([^<]*)</p>', html)


# --- the form ------------------------------------------------------------------------------


def test_form_shows_basket_deliveries_lockers_and_consents(app, client):
    fill_basket(app, client, PHYSICAL)
    page = client.get("/zamowienie")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Kawa ziarnista Etiopia Yirgacheffe 250 g" in html
    assert 'value="APM"' in html and 'value="COURIER"' in html
    assert 'value="DIGITAL"' not in html  # a physical basket gets parcels only
    assert 'value="KRA010"' in html and 'value="WAW22A"' in html
    assert 'name="consent_1"' in html and 'name="consent_3"' in html
    assert 'href="/regulamin"' in html
    assert 'option value="+48" selected' in html
    # 93.80 of coffee (promo 46.90 x2) + 44.50 (0.5 kg) + APM 13.99; transfer is preselected
    assert "152,29" in html


def test_form_for_an_ebook_offers_only_digital_delivery(app, client):
    fill_basket(app, client, EBOOK)
    html = client.get("/zamowienie").get_data(as_text=True)
    assert 'value="DIGITAL"' in html
    assert 'value="APM"' not in html and 'value="COURIER"' not in html
    assert re.search(r'value="COD"\s+disabled', html)


@pytest.mark.parametrize("items", [None, []], ids=["no basket", "empty basket"])
def test_form_without_products_sends_the_shopper_to_the_basket(app, client, items):
    if items is not None:
        fill_basket(app, client, items)
    response = client.get("/zamowienie")
    assert response.status_code == 302
    assert response.headers["Location"] == "/koszyk"
    with client.session_transaction() as session:
        assert "pusty" in session["_flashes"][0][1]


# --- placing orders ------------------------------------------------------------------------


def test_apm_cash_on_delivery(app, client):
    basket_id = fill_basket(app, client, PHYSICAL)
    total = expected_total(app, basket_id, "APM", ["COD"])
    assert total == Decimal("93.80") + Decimal("44.50") + Decimal("13.99") + Decimal("5.00")

    response = client.post("/zamowienie", data=APM_COD)
    assert response.status_code == 302
    order_id = int(response.headers["Location"].split("/")[2])

    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.channel == "website"
        assert order.total_gross == total
        assert order.delivery_type == "APM" and order.delivery_point == "KRA010"
        assert order.delivery_options == ["COD"]
        assert order.payment_method == "COD" and order.payment_status == "COD"
        assert order.status == "accepted"
        assert order.phone == "600123456" and order.phone_prefix == "+48"
        assert [(c["consent_id"], c["is_accepted"]) for c in order.consents] == [("1", True), ("2", True), ("3", False)]
        assert db.session.get(Basket, basket_id).status == "ordered"
        assert db.session.get(Product, 1).stock == Decimal("38")
        assert db.session.get(Product, 2).stock == Decimal("24.5")

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"SPL-{order_id:06d}" in html
    assert "Kawa ziarnista Etiopia Yirgacheffe 250 g" in html
    assert "KRA010" in html and "ul. Karmelicka 45" in html
    assert "157,29" in html
    assert "Przyjęte do realizacji" in html
    assert "Płatność przy odbiorze" in html
    assert "Numer konta" not in html


def test_courier_transfer_with_invoice_and_weekend_option_refused_for_courier(app, client):
    basket_id = fill_basket(app, client, [(11, "1"), (2, "0.5")])
    total = expected_total(app, basket_id, "COURIER", [])
    response = client.post("/zamowienie", data=COURIER_TRANSFER_INVOICE)
    assert response.status_code == 302
    order_id = int(response.headers["Location"].split("/")[2])
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.total_gross == total == Decimal("89.00") + Decimal("44.50") + Decimal("17.99")
        assert order.delivery_type == "COURIER" and order.delivery_point is None
        assert order.delivery_address == {
            "street": "ul. Lipowa 5", "flat": "3", "postal_code": "30-702", "city": "Kraków", "country_code": "PL"
        }
        assert order.courier_note == "Domofon 3"
        assert order.delivery_options == []
        assert order.payment_method == "TRANSFER" and order.payment_status == "UNPAID"
        assert order.status == "awaiting_payment"
        assert order.invoice["tax_id"] == "5260250274"
        assert order.invoice["company_name"] == "Pracownia Lipa sp. z o.o."
        assert order.comment == "Proszę o staranne zapakowanie."
        assert db.session.get(Product, 11).stock == Decimal("24")

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dane do przelewu" in html
    assert "PL61 1090 1014 0000 0712 1981 2874" in html
    assert f"SPL-{order_id:06d}" in html  # the transfer title
    assert "151,49" in html
    assert "Oczekuje na płatność" in html


def test_digital_delivery_for_an_ebook(app, client):
    order_id, basket_id, response = place(app, client, EBOOK, DIGITAL_TRANSFER)
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.delivery_type == "DIGITAL"
        assert order.digital_email == "czytelnik@example.pl"
        assert order.delivery_gross == Decimal("0.00")
        assert order.total_gross == Decimal("29.90")
        assert db.session.get(Product, 14).stock == Decimal("9998")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "czytelnik@example.pl" in html


def test_weekend_parcel_is_priced_in(app, client):
    basket_id = fill_basket(app, client, PHYSICAL)
    total = expected_total(app, basket_id, "APM", ["PWW"])
    response = client.post("/zamowienie", data={**APM_COD, "payment_method": "TRANSFER", "pww": "1"})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.delivery_options == ["PWW"]
        assert order.total_gross == total == Decimal("138.30") + Decimal("13.99") + Decimal("6.99")


def test_a_basket_cannot_be_ordered_twice_and_the_session_gets_a_fresh_basket(app, client):
    order_id, basket_id, _ = place(app, client, PHYSICAL, APM_COD)
    with client.session_transaction() as session:
        assert session.get("basket_id") != basket_id

    # The next basket page gives a new, empty basket.
    assert client.get("/zamowienie").status_code == 302

    # Even with the old basket forced back into the session, no second order.
    with client.session_transaction() as session:
        session["basket_id"] = basket_id
    again = client.post("/zamowienie", data=APM_COD)
    assert again.status_code == 400
    assert order_count(app) == 1
    assert stock_of(app, 1) == Decimal("38")


def test_free_delivery_above_the_minimum(app, client):
    basket_id = fill_basket(app, client, [(11, "3")])  # 3 x 89.00 = 267.00 >= 199.00
    total = expected_total(app, basket_id, "APM", [])
    response = client.post("/zamowienie", data={**APM_COD, "payment_method": "TRANSFER"})
    assert response.status_code == 302
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.delivery_gross == Decimal("0.00")
        assert order.total_gross == total == Decimal("267.00")


# --- bad input: 400, the message next to the field, nothing written ------------------------

BAD_INPUT = [
    ("missing name", PHYSICAL, {**APM_COD, "name": "  "}, "Podaj imię."),
    ("digits in surname", PHYSICAL, {**APM_COD, "surname": "K0walska"}, "Nazwisko może zawierać tylko litery"),
    ("bad e-mail", PHYSICAL, {**APM_COD, "email": "anna@kowalska"}, "Podaj poprawny adres e-mail"),
    ("missing e-mail", PHYSICAL, {**APM_COD, "email": ""}, "Podaj adres e-mail."),
    ("bad phone", PHYSICAL, {**APM_COD, "phone": "60012345"}, "Numer telefonu w Polsce ma 9 cyfr"),
    ("letters in phone", PHYSICAL, {**APM_COD, "phone": "600-ABC-456"}, "Numer telefonu w Polsce ma 9 cyfr"),
    ("unknown phone prefix", PHYSICAL, {**APM_COD, "phone_prefix": "+999"}, "Wybierz numer kierunkowy z listy."),
    ("bad postal code", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "postal_code": "3070"}, "Kod pocztowy ma postać NN-NNN"),
    ("street without number", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "street": "ul. Lipowa"}, "Dopisz numer domu"),
    ("missing city", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "city": ""}, "Podaj miejscowość."),
    ("unknown locker code", PHYSICAL, {**APM_COD, "delivery_point": "XYZ999"}, "Nie znamy Paczkomatu XYZ999"),
    ("no locker", PHYSICAL, {**APM_COD, "delivery_point": ""}, "Wybierz Paczkomat z listy."),
    ("DIGITAL for a physical basket", PHYSICAL, DIGITAL_TRANSFER, "Dostawa elektroniczna jest tylko dla koszyków"),
    ("parcel locker for an e-book", EBOOK, APM_COD, "Tej formy dostawy nie można wybrać"),
    ("unknown delivery", PHYSICAL, {**APM_COD, "delivery_type": "DRONE"}, "Tej formy dostawy nie można wybrać"),
    ("COD with DIGITAL", EBOOK, {**DIGITAL_TRANSFER, "payment_method": "COD"}, "nie jest dostępna przy dostawie elektronicznej"),
    ("no payment", PHYSICAL, {**APM_COD, "payment_method": ""}, "Wybierz sposób płatności."),
    ("weekend parcel by courier", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "pww": "1"}, "Paczka w Weekend jest dostępna tylko"),
    ("terms unticked", PHYSICAL, {k: v for k, v in APM_COD.items() if k != "consent_1"}, "Ta zgoda jest wymagana"),
    ("privacy unticked", PHYSICAL, {k: v for k, v in APM_COD.items() if k != "consent_2"}, "Ta zgoda jest wymagana"),
    ("NIP not 10 digits", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "nip": "526025027"}, "NIP to 10 cyfr"),
    ("NIP with a bad check digit", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "nip": "5260250275"}, "błędną cyfrę kontrolną"),
    ("invoice without company", PHYSICAL, {**COURIER_TRANSFER_INVOICE, "company_name": ""}, "Podaj nazwę firmy."),
    ("comment too long", PHYSICAL, {**APM_COD, "comment": "x" * 1001}, "Najwyżej 1000 znaków."),
    ("stale basket", PHYSICAL, {**APM_COD, "basket_version": "1"}, "Koszyk zmienił się w międzyczasie"),
]


@pytest.mark.parametrize(("items", "data", "message"), [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, client, items, data, message):
    basket_id = fill_basket(app, client, items)
    stock_before = {pid: stock_of(app, pid) for pid, _ in items}

    response = client.post("/zamowienie", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert any(message in error for error in errors_in(html)), errors_in(html)
    assert order_count(app) == 0
    assert {pid: stock_of(app, pid) for pid, _ in items} == stock_before
    with app.app_context():
        assert db.session.get(Basket, basket_id).status == "open"


def test_a_refused_form_keeps_what_the_shopper_typed(app, client):
    fill_basket(app, client, PHYSICAL)
    html = client.post("/zamowienie", data={**COURIER_TRANSFER_INVOICE, "postal_code": "3070"}).get_data(as_text=True)
    assert 'value="Pracownia Lipa sp. z o.o."' in html
    assert 'value="ul. Lipowa 5"' in html
    assert re.search(r'value="COURIER" checked', html)
    assert 'aria-invalid="true" aria-describedby="err-postal_code"' in html
    assert "Proszę o staranne zapakowanie." in html


def test_missing_csrf_token_is_refused(app, client):
    fill_basket(app, client, PHYSICAL)
    response = client.post("/zamowienie", data=APM_COD, csrf=False)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert order_count(app) == 0
    assert stock_of(app, 1) == Decimal("40")


@pytest.mark.parametrize("items", [None, []], ids=["no basket", "empty basket"])
def test_checkout_of_an_empty_basket_is_refused(app, client, items):
    if items is not None:
        fill_basket(app, client, items)
    response = client.post("/zamowienie", data=APM_COD)
    assert response.status_code == 400
    assert "Twój koszyk jest pusty" in response.get_data(as_text=True)
    assert order_count(app) == 0


def test_out_of_stock_at_checkout_is_a_message_not_an_error(app, client):
    fill_basket(app, client, [(8, "3")])  # the last three jars
    with app.app_context():
        db.session.get(Product, 8).stock = Decimal("2")  # someone else bought one meanwhile
        db.session.commit()
    response = client.post("/zamowienie", data=APM_COD)
    assert response.status_code == 400
    assert "nie ma już w tej ilości" in response.get_data(as_text=True)
    assert order_count(app) == 0
    assert stock_of(app, 8) == Decimal("2")


# --- who may read the thank-you page ------------------------------------------------------


def test_thank_you_page_is_only_for_the_ordering_session_or_the_token(app, client):
    order_id, _, response = place(app, client, PHYSICAL, APM_COD)
    url = response.headers["Location"]
    with app.app_context():
        token = db.session.get(Order, order_id).access_token

    stranger = app.test_client()
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}?token=wrong-token").status_code == 404
    assert stranger.get(f"{url}?token=żółć").status_code == 404
    with_token = stranger.get(f"{url}?token={token}")
    assert with_token.status_code == 200
    assert f"SPL-{order_id:06d}" in with_token.get_data(as_text=True)
    # A token opens only its own order, and a missing order looks the same as a foreign one.
    assert stranger.get(f"/zamowienie/{order_id + 1}/dziekujemy?token={token}").status_code == 404
    assert client.get("/zamowienie/99999999999999999999/dziekujemy").status_code == 404


def test_a_tampered_session_cookie_is_a_new_session_not_an_error(app, client):
    _, _, response = place(app, client, PHYSICAL, APM_COD)
    url = response.headers["Location"]
    cookie = client.get_cookie("session").value
    tampered = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")

    other = app.test_client()
    other.set_cookie("session", tampered)
    assert other.get(url).status_code == 404
    assert other.get("/zamowienie").status_code == 302  # a new, empty session
    other.set_cookie("session", "not-even-a-cookie")
    assert other.get(url).status_code == 404
