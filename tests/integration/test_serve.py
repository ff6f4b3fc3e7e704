"""`make run` (scripts/serve.py): gunicorn with no development-server warning, the schema from
migrations, a quiet stop on Ctrl+C; and the refusal to run several processes on SQLite."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHOP_", "SOCKETIO_", "DATABASE_URL"))}
    return {
        **env,
        "PYTHONUNBUFFERED": "1",
        "SHOP_PORT": str(free_port()),
        "SANDBOX_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}",
        "SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'sandbox.db'}",
        "SANDBOX_KEYS_DIR": str(tmp_path / "keys"),
        "SECRET_KEY": "serve-test",
        "SANDBOX_SECRET_KEY": "serve-test-sandbox",
        **extra,
    }


def wait_for_200(url: str, proc: subprocess.Popen, timeout: float = 60) -> requests.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "serve.py exited early"
        try:
            answer = requests.get(url, timeout=10)
            if answer.status_code == 200:
                return answer
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer 200")


def test_make_run_serves_through_gunicorn_from_migrations_and_stops_quietly(tmp_path):
    env = serve_env(tmp_path)
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "scripts/serve.py"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            page = wait_for_200(f"http://127.0.0.1:{env['SHOP_PORT']}/", proc)
            assert page.headers["Server"].startswith("gunicorn")
            wait_for_200(f"http://127.0.0.1:{env['SANDBOX_PORT']}/inpostizi.js", proc)
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl+C
            code = proc.wait(60)
    output = log.read_text()
    assert code == 0, output
    assert "Traceback" not in output
    assert "development server" not in output
    assert "Using worker: gthread" in output
    with sqlite3.connect(tmp_path / "shop.db") as con:
        versions = {t: con.execute(f"SELECT version_num FROM {t}").fetchone()[0]
                    for t in ("alembic_version", "inpost_pay_alembic_version")}  # fmt: skip
        products = con.execute("SELECT count(*) FROM product").fetchone()[0]
    assert versions["alembic_version"].startswith("shop_") and versions["inpost_pay_alembic_version"].startswith("inpost_pay_")
    assert products > 0  # the demo catalogue in an empty shop


def test_several_processes_on_sqlite_are_refused_naming_the_variables(tmp_path):
    env = serve_env(tmp_path, SHOP_WORKERS="2")
    done = subprocess.run([sys.executable, "scripts/serve.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert "DATABASE_URL must be PostgreSQL with SHOP_WORKERS=2" in done.stderr
    assert "SOCKETIO_MESSAGE_QUEUE must be Redis" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "shop.db").exists()  # nothing started, nothing written
