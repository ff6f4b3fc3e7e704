"""Shop -> InPost for orders: the merchant's changes become order events (Updating orders at the Merchant’s, docs/architecture.md#the-flows step 8).

Updating orders at the Merchant’s, "Order synchronization initiated on the Merchant's store website": when
the merchant changes an order's status or its description, or assigns a shipment
reference number, the shop calls `POST /v1/izi/order/{order_id}/event`. We hear
the seam's order signals (inpost_pay/shop.py), which the shop sends *inside* the change's
transaction, and write the event into the outbox in that same transaction
(outbox/): the change and the event commit together, and the worker sends it.

The body (docs/inpost-pay-api.md §5.5):

    {"event_id": "<uuid4, made here once: a retry resends it>",
     "event_data_time": "2025-11-23T14:10:00.123Z",
     "event_data": {"order_status"?: "ORDER_COMPLETED" | "ORDER_REJECTED",
                    "order_merchant_status_description": "W trakcie realizacji",
                    "delivery_references_list": ["620000..."]}}

Every event carries the whole current picture (label and all tracking numbers),
so the app is right even if a merchant discards an event that InPost refused.
One transaction gives one event per order: cancelling (a status change plus
ORDER_REJECTED) or finishing on the website (a status change plus
ORDER_COMPLETED) is one event, not two.

The rules:
- only InPost Pay orders, and never an echo: a change made while handling InPost's
  own call (a payment event, ORDER_REJECTED from the app) is InPost's news, and
  our answer to that call already carries the label (merchant_api.py);
- `ORDER_REJECTED` when the shop cancels; `ORDER_COMPLETED` only for an order the
  shopper finished on the website and did not pay in the app (Updating orders at the Merchant’s: "We do not
  send this status for the orders which have been paid in the InPost app");
- after `ORDER_COMPLETED` / `ORDER_REJECTED` InPost takes no more events for the
  order (docs/inpost-pay-api.md §8.8), so none are written.

The label: the merchant's own text from the back office when given, else the
configured label of the shop status (`INPOST_PAY_STATUS_LABELS`, JSON
`{"processing": "W trakcie realizacji", ...}`), else the shop's name for it.
"""

from __future__ import annotations

import json
import logging
import uuid

from flask import Flask, current_app
from sqlalchemy import select

from . import outbox
from . import shop as seam
from .database import db
from .echo import from_inpost
from .shop import CHANNEL, current_shop

log = logging.getLogger(__name__)

ORDER_COMPLETED, ORDER_REJECTED = "ORDER_COMPLETED", "ORDER_REJECTED"
FINAL_ORDER_STATUSES = (ORDER_COMPLETED, ORDER_REJECTED)
MAX_LABEL = 120
#: Payment statuses that mean the shopper paid in the app ("InPost Pay: Order event").
PAID_STATUSES = {"AUTHORIZED", "COMPLETED", "CAPTURED"}


class LabelsError(ValueError):
    """`INPOST_PAY_STATUS_LABELS` is not a JSON object of known shop statuses to labels."""


