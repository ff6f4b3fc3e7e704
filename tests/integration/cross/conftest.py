"""The shop and the InPost sandbox live on loopback, and the people who drive them.

Everything here crosses a real HTTP boundary (tests/live.py `live_pair`):

- `Shopper`: a browser on the shop's pages (`requests.Session` with the session cookie and
  the CSRF token from `<meta name="csrf-token">`), changing the basket through `/koszyk/...`;
- `PhoneApp`: a phone signed in to the sandbox's "InPost Mobile" JSON API (`/app/api/...`,
  sandbox/README.md), accepting bindings, changing baskets and checking out;
- `InPostDesk`: what InPost sees: the sandbox's conversation log and fault switches, its own
  copy of each basket, and calls to the merchant signed with the sandbox's real keys.

The pair is shared by the tests of a module (one start-up, ~0.5 s); every test makes its own
baskets and signs in its own phone number, so tests do not see each other's state.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from inpost_pay.database import db as inpost_db
from inpost_pay.models import InPostBasket, InPostEvent
from sandbox import baskets as sandbox_baskets
from sandbox.jsonutil import loads
from sandbox.keys import sign_headers
from storefront.extensions import db
from storefront.models import (
    Basket,
    BasketLine,
    BasketPromoCode,
    Order,
    OrderHistory,
    OrderLine,
    OrderTracking,
    Product,
)
from tests.inpost_payloads import order_body  # noqa: F401  (re-exported to the tests here)
from tests.live import live_pair

META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
TIMEOUT = 15

# The checkout the phone app sends when a test does not care: a parcel locker, BLIK, the
# required consents ticked (Confirming the binding of a basket consents: 1 REQUIRED_ALWAYS, 2 REQUIRED_ONCE).
APM_BLIK = {
    "delivery_type": "APM",
    "delivery_point": "KRA010",
    "payment_type": "BLIK_CODE",
    "consents": {"1": True, "2": True},
}

# The website checkout form (storefront/checkout_form.py): parcel locker, cash on delivery.
WEBSITE_APM_COD = {
    "name": "Anna", "surname": "Kowalska", "email": "anna.kowalska@example.pl", "phone_prefix": "+48",
    "phone": "600 123 456", "delivery_type": "APM", "delivery_point": "KRA010", "payment_method": "COD",
    "consent_1": "1", "consent_2": "1",
}  # fmt: skip




# --- the shopper on the website ---------------------------------------------------------------


class Shopper:
    """One browser on the shop: its own cookie jar, CSRF token and basket."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.token = META_TOKEN.search(self.page("/").text).group(1)

    def page(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=TIMEOUT, **kwargs)

    def change(self, path: str, body: dict | None = None, **kwargs) -> requests.Response:
        """A basket change as the page's script sends it: JSON with the X-CSRFToken header."""
        return self.http.post(
            self.base_url + path, json=body or {}, headers={"X-CSRFToken": self.token}, timeout=TIMEOUT, **kwargs
        )

    def form(self, path: str, data: dict) -> requests.Response:
        """A page's <form> post (the answer is a redirect)."""
        return self.http.post(
            self.base_url + path, data={"csrf_token": self.token, **data}, allow_redirects=False, timeout=TIMEOUT
        )

    def add(self, product_id: int, quantity: str | int = 1) -> requests.Response:
        return self.change("/koszyk/dodaj", {"product_id": product_id, "quantity": quantity})

    @property
    def basket_id(self) -> str | None:
        return self.page("/koszyk.json").json()["basket_id"]


# --- the phone --------------------------------------------------------------------------------


