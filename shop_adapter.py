"""The demo shop's side of the InPost Pay seam (`inpost_pay/shop.py`): the one module that knows
both the shop (`storefront/`) and the integration (`inpost_pay/`, `widget/`).

`DemoShop` answers the integration's questions from the shop's models and services and turns
the shop's rows into the seam's plain data objects; `connect(app)` forwards the shop's signals
(`storefront/signals.py`) as the integration's (`inpost_pay.shop.basket_changed`, ...). See
docs/integrating.md for what each method must do.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from flask import Flask, session, url_for
from sqlalchemy import select

import inpost_pay.models
from inpost_pay import shop as seam
from inpost_pay.money import Price
from storefront import basket as baskets
from storefront import bounds, catalogue, order_labels, orders, pricing, signals, templating
from storefront import session as shop_session
from storefront.extensions import begin_write, db
from storefront.models import Basket, Order, Product
from storefront.views import admin
from storefront.views.shop import card_quantity

#: Paid, or paid on delivery: never cancelled for want of a payment.
SETTLED = orders.PAID_STATUSES | {"COD"}

MAX_ORDER_ID = 2**31 - 1


# --- the shop's rows as the seam's data objects ----------------------------------------------------


def price(p) -> Price:
    return Price(p.net, p.gross)


def product_view(product: Product) -> seam.ProductView:
    return seam.ProductView(
        product_id=product.id,
        slug=product.slug,
        category_id=product.category_id,
        ean=product.ean,
        name=product.name,
        description=product.description,
        image=product.image,
        vat_rate=product.vat_rate,
        price_gross=product.price_gross,
        promo_price_gross=product.promo_price_gross,
        lowest_price_gross=product.lowest_price_gross,
        quantity_type=product.quantity_type,
        quantity_unit=product.quantity_unit,
        quantity_step=product.quantity_step,
        stock=product.stock,
        max_quantity=product.max_quantity,
        is_digital=bool(product.is_digital),
        attributes=tuple((str(a[0]), str(a[1])) for a in (product.attributes or []) if len(a) == 2),
        link=f"/produkt/{product.slug}",
        image_url=f"/static/img/products/{product.image}",
    )


def option_quote(option: pricing.DeliveryOption, p) -> seam.OptionQuote:
    return seam.OptionQuote(option.code, option.name, price(p))


def totals_view(totals: pricing.BasketTotals) -> seam.Totals:
    return seam.Totals(
        lines=tuple(
            seam.LineTotal(
                pl.input.product_id,
                pl.input.quantity,
                price(pl.unit_base),
                price(pl.unit_promo) if pl.unit_promo else None,
            )
            for pl in totals.lines
        ),
        base=price(totals.base),
        promo=price(totals.promo),
        final=price(totals.final),
        deliveries=tuple(
            seam.DeliveryQuote(q.method.code, price(q.price), tuple(option_quote(o, p) for o, p in q.options))
            for q in totals.deliveries
        ),
        applied_codes=tuple(seam.AppliedCode(c.code, c.name) for c in totals.applied_codes),
        item_count=totals.item_count,
        free_delivery_minimum=pricing.FREE_DELIVERY_MINIMUM,
    )


def basket_view(basket: Basket) -> seam.BasketView:
    """The basket with its products, the related products InPost may offer (still on sale, one
    step in stock) and the shop's consents, the catalogue's views made once per version of the
    catalogue (`storefront.catalogue`)."""
    baskets.hold(basket)
    views = _CatalogueViews.of(catalogue.current())
    products = views.products([line.product_id for line in basket.lines])
    return seam.BasketView(
        basket_id=basket.id,
        products=products,
        related=views.related([p.product_id for p in products]),
        consents=views.consents(),
        totals=totals_view(baskets.compute_totals(basket)),
        version=basket.version,
        updated_at=basket.updated_at,
        is_open=basket.is_open,
    )


def _seam_channel(channel: str) -> str:
    """The shop's channel name as the integration spells it."""
    return seam.CHANNEL if channel == orders.INPOST_PAY else channel


