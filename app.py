"""The demo shop with InPost Pay: the application factory.

`create_app` wires the shop (`storefront/`) and the InPost Pay integration
(`inpost_pay/`, `widget/`) together, through the shop's implementation of the
integration's seam (`shop_adapter.py`). The InPost stand-in
(`sandbox/`) is a separate application on its own port; see `sandbox/app.py`.

Run: `make run` (gunicorn through `wsgi.py`, README "Deploy"); for development
`flask --app app run --debug` or `python app.py` (Werkzeug's development server).
"""

from __future__ import annotations

import logging

from flask import Flask

import config as settings
import schema
import serving
from storefront import catalogue, logmask
from storefront import cli as shop_cli
from storefront import errors as shop_errors
from storefront import views as shop_views
from storefront.extensions import configure_sqlite, csrf, db, limiter
from storefront.templating import register_template_helpers


def create_app(config: dict | None = None, *, integration: bool = True) -> Flask:
    """Build the shop. `config` overrides the environment (tests pass a mapping); without
    `integration` the shop runs alone (its pages' slots stay empty)."""
    app = Flask(__name__, instance_path=str(settings.INSTANCE))
    app.config.update(settings.load())
    if config:
        app.config.update(config)
    settings.check(app.config)
    settings.ensure_sqlite_directory(app.config["SQLALCHEMY_DATABASE_URI"])
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    if integration:
        register_integration(app)
    register_template_helpers(app)
    shop_errors.register(app)
    shop_cli.register(app)
    schema.register(app)
    serving.init_app(app)  # last: it wraps everything mounted above
    return app


def configure_logging(app: Flask) -> None:
    logmask.install()  # tokens masked in every log line, the access log included
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        catalogue.watch(db.engine)


def register_blueprints(app: Flask) -> None:
    shop_views.register(app)


def register_integration(app: Flask) -> None:
    """InPost Pay: the merchant API, the API client and the hooks on the seam's signals (inpost_pay),
    then the browser side: the izi* endpoints, the /izi socket and the widget's slots (widget).
    `shop_adapter` is the shop's side of the seam and forwards the shop's signals."""
    import inpost_pay
    import shop_adapter
    import widget

    inpost_pay.init_app(app, shop=shop_adapter.DemoShop(), db=db)
    widget.init_app(app)
    shop_adapter.connect(app)


def main() -> None:
    import inpost_pay
    import widget
    from storefront.seed import seed_if_empty

    app = create_app()
    with app.app_context():
        schema.upgrade_all()  # both migration chains to head, as `make run` does
        seed_if_empty()
    # Events left in the outbox by the last run go out now, not at the first request.
    inpost_pay.start_worker(app)
    port = app.config["SHOP_PORT"]
    app.logger.info("Shop on http://127.0.0.1:%s", port)
    # Socket.IO's server in threading mode: the threaded Werkzeug server, WebSocket included
    # (simple-websocket); pushes cross processes through SOCKETIO_MESSAGE_QUEUE when set.
    widget.socketio_of(app).run(
        app, host="127.0.0.1", port=port, use_reloader=False, log_output=False, allow_unsafe_werkzeug=True
    )


if __name__ == "__main__":
    main()
