"""The seam: everything the InPost Pay integration needs from a shop, and nothing more.

A shop implements `Shop` once, in an adapter module of its own (the demo shop's is
`shop_adapter.py`, the minimal shop's `examples/minimal_shop/adapter.py`), and hands it to
`inpost_pay.init_app(app, shop=..., db=...)`. Only the plain, frozen data objects below cross
the seam; the integration never sees a shop model, view, session key or element id. See
docs/integrating.md for a walk-through and docs/architecture.md for where each call is made.

Transactions: the integration and the shop share one SQLAlchemy session (the `db` given to
`init_app`). Methods that change something (`place_order`, `set_quantity`, ...) only change the
session; the integration commits or rolls back. `lock_basket` takes the basket's row lock for the
rest of the transaction (the merchant API applies InPost's calls under it).

Signals: the shop tells the integration what happened by sending the blinker signals at the
bottom (sender: the Flask app), inside the transaction of the change and before its commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from blinker import Namespace
from flask import current_app

from .money import Price

#: InPost Pay's one name at the seam. `OrderView.channel` of the orders InPost placed, and the
#: `source` of the basket changes the integration makes through the seam: the adapter passes it
#: to its shop's basket code, and the shop's `basket_changed` carries it back, so the integration
#: never PUTs InPost's own change back to InPost ("InPost Pay: Basket Update"). A shop that names
#: the channel its own way maps it in its adapter.
CHANNEL = "inpost_pay"


class ShopError(Exception):
    """The shop refused something (out of stock, unknown product, a basket rule): `message` is
    shown to the shopper, in the app or on the page; `code` is a short machine name."""

    def __init__(self, message: str, code: str = "SHOP_REFUSED"):
        super().__init__(message)
        self.message, self.code = message, code


# --- what crosses the seam ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductView:
    """What InPost shows of one catalogue product ("InPost Pay: Basket Update", products)."""

    product_id: int
    slug: str
    category_id: int
    ean: str
    name: str
    description: str
    image: str
    vat_rate: int
    price_gross: Decimal  # one piece (INTEGER) or one quantity_unit (DECIMAL)
    promo_price_gross: Decimal | None
    lowest_price_gross: Decimal | None  # Omnibus: lowest price of the 30 days before the promotion
    quantity_type: str  # INTEGER | DECIMAL
    quantity_unit: str
    quantity_step: Decimal
    stock: Decimal
    max_quantity: Decimal
    is_digital: bool = False
    attributes: tuple[tuple[str, str], ...] = ()
    link: str = ""  # the product page, absolute or a path on the shop
    image_url: str = ""  # absolute or a path on the shop; empty: /static/img/products/<image>

    @property
    def sellable(self) -> Decimal:
        """What one order may take: the per-order limit, but never more than the stock."""
        return min(self.stock, self.max_quantity)


@dataclass(frozen=True)
class ConsentView:
    consent_id: str
    description: str
    link: str  # absolute, or a path on the shop
    version: str
    requirement_type: str  # OPTIONAL | REQUIRED_ONCE | REQUIRED_ALWAYS


@dataclass(frozen=True)
class LineTotal:
    """One priced basket line: InPost's base/promo price is per piece for INTEGER and for the
    chosen amount for DECIMAL."""

    product_id: int
    quantity: Decimal
    unit_base: Price
    unit_promo: Price | None


@dataclass(frozen=True)
class OptionQuote:
    """A delivery option (COD, PWW) and what it adds."""

    code: str
    name: str
    price: Price


@dataclass(frozen=True)
class DeliveryQuote:
    delivery_type: str  # APM | COURIER | DIGITAL
    price: Price
    options: tuple[OptionQuote, ...] = ()

    def option_price(self, code: str) -> Price | None:
        return next((o.price for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class AppliedCode:
    code: str
    name: str


@dataclass(frozen=True)
class Totals:
    """The shop's own pricing of a basket (the shop owns money: the integration only maps it)."""

    lines: tuple[LineTotal, ...]
    base: Price
    promo: Price
    final: Price
    deliveries: tuple[DeliveryQuote, ...]
    applied_codes: tuple[AppliedCode, ...] = ()
    item_count: int = 0  # what the widget's counter shows
    free_delivery_minimum: Decimal | None = None


