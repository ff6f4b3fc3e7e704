"""Money, the one place amounts are rounded.

Rules (docs/architecture.md#rules, docs/inpost-pay-api.md §8.1): amounts are `Decimal` with two places,
rounded half-up; a price is a `Price(net, gross, vat)` with `vat = gross - net`;
the shop keeps gross prices (Polish retail) and derives net from the VAT rate.
JSON amounts go out as strings with two decimals ("307.50") and come in as
numbers or strings. PLN only. No float ever touches an amount.
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
    """Read an amount from JSON or a form: "12.30", 12.3 written as 12.30 in JSON, 12.

    JSON numbers are parsed by the caller with `parse_float=Decimal`, so a float
    here means someone bypassed that; it is refused rather than silently rounded.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"{field} must be a decimal string or number, not {type(value).__name__}")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise MoneyError(f"{field} is not a number: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"{field} is not a finite number")
    try:
        bounds.check_number(amount, field)
    except bounds.OutOfBounds as exc:
        raise MoneyError(str(exc)) from None
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise MoneyError(f"{field} has more than two decimal places: {value!r}")
    return quantize(amount)


def to_grosze(amount: Decimal) -> int:
    return int(quantize(amount) * 100)


def from_grosze(grosze: int) -> Decimal:
    return quantize(Decimal(grosze) / 100)


def fmt(amount: Decimal) -> str:
    """JSON form: a string with exactly two decimals."""
    return f"{quantize(amount):.2f}"


def fmt_pln(amount: Decimal) -> str:
    """Display form for Polish pages: "1 234,50 zł"."""
    whole, frac = f"{quantize(amount):.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{frac}{NBSP}zł"


def net_from_gross(gross: Decimal, vat_rate: int) -> Decimal:
    """Net part of a gross amount at `vat_rate` percent, rounded once."""
    return quantize(gross * 100 / (100 + vat_rate))


@dataclass(frozen=True)
class Price:
    """An InPost price object: {net, gross, vat}, always consistent (vat = gross - net)."""

    net: Decimal
    gross: Decimal

    @property
    def vat(self) -> Decimal:
        return self.gross - self.net

    @classmethod
    def from_gross(cls, gross: Decimal, vat_rate: int) -> Price:
        gross = quantize(gross)
        return cls(net=net_from_gross(gross, vat_rate), gross=gross)

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


def allocate(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `amount` over `weights` in grosze, proportionally, summing exactly to `amount`.

    Largest remainder, ties to the earlier item, so the split is deterministic
    (InPost compares the basket it holds with the one we serve: docs/architecture.md#the-flows).
    """
    total_weight = sum(weights)
    grosze = to_grosze(amount)
    if total_weight <= 0 or not weights:
        return [ZERO for _ in weights]
    exact = [Decimal(grosze) * w / total_weight for w in weights]
    floors = [int(e) for e in exact]
    left = grosze - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [from_grosze(g) for g in floors]
