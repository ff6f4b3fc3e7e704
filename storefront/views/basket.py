"""The basket page and the website's basket changes.

Every change endpoint takes either a form (a page's `<form>`: the answer is a
redirect back with a flash message) or a JSON body (a script's fetch: the answer
is the basket summary, or `{error_code, error_message}`). The change itself is done
by `storefront.basket`, which checks the input and announces `basket_changed`; this
module only reads the request, locks the session's basket, commits on success and
rolls back on a refusal, so a refused change leaves the basket exactly as it was.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy.orm.exc import StaleDataError

from .. import bounds, pricing
from ..basket import (
    BasketError,
    add_product,
    apply_code,
    compute_totals,
    find_product,
    fmt_quantity,
    remove_code,
    set_quantity,
)
from ..errors import error_response
from ..extensions import db
from ..money import fmt
from ..redirects import safe_target
from ..session import BASKET_KEY, current_basket

bp = Blueprint("basket", __name__)

# HTTP status for each refusal code of storefront.basket; anything else is a 400.
STATUS_BY_CODE = {
    "PRODUCT_NOT_FOUND": 404,
    "BASKET_NOT_FOUND": 404,
    "PRODUCT_NOT_IN_BASKET": 404,
    "OUT_OF_STOCK": 409,
    "MAX_QUANTITY": 409,
    "ORDER_EXISTS": 409,
    "BASKET_CHANGED": 409,
}

# A quantity typed by a person: digits with an optional decimal part ("0,3", "0.3", "2").
# Exponents ("1e3"), "NaN" and the like are refused before they reach Decimal.
QUANTITY_TEXT = re.compile(r"^-?\d{1,9}(?:[.,]\d+)?$")


# --- reading the request ---------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_input() -> dict:
    """The request's fields, from a JSON object or a form.

    JSON numbers are read as Decimal (docs/architecture.md#rules: amounts and quantities never
    pass through float).
    """
    if request.is_json:
        try:
            data = bounds.loads(request.get_data(cache=True) or b"null")
        except bounds.OutOfBounds as exc:
            raise BadRequest(str(exc)) from None
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("Treść żądania nie jest poprawnym JSON-em.") from None
        if not isinstance(data, dict):
            raise BadRequest("Treść żądania musi być obiektem JSON.")
        return data
    return request.form.to_dict()


def quantity_field(data: dict, default: object = None) -> object:
    """The quantity as typed, refusing what is not written as a plain number."""
    raw = data.get("quantity", default)
    if raw is None or raw == "":
        raise BasketError("Podaj ilość.", "quantity", "INVALID_QUANTITY")
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise BasketError("Ilość musi być liczbą.", "quantity", "INVALID_QUANTITY")
    if not QUANTITY_TEXT.match(str(raw).strip()):
        raise BasketError("Ilość musi być liczbą.", "quantity", "INVALID_QUANTITY")
    return raw


def safe_next(default: str) -> str:
    """Where a form goes back to: a path on this site only (no open redirect)."""
    return safe_target(request.form.get("next"), default)


# --- answers ---------------------------------------------------------------------------------


def quantity_text(quantity: Decimal) -> str:
    return f"{Decimal(quantity).normalize():f}"


def basket_summary(basket) -> dict:
    """The JSON view of a basket: what a script needs to redraw counters and totals."""
    totals = compute_totals(basket)
    lines = []
    if basket is not None:
        for row, priced in zip(basket.lines, totals.lines, strict=True):
            lines.append(
                {
                    "product_id": row.product_id,
                    "name": row.product.name,
                    "quantity": quantity_text(row.quantity),
                    "unit": row.product.quantity_unit,
                    "final_gross": fmt(priced.final.gross),
                }
            )
    return {
        "basket_id": basket.id if basket is not None else None,
        "count": totals.item_count,
        "lines": lines,
        "base_gross": fmt(totals.base.gross),
        "promo_gross": fmt(totals.promo.gross),
        "final_gross": fmt(totals.final.gross),
        "codes": [c.code for c in totals.applied_codes],
    }


def refuse(message: str, code: str, status: int | None = None):
    status = status or STATUS_BY_CODE.get(code, 400)
    if request.is_json:
        return error_response(status, message, code)
    flash(message, "error")
    return redirect(safe_next(url_for("basket.show")), code=303)


def run_change(change, *, create: bool):
    """Lock the session's basket, apply `change(basket, data) -> message`, commit, answer.

    `create`: whether the change may start a new basket (adding does; removing doesn't).

    On a refusal nothing is kept: the transaction is rolled back and, if this
    request had just started a basket, the session forgets it again.
    """
    try:
        data = read_input()
    except BadRequest as exc:
        return refuse(exc.message, "MALFORMED_REQUEST", 400)
    previous_id = session.get(BASKET_KEY)
    try:
        basket = current_basket(create=create, lock=True)
        if basket is None:
            raise BasketError("Twój koszyk jest pusty albo wygasł.", "basket_id", "BASKET_NOT_FOUND")
        message = change(basket, data)
        db.session.commit()
    except (BasketError, StaleDataError) as exc:
        db.session.rollback()
        if session.get(BASKET_KEY) != previous_id:
            if previous_id is None:
                session.pop(BASKET_KEY, None)
            else:
                session[BASKET_KEY] = previous_id
        if isinstance(exc, StaleDataError):
            return refuse("Koszyk zmienił się w międzyczasie. Spróbuj jeszcze raz.", "BASKET_CHANGED")
        return refuse(exc.message, exc.code)
    session.pop(TYPED_CODE_KEY, None)  # applied (or another change): nothing to give back
    if request.is_json:
        return jsonify({**basket_summary(current_basket()), "message": message})
    flash(message, "success")
    return redirect(safe_next(url_for("basket.show")), code=303)


def line_in_basket(basket, data: dict):
    product = find_product(data.get("product_id"))
    if basket.line_for(product.id) is None:
        raise BasketError(f"Produktu {product.name} nie ma w koszyku.", "product_id", "PRODUCT_NOT_IN_BASKET")
    return product


# --- the changes -----------------------------------------------------------------------------


def _add(basket, data):
    product = find_product(data.get("product_id"))
    before = basket.line_for(product.id)
    before_qty = before.quantity if before is not None else Decimal(0)
    line = add_product(basket, product.id, quantity_field(data, default="1"))
    added = line.quantity - before_qty
    return f"Dodano do koszyka: {product.name} ({fmt_quantity(added, product)})."


def _update(basket, data):
    product = line_in_basket(basket, data)
    quantity = quantity_field(data)
    set_quantity(basket, product.id, quantity)
    line = basket.line_for(product.id)
    if line is None:
        return f"Usunięto z koszyka: {product.name}."
    return f"Zmieniono ilość: {product.name} — {fmt_quantity(line.quantity, product)}."


def _remove(basket, data):
    product = line_in_basket(basket, data)
    set_quantity(basket, product.id, 0)
    return f"Usunięto z koszyka: {product.name}."


TYPED_CODE_KEY = "typed_code"


def _apply_code(basket, data):
    # A refused code is given back to the form (the page comes after a redirect), so a typo
    # can be corrected instead of typed again.
    session[TYPED_CODE_KEY] = str(data.get("code") or "")[:40]
    if not basket.lines:
        raise BasketError("Dodaj produkty do koszyka, zanim wpiszesz kod rabatowy.", "code", "INVALID_CODE")
    return apply_code(basket, data.get("code"))


def _remove_code(basket, data):
    remove_code(basket, data.get("code"))
    return f"Usunięto kod {str(data.get('code')).strip().upper()}."


@bp.post("/koszyk/dodaj")
def add():
    return run_change(_add, create=True)


@bp.post("/koszyk/zmien")
def update():
    return run_change(_update, create=False)


@bp.post("/koszyk/usun")
def remove():
    return run_change(_remove, create=False)


@bp.post("/koszyk/kod", endpoint="apply_code")
def apply_code_view():
    return run_change(_apply_code, create=True)


@bp.post("/koszyk/kod/usun", endpoint="remove_code")
def remove_code_view():
    return run_change(_remove_code, create=False)


# --- reading the basket ----------------------------------------------------------------------


def page_context() -> dict:
    """Everything the basket's main section shows (the page and the fragment share it)."""
    basket = current_basket()
    totals = compute_totals(basket)
    rows = list(zip(basket.lines, totals.lines, strict=True)) if basket is not None else []
    missing = pricing.FREE_DELIVERY_MINIMUM - totals.final.gross
    return {
        "basket": basket,
        "totals": totals,
        "rows": rows,
        "free_delivery_minimum": pricing.FREE_DELIVERY_MINIMUM,
        "free_delivery_missing": missing if (rows and not totals.free_delivery and missing > 0) else None,
    }


@bp.get("/koszyk")
def show():
    return render_template("basket/show.html", **page_context(), typed_code=session.pop(TYPED_CODE_KEY, ""))


@bp.get("/koszyk/fragment")
def fragment():
    return render_template("basket/_main.html", **page_context())


@bp.get("/koszyk.json")
def summary():
    return jsonify(basket_summary(current_basket()))
