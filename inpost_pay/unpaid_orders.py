"""What the merchant does with an InPost Pay order whose payment never succeeds.

A declined (or cancelled, or failed) payment is not the end of an order: the shopper may
pay again in InPost's app, and InPost then sends the merchant a new order event with
`payment_status` AUTHORIZED ("InPost Pay: Updating orders at the Merchant's"). So the shop
keeps such an order "awaiting payment" and keeps its goods reserved, but not for ever:
after `INPOST_PAY_UNPAID_ORDER_HOURS` (default 24) without a successful payment the shop
cancels it, puts the goods back on the shelf, and tells InPost with the technical status
ORDER_REJECTED ("the order has been rejected"), sent through the outbox like any other
cancellation (`order_sync`). After that the app offers no more payment for it.

Run it from cron or a scheduler: `flask --app app inpost-pay-cancel-unpaid` (docs/inpost-pay-api.md §10,
"Orders whose payment never succeeds").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storefront import orders as order_service
from storefront.extensions import db
from storefront.models import Order, utcnow

DEFAULT_HOURS = 24
CHANNEL = "inpost_pay"
# Paid, or paid on delivery: such an order is never cancelled for want of a payment.
SETTLED = order_service.PAID_STATUSES | {"COD"}


def overdue_unpaid_orders(now: datetime, hours: float) -> list[int]:
    """Ids of InPost Pay orders still awaiting payment that were placed more than `hours` ago."""
    cutoff = now - timedelta(hours=hours)
    query = (
        db.select(Order.id, Order.payment_status)
        .where(Order.channel == CHANNEL, Order.status == "awaiting_payment", Order.created_at < cutoff)
        .order_by(Order.id)
    )
    return [order_id for order_id, payment in db.session.execute(query) if payment not in SETTLED]


def cancel_unpaid_orders(hours: float = DEFAULT_HOURS, now: datetime | None = None) -> list[str]:
    """Cancel every overdue unpaid order, one transaction each (its ORDER_REJECTED is written
    to the outbox in the same transaction); returns the numbers of the orders cancelled.

    Each order is read again under its row lock: a payment that arrived since the first
    look wins, and the order is left alone."""
    cancelled = []
    for order_id in overdue_unpaid_orders(now or utcnow(), hours):
        db.session.commit()  # end the read; the lock below starts this order's transaction
        order = db.session.get(Order, order_id, with_for_update=True, populate_existing=True)
        if order is None or order.status != "awaiting_payment" or order.payment_status in SETTLED:
            db.session.rollback()
            continue
        order_service.cancel(order, note=f"Anulowane: brak udanej płatności w ciągu {hours:g} h")
        number = order.number
        db.session.commit()
        cancelled.append(number)
    return cancelled
