"""InPost's Basket App API as the merchant calls it (docs/inpost-pay-api.md §5, Widget 1.0 set of docs/architecture.md#interfaces).

Every call passes the fault switches, then needs a valid bearer token
(`auth.require_bearer`). Errors are `{error_code, error_message}` with InPost's
codes; malformed input is 400 MALFORMED_REQUEST naming the field.
"""

from __future__ import annotations

import base64
import io
import json
import time

import segno
from flask import Blueprint, current_app, g, jsonify, request

from sandbox import baskets
from sandbox.auth import require_bearer
from sandbox.contract import check_basket, parse_datetime
from sandbox.errors import ApiError, malformed
from sandbox.extensions import db
from sandbox.jsonutil import dumps, loads, to_plain
from sandbox.models import Basket, BindingRequest, Browser, Order, OrderEvent, iso, utcnow
from sandbox.validate import field, flag_arg, int_arg, json_body, phone_number

bp = Blueprint("sandbox_api", __name__, url_prefix="/v1/izi")

BINDING_METHODS = ("PHONE", "DEEP_LINK")
# Reference §7.1 (PS src/Common/BindingPlace.php, WC InPostIzi.php).
BINDING_PLACES = (
    "PRODUCT_CARD", "BASKET_SUMMARY", "BASKET_POPUP", "ORDER_CREATE", "CHECKOUT_PAGE",
    "LOGIN_PAGE", "REGISTERFORM_PAGE", "MINICART_PAGE", "THANK_YOU_PAGE",
)  # fmt: skip
ORDER_STATUSES = ("ORDER_PROCESSING", "ORDER_COMPLETED", "ORDER_REJECTED")
FINAL_ORDER_STATUSES = ("ORDER_COMPLETED", "ORDER_REJECTED")
MAX_ID_LENGTH = 200


@bp.before_request
def guard():
    """Fault switches first (an unavailable service answers before checking anything), then the bearer."""
    check_faults()
    g.client_id = require_bearer()


def check_faults() -> None:
    """The developer's fault switches (faults.py): a delay, or 503 as if InPost were down."""
    answer_503, delay = current_app.extensions["sandbox_faults"].decide()
    if delay:
        time.sleep(delay)
    if answer_503:
        raise ApiError(503, "SERVICE_UNAVAILABLE", "InPost Pay is temporarily unavailable (sandbox fault switch)")


def _id(value: str, name: str) -> str:
    if not value.strip() or len(value) > MAX_ID_LENGTH:
        raise malformed(f"{name}: must be 1-{MAX_ID_LENGTH} characters")
    return value


# -- binding (docs/inpost-pay-api.md §5.4, §7.4) ---------------------------------------------


@bp.get("/basket/<basket_id>/binding")
def get_binding(basket_id: str):
    """Is the basket linked, and is this browser trusted? (Synchronization of a basket and an order (UC.04) steps 5-6)."""
    _id(basket_id, "basket_id")
    basket = baskets.find(basket_id)
    browser = baskets.trusted_browser(request.args.get("browser_id"))
    answer = {"basket_linked": bool(basket and basket.linked), "browser_trusted": browser is not None}
    if basket is not None:
        answer["inpost_basket_id"] = basket.inpost_basket_id
    if basket is not None and basket.linked:
        answer["client_details"] = baskets.client_details(basket.country_prefix, basket.phone)
    elif browser is not None:
        answer["client_details"] = baskets.client_details(browser.country_prefix, browser.phone)
    return jsonify(answer)


@bp.post("/basket/<basket_id>/binding")
def request_binding(basket_id: str):
    """Ask the app user to link the basket: by phone (202, a request appears in the app)
    or by deep link / QR code (200 with the link)."""
    _id(basket_id, "basket_id")
    return open_binding_request(basket_id, json_body())


