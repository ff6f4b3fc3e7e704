"""Basket totals (InPost Pay (Basket App): base, promo, final; Basket Update: INTEGER vs DECIMAL pricing)."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storefront.pricing import DECIMAL, INTEGER, CodeInput, LineInput, compute

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def line(pid=1, price="10.00", promo=None, qty="1", qtype=INTEGER, rate=23, digital=False):
    return LineInput(pid, f"P{pid}", rate, qtype, D(qty), D(price), D(promo) if promo else None, digital)


RABAT10 = CodeInput("RABAT10", "Rabat 10%", "PERCENT", D("10"))
MINUS20 = CodeInput("MINUS20", "20 zł", "FIXED", D("20.00"), min_basket_gross=D("150.00"))
FREE = CodeInput("DOSTAWA0", "Darmowa dostawa", "FREE_DELIVERY", D("0"))
EXPIRED = CodeInput("LATO", "Lato", "PERCENT", D("15"), valid_until=datetime(2025, 8, 31, tzinfo=UTC))


def test_integer_lines_are_priced_per_piece():
    totals = compute([line(price="54.90", promo="46.90", qty="2")], [], NOW)
    (priced,) = totals.lines
    assert priced.unit_base.gross == D("54.90")
    assert priced.unit_promo.gross == D("46.90")
    assert (totals.base.gross, totals.promo.gross, totals.final.gross) == (D("109.80"), D("93.80"), D("93.80"))


def test_decimal_lines_carry_the_price_of_the_chosen_amount():
    # Basket Update: 0.35 kg of flour at PLN 5 is sent with price 5 (here 89.00/kg x 0.3 kg = 26.70).
    totals = compute([line(price="89.00", qty="0.3", qtype=DECIMAL)], [], NOW)
    assert totals.lines[0].unit_base.gross == D("26.70")
    assert totals.final.gross == D("26.70")
    assert totals.item_count == 1


def test_percentage_code_applies_to_the_promo_total_and_spreads_over_vat_rates():
    totals = compute([line(1, "100.00", rate=23), line(2, "50.00", rate=5)], [RABAT10], NOW)
    assert totals.final.gross == D("135.00")
    assert [pl.final.gross for pl in totals.lines] == [D("90.00"), D("45.00")]
    assert totals.final.net == sum(pl.final.net for pl in totals.lines)


def test_fixed_code_needs_its_minimum_and_does_not_combine_with_another_discount():
    small = compute([line(price="100.00")], [MINUS20], NOW)
    assert not small.codes[0].applied and "150,00" in small.codes[0].message
    big = compute([line(price="200.00")], [RABAT10, MINUS20], NOW)
    assert [c.applied for c in big.codes] == [True, False]
    assert "łączyć" in big.codes[1].message


def test_free_delivery_code_combines_and_zeroes_parcel_delivery_but_not_options():
    totals = compute([line(price="20.00")], [RABAT10, FREE], NOW)
    assert all(c.applied for c in totals.codes)
    apm = totals.delivery("APM")
    assert apm.price.gross == D("0.00")
    assert apm.option_price("COD").gross == D("5.00")


def test_expired_code_is_refused_with_its_date():
    totals = compute([line()], [EXPIRED], NOW)
    assert not totals.codes[0].applied
    assert "wygasł 31.08.2025" in totals.codes[0].message


def test_free_delivery_threshold():
    assert not compute([line(price="198.99")], [], NOW).free_delivery
    assert compute([line(price="199.00")], [], NOW).free_delivery


def test_digital_only_baskets_get_digital_delivery_only():
    digital = compute([line(digital=True)], [], NOW)
    assert [d.method.code for d in digital.deliveries] == ["DIGITAL"]
    mixed = compute([line(1, digital=True), line(2)], [], NOW)
    assert [d.method.code for d in mixed.deliveries] == ["APM", "COURIER"]


def test_total_with_delivery_adds_the_chosen_options():
    totals = compute([line(price="20.00")], [], NOW)
    assert totals.total_with_delivery("APM", ["COD", "PWW"]).gross == D("20.00") + D("13.99") + D("5.00") + D("6.99")
    with pytest.raises(ValueError):
        totals.total_with_delivery("COURIER", ["PWW"])
    with pytest.raises(ValueError):
        totals.total_with_delivery("DIGITAL", [])


@st.composite
def integer_line(draw):
    price = draw(st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2))
    # A catalogue promotion is always below the regular price.
    promo = draw(st.one_of(st.none(), st.decimals(min_value=D("0.01"), max_value=price, places=2)))
    return line(
        pid=draw(st.integers(1, 99)),
        price=str(price),
        promo=str(promo) if promo is not None else None,
        qty=str(draw(st.integers(1, 20))),
        rate=draw(st.sampled_from([5, 8, 23])),
    )


lines_strategy = st.lists(integer_line(), max_size=6)
decimal_lines = st.lists(
    st.builds(
        line,
        price=st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2).map(str),
        qty=st.decimals(min_value=D("0.001"), max_value=D("10"), places=3).map(str),
        qtype=st.just(DECIMAL),
        rate=st.sampled_from([5, 8, 23]),
    ),
    max_size=3,
)
code_sets = st.lists(st.sampled_from([RABAT10, MINUS20, FREE, EXPIRED]), unique_by=lambda c: c.code, max_size=3)


@given(lines_strategy, decimal_lines, code_sets)
def test_totals_invariants(int_lines, dec_lines, codes):
    totals = compute(int_lines + dec_lines, codes, NOW)
    prices = [totals.base, totals.promo, totals.final]
    for pl in totals.lines:
        prices += [pl.unit_base, pl.base, pl.promo, pl.final] + ([pl.unit_promo] if pl.unit_promo else [])
        assert pl.final.gross <= pl.promo.gross <= pl.base.gross
    for d in totals.deliveries:
        prices += [d.price] + [p for _, p in d.options]
    for price in prices:
        assert price.net + price.vat == price.gross
        assert price.gross == price.gross.quantize(D("0.01"))
        assert price.net == price.net.quantize(D("0.01"))
    assert totals.final.gross <= totals.promo.gross <= totals.base.gross
    assert totals.final.gross >= 0
    assert totals.final.gross == sum(pl.final.gross for pl in totals.lines)
    assert totals.final.net == sum(pl.final.net for pl in totals.lines)
    # Stable: the same basket gives the same totals.
    assert compute(int_lines + dec_lines, codes, NOW) == totals
