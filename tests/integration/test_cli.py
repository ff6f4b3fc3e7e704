"""The `flask` commands that set up the demo data (issue: catalogue "seeded on first start and by a CLI command")."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import Category, Consent, Product, PromoCode


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Category, Product, PromoCode, Consent))


def test_seed_is_safe_to_run_again_and_reset_reloads(app, runner):
    with app.app_context():
        assert counts() == (4, 15, 4, 3)
        product = db.session.get(Product, 9)
        product.stock = 0
        db.session.commit()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0 and "Demo data loaded" in result.output
    with app.app_context():
        assert counts() == (4, 15, 4, 3)
        assert db.session.get(Product, 9).stock == 0  # existing rows are left alone
    result = runner.invoke(args=["seed", "--reset"])
    assert result.exit_code == 0
    with app.app_context():
        assert counts() == (4, 15, 4, 3)
        assert db.session.get(Product, 9).stock == 4


def test_init_db_creates_a_missing_schema(app, runner):
    with app.app_context():
        db.drop_all()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0 and "Database ready" in result.output
    with app.app_context():
        assert counts() == (4, 15, 4, 3)


def test_reset_empties_orders_and_keeps_the_schema(app, runner):
    """`make reset`: orders and baskets gone, the demo catalogue back, no table dropped."""
    from sqlalchemy import inspect

    from storefront.models import Basket

    with app.app_context():
        db.session.add(Basket(id="reset-me"))
        db.session.commit()
        db.session.rollback()
        tables = set(inspect(db.engine).get_table_names())
    assert runner.invoke(args=["seed", "--reset"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Basket, "reset-me") is None
        assert counts() == (4, 15, 4, 3)
        db.session.rollback()  # on SQLite every transaction holds the write lock (BEGIN IMMEDIATE)
        assert set(inspect(db.engine).get_table_names()) == tables
