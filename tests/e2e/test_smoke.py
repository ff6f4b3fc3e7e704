import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_home_page_shows_the_catalogue(live_shop, page):
    page.goto(live_shop.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Spiżarnia")
