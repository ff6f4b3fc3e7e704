"""Live servers on loopback for tests that cross a real HTTP boundary.

`LiveServer` binds a free port on 127.0.0.1 first and takes its WSGI app
afterwards, so two apps that must know each other's URL (the shop and the
InPost sandbox) can be built once both ports are known. `live_pair` builds
exactly that: the shop calling the sandbox as its InPost, the sandbox calling
the shop as its merchant, each with its own fresh database.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

import inpost_pay
from app import create_app
from sandbox.app import create_sandbox_app, prepare
from storefront.seed import ensure_database


class LiveServer:
    """A WSGI app served by a real threaded HTTP server in a thread."""

    def __init__(self, wsgi_app=None):
        self.app = wsgi_app
        self.server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@dataclass
class Pair:
    shop: LiveServer
    sandbox: LiveServer

    @property
    def shop_app(self):
        return self.shop.app

    @property
    def sandbox_app(self):
        return self.sandbox.app


WIDGET_SCRIPTS = {1: "inpostizi.js", 2: "inpostpay.widget.v2.js"}


def shop_config(db_path: Path, sandbox_url: str, shop_url: str, **extra) -> dict:
    return {
        "SECRET_KEY": "live-shop-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "ADMIN_PASSWORD": "live-admin",
        "SHOP_URL": shop_url,
        "INPOST_PAY_API_URL": sandbox_url,
        "INPOST_PAY_AUTH_URL": f"{sandbox_url}/auth/realms/external/protocol/openid-connect/token",
        # The widget script of the chosen contract (docs/widget-versions.md).
        "INPOST_PAY_WIDGET_URL": f"{sandbox_url}/{WIDGET_SCRIPTS[extra.get('INPOST_PAY_WIDGET_VERSION', 1)]}",
        "INPOST_PAY_APP_LINK_URL": f"{sandbox_url}/app/izilink",
        **extra,
    }


def sandbox_config(workdir: Path, shop_url: str, **extra) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'sandbox.db'}",
        "SANDBOX_MERCHANT_URL": shop_url,
        "SANDBOX_KEYS_DIR": str(workdir / "keys"),
        "SECRET_KEY": "live-sandbox-secret",
        **extra,
    }


def build_demo_shop(config: dict):
    app = create_app(config)
    with app.app_context():
        ensure_database()
    return app


def build_minimal_shop(config: dict):
    from examples.minimal_shop.app import create_app as create_minimal_app
    from examples.minimal_shop.app import ensure_database as ensure_minimal_database

    app = create_minimal_app(config)
    ensure_minimal_database(app)
    return app


#: The shops that mount the integration: the demo shop and the minimal one (examples/).
SHOPS = {"demo": build_demo_shop, "minimal": build_minimal_shop}


@contextmanager
def live_pair(workdir: Path, *, shop_extra: dict | None = None, sandbox_extra: dict | None = None,
              shop: str = "demo"):  # fmt: skip
    """A shop (`SHOPS`) and the sandbox, live on loopback, wired to each other."""
    workdir.mkdir(parents=True, exist_ok=True)
    build = SHOPS[shop]
    with LiveServer() as shop, LiveServer() as sandbox:
        sandbox.app = create_sandbox_app(sandbox_config(workdir, shop.url, **(sandbox_extra or {})))
        prepare(sandbox.app)
        shop.app = build(shop_config(workdir / "shop.db", sandbox.url, shop.url, **(shop_extra or {})))
        try:
            yield Pair(shop, sandbox)
        finally:
            # The shop's outbox worker thread (started by its first request) must not outlive
            # the servers and databases it talks to.
            inpost_pay.stop_worker(shop.app)
