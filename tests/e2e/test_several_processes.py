"""The shop as it is deployed in several processes, in Chromium: two gunicorn instances on one
PostgreSQL database and one Redis channel, the outbox worker a process of its own.

The shopper's page and socket go to instance A; InPost (the sandbox) calls instance B. Each
instance runs one process and marks its answers `X-Served-By: <host>:<pid>`, and each writes its
access log (serving.py) to a file of its own, so the test knows which process served what:
the binding confirmation and the order reach B, the page on A hears of them over Redis, redirects
and shows the payment. Then the outbox worker is killed with SIGKILL while InPost is down, and
its replacement delivers every event exactly once.

Needs PostgreSQL and Redis: skipped without them, failed under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
import redis
import requests
from playwright.sync_api import expect

import schema
from app import create_app
from sandbox.app import create_sandbox_app, prepare
from storefront.extensions import db
from storefront.seed import seed_if_empty
from tests.e2e.test_widget_flows import COFFEE, Phone, bind_by_phone, listening
from tests.integration.outbox.helpers import InPostDesk, delivered, inpost_order, messages, wait_for
from tests.integration.outbox.test_processes import change_statuses, sent_rows
from tests.live import LiveServer, sandbox_config

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
# The outbox's pace in milliseconds, and a short lease so a killed worker's claim is taken over.
FAST_OUTBOX = {"INPOST_PAY_OUTBOX_INTERVAL": "0.2", "INPOST_PAY_OUTBOX_BACKOFF_BASE": "0.05",
               "INPOST_PAY_OUTBOX_BACKOFF_CAP": "0.4", "INPOST_PAY_OUTBOX_MAX_ATTEMPTS": "60",
               "INPOST_PAY_OUTBOX_LEASE": "2"}  # fmt: skip


def unavailable(what: str, exc: Exception):
    message = f"{what} is not reachable: {exc}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    log_path: Path

    def access_log(self) -> list[dict]:
        """The JSON access lines this process wrote (serving.py)."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if " shop.access " in line:
                lines.append(json.loads(line.split(" shop.access ", 1)[1]))
        return lines


@dataclass
class Cluster:
    """What the tests see: the two shop URLs, the sandbox, the shop's database through an app of
    this process (for the merchant's changes and to read the outbox), and the processes."""

    a: str
    b: str
    sandbox: LiveServer
    shop_app: object
    env: dict
    workdir: Path
    procs: dict[str, Process] = field(default_factory=dict)

    @property
    def shop(self):  # what tests/integration/outbox/helpers.inpost_order expects of a pair
        return SimpleNamespace(url=self.a)

    def start(self, name: str, argv: list[str], env: dict | None = None) -> Process:
        path = self.workdir / f"{name}.log"
        log = open(path, "ab")  # noqa: SIM115  (closed when the process is stopped)
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env={**self.env, **(env or {})})  # fmt: skip
        proc.log = log
        self.procs[name] = Process(name, proc, path)
        return self.procs[name]

    def stop(self, name: str, sig: int = signal.SIGTERM) -> int:
        process = self.procs.pop(name)
        if process.proc.poll() is None:
            process.proc.send_signal(sig)
            try:
                process.proc.wait(20)
            except subprocess.TimeoutExpired:
                process.proc.kill()
                process.proc.wait(5)
        process.proc.log.close()
        return process.proc.returncode

    def start_outbox_worker(self, name: str = "outbox") -> Process:
        return self.start(name, [sys.executable, "-m", "flask", "--app", "app", "outbox-worker"])


def gunicorn(port: int) -> list[str]:
    # One process per instance, so an instance's URL names its process.
    return [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
            "--workers", "1", "--threads", "20", "--bind", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip


def wait_until_up(url: str, process: Process) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.log_path.read_text()[-3000:]}")
        try:
            answer = requests.get(url + "/", timeout=10)
            if answer.status_code == 200:
                return answer.headers["X-Served-By"]
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{process.name} did not answer on {url}")


@pytest.fixture(scope="module")
def database_url():
    name = f"deploy_e2e_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", exc)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_channel():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        unavailable("Redis", exc)
    return f"deploy-e2e-{uuid.uuid4().hex[:10]}"  # python-socketio's channel: no cross-talk with other runs


