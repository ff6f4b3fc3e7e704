"""Flask extensions, created unbound and initialised by `app.create_app` (STYLE.md §1).

The integration packages import `db` from here: they may read and extend the
shop's database, the shop never imports them (DESIGN.md §1).
"""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
# Counters live in RATELIMIT_STORAGE_URI (memory:// by default; redis://... when several
# shop processes must count together). Only routes that ask for a limit have one.
limiter = Limiter(key_func=get_remote_address)


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for concurrent requests (DESIGN.md §4 "Concurrency").

    pysqlite's own transaction handling starts transactions lazily and lets two
    writers read the same basket and then both write, losing one update. Here we
    take the transaction over: every transaction starts with BEGIN IMMEDIATE, so
    one writer at a time holds the database and the others wait (busy_timeout).
    WAL lets readers outside a transaction proceed meanwhile. On PostgreSQL the
    same guarantee comes from SELECT ... FOR UPDATE on the basket row.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
