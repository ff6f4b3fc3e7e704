"""The classic path beside InPost Pay, in Chromium: basket, promo code, website checkout."""

import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from storefront.extensions import db
from storefront.models import Order

pytestmark = pytest.mark.e2e


def test_a_shopper_buys_through_the_website_checkout(live_shop, page):
    page.goto(live_shop.url + "/produkt/kawa-etiopia-yirgacheffe")
    page.get_by_role("spinbutton", name=re.compile("Ilość")).first.fill("3")
    page.get_by_role("button", name="Dodaj do koszyka").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Dodano")

    page.goto(live_shop.url + "/produkt/orzechy-wloskie-na-wage")
    page.get_by_role("spinbutton", name=re.compile("Ilość")).first.fill("0.25")
    page.get_by_role("button", name="Dodaj do koszyka").first.click()

    page.goto(live_shop.url + "/koszyk")
    page.get_by_role("textbox", name=re.compile("Kod rabatowy", re.I)).fill("LATO2025")
    page.get_by_role("button", name="Użyj kodu").click()
    expect(page.get_by_role("alert")).to_contain_text("wygasł")
    page.get_by_role("textbox", name=re.compile("Kod rabatowy", re.I)).fill("rabat10")
    page.get_by_role("button", name="Użyj kodu").click()
    expect(page.locator(".code-chip", has_text="RABAT10")).to_be_visible()
    # 3 x 46.90 + 0.25 kg x 64.90 = 140.70 + 16.23 = 156.93; -10 % = 141.24
    expect(page.locator("main")).to_contain_text("141,24")

    page.get_by_role("link", name="Przejdź do zamówienia").click()
    page.get_by_role("textbox", name="Imię").fill("Ewa")
    page.get_by_role("textbox", name="Nazwisko").fill("Lipińska")
    page.get_by_role("textbox", name="E-mail").fill("ewa@example.pl")
    page.get_by_role("textbox", name="Telefon").fill("600 123 456")
    page.get_by_role("radio", name=re.compile("KRA010")).check()
    page.get_by_role("radio", name=re.compile("Płatność przy odbiorze")).check()
    page.get_by_role("checkbox", name=re.compile("regulamin", re.I)).check()
    page.get_by_role("checkbox", name=re.compile("polityką prywatności", re.I)).check()
    page.get_by_role("button", name="Zamawiam z obowiązkiem zapłaty").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dziękujemy")
    # 141.24 + Paczkomat 13.99 + cash on delivery 5.00
    expect(page.locator("main")).to_contain_text("160,23")
    with live_shop.app.app_context():
        order = db.session.query(Order).one()
        assert (order.total_gross, order.delivery_options, order.status) == (D("160.23"), ["COD"], "accepted")
        assert order.delivery_point == "KRA010"

    page.goto(live_shop.url + "/moje-zamowienia")
    expect(page.locator("main")).to_contain_text(order.number)
    page.goto(live_shop.url + "/koszyk")
    expect(page.locator("main")).to_contain_text("pusty")
