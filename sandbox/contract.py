"""Contract checks: is this what InPost accepts from a merchant?

Pure functions (no Flask, no database, no network). Each returns a list of
violations `{"field": "products[0].base_price.vat", "problem": "..."}`; an empty
list means the document is acceptable. The sandbox refuses a basket or order
with violations exactly where InPost would (a confirmation answer that is not a
valid basket leaves the basket unbound, Confirming the binding of a basket: "If ... the data in the
response are incorrect, the basket will not be bound").

Sources, field by field:
- basket: Basket Update (basket event response table) and Confirming the binding of a basket (confirmation
  response table, incl. products / related_products / consents), docs/inpost-pay-api.md §4;
- order: docs/inpost-pay-api.md §3.6;
- money: docs/inpost-pay-api.md §8.1 (amounts with 2 decimals, vat = gross - net),
  §8.3 (final <= promo <= base), §8.4 (lowest_price with promo_price);
- shape: docs/inpost-pay-api.md §9 pitfall 8 (empty lists are [], never {});
- open enums: docs/inpost-pay-api.md §8.8 / pitfall 7 (an unknown payment_type is a warning).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.money import CENT, NotAnAmount, parse_amount

DELIVERY_TYPES = ("APM", "COURIER", "DIGITAL")
DELIVERY_CODE_VALUES = ("COD", "PWW")  # Confirming the binding of a basket: "Currently available, two codes"
QUANTITY_TYPES = ("INTEGER", "DECIMAL")
REQUIREMENT_TYPES = ("OPTIONAL", "REQUIRED_ONCE", "REQUIRED_ALWAYS")
NOTICE_TYPES = ("ATTENTION", "ERROR")
PAYMENT_TYPES = (
    "CARD", "CARD_TOKEN", "GOOGLE_PAY", "APPLE_PAY", "BLIK_CODE", "BLIK_TOKEN",
    "PAY_BY_LINK", "SHOPPING_LIMIT", "DEFERRED_PAYMENT", "CASH_ON_DELIVERY",
)  # fmt: skip
PRODUCT_TYPES = ("PRODUCT", "DIGITAL")
CONSENT_DESCRIPTION_MAX = 500  # Confirming the binding of a basket: "not more than 500 characters"
ADDITIONAL_IMAGES_MAX = 10  # docs/inpost-pay-api.md §9 pitfall 8 (PS DV-813)
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$")

Violation = dict


class _Checker:
    """Collects violations (and warnings) while walking one document."""

    def __init__(self, now: datetime | None):
        self.now = now or datetime.now(UTC)
        if self.now.tzinfo is None:
            self.now = self.now.replace(tzinfo=UTC)
        self.violations: list[Violation] = []
        self.warnings: list[Violation] = []

    def bad(self, field: str, problem: str) -> None:
        self.violations.append({"field": field, "problem": problem})

    def warn(self, field: str, problem: str) -> None:
        self.warnings.append({"field": field, "problem": problem})

    # -- generic field checks ------------------------------------------------
    def get(self, obj: dict, key: str, path: str, required: bool) -> tuple[bool, Any]:
        """(present, value); a missing required field is a violation. null counts as absent."""
        value = obj.get(key)
        if value is None:
            if required:
                self.bad(_join(path, key), "is required")
            return False, None
        return True, value

    def string(self, obj: dict, key: str, path: str, required: bool = True, choices=None, max_len=None):
        present, value = self.get(obj, key, path, required)
        if not present:
            return None
        field = _join(path, key)
        if not isinstance(value, str):
            self.bad(field, f"must be a string, got {_kind(value)}")
            return None
        if required and not value.strip():
            self.bad(field, "must not be empty")
        if choices is not None and value not in choices:
            self.bad(field, f"must be one of {', '.join(choices)}, got {value!r}")
        if max_len is not None and len(value) > max_len:
            self.bad(field, f"must be at most {max_len} characters, has {len(value)}")
        return value

    def boolean(self, obj: dict, key: str, path: str, required: bool = True):
        present, value = self.get(obj, key, path, required)
        if present and not isinstance(value, bool):
            self.bad(_join(path, key), f"must be true or false, got {_kind(value)}")
            return None
        return value

    def number(self, obj: dict, key: str, path: str, required: bool = True) -> Decimal | None:
        present, value = self.get(obj, key, path, required)
        if not present:
            return None
        # Quantities are JSON numbers (Basket Update: "number ($decimal)"), unlike amounts.
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            self.bad(_join(path, key), f"must be a number, got {_kind(value)}")
            return None
        number = Decimal(str(value))
        if not number.is_finite():
            self.bad(_join(path, key), "must be a finite number")
            return None
        return number

    def datetime(self, obj: dict, key: str, path: str, required: bool = True) -> datetime | None:
        value = self.string(obj, key, path, required)
        if value is None:
            return None
        moment = parse_datetime(value)
        if moment is None:
            self.bad(_join(path, key), f"must be an ISO-8601 date-time with a time zone, got {value!r}")
        return moment

    def obj(self, parent: dict, key: str, path: str, required: bool = True) -> dict | None:
        present, value = self.get(parent, key, path, required)
        if not present:
            return None
        if not isinstance(value, dict):
            self.bad(_join(path, key), f"must be an object, got {_kind(value)}")
            return None
        return value

    def array(self, parent: dict, key: str, path: str, required: bool = True) -> list | None:
        present, value = self.get(parent, key, path, required)
        if not present:
            return None
        field = _join(path, key)
        if isinstance(value, dict) and not value:
            # Reference §9 pitfall 8: PHP serialisers turn an empty array into {}.
            self.bad(field, "must be a list; an empty list is [], not {}")
            return None
        if not isinstance(value, list):
            self.bad(field, f"must be a list, got {_kind(value)}")
            return None
        return value

    def items(self, parent: dict, key: str, path: str, each: Callable[[dict, str], None], required=True) -> list:
        values = self.array(parent, key, path, required)
        if values is None:
            return []
        good = []
        for index, item in enumerate(values):
            item_path = f"{_join(path, key)}[{index}]"
            if not isinstance(item, dict):
                self.bad(item_path, f"must be an object, got {_kind(item)}")
                continue
            each(item, item_path)
            good.append(item)
        return good

    # -- money ---------------------------------------------------------------
    def price(self, parent: dict, key: str, path: str, required: bool = True) -> dict | None:
        """A {net, gross, vat} object: 2-place amounts, not negative, gross = net + vat."""
        value = self.obj(parent, key, path, required)
        if value is None:
            return None
        field = _join(path, key)
        amounts = {}
        for part in ("net", "gross", "vat"):
            present, raw = self.get(value, part, field, True)
            if not present:
                continue
            try:
                amounts[part] = parse_amount(raw)
            except NotAnAmount as exc:
                self.bad(f"{field}.{part}", f"must be an amount with 2 decimal places: {exc}")
                continue
            if amounts[part] < 0:
                self.bad(f"{field}.{part}", f"must not be negative, got {amounts[part]}")
        if len(amounts) == 3 and amounts["net"] + amounts["vat"] != amounts["gross"]:
            self.bad(
                field,
                f"gross must equal net + vat: {amounts['net']} + {amounts['vat']} != {amounts['gross']}",
            )
        return amounts if len(amounts) == 3 else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_datetime(value: str) -> datetime | None:
    """An ISO-8601 date-time with a zone (InPost writes ...Z), as an aware datetime; None if invalid."""
    if not isinstance(value, str) or not ISO_DATETIME.match(value):
        return None
    text = value.replace("Z", "+00:00")
    # Python before 3.11 rejects some fraction lengths; normalise to microseconds.
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(.*)$", text)
    head, fraction, zone = match.group(1), (match.group(2) or ""), match.group(3)
    if fraction:
        fraction = "." + fraction[1:7].ljust(6, "0")
    try:
        return datetime.fromisoformat(head + fraction + zone)
    except ValueError:
        return None


# -- the basket (Basket Update / Confirming the binding of a basket response tables, docs/inpost-pay-api.md §4) -------------


def check_basket(basket: Any, *, now: datetime | None = None, warnings: list | None = None) -> list[Violation]:
    """Violations of the basket object a merchant returns or PUTs.

    `now` is when the basket is checked (basket_expiration_date must be later);
    `warnings`, when given, receives the non-fatal findings (unknown payment types).
    """
    c = _Checker(now)
    if not isinstance(basket, dict):
        c.bad("", f"the basket must be a JSON object, got {_kind(basket)}")
        return _finish(c, warnings)

    deliveries = c.items(basket, "delivery", "", lambda d, p: _delivery(c, d, p))
    if basket.get("delivery") is not None and isinstance(basket.get("delivery"), list) and not basket["delivery"]:
        c.bad("delivery", "must offer at least one delivery type")
    summary = _summary(c, basket, deliveries)
    products = c.items(basket, "products", "", lambda item, p: _product(c, item, p))
    related = c.items(basket, "related_products", "", lambda item, p: _product(c, item, p, related=True), required=False)
    if summary is not None and isinstance(basket.get("products"), list) and not c.violations:
        _products_against_summary(c, products, summary)
    _discouraged(c, products, related)
    c.items(basket, "promo_codes", "", lambda item, p: _promo_code(c, item, p), required=False)
    c.items(basket, "consents", "", lambda item, p: _consent(c, item, p))
    c.items(basket, "promotions_available", "", lambda item, p: _promotion(c, item, p), required=False)
    return _finish(c, warnings)


def _finish(c: _Checker, warnings: list | None) -> list[Violation]:
    if warnings is not None:
        warnings.extend(c.warnings)
    return c.violations


def _summary(c: _Checker, basket: dict, deliveries: list[dict]) -> dict | None:
    """The summary's own rules; returns its parsed prices ({name: {net, gross, vat}})."""
    summary = c.obj(basket, "summary", "")
    if summary is None:
        return None
    path = "summary"
    base = c.price(summary, "basket_base_price", path)
    promo = c.price(summary, "basket_promo_price", path, required=False)
    final = c.price(summary, "basket_final_price", path, required=False)
    # Reference §8.3: base (no promotions) >= promo (catalogue promotions) >= final (and codes).
    if base and promo and promo["gross"] > base["gross"]:
        c.bad(
            "summary.basket_promo_price.gross",
            f"must not exceed basket_base_price.gross ({promo['gross']} > {base['gross']})",
        )
    ceiling, ceiling_name = (promo, "basket_promo_price") if promo else (base, "basket_base_price")
    if ceiling and final and final["gross"] > ceiling["gross"]:
        c.bad(
            "summary.basket_final_price.gross",
            f"must not exceed {ceiling_name}.gross ({final['gross']} > {ceiling['gross']})",
        )

    c.string(summary, "currency", path, choices=("PLN",))  # Basket Update: "The only currency currently supported is PLN"
    expires = c.datetime(summary, "basket_expiration_date", path, required=False)
    if expires is not None and expires <= c.now:
        c.bad(
            "summary.basket_expiration_date",
            f"must be in the future (Confirming the binding of a basket: 'The date cannot be backward'), got {summary['basket_expiration_date']}",
        )
    c.string(summary, "basket_additional_information", path, required=False)
    c.boolean(summary, "free_basket", path, required=False)

    payment_types = c.array(summary, "payment_type", path)
    if payment_types is not None:
        offers_cod = offers_cod_option(deliveries)
        for index, value in enumerate(payment_types):
            field = f"summary.payment_type[{index}]"
            if not isinstance(value, str):
                c.bad(field, f"must be a string, got {_kind(value)}")
            elif value not in PAYMENT_TYPES:
                # Open enum (docs/inpost-pay-api.md §8.8, pitfall 7): InPost may add values.
                c.warn(field, f"unknown payment type {value!r} (kept; the enum is open)")
            elif value == "CASH_ON_DELIVERY" and not offers_cod:
                c.bad(field, "CASH_ON_DELIVERY needs a delivery that offers the COD option (Basket Update)")

    notice = c.obj(summary, "basket_notice", path, required=False)
    if notice is not None:
        c.string(notice, "type", "summary.basket_notice", choices=NOTICE_TYPES)
        c.string(notice, "description", "summary.basket_notice")
    c.items(summary, "basket_additional_parameters", path, lambda p, f: _key_value(c, p, f), required=False)
    return {"basket_base_price": base, "basket_promo_price": promo}


