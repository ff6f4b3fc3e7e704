"""`make run`: the shop through gunicorn, the outbox worker, and the InPost Pay sandbox beside them.

    make run                      # one shop process (the outbox worker is a thread of it)
    SHOP_WORKERS=3 make run       # three shop processes on SHOP_PORT + `flask outbox-worker`
                                  # (needs DATABASE_URL on PostgreSQL, SOCKETIO_MESSAGE_QUEUE on Redis)

Before anything listens, the schema is brought to head (both migration chains, `schema.py`) and
an empty shop gets the demo catalogue. The sandbox (unless SANDBOX_ENABLED=0) is a separate
gunicorn on its own port, as InPost would be. Ctrl+C or SIGTERM stops everything gracefully:
gunicorn finishes the requests in hand, the outbox worker the message in hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config as settings  # noqa: E402

STOP_TIMEOUT = 20  # seconds a process gets after SIGTERM before it is killed


def prepare_databases(conf: dict) -> None:
    """Migrate the shop's database and load the demo data; create the sandbox's when it runs."""
    import schema
    from app import create_app
    from storefront.seed import seed_if_empty

    app = create_app({"INPOST_PAY_OUTBOX_WORKER": False})
    with app.app_context():
        schema.upgrade_all()
        seed_if_empty()
    if conf["SANDBOX_ENABLED"]:
        from sandbox.app import create_sandbox_app, prepare

        prepare(create_sandbox_app())


def commands(conf: dict) -> list[tuple[str, list[str], dict]]:
    """(name, argv, extra environment) of each process to start, in order."""
    python = sys.executable
    gunicorn = [python, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    procs = []
    if conf["SANDBOX_ENABLED"]:
        procs.append(("sandbox", [*gunicorn, "--workers", "1", "--threads", "32",
                                  "--bind", f"127.0.0.1:{conf['SANDBOX_PORT']}", "--name", "inpost-sandbox",
                                  "sandbox.app:create_sandbox_app()"],
                      {"SANDBOX_MERCHANT_NAME": os.environ.get("SANDBOX_MERCHANT_NAME", "Spiżarnia pod Lipą")}))
    several = conf["SHOP_WORKERS"] > 1
    # Several processes: one outbox worker of its own instead of a thread in each.
    shop_env = {"INPOST_PAY_OUTBOX_WORKER": "0"} if several else {}
    procs.append(("shop", [*gunicorn, "wsgi:app"], shop_env))
    if several:
        procs.append(("outbox", [python, "-m", "flask", "--app", "app", "outbox-worker"], {}))
    return procs


def main() -> int:
    conf = settings.load()
    try:
        settings.check(conf)  # e.g. SHOP_WORKERS > 1 without PostgreSQL or Redis: refuse, naming the variable
    except settings.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    prepare_databases(conf)

    stopping = False

    def ask_to_stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)

    running: list[tuple[str, subprocess.Popen]] = []
    for name, argv, extra in commands(conf):
        # A session of its own: Ctrl+C reaches this script only, which stops each child in turn.
        proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **extra}, start_new_session=True)
        running.append((name, proc))
    print(f"Shop on http://127.0.0.1:{conf['SHOP_PORT']} ({conf['SHOP_WORKERS']} process(es))", flush=True)
    if conf["SANDBOX_ENABLED"]:
        print(f"InPost Pay sandbox on http://127.0.0.1:{conf['SANDBOX_PORT']}", flush=True)

    code = 0
    while not stopping:
        for name, proc in running:
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}: stopping the rest", file=sys.stderr, flush=True)
                code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.2)
    stop(running)
    return code


def stop(running: list[tuple[str, subprocess.Popen]]) -> None:
    """SIGTERM: gunicorn stops gracefully, the outbox worker after the message in hand."""
    for _, proc in reversed(running):
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, proc in reversed(running):
        try:
            proc.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in {STOP_TIMEOUT} s: killed", file=sys.stderr, flush=True)
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
