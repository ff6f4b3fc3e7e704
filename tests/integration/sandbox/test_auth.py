"""OAuth2 token endpoint (Keycloak's shape, docs/inpost-pay-api.md §2.2) and bearer checks on the API."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from sandbox.extensions import db
from sandbox.models import AccessToken
from tests.integration.sandbox.conftest import TOKEN_PATH, bearer, dispose, make_app

GOOD = {"grant_type": "client_credentials", "client_id": "demo-shop", "client_secret": "demo-shop-secret"}


def test_token_answer_has_keycloaks_fields(client):
    answer = client.post(TOKEN_PATH, data=GOOD)
    assert answer.status_code == 200
    body = answer.json
    assert set(body) == {"access_token", "expires_in", "refresh_expires_in", "token_type", "not-before-policy", "scope"}
    assert (body["expires_in"], body["refresh_expires_in"], body["token_type"], body["scope"]) == (
        300,
        0,
        "Bearer",
        "api:inpostpay",
    )
    assert client.get("/v1/izi/signing-keys/public", headers=bearer(body["access_token"])).status_code == 200


def test_http_basic_client_authentication_is_accepted(client):
    answer = client.post(TOKEN_PATH, data={"grant_type": "client_credentials"}, auth=("demo-shop", "demo-shop-secret"))
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({**GOOD, "client_secret": "wrong"}, 401, "invalid_client"),
        ({**GOOD, "client_id": "someone-else"}, 401, "invalid_client"),
        ({k: v for k, v in GOOD.items() if k != "client_secret"}, 401, "invalid_client"),
        ({k: v for k, v in GOOD.items() if k != "grant_type"}, 400, "invalid_request"),
        ({**GOOD, "grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
    ids=["wrong-secret", "wrong-client", "no-secret", "missing-grant-type", "unsupported-grant-type"],
)
def test_token_errors_are_keycloaks(client, form, status, error):
    answer = client.post(TOKEN_PATH, data=form)
    assert answer.status_code == status
    assert answer.json["error"] == error
    assert answer.json["error_description"]


def test_missing_grant_type_says_so(client):
    answer = client.post(TOKEN_PATH, data={"client_id": "demo-shop", "client_secret": "demo-shop-secret"})
    assert answer.json["error_description"] == "Missing form parameter: grant_type"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic ZGVtbzpkZW1v"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "unknown", "wrong-scheme", "empty"],
)
def test_api_refuses_without_a_valid_bearer(client, headers):
    answer = client.get("/v1/izi/basket/b-1/binding", headers=headers)
    assert answer.status_code == 401
    assert answer.json["error_code"] == "UNAUTHORIZED"
    assert answer.json["error_message"]


def test_expired_token_is_refused(app, client):
    token = client.post(TOKEN_PATH, data=GOOD).json["access_token"]
    with app.app_context():
        for row in db.session.scalars(db.select(AccessToken)):
            row.expires_at -= timedelta(seconds=301)
        db.session.commit()
    answer = client.get("/v1/izi/basket/b-1/binding", headers=bearer(token))
    assert answer.status_code == 401
    assert "expired" in answer.json["error_message"]


def test_short_ttl_token_expires_on_its_own(db_dir, keys_template, merchant):
    app = make_app(db_dir, keys_template, merchant.url, SANDBOX_TOKEN_TTL=1)
    client = app.test_client()
    body = client.post(TOKEN_PATH, data=GOOD).json
    assert body["expires_in"] == 1
    assert client.get("/v1/izi/basket/b-1/binding", headers=bearer(body["access_token"])).status_code == 200
    time.sleep(1.1)
    assert client.get("/v1/izi/basket/b-1/binding", headers=bearer(body["access_token"])).status_code == 401
    dispose(app)