def line_amount(product: dict, price_key: str) -> Decimal | None:
    """What one line costs at `price_key` (gross): the unit price times the quantity for
    INTEGER, the price as given for DECIMAL (it is already the price of the chosen amount;
    InPost Pay: Basket Update, quantity_type). None when the line cannot be read."""
    price = product.get(price_key) if isinstance(product, dict) else None
    quantity = product.get("quantity") if isinstance(product, dict) else None
    if not isinstance(price, dict) or not isinstance(quantity, dict):
        return None
    try:
        gross = parse_amount(price.get("gross"))
        amount = Decimal(str(quantity.get("quantity")))
    except (NotAnAmount, ArithmeticError, ValueError):
        return None
    if not amount.is_finite():
        return None
    return gross if quantity.get("quantity_type") == "DECIMAL" else gross * amount


def _gross(price: Any) -> Decimal | None:
    try:
        return parse_amount(price.get("gross")) if isinstance(price, dict) else None
    except NotAnAmount:
        return None


def _agrees(c: _Checker, field: str, stated: Decimal, parts: list[Decimal], what: str, lines: int) -> None:
    """A total must be the sum of its parts: off by more than a grosz per product line
    (rounding) is refused, any smaller difference is a warning."""
    total = sum(parts, Decimal(0))
    gap = abs(stated - total)
    if gap == 0:
        return
    problem = f"is {stated} but {what} add up to {total}"
    if gap > CENT * max(1, lines):
        c.bad(field, problem)
    else:
        c.warn(field, problem + "; a rounding difference")


