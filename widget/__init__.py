"""The merchant's InPost Pay integration, browser side (docs/architecture.md#four-parties, §2 "The browser API").

`init_app(app)` is all a Flask shop calls, after `inpost_pay.init_app(app, shop=..., db=...)`:

- the browser API behind the `window.izi*` callbacks (`browser_api.py`, `/izi/...`, CSRF-protected);
- the Socket.IO namespace `/izi` that pushes to the shopper's page (`sockets.py`), fed by the
  integration's signals (`pushes.py`);
- the shop's page slots filled with `<inpost-izi-button>` and the scripts (`slots.py`,
  `templates/widget/`), test mode (`?showIzi=true`) and the Content-Security-Policy (`page_guard.py`).

One `SocketIO` per app, kept in `app.extensions["socketio"]` (Flask-SocketIO's own key): a
module-level instance would be rebound by every `create_app` in a process (the tests build many
apps, some live at once), and pushes of one app would go to another's sockets.
"""

from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

from . import browser_api, page_guard, pushes, slots, sockets, templating, v2


def init_app(app: Flask) -> SocketIO:
    socketio = SocketIO()
    # Threading mode with simple-websocket: works under the plain threaded Werkzeug server
    # (`make run`, tests/live.py), WebSocket upgrade included. A message queue (Redis) lets a
    # push made in one process reach sockets held by another (docs/architecture.md#interfaces SOCKETIO_MESSAGE_QUEUE).
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config.get("SOCKETIO_CHANNEL") or "flask-socketio",
        # Several processes on one port (no sticky sessions): WebSocket only, see README "Deploy".
        transports=["websocket"] if app.config.get("SOCKETIO_WEBSOCKET_ONLY") else ["polling", "websocket"],
        # Default CORS policy (None): same origin as the page, whatever host name the shop is
        # reached by; other sites' pages cannot open a socket with the shopper's cookie.
        manage_session=False,  # the socket only reads the shop's cookie session, never writes it
    )
    sockets.register(socketio)
    app.register_blueprint(browser_api.bp)
    pushes.register(app)
    page_guard.register(app)
    templating.register(app)
    slots.register(app)
    if app.config.get("INPOST_PAY_WIDGET_VERSION") == 2:
        v2.register(app)  # Widget 2.0 on the pages instead of 1.0 (docs/widget-versions.md)
    return socketio


def socketio_of(app: Flask) -> SocketIO:
    """The app's SocketIO (to run the server, or for a test client)."""
    return app.extensions["socketio"]
