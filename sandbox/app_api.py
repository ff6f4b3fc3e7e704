"""JSON API behind the "InPost Mobile" simulator UI (`/app/api/...`, documented in README.md).

The signed-in phone lives in the session cookie. Each route reads its input,
calls one action of its screen (`app_actions/`) and returns its result; errors are
`{error_code, error_message, violations?}`.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from jinja2 import TemplateNotFound

from sandbox.app_actions import account, basket, binding_requests, checkout, orders
from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.models import AppUser
from sandbox.validate import json_body

bp = Blueprint("sandbox_app", __name__, url_prefix="/app")


def signed_in(view):
    """Pass the signed-in AppUser as the first argument; 401 when nobody is signed in."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        user = db.session.get(AppUser, session.get("app_user_id") or 0)
        if user is None:
            raise ApiError(401, "UNAUTHORIZED", "sign in with a phone number first (POST /app/api/session)")
        return view(user, *args, **kwargs)

    return wrapper


# -- pages (the UI itself lives in templates/app/ and static/app/) ----------------------


@bp.get("/")
def index():
    """The simulator page; its template and scripts are the UI's (templates/app/index.html)."""
    try:
        return render_template("app/index.html")
    except TemplateNotFound:
        raise ApiError(
            404, "NOT_FOUND", "the phone-app simulator UI (templates/app/index.html) is not installed"
        ) from None


@bp.get("/izilink")
def izilink():
    """Where deep_link_hms and the widget's "Otwórz w aplikacji" point: a linked basket opens
    in the simulator's basket screen; otherwise this basket's binding request."""
    inpost_basket_id = request.args.get("basket_id", "")
    if basket.basket_is_linked(inpost_basket_id):
        return redirect(url_for("sandbox_app.index") + f"#/koszyk/{quote(inpost_basket_id, safe='')}")
    binding = binding_requests.latest_request_for_basket(inpost_basket_id) if inpost_basket_id else None
    if binding is None:
        raise ApiError(404, "REQUEST_NOT_FOUND", "no binding request for this basket")
    return redirect(url_for("sandbox_app.index", request=binding.id))


# -- session --------------------------------------------------------------------------


@bp.post("/api/session")
def sign_in():
    body = json_body()
    user = account.sign_in(body.get("country_prefix", "+48"), body.get("phone"), body.get("name"),
                           body.get("surname"), body.get("mail"))  # fmt: skip
    session.clear()
    session["app_user_id"] = user.id
    return jsonify({"user": account.user_json(user)})


@bp.get("/api/session")
@signed_in
def who_am_i(user):
    return jsonify({"user": account.user_json(user)})


@bp.delete("/api/session")
def sign_out():
    session.clear()
    return "", 204


# -- binding requests -----------------------------------------------------------------


@bp.get("/api/requests")
@signed_in
def requests_list(user):
    return jsonify({"requests": binding_requests.list_requests(user)})


@bp.get("/api/requests/<request_id>")
@signed_in
def request_show(user, request_id):
    return jsonify({"request": binding_requests.get_request(user, request_id)})


@bp.post("/api/requests/<request_id>/accept")
@signed_in
def request_accept(user, request_id):
    body = json_body(required=False)
    return jsonify({"basket": binding_requests.accept_request(user, request_id, body.get("trust_browser", False))})


@bp.post("/api/requests/<request_id>/reject")
@signed_in
def request_reject(user, request_id):
    return jsonify({"request": binding_requests.reject_request(user, request_id)})


# -- baskets --------------------------------------------------------------------------


@bp.get("/api/baskets")
@signed_in
def baskets_list(user):
    return jsonify({"baskets": basket.active_baskets(user)})


@bp.get("/api/baskets/<inpost_basket_id>")
@signed_in
def basket_show(user, inpost_basket_id):
    return jsonify(basket.basket_detail(user, inpost_basket_id))


@bp.post("/api/baskets/<inpost_basket_id>/refresh")
@signed_in
def basket_refresh(user, inpost_basket_id):
    return jsonify(basket.refresh_basket(user, inpost_basket_id))


@bp.post("/api/baskets/<inpost_basket_id>/quantity")
@signed_in
def basket_quantity(user, inpost_basket_id):
    body = json_body()
    return jsonify(basket.change_quantity(user, inpost_basket_id, body.get("product_id"), body.get("quantity")))


@bp.delete("/api/baskets/<inpost_basket_id>/products/<product_id>")
@signed_in
def basket_remove_product(user, inpost_basket_id, product_id):
    return jsonify(basket.remove_product(user, inpost_basket_id, product_id))


@bp.post("/api/baskets/<inpost_basket_id>/promo-codes")
@signed_in
def basket_add_code(user, inpost_basket_id):
    body = json_body()
    return jsonify(basket.add_promo_code(user, inpost_basket_id, body.get("promo_code_value")))


@bp.delete("/api/baskets/<inpost_basket_id>/promo-codes/<code>")
@signed_in
def basket_remove_code(user, inpost_basket_id, code):
    return jsonify(basket.remove_promo_code(user, inpost_basket_id, code))


@bp.post("/api/baskets/<inpost_basket_id>/related-products")
@signed_in
def basket_add_related(user, inpost_basket_id):
    body = json_body()
    return jsonify(basket.add_related_product(user, inpost_basket_id, body.get("product_id"), body.get("quantity")))


@bp.post("/api/baskets/<inpost_basket_id>/checkout")
@signed_in
def basket_checkout(user, inpost_basket_id):
    return jsonify({"order": checkout.checkout(user, inpost_basket_id, json_body())}), 201


@bp.delete("/api/baskets/<inpost_basket_id>")
@signed_in
def basket_unlink(user, inpost_basket_id):
    return jsonify(basket.unlink(user, inpost_basket_id))


# -- parcel lockers ---------------------------------------------------------------------


@bp.get("/api/lockers")
@signed_in
def lockers(user):
    """The APM picker's list: `?q=` filters by code, city, street or description."""
    return jsonify({"lockers": checkout.find_lockers(request.args.get("q", ""))})


# -- orders ---------------------------------------------------------------------------


@bp.get("/api/orders")
@signed_in
def orders_list(user):
    return jsonify({"orders": orders.list_orders(user)})


@bp.get("/api/orders/<order_id>")
@signed_in
def order_show(user, order_id):
    return jsonify({"order": orders.order_detail(user, order_id)})


@bp.post("/api/orders/<order_id>/payment")
@signed_in
def order_pay_again(user, order_id):
    """Pay again for an order whose payment was declined (the merchant gets the new event)."""
    return jsonify({"order": orders.pay_again(user, order_id, json_body(required=False))})
