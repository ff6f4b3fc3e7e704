"""The pure mapping between the shop and InPost's JSON (Basket Update/Confirming the binding of a basket, docs/inpost-pay-api.md §3.5, §3.6, §4).

Baskets are priced with `storefront.pricing.compute` on hand-made `LineInput`s and
described by a hand-made `BasketView`: no database, no Flask. One test at the end
runs the model builders against the demo catalogue.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inpost_pay.mapping import (
    BasketView,
    ConsentView,
    Notice,
    ProductView,
    basket_json,
    order_json,
    order_request_from_inpost,
)
from inpost_pay.schemas import load_json, parse_order_create
from shop_adapter import order_view, totals_view
from storefront import pricing

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = "https://sklep.example.pl"
ISSUED = datetime(2026, 3, 14, 9, 30, 0, tzinfo=UTC)
NOW = ISSUED


def product(pid: int, **kw) -> ProductView:
    values = dict(
        product_id=pid,
        slug=f"produkt-{pid}",
        category_id=1,
        ean=f"59043210000{pid:02d}",
        name=f"Produkt {pid}",
        description=f"Opis produktu {pid}.",
        image=f"produkt-{pid}.svg",
        vat_rate=23,
        price_gross=D("10.00"),
        promo_price_gross=None,
        lowest_price_gross=None,
        quantity_type="INTEGER",
        quantity_unit="szt.",
        quantity_step=D("1"),
        stock=D("50"),
        max_quantity=D("10"),
        is_digital=False,
        attributes=(),
    )
    values.update(kw)
    return ProductView(**values)


# The catalogue of these tests (modelled on the demo shop's seed).
KAWA = product(
    1,
    slug="kawa-etiopia-yirgacheffe",
    name="Kawa ziarnista Etiopia Yirgacheffe 250 g",
    price_gross=D("54.90"),
    promo_price_gross=D("46.90"),
    lowest_price_gross=D("49.90"),
    stock=D("40"),
    attributes=(("Pochodzenie", "Etiopia"), ("Waga", "250 g"), ("Pusty", "  ")),
)
LEN = product(
    10,
    slug="tkanina-lniana-na-metry",
    category_id=3,
    name="Tkanina lniana na obrus, na metry",
    price_gross=D("45.00"),
    promo_price_gross=D("39.00"),
    lowest_price_gross=D("42.00"),
    quantity_type="DECIMAL",
    quantity_unit="m",
    quantity_step=D("0.5"),
    stock=D("30"),
    max_quantity=D("10"),
    attributes=(("Szerokość", "150 cm"),),
)
MIOD = product(
    5,
    slug="miod-wielokwiatowy",
    category_id=2,
    name="Miód wielokwiatowy z Podlasia 400 g",
    vat_rate=5,
    price_gross=D("32.00"),
    stock=D("3"),
    max_quantity=D("6"),
)
HERBATA = product(3, slug="herbata-sencha", name="Herbata zielona Sencha 100 g", price_gross=D("27.90"))
KUBEK = product(9, slug="kubek", category_id=3, name="Kubek ceramiczny", price_gross=D("59.00"), stock=D("4"))
ORZECHY = product(
    6,
    slug="orzechy",
    category_id=2,
    name="Orzechy włoskie na wagę",
    vat_rate=5,
    price_gross=D("64.90"),
    quantity_type="DECIMAL",
    quantity_unit="kg",
    quantity_step=D("0.05"),
    stock=D("12"),
    max_quantity=D("3"),
)
EBOOK = product(
    14,
    slug="ebook",
    category_id=4,
    name="E-book „Domowe przetwory”",
    vat_rate=5,
    price_gross=D("29.90"),
    stock=D("9999"),
    max_quantity=D("1"),
    is_digital=True,
)
CONSENTS = (
    ConsentView("1", "Akceptuję regulamin sklepu", "/regulamin", "3", "REQUIRED_ALWAYS"),
    ConsentView("2", "Zapoznałem(-am) się z polityką prywatności", "/polityka-prywatnosci", "2", "REQUIRED_ONCE"),
    ConsentView("3", "Newsletter", "https://newsletter.example.pl/zgoda", "1", "OPTIONAL"),
)
RABAT10 = pricing.CodeInput("RABAT10", "Rabat 10%", "PERCENT", D("10"))


def priced(lines, codes, now):
    """The demo shop's pricing of the lines, as it crosses the seam."""
    return totals_view(pricing.compute(lines, codes, now))


