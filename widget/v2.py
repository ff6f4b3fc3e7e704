"""Widget 2.0 on the shop's side (docs/widget-versions.md): on when `INPOST_PAY_WIDGET_VERSION=2`.

With Widget 2.0 the page's only questions to the shop are the ones behind
`unboundWidgetClicked` and `handleBasketEvent('orderCreated')`; the widget asks InPost
everything else itself. So the shop:

- obtains the basket binding API key (`PUT /v2/izi/basket/{id}/binding`) for the session's
  basket and keeps it in the session: `POST /izi/v2/binding-key` (basket places) and
  `POST /izi/v2/add-product` `{product_id, quantity?}` (a product card: the product goes into
  the basket first) -> `{basket_binding_api_key, count}`;
- answers `GET /izi/order-complete` as in 1.0 (widget/browser_api.py) for the thank-you redirect;
- sends a bound basket after each shop-side change with `PUT /v2/izi/basket/{id}`
  (inpost_pay/sync.py, by the version setting);
- fills the shop's slots from `widget/_izi_v2.html` instead of `widget/_izi.html`
  (widget/slots.py).

Both endpoints are JSON, same origin, CSRF-protected (`X-CSRFToken`), and their errors are the
browser API's (`{error_code, error_message}`, 503 `INPOST_UNAVAILABLE` when InPost is down).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, session, url_for

from inpost_pay.baskets import item_count
from inpost_pay.database import db
from inpost_pay.errors import InPostError, InPostUnavailable, JsonError
from inpost_pay.responses import json_error
from inpost_pay.shop import ShopError, current_shop

from . import browser_api, shopper
from .binding_sync import inpost
from .browser_api import add_to_session_basket, read_json

bp = Blueprint("izi_v2", __name__, url_prefix="/izi/v2")
bp.before_request(browser_api.only_when_shown)
bp.register_error_handler(JsonError, json_error)
bp.register_error_handler(ShopError, browser_api.shop_error)
bp.register_error_handler(InPostUnavailable, browser_api.inpost_unavailable)

#: The session key holding `[basket_id, basket_binding_api_key]` of the session's basket.
KEY_SESSION = "izi_v2_binding_key"


def register(app: Flask) -> None:
    """Widget 2.0 instead of 1.0 on the pages: the key endpoints and the v2 page config."""
    app.register_blueprint(bp)
    app.context_processor(lambda: {"izi_v2_config": page_config})


def session_key(basket_id: str | None) -> str | None:
    """The key the session holds for this basket, if any (a key of an earlier basket is not it)."""
    held = session.get(KEY_SESSION)
    if basket_id and isinstance(held, list) and len(held) == 2 and held[0] == basket_id:
        return held[1]
    return None


def page_config() -> dict:
    """`data-*` of izi-v2-glue.js: who the merchant is, the basket's key, where to ask."""
    return {
        "merchant-client-id": current_app.config.get("INPOST_PAY_MERCHANT_CLIENT_ID") or "",
        "binding-key": session_key(current_shop().session_basket_id()) or "",
        "key-url": url_for("izi_v2.binding_key"),
        "add-url": url_for("izi_v2.add_product"),
        "order-complete-url": url_for("izi.order_complete"),
        "count-url": url_for("izi.is_bound"),
        "language": "pl",
        "widget-url": current_app.config.get("INPOST_PAY_WIDGET_URL") or "",
    }


def key_for(basket_id: str) -> str:
    """The basket's binding API key: from the session, else from InPost (idempotent there)."""
    key = session_key(basket_id)
    if key:
        return key
    try:
        key = inpost().basket_binding_key(basket_id)
    except InPostUnavailable:
        raise
    except InPostError as exc:  # a refused token, a malformed answer: for the shopper, InPost is down
        raise InPostUnavailable(exc.status, exc.error_code, exc.error_message) from None
    session[KEY_SESSION] = [basket_id, key]
    return key


def _answer(basket_id: str):
    basket = shopper.open_basket()
    count = item_count(basket) if basket is not None else 0
    db.session.rollback()  # no transaction across the call to InPost
    return jsonify(basket_binding_api_key=key_for(basket_id), count=count)


@bp.post("/binding-key")
def binding_key():
    """`unboundWidgetClicked()` on a basket place: the key of the session's (non-empty) basket."""
    basket = shopper.open_basket()
    if basket is None or not basket.products:
        raise JsonError(400, "EMPTY_BASKET", "Koszyk jest pusty: dodaj produkt, zanim połączysz koszyk z InPost Pay.")
    shopper.basket_state(basket)  # the order InPost places for it will be this session's
    basket_id = basket.basket_id
    db.session.commit()
    return _answer(basket_id)


@bp.post("/add-product")
def add_product():
    """`unboundWidgetClicked(productId)` on a product card: the product into the session's basket
    (a bound basket then goes to InPost: one PUT at the end of the request, inpost_pay/sync.py),
    then the basket's key."""
    basket_id, _linked = add_to_session_basket(read_json())
    return _answer(basket_id)
