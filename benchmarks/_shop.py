"""What the benchmarks share: an InPost-like signer, and baskets made and bound the way
InPost and a shopper make them (the shop's own pages, then a signed binding confirmation)."""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parent.parent
MERCHANT_EXTERNAL_ID = "bench-merchant"
PRODUCTS = [1, 3, 5, 7, 11]  # five lines
CONFIRMATION = {
    "status": "SUCCESS",
    "inpost_basket_id": "866e5bf6-4e8a-443e-98f5-f9b0c5c149dd",
    "phone_number": {"country_prefix": "+48", "phone": "600000000"},
    "browser": {"browser_trusted": False, "browser_id": "fbfac472-3bcc-4c2c-bd41-968032233e03"},
    "masked_phone_number": "60*****00",
    "name": "Piotr",
    "surname": "Nowak",
}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server: the master's children (gunicorn's workers) and the
    process itself, from /proc/<pid>/stat."""
    pids = [pid]
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:  # the field after the state is the parent's pid
                pids.append(int(status.parent.name))
    total = 0
    for p in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


class Signer:
    """Signs a body the way InPost signs its calls to the merchant (x-signature headers)."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()
        self._last = datetime.now(UTC) - timedelta(seconds=1)

    def headers(self, raw: bytes) -> dict:
        # A new millisecond for every call: the shop refuses a signature used before, and the
        # same body signed within the same millisecond gives the same signature.
        now = max(datetime.now(UTC), self._last + timedelta(milliseconds=1))
        self._last = now
        ts = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        digest = base64.b64encode(hashlib.sha256(raw).digest()).decode()
        text = base64.b64encode(f"{digest},{MERCHANT_EXTERNAL_ID},1,{ts}".encode())
        sig = base64.b64encode(self.key.sign(text, padding.PKCS1v15(), hashes.SHA256())).decode()
        return {
            "x-signature": sig,
            "x-signature-timestamp": ts,
            "x-public-key-ver": "1",
            "x-public-key-hash": hashlib.sha256(self.public_key.encode()).hexdigest(),
            "Content-Type": "application/json",
        }

    def signing_keys(self):
        """The app's signing-key cache, given this key as InPost's key endpoint would."""
        return signing_key_cache(self.public_key)


def signing_key_cache(public_key: str):
    """A signing-key cache holding `public_key` (base64 DER) as the keys InPost publishes at
    GET /v1/izi/signing-keys/public, given directly."""
    from inpost_pay.signing_keys import SigningKeyCache

    entry = {"public_key_base64": public_key, "version": "1"}
    return SigningKeyCache(
        lambda: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_keys": [entry]},
        lambda v: {"merchant_external_id": MERCHANT_EXTERNAL_ID, "public_key": entry},
    )


def quantity_event(i: int) -> bytes:
    return json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_data_time": "2026-11-23T10:00:00.000Z",
            "event_type": "PRODUCTS_QUANTITY",
            "quantity_event_data": [
                {
                    "product_id": str(PRODUCTS[i % 5]),
                    "quantity": {"quantity": 1 + i % 3, "quantity_type": "INTEGER"},
                }
            ],
        }
    ).encode()


def make_bound_basket(session, base: str, signer: Signer) -> str:
    """A 5-line basket made through the shop's pages (`session`: a requests.Session or a
    test client adapter with get/post), then bound by a signed confirmation."""
    page = session.get(base + "/koszyk").text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    for pid in PRODUCTS:
        r = session.post(
            base + "/koszyk/dodaj",
            json={"product_id": pid, "quantity": 1},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        r.raise_for_status()
    basket_id = session.get(base + "/koszyk.json").json()["basket_id"]
    raw = json.dumps(CONFIRMATION).encode()
    r = session.post(f"{base}/v1/izi/basket/{basket_id}/confirmation", data=raw, headers=signer.headers(raw))
    r.raise_for_status()
    return basket_id


# --- the server and the load ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default="sqlite", help='"sqlite" (default) or a PostgreSQL URL')
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--server", choices=["werkzeug", "gunicorn"], default="werkzeug",
                        help="threaded werkzeug in one process (default), or gunicorn as deployed (gunicorn.conf.py)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes (> 1: PostgreSQL only)")


def check_server_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and args.server != "gunicorn":
        parser.error("--workers applies to --server gunicorn only")
    if args.workers > 1 and not args.database.startswith("postgresql"):
        parser.error("--workers > 1 needs --database postgresql+psycopg://... (SQLite is one writer, "
                     "one process; the shop refuses several processes on it, see README \"Deploy\")")


