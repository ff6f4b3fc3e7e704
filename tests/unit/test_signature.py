"""Signature verification of InPost's calls (docs/inpost-pay-api.md §6) and the signing-key cache.

Keys are generated here and requests signed by `sign`, written from docs/inpost-pay-api.md §6.2
independently of the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from werkzeug.datastructures import Headers

from inpost_pay.errors import InPostNotFound, InPostUnavailable, InvalidSignature
from inpost_pay.signature import parse_timestamp, verify_request
from inpost_pay.signing_keys import SigningKeyCache

MERCHANT = "merchant-ext-42"
NOW = datetime(2026, 3, 14, 12, 0, 0, 123000, tzinfo=UTC)
BODY = '{"event_id":"e-1","event_type":"PROMO_CODES","promo_codes_event_data":[{"promo_code_value":"RABAT10"}],"x":"żółć"}'.encode()


# --- the signer (InPost's side), straight from docs/inpost-pay-api.md §6.2 -------------------------------------


def public_b64(private_key) -> str:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def sign(body: bytes, private_key, version: str, timestamp: str, merchant: str = MERCHANT) -> str:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    text = base64.b64encode(f"{digest},{merchant},{version},{timestamp}".encode("ascii"))
    return base64.b64encode(private_key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def signed_headers(body: bytes, private_key, version: str = "1", when: datetime = NOW, **override) -> dict:
    stamp = override.pop("timestamp", None) or ts(when)
    headers = {
        "x-signature": sign(body, private_key, version, stamp),
        "x-signature-timestamp": stamp,
        "x-public-key-ver": version,
        "x-public-key-hash": hashlib.sha256(public_b64(private_key).encode()).hexdigest(),
    }
    headers.update(override)
    return headers


@pytest.fixture(scope="module")
def key_v1():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def key_v2():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def provider(key_v1):
    keys = {"1": (MERCHANT, public_b64(key_v1))}
    return keys.get


# --- verify_request -------------------------------------------------------------------------------


def test_valid_signature_is_accepted(key_v1, provider):
    verified = verify_request(BODY, signed_headers(BODY, key_v1), provider, now=NOW)
    assert verified.version == "1"
    assert verified.merchant_external_id == MERCHANT
    assert verified.timestamp == NOW


def test_empty_body_of_get_and_delete(key_v1, provider):
    # The reference gives the digest of the empty body: 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
    from inpost_pay.signature import body_digest

    assert body_digest(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    assert verify_request(b"", signed_headers(b"", key_v1), provider, now=NOW).version == "1"


def test_tampered_body_is_refused(key_v1, provider):
    headers = signed_headers(BODY, key_v1)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_request(BODY.replace(b"RABAT10", b"RABAT99"), headers, provider, now=NOW)


def test_reserialised_json_is_refused(key_v1, provider):
    """Same JSON meaning, other bytes: the raw body is what is signed (pitfall 1)."""
    headers = signed_headers(BODY, key_v1)
    with pytest.raises(InvalidSignature):
        verify_request(BODY.replace(b",", b", "), headers, provider, now=NOW)


@pytest.mark.parametrize("missing", ["x-signature", "x-signature-timestamp", "x-public-key-ver", "x-public-key-hash"])
def test_each_header_is_required(key_v1, provider, missing):
    headers = signed_headers(BODY, key_v1)
    del headers[missing]
    with pytest.raises(InvalidSignature, match=f"missing header {missing}"):
        verify_request(BODY, headers, provider, now=NOW)


@pytest.mark.parametrize("blank", ["x-signature", "x-public-key-ver"])
def test_blank_header_counts_as_missing(key_v1, provider, blank):
    headers = signed_headers(BODY, key_v1, **{blank: "  "})
    with pytest.raises(InvalidSignature, match="missing header"):
        verify_request(BODY, headers, provider, now=NOW)


def test_header_names_are_case_insensitive(key_v1, provider):
    headers = {
        name.upper() if i % 2 else name.title(): v for i, (name, v) in enumerate(signed_headers(BODY, key_v1).items())
    }
    assert verify_request(BODY, headers, provider, now=NOW).version == "1"
    assert verify_request(BODY, Headers(list(headers.items())), provider, now=NOW).version == "1"


def test_upper_case_key_hash_is_accepted(key_v1, provider):
    headers = signed_headers(BODY, key_v1)
    headers["x-public-key-hash"] = headers["x-public-key-hash"].upper()
    assert verify_request(BODY, headers, provider, now=NOW).version == "1"


def test_wrong_key_hash_is_refused(key_v1, provider):
    headers = signed_headers(BODY, key_v1, **{"x-public-key-hash": hashlib.sha256(b"other key").hexdigest()})
    with pytest.raises(InvalidSignature, match="hash mismatch"):
        verify_request(BODY, headers, provider, now=NOW)


def test_signature_by_another_key_is_refused(key_v1, key_v2, provider):
    headers = signed_headers(BODY, key_v1)
    headers["x-signature"] = sign(BODY, key_v2, "1", headers["x-signature-timestamp"])
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_request(BODY, headers, provider, now=NOW)


def test_signed_for_another_merchant_is_refused(key_v1, provider):
    headers = signed_headers(BODY, key_v1)
    headers["x-signature"] = sign(BODY, key_v1, "1", headers["x-signature-timestamp"], merchant="someone-else")
    with pytest.raises(InvalidSignature):
        verify_request(BODY, headers, provider, now=NOW)


def test_version_not_in_signed_text_is_refused(key_v1):
    """The version is part of what is signed: relabelling a signature's version fails."""
    keys = {"1": (MERCHANT, public_b64(key_v1)), "7": (MERCHANT, public_b64(key_v1))}
    headers = signed_headers(BODY, key_v1, version="1")
    headers["x-public-key-ver"] = "7"
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_request(BODY, headers, keys.get, now=NOW)


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (timedelta(seconds=-241), False),  # 241 s old
        (timedelta(seconds=241), False),  # 241 s ahead
        (timedelta(seconds=-239), True),
        (timedelta(seconds=239), True),
        (timedelta(seconds=-240), True),  # |delta| <= 240 s is inside the window
        (timedelta(seconds=240), True),
        (timedelta(days=-1), False),
    ],
)
def test_timestamp_window(key_v1, provider, offset, ok):
    headers = signed_headers(BODY, key_v1, when=NOW + offset)
    if ok:
        assert verify_request(BODY, headers, provider, now=NOW).version == "1"
    else:
        with pytest.raises(InvalidSignature, match="limit 240 s"):
            verify_request(BODY, headers, provider, now=NOW)


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-14T12:00:00Z",
        "2026-03-14T12:00:00.123Z",
        "2026-03-14T14:00:00.123+02:00",
        "2026-03-14T12:00:00.123456Z",
    ],
)
def test_timestamp_forms_accepted(key_v1, provider, stamp):
    headers = signed_headers(BODY, key_v1, timestamp=stamp)
    assert verify_request(BODY, headers, provider, now=NOW).version == "1"


