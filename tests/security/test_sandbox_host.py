"""Class 10: the sandbox's developer tools (the log page, the log, the fault switches)
refuse a Host header that is not loopback, so a DNS-rebinding page cannot read the log or
flip the switches (docs/security.md "Sandbox developer tools")."""

from __future__ import annotations

import pytest

from tests.security.conftest import assert_json_error

TOOLS = [("GET", "/sandbox/", None), ("GET", "/sandbox/log", None), ("GET", "/sandbox/faults", None),
         ("POST", "/sandbox/faults", {"mode": "unavailable", "seconds": 5}), ("DELETE", "/sandbox/faults", None)]  # fmt: skip


@pytest.mark.parametrize("method, path, body", TOOLS)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8001", "127.0.0.1.evil.example", "0.0.0.0:8001",
                                  "[::ffff:7f00:1]", "localhost.evil.example", "10.0.0.1"])  # fmt: skip
def test_a_foreign_host_name_is_refused(method, path, body, host, sandbox_app, sandbox_client, no_traceback):
    response = sandbox_client.open(path, method=method, json=body, headers={"Host": host})
    assert_json_error(response, 403, "FORBIDDEN")
    assert sandbox_app.extensions["sandbox_faults"].mode is None


@pytest.mark.parametrize("host", ["localhost", "localhost:8001", "127.0.0.1:8001", "127.3.4.5", "[::1]:8001"])
def test_loopback_names_still_work(host, sandbox_client, no_traceback):
    assert sandbox_client.get("/sandbox/faults", headers={"Host": host}).status_code == 200
    assert sandbox_client.get("/sandbox/", headers={"Host": host}).status_code == 200


def test_the_widget_script_answers_any_host(sandbox_client):
    """InPost's script is loaded by shoppers' browsers under whatever name the shop uses."""
    assert sandbox_client.get("/inpostizi.js", headers={"Host": "shop.example"}).status_code == 200
