"""Fixtures for the security suite (docs/security.md): the shop with a test signer, the
sandbox app, and a database snapshot to prove that a refusal wrote nothing.

Everything runs in-process (Flask test clients), so the whole suite stays fast.
"""

from __future__ import annotations

import logging
import shutil

import pytest
from sqlalchemy import func, select

from app import create_app
from inpost_pay.signing_keys import SigningKeyCache
from sandbox.app import create_sandbox_app, prepare
from sandbox.extensions import db as sandbox_db
from sandbox.keys import KeyRing
from storefront.extensions import db
from tests.conftest import ShopClient
from tests.integration.merchant_api.conftest import MERCHANT_EXTERNAL_ID, app, make_basket, signed_call, signer  # noqa: F401  (fixtures)

#: Ledgers that a refused call is meant to grow: the conversation logs, and the used
#: signatures (a verified call's signature is spent even when its body is refused).
LOG_TABLES = {"inpost_call", "log_entry", "inpost_used_signature"}
SANDBOX_TOKEN_PATH = "/auth/realms/external/protocol/openid-connect/token"


def make_shop(config: dict, key_signer):
    """A shop application on the database `config` names, trusting the test signer's key:
    what one shop process is (two of them on one database are two processes)."""
    shop = create_app({"TESTING": True, "SECRET_KEY": "s", "ADMIN_PASSWORD": "x", "INPOST_PAY_OUTBOX_WORKER": False,
                       **config})  # fmt: skip
    shop.test_client_class = ShopClient
    entry = {"public_key_base64": key_signer.public_key_base64, "version": key_signer.version}
    shop.extensions["inpost_pay"].signing_keys = SigningKeyCache(
        lambda: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [entry]},
        lambda v: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_key": entry},
    )
    return shop


def table_counts(flask_app, database) -> dict[str, int]:
    """Rows per table (logs aside): equal before and after a refused call means nothing was written."""
    with flask_app.app_context():
        database.session.remove()
        counts = {t.name: database.session.scalar(select(func.count()).select_from(t)) for t in database.metadata.sorted_tables
                  if t.name not in LOG_TABLES}  # fmt: skip
        database.session.remove()
    return counts


@pytest.fixture
def snapshot(app):  # noqa: F811
    """snapshot() -> the shop's row counts now."""
    return lambda: table_counts(app, db)


@pytest.fixture
def no_traceback(caplog):
    """Asserts, after the test, that nothing logged a traceback (an unhandled error)."""
    caplog.set_level(logging.INFO)
    yield caplog
    broken = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not broken, [r.getMessage()[:300] for r in broken]


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.data[:300])
    body = response.get_json()
    assert set(body) >= {"error_code", "error_message"}, body
    if code is not None:
        assert body["error_code"] == code, body
    return body


@pytest.fixture(scope="session")
def sandbox_keys(tmp_path_factory):
    ring = KeyRing(tmp_path_factory.mktemp("security_sandbox_keys"))
    ring.ensure()
    return ring.directory


@pytest.fixture
def sandbox_app(tmp_path, sandbox_keys):
    """InPost's stand-in with its own database; its merchant is a closed port (nothing here
    needs an answer from the shop)."""
    keys = tmp_path / "sandbox_keys"
    shutil.copytree(sandbox_keys, keys)
    sandbox = create_sandbox_app(
        {
            "TESTING": True,
            "SECRET_KEY": "sandbox-security-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sandbox.db'}",
            "SANDBOX_KEYS_DIR": str(keys),
            "SANDBOX_MERCHANT_URL": "http://127.0.0.1:9",
            "SANDBOX_MERCHANT_TIMEOUT": (0.5, 0.5),
        }
    )
    prepare(sandbox)
    yield sandbox
    with sandbox.app_context():
        sandbox_db.session.remove()
        sandbox_db.engine.dispose()


@pytest.fixture
def sandbox_client(sandbox_app):
    return sandbox_app.test_client()


@pytest.fixture
def sandbox_bearer(sandbox_app, sandbox_client):
    config = sandbox_app.config
    answer = sandbox_client.post(
        SANDBOX_TOKEN_PATH,
        data={
            "grant_type": "client_credentials",
            "client_id": config["INPOST_PAY_CLIENT_ID"],
            "client_secret": config["INPOST_PAY_CLIENT_SECRET"],
        },
    )
    assert answer.status_code == 200, answer.data
    return {"Authorization": f"Bearer {answer.json['access_token']}"}


@pytest.fixture
def sandbox_snapshot(sandbox_app):
    return lambda: table_counts(sandbox_app, sandbox_db)
