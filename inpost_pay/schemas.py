"""The requests InPost sends to the merchant API, as frozen pydantic models.

One model per inbound body, with InPost's field names, types and enums:

| call | parser | model | InPost's document |
|---|---|---|---|
| `POST /v1/izi/basket/{id}/confirmation` | `parse_confirmation` | `BindingConfirmation` | "InPost Pay: Confirming the binding of a basket" |
| `POST /v1/izi/basket/{id}/event` | `parse_basket_event` | `BasketEvent` | "InPost Pay: Basket Update" |
| `POST /v1/izi/order` | `parse_order_create` | `OrderCreate` | docs/inpost-pay-api.md §3.5 |
| `POST /v1/izi/order/{id}/event` | `parse_order_event` | `OrderEvent` | "InPost Pay: Updating orders at the Merchant's" |

The models are also the merchant API's OpenAPI document (`inpost_pay/openapi.py`).

Rules:
- A body that does not fit raises `SchemaError(field, message)` with the dotted path of the
  first field at fault (`quantity_event_data[0].quantity.quantity`); the merchant API answers
  400 `MALFORMED_REQUEST` with it. A JSON `null` counts as missing.
- Numbers are `Decimal`: `load_json` parses with the bounds module's `loads`; amounts and
  quantities may arrive as numbers or strings, a float or a boolean is refused (the body
  was parsed the wrong way), and every number is held to `bounds`.
- Closed enums (event_type, binding status, quantity_type, delivery_type, ...) are checked.
  Enums InPost extends without notice (payment_type, payment_status, order_status) are open:
  an unknown value is kept as a string, logged and listed in `unknown_values`, never an error.
- `quantity_event_data`, `promo_codes_event_data` and `related_products_event_data` are drawn
  as single objects in InPost's document and read as lists by InPost's plugins: both are
  accepted; the model always holds a tuple.
- Strings are bounded: `COLUMN_LENGTHS` for those stored in a column of limited length,
  `MAX_ID` for ids, `MAX_TEXT` otherwise. Unknown extra fields are ignored (InPost may add some).
"""

import logging
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

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

# Closed enums.
BINDING_STATUSES = ("SUCCESS", "REJECT")
EVENT_TYPES = ("PRODUCTS_QUANTITY", "PROMO_CODES", "RELATED_PRODUCTS")
QUANTITY_TYPES = ("INTEGER", "DECIMAL")
DELIVERY_TYPES = ("APM", "COURIER", "DIGITAL")
LEGAL_FORMS = ("PERSON", "COMPANY")
CURRENCIES = ("PLN",)  # "InPost Pay: Basket Update": "The only currency currently supported is PLN"

# Open enums: the known values, for spotting new ones in the log (docs/inpost-pay-api.md).
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
# PostgreSQL would refuse them at the commit (SQLite would silently keep them). The models
# below take their limits from here (`column`); a unit test checks that each is applied.
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


# --- value types -------------------------------------------------------------------------------
# Each refuses with the message the 400 answer carries; `_schema_error` words pydantic's own
# errors (missing, wrong type, too long, not an object) the same way.


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", str: "a string"}.get(type(value), "a number")


def _refuse(message: str, at: str | None = None) -> PydanticCustomError:
    """A refusal worded for the answer; `at` names a field below the one validated."""
    return PydanticCustomError("inpost_schema", "{message}", {"message": message, "at": at})


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _refuse("must not be empty")
    return value


def _ident(value: object) -> object:
    """An id typed string but drawn as a number (`"product_id": 26`): both read, as trimmed text."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return value  # refused by the string check, worded "must be a string, not ..."
    text = str(value).strip()
    if not text:
        raise _refuse("must be a non-empty id")
    return text


def _number(value: object) -> Decimal:
    """number($decimal): a JSON number (or a numeric string), finite, bounded, not negative."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise _refuse(f"must be a number, not {_kind(value)}")
    try:
        number = bounds.to_number(value, "number")
    except bounds.OutOfBounds as exc:
        raise _refuse(f"{exc.message}, not {str(value)[:40]!r}") from None
    if number < 0:
        raise _refuse("must be a finite number, not negative")
    return number


_FIELD = "\x00field\x00"  # stands for the dotted path in money's messages, filled in by _schema_error


