"""The shop's pages under load, against a bare Flask JSON route on the same server in the same run.

    .venv/bin/python benchmarks/pages.py [--seconds 5] [--clients 16] [--database sqlite|URL]
        [--port N] [--server werkzeug|gunicorn] [--workers N]

Each client is a shopper with a session of its own holding a 5-line basket (made through the
shop's pages). Measured one after the other, `--clients` clients each: GET /bench/bare, the home
page, a product card and the basket page. Prints p50/p99 per page, each page's throughput as a
ratio to the bare route, the target (p99 <= 300 ms at 16 clients), the CPU time per request of
the server (its processes) and of the benchmark's own clients (they share the machine's cores),
and the server's RSS (with gunicorn: summed over the workers, and the largest one). `--server`/`--workers` as in
event_throughput.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shop import (  # noqa: E402
    PRODUCTS,
    Signer,
    add_server_options,
    check_server_options,
    load,
    loadavg,
    print_table,
    rss_line,
    server_cpu_seconds,
    server_label,
    server_rss,
    shop_server,
    verdict,
)

PRODUCT_SLUG = "kawa-etiopia-yirgacheffe"


def shopper(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/koszyk", timeout=30).text
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    for pid in PRODUCTS:
        r = session.post(base + "/koszyk/dodaj", json={"product_id": pid, "quantity": 1},
                         headers={"X-CSRFToken": token, "Accept": "application/json"}, timeout=30)
        r.raise_for_status()
    return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=16)
    add_server_options(parser)
    args = parser.parse_args()
    check_server_options(parser, args)

    with shop_server(args.database, Signer().public_key, args.port, args.server, args.workers) as (base, pid):
        sessions = [shopper(base) for _ in range(args.clients)]
        def hammer(url: str, seconds: float) -> dict:
            server0, client0 = server_cpu_seconds(pid), time.process_time()
            result = load([("GET", url, None, {})] * 100_000, seconds, args.clients, sessions)
            calls = max(result["requests"], 1)
            result["server_cpu_ms"] = (server_cpu_seconds(pid) - server0) / calls * 1000
            result["client_cpu_ms"] = (time.process_time() - client0) / calls * 1000
            return result

        hammer(base + "/bench/bare", 1)  # warm up
        pages = {
            "GET /bench/bare (bare JSON)": base + "/bench/bare",
            "GET / (home)": base + "/",
            f"GET /produkt/{PRODUCT_SLUG}": f"{base}/produkt/{PRODUCT_SLUG}",
            "GET /koszyk (5 lines)": base + "/koszyk",
        }
        results = {name: hammer(url, args.seconds) for name, url in pages.items()}
        memory = server_rss(pid)
    print_table(
        f"{args.clients} clients, {args.seconds:.0f} s per page, {server_label(args)}, "
        f"load average {loadavg()}",
        list(results.items()),
    )
    bare = results["GET /bench/bare (bare JSON)"]["rps"]
    print()
    for name, r in list(results.items())[1:]:
        print(f"{name:<40} / bare: {r['rps'] / bare:.2f}   p99 {r['p99']:.0f} ms "
              f"(target <= 300 ms: {verdict(r['p99'] <= 300 and r['errors'] == 0)})")
    print("CPU per request, server / the benchmark's clients: " + ", ".join(
        f"{name.split(' (')[0]} {r['server_cpu_ms']:.1f} / {r['client_cpu_ms']:.1f} ms" for name, r in results.items()))
    print(f"shop RSS after the runs: {rss_line(memory)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
