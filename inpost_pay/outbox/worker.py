"""The outbox's worker: claim, send through a retry-less `InPostClient`, record; a thread of
the shop or the foreground of `flask outbox-worker`."""

from __future__ import annotations

import logging
import os
import socket
import threading
import weakref

from flask import Flask, current_app

from ..client import InPostClient
from ..database import db
from ..errors import InPostError, InPostNotFound
from .model import FORGET_BROWSER, ORDER_EVENT, UNBIND, Settings
from .queue import Claim, claim_next, record, seconds_until_next_due

log = logging.getLogger(__name__)


# Set while the worker sends, so the call log can show the body it sent (console.py).
_sending = threading.local()


def current_send() -> Claim | None:
    return getattr(_sending, "claim", None)


def send(claim: Claim, client: InPostClient):
    """One try at InPost. Returns InPost's answer; raises InPostError."""
    _sending.claim = claim
    try:
        if claim.kind == ORDER_EVENT:
            return client.send_order_event(claim.order_id, claim.body)
        if claim.kind == UNBIND:
            # A 404 (already unbound) is success there (pitfall 4).
            return client.delete_basket_binding(claim.basket_id, if_basket_realized=claim.body["if_basket_realized"])
        if claim.kind == FORGET_BROWSER:
            try:
                return client.delete_browser_binding(claim.body["browser_id"])
            except InPostNotFound:
                return None  # InPost no longer knows the browser: what we wanted
        raise ValueError(f"unknown outbox kind {claim.kind!r}")
    finally:
        _sending.claim = None


def process_one(worker_id: str, client: InPostClient, settings: Settings) -> str | None:
    """Claim, send and record one message. Returns its new status, or None when nothing was due."""
    claim = claim_next(worker_id, settings)
    if claim is None:
        return None
    answer, error = None, None
    try:
        answer = send(claim, client)
    except Exception as exc:  # InPostError, or a bug: either way it is recorded and retried/dead
        error = exc
        if not isinstance(exc, InPostError):
            log.exception("outbox message %s failed unexpectedly", claim.id)
    return record(claim, settings, answer=answer, error=error) or "lost"


def drain(worker_id: str, client: InPostClient, settings: Settings, limit: int = 1000) -> dict[str, int]:
    """Send everything due now. Returns how many messages ended in each state."""
    counts: dict[str, int] = {}
    for _ in range(limit):
        status = process_one(worker_id, client, settings)
        if status is None:
            break
        counts[status] = counts.get(status, 0) + 1
    return counts


# --- the worker -------------------------------------------------------------------------------


def worker_client(config) -> InPostClient:
    """A client of its own with no retries inside: the outbox's backoff is the retry policy."""
    return InPostClient.from_config(config, backoff=())


def default_worker_id(name: str = "worker") -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{name}"


class Worker:
    """Sends the outbox: wakes every `interval` seconds, or at once when `enqueue` committed."""

    def __init__(self, app: Flask, interval: float | None = None, name: str = "worker"):
        # Weakly: an app that is gone (a test's server torn down) ends its worker.
        self._app = weakref.ref(app)
        self.settings = Settings.from_config(app.config)
        self.interval = self.settings.interval if interval is None else interval
        self.worker_id = default_worker_id(name)
        self.client = worker_client(app.config)
        state = app.extensions.get("inpost_pay")
        self.wake = getattr(state, "outbox_wake", None) or threading.Event()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> Worker:
        if self.thread is None or not self.thread.is_alive():
            self._stop.clear()
            self.thread = threading.Thread(target=self.run, name=f"inpost-outbox-{self.worker_id}", daemon=True)
            self.thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self.wake.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def run(self) -> None:
        """The loop (a thread's target, or the foreground of `flask outbox-worker`)."""
        log.info("outbox worker %s started", self.worker_id)
        while not self._stop.is_set():
            self.wake.clear()  # before draining: a commit during the drain wakes the next round
            wait = self.interval
            app = self._app()
            if app is None:
                break
            try:
                with app.app_context():
                    try:
                        self.step()
                        due = seconds_until_next_due()
                        if due is not None:
                            wait = min(wait, due)
                    finally:
                        db.session.remove()
            except Exception:  # the database went away for a moment: try again later
                log.exception("outbox worker %s: round failed", self.worker_id)
            del app
            self.wake.wait(max(wait, 0.01))
        log.info("outbox worker %s stopped", self.worker_id)

    @property
    def app(self) -> Flask | None:
        return self._app()

    def step(self) -> dict[str, int]:
        """One round inside an app context: send what is due, keep the call log."""
        counts = drain(self.worker_id, self.client, self.settings)
        recorder = current_app.extensions.get("inpost_pay_calls")
        if recorder is not None:
            recorder.flush()
        return counts


_start_lock = threading.Lock()


def start_worker(app: Flask) -> Worker | None:
    """Start the app's background worker once (unless `INPOST_PAY_OUTBOX_WORKER` is off)."""
    state = app.extensions["inpost_pay"]
    if not app.config.get("INPOST_PAY_OUTBOX_WORKER"):
        return None
    with _start_lock:
        if state.worker is None:
            state.worker = Worker(app)
        if not state.worker.running:
            state.worker.start()
    return state.worker
