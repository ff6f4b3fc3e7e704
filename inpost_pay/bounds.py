"""The limits the integration holds every input to (docs/security.md "Limits"): the merchant
API InPost calls and the browser API behind the widget read ids, quantities, amounts and JSON
bodies through these few functions, so a hostile value (`1e30`, `"1e309"`, `10**30`, NaN, an id
past 64-bit integers, `²` as an id, `[` fifty thousand times) is refused the same way everywhere:
an `OutOfBounds` naming the field, answered as a 400 before anything is written.

The shop holds its own forms to the same limits (its own module): the integration brings its
own so that it can be lifted into any shop.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

#: The largest id a database row can have (SQLite and PostgreSQL BIGINT are signed 64-bit).
MAX_ID = 2**63 - 1
#: Ids are ASCII digits only: str.isdigit() and int() also accept "²" or "٣".
_ID = re.compile(r"^[0-9]{1,19}$")
#: No amount or quantity of this shop comes near a billion; anything larger is hostile.
MAX_DIGITS = 9
MAX_NUMBER = Decimal(10) ** MAX_DIGITS
#: Amounts and quantities have at most this many decimal places when written out.
MAX_PLACES = 6
#: JSON bodies nest a few levels (an InPost order: about five); deeper is refused unread.
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class OutOfBounds(ValueError):
    """An input outside what the shop accepts; `field` names it for the 400 answer."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_id(value: object, field: str = "id") -> int:
    """A database id written as ASCII digits (or a JSON integer), within 1..MAX_ID."""
    if isinstance(value, bool):
        raise OutOfBounds(field, "must be a number")
    text = str(value).strip() if isinstance(value, int | str) else ""
    if not _ID.match(text) or not 0 < int(text) <= MAX_ID:
        raise OutOfBounds(field, "must be a positive whole number of at most 19 digits")
    return int(text)


def check_number(value: Decimal, field: str) -> Decimal:
    """A finite Decimal of sane size and precision, or OutOfBounds (never quantize's overflow)."""
    if not value.is_finite():
        raise OutOfBounds(field, "must be a finite number")
    if value and value.adjusted() >= MAX_DIGITS:  # adjusted(), not abs(): abs(1e999999999) overflows
        raise OutOfBounds(field, f"must be less than {MAX_NUMBER:f}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PLACES and value != value.quantize(Decimal(1).scaleb(-MAX_PLACES)):
        raise OutOfBounds(field, f"has more than {MAX_PLACES} decimal places")
    return value


def to_number(value: object, field: str) -> Decimal:
    """A JSON number or numeric string as a bounded Decimal; floats and booleans refused."""
    if isinstance(value, bool | float) or not isinstance(value, int | str | Decimal):
        raise OutOfBounds(field, "must be a number")
    if isinstance(value, int) and abs(value) >= MAX_NUMBER:  # before str(): 10**5000 is slow to print
        raise OutOfBounds(field, f"must be less than {MAX_NUMBER:f}")
    text = str(value).strip()
    if len(text) > 40:
        raise OutOfBounds(field, "is too long for a number")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise OutOfBounds(field, "must be a number") from None
    return check_number(number, field)


def json_depth_ok(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text nests no deeper than `limit`, without parsing it.

    Counting brackets outside strings is linear and never recurses, unlike json.loads,
    whose recursion is what a body of fifty thousand `[` aims at.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return True
    depth = 0
    for byte in _STRING.sub(b'""', raw).translate(None, _NOT_BRACKET):
        depth += 1 if byte in (0x5B, 0x7B) else -1
        if depth > limit:
            return False
    return True


def _no_constants(name: str):
    raise ValueError(f"{name} is not a number")


def loads(raw: bytes | str) -> Any:
    """JSON with numbers as Decimal (never float), NaN/Infinity refused, nesting bounded.

    :raise ValueError: not JSON, or nested deeper than MAX_JSON_DEPTH (as OutOfBounds).
    """
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    if not json_depth_ok(data):
        raise OutOfBounds("body", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    text = raw if isinstance(raw, str) else raw.decode("utf-8")
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
