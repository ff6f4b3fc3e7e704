"""The InPost Pay widget flows in Chromium (Synchronization of a basket and an order (UC.04) UC.04, docs/architecture.md#the-flows): two pages, the shop
in a desktop browser and the phone in the sandbox's "InPost Mobile" simulator (`/app/`).

Every flow runs on both widget contracts (INPOST_PAY_WIDGET_VERSION=1 and 2, docs/widget-versions.md):
the shopper sees the same widget; what differs is who the widget asks.

The phone is a browser context of its own at a phone's viewport (another device, another cookie
jar), driven only through the app's screens with role-based locators (sandbox/README.md).
Nothing here sleeps: every wait is a Playwright expectation.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.live import live_pair

pytestmark = pytest.mark.e2e

TIMEOUT = 15
COFFEE = "/produkt/kawa-etiopia-yirgacheffe"  # product 1, sold by the piece
TEA = "/produkt/herbata-zielona-sencha"  # product 3, related to product 1
COFFEE_NAME = "Kawa ziarnista Etiopia Yirgacheffe 250 g"
TEA_NAME = "Herbata zielona Sencha 100 g"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
_phones = itertools.count(1)


class Phone:
    """InPost Mobile on a phone, signed in with a number of its own."""

    def __init__(self, page: Page, sandbox_url: str):
        self.page = page
        self.number = f"603{next(_phones):06d}"
        page.goto(sandbox_url + "/app/")
        page.get_by_label("Numer telefonu").fill(self.number)
        page.get_by_role("button", name="Zaloguj się").click()
        expect(page.get_by_role("heading", name="Koszyki")).to_be_visible()
        # The app shows its owner the full number; the masked form is only what shops get
        # (docs/inpost-pay-api.md §7.4 masked_phone_number), so it is read from the app's session answer.
        self.masked = page.request.get(sandbox_url + "/app/api/session").json()["user"]["masked_phone_number"]

    def tab(self, name: str):
        """A tab of the app's bottom tab bar."""
        nav = self.page.get_by_role("navigation", name="Główne sekcje")
        return nav.get_by_role("link", name=re.compile(f"^{name}"))

    def accept(self, trust: bool = False) -> None:
        """The one request on screen: optionally trust the browser, accept, land on the basket."""
        card = self.page.get_by_role("article").filter(has=self.page.get_by_role("button", name="Akceptuj"))
        expect(card).to_have_count(1)
        if trust:
            card.get_by_label("Zaufaj tej przeglądarce").check()
        card.get_by_role("button", name="Akceptuj").click()
        expect(self.page.get_by_role("heading", name="Koszyk", exact=True)).to_be_visible()

    def accept_latest(self, trust: bool = False) -> None:
        self.tab("Prośby").click()
        self.accept(trust)

    def baskets(self):
        """The links of the "Koszyki" list (opens the tab)."""
        self.tab("Koszyki").click()
        return self.page.get_by_role("list", name="Aktywne koszyki").get_by_role("link")

    def expect_no_baskets(self) -> None:
        self.tab("Koszyki").click()
        expect(self.page.get_by_text("Nie masz aktywnych koszyków")).to_be_visible()

    def products(self):
        return self.page.get_by_role("list", name="Produkty w koszyku")

    def quantity(self, name: str):
        return self.page.get_by_label(f"Ilość: {name}", exact=True)

    def checkout(self, outcome: str = "Autoryzowana") -> None:
        """From the basket screen: APM to locker KRA010, both consents, BLIK, the chosen outcome."""
        page = self.page
        page.get_by_role("link", name="Przejdź do kasy").click()
        expect(page.get_by_role("radio", name=re.compile("Paczkomat"))).to_be_checked()
        page.get_by_label("Szukaj paczkomatu").fill("Karmelicka")
        page.get_by_role("radio", name=re.compile("KRA010")).check()
        page.get_by_role("checkbox", name=re.compile("regulamin")).check()
        page.get_by_role("checkbox", name=re.compile("polityką prywatności")).check()
        page.get_by_role("radio", name="BLIK", exact=True).check()
        page.get_by_role("radio", name=outcome).check()
        page.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()
        expect(page.get_by_role("heading", name="Zamówienie złożone")).to_be_visible()


