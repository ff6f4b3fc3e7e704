"""The flows of docs/architecture.md#the-flows that need no browser, end to end between the shop and the sandbox.

The shopper acts through the shop's own pages (requests + CSRF token), InPost through the
sandbox's phone-app API and its signed calls; both sides' records are then compared.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal as D

from inpost_pay import calllog, sync
from sandbox.contract import differences

from .conftest import WEBSITE_APM_COD, as_sent, binding, eventually, order_body, shop_basket, shop_context, shop_orders

# --- (a) binding by phone ------------------------------------------------------------------------


def test_binding_by_phone_links_the_basket_the_shop_answered(pair, inpost, shopper, phone_app, bind):
    shopper.add(1, 2)
    shopper.add(2, "0.3")
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)

    state = binding(pair, basket_id)
    assert state.binding_status == "bound"
    assert (state.phone_prefix, state.phone) == ("+48", phone.phone)
    assert state.masked_phone_number == phone.user["masked_phone_number"] == f"60{'*' * 5}{phone.phone[-2:]}"
    assert (state.name, state.surname) == (phone.user["name"], phone.user["surname"])
    assert state.inpost_basket_id == detail["inpost_basket_id"]
    assert not state.browser_trusted

    # InPost holds exactly the basket the shop answered the confirmation with ...
    status, held = inpost.stored(basket_id)
    assert status == "BOUND"
    assert differences(held, as_sent(state.last_basket_json)) == []
    # ... and exactly what the shop's GET serves, asked with a call signed by InPost's key.
    with inpost.merchant() as merchant:
        reply = merchant.get_basket(basket_id, check=None)
    assert reply.status == 200
    assert differences(held, reply.body) == []
    assert [p["product_id"] for p in held["products"]] == ["1", "2"]
    assert held["summary"]["basket_final_price"]["gross"] == "120.50"  # 2 x 46.90 + 0.3 kg x 89.00

    # InPost now answers the shop's binding question with the phone's (masked) details.
    with shop_context(pair) as client:
        answer = client.get_basket_binding(basket_id)
    assert answer["basket_linked"] is True
    assert answer["client_details"]["masked_phone_number"] == state.masked_phone_number
    assert inpost.puts(basket_id) == 0  # binding needs no PUT: the confirmation answer is the basket

    # The shop's log line of the confirmation shows the phone masked (docs/architecture.md#rules "Security").
    [logged] = [e for e in calllog.recent(basket_id=basket_id) if e["path"].endswith("/confirmation")]
    assert logged["verification"].startswith("ok")
    assert phone.phone not in logged["request_body"]
    assert json.loads(logged["request_body"])["phone_number"] == {"country_prefix": "+48", "phone": state.masked_phone_number}


def test_a_rejected_request_leaves_the_basket_unbound_on_both_sides(pair, inpost, shopper, phone_app):
    shopper.add(3)
    basket_id = shopper.basket_id
    phone = phone_app()
    with shop_context(pair) as client:
        client.create_basket_binding(basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": phone.phone})
    request = phone.pending()[0]
    rejected = phone.call("POST", f"/requests/{request['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["request"]["merchant_status"] == 200
    assert binding(pair, basket_id).binding_status == "rejected"
    assert inpost.stored(basket_id)[0] != "BOUND"
    shopper.add(3)  # not bound: the shop keeps its changes to itself
    assert inpost.puts(basket_id) == 0


# --- (b) deep link -------------------------------------------------------------------------------


def test_deep_link_answer_opens_the_request_in_the_app(pair, inpost, shopper, phone_app):
    shopper.add(5)
    basket_id = shopper.basket_id
    with shop_context(pair) as client:
        answer = client.create_basket_binding(basket_id, "DEEP_LINK", binding_place="BASKET_SUMMARY")
    assert set(answer) == {"qr_code", "deep_link", "deep_link_hms"}
    prefix = "data:image/svg+xml;base64,"
    assert answer["qr_code"].startswith(prefix)
    assert base64.b64decode(answer["qr_code"][len(prefix):]).lstrip().startswith((b"<?xml", b"<svg"))
    inpost_basket_id = answer["deep_link"].removeprefix("inpostsandbox://izilink?basket_id=")
    assert inpost_basket_id and inpost_basket_id != answer["deep_link"]
    assert answer["deep_link_hms"] == f"{pair.sandbox.url}/app/izilink?basket_id={inpost_basket_id}"

    # The phone follows the link: the app page opens this basket's request, which any phone may accept.
    phone = phone_app()
    opened = phone.http.get(answer["deep_link_hms"], allow_redirects=False, timeout=10)
    assert opened.status_code == 302
    request_id = opened.headers["Location"].split("request=")[1]
    assert phone.accept(request_id).status_code == 200
    state = binding(pair, basket_id)
    assert state.binding_status == "bound" and state.phone == phone.phone
    assert state.inpost_basket_id == inpost_basket_id


# --- (c) trusted browser -------------------------------------------------------------------------


def test_a_trusted_browser_binds_a_new_basket_with_no_app_step(pair, inpost, shopper, phone_app, bind):
    shopper.add(7)
    phone = phone_app()
    first_id, _ = bind(shopper, phone, trust_browser=True)
    trusted = binding(pair, first_id)
    assert trusted.browser_trusted and trusted.browser_id

    # Later, a new basket in the same browser (Synchronization of a basket and an order (UC.04) steps 5-6, 9).
    later = type(shopper)(pair.shop.url)
    later.add(12)
    new_id = later.basket_id
    with shop_context(pair) as client:
        asked = client.get_basket_binding(new_id, browser_id=trusted.browser_id)
        assert (asked["basket_linked"], asked["browser_trusted"]) == (False, True)
        assert asked["client_details"]["masked_phone_number"] == trusted.masked_phone_number
        assert sync.push_basket(new_id, browser_id=trusted.browser_id) is True

    state = binding(pair, new_id)
    assert (state.binding_status, state.browser_id, state.browser_trusted) == ("bound", trusted.browser_id, True)
    status, held = inpost.stored(new_id)
    assert status == "BOUND"
    assert differences(held, as_sent(state.last_basket_json)) == []
    assert [r for r in phone.pending() if r["basket_id"] == new_id] == []  # no request reached the app
    assert new_id in {b["basket_id"] for b in phone.baskets()}
    assert len(inpost.calls(new_id, "inbound", "PUT")) == 1


def test_an_unknown_browser_binds_nothing(pair, inpost, shopper):
    shopper.add(12)
    basket_id = shopper.basket_id
    with shop_context(pair):
        assert sync.push_basket(basket_id, browser_id="00000000-0000-4000-8000-00000000dead") is False
    assert binding(pair, basket_id) is None or binding(pair, basket_id).binding_status != "bound"
    assert inpost.stored(basket_id)[0] != "BOUND"


# --- (d) shop-side changes while bound -----------------------------------------------------------


def test_each_shop_change_while_bound_is_one_put_of_the_whole_basket(pair, inpost, shopper, phone_app, bind):
    shopper.add(1)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    changes = [
        ("/koszyk/dodaj", {"product_id": 3, "quantity": 2}),
        ("/koszyk/zmien", {"product_id": 1, "quantity": 4}),
        ("/koszyk/kod", {"code": "RABAT10"}),
        ("/koszyk/dodaj", {"product_id": 6, "quantity": "0.15"}),
        ("/koszyk/usun", {"product_id": 3}),
        ("/koszyk/kod/usun", {"code": "RABAT10"}),
    ]
    for number, (path, body) in enumerate(changes, start=1):
        answer = shopper.change(path, body)
        assert answer.status_code == 200, (path, answer.text)
        assert inpost.puts(basket_id) == number, path  # one PUT per shop request, sent before the answer
        state = binding(pair, basket_id)
        assert state.last_basket_version == shop_basket(pair, basket_id)["version"]
        _, held = inpost.stored(basket_id)
        assert differences(held, as_sent(state.last_basket_json)) == [], path
    assert shop_basket(pair, basket_id)["lines"] == {1: D("4"), 6: D("0.150")}
    shown = phone.basket(detail["inpost_basket_id"])["basket"]
    assert [(p["product_id"], str(p["quantity"]["quantity"])) for p in shown["products"]] == [("1", "4"), ("6", "0.15")]

    # A refused change (more than the stock allows) changes nothing, so nothing is sent.
    refused = shopper.change("/koszyk/zmien", {"product_id": 1, "quantity": 999})
    assert refused.status_code == 409
    assert inpost.puts(basket_id) == len(changes)

    # A page's <form> post is a shop change too.
    assert shopper.form("/koszyk/dodaj", {"product_id": "5", "quantity": "1"}).status_code == 303
    assert inpost.puts(basket_id) == len(changes) + 1


# --- (e) app-side changes ------------------------------------------------------------------------


def test_app_side_changes_are_applied_by_the_shop_with_no_put_back(pair, inpost, shopper, phone_app, bind):
    shopper.add(11, 1)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    inpost_basket_id = detail["inpost_basket_id"]

    def check_in_step():
        state = binding(pair, basket_id)
        _, held = inpost.stored(basket_id)
        assert differences(held, as_sent(state.last_basket_json)) == []
        assert state.last_basket_version == shop_basket(pair, basket_id)["version"]

    # quantity
    changed = phone.call("POST", f"/baskets/{inpost_basket_id}/quantity", {"product_id": "11", "quantity": 2})
    assert changed.status_code == 200, changed.text
    assert changed.json()["notice"] is None
    assert shop_basket(pair, basket_id)["lines"] == {11: D("2")}
    assert changed.json()["basket"]["summary"]["basket_final_price"]["gross"] == "178.00"  # 2 x 89.00
    check_in_step()

    # a good code: applied, ATTENTION notice
    good = phone.call("POST", f"/baskets/{inpost_basket_id}/promo-codes", {"promo_code_value": "RABAT10"})
    assert good.status_code == 200, good.text
    assert good.json()["notice"]["type"] == "ATTENTION"
    assert [c["promo_code_value"] for c in good.json()["basket"]["promo_codes"]] == ["RABAT10"]
    assert shop_basket(pair, basket_id)["codes"] == ["RABAT10"]
    assert good.json()["basket"]["summary"]["basket_final_price"]["gross"] == "160.20"
    check_in_step()

    # an expired code: refused as an ERROR notice, not an HTTP error; the good code stays
    bad = phone.call("POST", f"/baskets/{inpost_basket_id}/promo-codes", {"promo_code_value": "LATO2025"})
    assert bad.status_code == 200, bad.text
    assert bad.json()["notice"]["type"] == "ERROR" and "LATO2025" in bad.json()["notice"]["description"]
    assert shop_basket(pair, basket_id)["codes"] == ["RABAT10"]
    check_in_step()

    # an unknown code
    unknown = phone.call("POST", f"/baskets/{inpost_basket_id}/promo-codes", {"promo_code_value": "NIEMA"})
    assert unknown.json()["notice"]["type"] == "ERROR"
    assert shop_basket(pair, basket_id)["codes"] == ["RABAT10"]

    # removing the code
    removed = phone.call("DELETE", f"/baskets/{inpost_basket_id}/promo-codes/RABAT10")
    assert removed.status_code == 200 and removed.json()["notice"]["type"] == "ATTENTION"
    assert shop_basket(pair, basket_id)["codes"] == []

    # a related product (the board suggests linen, id 10, DECIMAL: one step of 0.5 m)
    related = removed.json()["basket"]["related_products"]
    assert [p["product_id"] for p in related] == ["10", "12"]
    added = phone.call("POST", f"/baskets/{inpost_basket_id}/related-products", {"product_id": "10", "quantity": "0.5"})
    assert added.status_code == 200, added.text
    assert shop_basket(pair, basket_id)["lines"] == {11: D("2"), 10: D("0.500")}
    check_in_step()

    # removing a line from the app
    gone = phone.call("DELETE", f"/baskets/{inpost_basket_id}/products/11")
    assert gone.status_code == 200
    assert shop_basket(pair, basket_id)["lines"] == {10: D("0.500")}
    check_in_step()

    # None of these made the shop PUT the basket back to InPost (docs/architecture.md#the-flows, pitfall 6).
    assert inpost.puts(basket_id) == 0
    events = inpost.calls(basket_id, "outbound", "POST", "/event")
    assert len(events) == 7 and all(e["status"] == 200 for e in events)


# --- (f) order through the app ---------------------------------------------------------------------


def test_app_checkout_orders_once_and_authorized_payment_marks_it_paid(pair, inpost, shopper, phone_app, bind):
    shopper.add(1, 2)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    placed = phone.checkout(detail["inpost_basket_id"], options=["PWW"])
    assert placed.status_code == 201, placed.text
    order = placed.json()["order"]

    # InPost re-read the basket (and found it equal) before it ordered.
    outbound = [(e["method"], e["path"], e["status"]) for e in inpost.log(basket_id) if e["direction"] == "outbound"]
    get_at = outbound.index(("GET", f"/v1/izi/basket/{basket_id}", 200))
    assert outbound[get_at + 1] == ("POST", "/v1/izi/order", 201)

    [row] = shop_orders(pair, basket_id)
    assert str(row["id"]) == order["order_id"]
    assert (row["channel"], row["status"], row["payment_status"]) == ("inpost_pay", "paid", "AUTHORIZED")
    # 2 x 46.90 + APM 13.99 + weekend delivery 6.99
    assert row["total_gross"] == D("114.78") == D(order["order_final_price"]["gross"])
    assert order["payment_status"] == "AUTHORIZED"
    assert order["order_merchant_status_description"] == "Opłacone"
    assert shop_basket(pair, basket_id)["status"] == "ordered"

    # InPost repeats POST /v1/izi/order (pitfall 5): the same order, not a second one.
    with pair.sandbox_app.app_context():
        from sandbox.extensions import db as sandbox_db
        from sandbox.models import Order as InPostOrder

        sent = as_sent(sandbox_db.session.get(InPostOrder, order["order_id"]).request_json)
    with inpost.merchant() as merchant:
        repeat = merchant.create_order(basket_id, sent, check=None)
    assert repeat.status == 201
    assert repeat.body["order_details"]["order_id"] == order["order_id"]
    assert len(shop_orders(pair, basket_id)) == 1

    # The shopper's website session starts a fresh basket (docs/architecture.md#rules).
    assert shopper.basket_id is None


def test_a_declined_payment_leaves_the_order_unpaid(pair, inpost, shopper, phone_app, bind):
    shopper.add(14)  # an e-book: digital delivery
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    placed = phone.checkout(detail["inpost_basket_id"], delivery_type="DIGITAL", delivery_point=None,
                            outcome="DECLINED")  # fmt: skip
    assert placed.status_code == 201, placed.text
    [row] = shop_orders(pair, basket_id)
    assert (row["status"], row["payment_status"]) == ("awaiting_payment", "DECLINED")
    assert row["total_gross"] == D("29.90")
    assert placed.json()["order"]["payment_status"] == "DECLINED"


def test_cash_on_delivery_through_the_app(pair, inpost, shopper, phone_app, bind):
    shopper.add(3)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    placed = phone.checkout(detail["inpost_basket_id"], delivery_type="COURIER", delivery_point=None,
                            payment_type="CASH_ON_DELIVERY")  # fmt: skip
    assert placed.status_code == 201, placed.text
    [row] = shop_orders(pair, basket_id)
    assert (row["status"], row["payment_status"]) == ("accepted", "COD")
    assert row["total_gross"] == D("27.90") + D("17.99") + D("5.00")


# --- (g) a shop change InPost never received ------------------------------------------------------


def test_a_change_whose_put_failed_stops_the_app_checkout_until_refreshed(pair, inpost, shopper, phone_app, bind):
    shopper.add(1)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    inpost_basket_id = detail["inpost_basket_id"]

    # The PUT fails (InPost answers 503): the shop still sells. A shopper's request never
    # retries it (a bounded wait, inpost_pay.REQUEST_TIMEOUT): one PUT, one answer.
    inpost.fault(mode="fail_next", count=1)
    assert shopper.add(3).status_code == 200
    assert [e["status"] for e in inpost.calls(basket_id, "inbound", "PUT")] == [503]
    assert binding(pair, basket_id).binding_status == "bound"  # 503 is not "gone"
    _, held = inpost.stored(basket_id)
    assert [p["product_id"] for p in held["products"]] == ["1"]  # InPost still has the old basket

    # docs/architecture.md#the-flows: InPost re-reads the basket before ordering. The shop answers what it will
    # sell now; it differs from InPost's copy, so the app refuses and nothing is ordered.
    refused = phone.checkout(inpost_basket_id)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error_code"] == "BASKET_CHANGED"
    assert any(v["field"].startswith("products") or v["field"].startswith("summary") for v in
               refused.json()["violations"])  # fmt: skip
    assert shop_orders(pair, basket_id) == []
    assert inpost.calls(basket_id, "outbound", "POST", "/v1/izi/order") == []

    # "Odśwież koszyk": the app re-reads the basket and then orders what the shop holds.
    refreshed = phone.call("POST", f"/baskets/{inpost_basket_id}/refresh")
    assert refreshed.status_code == 200
    assert [p["product_id"] for p in refreshed.json()["basket"]["products"]] == ["1", "3"]
    placed = phone.checkout(inpost_basket_id)
    assert placed.status_code == 201, placed.text
    [row] = shop_orders(pair, basket_id)
    assert row["total_gross"] == D("46.90") + D("27.90") + D("13.99")


def test_an_order_at_a_price_the_basket_no_longer_has_is_refused(pair, inpost, shopper, phone_app, bind):
    """An order whose basket_price is not what the basket costs now is refused with 409
    ORDER_NOT_CREATE (docs/inpost-pay-api.md §3.5 step 3), even when signed by InPost."""
    shopper.add(4, 2)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    with inpost.merchant() as merchant:
        basket = merchant.get_basket(basket_id, check=None).body
    answer = inpost.signed("POST", "/v1/izi/order", order_body(basket_id, D("5.00")))
    assert answer.status_code == 409
    assert answer.json()["error_code"] == "ORDER_NOT_CREATE"
    assert basket["summary"]["basket_final_price"]["gross"] == "19.80"
    assert shop_orders(pair, basket_id) == []


# --- (h) bought on the website while bound ---------------------------------------------------------




def test_website_checkout_of_a_bound_basket_unbinds_it_at_inpost_as_realized(
    pair, inpost, shopper, phone_app, bind
):
    shopper.add(5, 2)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    placed = shopper.form("/zamowienie", WEBSITE_APM_COD)
    assert placed.status_code == 302 and "/dziekujemy" in placed.headers["Location"]
    [row] = shop_orders(pair, basket_id)
    assert row["channel"] == "website"

    unbinds = eventually(lambda: inpost.calls(basket_id, "inbound", "DELETE", "/binding"))
    assert [(e["path"], e["status"]) for e in unbinds] == [
        (f"/v1/izi/basket/{basket_id}/binding?if_basket_realized=true", 204)
    ]
    assert inpost.stored(basket_id)[0] == "REALIZED"
    assert binding(pair, basket_id).binding_status == "unbound"
    assert inpost.puts(basket_id) == 0  # the order is no basket change to send
    assert detail["inpost_basket_id"] not in {b["inpost_basket_id"] for b in phone.baskets()}


# --- (i) unlinked in the app --------------------------------------------------------------------------


def test_unlinking_in_the_app_is_forgotten_by_the_shop_without_a_call_back(pair, inpost, shopper, phone_app, bind):
    shopper.add(9)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    shop_calls_before = len([e for e in inpost.log(basket_id) if e["direction"] == "inbound"])

    unlinked = phone.call("DELETE", f"/baskets/{detail['inpost_basket_id']}")
    assert unlinked.status_code == 200
    assert unlinked.json() == {"inpost_basket_id": detail["inpost_basket_id"], "unlinked": True,
                               "merchant_notified": True, "merchant_status": 200}  # fmt: skip
    assert [e["status"] for e in inpost.calls(basket_id, "outbound", "DELETE", "/binding")] == [200]
    assert binding(pair, basket_id).binding_status == "unbound"
    assert inpost.stored(basket_id)[0] == "UNBOUND"
    # The shop called nothing back (pitfall 4) ...
    assert len([e for e in inpost.log(basket_id) if e["direction"] == "inbound"]) == shop_calls_before
    # ... and its next change stays on the website.
    assert shopper.add(9).status_code == 200
    assert inpost.puts(basket_id) == 0


# --- (j) InPost down ----------------------------------------------------------------------------------


def test_inpost_down_never_breaks_the_shop(pair, inpost, shopper, phone_app, bind):
    shopper.add(1)
    phone = phone_app()
    basket_id, _ = bind(shopper, phone)
    inpost.fault(mode="unavailable", seconds=60)

    for path in ("/", "/koszyk", "/produkt/kawa-etiopia-yirgacheffe", "/koszyk.json"):
        assert shopper.page(path).status_code == 200, path
    assert shopper.add(3).status_code == 200  # bound: the PUT fails, the change stands
    assert shopper.form("/koszyk/dodaj", {"product_id": "4", "quantity": "1"}).status_code == 303
    assert shop_basket(pair, basket_id)["lines"] == {1: D("1"), 3: D("1"), 4: D("1")}
    assert binding(pair, basket_id).binding_status == "bound"
    assert {e["status"] for e in inpost.calls(basket_id, "inbound", "PUT")} == {503}

    # A new shopper can still fill a basket and buy on the website.
    other = type(shopper)(pair.shop.url)
    assert other.add(12).status_code == 200
    placed = other.form("/zamowienie", WEBSITE_APM_COD)
    assert placed.status_code == 302, placed.text

    # Back up: the next change brings InPost's copy up to date.
    inpost.clear_faults()
    assert shopper.add(4).status_code == 200
    _, held = inpost.stored(basket_id)
    assert differences(held, as_sent(binding(pair, basket_id).last_basket_json)) == []
    assert [p["product_id"] for p in held["products"]] == ["1", "3", "4"]


def test_a_basket_bought_on_the_website_while_inpost_was_down_is_not_sold_again_in_the_app(
    pair, inpost, shopper, phone_app, bind
):
    """The unbinding of pitfall 9 is lost (InPost down at the time): InPost still shows the
    basket. The app's checkout must not sell it a second time."""
    shopper.add(13)
    phone = phone_app()
    basket_id, detail = bind(shopper, phone)
    inpost.fault(mode="unavailable", seconds=60)
    assert shopper.form("/zamowienie", WEBSITE_APM_COD).status_code == 302
    assert binding(pair, basket_id).binding_status == "unbound"  # the shop forgets it at once
    inpost.clear_faults()

    refused = phone.checkout(detail["inpost_basket_id"])
    assert refused.status_code == 409, refused.text
    if refused.json()["error_code"] != "BASKET_NOT_BOUND":  # else a retry of the unbinding got through
        # InPost still had it: the shop refuses to sell the basket a second time.
        assert refused.json()["error_code"] == "ORDER_NOT_CREATED"
        assert refused.json()["merchant_status"] == 409
        assert "sklepie internetowym" in refused.json()["error_message"]
    assert [row["channel"] for row in shop_orders(pair, basket_id)] == ["website"]