def server_label(args: argparse.Namespace) -> str:
    database = "SQLite (WAL)" if args.database == "sqlite" else "PostgreSQL"
    if args.server == "werkzeug":
        return f"threaded werkzeug + {database}"
    threads = os.environ.get("SHOP_THREADS") or 100
    return f"gunicorn gthread {args.workers} x {threads} threads + {database}"


def server_rss(pid: int) -> dict:
    """RSS (MB) of the server's processes: the master's children (gunicorn's workers), or the
    process itself when it has none. `sum`, `max` and how many `processes`."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"]) == pid:
                children.append(int(status.parent.name))
    sizes = [rss_mb(p) for p in children or [pid]]
    return {"sum": sum(sizes), "max": max(sizes), "processes": len(sizes)}


def rss_line(memory: dict) -> str:
    if memory["processes"] == 1:
        return f"{memory['max']:.0f} MB"
    return f"{memory['sum']:.0f} MB in {memory['processes']} processes, at most {memory['max']:.0f} MB each"


def _wait_until_up(server: subprocess.Popen, url: str, counts: Path, processes: int) -> None:
    """gunicorn says nothing on stdout: wait until every worker has written its count file
    and the port answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        if len(list(counts.glob("[0-9]*"))) >= processes:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url, timeout=2).ok:
                    return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start within 60 s")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM: gunicorn's master stops its workers gracefully (graceful_timeout) and exits."""
    children = [] if server.poll() is not None else _children(server.pid)
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    left = [p for p in children if Path(f"/proc/{p}").exists()]
    if left:
        print(f"warning: server processes left behind: {left}", file=sys.stderr)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextlib.contextmanager
def shop_server(database: str, public_key: str, port: int | None = None, server: str = "werkzeug", workers: int = 1):
    """The shop in a subprocess on 127.0.0.1 (benchmarks/_bench_server.py), threaded werkzeug
    or gunicorn with `workers` processes: yields (base_url, pid of the server or its master).
    `database`: "sqlite" (a new file) or a PostgreSQL URL, in a schema of its own dropped after.
    The schema and the demo data are made once, before the server starts."""
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    env = {**os.environ, "BENCH_PUBLIC_KEY": public_key}
    schema = None
    if database == "sqlite":
        env["BENCH_DATABASE"] = str(workdir / "shop.db")
    else:
        from sqlalchemy import create_engine, text

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        env.update(BENCH_DATABASE=database, BENCH_SCHEMA=schema)
        admin = create_engine(database, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    script = str(ROOT / "benchmarks/_bench_server.py")
    process = None
    try:
        subprocess.run([sys.executable, script, "prepare"], env=env, check=True)
        if server == "werkzeug":
            process = subprocess.Popen([sys.executable, script, "serve", str(port)], env=env,
                                       stdout=subprocess.PIPE, text=True)
            line = process.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"the shop did not start: {line!r}")
        else:
            counts = workdir / "statements"
            counts.mkdir()
            env["BENCH_COUNTS"] = str(counts)
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--name", "bench-shop",
                 "--pythonpath", str(ROOT / "benchmarks"), "_bench_server:bench_app()"],
                env=env, cwd=ROOT,
            )
            _wait_until_up(process, f"http://127.0.0.1:{port}/bench/bare", counts, workers)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        if process is not None:
            _stop(process)
        if schema:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


def load(calls: list, seconds: float, clients: int, sessions: list | None = None) -> dict:
    """`clients` threads, each with its own HTTP session (`sessions[i]` when given: a shopper's
    cookies), take the next call for `seconds` (or until the calls run out). A call is
    (method, url, body, headers); 2xx counts as OK."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = iter(range(len(calls)))
    stop_at = time.perf_counter() + seconds

    def worker(session):
        nonlocal errors
        mine, failed = [], 0
        while time.perf_counter() < stop_at:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            method, url, body, headers = calls[i]
            t0 = time.perf_counter()
            try:
                r = session.request(method, url, data=body, headers=headers, timeout=30)
                ok = 200 <= r.status_code < 300
            except requests.RequestException:
                ok = False
            mine.append(time.perf_counter() - t0)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.perf_counter()
    sessions = sessions or [requests.Session() for _ in range(clients)]
    threads = [threading.Thread(target=worker, args=(sessions[i],)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, errors, time.perf_counter() - started)


def summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    """Throughput and latency percentiles (ms) of one phase."""
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "mean": statistics.mean(latencies) * 1000 if latencies else float("nan"),
    }


def print_table(title: str, rows: list[tuple[str, dict]]) -> None:
    print(f"\n{title}")
    print(f"{'route':<44}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'n':>7}")
    for name, r in rows:
        print(f"{name:<44}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}{r['requests']:>7}")


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"
