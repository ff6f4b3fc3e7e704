"""The merchant's InPost Pay integration, server side (DESIGN.md §1).

`init_app(app)` is all a Flask shop calls: it builds the API client and the
signing-key cache, mounts the merchant API (`/v1/izi/...`, signed, CSRF-exempt),
subscribes to the shop's signals (`sync.py` for baskets, `order_sync.py` for the
merchant's order changes), mounts the back-office console (`console.py`) and the
durable outbox with its worker (`outbox.py`, `flask outbox-worker`). An
integrator lifting this package into another shop replaces only the signal hooks
and the mapping's model readers.

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
from .signing_keys import SigningKeyCache


@dataclass
class InPostPay:
    """What the integration keeps per app: `app.extensions["inpost_pay"]`."""

    client: InPostClient
    signing_keys: SigningKeyCache
    #: Set after a commit that added outbox messages: the worker wakes at once.
    outbox_wake: threading.Event = field(default_factory=threading.Event)
    worker: object | None = None  # outbox.Worker, once started


def init_app(app: Flask) -> InPostPay:
    from storefront.extensions import csrf

    from . import console, merchant_api, models, order_sync, outbox, sync  # noqa: F401  (tables join the metadata)

    app.config.setdefault("INPOST_PAY_OUTBOX_WORKER", not app.testing)
    client = InPostClient.from_config(app.config)
    state = InPostPay(client=client, signing_keys=SigningKeyCache(client.get_signing_keys, client.get_signing_key))
    app.extensions["inpost_pay"] = state
    csrf.exempt(merchant_api.bp)  # InPost signs its calls instead (DESIGN.md §4 "Security")
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
