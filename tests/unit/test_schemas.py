"""Parsing InPost's requests (Basket Update, Confirming the binding of a basket, 004; docs/inpost-pay-api.md §3.5) and naming bad fields."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from inpost_pay.schemas import (
    SchemaError,
    load_json,
    parse_basket_event,
    parse_confirmation,
    parse_order_create,
    parse_order_event,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict:
    return load_json((FIXTURES / name).read_bytes())


def field_of(parser, data) -> str:
    with pytest.raises(SchemaError) as err:
        parser(data)
    return err.value.field


# --- load_json --------------------------------------------------------------------------------------


def test_numbers_are_decimal_never_float():
    data = load_json(b'{"a": 584.62, "b": 0.1, "c": 3}')
    assert data == {"a": Decimal("584.62"), "b": Decimal("0.1"), "c": 3}
    assert isinstance(data["a"], Decimal)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"text"',
        b"\xff\xfe{}",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1',
        b"[" * 100000,
    ],
)
def test_unreadable_bodies(raw):
    with pytest.raises(SchemaError) as err:
        load_json(raw)
    assert err.value.field == "body"


# --- confirmation (Confirming the binding of a basket) --------------------------------------------------------------------------


def test_seed_003_confirmation_example():
    c = parse_confirmation(fixture("seed_003_confirmation_request.json"))
    assert c.status == "SUCCESS" and not c.rejected
    assert c.inpost_basket_id == "xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx"
    assert (c.phone_number.country_prefix, c.phone_number.phone) == ("+48", "5xxxxxxxx")
    assert c.browser.browser_trusted is True
    assert c.browser.browser_id == "xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx"
    assert c.masked_phone_number == "5x*****xx"
    assert (c.name, c.surname) == ("<secret>", "<secret>")


def test_confirmation_fields_are_optional_and_ids_trimmed():
    c = parse_confirmation({"inpost_basket_id": " 866e5bf6-4e8a-443e-98f5-f9b0c5c149dd"})
    assert c.status == "SUCCESS"
    assert c.inpost_basket_id == "866e5bf6-4e8a-443e-98f5-f9b0c5c149dd"
    assert c.browser is None and c.phone_number is None
    assert parse_confirmation({"status": "REJECT"}).rejected


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "MAYBE"}, "status"),
        ({"status": 1}, "status"),
        ({"browser": {"browser_id": "x"}}, "browser.browser_trusted"),
        ({"browser": {"browser_trusted": "yes"}}, "browser.browser_trusted"),
        ({"browser": []}, "browser"),
        ({"phone_number": {"country_prefix": "+48"}}, "phone_number.phone"),
        ({"phone_number": {"country_prefix": "+48", "phone": 600000000}}, "phone_number.phone"),
        ({"masked_phone_number": ["60*****00"]}, "masked_phone_number"),
    ],
)
def test_bad_confirmations_name_the_field(data, field):
    assert field_of(parse_confirmation, data) == field


# --- basket event (Basket Update) -----------------------------------------------------------------------


def test_basket_event_object_form_from_the_seed():
    e = parse_basket_event(fixture("basket_event_object_form.json"))
    assert e.event_type == "PRODUCTS_QUANTITY"
    assert e.event_data_time == datetime(2023, 9, 20, 13, 27, 25, 760000, tzinfo=UTC)
    assert len(e.quantity_event_data) == 1
    change = e.quantity_event_data[0]
    assert change.product_id == "26"  # InPost's example draws a number; product ids are strings
    assert change.quantity.quantity == 1
    assert change.quantity.quantity_type == "INTEGER"
    assert change.quantity.available_quantity == 26
    assert e.phone_number.phone == "600000000"


def test_basket_event_list_form_as_plugins_read_it():
    e = parse_basket_event(fixture("basket_event_list_form.json"))
    assert [c.product_id for c in e.quantity_event_data] == ["1", "2"]
    assert e.quantity_event_data[1].quantity.quantity == Decimal("0.35")
    assert e.quantity_event_data[1].quantity.quantity_type == "DECIMAL"
    assert e.promo_codes_event_data == () and e.related_products_event_data == ()


@pytest.mark.parametrize(
    "codes",
    [
        {"name": "Promotion 5%", "promo_code_value": "INPOST10"},
        [{"name": "Promotion 5%", "promo_code_value": "INPOST10"}],
    ],
)
def test_promo_codes_event_both_forms(codes):
    e = parse_basket_event(
        {
            "event_id": "e",
            "event_data_time": "2023-09-20T13:27:25.760Z",
            "event_type": "PROMO_CODES",
            "promo_codes_event_data": codes,
        }
    )
    assert [(c.name, c.promo_code_value) for c in e.promo_codes_event_data] == [("Promotion 5%", "INPOST10")]


def test_promo_codes_event_empty_list_removes_all():
    e = parse_basket_event(
        {
            "event_id": "e",
            "event_data_time": "2023-09-20T13:27:25Z",
            "event_type": "PROMO_CODES",
            "promo_codes_event_data": [],
        }
    )
    assert e.promo_codes_event_data == ()


def test_related_products_event():
    e = parse_basket_event(
        {
            "event_id": "e",
            "event_data_time": "2023-09-20T13:27:25.760Z",
            "event_type": "RELATED_PRODUCTS",
            "related_products_event_data": {
                "product_id": 26,
                "ean": "0",
                "quantity": {"quantity": 1, "quantity_type": "INTEGER"},
            },
        }
    )
    assert e.related_products_event_data[0].product_id == "26"
    assert e.related_products_event_data[0].ean == "0"


BASE_EVENT = {
    "event_id": "e-1",
    "event_data_time": "2023-09-20T13:27:25.760Z",
    "event_type": "PRODUCTS_QUANTITY",
    "quantity_event_data": [{"product_id": "1", "quantity": {"quantity": 2, "quantity_type": "INTEGER"}}],
}


def _event(**changes):
    data = copy.deepcopy(BASE_EVENT)
    for key, value in changes.items():
        if value is ...:
            data.pop(key)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_event(event_id=...), "event_id"),
        (_event(event_id=True), "event_id"),
        (_event(event_data_time=...), "event_data_time"),
        (_event(event_data_time="20.09.2023"), "event_data_time"),
        (_event(event_type="PRODUCT_QUANTITY"), "event_type"),
        (_event(event_type=...), "event_type"),
        (_event(quantity_event_data=...), "quantity_event_data"),
        (_event(quantity_event_data=[]), "quantity_event_data"),
        (_event(quantity_event_data="1"), "quantity_event_data"),
        (_event(quantity_event_data=[{"quantity": {"quantity": 1}}]), "quantity_event_data[0].product_id"),
        (
            _event(quantity_event_data=[{"product_id": {"id": 1}, "quantity": {"quantity": 1}}]),
            "quantity_event_data[0].product_id",
        ),
        (_event(quantity_event_data=[{"product_id": "1"}]), "quantity_event_data[0].quantity"),
        (_event(quantity_event_data=[{"product_id": "1", "quantity": {}}]), "quantity_event_data[0].quantity.quantity"),
        (
            _event(
                quantity_event_data=[
                    BASE_EVENT["quantity_event_data"][0],
                    {"product_id": "2", "quantity": {"quantity": "dużo"}},
                ]
            ),
            "quantity_event_data[1].quantity.quantity",
        ),
        (
            _event(quantity_event_data=[{"product_id": "1", "quantity": {"quantity": -1}}]),
            "quantity_event_data[0].quantity.quantity",
        ),
        (
            _event(quantity_event_data=[{"product_id": "1", "quantity": {"quantity": True}}]),
            "quantity_event_data[0].quantity.quantity",
        ),
        (
            _event(
                quantity_event_data=[{"product_id": "1", "quantity": {"quantity": 1.5, "quantity_type": "INTEGER"}}]
            ),
            "quantity_event_data[0].quantity.quantity",
        ),
        (
            _event(quantity_event_data=[{"product_id": "1", "quantity": {"quantity": 1, "quantity_type": "PIECES"}}]),
            "quantity_event_data[0].quantity.quantity_type",
        ),
        (_event(event_type="PROMO_CODES"), "promo_codes_event_data"),
        (
            _event(event_type="PROMO_CODES", promo_codes_event_data=[{"name": "x"}]),
            "promo_codes_event_data[0].promo_code_value",
        ),
        (
            _event(event_type="PROMO_CODES", promo_codes_event_data=[{"promo_code_value": " "}]),
            "promo_codes_event_data[0].promo_code_value",
        ),
        (_event(event_type="RELATED_PRODUCTS"), "related_products_event_data"),
        (_event(phone_number="600000000"), "phone_number"),
    ],
)
def test_bad_basket_events_name_the_field(data, field):
    assert field_of(parse_basket_event, data) == field


def test_parse_float_numbers_come_from_load_json():
    raw = json.dumps(BASE_EVENT).replace('"quantity": 2', '"quantity": 2.0').encode()
    e = parse_basket_event(load_json(raw))
    assert e.quantity_event_data[0].quantity.quantity == 2


# --- order create (docs/inpost-pay-api.md §3.5) ------------------------------------------------------------------


def test_order_create_parses():
    o = parse_order_create(fixture("order_create_request.json"))
    d = o.order_details
    assert d.basket_id == "b-7f3a" and d.currency == "PLN"
    assert (d.basket_price.net, d.basket_price.gross) == (Decimal("101.85"), Decimal("124.54"))
    assert d.payment_type == "CASH_ON_DELIVERY"
    assert [(p.key, p.value) for p in d.basket_additional_parameters] == [("campaign", "lato")]
    assert o.account_info.client_address.address_details.street == "Lipowa"
    assert o.invoice_details.legal_form == "COMPANY"
    assert o.invoice_details.as_dict()["tax_id"] == "5260250274"
    assert o.delivery.delivery_type == "COURIER"
    assert o.delivery.delivery_codes == ("COD",)
    assert o.delivery.delivery_address.name == "  Piotr Nowak "
    assert [(c.consent_id, c.consent_version, c.is_accepted) for c in o.consents] == [
        ("1", "3", True),
        ("2", "2", True),
        ("3", "1", False),
    ]
    assert o.unknown_values == ()


def test_order_amounts_as_strings_too():
    data = fixture("order_create_request.json")
    data["order_details"]["basket_price"] = {"net": "101.85", "gross": "124.54", "vat": "22.69"}
    assert parse_order_create(data).order_details.basket_price.gross == Decimal("124.54")


def test_unknown_payment_type_is_kept():
    """payment_type is an open enum (pitfall 7): PS crashed on CARD_NT once."""
    data = fixture("order_create_request.json")
    data["order_details"]["payment_type"] = "CARD_NT"
    o = parse_order_create(data)
    assert o.order_details.payment_type == "CARD_NT"
    assert o.unknown_values == ("order_details.payment_type=CARD_NT",)


def test_minimal_apm_order():
    data = {
        "order_details": {
            "basket_id": "b",
            "currency": "PLN",
            "basket_price": {"net": 10, "gross": 12.3, "vat": 2.3},
            "payment_type": "BLIK_CODE",
        },
        "account_info": {
            "name": "A",
            "surname": "B",
            "mail": "a@b.pl",
            "phone_number": {"country_prefix": "+48", "phone": "600000000"},
        },
        "delivery": {"delivery_type": "APM", "delivery_point": "KRA010"},
    }
    o = parse_order_create(load_json(json.dumps(data).encode()))
    assert o.delivery.delivery_codes == () and o.consents == () and o.invoice_details is None
    assert o.order_details.basket_price.gross == Decimal("12.30")


def _order(path: str, value):
    data = fixture("order_create_request.json")
    *parents, last = path.split(".")
    target = data
    for name in parents:
        target = target[name]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("order_details", ..., "order_details"),
        ("order_details.basket_id", ..., "order_details.basket_id"),
        ("order_details.currency", "EUR", "order_details.currency"),
        ("order_details.basket_price", ..., "order_details.basket_price"),
        ("order_details.basket_price", 124.54, "order_details.basket_price"),
        ("order_details.basket_price.gross", ..., "order_details.basket_price.gross"),
        ("order_details.basket_price.gross", "sto", "order_details.basket_price.gross"),
        ("order_details.basket_price.gross", "124.545", "order_details.basket_price.gross"),
        ("order_details.basket_price.gross", -1, "order_details.basket_price.gross"),
        ("order_details.payment_type", ..., "order_details.payment_type"),
        ("order_details.payment_type", "", "order_details.payment_type"),
        (
            "order_details.basket_additional_parameters",
            [{"key": "k"}],
            "order_details.basket_additional_parameters[0].value",
        ),
        ("account_info", ..., "account_info"),
        ("account_info.mail", ..., "account_info.mail"),
        ("account_info.phone_number", ..., "account_info.phone_number"),
        ("account_info.client_address", "Lipowa 5", "account_info.client_address"),
        ("invoice_details.legal_form", "FIRMA", "invoice_details.legal_form"),
        ("invoice_details.tax_id", 5260250274, "invoice_details.tax_id"),
        ("delivery", ..., "delivery"),
        ("delivery.delivery_type", "DRONE", "delivery.delivery_type"),
        ("delivery.delivery_codes", "COD", "delivery.delivery_codes"),
        ("delivery.delivery_codes", ["COD", 1], "delivery.delivery_codes[1]"),
        ("delivery.delivery_address", [], "delivery.delivery_address"),
        ("consents", {"consent_id": "1"}, "consents"),
        ("consents", [{"consent_id": "1", "consent_version": "3"}], "consents[0].is_accepted"),
        ("consents", [{"consent_id": "1", "consent_version": "3", "is_accepted": "true"}], "consents[0].is_accepted"),
    ],
)
def test_bad_orders_name_the_field(path, value, field):
    assert field_of(parse_order_create, _order(path, value)) == field


# --- order event (Updating orders at the Merchant’s) ----------------------------------------------------------------------


def test_seed_004_order_event_example():
    e = parse_order_event(fixture("seed_004_order_event_request.json"))
    assert e.event_id == "c0660589-e9d6-4b84-bda8-8ad4fac8cf12"
    assert e.event_data_time == datetime(2023, 12, 17, 8, 56, 43, 819000, tzinfo=UTC)
    assert e.event_data.payment_status == "AUTHORIZED"
    assert e.event_data.payment_type == "BLIK_CODE"
    assert e.event_data.payment_id == "2ef680e4-d493-460d-a12e-93ecf7a50d15"
    assert e.event_data.payment_reference.startswith("56868_")
    assert e.event_data.order_status is None
    assert e.unknown_values == ()


def test_order_event_open_enums_keep_new_values():
    e = parse_order_event(
        {
            "event_id": "e",
            "event_data_time": "2023-12-17T08:56:43.819Z",
            "event_data": {"payment_status": "REFUNDED", "order_status": "ORDER_ARCHIVED", "payment_type": "CARD_NT"},
        }
    )
    assert (e.event_data.payment_status, e.event_data.order_status, e.event_data.payment_type) == (
        "REFUNDED",
        "ORDER_ARCHIVED",
        "CARD_NT",
    )
    assert e.unknown_values == (
        "event_data.payment_status=REFUNDED",
        "event_data.order_status=ORDER_ARCHIVED",
        "event_data.payment_type=CARD_NT",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"event_data_time": "2023-12-17T08:56:43Z", "event_data": {}}, "event_id"),
        ({"event_id": "e", "event_data": {}}, "event_data_time"),
        ({"event_id": "e", "event_data_time": "2023-12-17T08:56:43Z"}, "event_data"),
        ({"event_id": "e", "event_data_time": "2023-12-17T08:56:43Z", "event_data": "PAID"}, "event_data"),
        (
            {"event_id": "e", "event_data_time": "2023-12-17T08:56:43Z", "event_data": {"payment_status": 5}},
            "event_data.payment_status",
        ),
        (
            {"event_id": "e", "event_data_time": "2023-12-17T08:56:43Z", "event_data": {"payment_id": ["x"]}},
            "event_data.payment_id",
        ),
    ],
)
def test_bad_order_events_name_the_field(data, field):
    assert field_of(parse_order_event, data) == field


# --- the wording of refusals, as the 400 answer carries it -------------------------------------------


@pytest.mark.parametrize(
    ("parser", "data", "text"),
    [
        (parse_basket_event, _event(event_id="e" * 101), "event_id: is too long (at most 100 characters)"),
        (parse_basket_event, _event(event_id=" "), "event_id: must be a non-empty id"),
        (parse_basket_event, _event(event_data_time=None), "event_data_time: is required"),
        (
            parse_basket_event,
            _event(event_type="X"),
            "event_type: must be one of PRODUCTS_QUANTITY, PROMO_CODES, RELATED_PRODUCTS, not 'X'",
        ),  # fmt: skip
        (
            parse_basket_event,
            _event(quantity_event_data={"quantity": {"quantity": 1}}),
            "quantity_event_data.product_id: is required",  # the single-object form: no index
        ),
        (
            parse_basket_event,
            _event(quantity_event_data=[{"product_id": "1", "quantity": {"quantity": "1e30"}}]),
            "quantity_event_data[0].quantity.quantity: must be less than 1000000000, not '1e30'",
        ),
        (
            parse_confirmation,
            {"browser": {"browser_trusted": "yes"}},
            "browser.browser_trusted: must be true or false, not a string",
        ),  # fmt: skip
        (parse_confirmation, {"name": ["x"]}, "name: must be a string, not a list"),
        (parse_confirmation, [], "body: must be an object"),
        (
            parse_order_create,
            _order("order_details.basket_price.gross", 124.5),
            "order_details.basket_price.gross: order_details.basket_price.gross must be a decimal string or number, "
            "not float",
        ),
        (parse_order_create, _order("consents", {"consent_id": "1"}), "consents: must be a list, not an object"),
    ],
)
def test_refusals_are_worded_for_the_answer(parser, data, text):
    with pytest.raises(SchemaError) as err:
        parser(data)
    assert str(err.value) == text


def test_unknown_values_are_never_read_from_the_body():
    data = fixture("seed_004_order_event_request.json")
    data["unknown_values"] = ["event_data.payment_status=FORGED"]
    assert parse_order_event(data).unknown_values == ()
