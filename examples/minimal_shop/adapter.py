"""The minimal shop's side of the InPost Pay seam (inpost_pay/shop.py): everything the
integration needs, from this shop's own models and rules. Compare with the demo shop's
shop_adapter.py: same interface, another shop."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask, session, url_for
from sqlalchemy import select

from inpost_pay import shop as seam
from inpost_pay.money import Price, sum_prices

from . import shop
from .shop import Basket, Order, Refused, db

TERMS = seam.ConsentView("terms", "I accept the shop's terms", "/", "1", "REQUIRED_ALWAYS")
PAID = {"AUTHORIZED", "COMPLETED", "CAPTURED"}


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def gross(amount: Decimal) -> Price:
    return Price.from_gross(amount, shop.VAT_RATE)


def product_view(item: shop.Product) -> seam.ProductView:
    return seam.ProductView(
        product_id=item.id, slug=str(item.id), category_id=1, ean="", name=item.name, description=item.name,
        image=f"{item.id}.png", vat_rate=shop.VAT_RATE, price_gross=item.price, promo_price_gross=None,
        lowest_price_gross=None, quantity_type="INTEGER", quantity_unit="pcs", quantity_step=Decimal(1),
        stock=Decimal(item.stock), max_quantity=Decimal(shop.MAX_PER_LINE), link="/", image_url="/favicon.ico",
    )  # fmt: skip


def basket_view(basket: Basket) -> seam.BasketView:
    lines = tuple(seam.LineTotal(ln.product_id, Decimal(ln.quantity), gross(ln.product.price), None)
                  for ln in basket.lines)  # fmt: skip
    goods = sum_prices(gross(ln.product.price * ln.quantity) for ln in basket.lines)
    totals = seam.Totals(
        lines=lines, base=goods, promo=goods, final=goods,
        deliveries=tuple(seam.DeliveryQuote(code, gross(price)) for code, (_, price) in shop.DELIVERY.items()),
        item_count=sum(ln.quantity for ln in basket.lines),
    )  # fmt: skip
    return seam.BasketView(
        basket_id=basket.id, products=tuple(product_view(ln.product) for ln in basket.lines), consents=(TERMS,),
        totals=totals, version=basket.version, updated_at=aware(basket.changed_at), is_open=not basket.ordered,
    )  # fmt: skip


def order_view(order: Order) -> seam.OrderView:
    c = order.customer
    return seam.OrderView(
        id=order.id, number=f"M-{order.id:05d}", basket_id=order.basket_id, channel=order.channel,
        status=order.status, status_label=shop.STATUSES.get(order.status, order.status),
        payment_method=order.external.get("payment_type", "TRANSFER"), payment_status=order.payment_status,
        created_at=aware(order.created_at), name=c["name"], surname=c["surname"], email=c["email"],
        phone_prefix=c["phone_prefix"], phone=c["phone"], delivery_type=order.delivery_type,
        products_final=gross(order.goods_price), total=gross(order.goods_price + order.delivery_price),
        delivery=gross(order.delivery_price), delivery_point=order.delivery_point,
        delivery_address=order.delivery_address, external=dict(order.external), owner_token=order.owner,
        consents=({"consent_id": "terms", "consent_version": "1", "is_accepted": True},),
        lines=tuple(seam.OrderLineView(ln["product_id"], "", ln["name"], Decimal(ln["price"]), shop.VAT_RATE,
                                       Decimal(ln["quantity"]), "INTEGER", "pcs") for ln in order.lines),
    )  # fmt: skip


def refused(exc: Refused) -> seam.ShopError:
    return seam.ShopError(exc.message, exc.code)


class MinimalShop:
    """`inpost_pay.shop.Shop` for the minimal shop."""

    def product(self, product_id: object) -> seam.ProductView | None:
        try:
            return product_view(shop.product(product_id))
        except Refused:
            return None

    def default_quantity(self, product: seam.ProductView) -> Decimal:
        return Decimal(1)

    def basket(self, basket_id: str) -> seam.BasketView | None:
        basket = db.session.get(Basket, basket_id) if basket_id else None
        return basket_view(basket) if basket is not None else None

    def lock_basket(self, basket_id: str) -> seam.BasketView | None:
        found = db.session.execute(db.select(Basket).where(Basket.id == basket_id).with_for_update()
                                   .execution_options(populate_existing=True)).scalar_one_or_none()  # fmt: skip
        return basket_view(found) if found is not None else None

    def _row(self, basket_id: str) -> Basket:
        return db.session.get(Basket, basket_id)

    def set_quantity(self, basket_id: str, product_id: str, quantity: Decimal) -> str | None:
        try:
            return shop.set_line(self._row(basket_id), product_id, quantity, source=seam.CHANNEL)
        except Refused as exc:
            raise refused(exc) from None

    def set_codes(self, basket_id: str, codes: list[str]) -> list[seam.CodeChange]:
        return [seam.CodeChange(f"This shop has no promo codes ({code}).", False) for code in codes]

    def add_product(self, basket_id: str, product_id: object, quantity: Decimal) -> None:
        try:
            shop.add(self._row(basket_id), product_id, quantity, source=seam.CHANNEL)
        except Refused as exc:
            raise refused(exc) from None

    def session_basket_id(self) -> str | None:
        return session.get("basket")

    def session_basket(self, *, create: bool = False, lock: bool = False) -> seam.BasketView | None:
        basket = shop.session_basket(create=create)
        if basket is not None and lock:
            return self.lock_basket(basket.id)
        return basket_view(basket) if basket is not None else None

    def add_to_session_basket(self, product_id: object, quantity: Decimal | None) -> seam.BasketView:
        previous = session.get("basket")
        try:
            basket = shop.session_basket(create=True)
            shop.add(basket, product_id, 1 if quantity is None else quantity)
        except Refused as exc:
            session.pop("basket", None) if previous is None else session.update(basket=previous)
            raise refused(exc) from None
        return basket_view(basket)

    def forget_session_basket(self) -> None:
        session.pop("basket", None)

    def session_owner(self) -> str:
        return shop.owner()

    def may_see_order(self, order: seam.OrderView, token: str | None) -> bool:
        row = db.session.get(Order, order.id)
        return any(isinstance(given, str) and given and hmac.compare_digest(given, expected)
                   for given, expected in ((session.get("owner"), row.owner), (token, row.secret)))  # fmt: skip

    def order(self, order_id: int) -> seam.OrderView | None:
        row = db.session.get(Order, order_id) if 0 < order_id < 2**31 else None
        return order_view(row) if row is not None else None

    def order_of_basket(self, basket_id: str) -> seam.OrderView | None:
        row = db.session.scalar(db.select(Order).where(Order.basket_id == basket_id))
        return order_view(row) if row is not None else None

    def place_order(self, basket_id: str, request: seam.OrderRequest) -> seam.OrderView:
        customer = {k: getattr(request, k) for k in ("name", "surname", "email", "phone_prefix", "phone")}
        try:
            row = shop.place(self._row(basket_id), channel=request.channel, owner=request.owner_token,
                             customer=customer, delivery_type=request.delivery_type,
                             expected=request.expected_total_gross, delivery_point=request.delivery_point,
                             delivery_address=request.delivery_address,
                             external={**request.external, "payment_type": request.payment_method})  # fmt: skip
        except Refused as exc:
            raise refused(exc) from None
        return order_view(row)

    def apply_order_event(self, order_id: int, *, payment_status: str | None, external: Mapping,
                          rejected: bool) -> seam.OrderView:  # fmt: skip
        row = db.session.get(Order, order_id, with_for_update=True)
        row.payment_status = payment_status or row.payment_status
        row.external = {**row.external, **external}
        if rejected and row.status != "cancelled":
            shop.set_status(row, "cancelled")
        elif row.payment_status in PAID and row.status == "new":
            shop.set_status(row, "paid")
        return order_view(row)

    def overdue_unpaid_orders(self, placed_before: datetime) -> list[int]:
        rows = db.session.scalars(select(Order).where(Order.channel == seam.CHANNEL, Order.status == "new"))
        return [o.id for o in rows if o.payment_status not in PAID and aware(o.created_at) < placed_before]

    def cancel_unpaid_order(self, order_id: int, reason: str) -> seam.OrderView | None:
        row = db.session.get(Order, order_id, with_for_update=True, populate_existing=True)
        if row is None or row.status != "new" or row.payment_status in PAID:
            return None
        shop.set_status(row, "cancelled")
        return order_view(row)

    def begin_write(self) -> None:
        pass  # the minimal shop keeps SQLite's own transactions: nothing to prepare

    def thank_you_url(self, order: seam.OrderView) -> str:
        return url_for("minimal.order_page", order_id=order.id, token=db.session.get(Order, order.id).secret)

    def status_names(self) -> Mapping[str, str]:
        return shop.STATUSES

    def labels(self, order: seam.OrderView) -> seam.StatusLabels:
        tone = "ok" if order.payment_status in PAID else "wait"
        return seam.StatusLabels(order.status_label, tone, order.payment_status.title(), tone)

    def fill_slot(self, app: Flask, name: str, render) -> None:
        shop.fill_slot(app, name, render)

    # No back office in this shop: the console's pages stay closed.
    def admin_signed_in(self) -> bool:
        return False

    def admin_login_url(self, next_page: str | None) -> str:
        return url_for("minimal.index")

    def admin_order_url(self, order_id: int) -> str:
        return url_for("minimal.index")

    def add_admin_page(self, app: Flask, endpoint: str, label: str) -> None:
        pass

    def add_order_panel(self, app: Flask, template: str) -> None:
        pass


def connect(app: Flask) -> None:
    """Forward the shop's signals as the integration's (inside the change's transaction)."""

    def basket_changed(sender, basket, source):
        seam.basket_changed.send(sender, basket_id=basket.id, source=source)

    def order_placed(sender, order):
        seam.order_placed.send(sender, order=order_view(order))

    def order_changed(sender, order, old_status):
        view = order_view(order)
        seam.order_status_changed.send(sender, order=view, old_status=old_status, new_status=order.status,
                                       label=view.status_label)  # fmt: skip

    app.extensions["minimal_adapter_receivers"] = receivers = (
        (shop.basket_changed, basket_changed), (shop.order_placed, order_placed), (shop.order_changed, order_changed),
    )  # fmt: skip
    for signal, receiver in receivers:
        signal.connect(receiver, app)
