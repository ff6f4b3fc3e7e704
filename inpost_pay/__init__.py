"""The merchant's InPost Pay integration, server side (docs/architecture.md).

`init_app(app, shop=..., db=...)` is all a Flask shop calls: `shop` is the shop's
implementation of the seam (`inpost_pay.shop.Shop`, see docs/integrating.md), `db` its
Flask-SQLAlchemy handle (the integration's own tables, `inpost_pay.models.Base`, live in the
same database and session). It builds the API client and the signing-key cache, mounts the
merchant API (`/v1/izi/...`, signed, CSRF-exempt), subscribes to the seam's signals (`sync.py`
for baskets, `order_sync.py` for the merchant's order changes), mounts the back-office console
(`console.py`) and the durable outbox with its worker (`outbox/`, `flask outbox-worker`).

The outbox worker runs as a thread of the web server when
`INPOST_PAY_OUTBOX_WORKER` is on (the default, except in tests): it starts with
the first request the server handles, or at once through `start_worker(app)`
(app.py does so). CLI commands never start it; `flask --app app outbox-worker`
runs one in the foreground, and any number of processes may run one at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from dataclasses import dataclass, field

import click
from flask import Flask

from .client import InPostClient
from .shop import Shop
from .signing_keys import SigningKeyCache

__all__ = ["InPostPay", "create_tables", "init_app", "start_worker", "stop_worker"]

#: InPost calls made while a shopper waits on a shop page (the basket PUT after add-to-basket):
#: (connect, read) seconds, and no retry. A hung InPost costs the shopper at most this, not the
#: background client's retries.
REQUEST_TIMEOUT = (1.0, 3.0)


@dataclass
class InPostPay:
    """What the integration keeps per app: `app.extensions["inpost_pay"]`."""

    client: InPostClient
    signing_keys: SigningKeyCache
    shop: Shop
    db: object  # the shop's Flask-SQLAlchemy handle: `db.session`, `db.engine`
    #: The client for calls made during a shopper's request: short timeouts, no retries.
    request_client: InPostClient
    #: Set after a commit that added outbox messages: the worker wakes at once.
    outbox_wake: threading.Event = field(default_factory=threading.Event)
    worker: object | None = None  # outbox.Worker, once started


def create_tables(engine) -> None:
    """Create the integration's missing tables in the shop's database, beside the shop's own (a
    shop without migrations; otherwise run the integration's chain, `inpost_pay/migrations`)."""
    from . import models, outbox, replay  # noqa: F401  (every table joins models.Base.metadata)

    models.Base.metadata.create_all(engine)


def init_app(app: Flask, *, shop: Shop, db) -> InPostPay:
    """Mount the integration on `app` for `shop` (a `Shop`), using the shop's database `db`."""
    from . import console, merchant_api, models, order_sync, outbox, sync  # noqa: F401  (tables join the metadata)

    if not isinstance(shop, Shop):
        raise TypeError(f"shop must implement inpost_pay.shop.Shop; {type(shop).__name__} does not")
    app.config.setdefault("INPOST_PAY_OUTBOX_WORKER", not app.testing)
    client = InPostClient.from_config(app.config)
    state = InPostPay(
        client=client,
        signing_keys=SigningKeyCache(client.get_signing_keys, client.get_signing_key),
        shop=shop,
        db=db,
        request_client=InPostClient.from_config(app.config, timeout=REQUEST_TIMEOUT, backoff=()),
    )
    app.extensions["inpost_pay"] = state
    exempt_from_csrf(app, merchant_api.bp)
    app.register_blueprint(merchant_api.bp)
    sync.register(app)
    order_sync.register(app)
    console.register(app)
    register_cli(app)
    if app.config["INPOST_PAY_OUTBOX_WORKER"]:

        @app.before_request
        def _start_outbox_worker():
            if state.worker is None or not state.worker.running:
                outbox.start_worker(app)

    return state


def exempt_from_csrf(app: Flask, blueprint) -> None:
    """InPost signs its calls instead of sending a CSRF token (docs/architecture.md, "Rules"):
    exempt them from the app's Flask-WTF CSRFProtect, if it has one."""
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blueprint)


def start_worker(app: Flask):
    """Start the app's outbox worker thread now (if `INPOST_PAY_OUTBOX_WORKER` is on)."""
    from . import outbox

    return outbox.start_worker(app)


def stop_worker(app: Flask) -> None:
    state = app.extensions["inpost_pay"]
    if state.worker is not None:
        state.worker.stop()


def register_cli(app: Flask) -> None:
    from . import outbox

    @app.cli.command("inpost-pay-cancel-unpaid")
    @click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Cancel orders unpaid for longer than this (default INPOST_PAY_UNPAID_ORDER_HOURS).")
    def cancel_unpaid(hours: float | None):
        """Cancel InPost Pay orders whose payment never succeeded; InPost hears ORDER_REJECTED."""
        from .unpaid_orders import cancel_unpaid_orders

        hours = hours or app.config.get("INPOST_PAY_UNPAID_ORDER_HOURS", 24.0)
        numbers = cancel_unpaid_orders(hours)
        click.echo(f"cancelled {len(numbers)} order(s) unpaid for over {hours:g} h" + (": " + ", ".join(numbers) if numbers else ""))

    @app.cli.command("outbox-worker")
    @click.option("--once", is_flag=True, help="Send what is due now, then exit.")
    @click.option("--interval", type=float, default=None, help="Seconds between looks at the outbox.")
    def outbox_worker(once: bool, interval: float | None):
        """Send the InPost Pay outbox (order events, unbinding) with retries; Ctrl+C stops."""
        worker = outbox.Worker(app, interval=interval, name="cli")
        if once:
            counts = worker.step()
            click.echo("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"))
            return
        signal.signal(signal.SIGTERM, lambda *_: worker.stop(timeout=0))
        click.echo(f"outbox worker {worker.worker_id}: every {worker.interval} s; Ctrl+C stops")
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stop quietly
            worker.run()
