"""Placing orders and changing them, for every channel.

The website checkout and an integration (InPost Pay's `POST /v1/izi/order`) both
describe the order they want as an `OrderRequest` and call `place_order`; the
rules (delivery, consents, stock, the price the shopper saw) live here once.
The merchant's back office changes orders through `change_status`,
`add_tracking` and `cancel`. Each announces itself through `signals`. The caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from . import pricing
from .basket import compute_totals
from .extensions import db
from .models import Basket, Consent, Order, OrderHistory, OrderLine, OrderTracking, Product
from .money import fmt_pln
from .signals import order_completed_on_website, order_placed, order_status_changed, order_tracking_added

# Shop statuses and the label a shopper sees for each (a merchant may relabel).
STATUSES = {
    "awaiting_payment": "Oczekuje na płatność",
    "accepted": "Przyjęte do realizacji",
    "paid": "Opłacone",
    "processing": "W trakcie realizacji",
    "shipped": "Wysłane",
    "delivered": "Dostarczone",
    "completed": "Zrealizowane",
    "cancelled": "Anulowane",
}
FINAL_STATUSES = {"cancelled", "completed"}

#: Where an order was placed: the shop's own checkout, or InPost Pay (the adapter maps the
#: integration's channel name to this one).
WEBSITE, INPOST_PAY = "website", "inpost_pay"
CHANNELS = {WEBSITE: "sklep internetowy", INPOST_PAY: "InPost Pay"}
PAYMENT_METHODS = {"COD": "Płatność przy odbiorze", "TRANSFER": "Przelew tradycyjny (zapłać później)"}
# Half a grosz: the tolerance of the price check (docs/inpost-pay-api.md §3.5, PS plugin).
PRICE_TOLERANCE = Decimal("0.005")


class OrderError(ValueError):
    """An order that cannot be placed or changed; `message` is readable by a shopper."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class OrderRequest:
    channel: str  # website | inpost_pay
    owner_token: str
    name: str
    surname: str
    email: str
    phone: str
    payment_method: str  # COD | TRANSFER | an InPost payment_type
    delivery_type: str
    phone_prefix: str = "+48"
    delivery_options: list[str] = field(default_factory=list)
    delivery_point: str | None = None
    delivery_address: dict | None = None
    digital_email: str | None = None
    courier_note: str | None = None
    invoice: dict | None = None
    consents: dict[str, str] = field(default_factory=dict)  # accepted: consent id -> version
    comment: str | None = None
    expected_total_gross: Decimal | None = None  # the price the shopper agreed to
    cash_on_delivery: bool = False
    external: dict = field(default_factory=dict)


def required_consents() -> list[Consent]:
    return db.session.scalars(select(Consent).order_by(Consent.position)).all()


def _check_delivery(totals: pricing.BasketTotals, req: OrderRequest) -> pricing.DeliveryQuote:
    quote = totals.delivery(req.delivery_type)
    if quote is None:
        names = ", ".join(d.method.name for d in totals.deliveries)
        raise OrderError(f"Tej formy dostawy nie można wybrać dla tego koszyka (dostępne: {names}).", "delivery_type")
    for code in req.delivery_options:
        if quote.option_price(code) is None:
            raise OrderError(f"Opcji {code} nie ma przy dostawie {quote.method.name}.", "delivery_options")
    if req.cash_on_delivery and "COD" not in req.delivery_options:
        raise OrderError("Płatność przy odbiorze wymaga opcji dostawy COD.", "delivery_options")
    if "COD" in req.delivery_options and not req.cash_on_delivery:
        raise OrderError("Opcja COD jest tylko dla płatności przy odbiorze.", "delivery_options")
    if req.delivery_type == "APM" and not (req.delivery_point or "").strip():
        raise OrderError("Wybierz Paczkomat.", "delivery_point")
    if req.delivery_type == "COURIER":
        address = req.delivery_address or {}
        for key, label in (("street", "ulicę i numer"), ("postal_code", "kod pocztowy"), ("city", "miejscowość")):
            if not str(address.get(key) or "").strip():
                raise OrderError(f"Podaj {label} dostawy.", f"delivery_address.{key}")
    if req.delivery_type == "DIGITAL" and not (req.digital_email or req.email):
        raise OrderError("Podaj adres e-mail dla dostawy elektronicznej.", "digital_email")
    return quote


