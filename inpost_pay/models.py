"""What the integration remembers beside the shop's own tables.

- `InPostBasket`: a shop basket's life at InPost — binding, the customer InPost
  told us about, and the exact basket JSON we last sent or returned (InPost
  compares it with `GET /v1/izi/basket/{id}` before an order: docs/architecture.md#the-flows).
- `InPostEvent`: every event InPost sent us, unique by `event_id`, with the
  answer we gave, so a repeat gets the first answer (docs/architecture.md#rules "Idempotency").
- `InPostCall`: the conversation log, one row per inbound or outbound call.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timestamps in UTC, returned timezone-aware (SQLite keeps none)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The integration's own tables, apart from the shop's: they name shop objects by id only.
    Created by `inpost_pay.create_tables(engine)`; the shop's `db.session` reaches them through its
    default engine."""

    metadata = MetaData()


class InPostBasket(Base):
    __tablename__ = "inpost_basket"

    basket_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the shop's basket id
    # unbound | bound | rejected ; "bound" is Synchronization of a basket and an order (UC.04)'s basket_linked=true
    binding_status: Mapped[str] = mapped_column(String(20), default="unbound")
    inpost_basket_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    phone_prefix: Mapped[str | None] = mapped_column(String(6), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    masked_phone_number: Mapped[str | None] = mapped_column(String(30), nullable=True)
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    surname: Mapped[str | None] = mapped_column(String(120), nullable=True)
    browser_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    browser_trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The shop session that owns the basket, so the order InPost places is visible to it.
    owner_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The exact JSON text last sent to or returned to InPost, served by GET basket.
    last_basket_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_basket_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The basket version that JSON was built from: a newer shop change means a PUT is due.
    last_basket_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_bound(self) -> bool:
        return self.binding_status == "bound"


class InPostEvent(Base):
    """An event from InPost, applied once: the idempotency key is the event_id scoped by
    kind and target, so an order event reusing a basket event's id is still applied."""

    __tablename__ = "inpost_event"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "event_id", name="uq_inpost_event_kind_subject_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # basket | order
    subject_id: Mapped[str] = mapped_column(String(64), index=True)  # basket_id or order_id
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the raw body as received
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InPostCall(Base):
    """One line of the conversation with InPost, shown in the back office (docs/architecture.md#rules "Logs")."""

    __tablename__ = "inpost_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    direction: Mapped[str] = mapped_column(String(10))  # calllog.INBOUND | calllog.OUTBOUND
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    basket_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verification: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_body: Mapped[str | None] = mapped_column(Text, nullable=True)  # phone numbers masked
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)
