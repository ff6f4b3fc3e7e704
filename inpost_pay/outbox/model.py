"""The outbox's table and its pace: one `OutboxMessage` row per call to InPost the shop has
promised to make, and the `Settings` the worker retries by (see the package's docstring)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base, UTCDateTime, utcnow

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