def open_binding_request(basket_id: str, body: dict):
    """A binding request for the app, from the merchant (Widget 1.0) or from the widget itself
    (Widget 2.0, sandbox/widget_v2.py): the same body, the same answers."""
    method = field(body, "binding_method", str, choices=BINDING_METHODS)
    phone = phone_number(body, required=method == "PHONE")
    browser = field(body, "browser", dict, required=False)
    place = field(body, "binding_place", str, required=False, choices=BINDING_PLACES)

    basket = baskets.find_or_create(basket_id)
    if basket.linked:
        raise ApiError(409, "BASKET_IS_BINDED", "the basket is already linked to a phone")
    if basket.status == "ORDERED":
        raise ApiError(409, "BASKET_EXPIRED", "an order was already placed for this basket; start a new basket")
    # One live request per basket: a new one replaces what was pending.
    baskets.cancel_pending_requests(basket)
    binding = BindingRequest(
        inpost_basket_id=basket.inpost_basket_id,
        binding_method=method,
        country_prefix=phone["country_prefix"] if method == "PHONE" else None,
        phone=phone["phone"] if method == "PHONE" else None,
        browser_json=json.dumps(to_plain(browser)) if browser else None,
        binding_place=place,
    )
    db.session.add(binding)
    db.session.commit()
    if method == "PHONE":
        return "", 202
    return jsonify(deep_link_answer(basket))


def deep_link_answer(basket: Basket) -> dict:
    """{qr_code, deep_link, deep_link_hms} (docs/inpost-pay-api.md §7.4): the app link and its QR code."""
    deep_link = f"inpostsandbox://izilink?basket_id={basket.inpost_basket_id}"
    origin = current_app.config.get("SANDBOX_PUBLIC_URL") or request.host_url.rstrip("/")
    buffer = io.BytesIO()
    segno.make(deep_link, error="m").save(buffer, kind="svg", scale=4, border=2)
    qr_code = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return {
        "qr_code": qr_code,
        "deep_link": deep_link,
        # The http page of the app simulator that opens this request (stands in for
        # the Huawei-store link InPost gives phones without Google services).
        "deep_link_hms": f"{origin}/app/izilink?basket_id={basket.inpost_basket_id}",
    }


@bp.delete("/basket/<basket_id>/binding")
def delete_binding(basket_id: str):
    """Unlink the basket (docs/inpost-pay-api.md §5.3); if_basket_realized = it was bought on the website."""
    _id(basket_id, "basket_id")
    realized = flag_arg("if_basket_realized")
    basket = baskets.find(basket_id)
    if basket is None:
        raise ApiError(404, "BASKET_NOT_FOUND", "no basket with this basket_id")
    if not basket.linked:
        raise ApiError(404, "BASKET_NOT_BOUND", "the basket is not linked")
    baskets.unbind(basket, realized=realized)
    db.session.commit()
    return "", 204


# -- basket (docs/inpost-pay-api.md §5.13 legacy PUT, Synchronization of a basket and an order (UC.04) step 9) ------------------------


@bp.put("/basket/<basket_id>")
def put_basket(basket_id: str):
    """The merchant's whole basket after a shop-side change (docs/architecture.md#the-flows steps 3-4).

    Bound: replaces InPost's copy. Not bound but a trusted `browser_id`: links the
    basket to that browser's phone with no app step (Synchronization of a basket and an order (UC.04) step 9).
    """
    _id(basket_id, "basket_id")
    body = json_body()
    browser_id = field(body, "browser_id", str, required=False)
    doc = checked_basket({key: value for key, value in body.items() if key != "browser_id"})

    basket = baskets.find(basket_id)
    if basket is not None and basket.linked:
        baskets.store_document(basket, doc)
    elif browser_id is not None:
        browser = baskets.trusted_browser(browser_id)
        if browser is None:
            raise ApiError(404, "BROWSER_NOT_FOUND", "no trusted browser with this browser_id")
        if basket is not None and basket.status == "ORDERED":
            raise ApiError(404, "BASKET_NOT_BOUND", "an order was already placed for this basket")
        basket = basket or baskets.find_or_create(basket_id)
        baskets.bind(basket, browser.country_prefix, browser.phone, doc, browser_id=browser.browser_id)
    else:
        raise ApiError(404, "BASKET_NOT_BOUND", "the basket is not linked; bind it first (POST .../binding)")
    db.session.commit()
    return jsonify({"inpost_basket_id": basket.inpost_basket_id})


