"""The classic website checkout (beside InPost Pay) and the thank-you page.

POST /zamowienie: lock the session's basket, check every field
(`checkout_form.parse`), then `orders.place_order`, the same service InPost Pay's
`POST /v1/izi/order` uses, so both channels follow one set of rules. The order
announces itself through `signals.order_placed`; if the basket was bound to
InPost Pay, the integration unbinds it from there (docs/architecture.md#the-flows step 9).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from .. import checkout_form
from ..basket import compute_totals
from ..errors import error_response
from ..extensions import db
from ..lockers import LOCKERS, find_locker
from ..models import Basket
from ..money import to_grosze
from ..orders import PAYMENT_METHODS, OrderError, place_order, required_consents
from ..pricing import BasketTotals
from ..session import current_basket, forget_basket, owner_token
from .account import owns, visible_order

bp = Blueprint("checkout", __name__)

# Demo bank details for "Przelew tradycyjny" (a merchant sets its own: SHOP_BANK_ACCOUNT).
DEFAULT_BANK_ACCOUNT = "PL61 1090 1014 0000 0712 1981 2874"
DEFAULT_BANK_RECIPIENT = "Spiżarnia pod Lipą sp. z o.o., ul. Lipowa 4, 30-702 Kraków"

# OrderError.field from orders.py -> the form field the message belongs next to.
ERROR_FIELDS = {
    "delivery_address.street": "street",
    "delivery_address.postal_code": "postal_code",
    "delivery_address.city": "city",
    "delivery_options": "payment_method",
    "products": "basket",
    "basket_id": "basket",
    "basket_price": "basket",
}

EMPTY_BASKET = "Twój koszyk jest pusty. Dodaj produkty, zanim przejdziesz do zamówienia."


def chosen_options(values: dict, delivery_type: str) -> list[str]:
    """The delivery options the form's choices add: COD for cash on delivery, PWW if ticked."""
    options = []
    if values.get("payment_method") == "COD" and delivery_type != "DIGITAL":
        options.append("COD")
    if values.get("pww") and delivery_type == "APM":
        options.append("PWW")
    return options


def summary(totals: BasketTotals, values: dict) -> dict:
    """The summary column: the chosen delivery and options, priced by the server."""
    offered = [quote.method.code for quote in totals.deliveries]
    delivery_type = values.get("delivery_type") if values.get("delivery_type") in offered else offered[0]
    quote = totals.delivery(delivery_type)
    options = [(code, quote.option_price(code)) for code in chosen_options(values, delivery_type)]
    return {
        "quote": quote,
        "options": options,
        "total": totals.total_with_delivery(delivery_type, [code for code, _ in options]),
    }


def render_form(basket: Basket, totals: BasketTotals, values: dict, errors: dict, status: int = 200):
    body = render_template(
        "checkout/form.html",
        basket=basket,
        totals=totals,
        rows=list(zip(basket.lines, totals.lines, strict=True)),
        values=values,
        errors=errors,
        summary=summary(totals, values),
        consents=required_consents(),
        lockers=LOCKERS,
        selected_locker=find_locker(values.get("delivery_point")),
        phone_prefixes=checkout_form.PHONE_PREFIXES,
        payment_methods=PAYMENT_METHODS,
        grosze=to_grosze,
    )
    return body, status


@bp.route("/zamowienie", methods=["GET", "POST"])
def form():
    if request.method == "GET":
        basket = current_basket()
        if basket is None or not basket.lines:
            flash(EMPTY_BASKET, "info")
            return redirect(url_for("basket.show"))
        totals = compute_totals(basket)
        return render_form(basket, totals, checkout_form.default_values(totals), {})

    # Locked for the whole check-and-place, so a change from the InPost app cannot
    # slip in between (docs/architecture.md#rules "Concurrency").
    basket = current_basket(lock=True)
    if basket is None or not basket.lines:
        db.session.rollback()
        return error_response(400, EMPTY_BASKET, "EMPTY_BASKET")
    totals = compute_totals(basket)
    parsed = checkout_form.parse(
        request.form,
        totals=totals,
        consents=required_consents(),
        owner_token=owner_token(),
        basket_version=basket.version,
    )
    if not parsed.valid:
        response = render_form(basket, totals, parsed.values, parsed.errors, 400)
        db.session.rollback()
        return response

    try:
        order = place_order(basket, parsed.request)
    except OrderError as exc:
        db.session.rollback()
        current_app.logger.info("website checkout refused: %s (%s)", exc.message, exc.field)
        basket = current_basket()
        if basket is None or not basket.lines:
            return error_response(400, exc.message, "ORDER_NOT_CREATED")
        field = ERROR_FIELDS.get(exc.field, exc.field or "basket")
        return render_form(basket, compute_totals(basket), parsed.values, {field: exc.message}, 400)

    # The order must cost exactly what the summary showed: products + delivery + options
    # (docs/inpost-pay-api.md §8.3). place_order prices the same basket, so this only trips on a bug.
    expected = totals.total_with_delivery(parsed.request.delivery_type, parsed.request.delivery_options)
    if order.total_gross != expected.gross:
        db.session.rollback()
        current_app.logger.error("order total %s differs from the summary %s", order.total_gross, expected.gross)
        return error_response(409, "Cena koszyka się zmieniła. Sprawdź podsumowanie i spróbuj ponownie.")
    db.session.commit()
    forget_basket()
    return redirect(url_for("checkout.thank_you", order_id=order.id))


@bp.get("/zamowienie/<int:order_id>/dziekujemy")
def thank_you(order_id: int):
    order = visible_order(order_id)
    config = current_app.config
    return render_template(
        "checkout/thank_you.html",
        order=order,
        locker=find_locker(order.delivery_point),
        bank_account=config.get("SHOP_BANK_ACCOUNT") or DEFAULT_BANK_ACCOUNT,
        bank_recipient=config.get("SHOP_BANK_RECIPIENT") or DEFAULT_BANK_RECIPIENT,
        via_token=not owns(order),
        zero=Decimal("0.00"),
    )
