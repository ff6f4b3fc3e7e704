"""Where a `next` may send the browser: a path on this site, never anywhere else.

Every `next` (the back-office login, the basket forms) goes through `safe_target`. A
value is refused, and the default used, when a browser could read it as another host
or when it cannot be a header: `//evil.example`, `/\\evil.example`, a TAB or newline
anywhere (browsers drop TAB and newline, so `/\\t/evil.example` becomes
`//evil.example`; a raw newline cannot go into a Location header at all), a scheme
(`https:`, `javascript:`), or any of these percent-encoded.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _readable_as_path(text: str) -> bool:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text) or "\\" in text:
        return False
    if not text.startswith("/") or text.startswith("//"):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_target(value: object, default: str, *, under: str = "/") -> str:
    """`value` when it is a path on this site starting with `under`; `default` otherwise."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return default
    decoded = unquote(unquote(value))  # what a proxy or a browser might make of it
    if not (_readable_as_path(value) and _readable_as_path(decoded)):
        return default
    if not urlsplit(value).path.startswith(under):
        return default
    return value