def checked_basket(doc: dict) -> dict:
    """The merchant's basket JSON, or 400 MALFORMED_REQUEST naming the first problems (InPost
    checks every basket it is sent against its contract, both PUTs alike)."""
    warnings: list = []
    violations = check_basket(doc, warnings=warnings)
    # The log shows both; warnings (what the documents discourage) never refuse the PUT.
    g.contract_violations = violations + [dict(w, warning=True) for w in warnings]
    if violations:
        raise malformed("basket: " + "; ".join(f"{v['field']}: {v['problem']}" for v in violations[:5])
                        + (f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""))  # fmt: skip
    return doc


@bp.delete("/browser/<browser_id>/binding")
def delete_browser(browser_id: str):
    """Forget a trusted browser (the shopper signed out of it)."""
    _id(browser_id, "browser_id")
    browser = db.session.get(Browser, browser_id)
    if browser is None:
        raise ApiError(404, "BROWSER_NOT_FOUND", "no trusted browser with this browser_id")
    db.session.delete(browser)
    db.session.commit()
    return "", 204


# -- order events from the merchant (docs/inpost-pay-api.md §5.5) ------------------------------


@bp.post("/order/<order_id>/event")
def order_event(order_id: str):
    """Order progress from the merchant: status label, tracking numbers, ORDER_COMPLETED/REJECTED.

    Answers 201 (pitfall 13: InPost answers 201 although its document says 200).
    """
    _id(order_id, "order_id")
    body = json_body()
    event_id = field(body, "event_id", str)
    event_time = field(body, "event_data_time", str)
    if parse_datetime(event_time) is None:
        raise malformed("event_data_time: must be an ISO-8601 date-time such as 2023-09-20T13:27:25.760Z")
    phone_number(body, required=False)
    data = field(body, "event_data", dict)
    status = field(data, "order_status", str, path="event_data", required=False)
    label = field(data, "order_merchant_status_description", str, path="event_data", required=False)
    references = field(data, "delivery_references_list", list, path="event_data", required=False) or []
    for index, reference in enumerate(references):
        if isinstance(reference, bool) or not isinstance(reference, str | int) or not str(reference).strip():
            raise malformed(f"event_data.delivery_references_list[{index}]: must be a non-empty string")
    field(data, "delivery", dict, path="event_data", required=False)
    if "payment_status" in data:
        raise malformed("event_data.payment_status: set by InPost, not by the merchant")
    if status is not None and status not in ORDER_STATUSES:
        raise malformed(f"event_data.order_status: must be one of {', '.join(ORDER_STATUSES)}")

    order = db.session.get(Order, order_id)
    if order is None:
        raise ApiError(404, "ORDER_NOT_FOUND", "no order with this order_id")
    repeat = db.session.scalar(
        db.select(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.direction == "from_merchant", OrderEvent.event_id == event_id
        )
    )
    if repeat is None:
        _apply_merchant_event(order, status, label, [str(r) for r in references])
        db.session.add(OrderEvent(order_id=order_id, direction="from_merchant", event_id=event_id,
                                  body_json=dumps(body), response_status=201))  # fmt: skip
        db.session.commit()
    return jsonify(order_state(order)), 201