def _shop_channel(channel: str) -> str:
    """The integration's channel name as the shop stores it."""
    return orders.INPOST_PAY if channel == seam.CHANNEL else channel


def _sellable(product) -> bool:
    return product.active and product.stock >= (product.quantity_step if product.quantity_type == pricing.DECIMAL else 1)


class _CatalogueViews:
    """The seam's views of one version of the catalogue, made once and shared by the requests
    of the process while the version holds (they are frozen; the rows under them too)."""

    def __init__(self, rows: catalogue.Catalogue):
        self.rows = rows
        self._products: dict[int, seam.ProductView] = {}
        self._related: dict[int, tuple[seam.ProductView, ...]] = {}
        self._consents: tuple[seam.ConsentView, ...] | None = None

    @classmethod
    def of(cls, rows: catalogue.Catalogue) -> _CatalogueViews:
        return rows.derived(cls, lambda: cls(rows))

    def products(self, product_ids: list[int]) -> tuple[seam.ProductView, ...]:
        missing = [pid for pid in product_ids if pid not in self._products]
        if missing:
            for pid, row in self.rows.products(missing).items():
                self._products[pid] = product_view(row)
        return tuple(self._products[pid] for pid in product_ids if pid in self._products)

    def related(self, product_ids: list[int]) -> tuple[seam.ProductView, ...]:
        missing = [pid for pid in dict.fromkeys(product_ids) if pid not in self._related]
        if missing:
            related_ids = self.rows.related_ids(missing)
            rows = self.rows.products(rid for rids in related_ids.values() for rid in rids)
            for pid, rids in related_ids.items():
                sellable = [rid for rid in rids if rid in rows and _sellable(rows[rid])]
                self._related[pid] = self.products(sellable)
        return tuple(view for pid in product_ids for view in self._related[pid])

    def consents(self) -> tuple[seam.ConsentView, ...]:
        if self._consents is None:
            self._consents = tuple(
                seam.ConsentView(c.id, c.description, c.link, c.version, c.requirement_type)
                for c in self.rows.consents()
            )
        return self._consents


def order_view(order: Order) -> seam.OrderView:
    options = tuple(
        option_quote(pricing.DELIVERY_OPTIONS[code], Price.from_gross(pricing.DELIVERY_OPTIONS[code].price_gross,
                                                                       pricing.DELIVERY_VAT))
        if code in pricing.DELIVERY_OPTIONS else seam.OptionQuote(code, code, Price.zero())
        for code in order.delivery_options or []
    )
    return seam.OrderView(
        id=order.id, number=order.number, basket_id=order.basket_id, channel=_seam_channel(order.channel),
        status=order.status, status_label=order.status_label,
        payment_method=order.payment_method, payment_status=order.payment_status, created_at=order.created_at,
        name=order.name, surname=order.surname, email=order.email, phone_prefix=order.phone_prefix,
        phone=order.phone, delivery_type=order.delivery_type,
        products_final=Price(order.products_final_net, order.products_final_gross),
        products_base_gross=order.products_base_gross,
        total=Price(order.total_net, order.total_gross),
        delivery=Price(order.delivery_net, order.delivery_gross),
        delivery_options=options, delivery_point=order.delivery_point, delivery_address=order.delivery_address,
        digital_email=order.digital_email, courier_note=order.courier_note, invoice=order.invoice,
        consents=tuple(order.consents or ()), comment=order.comment, external=dict(order.external or {}),
        tracking_numbers=tuple(t.number for t in order.tracking_numbers),
        lines=tuple(
            seam.OrderLineView(line.product_id, line.ean, line.name, line.unit_base_gross, line.vat_rate,
                               line.quantity, line.quantity_type, line.quantity_unit,
                               paid=Price(line.final_net, line.final_gross))
            for line in order.lines
        ),
        owner_token=order.owner_token,
    )


def _same(given: object, expected: str | None) -> bool:
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def shop_error(exc: baskets.BasketError | orders.OrderError) -> seam.ShopError:
    return seam.ShopError(exc.message, getattr(exc, "code", "SHOP_REFUSED"))


# --- the seam ----------------------------------------------------------------------------------------


