"""A shop basket's state at InPost, and the basket JSON we hand InPost.

InPost keeps a copy of the basket and, before an order, compares it with what
`GET /v1/izi/basket/{id}` answers (docs/inpost-pay-api.md §3.1, pitfall 2). So every basket
JSON we send (PUT) or return (confirmation, event) is stored here as the exact
text, and GET serves that text as long as it is still the basket
(`sent_copy_is_current`); once the basket has moved on without InPost hearing of
it, GET answers the basket as it is, so InPost's comparison shows the change.
"""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm.attributes import set_committed_value

from . import mapping
from .client import encode_json
from .database import db
from .models import InPostBasket, utcnow
from .shop import BasketView


def binding_for(basket_id: str, *, create: bool = False) -> InPostBasket | None:
    state = db.session.get(InPostBasket, basket_id)
    if state is None and create:
        state = InPostBasket(basket_id=basket_id)
        db.session.add(state)
    return state


def build_json(basket: BasketView, *, notice: mapping.Notice | None = None) -> dict:
    """InPost's basket object for a shop basket as the seam read it."""
    # Dates derive from the basket's last change, so the same basket always gives the same JSON.
    return mapping.basket_json(basket, basket.totals, shop_url=current_app.config["SHOP_URL"],
                               issued_at=basket.updated_at, notice=notice)


def publish(
    basket: BasketView, *, notice: mapping.Notice | None = None, state: InPostBasket | None = None
) -> tuple[dict, str]:
    """Build the basket JSON and remember it as what InPost holds. Returns (object, exact text).

    Call inside the transaction that changed the basket; the caller commits. `state`: the
    basket's binding when the caller has loaded it already.
    """
    body = build_json(basket, notice=notice)
    text = encode_json(body).decode("utf-8")
    state = state if state is not None else binding_for(basket.basket_id, create=True)
    now = utcnow()
    _remember(state, {"last_basket_json": text, "last_basket_at": now, "last_basket_version": basket.version,
                      "updated_at": now})  # fmt: skip
    return body, text


_COPY_COLUMNS = ("last_basket_json", "last_basket_at", "last_basket_version", "updated_at")
_WRITE_COPY = (
    update(InPostBasket.__table__)
    .where(InPostBasket.__table__.c.basket_id == bindparam("key"))
    .values({column: bindparam(column) for column in _COPY_COLUMNS})
)


def _remember(state: InPostBasket, values: dict) -> None:
    """Write the copy. A binding with nothing else changed (an event's) gets one Core UPDATE
    now, and its object the values as committed: no unit of work to run for it at the commit."""
    if inspect(state).persistent and not db.session.is_modified(state):
        db.session.execute(_WRITE_COPY, {**values, "key": state.basket_id})
        for key, value in values.items():
            set_committed_value(state, key, value)
    else:
        for key, value in values.items():
            setattr(state, key, value)


def sent_copy_is_current(state: InPostBasket | None, basket: BasketView) -> bool:
    """Is the basket JSON InPost last got from us still what the basket is now?

    False when the basket changed and the PUT telling InPost failed (InPost down), or when
    the catalogue changed under it (a price, the stock). The notice an event answer carried
    is not part of the basket: it is left out of the comparison, which is otherwise of the
    exact text (the encoding is deterministic, see `mapping`).
    """
    if state is None or not state.last_basket_json:
        return False
    return _without_notice(state.last_basket_json) == encode_json(build_json(basket)).decode("utf-8")


_NOTICE_KEY = '"basket_notice":'
_decoder = json.JSONDecoder()


def _without_notice(text: str) -> str | None:
    """Basket JSON text as it would be with `summary.basket_notice` null. The key is found as
    text: in compact JSON `"basket_notice":` cannot occur inside a string (its quotes would be
    escaped), and `summary`, the first member, is the only object that has it."""
    start = text.find(_NOTICE_KEY)
    if start < 0:
        return None
    start += len(_NOTICE_KEY)
    try:
        _, end = _decoder.raw_decode(text, start)
    except ValueError:
        return None
    return text[:start] + "null" + text[end:]


def item_count(basket: BasketView | None) -> int:
    return basket.totals.item_count if basket is not None and basket.totals is not None else 0
