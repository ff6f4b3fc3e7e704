"""The durable outbox: calls to InPost that must not be lost (DESIGN.md §3 step 8-9).

A merchant's change to an InPost Pay order (seed 004 "Order synchronization
initiated on the Merchant's store website") and the unbinding calls of
reference §5.3 / §5.13 are not made while the shop handles the change. They are
written here, as an `OutboxMessage` row in the *same* database transaction as the
change itself: the change and the promise to tell InPost commit together or not
at all. A worker then sends them:

1. claim   one due message in its own short transaction (status `sending`, a lease),
           then commit. No database transaction is held while InPost is called.
2. send    one HTTP try through `InPostClient` (built without its own retries:
           the outbox owns the retry policy, so `attempts` counts real tries).
3. record  the result in a new short transaction: `sent`; or back to `pending`
           with an exponential, jittered backoff when InPost is unavailable
           (timeout, connection error, 5xx, 429); or `dead` after
           `max_attempts`, or at once for an answer that repeating cannot change
           (400, 409 `STATUS_ORDER_ERROR`, ...). A dead message waits in the back
           office (console.py) for a merchant to retry or discard it.

Ordering: messages share an `ordering_key` (`order:<id>`, `basket:<id>`,
`browser:<id>`); one is sent only when no older message with its key is still
pending, sending or dead, so InPost sees an order's changes in the order the
merchant made them, and a dead one holds back its successors until a person
decides.

Several processes: a claim is exclusive. On PostgreSQL the candidate row is read
with `SELECT ... FOR UPDATE SKIP LOCKED`; on SQLite every transaction of the shop
starts with `BEGIN IMMEDIATE` (storefront/extensions.py), so the read-and-mark of
a claim runs alone. A worker that dies mid-send leaves a `sending` row whose lease
runs out; another worker takes it again. The repeat carries the same `event_id`
(made once, at enqueue time), which is what InPost dedupes on (reference §8.9).
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import Index, Integer, String, Text, and_, event, exists, func, or_, select
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from .client import InPostClient, encode_json
from .database import db
from .errors import InPostError, InPostNotFound, InPostUnavailable
from .models import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)

# --- the message ------------------------------------------------------------------------------

ORDER_EVENT, UNBIND, FORGET_BROWSER = "order_event", "unbind", "forget_browser"
KINDS = (ORDER_EVENT, UNBIND, FORGET_BROWSER)

PENDING, SENDING, SENT, DEAD, DISCARDED = "pending", "sending", "sent", "dead", "discarded"
STATUSES = (PENDING, SENDING, SENT, DEAD, DISCARDED)
#: An older message in one of these states holds back the newer ones of its key.
BLOCKING = (PENDING, SENDING, DEAD)


class OutboxMessage(Base):
    """One call to InPost the shop has promised to make."""

    __tablename__ = "inpost_outbox"
    __table_args__ = (
        Index("ix_inpost_outbox_due", "status", "next_attempt_at"),
        Index("ix_inpost_outbox_key", "ordering_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # order_event | unbind | forget_browser
    ordering_key: Mapped[str] = mapped_column(String(100))  # "order:42"
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    basket_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON; for an order event the whole body, event_id included
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def body(self) -> dict:
        return json.loads(self.payload)

    @property
    def event_id(self) -> str | None:
        return self.body.get("event_id") if self.kind == ORDER_EVENT else None


# --- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How hard the worker tries. Production defaults; tests pass tiny delays in the config."""

    interval: float = 1.0  # seconds between looks at the table when nobody wakes the worker
    backoff_base: float = 1.0  # first retry after ~1 s, then 2 s, 4 s, ...
    backoff_cap: float = 60.0
    jitter: float = 0.2  # +-20 %, so many shops recovering at once do not retry in step
    max_attempts: int = 8  # then dead: ~2 minutes of InPost being down with the defaults
    lease: float = 120.0  # a claim older than this belongs to a dead worker; longer than any call

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(
            interval=float(config.get("INPOST_PAY_OUTBOX_INTERVAL", cls.interval)),
            backoff_base=float(config.get("INPOST_PAY_OUTBOX_BACKOFF_BASE", cls.backoff_base)),
            backoff_cap=float(config.get("INPOST_PAY_OUTBOX_BACKOFF_CAP", cls.backoff_cap)),
            jitter=float(config.get("INPOST_PAY_OUTBOX_JITTER", cls.jitter)),
            max_attempts=int(config.get("INPOST_PAY_OUTBOX_MAX_ATTEMPTS", cls.max_attempts)),
            lease=float(config.get("INPOST_PAY_OUTBOX_LEASE", cls.lease)),
        )


