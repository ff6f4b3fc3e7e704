"""The orders screens: the list, one order, and paying again after a failed payment."""

from __future__ import annotations

import json
from typing import Any

from sandbox.app_actions.common import invalid, merchant_json
from sandbox.app_actions.payment import PAYMENT_OUTCOMES, pay
from sandbox.contract import PAYMENT_TYPES
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.jsonutil import loads, to_plain
from sandbox.models import (
    AppUser,
    Order,
    OrderEvent,
    iso,
)

# Payment states after which the app offers paying again (docs/inpost-pay-api.md §8.8: UNPAID -> ... ->
# AUTHORIZED, or DECLINED | CANCELLED | ERROR); STARTED marks an attempt in progress.
RETRY_FROM = ("UNPAID", "DECLINED", "CANCELLED", "ERROR")

FINAL_ORDER_STATUSES = ("ORDER_COMPLETED", "ORDER_REJECTED")


def pay_again(user: AppUser, order_id: str, form: Any) -> dict:
    """A new payment attempt for an order whose payment did not go through.

    The merchant hears it as a new order event with its own event_id and payment_id
    ("InPost Pay: Updating orders at the Merchant's"). Not for an order the merchant
    rejected or completed (after those InPost takes no payment), nor for one paid or
    being paid: the attempt is claimed with one conditional UPDATE, so two taps pay once.
    """
    if not isinstance(form, dict):
        raise invalid("request body: must be a JSON object")
    outcome = form.get("outcome", "AUTHORIZED")
    if outcome not in PAYMENT_OUTCOMES:
        raise invalid(f"outcome: must be one of {', '.join(PAYMENT_OUTCOMES)}")
    order = db.session.get(Order, order_id) if isinstance(order_id, str) else None
    if order is None or (order.country_prefix, order.phone) != (user.country_prefix, user.phone):
        raise ApiError(404, "ORDER_NOT_FOUND", "no such order for this phone")
    payment_type = form.get("payment_type", order.payment_type)
    if payment_type not in PAYMENT_TYPES or payment_type == "CASH_ON_DELIVERY":
        raise invalid("payment_type: must be a payment type paid in the app (not CASH_ON_DELIVERY)")
    if order.order_status in FINAL_ORDER_STATUSES:
        raise ApiError(409, "ORDER_NOT_PAYABLE", f"the merchant marked this order {order.order_status}")
    claimed = db.session.execute(
        db.update(Order)
        .where(Order.order_id == order_id, Order.payment_status.in_(RETRY_FROM))
        .values(payment_status="STARTED", payment_type=payment_type)
    ).rowcount
    db.session.commit()
    if not claimed:
        raise ApiError(409, "ORDER_NOT_PAYABLE", "the order is paid or a payment is in progress")
    pay(user, db.session.get(Order, order_id), {"payment_type": payment_type, "outcome": outcome})
    return order_detail(user, order_id)


def list_orders(user: AppUser) -> list[dict]:
    rows = db.session.scalars(
        db.select(Order)
        .where(Order.country_prefix == user.country_prefix, Order.phone == user.phone)
        .order_by(Order.created_at.desc())
    )
    return [_order_json(o, full=False) for o in rows]


def order_detail(user: AppUser, order_id: str) -> dict:
    order = db.session.get(Order, order_id)
    if order is None or (order.country_prefix, order.phone) != (user.country_prefix, user.phone):
        raise ApiError(404, "ORDER_NOT_FOUND", "no such order for this phone")
    return _order_json(order, full=True)


def _order_json(order: Order, full: bool) -> dict:
    doc = loads(order.order_json)
    details = doc.get("order_details") or {}
    answer = {
        "order_id": order.order_id,
        "customer_order_id": details.get("customer_order_id") or order.order_id,
        "basket_id": order.basket_id,
        "inpost_basket_id": order.inpost_basket_id,
        "order_creation_date": details.get("order_creation_date") or iso(order.created_at),
        "order_status": order.order_status,
        "payment_status": order.payment_status,
        "payment_type": order.payment_type,
        "order_merchant_status_description": order.merchant_status_description,
        "delivery_references_list": json.loads(order.delivery_references_json or "[]"),
        "order_final_price": details.get("order_final_price"),
        "delivery_type": (doc.get("delivery") or {}).get("delivery_type"),
        "products_count": len(doc.get("products") or []),
        "merchant": merchant_json(),
    }
    if full:
        events = db.session.scalars(
            db.select(OrderEvent).where(OrderEvent.order_id == order.order_id).order_by(OrderEvent.id)
        )
        answer["order"] = doc
        answer["events"] = [
            {
                "direction": e.direction,
                "event_id": e.event_id,
                "body": loads(e.body_json),
                "response_status": e.response_status,
                "time": iso(e.created_at),
            }  # fmt: skip
            for e in events
        ]
    return to_plain(answer)
