"""The shop's data: catalogue, baskets, promo codes, consents and orders.

Amounts are stored as integer grosze and quantities as integer thousandths
(`ScaledDecimal`), and read back as `Decimal`: exact on SQLite and PostgreSQL
alike, with no float on the way (docs/architecture.md#rules "Money is exact").
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .money import Price


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_token(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


class ScaledDecimal(TypeDecorator):
    """A Decimal stored as an integer number of 10**-scale units."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int):
        super().__init__()
        self.scale = scale
        self.factor = Decimal(10) ** scale

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * self.factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / self.factor).quantize(Decimal(1) / self.factor)


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


Money = ScaledDecimal(2)
Quantity = ScaledDecimal(3)


# --- catalogue ---------------------------------------------------------------------------

product_related = Table(
    "product_related",
    db.metadata,
    Column("product_id", ForeignKey("product.id"), primary_key=True),
    Column("related_id", ForeignKey("product.id"), primary_key=True),
)


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    products: Mapped[list[Product]] = relationship(back_populates="category", order_by="Product.id")


class SoldAs:
    """How a product is sold, for the model and for the catalogue's frozen rows alike."""

    __slots__ = ()

    @property
    def is_decimal(self) -> bool:
        return self.quantity_type == "DECIMAL"

    @property
    def base_price(self) -> Price:
        return Price.from_gross(self.price_gross, self.vat_rate)


class Product(SoldAs, db.Model):
    """A catalogue item, with every field of the InPost Pay documents' product table.

    `price_gross` is the price of one piece (INTEGER) or of one `quantity_unit`
    (DECIMAL: kg, m); for DECIMAL products InPost gets the price of the chosen
    amount (Basket Update, quantity_type).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    ean: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    image: Mapped[str] = mapped_column(String(200))
    vat_rate: Mapped[int] = mapped_column(Integer)
    price_gross = mapped_column(Money, nullable=False)
    promo_price_gross = mapped_column(Money, nullable=True)
    # Omnibus: the lowest price of the 30 days before the promotion started.
    lowest_price_gross = mapped_column(Money, nullable=True)
    quantity_type: Mapped[str] = mapped_column(String(10), default="INTEGER")
    quantity_unit: Mapped[str] = mapped_column(String(10), default="szt.")
    quantity_step = mapped_column(Quantity, nullable=False, default=Decimal("1"))
    stock = mapped_column(Quantity, nullable=False)
    max_quantity = mapped_column(Quantity, nullable=False)
    is_digital: Mapped[bool] = mapped_column(Boolean, default=False)
    attributes: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    category: Mapped[Category] = relationship(back_populates="products")
    related: Mapped[list[Product]] = relationship(
        secondary=product_related,
        primaryjoin=id == product_related.c.product_id,
        secondaryjoin=id == product_related.c.related_id,
        order_by="Product.id",
    )


class Consent(db.Model):
    """A consent shown at checkout and sent to InPost (Confirming the binding of a basket, consents)."""

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    description: Mapped[str] = mapped_column(String(500))
    link: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(20))
    requirement_type: Mapped[str] = mapped_column(String(20))  # OPTIONAL | REQUIRED_ONCE | REQUIRED_ALWAYS
    position: Mapped[int] = mapped_column(default=0)

    @property
    def required(self) -> bool:
        return self.requirement_type != "OPTIONAL"


class CatalogueState(db.Model):
    """One row: the catalogue's version, bumped by the database's own triggers on every change
    of the tables above (`storefront.catalogue`)."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)


class PromoCode(db.Model):
    """A code a shopper can type: PERCENT off, FIXED off above a minimum, FREE_DELIVERY."""

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    value = mapped_column(Money, nullable=False, default=Decimal("0"))  # percent or PLN
    min_basket_gross = mapped_column(Money, nullable=True)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- basket --------------------------------------------------------------------------------


