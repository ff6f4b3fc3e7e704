"""Pushes to the shopper's page over Socket.IO, one small function per thing that happened
(STYLE.md §7: side effects are separate, named functions).

Fed by `inpost_pay.signals` (sent after the commit of InPost's call) and by the shop's own
`basket_changed` (collected during a shop request, pushed once at its end). Every push has a
REST twin in browser_api.py, so a page that missed one recovers by asking (DESIGN.md §2).

Rooms: `basket:<basket_id>` (every socket whose session holds the basket, sockets.py) and
`order:<order_id>` (a thank-you or order page allowed to see that order).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g

from inpost_pay import signals as inpost
from inpost_pay.baskets import binding_for, item_count
from inpost_pay.merchant_api import SOURCE as INPOST_SOURCE
from storefront import signals as shop
from storefront.basket import get_basket

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
    shop.basket_changed.connect(on_shop_basket_changed, app)
    app.after_request(push_shop_basket_counts)


def emit(app: Flask, event: str, data: dict, room: str) -> None:
    app.extensions["socketio"].emit(event, data, to=room, namespace=NAMESPACE)
    log.info("push %s to %s", event, room.split(":")[0])


# --- binding: InPost confirmed, the shopper rejected, or somebody unlinked ----------------------


def push_binding(app: Flask, basket_id: str) -> None:
    """`binding` `{basket_linked, masked_phone_number, name, status}` from the shop's record."""
    state = binding_for(basket_id)
    linked = state is not None and state.is_bound
    emit(
        app,
        "binding",
        {
            "basket_linked": linked,
            "masked_phone_number": state.masked_phone_number if linked else None,
            "name": state.name if linked else None,
            "status": (state.binding_status if state is not None else None) or "unbound",
        },
        basket_room(basket_id),
    )


def on_binding_changed(app, basket_id, **_details) -> None:
    push_binding(app, basket_id)


# --- the basket changed in the app (seed 000 "initiated by InPost Pay", steps 5-7) --------------


def on_basket_changed_in_app(app, basket_id, count, **_) -> None:
    room = basket_room(basket_id)
    emit(app, "basket", {"count": count}, room)
    emit(app, "inpost-update-count", {"count": count, "basket_linked": True}, room)


# --- the basket changed on the website (seed 000 step 10) ---------------------------------------


def on_shop_basket_changed(app, basket, source: str, **_) -> None:
    if source == INPOST_SOURCE:
        return  # InPost's own change: on_basket_changed_in_app pushes it after the commit
    g.setdefault("izi_changed_baskets", set()).add(basket.id)


def push_shop_basket_counts(response: Response) -> Response:
    """At the end of a shop request that changed baskets: `inpost-update-count` to their pages
    (every tab of the session, the widget buttons and the header follow)."""
    changed = g.pop("izi_changed_baskets", set())
    if response.status_code >= 400 or not changed:
        return response
    from flask import current_app

    app = current_app._get_current_object()
    for basket_id in sorted(changed):
        basket = get_basket(basket_id)
        if basket is None:
            continue
        state = binding_for(basket_id)
        emit(
            app,
            "inpost-update-count",
            {"count": item_count(basket), "basket_linked": bool(state is not None and state.is_bound)},
            basket_room(basket_id),
        )
    return response


# --- the order (seed 000 step 12, DESIGN.md §3 steps 6-7) ---------------------------------------


def on_order_created(app, basket_id, order, **_) -> None:
    from .browser_api import thank_you_url

    emit(app, "order-complete", {"redirect": thank_you_url(order)}, basket_room(basket_id))


def on_order_updated(app, order, **_) -> None:
    from .browser_api import order_status_view

    emit(app, "order-status", order_status_view(order), order_room(order.id))
