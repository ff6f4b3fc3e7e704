"""No secret in any log line: tokens are masked as each record is made (docs/security.md
"Logs").

The order page's secret link (`/moje-zamowienia/7?token=...`) reaches the access log
that werkzeug (or any server) writes, and error messages may carry a bearer token or a
`client_secret=...`. A record factory, installed once per process, masks them in every
record whatever logger or handler it goes to: the access log, the application's own
lines, pytest's capture.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
_SECRET_PARAMS = re.compile(
    r"(?i)(\b(?:token|access_token|refresh_token|id_token|client_secret|secret|password|signature|"
    r"x-signature|api_key|basket_binding_api_key)\s*[=:]\s*)([^&\s\"',;]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
_installed = False


def mask(text: str) -> str:
    """`text` with the values of secret parameters and bearer tokens replaced by ***."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}{MASK}", text)


def install() -> None:
    """Mask every log record made from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: leave it to logging's own error path
            return record
        safe = mask(message)
        if safe != message:
            record.msg, record.args = safe, None
        return record

    logging.setLogRecordFactory(masked_record)
    _installed = True
