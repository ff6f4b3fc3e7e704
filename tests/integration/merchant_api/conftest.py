"""Signed calls to the shop's merchant API, made the way InPost makes them (docs/inpost-pay-api.md §6).

The signer here is written from docs/inpost-pay-api.md, independently of the sandbox. The
app's signing-key cache is given this test key pair's public half through its
normal fetch functions (InPost's `GET /v1/izi/signing-keys/public` answer shape).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from inpost_pay.signing_keys import SigningKeyCache
from storefront import basket as basket_service
from storefront.extensions import db

MERCHANT_EXTERNAL_ID = "merchant-test-1"
VERSION = "1"


@dataclass
class Signer:
    key: rsa.RSAPrivateKey
    version: str = VERSION
    _last: ClassVar[datetime] = datetime.min.replace(tzinfo=UTC)

    @property
    def public_key_base64(self) -> str:
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    def headers(self, raw: bytes, *, at: datetime | None = None) -> dict[str, str]:
        """InPost's four headers; without `at`, a millisecond of its own for each call, so two
        calls with one body never carry the same signature (the shop refuses a replay)."""
        if at is None:
            now = datetime.now(UTC)
            at = max(now.replace(microsecond=now.microsecond // 1000 * 1000), Signer._last + timedelta(milliseconds=1))
            Signer._last = at
        ts = at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        digest = base64.b64encode(hashlib.sha256(raw).digest()).decode()
        signed = base64.b64encode(f"{digest},{MERCHANT_EXTERNAL_ID},{self.version},{ts}".encode("ascii"))
        signature = self.key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return {
            "x-signature": base64.b64encode(signature).decode(),
            "x-signature-timestamp": ts,
            "x-public-key-ver": self.version,
            "x-public-key-hash": hashlib.sha256(self.public_key_base64.encode()).hexdigest(),
        }


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture
def app(app, signer):
    entry = {"public_key_base64": signer.public_key_base64, "version": signer.version}
    app.extensions["inpost_pay"].signing_keys = SigningKeyCache(
        lambda: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [entry]},
        lambda v: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_key": entry},
    )
    return app


@pytest.fixture
def signed_call(client, signer):
    """signed_call(method, path, body=None) -> response; `body` a dict (JSON) or raw bytes."""

    def call(method: str, path: str, body=None, *, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        sent = {**signer.headers(data), "Content-Type": "application/json", **(headers or {})}
        return client.open(path, method=method, data=data, headers=sent, csrf=False)

    return call


@pytest.fixture
def make_basket(app):
    """make_basket((product_id, quantity), ...) -> basket_id of a new open basket."""

    def make(*lines, codes=()):
        with app.app_context():
            basket = basket_service.new_basket()
            for product_id, quantity in lines:
                basket_service.add_product(basket, product_id, quantity)
            for code in codes:
                basket_service.apply_code(basket, code)
            db.session.commit()
            return basket.id

    return make


def stale(seconds: int) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)
