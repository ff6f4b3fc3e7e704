"""Deliveries to the real sandbox, over loopback, through its fault switches (sandbox/README.md).

The shop runs its outbox worker thread (as a server does), with millisecond backoff. The
merchant works in the back office over HTTP; what InPost received is read from the sandbox's
conversation log and from the phone app's view of the order.
"""

from __future__ import annotations

import shutil
import time

import pytest
import requests

from inpost_pay import outbox
from storefront.extensions import db
from storefront.models import Order
from tests.live import live_pair

from .helpers import (
    ADMIN_PASSWORD,
    FAST_OUTBOX,
    META_TOKEN,
    TIMEOUT,
    InPostDesk,
    bound_basket,
    delivered,
    inpost_order,
    messages,
    scratch_dir,
    wait_for,
)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    workdir = scratch_dir(tmp_path_factory, "outbox-live-")
    try:
        with live_pair(workdir, shop_extra={**FAST_OUTBOX, "INPOST_PAY_OUTBOX_WORKER": True}) as live:
            live.shop_app.extensions["inpost_pay"].worker = None
            import inpost_pay

            inpost_pay.start_worker(live.shop_app)  # explicitly, as app.main() does
            yield live
            inpost_pay.stop_worker(live.shop_app)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def inpost(pair):
    desk = InPostDesk(pair.sandbox.url)
    yield desk
    desk.clear()


