"""Class 2: a body over the cap is a 413 with the JSON error shape on every surface, the
merchant API's call is still logged, and nothing is written (docs/security.md "Limits")."""

from __future__ import annotations

import json
import logging

import pytest

from tests.security.conftest import assert_json_error

OVER = 300 * 1024  # MAX_CONTENT_LENGTH is 256 KiB (config.py); the sandbox's 512 KiB


def big_json(size: int) -> bytes:
    return json.dumps({"event_id": "x", "pad": "a" * size}).encode()


@pytest.mark.parametrize(
    "method, path",
    [("POST", "/v1/izi/basket/{b}/event"), ("POST", "/v1/izi/basket/{b}/confirmation"), ("POST", "/v1/izi/order"),
     ("POST", "/v1/izi/order/1/event"), ("DELETE", "/v1/izi/basket/{b}/binding")],
)  # fmt: skip
def test_merchant_api_refuses_and_logs(method, path, signed_call, make_basket, snapshot, no_traceback):
    basket_id = make_basket((1, 1))
    before = snapshot()
    with no_traceback.at_level(logging.INFO, logger="inpost_pay.calls"):
        response = signed_call(method, path.format(b=basket_id), raw=big_json(OVER))
    body = assert_json_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert "body" in body["error_message"]
    lines = [json.loads(r.getMessage()) for r in no_traceback.records if r.name == "inpost_pay.calls"]
    assert lines and lines[-1]["status"] == 413 and "not read" in lines[-1]["request_body"]
    assert snapshot() == before


@pytest.mark.parametrize("path", ["/izi/add-to-cart", "/izi/can-be-bound", "/izi/binding-data", "/koszyk/dodaj"])
def test_browser_api_and_forms(path, client, snapshot, no_traceback):
    before = snapshot()
    response = client.post(path, data=big_json(OVER), content_type="application/json")
    assert_json_error(response, 413)
    assert snapshot() == before


@pytest.mark.parametrize("method, path", [("POST", "/v1/izi/basket/b1/binding"), ("PUT", "/v1/izi/basket/b1")])
def test_sandbox_api(method, path, sandbox_client, sandbox_bearer, sandbox_snapshot, no_traceback):
    before = sandbox_snapshot()
    response = sandbox_client.open(
        path, method=method, data=big_json(600 * 1024), headers={**sandbox_bearer, "Content-Type": "application/json"}
    )
    assert_json_error(response, 413)
    assert sandbox_snapshot() == before
