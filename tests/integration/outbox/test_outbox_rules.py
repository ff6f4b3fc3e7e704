"""The outbox and the order events, in-process: what is written, when, and how it is sent.

The worker's HTTP client is a `RecordingClient`, so each rule is checked on its own:
same transaction as the change, the body of docs/inpost-pay-api.md §5.5, per-order order, exclusive
claims, backoff with jitter, dead letter and retry.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app import create_app
from inpost_pay import order_sync, outbox
from inpost_pay.errors import InPostBadRequest, InPostConflict, InPostNotFound, InPostUnavailable
from inpost_pay.models import InPostBasket
from storefront import orders as order_service
from storefront.extensions import db
from storefront.models import Order, utcnow

from .helpers import RecordingClient, error, make_order, messages

SETTINGS = outbox.Settings(interval=0.01, backoff_base=1.0, backoff_cap=60.0, jitter=0.2, max_attempts=3, lease=30)


def change(app, order_id: int, action) -> None:
    with app.app_context():
        order = db.session.get(Order, order_id)
        action(order)
        db.session.commit()


def send_all(app, client, settings=SETTINGS, worker="w1") -> dict:
    with app.app_context():
        return outbox.drain(worker, client, settings)


# --- what is written ------------------------------------------------------------------------------


def test_a_status_change_writes_one_event_in_the_same_transaction(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    [message] = messages(app, order_id)
    body = message["body"]
    assert message["kind"] == "order_event" and message["key"] == f"order:{order_id}"
    assert message["status"] == "pending" and message["attempts"] == 0
    assert set(body) == {"event_id", "event_data_time", "event_data"}
    assert len(body["event_id"]) == 36  # a uuid4, made once: every retry resends it
    assert body["event_data_time"].endswith("Z") and "T" in body["event_data_time"]
    assert body["event_data"] == {
        "order_merchant_status_description": "W trakcie realizacji",
        "delivery_references_list": [],
    }


def test_a_rolled_back_change_leaves_no_event(app):
    order_id = make_order(app)
    with app.app_context():
        order = db.session.get(Order, order_id)
        order_service.change_status(order, "processing")
        order_service.add_tracking(order, "620000111")
        db.session.rollback()
    assert messages(app, order_id) == []
    with app.app_context():  # the session's bookkeeping of "this transaction's event" is gone too
        order = db.session.get(Order, order_id)
        order_service.add_tracking(order, "620000222")
        db.session.commit()
    [message] = messages(app, order_id)
    assert message["body"]["event_data"]["delivery_references_list"] == ["620000222"]


def test_a_refused_change_writes_nothing(app, client):
    order_id = make_order(app)
    client.post("/admin/login", data={"password": "test-admin"})
    answer = client.post(f"/admin/zamowienia/{order_id}/status", data={"status": "nonsense"})
    assert answer.status_code == 302
    answer = client.post(f"/admin/zamowienia/{order_id}/przesylki", data={"number": "not valid!"})
    assert answer.status_code == 302
    assert messages(app, order_id) == []


def test_website_orders_never_reach_inpost(app):
    order_id = make_order(app, channel="website")
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    change(app, order_id, lambda o: order_service.add_tracking(o, "620000333"))
    assert messages(app) == []


def test_tracking_numbers_go_as_the_whole_list_with_the_current_label(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "shipped", "Paczka w drodze"))
    change(app, order_id, lambda o: order_service.add_tracking(o, "620000111"))
    change(app, order_id, lambda o: order_service.add_tracking(o, "620000222"))
    bodies = [m["body"]["event_data"] for m in messages(app, order_id)]
    assert bodies == [
        {"order_merchant_status_description": "Paczka w drodze", "delivery_references_list": []},
        {"order_merchant_status_description": "Paczka w drodze", "delivery_references_list": ["620000111"]},
        {"order_merchant_status_description": "Paczka w drodze",
         "delivery_references_list": ["620000111", "620000222"]},
    ]  # fmt: skip
    assert len({m["body"]["event_id"] for m in messages(app, order_id)}) == 3


def test_cancelling_is_one_event_with_order_rejected(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.cancel(o))
    [message] = messages(app, order_id)
    assert message["body"]["event_data"] == {
        "order_status": "ORDER_REJECTED",
        "order_merchant_status_description": "Anulowane",
        "delivery_references_list": [],
    }
    # InPost takes nothing after a final status (docs/inpost-pay-api.md §8.8): a relabel stays local.
    change(app, order_id, lambda o: order_service.change_status(o, "cancelled", "Anulowane na prośbę klienta"))
    assert len(messages(app, order_id)) == 1


@pytest.mark.parametrize("payment_status", ["UNPAID", "DECLINED", "COD"])
def test_completed_on_the_website_sends_order_completed_for_an_unpaid_order(app, payment_status):
    order_id = make_order(app, payment_status=payment_status)
    change(app, order_id, lambda o: order_service.complete_on_website(o))
    [message] = messages(app, order_id)
    assert message["body"]["event_data"]["order_status"] == "ORDER_COMPLETED"
    assert message["body"]["event_data"]["order_merchant_status_description"] == "Zrealizowane"


def test_completed_on_the_website_is_refused_for_an_order_paid_in_the_app(app, client):
    order_id = make_order(app, payment_status="AUTHORIZED")
    with app.app_context(), pytest.raises(order_service.OrderError, match="opłacono"):
        order_service.complete_on_website(db.session.get(Order, order_id))
    client.post("/admin/login", data={"password": "test-admin"})
    page = client.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)
    assert "Sfinalizowane w sklepie" not in page  # not offered at all
    answer = client.post(f"/admin/zamowienia/{order_id}/sfinalizowane", data={"confirm": "yes"}, follow_redirects=True)
    assert "nie można go oznaczyć jako sfinalizowane" in answer.get_data(as_text=True)
    assert messages(app, order_id) == []
    with app.app_context():
        assert db.session.get(Order, order_id).status != "completed"


def test_completed_on_the_website_in_the_back_office(app, client):
    order_id = make_order(app, payment_status="UNPAID")
    client.post("/admin/login", data={"password": "test-admin"})
    page = client.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)
    assert "Sfinalizowane w sklepie" in page and 'id="inpost-panel"' in page
    unconfirmed = client.post(f"/admin/zamowienia/{order_id}/sfinalizowane", data={}, follow_redirects=True)
    assert "Zaznacz potwierdzenie" in unconfirmed.get_data(as_text=True)
    assert messages(app, order_id) == []
    done = client.post(f"/admin/zamowienia/{order_id}/sfinalizowane", data={"confirm": "yes"}, follow_redirects=True)
    assert "sfinalizowane w sklepie internetowym" in done.get_data(as_text=True)
    [message] = messages(app, order_id)
    assert message["body"]["event_data"]["order_status"] == "ORDER_COMPLETED"
    website = make_order(app, channel="website")
    answer = client.post(f"/admin/zamowienia/{website}/sfinalizowane", data={"confirm": "yes"}, follow_redirects=True)
    assert "złożono w sklepie internetowym" in answer.get_data(as_text=True)


def test_changes_made_for_inpost_are_not_echoed_back(app):
    """A payment event from InPost moves the order to "paid"; InPost already knows."""
    order_id = make_order(app)
    with app.test_request_context(f"/v1/izi/order/{order_id}/event", method="POST"):
        order = db.session.get(Order, order_id)
        order_service.record_payment(order, "AUTHORIZED")
        order_service.cancel(order, note="Odrzucone w aplikacji InPost")
        db.session.commit()
    assert messages(app, order_id) == []


def test_the_label_mapping_comes_from_the_configuration(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'labels.db'}",
            "INPOST_PAY_STATUS_LABELS": '{"processing": "Kompletujemy zamówienie", "shipped": "Nadane"}',
        }
    )
    with app.app_context():
        from storefront.seed import ensure_database

        ensure_database()
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    change(app, order_id, lambda o: order_service.change_status(o, "shipped", "Wysłane kurierem"))  # own words win
    change(app, order_id, lambda o: order_service.change_status(o, "delivered"))  # not mapped: the shop's name
    labels = [m["body"]["event_data"]["order_merchant_status_description"] for m in messages(app, order_id)]
    assert labels == ["Kompletujemy zamówienie", "Wysłane kurierem", "Dostarczone"]
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    "value, problem",
    [
        ("{not json", "not valid JSON"),
        ('["W trakcie"]', "must be a JSON object"),
        ('{"teleported": "Teleportowane"}', "unknown shop status"),
        ('{"processing": ""}', "1-120 characters"),
        ('{"processing": 5}', "1-120 characters"),
    ],
)
def test_a_bad_label_mapping_stops_the_start(tmp_path, value, problem):
    with pytest.raises(order_sync.LabelsError, match=problem):
        create_app(
            {"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
             "INPOST_PAY_STATUS_LABELS": value}
        )  # fmt: skip


# --- how it is sent --------------------------------------------------------------------------------


def test_the_worker_sends_the_stored_body_and_marks_it_sent(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    client = RecordingClient()
    assert send_all(app, client) == {"sent": 1}
    [message] = messages(app, order_id)
    assert client.calls == [("order_event", str(order_id), message["body"]["event_id"], message["body"])]
    assert message["status"] == "sent" and message["attempts"] == 1 and message["sent_at"] is not None
    assert send_all(app, client) == {}  # nothing twice


def test_one_order_goes_in_order_while_others_go_alongside(app):
    first, second = make_order(app), make_order(app)
    for status in ("processing", "shipped", "delivered"):
        change(app, first, lambda o, s=status: order_service.change_status(o, s))
    change(app, second, lambda o: order_service.change_status(o, "processing"))
    with app.app_context():
        a = outbox.claim_next("w1", SETTINGS)
        b = outbox.claim_next("w2", SETTINGS)  # the first order's next one waits: the second order's goes
        c = outbox.claim_next("w3", SETTINGS)
    assert (a.order_id, b.order_id, c) == (str(first), str(second), None)
    with app.app_context():
        outbox.record(a, SETTINGS, answer={})
        d = outbox.claim_next("w3", SETTINGS)
    assert d.order_id == str(first)
    assert d.body["event_data"]["order_merchant_status_description"] == "Wysłane"


def test_a_claim_is_exclusive_until_its_lease_runs_out(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    with app.app_context():
        taken = outbox.claim_next("w1", SETTINGS)
        assert outbox.claim_next("w2", SETTINGS) is None
        later = utcnow() + timedelta(seconds=SETTINGS.lease + 1)
        retaken = outbox.claim_next("w2", SETTINGS, now=later)  # w1 died mid-send
    assert retaken.id == taken.id and retaken.body == taken.body  # same event_id goes again
    with app.app_context():
        assert outbox.record(taken, SETTINGS, answer={}) is None  # w1's late answer does not count
        assert outbox.record(retaken, SETTINGS, answer={}) == "sent"
    assert messages(app, order_id)[0]["attempts"] == 1


def test_threads_draining_together_send_each_message_once(app):
    order_ids = [make_order(app) for _ in range(4)]
    for order_id in order_ids:
        for status in ("processing", "shipped", "delivered"):
            change(app, order_id, lambda o, s=status: order_service.change_status(o, s))
    client = RecordingClient()

    def drain(name):
        with app.app_context():
            outbox.drain(name, client, SETTINGS)
            db.session.remove()

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    sent_ids = [call[2] for call in client.calls]
    assert len(sent_ids) == len(set(sent_ids)) == 12
    for order_id in order_ids:  # and each order's events in the order they were made
        made = [m["body"]["event_id"] for m in messages(app, order_id)]
        assert [c[2] for c in client.calls if c[1] == str(order_id)] == made


@pytest.mark.parametrize(
    "attempts, low, high", [(1, 0.8, 1.2), (2, 1.6, 2.4), (4, 6.4, 9.6), (6, 25.6, 38.4), (12, 48.0, 60.0)]
)
def test_backoff_doubles_with_twenty_percent_jitter_and_a_cap(attempts, low, high):
    delays = [outbox.backoff_delay(attempts, SETTINGS, rng=lambda v=v: v) for v in (0.0, 0.25, 0.5, 0.75, 0.999999)]
    assert all(low - 1e-9 <= d <= high + 1e-9 for d in delays)
    assert delays[0] == pytest.approx(low) and delays[-1] == pytest.approx(high, rel=1e-4)
    assert delays == sorted(delays)


def test_unavailable_is_retried_with_backoff_then_dead_and_retried_by_hand(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    change(app, order_id, lambda o: order_service.add_tracking(o, "620000444"))
    client = RecordingClient()
    client.failures = [error(InPostUnavailable, 503, "SERVICE_UNAVAILABLE") for _ in range(3)]
    for attempt in (1, 2):
        before = utcnow()
        assert send_all(app, client) == {"pending": 1}
        head = messages(app, order_id)[0]
        assert head["attempts"] == attempt and "503 SERVICE_UNAVAILABLE" in head["last_error"]
        wait = (head["next_attempt_at"] - before).total_seconds()
        assert 0.8 * 2 ** (attempt - 1) - 0.05 <= wait <= 1.2 * 2 ** (attempt - 1) + 0.05
        with app.app_context():  # make it due now instead of waiting
            db.session.get(outbox.OutboxMessage, head["id"]).next_attempt_at = utcnow()
            db.session.commit()
    assert send_all(app, client) == {"dead": 1}  # third failure = max_attempts
    head, tail = messages(app, order_id)
    assert (head["status"], head["attempts"], tail["status"]) == ("dead", 3, "pending")
    assert send_all(app, client) == {}  # the dead one holds back its successor
    with app.app_context():
        assert outbox.blocked_ids(db.session.scalars(db.select(outbox.OutboxMessage)).all()) == {tail["id"]}
        outbox.retry(head["id"])
        db.session.commit()
    assert send_all(app, client) == {"sent": 2}
    assert [c[2] for c in client.calls[-2:]] == [head["body"]["event_id"], tail["body"]["event_id"]]
    assert messages(app, order_id)[0]["attempts"] == 1  # counted afresh after the retry


@pytest.mark.parametrize(
    "failure",
    [
        error(InPostConflict, 409, "STATUS_ORDER_ERROR"),
        error(InPostBadRequest, 400, "MALFORMED_REQUEST"),
        error(InPostNotFound, 404, "ORDER_NOT_FOUND"),
    ],
)
def test_an_answer_a_repeat_cannot_change_is_dead_at_once(app, failure):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    client = RecordingClient()
    client.failures = [failure]
    assert send_all(app, client) == {"dead": 1}
    [message] = messages(app, order_id)
    assert message["attempts"] == 1 and failure.error_code in message["last_error"]


def test_discarding_a_dead_message_lets_the_next_one_go(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    change(app, order_id, lambda o: order_service.change_status(o, "shipped"))
    client = RecordingClient()
    client.failures = [error(InPostConflict, 409, "STATUS_ORDER_ERROR")]
    assert send_all(app, client) == {"dead": 1}
    head, tail = messages(app, order_id)
    with app.app_context():
        with pytest.raises(outbox.OutboxError):
            outbox.retry(tail["id"])  # only dead ones
        outbox.discard(head["id"])
        db.session.commit()
    assert send_all(app, client) == {"sent": 1}
    assert [m["status"] for m in messages(app, order_id)] == ["discarded", "sent"]


def test_a_bug_in_sending_is_recorded_and_retried_not_lost(app):
    order_id = make_order(app)
    change(app, order_id, lambda o: order_service.change_status(o, "processing"))
    client = RecordingClient()
    client.failures = [RuntimeError("boom")]
    assert send_all(app, client) == {"pending": 1}
    assert "RuntimeError: boom" in messages(app, order_id)[0]["last_error"]


# --- unbinding ----------------------------------------------------------------------------------


def test_unbinding_a_bound_basket_forgets_it_locally_and_queues_the_call(app):
    from storefront import basket as basket_service

    with app.app_context():
        basket = basket_service.new_basket()
        db.session.add(InPostBasket(basket_id=basket.id, binding_status="bound"))
        db.session.commit()
        basket_id = basket.id
        assert outbox.enqueue_unbind("no-such-basket") is None
        message = outbox.enqueue_unbind(basket_id)
        db.session.commit()
        assert message.ordering_key == f"basket:{basket_id}"
        assert db.session.get(InPostBasket, basket_id).binding_status == "unbound"
        assert outbox.enqueue_unbind(basket_id) is None  # not bound any more: nothing twice
        outbox.enqueue_forget_browser("br-123")
        db.session.commit()
    client = RecordingClient()
    client.failures = [None]  # placeholder replaced below
    client.failures = []
    assert send_all(app, client) == {"sent": 2}
    assert client.calls == [("unbind", basket_id, True), ("forget_browser", "br-123")]


def test_forgetting_a_browser_inpost_no_longer_knows_is_done(app):
    with app.app_context():
        outbox.enqueue_forget_browser("br-gone")
        db.session.commit()
        with pytest.raises(ValueError):
            outbox.enqueue_forget_browser("")
    client = RecordingClient()
    client.failures = [error(InPostNotFound, 404, "BROWSER_NOT_FOUND")]
    assert send_all(app, client) == {"sent": 1}
