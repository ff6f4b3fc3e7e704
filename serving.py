"""How the shop sits in a deployment: behind a reverse proxy, with an access log, in N processes.

`init_app(app)` wraps the whole WSGI app (Socket.IO's endpoint included), outermost last:

- the access log: one JSON line per request on the `shop.access` logger, in the form of the
  InPost call lines (`inpost_pay/calllog.py`), secrets in the query string masked
  (an order page's `?token=`); on unless `ACCESS_LOG=0`;
- `X-Served-By: <host>:<pid>` on every answer when `SERVED_BY_HEADER=1`, to see which of
  several processes served a request;
- werkzeug's ProxyFix when `TRUSTED_PROXIES=N`: the client address, scheme and host are taken
  from the last N `X-Forwarded-*` values. Off by default: nobody's forwarded header is believed
  unless the operator says how many proxies set it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from datetime import UTC, datetime

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from storefront import logmask

access_log = logging.getLogger("shop.access")


def init_app(app: Flask) -> None:
    """Call last in create_app: it wraps what every other step mounted (Flask-SocketIO included)."""
    served_by = f"{socket.gethostname()}:{os.getpid()}" if app.config.get("SERVED_BY_HEADER") else None
    if app.config.get("ACCESS_LOG") or served_by:
        app.wsgi_app = AccessLog(app.wsgi_app, log=bool(app.config.get("ACCESS_LOG")), served_by=served_by)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def masked_query(query: str) -> str:
    """`token=abc&page=2` -> `token=***&page=2`: the shop's log masking (storefront/logmask.py)."""
    return logmask.mask(query) if query else ""


class AccessLog:
    """WSGI middleware: the access line, and the X-Served-By header when asked for."""

    def __init__(self, wsgi_app, *, log: bool, served_by: str | None):
        self.wsgi_app = wsgi_app
        self.log = log
        self.served_by = served_by

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen: dict = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split(" ", 1)[0])
            if self.served_by:
                headers = [*headers, ("X-Served-By", self.served_by)]
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, recording_start_response)
        finally:
            if self.log:
                self.write(environ, seen.get("status"), (time.perf_counter() - started) * 1000)

    def write(self, environ, status: int | None, duration_ms: float) -> None:
        level = logging.INFO if status is not None and status < 500 else logging.WARNING
        if not access_log.isEnabledFor(level):
            return  # the logger would drop the line: not worth building (masking, JSON)
        query = masked_query(environ.get("QUERY_STRING", ""))
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", "") + (f"?{query}" if query else ""),
            "status": status,
            "duration_ms": round(duration_ms, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "pid": os.getpid(),
        }
        access_log.log(level, json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
