"""Class 11: a string longer than its column is refused at the edge with 400 naming the
field, on SQLite and on PostgreSQL (which would otherwise fail at the commit with a 500)
(docs/security.md "Limits")."""

from __future__ import annotations

import json

import pytest

from storefront import basket as basket_service
from storefront.extensions import db
from storefront.seed import ensure_database
from tests.inpost_payloads import order_body
from tests.integration.test_concurrency import postgres_db  # noqa: F401  (fixture)
from tests.security.conftest import assert_json_error, make_shop, table_counts

CONFIRMATIONS = {
    "masked_phone_number": {"masked_phone_number": "6" * 31},
    "phone_number.country_prefix": {"phone_number": {"country_prefix": "+" + "4" * 6, "phone": "600100200"}},
    "phone_number.phone": {"phone_number": {"country_prefix": "+48", "phone": "6" * 21}},
    "name": {"name": "N" * 121},
    "surname": {"surname": "S" * 121},
    "inpost_basket_id": {"inpost_basket_id": "i" * 65},
    "browser.browser_id": {"browser": {"browser_trusted": True, "browser_id": "b" * 65}},
}


def order_with(path: str, value: str, basket_id: str) -> dict:
    body = order_body(basket_id, 10)
    *parents, last = path.split(".")
    node = body
    for name in parents:
        node = node[name]
    node[last] = value
    return body


ORDERS = {"account_info.name": "N" * 121, "account_info.mail": "m" * 196 + "@x.pl", "delivery.delivery_point": "K" * 21,
          "account_info.phone_number.phone": "6" * 21, "order_details.payment_type": "P" * 41}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request, tmp_path, signer):
    if request.param == "sqlite":
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lengths.db'}"}
    else:
        config = request.getfixturevalue("postgres_db")
    app = make_shop(config, signer)
    with app.app_context():
        ensure_database()
        basket = basket_service.new_basket()
        basket_service.add_product(basket, 1, 1)
        db.session.commit()
        app.basket_id = basket.id
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def signed(shop, signer, method, path, body):
    raw = json.dumps(body).encode()
    headers = {**signer.headers(raw), "Content-Type": "application/json"}
    return shop.test_client().open(path, method=method, data=raw, headers=headers, csrf=False)


def test_confirmation_fields(shop, signer, no_traceback):
    before = table_counts(shop, db)
    for field, body in CONFIRMATIONS.items():
        response = signed(
            shop, signer, "POST", f"/v1/izi/basket/{shop.basket_id}/confirmation", {"status": "SUCCESS", **body}
        )
        assert assert_json_error(response, 400, "MALFORMED_REQUEST")["error_message"].startswith(field), field
    assert table_counts(shop, db) == before
    ok = {"status": "SUCCESS", "masked_phone_number": "6" * 30, "name": "N" * 120}
    assert signed(shop, signer, "POST", f"/v1/izi/basket/{shop.basket_id}/confirmation", ok).status_code == 200


def test_order_fields(shop, signer, no_traceback):
    before = table_counts(shop, db)
    for field, value in ORDERS.items():
        response = signed(shop, signer, "POST", "/v1/izi/order", order_with(field, value, shop.basket_id))
        assert assert_json_error(response, 400, "MALFORMED_REQUEST")["error_message"].startswith(field), field
    assert table_counts(shop, db) == before


def test_event_ids(shop, signer, no_traceback):
    event = {"event_id": "e" * 101, "event_data_time": "2025-01-01T10:00:00Z", "event_type": "PROMO_CODES",
             "promo_codes_event_data": []}  # fmt: skip
    response = signed(shop, signer, "POST", f"/v1/izi/basket/{shop.basket_id}/event", event)
    assert assert_json_error(response, 400, "MALFORMED_REQUEST")["error_message"].startswith("event_id")
