"""One sync pipeline per shop request (inpost_pay/sync.py): the PUT to InPost first, then the
widget's count push; and a hung InPost keeps a shopper waiting at most the short bound of
`inpost_pay.REQUEST_TIMEOUT`, never the background client's timeouts and retries."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from app import create_app
from inpost_pay import REQUEST_TIMEOUT
from inpost_pay import signals as inpost_signals
from inpost_pay.database import db as inpost_db
from inpost_pay.models import InPostBasket
from storefront.extensions import db
from storefront.seed import ensure_database
from tests.conftest import ShopClient

from .conftest import TIMEOUT, events


def sandbox_puts(pair, basket_id: str) -> int:
    log = requests.get(f"{pair.sandbox.url}/sandbox/log", params={"limit": 1000, "basket_id": basket_id},
                       timeout=TIMEOUT).json()  # fmt: skip
    entries = log["entries"] if isinstance(log, dict) else log
    return sum(1 for e in entries if e.get("direction") == "inbound" and e.get("method") == "PUT")


def test_the_put_reaches_inpost_before_the_count_is_pushed(pair, client, sockets, bound):
    bound()
    basket_id = client.get("/koszyk.json").json["basket_id"]
    sio = sockets(client)
    events(sio)
    before = sandbox_puts(pair, basket_id)
    seen_at_push = []

    def note(app, baskets, **_):
        seen_at_push.append(sandbox_puts(pair, basket_id))

    inpost_signals.shop_baskets_synced.connect(note, pair.shop_app)
    try:
        assert client.post("/koszyk/zmien", json={"product_id": 1, "quantity": 4}).status_code == 200
    finally:
        inpost_signals.shop_baskets_synced.disconnect(note, pair.shop_app)
    assert seen_at_push == [before + 1]  # InPost held the new basket when the push went out
    assert events(sio)["inpost-update-count"] == [{"count": 4, "basket_linked": True}]


class SilentServer:
    """A loopback TCP server that accepts connections and never answers: a hung InPost."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)  # read nothing, answer nothing

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hung_shop(tmp_path):
    server = SilentServer()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "hung-secret", "ADMIN_PASSWORD": "hung-admin",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hung.db'}",
        "INPOST_PAY_API_URL": server.url,
        "INPOST_PAY_AUTH_URL": f"{server.url}/auth/realms/external/protocol/openid-connect/token",
        "INPOST_PAY_WIDGET_URL": f"{server.url}/inpostizi.js",
    })  # fmt: skip
    app.test_client_class = ShopClient
    with app.app_context():
        ensure_database()
    yield app
    server.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_hung_inpost_holds_add_to_basket_no_longer_than_the_bound(hung_shop):
    client = hung_shop.test_client()
    assert client.post("/koszyk/dodaj", data={"product_id": 1, "quantity": 1}).status_code == 303
    basket_id = client.get("/koszyk.json").json["basket_id"]
    with hung_shop.app_context():  # bound at InPost: the next change must be PUT there
        inpost_db.session.add(InPostBasket(basket_id=basket_id, binding_status="bound"))
        inpost_db.session.commit()
    started = time.monotonic()
    answer = client.post("/koszyk/dodaj", data={"product_id": 3, "quantity": 1})
    waited = time.monotonic() - started
    assert answer.status_code == 303
    connect, read = REQUEST_TIMEOUT
    # One call gives up after `read` seconds (the token request: the PUT is never reached).
    assert waited < connect + read + 2.0, f"add-to-basket waited {waited:.1f} s on a hung InPost"
    with hung_shop.app_context():
        assert [line["product_id"] for line in client.get("/koszyk.json").json["lines"]] == [1, 3]
