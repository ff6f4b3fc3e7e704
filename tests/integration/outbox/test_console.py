"""The integration console (/admin/inpost): sign-in, the outbox, the conversation, bad input."""

from __future__ import annotations

import pytest

from inpost_pay import calllog, outbox
from inpost_pay.models import InPostCall
from storefront import orders as order_service
from storefront.extensions import db
from storefront.models import Order

from .helpers import RecordingClient, error, make_order, messages

SETTINGS = outbox.Settings(max_attempts=1)


@pytest.fixture
def signed_in(client):
    assert client.post("/admin/login", data={"password": "test-admin"}).status_code == 302
    return client


def dead_message(app) -> int:
    """An order with one dead event (InPost refused it) and one held back behind it."""
    order_id = make_order(app)
    with app.app_context():
        order = db.session.get(Order, order_id)
        order_service.change_status(order, "processing")
        db.session.commit()
        order_service.add_tracking(order, "620000555")
        db.session.commit()
        client = RecordingClient()
        client.failures = [error(outbox.InPostUnavailable, 503, "SERVICE_UNAVAILABLE")]
        outbox.drain("w", client, SETTINGS)
    return order_id


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/admin/inpost/"), ("GET", "/admin/inpost/rozmowa"), ("GET", "/admin/inpost/wiadomosci/1"),
     ("GET", "/admin/inpost/rozmowa/1"), ("POST", "/admin/inpost/wiadomosci/1/ponow"),
     ("POST", "/admin/inpost/wiadomosci/1/odrzuc")],
)  # fmt: skip
def test_the_console_needs_the_back_office_sign_in(client, method, path):
    answer = client.open(path, method=method)
    assert answer.status_code == 302 and "/admin/login" in answer.headers["Location"]


def test_the_outbox_page_shows_dead_held_back_and_the_buttons(app, signed_in):
    order_id = dead_message(app)
    dead, held = messages(app, order_id)
    page = signed_in.get("/admin/inpost/").get_data(as_text=True)
    assert 'data-outbox-status="dead"' in page and "503 SERVICE_UNAVAILABLE" in page
    assert "czeka na starszą wiadomość" in page  # the held-back one says why
    assert f"/admin/inpost/wiadomosci/{dead['id']}/ponow" in page
    assert f"/admin/inpost/wiadomosci/{held['id']}/ponow" not in page
    only_dead = signed_in.get("/admin/inpost/?status=dead").get_data(as_text=True)
    assert f'data-outbox-id="{dead["id"]}"' in only_dead and f'data-outbox-id="{held["id"]}"' not in only_dead
    detail = signed_in.get(f"/admin/inpost/wiadomosci/{held['id']}").get_data(as_text=True)
    assert held["body"]["event_id"] in detail and "620000555" in detail and "Czeka, aż starsza" in detail
    order_page = signed_in.get(f"/admin/zamowienia/{order_id}").get_data(as_text=True)
    assert 'id="inpost-panel"' in order_page and "nie wysłana" in order_page


@pytest.mark.parametrize(
    "query, notice",
    [("?status=lost", "Nieznany stan w filtrze"), ("?page=abc", None), ("?page=-3", None), ("?page=99999999", None)],
)
def test_the_outbox_page_takes_bad_filters_calmly(app, signed_in, query, notice):
    dead_message(app)
    answer = signed_in.get("/admin/inpost/" + query)
    assert answer.status_code == 200
    if notice:
        assert notice in answer.get_data(as_text=True)


