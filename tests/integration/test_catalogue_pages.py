"""Catalogue pages (home, category, product) and the information pages, through the test client.

Prices are shown as fmt_pln formats them: a non-breaking space before "zł".
"""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Consent, Product
from storefront.seed import CATEGORIES, PRODUCTS, ean13

NBSP = "\u00a0"


def pln(text: str) -> str:
    return f"{text}{NBSP}zł"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def card_of(text: str, slug: str) -> str:
    """The HTML of the first product card linking to `slug`."""
    for card in re.findall(r'<article class="card product-card">.*?</article>', text, re.S):
        if f"/produkt/{slug}" in card:
            return card
    raise AssertionError(f"no card for {slug}")


# --- home ------------------------------------------------------------------------------------


def test_home_shows_categories_promotions_and_every_product(client):
    response = client.get("/")
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>Spiżarnia pod Lipą</h1>" in text
    for slug, name, _description in CATEGORIES:
        assert f'href="/kategoria/{slug}"' in text
        assert name in text
    for row in PRODUCTS:
        assert row[3] in text, row[3]
    assert "Promocje tygodnia" in text


def test_home_card_shows_promo_price_regular_price_and_omnibus_line(client):
    card = card_of(page_text(client.get("/")), "kawa-etiopia-yirgacheffe")
    assert pln("46,90") in card
    assert re.search(r"<s class=\"price-regular\">.*54,90\xa0zł</s>", card)
    assert f"Najniższa cena z 30 dni przed obniżką: {pln('49,90')}" in card
    assert "Promocja −15%" in card
    assert 'src="/static/img/products/kawa-etiopia-yirgacheffe.svg"' in card


def test_home_card_of_a_regular_product_has_no_omnibus_line(client):
    card = card_of(page_text(client.get("/")), "herbata-zielona-sencha")
    assert pln("27,90") in card
    assert "Najniższa cena" not in card
    assert "<s>" not in card and "<s " not in card


def test_home_cards_show_unit_low_stock_and_digital_badges(client):
    text = page_text(client.get("/"))
    by_weight = card_of(text, "kawa-brazylia-santos-na-wage")
    assert pln("89,00") in by_weight and "za kg" in by_weight
    assert "za m" in card_of(text, "tkanina-lniana-na-metry")
    assert "Ostatnie 4 szt." in card_of(text, "kubek-ceramiczny-recznie-malowany")
    assert "Ostatnie 3 szt." in card_of(text, "konfitura-wisniowa")
    assert "Ostatnie" not in card_of(text, "kawa-etiopia-yirgacheffe")
    assert "Produkt cyfrowy" in card_of(text, "ebook-domowe-przetwory")
    # Digital goods have "stock" 9999 but are never "last pieces".
    assert "Ostatnie" not in card_of(text, "kurs-online-parzenie-kawy")


def test_home_cards_carry_an_add_to_basket_form(client, app):
    text = page_text(client.get("/"))
    card = card_of(text, "herbata-zielona-sencha")
    assert 'action="/koszyk/dodaj"' in card
    assert 'name="product_id" value="3"' in card
    assert 'name="quantity" value="1"' in card
    assert re.search(r'name="csrf_token" value="[^"]+"', card)
    # A product sold by weight lets the shopper type the amount on the card.
    weighed = card_of(text, "orzechy-wloskie-na-wage")
    assert 'type="number" name="quantity"' in weighed and 'step="0.05"' in weighed and 'value="0.5"' in weighed


def test_base_layout_has_nav_basket_count_account_and_footer_links(client):
    text = page_text(client.get("/"))
    assert '<meta name="csrf-token" content="' in text
    nav = re.search(r'<nav class="category-nav".*?</nav>', text, re.S).group(0)
    assert nav.count('href="/kategoria/') == 4
    assert re.search(r'<span class="basket-count" data-basket-count>0</span>', text)
    assert 'href="/moje-zamowienia"' in text and "Moje zamówienia" in text
    for path in ("/regulamin", "/polityka-prywatnosci", "/newsletter"):
        assert f'href="{path}"' in text


def test_basket_count_in_header_follows_the_basket(client):
    client.post("/koszyk/dodaj", json={"product_id": 1, "quantity": 2})
    client.post("/koszyk/dodaj", json={"product_id": 2, "quantity": "0.3"})
    text = page_text(client.get("/kategoria/spizarnia"))
    # Pieces for INTEGER lines, one per DECIMAL line (pricing.item_count).
    assert re.search(r"data-basket-count>3</span>", text)


