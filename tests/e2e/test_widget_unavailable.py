"""InPost's widget script host down (docs/security.md "Limits", issue class 9): with
INPOST_PAY_WIDGET_URL pointing at a closed port, every widget place shows a plain notice
within a few seconds, and the shop still sells (the website basket works)."""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import expect

from app import create_app
from storefront.seed import ensure_database
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # released on close: nothing listens there


@pytest.fixture(scope="module", params=[1, 2], ids=["widget1", "widget2"])
def shop_without_widget_host(request, tmp_path_factory):
    """Either widget contract (docs/widget-versions.md): both load InPost's script the same way."""
    db_path = tmp_path_factory.mktemp("no_widget") / "shop.db"
    app = create_app({"SECRET_KEY": "e2e-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                      "ADMIN_PASSWORD": "e2e-admin", "INPOST_PAY_OUTBOX_WORKER": False,
                      "INPOST_PAY_WIDGET_VERSION": request.param,
                      "INPOST_PAY_WIDGET_URL": f"http://127.0.0.1:{closed_port()}/widget.js"})  # fmt: skip
    with app.app_context():
        ensure_database()
    with LiveServer(app) as server:
        yield server


def test_the_places_say_inpost_pay_is_unavailable_and_the_shop_still_sells(shop_without_widget_host, page):
    page.goto(shop_without_widget_host.url + "/produkt/kawa-etiopia-yirgacheffe")
    unavailable = page.get_by_role("status").filter(has_text="InPost Pay jest chwilowo niedostępny")
    expect(unavailable.first).to_be_visible(timeout=6000)
    page.get_by_role("button", name="Dodaj do koszyka").first.click()
    page.goto(shop_without_widget_host.url + "/koszyk")
    expect(unavailable.first).to_be_visible(timeout=6000)
    page.get_by_role("link", name="Przejdź do zamówienia").click()
    expect(page.get_by_role("textbox", name="Imię")).to_be_visible()
