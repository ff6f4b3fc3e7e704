"""The sandbox's contract checker: one test per kind of violation, plus Confirming the binding of a basket's own example."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox.contract import check_basket, check_order, differences

FIXTURES = Path(__file__).resolve().parents[1] / "integration" / "sandbox" / "fixtures"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def basket() -> dict:
    return load("valid_basket.json")


def fields(violations: list[dict]) -> set[str]:
    return {v["field"] for v in violations}


def test_valid_basket_passes(basket):
    warnings: list = []
    assert check_basket(basket, now=NOW, warnings=warnings) == []
    assert warnings == []


def test_amounts_may_be_json_numbers(basket):
    basket["summary"]["basket_base_price"] = {
        "net": Decimal("36.26"),
        "gross": Decimal("44.60"),
        "vat": Decimal("8.34"),
    }
    assert check_basket(basket, now=NOW) == []


def test_missing_required_field(basket):
    del basket["summary"]["currency"]
    del basket["products"][0]["product_name"]
    found = check_basket(basket, now=NOW)
    assert {"field": "summary.currency", "problem": "is required"} in found
    assert {"field": "products[0].product_name", "problem": "is required"} in found


def test_wrong_type(basket):
    basket["products"][0]["product_id"] = 26  # Confirming the binding of a basket's remark shows a number, its type column says string
    basket["summary"]["free_basket"] = "no"
    found = check_basket(basket, now=NOW)
    assert fields(found) == {"products[0].product_id", "summary.free_basket"}
    assert {v["problem"] for v in found} == {"must be a string, got a number", "must be true or false, got a string"}


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("delivery", 0, "delivery_type"), "DRONE", "delivery[0].delivery_type"),
        (
            ("delivery", 0, "delivery_options", 0, "delivery_code_value"),
            "GIFT",
            "delivery[0].delivery_options[0].delivery_code_value",
        ),
        (("products", 0, "quantity", "quantity_type"), "PIECES", "products[0].quantity.quantity_type"),
        (("consents", 0, "requirement_type"), "SOMETIMES", "consents[0].requirement_type"),
        (("summary", "basket_notice", "type"), "INFO", "summary.basket_notice.type"),
    ],
)
def test_closed_enums(basket, path, value, field):
    target = basket
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    found = check_basket(basket, now=NOW)
    assert fields(found) == {field}
    assert "must be one of" in found[0]["problem"]


def test_unknown_payment_type_is_a_warning_not_a_violation(basket):
    basket["summary"]["payment_type"].append("CARD_NT")  # docs/inpost-pay-api.md §8.8: the enum is open
    warnings: list = []
    assert check_basket(basket, now=NOW, warnings=warnings) == []
    assert fields(warnings) == {"summary.payment_type[4]"}


@pytest.mark.parametrize("amount", ["10.005", "ten", Decimal("10.005"), True, None, "1,00"])
def test_amounts_have_at_most_two_places(basket, amount):
    basket["products"][0]["base_price"]["gross"] = amount
    found = check_basket(basket, now=NOW)
    assert "products[0].base_price.gross" in fields(found)


def test_gross_must_be_net_plus_vat(basket):
    basket["delivery"][1]["delivery_price"]["vat"] = "2.81"
    found = check_basket(basket, now=NOW)
    assert found == [
        {"field": "delivery[1].delivery_price", "problem": "gross must equal net + vat: 12.20 + 2.81 != 15.00"}
    ]


def test_negative_amount(basket):
    basket["related_products"][0]["base_price"] = {"net": "-4.07", "gross": "-5.00", "vat": "-0.93"}
    assert {"related_products[0].base_price.net", "related_products[0].base_price.gross"} <= fields(
        check_basket(basket, now=NOW)
    )


def test_final_must_not_exceed_promo_and_promo_not_base(basket):
    summary = basket["summary"]
    summary["basket_final_price"] = {"net": "33.33", "gross": "41.00", "vat": "7.67"}
    assert fields(check_basket(basket, now=NOW)) == {"summary.basket_final_price.gross"}
    summary["basket_final_price"] = summary["basket_promo_price"]
    summary["basket_promo_price"] = {"net": "40.65", "gross": "50.00", "vat": "9.35"}
    assert "summary.basket_promo_price.gross" in fields(check_basket(basket, now=NOW))


def test_promo_price_needs_lowest_price(basket):
    del basket["products"][1]["lowest_price"]
    assert fields(check_basket(basket, now=NOW)) == {"products[1].lowest_price"}


@pytest.mark.parametrize("key", ["promo_codes", "related_products", "consents"])
def test_empty_list_must_be_brackets_not_braces(basket, key):
    basket[key] = {}
    found = check_basket(basket, now=NOW)
    assert found == [{"field": key, "problem": "must be a list; an empty list is [], not {}"}]


def test_cash_on_delivery_needs_a_cod_option(basket):
    for delivery in basket["delivery"]:
        delivery["delivery_options"] = [o for o in delivery["delivery_options"] if o["delivery_code_value"] != "COD"]
    assert fields(check_basket(basket, now=NOW)) == {"summary.payment_type[3]"}


def test_expiration_date_must_be_in_the_future(basket):
    assert check_basket(basket, now=datetime(2099, 12, 31, 12, 0, 1, tzinfo=UTC)) != []
    basket["summary"]["basket_expiration_date"] = "yesterday"
    assert fields(check_basket(basket, now=NOW)) == {"summary.basket_expiration_date"}


def test_currency_is_pln_only(basket):
    basket["summary"]["currency"] = "EUR"
    assert fields(check_basket(basket, now=NOW)) == {"summary.currency"}


def test_integer_quantity_is_whole(basket):
    basket["products"][0]["quantity"]["quantity"] = Decimal("1.5")
    assert fields(check_basket(basket, now=NOW)) == {"products[0].quantity.quantity"}


def test_quantity_is_a_json_number(basket):
    basket["products"][0]["quantity"]["quantity"] = "2"
    assert check_basket(basket, now=NOW) == [
        {"field": "products[0].quantity.quantity", "problem": "must be a number, got a string"}
    ]


def test_consent_description_is_at_most_500_characters(basket):
    basket["consents"][2]["consent_description"] = "x" * 501
    assert fields(check_basket(basket, now=NOW)) == {"consents[2].consent_description"}


def test_basket_must_be_an_object():
    assert check_basket([], now=NOW) == [{"field": "", "problem": "the basket must be a JSON object, got a list"}]


# -- Confirming the binding of a basket's example response ------------------------------------------------------

SEED_NOW = datetime(2023, 8, 24, tzinfo=UTC)  # before its basket_expiration_date (2023-08-25)


def test_seed_003_example_is_refused_for_its_real_inconsistencies():
    found = check_basket(load("seed003_confirmation_response.json"), now=SEED_NOW)
    # related products: vat 0.00 while net != gross
    for index in (0, 1):
        for key in ("base_price", "promo_price"):
            assert any(v["field"] == f"related_products[{index}].{key}" and "gross must equal net + vat" in v["problem"]
                       for v in found), f"related_products[{index}].{key}"  # fmt: skip
    # Confirming the binding of a basket's own rules break too: promo_price without lowest_price, and
    # CASH_ON_DELIVERY offered while no delivery has the COD option (Basket Update).
    assert fields(found) == {
        "related_products[0].base_price", "related_products[0].promo_price",
        "related_products[1].base_price", "related_products[1].promo_price",
        "products[0].lowest_price", "related_products[0].lowest_price", "related_products[1].lowest_price",
        "summary.payment_type[7]",
    }  # fmt: skip


def test_seed_003_example_passes_once_corrected():
    doc = load("seed003_confirmation_response.json")
    doc["related_products"][0]["base_price"]["vat"] = doc["related_products"][0]["promo_price"]["vat"] = Decimal(
        "46.56"
    )
    doc["related_products"][1]["base_price"]["vat"] = doc["related_products"][1]["promo_price"]["vat"] = Decimal("5.42")
    for product in doc["products"] + doc["related_products"]:
        product["lowest_price"] = copy.deepcopy(product["promo_price"])
    doc["delivery"][0]["delivery_options"].append(
        {"delivery_name": "Pobranie", "delivery_code_value": "COD",
         "delivery_option_price": {"net": Decimal("0.00"), "gross": Decimal("0.00"), "vat": Decimal("0.00")}}
    )  # fmt: skip
    assert check_basket(doc, now=SEED_NOW) == []
    # ... and its expiration date is in the past today.
    assert fields(check_basket(doc)) == {"summary.basket_expiration_date"}


# -- the order answer (docs/inpost-pay-api.md §3.6) -------------------------------------------------


def valid_order() -> dict:
    """2 x 17.50 zł + 10.00 zł delivery = 45.00 zł; 35.00 zł without delivery."""
    price = {"net": "36.59", "gross": "45.00", "vat": "8.41"}
    products_price = {"net": "28.46", "gross": "35.00", "vat": "6.54"}
    return {
        "order_details": {
            "order_id": "ORD-1", "pos_id": "V000000001", "order_creation_date": "2030-01-01T10:00:00.000Z",
            "basket_id": "b-1", "order_merchant_status_description": "Nowe", "payment_type": "BLIK_CODE",
            "order_base_price": products_price, "order_final_price": price, "currency": "PLN",
            "delivery_references_list": [],
        },
        "account_info": {
            "name": "Anna", "surname": "Nowak", "phone_number": {"country_prefix": "+48", "phone": "600000000"},
            "mail": "anna@example.com",
            "client_address": {"country_code": "PL", "address": "ul. Lipowa 1", "city": "Kraków", "postal_code": "30-001"},
        },
        "delivery": {
            "delivery_type": "APM", "delivery_date": "2030-01-03T12:00:00.000Z", "delivery_options": [],
            "delivery_price": {"net": "8.13", "gross": "10.00", "vat": "1.87"}, "delivery_point": "KRA010",
        },
        "products": [{"product_id": "P1", "product_name": "Herbata", "base_price": {"net": "14.23", "gross": "17.50", "vat": "3.27"},
                      "quantity": {"quantity": 2, "quantity_type": "INTEGER"}}],
        "consents": [{"consent_id": "regulamin", "consent_version": "1", "is_accepted": True}],
    }  # fmt: skip


def test_valid_order_passes():
    assert check_order(valid_order(), now=NOW) == []


def test_order_violations_name_the_fields():
    order = valid_order()
    del order["order_details"]["pos_id"]
    order["consents"][0]["is_accepted"] = "yes"
    order["delivery"]["delivery_options"] = {}
    assert fields(check_order(order, now=NOW)) == {
        "order_details.pos_id",
        "consents[0].is_accepted",
        "delivery.delivery_options",
    }


# -- comparing baskets before an order (docs/inpost-pay-api.md §3.1, pitfall 2) ---------------------


def test_same_basket_in_other_spelling_has_no_differences(basket):
    other = json.loads(json.dumps(basket, default=str), parse_float=Decimal)
    other["summary"] = dict(reversed(list(other["summary"].items())))  # key order does not matter
    other["summary"]["basket_base_price"]["gross"] = Decimal("44.6")  # "44.60" and 44.6 are one amount
    assert differences(basket, other) == []


def test_a_changed_quantity_is_a_difference(basket):
    other = copy.deepcopy(basket)
    other["products"][0]["quantity"]["quantity"] = 3
    assert differences(basket, other) == [{"field": "products[0].quantity.quantity", "problem": "was '2', now '3'"}]


# -- products against the summary, orders that add up ------------------------------------


def test_an_empty_product_list_under_a_non_zero_summary_is_refused(basket):
    basket["products"] = []
    basket["summary"]["basket_base_price"] = {"net": "125.45", "gross": "154.30", "vat": "28.85"}
    basket["summary"]["basket_promo_price"] = copy.deepcopy(basket["summary"]["basket_base_price"])
    basket["summary"]["basket_final_price"] = copy.deepcopy(basket["summary"]["basket_base_price"])
    assert {"summary.basket_base_price.gross", "summary.basket_promo_price.gross"} <= fields(
        check_basket(basket, now=NOW))


def test_lines_that_miss_the_summary_are_refused_and_a_grosz_of_rounding_warns(basket):
    stated = Decimal(basket["summary"]["basket_base_price"]["gross"])
    for gap, refused in ((Decimal("5.00"), True), (Decimal("0.01"), False)):
        doc = copy.deepcopy(basket)
        gross = stated + gap
        doc["summary"]["basket_base_price"]["gross"] = f"{gross:.2f}"
        doc["summary"]["basket_base_price"]["net"] = f"{gross - Decimal(doc['summary']['basket_base_price']['vat']):.2f}"
        warnings: list = []
        violations = check_basket(doc, now=NOW, warnings=warnings)
        assert ("summary.basket_base_price.gross" in fields(violations)) is refused
        assert ("summary.basket_base_price.gross" in fields(warnings)) is not refused


def test_discouraged_cases_warn_but_pass(basket):
    basket["related_products"] = [copy.deepcopy(basket["related_products"][0]) for _ in range(11)]
    basket["related_products"][0]["product_id"] = basket["products"][0]["product_id"]
    warnings: list = []
    assert check_basket(basket, now=NOW, warnings=warnings) == []
    assert {"related_products", "related_products[0]"} <= fields(warnings)


def _coffee_order(**line) -> dict:
    """2 x 54.90 zł coffee bought at 46.90 zł a piece, 10.00 zł delivery: 103.80 zł."""
    order = valid_order()
    order["products"][0].update({"base_price": {"net": "44.63", "gross": "54.90", "vat": "10.27"}, **line})
    order["order_details"]["order_final_price"] = {"net": "84.39", "gross": "103.80", "vat": "19.41"}
    order["order_details"]["order_base_price"] = {"net": "76.26", "gross": "93.80", "vat": "17.54"}
    return order


def test_an_order_whose_lines_do_not_reach_its_total_is_refused():
    assert "order_details.order_base_price.gross" in fields(check_order(_coffee_order(), now=NOW))
    promo_only = _coffee_order(promo_price={"net": "38.13", "gross": "46.90", "vat": "8.77"},
                               lowest_price={"net": "38.13", "gross": "46.90", "vat": "8.77"})  # fmt: skip
    assert "order_details.order_base_price.gross" in fields(check_order(promo_only, now=NOW))
    wrong_discount = _coffee_order()
    wrong_discount["order_details"]["order_discount"] = "6.00"
    assert fields(check_order(wrong_discount, now=NOW)) == {"order_details.order_discount"}


PAID = {"net": "76.26", "gross": "93.80", "vat": "17.54"}


@pytest.mark.parametrize(
    ("discount", "line"),
    [("16.00", {}), (None, {"quantity_price": PAID}), ("16.00", {"quantity_price": PAID})],
    ids=["order_discount", "quantity_price", "both"],
)
def test_an_order_that_explains_what_was_paid_passes(discount, line):
    order = _coffee_order(**line)
    if discount is not None:
        order["order_details"]["order_discount"] = discount
    if discount is None:  # quantity_price alone: the base-price lines are not explained, only the paid ones
        order["products"][0]["base_price"] = {"net": "38.13", "gross": "46.90", "vat": "8.77"}
    assert check_order(order, now=NOW) == []


def test_lines_paid_must_reach_order_base_price():
    order = _coffee_order(quantity_price={"net": "81.30", "gross": "100.00", "vat": "18.70"})
    order["order_details"]["order_discount"] = "16.00"
    assert fields(check_order(order, now=NOW)) == {"order_details.order_base_price.gross"}


def test_order_base_price_is_the_total_without_delivery():
    order = valid_order()
    order["order_details"]["order_base_price"] = order["order_details"]["order_final_price"]
    assert "order_details.order_final_price.gross" in fields(check_order(order, now=NOW))