class DemoShop:
    """`inpost_pay.shop.Shop` for the demo shop."""

    # catalogue
    def product(self, product_id: object) -> seam.ProductView | None:
        try:
            pid = bounds.parse_id(product_id, "product_id")
        except bounds.OutOfBounds:
            return None
        rows = catalogue.current()
        row = rows.product(pid)
        return _CatalogueViews.of(rows).products([pid])[0] if row is not None and row.active else None

    def default_quantity(self, product: seam.ProductView) -> Decimal:
        return card_quantity(catalogue.current().product(product.product_id))

    # baskets
    def basket(self, basket_id: str) -> seam.BasketView | None:
        basket = baskets.get_basket(basket_id)
        return basket_view(basket) if basket is not None else None

    def lock_basket(self, basket_id: str) -> seam.BasketView | None:
        basket = baskets.lock_basket(basket_id)
        return basket_view(basket) if basket is not None else None

    def _row(self, basket_id: str) -> Basket:
        basket = baskets.get_basket(basket_id)
        if basket is None:
            raise seam.ShopError("Nie ma takiego koszyka.", "BASKET_NOT_FOUND")
        return basket

    def set_quantity(self, basket_id: str, product_id: str, quantity: Decimal) -> str | None:
        try:
            return baskets.set_quantity(self._row(basket_id), product_id, quantity, source=seam.CHANNEL, clamp=True)
        except baskets.BasketError as exc:
            raise shop_error(exc) from None

    def set_codes(self, basket_id: str, codes: list[str]) -> list[seam.CodeChange]:
        changes = baskets.set_codes(self._row(basket_id), codes, source=seam.CHANNEL)
        return [seam.CodeChange(c.message, c.ok) for c in changes]

    def add_product(self, basket_id: str, product_id: object, quantity: Decimal) -> None:
        try:
            baskets.add_product(self._row(basket_id), product_id, quantity, source=seam.CHANNEL)
        except baskets.BasketError as exc:
            raise shop_error(exc) from None

    # the shopper's session
    def session_basket_id(self) -> str | None:
        return shop_session.current_basket_id()

    def session_basket(self, *, create: bool = False, lock: bool = False) -> seam.BasketView | None:
        basket = shop_session.current_basket(create=create, lock=lock)
        return basket_view(basket) if basket is not None else None

    def add_to_session_basket(self, product_id: object, quantity: Decimal | None) -> seam.BasketView:
        previous = session.get(shop_session.BASKET_KEY)
        try:
            product = baskets.find_product(product_id)
            basket = shop_session.current_basket(create=True, lock=True)
            baskets.add_product(basket, product.id, card_quantity(product) if quantity is None else quantity)
        except baskets.BasketError as exc:
            # Nothing kept: not the line, and not a basket this request had just started.
            if previous is None:
                session.pop(shop_session.BASKET_KEY, None)
            else:
                session[shop_session.BASKET_KEY] = previous
            raise shop_error(exc) from None
        return basket_view(basket)

    def forget_session_basket(self) -> None:
        shop_session.forget_basket()

    def session_owner(self) -> str:
        return shop_session.owner_token()

    def may_see_order(self, order: seam.OrderView, token: str | None) -> bool:
        row = db.session.get(Order, order.id)
        return row is not None and (
            _same(session.get(shop_session.OWNER_KEY), row.owner_token) or _same(token, row.access_token)
        )

    # orders
    def order(self, order_id: int) -> seam.OrderView | None:
        row = db.session.get(Order, order_id) if 0 < order_id <= MAX_ORDER_ID else None
        return order_view(row) if row is not None else None

    def order_of_basket(self, basket_id: str) -> seam.OrderView | None:
        row = db.session.scalar(select(Order).where(Order.basket_id == basket_id))
        return order_view(row) if row is not None else None

    def place_order(self, basket_id: str, request: seam.OrderRequest) -> seam.OrderView:
        try:
            req = orders.OrderRequest(**{**asdict(request), "channel": _shop_channel(request.channel)})
            row = orders.place_order(self._row(basket_id), req)
        except orders.OrderError as exc:
            raise shop_error(exc) from None
        return order_view(row)

    def apply_order_event(
        self, order_id: int, *, payment_status: str | None, external: Mapping, rejected: bool
    ) -> seam.OrderView:
        row = db.session.get(Order, order_id)
        db.session.refresh(row, with_for_update=True)
        if payment_status:
            orders.record_payment(row, payment_status, note=f"InPost: płatność {payment_status}")
        row.external = {**(row.external or {}), **external}
        if rejected and row.status != "cancelled":
            orders.cancel(row, note="Odrzucone w aplikacji InPost")
        return order_view(row)

    def overdue_unpaid_orders(self, placed_before: datetime) -> list[int]:
        query = (
            select(Order.id, Order.payment_status)
            .where(Order.channel == orders.INPOST_PAY, Order.status == "awaiting_payment", Order.created_at < placed_before)
            .order_by(Order.id)
        )
        return [order_id for order_id, payment in db.session.execute(query) if payment not in SETTLED]

    def cancel_unpaid_order(self, order_id: int, reason: str) -> seam.OrderView | None:
        row = db.session.get(Order, order_id, with_for_update=True, populate_existing=True)
        if row is None or row.status != "awaiting_payment" or row.payment_status in SETTLED:
            return None
        orders.cancel(row, note=reason)
        return order_view(row)

    def begin_write(self) -> None:
        begin_write()

    def thank_you_url(self, order: seam.OrderView) -> str:
        # The secret token opens the page in any browser: InPost placed the order without the
        # shopper's session (a second tab, the phone's browser).
        row = db.session.get(Order, order.id)
        return url_for("checkout.thank_you", order_id=order.id, token=row.access_token)

    def status_names(self) -> Mapping[str, str]:
        return orders.STATUSES

    def labels(self, order: seam.OrderView) -> seam.StatusLabels:
        return seam.StatusLabels(
            status_label=order.status_label,
            status_tone=order_labels.status_tone(order.status),
            payment_label=order_labels.payment_status(order.payment_status),
            payment_tone=order_labels.payment_status_tone(order.payment_status),
        )

    # pages
    def fill_slot(self, app: Flask, name: str, render) -> None:
        templating.fill_slot(app, name, render)

    # the back office
    def admin_signed_in(self) -> bool:
        return admin.signed_in()

    def admin_login_url(self, next_page: str | None) -> str:
        return url_for("admin.login", next=next_page) if next_page else url_for("admin.login")

    def admin_order_url(self, order_id: int) -> str:
        return url_for("admin.order", order_id=order_id)

    def add_admin_page(self, app: Flask, endpoint: str, label: str) -> None:
        admin.register_nav_link(app, endpoint, label)

    def add_order_panel(self, app: Flask, template: str) -> None:
        admin.register_order_panel(app, template)


