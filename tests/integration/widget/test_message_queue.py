"""SOCKETIO_MESSAGE_QUEUE: a push made in one shop process reaches a socket held by another.

Process A is the shop started the way `make run` starts it (`python app.py`) with the Redis
queue, on a free port; a real Socket.IO client (python-socketio, over HTTP) holds a socket there
with a shopper's session cookie. Process B is this test: a second shop app on the same queue
sends the integration's signal, as its merchant API would after an app-side basket change.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests
import socketio

from app import create_app
from inpost_pay import signals
from storefront.extensions import db
from storefront.seed import ensure_database

from .conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI ({REDIS_URL}): {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def wait_for_port(port: int, process: subprocess.Popen, deadline: float = 30.0) -> None:
    """Until the shop accepts connections (or died): a condition, not a fixed sleep."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"shop process exited with {process.returncode}: {process.stdout.read()}")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # polling interval of the readiness check
    raise AssertionError("shop process did not start")


@pytest.fixture
def shop_process(tmp_path, redis_url):
    port = free_port()
    env = {
        **os.environ,
        "SHOP_PORT": str(port),
        "SHOP_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
        "SECRET_KEY": "queue-test-secret",
        "ADMIN_PASSWORD": "queue-admin",
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
    }
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_a_push_from_another_process_reaches_the_socket(tmp_path, shop_process, redis_url):
    # A shopper in process A: a basket in the session, a socket on /izi.
    browser = requests.Session()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', browser.get(shop_process, timeout=10).text).group(1)
    added = browser.post(
        f"{shop_process}/koszyk/dodaj", json={"product_id": 1}, headers={"X-CSRFToken": token}, timeout=10
    )
    assert added.status_code == 200, added.text
    basket_id = added.json()["basket_id"]

    heard: dict[str, list] = {}
    arrived = threading.Event()
    joined = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("joined", lambda data: joined.set(), namespace="/izi")

    def on_basket(data):
        heard.setdefault("basket", []).append(data)
        arrived.set()

    client.on("basket", on_basket, namespace="/izi")
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    client.connect(
        shop_process, namespaces=["/izi"], headers={"Cookie": cookie}, transports=["polling"], wait_timeout=10
    )
    try:
        assert joined.wait(10), "the socket was not put in a room"

        # Process B: another shop process on the same queue announces an app-side change.
        app_b = create_app({"SECRET_KEY": "b", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.db'}",
                            "ADMIN_PASSWORD": "b", "SOCKETIO_MESSAGE_QUEUE": redis_url})  # fmt: skip
        with app_b.app_context():
            ensure_database()
        with app_b.test_request_context():
            signals.basket_changed_in_app.send(app_b, basket_id=basket_id, count=7)

        assert arrived.wait(10), "the push did not cross the message queue"
        assert heard["basket"] == [{"count": 7}]
    finally:
        client.disconnect()
        with app_b.app_context():
            db.engine.dispose()