# --- category --------------------------------------------------------------------------------


def test_counts_meet_their_nouns_in_polish(client):
    """Babel's plural rules: 1 produkt, 2-4 produkty, 5+ produktów (and 22 produkty)."""
    home = page_text(client.get("/"))
    assert "15 produktów w czterech działach." in home
    counts = re.findall(r'category-card-count">(\d+) (\w+)<', home)
    assert counts and all(noun == {"one": "produkt", "few": "produkty"}.get(
        "one" if n == "1" else "few" if n[-1] in "234" and n[-2:] not in ("12", "13", "14") else "many", "produktów")
        for n, noun in counts), counts  # fmt: skip
    assert re.search(r"\b[234] produktów", home) is None
    category = page_text(client.get("/kategoria/kawa-i-herbata"))
    assert re.search(r"\b[234] produkty</p>|\b\d+ produktów</p>|\b1 produkt</p>", category)
    assert re.search(r"\b[234] produktów", category) is None


def test_category_page_lists_only_its_products(client):
    response = client.get("/kategoria/spizarnia")
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>Spiżarnia</h1>" in text
    assert "Miody, orzechy, czekolady i przetwory" in text
    in_category = [row[3] for row in PRODUCTS if row[2] == "spizarnia"]
    elsewhere = [row[3] for row in PRODUCTS if row[2] != "spizarnia"]
    for name in in_category:
        assert name in text
    main = text.split("<main", 1)[1]
    for name in elsewhere:
        assert name not in main
    assert f"Najniższa cena z 30 dni przed obniżką: {pln('12,90')}" in text  # chocolate
    assert 'aria-current="page">Spiżarnia</a>' in text


@pytest.mark.parametrize("path", ["/kategoria/nie-ma-takiej", "/kategoria/SPIZARNIA", "/kategoria/%00"])
def test_unknown_category_is_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    text = page_text(response)
    assert "Nie ma takiej kategorii" in text
    assert 'class="error-page' in text
    assert 'href="/kategoria/kawa-i-herbata"' in text  # a way back


def test_unknown_category_is_a_404_json_for_json_callers(client):
    response = client.get("/kategoria/nie-ma-takiej", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "error_code": "CATEGORY_NOT_FOUND",
        "error_message": "Nie ma takiej kategorii w naszym sklepie.",
    }


# --- product ---------------------------------------------------------------------------------


def test_promoted_product_page_shows_every_field(client):
    response = client.get("/produkt/kawa-etiopia-yirgacheffe")
    assert response.status_code == 200
    text = page_text(response)
    assert '<h1 class="product-title">Kawa ziarnista Etiopia Yirgacheffe 250 g</h1>' in text
    assert 'alt="Kawa ziarnista Etiopia Yirgacheffe 250 g"' in text
    assert 'src="/static/img/products/kawa-etiopia-yirgacheffe.svg"' in text
    assert "Kawa i herbata" in text
    assert ean13(1) in text and len(ean13(1)) == 13
    assert "nutach jaśminu, bergamotki i brzoskwini" in text
    assert pln("46,90") in text and pln("54,90") in text
    assert f"Najniższa cena z 30 dni przed obniżką: {pln('49,90')}" in text
    assert "zawiera VAT 23%" in text
    assert '<th scope="row">Stawka VAT</th><td>23%</td>' in text
    for name, value in (
        ("Pochodzenie", "Etiopia, region Yirgacheffe"),
        ("Stopień palenia", "jasny"),
        ("Waga", "250 g"),
    ):
        assert f'<tr><th scope="row">{name}</th><td>{value}</td></tr>' in text
    assert "Dostępny — wysyłka w 24 h." in text
    assert "Najwięcej 10 szt. w zamówieniu." in text


