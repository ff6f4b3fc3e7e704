"""Pushes to the shopper's page over Socket.IO, one small function per thing that happened
(docs/architecture.md: side effects are separate, named functions).

Fed by `inpost_pay.signals`: after the commit of InPost's call, and at the end of a shop request
that changed baskets, once InPost got them (`shop_baskets_synced`: the PUT first, then the
count). Every push has a REST twin in browser_api.py, so a page that missed one recovers by
asking (docs/architecture.md#interfaces).

Rooms: `basket:<basket_id>` (every socket whose session holds the basket, sockets.py) and
`order:<order_id>` (a thank-you or order page allowed to see that order).
"""

from __future__ import annotations

import logging

from flask import Flask

from inpost_pay import signals as inpost
from inpost_pay.baskets import binding_for
from inpost_pay.shop import current_shop

from .payloads import binding_payload, order_status_payload

NAMESPACE = "/izi"
log = logging.getLogger(__name__)


def basket_room(basket_id: str) -> str:
    return f"basket:{basket_id}"


def order_room(order_id: int) -> str:
    return f"order:{order_id}"


def register(app: Flask) -> None:
    inpost.binding_changed.connect(on_binding_changed, app)
    inpost.basket_changed_in_app.connect(on_basket_changed_in_app, app)
    inpost.order_created.connect(on_order_created, app)
    inpost.order_updated.connect(on_order_updated, app)
    inpost.shop_baskets_synced.connect(on_shop_baskets_synced, app)


def emit(app: Flask, event: str, data: dict, room: str) -> None:
    app.extensions["socketio"].emit(event, data, to=room, namespace=NAMESPACE)
    log.info("push %s to %s", event, room.split(":")[0])


# --- binding: InPost confirmed, the shopper rejected, or somebody unlinked ----------------------


def push_binding(app: Flask, basket_id: str) -> None:
    """`binding` `{basket_linked, masked_phone_number, name, status}` from the shop's record."""
    emit(app, "binding", binding_payload(binding_for(basket_id), with_status=True), basket_room(basket_id))


def on_binding_changed(app, basket_id, **_details) -> None:
    push_binding(app, basket_id)


# --- the basket changed in the app (Synchronization of a basket and an order (UC.04) "initiated by InPost Pay", steps 5-7) --------------


def on_basket_changed_in_app(app, basket_id, count, **_) -> None:
    room = basket_room(basket_id)
    emit(app, "basket", {"count": count}, room)
    emit(app, "inpost-update-count", {"count": count, "basket_linked": True}, room)


# --- the basket changed on the website (Synchronization of a basket and an order (UC.04) step 10) ---------------------------------------


def on_shop_baskets_synced(app, baskets, **_) -> None:
    """At the end of a shop request that changed baskets, after their PUT to InPost:
    `inpost-update-count` to their pages (every tab of the session, the widget buttons and the
    header follow)."""
    for basket_id, count, linked in baskets:
        emit(app, "inpost-update-count", {"count": count, "basket_linked": linked}, basket_room(basket_id))


# --- the order (Synchronization of a basket and an order (UC.04) step 12, docs/architecture.md#the-flows steps 6-7) ---------------------------------------


def on_order_created(app, basket_id, order, **_) -> None:
    emit(app, "order-complete", {"redirect": current_shop().thank_you_url(order)}, basket_room(basket_id))


def on_order_updated(app, order, **_) -> None:
    emit(app, "order-status", order_status_payload(order), order_room(order.id))
