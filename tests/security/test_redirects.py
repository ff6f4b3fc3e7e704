"""Class 7: no `next` ever sends the browser off the site, and none gives a 500: the
back-office login (GET and POST) and the basket forms, with a battery of tricky values
(docs/security.md "Redirects")."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from storefront.redirects import safe_target

TRICKY = [
    "//evil.example", "/\t/evil.example", "/\\evil.example", "\\/evil.example", "https://evil.example",
    "http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "/admin/\r\nSet-Cookie: x=1",
    "/admin/\nx", "%2F%2Fevil.example", "/%2F/evil.example", "/%5Cevil.example", "/%09/evil.example",
    "/%0d%0aSet-Cookie:x", "/%252F%252Fevil.example", "///evil.example", " //evil.example",
    "\x00/admin/", "/admin/\x7f", "//evil.example/admin/", "https:/\\evil.example", "／／evil.example",
    "/\u3000/evil.example", "data:text/html,<script>alert(1)</script>", "/" + "a" * 5000, "",
]  # fmt: skip


def assert_on_site(response):
    assert response.status_code < 500, response.status_code
    location = response.headers.get("Location")
    if location is None:
        return
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert parts.scheme in ("", "http"), location
    assert not parts.path.startswith("//") and "\\" not in location, location
    assert not any(ord(c) < 0x20 for c in location), location


@pytest.mark.parametrize("value", TRICKY)
def test_the_helper_never_lets_an_off_site_value_through(value):
    target = safe_target(value, "/fallback")
    assert target == "/fallback" or (target.startswith("/") and not target.startswith("//") and "\\" not in target)
    assert not any(ord(c) < 0x20 for c in target)


@pytest.mark.parametrize("value", ["/admin/", "/admin/zamowienia/1?x=1", "/koszyk", "/produkt/kawa#opis"])
def test_the_helper_keeps_a_path_on_the_site(value):
    assert safe_target(value, "/fallback") == value


def test_admin_login(app, client, no_traceback):  # the whole battery in one app: the suite stays fast
    for value in TRICKY:
        assert_on_site(client.get("/admin/login", query_string={"next": value}))
    for value in TRICKY:
        assert_on_site(client.post("/admin/login", data={"password": "test-admin", "next": value}))
        assert_on_site(client.get("/admin/login", query_string={"next": value}))  # signed in: redirects at once


@pytest.mark.parametrize("path", ["/koszyk/dodaj", "/koszyk/kod"])
def test_basket_forms(path, client, no_traceback):
    for value in TRICKY:
        assert_on_site(client.post(path, data={"product_id": "1", "quantity": "1", "code": "RABAT10", "next": value}))
