"""A page whose socket missed a push catches up when the socket (re)joins (docs/architecture.md#interfaces: REST
stays the fallback for every push, so a page that missed an event recovers by asking)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_basket_page_that_missed_pushes_redraws_when_its_socket_joins(pair, page):
    page.goto(pair.shop.url + "/produkt/kawa-etiopia-yirgacheffe")
    page.get_by_role("button", name="Dodaj do koszyka").first.click()

    # The socket is cut off before the basket page loads: every push to it is lost.
    page.route(re.compile(r".*/socket\.io/.*"), lambda route: route.abort())
    page.goto(pair.shop.url + "/koszyk")
    expect(page.get_by_role("link", name="Herbata zielona Sencha 100 g")).to_have_count(0)

    # Another tab of the same session adds a product; its push cannot reach this page.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    added = page.request.post(pair.shop.url + "/koszyk/dodaj", data={"product_id": 3, "quantity": 1},
                              headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert added.ok, added.text()
    expect(page.get_by_role("link", name="Herbata zielona Sencha 100 g")).to_have_count(0)

    # The connection comes back: on joining its room the page asks for the basket as it is now.
    page.unroute(re.compile(r".*/socket\.io/.*"))
    expect(page.get_by_role("link", name="Herbata zielona Sencha 100 g")).to_be_visible(timeout=15_000)
    expect(page.locator("header [data-basket-count]")).to_have_text("2")
