"""The outbox across processes: a crash and a restart, and two workers on one database.

The shop that takes InPost's calls runs in this process (tests/live.py) with its worker off;
the senders are separate processes (worker_process.py) on the same database, as a second
server or `flask outbox-worker` would be. InPost's side is read from the sandbox's log.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from storefront import orders as order_service
from storefront.extensions import db
from storefront.models import Order
from tests.live import live_pair, shop_config

from .helpers import FAST_OUTBOX, InPostDesk, delivered, inpost_order, messages, scratch_dir, wait_for

ROOT = Path(__file__).resolve().parents[3]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


class Workers:
    """Worker processes started by a test, stopped (or killed) by it."""

    def __init__(self, pair, database_url: str, logdir: Path):
        self.config = {
            **shop_config(Path("unused.db"), pair.sandbox.url, pair.shop.url),
            "SQLALCHEMY_DATABASE_URI": database_url,
            **FAST_OUTBOX,
        }
        self.logdir = logdir
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.outbox.worker_process", _json(self.config), name],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        proc.log = log
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        proc.send_signal(signal.SIGKILL)  # a crash: no chance to tidy up
        proc.wait(10)
        proc.log.close()

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
            proc.log.close()


def _json(value) -> str:
    import json

    return json.dumps(value)


def change_statuses(app, order_id: int, labels: list[str]) -> None:
    """The merchant's changes, made in this process (the back office's service calls)."""
    for label in labels:
        with app.app_context():
            order = db.session.get(Order, order_id)
            order_service.change_status(order, "processing", label)
            db.session.commit()


def sent_rows(app, order_id=None):
    rows = messages(app, order_id)
    return rows if rows and all(m["status"] == "sent" for m in rows) else None


@pytest.fixture
def workdir(tmp_path_factory):
    path = scratch_dir(tmp_path_factory, "outbox-proc-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_worker_killed_with_events_pending_delivers_them_once_after_a_restart(workdir):
    with live_pair(workdir, shop_extra={**FAST_OUTBOX, "INPOST_PAY_OUTBOX_WORKER": False}) as pair:
        inpost = InPostDesk(pair.sandbox.url)
        workers = Workers(pair, f"sqlite:///{workdir / 'shop.db'}", workdir)
        try:
            order_id, phone, _ = inpost_order(pair)
            inpost.fault(mode="unavailable")
            labels = ["Przed awarią 1", "Przed awarią 2", "Przed awarią 3"]
            change_statuses(pair.shop_app, order_id, labels)
            first = workers.start("first")
            wait_for(lambda: messages(pair.shop_app, order_id)[0]["attempts"] >= 2, what="tries while InPost is down")
            workers.kill(first)
            assert delivered(inpost, order_id) == []
            assert all(m["status"] in ("pending", "sending") for m in messages(pair.shop_app, order_id))

            inpost.clear()
            workers.start("second")
            rows = wait_for(lambda: sent_rows(pair.shop_app, order_id), what="delivery after the restart")
            got = delivered(inpost, order_id)
            assert [p["event_id"] for p in got] == [m["body"]["event_id"] for m in rows]  # once each, in order
            assert phone.order(order_id)["order_merchant_status_description"] == labels[-1]
            assert all(m["claimed_by"].split("/")[0].endswith(":second") for m in rows)
        finally:
            inpost.clear()
            workers.stop_all()


def _two_workers_send_each_event_once(pair, database_url: str, logdir: Path) -> None:
    inpost = InPostDesk(pair.sandbox.url)
    orders = [inpost_order(pair)[0] for _ in range(2)]
    for order_id in orders:
        change_statuses(pair.shop_app, order_id, [f"Etap {n}" for n in range(1, 16)])
    assert len(messages(pair.shop_app)) == 30
    workers = Workers(pair, database_url, logdir)
    try:
        workers.start("a")
        workers.start("b")
        rows = wait_for(lambda: sent_rows(pair.shop_app), timeout=60, what="30 deliveries")
        for order_id in orders:
            posts = inpost.order_event_posts(order_id)
            counts = Counter(p["event_id"] for p in posts)
            assert all(n == 1 for n in counts.values()), counts  # each event POSTed exactly once
            assert [p["event_id"] for p in posts] == [
                m["body"]["event_id"] for m in rows if m["key"] == f"order:{order_id}"
            ]
        assert all(m["attempts"] == 1 for m in rows)
        senders = Counter(m["claimed_by"].split("/")[0].rsplit(":", 1)[1] for m in rows)
        print(f"\n[outbox] 30 events, two workers: sent by {dict(senders)}")
    finally:
        workers.stop_all()


def test_two_worker_processes_on_sqlite_send_each_event_once(workdir):
    with live_pair(workdir, shop_extra={**FAST_OUTBOX, "INPOST_PAY_OUTBOX_WORKER": False}) as pair:
        _two_workers_send_each_event_once(pair, f"sqlite:///{workdir / 'shop.db'}", workdir)


@pytest.fixture
def postgres_url():
    """A fresh database of its own on the PostgreSQL service (docs/architecture.md#tests-and-performance)."""
    name = f"outbox_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable in CI: {exc}")
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_two_worker_processes_on_postgresql_send_each_event_once(workdir, postgres_url):
    extra = {**FAST_OUTBOX, "INPOST_PAY_OUTBOX_WORKER": False, "SQLALCHEMY_DATABASE_URI": postgres_url}
    with live_pair(workdir, shop_extra=extra) as pair:
        try:
            _two_workers_send_each_event_once(pair, postgres_url, workdir)
        finally:
            with pair.shop_app.app_context():
                db.session.remove()
                db.engine.dispose()