def _products_against_summary(c: _Checker, products: list, summary: dict) -> None:
    """basket_base_price is the products at base prices, basket_promo_price after catalogue
    promotions (InPost Pay: Basket Update, summary): an empty product list under a
    non-zero summary, or lines that do not reach it, is a broken basket."""
    base = summary.get("basket_base_price")
    promo = summary.get("basket_promo_price")
    at_base = [line_amount(p, "base_price") for p in products]
    at_promo = [line_amount(p, "promo_price" if isinstance(p, dict) and p.get("promo_price") else "base_price")
                for p in products]  # fmt: skip
    if base is not None and None not in at_base:
        _agrees(c, "summary.basket_base_price.gross", base["gross"], at_base, "the products' base prices", len(at_base))
    if promo is not None and None not in at_promo:
        _agrees(c, "summary.basket_promo_price.gross", promo["gross"], at_promo, "the products' promo prices", len(at_promo))


RELATED_PRODUCTS_MAX = 10  # InPost Pay FAQ: up to 10 related products are shown


def _discouraged(c: _Checker, products: list, related: list) -> None:
    """What the documents advise against but do not forbid: a warning, never a refusal."""
    if len(related) > RELATED_PRODUCTS_MAX:
        c.warn("related_products", f"{len(related)} related products; the app shows at most {RELATED_PRODUCTS_MAX}")
    in_basket = {p.get("product_id") for p in products if isinstance(p, dict)}
    for index, product in enumerate(related):
        if isinstance(product, dict) and product.get("product_id") in in_basket:
            c.warn(f"related_products[{index}]", "suggests a product that is already in the basket")
    for index, product in enumerate(products):
        if not isinstance(product, dict):
            continue
        promo, base = line_amount(product, "promo_price"), line_amount(product, "base_price")
        if promo is not None and base is not None and promo >= base:
            c.warn(f"products[{index}].promo_price", "is not lower than base_price: a promotion that saves nothing")


