"""The developer page `GET /sandbox/` (conversation log + fault switches) and the JSON-only
rule of the fault switch endpoint (sandbox/devtools.py)."""

from __future__ import annotations

import re

import pytest

from tests.integration.sandbox.conftest import PHONE

ELSEWHERE = {"REMOTE_ADDR": "10.1.2.3"}


def rows(html: str) -> list[str]:
    return re.findall(r'<details class="entry" data-id="\d+">.*?</details>', html, re.S)


def test_page_shows_calls_newest_first_with_bodies_and_masked_phones(client, auth, bound_basket, basket_doc):
    basket_doc["products"][0]["base_price"]["vat"] = "9.99"
    client.put("/v1/izi/basket/b-1", headers=auth, json=basket_doc)  # refused: gross != net + vat
    answer = client.get("/sandbox/")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert "Dziennik rozmowy" in html and "Przełączniki awarii" in html
    found = rows(html)
    # token calls, the PHONE binding, the confirmation to the merchant, the broken PUT
    assert len(found) == len(client.get("/sandbox/log").json["entries"]) >= 4
    newest = found[0]
    assert "PUT" in newest and "/v1/izi/basket/b-1" in newest
    assert 'class="status st-client">400<' in newest
    assert "1 naruszenie" in newest and "<code>products[0].base_price</code> — " in newest
    assert "bearer ok" in newest
    assert 'href="/sandbox/?basket_id=b-1"' in newest
    # the outbound confirmation: arrow towards the shop, the key version, a 200, both bodies
    confirmation = next(r for r in found if "/confirmation" in r)
    assert "do sklepu" in confirmation and "key v1" in confirmation and "st-ok" in confirmation
    assert "bez naruszeń" in confirmation
    assert "&#34;currency&#34;: &#34;PLN&#34;" in confirmation  # pretty-printed, escaped JSON
    # phone numbers appear only masked (log.py masks before storing)
    binding = next(r for r in found if "POST" in r and r.count("/binding") and "202" in r)
    assert "60*****00" in binding
    assert PHONE["phone"] not in html
    assert "demo-shop-secret" not in html


def test_filter_by_basket(client, auth):
    for basket_id in ("b-1", "b-2"):
        client.get(f"/v1/izi/basket/{basket_id}/binding", headers=auth)
    only_b2 = client.get("/sandbox/?basket_id=b-2").get_data(as_text=True)
    assert len(rows(only_b2)) == 1 and "/v1/izi/basket/b-2/binding" in only_b2
    assert "/v1/izi/basket/b-1/binding" not in only_b2
    assert 'value="b-2"' in only_b2 and 'data-basket-id="b-2"' in only_b2
    everything = client.get("/sandbox/?basket_id=").get_data(as_text=True)
    assert "/v1/izi/basket/b-1/binding" in everything and "/v1/izi/basket/b-2/binding" in everything


def test_filter_matching_nothing_and_empty_log(client):
    html = client.get("/sandbox/?basket_id=nie-ma").get_data(as_text=True)
    assert rows(html) == [] and "Brak wywołań dla koszyka" in html


def test_filter_too_long_is_refused(client):
    answer = client.get("/sandbox/?basket_id=" + "x" * 201)
    assert (answer.status_code, answer.json["error_code"]) == (400, "MALFORMED_REQUEST")
    assert answer.json["error_message"].startswith("basket_id:")


def test_page_escapes_what_the_merchant_sent(client, auth):
    client.get("/v1/izi/basket/<script>alert(1)<%2Fscript>/binding", headers=auth)
    html = client.get("/sandbox/").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_page_shows_the_fault_switches_off(client):
    html = client.get("/sandbox/").get_data(as_text=True)
    assert "Wyłączone — API odpowiada normalnie" in html and 'data-mode=""' in html


@pytest.mark.parametrize(
    ("switch", "shown"),
    [
        ({"mode": "fail_next", "count": 1}, "Następne <strong>1</strong> wywołanie API odpowie 503"),
        ({"mode": "fail_next", "count": 3}, "Kolejne <strong>3</strong> wywołania API odpowiedzą 503"),
        ({"mode": "fail_next", "count": 12}, "Kolejnych <strong>12</strong> wywołań API odpowie 503"),
        ({"mode": "unavailable", "seconds": 30}, "API odpowiada <strong>503</strong> — jeszcze 30 s"),
        ({"mode": "unavailable"}, "API odpowiada <strong>503</strong> do wyłączenia"),
        (
            {"mode": "slow", "delay_ms": 2000, "seconds": 30},
            "API odpowiada <strong>wolno (2000 ms)</strong> — jeszcze 30 s",
        ),
    ],
)
def test_page_shows_the_fault_switches_state(client, switch, shown):
    assert client.post("/sandbox/faults", json=switch).status_code == 200
    html = client.get("/sandbox/").get_data(as_text=True)
    assert shown in html and f'data-mode="{switch["mode"]}"' in html


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.5", "2001:db8::1"])
def test_page_answers_only_on_loopback(client, address):
    answer = client.get("/sandbox/", environ_base={"REMOTE_ADDR": address})
    assert (answer.status_code, answer.json["error_code"]) == (403, "FORBIDDEN")
    assert client.get("/sandbox/", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},  # what a cross-site <form enctype="text/plain"> sends
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},
    ],
)
def test_fault_switch_takes_json_content_type_only(client, headers):
    answer = client.post("/sandbox/faults", data='{"mode": "unavailable", "seconds": 30}', headers=headers)
    assert (answer.status_code, answer.json["error_code"]) == (415, "MALFORMED_REQUEST")
    assert answer.json["error_message"].startswith("Content-Type:")
    assert client.get("/sandbox/faults").json["mode"] is None


def test_fault_switch_with_json_content_type_and_charset(client):
    answer = client.post("/sandbox/faults", data='{"mode": "fail_next", "count": 2}',
                         headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    assert answer.status_code == 200 and answer.json["count"] == 2