@pytest.fixture(params=[1, 2], ids=["widget1", "widget2"])
def pair(request, tmp_path):
    """The live shop and sandbox, the shop's pages on Widget 1.0 or 2.0."""
    with live_pair(tmp_path / "pair", shop_extra={"INPOST_PAY_WIDGET_VERSION": request.param}) as live:
        live.widget_version = request.param
        yield live


@pytest.fixture
def phone_page(browser, request):
    """The phone: its own browser context (a separate device) at a phone's viewport."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    yield page
    if request.node.stash.get("failed", False):
        RESULTS.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS / f"{request.node.name.replace('/', '_')}-phone.png"), full_page=True)
    ctx.close()


@pytest.fixture
def phone(pair, phone_page):
    return Phone(phone_page, pair.sandbox.url)


# --- what the shopper sees --------------------------------------------------------------------------


def widget(page: Page):
    """The page's own widget (the one in <main>; the header's minicart has another)."""
    return page.get_by_role("main").locator("inpost-izi-button")


def expect_bound(page: Page, phone: Phone, count: int) -> None:
    main = widget(page).locator("button.main")
    expect(main).to_have_attribute("data-state", "linked")
    expect(main).to_contain_text(phone.masked)
    expect(widget(page).locator(".count-badge")).to_have_text(str(count))
    expect(page.locator("header [data-basket-count]")).to_have_text(str(count))


def bind_by_phone(page: Page, phone: Phone, trust: bool = False) -> None:
    """Flow 1: product card, not linked -> phone number -> accept in the app."""
    page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    dialog = page.get_by_role("dialog", name="Połącz koszyk z InPost Pay")
    dialog.get_by_role("textbox", name="Numer telefonu").fill(phone.number)
    dialog.get_by_role("button", name="Wyślij do aplikacji").click()
    expect(dialog.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_visible()
    phone.accept_latest(trust)
    expect(dialog).to_be_hidden()


def listening(page: Page) -> None:
    """Wait until the shop page's socket joined its basket's room (widget/static/izi-socket.js):
    the basket page redraws on a push, and a push sent before the join is one it never hears."""
    page.wait_for_function("() => window.IziSocket && window.IziSocket.connected")


def overlaps(a: dict, b: dict) -> bool:
    """Do two bounding boxes share any area (in page coordinates, after scrolling)?"""
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def open_log(page: Page):
    page.get_by_role("button", name="Dziennik InPost Pay").click()
    return page.get_by_role("complementary", name="Dziennik InPost Pay")


# --- 1, 2: binding by phone and by QR code / deep link ------------------------------------------------


def test_1_product_card_binds_by_phone_number(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    expect_bound(page, phone, 1)
    expect(phone.products().get_by_role("listitem")).to_have_count(1)
    expect(phone.quantity(COFFEE_NAME)).to_have_value("1")
    log = open_log(page)
    if pair.widget_version == 1:  # with Widget 2.0 the widget asks InPost itself, the shop never hears
        expect(log).to_contain_text("Prośba o połączenie koszyka wysłana do aplikacji InPost Mobile")
    expect(log).to_contain_text("Koszyk połączony z InPost Pay")

    # The diary never covers the widget or the totals, and does not stay open on the next page.
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(pair.shop.url + "/koszyk")
        expect(page.get_by_role("complementary", name="Dziennik InPost Pay").locator(".izi-log-panel")).to_be_hidden()
        toggle = page.get_by_role("button", name="Dziennik InPost Pay").bounding_box()
        for covered in (widget(page).locator("button.main"), page.locator('[data-total="final"]')):
            box = covered.bounding_box()
            assert box and not overlaps(toggle, box), (width, covered, toggle, box)


def test_2_product_card_binds_by_qr_code_and_deep_link(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    dialog = page.get_by_role("dialog", name="Połącz koszyk z InPost Pay")
    dialog.get_by_role("tab", name="Kod QR").click()
    expect(dialog.get_by_role("img", name="Kod QR łączący koszyk z InPost Pay")).to_be_visible()
    link = dialog.get_by_role("link", name="Dla telefonów Huawei").get_attribute("href")
    # The phone opens the deep link (deep_link_hms): the app shows this basket's request.
    phone.page.goto(link)
    expect(phone.page.get_by_role("heading", name="Prośba o połączenie")).to_be_visible()
    phone.accept()
    expect(dialog).to_be_hidden()
    expect_bound(page, phone, 1)
    expect(phone.products()).to_contain_text(COFFEE_NAME)


# --- 3: trusted browser ------------------------------------------------------------------------------


def test_3_a_trusted_browser_binds_a_new_basket_with_no_app_step(pair, context, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone, trust=True)
    expect_bound(page, phone, 1)
    if pair.widget_version == 1:
        # The next izi call stores InPost's browser_id in the browser (Confirming the binding of a basket browser.browser_id).
        assert page.request.get(pair.shop.url + "/izi/is-bound").json()["browser_trusted"] is True
        assert any(c["name"] == "izi_browser" and c["httpOnly"] for c in context.cookies())
    else:  # Widget 2.0: InPost's widget keeps it itself, on the shop's origin
        page.wait_for_function("() => !!window.localStorage.getItem('inpostpay.browser_id')")

    # A new basket in the same browser: the shop's session is gone, the trusted browser stays.
    context.clear_cookies(name="session")
    page.goto(pair.shop.url + TEA)
    page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    expect_bound(page, phone, 1)  # Synchronization of a basket and an order (UC.04) step 9 (1.0: PUT with browser_id; 2.0: the widget asks InPost), no dialog
    expect(page.get_by_role("dialog")).to_have_count(0)
    # The app lists both baskets and was never asked: its poll that found the second basket
    # also fetched the requests, so the badge is current.
    expect(phone.baskets()).to_have_count(2)
    expect(phone.tab("Prośby").locator(".badge")).to_be_hidden()


# --- 4: shop-side changes while bound --------------------------------------------------------------


def test_4_shop_side_changes_reach_the_app_and_the_count(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)  # the phone stays on this basket's screen, which follows the shop

    page.goto(pair.shop.url + TEA)  # another product card, same bound basket
    expect_bound(page, phone, 1)
    widget(page).locator("button.main").click()
    expect_bound(page, phone, 2)
    expect(phone.quantity(COFFEE_NAME)).to_have_value("1")
    expect(phone.quantity(TEA_NAME)).to_have_value("1")

    page.goto(pair.shop.url + "/koszyk")
    # The page's catch-up on joining (izi-glue.js) keeps the lines when nothing changed, so what
    # the shopper types right after the page loads is not lost.
    listening(page)
    page.get_by_label(f"Ilość (szt.): {TEA_NAME}").fill("4")
    page.get_by_role("button", name=f"Zmień ilość: {TEA_NAME}").click()
    expect(page.get_by_label(f"Ilość (szt.): {TEA_NAME}")).to_have_value("4")
    expect(widget(page).locator(".count-badge")).to_have_text("5")
    expect(phone.quantity(TEA_NAME)).to_have_value("4")
    expect(phone.quantity(COFFEE_NAME)).to_have_value("1")


# --- 5: app-side changes ---------------------------------------------------------------------------


# The "within a second" is what the pushes achieve (benchmarks/order_complete_latency.py
# measures the same socket path: p50 ~10 ms). The test allows headroom so that a loaded CI
# machine never turns it into a flaky timing test (docs/architecture.md#tests-and-performance: tests do not time things).
PUSH_DEADLINE_MS = 5000


def test_5_app_side_changes_redraw_the_basket_page_without_reload(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    page.goto(pair.shop.url + "/koszyk")
    page.evaluate("window.__notReloaded = true")
    listening(page)
    coffee_qty = page.get_by_label(f"Ilość (szt.): {COFFEE_NAME}")
    app = phone.page

    phone.quantity(COFFEE_NAME).fill("3")
    phone.quantity(COFFEE_NAME).press("Enter")
    expect(coffee_qty).to_have_value("3", timeout=PUSH_DEADLINE_MS)
    expect(page.locator("header [data-basket-count]")).to_have_text("3", timeout=PUSH_DEADLINE_MS)
    expect(phone.quantity(COFFEE_NAME)).to_have_value("3")

    app.get_by_role("button", name=f"Dodaj: {TEA_NAME}").click()
    expect(page.get_by_role("link", name=TEA_NAME)).to_be_visible(timeout=PUSH_DEADLINE_MS)
    expect(phone.products()).to_contain_text(TEA_NAME)

    app.get_by_label("Kod rabatowy").fill("RABAT10")
    app.get_by_role("button", name="Dodaj kod").click()
    expect(page.locator(".code-chip", has_text="RABAT10")).to_be_visible(timeout=PUSH_DEADLINE_MS)
    expect(app.get_by_role("list", name="Dodane kody")).to_contain_text("RABAT10")

    # An unknown code: the shop refuses it with an ERROR notice, which the app shows as such.
    app.get_by_label("Kod rabatowy").fill("NIEMAKODU")
    app.get_by_role("button", name="Dodaj kod").click()
    notice = app.get_by_role("alert").filter(has_text="Wiadomość od sklepu")
    expect(notice).to_contain_text("NIEMAKODU")
    expect(app.get_by_role("list", name="Dodane kody")).not_to_contain_text("NIEMAKODU")

    app.get_by_role("button", name=f"Usuń: {TEA_NAME}").click()
    expect(page.get_by_role("link", name=TEA_NAME)).to_have_count(0, timeout=PUSH_DEADLINE_MS)
    expect(phone.products()).not_to_contain_text(TEA_NAME)
    assert page.evaluate("window.__notReloaded") is True
    expect(open_log(page)).to_contain_text("Koszyk zmieniony w aplikacji InPost")


# --- 6: order and payment in the app ---------------------------------------------------------------


def test_6_order_in_the_app_takes_the_shop_tab_to_the_thank_you_page(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    phone.checkout("Autoryzowana")
    expect(phone.page.get_by_role("status").filter(has_text="Zamówienie opłacone")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/zamowienie/\d+/dziekujemy\?token="))
    expect(page.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_visible()
    expect(page.get_by_role("heading", name="Płatność nie powiodła się")).to_be_hidden()
    expect(page.locator(".ord-hero--thanks")).to_contain_text("Opłacone")
    expect(page.get_by_text("Paczkomat KRA010")).to_be_visible()
    log = open_log(page)
    expect(log).to_contain_text("Zamówienie złożone")
    expect(log).to_contain_text("Płatność: Opłacone")
    # The session starts a fresh basket; the ordered one left the app's basket list.
    expect(page.locator("header [data-basket-count]")).to_have_text("0")
    phone.expect_no_baskets()


def test_6b_a_declined_payment_says_what_to_do_and_paying_again_in_the_app_updates_the_page(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    phone.checkout("Odrzucona")
    app = phone.page
    expect(app.get_by_role("status").filter(has_text="Płatność odrzucona")).to_be_visible()
    expect(app.get_by_text("Czeka na płatność")).to_be_visible()  # not "W realizacji"
    expect(app.get_by_text("W realizacji")).to_have_count(0)

    # The shop's page: no tick, no thanks; it says what happened and what to do.
    expect(page).to_have_url(re.compile(r"/zamowienie/\d+/dziekujemy\?token="))
    failed = page.get_by_role("heading", name="Płatność nie powiodła się")
    expect(failed).to_be_visible()
    expect(page.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_hidden()
    expect(page.get_by_role("alert")).to_contain_text("zapłać ponownie")
    page.evaluate("window.__notReloaded = true")

    # Paying again in the app: a new payment attempt, AUTHORIZED to the shop, the page follows live.
    retry = app.get_by_role("form", name="Zapłać ponownie")
    retry.get_by_text("Autoryzowana").click()
    retry.get_by_role("button", name=re.compile("^Zapłać")).click()
    expect(app.get_by_text("Czeka na płatność")).to_have_count(0)
    expect(retry).to_have_count(0)
    expect(page.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_visible()
    expect(failed).to_be_hidden()
    expect(page.locator(".ord-hero--thanks")).to_contain_text("Opłacone")
    expect(page.locator(".ord-hero--thanks [data-payment-part]")).to_be_hidden()  # said once, not twice
    assert page.evaluate("window.__notReloaded") is True


# --- 7: two tabs on one basket ---------------------------------------------------------------------


def test_7_two_tabs_on_the_same_basket_both_follow(pair, context, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    second = context.new_page()
    page.goto(pair.shop.url + "/koszyk")
    second.goto(pair.shop.url + "/koszyk")
    for tab in (page, second):
        listening(tab)
    phone.page.get_by_role("button", name=f"Zwiększ ilość: {COFFEE_NAME}").click()
    expect(phone.quantity(COFFEE_NAME)).to_have_value("2")
    for tab in (page, second):
        expect(tab.get_by_label(f"Ilość (szt.): {COFFEE_NAME}")).to_have_value("2")
        expect(widget(tab).locator(".count-badge")).to_have_text("2")
    phone.checkout()
    for tab in (page, second):
        expect(tab).to_have_url(re.compile(r"/dziekujemy\?token="))


# --- 8: unlinking ------------------------------------------------------------------------------------


def test_8a_unlink_from_the_widget(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    page.get_by_role("main").get_by_role("button", name="Opcje koszyka InPost Pay").click()
    page.get_by_role("main").get_by_role("button", name="Odłącz koszyk").click()
    expect(page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_visible()
    # The phone was on the basket's screen: it says so, and the basket left the list.
    expect(phone.page.get_by_text("Koszyk nie jest już połączony")).to_be_visible()
    phone.expect_no_baskets()
    page.reload()
    expect(page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_visible()


def test_8b_unlink_from_the_app(pair, page, phone):
    page.goto(pair.shop.url + COFFEE)
    bind_by_phone(page, phone)
    expect_bound(page, phone, 1)
    phone.page.get_by_role("button", name="Odłącz koszyk").click()
    phone.page.get_by_role("group", name="Potwierdź odłączenie").get_by_role("button", name="Tak, odłącz").click()
    expect(phone.page.get_by_text("Nie masz aktywnych koszyków")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_visible()
    page.reload()
    expect(page.get_by_role("main").get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_visible()
    assert page.request.get(pair.shop.url + "/izi/is-bound").json()["basket_linked"] is False


# --- 9: InPost unavailable ---------------------------------------------------------------------------


def test_9_inpost_down_the_widget_says_so_and_the_website_still_sells(pair, page):
    requests.post(f"{pair.sandbox.url}/sandbox/faults", json={"mode": "unavailable"}, timeout=TIMEOUT)
    page.goto(pair.shop.url + COFFEE)
    page.get_by_role("button", name="Dodaj do koszyka").click()  # the website's own form
    expect(page.locator("header [data-basket-count]")).to_have_text("1")
    expect(page.get_by_role("main").get_by_text("InPost Pay jest chwilowo niedostępny")).to_be_visible()

    page.goto(pair.shop.url + "/zamowienie")
    page.get_by_label("Imię").fill("Anna")
    page.get_by_label("Nazwisko").fill("Kowalska")
    page.get_by_label("E-mail").fill("anna@example.pl")
    page.get_by_role("textbox", name="Telefon").fill("600123456")
    page.locator("label.co-locker", has=page.locator("input[value=KRA010]")).click()
    page.locator("input[name=payment_method][value=COD]").check()
    page.locator("input[name=consent_1]").check()
    page.locator("input[name=consent_2]").check()
    page.get_by_role("button", name="Zamawiam z obowiązkiem zapłaty").click()
    expect(page.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_visible()