def offers_cod_option(deliveries: list) -> bool:
    """Does some delivery offer the COD option? (Basket Update: CASH_ON_DELIVERY needs it)."""
    for delivery in deliveries:
        options = delivery.get("delivery_options") if isinstance(delivery, dict) else None
        if isinstance(options, list) and any(
            isinstance(o, dict) and o.get("delivery_code_value") == "COD" for o in options
        ):
            return True
    return False


def _key_value(c: _Checker, item: dict, path: str) -> None:
    c.string(item, "key", path)
    c.string(item, "value", path, required=True)


def _delivery(c: _Checker, delivery: dict, path: str) -> None:
    c.string(delivery, "delivery_type", path, choices=DELIVERY_TYPES)
    c.datetime(delivery, "delivery_date", path)
    c.price(delivery, "delivery_price", path)
    c.items(delivery, "delivery_options", path, lambda o, p: _delivery_option(c, o, p), required=False)
    present, raw = c.get(delivery, "free_delivery_minimum_gross_price", path, False)
    if present:
        try:
            parse_amount(raw)
        except NotAnAmount as exc:
            c.bad(_join(path, "free_delivery_minimum_gross_price"), f"must be an amount with 2 decimal places: {exc}")


def _delivery_option(c: _Checker, option: dict, path: str) -> None:
    c.string(option, "delivery_name", path)
    c.string(option, "delivery_code_value", path, choices=DELIVERY_CODE_VALUES)
    c.price(option, "delivery_option_price", path)


