"""Paying an order: the payment event InPost reports to the merchant."""

from __future__ import annotations

import random
import uuid

from sandbox.app_actions.common import merchant
from sandbox.extensions import db
from sandbox.jsonutil import dumps
from sandbox.models import (
    AppUser,
    Order,
    OrderEvent,
    iso,
    utcnow,
)

PAYMENT_OUTCOMES = ("AUTHORIZED", "DECLINED")


def pay(user: AppUser, order: Order, choice: dict) -> None:
    """The payment as InPost reports it to the merchant (docs/inpost-pay-api.md §3.7).

    UNPAID is the state the order starts in and is not sent; then one event:
    COD for cash on delivery (counts as paid), else AUTHORIZED or DECLINED.
    """
    status = "COD" if choice["payment_type"] == "CASH_ON_DELIVERY" else choice["outcome"]
    event_data = {"payment_status": status, "payment_type": choice["payment_type"]}
    if status != "COD":
        payment_id = str(uuid.uuid4())
        event_data.update(payment_id=payment_id, payment_reference=f"{random.randint(10000, 99999)}_{payment_id}")
    payload = {
        "event_id": str(uuid.uuid4()),
        "event_data_time": iso(utcnow()),
        "phone_number": {"country_prefix": user.country_prefix, "phone": user.phone},
        "event_data": event_data,
    }
    order.payment_status = status
    order_id, basket_id = order.order_id, order.basket_id
    db.session.commit()
    reply = merchant().order_event(order_id, payload, basket_id=basket_id)
    order = db.session.get(Order, order_id)
    db.session.add(OrderEvent(order_id=order_id, direction="to_merchant", event_id=payload["event_id"],
                              body_json=dumps(payload), response_status=reply.status))  # fmt: skip
    # The merchant may answer with its status label and tracking numbers (docs/inpost-pay-api.md §3.7).
    if reply.status in (200, 201) and isinstance(reply.body, dict):
        label = reply.body.get("order_merchant_status_description")
        if isinstance(label, str) and label:
            order.merchant_status_description = label
    db.session.commit()
