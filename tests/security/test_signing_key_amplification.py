"""Class 3: forged calls with random `x-public-key-ver` never turn into a flood of key
lookups at InPost: what cannot be InPost's is refused before any lookup, and lookups of
unknown versions are bounded for all versions together (docs/security.md "Signing keys")."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from inpost_pay.errors import InPostNotFound
from inpost_pay.signing_keys import SigningKeyCache
from tests.integration.merchant_api.conftest import MERCHANT_EXTERNAL_ID
from tests.security.conftest import assert_json_error

PATHS = [("GET", "/v1/izi/basket/b1"), ("POST", "/v1/izi/basket/b1/event"), ("DELETE", "/v1/izi/basket/b1/binding"),
         ("POST", "/v1/izi/order"), ("GET", "/v1/izi/order/1"), ("POST", "/v1/izi/order/1/event")]  # fmt: skip


class CountingInPost:
    """InPost's signing-key endpoints, counting how often the shop asks."""

    def __init__(self, signer):
        self.entry = {"public_key_base64": signer.public_key_base64, "version": signer.version}
        self.lists = self.versions = 0

    def fetch_all(self):
        self.lists += 1
        return {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [self.entry]}

    def fetch_version(self, version):
        self.versions += 1
        raise InPostNotFound(404, "PUBLIC_KEY_NOT_FOUND", "no such key")


@pytest.fixture
def inpost(app, signer):
    counting = CountingInPost(signer)
    app.extensions["inpost_pay"].signing_keys = SigningKeyCache(counting.fetch_all, counting.fetch_version)
    return counting


def forged(signer, *, version: str, signature: str | None = None, at: datetime | None = None) -> dict:
    headers = signer.headers(b"", at=at)
    headers["x-public-key-ver"] = version
    if signature is not None:
        headers["x-signature"] = signature
    return headers


@pytest.mark.parametrize("method, path", PATHS)
def test_what_cannot_be_inposts_is_refused_before_any_lookup(
    method, path, client, signer, inpost, snapshot, no_traceback
):
    before = snapshot()
    cases = {
        "no headers": {},
        "stale timestamp": forged(signer, version="77", at=datetime.now(UTC) - timedelta(seconds=300)),
        "junk version": forged(signer, version="../../x?y"),
        "long version": forged(signer, version="9" * 200),
        "short signature": forged(signer, version="77", signature=base64.b64encode(b"x" * 16).decode()),
        "not base64": forged(signer, version="77", signature="!!!" * 100),
        "bad hash": {**forged(signer, version="77"), "x-public-key-hash": "zz"},
    }
    for case, headers in cases.items():
        response = client.open(path, method=method, headers=headers, csrf=False)
        assert_json_error(response, 401, "INVALID_SIGNATURE")
        assert inpost.versions == 0 and inpost.lists == 0, case
    assert snapshot() == before


def test_unknown_versions_are_looked_up_a_bounded_number_of_times_in_all(client, signer, inpost, no_traceback):
    for _ in range(50):  # well-formed headers, a fresh random version each time
        version = str(secrets.randbelow(10**9))
        response = client.get("/v1/izi/basket/b1", headers=forged(signer, version=version))
        assert_json_error(response, 401, "INVALID_SIGNATURE")
    assert inpost.versions <= 10
    assert inpost.lists == 1


def test_the_bound_opens_again_after_the_window():
    now = [0.0]
    asked = []
    cache = SigningKeyCache(
        lambda: {"merchant_external_id": "m", "public_keys": []},
        lambda v: asked.append(v) or (_ for _ in ()).throw(InPostNotFound(404, "PUBLIC_KEY_NOT_FOUND", "no")),
        max_lookups=3, lookup_window=60, clock=lambda: now[0],
    )  # fmt: skip
    for i in range(10):
        assert cache.get(f"v{i}") is None
    assert len(asked) == 3
    now[0] = 61
    assert cache.get("v-late") is None
    assert asked[-1] == "v-late"
