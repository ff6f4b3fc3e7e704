"""Helpers for the outbox tests (also used by tests/e2e/test_order_sync.py): InPost Pay orders in the shop, a stand-in client, live InPost.

Two kinds of test live here:
- in-process (`app` fixture, no worker thread, `RecordingClient` instead of HTTP): the rules
  of the outbox and of order_sync, one at a time, with the clock and the dice under control;
- live (`tests/live.py` `live_pair`, the real sandbox on loopback): deliveries through the
  sandbox's fault switches, restarts and several worker processes. They never sleep a fixed
  time: `wait_for` polls a condition until a deadline.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from inpost_pay import outbox
from inpost_pay.errors import InPostError
from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Order
from storefront.orders import OrderRequest, place_order

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TIMEOUT = 15
ADMIN_PASSWORD = "live-admin"  # tests/live.py shop_config

# Tiny delays so retries happen in milliseconds (production: 1 s, x2, cap 60 s, 8 tries).
FAST_OUTBOX = {
    "INPOST_PAY_OUTBOX_INTERVAL": 0.2,
    "INPOST_PAY_OUTBOX_BACKOFF_BASE": 0.05,
    "INPOST_PAY_OUTBOX_BACKOFF_CAP": 0.4,
    "INPOST_PAY_OUTBOX_MAX_ATTEMPTS": 60,
    "INPOST_PAY_OUTBOX_LEASE": 2.0,
}


def wait_for(condition: Callable[[], object], timeout: float = 20.0, what: str = "condition", step: float = 0.05):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(step)


# --- orders made in-process ----------------------------------------------------------------------


def make_order(app, *, channel: str = "inpost_pay", payment_status: str | None = None) -> int:
    """An order placed through the shop's order service, as the merchant API would place it."""
    with app.app_context():
        basket = basket_service.new_basket()
        basket_service.add_product(basket, 1, 1)
        order = place_order(
            basket,
            OrderRequest(
                channel=channel,
                owner_token="owner-token",
                name="Piotr",
                surname="Nowak",
                email="piotr@example.com",
                phone="600000000",
                payment_method="BLIK_CODE" if channel == "inpost_pay" else "TRANSFER",
                delivery_type="APM",
                delivery_point="KRA010",
                consents={"1": "3", "2": "2"},
            ),
        )
        if payment_status:
            order.payment_status = payment_status
        db.session.commit()
        return order.id


def messages(app, order_id: int | None = None) -> list[dict]:
    """The outbox rows as plain dicts, oldest first."""
    with app.app_context():
        query = db.select(outbox.OutboxMessage).order_by(outbox.OutboxMessage.id)
        if order_id is not None:
            query = query.where(outbox.OutboxMessage.order_id == str(order_id))
        return [
            {
                "id": m.id, "kind": m.kind, "status": m.status, "attempts": m.attempts, "body": m.body,
                "key": m.ordering_key, "last_error": m.last_error, "next_attempt_at": m.next_attempt_at,
                "claimed_by": m.claimed_by, "sent_at": m.sent_at, "created_at": m.created_at,
            }
            for m in db.session.scalars(query)
        ]  # fmt: skip


