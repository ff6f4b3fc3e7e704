"""The shop as the benchmarks serve it: a subprocess on loopback, so its memory can be read.

Usage (by the benchmarks): python benchmarks/_bench_server.py PORT DATABASE PUBLIC_KEY_B64 [SCHEMA]
DATABASE is an SQLite file path or a PostgreSQL URL (SCHEMA: the schema of its own to use).
Adds the bare JSON routes the shop's routes are measured against (POST and GET /bench/bare)
and GET /bench/statements, the number of SQL statements the server has run so far.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from pathlib import Path

# BENCH_APP_ROOT: serve the shop of another checkout (e.g. an export of main, for "before").
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))

from flask import jsonify  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from inpost_pay.signing_keys import SigningKeyCache  # noqa: E402
from storefront.extensions import csrf, db  # noqa: E402
from storefront.seed import ensure_database  # noqa: E402

MERCHANT_EXTERNAL_ID = "bench-merchant"


def database_config(database: str, schema: str | None) -> dict:
    if "://" not in database:
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    config = {"SQLALCHEMY_DATABASE_URI": database, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 30}}
    if schema:
        config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"options": f"-csearch_path={schema}"}
    return config


def main() -> None:
    port, database, public_key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    schema = sys.argv[4] if len(sys.argv) > 4 else None
    app = create_app({"SECRET_KEY": "bench", "INPOST_PAY_OUTBOX_WORKER": False, **database_config(database, schema)})
    entry = {"public_key_base64": public_key, "version": "1"}
    # The keys InPost would publish at GET /v1/izi/signing-keys/public, given directly.
    app.extensions["inpost_pay"].signing_keys = SigningKeyCache(
        lambda: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [entry]},
        lambda v: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_key": entry},
    )
    counter = itertools.count()  # next() is atomic under the GIL
    seen = [0]

    @app.route("/bench/bare", methods=["GET", "POST"])
    def bare():
        return jsonify(ok=True)

    @app.get("/bench/statements")
    def statements():
        return jsonify(statements=seen[0])

    csrf.exempt(bare)  # like the merchant API, which InPost signs instead

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        ensure_database()

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args):
            seen[0] = next(counter) + 1

    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
