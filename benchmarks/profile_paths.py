"""Where the time of the hot paths goes, in-process (no HTTP server, no other load):

    .venv/bin/python benchmarks/profile_paths.py [--events 200] [--pages 100] [--database URL] [--sql]

One signed PRODUCTS_QUANTITY event on a bound 5-line basket, the home, product and basket
pages and InPost's `GET /v1/izi/basket/{id}` are each run N times through the Flask test
client. Prints, per path: CPU ms per call (process time, measured without the profiler: the
mean, and the median of batches of 10, steadier when other work shares the machine), SQL
statements per call, and the heaviest functions of a second, profiled pass (pyinstrument);
`--sql` also lists the statements one call issues.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# BENCH_APP_ROOT: profile the shop of another checkout (e.g. an export of main, for "before").
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parent.parent))

from _shop import CONFIRMATION, PRODUCTS, Signer, loadavg, quantity_event  # noqa: E402
from pyinstrument import Profiler  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.seed import ensure_database  # noqa: E402


class Statements:
    def __init__(self, engine):
        self.log: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        self.log.append(" ".join(statement.split()))


def build(database: str | None):
    workdir = Path(tempfile.mkdtemp(prefix="profile-"))
    uri = database or f"sqlite:///{workdir / 'shop.db'}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri, "INPOST_PAY_OUTBOX_WORKER": False})
    signer = Signer()
    app.extensions["inpost_pay"].signing_keys = signer.signing_keys()
    with app.app_context():
        ensure_database()
    return app, signer


def bound_basket(app, signer) -> tuple:
    client = app.test_client()
    page = client.get("/koszyk").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    for pid in PRODUCTS:
        r = client.post("/koszyk/dodaj", json={"product_id": pid, "quantity": 1},
                        headers={"X-CSRFToken": token, "Accept": "application/json"})
        assert r.status_code == 200, r.get_data(as_text=True)
    basket_id = client.get("/koszyk.json").json["basket_id"]
    raw = json.dumps(CONFIRMATION).encode()
    r = client.post(f"/v1/izi/basket/{basket_id}/confirmation", data=raw, headers=signer.headers(raw))
    assert r.status_code == 200, r.get_data(as_text=True)
    return client, basket_id


BATCH = 10  # calls per timed batch


def run(name, calls, statements: Statements, show_sql: bool) -> dict:
    """Time the calls without a profiler (a sampling profiler costs as much CPU as a fast call),
    then run them again under pyinstrument for the profile."""
    calls[0]()  # warm
    statements.log.clear()
    calls[0]()
    one_call = list(statements.log)
    batches = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for start in range(0, len(calls), BATCH):
        batch = calls[start:start + BATCH]
        started = time.process_time()
        for call in batch:
            call()
        batches.append((time.process_time() - started) / len(batch))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(calls)
    median = sorted(batches)[len(batches) // 2] * 1000
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for call in calls:
        call()
    profiler.stop()
    print(f"\n=== {name}: {n} calls, {cpu / n * 1000:.2f} ms CPU/call (median of batches of {BATCH}: "
          f"{median:.2f} ms; {wall / n * 1000:.2f} ms wall), {len(one_call)} SQL statements/call")
    if show_sql:
        for kind, count in Counter(s.split()[0] for s in one_call).most_common():
            print(f"    {kind}: {count}")
        for s in one_call:
            print(f"    - {s[:160]}")
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False,
                               time="percent_of_total", flat=True)[:2500])
    return {"name": name, "cpu_ms": cpu / n * 1000, "median_ms": median, "sql": len(one_call)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a new SQLite file)")
    parser.add_argument("--sql", action="store_true", help="list the statements of one call")
    args = parser.parse_args()
    app, signer = build(args.database)
    logging.getLogger().setLevel(logging.WARNING)  # as the benchmark server runs
    with app.app_context():
        statements = Statements(db.engine)
    client, basket_id = bound_basket(app, signer)
    events = [(quantity_event(i)) for i in range(2 * args.events + 2)]  # timed, then profiled
    signed = [(raw, signer.headers(raw)) for raw in events]
    it = iter(signed)

    def post_event():
        raw, headers = next(it)
        r = client.post(f"/v1/izi/basket/{basket_id}/event", data=raw, headers=headers)
        assert r.status_code == 200, r.get_data(as_text=True)

    get_raw = b""

    def get_basket():
        r = client.get(f"/v1/izi/basket/{basket_id}", headers=signer.headers(get_raw))
        assert r.status_code == 200, r.get_data(as_text=True)

    shopper = app.test_client()
    shopper.get("/")

    def page(path):
        def call():
            r = shopper.get(path)
            assert r.status_code == 200, (path, r.status_code)
        return call

    product_path = "/produkt/" + shopper_product_slug(app)
    results = [
        run("signed PRODUCTS_QUANTITY event, bound 5-line basket", [post_event] * args.events, statements, args.sql),
        run("GET /v1/izi/basket/{id}", [get_basket] * args.pages, statements, args.sql),
        run("GET / (home)", [page("/")] * args.pages, statements, args.sql),
        run(f"GET {product_path}", [page(product_path)] * args.pages, statements, args.sql),
        run("GET /koszyk (basket page, 5 lines)", [page("/koszyk")] * args.pages, statements, args.sql),
    ]
    # The basket page of a shopper with a basket: reuse the bound basket's own client.
    results.append(run("GET /koszyk (the bound basket's session)", [lambda: client.get("/koszyk")] * args.pages,
                       statements, args.sql))
    print(f"\nload average: {loadavg()}")
    print(f"{'path':<55}{'CPU ms':>8}{'median':>8}{'SQL':>6}")
    for r in results:
        print(f"{r['name']:<55}{r['cpu_ms']:>8.2f}{r['median_ms']:>8.2f}{r['sql']:>6}")
    return 0


def shopper_product_slug(app) -> str:
    from storefront.models import Product

    with app.app_context():
        return db.session.get(Product, PRODUCTS[0]).slug


if __name__ == "__main__":
    sys.exit(main())
