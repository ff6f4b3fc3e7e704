"""OAuth2 client credentials, the way InPost's Keycloak hands out tokens (docs/inpost-pay-api.md §2.2).

`POST /auth/realms/external/protocol/openid-connect/token` with the form fields
`grant_type=client_credentials`, `client_id`, `client_secret` (or HTTP Basic)
answers `{"access_token", "expires_in", ...}`. Tokens are opaque random strings;
only their SHA-256 is stored, with the expiry. Every `/v1/izi/*` call must carry
`Authorization: Bearer <token>` that is known and unexpired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, request

from sandbox.errors import ApiError
from sandbox.extensions import db
from sandbox.models import AccessToken, utcnow

bp = Blueprint("sandbox_auth", __name__)

TOKEN_PATH = "/auth/realms/external/protocol/openid-connect/token"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _keycloak_error(status: int, error: str, description: str):
    return jsonify({"error": error, "error_description": description}), status


@bp.post(TOKEN_PATH)
def issue_token():
    """Keycloak's client-credentials grant (errors in Keycloak's own shape, not InPost's)."""
    form = request.form
    grant_type = form.get("grant_type")
    if not grant_type:
        return _keycloak_error(400, "invalid_request", "Missing form parameter: grant_type")
    if grant_type != "client_credentials":
        return _keycloak_error(400, "unsupported_grant_type", "Unsupported grant_type")

    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if request.authorization and request.authorization.type == "basic":
        client_id = client_id or request.authorization.username
        client_secret = client_secret or request.authorization.password
    expected_id = current_app.config["INPOST_PAY_CLIENT_ID"]
    expected_secret = current_app.config["INPOST_PAY_CLIENT_SECRET"]
    if not client_id or not hmac.compare_digest(client_id.encode(), expected_id.encode()):
        return _keycloak_error(401, "invalid_client", "Invalid client or Invalid client credentials")
    if not client_secret or not hmac.compare_digest(client_secret.encode(), expected_secret.encode()):
        return _keycloak_error(401, "invalid_client", "Invalid client or Invalid client credentials")

    ttl = int(current_app.config["SANDBOX_TOKEN_TTL"])
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccessToken(token_hash=_hash(token), client_id=client_id, expires_at=utcnow() + timedelta(seconds=ttl))
    )
    db.session.commit()
    response = jsonify(
        {
            "access_token": token,
            "expires_in": ttl,
            "refresh_expires_in": 0,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "scope": "api:inpostpay",
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def require_bearer() -> str:
    """Check the bearer token of the current API call; returns the client_id. 401 otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing bearer token (Authorization: Bearer <access_token>)")
    row = db.session.get(AccessToken, _hash(token.strip()))
    if row is None:
        raise _unauthorized("unknown access token")
    if row.expires_at <= utcnow():
        raise _unauthorized("access token expired; request a new one")
    return row.client_id


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "UNAUTHORIZED", message)
