"""InPost's signing keys and the signature on every call to the merchant (docs/inpost-pay-api.md §6).

Key pairs are RSA-2048, one PEM file per version under SANDBOX_KEYS_DIR
(`instance/sandbox_keys/`, git-ignored, generated at first start). The highest
version signs; older versions stay published by the signing-keys endpoints so a
merchant can still verify calls signed just before a rotation. The directory is
re-read on every use, so `flask --app sandbox.app rotate-keys` takes effect in a
running server at once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEY_FILE = re.compile(r"^v(\d+)\.pem$")
MERCHANT_EXTERNAL_ID_FILE = "merchant_external_id"
_lock = threading.Lock()
# Parsed keys by the SHA-256 of their PEM file: loading an RSA key validates it,
# which is slow enough to matter on every signed call.
_parsed: dict[str, rsa.RSAPrivateKey] = {}


@dataclass(frozen=True)
class SigningKey:
    version: str
    private_key: rsa.RSAPrivateKey
    public_key_base64: str  # base64 of the DER SubjectPublicKeyInfo (docs/inpost-pay-api.md §6.2 step 5)

    @property
    def public_key_hash(self) -> str:
        """x-public-key-hash: lower-hex SHA-256 of the public_key_base64 *string* (docs/inpost-pay-api.md §6.1)."""
        return hashlib.sha256(self.public_key_base64.encode("ascii")).hexdigest()


def _public_key_base64(private_key: rsa.RSAPrivateKey) -> str:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


class KeyRing:
    """The versioned key pairs in one directory, plus the merchant_external_id they sign for."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    # -- set-up and rotation -------------------------------------------------
    def ensure(self) -> None:
        """Create the directory, the merchant_external_id and the first key when missing."""
        with _lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            id_path = self.directory / MERCHANT_EXTERNAL_ID_FILE
            if not id_path.exists():
                id_path.write_text(str(uuid.uuid4()))
            if not self._versions():
                self._write_new_key(1)

    def rotate(self) -> SigningKey:
        """Add the next version; it signs from now on, the old ones stay published."""
        with _lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            versions = self._versions()
            number = (max(versions) if versions else 0) + 1
            self._write_new_key(number)
        return self.current()

    def _write_new_key(self, number: int) -> None:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        final = self.directory / f"v{number}.pem"
        temporary = self.directory / f".v{number}.pem.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(temporary, final)  # readers never see a half-written key

    # -- reading ---------------------------------------------------------------
    def _versions(self) -> list[int]:
        if not self.directory.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.directory.iterdir() if (m := KEY_FILE.match(p.name)))

    @property
    def merchant_external_id(self) -> str:
        return (self.directory / MERCHANT_EXTERNAL_ID_FILE).read_text().strip()

    def get(self, version: str) -> SigningKey | None:
        if not re.fullmatch(r"\d+", version or "") or int(version) not in self._versions():
            return None
        pem = (self.directory / f"v{int(version)}.pem").read_bytes()
        fingerprint = hashlib.sha256(pem).hexdigest()
        if fingerprint not in _parsed:
            _parsed[fingerprint] = serialization.load_pem_private_key(pem, password=None)
        private_key = _parsed[fingerprint]
        return SigningKey(str(int(version)), private_key, _public_key_base64(private_key))

    def all(self) -> list[SigningKey]:
        return [self.get(str(n)) for n in self._versions()]

    def current(self) -> SigningKey:
        versions = self._versions()
        if not versions:
            raise RuntimeError(f"no signing key in {self.directory}; the sandbox creates one at start-up")
        return self.get(str(versions[-1]))


_stamp_lock = threading.Lock()
_last_ms = 0


def signature_timestamp(moment: datetime | None = None) -> str:
    """x-signature-timestamp: ISO-8601 UTC with milliseconds and Z (docs/inpost-pay-api.md §6.1).

    Without `moment`, never the same millisecond twice in this process: two calls with the
    same body (two GETs) would otherwise carry the same signature, and a merchant accepts
    a signature once (replay protection)."""
    global _last_ms
    if moment is None:
        with _stamp_lock:
            ms = max(time.time_ns() // 1_000_000, _last_ms + 1)
            _last_ms = ms
        moment = datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def signing_string(body: bytes, merchant_external_id: str, version: str, timestamp: str) -> bytes:
    """The bytes that get signed (docs/inpost-pay-api.md §6.2 steps 3-4).

    digest = base64(sha256(raw body)); the signed text is the *base64* of
    "{digest},{merchant_external_id},{version},{timestamp}" (ASCII), and the
    signature is made over those base64 characters, not their decoded form.
    """
    digest = base64.b64encode(hashlib.sha256(body or b"").digest()).decode("ascii")
    text = f"{digest},{merchant_external_id},{version},{timestamp}"
    return base64.b64encode(text.encode("ascii"))


def sign_headers(body: bytes, key: SigningKey, merchant_external_id: str, timestamp: str | None = None) -> dict:
    """The four signature headers for a call whose raw body is `body` (b"" for GET/DELETE)."""
    timestamp = timestamp or signature_timestamp()
    signed = signing_string(body, merchant_external_id, key.version, timestamp)
    # SHA256withRSA = RSASSA-PKCS1-v1_5 with SHA-256 (docs/inpost-pay-api.md §6.2 step 5).
    signature = key.private_key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return {
        "x-signature": base64.b64encode(signature).decode("ascii"),
        "x-signature-timestamp": timestamp,
        "x-public-key-ver": key.version,
        "x-public-key-hash": key.public_key_hash,
    }