def parse_labels(value, statuses) -> dict[str, str]:
    """The configured shop status -> InPost label mapping, checked at start-up."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise LabelsError(f"INPOST_PAY_STATUS_LABELS is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise LabelsError(
            'INPOST_PAY_STATUS_LABELS must be a JSON object such as {"processing": "W trakcie realizacji"}'
        )
    labels = {}
    for status, label in value.items():
        if status not in statuses:
            raise LabelsError(
                f"INPOST_PAY_STATUS_LABELS: unknown shop status {status!r} (known: {', '.join(statuses)})"
            )
        if not isinstance(label, str) or not label.strip() or len(label.strip()) > MAX_LABEL:
            raise LabelsError(f"INPOST_PAY_STATUS_LABELS[{status!r}] must be a text of 1-{MAX_LABEL} characters")
        labels[status] = label.strip()
    return labels


def status_labels(config=None) -> dict[str, str]:
    """Every shop status with the label InPost gets for it (the configured one or the shop's own)."""
    configured = (config or current_app.config).get("INPOST_PAY_STATUS_LABEL_MAP") or {}
    return {status: configured.get(status, name) for status, name in current_shop().status_names().items()}


def label_for(order) -> str:
    """What the app shows: the merchant's own words for this order, else the mapped label."""
    if order.status_label and order.status_label != current_shop().status_names().get(order.status):
        return order.status_label
    return status_labels().get(order.status) or order.status_label or order.status


def register(app: Flask) -> None:
    statuses = app.extensions["inpost_pay"].shop.status_names()
    app.config["INPOST_PAY_STATUS_LABEL_MAP"] = parse_labels(app.config.get("INPOST_PAY_STATUS_LABELS"), statuses)
    seam.order_status_changed.connect(_on_status_changed, app)
    seam.order_tracking_added.connect(_on_tracking_added, app)
    seam.order_completed_on_website.connect(_on_completed_on_website, app)


# --- the signal receivers (inside the shop's transaction; they must not commit) ---------------


def _on_status_changed(app, order, old_status: str, new_status: str, label: str) -> None:
    order_status = ORDER_REJECTED if new_status == "cancelled" and old_status != "cancelled" else None
    _write_event(order, order_status)


def _on_tracking_added(app, order, number: str) -> None:
    _write_event(order)


def _on_completed_on_website(app, order) -> None:
    if order.payment_status in PAID_STATUSES:
        # The shop refuses this already; never tell InPost an app-paid order was finished elsewhere.
        log.error("order %s: paid in the app, ORDER_COMPLETED not sent", order.id)
        return
    _write_event(order, ORDER_COMPLETED)


def can_complete_on_website(order) -> tuple[bool, str]:
    """Whether the back office may offer "completed on the website" for this order, and why not."""
    if order.channel != CHANNEL:
        return False, "To nie jest zamówienie z InPost Pay."
    if order.payment_status in PAID_STATUSES:
        return False, "Zamówienie opłacone w aplikacji InPost: nie wysyłamy ORDER_COMPLETED (Updating orders at the Merchant’s)."
    if inpost_final_status(order):
        return False, f"InPost ma już status końcowy {inpost_final_status(order)}."
    return True, ""


def inpost_final_status(order) -> str | None:
    """ORDER_COMPLETED / ORDER_REJECTED if InPost has it (from InPost, or sent or due from us)."""
    known = (order.external or {}).get("order_status")
    if known in FINAL_ORDER_STATUSES:
        return known
    for message in _order_messages(order.id):
        status = message.body.get("event_data", {}).get("order_status")
        if status in FINAL_ORDER_STATUSES:
            return status
    return None


def _order_messages(order_id: int) -> list[outbox.OutboxMessage]:
    with db.session.no_autoflush:
        return list(
            db.session.scalars(
                select(outbox.OutboxMessage)
                .where(
                    outbox.OutboxMessage.ordering_key == f"order:{order_id}",
                    outbox.OutboxMessage.status != outbox.DISCARDED,
                )
                .order_by(outbox.OutboxMessage.id)
            )
        )


def _write_event(order, order_status: str | None = None) -> outbox.OutboxMessage | None:
    if order.channel != CHANNEL or from_inpost():
        return None
    event_data = {
        "order_merchant_status_description": label_for(order)[:MAX_LABEL],
        "delivery_references_list": list(order.tracking_numbers),
    }
    message = _this_transactions_event(order.id)
    if message is not None:
        # Part of the same change: one event carries it all.
        body = message.body
        if order_status:
            body["event_data"]["order_status"] = order_status
        body["event_data"].update(event_data)
        message.payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return message
    final = inpost_final_status(order)
    if final:
        log.info("order %s: InPost already has %s and takes no more events; not sent", order.id, final)
        return None
    if order_status:
        event_data = {"order_status": order_status, **event_data}
    body = {"event_id": str(uuid.uuid4()), "event_data_time": outbox.iso_now(), "event_data": event_data}
    message = outbox.enqueue(outbox.ORDER_EVENT, f"order:{order.id}", body, order_id=str(order.id))
    _remember(order.id, message)
    return message


_TX_EVENTS = "inpost_order_events"


def _this_transactions_event(order_id: int) -> outbox.OutboxMessage | None:
    transaction, events = db.session.info.get(_TX_EVENTS, (None, {}))
    if transaction is None or transaction is not db.session().get_transaction():
        return None
    return events.get(order_id)


def _remember(order_id: int, message: outbox.OutboxMessage) -> None:
    transaction = db.session().get_transaction()
    current, events = db.session.info.get(_TX_EVENTS, (None, {}))
    if current is not transaction:
        events = {}
    events[order_id] = message
    db.session.info[_TX_EVENTS] = (transaction, events)
