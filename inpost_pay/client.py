"""The one place the shop calls InPost Pay's API (docs/architecture.md; docs/inpost-pay-api.md §2 and §5).

`InPostClient` owns the base URL, the OAuth2 token, timeouts, retries and error
mapping; routes and services never call `requests` themselves.

- Token: OAuth2 client credentials, a form POST to the token endpoint
  (docs/inpost-pay-api.md §2.2). Cached until 30 s before `expires_in` runs out; a 401 from the
  API drops it, fetches a new one and repeats the call once (as PS's
  AuthorizingClient does).
- Timeouts: explicit (connect, read) on every call; a hung InPost never hangs a
  shop page.
- Retries: with exponential backoff (0.2 s, 0.4 s) on connection errors,
  timeouts, 5xx and 429 — but only for calls that are safe to repeat: GET, PUT,
  DELETE, and the one POST that carries its own idempotency key (the order
  event's unique `event_id`, marked `idempotent=True`). Never for `POST
  .../binding`: a repeat would send the shopper a second push in the app.
- Errors: InPost answers `{"error_code", "error_message"}` (docs/inpost-pay-api.md §5); they
  become `InPostNotFound`, `InPostConflict`, ... and `InPostUnavailable` for
  everything that means "InPost can't be reached right now".
- Every call writes one structured line to the call log (calllog.py).
- Bodies go out as exact UTF-8 JSON bytes (`ensure_ascii=False`, compact).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from urllib.parse import quote

import requests

from . import calllog
from .errors import (
    InPostAuthError,
    InPostBadRequest,
    InPostConflict,
    InPostError,
    InPostNotFound,
    InPostUnavailable,
)

PLUGIN_VERSION = "spizarnia-pod-lipa-inpost-pay/0.1.0"
TOKEN_MARGIN = 30.0  # seconds before expiry at which a cached token is renewed
DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read); WC uses 10 s (docs/inpost-pay-api.md §2.3)
DEFAULT_BACKOFF = (0.2, 0.4)  # one delay per retry: at most two retries
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "PUT", "DELETE"})
BINDING_METHODS = ("PHONE", "DEEP_LINK")


def encode_json(body: object) -> bytes:
    """The exact bytes sent: compact JSON, UTF-8, Polish letters kept as they are."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _segment(value: object) -> str:
    """One URL path segment (basket ids are ours, but never trust what ends up in a URL)."""
    text = str(value)
    if not text:
        raise ValueError("empty id in an InPost URL")
    return quote(text, safe="")


