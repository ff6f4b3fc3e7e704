"""InPost's widget script (sandbox/static/inpostizi.js) against a fake merchant page.

The script is InPost's side of the Widget 1.0 contract (docs/inpost-pay-api.md §7.4, DESIGN §2 and §3 flows 1-3,
Synchronization of a basket and an order (UC.04) UC.04). The harness page (widget_harness/) defines the izi* callbacks; each test sets
their behaviour through `window.harness` and reads what the widget called from `window.calls`.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.widget_harness.app import create_harness_app

pytestmark = pytest.mark.e2e

UNLINKED = {"can_be_bound": True, "basket_linked": False, "browser_trusted": False, "count": 0}
LINKED = {"can_be_bound": True, "basket_linked": True, "browser_trusted": True, "count": 2,
          "masked_phone_number": "60*****00", "name": "Jan"}
PRODUCT_CARD = {"binding_place": "PRODUCT_CARD", "data-product-id": "42"}
BASKET_SUMMARY = {"binding_place": "BASKET_SUMMARY", "basket": "true"}
CONFIRMATION = {"basket_linked": True, "masked_phone_number": "60*****00", "name": "Jan"}


@pytest.fixture(scope="module")
def harness_server():
    with LiveServer(create_harness_app()) as server:
        yield server


@pytest.fixture
def open_harness(page: Page, harness_server):
    """Open the fake merchant page with the callbacks behaving as `options` say (see harness.js).

    An uncaught exception in the page fails the test, whatever its assertions saw.
    """
    errors = []
    page.on("pageerror", lambda error: errors.append(error))

    def open_(**options) -> Page:
        page.add_init_script(f"window.harness = {json.dumps(options)};")
        page.goto(harness_server.url + "/")
        return page

    yield open_
    assert errors == []


def calls(page: Page, name: str) -> list[list]:
    return page.evaluate("name => window.calls.filter(c => c.name === name).map(c => c.args)", name)


def wait_for_calls(page: Page, name: str, count: int) -> None:
    page.wait_for_function("([name, n]) => window.calls.filter(c => c.name === name).length >= n", arg=[name, count])


def dialog(page: Page):
    return page.get_by_role("dialog", name="Połącz koszyk z InPost Pay")


def bound_button(page: Page):
    return page.get_by_role("button", name=re.compile(r"InPost Pay.*Jan.*60\*{5}00"))


# --- first render: iziCanBeBound ----------------------------------------------------------------

def test_product_card_shows_the_polish_label_and_asks_with_the_product_id(open_harness):
    page = open_harness()
    expect(page.get_by_role("button", name="Utwórz koszyk z InPost Pay", exact=True)).to_be_enabled()
    assert calls(page, "iziCanBeBound") == [["42"]]


def test_english_labels_on_product_card_and_basket(open_harness):
    page = open_harness(elements=[{**PRODUCT_CARD, "language": "en"}, {**BASKET_SUMMARY, "language": "en"}])
    expect(page.get_by_role("button", name="Create a basket with InPost Pay", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Buy with InPost Pay", exact=True)).to_be_enabled()


def test_language_attribute_change_relabels_the_button(open_harness):
    page = open_harness()
    expect(page.get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_enabled()
    page.locator("inpost-izi-button").evaluate("el => el.setAttribute('language', 'en')")
    expect(page.get_by_role("button", name="Create a basket with InPost Pay")).to_be_enabled()


@pytest.mark.parametrize("answer", [False, {**UNLINKED, "can_be_bound": False}], ids=["boolean", "object"])
def test_product_that_cannot_be_bound_disables_the_button(open_harness, answer):
    page = open_harness(canBeBound=answer)
    expect(page.get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_disabled()
    expect(page.get_by_text("Tego produktu nie można teraz dodać")).to_be_visible()


@pytest.mark.parametrize("options", [{"canBeBound": "reject"}, {"canBeBound": "throw"}, {"omit": ["iziCanBeBound"]}],
                         ids=["rejects", "throws", "missing"])
def test_merchant_failure_shows_inpost_pay_unavailable(open_harness, options):
    page = open_harness(**options)
    expect(page.get_by_text("InPost Pay jest chwilowo niedostępny")).to_be_visible()
    expect(page.get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_disabled()


def test_bound_attributes_render_the_bound_state(open_harness):
    page = open_harness(canBeBound=True, elements=[{**BASKET_SUMMARY, "name": "Jan", "masked_phone_number": "60*****00",
                                                    "count": "4"}])
    expect(bound_button(page)).to_be_enabled()
    expect(page.locator(".count-badge")).to_have_text("4")


# --- binding: phone, QR, trusted browser --------------------------------------------------------

def test_click_adds_the_product_then_opens_the_binding_dialog(open_harness):
    page = open_harness()
    page.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    expect(dialog(page)).to_be_visible()
    assert calls(page, "iziAddToCart") == [["42"]]
    expect(page.get_by_role("tab", name="Numer telefonu")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("textbox", name="Numer telefonu")).to_be_focused()


def test_basket_button_opens_the_dialog_without_adding_anything(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    expect(dialog(page)).to_be_visible()
    assert calls(page, "iziAddToCart") == []
    assert calls(page, "iziCanBeBound") == [[None]]


@pytest.mark.parametrize(("prefix", "number", "message"), [
    ("+48", "", "Wpisz numer telefonu."),
    ("+48", "600abc000", "Numer może zawierać tylko cyfry."),
    ("+48", "60000", "Numer w Polsce ma 9 cyfr."),
    ("+48", "+48600000000", "Kierunkowy wybierz z listy, a tu wpisz sam numer."),
    ("+49", "12345", "Numer powinien mieć od 6 do 12 cyfr."),
    ("+49", "1234567890123", "Numer powinien mieć od 6 do 12 cyfr."),
], ids=["empty", "letters", "too-short-pl", "with-prefix", "too-short", "too-long"])
def test_invalid_phone_shows_an_error_and_sends_nothing(open_harness, prefix, number, message):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("combobox", name="Kierunkowy").select_option(prefix)
    phone = page.get_by_role("textbox", name="Numer telefonu")
    phone.fill(number)
    page.get_by_role("button", name="Wyślij do aplikacji").click()
    expect(page.get_by_text(message)).to_be_visible()
    expect(phone).to_have_attribute("aria-invalid", "true")
    assert calls(page, "iziGetBindingData") == []


def test_phone_binding_waits_for_the_app_then_binds_every_button(open_harness):
    page = open_harness(elements=[PRODUCT_CARD, BASKET_SUMMARY])
    page.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    page.get_by_role("textbox", name="Numer telefonu").fill("600 000 000")
    page.get_by_role("button", name="Wyślij do aplikacji").click()

    expect(page.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_visible()
    expect(page.get_by_text("Wysłaliśmy prośbę na numer +48 600 000 000.")).to_be_visible()
    assert calls(page, "iziGetBindingData") == [["+48", "600000000"]]
    wait_for_calls(page, "iziGetIsBound", 1)
    assert calls(page, "iziGetOrderComplete") == []  # nothing to watch before the basket is linked

    page.evaluate("detail => harness.resolveIsBound(detail)", CONFIRMATION)
    expect(dialog(page)).to_be_hidden()
    expect(bound_button(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Kup z InPost Pay")).to_have_count(0)
    assert calls(page, "izi-binding-complete") == [[CONFIRMATION]]
    wait_for_calls(page, "iziGetOrderComplete", 1)
    assert len(calls(page, "iziGetOrderComplete")) == 1  # one watcher for the whole page


def test_qr_tab_shows_the_code_and_deep_links(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("tab", name="Kod QR").click()

    qr = page.get_by_role("img", name="Kod QR łączący koszyk z InPost Pay")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(page.get_by_role("link", name="Otwórz InPost Mobile")).to_have_attribute(
        "href", "inpost://izilink?basket_id=harness-basket")
    expect(page.get_by_role("link", name="Dla telefonów Huawei")).to_be_visible()
    assert calls(page, "iziGetBindingData") == [[]]

    wait_for_calls(page, "iziGetIsBound", 1)
    page.evaluate("harness.resolveIsBound({basket_linked: true, name: 'Jan', masked_phone_number: '60*****00'})")
    expect(bound_button(page)).to_be_visible()


def test_trusted_browser_binds_on_add_to_cart_without_the_dialog(open_harness):
    trusted = {**UNLINKED, "browser_trusted": True}
    linked = {**LINKED, "name": "Anna", "masked_phone_number": "51*****34", "count": 1}
    page = open_harness(canBeBound=[trusted, linked], addToCart={"count": 1, "basket_linked": True})
    page.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    expect(page.get_by_role("button", name=re.compile(r"InPost Pay.*Anna.*51\*{5}34"))).to_be_visible()
    expect(dialog(page)).to_have_count(0)
    assert calls(page, "izi-binding-complete") == [[{"count": 1, "basket_linked": True}]]


def test_binding_data_failure_shows_an_error_with_retry(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY], bindingData="reject")
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("textbox", name="Numer telefonu").fill("600000000")
    page.get_by_role("button", name="Wyślij do aplikacji").click()
    expect(page.get_by_role("alert")).to_have_text("Coś poszło nie tak. Spróbuj ponownie.")

    page.evaluate("harness.set('bindingData', 'ok')")
    page.get_by_role("button", name="Spróbuj ponownie").click()
    expect(page.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_visible()
    assert calls(page, "iziGetBindingData") == [["+48", "600000000"], ["+48", "600000000"]]


def test_is_bound_rejection_shows_an_error_in_the_dialog(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("tab", name="Kod QR").click()
    wait_for_calls(page, "iziGetIsBound", 1)
    page.evaluate("harness.rejectIsBound()")
    expect(page.get_by_role("alert")).to_have_text("Coś poszło nie tak. Spróbuj ponownie.")
    page.get_by_role("button", name="Spróbuj ponownie").click()
    expect(page.get_by_role("img", name="Kod QR łączący koszyk z InPost Pay")).to_be_visible()
    wait_for_calls(page, "iziGetIsBound", 2)


def test_add_to_cart_failure_is_reported_next_to_the_button(open_harness):
    page = open_harness(addToCart="reject")
    page.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
    expect(page.get_by_text("Nie udało się dodać produktu. Spróbuj ponownie.")).to_be_visible()
    expect(dialog(page)).to_have_count(0)


# --- bound state: count, order, menu ------------------------------------------------------------

def test_update_count_event_updates_the_badge(open_harness):
    page = open_harness(canBeBound=LINKED, elements=[PRODUCT_CARD, BASKET_SUMMARY])
    badges = page.locator(".count-badge")
    expect(badges).to_have_text(["2", "2"])
    page.evaluate("harness.updateCount(5)")
    expect(badges).to_have_text(["5", "5"])
    page.evaluate("harness.updateCount({count: 7})")
    expect(badges).to_have_text(["7", "7"])
    expect(page.get_by_role("button", name=re.compile("7 produktów w koszyku"))).to_have_count(2)


def test_update_count_with_basket_linked_switches_to_bound(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    expect(page.get_by_role("button", name="Kup z InPost Pay")).to_be_enabled()
    page.evaluate("harness.updateCount({count: 3, basket_linked: true, name: 'Jan', masked_phone_number: '60*****00'})")
    expect(bound_button(page)).to_be_visible()
    expect(page.locator(".count-badge")).to_have_text("3")


def test_order_complete_redirects_to_the_thank_you_page(open_harness, harness_server):
    page = open_harness(canBeBound=LINKED, elements=[PRODUCT_CARD, BASKET_SUMMARY])
    wait_for_calls(page, "iziGetOrderComplete", 1)
    assert len(calls(page, "iziGetOrderComplete")) == 1
    page.evaluate("harness.resolveOrderComplete({redirect: '/thank-you?order=7'})")
    page.wait_for_url(harness_server.url + "/thank-you?order=7")
    expect(page.get_by_role("heading", name="Dziękujemy za zamówienie")).to_be_visible()


def test_order_complete_is_retried_after_a_rejection(open_harness, harness_server):
    page = open_harness(canBeBound=LINKED, orderComplete="reject")
    wait_for_calls(page, "iziGetOrderComplete", 2)  # the retry comes after 2 s
    page.evaluate("harness.resolveOrderComplete({redirect: '/thank-you?order=8'})")
    page.wait_for_url(harness_server.url + "/thank-you?order=8")


def test_unlink_from_the_bound_menu(open_harness):
    page = open_harness(canBeBound=LINKED, elements=[BASKET_SUMMARY])
    button = bound_button(page)
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Odłącz koszyk").click()
    expect(page.get_by_role("button", name="Kup z InPost Pay")).to_be_focused()
    expect(page.get_by_text("Koszyk odłączony od InPost Pay")).to_be_visible()
    assert calls(page, "iziBindingDelete") == [[]]


def test_bound_product_card_adds_with_the_button_and_opens_options_with_the_other(open_harness, harness_server):
    page = open_harness(canBeBound=LINKED, addToCart={"count": 3, "basket_linked": True})
    bound_button(page).click()
    expect(page.locator(".count-badge")).to_have_text("3")
    expect(page.get_by_text("Dodano do koszyka InPost Pay")).to_be_visible()
    expect(dialog(page)).to_have_count(0)

    page.get_by_role("button", name="Opcje koszyka InPost Pay").click()
    page.get_by_role("button", name="Otwórz w aplikacji").click()
    page.wait_for_url(harness_server.url + "/app-link")  # the link the harness's iziMobileLink() gives


def test_thank_you_place_shows_a_note_and_does_not_watch_orders(open_harness):
    page = open_harness(canBeBound=LINKED, elements=[{"binding_place": "THANK_YOU_PAGE"}])
    expect(page.get_by_text("Zamówienie złożone z InPost Pay")).to_be_visible()
    expect(page.get_by_role("button")).to_have_count(0)
    assert calls(page, "iziCanBeBound") == []
    assert calls(page, "iziGetOrderComplete") == []


# --- keyboard and dialog behaviour --------------------------------------------------------------

def test_escape_closes_the_dialog_and_returns_focus(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    button = page.get_by_role("button", name="Kup z InPost Pay")
    button.click()
    expect(dialog(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog(page)).to_be_hidden()
    expect(button).to_be_focused()


def test_close_button_closes_the_dialog(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("button", name="Zamknij").click()
    expect(dialog(page)).to_be_hidden()
    expect(page.get_by_role("button", name="Kup z InPost Pay")).to_be_focused()


def test_focus_stays_inside_the_dialog(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    close = page.get_by_role("button", name="Zamknij")
    send = page.get_by_role("button", name="Wyślij do aplikacji")
    send.focus()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(send).to_be_focused()


def test_tabs_switch_with_arrow_keys(open_harness):
    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    page.get_by_role("tab", name="Numer telefonu").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Kod QR")).to_be_focused()
    expect(page.get_by_role("tab", name="Kod QR")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("img", name="Kod QR łączący koszyk z InPost Pay")).to_be_visible()


def test_keyboard_only_binding(open_harness):
    page = open_harness()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Utwórz koszyk z InPost Pay")).to_be_focused()
    page.keyboard.press("Enter")
    phone = page.get_by_role("textbox", name="Numer telefonu")
    expect(phone).to_be_focused()
    page.keyboard.type("600000000")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_focused()
    wait_for_calls(page, "iziGetIsBound", 1)
    page.evaluate("detail => harness.resolveIsBound(detail)", CONFIRMATION)
    expect(bound_button(page)).to_be_focused()
    assert calls(page, "iziAddToCart") == [["42"]]


def test_fits_a_390px_phone(open_harness, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page = open_harness(canBeBound=LINKED, elements=[PRODUCT_CARD, BASKET_SUMMARY])
    for line in page.locator(".who span").all():  # name and masked phone shown whole, not cut with "…"
        assert line.evaluate("el => el.scrollWidth <= el.clientWidth"), line.text_content()

    page = open_harness(elements=[BASKET_SUMMARY])
    page.get_by_role("button", name="Kup z InPost Pay").click()
    expect(dialog(page)).to_be_visible()
    assert dialog(page).evaluate("d => d.scrollWidth <= d.clientWidth")  # no sideways scrolling


# --- iziGetBrowserData --------------------------------------------------------------------------

def test_browser_data_as_object_and_base64(open_harness):
    page = open_harness()
    plain = page.evaluate("window.iziGetBrowserData()")
    encoded = page.evaluate("window.iziGetBrowserData({base64: true})")
    decoded = json.loads(base64.b64decode(encoded))
    keys = {"user_agent", "platform", "language", "screen", "time_zone", "data_time"}
    assert set(plain) == keys and set(decoded) == keys
    assert decoded["user_agent"] == page.evaluate("navigator.userAgent")
    assert re.fullmatch(r"\d+x\d+", decoded["screen"])
