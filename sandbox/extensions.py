"""The sandbox's own Flask-SQLAlchemy instance (never the shop's: docs/architecture.md#interfaces).

Created unbound and initialised by `sandbox.app.create_sandbox_app`.
"""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def configure_sqlite(engine: Engine) -> None:
    """WAL and a busy timeout, so the threaded server's requests wait instead of failing.

    The sandbox never keeps a transaction open across a call to the merchant (the
    merchant may call the sandbox back meanwhile), so plain deferred transactions
    are enough here.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")  # WAL stays consistent; fewer fsyncs
        cursor.close()
