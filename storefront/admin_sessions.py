"""Back-office sessions kept on the server, so that logout really ends one
(docs/security.md "Back office").

Flask's session is a signed cookie: on its own, a copied cookie would keep working after
logout. The cookie therefore carries only a random token; the database keeps its SHA-256
with when the session began, was last used and was ended. A session is valid while it is
not ended, younger than ADMIN_SESSION_HOURS (8) and used within ADMIN_SESSION_IDLE_MINUTES
(120). Any process sharing the database sees a logout at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .models import UTCDateTime, utcnow

SESSION_KEY = "admin_session"
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


class AdminSession(db.Model):
    __tablename__ = "admin_session"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def _digest(token: object) -> str | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def start() -> None:
    """A new back-office session for this browser (after the password was right)."""
    token = secrets.token_urlsafe(32)
    db.session.add(AdminSession(token_sha256=_digest(token)))
    db.session.commit()
    session[SESSION_KEY] = token


def is_valid() -> bool:
    """Whether this browser's back-office session is still open (touches last_seen_at)."""
    digest = _digest(session.get(SESSION_KEY))
    row = db.session.get(AdminSession, digest) if digest else None
    if row is None or row.ended_at is not None:
        return False
    now = utcnow()
    config = current_app.config
    if now - row.started_at > timedelta(hours=config["ADMIN_SESSION_HOURS"]) or now - row.last_seen_at > timedelta(
        minutes=config["ADMIN_SESSION_IDLE_MINUTES"]
    ):
        return False
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return True


def end() -> None:
    """Logout: the session ends in the database, so a copy of the cookie is worthless too."""
    digest = _digest(session.pop(SESSION_KEY, None))
    row = db.session.get(AdminSession, digest) if digest else None
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.session.commit()
