"""Between the shop's basket/order and InPost's JSON: pure functions.

- `basket_json(view, totals, ...)`: the shop's basket -> InPost's basket object, with
  every field of the InPost Pay documents' tables (Basket Update response, Confirming the binding of a basket response:
  summary, delivery, promo_codes, products, related_products, consents). Sent in
  `PUT /v1/izi/basket/{id}` and returned by `GET .../basket`, `.../confirmation`
  and `.../event`.
- `order_request_from_inpost(order, owner_token)`: InPost's `POST /v1/izi/order`
  body (schemas.OrderCreate) -> the shop's `OrderRequest`.
- `order_json(order, ...)`: a shop order -> InPost's order object (docs/inpost-pay-api.md §3.6).

No Flask, no database session, no network inside: the seam's plain data objects
in (`inpost_pay/shop.py`: `BasketView`, `Totals`, `OrderView`, ...), plain dicts out.

Determinism matters: before an order InPost re-reads the basket and compares it
with its copy; any drift in order or rounding aborts the checkout (pitfall 2).
So: same inputs -> the same dict, keys in a fixed order, products in basket line
order, related products by id, consents by position, amounts as strings with
two decimals (`Price.as_json`), empty lists as `[]`. Pass an `issued_at` that
only changes when the basket does (e.g. the basket's `updated_at`), since the
expiration and delivery dates are derived from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from .money import CURRENCY, ZERO, Price, fmt, fmt_pln, quantize, sum_prices
from .schemas import PAYMENT_TYPES, Address, OrderCreate
from .shop import CHANNEL, BasketView, ConsentView, OrderRequest, OrderView, ProductView, Totals

__all__ = ["BasketView", "ConsentView", "ProductView", "basket_json", "order_json", "order_request_from_inpost"]

# summary.payment_type: the InPost Pay documents' list (Basket Update). CASH_ON_DELIVERY is added only when a
# delivery offers the COD option: InPost's documents make COD mandatory with it.
CASH_ON_DELIVERY = "CASH_ON_DELIVERY"
DEFAULT_PAYMENT_TYPES = tuple(t for t in PAYMENT_TYPES if t != CASH_ON_DELIVERY)
BASKET_LIFETIME = timedelta(days=7)  # MG's 7 days (docs/inpost-pay-api.md §8.7)
MAX_RELATED = 10  # DOC FAQ: at most 10 suggested products
MAX_ATTRIBUTE = 255  # MG truncates attribute strings to 255 chars (pitfall 8)
NOTICE_TYPES = ("ATTENTION", "ERROR")
DECIMAL = "DECIMAL"


def default_information(totals: Totals) -> str:
    """summary.basket_additional_information when the caller gives none: "free delivery from
    199 zł", only while delivery still costs something (after a free-delivery code or above the
    threshold the app would otherwise say both)."""
    if totals.free_delivery_minimum is None or _delivery_is_free(totals):
        return ""
    return f"Darmowa dostawa od {fmt_pln(totals.free_delivery_minimum)}."


def _delivery_is_free(totals: Totals) -> bool:
    return bool(totals.deliveries) and all(quote.price.gross == 0 for quote in totals.deliveries)


# --- the plain view of a basket ---------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """summary.basket_notice (Basket Update): ATTENTION for news, ERROR for a refused change."""

    type: str
    description: str

    def __post_init__(self):
        if self.type not in NOTICE_TYPES:
            raise ValueError(f"notice type must be one of {NOTICE_TYPES}")


# --- small formatters ---------------------------------------------------------------------------


def iso(moment: datetime) -> str:
    """InPost's date-time form: UTC, milliseconds, `Z` (docs/inpost-pay-api.md §3.0)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def number(value: Decimal) -> int | float:
    """A quantity as a JSON number (Basket Update: number($decimal); the example draws `"quantity":1`).

    Whole quantities become ints. Fractional ones (at most 3 places, `Quantity` column)
    go through float only to be printed: Python prints the shortest text that reads back
    as the same float, so 0.35 is written "0.35". Amounts never take this path.
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())


def absolute(shop_url: str, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return shop_url.rstrip("/") + "/" + path.lstrip("/")


def product_link(shop_url: str, product: ProductView) -> str:
    return absolute(shop_url, product.link or f"/produkt/{product.slug}")


def product_image(shop_url: str, product: ProductView) -> str:
    return absolute(shop_url, product.image_url or f"/static/img/products/{product.image}")


def delivery_date(issued_at: datetime, delivery_type: str) -> datetime:
    """An estimate, as the plugins make it: two days later at 12:00 UTC; digital goods next day."""
    issued_at = issued_at.astimezone(UTC)
    if delivery_type == "DIGITAL":
        return issued_at + timedelta(days=1)
    return datetime.combine(issued_at.date() + timedelta(days=2), time(12, 0), tzinfo=UTC)


def _attributes(pairs: Iterable[tuple[str, str]]) -> list[dict]:
    out = []
    for name, value in pairs:
        name, value = str(name).strip()[:MAX_ATTRIBUTE], str(value).strip()[:MAX_ATTRIBUTE]
        if name and value:  # empty strings must not be sent (pitfall 8)
            out.append({"attribute_name": name, "attribute_value": value})
    return out


# --- basket -> InPost basket ------------------------------------------------------------------


def _quantity_json(product: ProductView, quantity: Decimal) -> dict:
    return {
        "quantity": number(quantity),
        "quantity_type": product.quantity_type,
        "quantity_unit": product.quantity_unit,
        "available_quantity": number(product.stock),
        # What one order may take: the per-order limit, but never more than the stock.
        "max_quantity": number(min(product.max_quantity, product.stock)),
    }


def _product_json(
    product: ProductView, quantity: Decimal, unit_base: Price, unit_promo: Price | None, shop_url: str
) -> dict:
    """One entry of `products` / `related_products` (Confirming the binding of a basket). Prices per piece for INTEGER,
    for the chosen amount for DECIMAL (Basket Update quantity_type; pricing already does that)."""
    item = {
        "product_id": str(product.product_id),
        "product_category": str(product.category_id),
        "ean": product.ean,
        "product_name": product.name,
        "product_description": product.description,
        "product_link": product_link(shop_url, product),
        "product_image": product_image(shop_url, product),
        "base_price": unit_base.as_json(),
    }
    if unit_promo is not None:
        item["promo_price"] = unit_promo.as_json()
        # Omnibus (Confirming the binding of a basket: required whenever promo_price is sent). Without a recorded
        # history the price before the promotion is the regular price.
        lowest = product.lowest_price_gross if product.lowest_price_gross is not None else product.price_gross
        lowest_gross = quantize(lowest * quantity) if product.quantity_type == DECIMAL else lowest
        item["lowest_price"] = Price.from_gross(lowest_gross, product.vat_rate).as_json()
    item["quantity"] = _quantity_json(product, quantity)
    item["product_attributes"] = _attributes(product.attributes)
    item["product_type"] = "DIGITAL" if product.is_digital else "PRODUCT"
    item["variants"] = []  # Confirming the binding of a basket: "Object currently not used"
    return item


def _related_json(view: BasketView, shop_url: str) -> list[dict]:
    """Suggestions not already in the basket, by id, at most 10, each for one piece / one step."""
    in_basket = {p.product_id for p in view.products}
    seen: dict[int, ProductView] = {}
    for product in view.related:
        if product.product_id not in in_basket:
            seen.setdefault(product.product_id, product)
    out = []
    for product in sorted(seen.values(), key=lambda p: p.product_id)[:MAX_RELATED]:
        quantity = product.quantity_step if product.quantity_type == DECIMAL else Decimal(1)
        unit_base, unit_promo = _offer_prices(product, quantity)
        out.append(_product_json(product, quantity, unit_base, unit_promo, shop_url))
    return out


def _offer_prices(product: ProductView, quantity: Decimal) -> tuple[Price, Price | None]:
    """A suggestion's base and promo price, as for a basket line: per piece for INTEGER, for the
    offered amount for DECIMAL ("InPost Pay: Basket Update", quantity_type)."""
    scale = quantity if product.quantity_type == DECIMAL else Decimal(1)
    base = Price.from_gross(quantize(product.price_gross * scale), product.vat_rate)
    if product.promo_price_gross is None:
        return base, None
    return base, Price.from_gross(quantize(product.promo_price_gross * scale), product.vat_rate)


def _delivery_json(totals: Totals, issued_at: datetime) -> list[dict]:
    out = []
    for quote in totals.deliveries:
        out.append(
            {
                "delivery_type": quote.delivery_type,
                "delivery_date": iso(delivery_date(issued_at, quote.delivery_type)),
                "delivery_options": [
                    {
                        "delivery_name": option.name,
                        "delivery_code_value": option.code,
                        "delivery_option_price": option.price.as_json(),
                    }
                    for option in quote.options
                ],
                "delivery_price": quote.price.as_json(),
                "free_delivery_minimum_gross_price": (
                    fmt(totals.free_delivery_minimum) if totals.free_delivery_minimum is not None else None
                ),
            }
        )
    return out


def _consents_json(view: BasketView, shop_url: str) -> list[dict]:
    return [
        {
            "consent_id": c.consent_id,
            "consent_link": absolute(shop_url, c.link),
            "consent_description": c.description,
            "consent_version": c.version,
            "requirement_type": c.requirement_type,
        }
        for c in view.consents
    ]


def basket_json(
    view: BasketView,
    totals: Totals,
    *,
    shop_url: str,
    issued_at: datetime,
    notice: Notice | None = None,
    payment_types: Iterable[str] = DEFAULT_PAYMENT_TYPES,
    additional_information: str | None = None,
    additional_parameters: Iterable[tuple[str, str]] = (),
) -> dict:
    """InPost's basket object (Basket Update and Confirming the binding of a basket) for a basket priced by the shop (`Totals`)."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    products = {p.product_id: p for p in view.products}
    lines = []
    for priced in totals.lines:
        product = products.get(priced.product_id)
        if product is None:
            raise ValueError(f"BasketView has no product {priced.product_id} of the priced basket")
        lines.append(_product_json(product, priced.quantity, priced.unit_base, priced.unit_promo, shop_url))

    payment = [t for t in payment_types if t != CASH_ON_DELIVERY]
    if any(quote.option_price("COD") is not None for quote in totals.deliveries):
        payment.append(CASH_ON_DELIVERY)

    summary = {
        "basket_base_price": totals.base.as_json(),
        "basket_final_price": totals.final.as_json(),
        # Basket Update: "whether the basket without delivery costs is free"
        "free_basket": bool(totals.lines) and totals.final.gross == ZERO,
        "basket_promo_price": totals.promo.as_json(),
        "currency": CURRENCY,
        "basket_expiration_date": iso(issued_at + BASKET_LIFETIME),
        "basket_additional_information": (
            default_information(totals) if additional_information is None else additional_information
        ),
        "payment_type": payment,
        "basket_notice": {"type": notice.type, "description": notice.description} if notice else None,
        "basket_additional_parameters": [{"key": k, "value": v} for k, v in additional_parameters],
    }
    return {
        "summary": summary,
        "delivery": _delivery_json(totals, issued_at),
        "promo_codes": [{"name": c.name, "promo_code_value": c.code} for c in totals.applied_codes],
        "products": lines,
        "related_products": _related_json(view, shop_url),
        "consents": _consents_json(view, shop_url),
    }


