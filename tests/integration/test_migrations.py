"""The schema from migrations: both chains, empty -> head, no drift from the models, and the
stamped upgrade of a database made by `db.create_all()` before migrations existed.

Run on SQLite (a file per test) and on PostgreSQL (a schema of its own per test; skipped when
PostgreSQL is unreachable, a failure under CI=true).
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import ForeignKeyConstraint, MetaData, UniqueConstraint, create_engine, inspect, select, text
from sqlalchemy.exc import OperationalError

import schema
from app import create_app
from inpost_pay.models import Base as IntegrationBase
from inpost_pay.models import InPostBasket
from storefront import basket as basket_service
from storefront.extensions import db
from storefront.models import Basket, Order
from storefront.seed import create_schema, seed_catalogue
from tests.integration.test_admin import make_order

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BASE = {"TESTING": True, "SECRET_KEY": "test-secret", "ADMIN_PASSWORD": "test-admin", "INPOST_PAY_OUTBOX_WORKER": False}
SHOP, INTEGRATION = schema.SHOP_CHAIN, schema.integration_chain()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    """Config for an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.db'}"}
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable: {exc.orig}")
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable: {exc.orig}")
    try:
        yield {
            "SQLALCHEMY_DATABASE_URI": PG_URL,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={name}"}},
        }
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(database):
    app = create_app({**BASE, **database})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def upgrade(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


def assert_no_drift(app):
    """Autogenerate, for each chain, finds nothing between the models and the migrated schema."""
    runner = app.test_cli_runner()
    for chain in (SHOP, INTEGRATION):
        result = runner.invoke(args=["db", "-d", str(chain.directory), "check"])
        assert result.exit_code == 0, f"{chain.name}: {result.output}"


def test_upgrade_takes_an_empty_database_to_head_of_both_chains(app):
    assert tables(app) == set()
    output = upgrade(app)
    assert "shop: at shop_" in output and "inpost_pay: at inpost_pay_" in output
    got = tables(app)
    model_tables = set(db.metadata.tables) | set(IntegrationBase.metadata.tables)
    assert model_tables | {"alembic_version", "inpost_pay_alembic_version"} == got
    with app.app_context():
        for chain in (SHOP, INTEGRATION):
            assert schema.current_revision(chain) is not None
    assert_no_drift(app)
    assert "stamped" not in upgrade(app)  # a second run changes nothing


def test_each_chain_sees_only_its_own_tables(app):
    with app.app_context():
        schema.upgrade(SHOP)
    shop_only = tables(app)
    assert "product" in shop_only and not any(t.startswith("inpost_") for t in shop_only)
    with app.app_context():
        schema.upgrade(INTEGRATION)
    added = tables(app) - shop_only
    assert added == {"inpost_basket", "inpost_event", "inpost_call", "inpost_outbox", "inpost_used_signature", "inpost_pay_alembic_version"}


def test_create_all_and_migrations_make_the_same_schema(app, database, tmp_path):
    """The fast path tests use (`create_all`) and the migrations agree, column by column."""
    upgrade(app)
    if "sqlite" in database["SQLALCHEMY_DATABASE_URI"]:
        other = create_app({**BASE, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'created.db'}"})
        try:
            with other.app_context():
                create_schema()  # the shop's tables, then the integration's (signals.database_created)
            assert describe(other) == {k: v for k, v in describe(app).items() if "alembic_version" not in k}
        finally:
            with other.app_context():
                db.engine.dispose()


def describe(app) -> dict:
    with app.app_context():
        found = inspect(db.engine)
        return {
            name: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
                sorted((fk["referred_table"], tuple(fk["constrained_columns"])) for fk in found.get_foreign_keys(name)),
                sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(name)),
            )
            for name in found.get_table_names()
        }


#: Tables the migrations added after the baseline: a database of that time has none of them.
ADDED_SINCE = {"admin_session", "catalogue_state", "inpost_used_signature"}


def legacy_create_all(app) -> None:
    """The schema the shop's main line made before migrations: `create_all`, with the foreign
    key `inpost_basket.basket_id -> basket.id` the integration had then."""
    old = MetaData()
    for table in [*db.metadata.sorted_tables, *IntegrationBase.metadata.sorted_tables]:
        if table.name not in ADDED_SINCE:
            table.to_metadata(old)
    old.tables["inpost_basket"].append_constraint(ForeignKeyConstraint(["basket_id"], ["basket.id"], ondelete="CASCADE"))
    events = old.tables["inpost_event"]  # then unique by event_id alone
    for constraint in [c for c in events.constraints if isinstance(c, UniqueConstraint)]:
        events.constraints.discard(constraint)
    events.append_constraint(UniqueConstraint("event_id"))
    with app.app_context():
        old.create_all(db.engine)


def test_a_create_all_database_is_stamped_and_upgraded_with_its_orders_and_baskets_kept(app):
    legacy_create_all(app)
    with app.app_context():
        seed_catalogue()
        basket = basket_service.new_basket()
        basket_service.add_product(basket, 3, 2)
        basket_id = basket.id
        db.session.add(InPostBasket(basket_id=basket_id, binding_status="bound", masked_phone_number="51*****78"))
        db.session.commit()
        db.session.remove()
        fks = inspect(db.engine).get_foreign_keys("inpost_basket")
        assert [fk["referred_table"] for fk in fks] == ["basket"]
    order_id = make_order(app)

    output = upgrade(app)
    assert "shop: stamped shop_0001" in output and "inpost_pay: stamped inpost_pay_0001" in output

    with app.app_context():
        db.session.remove()
        order = db.session.get(Order, order_id)
        assert order is not None and order.email == "ewa@example.pl" and len(order.lines) == 2
        kept = db.session.get(Basket, basket_id)
        assert [(line.product_id, line.quantity) for line in kept.lines] == [(3, 2)]
        binding = db.session.scalar(select(InPostBasket).where(InPostBasket.basket_id == basket_id))
        assert binding.binding_status == "bound" and binding.masked_phone_number == "51*****78"
        db.session.remove()  # SQLite: one transaction at a time (storefront.extensions)
        assert inspect(db.engine).get_foreign_keys("inpost_basket") == []
    assert_no_drift(app)
