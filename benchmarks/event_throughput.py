"""Signed InPost events against a bare Flask JSON route, on the same server in the same run.

    .venv/bin/python benchmarks/event_throughput.py [--seconds 5] [--clients 8] [--baskets 40]
        [--database sqlite|postgresql+psycopg://...] [--port N]
        [--server werkzeug|gunicorn] [--workers N]

The shop runs in a subprocess on 127.0.0.1, on threaded werkzeug (default) or on gunicorn as
`make run` deploys it (`gunicorn.conf.py`, gthread; `--workers` > 1 needs PostgreSQL), with a
database of its own (a new SQLite file, or a new schema in the PostgreSQL database given, dropped
afterwards); everything stays on loopback and stops by itself. Measured, in this order:

- bare: POST and GET /bench/bare (plain `jsonify`), `--clients` clients;
- single: one client, PRODUCTS_QUANTITY events on one bound 5-line basket: p50, and the SQL
  statements the server runs per event;
- spread: `--clients` clients, events spread round-robin over `--baskets` bound 5-line baskets;
- one-basket: `--clients` clients all on one basket (contention): errors and p99;
- get: InPost's pre-order re-read `GET /v1/izi/basket/{id}`, `--clients` clients;
- the server's RSS at the end (with gunicorn: summed over the workers, and the largest one).

The SQL statements per event are summed over all the server's processes (each gunicorn worker
writes its count to a file every 0.1 s; the count is read when the load has stopped).

Prints a table, the ratios to the bare route and the targets of the issue (met / NOT met).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shop import (  # noqa: E402
    Signer,
    add_server_options,
    check_server_options,
    load,
    loadavg,
    make_bound_basket,
    print_table,
    quantity_event,
    rss_line,
    server_cpu_seconds,
    server_label,
    server_rss,
    shop_server,
    verdict,
)

RATE_CEILING = 400  # events/s per client-second we sign ahead for (RSA signing is not free)


def signed_events(signer: Signer, base: str, baskets: list[str], count: int) -> list:
    calls = []
    for i in range(count):
        raw = quantity_event(i)
        calls.append(("POST", f"{base}/v1/izi/basket/{baskets[i % len(baskets)]}/event", raw, signer.headers(raw)))
    return calls


def statements_now(base: str) -> int:
    time.sleep(0.3)  # every process has written its count (_bench_server.FLUSH_SECONDS)
    return requests.get(base + "/bench/statements", timeout=10).json()["statements"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--baskets", type=int, default=40)
    parser.add_argument("--single", type=int, default=100, help="events of the single-client phase")
    add_server_options(parser)
    args = parser.parse_args()
    check_server_options(parser, args)

    signer = Signer()
    budget = int(args.seconds * RATE_CEILING) + 100
    with shop_server(args.database, signer.public_key, args.port, args.server, args.workers) as (base, pid):
        print(f"making {args.baskets} bound baskets ...", flush=True)
        baskets = [make_bound_basket(requests.Session(), base, signer) for _ in range(args.baskets)]
        bare_post = [("POST", base + "/bench/bare", b"{}", {"Content-Type": "application/json"})] * 20000
        bare_get = [("GET", base + "/bench/bare", None, {})] * 20000
        load(bare_post[:200], 1, args.clients)  # warm up

        def measured(calls, seconds, clients):
            """`load`, and the server's CPU time per request over it (its processes, /proc)."""
            cpu0 = server_cpu_seconds(pid)
            result = load(calls, seconds, clients)
            result["server_cpu_ms"] = (server_cpu_seconds(pid) - cpu0) / max(1, result["requests"]) * 1000
            return result

        results = {"bare POST": measured(bare_post, args.seconds, args.clients)}
        results["bare GET"] = measured(bare_get, args.seconds, args.clients)

        single = signed_events(signer, base, baskets[:1], args.single + 10)
        load(single[:10], 5, 1)  # warm up the event path
        before = statements_now(base)
        results["single"] = measured(single[10:], 60, 1)
        per_event = (statements_now(base) - before) / max(1, results["single"]["requests"])

        print(f"signing {budget} events per phase ...", flush=True)
        results["spread"] = measured(signed_events(signer, base, baskets, budget), args.seconds, args.clients)
        results["one"] = measured(signed_events(signer, base, baskets[-1:], budget), args.seconds, args.clients)
        get_path = f"{base}/v1/izi/basket/{baskets[0]}"
        gets = [("GET", get_path, None, signer.headers(b"")) for _ in range(budget)]
        results["get"] = measured(gets, args.seconds, args.clients)
        memory = server_rss(pid)
    load_average = loadavg()

    names = {
        "bare POST": "POST /bench/bare (bare JSON)",
        "bare GET": "GET /bench/bare (bare JSON)",
        "single": "event, 1 client, 1 basket",
        "spread": f"event, {args.clients} clients, {args.baskets} baskets",
        "one": f"event, {args.clients} clients, 1 basket",
        "get": f"GET /v1/izi/basket/{{id}}, {args.clients} clients",
    }
    print_table(
        f"{args.seconds:.0f} s per phase, {server_label(args)}, load average {load_average}",
        [(names[k], r) for k, r in results.items()],
    )
    spread_ratio = results["spread"]["rps"] / results["bare POST"]["rps"]
    get_ratio = results["get"]["rps"] / results["bare GET"]["rps"]
    one = results["one"]
    print()
    print(f"signed event / bare, spread:      {spread_ratio:.2f}  (target >= 0.50: {verdict(spread_ratio >= 0.5)})")
    print(f"event p99, spread:                {results['spread']['p99']:.0f} ms  "
          f"(target <= 100 ms: {verdict(results['spread']['p99'] <= 100)})")
    print(f"one basket: errors {one['errors']}, p99 {one['p99']:.0f} ms  "
          f"(target 0 errors, <= 500 ms: {verdict(one['errors'] == 0 and one['p99'] <= 500)})")
    print(f"event p50, one client:            {results['single']['p50']:.1f} ms  "
          f"(target <= 8 ms: {verdict(results['single']['p50'] <= 8)})")
    print(f"SQL statements per event:         {per_event:.1f}  (target <= 6: {verdict(per_event <= 6)})")
    print(f"GET basket / bare GET:            {get_ratio:.2f}  (target >= 0.70: {verdict(get_ratio >= 0.7)})")
    print("server CPU per request: " + ", ".join(f"{k} {r['server_cpu_ms']:.2f} ms" for k, r in results.items()))
    print(f"shop RSS after the runs:          {rss_line(memory)}  "
          f"(target <= 200 MB per process: {verdict(memory['max'] <= 200)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
