"""The shop as the benchmarks serve it: a subprocess on loopback, so its memory can be read.

Usage (by the benchmarks, `_shop.shop_server`), with the settings in the environment
(BENCH_DATABASE: an SQLite file path or a PostgreSQL URL; BENCH_SCHEMA: the schema of its own to
use there; BENCH_PUBLIC_KEY: the benchmark's signing key, base64 DER; BENCH_COUNTS: a directory
each gunicorn process writes its SQL statement count to):

    python benchmarks/_bench_server.py prepare         # the schema and the demo data, once
    python benchmarks/_bench_server.py serve PORT      # threaded werkzeug, one process
    python -m gunicorn -c gunicorn.conf.py --pythonpath benchmarks --bind ... --workers N \\
        '_bench_server:bench_app()'                    # what production serves

Adds the bare JSON routes the shop's routes are measured against (POST and GET /bench/bare)
and GET /bench/statements, the number of SQL statements the server (all its processes) has run
so far.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
from pathlib import Path

# BENCH_APP_ROOT: serve the shop of another checkout (e.g. an export of main, for "before").
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))

from flask import jsonify  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from storefront.extensions import csrf, db  # noqa: E402
from storefront.seed import ensure_database  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shop import signing_key_cache  # noqa: E402

FLUSH_SECONDS = 0.1  # how often a gunicorn process writes its statement count to BENCH_COUNTS


def database_config(database: str, schema: str | None) -> dict:
    if "://" not in database:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    config = {"SQLALCHEMY_DATABASE_URI": database, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 30}}
    if schema:
        config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"options": f"-csearch_path={schema}"}
    return config


def shop_app():
    """The shop on the benchmark's database, without the outbox thread."""
    database = database_config(os.environ["BENCH_DATABASE"], os.environ.get("BENCH_SCHEMA") or None)
    app = create_app({"SECRET_KEY": "bench", "INPOST_PAY_OUTBOX_WORKER": False, **database})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    logging.getLogger().setLevel(logging.WARNING)
    return app


class StatementCount:
    """SQL statements this process has run; with `directory`, also written to
    `directory/<pid>` every FLUSH_SECONDS, and the total is the sum over the processes' files."""

    def __init__(self, directory: str | None):
        self.directory = Path(directory) if directory else None
        self._counter = itertools.count()  # next() is atomic under the GIL
        self.value = 0

    def count(self, *_args) -> None:
        self.value = next(self._counter) + 1

    def total(self) -> int:
        if self.directory is None:
            return self.value
        others = [int(p.read_text() or 0) for p in self.directory.glob("[0-9]*") if p.name != str(os.getpid())]
        return self.value + sum(others)

    def start_flushing(self) -> None:
        def flush_forever() -> None:
            mine, written = self.directory / str(os.getpid()), None
            while True:
                if self.value != written:
                    written = self.value
                    (self.directory / f".{os.getpid()}").write_text(str(written))
                    os.replace(self.directory / f".{os.getpid()}", mine)  # a reader never sees half a file
                threading.Event().wait(FLUSH_SECONDS)

        (self.directory / str(os.getpid())).write_text("0")  # also tells the benchmark this process is up
        threading.Thread(target=flush_forever, name="bench-statement-count", daemon=True).start()


def bench_app():
    """The shop plus the bench routes, trusting the benchmark's signing key (gunicorn's app
    factory: each worker process builds its own; the schema is prepared before they start)."""
    app = shop_app()
    # The keys InPost would publish at GET /v1/izi/signing-keys/public, given directly.
    app.extensions["inpost_pay"].signing_keys = signing_key_cache(os.environ["BENCH_PUBLIC_KEY"])
    statements = StatementCount(os.environ.get("BENCH_COUNTS") or None)

    @app.route("/bench/bare", methods=["GET", "POST"])
    def bare():
        return jsonify(ok=True)

    @app.get("/bench/statements")
    def statement_total():
        return jsonify(statements=statements.total())

    csrf.exempt(bare)  # like the merchant API, which InPost signs instead
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", statements.count)
    if statements.directory is not None:
        statements.start_flushing()
    return app


def prepare() -> None:
    app = shop_app()
    with app.app_context():
        ensure_database()
        db.engine.dispose()


def serve(port: int) -> None:
    from werkzeug.serving import make_server

    app = bench_app()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare()
    else:
        serve(int(sys.argv[2]))