class Basket(db.Model):
    """A shopper's basket; its `id` is the unguessable basket_id InPost knows it by."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_token)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | ordered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Bumped on every change: a stale writer fails instead of overwriting (docs/architecture.md#rules).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # Loaded with the basket: every use of a basket prices all of it.
    lines: Mapped[list[BasketLine]] = relationship(
        back_populates="basket", cascade="all, delete-orphan", order_by="BasketLine.id", lazy="selectin"
    )
    codes: Mapped[list[BasketPromoCode]] = relationship(
        cascade="all, delete-orphan", order_by="BasketPromoCode.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def line_for(self, product_id: int) -> BasketLine | None:
        return next((line for line in self.lines if line.product_id == product_id), None)


class BasketLine(db.Model):
    __table_args__ = (UniqueConstraint("basket_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[str] = mapped_column(ForeignKey("basket.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity = mapped_column(Quantity, nullable=False)

    basket: Mapped[Basket] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")


class BasketPromoCode(db.Model):
    __table_args__ = (UniqueConstraint("basket_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[str] = mapped_column(ForeignKey("basket.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(ForeignKey("promo_code.code"))

    promo: Mapped[PromoCode] = relationship(lazy="joined")


# --- orders --------------------------------------------------------------------------------


class Order(db.Model):
    """An order from the website checkout or from InPost Pay (`channel`)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # One order per basket, enforced by the database (docs/architecture.md#rules "Idempotency").
    basket_id: Mapped[str] = mapped_column(ForeignKey("basket.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # website | inpost_pay
    owner_token: Mapped[str] = mapped_column(String(64), index=True)  # the placing session
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    status: Mapped[str] = mapped_column(String(30))
    status_label: Mapped[str] = mapped_column(String(120))
    payment_method: Mapped[str] = mapped_column(String(40))  # COD | TRANSFER | InPost payment_type
    payment_status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    name: Mapped[str] = mapped_column(String(120))
    surname: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(200))
    phone_prefix: Mapped[str] = mapped_column(String(6), default="+48")
    phone: Mapped[str] = mapped_column(String(20))

    delivery_type: Mapped[str] = mapped_column(String(10))  # APM | COURIER | DIGITAL
    delivery_options: Mapped[list] = mapped_column(JSON, default=list)  # ["COD", "PWW"]
    delivery_point: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery_address: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    digital_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    courier_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    invoice: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    consents: Mapped[list] = mapped_column(JSON, default=list)
    promo_codes: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    external: Mapped[dict] = mapped_column(JSON, default=dict)  # channel data, e.g. InPost payment ids

    products_base_gross = mapped_column(Money, nullable=False)
    products_final_net = mapped_column(Money, nullable=False)
    products_final_gross = mapped_column(Money, nullable=False)
    delivery_net = mapped_column(Money, nullable=False)
    delivery_gross = mapped_column(Money, nullable=False)
    total_net = mapped_column(Money, nullable=False)
    total_gross = mapped_column(Money, nullable=False)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    tracking_numbers: Mapped[list[OrderTracking]] = relationship(
        cascade="all, delete-orphan", order_by="OrderTracking.id"
    )
    history: Mapped[list[OrderHistory]] = relationship(
        cascade="all, delete-orphan", order_by="OrderHistory.id"
    )

    @property
    def number(self) -> str:
        return f"SPL-{self.id:06d}"

    @property
    def total(self) -> Price:
        return Price(self.total_net, self.total_gross)


class OrderLine(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    name: Mapped[str] = mapped_column(String(200))
    ean: Mapped[str] = mapped_column(String(14))
    vat_rate: Mapped[int] = mapped_column(Integer)
    quantity = mapped_column(Quantity, nullable=False)
    quantity_type: Mapped[str] = mapped_column(String(10))
    quantity_unit: Mapped[str] = mapped_column(String(10))
    unit_base_gross = mapped_column(Money, nullable=False)  # per piece, or for the amount (DECIMAL)
    final_net = mapped_column(Money, nullable=False)
    final_gross = mapped_column(Money, nullable=False)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderTracking(db.Model):
    __table_args__ = (UniqueConstraint("order_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderHistory(db.Model):
    """What happened to an order and who did it, shown in the back office."""

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(300), default="")