def _product(c: _Checker, product: dict, path: str, related: bool = False) -> None:
    c.string(product, "product_id", path)
    for key in ("product_category", "ean", "product_description", "product_link", "product_image"):
        c.string(product, key, path, required=False)
    c.string(product, "product_name", path)
    c.string(product, "product_type", path, required=False, choices=PRODUCT_TYPES)
    c.price(product, "base_price", path)
    promo = c.price(product, "promo_price", path, required=False)
    c.price(product, "lowest_price", path, required=False)
    if promo is not None and product.get("lowest_price") is None:
        # Confirming the binding of a basket: lowest_price is "required to be transferred if the product's
        # promotional price was provided" (Omnibus, docs/inpost-pay-api.md §8.4).
        c.bad(_join(path, "lowest_price"), "is required when promo_price is given (Omnibus)")
    _quantity(c, product, path)
    c.items(product, "product_attributes", path, lambda a, p: _attribute(c, a, p), required=False)
    images = c.items(product, "additional_product_images", path, lambda i, p: _image(c, i, p), required=False)
    if len(images) > ADDITIONAL_IMAGES_MAX:
        c.bad(_join(path, "additional_product_images"), f"at most {ADDITIONAL_IMAGES_MAX} images")
    c.items(product, "delivery_product", path, lambda d, p: _delivery_flag(c, d, p), required=False)
    c.array(product, "variants", path, required=False)  # deprecated, but still a list
    if related:
        c.items(
            product,
            "delivery_related_products",
            path,
            lambda d, p: _delivery_flag(c, d, p, related=True),
            required=False,
        )


def _quantity(c: _Checker, product: dict, path: str) -> None:
    quantity = c.obj(product, "quantity", path)
    if quantity is None:
        return
    q_path = _join(path, "quantity")
    amount = c.number(quantity, "quantity", q_path)
    kind = c.string(quantity, "quantity_type", q_path, choices=QUANTITY_TYPES)
    c.string(quantity, "quantity_unit", q_path, required=False)
    for key in ("available_quantity", "max_quantity"):
        limit = c.number(quantity, key, q_path, required=False)
        if limit is not None and limit < 0:
            c.bad(f"{q_path}.{key}", "must not be negative")
    if amount is not None:
        if amount < 0:
            c.bad(f"{q_path}.quantity", f"must not be negative, got {amount}")
        if kind == "INTEGER" and amount != amount.to_integral_value():
            c.bad(f"{q_path}.quantity", f"must be a whole number for quantity_type INTEGER, got {amount}")


def _attribute(c: _Checker, attribute: dict, path: str) -> None:
    c.string(attribute, "attribute_name", path)
    c.string(attribute, "attribute_value", path)


def _image(c: _Checker, image: dict, path: str) -> None:
    c.string(image, "small_size", path, required=False)
    c.string(image, "normal_size", path, required=False)


def _delivery_flag(c: _Checker, flag: dict, path: str, related: bool = False) -> None:
    c.string(flag, "delivery_type", path, choices=DELIVERY_TYPES)
    c.boolean(flag, "if_delivery_available", path)
    if related:
        c.boolean(flag, "if_delivery_free", path, required=False)


def _promo_code(c: _Checker, code: dict, path: str) -> None:
    c.string(code, "name", path)
    c.string(code, "promo_code_value", path)
    c.string(code, "regulation_type", path, required=False)


def _consent(c: _Checker, consent: dict, path: str) -> None:
    c.string(consent, "consent_id", path)
    c.string(consent, "consent_link", path)
    c.string(consent, "consent_description", path, max_len=CONSENT_DESCRIPTION_MAX)
    c.string(consent, "consent_version", path)
    c.string(consent, "requirement_type", path, choices=REQUIREMENT_TYPES)
    c.string(consent, "label_link", path, required=False)
    c.items(consent, "additional_consent_links", path, lambda link, p: _consent_link(c, link, p), required=False)


