"""The catalogue each process keeps between transactions (`storefront.catalogue`): read again
only when the database's version of it changes, whoever changed it; never showing a
transaction less than its own changes; on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import delete, event, insert, select, text, update

from app import create_app
from storefront import catalogue
from storefront.extensions import db
from storefront.models import Consent, Product, product_related
from storefront.seed import ensure_database
from tests.integration.test_concurrency import postgres_db, sqlite_db, workdir  # noqa: F401  (fixtures)


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request):
    config = request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "postgres_db")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", **config})
    with app.app_context():
        ensure_database()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(" ".join(args[2].split())))
    return seen


def product_with_related() -> tuple[int, int]:
    pid, rid = db.session.execute(select(product_related.c.product_id, product_related.c.related_id)).first()
    return pid, rid


def read_everything(pid: int, rows: catalogue.Catalogue | None = None):
    rows = rows or catalogue.current()
    return rows.products([pid])[pid], rows.related_ids([pid])[pid], rows.consents(), rows.categories()


def read_afresh(pid: int):
    """The rows as the database has them now, with nothing kept."""
    return read_everything(pid, catalogue.Catalogue(version=None))


def version() -> int:
    return db.session.scalar(text("SELECT version FROM catalogue_state"))


def test_a_later_transaction_reads_only_the_version(shop):
    pid, rid = product_with_related()
    db.session.commit()
    first = read_everything(pid)
    db.session.commit()
    seen = statements(db.engine)
    again = read_everything(pid)
    assert again == first and rid in again[1]
    assert [s for s in seen if not s.startswith("BEGIN")] == ["SELECT version FROM catalogue_state WHERE id = 1"]


def change_name_in_the_session(pid):
    db.session.get(Product, pid).name = "Zmieniona w sesji"


def change_price_elsewhere(pid):
    with db.engine.begin() as other:  # another writer: a Core statement on a connection of its own
        other.execute(update(Product).where(Product.id == pid).values(price_gross=Decimal("1.23")))


def unrelate_elsewhere(pid):
    with db.engine.begin() as other:
        other.execute(delete(product_related).where(product_related.c.product_id == pid))


def add_consent_elsewhere(_pid):
    with db.engine.begin() as other:
        other.execute(insert(Consent).values(id="NEW", description="Nowa zgoda", link="https://example.com",
                                             version="1", requirement_type="OPTIONAL", position=99))


@pytest.mark.parametrize("change", [change_name_in_the_session, change_price_elsewhere, unrelate_elsewhere,
                                    add_consent_elsewhere])
def test_every_writer_of_the_catalogue_bumps_its_version(shop, change):
    pid, _ = product_with_related()
    db.session.commit()
    before = read_everything(pid)
    old_version = version()
    db.session.commit()
    change(pid)
    db.session.commit()
    assert version() > old_version
    after = read_everything(pid)
    assert after != before
    assert after == read_afresh(pid)


def test_a_transaction_that_writes_the_catalogue_sees_its_changes_and_leaves_the_kept_copy_alone(shop):
    pid, _ = product_with_related()
    db.session.commit()
    kept_name = read_everything(pid)[0].name
    db.session.commit()
    db.session.execute(update(Product).where(Product.id == pid).values(name="Jeszcze nie zatwierdzona"))
    assert catalogue.current().product(pid).name == "Jeszcze nie zatwierdzona"
    db.session.rollback()
    assert catalogue.current().product(pid).name == kept_name

    db.session.get(Product, pid).name = "W sesji, przed flush"  # pending ORM changes count too
    assert catalogue.current().product(pid).name == "W sesji, przed flush"
    db.session.rollback()
    assert catalogue.current().product(pid).name == kept_name


def test_a_database_made_again_from_nothing_starts_at_another_version(tmp_path):
    versions = []
    for n in range(2):
        app = create_app({"TESTING": True, "SECRET_KEY": "test",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'shop{n}.db'}"})
        with app.app_context():
            ensure_database()
            versions.append(version())
            db.engine.dispose()
    assert versions[0] != versions[1]


def test_two_orders_updating_stock_in_opposite_order_do_not_deadlock_on_the_version(postgres_db):  # noqa: F811
    """The version row is locked at the commit (a deferred trigger), after the stock rows: an
    immediate trigger would have the first writer hold it while waiting for the second's row."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test", **postgres_db})
    with app.app_context():
        ensure_database()
        db.session.commit()
        start = version()
        db.session.commit()
        one, two = db.engine.connect(), db.engine.connect()
        for conn in (one, two):
            conn.execute(text("SET lock_timeout = '5s'"))
        stock = update(Product).values(stock=Product.stock - 1)
        one.execute(stock.where(Product.id == 1))
        two.execute(stock.where(Product.id == 2))  # would wait for `one` with an immediate trigger
        failures = []

        def finish_one():
            try:
                one.execute(stock.where(Product.id == 2))  # waits for `two`'s row
                one.commit()
            except Exception as exc:  # noqa: BLE001  (reported below)
                failures.append(exc)

        waiter = threading.Thread(target=finish_one)
        waiter.start()
        two.commit()
        waiter.join(10)
        assert not waiter.is_alive() and failures == []
        assert version() == start + 3  # one bump per row changed
        one.close(), two.close()
        db.session.remove()
        db.engine.dispose()
