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

from .database import db
from .models import utcnow
from .shop import current_shop

DEFAULT_HOURS = 24


def cancel_unpaid_orders(hours: float = DEFAULT_HOURS, now: datetime | None = None) -> list[str]:
    """Cancel every overdue unpaid order, one transaction each (the shop's cancellation writes
    its ORDER_REJECTED to the outbox in the same transaction); returns the numbers cancelled.

    Each order is read again under its lock by the shop: a payment that arrived since the first
    look wins, and the order is left alone."""
    shop = current_shop()
    cancelled = []
    for order_id in shop.overdue_unpaid_orders((now or utcnow()) - timedelta(hours=hours)):
        db.session.commit()  # end the read; the lock below starts this order's transaction
        order = shop.cancel_unpaid_order(order_id, f"Anulowane: brak udanej płatności w ciągu {hours:g} h")
        if order is None:
            db.session.rollback()
            continue
        db.session.commit()
        cancelled.append(order.number)
    return cancelled
