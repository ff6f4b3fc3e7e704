"""The shopper's orders: the list for this browser session, and one order.

There are no accounts in the demo: an order belongs to the session that placed it
(`Order.owner_token`, kept in the signed session cookie), and anyone holding the
order's secret link (`?token=<access_token>`) may read it too, which is how the
thank-you page of an InPost Pay order opened on another device works
(docs/architecture.md#rules "order pages readable only by their session or a secret token").
Anybody else gets the same 404 as for an order that does not exist.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, render_template, request, session, url_for
from sqlalchemy import select

from .. import order_labels
from ..extensions import db
from ..lockers import find_locker
from ..models import Order
from ..session import OWNER_KEY

bp = Blueprint("account", __name__)
bp.app_context_processor(order_labels.template_helpers)

# SQLite and PostgreSQL integer keys: a bigger id in the URL cannot exist.
MAX_ORDER_ID = 2**31 - 1


def _same_secret(given: object, expected: str) -> bool:
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def owns(order: Order) -> bool:
    """This browser session placed the order."""
    return _same_secret(session.get(OWNER_KEY), order.owner_token)


def can_read(order: Order) -> bool:
    """This request's session placed the order, or it carries the order's secret token."""
    return owns(order) or _same_secret(request.args.get("token"), order.access_token)


def visible_order(order_id: int) -> Order:
    """The order, if this request may read it.

    :raise 404: the order does not exist, or it is someone else's (same answer, so
        an order number reveals nothing).
    """
    order = db.session.get(Order, order_id) if 0 < order_id <= MAX_ORDER_ID else None
    if order is None or not can_read(order):
        abort(404)
    return order


def share_link(order: Order) -> str:
    """The secret link to an order: works in any browser, for whoever has it."""
    return url_for("account.order", order_id=order.id, token=order.access_token, _external=True)


@bp.get("/moje-zamowienia")
def orders():
    owner = session.get(OWNER_KEY)
    found = []
    if isinstance(owner, str) and owner:
        found = db.session.scalars(
            select(Order).where(Order.owner_token == owner).order_by(Order.created_at.desc(), Order.id.desc())
        ).all()
    return render_template("account/orders.html", orders=found)


@bp.get("/moje-zamowienia/<int:order_id>")
def order(order_id: int):
    order = visible_order(order_id)
    return render_template(
        "account/order.html",
        order=order,
        locker=find_locker(order.delivery_point),
        share_link=share_link(order),
        via_token=not owns(order),
    )
