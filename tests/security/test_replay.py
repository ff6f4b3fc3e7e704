"""Class 4: a signed call's signature is accepted once within its 240 s window, by any
process sharing the database; and since InPost's signature covers neither method nor
path, a signature taken from one call never opens another (docs/security.md "Replay")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inpost_pay.models import InPostBasket
from inpost_pay.replay import UsedSignature, claim
from storefront.extensions import db
from storefront.seed import ensure_database
from tests.integration.test_concurrency import postgres_db  # noqa: F401  (fixture)
from tests.security.conftest import assert_json_error, make_shop


def replay(client, method: str, path: str, headers: dict, raw: bytes = b""):
    return client.open(
        path, method=method, data=raw, headers={**headers, "Content-Type": "application/json"}, csrf=False
    )


@pytest.mark.parametrize("method, path", [("GET", "/v1/izi/basket/{b}"), ("DELETE", "/v1/izi/basket/{b}/binding"),
                                          ("GET", "/v1/izi/order/1")])  # fmt: skip
def test_the_same_call_twice_is_refused_the_second_time(method, path, client, signer, make_basket, no_traceback):
    path = path.format(b=make_basket((1, 1)))
    headers = signer.headers(b"")
    first = replay(client, method, path, headers)
    assert first.status_code in (200, 404)
    assert_json_error(replay(client, method, path, headers), 401, "INVALID_SIGNATURE")


@pytest.mark.parametrize("method, path, raw, status", [
    ("POST", "/v1/izi/basket/{b}/event", b"{not json", 400),  # refused: the handler rolls back
    ("POST", "/v1/izi/basket/{b}/event", b'{"event_id": 1}', 400),
    ("GET", "/v1/izi/basket/unknown-basket", b"", 404),
    ("DELETE", "/v1/izi/basket/unknown-basket/binding", b"", 200),  # answers without a write
    ("POST", "/v1/izi/order", b"{}", 400),
])  # fmt: skip
def test_a_call_whose_transaction_did_not_commit_is_refused_again(method, path, raw, status, client, signer,
                                                                   make_basket, no_traceback):
    """The signature's record is written with the call's transaction; a call that rolled back
    (or never committed) records it on its own afterwards."""
    path = path.format(b=make_basket((1, 1)))
    headers = signer.headers(raw)
    assert replay(client, method, path, headers, raw).status_code == status
    assert_json_error(replay(client, method, path, headers, raw), 401, "INVALID_SIGNATURE")


def test_an_event_replayed_is_refused(client, signer, make_basket, snapshot, no_traceback):
    basket_id = make_basket((1, 1))
    raw = json.dumps({"event_id": "ev-replay", "event_data_time": "2025-01-01T10:00:00Z", "event_type": "PRODUCTS_QUANTITY",
                      "quantity_event_data": [{"product_id": "1", "quantity": {"quantity": 2, "quantity_type": "INTEGER"}}]}
                     ).encode()  # fmt: skip
    headers = signer.headers(raw)
    assert replay(client, "POST", f"/v1/izi/basket/{basket_id}/event", headers, raw).status_code == 200
    before = snapshot()
    assert_json_error(
        replay(client, "POST", f"/v1/izi/basket/{basket_id}/event", headers, raw), 401, "INVALID_SIGNATURE"
    )
    assert snapshot() == before


def test_a_get_signature_does_not_open_a_delete_of_another_basket(app, client, signer, make_basket, no_traceback):
    read, bound = make_basket((1, 1)), make_basket((2, 1))
    with app.app_context():
        db.session.add(InPostBasket(basket_id=bound, binding_status="bound"))
        db.session.commit()
    headers = signer.headers(b"")  # what an eavesdropper saw on InPost's GET of `read`
    assert replay(client, "GET", f"/v1/izi/basket/{read}", headers).status_code == 200
    assert_json_error(replay(client, "DELETE", f"/v1/izi/basket/{bound}/binding", headers), 401, "INVALID_SIGNATURE")
    with app.app_context():
        assert db.session.get(InPostBasket, bound).binding_status == "bound"


def replayed_across_processes(config: dict, signer) -> tuple[int, int]:
    one, two = make_shop(config, signer), make_shop(config, signer)
    with one.app_context():
        ensure_database()
    headers = signer.headers(b"")
    try:
        first = replay(one.test_client(), "GET", "/v1/izi/order/1", headers).status_code
        second = replay(two.test_client(), "GET", "/v1/izi/order/1", headers).status_code
    finally:
        for shop in (one, two):
            with shop.app_context():
                db.session.remove()
                db.engine.dispose()
    return first, second


def test_replay_across_processes_on_sqlite(tmp_path, signer):
    assert replayed_across_processes({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}",
                                      "INPOST_PAY_OUTBOX_WORKER": False}, signer) == (404, 401)  # fmt: skip


def test_replay_across_processes_on_postgresql(postgres_db, signer):  # noqa: F811
    assert replayed_across_processes(postgres_db, signer) == (404, 401)


def test_rows_whose_window_closed_are_pruned(app, monkeypatch):
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        assert claim("old-signature", long_ago)
        assert not claim("old-signature", long_ago)  # still unique until pruned
        monkeypatch.setattr("inpost_pay.replay._pruned_at", 0.0)
        assert claim("new-signature", datetime.now(UTC))
        kept = db.session.scalars(select(UsedSignature.signature_sha256)).all()
        assert len(kept) == 1 and db.session.scalar(select(func.count()).select_from(UsedSignature)) == 1
