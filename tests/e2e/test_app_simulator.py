"""The "InPost Mobile" simulator in a real browser, against the real shop and the real sandbox.

The shop side is driven through its Python API (a basket, a binding request through the
shop's InPost client, a merchant order event); the InPost side only through the app's page,
at a phone's viewport, with role-based locators and no fixed sleeps (docs/architecture.md#the-flows, sandbox/README.md).
"""

from __future__ import annotations

import copy
import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from flask import current_app
from playwright.sync_api import Page, expect

from inpost_pay.baskets import binding_for
from inpost_pay.sync import push_basket
from sandbox import baskets as sandbox_baskets
from sandbox.app import create_sandbox_app, prepare
from sandbox.extensions import db as sandbox_db
from sandbox.models import Basket as SandboxBasket
from sandbox.models import BindingRequest, Browser
from storefront import basket as shop_basket
from storefront import orders as shop_orders
from storefront.extensions import db
from storefront.models import Order
from tests.integration.sandbox.merchant_double import MerchantDouble, load_fixture
from tests.live import LiveServer, sandbox_config

pytestmark = pytest.mark.e2e

PHONE = {"country_prefix": "+48", "phone": "600100200"}
MERCHANT = "Spiżarnia pod Lipą"
COFFEE = "Kawa ziarnista Etiopia Yirgacheffe 250 g"  # product 1: 46.90 promo, INTEGER
BRAZIL = "Kawa Brazylia Santos na wagę"  # product 2: 89.00 per kg, DECIMAL
SENCHA = "Herbata zielona Sencha 100 g"  # product 3: related to product 1


@pytest.fixture
def app_pair(pair):
    """The live pair, with the merchant's name InPost shows in the app."""
    pair.sandbox_app.config["SANDBOX_MERCHANT_NAME"] = MERCHANT
    return pair


@pytest.fixture
def phone_page(page: Page) -> Page:
    page.set_viewport_size({"width": 390, "height": 844})
    return page


# -- helpers ---------------------------------------------------------------------------


def shop_basket_with(pair, *lines: tuple[int, object]) -> str:
    """A basket in the shop (product id, quantity) -> its id."""
    with pair.shop_app.app_context():
        basket = shop_basket.new_basket()
        for product_id, quantity in lines:
            shop_basket.add_product(basket, product_id, quantity)
        db.session.commit()
        return basket.id


def request_binding(pair, basket_id: str) -> None:
    """The shop asks InPost to link the basket with the phone (a request appears in the app)."""
    with pair.shop_app.app_context():
        client = current_app.extensions["inpost_pay"].client
        client.create_basket_binding(basket_id, "PHONE", phone_number=PHONE, binding_place="PRODUCT_CARD")


def shop_lines(pair, basket_id: str) -> dict[int, Decimal]:
    with pair.shop_app.app_context():
        basket = shop_basket.get_basket(basket_id)
        return {line.product_id: line.quantity for line in basket.lines}


def shop_order(pair, basket_id: str) -> dict | None:
    with pair.shop_app.app_context():
        order = db.session.scalar(db.select(Order).where(Order.basket_id == basket_id))
        if order is None:
            return None
        return {"id": order.id, "status": order.status, "payment_status": order.payment_status,
                "payment_method": order.payment_method, "delivery_point": order.delivery_point,
                "consents": order.consents, "total": order.total_gross}  # fmt: skip


def tab(page: Page, name: str):
    """A tab of the bottom tab bar."""
    return page.get_by_role("navigation", name="Główne sekcje").get_by_role("link", name=re.compile(f"^{name}"))


def no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scroll: content {width[0]}px in a {width[1]}px viewport"


def sign_in(page: Page, sandbox_url: str, lands_on: str = "Prośby o połączenie") -> None:
    """Sign in; the app opens on "Prośby" when a binding request waits, else on "Koszyki"."""
    page.goto(sandbox_url + "/app/")
    page.get_by_label("Numer telefonu").fill("600 100 200")
    page.get_by_role("button", name="Zaloguj się").click()
    expect(page.get_by_role("heading", name=lands_on, exact=True)).to_be_visible()


