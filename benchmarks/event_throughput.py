"""DESIGN.md §6: a signed POST /v1/izi/basket/{id}/event (PRODUCTS_QUANTITY on a 5-line basket)
against a bare Flask JSON route, on the same server under the same load.

    .venv/bin/python benchmarks/event_throughput.py [--seconds 5] [--clients 8]

Prints requests/s and latency percentiles for both, their ratio (budget: >= 0.5), and the
server process's memory (budget: < 200 MB RSS). The server is the shop as `make run` serves
it (threaded werkzeug, SQLite) in a subprocess on 127.0.0.1; everything stays on loopback and
stops by itself.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ROOT = Path(__file__).resolve().parent.parent
MERCHANT_EXTERNAL_ID = "bench-merchant"
PRODUCTS = [1, 3, 5, 7, 11]  # five lines


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Signer:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key = base64.b64encode(der).decode()

    def headers(self, raw: bytes) -> dict:
        ts = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
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


def make_basket(base: str) -> str:
    """A 5-line basket made through the shop's own pages, as a shopper would."""
    session = requests.Session()
    page = session.get(base + "/koszyk").text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    for pid in PRODUCTS:
        r = session.post(
            base + "/koszyk/dodaj",
            json={"product_id": pid, "quantity": 1},
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
        r.raise_for_status()
    return session.get(base + "/koszyk.json").json()["basket_id"]


def prepared_events(signer: Signer, basket_id: str, count: int) -> list[tuple[bytes, dict]]:
    out = []
    for i in range(count):
        body = json.dumps(
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
        out.append((body, signer.headers(body)))
    return out


def load(url: str, payloads: list, seconds: float, clients: int) -> dict:
    """`clients` threads post as fast as they can for `seconds`; each takes the next payload."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = iter(range(len(payloads)))
    stop_at = time.perf_counter() + seconds

    def worker():
        nonlocal errors
        session = requests.Session()
        mine = []
        while time.perf_counter() < stop_at:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            body, headers = payloads[i]
            t0 = time.perf_counter()
            r = session.post(url, data=body, headers=headers)
            mine.append(time.perf_counter() - t0)
            if r.status_code != 200:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000  # noqa: E731
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "mean": statistics.mean(latencies) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()

    signer = Signer()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks/_bench_server.py"),
            str(port),
            str(workdir / "shop.db"),
            signer.public_key,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout.readline().strip() == "ready"
        base = f"http://127.0.0.1:{port}"
        basket_id = make_basket(base)
        estimate = int(args.seconds * 2000) + 100
        bare = [(b"{}", {"Content-Type": "application/json"})] * estimate
        load(base + "/bench/bare", bare[:200], 1, args.clients)  # warm up
        bare_result = load(base + "/bench/bare", bare, args.seconds, args.clients)
        print(f"signing {estimate} events ...", flush=True)
        events = prepared_events(signer, basket_id, estimate)
        event_result = load(f"{base}/v1/izi/basket/{basket_id}/event", events, args.seconds, args.clients)
        memory = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"\n{args.clients} clients, {args.seconds:.0f} s per route, server: threaded werkzeug + SQLite (WAL)")
    print(f"{'route':<34}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, r in (("POST /bench/bare (bare JSON)", bare_result), ("POST /v1/izi/basket/{id}/event", event_result)):
        print(f"{name:<34}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}")
    ratio = event_result["rps"] / bare_result["rps"]
    print(f"\nsigned event / bare throughput: {ratio:.2f} (budget >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(f"shop process RSS after the run: {memory:.0f} MB (budget < 200 MB: {'met' if memory < 200 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
