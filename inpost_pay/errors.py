"""The exceptions of the InPost Pay integration, in one place.

Three families, one per direction of traffic:

- `InPostError` and its subclasses: a call the shop made *to* InPost failed
  (docs/inpost-pay-api.md §5: InPost answers `{"error_code", "error_message"}` with a 4xx/5xx).
  The shop treats `InPostUnavailable` as "InPost is down": the widget hides,
  the shop keeps selling (docs/architecture.md#rules).
- `InvalidSignature`: a call *from* InPost failed signature verification
  (docs/inpost-pay-api.md §6.2); the merchant API answers 401 `INVALID_SIGNATURE` and logs
  `reason`.
- `SchemaError`: a call from InPost carried a body we cannot read; the merchant
  API answers 400 `MALFORMED_REQUEST` naming `field` (docs/inpost-pay-api.md §3.0).
"""

from __future__ import annotations


class JsonError(Exception):
    """A request to one of our blueprints refused: answered with `status` and
    `{"error_code": code, "error_message": message}` (responses.json_error). The merchant API
    speaks to InPost, the browser API to a shopper: `message` is written for that reader."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class InPostError(Exception):
    """InPost refused or failed a call. `status` is the HTTP status (None when no answer came)."""

    def __init__(self, status: int | None, error_code: str, error_message: str):
        super().__init__(f"{status} {error_code}: {error_message}")
        self.status = status
        self.error_code = error_code
        self.error_message = error_message


class InPostUnavailable(InPostError):
    """Timeout, connection error, 5xx or 429 after the retries: InPost can't be reached right now."""


class InPostAuthError(InPostError):
    """The token endpoint refused our client credentials, or InPost refused the token (401/403)."""


class InPostNotFound(InPostError):
    """404: e.g. `BASKET_NOT_FOUND`, `ORDER_NOT_FOUND`, `PUBLIC_KEY_NOT_FOUND`."""


class InPostConflict(InPostError):
    """409: e.g. `BASKET_IS_BINDED`, `STATUS_ORDER_ERROR` (transition not allowed)."""


class InPostBadRequest(InPostError):
    """400/422: InPost could not read what we sent (`BAD_REQUEST`, `MALFORMED_REQUEST`)."""


class InvalidSignature(Exception):
    """An InPost call that must not be trusted; `reason` is for the log, never for the caller."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SchemaError(ValueError):
    """A request body that does not match the InPost Pay documents' field tables.

    `field` is the dotted path of the offending field, e.g.
    `quantity_event_data[0].quantity.quantity`, so the 400 answer says what to fix.
    """

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message
