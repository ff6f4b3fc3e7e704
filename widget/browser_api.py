"""The browser API: the shop's endpoints behind the `window.izi*` callbacks (docs/architecture.md#interfaces,
docs/inpost-pay-api.md §7.4 "Widget 1.0", Synchronization of a basket and an order (UC.04) UC.04).

JSON in and out, the basket always taken from the shopper's session (a page never names a
basket), CSRF-protected through the `X-CSRFToken` header (Flask-WTF's CSRFProtect covers every
POST and DELETE here). Errors are `{"error_code", "error_message"}` with a message a shopper can
read; InPost being unreachable is a quick 503 `INPOST_UNAVAILABLE`, after which the widget says
so and the shop goes on selling through its own checkout (docs/architecture.md#rules).

Calls to InPost never happen inside a database transaction: on SQLite every transaction holds
the write lock, and InPost calls the shop back.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, g, jsonify, request, session
from sqlalchemy import update

from inpost_pay import bounds, outbox
from inpost_pay.baskets import binding_for, item_count
from inpost_pay.database import db
from inpost_pay.errors import (
    InPostBadRequest,
    InPostConflict,
    InPostError,
    InPostNotFound,
    InPostUnavailable,
    JsonError,
)
from inpost_pay.models import InPostBasket
from inpost_pay.responses import error, json_error
from inpost_pay.shop import CHANNEL, OrderView, ShopError, current_shop

from . import shopper
from .binding_sync import bind_trusted_browser, inpost, sync_binding_from_inpost
from .page_guard import widget_enabled
from .payloads import binding_payload, order_status_payload
from .pushes import push_binding
from .sockets import MAX_ORDER_ID

log = logging.getLogger(__name__)

bp = Blueprint(
    "izi", __name__, url_prefix="/izi", static_folder="static", static_url_path="/static", template_folder="templates"
)
bp.register_error_handler(JsonError, json_error)

UNAVAILABLE_MESSAGE = "InPost Pay jest chwilowo niedostępny"
PHONE_PREFIX = re.compile(r"^\+\d{1,4}$")
# binding_place values of docs/inpost-pay-api.md §7.1 (THANK_YOU_PAGE is a display place, never a binding place).
BINDING_PLACES = {
    "PRODUCT_CARD", "BASKET_SUMMARY", "BASKET_POPUP", "ORDER_CREATE", "CHECKOUT_PAGE",
    "LOGIN_PAGE", "REGISTERFORM_PAGE", "MINICART_PAGE",
}  # fmt: skip
# What the widget script's iziGetBrowserData() describes, passed on to InPost (docs/inpost-pay-api.md §7.4).
BROWSER_FIELDS = (
    "user_agent",
    "platform",
    "language",
    "screen",
    "time_zone",
    "data_time",
    "description",
    "architecture",
)
MAX_BROWSER_DATA = 4096

STATUS_BY_CODE = {"PRODUCT_NOT_FOUND": 404, "OUT_OF_STOCK": 409, "MAX_QUANTITY": 409, "ORDER_EXISTS": 409}


@bp.errorhandler(ShopError)
def shop_error(exc: ShopError):
    db.session.rollback()
    return error(STATUS_BY_CODE.get(exc.code, 400), exc.code, exc.message)


@bp.errorhandler(InPostUnavailable)
def inpost_unavailable(exc: InPostUnavailable):
    db.session.rollback()
    log.warning("InPost unavailable for %s %s: %s", request.method, request.path, exc)
    return error(503, "INPOST_UNAVAILABLE", UNAVAILABLE_MESSAGE)


@bp.before_request
def only_when_shown():
    """Test mode (pitfall 11): the widget, and so its API, exist only for `?showIzi=true` visitors."""
    if request.endpoint == "izi.static":
        return None
    if not widget_enabled():
        return error(403, "WIDGET_HIDDEN", "InPost Pay jest w tym sklepie w trybie testowym.")
    return None


@bp.after_request
def keep_trusted_browser(response: Response) -> Response:
    """Remember, or forget, this browser's trusted browser_id (see shopper.py)."""
    response.headers["Cache-Control"] = "no-store"
    if g.pop("izi_forget_browser", False):
        shopper.forget_trusted_browser(response)
        return response
    basket_id = current_shop().session_basket_id() or session.get(shopper.ORDERED_KEY)
    state = binding_for(basket_id) if basket_id else None
    trusted = state is not None and state.browser_trusted and state.browser_id
    if trusted and shopper.BROWSER_ID.match(state.browser_id) and state.browser_id != shopper.trusted_browser_id():
        shopper.remember_trusted_browser(response, state.browser_id)
    return response


