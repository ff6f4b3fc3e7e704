"""What every page pays besides its own work, made cheaper without changing what it shows: the
links templates build (remembered), the header's basket (read once), a card drawn twice on one
page (drawn once), the rate limiter's pass before views that no limit applies to (skipped)."""

from __future__ import annotations

import re

import pytest
from flask import Flask, url_for
from flask_limiter.util import get_remote_address
from sqlalchemy import event

from storefront.extensions import RouteLimiter, db
from storefront.templating import page_url


def test_a_remembered_link_is_the_link_url_for_builds(app):
    cases = [
        ("shop.product", {"slug": "kawa-etiopia-yirgacheffe"}),
        ("shop.product", {"slug": "zażółć gęślą/jaźń?"}),  # quoted as url_for quotes it
        ("static", {"filename": "img/logo.svg"}),
        ("shop.home", {}),
        ("shop.home", {"page": "2"}),  # an unknown value goes to the query string
        ("account.order", {"order_id": 7}),  # not a str: built by url_for every time
    ]
    for environ in ({}, {"SCRIPT_NAME": "/sklep"}):
        for _ in range(2):  # the second time from what was remembered
            with app.test_request_context("/", environ_overrides=environ):
                for endpoint, values in cases:
                    assert page_url(endpoint, **values) == url_for(endpoint, **values)
    with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": "/sklep"}):
        assert page_url("shop.home") == "/sklep/"
    remembered = app.extensions["shop_built_urls"]
    assert "/sklep/produkt/kawa-etiopia-yirgacheffe" in remembered.values()
    assert "/produkt/kawa-etiopia-yirgacheffe" in remembered.values()
    assert not any("account.order" in key for key in remembered)


def test_links_are_built_afresh_when_url_defaults_could_change_them(app):
    @app.url_defaults
    def add_campaign(endpoint, values):
        if endpoint == "shop.home":
            values.setdefault("utm", "newsletter")

    with app.test_request_context("/"):
        assert page_url("shop.home") == "/?utm=newsletter"
    assert app.extensions["shop_built_urls"] == {}


def test_the_header_and_the_widget_read_the_sessions_basket_once(app, client):
    client.post("/koszyk/dodaj", data={"product_id": "1", "quantity": "1"})
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda _c, _cur, statement, *_: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get("/").text
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert re.search(r'data-basket-count>1<', page)
    assert len([s for s in statements if re.match(r"\s*SELECT basket\.id", s)]) == 1, statements


def test_a_card_drawn_once_per_page_is_drawn_anew_for_the_next_request(app, client):
    home = client.get("/").text
    cards = re.findall(r'<article class="card product-card">.*?</article>', home, re.S)
    assert len(cards) > len(set(cards))  # promoted products appear twice, the same card
    # An app context that outlives its requests (as here) must not hand the next page the
    # cards of the last one: each card's form goes back to the page it is on.
    product = "/produkt/kawa-etiopia-yirgacheffe"
    with app.app_context():
        client.get("/")
        card = client.get(product).text  # its related products are cards of the home page too
    assert f'name="next" value="{product}"' in card and "Polecane do tego" in card
    assert 'name="next" value="/"' not in card


def _limited_app(limiter: RouteLimiter) -> Flask:
    tiny = Flask("tiny")
    tiny.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter.init_app(tiny)

    @tiny.get("/free")
    def free():
        return "ok"

    @tiny.get("/guarded")
    @limiter.limit("2 per minute")
    def guarded():
        return "ok"

    return tiny


def test_a_route_limit_is_still_enforced_without_the_pass_before_views():
    client = _limited_app(RouteLimiter(key_func=get_remote_address)).test_client()
    assert [client.get("/guarded").status_code for _ in range(3)] == [200, 200, 429]
    assert {client.get("/free").status_code for _ in range(5)} == {200}


@pytest.mark.parametrize("kind", ["default_limits", "application_limits"])
def test_limits_for_every_route_still_run_before_the_view(kind):
    client = _limited_app(RouteLimiter(key_func=get_remote_address, **{kind: ["3 per minute"]})).test_client()
    assert [client.get("/free").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_catalogue_pages_follow_a_change_of_the_catalogue(app, client):
    """The pages read the process's copy of the catalogue: a committed change shows at once."""
    from storefront.models import Product

    slug = "kawa-etiopia-yirgacheffe"
    assert client.get(f"/produkt/{slug}").status_code == 200
    assert "Nowa nazwa kawy" not in client.get("/").text
    with app.app_context():
        product = db.session.query(Product).filter_by(slug=slug).one()
        product.name = "Nowa nazwa kawy"
        db.session.commit()
    assert "Nowa nazwa kawy" in client.get("/").text
    assert "Nowa nazwa kawy" in client.get(f"/produkt/{slug}").text
    with app.app_context():
        db.session.query(Product).filter_by(slug=slug).one().active = False
        db.session.commit()
    assert client.get(f"/produkt/{slug}").status_code == 404
    assert "Nowa nazwa kawy" not in client.get("/").text
