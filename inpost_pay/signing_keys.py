"""InPost's public signing keys, cached by version (docs/inpost-pay-api.md §6.2 step 2, §5.6, §5.7).

InPost signs every call to the merchant API with a key pair it rotates; the call
says which key it used (`x-public-key-ver`). We keep the keys by version:

- the cache is filled from `GET /v1/izi/signing-keys/public`
  (`{merchant_external_id, public_keys: [{public_key_base64, version}]}`) and
  refilled after `ttl` seconds;
- a version we don't know is fetched on its own with
  `GET /v1/izi/signing-keys/public/{version}` (`{merchant_external_id, public_key:
  {public_key_base64, version}}`): that is how a rotation reaches us. Never "use
  the first key of the list" — WooCommerce's bug (pitfall 1);
- a version InPost doesn't know either is not remembered forever, but it is looked
  up at most once per `miss_interval` (30 s), and all versions together are looked up
  at most `max_lookups` times per `lookup_window` (10 a minute), so a flood of forged
  versions cannot turn into a flood of calls to InPost (docs/security.md "Signing keys").

An instance is a `key_provider` for `signature.verify_request`: call it with a version.
Thread-safe: lookups of known keys only take a short lock; fetches are serialised so
concurrent requests for one new version cause one call to InPost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .errors import InPostError, InPostNotFound

logger = logging.getLogger(__name__)

DEFAULT_TTL = 3600.0
MISS_INTERVAL = 30.0
MAX_LOOKUPS = 10  # lookups of versions we do not hold, all versions together ...
LOOKUP_WINDOW = 60.0  # ... per this many seconds


@dataclass(frozen=True)
class SigningKey:
    version: str
    merchant_external_id: str
    public_key_base64: str
    fetched_at: float


class KeyListError(ValueError):
    """InPost's signing-keys answer did not have the documented shape."""


def _key(entry: object, merchant_external_id: object, where: str) -> tuple[str, str, str]:
    if not isinstance(entry, dict):
        raise KeyListError(f"{where} is not an object")
    key_b64, version = entry.get("public_key_base64"), entry.get("version")
    if not isinstance(key_b64, str) or not key_b64:
        raise KeyListError(f"{where}.public_key_base64 is missing")
    if isinstance(version, bool) or not isinstance(version, str | int) or str(version) == "":
        raise KeyListError(f"{where}.version is missing")
    if not isinstance(merchant_external_id, str) or not merchant_external_id:
        raise KeyListError("merchant_external_id is missing")
    return str(version), merchant_external_id, key_b64


def parse_key_list(answer: object) -> list[tuple[str, str, str]]:
    """(version, merchant_external_id, public_key_base64) from `GET .../signing-keys/public`."""
    if not isinstance(answer, dict) or not isinstance(answer.get("public_keys"), list):
        raise KeyListError("public_keys is missing")
    mid = answer.get("merchant_external_id")
    return [_key(entry, mid, f"public_keys[{i}]") for i, entry in enumerate(answer["public_keys"])]


def parse_single_key(answer: object) -> tuple[str, str, str]:
    """(version, merchant_external_id, public_key_base64) from `GET .../signing-keys/public/{version}`."""
    if not isinstance(answer, dict):
        raise KeyListError("answer is not an object")
    return _key(answer.get("public_key"), answer.get("merchant_external_id"), "public_key")