def order_of(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        order.tracking_numbers  # noqa: B018  (loaded while the session is open)
        db.session.expunge(order)
        return order


class RecordingClient:
    """Stands in for InPostClient in the worker: records each call, fails as told."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.failures: list[Exception] = []  # raised by the next calls, in turn

    def _call(self, *args):
        self.calls.append(args)
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}

    def send_order_event(self, order_id, event):
        return self._call("order_event", order_id, event["event_id"], event)

    def delete_basket_binding(self, basket_id, if_basket_realized=False):
        return self._call("unbind", basket_id, if_basket_realized)

    def delete_browser_binding(self, browser_id):
        return self._call("forget_browser", browser_id)


def error(cls: type[InPostError], status: int | None, code: str) -> InPostError:
    return cls(status, code, f"{code} from the test")


# --- live InPost ---------------------------------------------------------------------------------

_phones = itertools.count(1)


class Shopper:
    """A browser on the shop's pages."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.token = META_TOKEN.search(self.http.get(base_url + "/", timeout=TIMEOUT).text).group(1)

    def add(self, product_id: int, quantity: int = 1) -> None:
        answer = self.http.post(
            self.base_url + "/koszyk/dodaj",
            json={"product_id": product_id, "quantity": quantity},
            headers={"X-CSRFToken": self.token},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, answer.text

    @property
    def basket_id(self) -> str:
        return self.http.get(self.base_url + "/koszyk.json", timeout=TIMEOUT).json()["basket_id"]


class PhoneApp:
    """A phone signed in to the sandbox's app simulator (sandbox/README.md)."""

    def __init__(self, base_url: str, phone: str | None = None):
        self.base_url = base_url
        self.phone = phone or f"602{next(_phones):06d}"
        self.http = requests.Session()
        answer = self.call("POST", "/session", {"country_prefix": "+48", "phone": self.phone})
        assert answer.status_code == 200, answer.text

    def call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/app/api{path}", json=body, timeout=TIMEOUT)

    def order(self, order_id) -> dict:
        answer = self.call("GET", f"/orders/{order_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()["order"]


def ask_to_bind(pair, basket_id: str, phone: PhoneApp) -> None:
    """The binding request by phone, the way the shop's widget contract makes it
    (docs/widget-versions.md): Widget 1.0, the shop asks InPost (`POST .../binding`); Widget 2.0,
    the shop gets the basket binding API key and InPost's widget asks from the shop's page."""
    number = {"country_prefix": "+48", "phone": phone.phone}
    app = pair.shop_app
    with app.app_context():
        client = app.extensions["inpost_pay"].client
        if app.config.get("INPOST_PAY_WIDGET_VERSION") != 2:
            client.create_basket_binding(basket_id, "PHONE", phone_number=number)
            return
        key = client.basket_binding_key(basket_id)
    headers = {"Origin": pair.shop.url, "X-Merchant-Client-Id": app.config["INPOST_PAY_MERCHANT_CLIENT_ID"],
               "X-Basket-Binding-Api-Key": key}  # fmt: skip
    sent = requests.post(f"{pair.sandbox.url}/widget/v2/binding", headers=headers, timeout=TIMEOUT,
                         json={"binding_method": "PHONE", "phone_number": number, "binding_place": "BASKET_SUMMARY"})  # fmt: skip
    assert sent.status_code == 202, sent.text


def inpost_order(pair, *, outcome: str = "AUTHORIZED", trust_browser: bool = False) -> tuple[int, PhoneApp, str]:
    """An order placed in the app the way a shopper places it (docs/architecture.md#the-flows steps 2, 6, 7):
    bind by phone, accept, check out. Returns (shop order id, the phone, basket id)."""
    shopper = Shopper(pair.shop.url)
    shopper.add(1)
    basket_id = shopper.basket_id
    phone = PhoneApp(pair.sandbox.url)
    ask_to_bind(pair, basket_id, phone)
    request = next(r for r in phone.call("GET", "/requests").json()["requests"] if r["basket_id"] == basket_id)
    detail = phone.call("POST", f"/requests/{request['id']}/accept", {"trust_browser": trust_browser})
    assert detail.status_code == 200, detail.text
    inpost_basket_id = detail.json()["basket"]["inpost_basket_id"]
    placed = phone.call(
        "POST",
        f"/baskets/{inpost_basket_id}/checkout",
        {"delivery_type": "APM", "delivery_point": "KRA010", "payment_type": "BLIK_CODE",
         "consents": {"1": True, "2": True}, "outcome": outcome},
    )  # fmt: skip
    assert placed.status_code == 201, placed.text
    return int(placed.json()["order"]["order_id"]), phone, basket_id


def bound_basket(pair, *, trust_browser: bool = False) -> tuple[str, PhoneApp]:
    shopper = Shopper(pair.shop.url)
    shopper.add(2)
    basket_id = shopper.basket_id
    phone = PhoneApp(pair.sandbox.url)
    with pair.shop_app.app_context():
        pair.shop_app.extensions["inpost_pay"].client.create_basket_binding(
            basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": phone.phone}
        )
    request = next(r for r in phone.call("GET", "/requests").json()["requests"] if r["basket_id"] == basket_id)
    assert phone.call("POST", f"/requests/{request['id']}/accept", {"trust_browser": trust_browser}).status_code == 200
    return basket_id, phone


class InPostDesk:
    """The sandbox's developer tools: fault switches and the conversation log."""

    def __init__(self, base_url: str):
        self.base_url = base_url

    def fault(self, **switch) -> None:
        answer = requests.post(f"{self.base_url}/sandbox/faults", json=switch, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text

    def clear(self) -> None:
        requests.delete(f"{self.base_url}/sandbox/faults", timeout=TIMEOUT)

    def log(self, **params) -> list[dict]:
        return requests.get(f"{self.base_url}/sandbox/log", params={"limit": 1000, **params}, timeout=TIMEOUT).json()[
            "entries"
        ]

    def order_event_posts(self, order_id) -> list[dict]:
        """Every POST .../order/{id}/event the shop made, oldest first, with its event_id."""
        found = []
        for entry in self.log(order_id=str(order_id)):
            if entry["direction"] == "inbound" and entry["method"] == "POST" and entry["path"].endswith("/event"):
                body = entry.get("request_body") or {}
                if isinstance(body, str):
                    body = json.loads(body)
                found.append({"status": entry["status"], "event_id": body.get("event_id"), "body": body})
        return found


def delivered(desk: InPostDesk, order_id) -> list[dict]:
    """The order events InPost accepted (2xx), oldest first."""
    return [p for p in desk.order_event_posts(order_id) if p["status"] in (200, 201)]


def scratch_dir(tmp_path_factory, prefix: str) -> Path:
    """On tmpfs when the machine has one: SQLite's fsyncs are most of these tests' time otherwise."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return Path(tempfile.mkdtemp(prefix=prefix, dir="/dev/shm"))
    return tmp_path_factory.mktemp(prefix)
