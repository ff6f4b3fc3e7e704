"""The outbox's queue: enqueue inside the caller's transaction, claim one due message in
order, record a try's outcome, and the merchant's retry or discard of a dead one."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, event, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..client import encode_json
from ..database import db
from ..errors import InPostError, InPostUnavailable
from ..models import utcnow
from .model import (
    BLOCKING,
    DEAD,
    DISCARDED,
    FORGET_BROWSER,
    KINDS,
    PENDING,
    SENDING,
    SENT,
    UNBIND,
    OutboxMessage,
    Settings,
    backoff_delay,
)

log = logging.getLogger(__name__)

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
    (docs/inpost-pay-api.md §5.3, pitfall 9), so the app drops it. The shop forgets the binding now, in the
    caller's transaction; the call to InPost follows through the outbox. Nothing when the
    basket is not bound."""
    from ..models import InPostBasket

    state = db.session.get(InPostBasket, basket_id)
    if state is None or not state.is_bound:
        return None
    state.binding_status = "unbound"
    return enqueue(UNBIND, f"basket:{basket_id}", {"if_basket_realized": bool(if_basket_realized)}, basket_id=basket_id)


def enqueue_forget_browser(browser_id: str) -> OutboxMessage:
    """The shopper asked to forget this trusted browser: `DELETE /v1/izi/browser/{id}/binding`
    (docs/inpost-pay-api.md §5.13)."""
    if not browser_id:
        raise ValueError("browser_id is empty")
    return enqueue(FORGET_BROWSER, f"browser:{browser_id}", {"browser_id": browser_id})


# --- claim and record ------------------------------------------------------------------------


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
        # Two workers never wait on, or take, the same row (docs/architecture.md#rules "Concurrency").
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


def iso_now() -> str:
    """`event_data_time`: ISO-8601 UTC with milliseconds and `Z`, as InPost writes it (docs/inpost-pay-api.md §3.0)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
