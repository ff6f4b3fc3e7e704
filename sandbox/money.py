"""Amounts as InPost sends and expects them (docs/inpost-pay-api.md §8.1).

Prices are `{net, gross, vat}` objects whose amounts arrive as strings ("307.50")
or JSON numbers (584.62); both are read into Decimal with two places, half-up.
The sandbox keeps its own copy of these few helpers: it must not import the shop.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sandbox.jsonutil import MAX_NUMBER

CENT = Decimal("0.01")
AMOUNT_TEXT = re.compile(r"^-?\d+(\.\d{1,2})?$")


class NotAnAmount(ValueError):
    """The value is not an amount with at most two decimal places."""


def _bounded(amount: Decimal) -> Decimal:
    """No amount comes near a billion; larger ones would overflow quantize (1e30)."""
    if amount and amount.adjusted() >= MAX_NUMBER.adjusted():
        raise NotAnAmount(f"must be less than {MAX_NUMBER:f}")
    return amount


def parse_amount(value: Any) -> Decimal:
    """An InPost amount (string or number, at most 2 places) as Decimal; raises NotAnAmount."""
    if isinstance(value, bool) or value is None:
        raise NotAnAmount("must be a number or a numeric string")
    if isinstance(value, str):
        if not AMOUNT_TEXT.match(value.strip()):
            raise NotAnAmount(f"{value!r} is not an amount with at most 2 decimal places")
        return _bounded(Decimal(value.strip()))
    if isinstance(value, int):
        return _bounded(Decimal(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NotAnAmount("must be finite")
        _bounded(value)
        if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
            raise NotAnAmount(f"{value} has more than 2 decimal places")
        return value
    if isinstance(value, float):  # only when a caller parsed JSON without parse_float=Decimal
        try:
            as_decimal = Decimal(repr(value))
        except InvalidOperation:
            raise NotAnAmount("must be finite") from None
        return parse_amount(as_decimal)
    raise NotAnAmount("must be a number or a numeric string")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price(obj: dict) -> tuple[Decimal, Decimal, Decimal]:
    """(net, gross, vat) of an InPost price object already checked by the contract checker."""
    return parse_amount(obj["net"]), parse_amount(obj["gross"]), parse_amount(obj["vat"])


def add_prices(*objs: dict | None) -> dict:
    """Sum price objects into {net, gross, vat} Decimals (two places)."""
    net = gross = vat = Decimal("0.00")
    for obj in objs:
        if obj:
            n, g, v = price(obj)
            net, gross, vat = net + n, gross + g, vat + v
    return {"net": q2(net), "gross": q2(gross), "vat": q2(vat)}