def _amount(value: object) -> Decimal:
    """An amount, as money reads it (2 places, no float)."""
    try:
        return parse_amount(value, field=_FIELD)
    except MoneyError as exc:
        raise _refuse(str(exc)) from None


def _not_negative(amount: Decimal) -> Decimal:
    if amount < 0:
        raise _refuse("must not be negative")
    return amount


def _timestamp(value: str) -> datetime:
    try:
        return parse_timestamp(value)
    except (ValueError, OverflowError):
        raise _refuse(f"must be an ISO-8601 date-time, not {value[:40]!r}") from None


def _one_of(allowed: tuple[str, ...]):
    def check(value: str) -> str:
        if value not in allowed:
            raise _refuse(f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    return check


def _text_or_flag(value: object) -> object:
    """`registration_data_edited` is undocumented beyond its name: kept as text whatever it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _listed(value: object) -> object:
    """A list; `null` is an empty one."""
    return () if value is None else value


def _one_or_list(value: object) -> object:
    """A list, or a lone object counting as a list of one."""
    return (value,) if isinstance(value, dict) else _listed(value)


_NUMBER_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0, "exclusiveMaximum": 10**bounds.MAX_DIGITS},
                            {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*$", "maxLength": 40}]}  # fmt: skip


def _amount_schema(minimum: int) -> dict:
    """An amount as a number or a numeric string, 2 places at most, within the bounds."""
    sign = "-?" if minimum < 0 else ""
    limit = 10**bounds.MAX_DIGITS
    return {"anyOf": [{"type": "number", "multipleOf": 0.01, "minimum": max(minimum, -limit + 1), "exclusiveMaximum": limit},
                      {"type": "string", "pattern": rf"^\s*{sign}[0-9]{{1,9}}(\.[0-9]{{1,2}})?\s*$"}]}  # fmt: skip


def text(limit: int = MAX_TEXT) -> Any:
    """A string of at most `limit` characters."""
    return Annotated[str, Field(strict=True, max_length=limit)]


def non_empty(limit: int = MAX_TEXT) -> Any:
    """A string with something besides white space in it."""
    return Annotated[
        text(limit), AfterValidator(_not_blank), Field(json_schema_extra={"minLength": 1, "pattern": r"\S"})
    ]


def ident(limit: int = MAX_ID) -> Any:
    """An id: a string, or an integer read as one; trimmed, not empty."""
    return Annotated[str, BeforeValidator(_ident, json_schema_input_type=str | int), Field(strict=True, max_length=limit, min_length=1)]  # fmt: skip


def column(path: str, kind=text) -> Any:
    """A value of `kind` stored in a column: at most COLUMN_LENGTHS[path] characters."""
    return kind(COLUMN_LENGTHS[path])


Text = text()
NonEmpty = non_empty()
Ident = ident()
Number = Annotated[Decimal, PlainValidator(_number), WithJsonSchema(_NUMBER_SCHEMA)]
Amount = Annotated[Decimal, PlainValidator(_amount), WithJsonSchema(_amount_schema(-(10**bounds.MAX_DIGITS)))]
NonNegativeAmount = Annotated[
    Decimal, PlainValidator(_amount), AfterValidator(_not_negative), WithJsonSchema(_amount_schema(0))
]
Timestamp = Annotated[Text, AfterValidator(_timestamp), WithJsonSchema({"type": "string", "format": "date-time"})]
Flag = Annotated[bool, Field(strict=True)]


def items(item: Any) -> Any:
    """A list of `item` (null: an empty one), held as a tuple."""
    return Annotated[tuple[item, ...], BeforeValidator(_listed, json_schema_input_type=list[item] | None)]


def one_or_more(item: Any) -> Any:
    """A list of `item`, or a lone `item` counting as a list of one, held as a tuple."""
    return Annotated[tuple[item, ...], BeforeValidator(_one_or_list, json_schema_input_type=item | list[item] | None)]


def closed(*allowed: str) -> Any:
    """A closed enum: one of `allowed`, anything else refused naming them."""
    return Annotated[Text, AfterValidator(_one_of(allowed)), Field(json_schema_extra={"enum": list(allowed)})]


class Known:
    """Marks an open enum: any non-empty text is kept; values not in `values` are noted."""

    def __init__(self, values: tuple[str, ...]):
        self.values = values

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["examples"] = list(self.values)
        schema["description"] = "An open enum: InPost may send values not listed in `examples`."
        return schema


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class WithUnknownValues(Model):
    """A body whose open enums may hold values new to us: `unknown_values` lists them as
    `path=value` for the log (set by `_parse`, not read from the body)."""

    _unknown: tuple[str, ...] = PrivateAttr(default=())

    @property
    def unknown_values(self) -> tuple[str, ...]:
        return self._unknown


# --- shared pieces ---------------------------------------------------------------------------


class PhoneNumber(Model):
    country_prefix: column("phone_number.country_prefix", non_empty)
    phone: column("phone_number.phone", non_empty)


class Quantity(Model):
    quantity_type: closed(*QUANTITY_TYPES) | None = None  # before `quantity`, which it constrains
    quantity: Number
    quantity_unit: Text | None = None
    available_quantity: Number | None = None
    max_quantity: Number | None = None

    @field_validator("quantity")
    @classmethod
    def _whole_for_integer(cls, amount: Decimal, info: ValidationInfo) -> Decimal:
        if info.data.get("quantity_type") == "INTEGER" and amount != amount.to_integral_value():
            raise _refuse("must be a whole number for quantity_type INTEGER")
        return amount


# --- POST /v1/izi/basket/{basket_id}/confirmation -------------------------------------------------


class Browser(Model):
    browser_trusted: Flag
    browser_id: column("browser.browser_id") | None = None


class BindingConfirmation(Model):
    """The shopper accepted (or rejected) binding the basket in the app. Every field is
    optional; a missing status is read as SUCCESS, as InPost's PrestaShop plugin does."""

    status: closed(*BINDING_STATUSES) | None = Field(None, validate_default=True)
    # The example in InPost's document has a leading space (" 866e5bf6-..."): ids are trimmed.
    inpost_basket_id: Annotated[
        column("inpost_basket_id") | None, AfterValidator(lambda v: v.strip() if v else None)
    ] = None
    phone_number: PhoneNumber | None = None
    browser: Browser | None = None
    masked_phone_number: column("masked_phone_number") | None = None
    name: column("name") | None = None
    surname: column("surname") | None = None

    @field_validator("status", mode="after")
    @classmethod
    def _success_unless_said(cls, status: str | None) -> str:
        return status or "SUCCESS"

    @property
    def rejected(self) -> bool:
        return self.status == "REJECT"


# --- POST /v1/izi/basket/{basket_id}/event ----------------------------------------------------


class QuantityChange(Model):
    product_id: Ident
    quantity: Quantity


class PromoCode(Model):
    promo_code_value: NonEmpty
    name: Text | None = None  # "not required in the next version of the application" (Basket Update)
    regulation_type: Text | None = None


class RelatedProductAdd(Model):
    product_id: Ident
    quantity: Quantity
    ean: Text | None = None


def _data_for(event_type: str, field: str, *, may_be_empty: bool = False) -> dict:
    """JSON Schema for `_data_of_the_type`: `field` must come with `event_type`."""
    present = {"required": [field]}
    if not may_be_empty:
        present["properties"] = {field: {"anyOf": [{"type": "object"}, {"type": "array", "minItems": 1}]}}
    return {"if": {"properties": {"event_type": {"const": event_type}}, "required": ["event_type"]}, "then": present}


class BasketEvent(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                _data_for("PRODUCTS_QUANTITY", "quantity_event_data"),
                _data_for("PROMO_CODES", "promo_codes_event_data", may_be_empty=True),
                _data_for("RELATED_PRODUCTS", "related_products_event_data"),
            ]
        }
    )

    event_id: column("event_id", ident)
    event_data_time: Timestamp
    event_type: closed(*EVENT_TYPES)
    phone_number: PhoneNumber | None = None
    quantity_event_data: one_or_more(QuantityChange) = ()
    promo_codes_event_data: one_or_more(PromoCode) = ()
    related_products_event_data: one_or_more(RelatedProductAdd) = ()

    @model_validator(mode="after")
    def _data_of_the_type(self):
        """The data of the announced type must be there. For PROMO_CODES the list is the
        complete wanted set (docs/inpost-pay-api.md), so an empty list is meaningful (remove
        all) but a missing key is not: the shopper's codes would silently be dropped."""
        if self.event_type == "PRODUCTS_QUANTITY" and not self.quantity_event_data:
            raise _refuse("is required for event_type PRODUCTS_QUANTITY", at="quantity_event_data")
        if self.event_type == "RELATED_PRODUCTS" and not self.related_products_event_data:
            raise _refuse("is required for event_type RELATED_PRODUCTS", at="related_products_event_data")
        if self.event_type == "PROMO_CODES" and "promo_codes_event_data" not in self.model_fields_set:
            raise _refuse("is required for event_type PROMO_CODES", at="promo_codes_event_data")
        return self