class SigningKeyCache:
    """InPost's public keys by version. `fetch_all()` / `fetch_version(v)` return InPost's JSON
    (normally `InPostClient.get_signing_keys` / `get_signing_key`)."""

    def __init__(
        self,
        fetch_all: Callable[[], dict],
        fetch_version: Callable[[str], dict],
        ttl: float = DEFAULT_TTL,
        *,
        miss_interval: float = MISS_INTERVAL,
        max_lookups: int = MAX_LOOKUPS,
        lookup_window: float = LOOKUP_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._fetch_all = fetch_all
        self._fetch_version = fetch_version
        self.ttl = ttl
        self.miss_interval = miss_interval
        self.max_lookups = max_lookups
        self.lookup_window = lookup_window
        self._lookups: deque[float] = deque()  # when we last asked InPost for a version, all versions
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._list_fetched_at: float | None = None
        self._last_attempt: dict[str, float] = {}  # version -> when we last asked InPost for it
        self._state = threading.Lock()
        self._fetching = threading.Lock()

    # --- lookups -----------------------------------------------------------------------------

    def __call__(self, version: str) -> tuple[str, str] | None:
        return self.get(version)

    def get(self, version: str) -> tuple[str, str] | None:
        """(merchant_external_id, public_key_base64) of `version`, or None if InPost has no such key.

        Raises `InPostError` when InPost could not be asked (the verifier then refuses the call).
        """
        version = str(version)
        key = self._fresh(version)
        if key is not None:
            return key.merchant_external_id, key.public_key_base64
        with self._fetching:
            key = self._fresh(version)  # another thread may have fetched it meanwhile
            if key is not None:
                return key.merchant_external_id, key.public_key_base64
            if not self._may_ask(version):
                logger.info(
                    "signing key %r asked for again within %ss: not refetched", version[:40], self.miss_interval
                )
                return None
            key = self._fetch(version)
        return (key.merchant_external_id, key.public_key_base64) if key else None

    def versions(self) -> list[str]:
        with self._state:
            return sorted(self._keys)

    def clear(self) -> None:
        with self._state:
            self._keys.clear()
            self._last_attempt.clear()
            self._lookups.clear()
            self._list_fetched_at = None

    # --- internals ---------------------------------------------------------------------------

    def _fresh(self, version: str) -> SigningKey | None:
        with self._state:
            key = self._keys.get(version)
            if key is not None and self._clock() - key.fetched_at < self.ttl:
                return key
            return None

    def _may_ask(self, version: str) -> bool:
        """At most one lookup of one version per `miss_interval`, and `max_lookups` of all
        versions per `lookup_window` (records this attempt)."""
        now = self._clock()
        with self._state:
            last = self._last_attempt.get(version)
            if last is not None and now - last < self.miss_interval:
                return False
            while self._lookups and now - self._lookups[0] >= self.lookup_window:
                self._lookups.popleft()
            if len(self._lookups) >= self.max_lookups:
                logger.warning("signing key %r not looked up: %s lookups in %ss already", version[:40],
                               self.max_lookups, self.lookup_window)  # fmt: skip
                return False
            self._lookups.append(now)
            self._last_attempt[version] = now
            if len(self._last_attempt) > 1000:  # bogus versions must not grow memory without bound
                cutoff = now - self.miss_interval
                self._last_attempt = {v: t for v, t in self._last_attempt.items() if t >= cutoff}
            return True

    def _store(self, entries: list[tuple[str, str, str]], now: float) -> None:
        with self._state:
            for version, mid, key_b64 in entries:
                self._keys[version] = SigningKey(version, mid, key_b64, now)
                self._last_attempt.pop(version, None)

    def _fetch(self, version: str) -> SigningKey | None:
        now = self._clock()
        # The whole list first when it is missing or old: one call refreshes every version.
        if self._list_fetched_at is None or now - self._list_fetched_at >= self.ttl:
            try:
                self._store(parse_key_list(self._fetch_all()), now)
                self._list_fetched_at = now
            except KeyListError as exc:
                logger.warning("signing key list from InPost unusable: %s", exc)
            key = self._fresh(version)
            if key is not None:
                return key
        # Not in the list: a key rotated in since, asked for by version.
        try:
            found = parse_single_key(self._fetch_version(version))
        except InPostNotFound:
            logger.warning("InPost has no signing key version %r", version[:40])
            return None
        except KeyListError as exc:
            logger.warning("signing key %r from InPost unusable: %s", version[:40], exc)
            return None
        except InPostError:
            raise
        if found[0] != version:
            logger.warning("asked InPost for key %r, got %r", version[:40], found[0][:40])
            return None
        self._store([found], now)
        return self._fresh(version)