def _consent_link(c: _Checker, link: dict, path: str) -> None:
    c.string(link, "id", path, required=False)
    c.string(link, "consent_link", path)
    c.string(link, "label_link", path, required=False)


def _promotion(c: _Checker, promotion: dict, path: str) -> None:
    c.string(promotion, "type", path, choices=("MERCHANT", "ONLY_IN_APP"))
    c.string(promotion, "promo_code_value", path)
    c.string(promotion, "description", path)
    c.datetime(promotion, "start_date", path, required=False)
    c.datetime(promotion, "end_date", path, required=False)


# -- the order answer (docs/inpost-pay-api.md §3.6) ------------------------------------------


def check_order(order: Any, *, now: datetime | None = None, warnings: list | None = None) -> list[Violation]:
    """Violations of the order object a merchant answers to POST /v1/izi/order (and GET order)."""
    c = _Checker(now)
    if not isinstance(order, dict):
        c.bad("", f"the order must be a JSON object, got {_kind(order)}")
        return _finish(c, warnings)

    details = c.obj(order, "order_details", "")
    if details is not None:
        path = "order_details"
        c.string(details, "order_id", path)
        c.string(details, "customer_order_id", path, required=False)
        c.string(details, "pos_id", path)
        c.datetime(details, "order_creation_date", path)
        c.string(details, "basket_id", path)
        c.string(details, "order_merchant_status_description", path)
        c.string(details, "order_comments", path, required=False)
        payment_type = c.string(details, "payment_type", path)
        if payment_type and payment_type not in PAYMENT_TYPES:
            c.warn("order_details.payment_type", f"unknown payment type {payment_type!r} (kept; the enum is open)")
        c.price(details, "order_base_price", path)
        c.price(details, "order_final_price", path)
        present, raw = c.get(details, "order_discount", path, False)
        if present:  # an amount like every other: "46.15" or 46.15 (docs/inpost-pay-api.md §8.1)
            try:
                parse_amount(raw)
            except NotAnAmount as exc:
                c.bad("order_details.order_discount", f"must be an amount with 2 decimal places: {exc}")
        c.string(details, "currency", path, choices=("PLN",))
        references = c.array(details, "delivery_references_list", path, required=False) or []
        for index, reference in enumerate(references):
            if not isinstance(reference, str | int) or isinstance(reference, bool):
                c.bad(f"order_details.delivery_references_list[{index}]", "must be a string")
        c.items(details, "order_additional_parameters", path, lambda p, f: _key_value(c, p, f), required=False)

    account = c.obj(order, "account_info", "")
    if account is not None:
        c.string(account, "name", "account_info")
        c.string(account, "surname", "account_info")
        _phone(c, account, "account_info")
        c.string(account, "mail", "account_info")
        address = c.obj(account, "client_address", "account_info")
        if address is not None:
            _address(c, address, "account_info.client_address")

    c.obj(order, "invoice_details", "", required=False)

    delivery = c.obj(order, "delivery", "")
    if delivery is not None:
        c.string(delivery, "delivery_type", "delivery", choices=DELIVERY_TYPES)
        c.datetime(delivery, "delivery_date", "delivery")
        c.items(delivery, "delivery_options", "delivery", lambda o, p: _delivery_option(c, o, p))
        c.price(delivery, "delivery_price", "delivery")
        for key in ("mail", "delivery_point", "courier_note", "digital_delivery_email"):
            c.string(delivery, key, "delivery", required=False)
        if delivery.get("phone_number") is not None:
            _phone(c, delivery, "delivery")
        address = c.obj(delivery, "delivery_address", "delivery", required=False)
        if address is not None:
            _address(c, address, "delivery.delivery_address")

    products = c.items(order, "products", "", lambda item, p: _order_product(c, item, p))
    c.items(order, "consents", "", lambda item, p: _order_consent(c, item, p))
    if details is not None and delivery is not None and not c.violations:
        _order_adds_up(c, details, delivery, products)
    return _finish(c, warnings)


