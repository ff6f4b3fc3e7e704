"""Class 8: secrets never reach a log line — the order page's `?token=` in the access log,
bearer tokens and client secrets anywhere (docs/security.md "Logs")."""

from __future__ import annotations

import io
import logging

import pytest
from werkzeug.serving import WSGIRequestHandler

from storefront import logmask

SECRET = "s3cr3t-Order-Token_123"


@pytest.mark.parametrize(
    "line",
    [
        f'127.0.0.1 - - "GET /moje-zamowienia/7?token={SECRET} HTTP/1.1" 200 -',
        f"GET /zamowienie/7/dziekujemy?x=1&token={SECRET}&y=2",
        f"Authorization: Bearer {SECRET}",
        f"token endpoint said no to client_secret={SECRET}",
        f"x-signature: {SECRET}",
        f"access_token={SECRET}&expires_in=300",
        f"password={SECRET}",
    ],
)
def test_every_logger_masks(line, app, caplog):
    for name in ("werkzeug", "storefront", "inpost_pay.client", "sandbox", ""):
        caplog.clear()
        logging.getLogger(name).warning("%s", line)
        assert caplog.records and SECRET not in caplog.text and logmask.MASK in caplog.text, (name, caplog.text)


def test_the_access_log_of_a_real_request_is_masked(app, client, caplog):
    """werkzeug's request handler formats the access line itself: drive its log() method."""
    caplog.set_level(logging.INFO, logger="werkzeug")
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.requestline = f"GET /moje-zamowienia/1?token={SECRET} HTTP/1.1"
    handler.client_address = ("127.0.0.1", 50000)
    handler.log_request(200, "-")
    assert "moje-zamowienia" in caplog.text and SECRET not in caplog.text


def test_order_page_link_in_the_log_is_masked(app, client, caplog):
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # a handler added later gets masked lines too
    logging.getLogger().addHandler(handler)
    try:
        client.get(f"/moje-zamowienia/1?token={SECRET}")
        logging.getLogger("werkzeug").info('"GET /moje-zamowienia/1?token=%s HTTP/1.1" 404 -', SECRET)
    finally:
        logging.getLogger().removeHandler(handler)
    assert SECRET not in stream.getvalue() and SECRET not in caplog.text