def read_json() -> dict:
    """The request's JSON object (numbers as Decimal: quantities never pass through float)."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        data = bounds.loads(raw)
    except bounds.OutOfBounds as exc:
        raise JsonError(400, "MALFORMED_REQUEST", str(exc)) from None
    except (ValueError, UnicodeDecodeError):
        raise JsonError(400, "MALFORMED_REQUEST", "Treść żądania nie jest poprawnym JSON-em.") from None
    if not isinstance(data, dict):
        raise JsonError(400, "MALFORMED_REQUEST", "Treść żądania musi być obiektem JSON.")
    return data


# --- iziCanBeBound ------------------------------------------------------------------------------


@bp.post("/can-be-bound")
def can_be_bound():
    """`iziCanBeBound(productId)`: may this product (or this basket) go to InPost Pay, and what
    is the basket's binding? The first call for a basket asks InPost (Synchronization of a basket and an order (UC.04) step 5)."""
    data = read_json()
    raw_product = data.get("product_id")
    product = find_product(raw_product) if raw_product not in (None, "") else None
    browser_id = shopper.trusted_browser_id()
    basket = shopper.open_basket()
    count = item_count(basket)
    # A product card asks about its product; a basket place about the basket.
    can = (product.is_digital or product.sellable > 0) if product is not None else count > 0
    if basket is None:
        # No basket yet, so nothing to ask InPost about: the basket (and its id) is made when the
        # first product goes in (iziAddToCart), where a trusted browser binds it (Synchronization of a basket and an order (UC.04) step 9).
        db.session.rollback()
        return jsonify(
            can_be_bound=can, basket_linked=False, browser_trusted=browser_id is not None, count=0, basket_ref=None
        )
    basket_id = basket.basket_id
    shopper.basket_state(basket)
    db.session.commit()  # end the transaction before talking to InPost
    if shopper.asked_inpost(basket_id):
        trusted = browser_id is not None
    else:
        trusted = sync_binding_from_inpost(basket_id, browser_id)
    state = binding_for(basket_id)
    answer = {
        "can_be_bound": can,
        "browser_trusted": trusted,
        "count": count,
        "basket_ref": shopper.basket_ref(basket_id),
    }
    answer.update(binding_payload(state))
    db.session.rollback()
    return jsonify(answer)


# --- iziAddToCart -------------------------------------------------------------------------------


@bp.post("/add-to-cart")
def add_to_cart():
    """`iziAddToCart(productId)` (Synchronization of a basket and an order (UC.04) step 8): into the shop's basket; then InPost gets the
    basket when it is bound (sync.py's one PUT at the end of this request) or when this browser
    is trusted, which binds it with no app step (step 9). `inpost-update-count` follows (step 10,
    pushes.py)."""
    basket_id, linked = add_to_session_basket(read_json())
    browser_id = shopper.trusted_browser_id()
    if not linked and browser_id:
        linked = bind_trusted_browser(basket_id, browser_id)
    basket = shopper.open_basket()
    answer = {"count": item_count(basket), "basket_linked": linked, "basket_ref": shopper.basket_ref(basket_id)}
    db.session.rollback()
    return jsonify(answer)