@pytest.mark.parametrize(
    "stamp",
    [
        "yesterday",
        "2026-03-14 12:00:00",
        "2026-03-14T12:00:00",
        "2026-13-14T12:00:00Z",
        "2026-03-14T12:00:00+25:00",
        "1" * 60,
    ],
)
def test_unreadable_timestamp_is_refused(key_v1, provider, stamp):
    headers = signed_headers(BODY, key_v1, timestamp=stamp)
    with pytest.raises(InvalidSignature, match="unreadable x-signature-timestamp"):
        verify_request(BODY, headers, provider, now=NOW)


def test_parse_timestamp_normalises_to_utc():
    assert parse_timestamp("2023-05-11T17:02:23.429+02:00") == datetime(2023, 5, 11, 15, 2, 23, 429000, tzinfo=UTC)


@pytest.mark.parametrize("garbage", ["not base64 at all!", "AAAA====", "%%%", base64.b64encode(b"short").decode()])
def test_garbage_signature_is_refused(key_v1, provider, garbage):
    headers = signed_headers(BODY, key_v1, **{"x-signature": garbage})
    with pytest.raises(InvalidSignature):
        verify_request(BODY, headers, provider, now=NOW)


def test_garbage_public_key_is_refused(key_v1):
    junk = base64.b64encode(b"this is not a DER key").decode()
    headers = signed_headers(BODY, key_v1, **{"x-public-key-hash": hashlib.sha256(junk.encode()).hexdigest()})
    with pytest.raises(InvalidSignature, match="not a DER"):
        verify_request(BODY, headers, {"1": (MERCHANT, junk)}.get, now=NOW)


def test_ec_key_is_the_wrong_algorithm():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    stamp = ts(NOW)
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    text = base64.b64encode(f"{digest},{MERCHANT},1,{stamp}".encode())
    headers = {
        "x-signature": base64.b64encode(ec_key.sign(text, ec.ECDSA(hashes.SHA256()))).decode(),
        "x-signature-timestamp": stamp,
        "x-public-key-ver": "1",
        "x-public-key-hash": hashlib.sha256(public_b64(ec_key).encode()).hexdigest(),
    }
    with pytest.raises(InvalidSignature, match="wrong key algorithm|not an RSA signature"):
        verify_request(BODY, headers, {"1": (MERCHANT, public_b64(ec_key))}.get, now=NOW)


def test_unknown_version_is_refused(key_v1, provider):
    with pytest.raises(InvalidSignature, match="unknown public key version"):
        verify_request(BODY, signed_headers(BODY, key_v1, version="9"), provider, now=NOW)


def test_provider_failure_fails_closed(key_v1):
    def down(version):
        raise InPostUnavailable(None, "TIMEOUT", "InPost did not answer")

    with pytest.raises(InvalidSignature, match="unavailable"):
        verify_request(BODY, signed_headers(BODY, key_v1), down, now=NOW)


def test_overlong_header_is_refused(key_v1, provider):
    with pytest.raises(InvalidSignature, match="too long"):
        verify_request(BODY, signed_headers(BODY, key_v1, **{"x-signature": "A" * 5000}), provider, now=NOW)


