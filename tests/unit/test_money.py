"""Money rules (docs/architecture.md#rules): Decimal, two places, half-up, vat = gross - net."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.money import (
    MoneyError,
    Price,
    allocate,
    fmt,
    fmt_pln,
    net_from_gross,
    parse_amount,
    quantize,
)

amounts = st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2)
rates = st.sampled_from([0, 5, 8, 23])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-1.005", "-1.01"), ("10", "10.00")],
)
def test_quantize_rounds_half_up(value, expected):
    assert quantize(D(value)) == D(expected)


@pytest.mark.parametrize(("value", "expected"), [("12.3", "12.30"), (12, "12.00"), (D("0.10"), "0.10"), ("7", "7.00")])
def test_parse_amount_reads_strings_and_numbers(value, expected):
    assert parse_amount(value) == D(expected)


@pytest.mark.parametrize("value", ["abc", "", "1.234", 1.5, True, "NaN", "Infinity", None])
def test_parse_amount_refuses_what_is_not_money(value):
    with pytest.raises(MoneyError):
        parse_amount(value)


def test_json_and_display_forms():
    assert fmt(D("307.5")) == "307.50"
    assert fmt_pln(D("1234.5")) == "1\u00a0234,50\u00a0zł"
    assert fmt_pln(D("0.99")) == "0,99\u00a0zł"


def test_net_from_gross_matches_the_seed_example():
    # Basket Update: gross 307.50 at 23 % has net 250.00 and vat 57.50.
    price = Price.from_gross(D("307.50"), 23)
    assert (price.net, price.vat) == (D("250.00"), D("57.50"))
    assert price.as_json() == {"net": "250.00", "gross": "307.50", "vat": "57.50"}


@given(amounts, rates)
def test_price_is_always_consistent(gross, rate):
    price = Price.from_gross(gross, rate)
    assert price.net + price.vat == price.gross
    assert price.net <= price.gross
    assert price.net == net_from_gross(gross, rate)
    assert price.net == price.net.quantize(D("0.01"))


@given(amounts, st.lists(amounts.filter(lambda a: a > 0), min_size=1, max_size=8))
def test_allocate_splits_exactly_and_proportionally(amount, weights):
    shares = allocate(amount, weights)
    assert sum(shares) == amount
    total = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - amount * weight / total) < D("0.01")


def test_allocate_is_deterministic_on_ties():
    assert allocate(D("0.01"), [D("1"), D("1")]) == [D("0.01"), D("0.00")]
    assert allocate(D("0.02"), [D("1"), D("1"), D("1")]) == [D("0.01"), D("0.01"), D("0.00")]
