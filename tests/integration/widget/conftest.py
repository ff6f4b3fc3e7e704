"""The browser API and the /izi socket, driven with Flask's and Flask-SocketIO's test clients.

The shop app is the live one of a `live_pair` (tests/live.py): its InPost client talks to the
real sandbox over loopback, and the sandbox calls the shop back (confirmations, events, orders),
so a push a test waits for is caused by InPost's own call, not faked. The test client shares
the app (and so its database and its SocketIO server) with the live shop.
"""

from __future__ import annotations

import itertools
import socket
from contextlib import closing

import pytest
import requests

from app import create_app
from storefront.extensions import db
from storefront.seed import ensure_database
from tests.conftest import ShopClient
from tests.live import live_pair
from widget import socketio_of

TIMEOUT = 15
_phones = itertools.count(1)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with live_pair(tmp_path_factory.mktemp("widget")) as live:
        live.shop_app.test_client_class = ShopClient
        yield live


@pytest.fixture
def client(pair) -> ShopClient:
    """A browser on the shop: its own session cookie, CSRF token from the page's meta tag."""
    return pair.shop_app.test_client()


@pytest.fixture
def sockets(pair):
    """sockets(client, auth=None) -> a Socket.IO test client on /izi with the client's cookies."""
    made = []

    def connect(client, auth=None):
        sio = socketio_of(pair.shop_app).test_client(
            pair.shop_app, namespace="/izi", flask_test_client=client, auth=auth
        )
        made.append(sio)
        return sio

    yield connect
    for sio in made:
        if sio.is_connected("/izi"):
            sio.disconnect(namespace="/izi")


class Phone:
    """A phone signed in to the sandbox's InPost Mobile simulator (sandbox/README.md JSON API)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.phone = f"602{next(_phones):06d}"
        self.http = requests.Session()
        answer = self.call("POST", "/session", {"country_prefix": "+48", "phone": self.phone})
        assert answer.status_code == 200, answer.text

    def call(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return self.http.request(method, f"{self.base_url}/app/api{path}", json=body, timeout=TIMEOUT)

    def accept_latest(self, trust_browser: bool = False) -> dict:
        request = self.call("GET", "/requests").json()["requests"][0]
        answer = self.call("POST", f"/requests/{request['id']}/accept", {"trust_browser": trust_browser})
        assert answer.status_code == 200, answer.text
        return answer.json()["basket"]


@pytest.fixture
def phone(pair):
    return Phone(pair.sandbox.url)


@pytest.fixture
def inpost_faults(pair):
    """Switch the sandbox's fault modes (sandbox/README.md "Developer tools"); cleared afterwards."""

    def switch(**mode):
        answer = requests.post(f"{pair.sandbox.url}/sandbox/faults", json=mode, timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text

    yield switch
    requests.delete(f"{pair.sandbox.url}/sandbox/faults", timeout=TIMEOUT)


@pytest.fixture
def bound(client, phone):
    """bound(product_id=1, trust=False) -> this client's basket, added to and bound by phone."""

    def run(product_id: int = 1, trust: bool = False) -> dict:
        added = client.post("/izi/add-to-cart", json={"product_id": product_id})
        assert added.status_code == 200, added.json
        asked = client.post("/izi/binding-data", json={"prefix": "+48", "phone": phone.phone})
        assert asked.status_code == 202, asked.json
        return phone.accept_latest(trust_browser=trust)

    return run


@pytest.fixture
def offline_app(tmp_path):
    """A shop whose InPost is a closed port on loopback: every call fails to connect."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "offline-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'offline.db'}",
            "ADMIN_PASSWORD": "offline-admin",
            "INPOST_PAY_API_URL": url,
            "INPOST_PAY_AUTH_URL": f"{url}/auth/realms/external/protocol/openid-connect/token",
            "INPOST_PAY_WIDGET_URL": f"{url}/inpostizi.js",
        }
    )
    app.test_client_class = ShopClient
    with app.app_context():
        ensure_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def events(sio) -> dict[str, list]:
    """What a socket test client received since the last look: {event name: [payloads]}."""
    seen: dict[str, list] = {}
    for packet in sio.get_received("/izi"):
        seen.setdefault(packet["name"], []).append(packet["args"][0] if packet["args"] else None)
    return seen
