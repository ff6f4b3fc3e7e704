"""Reading request bodies and parameters; every problem is a 400 naming the field.

InPost refuses malformed input with 400 MALFORMED_REQUEST (docs/inpost-pay-api.md §5); the
sandbox does the same, and never lets bad input reach a 500.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import request

from sandbox.errors import malformed
from sandbox.jsonutil import NotJson, loads

PREFIX = re.compile(r"^\+\d{1,4}$")
PHONE = re.compile(r"^\d{6,15}$")


def json_body(required: bool = True) -> dict:
    """The request body as a JSON object (amounts as Decimal)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise malformed("request body: a JSON object is required")
        return {}
    try:
        body = loads(raw)
    except NotJson as exc:
        raise malformed(f"request body: not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise malformed("request body: must be a JSON object")
    return body


def field(obj: dict, name: str, kind: type | tuple, *, path: str = "", required: bool = True, choices=None):
    """obj[name] checked for presence, type and allowed values; None when optional and absent."""
    label = f"{path}.{name}" if path else name
    value = obj.get(name)
    if value is None:
        if required:
            raise malformed(f"{label}: is required")
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise malformed(f"{label}: wrong type, expected {_names(kinds)}")
    if not isinstance(value, kinds):
        raise malformed(f"{label}: wrong type, expected {_names(kinds)}")
    if isinstance(value, str) and required and not value.strip():
        raise malformed(f"{label}: must not be empty")
    if choices is not None and value not in choices:
        raise malformed(f"{label}: must be one of {', '.join(choices)}")
    return value


def _names(kinds: tuple) -> str:
    names = {str: "string", bool: "boolean", dict: "object", list: "list", int: "number", Decimal: "number"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def phone_number(obj: dict, name: str = "phone_number", *, path: str = "", required: bool = True) -> dict | None:
    """A {country_prefix: "+48", phone: "600000000"} object."""
    value = field(obj, name, dict, path=path, required=required)
    if value is None:
        return None
    label = f"{path}.{name}" if path else name
    prefix = field(value, "country_prefix", str, path=label)
    phone = field(value, "phone", str, path=label)
    if not PREFIX.match(prefix):
        raise malformed(f"{label}.country_prefix: must look like +48")
    if not PHONE.match(phone):
        raise malformed(f"{label}.phone: must be 6-15 digits")
    return {"country_prefix": prefix, "phone": phone}


def int_arg(name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    """A whole-number query parameter within bounds."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):  # ASCII digits only, and no offset SQLite cannot hold
        raise malformed(f"{name}: must be a whole number below 1000000000")
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise malformed(f"{name}: must be {bounds}")
    return value


def flag_arg(name: str) -> bool:
    """A boolean query parameter: true/1 or false/0 (PS and SW send =1, docs/inpost-pay-api.md §5.3)."""
    raw = (request.args.get(name) or "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise malformed(f"{name}: must be true, false, 1 or 0")
