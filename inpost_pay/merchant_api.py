"""The merchant API: the endpoints InPost Pay calls on the shop (docs/architecture.md#interfaces, docs/inpost-pay-api.md §3).

Every handler follows the same order: verify the signature over the
raw body -> parse -> apply in one transaction (the basket row locked) -> answer
-> side effects after the commit (the widget's pushes, through `signals`).
Errors are `{"error_code", "error_message"}` with the codes of docs/inpost-pay-api.md §3.0;
bad input is never a 500 and nothing is written before a 2xx is certain.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge

from . import bounds, calllog, mapping, replay, schemas
from .baskets import binding_for, item_count, publish, sent_copy_is_current
from .database import db
from .echo import MERCHANT_API_BLUEPRINT
from .errors import InPostError, InvalidSignature, JsonError, SchemaError
from .models import InPostBasket, InPostEvent, utcnow
from .responses import error, json_error, json_response
from .shop import CHANNEL, BasketView, OrderView, ShopError, current_shop
from .signals import basket_changed_in_app, binding_changed, order_created, order_updated
from .signature import verify_request

log = logging.getLogger(__name__)

bp = Blueprint(MERCHANT_API_BLUEPRINT, __name__, url_prefix="/v1/izi")
bp.register_error_handler(JsonError, json_error)

__all__ = ["bp"]


@dataclass
class After:
    """Side effects to run once the transaction is committed."""

    pushes: list = field(default_factory=list)

    def push(self, signal, **kwargs) -> None:
        self.pushes.append((signal, kwargs))


# --- verification and logging (before anything else is read) -------------------------------


@bp.before_request
def verify_signature():
    g.inpost_started = time.perf_counter()
    g.inpost_verification = "not checked"
    raw = request.get_data(cache=True)  # the exact bytes, before any JSON parsing (docs/inpost-pay-api.md §6.2)
    try:
        key = verify_request(raw, request.headers, current_app.extensions["inpost_pay"].signing_keys)
    except InvalidSignature as exc:
        g.inpost_verification = f"refused: {exc.reason}"
        log.warning("InPost call %s %s refused: %s", request.method, request.path, exc.reason)
        return error(401, "INVALID_SIGNATURE", "Invalid signature.")
    except InPostError as exc:  # InPost's key endpoint could not be reached: fail closed
        g.inpost_verification = f"refused: signing keys unavailable ({exc.error_code})"
        return error(401, "INVALID_SIGNATURE", "Signature could not be verified.")
    if not replay.claim_for_request(request.headers.get("x-signature", ""), key.timestamp):
        g.inpost_verification = "refused: signature already used"
        log.warning("InPost call %s %s refused: signature already used", request.method, request.path)
        return error(401, "INVALID_SIGNATURE", "Signature already used.")
    g.inpost_verification = f"ok (key {key.version})"
    return None


@bp.after_request
def log_call(response: Response) -> Response:
    replay.settle()
    started = g.get("inpost_started", time.perf_counter())
    args = request.view_args or {}
    calllog.log_call(
        calllog.INBOUND,
        request.method,
        request.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        basket_id=args.get("basket_id") or g.get("inpost_basket_id"),
        order_id=args.get("order_id"),
        verification=g.get("inpost_verification"),
        request_body=_logged_request_body(),
        response_body=_logged_body(response.get_data()) if response.mimetype == "application/json" else None,
    )
    return response


def _logged_request_body() -> str | None:
    """The request body for the log; one over MAX_CONTENT_LENGTH was refused unread and stays so."""
    try:
        return _logged_body(request.get_data(cache=True))
    except RequestEntityTooLarge:
        return f"(body of {request.content_length or 'unknown'} bytes over the limit, not read)"


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc: RequestEntityTooLarge):
    g.inpost_verification = "refused: body over the size limit"
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return error(413, "PAYLOAD_TOO_LARGE", f"body: larger than {limit} bytes")


def _body_text(raw: bytes) -> str | None:
    if not raw:
        return None
    text = raw[:20000].decode("utf-8", errors="replace")
    return text


def _logged_body(raw: bytes) -> str | None:
    """A body as the call log may show it: phone numbers masked (docs/architecture.md#rules "Security").

    calllog masks the keys of objects it is given, but a body handed over as text would
    pass through whole, so JSON is parsed, masked and written again; what is not JSON is
    logged as text (there is no phone object to find in it).
    """
    text = _body_text(raw)
    if text is None or not calllog.may_need_masking(text):
        return text
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return text
    return json.dumps(calllog.mask_secrets(parsed), ensure_ascii=False, separators=(",", ":"))[:20000]


@bp.errorhandler(SchemaError)
def schema_error(exc: SchemaError):
    db.session.rollback()
    return error(400, "MALFORMED_REQUEST", str(exc))


@bp.errorhandler(StaleDataError)
def stale_basket(exc: StaleDataError):
    """Basket.version says another request changed the basket under us (docs/architecture.md#rules
    "Concurrency"). The row lock of `open_basket` normally makes this impossible; should a
    change ever slip past it, InPost gets a retryable 409 and nothing is written, never a 500."""
    db.session.rollback()
    log.warning("concurrent change on %s: %s", request.path, exc)
    return error(409, "CONFLICT", "Koszyk zmienił się w międzyczasie. Spróbuj ponownie.")


def body(parser):
    """The request body read and checked by a schemas parser (JSON numbers as Decimal)."""
    return parser(schemas.load_json(request.get_data(cache=True)))


def open_basket(basket_id: str) -> BasketView:
    """The basket, locked for this transaction; 404 when unknown, 409 once ordered."""
    basket = current_shop().lock_basket(basket_id)
    if basket is None:
        raise JsonError(404, "BASKET_NOT_FOUND", f"Basket {basket_id} not found.")
    if not basket.is_open:
        raise JsonError(409, "ORDER_EXISTS", "An order has already been placed for this basket.")
    return basket


def run_after(after: After) -> None:
    app = current_app._get_current_object()
    for signal, kwargs in after.pushes:
        try:
            signal.send(app, **kwargs)
        except Exception:  # a failed push must never turn a committed answer into an error
            log.exception("push %s failed", signal.name)


# --- GET /v1/izi/basket/{basket_id} -----------------------------------------------------------


@bp.get("/basket/<basket_id>")
def get_basket(basket_id: str):
    """The basket as InPost last received it, byte for byte, while it is still the basket
    (docs/inpost-pay-api.md §3.1, pitfall 2: InPost compares this answer with its copy before an order).

    When the basket has changed since (a shop change whose PUT failed, a price changed in the
    back office), the answer is the basket as it is now: InPost then sees the difference and
    asks the shopper to refresh (docs/architecture.md#the-flows), and the refresh gets the basket the shop will
    really sell. Serving the stale copy instead would let the pre-order comparison pass, fail
    the price check on every attempt, and leave no way to recover.
    """
    shop = current_shop()
    for fetch in (shop.basket, shop.lock_basket):  # read; lock only to write
        basket = fetch(basket_id)
        if basket is None:
            raise JsonError(404, "BASKET_NOT_FOUND", f"Basket {basket_id} not found.")
        state = binding_for(basket_id)
        if state is not None and state.last_basket_json and (not basket.is_open or sent_copy_is_current(state, basket)):
            text = state.last_basket_json
            db.session.commit()  # nothing written but the signature's record (replay)
            return json_response(text)
    _, text = publish(basket)  # locked: keep InPost's events out meanwhile
    db.session.commit()
    return json_response(text)


# --- POST /v1/izi/basket/{basket_id}/confirmation ---------------------------------------------


@bp.post("/basket/<basket_id>/confirmation")
def confirm_binding(basket_id: str):
    """The shopper accepted (or rejected) the binding in the app (Confirming the binding of a basket): answer the whole basket."""
    confirmation = body(schemas.parse_confirmation)
    basket = open_basket(basket_id)
    state = binding_for(basket.basket_id, create=True)
    after = After()
    if confirmation.rejected:
        state.binding_status = "rejected"
    else:
        state.binding_status = "bound"
        state.bound_at = utcnow()
        state.inpost_basket_id = confirmation.inpost_basket_id or state.inpost_basket_id
        if confirmation.phone_number:
            state.phone_prefix = confirmation.phone_number.country_prefix
            state.phone = confirmation.phone_number.phone
        state.masked_phone_number = confirmation.masked_phone_number
        state.name, state.surname = confirmation.name, confirmation.surname
        if confirmation.browser is not None:
            state.browser_trusted = bool(confirmation.browser.browser_trusted)
            state.browser_id = confirmation.browser.browser_id or state.browser_id
    _, text = publish(basket)
    db.session.commit()
    after.push(
        binding_changed,
        basket_id=basket.basket_id,
        basket_linked=state.is_bound,
        masked_phone_number=state.masked_phone_number,
        name=state.name,
    )
    run_after(after)
    return json_response(text)


# --- POST /v1/izi/basket/{basket_id}/event ----------------------------------------------------


def _apply_quantities(basket: BasketView, event: schemas.BasketEvent) -> list[str]:
    problems = []
    for change in event.quantity_event_data:
        try:
            notice = current_shop().set_quantity(basket.basket_id, change.product_id, change.quantity.quantity)
        except ShopError as exc:
            problems.append(exc.message)
        else:
            if notice:
                problems.append(notice)
    return problems


def _apply_codes(basket: BasketView, event: schemas.BasketEvent) -> tuple[list[str], list[str]]:
    """The list is the complete wanted set of codes (docs/inpost-pay-api.md §3.3)."""
    changes = current_shop().set_codes(basket.basket_id, [c.promo_code_value for c in event.promo_codes_event_data])
    return [c.message for c in changes if not c.ok], [c.message for c in changes if c.ok]


def _apply_related(basket: BasketView, event: schemas.BasketEvent) -> list[str]:
    problems = []
    for item in event.related_products_event_data:
        try:
            current_shop().add_product(basket.basket_id, item.product_id, item.quantity.quantity)
        except ShopError as exc:
            problems.append(f"Nie udało się dodać produktu: {exc.message}")
    return problems


@bp.post("/basket/<basket_id>/event")
def basket_event(basket_id: str):
    """A change made in the app (Basket Update). Applied once per event_id; the answer is the whole
    basket; a refused change is a basket_notice of type ERROR, not an HTTP error."""
    event = body(schemas.parse_basket_event)
    state, repeat = _binding_and_answer(basket_id, event.event_id)
    if repeat is not None:
        return repeat
    basket = open_basket(basket_id)
    if event.event_type == "PRODUCTS_QUANTITY":
        problems, done = _apply_quantities(basket, event), []
    elif event.event_type == "PROMO_CODES":
        problems, done = _apply_codes(basket, event)
    else:
        problems, done = _apply_related(basket, event), []
    if problems:
        notice = mapping.Notice("ERROR", " ".join(problems))
    elif done:
        notice = mapping.Notice("ATTENTION", " ".join(done))
    else:
        notice = None
    basket = current_shop().basket(basket_id)  # as the changes left it
    _, text = publish(basket, notice=notice, state=state)
    count = item_count(basket)
    try:  # a Core insert: the unit of work has nothing to track for a row written once
        db.session.execute(_RECORD_EVENT, {
            "event_id": event.event_id, "kind": "basket", "subject_id": basket.basket_id,
            "event_type": event.event_type, "payload": _body_text(request.get_data(cache=True)) or "",
            "response_status": 200, "response_body": text, "received_at": utcnow(),
        })  # fmt: skip
        db.session.commit()
    except IntegrityError:  # the same event_id arrived twice at once: the first one's answer wins
        db.session.rollback()
        return _stored_answer("basket", basket_id, event.event_id) or error(409, "CONFLICT", "Event is being processed.")
    after = After()
    after.push(basket_changed_in_app, basket_id=basket_id, count=count)
    run_after(after)
    return json_response(text)


_RECORD_EVENT = InPostEvent.__table__.insert()
# Built once, with parameters: building the statement again for every event costs more than running it.
_BINDING_AND_ANSWER = (
    select(InPostBasket, InPostEvent.response_body, InPostEvent.response_status)
    .outerjoin(
        InPostEvent,
        and_(
            InPostEvent.kind == "basket",
            InPostEvent.subject_id == InPostBasket.basket_id,
            InPostEvent.event_id == bindparam("event_id"),
        ),
    )
    .where(InPostBasket.basket_id == bindparam("basket_id"))
)


def _binding_and_answer(basket_id: str, event_id: str) -> tuple[InPostBasket | None, Response | None]:
    """The basket's binding and the answer first given to this event, if it came before: one
    statement where the basket has a binding (as every basket InPost sends events for has)."""
    found = db.session.execute(_BINDING_AND_ANSWER, {"basket_id": basket_id, "event_id": event_id}).first()
    if found is None:
        return None, _stored_answer("basket", basket_id, event_id)
    state, response_body, response_status = found
    return state, (json_response(response_body, response_status) if response_status is not None else None)


def _stored_answer(kind: str, subject_id: str, event_id: str) -> Response | None:
    """The answer first given to this event of this basket or order, if it came before."""
    stored = db.session.scalar(
        select(InPostEvent).where(
            InPostEvent.kind == kind, InPostEvent.subject_id == subject_id, InPostEvent.event_id == event_id
        )
    )
    if stored is None:
        return None
    return json_response(stored.response_body, stored.response_status)


# --- DELETE /v1/izi/basket/{basket_id}/binding ------------------------------------------------


@bp.delete("/basket/<basket_id>/binding")
def delete_binding(basket_id: str):
    """The shopper unlinked the basket in the app: forget it locally, never call InPost back
    (docs/inpost-pay-api.md §3.4, pitfall 4). Unknown baskets answer 200 too, as the plugins do."""
    state = binding_for(basket_id)
    if state is not None and state.binding_status != "unbound":
        state.binding_status = "unbound"
        db.session.commit()
        after = After()
        after.push(binding_changed, basket_id=basket_id, basket_linked=False, masked_phone_number=None, name=None)
        run_after(after)
    return json_response({})


# --- POST /v1/izi/order ------------------------------------------------------------------------


def _order_answer(order: OrderView, status: int) -> Response:
    config = current_app.config
    shop = current_shop()
    products = {line.product_id: p for line in order.lines if (p := shop.product(line.product_id)) is not None}
    return json_response(
        mapping.order_json(order, pos_id=config["INPOST_PAY_POS_ID"], shop_url=config["SHOP_URL"], products=products),
        status,
    )


def _order_of_basket(basket_id: str) -> OrderView | None:
    return current_shop().order_of_basket(basket_id)


def _repeat_answer(existing: OrderView) -> Response:
    """A basket orders once. InPost's own order again is its retry (pitfall 5); an order placed
    on the website instead (the unbinding of pitfall 9 did not reach InPost) is refused, or the
    shopper would pay in the app for goods already bought on the website."""
    if existing.channel != CHANNEL:
        raise JsonError(409, "ORDER_EXISTS", "Ten koszyk został już zamówiony w sklepie internetowym.")
    return _order_answer(existing, 201)


@bp.post("/order")
def create_order():
    """InPost places the order (docs/inpost-pay-api.md §3.5): once per basket, 201 with the order object."""
    data = body(schemas.parse_order_create)
    basket_id = data.order_details.basket_id
    g.inpost_basket_id = basket_id
    existing = _order_of_basket(basket_id)
    if existing is not None:  # InPost retried: the same order again (pitfall 5)
        return _repeat_answer(existing)
    basket = current_shop().lock_basket(basket_id)
    if basket is None:
        raise JsonError(404, "BASKET_NOT_FOUND", f"Basket {basket_id} not found.")
    existing = _order_of_basket(basket_id)  # re-read under the lock
    if existing is not None:
        return _repeat_answer(existing)
    state = binding_for(basket_id)
    owner = (state.owner_token if state is not None and state.owner_token else None) or secrets.token_urlsafe(24)
    try:
        order = current_shop().place_order(basket_id, mapping.order_request_from_inpost(data, owner))
    except ShopError as exc:
        raise JsonError(409, "ORDER_NOT_CREATE", exc.message) from None
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent duplicate won the unique basket_id: answer its order
        db.session.rollback()
        existing = _order_of_basket(basket_id)
        if existing is None:
            raise
        return _repeat_answer(existing)
    after = After()
    after.push(order_created, basket_id=basket_id, order=order)
    run_after(after)
    return _order_answer(order, 201)


def _find_order(order_id: str) -> OrderView:
    try:  # an id in the path that cannot be ours ("abc", "²", 30 digits) is simply not found
        order = current_shop().order(bounds.parse_id(order_id, "order_id"))
    except bounds.OutOfBounds:
        order = None
    if order is None or order.channel != CHANNEL:
        raise JsonError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found.")
    return order


@bp.get("/order/<order_id>")
def get_order(order_id: str):
    return _order_answer(_find_order(order_id), 200)


# --- POST /v1/izi/order/{order_id}/event ---------------------------------------------------------


@bp.post("/order/<order_id>/event")
def order_event(order_id: str):
    """Payment or order status from InPost (Updating orders at the Merchant’s), applied once per event_id. Unknown statuses
    are recorded, never refused (open enums); the answer carries our label and tracking numbers."""
    event = body(schemas.parse_order_event)
    order = _find_order(order_id)
    repeat = _stored_answer("order", str(order.id), event.event_id)
    if repeat is not None:
        return repeat
    data = event.event_data
    inpost = {}
    for key in ("payment_id", "payment_reference", "payment_type", "order_status"):
        value = getattr(data, key)
        if value:
            inpost[key] = value
    order = current_shop().apply_order_event(
        order.id, payment_status=data.payment_status, external=inpost, rejected=data.order_status == "ORDER_REJECTED"
    )
    answer = {
        "order_merchant_status_description": order.status_label,
        "delivery_references_list": list(order.tracking_numbers),
    }
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    db.session.add(
        InPostEvent(
            event_id=event.event_id, kind="order", subject_id=str(order.id), event_type="ORDER_EVENT",
            payload=_body_text(request.get_data(cache=True)) or "", response_status=200, response_body=text,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _stored_answer("order", str(order.id), event.event_id) or error(409, "CONFLICT", "Event is being processed.")
    after = After()
    after.push(order_updated, order=order, payment_status=data.payment_status, order_status=data.order_status)
    run_after(after)
    return json_response(text)