def line(p: ProductView, quantity: str) -> pricing.LineInput:
    return pricing.LineInput(
        p.product_id, p.name, p.vat_rate, p.quantity_type, D(quantity), p.price_gross, p.promo_price_gross, p.is_digital
    )


def three_line_basket(notice: Notice | None = None) -> dict:
    lines = [line(KAWA, "2"), line(LEN, "1.5"), line(MIOD, "1")]
    totals = priced(lines, [RABAT10], NOW)
    view = BasketView(
        "b-3-lines", (KAWA, LEN, MIOD), related=(HERBATA, KUBEK, KAWA, ORZECHY, HERBATA), consents=CONSENTS
    )
    return basket_json(view, totals, shop_url=SHOP, issued_at=ISSUED, notice=notice)


def price_objects(node, path="$"):
    """Every {net, gross, vat} object in the JSON, with its path."""
    if isinstance(node, dict):
        if set(node) == {"net", "gross", "vat"}:
            yield path, node
        for key, value in node.items():
            yield from price_objects(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from price_objects(value, f"{path}[{i}]")


def assert_consistent(basket: dict) -> None:
    for path, price in price_objects(basket):
        for part in ("net", "gross", "vat"):
            assert isinstance(price[part], str) and D(price[part]) == D(price[part]).quantize(D("0.01")), (path, price)
        assert D(price["gross"]) == D(price["net"]) + D(price["vat"]), (path, price)


# --- the whole basket ------------------------------------------------------------------------------


def test_free_delivery_is_not_also_promised_from_199_zl():
    """After DOSTAWA0 the summary says delivery is free, not "Darmowa dostawa od 199,00 zł"."""
    free = pricing.CodeInput("DOSTAWA0", "Darmowa dostawa", "FREE_DELIVERY", D("0"))
    lines = [line(KAWA, "1")]
    view = BasketView("b-free", (KAWA,), related=(), consents=CONSENTS)
    paid = basket_json(view, priced(lines, [], NOW), shop_url=SHOP, issued_at=ISSUED)
    freed = basket_json(view, priced(lines, [free], NOW), shop_url=SHOP, issued_at=ISSUED)
    assert paid["summary"]["basket_additional_information"] == "Darmowa dostawa od 199,00\u00a0zł."
    assert freed["summary"]["basket_additional_information"] == ""  # the delivery price says it
    assert {d["delivery_price"]["gross"] for d in freed["delivery"]} == {"0.00"}


def test_three_line_basket_matches_the_fixture():
    """The reviewed JSON of a 3-line basket (INTEGER with promotion, DECIMAL with promotion, 5 % VAT
    line) with a 10 % code. Regenerate only deliberately: UPDATE_FIXTURES=1."""
    path = FIXTURES / "basket_3_lines.json"
    actual = json.dumps(three_line_basket(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_FIXTURES") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_summary():
    summary = three_line_basket()["summary"]
    # Sums of the lines, each line's net from its gross at its VAT rate:
    # base  109.80 (89.27 net) + 67.50 (54.88) + 32.00 (30.48 at 5 %)
    # promo  93.80 (76.26)     + 58.50 (47.56) + 32.00 (30.48)
    # final: promo - 10 % spread over the lines: 84.42 (68.63) + 52.65 (42.80) + 28.80 (27.43)
    assert summary["basket_base_price"] == {"net": "174.63", "gross": "209.30", "vat": "34.67"}
    assert summary["basket_promo_price"] == {"net": "154.30", "gross": "184.30", "vat": "30.00"}
    assert summary["basket_final_price"] == {"net": "138.86", "gross": "165.87", "vat": "27.01"}
    assert summary["free_basket"] is False
    assert summary["currency"] == "PLN"
    assert summary["basket_expiration_date"] == "2026-03-21T09:30:00.000Z"  # issued + 7 days
    assert summary["basket_additional_information"] == "Darmowa dostawa od 199,00\u00a0zł."
    assert summary["payment_type"] == [
        "CARD",
        "CARD_TOKEN",
        "GOOGLE_PAY",
        "APPLE_PAY",
        "BLIK_CODE",
        "BLIK_TOKEN",
        "PAY_BY_LINK",
        "SHOPPING_LIMIT",
        "DEFERRED_PAYMENT",
        "CASH_ON_DELIVERY",
    ]
    assert summary["basket_notice"] is None
    assert summary["basket_additional_parameters"] == []
    assert list(summary) == [
        "basket_base_price",
        "basket_final_price",
        "free_basket",
        "basket_promo_price",
        "currency",
        "basket_expiration_date",
        "basket_additional_information",
        "payment_type",
        "basket_notice",
        "basket_additional_parameters",
    ]


def test_notice():
    notice = three_line_basket(Notice("ERROR", "Nie ma kodu LATO2024."))["summary"]["basket_notice"]
    assert notice == {"type": "ERROR", "description": "Nie ma kodu LATO2024."}
    with pytest.raises(ValueError):
        Notice("INFO", "x")


def test_delivery():
    delivery = three_line_basket()["delivery"]
    assert [d["delivery_type"] for d in delivery] == ["APM", "COURIER"]
    apm, courier = delivery
    assert apm["delivery_date"] == "2026-03-16T12:00:00.000Z"  # +2 days at 12:00 UTC
    assert apm["delivery_price"] == {"net": "11.37", "gross": "13.99", "vat": "2.62"}
    assert apm["delivery_options"] == [
        {
            "delivery_name": "Płatność przy odbiorze",
            "delivery_code_value": "COD",
            "delivery_option_price": {"net": "4.07", "gross": "5.00", "vat": "0.93"},
        },
        {
            "delivery_name": "Paczka w Weekend",
            "delivery_code_value": "PWW",
            "delivery_option_price": {"net": "5.68", "gross": "6.99", "vat": "1.31"},
        },
    ]
    assert [o["delivery_code_value"] for o in courier["delivery_options"]] == ["COD"]
    assert courier["delivery_price"]["gross"] == "17.99"
    assert apm["free_delivery_minimum_gross_price"] == "199.00"
    assert list(apm) == [
        "delivery_type",
        "delivery_date",
        "delivery_options",
        "delivery_price",
        "free_delivery_minimum_gross_price",
    ]


def test_free_delivery_zeroes_the_price():
    totals = priced([line(KAWA, "5")], [], NOW)  # 234.50 >= 199.00
    data = basket_json(BasketView("b", (KAWA,)), totals, shop_url=SHOP, issued_at=ISSUED)
    assert {d["delivery_price"]["gross"] for d in data["delivery"]} == {"0.00"}


def test_digital_basket_has_digital_delivery_and_no_cod():
    totals = priced([line(EBOOK, "1")], [], NOW)
    data = basket_json(BasketView("b", (EBOOK,)), totals, shop_url=SHOP, issued_at=ISSUED)
    assert [d["delivery_type"] for d in data["delivery"]] == ["DIGITAL"]
    assert data["delivery"][0]["delivery_date"] == "2026-03-15T09:30:00.000Z"  # issued + 1 day
    assert data["delivery"][0]["delivery_options"] == []
    assert "CASH_ON_DELIVERY" not in data["summary"]["payment_type"]
    assert data["products"][0]["product_type"] == "DIGITAL"


def test_promo_codes():
    assert three_line_basket()["promo_codes"] == [{"name": "Rabat 10%", "promo_code_value": "RABAT10"}]
    refused = pricing.CodeInput("MINUS20", "20 zł taniej od 150 zł", "FIXED", D("20"), D("150"))
    totals = priced([line(MIOD, "1")], [refused], NOW)
    assert basket_json(BasketView("b", (MIOD,)), totals, shop_url=SHOP, issued_at=ISSUED)["promo_codes"] == []


def test_integer_product():
    kawa = three_line_basket()["products"][0]
    assert kawa == {
        "product_id": "1",
        "product_category": "1",
        "ean": "5904321000001",
        "product_name": "Kawa ziarnista Etiopia Yirgacheffe 250 g",
        "product_description": "Opis produktu 1.",
        "product_link": "https://sklep.example.pl/produkt/kawa-etiopia-yirgacheffe",
        "product_image": "https://sklep.example.pl/static/img/products/produkt-1.svg",
        "base_price": {"net": "44.63", "gross": "54.90", "vat": "10.27"},  # per piece
        "promo_price": {"net": "38.13", "gross": "46.90", "vat": "8.77"},
        "lowest_price": {"net": "40.57", "gross": "49.90", "vat": "9.33"},
        "quantity": {
            "quantity": 2,
            "quantity_type": "INTEGER",
            "quantity_unit": "szt.",
            "available_quantity": 40,
            "max_quantity": 10,
        },
        "product_attributes": [
            {"attribute_name": "Pochodzenie", "attribute_value": "Etiopia"},
            {"attribute_name": "Waga", "attribute_value": "250 g"},
        ],  # the empty one is dropped
        "product_type": "PRODUCT",
        "variants": [],
    }


def test_decimal_product_is_priced_for_the_chosen_amount():
    """Basket Update: for DECIMAL the price is the price of the selected quantity (1.5 m x 45.00 = 67.50)."""
    fabric = three_line_basket()["products"][1]
    assert fabric["base_price"]["gross"] == "67.50"
    assert fabric["promo_price"]["gross"] == "58.50"
    assert fabric["lowest_price"]["gross"] == "63.00"  # 1.5 x 42.00, scaled the same way
    assert fabric["quantity"] == {
        "quantity": 1.5,
        "quantity_type": "DECIMAL",
        "quantity_unit": "m",
        "available_quantity": 30,
        "max_quantity": 10,
    }


def test_product_without_promotion_has_no_promo_or_lowest_price():
    honey = three_line_basket()["products"][2]
    assert "promo_price" not in honey and "lowest_price" not in honey
    assert honey["base_price"] == {"net": "30.48", "gross": "32.00", "vat": "1.52"}
    assert honey["quantity"]["max_quantity"] == 3  # per-order limit 6, but only 3 in stock


def test_promotion_without_recorded_lowest_price_uses_the_regular_price():
    promo_only = product(20, price_gross=D("20.00"), promo_price_gross=D("15.00"))
    totals = priced([line(promo_only, "1")], [], NOW)
    item = basket_json(BasketView("b", (promo_only,)), totals, shop_url=SHOP, issued_at=ISSUED)["products"][0]
    assert item["lowest_price"]["gross"] == "20.00"


def test_products_keep_basket_line_order():
    lines = [line(MIOD, "1"), line(KAWA, "1"), line(LEN, "0.5")]
    totals = priced(lines, [], NOW)
    data = basket_json(BasketView("b", (KAWA, LEN, MIOD)), totals, shop_url=SHOP, issued_at=ISSUED)
    assert [p["product_id"] for p in data["products"]] == ["5", "1", "10"]


def test_related_products():
    related = three_line_basket()["related_products"]
    # Not the ones already in the basket (KAWA), no duplicates, ordered by id.
    assert [p["product_id"] for p in related] == ["3", "6", "9"]
    herbata, orzechy, _ = related
    assert herbata["quantity"]["quantity"] == 1
    assert herbata["base_price"]["gross"] == "27.90"
    # A DECIMAL suggestion is offered as one step (0.05 kg), priced for that amount: 0.05 x 64.90.
    assert orzechy["quantity"]["quantity"] == 0.05
    assert orzechy["base_price"]["gross"] == "3.25"
    assert set(herbata) == set(three_line_basket()["products"][2])


def test_related_products_are_capped_at_ten():
    many = tuple(product(100 + i) for i in range(15))
    totals = priced([line(MIOD, "1")], [], NOW)
    data = basket_json(BasketView("b", (MIOD,), related=many[::-1]), totals, shop_url=SHOP, issued_at=ISSUED)
    assert [p["product_id"] for p in data["related_products"]] == [str(100 + i) for i in range(10)]


def test_consents():
    assert three_line_basket()["consents"] == [
        {
            "consent_id": "1",
            "consent_link": "https://sklep.example.pl/regulamin",
            "consent_description": "Akceptuję regulamin sklepu",
            "consent_version": "3",
            "requirement_type": "REQUIRED_ALWAYS",
        },
        {
            "consent_id": "2",
            "consent_link": "https://sklep.example.pl/polityka-prywatnosci",
            "consent_description": "Zapoznałem(-am) się z polityką prywatności",
            "consent_version": "2",
            "requirement_type": "REQUIRED_ONCE",
        },
        {
            "consent_id": "3",
            "consent_link": "https://newsletter.example.pl/zgoda",
            "consent_description": "Newsletter",
            "consent_version": "1",
            "requirement_type": "OPTIONAL",
        },
    ]


def test_empty_basket_has_empty_lists():
    totals = priced([], [], NOW)
    data = basket_json(BasketView("b", ()), totals, shop_url=SHOP, issued_at=ISSUED)
    assert data["products"] == [] and data["related_products"] == [] and data["promo_codes"] == []
    assert data["consents"] == [] and data["summary"]["basket_additional_parameters"] == []
    assert data["summary"]["basket_base_price"] == {"net": "0.00", "gross": "0.00", "vat": "0.00"}
    assert data["summary"]["free_basket"] is False
    assert '"products":[]' in json.dumps(data, separators=(",", ":"))


def test_is_deterministic():
    first = json.dumps(three_line_basket(), ensure_ascii=False)
    second = json.dumps(three_line_basket(), ensure_ascii=False)
    assert first == second


def test_gross_is_net_plus_vat_everywhere():
    data = three_line_basket()
    # 3 in the summary, 5 in delivery (2 prices, 3 options), 7 in products, 3 in related products
    assert len(list(price_objects(data))) == 18
    assert_consistent(data)


def test_view_must_describe_every_priced_line():
    totals = priced([line(KAWA, "1")], [], NOW)
    with pytest.raises(ValueError):
        basket_json(BasketView("b", ()), totals, shop_url=SHOP, issued_at=ISSUED)
    with pytest.raises(ValueError):
        basket_json(BasketView("b", (KAWA,)), totals, shop_url=SHOP, issued_at=datetime(2026, 1, 1))


# --- property: any basket maps to consistent prices ------------------------------------------------

CODES = [
    RABAT10,
    pricing.CodeInput("MINUS20", "20 zł taniej od 150 zł", "FIXED", D("20"), D("150")),
    pricing.CodeInput("DOSTAWA0", "Darmowa dostawa", "FREE_DELIVERY", D("0")),
]


@st.composite
def baskets(draw):
    count = draw(st.integers(0, 6))
    products, lines = [], []
    for i in range(count):
        decimal = draw(st.booleans())
        price = D(draw(st.integers(1, 200_000))) / 100
        promo = draw(st.one_of(st.none(), st.integers(1, 100)))
        promo_price = (price * promo / 100).quantize(D("0.01")) if promo is not None and price > D("0.01") else None
        if promo_price is not None and promo_price <= 0:
            promo_price = None
        step = D("0.05") if decimal else D("1")
        quantity = step * draw(st.integers(1, 60))
        p = product(
            i + 1,
            vat_rate=draw(st.sampled_from([0, 5, 8, 23])),
            price_gross=price,
            promo_price_gross=promo_price,
            lowest_price_gross=price if promo_price is not None else None,
            quantity_type="DECIMAL" if decimal else "INTEGER",
            quantity_step=step,
            stock=D("1000"),
            max_quantity=D("100"),
            is_digital=draw(st.booleans()),
        )
        products.append(p)
        lines.append(line(p, str(quantity)))
    codes = draw(st.lists(st.sampled_from(CODES), unique_by=lambda c: c.code, max_size=3))
    return products, lines, codes


@settings(max_examples=150, deadline=None)
@given(baskets())
def test_property_prices_are_consistent(basket):
    products, lines, codes = basket
    totals = priced(lines, codes, NOW)
    related = (product(50, price_gross=D("9.99"), promo_price_gross=D("7.77")),)
    data = basket_json(BasketView("b", tuple(products), related=related), totals, shop_url=SHOP, issued_at=ISSUED)
    assert_consistent(data)
    summary = data["summary"]
    for part in ("gross", "net"):
        final, promo, base = (
            D(summary[k][part]) for k in ("basket_final_price", "basket_promo_price", "basket_base_price")
        )
        assert final <= promo <= base
    for item in data["products"] + data["related_products"]:
        if "promo_price" in item:
            assert D(item["promo_price"]["gross"]) <= D(item["base_price"]["gross"])
    assert json.dumps(data) == json.dumps(
        basket_json(BasketView("b", tuple(products), related=related), totals, shop_url=SHOP, issued_at=ISSUED)
    )


# --- InPost order -> OrderRequest ------------------------------------------------------------------


def inpost_order(**changes):
    data = load_json((FIXTURES / "order_create_request.json").read_bytes())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for name in parents:
            target = target[name]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return parse_order_create(data)


def test_order_request_from_inpost():
    req = order_request_from_inpost(inpost_order(), "owner-token-123")
    assert req.channel == "inpost_pay"
    assert req.owner_token == "owner-token-123"
    assert (req.name, req.surname, req.email) == ("Piotr", "Nowak", "piotr.nowak@example.com")
    assert (req.phone_prefix, req.phone) == ("+48", "600000000")
    assert req.payment_method == "CASH_ON_DELIVERY" and req.cash_on_delivery is True
    assert req.delivery_type == "COURIER" and req.delivery_options == ["COD"]
    assert req.delivery_address == {
        "name": "Piotr Nowak",
        "street": "Lipowa 5",
        "postal_code": "30-001",
        "city": "Kraków",
        "country_code": "PL",
        "flat": "2",
        "address": "Lipowa 5/2",
        "address_details": {"street": "Lipowa", "building": "5", "flat": "2"},
    }
    assert req.courier_note == "Domofon 2"
    assert req.delivery_point is None and req.digital_email is None
    assert req.invoice["company_name"] == "Lipa sp. z o.o." and req.invoice["legal_form"] == "COMPANY"
    assert req.consents == {"1": "3", "2": "2"}  # only the accepted ones
    assert req.comment == "Proszę zadzwonić przed dostawą"
    assert req.expected_total_gross == D("124.54")
    inpost = req.external["inpost"]
    assert inpost["basket_id"] == "b-7f3a"
    assert inpost["basket_additional_parameters"] == [{"key": "campaign", "value": "lato"}]
    assert inpost["client_address"]["city"] == "Kraków"


def test_unparsed_address_and_placeholder_building():
    """Pitfall 10: no address_details -> the unparsed line is the street; "_" is no building."""
    req = order_request_from_inpost(inpost_order(delivery__delivery_address__address_details=...), "o")
    assert req.delivery_address["street"] == "Lipowa 5/2"
    assert "flat" not in req.delivery_address
    req = order_request_from_inpost(
        inpost_order(delivery__delivery_address__address_details={"street": "Lipowa", "building": "_"}), "o"
    )
    assert req.delivery_address["street"] == "Lipowa"


def test_apm_blik_order_request():
    req = order_request_from_inpost(
        inpost_order(
            order_details__payment_type="BLIK_CODE",
            delivery__delivery_type="APM",
            delivery__delivery_codes=[],
            delivery__delivery_point=" KRA010 ",
            delivery__delivery_address=...,
            invoice_details=...,
        ),
        "o",
    )
    assert req.cash_on_delivery is False and req.payment_method == "BLIK_CODE"
    assert req.delivery_point == "KRA010" and req.delivery_address is None and req.invoice is None


def test_digital_order_request_and_unknown_payment_type():
    req = order_request_from_inpost(
        inpost_order(
            order_details__payment_type="CARD_NT",
            delivery__delivery_type="DIGITAL",
            delivery__delivery_codes=[],
            delivery__digital_delivery_email="czytelnik@example.com",
            delivery__delivery_address=...,
        ),
        "o",
    )
    assert req.digital_email == "czytelnik@example.com"
    assert req.payment_method == "CARD_NT"
    assert req.external["inpost"]["unknown_values"] == ["order_details.payment_type=CARD_NT"]


# --- shop order -> InPost order --------------------------------------------------------------------


def shop_order(**overrides):
    lines = [
        SimpleNamespace(
            product_id=1,
            name="Kawa ziarnista Etiopia Yirgacheffe 250 g",
            ean="5904321000001",
            vat_rate=23,
            quantity=D("2.000"),
            quantity_type="INTEGER",
            quantity_unit="szt.",
            unit_base_gross=D("54.90"),
            final_net=D("68.63"),
            final_gross=D("84.42"),
        ),
        SimpleNamespace(
            product_id=10,
            name="Tkanina lniana",
            ean="5904321000010",
            vat_rate=23,
            quantity=D("1.500"),
            quantity_type="DECIMAL",
            quantity_unit="m",
            unit_base_gross=D("67.50"),
            final_net=D("42.80"),
            final_gross=D("52.65"),
        ),
    ]
    values = dict(
        id=42,
        number="SPL-000042",
        basket_id="b-7f3a",
        comment="Proszę zadzwonić",
        created_at=datetime(2026, 3, 14, 10, 15, 30, 250000, tzinfo=UTC),
        status_label="Przyjęte do realizacji",
        payment_method="CASH_ON_DELIVERY",
        products_base_gross=D("177.30"),  # 2 x 54.90 + 67.50 at regular prices
        products_final_net=D("111.43"),
        products_final_gross=D("137.07"),
        delivery_net=D("18.70"),
        delivery_gross=D("22.99"),
        total_net=D("130.13"),
        total_gross=D("160.06"),
        tracking_numbers=[SimpleNamespace(number="620000000000000000000001")],
        name="Piotr",
        surname="Nowak",
        phone_prefix="+48",
        phone="600000000",
        email="piotr.nowak@example.com",
        delivery_type="COURIER",
        delivery_options=["COD"],
        delivery_point=None,
        delivery_address={
            "name": "Piotr Nowak",
            "street": "Lipowa 5",
            "flat": "2",
            "postal_code": "30-001",
            "city": "Kraków",
            "country_code": "PL",
        },
        courier_note="Domofon 2",
        digital_email=None,
        invoice=None,
        consents=[
            {"consent_id": "1", "consent_version": "3", "is_accepted": True},
            {"consent_id": "3", "consent_version": "1", "is_accepted": False},
        ],
        external={
            "inpost": {
                "basket_additional_parameters": [{"key": "campaign", "value": "lato"}],
                "client_address": {
                    "country_code": "PL",
                    "address": "Lipowa 5/2",
                    "city": "Kraków",
                    "postal_code": "30-001",
                },
            }
        },
        lines=lines,
        channel="inpost_pay",
        status="processing",
        payment_status="UNPAID",
        owner_token="owner",
    )
    values.update(overrides)
    return order_view(SimpleNamespace(**values))  # read as the demo shop's adapter reads an Order


def test_order_json():
    data = order_json(shop_order(), pos_id="V000000001", shop_url=SHOP, products={1: KAWA})
    assert list(data) == ["order_details", "account_info", "delivery", "products", "consents"]
    d = data["order_details"]
    assert d == {
        "order_comments": "Proszę zadzwonić",
        "order_id": "42",
        "customer_order_id": "SPL-000042",
        "pos_id": "V000000001",
        "order_creation_date": "2026-03-14T10:15:30.250Z",
        "basket_id": "b-7f3a",
        "order_merchant_status_description": "Przyjęte do realizacji",
        "payment_type": "CASH_ON_DELIVERY",
        "order_base_price": {"net": "111.43", "gross": "137.07", "vat": "25.64"},
        "order_final_price": {"net": "130.13", "gross": "160.06", "vat": "29.93"},
        "order_discount": "40.23",
        "currency": "PLN",
        "delivery_references_list": ["620000000000000000000001"],
        "order_additional_parameters": [{"key": "campaign", "value": "lato"}],
    }
    assert data["account_info"] == {
        "name": "Piotr",
        "surname": "Nowak",
        "phone_number": {"country_prefix": "+48", "phone": "600000000"},
        "mail": "piotr.nowak@example.com",
        "client_address": {"country_code": "PL", "address": "Lipowa 5/2", "city": "Kraków", "postal_code": "30-001"},
    }
    delivery = data["delivery"]
    assert delivery["delivery_type"] == "COURIER"
    assert delivery["delivery_date"] == "2026-03-16T12:00:00.000Z"
    # 22.99 paid for delivery = 17.99 courier + 5.00 COD option
    assert delivery["delivery_price"] == {"net": "14.63", "gross": "17.99", "vat": "3.36"}
    assert delivery["delivery_options"] == [
        {
            "delivery_name": "Płatność przy odbiorze",
            "delivery_code_value": "COD",
            "delivery_option_price": {"net": "4.07", "gross": "5.00", "vat": "0.93"},
        }
    ]
    assert delivery["delivery_address"] == {
        "name": "Piotr Nowak",
        "country_code": "PL",
        "address": "Lipowa 5/2",
        "city": "Kraków",
        "postal_code": "30-001",
    }
    assert delivery["courier_note"] == "Domofon 2"
    assert "delivery_point" not in delivery and "digital_delivery_email" not in delivery
    kawa, fabric = data["products"]
    assert kawa["product_link"] == "https://sklep.example.pl/produkt/kawa-etiopia-yirgacheffe"
    assert kawa["base_price"] == {"net": "44.63", "gross": "54.90", "vat": "10.27"}
    assert kawa["quantity_price"] == {"net": "68.63", "gross": "84.42", "vat": "15.79"}  # what was paid
    assert kawa["quantity"] == {"quantity": 2, "quantity_type": "INTEGER", "quantity_unit": "szt."}
    assert kawa["product_type"] == "PRODUCT"
    assert fabric == {
        "product_id": "10",
        "ean": "5904321000010",
        "product_name": "Tkanina lniana",
        "base_price": {"net": "54.88", "gross": "67.50", "vat": "12.62"},
        "quantity_price": {"net": "42.80", "gross": "52.65", "vat": "9.85"},
        "quantity": {"quantity": 1.5, "quantity_type": "DECIMAL", "quantity_unit": "m"},
    }
    assert data["consents"] == [
        {"consent_id": "1", "consent_version": "3", "is_accepted": True},
        {"consent_id": "3", "consent_version": "1", "is_accepted": False},
    ]
    assert_consistent(data)


def test_order_json_adds_up_under_the_sandbox_contract_check():
    """Lines as paid + delivery = order_final_price; regular prices - order_discount = order_base_price."""
    from sandbox.contract import check_order

    data = order_json(shop_order(), pos_id="V000000001", shop_url=SHOP, products={1: KAWA})
    assert check_order(data, now=datetime(2026, 3, 14, tzinfo=UTC)) == []
    without_paid = {**data, "products": [{k: v for k, v in p.items() if k != "quantity_price"} for p in data["products"]]}
    assert check_order(without_paid, now=datetime(2026, 3, 14, tzinfo=UTC)) == []  # order_discount explains it
    del without_paid["order_details"]["order_discount"]
    assert {v["field"] for v in check_order(without_paid, now=datetime(2026, 3, 14, tzinfo=UTC))} == {
        "order_details.order_base_price.gross"}


def test_order_json_apm_with_invoice():
    data = order_json(
        shop_order(
            delivery_type="APM",
            delivery_point="KRA010",
            delivery_address=None,
            courier_note=None,
            delivery_options=["PWW"],
            invoice={"legal_form": "COMPANY", "tax_id": "5260250274"},
            external={},
        ),
        pos_id="V1",
        shop_url=SHOP,
    )
    assert data["delivery"]["delivery_point"] == "KRA010"
    assert data["delivery"]["delivery_options"][0]["delivery_code_value"] == "PWW"
    assert data["invoice_details"] == {"legal_form": "COMPANY", "tax_id": "5260250274"}
    assert "client_address" not in data["account_info"]
    assert data["order_details"]["order_additional_parameters"] == []


# --- the model builders, against the demo catalogue -----------------------------------------------


def test_the_demo_adapter_reads_the_models(app):
    """The demo shop's side of the seam reads its SQLAlchemy models into the plain views."""
    from shop_adapter import DemoShop
    from storefront import basket as basket_service
    from storefront.extensions import db

    shop = DemoShop()
    with app.test_request_context():
        basket = basket_service.new_basket()
        basket_service.add_product(basket, 1, 2)
        basket_service.add_product(basket, 2, "0.3")
        db.session.commit()
        view = shop.basket(basket.id)
        data = basket_json(view, view.totals, shop_url=SHOP, issued_at=ISSUED)
        assert [p["product_id"] for p in data["products"]] == ["1", "2"]
        # Related of 1 are [2, 3, 9], of 2 are [1, 9, 7]: minus the basket, by id.
        assert [p["product_id"] for p in data["related_products"]] == ["3", "7", "9"]
        assert [c["consent_id"] for c in data["consents"]] == ["1", "2", "3"]
        assert data["products"][1]["base_price"]["gross"] == "26.70"  # 0.3 kg x 89.00
        assert data["products"][0]["product_attributes"][0] == {
            "attribute_name": "Pochodzenie",
            "attribute_value": "Etiopia, region Yirgacheffe",
        }
        assert_consistent(data)
        assert shop.product(1).product_id == 1
        assert shop.product(999) is None and shop.product("x") is None
