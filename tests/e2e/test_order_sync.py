"""The merchant changes an InPost Pay order in the back office; the shopper sees it in the app.

Updating orders at the Merchant’s "Order synchronization initiated on the Merchant's store website", in a real browser:
the back office (status label + tracking number) -> the outbox -> `POST /v1/izi/order/{id}/event`
-> the sandbox's phone-app simulator ("Zamówienia") and the shop's own order page.
The order itself is placed through the app's JSON API (bind, accept, check out), which other
browser tests cover screen by screen.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

import inpost_pay
from storefront.extensions import db
from storefront.models import Order
from tests.integration.outbox.helpers import ADMIN_PASSWORD, FAST_OUTBOX, inpost_order, scratch_dir
from tests.live import live_pair

pytestmark = pytest.mark.e2e

LABEL = "Pakujemy Twoją paczkę"
TRACKING = "620000123456789"


@pytest.fixture(params=[1, 2], ids=["widget1", "widget2"])
def sync_pair(request, tmp_path_factory):
    """Shop + sandbox with the shop's outbox worker running, as `make run` has it, on either
    widget contract (the order's way back is the same in both: docs/widget-versions.md)."""
    workdir = scratch_dir(tmp_path_factory, "order-sync-e2e-")
    extra = {**FAST_OUTBOX, "INPOST_PAY_OUTBOX_WORKER": True, "INPOST_PAY_WIDGET_VERSION": request.param}
    try:
        with live_pair(workdir, shop_extra=extra) as live:
            inpost_pay.start_worker(live.shop_app)
            yield live
            inpost_pay.stop_worker(live.shop_app)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_status_label_and_tracking_number_from_the_back_office_reach_the_app(sync_pair, context):
    pair = sync_pair
    order_id, phone, _ = inpost_order(pair)

    # The merchant, in the back office.
    admin = context.new_page()
    admin.set_default_timeout(15_000)
    admin.goto(f"{pair.shop.url}/admin/login")
    admin.get_by_label("Hasło").fill(ADMIN_PASSWORD)
    admin.get_by_role("button", name="Zaloguj").click()
    admin.goto(f"{pair.shop.url}/admin/zamowienia/{order_id}")
    admin.get_by_label("Status", exact=True).select_option("processing")
    admin.get_by_label(re.compile("Opis dla klienta")).fill(LABEL)
    admin.get_by_role("button", name="Zmień status").click()
    expect(admin.get_by_role("status").filter(has_text="Status zmieniony")).to_be_visible()
    admin.get_by_label("Numer przesyłki").fill(TRACKING)
    admin.get_by_role("button", name="Dodaj numer").click()
    expect(admin.get_by_role("status").filter(has_text="Dodano numer przesyłki")).to_be_visible()

    panel = admin.get_by_role("region", name="InPost Pay")
    expect(panel).to_contain_text(LABEL)
    admin.reload()  # the panel shows the outbox as it was when the page was drawn
    expect(panel.locator('[data-outbox-status="sent"]')).to_have_count(2, timeout=15_000)

    # The shopper, in the InPost app simulator.
    app = context.new_page()
    app.set_default_timeout(15_000)
    app.goto(f"{pair.sandbox.url}/app/")
    app.get_by_label("Numer telefonu").fill(phone.phone)
    app.get_by_role("button", name="Zaloguj się").click()
    app.get_by_role("navigation", name="Główne sekcje").get_by_role("link", name=re.compile("^Zamówienia")).click()
    card = app.get_by_role("list", name="Twoje zamówienia").get_by_role("link").first
    expect(card).to_contain_text(LABEL)
    expect(card).to_contain_text(TRACKING)
    app.screenshot(path="/tmp/shots-outbox/app-orders.png", full_page=True)

    # And the shop's own order page for the shopper.
    with pair.shop_app.app_context():
        token = db.session.get(Order, order_id).access_token
    shop = context.new_page()
    shop.goto(f"{pair.shop.url}/moje-zamowienia/{order_id}?token={token}")
    admin.screenshot(path="/tmp/shots-outbox/admin-order.png", full_page=True)
    expect(shop.locator("body")).to_contain_text(LABEL)
    expect(shop.locator("body")).to_contain_text(TRACKING)

    # The integration console: the outbox and the conversation.
    admin.get_by_role("navigation", name="Panel sklepu").get_by_role("link", name="InPost Pay").click()
    expect(admin.locator("#outbox-table [data-outbox-status='sent']")).to_have_count(2)
    admin.screenshot(path="/tmp/shots-outbox/console-outbox.png", full_page=True)
    admin.get_by_role("link", name="Rozmowa z InPost").click()
    expect(admin.locator("#calls-table")).to_contain_text(f"/v1/izi/order/{order_id}/event")
    admin.screenshot(path="/tmp/shots-outbox/console-calls.png", full_page=True)
