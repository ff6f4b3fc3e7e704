"""Fault switches, the conversation log (both loopback only) and the widget script route."""

from __future__ import annotations

import time

import pytest

from tests.integration.sandbox.conftest import PHONE

ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}


def test_fail_next_answers_503_n_times_then_normal(client, auth):
    assert client.post("/sandbox/faults", json={"mode": "fail_next", "count": 2}).status_code == 200
    for _ in range(2):
        answer = client.get("/v1/izi/basket/b-1/binding", headers=auth)
        assert (answer.status_code, answer.json["error_code"]) == (503, "SERVICE_UNAVAILABLE")
    assert client.get("/v1/izi/basket/b-1/binding", headers=auth).status_code == 200
    assert client.get("/sandbox/faults").json["mode"] is None


def test_unavailable_until_cleared_and_only_for_the_api(client, auth):
    client.post("/sandbox/faults", json={"mode": "unavailable", "seconds": 60})
    assert client.get("/v1/izi/signing-keys/public", headers=auth).status_code == 503
    assert client.get("/v1/izi/signing-keys/public").status_code == 503  # before the bearer check
    token = client.post("/auth/realms/external/protocol/openid-connect/token",
                        data={"grant_type": "client_credentials", "client_id": "demo-shop",
                              "client_secret": "demo-shop-secret"})  # fmt: skip
    assert token.status_code == 200
    shown = client.get("/sandbox/faults").json
    assert shown["mode"] == "unavailable" and 0 < shown["seconds_left"] <= 60
    assert client.delete("/sandbox/faults").status_code == 204
    assert client.get("/v1/izi/signing-keys/public", headers=auth).status_code == 200


def test_unavailable_for_some_seconds_ends_by_itself(client, auth):
    client.post("/sandbox/faults", json={"mode": "unavailable", "seconds": 1})
    assert client.get("/v1/izi/baskets", headers=auth).status_code == 503
    time.sleep(1.05)
    assert client.get("/v1/izi/baskets", headers=auth).status_code == 200


def test_slow_delays_each_answer(client, auth):
    client.post("/sandbox/faults", json={"mode": "slow", "delay_ms": 150})
    started = time.perf_counter()
    assert client.get("/v1/izi/baskets", headers=auth).status_code == 200
    assert time.perf_counter() - started >= 0.15


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"mode": "broken"},
        {"mode": "slow"},
        {"mode": "fail_next", "count": 0},
        {"mode": "unavailable", "seconds": "5"},
        {"mode": "slow", "delay_ms": 10**9},
    ],
)
def test_fault_switch_bad_input(client, body):
    answer = client.post("/sandbox/faults", json=body)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert client.get("/sandbox/faults").json["mode"] is None


@pytest.mark.parametrize(("method", "path"), [("GET", "/sandbox/faults"), ("POST", "/sandbox/faults"),
                                              ("DELETE", "/sandbox/faults"), ("GET", "/sandbox/log")])  # fmt: skip
def test_developer_tools_answer_only_on_loopback(client, method, path):
    answer = client.open(path, method=method, json={"mode": "fail_next"}, environ_base=ELSEWHERE)
    assert (answer.status_code, answer.json["error_code"]) == (403, "FORBIDDEN")
    assert client.get("/sandbox/faults").json["mode"] is None
    assert client.get("/sandbox/faults", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_log_records_both_directions_with_phones_masked(client, auth, bound_basket, basket_doc):
    basket_doc["products"][0]["base_price"]["vat"] = "9.99"
    client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)
    entries = client.get("/sandbox/log?basket_id=b-1").json["entries"]
    assert [(e["direction"], e["method"], e["status"]) for e in entries] == [
        ("inbound", "POST", 202),  # POST binding
        ("outbound", "POST", 200),  # confirmation
        ("inbound", "PUT", 400),  # PUT with a broken basket
    ]
    binding, confirmation, put = entries
    assert binding["request_body"]["phone_number"]["phone"] == "60*****00"
    assert binding["signature"] == "bearer ok"
    assert confirmation["signature"] == "key v1"
    assert confirmation["path"] == "/v1/izi/basket/b-1/confirmation"
    assert confirmation["response_body"]["summary"]["currency"] == "PLN"
    assert confirmation["duration_ms"] >= 0
    assert [v["field"] for v in put["violations"]] == ["products[0].base_price"]
    assert put["response_body"]["error_code"] == "MALFORMED_REQUEST"
    # the token call is logged without the secret or the token
    token_calls = [e for e in client.get("/sandbox/log").json["entries"] if e["path"].startswith("/auth/")]
    assert token_calls and "demo-shop-secret" not in str(token_calls)
    assert all(len(e["response_body"]["access_token"]) < 10 for e in token_calls)


def test_log_bad_limit(client):
    answer = client.get("/sandbox/log?limit=0")
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")


def test_widget_script_is_served_cross_origin(app, client, tmp_path):
    (tmp_path / "widget-ui.js").write_text("window.InPostPayWidgetUI = {};")
    (tmp_path / "inpostizi.js").write_text("window.inpostIzi = true;\n")
    app.static_folder = str(tmp_path)
    answer = client.get("/inpostizi.js")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/javascript")
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    # The shared widget UI first, then the Widget 1.0 driver: one script.
    assert answer.data == b"window.InPostPayWidgetUI = {};\nwindow.inpostIzi = true;\n"
    answer.close()


def test_missing_widget_script_is_a_json_404(app, client, tmp_path):
    app.static_folder = str(tmp_path / "empty")
    answer = client.get("/inpostizi.js")
    assert answer.status_code == 404 and answer.json["error_code"] == "NOT_FOUND"


def test_unknown_phone_binding_request_is_listed_for_that_phone_only(app, client, auth):
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    other = app.test_client()
    other.post("/app/api/session", json=PHONE)
    assert len(other.get("/app/api/requests").json["requests"]) == 1
