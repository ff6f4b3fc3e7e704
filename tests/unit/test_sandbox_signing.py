"""Signatures on the sandbox's calls to the merchant, checked by an independent verifier,
and key rotation (docs/inpost-pay-api.md §6)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from sandbox.app import create_sandbox_app, prepare
from sandbox.keys import KeyRing, sign_headers

EMPTY_BODY_DIGEST = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="  # docs/inpost-pay-api.md §6.2 step 3


def verify(raw_body: bytes, headers: dict, merchant_external_id: str, public_key_base64: str) -> None:
    """Reference §6.2, written out again here so the test does not trust the sandbox's own code.

    Raises InvalidSignature or ValueError when the call must be refused.
    """
    signature, timestamp = headers["x-signature"], headers["x-signature-timestamp"]
    version, key_hash = headers["x-public-key-ver"], headers["x-public-key-hash"]
    # step 2: the key for this version, checked against the hash header
    if hashlib.sha256(public_key_base64.encode()).hexdigest() != key_hash:
        raise ValueError("public key hash mismatch")
    # step 3: digest of the exact bytes
    digest = base64.b64encode(hashlib.sha256(raw_body).digest()).decode()
    # step 4: base64 of "digest,merchant_external_id,version,timestamp"
    signed_text = base64.b64encode(f"{digest},{merchant_external_id},{version},{timestamp}".encode("ascii"))
    # step 5: SHA256withRSA over those base64 characters
    key = serialization.load_der_public_key(base64.b64decode(public_key_base64))
    key.verify(base64.b64decode(signature), signed_text, padding.PKCS1v15(), hashes.SHA256())
    # step 6: timestamp within 240 s
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if abs((datetime.now(UTC) - moment).total_seconds()) > 240:
        raise ValueError("stale timestamp")


@pytest.fixture(scope="module")
def ring(tmp_path_factory):
    ring = KeyRing(tmp_path_factory.mktemp("keys"))
    ring.ensure()
    return ring


def test_signature_verifies_independently(ring):
    body = '{"status":"SUCCESS","inpost_basket_id":"abc","name":"Zażółć"}'.encode()
    key = ring.current()
    headers = sign_headers(body, key, ring.merchant_external_id)
    verify(body, headers, ring.merchant_external_id, key.public_key_base64)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", headers["x-signature-timestamp"])
    assert re.fullmatch(r"[0-9a-f]{64}", headers["x-public-key-hash"])
    assert headers["x-public-key-ver"] == key.version


def test_empty_body_for_get_and_delete(ring):
    key = ring.current()
    headers = sign_headers(b"", key, ring.merchant_external_id)
    verify(b"", headers, ring.merchant_external_id, key.public_key_base64)
    assert base64.b64encode(hashlib.sha256(b"").digest()).decode() == EMPTY_BODY_DIGEST


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, headers, mid: (body + b" ", headers, mid),  # body changed (even whitespace)
        lambda body, headers, mid: (body, {**headers, "x-signature-timestamp": "2030-01-01T00:00:00.000Z"}, mid),
        lambda body, headers, mid: (body, headers, "another-merchant"),
    ],
    ids=["body", "timestamp", "merchant_external_id"],
)
def test_tampered_calls_fail_verification(ring, tamper):
    key = ring.current()
    body = b'{"event_type":"PRODUCTS_QUANTITY"}'
    headers = sign_headers(body, key, ring.merchant_external_id)
    body, headers, mid = tamper(body, headers, ring.merchant_external_id)
    with pytest.raises(InvalidSignature):
        verify(body, headers, mid, key.public_key_base64)


def test_rotation_makes_the_new_version_sign_and_keeps_the_old(tmp_path):
    ring = KeyRing(tmp_path / "keys")
    ring.ensure()
    old = ring.current()
    new = ring.rotate()
    assert (old.version, new.version) == ("1", "2")
    assert ring.current().version == "2"
    assert [k.version for k in ring.all()] == ["1", "2"]
    headers = sign_headers(b"{}", ring.current(), ring.merchant_external_id)
    assert headers["x-public-key-ver"] == "2"
    verify(b"{}", headers, ring.merchant_external_id, new.public_key_base64)
    with pytest.raises(InvalidSignature):
        verify(
            b"{}",
            {**headers, "x-public-key-hash": old.public_key_hash},
            ring.merchant_external_id,
            old.public_key_base64,
        )


def test_rotate_keys_command_and_both_signing_key_endpoints(tmp_path):
    app = create_sandbox_app({"TESTING": True, "SECRET_KEY": "t", "SANDBOX_KEYS_DIR": str(tmp_path / "keys"),
                              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sandbox.db'}"})  # fmt: skip
    prepare(app)
    result = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "version 2 now signs" in result.output

    client = app.test_client()
    token = client.post("/auth/realms/external/protocol/openid-connect/token",
                        data={"grant_type": "client_credentials", "client_id": "demo-shop",
                              "client_secret": "demo-shop-secret"}).json["access_token"]  # fmt: skip
    auth = {"Authorization": f"Bearer {token}"}
    listing = client.get("/v1/izi/signing-keys/public", headers=auth).json
    ring = app.extensions["sandbox_keys"]
    assert listing["merchant_external_id"] == ring.merchant_external_id
    assert [k["version"] for k in listing["public_keys"]] == ["1", "2"]
    for version in ("1", "2"):
        one = client.get(f"/v1/izi/signing-keys/public/{version}", headers=auth).json
        assert one["public_key"]["version"] == version
        assert one["public_key"]["public_key_base64"] == ring.get(version).public_key_base64
    missing = client.get("/v1/izi/signing-keys/public/9", headers=auth)
    assert (missing.status_code, missing.json["error_code"]) == (404, "PUBLIC_KEY_NOT_FOUND")
    # the signature on the next call carries the new version
    assert sign_headers(b"", ring.current(), ring.merchant_external_id)["x-public-key-ver"] == "2"
    with app.app_context():
        from sandbox.extensions import db

        db.session.remove()
        db.engine.dispose()
