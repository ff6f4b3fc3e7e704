"""What InPost remembers: tokens, baskets, binding requests, trusted browsers,
app users and their consents, orders and their events.

Times are naive UTC (`utcnow()`), JSON documents are stored as the text received
so the simulator can show exactly what the merchant sent.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sandbox.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 UTC with milliseconds and Z, as InPost writes dates (docs/inpost-pay-api.md §3.0)."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class AccessToken(db.Model):
    """An opaque OAuth2 bearer token (only its SHA-256 is stored)."""

    __tablename__ = "access_token"
    token_hash = db.Column(db.String(64), primary_key=True)
    client_id = db.Column(db.String(200), nullable=False)
    issued_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)


class Basket(db.Model):
    """InPost's side of a merchant basket (1:1, docs/inpost-pay-api.md §1).

    status: NEW (known, never bound) -> BOUND -> UNBOUND (unlinked) or ORDERED
    (an order was placed in the app) or REALIZED (bought on the website,
    `if_basket_realized`).
    """

    __tablename__ = "basket"
    inpost_basket_id = db.Column(db.String(36), primary_key=True, default=new_id)
    basket_id = db.Column(db.String(200), unique=True, nullable=False)
    status = db.Column(db.String(16), nullable=False, default="NEW")
    country_prefix = db.Column(db.String(8))
    phone = db.Column(db.String(20))
    browser_id = db.Column(db.String(36))
    basket_json = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    bound_at = db.Column(db.DateTime)

    @property
    def linked(self) -> bool:
        return self.status == "BOUND"


class BindingRequest(db.Model):
    """A request to link a basket, waiting in the app (POST .../binding, docs/inpost-pay-api.md §7.4).

    PHONE requests name the phone; DEEP_LINK requests are opened by whoever follows
    the link or scans the QR code.
    """

    __tablename__ = "binding_request"
    id = db.Column(db.String(36), primary_key=True, default=new_id)
    inpost_basket_id = db.Column(db.String(36), db.ForeignKey("basket.inpost_basket_id"), nullable=False)
    binding_method = db.Column(db.String(16), nullable=False)
    country_prefix = db.Column(db.String(8))
    phone = db.Column(db.String(20))
    browser_json = db.Column(db.Text)
    binding_place = db.Column(db.String(40))
    status = db.Column(db.String(16), nullable=False, default="PENDING")
    error = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    decided_at = db.Column(db.DateTime)

    basket = db.relationship(Basket)


class Browser(db.Model):
    """A browser the app user chose to trust when accepting a binding (Synchronization of a basket and an order (UC.04) step 9)."""

    __tablename__ = "browser"
    browser_id = db.Column(db.String(36), primary_key=True, default=new_id)
    country_prefix = db.Column(db.String(8), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    fingerprint_json = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class AppUser(db.Model):
    """An InPost Mobile user of the simulator, known by phone number."""

    __tablename__ = "app_user"
    __table_args__ = (db.UniqueConstraint("country_prefix", "phone"),)
    id = db.Column(db.Integer, primary_key=True)
    country_prefix = db.Column(db.String(8), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    name = db.Column(db.String(100), nullable=False)
    surname = db.Column(db.String(100), nullable=False)
    mail = db.Column(db.String(200), nullable=False)
    address = db.Column(db.String(200), nullable=False)
    city = db.Column(db.String(100), nullable=False)
    postal_code = db.Column(db.String(20), nullable=False)
    country_code = db.Column(db.String(2), nullable=False, default="PL")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class ConsentAcceptance(db.Model):
    """REQUIRED_ONCE consents are asked once per (consent_id, consent_version) (docs/inpost-pay-api.md §8.6)."""

    __tablename__ = "consent_acceptance"
    __table_args__ = (db.UniqueConstraint("user_id", "consent_id", "consent_version"),)
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("app_user.id"), nullable=False)
    consent_id = db.Column(db.String(100), nullable=False)
    consent_version = db.Column(db.String(50), nullable=False)
    accepted_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Order(db.Model):
    """An order placed in the app and accepted by the merchant (docs/inpost-pay-api.md §3.5/§3.6)."""

    __tablename__ = "order"
    order_id = db.Column(db.String(200), primary_key=True)
    inpost_basket_id = db.Column(db.String(36), db.ForeignKey("basket.inpost_basket_id"), nullable=False)
    basket_id = db.Column(db.String(200), nullable=False)
    country_prefix = db.Column(db.String(8), nullable=False)
    phone = db.Column(db.String(20), nullable=False)
    payment_type = db.Column(db.String(40), nullable=False)
    request_json = db.Column(db.Text, nullable=False)
    order_json = db.Column(db.Text, nullable=False)
    order_status = db.Column(db.String(32), nullable=False, default="ORDER_PROCESSING")
    payment_status = db.Column(db.String(32), nullable=False, default="UNPAID")
    merchant_status_description = db.Column(db.String(500))
    delivery_references_json = db.Column(db.Text, nullable=False, default="[]")
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    basket = db.relationship(Basket)


class OrderEvent(db.Model):
    """An order event in either direction; event_id is unique per order and direction."""

    __tablename__ = "order_event"
    __table_args__ = (db.UniqueConstraint("order_id", "direction", "event_id"),)
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.String(200), db.ForeignKey("order.order_id"), nullable=False)
    direction = db.Column(db.String(20), nullable=False)  # "to_merchant" | "from_merchant"
    event_id = db.Column(db.String(200), nullable=False)
    body_json = db.Column(db.Text, nullable=False)
    response_status = db.Column(db.Integer)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