# --- the shop's signals, forwarded as the integration's -----------------------------------------------


def connect(app: Flask) -> None:
    """Forward the shop's signals (sent inside the change's transaction) to the integration, and
    create the integration's tables wherever the shop creates its own."""

    def basket_changed(sender, basket, source):
        seam.basket_changed.send(sender, basket_id=basket.id, source=source)

    def order_placed(sender, order, basket):
        seam.order_placed.send(sender, order=order_view(order))

    def status_changed(sender, order, old_status, new_status, label):
        seam.order_status_changed.send(
            sender, order=order_view(order), old_status=old_status, new_status=new_status, label=label
        )

    def tracking_added(sender, order, number):
        seam.order_tracking_added.send(sender, order=order_view(order), number=number)

    def completed_on_website(sender, order):
        seam.order_completed_on_website.send(sender, order=order_view(order))

    def database_created(sender):
        inpost_pay.create_tables(db.engine)

    app.extensions["shop_adapter_receivers"] = receivers = (
        (signals.basket_changed, basket_changed),
        (signals.order_placed, order_placed),
        (signals.order_status_changed, status_changed),
        (signals.order_tracking_added, tracking_added),
        (signals.order_completed_on_website, completed_on_website),
        (signals.database_created, database_created),
    )
    for signal, receiver in receivers:  # kept in app.extensions: blinker holds receivers weakly
        signal.connect(receiver, app)
