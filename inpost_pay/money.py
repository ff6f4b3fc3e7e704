"""The integration's money: `Decimal` amounts with two places, rounded half-up, and InPost's
price object `{net, gross, vat}`. Its own, so that it needs nothing of the shop's code; amounts
cross the seam (`inpost_pay/shop.py`) as `Decimal` or as this `Price`. No float ever touches
an amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import bounds

CURRENCY = "PLN"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"


class MoneyError(ValueError):
    """An amount that cannot be read as money (not a number, float, too many places)."""


def quantize(amount: Decimal) -> Decimal:
    """Round to grosze, half-up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """An amount from InPost's JSON (parsed with `parse_float=Decimal`): a float here means the
    body was parsed the wrong way, and is refused rather than silently rounded."""
    if isinstance(value, (bool, float)):
        raise MoneyError(f"{field} must be a decimal string or number, not {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"{field} is not a number: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"{field} is not a finite number")
    try:
        bounds.check_number(amount, field)  # before quantize, which overflows on 1e30
    except bounds.OutOfBounds as exc:
        raise MoneyError(str(exc)) from None
    if amount != quantize(amount):
        raise MoneyError(f"{field} has more than two decimal places: {value!r}")
    return quantize(amount)


def fmt(amount: Decimal) -> str:
    """JSON form: a string with exactly two decimals."""
    return f"{quantize(amount):.2f}"


def fmt_pln(amount: Decimal) -> str:
    """Display form for Polish texts: "1 234,50 zł"."""
    whole, frac = fmt(amount).split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{frac}{NBSP}zł"


@dataclass(frozen=True)
class Price:
    """InPost's price object: {net, gross, vat}, always consistent (vat = gross - net)."""

    net: Decimal
    gross: Decimal

    @property
    def vat(self) -> Decimal:
        return self.gross - self.net

    @classmethod
    def from_gross(cls, gross: Decimal, vat_rate: int) -> Price:
        gross = quantize(gross)
        return cls(net=quantize(gross * 100 / (100 + vat_rate)), gross=gross)

    @classmethod
    def zero(cls) -> Price:
        return cls(ZERO, ZERO)

    def __add__(self, other: Price) -> Price:
        return Price(self.net + other.net, self.gross + other.gross)

    def __sub__(self, other: Price) -> Price:
        return Price(self.net - other.net, self.gross - other.gross)

    def as_json(self) -> dict[str, str]:
        return {"net": fmt(self.net), "gross": fmt(self.gross), "vat": fmt(self.vat)}


def sum_prices(prices) -> Price:
    total = Price.zero()
    for price in prices:
        total = total + price
    return total
