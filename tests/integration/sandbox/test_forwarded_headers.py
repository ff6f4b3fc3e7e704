"""The sandbox's developer tools stay loopback-only behind any forwarded header (the shop's
TRUSTED_PROXIES never applies to the sandbox)."""

from __future__ import annotations

from tests.integration.sandbox.conftest import dispose, make_app

FORGED = {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "127.0.0.1", "Forwarded": "for=127.0.0.1"}


def test_a_forwarded_loopback_address_does_not_unlock_the_fault_switches(client):
    answer = client.post("/sandbox/faults", json={"mode": "unavailable"}, headers=FORGED,
                         environ_base={"REMOTE_ADDR": "10.1.2.3"})  # fmt: skip
    assert (answer.status_code, answer.json["error_code"]) == (403, "FORBIDDEN")
    assert client.get("/sandbox/faults").json["mode"] is None


def test_trusted_proxies_in_the_environment_change_nothing_for_the_sandbox(tmp_path, keys_template, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    app = make_app(tmp_path, keys_template, "http://127.0.0.1:9")
    try:
        answer = app.test_client().get("/sandbox/log", headers=FORGED, environ_base={"REMOTE_ADDR": "10.1.2.3"})
        assert answer.status_code == 403
    finally:
        dispose(app)


