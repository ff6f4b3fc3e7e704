"""Who sees the widget, and what the shop's pages may load.

Test mode (reference pitfall 11): until InPost's audit the widget must stay hidden from real
customers. With `INPOST_PAY_TEST_MODE` on, it shows only in a browser session that opened any
shop page with `?showIzi=true` (`?showIzi=false` hides it again), as WooCommerce's and
PrestaShop's plugins do.

Content-Security-Policy (docs/architecture.md#rules): scripts, images and connections from the shop and the
configured InPost widget origin only; WebSocket to the shop's own host for Socket.IO.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session

SHOW_KEY = "izi_show"


def widget_enabled() -> bool:
    if not current_app.config.get("INPOST_PAY_TEST_MODE"):
        return True
    return bool(session.get(SHOW_KEY))


def register(app: Flask) -> None:
    app.before_request(remember_show_flag)
    app.after_request(content_security_policy)


def remember_show_flag() -> None:
    flag = request.args.get("showIzi")
    if flag is None or not current_app.config.get("INPOST_PAY_TEST_MODE"):
        return
    if flag == "true":
        session[SHOW_KEY] = True
    else:
        session.pop(SHOW_KEY, None)


def origin_of(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


# The policy is the same text for every page of a host: built once per (widget URL, host,
# scheme). Bounded, because the Host header is the client's to choose.
@lru_cache(maxsize=256)
def policy(widget_url: str | None, host: str, secure: bool) -> str:
    widget = origin_of(widget_url)
    extra = f" {widget}" if widget else ""
    socket = f"{'wss' if secure else 'ws'}://{host}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{extra}",
            f"connect-src 'self' {socket}{extra}",
            f"img-src 'self' data:{extra}",
            "style-src 'self' 'unsafe-inline'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'self'",
        ]
    )


def content_security_policy(response: Response) -> Response:
    if response.mimetype == "text/html" and "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = policy(
            current_app.config.get("INPOST_PAY_WIDGET_URL"), request.host, request.is_secure
        )
    return response
