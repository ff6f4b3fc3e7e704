"""What the simulator UI needs beyond the core app API: the parcel-locker list and the
merchant's name on requests, baskets and orders (README "The phone-app JSON API")."""

from __future__ import annotations

import pytest

from tests.integration.sandbox.conftest import PHONE

CHECKOUT = {
    "delivery_type": "APM",
    "delivery_point": "KRA010",
    "payment_type": "BLIK_CODE",
    "consents": {"regulamin": True, "rodo": True},
    "outcome": "AUTHORIZED",
}


# -- GET /app/api/lockers ---------------------------------------------------------------


def test_lockers_lists_every_locker_without_a_query(phone_app):
    lockers = phone_app.get("/app/api/lockers").json["lockers"]
    assert len(lockers) >= 10
    assert {"code", "city", "street", "postal_code", "description"} <= set(lockers[0])
    assert lockers[0]["code"] == "KRA010"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kra010", {"KRA010"}),
        ("Warszawa metra", {"WAW22A"}),
        ("  gdańsk  ", {"GDA117M"}),
        ("lipowa", {"KRA01M", "BIA03M"}),
        ("Atlantyda", set()),
    ],
)
def test_lockers_filter_on_every_word(phone_app, query, codes):
    answer = phone_app.get("/app/api/lockers", query_string={"q": query})
    assert answer.status_code == 200
    assert {locker["code"] for locker in answer.json["lockers"]} == codes


def test_lockers_refuse_an_overlong_query(phone_app):
    answer = phone_app.get("/app/api/lockers", query_string={"q": "x" * 101})
    assert answer.status_code == 400
    assert answer.json["error_code"] == "INVALID_INPUT"
    assert answer.json["error_message"].startswith("q:")


def test_lockers_need_a_signed_in_phone(client):
    answer = client.get("/app/api/lockers")
    assert (answer.status_code, answer.json["error_code"]) == (401, "UNAUTHORIZED")


def test_every_listed_locker_is_accepted_by_checkout(phone_app):
    """The picker must never offer a code the checkout's delivery_point check refuses."""
    from sandbox.app_actions.checkout import LOCKER_ID

    for locker in phone_app.get("/app/api/lockers").json["lockers"]:
        assert LOCKER_ID.match(locker["code"]), locker


# -- the merchant's name -------------------------------------------------------------------


def test_requests_name_the_merchant_and_have_no_summary_before_the_basket_is_known(
    app, client, auth, phone_app, merchant
):
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    (request,) = phone_app.get("/app/api/requests").json["requests"]
    assert request["merchant"] == {"name": app.config["SANDBOX_MERCHANT_URL"].split("//")[1],
                                   "url": app.config["SANDBOX_MERCHANT_URL"]}  # fmt: skip
    assert request["basket_summary"] is None


def test_a_request_for_a_basket_inpost_holds_shows_its_summary(client, auth, phone_app, bound_basket):
    # Linked once, unlinked in the app, then the shop asks to link it again: InPost still
    # holds the basket it was sent, so the request can show what is in it.
    inpost_basket_id = bound_basket["inpost_basket_id"]
    assert phone_app.delete(f"/app/api/baskets/{inpost_basket_id}").status_code == 200
    client.post("/v1/izi/basket/b-1/binding", headers=auth, json={"binding_method": "PHONE", "phone_number": PHONE})
    (request,) = phone_app.get("/app/api/requests").json["requests"]
    assert request["basket_summary"]["inpost_basket_id"] == inpost_basket_id
    assert request["basket_summary"]["basket_final_price"]["gross"] == "36.00"
    assert request["basket_summary"]["products_count"] == len(bound_basket["basket"]["products"])


def test_merchant_name_comes_from_the_setting(app, bound_basket, phone_app):
    app.config["SANDBOX_MERCHANT_NAME"] = "Spiżarnia pod Lipą"
    try:
        (summary,) = phone_app.get("/app/api/baskets").json["baskets"]
        detail = phone_app.get(f"/app/api/baskets/{bound_basket['inpost_basket_id']}").json
        assert summary["merchant"]["name"] == detail["merchant"]["name"] == "Spiżarnia pod Lipą"
        placed = phone_app.post(f"/app/api/baskets/{bound_basket['inpost_basket_id']}/checkout", json=CHECKOUT)
        assert placed.status_code == 201, placed.json
        (order,) = phone_app.get("/app/api/orders").json["orders"]
        assert order["merchant"]["name"] == "Spiżarnia pod Lipą"
        assert placed.json["order"]["merchant"]["name"] == "Spiżarnia pod Lipą"
    finally:
        app.config.pop("SANDBOX_MERCHANT_NAME", None)