class InPostClient:
    """InPost Pay's Basket App API (Widget 1.0 set, docs/architecture.md#interfaces)."""

    def __init__(
        self,
        api_url: str,
        auth_url: str,
        client_id: str,
        client_secret: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        plugin_version: str = PLUGIN_VERSION,
        *,
        backoff: Iterable[float] = DEFAULT_BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.api_url = api_url.rstrip("/")
        self.auth_url = auth_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.session = session or requests.Session()
        self.timeout = timeout
        self.plugin_version = plugin_version
        self.backoff = tuple(backoff)
        self._sleep = sleep
        self._clock = clock
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = threading.Lock()

    @classmethod
    def from_config(cls, config: dict, **kwargs) -> InPostClient:
        """Build from the Flask config (the `INPOST_PAY_*` settings, docs/architecture.md#interfaces)."""
        return cls(
            config["INPOST_PAY_API_URL"],
            config["INPOST_PAY_AUTH_URL"],
            config["INPOST_PAY_CLIENT_ID"],
            config["INPOST_PAY_CLIENT_SECRET"],
            **kwargs,
        )

    def __repr__(self) -> str:  # never the secret
        return f"InPostClient({self.api_url!r}, client_id={self.client_id!r})"

    # --- basket binding (Widget 1.0, docs/inpost-pay-api.md §5.3, §5.4, §7.4) ------------------------------

    def get_basket_binding(self, basket_id: str, browser_id: str | None = None) -> dict:
        """Is the basket linked to a phone, and is this browser trusted?
        `{basket_linked, browser_trusted, inpost_basket_id?, client_details?}`."""
        params = {"browser_id": browser_id} if browser_id else None
        return self._call("GET", f"/v1/izi/basket/{_segment(basket_id)}/binding", params=params, basket_id=basket_id)

    def create_basket_binding(
        self,
        basket_id: str,
        binding_method: str,
        phone_number: dict | None = None,
        browser: dict | None = None,
        binding_place: str | None = None,
    ) -> dict | None:
        """Ask InPost to bind the basket: by PHONE (InPost pushes a request to the app, 202 -> None)
        or by DEEP_LINK (200 `{qr_code, deep_link, deep_link_hms}`). Never retried."""
        if binding_method not in BINDING_METHODS:
            raise ValueError(f"binding_method must be one of {BINDING_METHODS}")
        if binding_method == "PHONE" and not phone_number:
            raise ValueError("binding by PHONE needs phone_number {country_prefix, phone}")
        body: dict = {"binding_method": binding_method}
        if phone_number:
            body["phone_number"] = phone_number
        if browser:
            body["browser"] = browser
        if binding_place:
            body["binding_place"] = binding_place
        return self._call(
            "POST",
            f"/v1/izi/basket/{_segment(basket_id)}/binding",
            body=body,
            expected=(200, 201, 202),
            basket_id=basket_id,
        )

    def delete_basket_binding(self, basket_id: str, if_basket_realized: bool = False) -> None:
        """Unlink the basket at InPost; `if_basket_realized` when it was bought on the website
        (pitfall 9). A 404 means it is already gone: success (pitfall 4)."""
        params = {"if_basket_realized": "true"} if if_basket_realized else None
        self._call(
            "DELETE",
            f"/v1/izi/basket/{_segment(basket_id)}/binding",
            params=params,
            expected=(200, 202, 204),
            ok_if_missing=True,
            basket_id=basket_id,
        )

    def delete_browser_binding(self, browser_id: str) -> None:
        """Forget a trusted browser (docs/inpost-pay-api.md §5.13)."""
        self._call("DELETE", f"/v1/izi/browser/{_segment(browser_id)}/binding", expected=(200, 202, 204))

    # --- basket ----------------------------------------------------------------------------

    def put_basket(self, basket_id: str, basket_json: dict, browser_id: str | None = None) -> dict:
        """Send the whole basket (`PUT /v1/izi/basket/{id}`, Synchronization of a basket and an order (UC.04) step 9): updates a linked
        basket, or with `browser_id` binds it to a trusted browser's phone. `{inpost_basket_id}`."""
        body = dict(basket_json)
        if browser_id:
            body["browser_id"] = browser_id
        return self._call("PUT", f"/v1/izi/basket/{_segment(basket_id)}", body=body, basket_id=basket_id)

    # --- Widget 2.0 (docs/widget-versions.md) ----------------------------------------------

    def basket_binding_key(self, basket_id: str) -> str:
        """The basket binding API key the page hands to the widget (`PUT
        /v2/izi/basket/{id}/binding`, no body). Idempotent per basket, so retried when safe."""
        answer = self._call(
            "PUT", f"/v2/izi/basket/{_segment(basket_id)}/binding", idempotent=True, basket_id=basket_id
        )
        key = answer.get("basket_binding_api_key") if isinstance(answer, dict) else None
        if not isinstance(key, str) or not key.strip():
            raise InPostError(200, "INVALID_RESPONSE", "InPost sent no basket_binding_api_key")
        return key

    def update_basket(self, basket_id: str, basket_json: dict) -> dict:
        """Send the whole bound basket (`PUT /v2/izi/basket/{id}`, update only: InPost refuses a
        basket that is not bound with BASKET_NOT_BOUND). `{inpost_basket_id}`."""
        return self._call("PUT", f"/v2/izi/basket/{_segment(basket_id)}", body=basket_json, basket_id=basket_id)

    def list_baskets(self, page_index: int = 0, page_size: int = 20) -> dict:
        return self._call("GET", "/v1/izi/baskets", params={"page_index": page_index, "page_size": page_size})

    # --- orders ----------------------------------------------------------------------------

    def send_order_event(self, order_id: str, event: dict) -> dict | None:
        """Tell InPost about a merchant-side order change (docs/inpost-pay-api.md §5.5). Retried: InPost
        dedupes on the unique `event_id`. InPost answers 201 though its doc says 200 (pitfall 13)."""
        if not isinstance(event, dict) or not event.get("event_id"):
            raise ValueError("an order event needs a unique event_id (it is what makes retrying safe)")
        return self._call(
            "POST",
            f"/v1/izi/order/{_segment(order_id)}/event",
            body=event,
            idempotent=True,
            expected=(200, 201, 204),
            order_id=str(order_id),
        )

    def list_orders(self, page_index: int = 0, page_size: int = 20, order_id: str | None = None) -> dict:
        params: dict = {"page_index": page_index, "page_size": page_size}
        if order_id:
            params["order_id"] = order_id
        return self._call("GET", "/v1/izi/orders", params=params)

    # --- signing keys (docs/inpost-pay-api.md §5.6, §5.7) -----------------------------------------------

    def get_signing_keys(self) -> dict:
        return self._call("GET", "/v1/izi/signing-keys/public")

    def get_signing_key(self, version: str) -> dict:
        return self._call("GET", f"/v1/izi/signing-keys/public/{_segment(version)}")

    # --- the token -------------------------------------------------------------------------

    def access_token(self) -> str:
        """A valid bearer token: the cached one, or a new one from the token endpoint."""
        with self._token_lock:
            if self._token and self._clock() < self._token_expires_at:
                return self._token
            token, expires_in = self._fetch_token()
            self._token = token
            # Renew 30 s early, so a token never expires between our check and InPost's.
            self._token_expires_at = self._clock() + max(0.0, expires_in - TOKEN_MARGIN)
            return token

    def _drop_token(self, stale: str) -> None:
        with self._token_lock:
            if self._token == stale:
                self._token = None

    def _fetch_token(self) -> tuple[str, float]:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._client_secret}
        response = self._send(
            "POST",
            self.auth_url,
            log_path=self.auth_url,
            retry=True,  # asking for a token twice is harmless
            data=form,
            headers={"Accept": "application/json", "inpay-plugin-version": self.plugin_version},
        )
        if response.status_code != 200:
            error = self._error(response)
            if isinstance(error, InPostUnavailable):
                raise error
            # Token errors are OAuth-shaped: {"error": "invalid_client", "error_description": ...}
            raise InPostAuthError(response.status_code, error.error_code, error.error_message)
        try:
            data = response.json()
            token, expires_in = data["access_token"], float(data.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise InPostAuthError(
                response.status_code, "INVALID_TOKEN_RESPONSE", "token endpoint sent no access_token"
            ) from None
        if not isinstance(token, str) or not token:
            raise InPostAuthError(response.status_code, "INVALID_TOKEN_RESPONSE", "token endpoint sent no access_token")
        return token, expires_in

    # --- the call --------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        params: dict | None = None,
        idempotent: bool | None = None,
        expected: tuple[int, ...] = (200,),
        ok_if_missing: bool = False,
        basket_id: str | None = None,
        order_id: str | None = None,
    ):
        """One API call: token, send (with retries when safe), one 401 refresh, error mapping."""
        retry = method in SAFE_METHODS if idempotent is None else idempotent
        data = encode_json(body) if body is not None else None
        url = self.api_url + path
        ids = {"basket_id": basket_id, "order_id": order_id}
        refreshed = False
        while True:
            token = self.access_token()
            headers = {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "inpay-plugin-version": self.plugin_version,
            }
            if data is not None:
                headers["Content-Type"] = "application/json"
            response = self._send(
                method, url, log_path=path, retry=retry, data=data, params=params, headers=headers, **ids
            )
            if response.status_code == 401 and not refreshed:
                # The token may have been revoked or expired early: one fresh token, one repeat.
                refreshed = True
                self._drop_token(token)
                continue
            break
        status = response.status_code
        if status in expected:
            return self._json(response)
        if ok_if_missing and status == 404:
            return None
        raise self._error(response)

    def _send(
        self,
        method: str,
        url: str,
        *,
        log_path: str,
        retry: bool,
        basket_id: str | None = None,
        order_id: str | None = None,
        **kwargs,
    ) -> requests.Response:
        """Send, retrying transport failures / 5xx / 429 when `retry`; log one line for the call."""
        started = time.perf_counter()
        attempts = 0
        delays = list(self.backoff) if retry else []
        while True:
            attempts += 1
            try:
                response = self.session.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                if delays:
                    self._sleep(delays.pop(0))
                    continue
                kind = "TIMEOUT" if isinstance(exc, requests.Timeout) else "CONNECTION_ERROR"
                self._log(method, log_path, None, started, attempts, basket_id, order_id, kind, kwargs.get("params"))
                raise InPostUnavailable(
                    None, kind, f"InPost did not answer {method} {log_path}: {type(exc).__name__}"
                ) from None
            except requests.RequestException as exc:
                self._log(
                    method,
                    log_path,
                    None,
                    started,
                    attempts,
                    basket_id,
                    order_id,
                    "REQUEST_ERROR",
                    kwargs.get("params"),
                )
                raise InPostUnavailable(
                    None, "REQUEST_ERROR", f"{method} {log_path} failed: {type(exc).__name__}"
                ) from None
            if response.status_code in RETRY_STATUSES and delays:
                self._sleep(delays.pop(0))
                continue
            code = None if response.status_code < 400 else self._error(response).error_code
            self._log(
                method,
                log_path,
                response.status_code,
                started,
                attempts,
                basket_id,
                order_id,
                code,
                kwargs.get("params"),
            )
            return response

    def _log(self, method, path, status, started, attempts, basket_id, order_id, error_code, params) -> None:
        if params:
            path = path + "?" + "&".join(f"{k}={v}" for k, v in params.items())
        calllog.log_call(
            calllog.OUTBOUND,
            method,
            path,
            status,
            (time.perf_counter() - started) * 1000,
            basket_id=basket_id,
            order_id=order_id,
            attempts=attempts if attempts > 1 else None,
            error_code=error_code,
        )

    @staticmethod
    def _json(response: requests.Response):
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise InPostUnavailable(
                response.status_code, "MALFORMED_RESPONSE", "InPost sent a body that is not JSON"
            ) from None

    @staticmethod
    def _error(response: requests.Response) -> InPostError:
        """The typed exception for an error answer, from its `{error_code, error_message}` body."""
        status = response.status_code
        code, message = f"HTTP_{status}", response.reason or ""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            code = str(data.get("error_code") or data.get("error") or code)
            message = str(data.get("error_message") or data.get("error_description") or message)
        elif response.text:
            message = response.text[:200]
        if status in (400, 422):
            cls = InPostBadRequest
        elif status in (401, 403):
            cls = InPostAuthError
        elif status == 404:
            cls = InPostNotFound
        elif status == 409:
            cls = InPostConflict
        elif status in RETRY_STATUSES or status >= 500:
            cls = InPostUnavailable
        else:
            cls = InPostError
        return cls(status, code, message)
