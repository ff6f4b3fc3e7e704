"""An InPost Pay order whose payment never succeeds: kept for a retry, then cancelled with
ORDER_REJECTED through the outbox (inpost_pay/unpaid_orders.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inpost_pay.unpaid_orders import cancel_unpaid_orders
from storefront import orders as order_service
from storefront.extensions import db
from storefront.models import Order, Product, utcnow

from .helpers import make_order, messages, order_of


def placed_hours_ago(app, order_id: int, hours: float) -> None:
    with app.app_context():
        db.session.get(Order, order_id).created_at = utcnow() - timedelta(hours=hours)
        db.session.commit()


def stock_of(app, product_id: int):
    with app.app_context():
        return db.session.get(Product, product_id).stock


@pytest.mark.parametrize("payment_status", ["UNPAID", "DECLINED", "CANCELLED", "ERROR"])
def test_an_order_unpaid_past_the_limit_is_cancelled_with_order_rejected(app, payment_status):
    stock = stock_of(app, 1)
    order_id = make_order(app, payment_status=payment_status)
    placed_hours_ago(app, order_id, 25)
    with app.app_context():
        assert cancel_unpaid_orders(24) == [order_of(app, order_id).number]
    assert order_of(app, order_id).status == "cancelled"
    assert stock_of(app, 1) == stock  # the goods are back on the shelf
    [message] = messages(app, order_id)
    assert message["body"]["event_data"]["order_status"] == "ORDER_REJECTED"
    with app.app_context():  # a second sweep finds nothing more to do
        assert cancel_unpaid_orders(24) == []
    assert len(messages(app, order_id)) == 1


@pytest.mark.parametrize(
    ("hours_ago", "payment_status", "channel"),
    [(23, "DECLINED", "inpost_pay"), (25, "AUTHORIZED", "inpost_pay"), (25, "COD", "inpost_pay"),
     (25, None, "website")],
    ids=["still-within-the-limit", "paid", "cash-on-delivery", "website-order"],
)  # fmt: skip
def test_orders_within_the_limit_paid_or_from_the_website_are_kept(app, hours_ago, payment_status, channel):
    order_id = make_order(app, payment_status=payment_status, channel=channel)
    placed_hours_ago(app, order_id, hours_ago)
    with app.app_context():
        assert cancel_unpaid_orders(24) == []
    assert order_of(app, order_id).status != "cancelled"
    assert messages(app, order_id) == []


def test_a_payment_that_arrives_after_the_first_look_wins(app, monkeypatch):
    """The sweep re-reads each order under its lock: paid meanwhile = left alone."""
    order_id = make_order(app, payment_status="DECLINED")
    placed_hours_ago(app, order_id, 30)
    shop = app.extensions["inpost_pay"].shop
    found = shop.overdue_unpaid_orders

    def then_paid(placed_before):
        ids = found(placed_before)
        order = db.session.get(Order, order_id)
        order_service.record_payment(order, "AUTHORIZED")
        db.session.commit()
        return ids

    monkeypatch.setattr(shop, "overdue_unpaid_orders", then_paid)
    with app.app_context():
        assert cancel_unpaid_orders(24) == []
    assert order_of(app, order_id).status == "paid"


def test_the_cli_command_uses_the_configured_hours(app):
    order_id = make_order(app, payment_status="DECLINED")
    placed_hours_ago(app, order_id, 3)
    runner = app.test_cli_runner()
    kept = runner.invoke(args=["inpost-pay-cancel-unpaid"])
    assert kept.exit_code == 0 and "cancelled 0 order(s)" in kept.output
    app.config["INPOST_PAY_UNPAID_ORDER_HOURS"] = 2.0
    done = runner.invoke(args=["inpost-pay-cancel-unpaid"])
    assert done.exit_code == 0 and "cancelled 1 order(s) unpaid for over 2 h" in done.output
    assert order_of(app, order_id).status == "cancelled"
    bad = runner.invoke(args=["inpost-pay-cancel-unpaid", "--hours", "-1"])
    assert bad.exit_code == 2


@pytest.mark.parametrize(
    ("payment_status", "tone", "hidden_payment"),
    [("DECLINED", "bad", False), ("UNPAID", "wait", False), ("AUTHORIZED", "ok", True)],
)
def test_the_thank_you_page_says_what_the_payment_did(app, client, payment_status, tone, hidden_payment):
    """No tick and no thanks shown for a declined payment: the page names it and what to do."""
    order_id = make_order(app, payment_status=payment_status)
    if payment_status == "AUTHORIZED":
        with app.app_context():
            order_service.change_status(db.session.get(Order, order_id), "paid")
            db.session.commit()
    token = order_of(app, order_id).access_token
    text = client.get(f"/zamowienie/{order_id}/dziekujemy?token={token}").get_data(as_text=True)
    assert f'data-payment-tone="{tone}"' in text  # the CSS shows the one hero of that tone
    assert "Płatność nie powiodła się" in text  # rendered; shown only when the tone turns "bad"
    if payment_status != "AUTHORIZED":
        assert "zapłać ponownie" in text and "po 24 godzinach" in text
    part = text.split("data-payment-part", 1)[1][:20]
    assert part.lstrip().startswith("hidden") is hidden_payment  # "Opłacone · Płatność: Opłacone" said once
