"""Many hands on one basket at once, over real HTTP (docs/architecture.md#rules "Concurrency").

A bound basket gets, all in parallel: InPost's PRODUCTS_QUANTITY events (each sets the coffee
to an absolute quantity; a few are sent twice, as InPost's retries are), the shopper's "add one
chocolate" requests on the website (each followed by one PUT to InPost), and InPost re-reading
the basket. The shop runs in the threaded werkzeug server of tests/live.py, with its database
on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (SELECT ... FOR UPDATE).

No update may be lost: every applied operation bumps the basket's version exactly once, so the
version moves by exactly the number of operations answered 200 (a retried event counts once);
the chocolate count is the number of adds; each event's answer shows the coffee at the quantity
that event set (nothing slipped in between the change and the answer); never a 5xx.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from inpost_pay.models import InPostEvent
from sandbox.keys import sign_headers
from storefront.extensions import db
from storefront.models import Basket
from tests.live import live_pair

EVENTS = 20  # distinct InPost events
RETRIES = 4  # of those, sent a second time at the same moment
ADDS = 20  # website requests adding one chocolate each
READS = 5  # InPost re-reading the basket (GET)
COFFEE, CHOCOLATE = 1, 7  # coffee: at most 10 per order; chocolate: at most 20
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


# --- the two databases ---------------------------------------------------------------------------


def fast_dir() -> Path:
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return Path(tempfile.mkdtemp(prefix="concurrency-", dir="/dev/shm"))
    return Path(tempfile.mkdtemp(prefix="concurrency-"))


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else DEFAULT_POSTGRES


@pytest.fixture
def workdir():
    path = fast_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


# The race involves no order, so the outbox worker thread (inpost_pay/outbox/worker.py) is not started:
# it would only poll the database, and could outlive the PostgreSQL schema dropped after the test.
NO_WORKER = {"INPOST_PAY_OUTBOX_WORKER": False}


@pytest.fixture
def sqlite_db(workdir):
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'shop.db'}", **NO_WORKER}


@pytest.fixture
def postgres_db():
    """A fresh schema of its own in the test database (other test runs may share the database),
    dropped afterwards. Skipped when PostgreSQL is unreachable, unless CI=true (docs/architecture.md#tests-and-performance)."""
    url = postgres_url()
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    schema = f"concurrency_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {url} is unreachable: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield {
            **NO_WORKER,
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "connect_args": {"options": f"-csearch_path={schema}"},
                "pool_size": 10,
                "max_overflow": 30,
            },
        }
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- the parties ------------------------------------------------------------------------------------


def bound_basket(pair) -> tuple[requests.Session, str, str]:
    """A shopper's basket with one coffee, bound to a phone through the app: (session, token, basket_id)."""
    shop = requests.Session()
    token = META_TOKEN.search(shop.get(pair.shop.url + "/", timeout=10).text).group(1)
    added = shop.post(pair.shop.url + "/koszyk/dodaj", json={"product_id": COFFEE, "quantity": 1},
                      headers={"X-CSRFToken": token}, timeout=10)  # fmt: skip
    basket_id = added.json()["basket_id"]
    with pair.shop_app.app_context():
        pair.shop_app.extensions["inpost_pay"].client.create_basket_binding(
            basket_id, "PHONE", phone_number={"country_prefix": "+48", "phone": "602000000"}
        )
    phone = requests.Session()
    phone.post(pair.sandbox.url + "/app/api/session", json={"phone": "602000000"}, timeout=10)
    request_id = phone.get(pair.sandbox.url + "/app/api/requests", timeout=10).json()["requests"][0]["id"]
    accepted = phone.post(pair.sandbox.url + f"/app/api/requests/{request_id}/accept", json={}, timeout=10)
    assert accepted.status_code == 200, accepted.text
    return shop, token, basket_id


def signed(pair, method: str, path: str, body: dict | None = None) -> requests.Response:
    """A call to the merchant API signed with the sandbox's real key, as InPost makes it."""
    raw = b"" if body is None else json.dumps(body).encode()
    ring = pair.sandbox_app.extensions["sandbox_keys"]
    headers = {**sign_headers(raw, ring.current(), ring.merchant_external_id), "Content-Type": "application/json"}
    return requests.request(method, pair.shop.url + path, data=raw, headers=headers, timeout=60)


def quantity_event(quantity: int) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_data_time": "2026-11-23T10:00:00.000Z",
        "event_type": "PRODUCTS_QUANTITY",
        "phone_number": {"country_prefix": "+48", "phone": "602000000"},
        "quantity_event_data": [
            {"product_id": str(COFFEE), "quantity": {"quantity": quantity, "quantity_type": "INTEGER"}}
        ],
    }