def _apply_merchant_event(order: Order, status: str | None, label: str | None, references: list[str]) -> None:
    """The transition rules of docs/inpost-pay-api.md §5.5 / §8.8 and Updating orders at the Merchant’s."""
    if order.order_status in FINAL_ORDER_STATUSES:
        raise ApiError(409, "STATUS_ORDER_ERROR", f"the order is already {order.order_status}; it takes no more events")
    if status == "ORDER_PROCESSING":
        raise ApiError(
            409, "STATUS_ORDER_ERROR", "ORDER_PROCESSING is set by InPost; send ORDER_COMPLETED or ORDER_REJECTED"
        )
    if status == "ORDER_COMPLETED" and order.payment_status == "AUTHORIZED":
        # Updating orders at the Merchant’s: "We do not send this status for the orders which have been paid in the InPost app."
        raise ApiError(409, "STATUS_ORDER_ERROR", "ORDER_COMPLETED is not allowed for an order paid in the app")
    if status:
        order.order_status = status
    if label is not None:
        order.merchant_status_description = label
    known = json.loads(order.delivery_references_json or "[]")
    known.extend(r for r in references if r not in known)
    order.delivery_references_json = json.dumps(known)
    order.updated_at = utcnow()


def order_state(order: Order) -> dict:
    return {
        "order_id": order.order_id,
        "order_status": order.order_status,
        "payment_status": order.payment_status,
        "order_merchant_status_description": order.merchant_status_description,
        "delivery_references_list": json.loads(order.delivery_references_json or "[]"),
    }


# -- back office lists (docs/inpost-pay-api.md §5.10) -------------------------------------------


def _page() -> tuple[int, int]:
    return int_arg("page_index", 0, minimum=0), int_arg("page_size", 10, minimum=1, maximum=100)


@bp.get("/baskets")
def list_baskets():
    page_index, page_size = _page()
    query = db.select(Basket)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Basket.created_at.desc(), Basket.inpost_basket_id)
        .offset(page_index * page_size)
        .limit(page_size)
    ).all()
    items = []
    for basket in rows:
        doc = baskets.document(basket) or {}
        items.append(
            {
                "basket_id": basket.basket_id,
                "inpost_basket_id": basket.inpost_basket_id,
                "basket_linked": basket.linked,
                "status": basket.status,
                "creation_date": iso(basket.created_at),
                "update_date": iso(basket.updated_at),
                "summary": to_plain(doc.get("summary")),
                "products": to_plain(doc.get("products", [])),
            }
        )
    return jsonify({"baskets": items, "page_index": page_index, "page_size": page_size, "total_items": total})


@bp.get("/orders")
def list_orders():
    page_index, page_size = _page()
    query = db.select(Order)
    order_id = request.args.get("order_id")
    if order_id:
        query = query.where(Order.order_id == order_id)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Order.created_at.desc(), Order.order_id).offset(page_index * page_size).limit(page_size)
    ).all()
    items = []
    for order in rows:
        doc = loads(order.order_json)
        details = dict(doc.get("order_details") or {})
        state = order_state(order)
        details.update(
            order_status=state["order_status"],
            payment_status=state["payment_status"],
            order_merchant_status_description=state["order_merchant_status_description"]
            or details.get("order_merchant_status_description"),
            delivery_references_list=state["delivery_references_list"],
        )
        items.append(to_plain({**doc, "order_details": details}))
    return jsonify({"orders": items, "page_index": page_index, "page_size": page_size, "total_items": total})


# -- signing keys (docs/inpost-pay-api.md §5.6, §5.7, §6) ---------------------------------------


@bp.get("/signing-keys/public")
def signing_keys():
    ring = current_app.extensions["sandbox_keys"]
    return jsonify(
        {
            "merchant_external_id": ring.merchant_external_id,
            "public_keys": [{"public_key_base64": k.public_key_base64, "version": k.version} for k in ring.all()],
        }
    )


@bp.get("/signing-keys/public/<version>")
def signing_key(version: str):
    ring = current_app.extensions["sandbox_keys"]
    key = ring.get(version)
    if key is None:
        raise ApiError(404, "PUBLIC_KEY_NOT_FOUND", f"no public key with version {version!r}")
    return jsonify(
        {
            "merchant_external_id": ring.merchant_external_id,
            "public_key": {"public_key_base64": key.public_key_base64, "version": key.version},
        }
    )
