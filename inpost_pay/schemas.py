"""Reading the requests InPost sends to the merchant API into small frozen dataclasses.

One parser per inbound body, with the seeds' field names, types and enums:

| call | parser | source |
|---|---|---|
| `POST /v1/izi/basket/{id}/confirmation` | `parse_confirmation` | seed 003 request table, reference §3.2 |
| `POST /v1/izi/basket/{id}/event` | `parse_basket_event` | seed 001 request table, reference §3.3 |
| `POST /v1/izi/order` | `parse_order_create` | reference §3.5 |
| `POST /v1/izi/order/{id}/event` | `parse_order_event` | seed 004 request table, reference §3.7 |

Rules:
- A body that does not fit raises `SchemaError(field, message)` with the dotted path
  of the field (`quantity_event_data[0].quantity.quantity`); the merchant API answers
  400 `MALFORMED_REQUEST` with it.
- Numbers are `Decimal`: `load_json` parses with `parse_float=Decimal`; amounts may
  arrive as numbers or strings (reference §8.1).
- Closed enums (event_type, binding status, quantity_type, delivery_type, ...) are
  checked. Enums InPost extends without notice — payment_type, payment_status,
  order_status (pitfall 7) — are open: an unknown value is kept as a string and
  listed in `unknown_values` for the log, never an error.
- The seeds draw `quantity_event_data`, `promo_codes_event_data` and
  `related_products_event_data` as single objects; InPost's plugins read lists.
  Both are accepted; the dataclass always holds a tuple.
- Unknown extra fields are ignored (InPost may add fields).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from . import bounds
from .errors import SchemaError
from .money import MoneyError, Price, parse_amount
from .signature import parse_timestamp

__all__ = [
    "SchemaError",
    "load_json",
    "parse_confirmation",
    "parse_basket_event",
    "parse_order_create",
    "parse_order_event",
]

logger = logging.getLogger(__name__)

# Closed enums (seeds 001, 003; reference §3.5).
BINDING_STATUSES = ("SUCCESS", "REJECT")
EVENT_TYPES = ("PRODUCTS_QUANTITY", "PROMO_CODES", "RELATED_PRODUCTS")
QUANTITY_TYPES = ("INTEGER", "DECIMAL")
DELIVERY_TYPES = ("APM", "COURIER", "DIGITAL")
LEGAL_FORMS = ("PERSON", "COMPANY")
CURRENCIES = ("PLN",)  # seed 001: "The only currency currently supported is PLN"

# Open enums: known values, for spotting new ones in the log (reference §8.8, pitfall 7).
PAYMENT_TYPES = (
    "CARD",
    "CARD_TOKEN",
    "GOOGLE_PAY",
    "APPLE_PAY",
    "BLIK_CODE",
    "BLIK_TOKEN",
    "PAY_BY_LINK",
    "SHOPPING_LIMIT",
    "DEFERRED_PAYMENT",
    "CASH_ON_DELIVERY",
)
PAYMENT_STATUSES = ("UNPAID", "STARTED", "PENDING", "AUTHORIZED", "DECLINED", "CANCELLED", "ERROR", "COD")
ORDER_STATUSES = ("ORDER_PROCESSING", "ORDER_COMPLETED", "ORDER_REJECTED")

MAX_TEXT = 5000  # no single text field of InPost's is anywhere near this
MAX_ID = 200
# Fields stored in a column of limited length (inpost_pay/models.py, storefront/models.py),
# by dotted path without list indices: longer values are refused here, at the edge, since
# PostgreSQL would refuse them at the commit (SQLite would silently keep them).
COLUMN_LENGTHS = {
    "inpost_basket_id": 64,
    "masked_phone_number": 30,
    "name": 120,
    "surname": 120,
    "browser.browser_id": 64,
    "phone_number.country_prefix": 6,
    "phone_number.phone": 20,
    "event_id": 100,
    "event_data.payment_status": 30,
    "event_data.order_status": 30,
    "event_data.payment_type": 40,
    "order_details.payment_type": 40,
    "account_info.name": 120,
    "account_info.surname": 120,
    "account_info.mail": 200,
    "account_info.phone_number.country_prefix": 6,
    "account_info.phone_number.phone": 20,
    "delivery.mail": 200,
    "delivery.phone_number.country_prefix": 6,
    "delivery.phone_number.phone": 20,
    "delivery.delivery_point": 20,
    "delivery.courier_note": 500,
    "delivery.digital_delivery_email": 200,
}
_INDEX = re.compile(r"\[\d+\]")


def load_json(raw: bytes) -> dict:
    """The request body as a JSON object, numbers as Decimal/int. SchemaError otherwise."""
    if not raw:
        raise SchemaError("body", "the request body is empty; a JSON object is expected")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemaError("body", "the request body is not UTF-8") from None

    try:
        data = bounds.loads(text)
    except bounds.OutOfBounds as exc:
        raise SchemaError(exc.field, exc.message) from None
    except ValueError as exc:
        raise SchemaError("body", f"the request body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise SchemaError("body", "the request body must be a JSON object")
    return data


# --- field readers ---------------------------------------------------------------------------


class _Reader:
    """Reads fields of one JSON object, naming the path of whatever is wrong."""

    def __init__(self, data: object, path: str = "", unknown: list[str] | None = None):
        if not isinstance(data, dict):
            raise SchemaError(path or "body", "must be an object")
        self.data = data
        self.path = path
        self.unknown = unknown if unknown is not None else []

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def _get(self, name: str, required: bool):
        value = self.data.get(name)
        if value is None and required:
            raise SchemaError(self.at(name), "is required")
        return value

    def text(self, name: str, required: bool = False, *, allow_empty: bool = True) -> str | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise SchemaError(self.at(name), f"must be a string, not {_kind(value)}")
        self._check_length(name, value, MAX_TEXT)
        if not allow_empty and not value.strip():
            raise SchemaError(self.at(name), "must not be empty")
        return value

    def ident(self, name: str, required: bool = True) -> str | None:
        """An id the seeds type as string but draw as a number (`"product_id": 26`): both accepted."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise SchemaError(self.at(name), f"must be a string, not {_kind(value)}")
        text = str(value).strip()
        if not text:
            raise SchemaError(self.at(name), "must be a non-empty id")
        self._check_length(name, text, MAX_ID)
        return text

    def _check_length(self, name: str, value: str, default: int) -> None:
        limit = COLUMN_LENGTHS.get(_INDEX.sub("", self.at(name)), default)
        if len(value) > limit:
            raise SchemaError(self.at(name), f"is too long (at most {limit} characters)")

    def boolean(self, name: str, required: bool = False) -> bool | None:
        value = self._get(name, required)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise SchemaError(self.at(name), f"must be true or false, not {_kind(value)}")
        return value

    def number(self, name: str, required: bool = False) -> Decimal | None:
        """number($decimal): a JSON number (or a numeric string), finite, not negative."""
        value = self._get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            raise SchemaError(self.at(name), f"must be a number, not {_kind(value)}")
        try:
            number = bounds.to_number(value, self.at(name))
        except bounds.OutOfBounds as exc:
            raise SchemaError(self.at(name), f"{exc.message}, not {str(value)[:40]!r}") from None
        if number < 0:
            raise SchemaError(self.at(name), "must be a finite number, not negative")
        return number

    def closed(self, name: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        if value not in allowed:
            raise SchemaError(self.at(name), f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    def open(self, name: str, known: tuple[str, ...], required: bool = False) -> str | None:
        """A value of an enum InPost may extend: kept whatever it is, noted when new."""
        value = self.text(name, required, allow_empty=False)
        if value is not None and value not in known:
            self.unknown.append(f"{self.at(name)}={value}")
            logger.warning("InPost sent a new value %s=%r; kept as is", self.at(name), value)
        return value

    def when(self, name: str) -> datetime | None:
        value = self.text(name, required=True)
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError):
            raise SchemaError(self.at(name), f"must be an ISO-8601 date-time, not {value[:40]!r}") from None

    def obj(self, name: str, required: bool = False) -> _Reader | None:
        value = self._get(name, required)
        if value is None:
            return None
        return _Reader(value, self.at(name), self.unknown)

    def items(self, name: str, *, required: bool = False, single_ok: bool = False) -> list[_Reader]:
        """A list of objects; with `single_ok` a lone object counts as a list of one (seed 001)."""
        value = self._get(name, required)
        if value is None:
            return []
        if single_ok and isinstance(value, dict):
            return [_Reader(value, self.at(name), self.unknown)]
        if not isinstance(value, list):
            raise SchemaError(self.at(name), f"must be a list, not {_kind(value)}")
        return [_Reader(item, f"{self.at(name)}[{i}]", self.unknown) for i, item in enumerate(value)]

    def strings(self, name: str) -> tuple[str, ...]:
        value = self._get(name, False)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise SchemaError(self.at(name), f"must be a list, not {_kind(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise SchemaError(f"{self.at(name)}[{i}]", f"must be a string, not {_kind(item)}")
        return tuple(value)

    def price(self, name: str, required: bool = False) -> Price | None:
        """{net, gross, vat}: amounts as numbers or strings, 2 places. All three must be readable,
        but only net and gross are kept: the order check compares gross (reference §3.5, MG 1.0.2
        dropped net/VAT checks), and refusing an order over InPost's VAT rounding helps nobody."""
        reader = self.obj(name, required)
        if reader is None:
            return None
        amounts = {}
        for part in ("net", "gross", "vat"):
            raw = reader._get(part, True)
            try:
                amounts[part] = parse_amount(raw, field=reader.at(part))
            except MoneyError as exc:
                raise SchemaError(reader.at(part), str(exc)) from None
            if amounts[part] < 0:
                raise SchemaError(reader.at(part), "must not be negative")
        return Price(amounts["net"], amounts["gross"])


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", str: "a string"}.get(type(value), "a number")


# --- shared pieces ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneNumber:
    country_prefix: str
    phone: str


def _phone(parent: _Reader, name: str = "phone_number", required: bool = False) -> PhoneNumber | None:
    reader = parent.obj(name, required)
    if reader is None:
        return None
    return PhoneNumber(
        country_prefix=reader.text("country_prefix", True, allow_empty=False),
        phone=reader.text("phone", True, allow_empty=False),
    )


@dataclass(frozen=True)
class Quantity:
    quantity: Decimal
    quantity_type: str | None = None
    quantity_unit: str | None = None
    available_quantity: Decimal | None = None
    max_quantity: Decimal | None = None


def _quantity(parent: _Reader) -> Quantity:
    reader = parent.obj("quantity", True)
    quantity_type = reader.closed("quantity_type", QUANTITY_TYPES)
    amount = reader.number("quantity", True)
    if quantity_type == "INTEGER" and amount != amount.to_integral_value():
        raise SchemaError(reader.at("quantity"), "must be a whole number for quantity_type INTEGER")
    return Quantity(
        quantity=amount,
        quantity_type=quantity_type,
        quantity_unit=reader.text("quantity_unit"),
        available_quantity=reader.number("available_quantity"),
        max_quantity=reader.number("max_quantity"),
    )


# --- POST /v1/izi/basket/{basket_id}/confirmation (seed 003) --------------------------------------


@dataclass(frozen=True)
class Browser:
    browser_trusted: bool
    browser_id: str | None = None


@dataclass(frozen=True)
class BindingConfirmation:
    """The shopper accepted (or rejected) binding the basket in the app. Every field is optional
    (seed 003); a missing status is read as SUCCESS, as the PS plugin does."""

    status: str
    inpost_basket_id: str | None = None
    phone_number: PhoneNumber | None = None
    browser: Browser | None = None
    masked_phone_number: str | None = None
    name: str | None = None
    surname: str | None = None

    @property
    def rejected(self) -> bool:
        return self.status == "REJECT"


def parse_confirmation(data: object) -> BindingConfirmation:
    r = _Reader(data)
    browser = None
    b = r.obj("browser")
    if b is not None:
        browser = Browser(browser_trusted=b.boolean("browser_trusted", True), browser_id=b.text("browser_id"))
    inpost_basket_id = r.text("inpost_basket_id")
    return BindingConfirmation(
        status=r.closed("status", BINDING_STATUSES) or "SUCCESS",
        # Seed 003's example has a leading space (" 866e5bf6-..."): ids are trimmed.
        inpost_basket_id=inpost_basket_id.strip() if inpost_basket_id else None,
        phone_number=_phone(r),
        browser=browser,
        masked_phone_number=r.text("masked_phone_number"),
        name=r.text("name"),
        surname=r.text("surname"),
    )


# --- POST /v1/izi/basket/{basket_id}/event (seed 001) ---------------------------------------------


@dataclass(frozen=True)
class QuantityChange:
    product_id: str
    quantity: Quantity


@dataclass(frozen=True)
class PromoCode:
    promo_code_value: str
    name: str | None = None  # seed 001: "not required in the next version of the application"
    regulation_type: str | None = None


@dataclass(frozen=True)
class RelatedProductAdd:
    product_id: str
    quantity: Quantity
    ean: str | None = None


@dataclass(frozen=True)
class BasketEvent:
    event_id: str
    event_data_time: datetime
    event_type: str
    phone_number: PhoneNumber | None = None
    quantity_event_data: tuple[QuantityChange, ...] = ()
    promo_codes_event_data: tuple[PromoCode, ...] = ()
    related_products_event_data: tuple[RelatedProductAdd, ...] = ()


def parse_basket_event(data: object) -> BasketEvent:
    r = _Reader(data)
    event_id = r.ident("event_id")
    event_data_time = r.when("event_data_time")
    event_type = r.closed("event_type", EVENT_TYPES, required=True)
    quantities = tuple(
        QuantityChange(product_id=q.ident("product_id"), quantity=_quantity(q))
        for q in r.items("quantity_event_data", single_ok=True)
    )
    codes = tuple(
        PromoCode(
            promo_code_value=c.text("promo_code_value", True, allow_empty=False),
            name=c.text("name"),
            regulation_type=c.text("regulation_type"),
        )
        for c in r.items("promo_codes_event_data", single_ok=True)
    )
    related = tuple(
        RelatedProductAdd(product_id=p.ident("product_id"), quantity=_quantity(p), ean=p.text("ean"))
        for p in r.items("related_products_event_data", single_ok=True)
    )
    # The data of the announced type must be there. For PROMO_CODES the list is the complete
    # wanted set (reference §3.3), so an empty list is meaningful (remove all) but a missing
    # key is not: we would silently drop the shopper's codes.
    if event_type == "PRODUCTS_QUANTITY" and not quantities:
        raise SchemaError("quantity_event_data", "is required for event_type PRODUCTS_QUANTITY")
    if event_type == "RELATED_PRODUCTS" and not related:
        raise SchemaError("related_products_event_data", "is required for event_type RELATED_PRODUCTS")
    if event_type == "PROMO_CODES" and "promo_codes_event_data" not in r.data:
        raise SchemaError("promo_codes_event_data", "is required for event_type PROMO_CODES")
    return BasketEvent(
        event_id=event_id,
        event_data_time=event_data_time,
        event_type=event_type,
        phone_number=_phone(r),
        quantity_event_data=quantities,
        promo_codes_event_data=codes,
        related_products_event_data=related,
    )


# --- POST /v1/izi/order (reference §3.5) ----------------------------------------------------


@dataclass(frozen=True)
class AddressDetails:
    street: str | None = None
    building: str | None = None
    flat: str | None = None


@dataclass(frozen=True)
class Address:
    """`client_address` / `delivery_address`. `address` may be one unparsed line (pitfall 10)."""

    country_code: str | None
    address: str | None
    city: str | None
    postal_code: str | None
    address_details: AddressDetails | None = None
    name: str | None = None  # delivery_address only: the recipient's full name, one string


def _address(parent: _Reader, name: str, *, required: bool = False, with_name: bool = False) -> Address | None:
    reader = parent.obj(name, required)
    if reader is None:
        return None
    details = None
    d = reader.obj("address_details")
    if d is not None:
        details = AddressDetails(street=d.text("street"), building=d.text("building"), flat=d.text("flat"))
    return Address(
        country_code=reader.text("country_code"),
        address=reader.text("address"),
        city=reader.text("city"),
        postal_code=reader.text("postal_code"),
        address_details=details,
        name=reader.text("name") if with_name else None,
    )


@dataclass(frozen=True)
class KeyValue:
    key: str
    value: str


@dataclass(frozen=True)
class InPostDiscount:
    type: str
    discount: Decimal


@dataclass(frozen=True)
class OrderDetails:
    basket_id: str
    currency: str
    basket_price: Price  # everything the shopper pays: products + delivery + options (reference §8.3)
    payment_type: str  # open enum
    order_comments: str | None = None
    basket_additional_parameters: tuple[KeyValue, ...] = ()
    inpost_discounts: tuple[InPostDiscount, ...] = ()


@dataclass(frozen=True)
class AccountInfo:
    name: str
    surname: str
    phone_number: PhoneNumber
    mail: str
    client_address: Address | None = None


@dataclass(frozen=True)
class InvoiceDetails:
    legal_form: str
    country_code: str | None = None
    tax_id_prefix: str | None = None
    tax_id: str | None = None
    company_name: str | None = None
    name: str | None = None
    surname: str | None = None
    city: str | None = None
    street: str | None = None
    building: str | None = None
    flat: str | None = None
    postal_code: str | None = None
    mail: str | None = None
    registration_data_edited: str | None = None
    additional_information: str | None = None

    def as_dict(self) -> dict:
        """The fields that are set, in InPost's names (what the shop stores on the order)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class OrderDelivery:
    delivery_type: str
    delivery_codes: tuple[str, ...] = ()
    mail: str | None = None
    phone_number: PhoneNumber | None = None
    delivery_point: str | None = None
    delivery_address: Address | None = None
    courier_note: str | None = None
    digital_delivery_email: str | None = None


@dataclass(frozen=True)
class ConsentAnswer:
    consent_id: str
    consent_version: str
    is_accepted: bool


@dataclass(frozen=True)
class OrderCreate:
    order_details: OrderDetails
    account_info: AccountInfo
    delivery: OrderDelivery
    invoice_details: InvoiceDetails | None = None
    consents: tuple[ConsentAnswer, ...] = ()
    unknown_values: tuple[str, ...] = field(default=())


def parse_order_create(data: object) -> OrderCreate:
    r = _Reader(data)
    d = r.obj("order_details", True)
    details = OrderDetails(
        basket_id=d.ident("basket_id"),
        currency=d.closed("currency", CURRENCIES, required=True),
        basket_price=d.price("basket_price", True),
        payment_type=d.open("payment_type", PAYMENT_TYPES, required=True),
        order_comments=d.text("order_comments"),
        basket_additional_parameters=tuple(
            KeyValue(p.text("key", True), p.text("value", True)) for p in d.items("basket_additional_parameters")
        ),
        inpost_discounts=tuple(
            InPostDiscount(type=x.text("type", True), discount=_discount(x)) for x in d.items("inpost_discounts")
        ),
    )
    a = r.obj("account_info", True)
    account = AccountInfo(
        name=a.text("name", True),
        surname=a.text("surname", True),
        phone_number=_phone(a, required=True),
        mail=a.text("mail", True, allow_empty=False),
        client_address=_address(a, "client_address"),
    )
    invoice = None
    i = r.obj("invoice_details")
    if i is not None:
        invoice = InvoiceDetails(
            legal_form=i.closed("legal_form", LEGAL_FORMS, required=True),
            **{
                name: i.text(name)
                for name in (
                    "country_code",
                    "tax_id_prefix",
                    "tax_id",
                    "company_name",
                    "name",
                    "surname",
                    "city",
                    "street",
                    "building",
                    "flat",
                    "postal_code",
                    "mail",
                    "additional_information",
                )
            },
            registration_data_edited=_text_or_flag(i, "registration_data_edited"),
        )
    dl = r.obj("delivery", True)
    delivery = OrderDelivery(
        delivery_type=dl.closed("delivery_type", DELIVERY_TYPES, required=True),
        delivery_codes=dl.strings("delivery_codes"),
        mail=dl.text("mail"),
        phone_number=_phone(dl),
        delivery_point=dl.text("delivery_point"),
        delivery_address=_address(dl, "delivery_address", with_name=True),
        courier_note=dl.text("courier_note"),
        digital_delivery_email=dl.text("digital_delivery_email"),
    )
    consents = tuple(
        ConsentAnswer(
            consent_id=c.ident("consent_id"),
            consent_version=c.ident("consent_version"),
            is_accepted=c.boolean("is_accepted", True),
        )
        for c in r.items("consents")
    )
    return OrderCreate(details, account, delivery, invoice, consents, tuple(r.unknown))


def _discount(reader: _Reader) -> Decimal:
    raw = reader._get("discount", True)
    try:
        return parse_amount(raw, field=reader.at("discount"))
    except MoneyError as exc:
        raise SchemaError(reader.at("discount"), str(exc)) from None


def _text_or_flag(reader: _Reader, name: str) -> str | None:
    """`registration_data_edited` is undocumented beyond its name: kept as text whatever it is."""
    value = reader.data.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return reader.text(name)


# --- POST /v1/izi/order/{order_id}/event (seed 004) ------------------------------------------------


@dataclass(frozen=True)
class OrderEventData:
    payment_status: str | None = None  # open enum
    order_status: str | None = None  # open enum
    payment_id: str | None = None
    payment_reference: str | None = None
    payment_type: str | None = None  # open enum


@dataclass(frozen=True)
class OrderEvent:
    event_id: str
    event_data_time: datetime
    event_data: OrderEventData
    phone_number: PhoneNumber | None = None
    unknown_values: tuple[str, ...] = field(default=())


def parse_order_event(data: object) -> OrderEvent:
    r = _Reader(data)
    event_id = r.ident("event_id")
    when = r.when("event_data_time")
    e = r.obj("event_data", True)
    event_data = OrderEventData(
        payment_status=e.open("payment_status", PAYMENT_STATUSES),
        order_status=e.open("order_status", ORDER_STATUSES),
        payment_id=e.text("payment_id"),
        payment_reference=e.text("payment_reference"),
        payment_type=e.open("payment_type", PAYMENT_TYPES),
    )
    return OrderEvent(event_id, when, event_data, _phone(r), tuple(r.unknown))