# --- InPost order -> shop order request ---------------------------------------------------------


def _usable(text: str | None) -> str | None:
    """Trimmed text, or None for empty and for InPost's "_" placeholder (pitfall 10)."""
    text = (text or "").strip()
    return None if text in ("", "_") else text


def shop_address(address: Address, fallback_name: str = "") -> dict:
    """A delivery address in the shop's shape ({name, street, flat?, postal_code, city, country_code}).

    `street` is "street building" from `address_details` when InPost parsed the address,
    else the unparsed `address` line (pitfall 10). The raw line is kept as `address`.
    """
    details = address.address_details
    street, flat = None, None
    if details is not None and _usable(details.street):
        street = " ".join(x for x in (_usable(details.street), _usable(details.building)) if x)
        flat = _usable(details.flat)
    if not street:
        street = (address.address or "").strip()
    out = {
        "name": (address.name or "").strip() or fallback_name,  # trimmed (PS DV-8714)
        "street": street,
        "postal_code": (address.postal_code or "").strip(),
        "city": (address.city or "").strip(),
        "country_code": (address.country_code or "PL").strip() or "PL",
    }
    if flat:
        out["flat"] = flat
    if address.address:
        out["address"] = address.address.strip()
    if details is not None:
        out["address_details"] = {
            k: v for k, v in (("street", details.street), ("building", details.building), ("flat", details.flat)) if v
        }
    return out


