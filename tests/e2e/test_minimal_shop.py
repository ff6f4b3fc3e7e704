"""The minimal shop (examples/minimal_shop/) in Chromium against the sandbox: the same widget,
mounted by another shop through its own adapter. Product card -> bind by phone -> the header
count follows (the shop's own script, from the glue's DOM events) -> checkout in the app -> the
shop page goes to the thank-you page by itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.live import live_pair

from .test_widget_flows import Phone, phone_page  # noqa: F401  (the phone's browser context)

pytestmark = pytest.mark.e2e


@pytest.fixture
def pair(tmp_path):
    with live_pair(tmp_path / "minimal", shop="minimal") as live:
        yield live


def test_the_minimal_shop_binds_and_orders_through_the_same_widget(pair, page, phone_page):  # noqa: F811
    phone = Phone(phone_page, pair.sandbox.url)
    page.goto(pair.shop.url + "/")
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Ceramic mug"))
    card.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    dialog = page.get_by_role("dialog", name="Połącz koszyk z InPost Pay")
    dialog.get_by_role("textbox", name="Numer telefonu").fill(phone.number)
    dialog.get_by_role("button", name="Wyślij do aplikacji").click()
    phone.accept_latest()
    expect(dialog).to_be_hidden()
    expect(page.locator("header [data-count]")).to_have_text("1")  # minimal.js heard inpost:count-changed
    expect(phone.quantity("Ceramic mug")).to_have_value("1")

    app = phone.page
    app.get_by_role("link", name="Przejdź do kasy").click()
    app.get_by_label("Szukaj paczkomatu").fill("Karmelicka")
    app.get_by_role("radio", name=re.compile("KRA010")).check()
    app.get_by_role("checkbox", name=re.compile("terms")).check()
    app.get_by_role("radio", name="BLIK", exact=True).check()
    app.get_by_role("radio", name="Autoryzowana").check()
    app.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()
    expect(app.get_by_role("heading", name="Zamówienie złożone")).to_be_visible()

    expect(page).to_have_url(re.compile(r"/orders/\d+\?token="), timeout=15_000)
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
