"""The sandbox application factory: InPost Pay, emulated, on its own origin.

`create_sandbox_app(config)` is a short list of named steps; tests
pass a config mapping. Run it with `python -m sandbox` (127.0.0.1:SANDBOX_PORT).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from sandbox import api, api_v2, app_api, auth, cli, devtools, errors, log, widget_v2
from sandbox import settings as sandbox_settings
from sandbox.database import prepare  # noqa: F401  (tests and scripts/serve.py take it from here)
from sandbox.extensions import configure_sqlite, db
from sandbox.faults import FaultState
from sandbox.keys import KeyRing
from sandbox.merchant_client import MerchantClient

HERE = Path(__file__).resolve().parent
# Calls the conversation log records on the way in (the merchant calling InPost).
LOGGED_PREFIXES = ("/v1/izi/", "/v2/izi/", auth.TOKEN_PATH)


def create_sandbox_app(config: dict | None = None) -> Flask:
    """Build the sandbox. `config` overrides the environment (tests pass a mapping)."""
    app = Flask(
        __name__,
        static_folder=str(HERE / "static"),
        template_folder=str(HERE / "templates"),
        instance_path=str(sandbox_settings.INSTANCE),
    )
    app.config.update(sandbox_settings.load())
    if config:
        app.config.update(config)
    sandbox_settings.check(app.config)
    sandbox_settings.ensure_sqlite_directory(app.config["SQLALCHEMY_DATABASE_URI"])
    configure_logging()
    register_extensions(app)
    register_services(app)
    register_blueprints(app)
    register_conversation_log(app)
    errors.register(app)
    cli.register(app)
    return app


def configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def register_extensions(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:///:memory:"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)


def register_services(app: Flask) -> None:
    """Keys, the merchant client and the fault switches, reachable through app.extensions."""
    keyring = KeyRing(app.config["SANDBOX_KEYS_DIR"])
    app.extensions["sandbox_keys"] = keyring
    app.extensions["sandbox_merchant"] = MerchantClient(
        app.config["SANDBOX_MERCHANT_URL"], keyring, timeout=tuple(app.config["SANDBOX_MERCHANT_TIMEOUT"])
    )
    app.extensions["sandbox_faults"] = FaultState()


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_v2.bp)  # Widget 2.0: the binding key and the update-only PUT
    app.register_blueprint(widget_v2.bp)  # Widget 2.0: what the widget itself calls, and its script
    app.register_blueprint(app_api.bp)
    app.register_blueprint(devtools.bp)


def register_conversation_log(app: Flask) -> None:
    """One log entry per call the merchant makes to InPost (the outbound ones are
    logged by MerchantClient)."""

    def logged() -> bool:
        return request.path.startswith(LOGGED_PREFIXES)

    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()
        if logged():
            request.get_data(cache=True)  # keep the raw body for the log (form parsing reuses it)

    @app.after_request
    def _record(response):
        if logged():
            args = request.view_args or {}
            log.record(
                direction="inbound",
                method=request.method,
                path=request.full_path.rstrip("?"),
                status=response.status_code,
                duration_ms=(time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                basket_id=args.get("basket_id"),
                order_id=args.get("order_id"),
                signature="bearer ok" if g.get("client_id") else None,
                violations=g.get("contract_violations"),
                request_body=_raw_body(),
                response_body=response.get_data() if not response.direct_passthrough else None,
            )
        return response


def _raw_body() -> bytes | str:
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        return "(body over MAX_CONTENT_LENGTH, not read)"


# `flask --app sandbox.app <command>` looks for a factory named create_app.
create_app = create_sandbox_app