def accept_request(page: Page, trust: bool = True) -> None:
    tab(page, "Prośby").click()
    card = page.get_by_role("article").filter(has_text=MERCHANT)
    expect(card).to_be_visible()
    if trust:
        card.get_by_label("Zaufaj tej przeglądarce").check()
    card.get_by_role("button", name="Akceptuj").click()
    expect(page.get_by_role("heading", name="Koszyk", exact=True)).to_be_visible()


def summary_total(page: Page):
    return page.get_by_role("region", name="Podsumowanie").locator("dd.grand")


def checkout(page: Page, *, outcome: str = "Autoryzowana", regulations: bool = True, privacy: bool = True) -> None:
    """APM + locker KRA010 + consents + BLIK + the chosen outcome."""
    page.get_by_role("link", name="Przejdź do kasy").click()
    expect(page.get_by_role("radio", name=re.compile("Paczkomat"))).to_be_checked()
    page.get_by_label("Szukaj paczkomatu").fill("Karmelicka")
    page.get_by_role("radio", name=re.compile("KRA010")).check()
    expect(page.get_by_role("radio", name=re.compile("KRA01M"))).to_have_count(0)  # filtered out
    if regulations:
        page.get_by_role("checkbox", name=re.compile("regulamin")).check()
    if privacy:
        page.get_by_role("checkbox", name=re.compile("polityką prywatności")).check()
    page.get_by_role("radio", name="BLIK", exact=True).check()
    page.get_by_role("radio", name=outcome).check()
    page.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()


