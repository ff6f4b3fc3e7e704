"""InPost's widget API for Widget 2.0: what the widget script itself calls from the merchant's
page (docs/widget-versions.md), and the widget scripts of both versions.

With Widget 2.0 the merchant's backend only obtains a basket binding API key
(`PUT /v2/izi/basket/{id}/binding`, sandbox/api_v2.py); the widget then asks InPost directly,
cross-origin from the merchant's page, keyed by that key (header `X-Basket-Binding-Api-Key`)
and the merchant's client id (`X-Merchant-Client-Id`):

- `GET /widget/v2/config` -> the merchant's widget configuration (the widget's first call);
- `GET /widget/v2/binding[?browser_id=]` -> the basket's state: `{basket_linked, browser_trusted,
  basket_status, count, basket_version, masked_phone_number?, name?, binding_request_status?,
  browser_id?, deep_link?}`; the widget follows it to learn of app-side changes, unlinking and
  the order (it then calls the page's `handleBasketEvent`);
- `POST /widget/v2/binding` `{binding_method: PHONE|DEEP_LINK, phone_number?, binding_place?,
  browser?}` -> 202 (a request appears in the app) or 200 `{qr_code, deep_link, deep_link_hms}`;
- `POST /widget/v2/binding/trusted` `{browser_id}` -> 200 the state: a browser the app user
  trusted links the basket with no app step (InPost asks the merchant to confirm, as after an
  acceptance in the app);
- `DELETE /widget/v2/binding` -> 204: unlink (InPost tells the merchant, `DELETE .../binding`).

Only pages of the merchant's registered origin may call it (InPost Pay: Widget 2.0 "works
only on the domain registered as the merchant's home page"): the `Origin` header must be one of
`SANDBOX_WIDGET_ORIGINS` (default: the origin of `SANDBOX_MERCHANT_URL`), and the CORS answers
name only that origin. The fault switches apply as to the rest of the API.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import NotFound

from sandbox import baskets
from sandbox.api import check_faults, deep_link_answer, open_binding_request
from sandbox.api_v2 import basket_for_key
from sandbox.app_actions.common import basket_check, merchant, reply_problem
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.log import mask_phone
from sandbox.models import Basket, BindingRequest
from sandbox.settings import origins
from sandbox.validate import field, json_body

bp = Blueprint("sandbox_widget_v2", __name__)

KEY_HEADER = "X-Basket-Binding-Api-Key"
MERCHANT_HEADER = "X-Merchant-Client-Id"
ALLOWED_HEADERS = f"Content-Type, {KEY_HEADER}, {MERCHANT_HEADER}"
# The element and dialog both versions share; the sandbox serves it in front of each script.
SHARED_SCRIPT = "widget-ui.js"


# -- the scripts -------------------------------------------------------------------------


def script_bundle(name: str) -> Response:
    """widget-ui.js followed by a version's driver, as one script served cross-origin (InPost
    serves its widget as one file)."""
    folder = Path(current_app.static_folder)
    try:
        parts = [(folder / part).read_bytes() for part in (SHARED_SCRIPT, name)]
    except FileNotFoundError:
        raise NotFound(f"no widget script {name}") from None
    response = Response(b"\n".join(parts), mimetype="text/javascript")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/inpostpay.widget.v2.js")
def widget_v2_script():
    """Widget 2.0 (`window.InPostPayWidget.init`), the counterpart of InPost's inpostpay.widget.v2.js."""
    return script_bundle("inpostpay-widget-v2.js")


# -- origin, CORS, the key -----------------------------------------------------------------


def allowed_origins() -> set[str]:
    config = current_app.config
    return set(config.get("SANDBOX_WIDGET_ORIGINS") or origins(config["SANDBOX_MERCHANT_URL"]))


@bp.before_request
def only_the_merchants_origin():
    if not request.path.startswith("/widget/v2/"):
        return None
    origin = request.headers.get("Origin")
    if origin not in allowed_origins():
        raise ApiError(403, "FORBIDDEN", "the widget works only on the merchant's registered origin")
    g.widget_origin = origin
    if request.method == "OPTIONS":  # the CORS preflight: nothing else is checked
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    check_faults()
    if request.headers.get(MERCHANT_HEADER) != current_app.config["INPOST_PAY_MERCHANT_CLIENT_ID"]:
        raise ApiError(403, "FORBIDDEN", f"{MERCHANT_HEADER}: not a merchant registered with InPost Pay")
    return None


@bp.after_request
def cors(response: Response) -> Response:
    if g.get("widget_origin"):
        response.headers["Access-Control-Allow-Origin"] = g.widget_origin
        response.headers["Vary"] = "Origin"
    return response