def backoff_delay(attempts: int, settings: Settings, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait after the `attempts`-th failed try: base * 2^(attempts-1), +-jitter, capped."""
    raw = min(settings.backoff_cap, settings.backoff_base * 2 ** max(0, attempts - 1))
    return min(settings.backoff_cap, raw * (1 + settings.jitter * (2 * rng() - 1)))


# --- enqueue (inside the caller's transaction) ------------------------------------------------

_WAKE = "inpost_outbox_wake"


def enqueue(
    kind: str, ordering_key: str, body: dict, *, order_id: str | None = None, basket_id: str | None = None
) -> OutboxMessage:
    """Add a message to the current transaction; the caller commits (or rolls back: then it is gone).

    After the commit the app's worker is woken, so a change reaches InPost at once, not at
    the next poll.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown outbox kind {kind!r}")
    message = OutboxMessage(
        kind=kind,
        ordering_key=ordering_key,
        order_id=order_id,
        basket_id=basket_id,
        payload=encode_json(body).decode("utf-8"),
        status=PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    db.session.add(message)
    state = current_app.extensions.get("inpost_pay")
    wake = getattr(state, "outbox_wake", None)
    if wake is not None:
        db.session.info[_WAKE] = wake
    return message


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    wake = session.info.pop(_WAKE, None)
    if wake is not None:
        wake.set()


@event.listens_for(Session, "after_rollback")
def _forget_wake(session: Session) -> None:
    session.info.pop(_WAKE, None)


def enqueue_unbind(basket_id: str, if_basket_realized: bool = True) -> OutboxMessage | None:
    """A bound basket was bought on the website: unlink it at InPost with `if_basket_realized`
    (reference §5.3, pitfall 9), so the app drops it. The shop forgets the binding now, in the
    caller's transaction; the call to InPost follows through the outbox. Nothing when the
    basket is not bound."""
    from .models import InPostBasket

    state = db.session.get(InPostBasket, basket_id)
    if state is None or not state.is_bound:
        return None
    state.binding_status = "unbound"
    return enqueue(UNBIND, f"basket:{basket_id}", {"if_basket_realized": bool(if_basket_realized)}, basket_id=basket_id)


def enqueue_forget_browser(browser_id: str) -> OutboxMessage:
    """The shopper asked to forget this trusted browser: `DELETE /v1/izi/browser/{id}/binding`
    (reference §5.13)."""
    if not browser_id:
        raise ValueError("browser_id is empty")
    return enqueue(FORGET_BROWSER, f"browser:{browser_id}", {"browser_id": browser_id})


# --- claim, send, record ----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What a worker holds while it calls InPost (plain values: no session is open meanwhile)."""

    id: int
    kind: str
    order_id: str | None
    basket_id: str | None
    body: dict
    attempts: int
    token: str


def claim_next(worker_id: str, settings: Settings, now: datetime | None = None) -> Claim | None:
    """Take the oldest due message whose key has nothing older outstanding, and commit the claim."""
    now = now or utcnow()
    older = aliased(OutboxMessage)
    held_back = exists().where(
        older.ordering_key == OutboxMessage.ordering_key,
        older.id < OutboxMessage.id,
        older.status.in_(BLOCKING),
    )
    due = or_(
        and_(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now),
        # A claim whose lease ran out: its worker died mid-send (the same event_id goes again).
        and_(OutboxMessage.status == SENDING, OutboxMessage.claim_expires_at < now),
    )
    query = select(OutboxMessage).where(due, ~held_back).order_by(OutboxMessage.id).limit(1)
    if db.session.get_bind().dialect.name == "postgresql":
        # Two workers never wait on, or take, the same row (DESIGN.md §4 "Concurrency").
        query = query.with_for_update(skip_locked=True, of=OutboxMessage)
    try:
        message = db.session.scalars(query).first()
        if message is None:
            db.session.commit()
            return None
        token = f"{worker_id}/{uuid.uuid4().hex[:8]}"
        message.status = SENDING
        message.claimed_by = token
        message.claim_expires_at = now + timedelta(seconds=settings.lease)
        claim = Claim(
            message.id, message.kind, message.order_id, message.basket_id, message.body, message.attempts, token
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return claim


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


def record(
    claim: Claim,
    settings: Settings,
    *,
    answer: object = None,
    error: Exception | None = None,
    rng: Callable[[], float] = random.random,
) -> str | None:
    """Store the outcome of one try; returns the message's new status (None if the claim was lost)."""
    try:
        message = db.session.get(OutboxMessage, claim.id, with_for_update=True, populate_existing=True)
        if message is None or message.status != SENDING or message.claimed_by != claim.token:
            # Our lease ran out and another worker took the message: its outcome counts.
            log.warning("outbox message %s: claim %s lost before its result was stored", claim.id, claim.token)
            db.session.rollback()
            return None
        now = utcnow()
        message.attempts += 1
        message.claim_expires_at = None  # claimed_by stays: who tried last (shown in the console)
        if error is None:
            message.status = SENT
            message.sent_at = now
            message.last_error = None
            message.last_response = None if answer is None else encode_json(answer).decode("utf-8")[:4000]
        else:
            message.last_error = describe(error)[:2000]
            retryable = isinstance(error, InPostUnavailable) or not isinstance(error, InPostError)
            if retryable and message.attempts < settings.max_attempts:
                message.status = PENDING
                message.next_attempt_at = now + timedelta(seconds=backoff_delay(message.attempts, settings, rng))
            else:
                message.status = DEAD
        status = message.status
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    if status == DEAD:
        log.error("outbox message %s is dead after %s attempt(s): %s", claim.id, claim.attempts + 1, describe(error))
    return status


def describe(error: Exception | None) -> str:
    if error is None:
        return ""
    if isinstance(error, InPostError):
        status = error.status if error.status is not None else "no answer"
        return f"{status} {error.error_code}: {error.error_message}"
    return f"{type(error).__name__}: {error}"


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


def seconds_until_next_due(now: datetime | None = None) -> float | None:
    """When the next pending message (or expiring lease) falls due; None when nothing waits."""
    now = now or utcnow()
    pending = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == PENDING))
    leased = db.session.scalar(select(func.min(OutboxMessage.claim_expires_at)).where(OutboxMessage.status == SENDING))
    db.session.commit()
    times = [t for t in (pending, leased) if t is not None]
    if not times:
        return None
    return max(0.0, (min(times) - now).total_seconds())


# --- the merchant's hand on a dead message ----------------------------------------------------


class OutboxError(ValueError):
    """A back-office action that does not apply; `message` is readable by a merchant."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def retry(message_id: int) -> OutboxMessage:
    """Send a dead message again (same body, same event_id), from a fresh attempt count."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise OutboxError("Nie ma takiej wiadomości.")
    if message.status != DEAD:
        raise OutboxError("Ponowić można tylko wiadomość, której nie udało się wysłać.")
    message.status = PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    state = current_app.extensions.get("inpost_pay")
    if getattr(state, "outbox_wake", None) is not None:
        db.session.info[_WAKE] = state.outbox_wake
    return message


def discard(message_id: int) -> OutboxMessage:
    """Give up on a dead message: InPost never gets it, and the messages behind it may go."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise OutboxError("Nie ma takiej wiadomości.")
    if message.status != DEAD:
        raise OutboxError("Odrzucić można tylko wiadomość, której nie udało się wysłać.")
    message.status = DISCARDED
    state = current_app.extensions.get("inpost_pay")
    if getattr(state, "outbox_wake", None) is not None:
        db.session.info[_WAKE] = state.outbox_wake
    return message


def blocked_ids(messages: list[OutboxMessage]) -> set[int]:
    """Of `messages`, the pending ones held back by an older outstanding message of their key."""
    older = aliased(OutboxMessage)
    ids = [m.id for m in messages if m.status == PENDING]
    if not ids:
        return set()
    query = select(OutboxMessage.id).where(
        OutboxMessage.id.in_(ids),
        exists().where(
            older.ordering_key == OutboxMessage.ordering_key, older.id < OutboxMessage.id, older.status.in_(BLOCKING)
        ),
    )
    return set(db.session.scalars(query))


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


def iso_now() -> str:
    """`event_data_time`: ISO-8601 UTC with milliseconds and `Z`, as InPost writes it (reference §3.0)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
