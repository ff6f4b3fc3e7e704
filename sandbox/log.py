"""The conversation log: every call between the sandbox and the merchant, both ways.

One row per call (docs/architecture.md#rules "Logs"): direction, method, path, status,
duration, basket/order id, the signature used (outbound: key version; inbound:
how the bearer token checked out), the contract-check result and both bodies.
Phone numbers, tokens and secrets are masked before anything is stored.
Read it at `GET /sandbox/log?basket_id=...` (loopback only).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sandbox.extensions import db
from sandbox.jsonutil import NotJson, dumps, loads
from sandbox.models import iso, utcnow

log = logging.getLogger("sandbox.conversation")

BODY_LIMIT = 64 * 1024
SECRET_KEYS = {"access_token", "client_secret", "refresh_token", "password"}
PHONE_KEYS = {"phone"}


class LogEntry(db.Model):
    __tablename__ = "log_entry"
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    direction = db.Column(db.String(8), nullable=False)  # "inbound" (merchant -> InPost) | "outbound"
    method = db.Column(db.String(8), nullable=False)
    path = db.Column(db.String(500), nullable=False)
    status = db.Column(db.Integer)  # None: no answer (network error, timeout)
    duration_ms = db.Column(db.Integer, nullable=False, default=0)
    basket_id = db.Column(db.String(200), index=True)
    order_id = db.Column(db.String(200), index=True)
    signature = db.Column(db.String(200))
    violations_json = db.Column(db.Text, nullable=False, default="[]")
    request_body = db.Column(db.Text)
    response_body = db.Column(db.Text)
    error = db.Column(db.Text)


def mask_phone(phone: str) -> str:
    """ "600000000" -> "60*****00", the way InPost masks numbers (Confirming the binding of a basket)."""
    digits = str(phone)
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:2] + "*" * (len(digits) - 4) + digits[-2:]


def mask(value: Any) -> Any:
    """A copy of a parsed JSON document with phone numbers and secrets masked."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if key in SECRET_KEYS and isinstance(item, str):
                masked[key] = item[:4] + "..." if len(item) > 8 else "***"
            elif key in PHONE_KEYS and isinstance(item, str):
                masked[key] = mask_phone(item)
            else:
                masked[key] = mask(item)
        return masked
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def mask_body(raw: bytes | str | None) -> str | None:
    """Masked text of a request/response body (JSON, form or other)."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not raw:
        return ""
    try:
        # Numbers stay numbers ("quantity": 0.1 as on the wire, not "0.1"); strings stay strings.
        text = dumps(mask(loads(raw)))
    except NotJson:
        # Form bodies (the token endpoint): hide the secret's value.
        text = re.sub(r"(client_secret=)[^&]*", r"\1***", raw)
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "...(truncated)"


def record(
    *,
    direction: str,
    method: str,
    path: str,
    status: int | None,
    duration_ms: float,
    basket_id: str | None = None,
    order_id: str | None = None,
    signature: str | None = None,
    violations: list | None = None,
    request_body: bytes | str | None = None,
    response_body: bytes | str | None = None,
    error: str | None = None,
) -> None:
    """Store one call. Written on its own connection, so it neither commits nor
    rolls back the caller's work; a failure to log never breaks the call."""
    row = {
        "created_at": utcnow(),
        "direction": direction,
        "method": method,
        "path": path[:500],
        "status": status,
        "duration_ms": int(round(duration_ms)),
        "basket_id": basket_id,
        "order_id": order_id,
        "signature": signature,
        "violations_json": json.dumps(violations or [], ensure_ascii=False),
        "request_body": mask_body(request_body),
        "response_body": mask_body(response_body),
        "error": error,
    }
    log.info(
        "%s %s %s -> %s in %d ms basket=%s order=%s signature=%s violations=%d%s",
        direction, method, path, status, row["duration_ms"], basket_id, order_id, signature,
        len(violations or []), f" error={error}" if error else "",
    )  # fmt: skip
    try:
        with db.engine.begin() as connection:
            connection.execute(LogEntry.__table__.insert().values(**row))
    except Exception:  # the log is an aid, never a reason to fail the call
        log.exception("could not store a conversation log entry")


def entries(*, basket_id: str | None = None, order_id: str | None = None, limit: int = 200) -> list[dict]:
    """The latest `limit` entries (oldest first), optionally for one basket or order."""
    query = db.select(LogEntry)
    if basket_id:
        query = query.where(LogEntry.basket_id == basket_id)
    if order_id:
        query = query.where(LogEntry.order_id == order_id)
    rows = db.session.scalars(query.order_by(LogEntry.id.desc()).limit(limit)).all()
    return [as_dict(row) for row in reversed(rows)]


def as_dict(row: LogEntry) -> dict:
    def body(text: str | None) -> Any:
        if text in (None, ""):
            return text
        try:
            return json.loads(text)
        except ValueError:
            return text

    return {
        "id": row.id,
        "time": iso(row.created_at),
        "direction": row.direction,
        "method": row.method,
        "path": row.path,
        "status": row.status,
        "duration_ms": row.duration_ms,
        "basket_id": row.basket_id,
        "order_id": row.order_id,
        "signature": row.signature,
        "violations": json.loads(row.violations_json or "[]"),
        "request_body": body(row.request_body),
        "response_body": body(row.response_body),
        "error": row.error,
    }