@dataclass(frozen=True)
class BasketView:
    """A shop basket as the integration sees it."""

    basket_id: str
    products: tuple[ProductView, ...]  # the products of the basket's lines
    related: tuple[ProductView, ...] = ()  # candidates; the mapping filters, sorts and caps them
    consents: tuple[ConsentView, ...] = ()  # in display position order
    totals: Totals | None = None
    version: int = 0  # grows with every change: one PUT per version
    updated_at: datetime | None = None  # timezone-aware; InPost's dates derive from it
    is_open: bool = True  # False once ordered


@dataclass(frozen=True)
class CodeChange:
    """What happened to one promo code of InPost's wanted set: `ok` False when refused."""

    message: str
    ok: bool


@dataclass
class OrderRequest:
    """InPost's order request ("InPost Pay: Order create") in the shop's terms."""

    channel: str
    owner_token: str
    name: str
    surname: str
    email: str
    phone: str
    payment_method: str
    delivery_type: str
    phone_prefix: str = "+48"
    delivery_options: list[str] = field(default_factory=list)
    delivery_point: str | None = None
    delivery_address: dict | None = None
    digital_email: str | None = None
    courier_note: str | None = None
    invoice: dict | None = None
    consents: dict[str, str] = field(default_factory=dict)  # accepted: consent id -> version
    comment: str | None = None
    expected_total_gross: Decimal | None = None  # the price the shopper agreed to (with delivery)
    cash_on_delivery: bool = False
    external: dict = field(default_factory=dict)  # kept with the order, returned in OrderView


@dataclass(frozen=True)
class OrderLineView:
    product_id: int
    ean: str
    name: str
    unit_base_gross: Decimal
    vat_rate: int
    quantity: Decimal
    quantity_type: str
    quantity_unit: str
    #: What the shopper paid for the whole line after promotions and codes, when the shop prices
    #: lines that way; InPost's app then shows it beside the regular price.
    paid: Price | None = None


@dataclass(frozen=True)
class OrderView:
    """A shop order as InPost's order object needs it ("InPost Pay: Order details")."""

    id: int
    number: str  # what the shopper sees
    basket_id: str
    channel: str
    status: str
    status_label: str
    payment_method: str
    payment_status: str
    created_at: datetime
    name: str
    surname: str
    email: str
    phone_prefix: str
    phone: str
    delivery_type: str
    products_final: Price
    total: Price
    delivery: Price  # delivery with its options
    #: The products at their regular prices (gross); less products_final it is the order's
    #: discount (promotions and codes). None: no discount.
    products_base_gross: Decimal | None = None
    delivery_options: tuple[OptionQuote, ...] = ()
    delivery_point: str | None = None
    delivery_address: Mapping | None = None
    digital_email: str | None = None
    courier_note: str | None = None
    invoice: Mapping | None = None
    consents: tuple[Mapping, ...] = ()
    comment: str | None = None
    external: Mapping = field(default_factory=dict)
    tracking_numbers: tuple[str, ...] = ()
    lines: tuple[OrderLineView, ...] = ()
    owner_token: str = ""


@dataclass(frozen=True)
class StatusLabels:
    """How the shop's pages word and colour an order's status and payment."""

    status_label: str
    status_tone: str
    payment_label: str
    payment_tone: str


# --- the interface --------------------------------------------------------------------------------


