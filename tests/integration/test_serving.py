"""The shop behind a proxy and in several processes: forwarded headers, the access log, X-Served-By,
the Socket.IO transports the page asks for."""

from __future__ import annotations

import json
import logging
import os

import pytest

from app import create_app
from storefront.extensions import db
from storefront.seed import ensure_database

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}
FORWARDED = {"X-Forwarded-For": "198.51.100.9", "X-Forwarded-Proto": "https"}


@pytest.fixture
def make_shop(tmp_path):
    made = []

    def make(**overrides):
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "ADMIN_PASSWORD": "a", "INPOST_PAY_OUTBOX_WORKER": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'shop{len(made)}.db'}", **overrides})  # fmt: skip
        with app.app_context():
            ensure_database()
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def access_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "shop.access"]


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(make_shop, caplog):
    caplog.set_level(logging.INFO, logger="shop.access")
    untrusting = make_shop()
    untrusting.test_client().get("/", headers=FORWARDED, environ_base=ELSEWHERE)
    assert access_lines(caplog)[-1]["remote_addr"] == "203.0.113.7"

    trusting = make_shop(TRUSTED_PROXIES=1)
    trusting.test_client().get("/", headers=FORWARDED, environ_base=ELSEWHERE)
    assert access_lines(caplog)[-1]["remote_addr"] == "198.51.100.9"


def test_a_trusted_proxy_makes_the_request_https(make_shop):
    app = make_shop(TRUSTED_PROXIES=1)

    @app.get("/_scheme")
    def scheme():
        from flask import request

        return {"secure": request.is_secure, "remote": request.remote_addr}

    assert app.test_client().get("/_scheme", headers=FORWARDED, environ_base=ELSEWHERE).json == {
        "secure": True, "remote": "198.51.100.9"}  # fmt: skip
    plain = make_shop()
    plain.add_url_rule("/_scheme", view_func=scheme)
    assert plain.test_client().get("/_scheme", headers=FORWARDED, environ_base=ELSEWHERE).json == {
        "secure": False, "remote": "203.0.113.7"}  # fmt: skip


def test_the_access_log_is_one_json_line_per_request_with_tokens_masked(make_shop, caplog):
    caplog.set_level(logging.INFO, logger="shop.access")
    client = make_shop().test_client()
    client.get("/konto/zamowienie/1?token=s3cret-order-token&page=2")
    client.get("/socket.io/?EIO=4&transport=polling")
    first, socket_line = access_lines(caplog)[-2:]
    assert set(first) == {"at", "method", "path", "status", "duration_ms", "remote_addr", "pid"}
    assert first["method"] == "GET" and first["pid"] == os.getpid()
    assert first["path"] == "/konto/zamowienie/1?token=***&page=2"
    assert "s3cret" not in caplog.text
    assert socket_line["path"].startswith("/socket.io/") and socket_line["status"] == 200  # Socket.IO is logged too


def test_the_access_log_can_be_turned_off(make_shop, caplog):
    caplog.set_level(logging.INFO, logger="shop.access")
    make_shop(ACCESS_LOG=False).test_client().get("/")
    assert access_lines(caplog) == []


def test_x_served_by_only_when_asked_for(make_shop):
    assert "X-Served-By" not in make_shop().test_client().get("/").headers
    served = make_shop(SERVED_BY_HEADER=True).test_client()
    assert served.get("/").headers["X-Served-By"].endswith(f":{os.getpid()}")
    assert served.get("/socket.io/?EIO=4&transport=polling").headers["X-Served-By"].endswith(f":{os.getpid()}")


def test_websocket_only_mode_tells_the_page_and_refuses_long_polling(make_shop):
    default = make_shop().test_client()
    assert 'data-transports=""' in default.get("/").text
    assert default.get("/socket.io/?EIO=4&transport=polling").status_code == 200

    ws_only = make_shop(SOCKETIO_WEBSOCKET_ONLY=True).test_client()
    assert 'data-transports="websocket"' in ws_only.get("/").text
    assert ws_only.get("/socket.io/?EIO=4&transport=polling").status_code == 400