def _keyed_basket() -> Basket:
    found = basket_for_key(request.headers.get(KEY_HEADER))
    if found is None:
        raise ApiError(401, "UNAUTHORIZED", f"{KEY_HEADER}: unknown basket binding API key")
    row, basket = found
    return basket or baskets.find_or_create(row.basket_id)


# -- the calls -----------------------------------------------------------------------------


def item_count(doc: dict | None) -> int:
    """The widget's counter: pieces for INTEGER lines, one per DECIMAL line."""
    count = 0
    for product in (doc or {}).get("products") or []:
        quantity = (product.get("quantity") or {}) if isinstance(product, dict) else {}
        if quantity.get("quantity_type") == "DECIMAL":
            count += 1
        else:
            try:
                count += int(quantity.get("quantity") or 0)
            except (TypeError, ValueError):
                continue
    return count


def state(basket: Basket) -> dict:
    """What the widget shows, and what it compares to notice a change."""
    browser = baskets.trusted_browser(request.args.get("browser_id") or g.get("trusted_browser_id"))
    latest = db.session.scalar(
        db.select(BindingRequest)
        .where(BindingRequest.inpost_basket_id == basket.inpost_basket_id)
        .order_by(BindingRequest.created_at.desc())
        .limit(1)
    )
    answer = {
        "basket_linked": basket.linked,
        "browser_trusted": browser is not None,
        "basket_status": basket.status,
        "count": item_count(baskets.document(basket)) if basket.linked else 0,
        "basket_version": basket.updated_at.isoformat() if basket.basket_json else None,
        "binding_request_status": latest.status if latest is not None else None,
    }
    if basket.linked:
        answer.update(baskets.client_details(basket.country_prefix, basket.phone))
        answer.pop("phone_number")
        answer["deep_link"] = deep_link_answer(basket)["deep_link"]
        if basket.browser_id:  # the shopper trusted this browser when accepting
            answer["browser_id"] = basket.browser_id
    return answer


@bp.get("/widget/v2/config")
def widget_config():
    """The merchant's widget configuration: the first call of the widget's lifecycle."""
    name = current_app.config.get("SANDBOX_MERCHANT_NAME") or ""
    return jsonify({"merchant_client_id": current_app.config["INPOST_PAY_MERCHANT_CLIENT_ID"],
                    "merchant_name": name, "languages": ["pl", "en"]})  # fmt: skip


@bp.get("/widget/v2/binding")
def get_binding():
    return jsonify(state(_keyed_basket()))


@bp.post("/widget/v2/binding")
def request_binding():
    basket = _keyed_basket()
    return open_binding_request(basket.basket_id, json_body())


@bp.post("/widget/v2/binding/trusted")
def bind_trusted_browser():
    """A trusted browser links the basket to its phone: InPost asks the merchant to confirm
    (`POST .../confirmation`, the same call as after an acceptance in the app)."""
    basket = _keyed_basket()
    browser = baskets.trusted_browser(field(json_body(), "browser_id", str))
    if browser is None:
        raise ApiError(404, "BROWSER_NOT_FOUND", "no trusted browser with this browser_id")
    if basket.status == "ORDERED":
        raise ApiError(409, "BASKET_EXPIRED", "an order was already placed for this basket")
    if not basket.linked:
        user = baskets.app_user(browser.country_prefix, browser.phone)
        payload = {
            "status": "SUCCESS",
            "inpost_basket_id": basket.inpost_basket_id,
            "phone_number": {"country_prefix": browser.country_prefix, "phone": browser.phone},
            "browser": {"browser_trusted": True, "browser_id": browser.browser_id},
            "masked_phone_number": mask_phone(browser.phone),
            "name": user.name if user else "",
            "surname": user.surname if user else "",
        }
        basket_id, inpost_basket_id, browser_id = basket.basket_id, basket.inpost_basket_id, browser.browser_id
        prefix, phone = browser.country_prefix, browser.phone
        db.session.commit()  # no transaction across the call to the merchant
        reply = merchant().confirm_binding(basket_id, payload, check=basket_check)
        problem = reply_problem(reply, "confirmation")
        if problem:
            raise problem
        basket = db.session.get(Basket, inpost_basket_id)
        if not basket.linked:
            baskets.bind(basket, prefix, phone, reply.body, browser_id=browser_id)
            db.session.commit()
    g.trusted_browser_id = browser.browser_id
    return jsonify(state(basket))


@bp.delete("/widget/v2/binding")
def delete_binding():
    """The shopper unlinks in the widget: InPost unlinks and tells the merchant."""
    basket = _keyed_basket()
    if not basket.linked:
        raise ApiError(404, "BASKET_NOT_BOUND", "the basket is not linked")
    baskets.unbind(basket)
    basket_id = basket.basket_id
    db.session.commit()
    merchant().delete_binding(basket_id)  # the merchant forgets it; InPost has already
    return Response(status=204)
