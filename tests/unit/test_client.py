"""InPostClient against a real HTTP server on loopback that plays InPost.

`FakeInPost` is a small Flask app: the OAuth2 token endpoint plus a catch-all API
route that checks the bearer token, records every hit (method, path, headers,
raw body) and answers from a script the test sets (`plan`), or 200 `{}`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

import pytest
from flask import Flask, Response, request
from werkzeug.serving import make_server

from inpost_pay import calllog
from inpost_pay.client import InPostClient, encode_json
from inpost_pay.errors import (
    InPostAuthError,
    InPostBadRequest,
    InPostConflict,
    InPostError,
    InPostNotFound,
    InPostUnavailable,
)

CLIENT_ID, CLIENT_SECRET = "shop-client", "s3cr3t-value"
TOKEN_PATH = "/auth/realms/external/protocol/openid-connect/token"


class FakeInPost:
    def __init__(self):
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.expires_in = 300
        self.hits: list[dict] = []
        self.plan: dict[tuple[str, str], list] = defaultdict(list)
        self.app = self._build()

    def answer(self, method: str, path: str, *responses) -> None:
        """Script the next answers of one route: (status, body) or (status, body, delay_s)."""
        self.plan[(method, path)].extend(responses)

    def hits_of(self, method: str, path: str) -> list[dict]:
        return [h for h in self.hits if h["method"] == method and h["path"] == path]

    def _build(self) -> Flask:
        app = Flask("fake_inpost")

        @app.post(TOKEN_PATH)
        def token():
            form = request.form
            if form.get("grant_type") != "client_credentials":
                return {"error": "invalid_request", "error_description": "Missing form parameter: grant_type"}, 400
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                return {"error": "invalid_client", "error_description": "Invalid client credentials"}, 401
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self.valid_tokens.add(token)
            return {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}

        @app.route("/<any(v1, v2):version>/<path:rest>", methods=["GET", "POST", "PUT", "DELETE"])
        def api(version, rest):
            path = f"/{version}/{rest}"
            self.hits.append(
                {
                    "method": request.method,
                    "path": path,
                    "raw_uri": request.environ.get("RAW_URI", ""),
                    "query": request.args.to_dict(),
                    "headers": dict(request.headers),
                    "body": request.get_data(),
                }
            )
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
                return {"error_code": "UNAUTHORIZED", "error_message": "token expired"}, 401
            planned = self.plan.get((request.method, path))
            if planned:
                status, body, *delay = planned.pop(0)
                if delay:
                    time.sleep(delay[0])
                if body is None:
                    return Response(status=status)
                if isinstance(body, str):
                    return Response(body, status=status, content_type="text/plain")
                return Response(json.dumps(body), status=status, content_type="application/json")
            return {}

        return app


@pytest.fixture
def inpost():
    fake = FakeInPost()
    server = make_server("127.0.0.1", 0, fake.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}"
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(inpost, sleeps):
    c = InPostClient(
        inpost.url,
        inpost.url + TOKEN_PATH,
        CLIENT_ID,
        CLIENT_SECRET,
        timeout=(1.0, 0.5),
        plugin_version="test/1.0",
        sleep=sleeps.append,  # record the backoff instead of waiting
    )
    yield c
    c.session.close()


# --- token --------------------------------------------------------------------------------------


def test_token_is_fetched_once_and_cached(client, inpost):
    for _ in range(3):
        client.get_basket_binding("b-1")
    assert inpost.tokens_issued == 1
    assert {h["headers"]["Authorization"] for h in inpost.hits} == {"Bearer token-1"}


def test_token_is_renewed_30_s_before_expiry(inpost, sleeps):
    now = [0.0]
    inpost.expires_in = 300
    c = InPostClient(inpost.url, inpost.url + TOKEN_PATH, CLIENT_ID, CLIENT_SECRET, clock=lambda: now[0])
    try:
        c.get_basket_binding("b-1")
        now[0] = 269.0
        c.get_basket_binding("b-1")
        assert inpost.tokens_issued == 1
        now[0] = 270.0
        c.get_basket_binding("b-1")
        assert inpost.tokens_issued == 2
    finally:
        c.session.close()


def test_401_refreshes_the_token_once_and_repeats(client, inpost):
    client.get_basket_binding("b-1")
    inpost.valid_tokens.clear()  # InPost revoked it
    assert client.get_basket_binding("b-1") == {}
    assert inpost.tokens_issued == 2
    assert [h["headers"]["Authorization"] for h in inpost.hits] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


def test_401_on_a_fresh_token_is_an_auth_error(client, inpost):
    inpost.answer("GET", "/v1/izi/basket/b-1/binding", (401, {"error_code": "UNAUTHORIZED", "error_message": "no"}))
    inpost.answer(
        "GET", "/v1/izi/basket/b-1/binding", (401, {"error_code": "UNAUTHORIZED", "error_message": "still no"})
    )
    with pytest.raises(InPostAuthError) as err:
        client.get_basket_binding("b-1")
    assert err.value.status == 401
    assert len(inpost.hits) == 2  # one refresh, one repeat, then give up
    assert inpost.tokens_issued == 2


def test_wrong_credentials_are_an_auth_error(inpost):
    c = InPostClient(inpost.url, inpost.url + TOKEN_PATH, CLIENT_ID, "wrong")
    try:
        with pytest.raises(InPostAuthError) as err:
            c.get_signing_keys()
    finally:
        c.session.close()
    assert err.value.error_code == "invalid_client"
    assert inpost.hits == []


def test_token_endpoint_down_is_unavailable(inpost, sleeps):
    c = InPostClient(inpost.url, "http://127.0.0.1:9/token", CLIENT_ID, CLIENT_SECRET, sleep=sleeps.append)
    try:
        with pytest.raises(InPostUnavailable):
            c.get_signing_keys()
    finally:
        c.session.close()


# --- what goes on the wire ----------------------------------------------------------------------


def test_headers_and_exact_json_bytes(client, inpost):
    basket = {
        "summary": {"basket_notice": {"type": "ATTENTION", "description": "Kod został aktywowany"}},
        "products": [],
    }
    inpost.answer("PUT", "/v1/izi/basket/b-1", (200, {"inpost_basket_id": "ib-1"}))
    assert client.put_basket("b-1", basket) == {"inpost_basket_id": "ib-1"}
    hit = inpost.hits_of("PUT", "/v1/izi/basket/b-1")[0]
    assert hit["body"] == json.dumps(basket, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert "został".encode() in hit["body"]
    assert hit["headers"]["Content-Type"] == "application/json"
    assert hit["headers"]["Accept"] == "application/json"
    assert hit["headers"]["Inpay-Plugin-Version"] == "test/1.0"
    assert hit["headers"]["Authorization"] == "Bearer token-1"


def test_put_basket_with_trusted_browser(client, inpost):
    client.put_basket("b-1", {"products": []}, browser_id="br-9")
    assert json.loads(inpost.hits[0]["body"]) == {"products": [], "browser_id": "br-9"}


def test_binding_requests(client, inpost):
    inpost.answer("POST", "/v1/izi/basket/b-1/binding", (202, None))
    assert (
        client.create_basket_binding(
            "b-1", "PHONE", phone_number={"country_prefix": "+48", "phone": "600100200"}, binding_place="PRODUCT_CARD"
        )
        is None
    )
    inpost.answer(
        "POST", "/v1/izi/basket/b-2/binding", (200, {"qr_code": "qr", "deep_link": "inpost://izilink?basket_id=x"})
    )
    assert client.create_basket_binding("b-2", "DEEP_LINK", browser={"user_agent": "UA"})["qr_code"] == "qr"
    assert json.loads(inpost.hits[0]["body"]) == {
        "binding_method": "PHONE",
        "phone_number": {"country_prefix": "+48", "phone": "600100200"},
        "binding_place": "PRODUCT_CARD",
    }
    assert json.loads(inpost.hits[1]["body"]) == {"binding_method": "DEEP_LINK", "browser": {"user_agent": "UA"}}


@pytest.mark.parametrize("method,phone", [("SMS", None), ("PHONE", None)])
def test_binding_arguments_are_checked(client, inpost, method, phone):
    with pytest.raises(ValueError):
        client.create_basket_binding("b-1", method, phone_number=phone)
    assert inpost.hits == []


def test_get_binding_passes_browser_id(client, inpost):
    client.get_basket_binding("b-1", browser_id="br-1")
    assert inpost.hits[0]["query"] == {"browser_id": "br-1"}


def test_ids_are_escaped_in_paths(client, inpost):
    client.get_basket_binding("../../admin")
    # On the wire the id stays one path segment (the server decodes it back for routing).
    assert inpost.hits[0]["raw_uri"] == "/v1/izi/basket/..%2F..%2Fadmin/binding"


# --- retries ------------------------------------------------------------------------------------


def test_post_binding_is_never_retried(client, inpost, sleeps):
    inpost.answer(
        "POST", "/v1/izi/basket/b-1/binding", (503, {"error_code": "SERVICE_UNAVAILABLE", "error_message": "x"})
    )
    with pytest.raises(InPostUnavailable) as err:
        client.create_basket_binding("b-1", "DEEP_LINK")
    assert err.value.status == 503
    assert len(inpost.hits_of("POST", "/v1/izi/basket/b-1/binding")) == 1
    assert sleeps == []


def test_put_is_retried_with_backoff(client, inpost, sleeps):
    inpost.answer(
        "PUT",
        "/v1/izi/basket/b-1",
        (503, {"error_code": "SERVICE_UNAVAILABLE", "error_message": "x"}),
        (502, "Bad Gateway"),
        (200, {"inpost_basket_id": "ib-1"}),
    )
    assert client.put_basket("b-1", {"products": []}) == {"inpost_basket_id": "ib-1"}
    assert len(inpost.hits_of("PUT", "/v1/izi/basket/b-1")) == 3
    assert sleeps == [0.2, 0.4]  # exponential


def test_retries_stop_after_two(client, inpost, sleeps):
    inpost.answer("GET", "/v1/izi/baskets", *[(500, {"error_code": "INTERNAL_SERVER_ERROR", "error_message": "x"})] * 5)
    with pytest.raises(InPostUnavailable) as err:
        client.list_baskets()
    assert err.value.error_code == "INTERNAL_SERVER_ERROR"
    assert len(inpost.hits_of("GET", "/v1/izi/baskets")) == 3
    assert sleeps == [0.2, 0.4]


def test_429_is_retried_for_safe_calls(client, inpost, sleeps):
    inpost.answer(
        "DELETE", "/v1/izi/browser/br-1/binding", (429, {"error_code": "TOO_MANY", "error_message": "x"}), (204, None)
    )
    assert client.delete_browser_binding("br-1") is None
    assert len(inpost.hits) == 2


def test_order_event_is_retried_because_of_its_event_id(client, inpost, sleeps):
    path = "/v1/izi/order/42/event"
    inpost.answer("POST", path, (502, "upstream"), (201, {}))
    event = {
        "event_id": "6f1c3c2e-0000-4000-8000-000000000001",
        "event_data_time": "2026-03-14T12:00:00.000Z",
        "event_data": {"order_merchant_status_description": "Wysłane", "delivery_references_list": ["6200"]},
    }
    assert client.send_order_event("42", event) == {}
    hits = inpost.hits_of("POST", path)
    assert len(hits) == 2
    assert hits[0]["body"] == hits[1]["body"] == encode_json(event)


def test_order_event_without_event_id_is_refused(client, inpost):
    with pytest.raises(ValueError, match="event_id"):
        client.send_order_event("42", {"event_data": {}})
    assert inpost.hits == []


@pytest.mark.parametrize("status", [200, 201, 204])
def test_order_event_accepts_200_201_and_204(client, inpost, status):
    inpost.answer("POST", "/v1/izi/order/7/event", (status, None if status == 204 else {}))
    client.send_order_event("7", {"event_id": "e-1"})


def test_read_timeout_is_unavailable(client, inpost, sleeps):
    # Read timeout is 0.5 s; InPost takes 1.5 s, three times (GET: retried twice).
    inpost.answer("GET", "/v1/izi/basket/slow/binding", *[(200, {}, 1.5)] * 3)
    started = time.monotonic()
    with pytest.raises(InPostUnavailable) as err:
        client.get_basket_binding("slow")
    assert err.value.error_code == "TIMEOUT"
    assert err.value.status is None
    assert time.monotonic() - started < 4.4  # three waits of 0.5 s, not three of InPost's 1.5 s
    assert sleeps == [0.2, 0.4]


def test_timeout_of_a_post_binding_is_not_retried(client, inpost, sleeps):
    inpost.answer("POST", "/v1/izi/basket/slow/binding", (202, None, 1.5))
    with pytest.raises(InPostUnavailable):
        client.create_basket_binding("slow", "DEEP_LINK")
    assert len(inpost.hits_of("POST", "/v1/izi/basket/slow/binding")) == 1
    assert sleeps == []


def test_connection_refused_is_unavailable(sleeps):
    c = InPostClient("http://127.0.0.1:9", "http://127.0.0.1:9/token", CLIENT_ID, CLIENT_SECRET, sleep=sleeps.append)
    c._token, c._token_expires_at = "cached", float("inf")  # skip the token call: the API itself is down
    try:
        with pytest.raises(InPostUnavailable) as err:
            c.get_basket_binding("b-1")
    finally:
        c.session.close()
    assert err.value.error_code == "CONNECTION_ERROR"
    assert sleeps == [0.2, 0.4]


# --- typed errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "exc"),
    [
        (400, "MALFORMED_REQUEST", InPostBadRequest),
        (403, "FORBIDDEN", InPostAuthError),
        (404, "BASKET_NOT_FOUND", InPostNotFound),
        (409, "BASKET_IS_BINDED", InPostConflict),
        (418, "TEAPOT", InPostError),
    ],
)
def test_error_bodies_become_typed_exceptions(client, inpost, status, code, exc):
    inpost.answer(
        "POST", "/v1/izi/basket/b-1/binding", (status, {"error_code": code, "error_message": "Czytelny opis"})
    )
    with pytest.raises(exc) as err:
        client.create_basket_binding("b-1", "DEEP_LINK")
    assert (err.value.status, err.value.error_code, err.value.error_message) == (status, code, "Czytelny opis")


def test_status_order_error_is_a_conflict(client, inpost):
    inpost.answer(
        "POST", "/v1/izi/order/5/event", (409, {"error_code": "STATUS_ORDER_ERROR", "error_message": "not allowed"})
    )
    with pytest.raises(InPostConflict) as err:
        client.send_order_event("5", {"event_id": "e-2", "event_data": {"order_status": "ORDER_COMPLETED"}})
    assert err.value.error_code == "STATUS_ORDER_ERROR"


def test_non_json_error_body(client, inpost):
    inpost.answer("GET", "/v1/izi/orders", (404, "<html>Not Found</html>"))
    with pytest.raises(InPostNotFound) as err:
        client.list_orders()
    assert err.value.error_code == "HTTP_404"
    assert "Not Found" in err.value.error_message


def test_non_json_success_body_is_unavailable(client, inpost):
    inpost.answer("GET", "/v1/izi/signing-keys/public", (200, "<html>maintenance</html>"))
    with pytest.raises(InPostUnavailable) as err:
        client.get_signing_keys()
    assert err.value.error_code == "MALFORMED_RESPONSE"


def test_delete_binding_404_is_success(client, inpost):
    inpost.answer(
        "DELETE", "/v1/izi/basket/b-1/binding", (404, {"error_code": "BASKET_NOT_FOUND", "error_message": "x"})
    )
    assert client.delete_basket_binding("b-1", if_basket_realized=True) is None
    hit = inpost.hits[0]
    assert hit["query"] == {"if_basket_realized": "true"}
    assert len(inpost.hits) == 1


def test_delete_binding_other_errors_are_raised(client, inpost):
    inpost.answer(
        "DELETE", "/v1/izi/basket/b-1/binding", (409, {"error_code": "BASKET_NOT_BOUND", "error_message": "x"})
    )
    with pytest.raises(InPostConflict):
        client.delete_basket_binding("b-1")


def test_list_and_key_endpoints(client, inpost):
    inpost.answer(
        "GET", "/v1/izi/signing-keys/public/3", (200, {"merchant_external_id": "m", "public_key": {"version": "3"}})
    )
    assert client.get_signing_key("3")["public_key"]["version"] == "3"
    client.list_orders(page_index=2, page_size=5, order_id="42")
    client.list_baskets(page_index=1, page_size=10)
    assert inpost.hits[1]["query"] == {"page_index": "2", "page_size": "5", "order_id": "42"}
    assert inpost.hits[2]["query"] == {"page_index": "1", "page_size": "10"}


# --- the call log -------------------------------------------------------------------------------


def test_every_call_logs_one_masked_line(client, inpost, caplog):
    calllog.clear()
    inpost.answer("POST", "/v1/izi/basket/b-1/binding", (202, None))
    with caplog.at_level("INFO", logger="inpost_pay.calls"):
        client.create_basket_binding("b-1", "PHONE", phone_number={"country_prefix": "+48", "phone": "600100200"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "inpost_pay.calls"]
    assert [(line["direction"], line["method"], line["status"]) for line in lines] == [
        ("outbound", "POST", 200),  # the token
        ("outbound", "POST", 202),
    ]
    assert lines[1]["path"] == "/v1/izi/basket/b-1/binding"
    assert lines[1]["basket_id"] == "b-1"
    assert lines[1]["duration_ms"] >= 0
    text = caplog.text
    assert CLIENT_SECRET not in text and "token-1" not in text and "600100200" not in text
    assert calllog.recent(1)[0]["path"] == "/v1/izi/basket/b-1/binding"


def test_from_config():
    c = InPostClient.from_config(
        {
            "INPOST_PAY_API_URL": "https://sandbox-api.inpost.pl/",
            "INPOST_PAY_AUTH_URL": "https://sandbox-login.inpost.pl" + TOKEN_PATH,
            "INPOST_PAY_CLIENT_ID": CLIENT_ID,
            "INPOST_PAY_CLIENT_SECRET": CLIENT_SECRET,
        }
    )
    try:
        assert c.api_url == "https://sandbox-api.inpost.pl"
        assert c.timeout == (3.05, 10.0)
    finally:
        c.session.close()


def test_repr_hides_the_secret(client):
    assert CLIENT_SECRET not in repr(client)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("600123400", "60*****00"),
        ("+48 600 123 400", "48*******00"),
        ("1234", "****"),
        (None, ""),
        (600000000, "60*****00"),
    ],
)
def test_mask_phone(phone, masked):
    assert calllog.mask_phone(phone) == masked


def test_mask_secrets_walks_nested_data():
    data = {
        "Authorization": "Bearer abc.def.ghi",
        "form": {"client_id": "shop", "client_secret": "s3cr3t"},
        "phone_number": {"country_prefix": "+48", "phone": "600123400"},
        "masked_phone_number": "60*****00",
        "events": [{"phone": "600123400", "note": "sent with bearer xyz123"}],
        "url": "/token?client_secret=abc&client_id=shop",
    }
    assert calllog.mask_secrets(data) == {
        "Authorization": "***",
        "form": {"client_id": "shop", "client_secret": "***"},
        "phone_number": {"country_prefix": "+48", "phone": "60*****00"},
        "masked_phone_number": "60*****00",
        "events": [{"phone": "60*****00", "note": "sent with bearer ***"}],
        "url": "/token?client_secret=***&client_id=shop",
    }
    assert data["form"]["client_secret"] == "s3cr3t"  # a copy: the original is untouched


def test_inbound_lines_sinks_and_filters():
    calllog.clear()
    seen = []
    calllog.add_sink(seen.append)

    def broken(entry):
        raise RuntimeError("log table is gone")

    calllog.add_sink(broken)  # a broken sink never breaks the call
    try:
        calllog.log_call("inbound", "post", "/v1/izi/basket/b-9/event", 200, 12.34, basket_id="b-9", verification="ok")
        calllog.log_call(
            "inbound", "GET", "/v1/izi/order/7", 401, 0.5, order_id="7", verification="missing header x-signature"
        )
    finally:
        calllog.remove_sink(seen.append)
        calllog.remove_sink(broken)
    assert [e["path"] for e in seen] == ["/v1/izi/basket/b-9/event", "/v1/izi/order/7"]
    assert seen[0]["method"] == "POST" and seen[0]["duration_ms"] == 12.3 and seen[0]["verification"] == "ok"
    assert [e["order_id"] for e in calllog.recent(order_id="7")] == ["7"]
    assert [e["status"] for e in calllog.recent()] == [401, 200]  # newest first


def test_widget_2_binding_key_and_update_only_put(client, inpost):
    inpost.answer("PUT", "/v2/izi/basket/b-1/binding", (200, {"basket_binding_api_key": "key-1"}))
    inpost.answer("PUT", "/v2/izi/basket/b-1", (200, {"inpost_basket_id": "ib-1"}))
    assert client.basket_binding_key("b-1") == "key-1"
    assert inpost.hits_of("PUT", "/v2/izi/basket/b-1/binding")[0]["body"] in (b"", None)
    assert client.update_basket("b-1", {"products": []}) == {"inpost_basket_id": "ib-1"}
    assert json.loads(inpost.hits_of("PUT", "/v2/izi/basket/b-1")[0]["body"]) == {"products": []}


def test_widget_2_binding_key_missing_or_refused_is_a_typed_error(client, inpost):
    inpost.answer("PUT", "/v2/izi/basket/b-1/binding", (200, {}))
    with pytest.raises(InPostError) as missing:
        client.basket_binding_key("b-1")
    assert missing.value.error_code == "INVALID_RESPONSE"
    inpost.answer("PUT", "/v2/izi/basket/b-2", (404, {"error_code": "BASKET_NOT_BOUND", "error_message": "not bound"}))
    with pytest.raises(InPostNotFound) as refused:
        client.update_basket("b-2", {"products": []})
    assert refused.value.error_code == "BASKET_NOT_BOUND"