def _order_adds_up(c: _Checker, details: dict, delivery: dict, products: list) -> None:
    """The app shows the lines, the discount, the delivery and the total: they must add up.

    Our reading (docs/inpost-pay-api.md §10, "What the order says was paid"): `order_discount` is everything
    the shopper saved (promotions and codes), so the lines at base_price less order_discount
    are order_base_price ("without delivery"), and that plus delivery_price and the chosen
    options is order_final_price. A line's `quantity_price` is what was paid for the whole
    line; when every line has one, they too must reach order_base_price."""
    final = parse_amount(details["order_final_price"]["gross"])
    base = parse_amount(details["order_base_price"]["gross"])
    options = [parse_amount(o["delivery_option_price"]["gross"]) for o in delivery.get("delivery_options") or []]
    shipping = parse_amount(delivery["delivery_price"]["gross"]) + sum(options, Decimal(0))
    _agrees(c, "order_details.order_final_price.gross", final, [base, shipping],
            f"order_base_price plus delivery {shipping}", 1)  # fmt: skip
    paid = [_gross(p.get("quantity_price")) for p in products]
    if products and None not in paid:
        _agrees(c, "order_details.order_base_price.gross", base, paid, "the lines' quantity_price", len(paid))
    regular = [line_amount(p, "base_price") for p in products]
    if None in regular:
        return
    present, raw = c.get(details, "order_discount", "order_details", False)
    discount = parse_amount(raw) if present and raw is not None else Decimal(0)
    _agrees(c, "order_details.order_base_price.gross" if not present else "order_details.order_discount",
            base, [*regular, -discount], f"the lines at base_price less order_discount {discount}",
            len(regular))  # fmt: skip


def _phone(c: _Checker, parent: dict, path: str) -> None:
    phone = c.obj(parent, "phone_number", path)
    if phone is not None:
        c.string(phone, "country_prefix", _join(path, "phone_number"))
        c.string(phone, "phone", _join(path, "phone_number"))


def _address(c: _Checker, address: dict, path: str) -> None:
    for key in ("country_code", "address", "city", "postal_code"):
        c.string(address, key, path)


def _order_product(c: _Checker, product: dict, path: str) -> None:
    c.string(product, "product_id", path)
    c.string(product, "product_name", path)
    for key in ("product_category", "ean", "product_description", "product_link", "product_image"):
        c.string(product, key, path, required=False)
    c.price(product, "base_price", path)
    c.price(product, "promo_price", path, required=False)
    c.price(product, "quantity_price", path, required=False)
    _quantity(c, product, path)
    c.items(product, "product_attributes", path, lambda a, p: _attribute(c, a, p), required=False)


def _order_consent(c: _Checker, consent: dict, path: str) -> None:
    c.string(consent, "consent_id", path)
    c.string(consent, "consent_version", path)
    c.boolean(consent, "is_accepted", path)


# -- comparing two baskets (docs/inpost-pay-api.md §3.1, pitfall 2) ---------------------------


def canonical(value: Any) -> Any:
    """A form of a parsed JSON document in which equal meaning compares equal.

    Objects compare by their keys (order does not matter), lists by position
    (order matters: the merchant must keep it stable), and every value that reads
    as an amount compares as a Decimal, so "99.00", "99.0" and 99.00 are one value.
    Whether a number was a string or a JSON number does not matter either.
    """
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return Decimal(value.strip()).normalize()
    return value


def differences(expected: Any, actual: Any, path: str = "", limit: int = 20) -> list[Violation]:
    """Where two documents differ after `canonical`; [] when they mean the same basket."""
    found: list[Violation] = []
    _diff(canonical(expected), canonical(actual), path, found, limit)
    return found


def _diff(a: Any, b: Any, path: str, found: list, limit: int) -> None:
    if len(found) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            field = _join(path, key)
            if key not in a:
                found.append({"field": field, "problem": "added"})
            elif key not in b:
                found.append({"field": field, "problem": "missing"})
            else:
                _diff(a[key], b[key], field, found, limit)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            found.append({"field": path, "problem": f"had {len(a)} entries, now {len(b)}"})
            return
        for index, (left, right) in enumerate(zip(a, b, strict=True)):
            _diff(left, right, f"{path}[{index}]", found, limit)
    elif a != b:
        found.append({"field": path or "(document)", "problem": f"was {_show(a)}, now {_show(b)}"})


def _show(value: Any) -> str:
    text = repr(format(value, "f") if isinstance(value, Decimal) else value)
    return text if len(text) <= 60 else text[:57] + "..."
