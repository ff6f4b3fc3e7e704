"""Fixtures for the sandbox's tests: the sandbox app (`app`, `client`, `runner`),
a bearer token, a signed-in phone, and a merchant double on a loopback port.

These override the shop's `app`/`client`/`runner` from tests/conftest.py inside
this folder: here the application under test is InPost's stand-in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sandbox.app import create_sandbox_app, prepare
from sandbox.extensions import db
from sandbox.keys import KeyRing
from tests.integration.sandbox.merchant_double import MerchantDouble, load_fixture

TOKEN_PATH = "/auth/realms/external/protocol/openid-connect/token"
PHONE = {"country_prefix": "+48", "phone": "600100200"}


@pytest.fixture(scope="session")
def keys_template(tmp_path_factory):
    """One RSA key pair for the whole run (generating one per test would be slow)."""
    ring = KeyRing(tmp_path_factory.mktemp("sandbox_keys"))
    ring.ensure()
    return ring.directory


@pytest.fixture(scope="session")
def merchant_server():
    server = MerchantDouble().start()
    yield server
    server.stop()


@pytest.fixture
def merchant(merchant_server):
    merchant_server.reset()
    return merchant_server


def fast_dir(fallback: Path) -> Path:
    """Where sandbox databases go: tmpfs when the machine has one (SQLite's fsyncs make a
    disk-backed database the slowest part of these tests)."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        return Path(tempfile.mkdtemp(prefix="sandbox-test-", dir="/dev/shm"))
    return fallback


@pytest.fixture
def db_dir(tmp_path):
    path = fast_dir(tmp_path)
    yield path
    if path != tmp_path:
        shutil.rmtree(path, ignore_errors=True)


def make_app(tmp_path, keys_template, merchant_url: str, **overrides):
    keys_dir = tmp_path / "keys"
    shutil.copytree(keys_template, keys_dir)
    config = {
        "TESTING": True,
        "SECRET_KEY": "sandbox-test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "SANDBOX_KEYS_DIR": str(keys_dir),
        "SANDBOX_MERCHANT_URL": merchant_url,
        "SANDBOX_MERCHANT_TIMEOUT": (1.0, 2.0),
        **overrides,
    }
    app = create_sandbox_app(config)
    prepare(app)
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory, keys_template, merchant_server):
    """One sandbox app for the run (building a Flask app per test costs more than the test);
    `app` empties its database before each test."""
    fallback = tmp_path_factory.mktemp("sandbox_app")
    path = fast_dir(fallback)
    app = make_app(path, keys_template, merchant_server.url)
    yield app
    dispose(app)
    if path != fallback:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def app(shared_app, merchant):
    with shared_app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    shared_app.extensions["sandbox_faults"].clear()
    static_folder = shared_app.static_folder
    # The merchant takes InPost's public keys from the signing-keys endpoint, as a shop would.
    client = shared_app.test_client()
    token = get_token(client)
    merchant.trust(client.get("/v1/izi/signing-keys/public", headers=bearer(token)).json)
    yield shared_app
    shared_app.static_folder = static_folder
    with shared_app.app_context():
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def get_token(client) -> str:
    answer = client.post(TOKEN_PATH, data={"grant_type": "client_credentials", "client_id": "demo-shop",
                                           "client_secret": "demo-shop-secret"})  # fmt: skip
    assert answer.status_code == 200, answer.json
    return answer.json["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(client) -> dict:
    """Authorization header with a fresh bearer token."""
    return bearer(get_token(client))


@pytest.fixture
def phone_app(app):
    """A second client acting as the phone app, signed in as PHONE."""
    phone = app.test_client()
    answer = phone.post("/app/api/session", json={**PHONE, "name": "Anna", "surname": "Nowak",
                                                  "mail": "anna@example.com"})  # fmt: skip
    assert answer.status_code == 200, answer.json
    return phone


@pytest.fixture
def basket_doc() -> dict:
    return load_fixture("valid_basket.json")


@pytest.fixture
def bound_basket(client, auth, phone_app, merchant):
    """A basket linked to PHONE through a PHONE binding request accepted in the app."""
    assert client.post("/v1/izi/basket/b-1/binding", headers=auth,
                       json={"binding_method": "PHONE", "phone_number": PHONE}).status_code == 202  # fmt: skip
    request_id = phone_app.get("/app/api/requests").json["requests"][0]["id"]
    accepted = phone_app.post(f"/app/api/requests/{request_id}/accept", json={"trust_browser": True})
    assert accepted.status_code == 200, accepted.json
    return accepted.json["basket"]
