"""The basket page and its change endpoints, by form (redirect + flash) and by JSON.

Every refusal is checked twice: the shopper sees the reason, and the basket in the
database is exactly what it was before (lines, codes, version, number of baskets).
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Basket

NBSP = "\u00a0"


def pln(text: str) -> str:
    return f"{text}{NBSP}zł"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def session_basket_id(client) -> str | None:
    with client.session_transaction() as sess:
        return sess.get("basket_id")


def snapshot(app, client) -> dict:
    """What the database holds for the session's basket (and how many baskets exist)."""
    basket_id = session_basket_id(client)
    with app.app_context():
        baskets = db.session.scalar(select(func.count()).select_from(Basket))
        basket = db.session.get(Basket, basket_id) if basket_id else None
        state = {"baskets": baskets, "basket_id": basket_id}
        if basket is not None:
            state.update(
                version=basket.version,
                lines=[(line.product_id, line.quantity) for line in basket.lines],
                codes=[c.code for c in basket.codes],
            )
        db.session.remove()
    return state


def lines_of(app, client) -> list[tuple[int, Decimal]]:
    return snapshot(app, client).get("lines", [])


def add_json(client, product_id, quantity=None):
    body = {"product_id": product_id}
    if quantity is not None:
        body["quantity"] = quantity
    response = client.post("/koszyk/dodaj", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def filled(client):
    """A basket with 1 × Etiopia (46,90 promo) and 0,3 kg of Brazylia (26,70)."""
    add_json(client, 1)
    add_json(client, 2, "0.3")
    return client


# --- page ------------------------------------------------------------------------------------


def test_empty_basket_page(client):
    response = client.get("/koszyk")
    assert response.status_code == 200
    text = page_text(response)
    assert "Twój koszyk jest pusty" in text
    assert 'href="/"' in text
    assert "Przejdź do zamówienia" not in text


def test_basket_page_shows_lines_codes_summary_and_delivery(filled):
    add_json(filled, 13)  # the cookbook: 64,99
    assert filled.post("/koszyk/kod", json={"code": "RABAT10"}).status_code == 200
    text = page_text(filled.get("/koszyk"))

    # Lines: image, name, unit price, quantity form, line totals, remove button.
    assert 'src="/static/img/products/kawa-etiopia-yirgacheffe.svg"' in text
    assert "Kawa ziarnista Etiopia Yirgacheffe 250 g" in text
    assert f"{pln('46,90')} <s>{pln('54,90')}</s>" in text
    assert re.search(r'id="qty-2" type="number" name="quantity"[^>]*value="0.3" min="0"\s+step="0.1"', text, re.S)
    assert '<label for="qty-2" class="visually-hidden">Ilość (kg): Kawa Brazylia Santos na wagę</label>' in text
    assert text.count('action="/koszyk/zmien"') == 3
    assert text.count('action="/koszyk/usun"') == 3
    # Etiopia: 46,90 promo of 54,90 base, minus its share of RABAT10 -> 42,21.
    etiopia = re.search(r'data-product-id="1">.*?</li>', text, re.S).group(0)
    assert f"<strong>{pln('42,21')}</strong>" in etiopia
    assert f'<s class="was">{pln("46,90")}</s>' in etiopia and f'<s class="was">{pln("54,90")}</s>' in etiopia

    # Codes: the applied one with its remove button.
    assert '<span class="code-chip">RABAT10</span>' in text
    assert 'action="/koszyk/kod/usun"' in text and 'name="code" value="RABAT10"' in text

    # Summary: base 54,90 + 26,70 + 64,99 = 146,59; promotions -8,00; RABAT10 -13,86; final 124,73.
    assert f'<dt>Wartość produktów</dt><dd data-total="base">{pln("146,59")}</dd>' in text
    assert f'<dd data-total="promotions">−{pln("8,00")}</dd>' in text
    assert f'<dd data-total="codes">−{pln("13,86")}</dd>' in text
    assert f'<dd data-total="final">{pln("124,73")}</dd>' in text

    # Delivery table and the free-delivery threshold (199,00 - 124,73 = 74,27 missing).
    for name, price in (
        ("Paczkomat InPost 24/7", "13,99"),
        ("Kurier InPost", "17,99"),
        ("+ Płatność przy odbiorze", "+" + pln("5,00")),
        ("+ Paczka w Weekend", "+" + pln("6,99")),
    ):
        assert re.search(rf"<th scope=\"row\">{re.escape(name)}</th>\s*<td>[^<]*{re.escape(price)}", text), name
    assert f"Do darmowej dostawy brakuje <strong>{pln('74,27')}</strong> (darmowa od {pln('199,00')})" in text

    assert 'href="/zamowienie"' in text and "Przejdź do zamówienia" in text
    assert '<div class="izi-slot" data-binding-place="BASKET_SUMMARY">' in text
    assert '<inpost-izi-button binding_place="BASKET_SUMMARY"' in text


def test_digital_basket_offers_electronic_delivery_only(client):
    add_json(client, 14)
    text = page_text(client.get("/koszyk"))
    assert "Dostawa elektroniczna (e-mail)" in text
    assert "Paczkomat InPost 24/7" not in text


def test_free_delivery_code_makes_delivery_free(filled):
    filled.post("/koszyk/kod", json={"code": "DOSTAWA0"})
    text = page_text(filled.get("/koszyk"))
    assert "Dostawa gratis!" in text
    assert f"<s>{pln('13,99')}</s> {pln('0,00')}" in text
    assert "Do darmowej dostawy brakuje" not in text


def test_fragment_is_the_basket_section_alone(filled):
    response = filled.get("/koszyk/fragment")
    assert response.status_code == 200
    text = page_text(response)
    assert 'id="basket-main"' in text and "<html" not in text and "<header" not in text
    assert "Kawa Brazylia Santos na wagę" in text
    # The page embeds exactly the same section.
    page = page_text(filled.get("/koszyk"))
    assert text.strip() in page


# --- JSON summary ----------------------------------------------------------------------------


def test_summary_of_a_session_without_basket(client):
    assert client.get("/koszyk.json").get_json() == {
        "basket_id": None,
        "count": 0,
        "lines": [],
        "base_gross": "0.00",
        "promo_gross": "0.00",
        "final_gross": "0.00",
        "codes": [],
    }


def test_summary_content_is_exact(client):
    add_json(client, 1, 2)
    add_json(client, 2, "0,3")
    client.post("/koszyk/kod", json={"code": "rabat10"})
    basket_id = session_basket_id(client)
    # base 2 × 54,90 + 26,70 = 136,50; promo 93,80 + 26,70 = 120,50; 10 % = 12,05 split 9,38 / 2,67.
    assert client.get("/koszyk.json").get_json() == {
        "basket_id": basket_id,
        "count": 3,
        "lines": [
            {
                "product_id": 1,
                "name": "Kawa ziarnista Etiopia Yirgacheffe 250 g",
                "quantity": "2",
                "unit": "szt.",
                "final_gross": "84.42",
            },
            {
                "product_id": 2,
                "name": "Kawa Brazylia Santos na wagę",
                "quantity": "0.3",
                "unit": "kg",
                "final_gross": "24.03",
            },
        ],
        "base_gross": "136.50",
        "promo_gross": "120.50",
        "final_gross": "108.45",
        "codes": ["RABAT10"],
    }


# --- changes by form -------------------------------------------------------------------------


def test_form_add_redirects_back_with_a_message(client, app):
    response = client.post("/koszyk/dodaj", data={"product_id": "1", "next": "/kategoria/kawa-i-herbata"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/kategoria/kawa-i-herbata"
    text = page_text(client.get("/kategoria/kawa-i-herbata"))
    assert (
        '<p class="flash flash-success" role="status">Dodano do koszyka: Kawa ziarnista Etiopia Yirgacheffe 250 g (1 szt.).</p>'
        in text
    )
    assert lines_of(app, client) == [(1, Decimal("1.000"))]


def test_form_add_again_adds_up(client, app):
    client.post("/koszyk/dodaj", data={"product_id": "1"})
    response = client.post("/koszyk/dodaj", data={"product_id": "1", "quantity": "2"}, follow_redirects=True)
    assert "Dodano do koszyka: Kawa ziarnista Etiopia Yirgacheffe 250 g (2 szt.)." in page_text(response)
    assert lines_of(app, client) == [(1, Decimal("3.000"))]


def test_next_outside_the_shop_is_ignored(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/koszyk/dodaj", data={"product_id": "1", "next": target})
        assert response.headers["Location"] == "/koszyk"


@pytest.mark.parametrize("typed", ["0,3", "0.3"])
def test_form_decimal_amount_prices_the_chosen_weight(client, app, typed):
    client.post("/koszyk/dodaj", data={"product_id": "2", "quantity": typed})
    assert lines_of(app, client) == [(2, Decimal("0.300"))]
    line = re.search(r'data-product-id="2">.*?</li>', page_text(client.get("/koszyk")), re.S).group(0)
    assert f"<strong>{pln('26,70')}</strong>" in line
    assert client.get("/koszyk.json").get_json()["lines"][0]["final_gross"] == "26.70"


def test_form_update_and_remove(filled, app):
    response = filled.post("/koszyk/zmien", data={"product_id": "1", "quantity": "3"}, follow_redirects=True)
    assert "Zmieniono ilość: Kawa ziarnista Etiopia Yirgacheffe 250 g — 3 szt." in page_text(response)
    response = filled.post("/koszyk/zmien", data={"product_id": "2", "quantity": "0,5"}, follow_redirects=True)
    assert "Zmieniono ilość: Kawa Brazylia Santos na wagę — 0,5 kg." in page_text(response)
    assert lines_of(app, filled) == [(1, Decimal("3.000")), (2, Decimal("0.500"))]
    response = filled.post("/koszyk/zmien", data={"product_id": "1", "quantity": "0"}, follow_redirects=True)
    assert "Usunięto z koszyka: Kawa ziarnista Etiopia Yirgacheffe 250 g." in page_text(response)
    response = filled.post("/koszyk/usun", data={"product_id": "2"}, follow_redirects=True)
    assert "Usunięto z koszyka: Kawa Brazylia Santos na wagę." in page_text(response)
    assert "Twój koszyk jest pusty" in page_text(response)
    assert lines_of(app, filled) == []


def test_form_codes(filled, app):
    response = filled.post("/koszyk/kod", data={"code": " rabat10 "}, follow_redirects=True)
    text = page_text(response)
    assert "Kod RABAT10 został aktywowany." in text
    assert '<span class="code-chip">RABAT10</span>' in text
    response = filled.post("/koszyk/kod/usun", data={"code": "RABAT10"}, follow_redirects=True)
    assert "Usunięto kod RABAT10." in page_text(response)
    assert snapshot(app, filled)["codes"] == []


def test_a_refused_code_stays_in_the_field_to_be_corrected(filled):
    refused = page_text(filled.post("/koszyk/kod", data={"code": "RABTA10"}, follow_redirects=True))
    assert 'value="RABTA10"' in refused  # the typo is there to fix, not wiped
    again = page_text(filled.get("/koszyk"))
    assert 'value="RABTA10"' not in again  # given back once
    applied = page_text(filled.post("/koszyk/kod", data={"code": "RABAT10"}, follow_redirects=True))
    assert 'id="promo-code"' in applied and 'value="RABAT10"' not in applied.split('id="promo-code"', 1)[1][:400]


# --- changes by JSON -------------------------------------------------------------------------


def test_json_add_update_remove(client, app):
    answer = add_json(client, 1)
    assert answer["message"] == "Dodano do koszyka: Kawa ziarnista Etiopia Yirgacheffe 250 g (1 szt.)."
    answer = add_json(client, 1, 2)
    assert answer["lines"][0]["quantity"] == "3" and answer["count"] == 3
    assert answer["final_gross"] == "140.70"
    answer = add_json(client, 2, "0,3")
    assert answer["lines"][1] == {
        "product_id": 2,
        "name": "Kawa Brazylia Santos na wagę",
        "quantity": "0.3",
        "unit": "kg",
        "final_gross": "26.70",
    }
    # A JSON number is read as a decimal, never a float (docs/architecture.md#rules).
    response = client.post("/koszyk/zmien", data=b'{"product_id": 2, "quantity": 0.4}', content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["lines"][1]["final_gross"] == "35.60"
    response = client.post("/koszyk/usun", json={"product_id": 1})
    assert response.get_json()["message"] == "Usunięto z koszyka: Kawa ziarnista Etiopia Yirgacheffe 250 g."
    assert lines_of(app, client) == [(2, Decimal("0.400"))]
    response = client.post("/koszyk/zmien", json={"product_id": 2, "quantity": 0})
    assert response.get_json()["lines"] == []


def test_json_codes_rules(client, app):
    # Deska 2 × 89,00 = 178,00: above MINUS20's minimum.
    add_json(client, 11, 2)
    answer = client.post("/koszyk/kod", json={"code": "MINUS20"}).get_json()
    assert answer["codes"] == ["MINUS20"] and answer["final_gross"] == "158.00"
    response = client.post("/koszyk/kod", json={"code": "RABAT10"})
    assert response.status_code == 400
    assert response.get_json() == {
        "error_code": "INVALID_CODE",
        "error_message": "Kodu RABAT10 nie można łączyć z kodem MINUS20.",
    }
    client.post("/koszyk/kod/usun", json={"code": "MINUS20"})
    assert client.post("/koszyk/kod", json={"code": "DOSTAWA0"}).status_code == 200
    answer = client.post("/koszyk/kod", json={"code": "RABAT10"}).get_json()
    assert answer["codes"] == ["DOSTAWA0", "RABAT10"]
    assert answer["final_gross"] == "160.20"
    assert snapshot(app, client)["codes"] == ["DOSTAWA0", "RABAT10"]


# --- refusals --------------------------------------------------------------------------------

# (endpoint, fields, status, error_code, message fragment). The basket holds 1 × product 1 and
# 0,3 kg of product 2 beforehand (fixture `filled`); product 9 has stock 4; product 1 max 10.
REFUSALS = [
    ("/koszyk/dodaj", {"product_id": "999"}, 404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu."),
    ("/koszyk/dodaj", {"product_id": "abc"}, 404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu."),
    ("/koszyk/dodaj", {}, 404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu."),
    ("/koszyk/dodaj", {"product_id": "3", "quantity": "0"}, 400, "INVALID_QUANTITY", "Ilość musi być większa od zera."),
    (
        "/koszyk/dodaj",
        {"product_id": "3", "quantity": "-1"},
        400,
        "INVALID_QUANTITY",
        "Ilość musi być większa od zera.",
    ),
    ("/koszyk/dodaj", {"product_id": "3", "quantity": "abc"}, 400, "INVALID_QUANTITY", "Ilość musi być liczbą."),
    ("/koszyk/dodaj", {"product_id": "3", "quantity": "1e3"}, 400, "INVALID_QUANTITY", "Ilość musi być liczbą."),
    ("/koszyk/dodaj", {"product_id": "3", "quantity": "NaN"}, 400, "INVALID_QUANTITY", "Ilość musi być liczbą."),
    ("/koszyk/dodaj", {"product_id": "3", "quantity": ""}, 400, "INVALID_QUANTITY", "Podaj ilość."),
    (
        "/koszyk/dodaj",
        {"product_id": "1", "quantity": "1.5"},
        400,
        "INVALID_QUANTITY",
        "Kawa ziarnista Etiopia Yirgacheffe 250 g sprzedajemy na sztuki: podaj liczbę całkowitą.",
    ),
    (
        "/koszyk/dodaj",
        {"product_id": "2", "quantity": "0.25"},
        400,
        "INVALID_QUANTITY",
        "Kawa Brazylia Santos na wagę sprzedajemy w krokach co 0,1 kg.",
    ),
    (
        "/koszyk/dodaj",
        {"product_id": "2", "quantity": "0.1234"},
        400,
        "INVALID_QUANTITY",
        "Ilość może mieć najwyżej trzy miejsca po przecinku.",
    ),
    (
        "/koszyk/dodaj",
        {"product_id": "9", "quantity": "5"},
        409,
        "OUT_OF_STOCK",
        "Mamy tylko 4 szt. produktu Kubek ceramiczny ręcznie malowany 350 ml.",
    ),
    (
        "/koszyk/dodaj",
        {"product_id": "1", "quantity": "10"},
        409,
        "MAX_QUANTITY",
        "Można zamówić najwyżej 10 szt. produktu Kawa ziarnista Etiopia Yirgacheffe 250 g.",
    ),
    ("/koszyk/zmien", {"product_id": "1", "quantity": "11"}, 409, "MAX_QUANTITY", "Można zamówić najwyżej 10 szt."),
    ("/koszyk/zmien", {"product_id": "1", "quantity": "abc"}, 400, "INVALID_QUANTITY", "Ilość musi być liczbą."),
    (
        "/koszyk/zmien",
        {"product_id": "1", "quantity": "-1"},
        400,
        "INVALID_QUANTITY",
        "Ilość musi być większa od zera.",
    ),
    ("/koszyk/zmien", {"product_id": "1"}, 400, "INVALID_QUANTITY", "Podaj ilość."),
    ("/koszyk/zmien", {"product_id": "2", "quantity": "0.35"}, 400, "INVALID_QUANTITY", "w krokach co 0,1 kg"),
    (
        "/koszyk/zmien",
        {"product_id": "3", "quantity": "1"},
        404,
        "PRODUCT_NOT_IN_BASKET",
        "Produktu Herbata zielona Sencha 100 g nie ma w koszyku.",
    ),
    ("/koszyk/zmien", {"product_id": "999", "quantity": "1"}, 404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu."),
    ("/koszyk/usun", {"product_id": "3"}, 404, "PRODUCT_NOT_IN_BASKET", "nie ma w koszyku."),
    ("/koszyk/usun", {"product_id": "999"}, 404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu."),
    ("/koszyk/kod", {"code": "NIEMA"}, 400, "INVALID_CODE", "Nie ma kodu NIEMA."),
    ("/koszyk/kod", {"code": ""}, 400, "INVALID_CODE", "Podaj kod rabatowy."),
    ("/koszyk/kod", {"code": "   "}, 400, "INVALID_CODE", "Podaj kod rabatowy."),
    ("/koszyk/kod", {"code": "X" * 41}, 400, "INVALID_CODE", "Nie ma takiego kodu rabatowego."),
    ("/koszyk/kod", {"code": "LATO2025"}, 400, "INVALID_CODE", "Kod LATO2025 wygasł 31.08.2025."),
    ("/koszyk/kod", {"code": "MINUS20"}, 400, "INVALID_CODE", f"Kod MINUS20 działa od zamówień za {pln('150,00')}."),
    ("/koszyk/kod/usun", {"code": "RABAT10"}, 400, "INVALID_CODE", "Kodu RABAT10 nie ma w koszyku."),
    ("/koszyk/kod/usun", {"code": ""}, 400, "INVALID_CODE", "Podaj kod rabatowy."),
]


@pytest.mark.parametrize(("path", "fields", "status", "code", "message"), REFUSALS)
def test_refused_by_form_shows_why_and_changes_nothing(filled, app, path, fields, status, code, message):
    before = snapshot(app, filled)
    response = filled.post(path, data=dict(fields))
    assert response.status_code == 303
    assert response.headers["Location"] == "/koszyk"
    text = page_text(filled.get("/koszyk"))
    flashes = re.findall(r'<p class="flash flash-error" role="alert">(.*?)</p>', text)
    assert len(flashes) == 1 and message in flashes[0]
    assert snapshot(app, filled) == before


@pytest.mark.parametrize(("path", "fields", "status", "code", "message"), REFUSALS)
def test_refused_by_json_answers_the_error_and_changes_nothing(filled, app, path, fields, status, code, message):
    before = snapshot(app, filled)
    response = filled.post(path, json=fields)
    assert response.status_code == status
    body = response.get_json()
    assert body["error_code"] == code
    assert message in body["error_message"]
    assert set(body) == {"error_code", "error_message"}
    assert snapshot(app, filled) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"product_id": 1, "quantity": 1.5}', "sprzedajemy na sztuki"),  # a JSON number, as Decimal
        (b'{"product_id": 1, "quantity": true}', "Ilość musi być liczbą."),
        (b'{"product_id": 1, "quantity": [1]}', "Ilość musi być liczbą."),
        (b'{"product_id": 1, "quantity": 1e3}', "Ilość musi być liczbą."),
        (b'{"product_id": 1, "quantity": null}', "Podaj ilość."),
    ],
)
def test_json_quantity_types(filled, app, body, message):
    before = snapshot(app, filled)
    response = filled.post("/koszyk/dodaj", data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_json()["error_message"]
    assert snapshot(app, filled) == before


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"RABAT10"', b"\xff\xfe"])
def test_malformed_json_is_refused(filled, app, body):
    before = snapshot(app, filled)
    response = filled.post("/koszyk/kod", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error_code"] == "MALFORMED_REQUEST"
    assert snapshot(app, filled) == before


def test_refusal_on_a_fresh_session_leaves_no_basket_behind(client, app):
    response = client.post("/koszyk/dodaj", json={"product_id": 999})
    assert response.status_code == 404
    assert snapshot(app, client) == {"baskets": 0, "basket_id": None}


def test_code_on_an_empty_basket_is_refused(client, app):
    response = client.post("/koszyk/kod", json={"code": "RABAT10"})
    assert response.status_code == 400
    assert "Dodaj produkty do koszyka" in response.get_json()["error_message"]
    assert snapshot(app, client) == {"baskets": 0, "basket_id": None}


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/koszyk/dodaj", {"product_id": "3"}),
        ("/koszyk/zmien", {"product_id": "1", "quantity": "2"}),
        ("/koszyk/usun", {"product_id": "1"}),
        ("/koszyk/kod", {"code": "RABAT10"}),
    ],
)
def test_missing_csrf_token_is_refused_and_changes_nothing(filled, app, path, fields):
    before = snapshot(app, filled)
    response = filled.post(path, data=fields, csrf=False)
    assert response.status_code == 400
    assert "tokenu CSRF" in page_text(response)
    response = filled.post(path, json=fields, csrf=False)
    assert response.status_code == 400
    assert response.get_json()["error_code"] == "CSRF_FAILED"
    assert snapshot(app, filled) == before


def test_tampered_session_cookie_finds_no_basket(filled, app):
    before = snapshot(app, filled)
    cookie = filled.get_cookie("session").value
    forged = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    filled.set_cookie("session", forged)
    # Flask drops a cookie whose signature fails: the request has no basket...
    assert filled.get("/koszyk.json").get_json()["basket_id"] is None
    filled.set_cookie("session", forged)
    assert "Twój koszyk jest pusty" in page_text(filled.get("/koszyk"))
    # ...and no CSRF secret either, so a change sent with it is refused first.
    filled.set_cookie("session", forged)
    response = filled.post("/koszyk/zmien", json={"product_id": 1, "quantity": 2})
    assert response.status_code == 400 and response.get_json()["error_code"] == "CSRF_FAILED"
    # With a token of the fresh session it gets, the change finds no basket to change.
    filled._token = None
    for path, fields in (
        ("/koszyk/zmien", {"product_id": 1, "quantity": 2}),
        ("/koszyk/usun", {"product_id": 1}),
        ("/koszyk/kod/usun", {"code": "RABAT10"}),
    ):
        response = filled.post(path, json=fields)
        assert response.status_code == 404, path
        assert response.get_json() == {
            "error_code": "BASKET_NOT_FOUND",
            "error_message": "Twój koszyk jest pusty albo wygasł.",
        }
    with app.app_context():
        basket = db.session.get(Basket, before["basket_id"])
        assert basket.version == before["version"]
        assert [(line.product_id, line.quantity) for line in basket.lines] == before["lines"]
        db.session.remove()


def test_session_pointing_at_a_missing_basket(client, app):
    client.get("/")
    with client.session_transaction() as sess:
        sess["basket_id"] = "no-such-basket"
    response = client.post("/koszyk/zmien", json={"product_id": 1, "quantity": 2})
    assert response.status_code == 404
    assert response.get_json()["error_code"] == "BASKET_NOT_FOUND"
    assert client.get("/koszyk").status_code == 200
    # Adding starts a fresh basket.
    assert add_json(client, 1)["count"] == 1


def test_change_endpoints_only_accept_post(client):
    for path in ("/koszyk/dodaj", "/koszyk/zmien", "/koszyk/usun", "/koszyk/kod", "/koszyk/kod/usun"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 405
        assert response.get_json()["error_code"] == "METHOD_NOT_ALLOWED"


def test_code_that_stops_applying_is_shown_with_its_reason(client, app):
    add_json(client, 11, 2)  # 178,00 zł
    assert client.post("/koszyk/kod", json={"code": "MINUS20"}).status_code == 200
    answer = client.post("/koszyk/zmien", json={"product_id": 11, "quantity": 1}).get_json()
    # 89,00 zł is under MINUS20's minimum: the code no longer counts...
    assert answer["codes"] == [] and answer["final_gross"] == "89.00"
    # ...but stays in the basket, shown with the reason and a way to remove it.
    text = page_text(client.get("/koszyk"))
    item = re.search(r'<li class="code-inactive">.*?</li>', text, re.S).group(0)
    assert f"Kod MINUS20 działa od zamówień za {pln('150,00')}." in item
    assert 'name="code" value="MINUS20"' in item
    client.post("/koszyk/kod/usun", data={"code": "MINUS20"})
    assert snapshot(app, client)["codes"] == []
