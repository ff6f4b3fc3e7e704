"""The Socket.IO namespace `/izi` (docs/architecture.md#interfaces): where the shopper's page hears about its basket.

A socket never chooses its room. On connect the server reads the shop's session cookie sent
with the handshake and puts the socket in its basket's room; a thank-you page that names an
order (in the connect `auth`) joins that order's room only if the session placed the order or
the page holds its secret token, the same rule as the shop's order pages (`Shop.may_see_order`).

The cookie is read as it was at the handshake: when the session moves to another basket (the
first add, or a new basket after an order), the page reconnects; `joined` tells it which basket
its socket follows (`basket_ref`, shopper.py) so it can notice.
"""

from __future__ import annotations

from flask_socketio import SocketIO, emit, join_room

from inpost_pay.database import db
from inpost_pay.shop import current_shop

from . import shopper
from .page_guard import widget_enabled
from .pushes import NAMESPACE, basket_room, order_room

MAX_ORDER_ID = 2**31 - 1  # order ids are 32-bit integers


def register(socketio: SocketIO) -> None:
    socketio.on_event("connect", on_connect, namespace=NAMESPACE)


def on_connect(auth=None):
    basket_ref = None
    shop = current_shop()
    basket_id = shop.session_basket_id()
    if widget_enabled() and basket_id and shop.basket(basket_id) is not None:
        join_room(basket_room(basket_id))
        basket_ref = shopper.basket_ref(basket_id)
    order_id = watched_order(auth)
    if order_id is not None:
        join_room(order_room(order_id))
    db.session.rollback()
    emit("joined", {"basket_ref": basket_ref, "order_id": order_id})


def watched_order(auth) -> int | None:
    """The order a page asked to follow, if this socket may see it."""
    if not isinstance(auth, dict):
        return None
    raw = auth.get("order_id")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        return None
    try:
        order_id = int(raw)
    except ValueError:
        return None
    if not 0 < order_id <= MAX_ORDER_ID:
        return None
    shop = current_shop()
    order = shop.order(order_id)
    token = auth.get("token")
    if order is not None and shop.may_see_order(order, token if isinstance(token, str) else None):
        return order_id
    return None