def test_retry_and_discard_from_the_console(app, signed_in):
    order_id = dead_message(app)
    dead, held = messages(app, order_id)
    refused = signed_in.post(f"/admin/inpost/wiadomosci/{held['id']}/ponow", data={}, follow_redirects=True)
    assert "Ponowić można tylko" in refused.get_data(as_text=True)
    refused = signed_in.post(f"/admin/inpost/wiadomosci/{held['id']}/odrzuc", data={}, follow_redirects=True)
    assert "Odrzucić można tylko" in refused.get_data(as_text=True)
    assert [m["status"] for m in messages(app, order_id)] == ["dead", "pending"]
    done = signed_in.post(f"/admin/inpost/wiadomosci/{dead['id']}/ponow", data={"back": "list"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/inpost/")
    assert [(m["status"], m["attempts"]) for m in messages(app, order_id)] == [("pending", 0), ("pending", 0)]


def test_console_changes_need_the_csrf_token(app, signed_in):
    order_id = dead_message(app)
    dead = messages(app, order_id)[0]
    answer = signed_in.post(f"/admin/inpost/wiadomosci/{dead['id']}/ponow", data={}, csrf=False)
    assert answer.status_code == 400
    assert messages(app, order_id)[0]["status"] == "dead"


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/admin/inpost/wiadomosci/999"), ("GET", "/admin/inpost/wiadomosci/0"),
     ("GET", "/admin/inpost/wiadomosci/99999999999"), ("GET", "/admin/inpost/rozmowa/999"),
     ("POST", "/admin/inpost/wiadomosci/999/ponow"), ("POST", "/admin/inpost/wiadomosci/999/odrzuc"),
     ("GET", "/admin/inpost/wiadomosci/abc")],
)  # fmt: skip
def test_unknown_messages_and_calls_are_404(signed_in, method, path):
    assert signed_in.open(path, method=method).status_code == 404


def test_the_conversation_is_kept_with_phone_numbers_masked(app, signed_in):
    with app.test_request_context("/v1/izi/order/7/event", method="POST"):
        calllog.log_call(
            "inbound", "POST", "/v1/izi/order/7/event", 200, 12.3, order_id="7", verification="ok (key 1)",
            request_body={"event_id": "e-1", "phone_number": {"country_prefix": "+48", "phone": "600123456"}},
            response_body='{"order_merchant_status_description":"Opłacone"}',
        )  # fmt: skip
        calllog.log_call(
            "outbound", "POST", "/v1/izi/order/7/event", 503, 4.0, order_id="7", error_code="SERVICE_UNAVAILABLE"
        )
    page = signed_in.get("/admin/inpost/rozmowa?order_id=7").get_data(as_text=True)  # opening it stores them
    assert "InPost → sklep" in page and "sklep → InPost" in page and "ok (key 1)" in page
    with app.app_context():
        inbound, outbound = db.session.scalars(db.select(InPostCall).order_by(InPostCall.id)).all()
        assert (inbound.direction, outbound.direction, outbound.status) == ("inbound", "outbound", 503)
        assert "SERVICE_UNAVAILABLE" in outbound.response_body
        inbound_id = inbound.id
    detail = signed_in.get(f"/admin/inpost/rozmowa/{inbound_id}").get_data(as_text=True)
    assert "60*****56" in detail and "Opłacone" in detail, detail[detail.find("600123456") - 200 :][:400]
    assert "600123456" not in detail
    assert signed_in.get("/admin/inpost/rozmowa?direction=sideways").status_code == 200
    assert "Nieznany kierunek" in signed_in.get("/admin/inpost/rozmowa?direction=sideways").get_data(as_text=True)
    outbound_only = signed_in.get("/admin/inpost/rozmowa?direction=outbound").get_data(as_text=True)
    assert "ok (key 1)" not in outbound_only


def test_the_back_office_bar_links_the_console(signed_in):
    page = signed_in.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/inpost/"' in page


def test_the_cli_worker_sends_once_and_reports(app, runner):
    """`flask outbox-worker --once`: InPost unreachable here (a closed port): retried later."""
    order_id = make_order(app)
    with app.app_context():
        order_service.change_status(db.session.get(Order, order_id), "processing")
        db.session.commit()
    app.config["INPOST_PAY_API_URL"] = "http://127.0.0.1:9"
    app.config["INPOST_PAY_AUTH_URL"] = "http://127.0.0.1:9/token"
    result = runner.invoke(args=["outbox-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "outbox: pending 1" in result.output
    [message] = messages(app, order_id)
    assert message["attempts"] == 1 and "CONNECTION_ERROR" in message["last_error"]
