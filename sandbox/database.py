"""The sandbox's database: created at start-up, emptied by `flask --app sandbox.app reset-db`.

Kept apart from the factory (sandbox/app.py) so that the CLI (sandbox/cli.py) can use it
without importing the factory that registers the CLI.
"""

from __future__ import annotations

from flask import Flask

from sandbox.extensions import db


def prepare(app: Flask) -> None:
    """First start: create the tables and the signing keys when missing."""
    with app.app_context():
        db.create_all()
    app.extensions["sandbox_keys"].ensure()


def reset(app: Flask) -> None:
    """Forget every basket, request, phone, order and logged call; keep the signing keys
    (files under SANDBOX_KEYS_DIR), so a shop that cached them still verifies."""
    with app.app_context():
        db.drop_all()
    prepare(app)
