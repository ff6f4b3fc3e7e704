"""Settings are checked at start-up."""

import pytest

import config


def test_the_embedded_defaults_need_nothing():
    conf = config.load({})
    config.check(conf)
    assert conf["INPOST_PAY_API_URL"] == "http://127.0.0.1:8001"
    assert conf["INPOST_PAY_WIDGET_URL"] == "http://127.0.0.1:8001/inpostizi.js"
    assert conf["SANDBOX_MERCHANT_URL"] == "http://127.0.0.1:8000"


def test_ports_move_every_derived_url():
    conf = config.load({"SHOP_PORT": "9000", "SANDBOX_PORT": "9001"})
    assert conf["SHOP_URL"] == "http://127.0.0.1:9000"
    assert conf["INPOST_PAY_AUTH_URL"].startswith("http://127.0.0.1:9001/auth/realms/external/")


def test_without_the_sandbox_every_inpost_setting_is_required():
    conf = config.load({"SANDBOX_ENABLED": "0", "INPOST_PAY_CLIENT_ID": "change-me"})
    with pytest.raises(config.ConfigError) as refused:
        config.check(conf)
    message = str(refused.value)
    for name in config.REQUIRED_WITHOUT_SANDBOX:
        assert name in message


def test_placeholders_from_env_example_are_refused():
    with pytest.raises(config.ConfigError, match="ADMIN_PASSWORD"):
        config.check(config.load({"ADMIN_PASSWORD": "change-me-admin-password"}))


def test_widget_version_defaults_to_1_and_picks_its_script():
    assert config.load({})["INPOST_PAY_WIDGET_VERSION"] == 1
    conf = config.load({"INPOST_PAY_WIDGET_VERSION": "2"})
    config.check(conf)
    assert conf["INPOST_PAY_WIDGET_VERSION"] == 2
    assert conf["INPOST_PAY_WIDGET_URL"] == "http://127.0.0.1:8001/inpostpay.widget.v2.js"


@pytest.mark.parametrize("value", ["3", "0", "two", "1.0"])
def test_widget_version_other_than_1_or_2_refuses_to_start(value):
    with pytest.raises(config.ConfigError, match="INPOST_PAY_WIDGET_VERSION"):
        config.check(config.load({"INPOST_PAY_WIDGET_VERSION": value}))
@pytest.mark.parametrize(("value", "hours"), [(None, 24.0), ("", 24.0), ("0.5", 0.5), ("72", 72.0)])
def test_unpaid_order_hours(value, hours):
    env = {} if value is None else {"INPOST_PAY_UNPAID_ORDER_HOURS": value}
    assert config.load(env)["INPOST_PAY_UNPAID_ORDER_HOURS"] == hours


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan", "100000"])
def test_unpaid_order_hours_refuses_nonsense_naming_the_variable(value):
    with pytest.raises(config.ConfigError, match="INPOST_PAY_UNPAID_ORDER_HOURS"):
        config.load({"INPOST_PAY_UNPAID_ORDER_HOURS": value})


def test_a_fresh_clone_with_secret_key_set_can_open_its_sqlite_database(tmp_path):
    """SECRET_KEY given: no secret file is written, yet the SQLite folder must exist."""
    from app import create_app
    from sandbox.app import create_sandbox_app, prepare
    from storefront.extensions import db
    from storefront.seed import ensure_database

    shop_db = tmp_path / "fresh" / "instance" / "shop.db"
    sandbox_db = tmp_path / "fresh" / "instance2" / "sandbox.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "set-by-hand", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{shop_db}"})
    with app.app_context():
        ensure_database()
        db.engine.dispose()
    assert shop_db.exists()
    sandbox = create_sandbox_app({"TESTING": True, "SECRET_KEY": "set-by-hand",
                                  "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sandbox_db}"})  # fmt: skip
    prepare(sandbox)
    assert sandbox_db.exists()


@pytest.mark.parametrize("uri", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://postgres@127.0.0.1/test"])
def test_databases_without_a_folder_are_left_alone(uri):
    config.ensure_sqlite_directory(uri)  # nothing to create, nothing raised


def test_a_copy_of_env_example_runs_with_the_password_readme_gives():
    """A newcomer who copies .env.example to .env signs in with README's `admin`."""
    from dotenv import dotenv_values

    env = {k: v for k, v in dotenv_values(config.ROOT / ".env.example").items() if v is not None}
    conf = config.load(env)
    config.check(conf)
    assert conf["ADMIN_PASSWORD"] == "admin"
    assert "password `admin`" in (config.ROOT / "README.md").read_text(encoding="utf-8")
