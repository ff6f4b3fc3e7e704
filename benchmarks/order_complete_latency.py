"""How long from "the order is created at the merchant" to "the shopper's page handled
`order-complete`" (docs/architecture.md#tests-and-performance: p50 within 100 ms).

    .venv/bin/python benchmarks/order_complete_latency.py [--orders 50] [--idle-sockets 0]

The shop and the InPost sandbox run live on loopback (tests/live.py). One headless Chromium page
sits on a product page with a bound basket; the phone (the sandbox's app API) checks out; InPost
calls the shop's `POST /v1/izi/order`. Start: the shop's `order_placed` signal, sent inside
`place_order` before the commit (so commit and push are both inside the measurement). End: the
page's `izi-order-complete` DOM event, dispatched by izi-glue.js when the socket push arrives,
before the redirect. Both are wall-clock times on the same machine.

The first basket is bound by phone with "trust this browser"; every later basket binds by the
trusted browser (Synchronization of a basket and an order (UC.04) step 9), so each round is: add -> bound -> order -> pushed.
`--idle-sockets N` adds N more Socket.IO clients (polling, each with a basket room of its own)
to see the push with a crowd connected.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from storefront import signals as shop_signals  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.live import live_pair  # noqa: E402
from widget.shopper import basket_ref  # noqa: E402

PRODUCT = "/produkt/kawa-etiopia-yirgacheffe"
CHECKOUT = {"delivery_type": "APM", "delivery_point": "KRA010", "payment_type": "BLIK_CODE",
            "consents": {"1": True, "2": True}}  # fmt: skip
MARKER = """
document.addEventListener('izi-order-complete', (event) => {
  const marks = JSON.parse(sessionStorage.getItem('bench-marks') || '[]');
  marks.push({at: Date.now(), redirect: event.detail && event.detail.redirect});
  sessionStorage.setItem('bench-marks', JSON.stringify(marks));
});
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[index]


def restock(app) -> None:
    """Every round sells a coffee; keep it in stock however many rounds are asked for."""
    from storefront.extensions import db
    from storefront.models import Product

    with app.app_context():
        db.session.get(Product, 1).stock = 40
        db.session.commit()


def idle_crowd(shop_url: str, count: int) -> list:
    import socketio

    clients = []
    for _ in range(count):
        http = requests.Session()
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', http.get(shop_url, timeout=10).text).group(1)
        http.post(f"{shop_url}/koszyk/dodaj", json={"product_id": 3}, headers={"X-CSRFToken": token}, timeout=10)
        client = socketio.Client(reconnection=False)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        client.connect(
            shop_url, namespaces=["/izi"], headers={"Cookie": cookie}, transports=["polling"], wait_timeout=10
        )
        clients.append(client)
    return clients


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--idle-sockets", type=int, default=0)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    placed: dict[str, float] = {}
    latencies: list[float] = []
    handled = missed = 0
    with tempfile.TemporaryDirectory() as workdir, live_pair(Path(workdir)) as pair, sync_playwright() as pw:

        def on_placed(app, order, basket, **_):
            if order.channel == "inpost_pay":
                placed[order.basket_id] = time.time()

        shop_signals.order_placed.connect(on_placed, pair.shop_app)
        crowd = idle_crowd(pair.shop.url, args.idle_sockets)
        phone = requests.Session()
        phone.post(
            f"{pair.sandbox.url}/app/api/session", json={"country_prefix": "+48", "phone": "604000001"}, timeout=10
        )

        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(bypass_csp=True).new_page()  # wait_for_function evaluates a string
        page.add_init_script(MARKER)
        main = page.get_by_role("main")
        for round_number in range(args.orders):
            restock(pair.shop_app)
            page.goto(pair.shop.url + PRODUCT)
            main.get_by_role("button", name="Utwórz koszyk z InPost Pay").click()
            if round_number == 0:
                dialog = page.get_by_role("dialog")
                dialog.get_by_role("textbox", name="Numer telefonu").fill("604000001")
                dialog.get_by_role("button", name="Wyślij do aplikacji").click()
                expect(dialog.get_by_role("heading", name="Potwierdź w aplikacji InPost Mobile")).to_be_visible()
                request = phone.get(f"{pair.sandbox.url}/app/api/requests", timeout=10).json()["requests"][0]
                phone.post(
                    f"{pair.sandbox.url}/app/api/requests/{request['id']}/accept",
                    json={"trust_browser": True},
                    timeout=10,
                )
            expect(main.locator("inpost-izi-button button.main")).to_have_attribute("data-state", "linked")
            basket = phone.get(f"{pair.sandbox.url}/app/api/baskets", timeout=10).json()["baskets"][0]
            # The socket follows the new basket's room (it reconnects when the session's basket
            # changes); a shopper takes seconds to reach the app, the benchmark waits for that.
            page.wait_for_function("ref => window.IziSocket && window.IziSocket.basketRef === ref",
                                   arg=basket_ref(basket["basket_id"]))  # fmt: skip
            answer = phone.post(f"{pair.sandbox.url}/app/api/baskets/{basket['inpost_basket_id']}/checkout",
                                json=CHECKOUT, timeout=30)  # fmt: skip
            assert answer.status_code == 201, answer.text
            expect(page).to_have_url(re.compile(r"/dziekujemy\?token="))
            marks = page.evaluate("JSON.parse(sessionStorage.getItem('bench-marks') || '[]')")
            if len(marks) == handled + 1:
                handled += 1
                latencies.append(marks[-1]["at"] - placed[basket["basket_id"]] * 1000)
            else:  # the page got there through the REST fallback: counted, not timed
                missed += 1
        browser.close()
        for client in crowd:
            client.disconnect()

    print(f"order-complete push latency over {len(latencies)} orders "
          f"({args.idle_sockets} idle sockets besides the page), ms:")  # fmt: skip
    print(f"  pushes not seen by the page (redirected by the REST fallback instead): {missed}")
    print(f"  p50 {percentile(latencies, 0.50):.1f}  p95 {percentile(latencies, 0.95):.1f}  "
          f"mean {statistics.mean(latencies):.1f}  min {min(latencies):.1f}  max {max(latencies):.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