@runtime_checkable
class Shop(Protocol):
    # catalogue
    def product(self, product_id: object) -> ProductView | None: ...
    def default_quantity(self, product: ProductView) -> Decimal: ...

    # baskets (by the shop's basket id)
    def basket(self, basket_id: str) -> BasketView | None: ...
    def lock_basket(self, basket_id: str) -> BasketView | None: ...
    def set_quantity(self, basket_id: str, product_id: str, quantity: Decimal) -> str | None:
        """Set a line (0 removes it), clamped to what can be sold; returns a notice when clamped.
        :raise ShopError: the change is refused."""
    def set_codes(self, basket_id: str, codes: list[str]) -> list[CodeChange]:
        """Make the basket's codes exactly `codes` (InPost sends the complete wanted set)."""
    def add_product(self, basket_id: str, product_id: object, quantity: Decimal) -> None:
        """:raise ShopError: unknown product, out of stock, a basket rule."""

    # the shopper's session
    def session_basket_id(self) -> str | None: ...
    def session_basket(self, *, create: bool = False, lock: bool = False) -> BasketView | None: ...
    def add_to_session_basket(self, product_id: object, quantity: Decimal | None) -> BasketView:
        """Add to the session's basket (made when missing; None: the shop's card quantity).
        A refusal leaves the session as it was. :raise ShopError:"""
    def forget_session_basket(self) -> None: ...
    def session_owner(self) -> str:
        """A random token of this browser session: it owns the orders placed for its baskets."""
    def may_see_order(self, order: OrderView, token: str | None) -> bool:
        """This session placed the order, or `token` is the order's secret."""

    # orders
    def order(self, order_id: int) -> OrderView | None: ...
    def order_of_basket(self, basket_id: str) -> OrderView | None: ...
    def place_order(self, basket_id: str, request: OrderRequest) -> OrderView:
        """Place the (locked) basket's order. :raise ShopError: delivery, consents, stock, price."""
    def apply_order_event(
        self, order_id: int, *, payment_status: str | None, external: Mapping, rejected: bool
    ) -> OrderView:
        """InPost's payment/order status: record it, merge `external`, cancel when rejected."""
    def overdue_unpaid_orders(self, placed_before: datetime) -> list[int]:
        """Ids of this channel's orders still awaiting payment, placed before `placed_before`."""
    def cancel_unpaid_order(self, order_id: int, reason: str) -> OrderView | None:
        """Cancel the order if it is still unpaid, read under its lock (a payment that arrived
        meanwhile wins: None); a cancellation like any other, so InPost hears ORDER_REJECTED."""
    def thank_you_url(self, order: OrderView) -> str: ...
    def status_names(self) -> Mapping[str, str]:
        """The shop's order statuses and their default labels."""
    def labels(self, order: OrderView) -> StatusLabels: ...

    # the database
    def begin_write(self) -> None:
        """The current unit of work is about to write: begin its transaction so that it may (on
        SQLite, the write lock before the first read). Called before a write a GET request makes."""

    # pages
    def fill_slot(self, app, name: str, render) -> None:
        """Put `render(**context) -> HTML` in the shop's page slot `name` (head, minicart,
        product_card(product_id), basket_summary, checkout, thank_you(order_id), order_page(order_id))."""

    # the back office
    def admin_signed_in(self) -> bool: ...
    def admin_login_url(self, next_page: str | None) -> str: ...
    def admin_order_url(self, order_id: int) -> str: ...
    def add_admin_page(self, app, endpoint: str, label: str) -> None: ...
    def add_order_panel(self, app, template: str) -> None: ...


def current_shop() -> Shop:
    return current_app.extensions["inpost_pay"].shop


# --- what the shop tells the integration (sender: the Flask app) ---------------------------------

_signals = Namespace()

#: kwargs: basket_id, source (CHANNEL for changes made through the seam, else the shop's name)
basket_changed = _signals.signal("shop-basket-changed")
#: kwargs: order (OrderView). order.channel "website": bought on the website.
order_placed = _signals.signal("shop-order-placed")
#: kwargs: order (OrderView), old_status, new_status, label
order_status_changed = _signals.signal("shop-order-status-changed")
#: kwargs: order (OrderView), number
order_tracking_added = _signals.signal("shop-order-tracking-added")
#: kwargs: order (OrderView): an InPost Pay order finished on the website instead
order_completed_on_website = _signals.signal("shop-order-completed-on-website")