def _address_json(address: Address) -> dict:
    out = {
        "country_code": address.country_code,
        "address": address.address,
        "city": address.city,
        "postal_code": address.postal_code,
    }
    if address.address_details is not None:
        d = address.address_details
        out["address_details"] = {"street": d.street, "building": d.building, "flat": d.flat}
    return out


def order_request_from_inpost(order: OrderCreate, owner_token: str) -> OrderRequest:
    """What the shop needs to place the order InPost sends in `POST /v1/izi/order` (docs/inpost-pay-api.md §3.5).

    The shop's `place_order` then checks delivery, consents, stock and that
    `basket_price.gross` is what the basket costs with delivery (docs/inpost-pay-api.md §8.3).
    """
    details, account, delivery = order.order_details, order.account_info, order.delivery
    full_name = f"{account.name} {account.surname}".strip()
    delivery_address = None
    if delivery.delivery_address is not None:
        delivery_address = shop_address(delivery.delivery_address, full_name)
    inpost = {
        "basket_id": details.basket_id,
        "payment_type": details.payment_type,
        "payment_status": "UNPAID",
        "basket_additional_parameters": [
            {"key": p.key, "value": p.value} for p in details.basket_additional_parameters
        ],
        "inpost_discounts": [{"type": d.type, "discount": fmt(d.discount)} for d in details.inpost_discounts],
        "delivery_mail": delivery.mail,
        "delivery_phone_number": (
            {"country_prefix": delivery.phone_number.country_prefix, "phone": delivery.phone_number.phone}
            if delivery.phone_number
            else None
        ),
        "client_address": _address_json(account.client_address) if account.client_address else None,
    }
    if order.unknown_values:
        inpost["unknown_values"] = list(order.unknown_values)
    return OrderRequest(
        channel=CHANNEL,
        owner_token=owner_token,
        name=account.name.strip(),
        surname=account.surname.strip(),
        email=account.mail.strip(),
        phone_prefix=account.phone_number.country_prefix.strip(),
        phone=account.phone_number.phone.strip(),
        payment_method=details.payment_type,
        delivery_type=delivery.delivery_type,
        delivery_options=list(delivery.delivery_codes),
        delivery_point=_usable(delivery.delivery_point),
        delivery_address=delivery_address,
        digital_email=_usable(delivery.digital_delivery_email),
        courier_note=_usable(delivery.courier_note),
        invoice=order.invoice_details.as_dict() if order.invoice_details else None,
        consents={c.consent_id: c.consent_version for c in order.consents if c.is_accepted},
        comment=_usable(details.order_comments),
        expected_total_gross=details.basket_price.gross,
        cash_on_delivery=details.payment_type == CASH_ON_DELIVERY,
        external={"inpost": inpost},
    )


