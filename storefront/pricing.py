"""Basket totals, computed once, here, with no database or Flask inside.

The three sums follow the InPost Pay documents (002 "Dodatkowy opis dla basket_summary", 001 summary):
- base:  regular prices, no promotion, no code, no delivery;
- promo: after catalogue promotions, before codes, no delivery;
- final: after promotions and promo codes, no delivery.
So final <= promo <= base. Code discounts are spread over the lines in proportion
to their promo value (largest remainder, deterministic), so every line keeps its
own VAT rate and gross = net + vat holds on every line and every sum.

INTEGER quantities are priced per piece; DECIMAL quantities carry the price of
the chosen amount (Basket Update, quantity_type).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .money import ZERO, Price, allocate, fmt_pln, quantize, sum_prices

INTEGER = "INTEGER"
DECIMAL = "DECIMAL"

# Delivery (docs/inpost-pay-api.md §8.5). Prices are gross with 23 % VAT.
DELIVERY_VAT = 23
FREE_DELIVERY_MINIMUM = Decimal("199.00")


@dataclass(frozen=True)
class DeliveryMethod:
    code: str  # APM | COURIER | DIGITAL
    name: str
    price_gross: Decimal
    options: tuple[str, ...]  # delivery_code_value of the options this method offers


@dataclass(frozen=True)
class DeliveryOption:
    code: str  # COD | PWW
    name: str
    price_gross: Decimal


DELIVERY_METHODS = {
    "APM": DeliveryMethod("APM", "Paczkomat InPost 24/7", Decimal("13.99"), ("COD", "PWW")),
    "COURIER": DeliveryMethod("COURIER", "Kurier InPost", Decimal("17.99"), ("COD",)),
    "DIGITAL": DeliveryMethod("DIGITAL", "Dostawa elektroniczna (e-mail)", Decimal("0.00"), ()),
}
DELIVERY_OPTIONS = {
    "COD": DeliveryOption("COD", "Płatność przy odbiorze", Decimal("5.00")),
    "PWW": DeliveryOption("PWW", "Paczka w Weekend", Decimal("6.99")),
}


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    product_id: int
    name: str
    vat_rate: int
    quantity_type: str
    quantity: Decimal
    unit_price_gross: Decimal  # regular price of one piece / one unit of measure
    unit_promo_gross: Decimal | None  # catalogue promotion, if any
    is_digital: bool = False


@dataclass(frozen=True)
class CodeInput:
    code: str
    name: str
    kind: str  # PERCENT | FIXED | FREE_DELIVERY
    value: Decimal
    min_basket_gross: Decimal | None = None
    valid_until: datetime | None = None
    active: bool = True


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedLine:
    input: LineInput
    unit_base: Price  # InPost's base_price: per piece (INTEGER) or for the amount (DECIMAL)
    unit_promo: Price | None
    base: Price  # the whole line at regular prices
    promo: Price  # the whole line after catalogue promotion
    final: Price  # the whole line after codes


@dataclass(frozen=True)
class DeliveryQuote:
    method: DeliveryMethod
    price: Price
    options: tuple[tuple[DeliveryOption, Price], ...]

    def option_price(self, code: str) -> Price | None:
        return next((price for option, price in self.options if option.code == code), None)


@dataclass(frozen=True)
class CodeResult:
    code: str
    name: str
    applied: bool
    message: str  # why it was refused, or what it did


@dataclass(frozen=True)
class BasketTotals:
    lines: tuple[PricedLine, ...]
    base: Price
    promo: Price
    final: Price
    codes: tuple[CodeResult, ...]
    free_delivery: bool
    deliveries: tuple[DeliveryQuote, ...]
    item_count: int = 0
    notices: tuple[str, ...] = field(default=())

    @property
    def applied_codes(self) -> tuple[CodeResult, ...]:
        return tuple(c for c in self.codes if c.applied)

    @property
    def code_discount_gross(self) -> Decimal:
        return self.promo.gross - self.final.gross

    def delivery(self, code: str) -> DeliveryQuote | None:
        return next((d for d in self.deliveries if d.method.code == code), None)

    def total_with_delivery(self, delivery_type: str, option_codes: list[str]) -> Price:
        """final + delivery + chosen options: what an order must be paid (docs/inpost-pay-api.md §8.3)."""
        quote = self.delivery(delivery_type)
        if quote is None:
            raise ValueError(f"delivery {delivery_type} is not available for this basket")
        total = self.final + quote.price
        for code in option_codes:
            price = quote.option_price(code)
            if price is None:
                raise ValueError(f"option {code} is not available with {delivery_type}")
            total = total + price
        return total


# --- the calculation -----------------------------------------------------------------------


def line_amount(unit_gross: Decimal, quantity: Decimal, quantity_type: str) -> Decimal:
    """Gross value of `quantity` at `unit_gross` (per piece, or per kg/m for DECIMAL)."""
    return quantize(unit_gross * quantity)


def price_line(line: LineInput) -> tuple[Price, Price | None, Price, Price]:
    """(unit_base, unit_promo, line_base, line_promo) of one line."""
    rate = line.vat_rate
    base_gross = line_amount(line.unit_price_gross, line.quantity, line.quantity_type)
    promo_unit = line.unit_promo_gross
    promo_gross = (
        line_amount(promo_unit, line.quantity, line.quantity_type) if promo_unit is not None else base_gross
    )
    if line.quantity_type == DECIMAL:
        # Basket Update: for DECIMAL the price sent is the price of the chosen amount.
        unit_base = Price.from_gross(base_gross, rate)
        unit_promo = Price.from_gross(promo_gross, rate) if promo_unit is not None else None
    else:
        unit_base = Price.from_gross(line.unit_price_gross, rate)
        unit_promo = Price.from_gross(promo_unit, rate) if promo_unit is not None else None
    return unit_base, unit_promo, Price.from_gross(base_gross, rate), Price.from_gross(promo_gross, rate)


def check_code(code: CodeInput, promo_gross: Decimal, now: datetime, others: list[CodeInput]) -> str | None:
    """Why `code` cannot be used on a basket worth `promo_gross`, or None if it can."""
    if not code.active:
        return f"Kod {code.code} jest nieaktywny."
    if code.valid_until is not None and code.valid_until < now:
        return f"Kod {code.code} wygasł {code.valid_until:%d.%m.%Y}."
    if code.min_basket_gross is not None and promo_gross < code.min_basket_gross:
        return f"Kod {code.code} działa od zamówień za {fmt_pln(code.min_basket_gross)}."
    if code.kind in ("PERCENT", "FIXED"):
        clash = next((o for o in others if o.kind in ("PERCENT", "FIXED")), None)
        if clash is not None:
            return f"Kodu {code.code} nie można łączyć z kodem {clash.code}."
    return None


def compute(lines: list[LineInput], codes: list[CodeInput], now: datetime) -> BasketTotals:
    """All totals of a basket, codes applied in the order they were entered."""
    priced = [price_line(line) for line in lines]
    promo_total = sum((p[3].gross for p in priced), ZERO)

    applied: list[CodeInput] = []
    results: list[CodeResult] = []
    for code in codes:
        reason = check_code(code, promo_total, now, applied)
        if reason is None:
            applied.append(code)
            results.append(CodeResult(code.code, code.name, True, f"Kod {code.code} został aktywowany."))
        else:
            results.append(CodeResult(code.code, code.name, False, reason))

    discount = ZERO
    for code in applied:
        if code.kind == "PERCENT":
            discount += quantize(promo_total * code.value / 100)
        elif code.kind == "FIXED":
            discount += code.value
    discount = min(discount, promo_total)
    shares = allocate(discount, [p[3].gross for p in priced])

    out_lines = []
    for line, (unit_base, unit_promo, base, promo), share in zip(lines, priced, shares, strict=True):
        final = Price.from_gross(promo.gross - share, line.vat_rate) if share else promo
        out_lines.append(PricedLine(line, unit_base, unit_promo, base, promo, final))

    final_total = sum_prices(pl.final for pl in out_lines)
    free_delivery = any(c.kind == "FREE_DELIVERY" for c in applied) or (
        bool(lines) and final_total.gross >= FREE_DELIVERY_MINIMUM
    )
    return BasketTotals(
        lines=tuple(out_lines),
        base=sum_prices(pl.base for pl in out_lines),
        promo=sum_prices(pl.promo for pl in out_lines),
        final=final_total,
        codes=tuple(results),
        free_delivery=free_delivery,
        deliveries=quote_deliveries(lines, free_delivery),
        item_count=item_count(lines),
    )


def item_count(lines: list[LineInput]) -> int:
    """What the widget's counter shows: pieces for INTEGER lines, one per DECIMAL line."""
    return sum(int(line.quantity) if line.quantity_type == INTEGER else 1 for line in lines)


def available_methods(lines: list[LineInput]) -> list[DeliveryMethod]:
    """DIGITAL only for baskets of digital products; parcels otherwise (docs/inpost-pay-api.md §8.5)."""
    if lines and all(line.is_digital for line in lines):
        return [DELIVERY_METHODS["DIGITAL"]]
    return [DELIVERY_METHODS["APM"], DELIVERY_METHODS["COURIER"]]


def quote_deliveries(lines: list[LineInput], free_delivery: bool) -> tuple[DeliveryQuote, ...]:
    quotes = []
    for method in available_methods(lines):
        gross = ZERO if free_delivery else method.price_gross
        options = tuple(
            (DELIVERY_OPTIONS[c], Price.from_gross(DELIVERY_OPTIONS[c].price_gross, DELIVERY_VAT))
            for c in method.options
        )
        quotes.append(DeliveryQuote(method, Price.from_gross(gross, DELIVERY_VAT), options))
    return tuple(quotes)