def test_non_ascii_version_is_refused(key_v1):
    keys = {"wersja-ż": (MERCHANT, public_b64(key_v1))}
    headers = signed_headers(b"", key_v1, version="1")
    headers["x-public-key-ver"] = "wersja-ż"
    with pytest.raises(InvalidSignature, match="non-ascii|implausible shape"):
        verify_request(b"", headers, keys.get, now=NOW)


# --- SigningKeyCache ------------------------------------------------------------------------------


class FakeInPostKeys:
    """InPost's two signing-key endpoints (docs/inpost-pay-api.md §5.6, §5.7), counting calls."""

    def __init__(self, listed: dict[str, str], extra: dict[str, str] | None = None):
        self.listed = listed  # version -> public_key_base64, served by the list endpoint
        self.extra = extra or {}  # rotated in later: only served by version
        self.list_calls = 0
        self.version_calls: list[str] = []

    def fetch_all(self) -> dict:
        self.list_calls += 1
        return {
            "merchant_external_id": MERCHANT,
            "public_keys": [{"public_key_base64": k, "version": v} for v, k in self.listed.items()],
        }

    def fetch_version(self, version: str) -> dict:
        self.version_calls.append(version)
        key = self.extra.get(version) or self.listed.get(version)
        if key is None:
            raise InPostNotFound(404, "PUBLIC_KEY_NOT_FOUND", "no such key")
        return {"merchant_external_id": MERCHANT, "public_key": {"public_key_base64": key, "version": version}}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_fills_from_the_list_once(key_v1):
    inpost = FakeInPostKeys({"1": public_b64(key_v1)})
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version)
    for _ in range(3):
        assert verify_request(BODY, signed_headers(BODY, key_v1), cache, now=NOW).version == "1"
    assert inpost.list_calls == 1
    assert inpost.version_calls == []


def test_rotated_key_is_fetched_by_version(key_v1, key_v2):
    """Key rotation: v2 is not in the cached list; the cache asks for v2 itself (never 'first key')."""
    inpost = FakeInPostKeys({"1": public_b64(key_v1)}, extra={"2": public_b64(key_v2)})
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version)
    assert verify_request(BODY, signed_headers(BODY, key_v1, version="1"), cache, now=NOW).version == "1"
    assert verify_request(BODY, signed_headers(BODY, key_v2, version="2"), cache, now=NOW).version == "2"
    assert verify_request(BODY, signed_headers(BODY, key_v2, version="2"), cache, now=NOW).version == "2"
    assert inpost.version_calls == ["2"]
    assert cache.versions() == ["1", "2"]


def test_version_unknown_even_after_fetch(key_v1, key_v2):
    inpost = FakeInPostKeys({"1": public_b64(key_v1)})
    clock = Clock()
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version, clock=clock)
    headers = signed_headers(BODY, key_v2, version="bogus")
    with pytest.raises(InvalidSignature, match="unknown public key version"):
        verify_request(BODY, headers, cache, now=NOW)
    assert inpost.version_calls == ["bogus"]


def test_unknown_versions_are_rate_limited_not_cached_forever(key_v1, key_v2):
    inpost = FakeInPostKeys({"1": public_b64(key_v1)})
    clock = Clock()
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version, clock=clock)
    for _ in range(20):  # a flood of one bogus version: one call to InPost
        assert cache.get("3") is None
    assert inpost.version_calls == ["3"]
    clock.now += 29
    assert cache.get("3") is None
    assert inpost.version_calls == ["3"]
    # 30 s later InPost has rotated v3 in: it is found now (the miss was not cached forever).
    inpost.extra["3"] = public_b64(key_v2)
    clock.now += 1
    assert cache.get("3") == (MERCHANT, public_b64(key_v2))
    assert inpost.version_calls == ["3", "3"]


def test_cache_refreshes_after_ttl(key_v1):
    inpost = FakeInPostKeys({"1": public_b64(key_v1)})
    clock = Clock()
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version, ttl=3600, clock=clock)
    cache.get("1")
    clock.now += 3599
    cache.get("1")
    assert inpost.list_calls == 1
    clock.now += 2
    cache.get("1")
    assert inpost.list_calls == 2


def test_inpost_down_while_fetching_fails_closed(key_v1):
    def down():
        raise InPostUnavailable(503, "SERVICE_UNAVAILABLE", "down")

    cache = SigningKeyCache(down, down)
    with pytest.raises(InvalidSignature, match="unavailable"):
        verify_request(BODY, signed_headers(BODY, key_v1), cache, now=NOW)


def test_malformed_key_list_is_not_trusted(key_v1):
    cache = SigningKeyCache(lambda: {"public_keys": "nope"}, lambda v: {"merchant_external_id": MERCHANT})
    assert cache.get("1") is None


def test_concurrent_lookups_of_a_new_version_fetch_once(key_v1, key_v2):
    inpost = FakeInPostKeys({"1": public_b64(key_v1)}, extra={"2": public_b64(key_v2)})
    cache = SigningKeyCache(inpost.fetch_all, inpost.fetch_version)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("2"))) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(MERCHANT, public_b64(key_v2))] * 16
    assert inpost.list_calls == 1
    assert inpost.version_calls == ["2"]
