"""The JSON answers of the integration's blueprints (the merchant API and the widget's browser
API): a body, an error `{"error_code", "error_message"}`, and the handler of `JsonError`."""

from __future__ import annotations

import json

from flask import Response

from .database import db
from .errors import JsonError


def json_response(body: object, status: int = 200) -> Response:
    """`body` as JSON (UTF-8, compact); a `str` is taken as JSON already written."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def error(status: int, code: str, message: str) -> Response:
    return json_response({"error_code": code, "error_message": message}, status)


def json_error(exc: JsonError) -> Response:
    """The error handler of both blueprints: nothing of the request is written."""
    db.session.rollback()
    return error(exc.status, exc.code, exc.message)
