"""The sandbox's developer page (`GET /sandbox/`) in a real browser, against a live sandbox
with a merchant double: the conversation shows up (and keeps showing up, by polling), a row
opens to its bodies, the basket filter narrows, and a fault switch makes the API answer 503."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from sandbox.app import create_sandbox_app, prepare
from tests.integration.sandbox.merchant_double import MerchantDouble
from tests.live import LiveServer, sandbox_config

pytestmark = pytest.mark.e2e

TOKEN_PATH = "/auth/realms/external/protocol/openid-connect/token"
PHONE = {"country_prefix": "+48", "phone": "600100200"}
TIMEOUT = 10


@pytest.fixture
def merchant():
    server = MerchantDouble().start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(tmp_path, merchant):
    with LiveServer() as server:
        server.app = create_sandbox_app(sandbox_config(tmp_path, merchant.url))
        prepare(server.app)
        yield server


def token(sandbox) -> dict:
    answer = requests.post(sandbox.url + TOKEN_PATH, timeout=TIMEOUT,
                           data={"grant_type": "client_credentials", "client_id": "demo-shop",
                                 "client_secret": "demo-shop-secret"})  # fmt: skip
    assert answer.status_code == 200
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def conversation(sandbox, merchant) -> dict:
    """A few real calls: a token, a bad bearer, a PHONE binding for b-1 accepted in the phone
    app (the sandbox then calls the merchant), and a binding read for b-2."""
    auth = token(sandbox)
    merchant.trust(requests.get(f"{sandbox.url}/v1/izi/signing-keys/public", headers=auth, timeout=TIMEOUT).json())
    bad = requests.get(f"{sandbox.url}/v1/izi/baskets", headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT)
    assert bad.status_code == 401
    bound = requests.post(f"{sandbox.url}/v1/izi/basket/b-1/binding", headers=auth, timeout=TIMEOUT,
                          json={"binding_method": "PHONE", "phone_number": PHONE})  # fmt: skip
    assert bound.status_code == 202
    with requests.Session() as phone:
        assert phone.post(f"{sandbox.url}/app/api/session", json=PHONE, timeout=TIMEOUT).status_code == 200
        request_id = phone.get(f"{sandbox.url}/app/api/requests", timeout=TIMEOUT).json()["requests"][0]["id"]
        accepted = phone.post(f"{sandbox.url}/app/api/requests/{request_id}/accept", json={}, timeout=TIMEOUT)
        assert accepted.status_code == 200, accepted.text
    requests.get(f"{sandbox.url}/v1/izi/basket/b-2/binding", headers=auth, timeout=TIMEOUT)
    return auth


def entry_rows(page: Page):
    return page.locator("#entries > details.entry")


def test_log_page_shows_the_conversation_and_opens_a_row(page: Page, sandbox, conversation):
    page.goto(f"{sandbox.url}/sandbox/")
    expect(page.get_by_role("heading", name="Dziennik rozmowy ze sklepem")).to_be_visible()
    rows = entry_rows(page)
    expect(rows).to_have_count(6)  # token, keys, 401, binding, confirmation (outbound), b-2
    # newest first: the b-2 binding read, then the confirmation the sandbox sent the merchant
    expect(rows.nth(0).locator(".c-path")).to_have_text("/v1/izi/basket/b-2/binding")
    confirmation = rows.nth(1)
    expect(confirmation.locator(".c-dir")).to_contain_text("do sklepu")
    expect(confirmation.locator(".c-sig")).to_have_text("key v1")
    expect(confirmation.locator(".status")).to_have_text("200")
    unauthorized = page.locator("details.entry", has=page.locator(".status", has_text="401"))
    expect(unauthorized.locator(".c-sig")).to_have_text("—")

    binding = page.locator(
        "details.entry", has=page.locator(".c-path", has_text=re.compile(r"^/v1/izi/basket/b-1/binding$"))
    )
    request_body = binding.locator(".body pre").first
    expect(request_body).to_be_hidden()
    binding.locator("summary").click(position={"x": 40, "y": 12})
    expect(request_body).to_be_visible()
    expect(request_body).to_contain_text('"phone": "60*****00"')
    expect(page.locator("body")).not_to_contain_text(PHONE["phone"])


def test_log_page_polls_keeps_open_rows_and_filters(page: Page, sandbox, conversation):
    page.goto(f"{sandbox.url}/sandbox/")
    rows = entry_rows(page)
    expect(rows).to_have_count(6)
    rows.nth(0).locator("summary").click(position={"x": 40, "y": 12})
    # a new call appears on top by itself; the opened row stays open
    requests.get(f"{sandbox.url}/v1/izi/basket/b-1/binding", headers=conversation, timeout=TIMEOUT)
    expect(rows).to_have_count(7)
    expect(rows.nth(0).locator(".c-path")).to_have_text("/v1/izi/basket/b-1/binding")
    expect(rows.nth(1)).to_have_attribute("open", "")
    expect(page.locator("#log-count")).to_have_text("7")

    # a basket id in a row filters the page to that basket
    rows.nth(0).get_by_role("link", name="b-1").click()
    expect(page).to_have_url(re.compile(r"/sandbox/\?basket_id=b-1$"))
    expect(rows).to_have_count(3)  # binding, confirmation, the binding read
    expect(page.locator("#entries .c-basket")).to_have_text(["b-1"] * 3)
    # the text input filters too
    page.get_by_label("Koszyk (basket_id)").fill("b-2")
    page.get_by_role("button", name="Filtruj").click()
    expect(rows).to_have_count(1)
    # polling in a filtered view adds only that basket's calls
    requests.get(f"{sandbox.url}/v1/izi/basket/b-1/binding", headers=conversation, timeout=TIMEOUT)
    requests.get(f"{sandbox.url}/v1/izi/basket/b-2/binding", headers=conversation, timeout=TIMEOUT)
    expect(rows).to_have_count(2)
    expect(page.locator("#entries .c-basket")).to_have_text(["b-2", "b-2"])
    page.get_by_role("link", name="Wszystkie").click()
    expect(rows).to_have_count(9)


def test_fault_buttons_switch_the_api(page: Page, sandbox, conversation):
    page.goto(f"{sandbox.url}/sandbox/")
    state = page.locator("#faults-state")
    expect(state).to_have_text("Wyłączone — API odpowiada normalnie")
    page.get_by_role("button", name="Kolejne 3 wywołania 503").click()
    expect(state).to_have_text("Kolejne 3 wywołania API odpowiedzą 503")
    answer = requests.get(f"{sandbox.url}/v1/izi/baskets", headers=conversation, timeout=TIMEOUT)
    assert (answer.status_code, answer.json()["error_code"]) == (503, "SERVICE_UNAVAILABLE")
    # the page shows the 503 and the switch counting down
    expect(entry_rows(page).nth(0).locator(".status")).to_have_text("503")
    expect(entry_rows(page).nth(0).locator(".status")).to_have_class(re.compile(r"\bst-server\b"))
    expect(state).to_have_text("Kolejne 2 wywołania API odpowiedzą 503")

    page.get_by_role("button", name="503 przez 30 s").click()
    expect(state).to_have_text(re.compile(r"^API odpowiada 503 — jeszcze (29|30) s$"))
    page.get_by_role("button", name="Wolno (2 s) przez 30 s").click()
    expect(state).to_contain_text("API odpowiada wolno (2000 ms)")
    page.get_by_role("button", name="Wyłącz").click()
    expect(state).to_have_text("Wyłączone — API odpowiada normalnie")
    assert requests.get(f"{sandbox.url}/v1/izi/baskets", headers=conversation, timeout=TIMEOUT).status_code == 200


def test_log_page_at_phone_width_shows_each_call_whole(page: Page, sandbox, conversation):
    """A phone: no column is cut off; each call is a card, and nothing scrolls sideways."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{sandbox.url}/sandbox/")
    expect(entry_rows(page)).to_have_count(6)
    widths = page.evaluate(
        """() => {
            const wrap = document.querySelector(".table-wrap");
            return {page: document.documentElement.scrollWidth, wrap: wrap.clientWidth, table: wrap.scrollWidth};
        }"""
    )
    assert widths["page"] <= 390 and widths["table"] <= widths["wrap"]
    first = entry_rows(page).first
    for cell in (".c-path", ".c-status"):
        box = first.locator(cell).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell
    expect(page.get_by_role("button", name="Kolejne 3 wywołania 503")).to_be_in_viewport()
    # an opened row's bodies fit the visible part of the table
    row = entry_rows(page).nth(1)
    row.locator("summary").click(position={"x": 40, "y": 12})
    box = row.locator(".bodies").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
