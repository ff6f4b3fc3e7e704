"""Verifying that a call to the merchant API really comes from InPost (docs/inpost-pay-api.md §6).

One public function, `verify_request`, run on the raw request bytes before
anything else reads the body. It fails closed: any missing header,
unknown key, stale timestamp, malformed value or bad signature raises
`InvalidSignature` with a reason for the log; the merchant API turns that into
401 `INVALID_SIGNATURE`. Nothing here can raise anything else on bad input, so
a forged call can never produce a 500.

The scheme, step by step (docs/inpost-pay-api.md §6.2, confirmed in the PS/MG/SW plugins):

1. headers `x-signature`, `x-signature-timestamp`, `x-public-key-ver`,
   `x-public-key-hash` are all required;
2. the timestamp is within 240 s of now, either way;
3. InPost's public key is chosen *by version* (never "the first key", pitfall 1),
   fetched from InPost when the version is unknown (key rotation);
4. `sha256_hex(public_key_base64)` equals `x-public-key-hash`;
5. `digest = base64(sha256(raw body))` (empty body for GET/DELETE);
6. `signed = base64(ascii("{digest},{merchant_external_id},{version},{timestamp}"))`;
7. `x-signature` is an RSASSA-PKCS1-v1_5 / SHA-256 signature of the *base64
   text bytes* of `signed`, made with that RSA key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import InvalidSignature

__all__ = ["InvalidSignature", "VerifiedKey", "verify_request", "MAX_CLOCK_SKEW"]

SIGNATURE = "x-signature"
TIMESTAMP = "x-signature-timestamp"
KEY_VERSION = "x-public-key-ver"
KEY_HASH = "x-public-key-hash"
REQUIRED_HEADERS = (SIGNATURE, TIMESTAMP, KEY_VERSION, KEY_HASH)

# Every InPost plugin uses 240 s; we check both directions (|now - ts| <= 240 s), unlike
# WC (future only) and PS/MG (past only) — docs/inpost-pay-api.md §6.2 step 6.
MAX_CLOCK_SKEW = timedelta(seconds=240)
# Header values longer than this are not InPost's (a 4096-bit signature is 684 base64 chars).
MAX_HEADER_LENGTH = 2048

# What can be InPost's, checked before any key is looked up (a lookup may call InPost):
# key versions are short tokens ("1", "2024-05"), the key hash is a SHA-256 hex digest,
# and an RSA signature of a 1024- to 8192-bit key is 128 to 1024 bytes.
_VERSION = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SIGNATURE_BYTES = (128, 1024)

# ISO-8601 with a mandatory zone: "2023-05-11T15:02:23.429Z", "...23Z", "...23.429+02:00".
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$"
)

KeyProvider = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True)
class VerifiedKey:
    """What a successful verification proved: which InPost key signed the call, and when."""

    version: str
    merchant_external_id: str
    key_hash: str
    timestamp: datetime


def _headers(headers: Mapping[str, str] | object) -> dict[str, str]:
    """Header names lower-cased (werkzeug's Headers, a dict, or a list of pairs)."""
    items = headers.items() if hasattr(headers, "items") else headers
    out: dict[str, str] = {}
    for name, value in items:
        out.setdefault(str(name).lower(), value if isinstance(value, str) else str(value))
    return out


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 instant with `Z` or an offset; milliseconds optional. ValueError otherwise."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError("not an ISO-8601 date-time with a time zone")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    zone = UTC
    if not zulu:
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        if offset >= timedelta(hours=24):
            raise ValueError("time zone offset out of range")
        zone = timezone(offset if sign == "+" else -offset)
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=zone)
    return moment.astimezone(UTC)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def body_digest(raw_body: bytes) -> str:
    """base64(sha256(body)): the first element of the signed string (step 5)."""
    return base64.b64encode(hashlib.sha256(raw_body or b"").digest()).decode("ascii")


def signed_text(raw_body: bytes, merchant_external_id: str, version: str, timestamp: str) -> bytes:
    """The exact bytes InPost signs (step 6): base64 of the comma-joined ascii string."""
    plain = f"{body_digest(raw_body)},{merchant_external_id},{version},{timestamp}".encode("ascii")
    return base64.b64encode(plain)