# --- shop order -> InPost order ------------------------------------------------------------------


def _phone_json(prefix: str, phone: str) -> dict:
    return {"country_prefix": prefix, "phone": phone}


def _order_address_json(address: dict) -> dict:
    """The shop's stored delivery address back in InPost's delivery_address shape."""
    line = address.get("address")
    if not line:
        line = address.get("street", "")
        if address.get("flat"):
            line = f"{line}/{address['flat']}"
    out = {
        "name": address.get("name", ""),
        "country_code": address.get("country_code", "PL"),
        "address": line,
        "city": address.get("city", ""),
        "postal_code": address.get("postal_code", ""),
    }
    if address.get("address_details"):
        out["address_details"] = dict(address["address_details"])
    return out


def order_json(order: OrderView, *, pos_id: str, shop_url: str, products: Mapping[int, ProductView] | None = None) -> dict:
    """InPost's order object (docs/inpost-pay-api.md §3.6) for a shop order.

    `order_id` is the shop's numeric id (what InPost uses in `/v1/izi/order/{order_id}`);
    `customer_order_id` is the number the shopper sees (SPL-000042). Products come from the
    order's lines, not from the basket (PS fix DV-929); `products` (id -> ProductView, see
    `Shop.product`) adds links, images, categories and attributes when given.
    """
    products = products or {}
    external = (order.external or {}).get("inpost", {}) or {}
    created = order.created_at if order.created_at.tzinfo else order.created_at.replace(tzinfo=UTC)
    options = order.delivery_options
    delivery_price = order.delivery - sum_prices(option.price for option in options)

    details = {
        "order_comments": order.comment,
        "order_id": str(order.id),
        "customer_order_id": order.number,
        "pos_id": pos_id,
        "order_creation_date": iso(created),
        "basket_id": order.basket_id,
        "order_merchant_status_description": order.status_label,
        "payment_type": order.payment_method,
        "order_base_price": order.products_final.as_json(),
        "order_final_price": order.total.as_json(),
        # Promotions and codes together: the lines at their regular prices less this are
        # order_base_price, so the app's order screen adds up.
        "order_discount": fmt(
            ZERO if order.products_base_gross is None else order.products_base_gross - order.products_final.gross
        ),
        "currency": CURRENCY,
        "delivery_references_list": list(order.tracking_numbers),
        "order_additional_parameters": list(external.get("basket_additional_parameters") or []),
    }
    account = {
        "name": order.name,
        "surname": order.surname,
        "phone_number": _phone_json(order.phone_prefix, order.phone),
        "mail": order.email,
    }
    if external.get("client_address"):
        account["client_address"] = external["client_address"]

    delivery = {
        "delivery_type": order.delivery_type,
        "delivery_date": iso(delivery_date(created, order.delivery_type)),
        "delivery_options": [
            {"delivery_name": o.name, "delivery_code_value": o.code, "delivery_option_price": o.price.as_json()}
            for o in options
        ],
        "delivery_price": delivery_price.as_json(),
        "mail": external.get("delivery_mail") or order.email,
        "phone_number": external.get("delivery_phone_number") or _phone_json(order.phone_prefix, order.phone),
    }
    if order.delivery_point:
        delivery["delivery_point"] = order.delivery_point
    if order.delivery_address:
        delivery["delivery_address"] = _order_address_json(order.delivery_address)
    if order.courier_note:
        delivery["courier_note"] = order.courier_note
    if order.digital_email:
        delivery["digital_delivery_email"] = order.digital_email

    lines = []
    for line in order.lines:
        product = products.get(line.product_id)
        item = {"product_id": str(line.product_id)}
        if product is not None:
            item["product_category"] = str(product.category_id)
        item["ean"] = line.ean
        item["product_name"] = line.name
        if product is not None:
            item["product_description"] = product.description
            item["product_link"] = product_link(shop_url, product)
            item["product_image"] = product_image(shop_url, product)
        item["base_price"] = Price.from_gross(line.unit_base_gross, line.vat_rate).as_json()
        if line.paid is not None:
            item["quantity_price"] = line.paid.as_json()  # what was paid for the whole line
        item["quantity"] = {
            "quantity": number(line.quantity),
            "quantity_type": line.quantity_type,
            "quantity_unit": line.quantity_unit,
        }
        if product is not None:
            item["product_attributes"] = _attributes(product.attributes)
            item["product_type"] = "DIGITAL" if product.is_digital else "PRODUCT"
        lines.append(item)

    out = {"order_details": details, "account_info": account}
    if order.invoice:
        out["invoice_details"] = dict(order.invoice)
    out["delivery"] = delivery
    out["products"] = lines
    out["consents"] = [
        {"consent_id": c["consent_id"], "consent_version": c["consent_version"], "is_accepted": bool(c["is_accepted"])}
        for c in (order.consents or [])
    ]
    return out
