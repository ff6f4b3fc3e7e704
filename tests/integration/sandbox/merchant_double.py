"""A tiny stand-in for the merchant's API, for testing the sandbox's calls to it.

It verifies every call's signature with its own code (docs/inpost-pay-api.md §6, not the
sandbox's), records what it received, and answers with a fixed valid basket and
an order built from the request. Tests change its answers through `answers`.
Served on a free loopback port by werkzeug's `make_server` in a thread.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, Response, request
from werkzeug.serving import make_server

FIXTURES = Path(__file__).resolve().parent / "fixtures"
POS_ID = "V000000001"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def verify_signature(raw: bytes, headers, keys: dict[str, str], merchant_external_id: str) -> str | None:
    """None when the call is correctly signed, else the reason (docs/inpost-pay-api.md §6.2)."""
    try:
        signature = headers["x-signature"]
        timestamp = headers["x-signature-timestamp"]
        version = headers["x-public-key-ver"]
        key_hash = headers["x-public-key-hash"]
    except KeyError as missing:
        return f"missing header {missing}"
    key_b64 = keys.get(version)
    if key_b64 is None:
        return f"unknown key version {version}"
    if hashlib.sha256(key_b64.encode()).hexdigest() != key_hash:
        return "key hash mismatch"
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode()
    signed = base64.b64encode(f"{digest},{merchant_external_id},{version},{timestamp}".encode())
    try:
        public_key = serialization.load_der_public_key(base64.b64decode(key_b64))
        public_key.verify(base64.b64decode(signature), signed, padding.PKCS1v15(), hashes.SHA256())
    except Exception as exc:  # any failure is a refusal
        return f"bad signature ({type(exc).__name__})"
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if abs((datetime.now(UTC) - moment).total_seconds()) > 240:
        return "stale timestamp"
    return None


class MerchantDouble:
    def __init__(self):
        self.keys: dict[str, str] = {}
        self.merchant_external_id = ""
        self.reset()
        self.app = self._build_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self) -> None:
        self.calls: list[dict] = []
        self.basket = load_fixture("valid_basket.json")
        # name -> (status, body) replacing the normal answer: "confirmation", "event",
        # "get_basket", "order", "order_event", "delete_binding".
        self.answers: dict[str, tuple[int, object]] = {}
        self.orders = 0

    def trust(self, signing_keys: dict) -> None:
        """Take the public keys as the merchant would: from GET /v1/izi/signing-keys/public."""
        self.merchant_external_id = signing_keys["merchant_external_id"]
        self.keys = {k["version"]: k["public_key_base64"] for k in signing_keys["public_keys"]}

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)

    def calls_to(self, name: str) -> list[dict]:
        return [c for c in self.calls if c["name"] == name]

    # -- the app -----------------------------------------------------------------
    def _build_app(self) -> Flask:
        app = Flask("merchant_double")

        def answer(name: str, normal):
            raw = request.get_data(cache=True)
            problem = verify_signature(raw, request.headers, self.keys, self.merchant_external_id)
            body = json.loads(raw, parse_float=Decimal) if raw else None
            self.calls.append({"name": name, "method": request.method, "path": request.path, "raw": raw,
                               "json": body, "headers": dict(request.headers), "signature_problem": problem})  # fmt: skip
            if problem:
                return _json(401, {"error_code": "INVALID_SIGNATURE", "error_message": problem})
            if name in self.answers:
                status, reply = self.answers[name]
                return _json(status, reply)
            return normal(body)

        @app.get("/v1/izi/basket/<basket_id>")
        def get_basket(basket_id):
            return answer("get_basket", lambda body: _json(200, self.basket))

        @app.post("/v1/izi/basket/<basket_id>/confirmation")
        def confirmation(basket_id):
            return answer("confirmation", lambda body: _json(200, self.basket))

        @app.post("/v1/izi/basket/<basket_id>/event")
        def event(basket_id):
            return answer("event", lambda body: _json(200, self.basket))

        @app.delete("/v1/izi/basket/<basket_id>/binding")
        def delete_binding(basket_id):
            return answer("delete_binding", lambda body: Response(status=200))

        @app.post("/v1/izi/order")
        def order():
            return answer("order", lambda body: _json(201, self._order(body)))

        @app.post("/v1/izi/order/<order_id>/event")
        def order_event(order_id):
            return answer("order_event", lambda body: _json(200, {"order_merchant_status_description": "Opłacone"}))

        return app

    def _order(self, sent: dict) -> dict:
        self.orders += 1
        basket = self.basket
        delivery = next(d for d in basket["delivery"] if d["delivery_type"] == sent["delivery"]["delivery_type"])
        price = {k: format(Decimal(str(v)), ".2f") for k, v in sent["order_details"]["basket_price"].items()}
        return {
            "order_details": {
                "order_id": f"ORD-{self.orders}",
                "pos_id": POS_ID,
                "order_creation_date": "2030-01-01T10:00:00.000Z",
                "basket_id": sent["order_details"]["basket_id"],
                "order_merchant_status_description": "Nowe",
                "payment_type": sent["order_details"]["payment_type"],
                "order_base_price": basket["summary"]["basket_final_price"],
                "order_final_price": price,
                "order_discount": format(Decimal(str(basket["summary"]["basket_base_price"]["gross"]))
                                         - Decimal(str(basket["summary"]["basket_final_price"]["gross"])), ".2f"),
                "currency": "PLN",
                "delivery_references_list": [],
            },
            "account_info": sent["account_info"],
            "delivery": {
                **{k: v for k, v in sent["delivery"].items() if k != "delivery_codes"},
                "delivery_date": delivery["delivery_date"],
                "delivery_options": [
                    o
                    for o in delivery.get("delivery_options", [])
                    if o["delivery_code_value"] in sent["delivery"]["delivery_codes"]
                ],  # fmt: skip
                "delivery_price": delivery["delivery_price"],
            },
            "products": [
                {k: copy.deepcopy(p[k]) for k in ("product_id", "product_name", "base_price", "quantity")}
                for p in basket["products"]
            ],  # fmt: skip
            "consents": sent["consents"],
        }


def _json(status: int, body) -> Response:
    return Response(json.dumps(body, default=str), status=status, mimetype="application/json")