def zl(text: str) -> Decimal:
    """ "1 234,50 zł" or "−46,15 zł" -> Decimal."""
    digits = text.replace("\u2212", "-").replace("zł", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    return Decimal(digits)


def order_screen_adds_up(page: Page) -> None:
    """The order screen's lines, discount, delivery and total add up (what the shopper paid)."""
    totals = page.get_by_role("region", name="Podsumowanie")
    expect(totals).to_be_visible()
    rows = dict(zip(totals.locator("dt").all_inner_texts(), map(zl, totals.locator("dd").all_inner_texts()), strict=True))
    lines = [zl(t.split()[-2] + " zł") for t in page.locator(".products .line-total").all_inner_texts()]
    products = rows["Produkty razem"]
    assert sum(lines) == products, (lines, rows)
    assert rows["Produkty w cenach regularnych"] + rows.get("Rabaty (promocje i kody)", Decimal(0)) == products, rows
    delivery = sum((v for k, v in rows.items() if k.startswith("Dostawa")), Decimal(0))
    assert products + delivery == rows["Razem"], rows


# -- the whole way: bind, edit, order, follow ------------------------------------------------


def test_bind_edit_the_basket_check_out_and_follow_the_order(app_pair, phone_page):
    pair, page = app_pair, phone_page
    basket_id = shop_basket_with(pair, (1, 2), (2, 1))
    request_binding(pair, basket_id)

    sign_in(page, pair.sandbox.url)  # opens on the waiting request, not an empty basket list
    expect(page.get_by_role("article").filter(has_text=MERCHANT)).to_be_visible()
    no_horizontal_scroll(page)
    expect(tab(page, "Prośby").locator(".badge")).to_have_text("1")
    accept_request(page, trust=True)
    with pair.sandbox_app.app_context():  # "trust this browser" made a trusted browser
        assert sandbox_db.session.query(Browser).count() == 1

    # The basket is listed with the shop's products.
    tab(page, "Koszyki").click()
    card = page.get_by_role("list", name="Aktywne koszyki").get_by_role("link")
    expect(card).to_contain_text(MERCHANT)
    expect(card).to_contain_text("2 produkty")
    expect(card).to_contain_text("182,80 zł")  # 2 x 46.90 + 89.00
    no_horizontal_scroll(page)
    card.click()
    products = page.get_by_role("list", name="Produkty w koszyku")
    expect(products).to_contain_text(COFFEE)
    expect(products).to_contain_text(BRAZIL)
    no_horizontal_scroll(page)

    # Quantity +1: the shop's basket changes, the app shows the new total.
    page.get_by_role("button", name=f"Zwiększ ilość: {COFFEE}").click()
    expect(summary_total(page)).to_have_text("229,70 zł")
    expect(page.get_by_label(f"Ilość: {COFFEE}", exact=True)).to_have_value("3")
    assert shop_lines(pair, basket_id)[1] == 3

    # Promo codes, one at a time: a valid one is applied, an expired one is the shop's ERROR notice.
    page.get_by_label("Kod rabatowy").fill("RABAT10")
    page.get_by_role("button", name="Dodaj kod").click()
    expect(page.get_by_role("list", name="Dodane kody")).to_contain_text("RABAT10")
    expect(page.get_by_text("Rabat z kodów")).to_be_visible()
    expect(summary_total(page)).to_have_text("206,73 zł")  # 229.70 - 10 %
    expect(page.get_by_label("Kod rabatowy")).to_have_value("")  # taken: the field is free again
    page.get_by_label("Kod rabatowy").fill("LATO2025")
    page.get_by_role("button", name="Dodaj kod").click()
    notice = page.locator(".alert-error").filter(has_text="Wiadomość od sklepu")
    expect(notice).to_contain_text("LATO2025")
    expect(page.get_by_role("list", name="Dodane kody")).not_to_contain_text("LATO2025")
    expect(page.get_by_label("Kod rabatowy")).to_have_value("LATO2025")  # kept to be corrected
    page.get_by_label("Kod rabatowy").fill("")

    # A related product, then removing a line.
    page.get_by_role("button", name=f"Dodaj: {SENCHA}").click()
    expect(products).to_contain_text(SENCHA)
    page.get_by_role("button", name=f"Usuń: {BRAZIL}").click()
    expect(products).not_to_contain_text(BRAZIL)
    assert shop_lines(pair, basket_id) == {1: 3, 3: 1}

    # Checkout: APM + locker + consents + BLIK + authorised.
    checkout(page)
    expect(page.get_by_role("heading", name="Zamówienie złożone")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Zamówienie opłacone")).to_be_visible()
    order_screen_adds_up(page)  # coffee at its 46,90 zł promotion, less RABAT10
    no_horizontal_scroll(page)
    order = shop_order(pair, basket_id)
    assert order["status"] == "paid"
    assert (order["payment_method"], order["delivery_point"]) == ("BLIK_CODE", "KRA010")

    # The order in the app's list; the ordered basket left the basket list.
    tab(page, "Zamówienia").click()
    order_card = page.get_by_role("list", name="Twoje zamówienia").get_by_role("link")
    expect(order_card).to_contain_text(MERCHANT)
    expect(order_card).to_contain_text("Opłacone")
    no_horizontal_scroll(page)

    # The merchant ships it and tells InPost (docs/inpost-pay-api.md §5.5): the label and the tracking number
    # appear in the app without a reload. The event is sent here through the shop's client, so the
    # test does not depend on the shop's outbox (a second copy from it has its own event_id).
    with pair.shop_app.app_context():
        shop_side = db.session.get(Order, order["id"])
        shop_orders.change_status(shop_side, "shipped", "Wysłane kurierem")
        shop_orders.add_tracking(shop_side, "620111222333444555666777")
        db.session.commit()
        current_app.extensions["inpost_pay"].client.send_order_event(str(order["id"]), {
            "event_id": str(uuid.uuid4()),
            "event_data_time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "phone_number": PHONE,
            "event_data": {"order_merchant_status_description": "Wysłane kurierem",
                           "delivery_references_list": ["620111222333444555666777"]},
        })  # fmt: skip
    expect(order_card).to_contain_text("Wysłane kurierem")
    expect(order_card).to_contain_text("620111222333444555666777")
    tab(page, "Koszyki").click()
    expect(page.get_by_text("Nie masz aktywnych koszyków")).to_be_visible()


def test_second_checkout_remembers_the_required_once_consent_and_shows_a_declined_payment(app_pair, phone_page):
    pair, page = app_pair, phone_page
    first = shop_basket_with(pair, (7, 1))
    request_binding(pair, first)
    sign_in(page, pair.sandbox.url)
    accept_request(page, trust=True)
    checkout(page)
    expect(page.get_by_role("status").filter(has_text="Zamówienie opłacone")).to_be_visible()

    # The trusted browser: the shop's next basket links to the same phone with no app step.
    second = shop_basket_with(pair, (5, 1))
    with pair.shop_app.app_context():
        assert push_basket(second, browser_id=binding_for(first).browser_id)
    tab(page, "Koszyki").click()
    page.get_by_role("list", name="Aktywne koszyki").get_by_role("link").click()
    page.get_by_role("link", name="Przejdź do kasy").click()

    privacy = page.get_by_role("checkbox", name=re.compile("polityką prywatności"))
    expect(privacy).to_be_checked()  # REQUIRED_ONCE, accepted with the first order
    expect(privacy).to_be_disabled()
    expect(page.get_by_text(re.compile("Zaakceptowana wcześniej"))).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("regulamin"))).not_to_be_checked()  # REQUIRED_ALWAYS

    # Without the REQUIRED_ALWAYS consent the app asks for it first.
    page.get_by_role("radio", name=re.compile("KRA010")).check()
    page.get_by_role("radio", name="BLIK", exact=True).check()
    page.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()
    expect(page.get_by_role("alert").filter(has_text="Uzupełnij zamówienie")).to_contain_text("regulamin")
    assert shop_order(pair, second) is None

    page.get_by_role("checkbox", name=re.compile("regulamin")).check()
    page.get_by_role("radio", name="Odrzucona").check()
    page.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()
    expect(page.get_by_role("status").filter(has_text="Płatność odrzucona")).to_be_visible()
    order = shop_order(pair, second)
    assert order["payment_status"] == "DECLINED"
    # The remembered REQUIRED_ONCE consent went to the shop as accepted, with its version.
    accepted = {(c["consent_id"], c["consent_version"]) for c in order["consents"] if c["is_accepted"]}
    assert {("1", "3"), ("2", "2")} <= accepted
    tab(page, "Zamówienia").click()
    expect(page.get_by_role("list", name="Twoje zamówienia").get_by_role("link")).to_have_count(2)
    expect(page.get_by_role("list", name="Twoje zamówienia")).to_contain_text("Płatność odrzucona")


