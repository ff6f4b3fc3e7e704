"""Fixtures shared by every test layer: `app`, `client`, `runner`.

Each test gets its own SQLite file with the demo catalogue. `client` adds the
CSRF token to state-changing requests the way the shop's pages do (the meta tag);
pass `csrf=False` to send a request without it.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app import create_app
from storefront.extensions import db
from storefront.seed import ensure_database

META_TOKEN = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')


class ShopClient(FlaskClient):
    """A test client that behaves like a browser on the shop's pages regarding CSRF."""

    _token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = super().open("/", method="GET")
            self._token = META_TOKEN.search(page.data).group(1).decode()
        return self._token

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            if isinstance(kwargs.get("data"), dict):
                kwargs["data"] = {"csrf_token": self.csrf_token(), **kwargs["data"]}
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.db'}",
            "ADMIN_PASSWORD": "test-admin",
        }
    )
    app.test_client_class = ShopClient
    with app.app_context():
        ensure_database()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> ShopClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