def add_to_session_basket(data: dict) -> tuple[str, bool]:
    """`{product_id, quantity?}` into the session's basket (made if missing); a refused line
    keeps nothing. Returns (basket_id, whether the shop knows it as bound)."""
    product = find_product(data.get("product_id"))
    quantity = data.get("quantity")
    if quantity == "":
        quantity = None
    elif isinstance(quantity, (bool, dict, list)):
        raise JsonError(400, "INVALID_QUANTITY", "Ilość musi być liczbą.")
    basket = current_shop().add_to_session_basket(product.product_id, quantity)
    state = shopper.basket_state(basket)
    linked = state.is_bound
    basket_id = basket.basket_id
    db.session.commit()
    return basket_id, linked


def find_product(raw: object):
    product = current_shop().product(raw)
    if product is None:
        raise JsonError(404, "PRODUCT_NOT_FOUND", "Nie ma takiego produktu.")
    return product


# --- iziGetBindingData --------------------------------------------------------------------------


def read_phone(data: dict) -> dict | None:
    """`{country_prefix, phone}` from the request, or None for a deep-link binding."""
    raw_phone = data.get("phone")
    if raw_phone in (None, ""):
        return None
    prefix = data.get("prefix") or "+48"
    if not isinstance(prefix, str) or not PHONE_PREFIX.match(prefix.strip()):
        raise JsonError(400, "INVALID_PHONE", "Kierunkowy to „+” i od 1 do 4 cyfr, np. +48.")
    if not isinstance(raw_phone, str):
        raise JsonError(400, "INVALID_PHONE", "Numer telefonu podaj jako tekst z cyframi.")
    prefix = prefix.strip()
    phone = re.sub(r"[\s-]", "", raw_phone)
    if not phone.isdigit() or not phone.isascii():
        raise JsonError(400, "INVALID_PHONE", "Numer telefonu może zawierać tylko cyfry.")
    if prefix == "+48" and len(phone) != 9:
        raise JsonError(400, "INVALID_PHONE", "Numer telefonu w Polsce ma 9 cyfr.")
    if not 6 <= len(phone) <= 12:
        raise JsonError(400, "INVALID_PHONE", "Numer telefonu powinien mieć od 6 do 12 cyfr.")
    return {"country_prefix": prefix, "phone": phone}


def read_browser(data: dict) -> dict:
    """The browser description for POST binding (docs/inpost-pay-api.md §7.4): what InPost's script gave
    (`iziGetBrowserData({base64: true})`), plus what only the server knows (address, port)."""
    raw = data.get("browser")
    described: dict = {}
    if raw not in (None, ""):
        if not isinstance(raw, str) or len(raw) > MAX_BROWSER_DATA:
            raise JsonError(400, "INVALID_BROWSER", "Opis przeglądarki ma być tekstem base64 (iziGetBrowserData).")
        try:
            decoded = json.loads(base64.b64decode(raw, validate=True))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise JsonError(400, "INVALID_BROWSER", "Opis przeglądarki ma być JSON-em w base64.") from None
        if not isinstance(decoded, dict):
            raise JsonError(400, "INVALID_BROWSER", "Opis przeglądarki ma być obiektem JSON.")
        described = {key: str(decoded[key])[:255] for key in BROWSER_FIELDS if decoded.get(key) not in (None, "")}
    described.setdefault("user_agent", request.user_agent.string[:255])
    described["customer_ip"] = request.remote_addr or ""
    described["port"] = str(request.environ.get("REMOTE_PORT", ""))
    return described


