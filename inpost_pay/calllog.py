"""One structured log line per InPost call, in either direction (docs/architecture.md#rules "Logs").

Each line is a JSON object: `direction` (`INBOUND`: InPost called us, `OUTBOUND`: we
called InPost; the words of InPost's own conversation log), `method`, `path`, `status`, `duration_ms`, `basket_id` / `order_id`
when the call concerns one, and for inbound calls the signature `verification`
result ("ok" or the reason it failed). The line goes to the `inpost_pay.calls`
logger and into a small in-memory ring the back office can show, so a developer
studying the integration can watch the conversation; `add_sink` lets the
application also keep the lines elsewhere (e.g. a database table).

Nothing secret reaches a line: phone numbers are masked the way InPost masks
them (`60*****00`, Confirming the binding of a basket `masked_phone_number`), bearer tokens, client
secrets and signatures are replaced by `***`.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

logger = logging.getLogger("inpost_pay.calls")

INBOUND, OUTBOUND = "inbound", "outbound"

MASK = "***"
RING_SIZE = 500

# Keys whose values are credentials (compared lower-case, '-' and '_' alike).
SECRET_KEYS = {
    "authorization",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "client_secret",
    "secret",
    "password",
    "x_signature",
    "signature",
    "basket_binding_api_key",
}
# Keys whose string values are phone numbers; InPost's {country_prefix, phone} objects are
# walked like any dict, so their `phone` is masked and the prefix kept.
PHONE_KEYS = {"phone", "phone_number"}

_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
_SECRET_IN_TEXT = re.compile(r"(?i)\b(client_secret|access_token|refresh_token)=([^&\s]+)")
_SECRET_WORDS = ("client_secret=", "access_token=", "refresh_token=")
_SHORTEST_SECRET = len("bearer x")  # no text shorter than this can hold a maskable secret
_PLAIN = frozenset({int, float, bool, type(None)})  # values masking returns unchanged

_ring: deque[dict] = deque(maxlen=RING_SIZE)
_sinks: list[Callable[[dict], None]] = []
_lock = threading.Lock()


def mask_phone(phone: object) -> str:
    """`600123400` -> `60*****00`: keep the first two and last two digits, as InPost does."""
    text = "" if phone is None else str(phone)
    digits = re.sub(r"\D", "", text)
    if len(digits) <= 4:
        return "*" * len(digits)
    return f"{digits[:2]}{'*' * (len(digits) - 4)}{digits[-2:]}"


@functools.lru_cache(maxsize=4096, typed=True)
def _norm(key: object) -> str:
    return str(key).lower().replace("-", "_")


def mask_text(text: str) -> str:
    """Mask bearer tokens and `client_secret=...` pairs inside free text (URLs, error messages)."""
    if len(text) < _SHORTEST_SECRET:  # prices, ids, names: nothing to mask, the common case
        return text
    lowered = text.lower()  # the patterns need these words: skip the scans of text without them
    if "bearer" in lowered:
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    if any(word in lowered for word in _SECRET_WORDS):
        text = _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}={MASK}", text)
    return text


def mask_secrets(obj: object) -> object:
    """A copy of `obj` (dicts, lists, strings) safe to log: secrets and phone numbers masked."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            name = _norm(key)
            if name in SECRET_KEYS and value not in (None, ""):
                out[key] = MASK
            elif name in PHONE_KEYS and isinstance(value, str | int) and not isinstance(value, bool):
                out[key] = mask_phone(value)
            else:
                out[key] = value if type(value) in _PLAIN else mask_secrets(value)
        return out
    if isinstance(obj, list | tuple):
        return [item if type(item) in _PLAIN else mask_secrets(item) for item in obj]
    if isinstance(obj, str):
        return mask_text(obj)
    return obj


_KEY_WORDS = tuple(f'"{key}"' for key in sorted(SECRET_KEYS | PHONE_KEYS))  # as JSON writes a key


def may_need_masking(text: str) -> bool:
    """False when masking the JSON document `text` could change nothing: none of the secret or
    phone key names occurs in it as a quoted name, none of the secret words at all, and no \\u
    escape could hide one (e.g. our own basket JSON). True: parse it and `mask_secrets` it."""
    lowered = text.lower()
    if "\\u" in lowered or "bearer" in lowered or any(word in lowered for word in _SECRET_WORDS):
        return True
    lowered = lowered.replace("-", "_")
    return any(word in lowered for word in _KEY_WORDS)


def log_call(
    direction: str,
    method: str,
    path: str,
    status: int | None,
    duration_ms: float,
    *,
    basket_id: str | None = None,
    order_id: str | None = None,
    verification: str | None = None,
    **extra: object,
) -> dict:
    """Record one InPost call. Returns the (masked) entry that was logged."""
    entry: dict = {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "direction": direction,
        "method": method.upper(),
        "path": mask_text(path),
        "status": status,
        "duration_ms": round(float(duration_ms), 1),
    }
    if basket_id is not None:
        entry["basket_id"] = basket_id
    if order_id is not None:
        entry["order_id"] = order_id
    if verification is not None:
        entry["verification"] = verification
    for key, value in extra.items():
        if value is not None:
            entry[key] = value
    entry = mask_secrets(entry)
    level = logging.INFO if status is not None and status < 400 else logging.WARNING
    if logger.isEnabledFor(level):  # the line holds both bodies: build it only to write it
        logger.log(level, json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str))
    with _lock:
        _ring.append(entry)
        sinks = list(_sinks)
    for sink in sinks:
        try:
            sink(entry)
        except Exception:  # a broken sink must never break a call to or from InPost
            logger.exception("call log sink %r failed", sink)
    return entry


def recent(limit: int = 100, *, basket_id: str | None = None, order_id: str | None = None) -> list[dict]:
    """The newest logged calls first, optionally only those of one basket or order."""
    with _lock:
        entries: Iterable[dict] = list(_ring)
    picked = [
        e
        for e in reversed(list(entries))
        if (basket_id is None or e.get("basket_id") == basket_id)
        and (order_id is None or e.get("order_id") == order_id)
    ]
    return picked[:limit]


def add_sink(sink: Callable[[dict], None]) -> None:
    """Also hand every entry to `sink` (called after masking; exceptions are logged and ignored)."""
    with _lock:
        if sink not in _sinks:
            _sinks.append(sink)


def remove_sink(sink: Callable[[dict], None]) -> None:
    with _lock:
        if sink in _sinks:
            _sinks.remove(sink)


def clear() -> None:
    """Forget the in-memory lines (tests)."""
    with _lock:
        _ring.clear()
