"""A signed call is accepted once (docs/security.md "Replay").

InPost's signature covers the body, the key version and the timestamp, but neither the
method nor the path: an empty-body signature taken from one `GET /v1/izi/basket/{id}`
would verify on a `DELETE .../binding` of another basket, and any call verifies again
for as long as its timestamp is within the 240 s window. So each verified signature is
recorded (its SHA-256) in the database, unique, until its window closes; a second use is
refused, in this process or any other sharing the database (SQLite or PostgreSQL).
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import String, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .database import db
from .models import Base, UTCDateTime
from .shop import current_shop
from .signature import MAX_CLOCK_SKEW

PRUNE_EVERY = 60.0  # seconds between deletions of expired rows, per process

_pruned_at = 0.0
_prune_lock = threading.Lock()


class UsedSignature(Base):
    """A signature already accepted; its row may go once `expires_at` has passed."""

    __tablename__ = "inpost_used_signature"

    signature_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def claim(signature_b64: str, signed_at: datetime, now: datetime | None = None) -> bool:
    """Record a verified signature; False when it was used before (a replay).

    Commits on its own, before the handler runs: a replay must be refused even when the
    first call is still being handled, and a handler's rollback must not free it again.
    """
    now = now or datetime.now(UTC)
    current_shop().begin_write()  # also on InPost's GETs: this is a write (SQLite's write lock first)
    _prune(now)
    digest = hashlib.sha256(signature_b64.strip().encode("ascii", "replace")).hexdigest()
    try:  # a Core insert: no unit of work to flush for one row
        db.session.execute(insert(UsedSignature).values(signature_sha256=digest, expires_at=signed_at + MAX_CLOCK_SKEW))
        db.session.commit()
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