def test_rejecting_a_request_opened_by_link_binds_nothing(app_pair, phone_page):
    pair, page = app_pair, phone_page
    basket_id = shop_basket_with(pair, (1, 1))
    request_binding(pair, basket_id)
    with pair.sandbox_app.app_context():
        request_id = sandbox_db.session.scalar(sandbox_db.select(BindingRequest.id))
    sign_in(page, pair.sandbox.url)
    page.goto(f"{pair.sandbox.url}/app/?request={request_id}")
    expect(page.get_by_role("heading", name="Prośba o połączenie")).to_be_visible()
    page.get_by_role("button", name="Odrzuć").click()
    expect(page.get_by_text("Prośba odrzucona — koszyk nie został połączony.")).to_be_visible()
    expect(tab(page, "Prośby").locator(".badge")).to_be_hidden()
    with pair.shop_app.app_context():
        client = current_app.extensions["inpost_pay"].client
        assert client.get_basket_binding(basket_id)["basket_linked"] is False
    tab(page, "Koszyki").click()
    expect(page.get_by_text("Nie masz aktywnych koszyków")).to_be_visible()


def test_shop_changes_show_live_and_a_stale_basket_is_refused_with_its_differences(app_pair, phone_page):
    pair, page = app_pair, phone_page
    basket_id = shop_basket_with(pair, (1, 1))
    request_binding(pair, basket_id)
    sign_in(page, pair.sandbox.url)
    accept_request(page)
    products = page.get_by_role("list", name="Produkty w koszyku")

    # The shop changes the basket and PUTs it (docs/architecture.md#the-flows step 4): the app follows by itself.
    with pair.shop_app.app_context():
        shop_basket.add_product(shop_basket.get_basket(basket_id), 7, 1)
        db.session.commit()
        assert push_basket(basket_id)
    expect(products).to_contain_text("Czekolada gorzka 70% z Ekwadoru 100 g")

    # The shop changes it again but does not tell InPost: checkout finds the difference.
    with pair.shop_app.app_context():
        shop_basket.set_quantity(shop_basket.get_basket(basket_id), 1, 2)
        db.session.commit()
    checkout(page)
    error = page.get_by_role("alert").filter(has_text="Koszyk się zmienił, odśwież koszyk")
    expect(error).to_be_visible()
    expect(error.get_by_role("list", name="Naruszenia").get_by_role("listitem").first).to_contain_text("—")
    expect(error).to_contain_text("products[0].quantity")
    assert shop_order(pair, basket_id) is None
    error.get_by_role("button", name="Odśwież koszyk").click()
    # 2 x 46.90 + 11.90 + 13.99 (APM)
    expect(page.get_by_role("button", name=re.compile("Zamawiam i płacę"))).to_contain_text("119,69 zł")
    page.get_by_role("button", name=re.compile("Zamawiam i płacę")).click()
    expect(page.get_by_role("status").filter(has_text="Zamówienie opłacone")).to_be_visible()
    assert shop_order(pair, basket_id)["total"] == Decimal("119.69")