@bp.post("/binding-data")
def binding_data():
    """`iziGetBindingData(prefix?, phone?)`: ask InPost to bind the basket (POST .../binding).
    By PHONE InPost pushes a request to the app (202 `{}`); without a phone it is a DEEP_LINK:
    `{qr_code, deep_link, deep_link_hms}` (docs/inpost-pay-api.md §7.4, docs/architecture.md#the-flows step 2)."""
    data = read_json()
    phone = read_phone(data)
    place = data.get("binding_place")
    if place in (None, ""):
        place = None
    elif place not in BINDING_PLACES:
        raise JsonError(
            400, "INVALID_BINDING_PLACE", f"binding_place musi być jednym z: {', '.join(sorted(BINDING_PLACES))}."
        )
    browser = read_browser(data)
    basket = shopper.open_basket()
    if basket is None or not basket.products:
        raise JsonError(400, "EMPTY_BASKET", "Koszyk jest pusty: dodaj produkt, zanim połączysz koszyk z InPost Pay.")
    basket_id = basket.basket_id
    state = shopper.basket_state(basket)
    if state.is_bound:
        raise JsonError(409, "BASKET_IS_BINDED", "Ten koszyk jest już połączony z InPost Pay.")
    state.binding_status = "unbound"  # a new request: an earlier rejection no longer stands
    db.session.commit()
    try:
        answer = inpost().create_basket_binding(
            basket_id, "PHONE" if phone else "DEEP_LINK", phone_number=phone, browser=browser, binding_place=place
        )
    except InPostConflict as exc:
        if exc.error_code == "BASKET_IS_BINDED":
            sync_binding_from_inpost(basket_id, shopper.trusted_browser_id())
            raise JsonError(409, "BASKET_IS_BINDED", "Ten koszyk jest już połączony z InPost Pay.") from None
        raise JsonError(409, exc.error_code, "Tego koszyka nie można teraz połączyć z InPost Pay.") from None
    except InPostBadRequest as exc:
        raise JsonError(
            400, "INVALID_PHONE" if phone else "BINDING_REFUSED", f"InPost odrzucił prośbę: {exc.error_message}"
        ) from None
    except (InPostUnavailable, InPostNotFound):
        raise
    except InPostError as exc:
        raise InPostUnavailable(exc.status, exc.error_code, exc.error_message) from None
    shopper.mark_asked(basket_id)
    if phone:
        return jsonify({}), 202
    answer = answer or {}
    if not answer.get("qr_code") and not answer.get("deep_link"):
        raise InPostUnavailable(200, "MALFORMED_RESPONSE", "InPost sent no qr_code or deep_link")
    return jsonify({key: answer.get(key) for key in ("qr_code", "deep_link", "deep_link_hms") if answer.get(key)})


# --- iziGetIsBound ------------------------------------------------------------------------------


@bp.get("/is-bound")
def is_bound():
    """The basket's binding as the shop knows it now (InPost's confirmation updates it). The page
    waits for the `binding` socket event; this is what it asks when the socket was down."""
    basket_id = current_shop().session_basket_id()
    state = binding_for(basket_id) if basket_id else None
    answer = binding_payload(state, with_status=True)
    answer["browser_trusted"] = (
        bool(state is not None and state.browser_trusted) or shopper.trusted_browser_id() is not None
    )
    answer["basket_ref"] = shopper.basket_ref(basket_id)
    answer["count"] = item_count(current_shop().session_basket())  # an ordered basket counts 0
    db.session.rollback()
    return jsonify(answer)


# --- iziGetOrderComplete ------------------------------------------------------------------------


def inpost_order_for(basket_id: str | None) -> OrderView | None:
    if not basket_id:
        return None
    order = current_shop().order_of_basket(basket_id)
    return order if order is not None and order.channel == CHANNEL else None


@bp.get("/order-complete")
def order_complete():
    """204 until InPost created an order for this session's basket, then `{redirect}` (Synchronization of a basket and an order (UC.04)
    step 12). The session then forgets the ordered basket, so the next add starts a new one."""
    shop = current_shop()
    order = inpost_order_for(shop.session_basket_id()) or inpost_order_for(session.get(shopper.ORDERED_KEY))
    if order is None:
        return Response(status=204)
    session[shopper.ORDERED_KEY] = order.basket_id
    if shop.session_basket_id() == order.basket_id:
        shop.forget_session_basket()
    return jsonify(redirect=shop.thank_you_url(order))