def _check_consents(req: OrderRequest) -> list[dict]:
    accepted = []
    for consent in required_consents():
        version = req.consents.get(consent.id)
        if consent.required and version != consent.version:
            raise OrderError(f"Zaakceptuj zgodę: {consent.description}.", f"consent_{consent.id}")
        accepted.append(
            {"consent_id": consent.id, "consent_version": consent.version, "is_accepted": version == consent.version}
        )
    return accepted


def _take_stock(basket: Basket) -> None:
    ids = [line.product_id for line in basket.lines]
    stmt = select(Product).where(Product.id.in_(ids)).with_for_update()
    products = {p.id: p for p in db.session.execute(stmt.execution_options(populate_existing=True)).scalars()}
    for line in basket.lines:
        product = products[line.product_id]
        if line.quantity > product.stock:
            raise OrderError(f"Produktu {product.name} nie ma już w tej ilości na stanie.", "products")
    for line in basket.lines:
        products[line.product_id].stock -= line.quantity


def place_order(basket: Basket, req: OrderRequest) -> Order:
    """Turn an open basket into an order. Raises OrderError (nothing changed) when it cannot."""
    if not basket.is_open:
        raise OrderError("Ten koszyk został już zamówiony.", "basket_id")
    if not basket.lines:
        raise OrderError("Koszyk jest pusty.", "products")
    totals = compute_totals(basket)
    quote = _check_delivery(totals, req)
    consents = _check_consents(req)
    total = totals.total_with_delivery(req.delivery_type, req.delivery_options)
    if req.expected_total_gross is not None and abs(total.gross - req.expected_total_gross) > PRICE_TOLERANCE:
        raise OrderError(
            f"Cena koszyka się zmieniła: do zapłaty jest {fmt_pln(total.gross)}, "
            f"a nie {fmt_pln(req.expected_total_gross)}. Odśwież koszyk.",
            "basket_price",
        )
    _take_stock(basket)

    status = "accepted" if req.cash_on_delivery else "awaiting_payment"
    delivery_price = total - totals.final
    order = Order(
        basket_id=basket.id,
        channel=req.channel,
        owner_token=req.owner_token,
        status=status,
        status_label=STATUSES[status],
        payment_method=req.payment_method,
        payment_status="COD" if req.cash_on_delivery else "UNPAID",
        name=req.name.strip(),
        surname=req.surname.strip(),
        email=req.email.strip(),
        phone_prefix=req.phone_prefix,
        phone=req.phone.strip(),
        delivery_type=quote.method.code,
        delivery_options=list(req.delivery_options),
        delivery_point=(req.delivery_point or "").strip().upper() if req.delivery_type == "APM" else None,
        delivery_address=req.delivery_address if req.delivery_type == "COURIER" else None,
        digital_email=(req.digital_email or req.email) if req.delivery_type == "DIGITAL" else None,
        courier_note=req.courier_note,
        invoice=req.invoice,
        consents=consents,
        promo_codes=[{"code": c.code, "name": c.name} for c in totals.applied_codes],
        comment=req.comment,
        external=dict(req.external),
        products_base_gross=totals.base.gross,
        products_final_net=totals.final.net,
        products_final_gross=totals.final.gross,
        delivery_net=delivery_price.net,
        delivery_gross=delivery_price.gross,
        total_net=total.net,
        total_gross=total.gross,
    )
    for priced in totals.lines:
        line = priced.input
        product = db.session.get(Product, line.product_id)
        order.lines.append(
            OrderLine(
                product_id=line.product_id,
                name=line.name,
                ean=product.ean,
                vat_rate=line.vat_rate,
                quantity=line.quantity,
                quantity_type=line.quantity_type,
                quantity_unit=product.quantity_unit,
                unit_base_gross=priced.unit_base.gross,
                final_net=priced.final.net,
                final_gross=priced.final.gross,
            )
        )
    channel = CHANNELS.get(req.channel, req.channel)
    order.history.append(OrderHistory(status=status, label=order.status_label, note=f"Zamówienie złożone ({channel})"))
    basket.status = "ordered"
    db.session.add(order)
    db.session.flush()
    order_placed.send(current_app._get_current_object(), order=order, basket=basket)
    return order


