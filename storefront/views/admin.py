"""The back office: orders from every channel, and the merchant's changes to them.

Behind one password (`ADMIN_PASSWORD`, docs/architecture.md#rules "the back office behind a
password"). Changes go through `orders.change_status`, `add_tracking` and
`cancel`, which send the signals an integration subscribes to: for an InPost Pay
order the integration tells InPost about the new status label or tracking number
through its outbox, in the same transaction (docs/architecture.md#the-flows step 8). So the view
commits only after the service succeeded, and rolls back on `OrderError`.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import admin_sessions
from ..extensions import db, limiter
from ..lockers import find_locker
from ..models import Consent, Order
from ..orders import (
    FINAL_STATUSES,
    PAID_STATUSES,
    STATUSES,
    OrderError,
    add_tracking,
    cancel,
    change_status,
    complete_on_website,
)
from ..redirects import safe_target
from .account import MAX_ORDER_ID

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def signed_in() -> bool:
    return admin_sessions.is_valid()


# --- hooks for integrations (docs/architecture.md#four-parties: the shop knows them only through these) ---------


def _hooks(app) -> dict:
    return app.extensions.setdefault("shop_admin", {"nav": [], "order_panels": []})


def register_nav_link(app, endpoint: str, label: str) -> None:
    """Add a link to the back office's bar (e.g. an integration's own pages)."""
    if (endpoint, label) not in _hooks(app)["nav"]:
        _hooks(app)["nav"].append((endpoint, label))


def register_order_panel(app, template: str) -> None:
    """Add a panel to the order page: `template` is included with `order` in its context."""
    if template not in _hooks(app)["order_panels"]:
        _hooks(app)["order_panels"].append(template)


@bp.app_context_processor
def admin_hooks() -> dict:
    hooks = _hooks(current_app)
    return {"admin_nav_links": hooks["nav"], "admin_order_panels": hooks["order_panels"]}


def safe_next(target: str | None) -> str:
    """Only back-office paths on this site: never an open redirect."""
    return safe_target(target, url_for("admin.orders"), under="/admin/")


@bp.before_request
def require_sign_in():
    if request.endpoint == "admin.login" or signed_in():
        return None
    if request.method == "GET":
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("admin.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["ADMIN_LOGIN_LIMIT"], methods=["POST"], deduct_when=lambda r: r.status_code == 401)
def login():
    """The password form. Wrong passwords are limited per address (ADMIN_LOGIN_LIMIT, kept in
    RATELIMIT_STORAGE_URI so that every shop process counts together): 429 beyond it."""
    if request.method == "GET":
        if signed_in():
            return redirect(safe_next(request.args.get("next")))
        return render_template("admin/login.html", next=request.args.get("next", ""), error=None)
    given = request.form.get("password", "")
    expected = current_app.config.get("ADMIN_PASSWORD") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        current_app.logger.warning("back office: wrong password from %s", request.remote_addr)
        return render_template(
            "admin/login.html", next=request.form.get("next", ""), error="Nieprawidłowe hasło."
        ), 401
    target = safe_next(request.form.get("next"))
    admin_sessions.start()
    return redirect(target)


@bp.post("/logout")
def logout():
    admin_sessions.end()
    flash("Wylogowano z panelu.", "info")
    return redirect(url_for("admin.login"))


def _int_arg(name: str, default: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(1, min(value, 10_000))


@bp.get("/")
def orders():
    status = request.args.get("status", "")
    notice = None
    if status and status not in STATUSES:
        notice = "Nieznany status w filtrze: pokazujemy wszystkie zamówienia."
        status = ""
    page = _int_arg("page", 1)
    query = select(Order)
    if status:
        query = query.where(Order.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = db.session.scalars(
        query.order_by(Order.created_at.desc(), Order.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    counts = dict(db.session.execute(select(Order.status, func.count()).group_by(Order.status)).all())
    return render_template(
        "admin/orders.html",
        orders=found,
        status=status,
        statuses=STATUSES,
        counts=counts,
        all_count=sum(counts.values()),
        notice=notice,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def load_order(order_id: int) -> Order:
    """:raise 404: no such order."""
    order = db.session.get(Order, order_id) if 0 < order_id <= MAX_ORDER_ID else None
    if order is None:
        abort(404)
    return order


@bp.get("/zamowienia/<int:order_id>")
def order(order_id: int):
    order = load_order(order_id)
    consents = {c.id: c for c in db.session.scalars(select(Consent)).all()}
    return render_template(
        "admin/order.html",
        order=order,
        locker=find_locker(order.delivery_point),
        consents=consents,
        statuses=STATUSES,
        final=order.status in FINAL_STATUSES,
        can_complete_on_website=order.channel != "website"
        and order.payment_status not in PAID_STATUSES
        and order.status not in FINAL_STATUSES,
    )


def _apply(order: Order, change, success: str):
    """Run one order service; commit on success, roll back and tell the merchant why on OrderError."""
    try:
        change()
    except OrderError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("admin.order", order_id=order.id))


@bp.post("/zamowienia/<int:order_id>/status", endpoint="change_status")
def change_status_view(order_id: int):
    order = load_order(order_id)
    status = request.form.get("status", "")
    label = request.form.get("label", "")
    return _apply(
        order,
        lambda: change_status(order, status, label, note="Zmiana w panelu"),
        f"Status zmieniony na „{STATUSES.get(status, status)}”.",
    )


@bp.post("/zamowienia/<int:order_id>/przesylki", endpoint="add_tracking")
def add_tracking_view(order_id: int):
    order = load_order(order_id)
    number = request.form.get("number", "")
    return _apply(order, lambda: add_tracking(order, number), "Dodano numer przesyłki.")


@bp.post("/zamowienia/<int:order_id>/anuluj", endpoint="cancel")
def cancel_view(order_id: int):
    order = load_order(order_id)
    if request.form.get("confirm") != "yes":
        flash("Zaznacz potwierdzenie, aby anulować zamówienie.", "error")
        return redirect(url_for("admin.order", order_id=order.id))
    return _apply(order, lambda: cancel(order, note="Anulowane w panelu"), "Zamówienie anulowane, towar wrócił na stan.")



@bp.post("/zamowienia/<int:order_id>/sfinalizowane", endpoint="complete_on_website")
def complete_on_website_view(order_id: int):
    """An unpaid order from another channel, finished on the website (the shopper paid here)."""
    order = load_order(order_id)
    if request.form.get("confirm") != "yes":
        flash("Zaznacz potwierdzenie, aby oznaczyć zamówienie jako sfinalizowane w sklepie.", "error")
        return redirect(url_for("admin.order", order_id=order.id))
    return _apply(
        order,
        lambda: complete_on_website(order, note="Sfinalizowane w sklepie (panel)"),
        "Zamówienie oznaczone jako sfinalizowane w sklepie internetowym.",
    )