def verify_request(
    raw_body: bytes,
    headers: Mapping[str, str] | object,
    key_provider: KeyProvider,
    now: datetime | None = None,
) -> VerifiedKey:
    """Check InPost's signature on one inbound call; return the key that signed it.

    `raw_body` is the exact bytes received (b"" for GET/DELETE). `key_provider(version)`
    returns `(merchant_external_id, public_key_base64)` for a key version, fetching it
    from InPost when unknown (see `signing_keys.SigningKeyCache`), or None.

    :raise InvalidSignature: the call must be refused with 401; `.reason` says why.
    """
    # Step 1: all four headers, non-empty. (InPost's doc once called them optional; every
    # current plugin requires them, and accepting a call without them would fail open.)
    values = _headers(headers)
    for name in REQUIRED_HEADERS:
        if not (values.get(name) or "").strip():
            raise InvalidSignature(f"missing header {name}")
        if len(values[name]) > MAX_HEADER_LENGTH:
            raise InvalidSignature(f"header {name} is too long")
    signature_b64 = values[SIGNATURE].strip()
    timestamp_text = values[TIMESTAMP].strip()
    version = values[KEY_VERSION].strip()
    key_hash = values[KEY_HASH].strip().lower()

    # Step 2: the timestamp, checked before any key lookup so a replayed or junk call
    # cannot make us fetch keys from InPost.
    try:
        signed_at = parse_timestamp(timestamp_text)
    except (ValueError, OverflowError):
        raise InvalidSignature(f"unreadable {TIMESTAMP}: {timestamp_text[:40]!r}") from None
    now = (now or datetime.now(UTC)).astimezone(UTC)
    skew = now - signed_at
    if abs(skew) > MAX_CLOCK_SKEW:
        direction = "old" if skew > timedelta(0) else "in the future"
        raise InvalidSignature(f"timestamp {int(abs(skew).total_seconds())} s {direction} (limit 240 s)")

    # Before step 3, which may ask InPost for a key: refuse what cannot be InPost's, so junk
    # headers never turn into calls to InPost (docs/security.md "Signing keys").
    if not _VERSION.match(version):
        raise InvalidSignature(f"{KEY_VERSION} of implausible shape: {version[:40]!r}")
    if not _HEX_SHA256.match(key_hash):
        raise InvalidSignature(f"{KEY_HASH} is not a SHA-256 hex digest")
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidSignature(f"{SIGNATURE} is not base64") from None
    if not SIGNATURE_BYTES[0] <= len(signature) <= SIGNATURE_BYTES[1]:
        raise InvalidSignature(f"{SIGNATURE} of {len(signature)} bytes is not an RSA signature")

    # Step 3: InPost's public key for exactly this version (the cache fetches unknown ones).
    try:
        found = key_provider(version)
    except Exception as exc:  # fail closed: InPost unreachable, bad key list, ...
        raise InvalidSignature(f"public key version {version[:40]!r} unavailable: {exc}") from None
    if not found:
        raise InvalidSignature(f"unknown public key version {version[:40]!r}")
    try:
        merchant_external_id, public_key_b64 = found
    except (TypeError, ValueError):
        raise InvalidSignature("key provider gave no (merchant_external_id, key) pair") from None
    if not isinstance(merchant_external_id, str) or not isinstance(public_key_b64, str):
        raise InvalidSignature("key provider gave no (merchant_external_id, key) pair")

    # Step 4: the key InPost says it used is the key we hold for that version.
    if not hmac.compare_digest(sha256_hex(public_key_b64), key_hash):
        raise InvalidSignature("public key hash mismatch")

    # Step 5 + 6: what InPost signed, rebuilt from the raw bytes (never re-serialised JSON).
    try:
        message = signed_text(raw_body, merchant_external_id, version, timestamp_text)
    except UnicodeEncodeError:
        raise InvalidSignature("non-ascii value in the signed string") from None

    # Step 7: RSA PKCS#1 v1.5 with SHA-256, over the base64 text bytes (decoded above).
    try:
        public_key = serialization.load_der_public_key(base64.b64decode(public_key_b64, validate=True))
    except (binascii.Error, ValueError, UnsupportedAlgorithm, TypeError):
        raise InvalidSignature("public key is not a DER SubjectPublicKeyInfo") from None
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise InvalidSignature("wrong key algorithm: InPost signs with RSA")
    try:
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except _CryptoInvalidSignature:
        raise InvalidSignature("signature does not match the body") from None
    except ValueError:
        raise InvalidSignature("malformed signature") from None

    return VerifiedKey(version, merchant_external_id, key_hash, signed_at)
