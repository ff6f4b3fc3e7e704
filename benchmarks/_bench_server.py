"""The shop as the benchmarks serve it: a subprocess on loopback, so its memory can be read.

Usage (by event_throughput.py): python benchmarks/_bench_server.py PORT DB_PATH PUBLIC_KEY_B64
Adds one bare JSON route, /bench/bare, as the baseline the merchant API is measured against.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import jsonify  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402
from inpost_pay.signing_keys import SigningKeyCache  # noqa: E402
from storefront.seed import ensure_database  # noqa: E402

MERCHANT_EXTERNAL_ID = "bench-merchant"


def main() -> None:
    port, db_path, public_key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "INPOST_PAY_OUTBOX_WORKER": False}
    )
    entry = {"public_key_base64": public_key, "version": "1"}
    # The keys InPost would publish at GET /v1/izi/signing-keys/public, given directly.
    app.extensions["inpost_pay"].signing_keys = SigningKeyCache(
        lambda: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [entry]},
        lambda v: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_key": entry},
    )

    @app.post("/bench/bare")
    def bare():
        return jsonify(ok=True)

    from storefront.extensions import csrf

    csrf.exempt(bare)  # like the merchant API, which InPost signs instead

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        ensure_database()
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
