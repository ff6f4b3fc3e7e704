"""The shop's Widget 2.0 side (widget/v2.py) against the live sandbox: the key endpoints behind
`unboundWidgetClicked`, the v2 template, and the update-only basket PUT after a shop-side change."""

from __future__ import annotations

import re

import pytest
import requests

from tests.conftest import ShopClient
from tests.integration.widget.conftest import TIMEOUT, Phone
from tests.live import live_pair

MERCHANT_CLIENT_ID = "00000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with live_pair(tmp_path_factory.mktemp("widget2"), shop_extra={"INPOST_PAY_WIDGET_VERSION": 2}) as live:
        live.shop_app.test_client_class = ShopClient
        yield live


@pytest.fixture
def client(pair) -> ShopClient:
    return pair.shop_app.test_client()


@pytest.fixture
def faults(pair):
    def switch(**mode):
        assert requests.post(f"{pair.sandbox.url}/sandbox/faults", json=mode, timeout=TIMEOUT).status_code == 200

    yield switch
    requests.delete(f"{pair.sandbox.url}/sandbox/faults", timeout=TIMEOUT)


def inpost_calls(pair, path_part: str) -> list[dict]:
    entries = requests.get(f"{pair.sandbox.url}/sandbox/log?limit=1000", timeout=TIMEOUT).json()["entries"]
    return [e for e in entries if e["direction"] == "inbound" and path_part in e["path"]]


def widget_api(pair, method: str, path: str, key: str, body: dict | None = None) -> requests.Response:
    """What InPost's widget script sends from the shop's page."""
    headers = {"Origin": pair.shop.url, "X-Merchant-Client-Id": MERCHANT_CLIENT_ID, "X-Basket-Binding-Api-Key": key}
    return requests.request(method, f"{pair.sandbox.url}/widget/v2{path}", headers=headers, json=body, timeout=TIMEOUT)


def test_add_product_gives_the_key_once_per_basket(pair, client):
    added = client.post("/izi/v2/add-product", json={"product_id": 1})
    assert added.status_code == 200, added.json
    key = added.json["basket_binding_api_key"]
    assert added.json["count"] == 1
    basket_id = client.get("/koszyk").data  # the page carries the key for the widget
    assert f'data-binding-key="{key}"'.encode() in basket_id
    calls = len(inpost_calls(pair, "/v2/izi/basket/"))
    again = client.post("/izi/v2/binding-key")
    assert again.status_code == 200 and again.json == {"basket_binding_api_key": key, "count": 1}
    assert len(inpost_calls(pair, "/v2/izi/basket/")) == calls  # kept with the session: InPost not asked again


def test_v2_pages_place_the_v2_widget(pair, client):
    page = client.get("/produkt/kawa-etiopia-yirgacheffe").get_data(as_text=True)
    assert re.search(r'<inpost-izi-button binding_place="PRODUCT_CARD" language="pl" variation="rounded primary size-md"'
                     r'\s*data-product-id="1"', page)  # fmt: skip
    assert "/inpostpay.widget.v2.js" in page and "izi-v2-glue.js" in page
    assert "izi-glue.js" not in page and "inpostizi.js" not in page
    assert f'data-merchant-client-id="{MERCHANT_CLIENT_ID}"' in page


def test_binding_key_needs_a_basket_with_products(client):
    answer = client.post("/izi/v2/binding-key")
    assert (answer.status_code, answer.json["error_code"]) == (400, "EMPTY_BASKET")


@pytest.mark.parametrize("path", ["/izi/v2/binding-key", "/izi/v2/add-product"])
def test_key_endpoints_need_the_csrf_token(client, path):
    answer = client.post(path, json={"product_id": 1}, csrf=False)
    assert answer.status_code == 400 and answer.json["error_code"] == "CSRF_FAILED"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [(b"{nope", 400, "MALFORMED_REQUEST"), (b'{"product_id": 99999}', 404, "PRODUCT_NOT_FOUND"),
     (b'{"product_id": 1, "quantity": [1]}', 400, "INVALID_QUANTITY")],
    ids=["not-json", "unknown-product", "quantity-type"],
)  # fmt: skip
def test_add_product_refuses_bad_input_and_keeps_no_basket(pair, client, body, status, code):
    answer = client.post("/izi/v2/add-product", data=body, content_type="application/json")
    assert (answer.status_code, answer.json["error_code"]) == (status, code)
    assert client.get("/koszyk.json").json["count"] == 0


def test_inpost_down_is_a_quick_503_and_the_shop_keeps_the_product(client, faults):
    faults(mode="unavailable")
    answer = client.post("/izi/v2/add-product", json={"product_id": 1})
    assert (answer.status_code, answer.json["error_code"]) == (503, "INPOST_UNAVAILABLE")
    assert client.get("/koszyk.json").json["count"] == 1  # the website still sells


def test_shop_side_change_of_a_bound_basket_is_one_v2_put(pair, client):
    key = client.post("/izi/v2/add-product", json={"product_id": 1}).json["basket_binding_api_key"]
    phone = Phone(pair.sandbox.url)
    asked = widget_api(pair, "POST", "/binding", key, {"binding_method": "PHONE",
                       "phone_number": {"country_prefix": "+48", "phone": phone.phone}})  # fmt: skip
    assert asked.status_code == 202, asked.text
    phone.accept_latest()
    assert client.get("/izi/is-bound").json["basket_linked"] is True  # InPost's confirmation reached the shop

    before = len(inpost_calls(pair, "/v2/izi/basket/"))
    assert client.post("/izi/v2/add-product", json={"product_id": 3}).status_code == 200
    puts = inpost_calls(pair, "/v2/izi/basket/")[: len(inpost_calls(pair, "/v2/izi/basket/")) - before]
    assert [(e["method"], e["status"]) for e in puts] == [("PUT", 200)]
    assert not inpost_calls(pair, "/v1/izi/basket/")  # no Widget 1.0 call at all
    assert widget_api(pair, "GET", "/binding", key).json()["count"] == 2


def test_version_1_has_no_v2_endpoints(tmp_path):
    with live_pair(tmp_path / "v1") as live:
        client = live.shop_app.test_client()
        assert client.post("/izi/v2/binding-key").status_code in (400, 404)  # CSRF or unknown, never served
        assert "izi-v2-glue.js" not in client.get("/").get_data(as_text=True)
