"""Settings are checked at start-up (STYLE.md §8)."""

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


@pytest.mark.parametrize(("value", "hours"), [(None, 24.0), ("", 24.0), ("0.5", 0.5), ("72", 72.0)])
def test_unpaid_order_hours(value, hours):
    env = {} if value is None else {"INPOST_PAY_UNPAID_ORDER_HOURS": value}
    assert config.load(env)["INPOST_PAY_UNPAID_ORDER_HOURS"] == hours


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan", "100000"])
def test_unpaid_order_hours_refuses_nonsense_naming_the_variable(value):
    with pytest.raises(config.ConfigError, match="INPOST_PAY_UNPAID_ORDER_HOURS"):
        config.load({"INPOST_PAY_UNPAID_ORDER_HOURS": value})
