"""JSON in and out, with money kept as Decimal (docs/architecture.md#rules "never float").

Incoming bodies are parsed with `parse_float=Decimal`, so "99.00" and 99.00 both
keep their exact digits (the contract checker needs to see them). Outgoing
bodies are written by `dumps`, which emits Decimal values as JSON numbers with
their exact digits: the order request carries amounts as numbers (reference
§3.5, `{"net":584.62,...}`), and `json.dumps` cannot write a Decimal.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

#: Bodies nest a few levels; deeper is refused before json.loads recurses into it.
MAX_DEPTH = 32
#: No amount or quantity the sandbox handles comes near a billion.
MAX_NUMBER = Decimal(10) ** 9

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class NotJson(ValueError):
    """The bytes are not JSON (or not UTF-8), or nest deeper than MAX_DEPTH."""


def _depth_ok(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return True
    depth = 0
    for char in _STRING.sub('""', text):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _no_constant(name: str):
    raise NotJson(f"{name} is not a number")


def loads(raw: bytes | str) -> Any:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not _depth_ok(text):
            raise NotJson(f"nested deeper than {MAX_DEPTH} levels")
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotJson(str(exc)) from None


def dumps(value: Any) -> str:
    """Compact, deterministic JSON; Decimal as a number with its digits as given."""
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite Decimal cannot be written as JSON")
        return format(value, "f")
    if isinstance(value, float):
        raise TypeError("floats are not written by the sandbox; use Decimal")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_plain(value: Any) -> Any:
    """Decimal -> string with its digits, for `flask.jsonify` answers (amounts out as strings)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