# --- iziBindingDelete, iziMobileLink ------------------------------------------------------------


@bp.delete("/binding")
def delete_binding():
    """`iziBindingDelete()`: unlink the basket at InPost, then here; the other tabs hear it."""
    basket_id = current_shop().session_basket_id()
    state = binding_for(basket_id) if basket_id else None
    if state is None or state.binding_status == "unbound":
        return Response(status=204)
    db.session.rollback()
    try:
        inpost().delete_basket_binding(basket_id)  # a 404 means already gone: fine (pitfall 4)
    except InPostUnavailable:
        raise
    except InPostError as exc:
        raise InPostUnavailable(exc.status, exc.error_code, exc.error_message) from None
    state = binding_for(basket_id)
    state.binding_status = "unbound"
    db.session.commit()
    push_binding(current_app._get_current_object(), basket_id)
    return Response(status=204)


@bp.delete("/trusted-browser")
def forget_this_browser():
    """The shopper asks to forget this trusted browser: InPost forgets it too
    (`DELETE /v1/izi/browser/{browser_id}/binding`, docs/inpost-pay-api.md §5.13), through the outbox so the
    call is never lost; here the cookie goes and no basket counts it as trusted any more."""
    browser_id = shopper.trusted_browser_id()
    if browser_id is None:
        raise JsonError(404, "BROWSER_NOT_TRUSTED", "Ta przeglądarka nie jest zapamiętana w InPost Pay.")
    outbox.enqueue_forget_browser(browser_id)
    db.session.execute(
        update(InPostBasket).where(InPostBasket.browser_id == browser_id).values(browser_trusted=False)
    )
    db.session.commit()
    g.izi_forget_browser = True  # keep_trusted_browser drops the cookie
    return Response(status=204)


@bp.get("/mobile-link")
def mobile_link():
    """`iziMobileLink()`: `{link}` opening the basket in InPost Mobile (docs/inpost-pay-api.md §7.4)."""
    basket_id = current_shop().session_basket_id()
    state = binding_for(basket_id) if basket_id else None
    if state is None or not state.is_bound:
        raise JsonError(409, "BASKET_NOT_BOUND", "Koszyk nie jest połączony z InPost Pay.")
    if not state.inpost_basket_id:
        db.session.rollback()
        sync_binding_from_inpost(basket_id, shopper.trusted_browser_id())
        state = binding_for(basket_id)
    if not state.inpost_basket_id:
        raise JsonError(409, "BASKET_NOT_BOUND", "InPost nie podał jeszcze identyfikatora koszyka.")
    return jsonify(link=app_link(state.inpost_basket_id))


def app_link(inpost_basket_id: str) -> str:
    """The environment's link to this basket in InPost Mobile (INPOST_PAY_APP_LINK_URL: the
    sandbox's simulator, or InPost's `inpost://izilink` scheme), never a dead hard-coded one."""
    base = current_app.config.get("INPOST_PAY_APP_LINK_URL") or "inpost://izilink"
    return f"{base}?{urlencode({'basket_id': inpost_basket_id})}"


# --- the thank-you page's live payment status ---------------------------------------------------


@bp.get("/order-status/<int:order_id>")
def order_status(order_id: int):
    """The order's status and payment, for its own session or the holder of its secret token:
    what the thank-you page asks when its socket missed an `order-status` push."""
    shop = current_shop()
    order = shop.order(order_id) if 0 < order_id <= MAX_ORDER_ID else None
    if order is None or not shop.may_see_order(order, request.args.get("token")):
        raise JsonError(404, "ORDER_NOT_FOUND", "Nie znaleźliśmy tego zamówienia.")
    return jsonify(order_status_payload(order))