@pytest.fixture(scope="module")
def cluster(database_url, redis_channel, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("several-processes")
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    with LiveServer() as sandbox:
        # InPost calls instance B; the shop's links (thank-you page) point at A.
        sandbox.app = create_sandbox_app(sandbox_config(workdir, b))
        prepare(sandbox.app)
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": "several-processes-secret",  # one session cookie for both instances
            "ADMIN_PASSWORD": "several-processes-admin",
            "DATABASE_URL": database_url,
            "SOCKETIO_MESSAGE_QUEUE": REDIS_URL,
            "SOCKETIO_CHANNEL": redis_channel,
            "SHOP_WORKERS": "2",  # the shop's several-processes mode: checks, websocket-only sockets
            "INPOST_PAY_OUTBOX_WORKER": "0",  # the outbox worker is its own process
            "SERVED_BY_HEADER": "1",
            "SHOP_URL": a,
            "INPOST_PAY_API_URL": sandbox.url,
            "INPOST_PAY_AUTH_URL": f"{sandbox.url}/auth/realms/external/protocol/openid-connect/token",
            "INPOST_PAY_WIDGET_URL": f"{sandbox.url}/inpostizi.js",
            **FAST_OUTBOX,
        }
        env.pop("SHOP_PORT", None)
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["SECRET_KEY"], "SHOP_URL": a,
                  "SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": redis_channel, "SHOP_WORKERS": 2,
                  "INPOST_PAY_OUTBOX_WORKER": False, "INPOST_PAY_API_URL": sandbox.url,
                  "INPOST_PAY_AUTH_URL": env["INPOST_PAY_AUTH_URL"], "INPOST_PAY_WIDGET_URL": env["INPOST_PAY_WIDGET_URL"]}  # fmt: skip
        shop_app = create_app(config)
        with shop_app.app_context():
            schema.upgrade_all()  # what `make run` does before serving
            seed_if_empty()
            db.session.remove()
        found = Cluster(a, b, sandbox, shop_app, env, workdir)
        try:
            found.start("a", gunicorn(port_a))
            found.start("b", gunicorn(port_b))
            found.start_outbox_worker()
            found.served_by = {"a": wait_until_up(a, found.procs["a"]), "b": wait_until_up(b, found.procs["b"])}
            yield found
        finally:
            for process in found.procs.values():  # all at once: each stop waits for its requests
                if process.proc.poll() is None:
                    process.proc.terminate()
            for name in list(found.procs):
                found.stop(name)
            with shop_app.app_context():
                db.session.remove()
                db.engine.dispose()


def inbound_izi_calls(process: Process) -> list[dict]:
    return [line for line in process.access_log() if line["path"].startswith("/v1/izi/")]


def test_the_page_on_one_process_hears_of_inpost_calls_served_by_the_other(cluster, browser, page):
    a, b = cluster.procs["a"], cluster.procs["b"]
    pid_a, pid_b = (int(cluster.served_by[k].rsplit(":", 1)[1]) for k in ("a", "b"))
    assert pid_a != pid_b  # the worker processes of instance A and of instance B

    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    answer = page.goto(cluster.a + COFFEE)
    assert answer.headers["x-served-by"] == cluster.served_by["a"]
    listening(page)
    # Websocket-only (several processes, no sticky sessions): one connection, to A, no polling.
    assert sockets and all(url.startswith(cluster.a.replace("http", "ws") + "/socket.io/") for url in sockets)
    assert all("transport=websocket" in url for url in sockets)

    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="pl-PL", is_mobile=True)
    try:
        phone = Phone(phone_ctx.new_page(), cluster.sandbox.url)
        bind_by_phone(page, phone)  # InPost's confirmation goes to B; the dialog on A closes on the push
        phone.checkout("Autoryzowana")  # InPost's order and payment go to B
        expect(page).to_have_url(re.compile(r"/zamowienie/\d+/dziekujemy\?token="))
        assert page.url.startswith(cluster.a)
        expect(page.get_by_role("heading", name="Dziękujemy za zamówienie!")).to_be_visible()
        expect(page.get_by_role("main").get_by_text("Płatność: Opłacone", exact=True)).to_be_visible()
    finally:
        phone_ctx.close()

    on_b = inbound_izi_calls(b)
    paths = [(line["method"], re.sub(r"/[^/]+/(confirmation|event)$", r"/{id}/\1", line["path"])) for line in on_b]
    assert ("POST", "/v1/izi/basket/{id}/confirmation") in paths
    assert ("POST", "/v1/izi/order") in paths
    assert all(line["pid"] == pid_b and line["status"] < 300 for line in on_b if line["method"] == "POST")
    assert inbound_izi_calls(a) == []  # InPost never reached the shopper's process
    assert {line["pid"] for line in a.access_log()} == {pid_a}
    assert not any(line["path"].startswith("/socket.io/") for line in b.access_log())


def test_the_outbox_worker_killed_while_inpost_is_down_delivers_each_event_once_after_a_restart(cluster):
    inpost = InPostDesk(cluster.sandbox.url)
    order_id, phone, _ = inpost_order(cluster)
    try:
        inpost.fault(mode="unavailable")
        labels = ["Kompletujemy", "Pakujemy", "Przekazane kurierowi"]
        change_statuses(cluster.shop_app, order_id, labels)
        wait_for(lambda: messages(cluster.shop_app, order_id)[0]["attempts"] >= 2, what="tries while InPost is down")
        assert cluster.stop("outbox", signal.SIGKILL) == -signal.SIGKILL  # a crash, mid-retry
        assert delivered(inpost, order_id) == []
        assert all(m["status"] in ("pending", "sending") for m in messages(cluster.shop_app, order_id))

        inpost.clear()
        cluster.start_outbox_worker("outbox")
        rows = wait_for(lambda: sent_rows(cluster.shop_app, order_id), what="delivery after the restart")
        got = delivered(inpost, order_id)
        assert [p["event_id"] for p in got] == [m["body"]["event_id"] for m in rows]  # once each, in order
        assert Counter(p["event_id"] for p in got).most_common(1)[0][1] == 1
        assert phone.order(order_id)["order_merchant_status_description"] == labels[-1]
    finally:
        inpost.clear()