# --- POST /v1/izi/order --------------------------------------------------------------------


class AddressDetails(Model):
    street: Text | None = None
    building: Text | None = None
    flat: Text | None = None


class Address(Model):
    """`delivery_address` (and `client_address`). `address` may be one unparsed line."""

    country_code: Text | None = None
    address: Text | None = None
    city: Text | None = None
    postal_code: Text | None = None
    address_details: AddressDetails | None = None
    name: Text | None = None  # delivery_address only: the recipient's full name, one string


class ClientAddress(Address):
    """`client_address`: an Address whose `name`, if any, is not read (the buyer's name is in
    account_info)."""

    @model_validator(mode="before")
    @classmethod
    def _without_name(cls, data: object) -> object:
        return {k: v for k, v in data.items() if k != "name"} if isinstance(data, dict) else data


class KeyValue(Model):
    key: Text
    value: Text


class InPostDiscount(Model):
    type: Text
    discount: Amount


class PriceObject(Model):
    """{net, gross, vat}: all three must be readable, but only net and gross are kept: the
    order check compares gross, and refusing an order over InPost's VAT rounding helps nobody."""

    net: NonNegativeAmount
    gross: NonNegativeAmount
    vat: NonNegativeAmount


def _price(price: PriceObject) -> Price:
    return Price(price.net, price.gross)