def test_an_expired_basket_disappears_from_the_list(app_pair, phone_page):
    pair, page = app_pair, phone_page
    basket_id = shop_basket_with(pair, (1, 1))
    request_binding(pair, basket_id)
    sign_in(page, pair.sandbox.url)
    accept_request(page)
    tab(page, "Koszyki").click()
    expect(page.get_by_role("list", name="Aktywne koszyki").get_by_role("link")).to_have_count(1)

    # Time passes past the basket_expiration_date the merchant gave (Basket Update).
    with pair.sandbox_app.app_context():
        stored = sandbox_db.session.scalar(sandbox_db.select(SandboxBasket).where(SandboxBasket.basket_id == basket_id))
        doc = sandbox_baskets.document(stored)
        doc["summary"]["basket_expiration_date"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        sandbox_baskets.store_document(stored, doc)
        sandbox_db.session.commit()
    expect(page.get_by_text("Nie masz aktywnych koszyków")).to_be_visible()


# -- a merchant whose basket breaks the contract ------------------------------------------------


@pytest.fixture
def sandbox_with_double(tmp_path):
    """The sandbox live on loopback in front of the merchant double (tests/integration/sandbox)."""
    merchant = MerchantDouble().start()
    try:
        with LiveServer() as sandbox:
            sandbox.app = create_sandbox_app(sandbox_config(tmp_path, merchant.url))
            prepare(sandbox.app)
            token = requests.post(sandbox.url + "/auth/realms/external/protocol/openid-connect/token", data={
                "grant_type": "client_credentials", "client_id": "demo-shop", "client_secret": "demo-shop-secret"},
                timeout=5).json()["access_token"]  # fmt: skip
            auth = {"Authorization": f"Bearer {token}"}
            merchant.trust(requests.get(sandbox.url + "/v1/izi/signing-keys/public", headers=auth, timeout=5).json())
            yield sandbox, merchant, auth
    finally:
        merchant.stop()


def test_contract_violations_of_the_merchant_are_listed_field_by_field(sandbox_with_double, phone_page):
    sandbox, merchant, auth = sandbox_with_double
    page = phone_page
    broken = copy.deepcopy(load_fixture("valid_basket.json"))
    broken["products"][0]["base_price"]["vat"] = "0.00"
    broken["promo_codes"] = {}
    merchant.answers["confirmation"] = (200, broken)
    requests.post(sandbox.url + "/v1/izi/basket/b-1/binding", headers=auth, timeout=5,
                  json={"binding_method": "PHONE", "phone_number": PHONE})  # fmt: skip

    sign_in(page, sandbox.url)
    tab(page, "Prośby").click()
    page.get_by_role("button", name="Akceptuj").click()
    error = page.get_by_role("alert").filter(has_text="Sklep przysłał niepoprawny koszyk")
    expect(error).to_be_visible()
    items = error.get_by_role("list", name="Naruszenia").get_by_role("listitem")
    expect(items.filter(has_text="products[0].base_price")).to_contain_text("—")
    expect(items.filter(has_text=re.compile(r"^promo_codes"))).to_have_count(1)
    no_horizontal_scroll(page)

    # The request stays open; once the shop answers properly, accepting works.
    del merchant.answers["confirmation"]
    page.get_by_role("button", name="Akceptuj").click()
    expect(page.get_by_role("list", name="Produkty w koszyku")).to_contain_text("Herbata lipowa")
