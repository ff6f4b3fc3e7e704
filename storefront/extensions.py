"""Flask extensions, created unbound and initialised by `app.create_app`.

The integration packages import `db` from here: they may read and extend the
shop's database, the shop never imports them (docs/architecture.md#four-parties).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from flask import g, has_app_context, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()


class RouteLimiter(Limiter):
    """Flask-Limiter, without its before-request pass on requests no limit could apply to.

    Flask-Limiter looks, before every view, for application-wide, default, blueprint and meta
    limits (and limits hinted for the endpoint). The shop sets none of those: its one limit is
    `@limiter.limit` on the back-office sign-in, which the decorator checks itself when the view
    runs. So that pass found nothing on every page, at a few per cent of each. It is skipped
    only while there is none of those limits (or a storage fallback, which the pass manages):
    configured ones (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION, a blueprint's limit...) are
    checked as before. The headers and the conditional deductions after the view are unchanged.
    """

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._limits_before_views():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _limits_before_views(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager._application_limits
            or manager._default_limits
            or manager._blueprint_limits
            or manager._endpoint_hints
            or self._meta_limits
            or self._in_memory_fallback_enabled
        )


# Counters live in RATELIMIT_STORAGE_URI (memory:// by default; redis://... when several
# shop processes must count together). Only routes that ask for a limit have one.
limiter = RouteLimiter(key_func=get_remote_address)

#: Requests whose transactions only read unless they say otherwise (`begin_write`).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_FLAG = "_db_write"
_DEFERRED = "sqlite_deferred"  # connection.info key: the open transaction began without the lock
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HOLDS_WRITERS = "sqlite_holds_writers"  # connection.info key: this connection holds `writers`
BUSY_TIMEOUT_MS = 15000


def _begin_statement() -> str:
    """BEGIN (deferred: readers never wait for the write lock) for a transaction of a GET/HEAD
    request that has not asked to write; BEGIN IMMEDIATE for everything else (other requests,
    workers, CLI), so a writer holds the lock before its first read."""
    if has_app_context() and g.get(_WRITE_FLAG):
        return "BEGIN IMMEDIATE"
    if has_request_context() and request.method in READ_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def begin_write() -> None:
    """Make the current unit of work a writer, before it reads what it will change.

    On SQLite a deferred transaction that has read and then writes cannot wait for the write
    lock (SQLITE_BUSY at once, or a stale snapshot), so a reader must not turn into a writer.
    This marks the request as writing, so its next transaction begins IMMEDIATE; a deferred
    (read-only so far) transaction already open is committed first, which expires what it
    loaded: the writer then re-reads it under the lock. On PostgreSQL nothing changes: the
    basket row's SELECT ... FOR UPDATE is the lock. Idempotent and cheap once writing.
    """
    if not has_app_context():
        return
    setattr(g, _WRITE_FLAG, True)
    if db.engine.dialect.name != "sqlite":
        return
    session = db.session()
    if not session.in_transaction():
        return
    if session.connection().info.get(_DEFERRED):
        session.commit()


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for concurrent requests (docs/architecture.md#rules "Concurrency").

    pysqlite's own transaction handling starts transactions lazily and lets two
    writers read the same basket and then both write, losing one update. Here we
    take the transaction over: a transaction that may write starts with BEGIN
    IMMEDIATE, so one writer at a time holds the database and the others wait
    (busy_timeout); one that only reads (a GET page) starts deferred and never
    waits for the writers, WAL giving it a consistent snapshot meanwhile
    (`_begin_statement`, `begin_write`). synchronous=NORMAL: in WAL mode a commit
    stays atomic and consistent, only the last commits before a power cut may be
    lost. On PostgreSQL the same guarantee comes from SELECT ... FOR UPDATE on the
    basket row.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    # The writers of this process queue here for the write lock, and the next one starts the
    # moment the last one commits. Left to SQLite's busy handler, waiters sleep and poll (up to
    # 100 ms between tries), so under contention the lock sits idle between writers and the
    # waits grow long. Other processes still meet at SQLite's lock (busy_timeout).
    writers = threading.Lock()  # not re-entrant: a thread never holds two write transactions

    def _release(dbapi_info) -> None:
        if dbapi_info.pop(_HOLDS_WRITERS, False):
            writers.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        statement = _begin_statement()
        if statement != "BEGIN":
            if not writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked (waited for this process's writers)")
            connection.info[_HOLDS_WRITERS] = True
        try:
            connection.exec_driver_sql(statement)
        except BaseException:
            _release(connection.info)
            raise
        connection.info[_DEFERRED] = statement == "BEGIN"

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        _release(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        _release(record.info)  # a connection returned with its transaction never ended

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection, record, _exception):
        _release(record.info)

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(connection, _cursor, statement, *_args):
        # A write in a deferred transaction: works while nobody else writes, fails with
        # "database is locked" under contention. Its caller must call begin_write() first.
        if connection.info.get(_DEFERRED) and statement.lstrip()[:7].upper().startswith(_WRITES):
            connection.info[_DEFERRED] = False
            log.warning("write in a read-only (deferred) transaction, call begin_write() first: %s", statement[:80])
