"""Errors as InPost answers them: JSON `{"error_code", "error_message"}` (docs/inpost-pay-api.md §5).

Every route raises `ApiError`; the handlers below also turn Flask's own 404/405/
413 and any unexpected exception into that shape, so a caller never sees HTML
or a bare 500 page. The phone-app API adds `violations` when a merchant answer
failed the contract check, so the simulator can show why.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from sandbox.extensions import db

log = logging.getLogger("sandbox")

HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "MALFORMED_REQUEST",
    415: "MALFORMED_REQUEST",
}


class ApiError(Exception):
    """An error answer: HTTP status, InPost error_code, human-readable message."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self):
        body = {"error_code": self.code, "error_message": self.message, **self.extra}
        return jsonify(body), self.status


def malformed(message: str) -> ApiError:
    """400 MALFORMED_REQUEST; the message names the field (docs/architecture.md#interfaces)."""
    return ApiError(400, "MALFORMED_REQUEST", message)


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        db.session.rollback()
        return error.response()

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        db.session.rollback()
        code = HTTP_CODES.get(error.code or 500, "INTERNAL_SERVER_ERROR")
        message = error.description or error.name
        if error.code == 413:
            message = "request body too large"
        response = jsonify({"error_code": code, "error_message": message})
        response.status_code = error.code or 500
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        log.exception("unexpected error in the sandbox")
        return jsonify({"error_code": "INTERNAL_SERVER_ERROR", "error_message": "internal error in the sandbox"}), 500