class PhoneApp:
    """A phone signed in to the sandbox's app simulator (sandbox/README.md "phone-app JSON API")."""

    def __init__(self, base_url: str, phone: str):
        self.base_url = base_url
        self.phone = phone
        self.http = requests.Session()
        answer = self.call("POST", "/session", {"country_prefix": "+48", "phone": phone})
        assert answer.status_code == 200, answer.text
        self.user = answer.json()["user"]

    def call(self, method: str, path: str, body: dict | None = None, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/app/api{path}", json=body, timeout=TIMEOUT, **kwargs)

    def pending(self) -> list[dict]:
        return self.call("GET", "/requests").json()["requests"]

    def accept(self, request_id: str, trust_browser: bool = False) -> requests.Response:
        return self.call("POST", f"/requests/{request_id}/accept", {"trust_browser": trust_browser})

    def basket(self, inpost_basket_id: str) -> dict:
        answer = self.call("GET", f"/baskets/{inpost_basket_id}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def baskets(self) -> list[dict]:
        return self.call("GET", "/baskets").json()["baskets"]

    def checkout(self, inpost_basket_id: str, **choices) -> requests.Response:
        return self.call("POST", f"/baskets/{inpost_basket_id}/checkout", {**APM_BLIK, **choices})


# --- InPost's side ---------------------------------------------------------------------------


class InPostDesk:
    """The sandbox as a test inspects it: log, faults, its basket copies, signed merchant calls."""

    def __init__(self, pair):
        self.pair = pair
        self.base_url = pair.sandbox.url

    # conversation log and fault switches (loopback-only dev tools, sandbox/README.md)
    def log(self, basket_id: str | None = None, order_id: str | None = None) -> list[dict]:
        params = {"limit": 1000, **({"basket_id": basket_id} if basket_id else {})}
        if order_id:
            params["order_id"] = order_id
        return requests.get(f"{self.base_url}/sandbox/log", params=params, timeout=TIMEOUT).json()["entries"]

    def calls(self, basket_id: str, direction: str, method: str, path_part: str = "") -> list[dict]:
        """Log entries of one kind; `inbound` = the shop called InPost, `outbound` = InPost called the shop."""
        return [
            e
            for e in self.log(basket_id)
            if e["direction"] == direction and e["method"] == method and path_part in e["path"]
        ]

    def puts(self, basket_id: str) -> int:
        return len(self.calls(basket_id, "inbound", "PUT"))

    def fault(self, **switch) -> None:
        answer = requests.post(f"{self.base_url}/sandbox/faults", json=switch, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text

    def clear_faults(self) -> None:
        requests.delete(f"{self.base_url}/sandbox/faults", timeout=TIMEOUT)

    # InPost's records
    def stored(self, basket_id: str):
        """(status, the basket JSON InPost holds, parsed with Decimal amounts) or (None, None)."""
        with self.pair.sandbox_app.app_context():
            basket = sandbox_baskets.find(basket_id)
            if basket is None:
                return None, None
            return basket.status, sandbox_baskets.document(basket)

    @contextmanager
    def merchant(self):
        """The sandbox's own MerchantClient (signed with its current key, logged in its log)."""
        with self.pair.sandbox_app.app_context():
            yield self.pair.sandbox_app.extensions["sandbox_merchant"]

    def signed(self, method: str, path: str, body: object = None, *, raw: bytes | None = None) -> requests.Response:
        """A call to the shop's merchant API signed with the sandbox's real key, as InPost makes
        it (docs/inpost-pay-api.md §6): the exact bytes sent are the bytes signed. `raw` sends bytes as given
        (for malformed bodies the sandbox's client would never produce)."""
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode("utf-8"))
        ring = self.pair.sandbox_app.extensions["sandbox_keys"]
        headers = sign_headers(data, ring.current(), ring.merchant_external_id)
        headers["Content-Type"] = "application/json"
        return requests.request(method, self.pair.shop.url + path, data=data, headers=headers, timeout=TIMEOUT)


def eventually(check, timeout: float = 5.0):
    """`check()` once it is truthy (the shop may send some calls to InPost from a background
    worker, e.g. an outbox); its last value when the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.05)


# --- the shop's records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """The shop's InPostBasket row, read in one go (no lazy loads after the session closes)."""

    binding_status: str
    phone_prefix: str | None
    phone: str | None
    masked_phone_number: str | None
    name: str | None
    surname: str | None
    browser_id: str | None
    browser_trusted: bool
    inpost_basket_id: str | None
    last_basket_json: str | None
    last_basket_version: int | None


def binding(pair, basket_id: str) -> Binding | None:
    with pair.shop_app.app_context():  # the integration's handle: works for any shop
        state = inpost_db.session.get(InPostBasket, basket_id)
        if state is None:
            return None
        return Binding(**{name: getattr(state, name) for name in Binding.__dataclass_fields__})


def shop_basket(pair, basket_id: str) -> dict:
    """The shop's basket row: version, status and lines {product_id: quantity}."""
    with pair.shop_app.app_context():
        basket = db.session.get(Basket, basket_id)
        return {
            "version": basket.version,
            "status": basket.status,
            "lines": {line.product_id: line.quantity for line in basket.lines},
            "codes": sorted(c.code for c in basket.codes),
        }


def shop_orders(pair, basket_id: str) -> list[dict]:
    with pair.shop_app.app_context():
        rows = db.session.query(Order).filter_by(basket_id=basket_id).all()
        return [
            {"id": o.id, "status": o.status, "payment_status": o.payment_status, "channel": o.channel,
             "total_gross": o.total_gross}
            for o in rows
        ]  # fmt: skip


# Every table a merchant-API call may write, products included (their stock).
RECORDED = (Basket, BasketLine, BasketPromoCode, InPostBasket, InPostEvent, Order, OrderLine, OrderHistory,
            OrderTracking, Product)  # fmt: skip


def shop_fingerprint(pair) -> list:
    """Every row of the shop's tables a merchant-API call may write: a refused call must leave
    them exactly as they were (docs/architecture.md#interfaces: "never a 2xx before the durable write", and bad
    input changes nothing)."""
    with pair.shop_app.app_context():
        return [
            sorted((tuple(row) for row in db.session.execute(select(model.__table__)).all()), key=repr)
            for model in RECORDED
        ]


def as_sent(text: str):
    """A JSON text the shop sent, parsed the way the sandbox parses it (amounts as Decimal)."""
    return loads(text)


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Both databases on tmpfs when the machine has one: SQLite's fsyncs would otherwise be
    the slowest part of these tests (as in tests/integration/sandbox)."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        workdir = Path(tempfile.mkdtemp(prefix="cross-", dir="/dev/shm"))
    else:
        workdir = tmp_path_factory.mktemp("cross")
    try:
        with live_pair(workdir) as live:
            yield live
            stop_background_work(live.shop_app)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stop_background_work(app) -> None:
    """Stop the shop's outbox worker thread, if one was started, before its database goes away
    (tests/live.py does not, and a daemon thread would outlive the module)."""
    worker = getattr(app.extensions["inpost_pay"], "worker", None)
    if worker is not None:
        worker.stop()


@pytest.fixture
def inpost(pair):
    desk = InPostDesk(pair)
    yield desk
    desk.clear_faults()  # a test that failed half-way must not leave InPost "down"


@pytest.fixture
def shopper(pair):
    return Shopper(pair.shop.url)


_phones = itertools.count(1)


@pytest.fixture
def phone_app(pair):
    """A phone of its own for each test (the app lists requests and baskets per phone)."""

    def sign_in() -> PhoneApp:
        return PhoneApp(pair.sandbox.url, f"601{next(_phones):06d}")

    return sign_in


@contextmanager
def shop_context(pair):
    """Inside the shop: its services, its InPost client (`extensions["inpost_pay"].client`)."""
    with pair.shop_app.app_context():
        yield pair.shop_app.extensions["inpost_pay"].client


@pytest.fixture
def bind(pair, inpost):
    """bind(shopper, phone, trust_browser=False) -> (basket_id, accepted basket detail).

    UC.04 step 2 as it happens: the shop asks InPost to bind by PHONE, the request shows
    up in the app, the shopper accepts, InPost asks the shop to confirm.
    """

    def run(shopper: Shopper, phone: PhoneApp, trust_browser: bool = False):
        basket_id = shopper.basket_id
        assert basket_id, "the shopper has no basket yet"
        with shop_context(pair) as client:
            answer = client.create_basket_binding(
                basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": phone.phone}
            )
        assert answer is None  # 202: InPost pushed the request to the phone
        request = next(r for r in phone.pending() if r["basket_id"] == basket_id)
        accepted = phone.accept(request["id"], trust_browser=trust_browser)
        assert accepted.status_code == 200, accepted.text
        return basket_id, accepted.json()["basket"]

    return run