def test_product_page_has_add_form_with_integer_quantity_and_widget_slot(client):
    text = page_text(client.get("/produkt/kawa-etiopia-yirgacheffe"))
    form = re.search(r'<form class="buy-form".*?</form>', text, re.S).group(0)
    assert 'action="/koszyk/dodaj"' in form
    assert '<label for="quantity">Ilość</label>' in form
    assert re.search(r'id="quantity" type="number" name="quantity"[^>]*value="1" min="1" step="1" max="10"', form)
    assert re.search(r'name="csrf_token" value="[^"]+"', form)
    assert ">Dodaj do koszyka</button>" in form
    after_form = text.split(form, 1)[1]
    assert after_form.lstrip().startswith('<div class="izi-slot" data-binding-place="PRODUCT_CARD" data-product-id="1">')
    assert '<inpost-izi-button binding_place="PRODUCT_CARD"' in text and 'data-product-id="1"' in text


def test_product_page_shows_related_products(client):
    text = page_text(client.get("/produkt/kawa-etiopia-yirgacheffe"))
    related = text.split("Polecane do tego", 1)[1]
    for name in ("Kawa Brazylia Santos na wagę", "Herbata zielona Sencha 100 g", "Kubek ceramiczny ręcznie malowany"):
        assert name in related


@pytest.mark.parametrize(
    ("slug", "step", "unit", "price"),
    [
        ("kawa-brazylia-santos-na-wage", "0.1", "kg", "89,00"),
        ("orzechy-wloskie-na-wage", "0.05", "kg", "64,90"),
        ("tkanina-lniana-na-metry", "0.5", "m", "45,00"),
    ],
)
def test_decimal_product_page_asks_for_an_amount_in_steps(client, slug, step, unit, price):
    text = page_text(client.get(f"/produkt/{slug}"))
    assert f'<label for="quantity">Ilość ({unit})</label>' in text
    assert re.search(rf'name="quantity" inputmode="decimal"[^>]*min="{step}" step="{step}"', text, re.S)
    assert f'<span class="qty-unit">{unit}</span>' in text
    assert pln(price) in text and f"za {unit}" in text
    assert f"Cena za 1 {unit}; płacisz za wybraną ilość." in text


def test_low_stock_and_digital_product_pages(client):
    mug = page_text(client.get("/produkt/kubek-ceramiczny-recznie-malowany"))
    assert "Ostatnie sztuki: w magazynie 4 szt." in mug
    assert "szt.." not in mug  # the unit's own full stop ends the sentence
    assert 'max="4"' in mug
    ebook = page_text(client.get("/produkt/ebook-domowe-przetwory"))
    assert "Produkt cyfrowy — dostępny od ręki, wysyłamy e-mailem." in ebook
    assert "zawiera VAT 5%" in ebook


def test_product_out_of_stock_has_no_add_form(client, app):
    with app.app_context():
        db.session.get(Product, 3).stock = 0
        db.session.commit()
    text = page_text(client.get("/produkt/herbata-zielona-sencha"))
    assert "Chwilowo niedostępny." in text
    assert 'class="buy-form"' not in text


@pytest.mark.parametrize("path", ["/produkt/nie-ma-takiego", "/produkt/1", "/produkt/kawa-etiopia-yirgacheffe-x"])
def test_unknown_product_is_a_404_page_and_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Nie ma takiego produktu" in page_text(response)
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error_code"] == "PRODUCT_NOT_FOUND"


def test_inactive_product_is_not_shown(client, app):
    with app.app_context():
        db.session.get(Product, 3).active = False
        db.session.commit()
    assert client.get("/produkt/herbata-zielona-sencha").status_code == 404
    assert "Herbata zielona Sencha" not in page_text(client.get("/kategoria/kawa-i-herbata")).split("<main", 1)[1]


def test_every_product_and_category_image_exists(client, app):
    with app.app_context():
        products = db.session.scalars(select(Product)).all()
        images = [f"/static/img/products/{p.image}" for p in products]
    images += [f"/static/img/categories/{slug}.svg" for slug, _n, _d in CATEGORIES]
    images.append("/static/img/logo.svg")
    for path in images:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith("<svg") and "<title" in body, path
        response.close()


# --- information pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/regulamin", "Regulamin sklepu Spiżarnia pod Lipą"),
        ("/polityka-prywatnosci", "Polityka prywatności"),
        ("/newsletter", "Newsletter Spiżarni pod Lipą"),
    ],
)
def test_information_pages(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in page_text(response)


def test_every_consent_link_leads_to_a_page(client, app):
    with app.app_context():
        links = [c.link for c in db.session.scalars(select(Consent)).all()]
    assert links
    for link in links:
        assert client.get(link).status_code == 200, link
