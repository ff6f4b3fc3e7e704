"""Fault switches: make InPost's API misbehave on purpose, to test the shop's resilience.

docs/architecture.md#rules: "InPost being down never breaks a shop page". These switches let a
developer (or a test) see that: `unavailable` answers 503 SERVICE_UNAVAILABLE for
N seconds, `fail_next` answers 503 to the next N calls, `slow` delays each answer
by delay_ms (for N seconds, or until cleared). They apply to `/v1/izi/*` only and
live in memory: a restart clears them, so a forgotten switch cannot linger.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

MODES = ("unavailable", "slow", "fail_next")
MAX_SECONDS = 3600
MAX_COUNT = 1000
MAX_DELAY_MS = 60_000


@dataclass
class FaultState:
    mode: str | None = None
    until: float | None = None  # monotonic deadline; None = until cleared
    count: int = 0
    delay_ms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, mode: str, seconds: int | None, count: int | None, delay_ms: int | None) -> None:
        with self.lock:
            self.mode = mode
            self.until = time.monotonic() + seconds if seconds else None
            self.count = count or 0
            self.delay_ms = delay_ms or 0

    def clear(self) -> None:
        with self.lock:
            self.mode, self.until, self.count, self.delay_ms = None, None, 0, 0

    def _expire(self) -> None:
        if self.mode and self.until is not None and time.monotonic() >= self.until:
            self.mode, self.until, self.count, self.delay_ms = None, None, 0, 0

    def describe(self) -> dict:
        with self.lock:
            self._expire()
            seconds_left = None
            if self.mode and self.until is not None:
                seconds_left = max(0, round(self.until - time.monotonic(), 1))
            return {"mode": self.mode, "seconds_left": seconds_left, "count": self.count, "delay_ms": self.delay_ms}

    def decide(self) -> tuple[bool, float]:
        """For one API call: (answer 503?, seconds to delay first)."""
        with self.lock:
            self._expire()
            if self.mode == "unavailable":
                return True, 0.0
            if self.mode == "fail_next":
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.count = None, 0
                return True, 0.0
            if self.mode == "slow":
                return False, self.delay_ms / 1000
            return False, 0.0
