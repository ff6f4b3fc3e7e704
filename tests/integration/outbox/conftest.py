"""The `app` fixture of tests/conftest.py, with its database on tmpfs (helpers.py has the rest)."""

from __future__ import annotations

import shutil

import pytest

from app import create_app
from storefront.extensions import db
from storefront.seed import ensure_database
from tests.conftest import ShopClient

from .helpers import scratch_dir


@pytest.fixture
def app(tmp_path_factory):
    """tests/conftest.py's `app` (worker off: TESTING), its database on tmpfs."""
    workdir = scratch_dir(tmp_path_factory, "outbox-")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'shop.db'}",
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
    shutil.rmtree(workdir, ignore_errors=True)
