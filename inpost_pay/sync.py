"""Shop -> InPost: keep InPost's copy of a bound basket in step with the shop ("InPost Pay:
Basket Update"; docs/architecture.md, "A change on the website").

The shop announces changes through the seam's `basket_changed` (inpost_pay/shop.py); we only
note which baskets changed during the request. Once the response is built, ONE pipeline runs per
request, in this order: one `PUT /v1/izi/basket/{id}` per changed, bound basket, then
`signals.shop_baskets_synced` (the widget pushes the new count to the shopper's pages). Changes
made for InPost's own calls are never PUT back (`echo.from_inpost`). After a website
checkout of a bound basket we unbind it at InPost with `if_basket_realized`, through the outbox
(`outbox.enqueue_unbind`) so that InPost being down loses nothing.

The PUT happens outside any database transaction, with the short timeouts and no retries of
`InPostPay.request_client`: InPost being slow must not hold the shop's database or keep the
shopper waiting, and InPost being down must not fail the shop's page.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g

from . import outbox
from . import shop as seam
from .baskets import binding_for, build_json, item_count
from .client import encode_json
from .database import db
from .echo import from_inpost
from .errors import InPostError, InPostNotFound
from .shop import current_shop
from .signals import shop_baskets_synced

log = logging.getLogger(__name__)

#: InPost's answers that mean "this basket is no longer bound there" (docs/inpost-pay-api.md §5.2).
GONE = {"BASKET_NOT_FOUND", "BASKET_NOT_BOUND", "BASKET_EXPIRED"}


def register(app: Flask) -> None:
    seam.basket_changed.connect(_note_basket_change, app)
    seam.order_placed.connect(_note_order_placed, app)
    app.after_request(sync_after_request)


def _note_basket_change(app, basket_id: str, source: str, **_) -> None:
    if from_inpost(source):
        return  # InPost's own change: the merchant API answers it with the basket
    g.setdefault("inpost_dirty_baskets", set()).add(basket_id)


def _note_order_placed(app, order: seam.OrderView, **_) -> None:
    """Bought on the website while bound: InPost must drop the basket from the app (pitfall 9).
    Through the outbox, in the order's own transaction, so the unbinding is never lost."""
    if order.channel != seam.CHANNEL:
        outbox.enqueue_unbind(order.basket_id, if_basket_realized=True)


def sync_after_request(response: Response) -> Response:
    """The one pipeline of a shop request that changed baskets: PUT each to InPost, then tell
    the browser side (`shop_baskets_synced`: the widget pushes the counts)."""
    dirty = g.pop("inpost_dirty_baskets", set())
    if response.status_code >= 400 or not dirty:
        return response
    db.session.commit()  # end any read transaction before talking to InPost
    app = current_app._get_current_object()
    synced = []
    for basket_id in sorted(dirty):
        push_basket(basket_id)  # an ordered basket is skipped there
        basket = current_shop().basket(basket_id)
        if basket is not None:
            state = binding_for(basket_id)
            synced.append((basket_id, item_count(basket), bool(state is not None and state.is_bound)))
    db.session.rollback()
    try:
        shop_baskets_synced.send(app, baskets=synced)
    except Exception:  # a failed push must never fail the shop's page
        log.exception("pushes after the basket sync failed")
    return response


def push_basket(basket_id: str, *, browser_id: str | None = None) -> bool:
    """PUT the basket's current state to InPost if it is bound (or `browser_id` is a trusted
    browser, which binds it: Synchronization of a basket and an order (UC.04) step 9). Returns True when InPost accepted it."""
    state = binding_for(basket_id)
    basket = current_shop().basket(basket_id)
    if basket is None or not basket.is_open:
        return False
    if browser_id is None and (state is None or not state.is_bound):
        return False
    if browser_id is None and state.last_basket_version == basket.version:
        return True  # InPost already holds this very version (one PUT per change, docs/architecture.md#the-flows)
    body = build_json(basket)
    version = basket.version
    db.session.commit()
    client = current_app.extensions["inpost_pay"].request_client
    try:
        if browser_id is None and current_app.config.get("INPOST_PAY_WIDGET_VERSION") == 2:
            answer = client.update_basket(basket_id, body)  # Widget 2.0: PUT /v2/izi/basket/{id}
        else:
            answer = client.put_basket(basket_id, body, browser_id=browser_id)
    except InPostError as exc:
        if exc.error_code in GONE or isinstance(exc, InPostNotFound):
            _forget_binding(basket_id)
        else:
            log.warning("PUT basket %s failed: %s", basket_id, exc)
        return False
    state = binding_for(basket_id, create=True)
    state.last_basket_json = encode_json(body).decode("utf-8")
    state.last_basket_version = version
    if browser_id is not None:
        state.binding_status = "bound"
        state.browser_id = browser_id
        state.browser_trusted = True
    if isinstance(answer, dict) and answer.get("inpost_basket_id"):
        state.inpost_basket_id = str(answer["inpost_basket_id"])
    db.session.commit()
    return True


def _forget_binding(basket_id: str) -> None:
    state = binding_for(basket_id)
    if state is not None:
        state.binding_status = "unbound"
        db.session.commit()
