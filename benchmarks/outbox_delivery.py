"""Delivery figures of the InPost Pay outbox (inpost_pay/outbox/), against the local sandbox.

    .venv/bin/python benchmarks/outbox_delivery.py [--outage 3] [--events 20]

Runs the shop and the sandbox on loopback (tests/live.py), the shop's outbox worker as a
thread, and measures:

1. steady state: from the merchant's commit to InPost's 201, per event (p50 / p95 / max);
2. an outage: InPost answers 503 for `--outage` seconds while three changes are made; per
   message the attempts it took, and the time from InPost coming back to the last delivery.

Backoff here is the production shape scaled down (base 0.2 s, x2, +-20 %, cap 2 s) so the
run takes seconds; with the defaults (base 1 s, cap 60 s) the wait after an outage is at most
the next backoff step of the oldest message.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

import inpost_pay  # noqa: E402
from storefront import orders as order_service  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.models import Order  # noqa: E402
from tests.integration.outbox.helpers import InPostDesk, inpost_order, messages, wait_for  # noqa: E402
from tests.live import live_pair  # noqa: E402

SETTINGS = {
    "INPOST_PAY_OUTBOX_WORKER": True,
    "INPOST_PAY_OUTBOX_INTERVAL": 1.0,
    "INPOST_PAY_OUTBOX_BACKOFF_BASE": 0.2,
    "INPOST_PAY_OUTBOX_BACKOFF_CAP": 2.0,
    "INPOST_PAY_OUTBOX_MAX_ATTEMPTS": 50,
}


def change(app, order_id: int, label: str) -> float:
    with app.app_context():
        order_service.change_status(db.session.get(Order, order_id), "processing", label)
        db.session.commit()
    return time.monotonic()


def sent(app, order_id, count):
    rows = messages(app, order_id)
    return len(rows) == count and all(r["status"] == "sent" for r in rows) and rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=3.0, help="seconds InPost is down")
    parser.add_argument("--events", type=int, default=20, help="events for the steady-state figure")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="outbox-bench-") as tmp, live_pair(Path(tmp), shop_extra=SETTINGS) as pair:
        app = pair.shop_app
        inpost_pay.start_worker(app)
        desk = InPostDesk(pair.sandbox.url)

        order_id, _, _ = inpost_order(pair)
        latencies = []
        for n in range(args.events):
            started = change(app, order_id, f"Etap {n + 1}")
            wait_for(lambda n=n: sent(app, order_id, n + 1), what="delivery", step=0.002)
            latencies.append((time.monotonic() - started) * 1000)
        latencies.sort()
        print(f"steady state, {args.events} events: commit -> InPost 201 "
              f"p50 {statistics.median(latencies):.0f} ms, p95 {latencies[int(0.95 * (len(latencies) - 1))]:.0f} ms, "
              f"max {latencies[-1]:.0f} ms")  # fmt: skip

        order_id, _, _ = inpost_order(pair)
        desk.fault(mode="unavailable")
        for label in ("Kompletujemy", "Nadane", "W drodze"):
            change(app, order_id, label)
        time.sleep(args.outage)  # the outage itself: this is what is being measured around
        back = time.monotonic()
        desk.clear()
        rows = wait_for(lambda: sent(app, order_id, 3), timeout=120, what="delivery after the outage", step=0.005)
        after = time.monotonic() - back
        print(f"outage of {args.outage:.1f} s during 3 changes: attempts per message {[r['attempts'] for r in rows]}, "
              f"all 3 delivered in order {after * 1000:.0f} ms after InPost came back")  # fmt: skip
        inpost_pay.stop_worker(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
