"""Signed calls from InPost to the merchant's API (docs/inpost-pay-api.md §3, signatures §6).

The one place that talks to the shop: it owns the base URL, the timeouts
(connect 3 s, read 10 s), the signature headers and the conversation log. The
body is serialised once, signed, and exactly those bytes are sent, because the
merchant verifies the signature over the raw bytes it receives (§6.2 step 3).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from sandbox import log
from sandbox.jsonutil import NotJson, dumps, loads
from sandbox.keys import KeyRing, sign_headers


@dataclass
class MerchantReply:
    """What the merchant answered. status None = no answer (network error or timeout)."""

    status: int | None
    body: Any = None
    raw: bytes = b""
    error: str | None = None
    violations: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status is not None

    def error_message(self) -> str:
        """A human-readable reason, preferring the merchant's own error_message (docs/inpost-pay-api.md §3.0)."""
        if self.status is None:
            return f"the shop did not answer ({self.error})"
        if isinstance(self.body, dict) and isinstance(self.body.get("error_message"), str):
            return self.body["error_message"]
        if self.error:
            return self.error
        return f"the shop answered HTTP {self.status}"


class MerchantClient:
    def __init__(self, base_url: str, keyring: KeyRing, timeout: tuple[float, float] = (3.0, 10.0), session=None):
        self.base_url = base_url.rstrip("/")
        self.keyring = keyring
        self.timeout = timeout
        self.session = session or requests.Session()

    def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        basket_id: str | None = None,
        order_id: str | None = None,
        check=None,
        expect: tuple[int, ...] = (200,),
    ) -> MerchantReply:
        """One signed call. `check(body) -> (violations, warnings)` runs on an expected answer."""
        body = b"" if payload is None else dumps(payload).encode("utf-8")
        key = self.keyring.current()
        headers = sign_headers(body, key, self.keyring.merchant_external_id)
        headers["Accept"] = "application/json"
        if payload is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        reply = MerchantReply(status=None)
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                data=body or None,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            reply.status, reply.raw = response.status_code, response.content
            if reply.raw.strip():
                try:
                    reply.body = loads(reply.raw)
                except NotJson:
                    reply.error = "the answer is not JSON"
        except requests.RequestException as exc:
            reply.error = f"{type(exc).__name__}: {exc}"
        if reply.status in expect and reply.error is None and check is not None:
            reply.violations, reply.warnings = check(reply.body)
        elif reply.status in expect and reply.error:
            reply.violations = [{"field": "(body)", "problem": reply.error}]
        log.record(
            direction="outbound",
            method=method,
            path=path,
            status=reply.status,
            duration_ms=(time.perf_counter() - started) * 1000,
            basket_id=basket_id,
            order_id=order_id,
            signature=f"key v{key.version}",
            violations=reply.violations + [dict(w, warning=True) for w in reply.warnings],
            request_body=body,
            response_body=reply.raw,
            error=reply.error,
        )
        return reply

    # -- the merchant API, docs/inpost-pay-api.md §3 ---------------------------------------
    def confirm_binding(self, basket_id: str, payload: dict, check) -> MerchantReply:
        return self.call(
            "POST", f"/v1/izi/basket/{_seg(basket_id)}/confirmation", payload, basket_id=basket_id, check=check
        )

    def basket_event(self, basket_id: str, payload: dict, check) -> MerchantReply:
        return self.call("POST", f"/v1/izi/basket/{_seg(basket_id)}/event", payload, basket_id=basket_id, check=check)

    def get_basket(self, basket_id: str, check) -> MerchantReply:
        return self.call("GET", f"/v1/izi/basket/{_seg(basket_id)}", basket_id=basket_id, check=check)

    def delete_binding(self, basket_id: str) -> MerchantReply:
        return self.call("DELETE", f"/v1/izi/basket/{_seg(basket_id)}/binding", basket_id=basket_id, expect=(200, 204))

    def create_order(self, basket_id: str, payload: dict, check) -> MerchantReply:
        return self.call("POST", "/v1/izi/order", payload, basket_id=basket_id, check=check, expect=(200, 201))

    def order_event(self, order_id: str, payload: dict, basket_id: str | None = None) -> MerchantReply:
        return self.call(
            "POST",
            f"/v1/izi/order/{_seg(order_id)}/event",
            payload,
            basket_id=basket_id,
            order_id=order_id,
            expect=(200, 201),
        )


def _seg(value: str) -> str:
    return quote(str(value), safe="")
