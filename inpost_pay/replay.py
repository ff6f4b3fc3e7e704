"""A signed call is accepted once (docs/security.md "Replay").

InPost's signature covers the body, the key version and the timestamp, but neither the
method nor the path: an empty-body signature taken from one `GET /v1/izi/basket/{id}`
would verify on a `DELETE .../binding` of another basket, and any call verifies again
for as long as its timestamp is within the 240 s window. So each verified signature is
recorded (its SHA-256) in the database, unique, until its window closes; a second use is
refused, in this process or any other sharing the database (SQLite or PostgreSQL).

The record is written in the transaction of the call it admits (`claim_for_request`): one
transaction per call instead of two. A second use arriving meanwhile waits for the first
call's transaction (SQLite's write lock, PostgreSQL's unique index) and is refused once it
commits. A call whose transaction does not commit (an error answer: nothing of it is
written) records its signature on its own afterwards (`settle`), so it is refused again too.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import UTC, datetime

from flask import g, has_request_context
from sqlalchemy import String, delete, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import db
from .models import Base, UTCDateTime
from .shop import current_shop
from .signature import MAX_CLOCK_SKEW

log = logging.getLogger(__name__)

PRUNE_EVERY = 60.0  # seconds between deletions of expired rows, per process

_pruned_at = 0.0
_prune_lock = threading.Lock()


class UsedSignature(Base):
    """A signature already accepted; its row may go once `expires_at` has passed."""

    __tablename__ = "inpost_used_signature"

    signature_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


_INSERT = UsedSignature.__table__.insert()


def claim(signature_b64: str, signed_at: datetime, now: datetime | None = None) -> bool:
    """Record a verified signature in a transaction of its own; False when it was used before."""
    if not _insert(signature_b64, signed_at, now):
        return False
    db.session.commit()
    return True


def claim_for_request(signature_b64: str, signed_at: datetime) -> bool:
    """Record a verified signature in the transaction the call's handler goes on with (and
    commits); False when it was used before (a replay). `settle` must run after the handler."""
    if not _insert(signature_b64, signed_at, None):
        return False
    g.inpost_claim = _Pending(signature_b64, signed_at)
    return True


def settle() -> None:
    """After the handler: a signature whose record did not commit with the call (the call was
    refused and rolled back, or wrote nothing and never committed) is recorded now, alone."""
    pending = g.pop("inpost_claim", None)
    if pending is None or (pending.committed and not pending.lost):
        return
    db.session.rollback()  # whatever the handler left open was not meant to be kept
    if not claim(pending.signature_b64, pending.signed_at):
        log.warning("a signature was used again while its first call was answered")


class _Pending:
    """A claim written in the request's transaction, until that transaction ends."""

    __slots__ = ("signature_b64", "signed_at", "committed", "lost")

    def __init__(self, signature_b64: str, signed_at: datetime):
        self.signature_b64, self.signed_at = signature_b64, signed_at
        self.committed = self.lost = False


@event.listens_for(Session, "after_commit")
def _committed(_session) -> None:
    pending = g.get("inpost_claim") if has_request_context() else None
    if pending is not None:
        pending.committed = True


@event.listens_for(Session, "after_rollback")
def _rolled_back(_session) -> None:
    pending = g.get("inpost_claim") if has_request_context() else None
    if pending is not None and not pending.committed:
        pending.lost = True  # a later commit of the request does not bring it back


def _insert(signature_b64: str, signed_at: datetime, now: datetime | None) -> bool:
    now = now or datetime.now(UTC)
    current_shop().begin_write()  # also on InPost's GETs: this is a write (SQLite's write lock first)
    _prune(now)
    digest = hashlib.sha256(signature_b64.strip().encode("ascii", "replace")).hexdigest()
    try:  # a Core insert of the table, made once: no unit of work, no statement to build per call
        db.session.execute(_INSERT, {"signature_sha256": digest, "expires_at": signed_at + MAX_CLOCK_SKEW})
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _prune(now: datetime) -> None:
    """Delete the rows whose window has closed, at most once per PRUNE_EVERY in this process."""
    global _pruned_at
    with _prune_lock:
        if time.monotonic() - _pruned_at < PRUNE_EVERY:
            return
        _pruned_at = time.monotonic()
    db.session.execute(delete(UsedSignature).where(UsedSignature.expires_at < now))