class OrderDetails(Model):
    basket_id: Ident
    currency: closed(*CURRENCIES)
    # everything the shopper pays: products + delivery + options (docs/inpost-pay-api.md)
    basket_price: Annotated[PriceObject, AfterValidator(_price)]
    payment_type: Annotated[column("order_details.payment_type", non_empty), Known(PAYMENT_TYPES)]
    order_comments: Text | None = None
    basket_additional_parameters: items(KeyValue) = ()
    inpost_discounts: items(InPostDiscount) = ()


class AccountInfo(Model):
    name: column("account_info.name")
    surname: column("account_info.surname")
    phone_number: PhoneNumber
    mail: column("account_info.mail", non_empty)
    client_address: ClientAddress | None = None


class InvoiceDetails(Model):
    legal_form: closed(*LEGAL_FORMS)
    country_code: Text | None = None
    tax_id_prefix: Text | None = None
    tax_id: Text | None = None
    company_name: Text | None = None
    name: Text | None = None
    surname: Text | None = None
    city: Text | None = None
    street: Text | None = None
    building: Text | None = None
    flat: Text | None = None
    postal_code: Text | None = None
    mail: Text | None = None
    registration_data_edited: Annotated[
        Text | None, BeforeValidator(_text_or_flag, json_schema_input_type=str | bool)
    ] = None
    additional_information: Text | None = None

    def as_dict(self) -> dict:
        """The fields that are set, in InPost's names (what the shop stores on the order)."""
        return {k: v for k, v in self if v is not None}


class OrderDelivery(Model):
    delivery_type: closed(*DELIVERY_TYPES)
    delivery_codes: items(Annotated[str, Field(strict=True)]) = ()
    mail: column("delivery.mail") | None = None
    phone_number: PhoneNumber | None = None
    delivery_point: column("delivery.delivery_point") | None = None
    delivery_address: Address | None = None
    courier_note: column("delivery.courier_note") | None = None
    digital_delivery_email: column("delivery.digital_delivery_email") | None = None


class ConsentAnswer(Model):
    consent_id: Ident
    consent_version: Ident
    is_accepted: Flag


class OrderCreate(WithUnknownValues):
    order_details: OrderDetails
    account_info: AccountInfo
    delivery: OrderDelivery
    invoice_details: InvoiceDetails | None = None
    consents: items(ConsentAnswer) = ()


