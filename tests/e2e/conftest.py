"""Browser tests: real Chromium (Debian's, through Playwright) against live servers on loopback.

Failed tests leave a screenshot and a Playwright trace under test-results/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from app import create_app
from storefront.seed import ensure_database
from tests.live import LiveServer, live_pair

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


@pytest.fixture(scope="module")
def live_shop(tmp_path_factory):
    """The shop on a live port with a fresh database of its own."""
    db_path = tmp_path_factory.mktemp("shop") / "shop.db"
    app = create_app({"SECRET_KEY": "e2e-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
                      "ADMIN_PASSWORD": "e2e-admin"})
    with app.app_context():
        ensure_database()
    with LiveServer(app) as server:
        server.app = app
        yield server


@pytest.fixture
def pair(tmp_path):
    """The shop and the InPost sandbox, live and wired to each other (tests/live.py)."""
    with live_pair(tmp_path / "pair") as live:
        yield live


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault("failed", False)
        if report.failed:
            item.stash["failed"] = True
    return report


@pytest.fixture
def context(browser, request):
    """A fresh browser profile per test; on failure its screenshot and trace are kept."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="pl-PL")
    ctx.tracing.start(screenshots=True, snapshots=True)
    yield ctx
    failed = request.node.stash.get("failed", False)
    name = request.node.name.replace("/", "_")
    if failed:
        RESULTS.mkdir(exist_ok=True)
        for i, page in enumerate(ctx.pages):
            page.screenshot(path=str(RESULTS / f"{name}-{i}.png"), full_page=True)
        ctx.tracing.stop(path=str(RESULTS / f"{name}-trace.zip"))
    else:
        ctx.tracing.stop()
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page
