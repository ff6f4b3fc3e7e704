"""The minimal shop: four products, whole pieces only (at most MAX_PER_LINE of each), no promo
codes, a flat delivery price, and a session basket. Nothing here knows InPost Pay: the shop
announces changes through its own signals and offers page slots (`slot(name, **context)`),
and adapter.py connects the integration to both."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal

from blinker import Namespace
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

MAX_PER_LINE = 5
VAT_RATE = 23
DELIVERY = {"APM": ("Parcel locker", Decimal("12.99")), "COURIER": ("Courier", Decimal("15.99"))}
PRODUCTS = [  # id, name, price, stock
    (101, "Ceramic mug", Decimal("39.00"), 20),
    (102, "Linen tea towel", Decimal("24.50"), 12),
    (103, "Beeswax candle", Decimal("18.99"), 8),
    (104, "Oak cutting board", Decimal("119.00"), 3),
]


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
signals = Namespace()
basket_changed = signals.signal("basket-changed")  # kwargs: basket, source
order_placed = signals.signal("order-placed")  # kwargs: order
order_changed = signals.signal("order-changed")  # kwargs: order, old_status


def now() -> datetime:
    return datetime.now(UTC)


class Product(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    stock: Mapped[int] = mapped_column(Integer)


class Basket(db.Model):
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=lambda: secrets.token_urlsafe(24))
    ordered: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    lines: Mapped[list[Line]] = relationship(order_by="Line.product_id", cascade="all, delete-orphan")


class Line(db.Model):
    basket_id: Mapped[str] = mapped_column(ForeignKey("basket.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    product: Mapped[Product] = relationship()


class Order(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    basket_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_urlsafe(24))
    status: Mapped[str] = mapped_column(String(20), default="new")
    payment_status: Mapped[str] = mapped_column(String(30), default="UNPAID")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    customer: Mapped[dict] = mapped_column(JSON)  # name, surname, email, phone_prefix, phone
    delivery_type: Mapped[str] = mapped_column(String(10))
    delivery_point: Mapped[str | None] = mapped_column(String(20), nullable=True)
    delivery_address: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    delivery_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    goods_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    lines: Mapped[list] = mapped_column(JSON)  # [{product_id, name, price, quantity}]
    external: Mapped[dict] = mapped_column(JSON, default=dict)


STATUSES = {"new": "New", "paid": "Paid", "cancelled": "Cancelled"}


class Refused(ValueError):
    """A basket or order rule said no; `message` is for the shopper."""

    def __init__(self, message: str, code: str = "REFUSED"):
        super().__init__(message)
        self.message, self.code = message, code


# --- basket rules -----------------------------------------------------------------------------------


def product(product_id: object) -> Product:
    found = db.session.get(Product, int(product_id)) if str(product_id).strip().isdigit() else None
    if found is None:
        raise Refused("No such product.", "PRODUCT_NOT_FOUND")
    return found


def whole(quantity: object) -> int:
    """Whole pieces only: 2 and "2" and 2.0 are fine, 1.5 is refused."""
    try:
        value = Decimal(str(quantity).strip())
    except ArithmeticError:
        raise Refused("Quantity must be a whole number.", "INVALID_QUANTITY") from None
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        raise Refused("Quantity must be a whole number.", "INVALID_QUANTITY")
    return int(value)


def set_line(basket: Basket, product_id: object, quantity: object, *, source: str = "shop") -> str | None:
    """Set a line (0 removes it). More than the stock or MAX_PER_LINE is lowered, with a notice."""
    if basket.ordered:
        raise Refused("This basket has been ordered.", "ORDER_EXISTS")
    item, wanted = product(product_id), whole(quantity)
    allowed = min(wanted, item.stock, MAX_PER_LINE)
    line = next((ln for ln in basket.lines if ln.product_id == item.id), None)
    if allowed == 0 and line is not None:
        basket.lines.remove(line)
    elif allowed and line is None:
        basket.lines.append(Line(product_id=item.id, quantity=allowed, product=item))
    elif allowed:
        line.quantity = allowed
    basket.version += 1
    basket.changed_at = now()
    db.session.flush()
    basket_changed.send(current_app._get_current_object(), basket=basket, source=source)
    return None if allowed == wanted else f"Only {allowed} of {item.name} can be ordered."


def add(basket: Basket, product_id: object, quantity: object = 1, *, source: str = "shop") -> None:
    line = next((ln for ln in basket.lines if ln.product_id == product(product_id).id), None)
    total = whole(quantity) + (line.quantity if line else 0)
    if total > min(product(product_id).stock, MAX_PER_LINE):
        raise Refused(f"At most {min(product(product_id).stock, MAX_PER_LINE)} of this product.", "MAX_QUANTITY")
    set_line(basket, product_id, total, source=source)


def goods_total(basket: Basket) -> Decimal:
    return sum((ln.product.price * ln.quantity for ln in basket.lines), Decimal("0.00"))


def place(basket: Basket, *, channel: str, owner: str, customer: dict, delivery_type: str, expected: Decimal | None,
          delivery_point: str | None = None, delivery_address: dict | None = None, external: dict | None = None) -> Order:
    if basket.ordered or not basket.lines:
        raise Refused("This basket cannot be ordered.", "ORDER_EXISTS")
    if delivery_type not in DELIVERY:
        raise Refused(f"We do not deliver by {delivery_type}.", "DELIVERY")
    total = goods_total(basket) + DELIVERY[delivery_type][1]
    if expected is not None and expected != total:
        raise Refused(f"The basket costs {total} with delivery, not {expected}.", "PRICE")
    for ln in basket.lines:
        if ln.quantity > ln.product.stock:
            raise Refused(f"{ln.product.name} is sold out.", "OUT_OF_STOCK")
        ln.product.stock -= ln.quantity
    order = Order(basket_id=basket.id, channel=channel, owner=owner, customer=customer, delivery_type=delivery_type,
                  delivery_point=delivery_point, delivery_address=delivery_address, external=external or {},
                  delivery_price=DELIVERY[delivery_type][1], goods_price=goods_total(basket),
                  lines=[{"product_id": ln.product_id, "name": ln.product.name, "price": str(ln.product.price),
                          "quantity": ln.quantity} for ln in basket.lines])  # fmt: skip
    basket.ordered = True
    db.session.add(order)
    db.session.flush()
    order_placed.send(current_app._get_current_object(), order=order)
    return order


def set_status(order: Order, status: str) -> None:
    old, order.status = order.status, status
    order_changed.send(current_app._get_current_object(), order=order, old_status=old)


# --- the session -------------------------------------------------------------------------------------


def owner() -> str:
    return session.setdefault("owner", secrets.token_urlsafe(24))


def session_basket(*, create: bool = False) -> Basket | None:
    basket = db.session.get(Basket, session.get("basket") or "")
    if (basket is None or basket.ordered) and create:
        basket = Basket()
        db.session.add(basket)
        db.session.flush()
        session["basket"] = basket.id
        owner()
    return basket if basket is not None and not basket.ordered else None


# --- pages ---------------------------------------------------------------------------------------------

bp = Blueprint("minimal", __name__, template_folder="templates")


@bp.get("/")
def index():
    return render_template("index.html", products=db.session.scalars(db.select(Product)).all())


@bp.post("/basket/add")
def add_to_basket():
    try:
        add(session_basket(create=True), request.form.get("product_id"), request.form.get("quantity", 1))
    except Refused as exc:
        db.session.rollback()
        return render_template("message.html", message=exc.message), 409
    db.session.commit()
    return redirect(url_for(".basket"), 303)


@bp.get("/basket")
def basket():
    current = session_basket()
    return render_template("basket.html", basket=current, total=goods_total(current) if current else 0)


@bp.get("/basket.json")
def basket_json():
    current = session_basket()
    lines = [{"product_id": ln.product_id, "quantity": ln.quantity} for ln in current.lines] if current else []
    return {"basket_id": session.get("basket"), "lines": lines, "count": sum(ln["quantity"] for ln in lines)}


@bp.get("/orders/<int:order_id>")
def order_page(order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or not (order.owner == session.get("owner") or request.args.get("token") == order.secret):
        abort(404)
    return render_template("order.html", order=order, statuses=STATUSES)


# --- slots: named places an integration may fill -------------------------------------------------------


def fill_slot(app: Flask, name: str, render) -> None:
    app.extensions.setdefault("minimal_slots", {}).setdefault(name, []).append(render)


def slot(name: str, **context) -> Markup:
    return Markup("").join(Markup(r(**context)) for r in current_app.extensions.get("minimal_slots", {}).get(name, ()))


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update({"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:", "WTF_CSRF_TIME_LIMIT": None})
    app.config.update(config or {})
    db.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.add_template_global(slot, "slot")
    app.add_template_global(lambda: sum(ln.quantity for ln in (session_basket() or Basket()).lines), "basket_count")
    return app


def create_tables() -> None:
    db.create_all()
    if db.session.scalar(db.select(db.func.count()).select_from(Product)) == 0:
        db.session.add_all(Product(id=i, name=n, price=p, stock=s) for i, n, p, s in PRODUCTS)
        db.session.commit()
