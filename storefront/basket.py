"""The basket: what a shopper may put in it, and its totals.

Every change goes through these functions, whoever asks for it (the website, or
an integration acting for a partner such as InPost Pay): they check the input,
change the rows, bump the basket's version and announce `basket_changed`. The
caller commits. To change a basket safely under concurrency, fetch it with
`lock_basket` first (docs/architecture.md#rules "Concurrency").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from . import bounds, pricing
from .extensions import begin_write, db
from .models import Basket, BasketLine, BasketPromoCode, Product, PromoCode, utcnow
from .signals import basket_changed

QUANTITY_PLACES = 3


class BasketError(ValueError):
    """A basket change that was refused; `message` is for the shopper, `field` names the input."""

    def __init__(self, message: str, field: str = "", code: str = "BASKET_ERROR"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Adjusted:
    """A quantity that was lowered to what can be sold, with the reason for the shopper."""

    quantity: Decimal
    notice: str | None


# --- finding -------------------------------------------------------------------------------


def get_basket(basket_id: str | None) -> Basket | None:
    if not basket_id or not isinstance(basket_id, str) or len(basket_id) > 64:
        return None
    # One statement for the basket, its lines (with their products) and codes, instead of
    # three; also one snapshot of them on PostgreSQL.
    return db.session.get(Basket, basket_id, options=_WHOLE_BASKET)


_WHOLE_BASKET = (
    # A basket line needs its product's price, name and quantity rules, not its description or
    # attributes (long text and JSON to decode, read when asked for).
    joinedload(Basket.lines).joinedload(BasketLine.product).defer(Product.description).defer(Product.attributes),
    joinedload(Basket.codes),
)


def lock_basket(basket_id: str) -> Basket | None:
    """The basket, locked for this transaction (FOR UPDATE on PostgreSQL; on SQLite the
    transaction holds the write lock, see extensions.begin_write)."""
    if not basket_id or len(basket_id) > 64:
        return None
    begin_write()
    # PostgreSQL: the row lock is a statement of its own. A statement that waits for the lock
    # still reads the rows of the snapshot it started with, before the other writer committed;
    # the read after it starts a new snapshot, taken under the lock.
    if db.engine.dialect.name != "sqlite" and db.session.execute(_LOCK_ROW, {"basket_id": basket_id}).first() is None:
        return None
    # The basket, its lines (with their products) and codes in one statement; the rows as the
    # database has them now, over whatever the session held.
    return db.session.execute(_WHOLE_BASKET_ROW, {"basket_id": basket_id}).unique().scalar_one_or_none()


# Built once, with parameters: cheaper than building them for every call.
_BASKETS, _LINES = Basket.__table__, BasketLine.__table__
_BUMP_VERSION = (
    update(_BASKETS)
    .where(_BASKETS.c.id == bindparam("basket_id"), _BASKETS.c.version == bindparam("version"))
    .values(version=_BASKETS.c.version + 1, updated_at=bindparam("now"))
)
_SET_QUANTITY = update(_LINES).where(_LINES.c.id == bindparam("line_id")).values(quantity=bindparam("quantity"))
_LOCK_ROW = select(_BASKETS.c.id).where(_BASKETS.c.id == bindparam("basket_id")).with_for_update()
_WHOLE_BASKET_ROW = (
    select(Basket).where(Basket.id == bindparam("basket_id")).options(*_WHOLE_BASKET)
    .execution_options(populate_existing=True)
)


def hold(basket: Basket) -> Basket:
    """Keep a basket row referenced for the rest of the request, and return it.

    The database session holds loaded rows weakly: once a caller is done with the row (the
    header has drawn its count, the seam has made its view) nothing refers to it, and the next
    read of the same basket in the request (a slot, `set_quantity`) would load the basket, its
    lines and codes again. Referred to from `g`, the row stays in the session's identity map
    (as current as the session keeps it); `templating.forget_page_memos` lets go at teardown."""
    if has_app_context():
        g.setdefault("_held_baskets", {})[basket.id] = basket
    return basket


def new_basket() -> Basket:
    begin_write()
    basket = Basket()
    db.session.add(basket)
    db.session.flush()
    return basket


def find_product(product_id: object) -> Product:
    try:
        pid = bounds.parse_id(product_id, "product_id")
    except bounds.OutOfBounds:  # "abc", "²", 30 digits: an id that cannot be ours is not found
        raise BasketError("Nie ma takiego produktu.", "product_id", "PRODUCT_NOT_FOUND") from None
    product = db.session.get(Product, pid)
    if product is None or not product.active:
        raise BasketError("Nie ma takiego produktu.", "product_id", "PRODUCT_NOT_FOUND")
    return product


# --- quantities ----------------------------------------------------------------------------


def fmt_quantity(quantity: Decimal, product: Product) -> str:
    text = f"{quantity.normalize():f}".replace(".", ",")
    return f"{text} {product.quantity_unit}"


def parse_quantity(raw: object, product: Product, *, allow_zero: bool = False) -> Decimal:
    """A quantity the shopper typed, checked against how the product is sold."""
    if isinstance(raw, (bool, float)):
        raise BasketError("Ilość musi być liczbą.", "quantity", "INVALID_QUANTITY")
    text = str(raw).strip().replace(",", ".")
    try:
        quantity = Decimal(text)
    except (InvalidOperation, ValueError):
        raise BasketError("Ilość musi być liczbą.", "quantity", "INVALID_QUANTITY") from None
    try:
        bounds.check_number(quantity, "quantity")
    except bounds.OutOfBounds:
        raise BasketError("Ilość musi być liczbą mniejszą od miliarda.", "quantity", "INVALID_QUANTITY") from None
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise BasketError("Ilość musi być większa od zera.", "quantity", "INVALID_QUANTITY")
    if quantity == 0:
        return Decimal("0")
    if product.quantity_type == pricing.INTEGER:
        if quantity != quantity.to_integral_value():
            raise BasketError(
                f"{product.name} sprzedajemy na sztuki: podaj liczbę całkowitą.", "quantity", "INVALID_QUANTITY"
            )
        return quantity.quantize(Decimal(1))
    if -quantity.as_tuple().exponent > QUANTITY_PLACES:
        raise BasketError("Ilość może mieć najwyżej trzy miejsca po przecinku.", "quantity", "INVALID_QUANTITY")
    step = product.quantity_step
    if quantity % step != 0:
        raise BasketError(
            f"{product.name} sprzedajemy w krokach co {fmt_quantity(step, product)}.", "quantity", "INVALID_QUANTITY"
        )
    return quantity.quantize(Decimal("0.001"))


def sellable_limit(product: Product) -> Decimal:
    return min(product.stock, product.max_quantity)


def check_limit(product: Product, quantity: Decimal) -> None:
    """Refuse more than the stock or the per-order maximum (website path)."""
    if quantity > product.stock:
        raise BasketError(
            f"Mamy tylko {fmt_quantity(product.stock, product)} produktu {product.name}.",
            "quantity",
            "OUT_OF_STOCK",
        )
    if quantity > product.max_quantity:
        raise BasketError(
            f"Można zamówić najwyżej {fmt_quantity(product.max_quantity, product)} produktu {product.name}.",
            "quantity",
            "MAX_QUANTITY",
        )


def clamp_to_limit(product: Product, quantity: Decimal) -> Adjusted:
    """Lower a quantity to what can be sold (InPost app path: clamp with a notice, docs/inpost-pay-api.md §3.3)."""
    limit = sellable_limit(product)
    if quantity <= limit:
        return Adjusted(quantity, None)
    step = product.quantity_step
    limit = (limit // step) * step
    return Adjusted(
        limit,
        f"Dostępna ilość produktu {product.name} to {fmt_quantity(limit, product)}; zmieniliśmy ilość.",
    )


# --- changes -------------------------------------------------------------------------------


def _ensure_open(basket: Basket) -> None:
    if not basket.is_open:
        raise BasketError("Ten koszyk został już zamówiony.", "basket_id", "ORDER_EXISTS")


def _changed(basket: Basket, source: str) -> None:
    db.session.flush()  # lines or codes added or removed (nothing for a quantity changed in place)
    # The version bump, as the mapper's version counter would write it (only if the version is
    # still the one read: a stale writer fails), as one Core statement instead of a flush.
    now = utcnow()
    bumped = db.session.execute(_BUMP_VERSION, {"basket_id": basket.id, "version": basket.version, "now": now})
    if bumped.rowcount != 1:
        raise StaleDataError(f"basket {basket.id} changed since version {basket.version} was read")
    set_committed_value(basket, "version", basket.version + 1)
    set_committed_value(basket, "updated_at", now)
    # Lines and codes change through the basket's collections, which stay as the rows are:
    # nothing to reload before the basket is priced again.
    basket_changed.send(current_app._get_current_object(), basket=basket, source=source)


def add_product(basket: Basket, product_id: object, quantity: object = 1, *, source: str = "shop") -> BasketLine:
    """Add `quantity` of a product (added to what the basket already has)."""
    _ensure_open(basket)
    product = find_product(product_id)
    amount = parse_quantity(quantity, product)
    line = basket.line_for(product.id)
    total = amount + (line.quantity if line else 0)
    check_limit(product, total)
    if line is None:
        line = BasketLine(basket=basket, product=product, quantity=total)
        db.session.add(line)
    else:
        line.quantity = total
    _changed(basket, source)
    return line


def set_quantity(
    basket: Basket, product_id: object, quantity: object, *, source: str = "shop", clamp: bool = False
) -> str | None:
    """Set a line's quantity (0 removes it). With `clamp`, too much is lowered with a notice
    instead of refused. Returns the notice, if any."""
    _ensure_open(basket)
    product = find_product(product_id)
    line = basket.line_for(product.id)
    amount = parse_quantity(quantity, product, allow_zero=True)
    notice = None
    if clamp:
        adjusted = clamp_to_limit(product, amount)
        amount, notice = adjusted.quantity, adjusted.notice
    else:
        check_limit(product, amount)
    if amount == 0:
        if line is not None:
            db.session.delete(line)
            basket.lines.remove(line)
    elif line is None:
        db.session.add(BasketLine(basket=basket, product=product, quantity=amount))
    elif line.quantity != amount:
        db.session.execute(_SET_QUANTITY, {"line_id": line.id, "quantity": amount})
        set_committed_value(line, "quantity", amount)
    _changed(basket, source)
    return notice


def remove_product(basket: Basket, product_id: object, *, source: str = "shop") -> None:
    set_quantity(basket, product_id, 0, source=source)


def _code_inputs(codes: list[PromoCode]) -> list[pricing.CodeInput]:
    return [
        pricing.CodeInput(c.code, c.name, c.kind, c.value, c.min_basket_gross, c.valid_until, c.active)
        for c in codes
    ]


def normalize_code(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise BasketError("Podaj kod rabatowy.", "code", "INVALID_CODE")
    code = raw.strip().upper()
    if len(code) > 40:
        raise BasketError("Nie ma takiego kodu rabatowego.", "code", "INVALID_CODE")
    return code


def apply_code(basket: Basket, raw_code: object, *, source: str = "shop", now: datetime | None = None) -> str:
    """Add a promo code; refused with the reason when it does not apply. Returns the message."""
    _ensure_open(basket)
    code = normalize_code(raw_code)
    if any(c.code == code for c in basket.codes):
        raise BasketError(f"Kod {code} jest już w koszyku.", "code", "INVALID_CODE")
    promo = db.session.get(PromoCode, code)
    if promo is None:
        raise BasketError(f"Nie ma kodu {code}.", "code", "INVALID_CODE")
    result = compute_totals(basket, extra_codes=[promo], now=now).codes[-1]
    if not result.applied:
        raise BasketError(result.message, "code", "INVALID_CODE")
    basket.codes.append(BasketPromoCode(code=promo.code, promo=promo))
    _changed(basket, source)
    return result.message


def remove_code(basket: Basket, raw_code: object, *, source: str = "shop") -> None:
    _ensure_open(basket)
    code = normalize_code(raw_code)
    entry = next((c for c in basket.codes if c.code == code), None)
    if entry is None:
        raise BasketError(f"Kodu {code} nie ma w koszyku.", "code", "INVALID_CODE")
    basket.codes.remove(entry)  # delete-orphan: the row goes at the flush
    _changed(basket, source)


@dataclass(frozen=True)
class CodeChange:
    """One outcome of `set_codes`: `ok` False when a wanted code was refused."""

    message: str
    ok: bool


def set_codes(basket: Basket, raw_codes: list, *, source: str, now: datetime | None = None) -> list[CodeChange]:
    """Make the basket's codes the given set (InPost's PROMO_CODES event, docs/inpost-pay-api.md §3.3).

    Codes that cannot be used are left out. Returns what happened, for the shopper:
    each code activated or removed, and each refused with the reason.
    """
    _ensure_open(basket)
    wanted = []
    changes = []
    for raw in raw_codes:
        try:
            code = normalize_code(raw)
        except BasketError as exc:
            changes.append(CodeChange(exc.message, False))
            continue
        if code not in wanted:
            wanted.append(code)
    present = {c.code: c for c in basket.codes}
    for code, entry in present.items():
        if code not in wanted:
            basket.codes.remove(entry)
            changes.append(CodeChange(f"Kod {code} został usunięty.", True))
    db.session.flush()
    for code in wanted:
        if code in present:
            continue
        try:
            changes.append(CodeChange(apply_code(basket, code, source=source, now=now), True))
        except BasketError as exc:
            changes.append(CodeChange(exc.message, False))
    _changed(basket, source)
    return changes


# --- totals --------------------------------------------------------------------------------


def line_inputs(basket: Basket) -> list[pricing.LineInput]:
    return [
        pricing.LineInput(
            product_id=line.product.id,
            name=line.product.name,
            vat_rate=line.product.vat_rate,
            quantity_type=line.product.quantity_type,
            quantity=line.quantity,
            unit_price_gross=line.product.price_gross,
            unit_promo_gross=line.product.promo_price_gross,
            is_digital=line.product.is_digital,
        )
        for line in basket.lines
    ]


def compute_totals(
    basket: Basket | None, *, extra_codes: list[PromoCode] = (), now: datetime | None = None
) -> pricing.BasketTotals:
    """The basket's totals (pricing.compute) from its rows."""
    if basket is None:
        return pricing.compute([], [], now or utcnow())
    codes = [c.promo for c in basket.codes] + list(extra_codes)
    return _priced(line_inputs(basket), _code_inputs(codes), now)


def _priced(lines: list[pricing.LineInput], codes: list[pricing.CodeInput], now: datetime | None):
    """pricing.compute, once per request for the same lines and codes: the answer, the counter
    and the pushes of one request all ask for the same basket's totals. A request prices at
    one instant (its first pricing); an explicit `now` is always computed afresh."""
    if now is not None or not has_request_context():
        return pricing.compute(lines, codes, now or utcnow())
    current = request._get_current_object()
    memo = g.get("_priced")
    if memo is None or memo[0] is not current:
        memo = g._priced = (current, utcnow(), {})
    key = repr((lines, codes))  # repr: Decimal("1") and Decimal("1.000") are equal but print apart
    if key not in memo[2]:
        memo[2][key] = pricing.compute(lines, codes, memo[1])
    return memo[2][key]
