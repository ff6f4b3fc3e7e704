"""The minimal shop with InPost Pay: the same settings as the demo shop (config.py, `.env`),
its own database (instance/minimal_shop.db unless DATABASE_URL is set).

Run: `make run-minimal` (the sandbox beside it), or `python -m examples.minimal_shop.app`.
"""

from __future__ import annotations

import logging
import os

from flask import Flask

import config as settings
import inpost_pay
import widget

from . import adapter, shop


def create_app(config: dict | None = None) -> Flask:
    conf = settings.load()
    if not os.environ.get("DATABASE_URL"):
        conf["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{settings.INSTANCE / 'minimal_shop.db'}"
    app = shop.create_app({**conf, **(config or {})})
    settings.check(app.config)
    # The integration: the seam's implementation, the database, then the browser side.
    inpost_pay.init_app(app, shop=adapter.MinimalShop(), db=shop.db)
    widget.init_app(app)
    adapter.connect(app)
    return app


def ensure_database(app: Flask) -> None:
    with app.app_context():
        shop.create_tables()
        inpost_pay.create_tables(shop.db.engine)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    ensure_database(app)
    inpost_pay.start_worker(app)
    port = app.config["SHOP_PORT"]
    app.logger.info("Minimal shop on http://127.0.0.1:%s", port)
    widget.socketio_of(app).run(app, host="127.0.0.1", port=port, use_reloader=False, log_output=False,
                                allow_unsafe_werkzeug=True)  # fmt: skip


if __name__ == "__main__":
    main()