def change_status(order: Order, status: str, label: str | None = None, note: str = "") -> None:
    """Set the shop status and the descriptive label the shopper sees."""
    if status not in STATUSES:
        raise OrderError("Nieznany status zamówienia.", "status")
    if order.status in FINAL_STATUSES and status != order.status:
        raise OrderError(f"Zamówienie jest już {STATUSES[order.status].lower()}.", "status")
    label = (label or "").strip() or STATUSES[status]
    if len(label) > 120:
        raise OrderError("Opis statusu może mieć najwyżej 120 znaków.", "label")
    old = order.status
    order.status, order.status_label = status, label
    order.history.append(OrderHistory(status=status, label=label, note=note))
    db.session.flush()
    order_status_changed.send(
        current_app._get_current_object(), order=order, old_status=old, new_status=status, label=label
    )


def add_tracking(order: Order, number: str) -> None:
    number = (number or "").strip().upper()
    if not number or len(number) > 40 or not number.replace("-", "").isalnum():
        raise OrderError("Numer przesyłki to litery i cyfry, najwyżej 40 znaków.", "number")
    if any(t.number == number for t in order.tracking_numbers):
        raise OrderError(f"Numer {number} jest już przy zamówieniu.", "number")
    if order.status == "cancelled":
        raise OrderError("Zamówienie jest anulowane.", "number")
    order.tracking_numbers.append(OrderTracking(number=number))
    order.history.append(OrderHistory(status=order.status, label=order.status_label, note=f"Numer przesyłki {number}"))
    db.session.flush()
    order_tracking_added.send(current_app._get_current_object(), order=order, number=number)


def cancel(order: Order, note: str = "Anulowane przez sklep") -> None:
    """Cancel and put the goods back on the shelf."""
    if order.status == "cancelled":
        raise OrderError("Zamówienie jest już anulowane.", "status")
    for line in order.lines:
        product = db.session.get(Product, line.product_id)
        product.stock += line.quantity
    change_status(order, "cancelled", note=note)


# Payment statuses a payment provider may report (docs/inpost-pay-api.md §8.8); others are kept as they come.
PAID_STATUSES = {"AUTHORIZED", "COMPLETED", "CAPTURED"}
FAILED_STATUSES = {"DECLINED", "CANCELLED", "ERROR", "FAILED"}


def complete_on_website(order: Order, note: str = "Sfinalizowane w sklepie internetowym") -> None:
    """An order placed through another channel, not paid there, was finished on the website
    (the shopper paid or collected it here): it is completed, and the channel hears of it
    through `order_completed_on_website` (for InPost Pay: ORDER_COMPLETED, Updating orders at the Merchant’s)."""
    if order.channel == "website":
        raise OrderError("To zamówienie złożono w sklepie internetowym.", "channel")
    if order.payment_status in PAID_STATUSES:
        raise OrderError(
            f"Zamówienie opłacono w kanale {CHANNELS.get(order.channel, order.channel)}: "
            "nie można go oznaczyć jako sfinalizowane w sklepie.",
            "payment_status",
        )
    if order.status in FINAL_STATUSES:
        raise OrderError(f"Zamówienie jest już {STATUSES[order.status].lower()}.", "status")
    change_status(order, "completed", note=note)
    order_completed_on_website.send(current_app._get_current_object(), order=order)


def record_payment(order: Order, payment_status: str, note: str = "") -> None:
    """Note what the payment provider says about an order; a paid order moves on to "paid".

    Unknown statuses are stored and shown, never a failure (docs/architecture.md#rules "open enums").
    """
    if order.payment_status == payment_status:
        return
    order.payment_status = payment_status
    if payment_status in PAID_STATUSES and order.status == "awaiting_payment":
        change_status(order, "paid", note=note or f"Płatność: {payment_status}")
    else:
        label = "Płatność odrzucona" if payment_status in FAILED_STATUSES else order.status_label
        order.history.append(OrderHistory(status=order.status, label=label, note=note or f"Płatność: {payment_status}"))
        db.session.flush()