class BackOffice:
    """The merchant in the back office, over HTTP (forms with their CSRF token)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        page = self.http.get(base_url + "/admin/login", timeout=TIMEOUT).text
        self.token = META_TOKEN.search(page).group(1)
        self.post("/admin/login", {"password": ADMIN_PASSWORD})

    def post(self, path: str, data: dict) -> requests.Response:
        answer = self.http.post(
            self.base_url + path, data={"csrf_token": self.token, **data}, allow_redirects=False, timeout=TIMEOUT
        )
        assert answer.status_code == 302, answer.text
        return answer

    def status(self, order_id: int, status: str, label: str = "") -> None:
        self.post(f"/admin/zamowienia/{order_id}/status", {"status": status, "label": label})

    def tracking(self, order_id: int, number: str) -> None:
        self.post(f"/admin/zamowienia/{order_id}/przesylki", {"number": number})


@pytest.fixture
def back_office(pair):
    return BackOffice(pair.shop.url)


def all_sent(app, order_id, count):
    rows = messages(app, order_id)
    return len(rows) == count and all(m["status"] == "sent" for m in rows) and rows


def test_inpost_down_during_three_changes_gets_all_three_in_order_after_it_returns(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair)
    inpost.fault(mode="unavailable")
    labels = ["Kompletujemy zamówienie", "Paczka nadana", "Paczka w drodze"]
    back_office.status(order_id, "processing", labels[0])
    back_office.status(order_id, "shipped", labels[1])
    back_office.tracking(order_id, "620000111222")
    back_office.status(order_id, "shipped", labels[2])
    # All four were tried while InPost was down, and none got through.
    wait_for(lambda: all(m["attempts"] >= 2 for m in messages(pair.shop_app, order_id)[:1]), what="retries")
    assert delivered(inpost, order_id) == []
    assert {m["status"] for m in messages(pair.shop_app, order_id)} <= {"pending", "sending"}

    back = time.monotonic()
    inpost.clear()
    rows = wait_for(lambda: all_sent(pair.shop_app, order_id, 4), what="delivery after the outage")
    after_outage = time.monotonic() - back

    got = delivered(inpost, order_id)
    assert [p["event_id"] for p in got] == [m["body"]["event_id"] for m in rows]  # in order, once each
    assert [p["body"]["event_data"]["order_merchant_status_description"] for p in got] == [
        labels[0],
        labels[1],
        labels[1],
        labels[2],
    ]
    # The app shows the last label and the tracking number.
    shown = phone.order(order_id)
    assert shown["order_merchant_status_description"] == labels[2]
    assert shown["delivery_references_list"] == ["620000111222"]
    print(f"\n[outbox] outage: attempts per message {[m['attempts'] for m in rows]}, "
          f"all delivered {after_outage:.2f} s after InPost came back")  # fmt: skip


def test_5xx_then_success_is_delivered_once(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair)
    inpost.fault(mode="fail_next", count=2)
    back_office.status(order_id, "processing")
    [row] = wait_for(lambda: all_sent(pair.shop_app, order_id, 1), what="delivery")
    assert row["attempts"] == 3  # 503, 503, 201
    posts = inpost.order_event_posts(order_id)
    assert [p["status"] for p in posts] == [503, 503, 201]
    assert {p["event_id"] for p in posts} == {row["body"]["event_id"]}  # one event, the same id each try
    assert len(delivered(inpost, order_id)) == 1
    events = [e for e in phone.order(order_id)["events"] if e["direction"] == "from_merchant"]
    assert [e["event_id"] for e in events] == [row["body"]["event_id"]]


def test_order_completed_for_an_unpaid_app_order_finished_on_the_website(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair, outcome="DECLINED")
    back_office.post(f"/admin/zamowienia/{order_id}/sfinalizowane", {"confirm": "yes"})
    wait_for(lambda: all_sent(pair.shop_app, order_id, 1), what="delivery")
    shown = phone.order(order_id)
    assert (shown["order_status"], shown["order_merchant_status_description"]) == ("ORDER_COMPLETED", "Zrealizowane")


def test_cancelling_rejects_the_order_in_the_app(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair)
    back_office.post(f"/admin/zamowienia/{order_id}/anuluj", {"confirm": "yes"})
    wait_for(lambda: all_sent(pair.shop_app, order_id, 1), what="delivery")
    assert phone.order(order_id)["order_status"] == "ORDER_REJECTED"


def test_a_refused_event_is_dead_shown_in_the_console_and_can_be_retried(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair)
    # InPost rejects the order on its side (the shop does not hear of it here): the next
    # event is refused with 409 STATUS_ORDER_ERROR, which no retry can change.
    with pair.sandbox_app.app_context():
        from sandbox.extensions import db as sandbox_db
        from sandbox.models import Order as SandboxOrder

        sandbox_db.session.get(SandboxOrder, str(order_id)).order_status = "ORDER_REJECTED"
        sandbox_db.session.commit()
    back_office.status(order_id, "processing")
    back_office.tracking(order_id, "620000999")
    [dead, held] = wait_for(
        lambda: (rows := messages(pair.shop_app, order_id))[0]["status"] == "dead" and rows, what="dead letter"
    )
    assert dead["attempts"] == 1 and "STATUS_ORDER_ERROR" in dead["last_error"]
    assert held["status"] == "pending"
    console = back_office.http.get(pair.shop.url + "/admin/inpost/?status=dead", timeout=TIMEOUT).text
    assert f'data-outbox-id="{dead["id"]}"' in console and "STATUS_ORDER_ERROR" in console
    assert "/ponow" in console and "/odrzuc" in console
    back_office.post(f"/admin/inpost/wiadomosci/{dead['id']}/odrzuc", {})
    rows = wait_for(
        lambda: (r := messages(pair.shop_app, order_id))[1]["status"] in ("sent", "dead") and r, what="the next one"
    )
    assert [r["status"] for r in rows] == ["discarded", "dead"]  # still rejected: the next one is refused too


def test_unbinding_after_a_website_checkout_and_forgetting_a_browser_go_through_the_outbox(pair, inpost):
    basket_id, phone = bound_basket(pair, trust_browser=True)
    with pair.shop_app.app_context():
        from inpost_pay.models import InPostBasket

        browser_id = db.session.get(InPostBasket, basket_id).browser_id
        assert browser_id
        inpost.fault(mode="fail_next", count=1)
        outbox.enqueue_unbind(basket_id, if_basket_realized=True)
        outbox.enqueue_forget_browser(browser_id)
        db.session.commit()
        assert db.session.get(InPostBasket, basket_id).binding_status == "unbound"  # locally at once

    def done():
        with pair.shop_app.app_context():
            rows = db.session.scalars(
                db.select(outbox.OutboxMessage).where(outbox.OutboxMessage.kind != outbox.ORDER_EVENT)
            ).all()
            return all(r.status == "sent" for r in rows) and len(rows) >= 2

    wait_for(done, what="unbind + forget browser")
    calls = [
        (e["method"], e["path"], e["status"]) for e in inpost.log(basket_id=basket_id) if e["direction"] == "inbound"
    ]
    assert ("DELETE", f"/v1/izi/basket/{basket_id}/binding?if_basket_realized=true", 204) in calls
    with pair.shop_app.app_context():
        answer = pair.shop_app.extensions["inpost_pay"].client.get_basket_binding(basket_id, browser_id=browser_id)
    assert answer["basket_linked"] is False and answer["browser_trusted"] is False


def test_the_console_shows_the_conversation_with_bodies_and_phones_masked(pair, inpost, back_office):
    order_id, phone, _ = inpost_order(pair)
    back_office.tracking(order_id, "620000777")
    wait_for(lambda: all_sent(pair.shop_app, order_id, 1), what="delivery")
    page = back_office.http.get(pair.shop.url + f"/admin/inpost/rozmowa?order_id={order_id}", timeout=TIMEOUT).text
    assert f"/v1/izi/order/{order_id}/event" in page
    assert "InPost → sklep" in page and "sklep → InPost" in page  # the payment event in, ours out
    with pair.shop_app.app_context():
        from inpost_pay.models import InPostCall

        calls = db.session.scalars(db.select(InPostCall).where(InPostCall.order_id == str(order_id))).all()
        inbound = next(c for c in calls if c.direction == "inbound")
        outbound = next(c for c in calls if c.direction == "outbound")
        assert inbound.verification.startswith("ok") and inbound.status == 200
        assert outbound.status == 201 and "620000777" in outbound.request_body
    detail = back_office.http.get(pair.shop.url + f"/admin/inpost/rozmowa/{inbound.id}", timeout=TIMEOUT).text
    assert "payment_status" in detail and phone.phone not in detail  # the phone number is masked
    assert f"{phone.phone[:2]}*****{phone.phone[-2:]}" in detail
    with pair.shop_app.app_context():
        assert db.session.get(Order, order_id).status_label