def basket_row(pair, basket_id: str) -> tuple[int, dict]:
    with pair.shop_app.app_context():
        basket = db.session.get(Basket, basket_id)
        return basket.version, {line.product_id: line.quantity for line in basket.lines}


# --- the race ---------------------------------------------------------------------------------------


def run_race(pair) -> None:
    shop, token, basket_id = bound_basket(pair)
    version_before, lines_before = basket_row(pair, basket_id)
    assert lines_before == {COFFEE: D("1")}

    events = [quantity_event(i % 10 + 1) for i in range(EVENTS)]
    jobs = [("event", e) for e in events] + [("event", e) for e in events[:RETRIES]]
    jobs += [("add", None)] * ADDS + [("read", None)] * READS
    random.Random(7).shuffle(jobs)

    def run(job):
        kind, body = job
        if kind == "event":
            return kind, body, signed(pair, "POST", f"/v1/izi/basket/{basket_id}/event", body)
        if kind == "read":
            return kind, body, signed(pair, "GET", f"/v1/izi/basket/{basket_id}")
        browser = requests.Session()  # the same shopper: the same session cookie, another connection
        browser.cookies.update(shop.cookies)
        answer = browser.post(pair.shop.url + "/koszyk/dodaj", json={"product_id": CHOCOLATE, "quantity": 1},
                              headers={"X-CSRFToken": token}, timeout=60)  # fmt: skip
        return kind, body, answer

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(run, jobs))

    # Never a 5xx, and nothing refused: the row lock serializes, nobody has to retry.
    statuses = Counter((kind, answer.status_code) for kind, _, answer in results)
    assert statuses == {("event", 200): EVENTS + RETRIES, ("add", 200): ADDS, ("read", 200): READS}, [
        answer.text[:300] for _, _, answer in results if answer.status_code != 200
    ][:3]

    # Each event's answer is the basket right after that event: the coffee at the quantity it set.
    for kind, body, answer in results:
        if kind == "event":
            coffee = next(p for p in answer.json()["products"] if p["product_id"] == str(COFFEE))
            assert coffee["quantity"]["quantity"] == body["quantity_event_data"][0]["quantity"]["quantity"]
    # A retried event got the very same answer as its first delivery, and was applied once.
    by_event: dict[str, set[bytes]] = {}
    for kind, body, answer in results:
        if kind == "event":
            by_event.setdefault(body["event_id"], set()).add(answer.content)
    assert all(len(answers) == 1 for answers in by_event.values())

    version_after, lines_after = basket_row(pair, basket_id)
    assert version_after - version_before == EVENTS + ADDS  # one bump per applied operation, none lost
    assert lines_after[CHOCOLATE] == ADDS
    assert lines_after[COFFEE] in {D(e["quantity_event_data"][0]["quantity"]["quantity"]) for e in events}
    with pair.shop_app.app_context():
        stored = db.session.query(InPostEvent).filter_by(subject_id=basket_id).all()
        assert sorted(e.event_id for e in stored) == sorted(e["event_id"] for e in events)

    # At most one PUT per website request (docs/architecture.md#the-flows), none for InPost's own events; a
    # request whose change InPost already received inside an event answer sends none.
    log = requests.get(pair.sandbox.url + "/sandbox/log", params={"basket_id": basket_id, "limit": 1000},
                       timeout=10).json()["entries"]  # fmt: skip
    puts = [e["status"] for e in log if e["direction"] == "inbound" and e["method"] == "PUT"]
    assert 1 <= len(puts) <= ADDS
    assert set(puts) == {200}

    # Whatever order the PUTs and event answers reached InPost in, InPost re-reading the basket
    # (what it does before an order) gets the basket as it now is.
    final = signed(pair, "GET", f"/v1/izi/basket/{basket_id}").json()
    assert {p["product_id"]: D(str(p["quantity"]["quantity"])) for p in final["products"]} == {
        str(product_id): quantity for product_id, quantity in lines_after.items()
    }


def test_parallel_events_and_shop_changes_on_sqlite(workdir, sqlite_db):
    with live_pair(workdir / "pair", shop_extra=sqlite_db) as pair:
        run_race(pair)


@pytest.mark.postgres
def test_parallel_events_and_shop_changes_on_postgresql(workdir, postgres_db):
    with live_pair(workdir / "pair", shop_extra=postgres_db) as pair:
        run_race(pair)
        with pair.shop_app.app_context():
            assert db.engine.dialect.name == "postgresql"
            db.session.remove()
            db.engine.dispose()  # close the pool before the schema is dropped
