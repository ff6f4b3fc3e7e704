"""SQLite transactions take the write lock only to write (storefront/extensions.py).

A GET page's transaction begins deferred and never waits for a writer; a request that may
write, and any unit of work that called begin_write(), begins IMMEDIATE, before its first read.
"""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest
from sqlalchemy import event, select

from storefront import basket as basket_service
from storefront.extensions import begin_write, db
from storefront.models import Product


@pytest.fixture
def begins(app):
    """The BEGIN statements the app's engine issues, in order."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    yield seen
    event.remove(engine, "before_cursor_execute", listen)


def database_file(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def test_pages_begin_deferred_and_changes_begin_immediate(client, begins):
    client.csrf_token()  # read before: fetching it is a GET of its own
    begins.clear()
    assert client.get("/").status_code == 200
    assert client.get("/produkt/kawa-etiopia-yirgacheffe").status_code == 200
    assert begins and set(begins) == {"BEGIN"}
    begins.clear()
    added = client.post("/koszyk/dodaj", json={"product_id": 1, "quantity": 1}, headers={"Accept": "application/json"})
    assert added.status_code == 200
    assert begins[0] == "BEGIN IMMEDIATE"


def test_a_page_renders_while_another_connection_holds_the_write_lock(app, client):
    client.get("/")
    writer = sqlite3.connect(database_file(app), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE product SET stock = stock WHERE id = 1")
        started = time.monotonic()
        assert client.get("/").status_code == 200
        assert client.get("/produkt/kawa-etiopia-yirgacheffe").status_code == 200
        assert time.monotonic() - started < 5  # busy_timeout is 15 s: nobody waited for the lock
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_begin_write_ends_the_read_transaction_and_the_writer_begins_immediate(app, begins):
    with app.test_request_context("/", method="GET"):
        db.session.scalar(select(Product).where(Product.id == 1))
        assert begins == ["BEGIN"]
        begin_write()
        assert not db.session().in_transaction()  # the read-only transaction was ended
        basket = basket_service.new_basket()
        basket_service.add_product(basket, 1, 2)
        db.session.commit()
        assert begins == ["BEGIN", "BEGIN IMMEDIATE"]
        db.session.scalar(select(Product).where(Product.id == 3))  # the request stays a writer
        assert begins[-1] == "BEGIN IMMEDIATE"
        db.session.rollback()


def test_lock_basket_in_a_read_request_waits_for_the_writer_and_sees_its_change(app, make_basket_id):
    basket_id = make_basket_id()
    writer = sqlite3.connect(database_file(app), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE basket SET version = version + 1 WHERE id = ?", (basket_id,))
    with app.test_request_context("/", method="GET"):
        before = basket_service.get_basket(basket_id).version  # a deferred read: does not wait
        writer.execute("COMMIT")
        writer.close()
        locked = basket_service.lock_basket(basket_id)  # ends the read, re-reads under the lock
        assert locked.version == before + 1
        db.session.rollback()


def test_a_write_in_a_read_transaction_is_logged(app, caplog):
    with app.test_request_context("/", method="GET"):
        product = db.session.get(Product, 1)
        product.stock = product.stock
        product.name = product.name + " "
        with caplog.at_level(logging.WARNING, logger="storefront.extensions"):
            db.session.flush()
        db.session.rollback()
    assert "call begin_write() first" in caplog.text


def test_other_requests_and_workers_begin_immediate(app, begins):
    with app.app_context():
        db.session.scalar(select(Product).where(Product.id == 1))
        db.session.rollback()
    with app.test_request_context("/", method="POST"):
        db.session.scalar(select(Product).where(Product.id == 1))
        db.session.rollback()
    assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]


@pytest.fixture
def make_basket_id(app):
    def make() -> str:
        with app.app_context():
            basket = basket_service.new_basket()
            basket_service.add_product(basket, 1, 1)
            db.session.commit()
            return basket.id

    return make
