"""Words a person reads for an order's codes: delivery, payment, channel, dates.

Orders come from two channels, so a payment method is either the website's
(`COD`, `TRANSFER`) or an InPost `payment_type`; InPost may add types and
payment statuses at any time (docs/inpost-pay-api.md §8.8, pitfall 7), so an unknown value
is shown as it is rather than breaking the page.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .lockers import find_locker
from .orders import INPOST_PAY, PAYMENT_METHODS, STATUSES, WEBSITE
from .pricing import DELIVERY_METHODS, DELIVERY_OPTIONS

SHOP_TIMEZONE = ZoneInfo("Europe/Warsaw")

# InPost payment_type values (docs/inpost-pay-api.md §3.5) as the shopper knows them.
INPOST_PAYMENT_TYPES = {
    "CARD": "Karta płatnicza",
    "CARD_TOKEN": "Zapisana karta płatnicza",
    "GOOGLE_PAY": "Google Pay",
    "APPLE_PAY": "Apple Pay",
    "BLIK_CODE": "BLIK",
    "BLIK_TOKEN": "BLIK bez kodu",
    "PAY_BY_LINK": "Szybki przelew",
    "SHOPPING_LIMIT": "Limit zakupowy",
    "DEFERRED_PAYMENT": "Płatność odroczona",
    "CASH_ON_DELIVERY": "Płatność przy odbiorze",
}

# InPost payment_status values (docs/inpost-pay-api.md §8.8) plus the website's UNPAID/COD.
PAYMENT_STATUSES = {
    "UNPAID": "Nieopłacone",
    "STARTED": "Płatność rozpoczęta",
    "PENDING": "Płatność w toku",
    "AUTHORIZED": "Opłacone",
    "DECLINED": "Płatność odrzucona",
    "CANCELLED": "Płatność anulowana",
    "ERROR": "Błąd płatności",
    "COD": "Płatne przy odbiorze",
}

CHANNELS = {WEBSITE: "Sklep internetowy", INPOST_PAY: "InPost Pay"}


def payment_method(code: str) -> str:
    return PAYMENT_METHODS.get(code) or INPOST_PAYMENT_TYPES.get(code) or code


# Where space is short (the back office table).
SHORT_PAYMENT_METHODS = {"COD": "Za pobraniem", "TRANSFER": "Przelew tradycyjny"}


def payment_method_short(code: str) -> str:
    return SHORT_PAYMENT_METHODS.get(code) or payment_method(code)


def payment_status(code: str) -> str:
    return PAYMENT_STATUSES.get(code, code)


def payment_status_tone(code: str) -> str:
    """A CSS modifier: good news, bad news, or still waiting."""
    if code in ("AUTHORIZED", "COD"):
        return "ok"
    if code in ("DECLINED", "CANCELLED", "ERROR"):
        return "bad"
    return "wait"


def status(code: str) -> str:
    return STATUSES.get(code, code)


def status_tone(code: str) -> str:
    if code in ("cancelled",):
        return "bad"
    if code in ("paid", "shipped", "delivered", "completed"):
        return "ok"
    return "wait"


def channel(code: str) -> str:
    return CHANNELS.get(code, code)


def delivery_method(code: str) -> str:
    method = DELIVERY_METHODS.get(code)
    return method.name if method else code


def delivery_option(code: str) -> str:
    option = DELIVERY_OPTIONS.get(code)
    return option.name if option else code


def delivery_options(codes: list[str]) -> str:
    return ", ".join(delivery_option(code) for code in codes or [])


def locker(code: str | None):
    return find_locker(code) if code else None


def phone(prefix: str | None, number: str | None) -> str:
    """"+48 600 123 456": Polish numbers in threes, others as given."""
    number = number or ""
    if (prefix or "+48") == "+48" and len(number) == 9 and number.isdigit():
        number = f"{number[:3]} {number[3:6]} {number[6:]}"
    return f"{prefix or ''} {number}".strip()


def local_datetime(value: datetime | None) -> str:
    """"23.11.2025, 15:10" in the shop's time zone."""
    if value is None:
        return ""
    return value.astimezone(SHOP_TIMEZONE).strftime("%d.%m.%Y, %H:%M")


def template_helpers() -> dict:
    """What order pages (checkout, account, admin) use in templates as `labels.*`."""
    return {
        "labels": {
            "payment_method": payment_method,
            "payment_method_short": payment_method_short,
            "payment_status": payment_status,
            "payment_status_tone": payment_status_tone,
            "status": status,
            "status_tone": status_tone,
            "channel": channel,
            "delivery_method": delivery_method,
            "delivery_option": delivery_option,
            "delivery_options": delivery_options,
            "locker": locker,
            "datetime": local_datetime,
            "phone": phone,
        }
    }