# --- POST /v1/izi/order/{order_id}/event ----------------------------------------------------------


class OrderEventData(Model):
    payment_status: Annotated[column("event_data.payment_status", non_empty) | None, Known(PAYMENT_STATUSES)] = None
    order_status: Annotated[column("event_data.order_status", non_empty) | None, Known(ORDER_STATUSES)] = None
    payment_id: Text | None = None
    payment_reference: Text | None = None
    payment_type: Annotated[column("event_data.payment_type", non_empty) | None, Known(PAYMENT_TYPES)] = None


class OrderEvent(WithUnknownValues):
    event_id: column("event_id", ident)
    event_data_time: Timestamp
    event_data: OrderEventData
    phone_number: PhoneNumber | None = None


#: The request body of each call that has one, by (method, path template) of the merchant API.
REQUEST_MODELS = {
    ("post", "/v1/izi/basket/{basket_id}/confirmation"): BindingConfirmation,
    ("post", "/v1/izi/basket/{basket_id}/event"): BasketEvent,
    ("post", "/v1/izi/order"): OrderCreate,
    ("post", "/v1/izi/order/{order_id}/event"): OrderEvent,
}


# --- parsing ---------------------------------------------------------------------------------


def _path(loc: tuple, data: object, at: str | None = None) -> str:
    """The dotted path of `loc`; a lone object read as a list of one keeps its own path."""
    path, node = "", data
    for part in (*loc, *([at] if at else [])):
        if isinstance(part, int):
            if isinstance(node, dict):  # the single-object form: no index to name
                continue
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return path


_WORDING = {
    "string_type": lambda e: f"must be a string, not {_kind(e['input'])}",
    "string_too_long": lambda e: f"is too long (at most {e['ctx']['max_length']} characters)",
    "too_long": lambda e: f"is too long (at most {e['ctx']['max_length']} characters)",
    "bool_type": lambda e: f"must be true or false, not {_kind(e['input'])}",
    "model_type": lambda e: "must be an object",
    "model_attributes_type": lambda e: "must be an object",
    "dict_type": lambda e: "must be an object",
    "tuple_type": lambda e: f"must be a list, not {_kind(e['input'])}",
    "list_type": lambda e: f"must be a list, not {_kind(e['input'])}",
    "missing": lambda e: "is required",
}


def _schema_error(error: dict, data: object) -> SchemaError:
    """The first of pydantic's errors on `data`, as the SchemaError the 400 answer carries."""
    ctx = error.get("ctx") or {}
    path = _path(error["loc"], data, ctx.get("at"))
    if error.get("input", ...) is None and error["loc"] and isinstance(error["loc"][-1], str):
        message = "is required"  # a JSON null where a value is required
    elif error["type"] == "inpost_schema":
        message = ctx["message"].replace(_FIELD, path)
    else:
        message = _WORDING.get(error["type"], lambda e: e["msg"])(error)
    return SchemaError(path or "body", message)


def _unknown_values(model: BaseModel, path: str = "") -> Iterator[str]:
    """`path=value` for each open-enum value not among the known ones, in field order."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        at = f"{path}.{name}" if path else name
        known = next((m.values for m in info.metadata if isinstance(m, Known)), None)
        if known is not None and value is not None and value not in known:
            yield f"{at}={value}"
        elif isinstance(value, BaseModel):
            yield from _unknown_values(value, at)


M = TypeVar("M", bound=Model)


def _parse(model: type[M], data: object) -> M:
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(exc.errors(include_url=False)[0], data) from None
    if isinstance(parsed, WithUnknownValues):
        parsed._unknown = tuple(_unknown_values(parsed))
        for item in parsed._unknown:
            logger.warning("InPost sent a new value %s=%r; kept as is", *item.split("=", 1))
    return parsed


def parse_confirmation(data: object) -> BindingConfirmation:
    return _parse(BindingConfirmation, data)


def parse_basket_event(data: object) -> BasketEvent:
    return _parse(BasketEvent, data)


def parse_order_create(data: object) -> OrderCreate:
    return _parse(OrderCreate, data)


def parse_order_event(data: object) -> OrderEvent:
    return _parse(OrderEvent, data)
