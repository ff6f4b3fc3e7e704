"""Error pages and JSON errors: a clear message, never a stack trace (docs/architecture.md#rules).

JSON callers (a JSON body, or `Accept: application/json`) get
`{"error_code": ..., "error_message": ...}`; browsers get a page.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "REQUEST_TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
}
MESSAGES = {
    400: "Nieprawidłowe żądanie.",
    403: "Brak dostępu.",
    404: "Nie znaleźliśmy tej strony.",
    405: "Ta operacja nie jest tu dostępna.",
    413: "Żądanie jest za duże.",
    429: "Zbyt wiele prób. Odczekaj chwilę i spróbuj ponownie.",
    500: "Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę.",
}


def wants_json() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or MESSAGES.get(status, "Błąd.")
    code = code or CODES.get(status, "ERROR")
    if wants_json():
        return jsonify(error_code=code, error_message=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, "Sesja formularza wygasła lub brakuje tokenu CSRF. Odśwież stronę.", "CSRF_FAILED")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        # The error page reads the database (the header's basket count): start clean.
        db.session.rollback()
        return error_response(500)
