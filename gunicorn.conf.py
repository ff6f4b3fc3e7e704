"""gunicorn's settings for the shop (`gunicorn -c gunicorn.conf.py wsgi:app`; README "Deploy").

Worker class `gthread`: Flask-SocketIO runs in threading mode, and its WebSocket comes from
simple-websocket, which serves on gunicorn's threaded worker (Flask-SocketIO's "Deployment"
documentation); eventlet and gevent would need another async mode and monkey-patching. Each
open socket holds one thread for its lifetime, so `threads` bounds the open pages per process.
"""

import os

import config as settings

_conf = settings.load()

bind = f"127.0.0.1:{_conf['SHOP_PORT']}"
workers = _conf["SHOP_WORKERS"]
worker_class = "gthread"
threads = int(os.environ.get("SHOP_THREADS") or 100)
# A stop waits this long for requests in flight (open sockets close at once and reconnect).
graceful_timeout = 10
# The access log is the app's own JSON line (serving.py), not gunicorn's.
accesslog = None
errorlog = "-"
proc_name = "shop"
# No control socket: its default path is one per user, shared by every gunicorn of that user.
control_socket_disable = True


def _integration_app(worker):
    """The worker's app when it is the shop (scripts/serve.py serves the sandbox with this file too)."""
    app = getattr(worker, "wsgi", None)
    return app if "inpost_pay" in getattr(app, "extensions", {}) else None


def post_worker_init(worker):
    """The outbox thread starts with the process, so events left by the last run go out now
    (only when INPOST_PAY_OUTBOX_WORKER is on; with several processes it runs on its own)."""
    import inpost_pay

    app = _integration_app(worker)
    if app is not None:
        inpost_pay.start_worker(app)


def worker_exit(server, worker):
    """Let the outbox thread finish the message in hand; an unfinished claim is taken over later."""
    import inpost_pay

    app = _integration_app(worker)
    if app is not None:
        inpost_pay.stop_worker(app)
