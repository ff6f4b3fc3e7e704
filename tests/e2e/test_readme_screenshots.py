"""The README's "Try it in five minutes" pictures, taken from the current code.

The journey of README.md, step by step, in real Chromium against the live shop and sandbox:
the shop at a desktop size beside the phone app at a phone's size, including a declined
payment and paying again. Each step's pictures go to docs/screenshots/ (committed, shown by
the README); the same steps at a phone's width for the shop go to test-results/journey/ for
looking at, not committed. Run alone to refresh the README:

    .venv/bin/pytest tests/e2e/test_readme_screenshots.py -p no:cacheprovider
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_widget_flows import COFFEE, RESULTS, Phone

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Each step: (file stem, what the README says it shows). The README's table lists the same stems.
STEPS = (
    "1-shop-product",
    "2-widget-phone-number",
    "3-app-request",
    "4-app-basket",
    "4-shop-basket-bound",
    "5-app-payment-declined",
    "5-shop-payment-declined",
    "6-app-paid-again",
    "6-shop-thank-you",
)


def shot(page: Page, stem: str, folder: Path = DOCS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.png"
    page.screenshot(path=str(path))
    return path


@pytest.mark.parametrize("shop_width", [1280, 390], ids=["desktop-shop", "phone-shop"])
def test_the_readme_journey_in_pictures(pair, browser, shop_width):
    pair.sandbox_app.config["SANDBOX_MERCHANT_NAME"] = "Spiżarnia pod Lipą"  # as `make run` sets it
    desktop = shop_width == 1280
    folder = DOCS if desktop else RESULTS / "journey"
    shop_ctx = browser.new_context(
        viewport={"width": shop_width, "height": 900 if desktop else 844}, locale="pl-PL",
        is_mobile=not desktop, has_touch=not desktop,
    )  # fmt: skip
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL", is_mobile=True, has_touch=True)
    try:
        shop, app = shop_ctx.new_page(), phone_ctx.new_page()
        for page in (shop, app):
            page.set_default_timeout(15_000)
        phone = Phone(app, pair.sandbox.url)  # signed in before the shop asks, as README says

        # 1. The product page with the InPost Pay button.
        shop.goto(pair.shop.url + COFFEE)
        button = shop.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay")
        expect(button).to_be_visible()
        expect(button.locator("svg.inpost-mark")).to_have_count(1)  # InPost's place, not a generic bag
        shot(shop, STEPS[0], folder)

        # 2. The widget asks for the phone number the app is signed in with.
        button.click()
        dialog = shop.get_by_role("dialog", name="Połącz koszyk z InPost Pay")
        dialog.get_by_role("textbox", name="Numer telefonu").fill(phone.number)
        shot(shop, STEPS[1], folder)
        dialog.get_by_role("button", name="Wyślij do aplikacji").click()
        expect(dialog.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_visible()

        # 3. The request waits under "Prośby" in the app.
        phone.tab("Prośby").click()
        expect(app.get_by_role("button", name="Akceptuj")).to_be_visible()
        shot(app, STEPS[2], folder)

        # 4. Accepted: the basket in the app, the shop's basket page bound.
        phone.accept()
        expect(phone.products()).to_contain_text("Kawa ziarnista")
        shot(app, STEPS[3], folder)
        expect(dialog).to_be_hidden()
        shop.goto(pair.shop.url + "/koszyk")
        expect(shop.get_by_role("main").locator("inpost-izi-button button.main")).to_have_attribute("data-state", "linked")
        shot(shop, STEPS[4], folder)

        # 5. Checkout in the app with a declined payment: both sides say so and what to do.
        phone.checkout("Odrzucona")
        expect(app.get_by_role("form", name="Zapłać ponownie")).to_be_visible()
        shot(app, STEPS[5], folder)
        expect(shop).to_have_url(re.compile(r"/dziekujemy"))
        expect(shop.get_by_role("heading", name="Płatność nie powiodła się")).to_be_visible()
        shot(shop, STEPS[6], folder)

        # 6. Paying again in the app: the shop's page turns to thanks by itself.
        retry = app.get_by_role("form", name="Zapłać ponownie")
        retry.get_by_text("Autoryzowana").click()
        retry.get_by_role("button", name=re.compile("^Zapłać")).click()
        expect(app.get_by_role("form", name="Zapłać ponownie")).to_have_count(0)
        shot(app, STEPS[7], folder)
        expect(shop.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_visible()
        shot(shop, STEPS[8], folder)
        # The app's order screen in full (lines, discounts, delivery, total) for looking at.
        journey = RESULTS / "journey"
        journey.mkdir(parents=True, exist_ok=True)
        app.screenshot(path=str(journey / f"app-order-full-{shop_width}.png"), full_page=True)
        shop.screenshot(path=str(journey / f"shop-thank-you-full-{shop_width}.png"), full_page=True)
    finally:
        shop_ctx.close()
        phone_ctx.close()


def test_the_readme_shows_every_step():
    """The README's pictures are the ones this module takes (no stale or missing file names)."""
    readme = (DOCS.parents[1] / "README.md").read_text(encoding="utf-8")
    for stem in STEPS:
        assert f"docs/screenshots/{stem}.png" in readme, stem
