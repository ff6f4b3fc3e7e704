"""The widget's contributions to the shop's page slots (`Shop.fill_slot`): the scripts in the
head, the header's minicart, the buttons of the product card, basket summary and checkout, and
the live payment status of an InPost order's thank-you and order pages. The shop's templates
name the places; the widget never edits them."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request

from inpost_pay.shop import CHANNEL, current_shop

#: The widget's macros per widget version (docs/widget-versions.md): the same names in both.
TEMPLATES = {1: "widget/_izi.html", 2: "widget/_izi_v2.html"}


def _render(slot: str, **context) -> str:
    version = current_app.config.get("INPOST_PAY_WIDGET_VERSION", 1)
    return render_template("widget/_slot.html", slot=slot, izi_template=TEMPLATES[version], **context)


def _order_watch(order_id: int | None = None, **_) -> str:
    """An InPost order's page follows its payment: the order's secret token goes along only
    when it is the one that opened the page."""
    shop = current_shop()
    order = shop.order(order_id) if isinstance(order_id, int) else None
    if order is None or order.channel != CHANNEL:
        return ""
    token = request.args.get("token") or ""
    if token and not shop.may_see_order(order, token):
        token = ""
    return _render("order", order=order, token=token, payment_label=shop.labels(order).payment_label)


FILLERS = {
    "head": lambda **_: _render("head"),
    "minicart": lambda **_: _render("minicart"),
    "product_card": lambda product_id=None, **_: _render("product_card", product_id=product_id),
    "basket_summary": lambda **_: _render("basket_summary"),
    "checkout": lambda **_: _render("checkout"),
    "thank_you": _order_watch,
    "order_page": _order_watch,
}


def register(app: Flask) -> None:
    shop = app.extensions["inpost_pay"].shop
    for name, render in FILLERS.items():
        shop.fill_slot(app, name, render)
