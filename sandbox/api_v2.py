"""InPost's Basket App API for Widget 2.0, as the merchant calls it (docs/widget-versions.md).

Two calls replace the merchant-side binding of Widget 1.0:

- `PUT /v2/izi/basket/{basket_id}/binding` (no body) -> 200 `{"basket_binding_api_key": "..."}`:
  the key the merchant's page hands to `InPostPayWidget.init` / `unboundWidgetClicked`. The
  widget then talks to InPost directly with it (sandbox/widget_v2.py). Idempotent per basket
  and merchant: a repeat answers the same key.
- `PUT /v2/izi/basket/{basket_id}` (the whole basket) -> 200 `{"inpost_basket_id"}`: update
  only. A basket InPost does not know is 404 `BASKET_NOT_FOUND`; one not linked (yet, or any
  more) is 404 `BASKET_NOT_BOUND` (InPost Pay: Basket Update). Checked against the basket
  contract exactly like the 1.0 PUT.

Same guard as the 1.0 API: the fault switches first, then a valid bearer token.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, g, jsonify
from sqlalchemy.exc import IntegrityError

from sandbox import baskets
from sandbox.api import _id, checked_basket, guard
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.models import utcnow
from sandbox.validate import json_body

bp = Blueprint("sandbox_api_v2", __name__, url_prefix="/v2/izi")
bp.before_request(guard)


class BasketBindingKey(db.Model):
    """The basket binding API key of one merchant's basket (Widget 2.0)."""

    __tablename__ = "basket_binding_key"
    __table_args__ = (db.UniqueConstraint("client_id", "basket_id"),)
    key = db.Column(db.String(64), primary_key=True)
    client_id = db.Column(db.String(200), nullable=False)
    basket_id = db.Column(db.String(200), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


def _key_for(client_id: str, basket_id: str) -> BasketBindingKey | None:
    return db.session.scalar(
        db.select(BasketBindingKey).where(BasketBindingKey.client_id == client_id, BasketBindingKey.basket_id == basket_id)
    )


def basket_for_key(key: str | None) -> tuple[BasketBindingKey, object] | None:
    """(key row, InPost's basket) for a binding key the widget presents, or None."""
    row = db.session.get(BasketBindingKey, key) if key else None
    if row is None:
        return None
    return row, baskets.find(row.basket_id)


@bp.put("/basket/<basket_id>/binding")
def binding_key(basket_id: str):
    """The basket binding API key; the first call also makes InPost's record of the basket."""
    _id(basket_id, "basket_id")
    json_body(required=False)  # no body is expected; a body must at least be a JSON object
    for _attempt in range(3):
        row = _key_for(g.client_id, basket_id)
        if row is not None:
            return jsonify({"basket_binding_api_key": row.key})
        try:
            basket = baskets.find_or_create(basket_id)
            if basket.status == "ORDERED":
                raise ApiError(409, "BASKET_EXPIRED", "an order was already placed for this basket; start a new basket")
            db.session.add(BasketBindingKey(key=secrets.token_urlsafe(32), client_id=g.client_id, basket_id=basket_id))
            db.session.commit()
        except IntegrityError:  # a concurrent first call made the basket or the key: read it again
            db.session.rollback()
    raise ApiError(409, "CONFLICT", "the basket changed meanwhile; repeat the call")


@bp.put("/basket/<basket_id>")
def update_basket(basket_id: str):
    """The merchant's whole basket after a shop-side change; only for a linked basket."""
    _id(basket_id, "basket_id")
    doc = checked_basket(json_body())
    basket = baskets.find(basket_id)
    if basket is None:
        raise ApiError(404, "BASKET_NOT_FOUND", "no basket with this basket_id")
    if not basket.linked:
        raise ApiError(404, "BASKET_NOT_BOUND", "the basket is not linked; the shopper binds it in the widget first")
    baskets.store_document(basket, doc)
    db.session.commit()
    return jsonify({"inpost_basket_id": basket.inpost_basket_id})
