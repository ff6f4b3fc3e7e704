"""Deployment settings: several processes need shared state outside them; proxies are not trusted by default."""

import pytest

import config

PG = "postgresql+psycopg://postgres@127.0.0.1/shop"
REDIS = "redis://127.0.0.1:6379/0"


def test_one_process_is_the_default_and_trusts_no_forwarded_header():
    conf = config.load({})
    config.check(conf)
    assert conf["SHOP_WORKERS"] == 1
    assert conf["TRUSTED_PROXIES"] == 0
    assert conf["SERVED_BY_HEADER"] is False
    assert conf["SOCKETIO_WEBSOCKET_ONLY"] is False
    assert conf["SESSION_COOKIE_SECURE"] is False and conf["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("env", "named", "not_named"),
    [
        ({}, ["DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE"], []),
        ({"DATABASE_URL": PG}, ["SOCKETIO_MESSAGE_QUEUE"], ["DATABASE_URL"]),
        ({"SOCKETIO_MESSAGE_QUEUE": REDIS}, ["DATABASE_URL"], ["SOCKETIO_MESSAGE_QUEUE"]),
        ({"DATABASE_URL": "sqlite:////tmp/shop.db", "SOCKETIO_MESSAGE_QUEUE": "amqp://x"},
         ["DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE"], []),
    ],
)  # fmt: skip
def test_several_processes_refuse_to_start_without_postgresql_and_redis(env, named, not_named):
    conf = config.load({"SHOP_WORKERS": "2", **env})
    with pytest.raises(config.ConfigError) as refused:
        config.check(conf)
    message = str(refused.value)
    assert all(name in message for name in named)
    assert not any(f"{name} must" in message for name in not_named)


def test_several_processes_on_postgresql_and_redis_start_with_websocket_only_sockets():
    conf = config.load({"SHOP_WORKERS": "3", "DATABASE_URL": PG, "SOCKETIO_MESSAGE_QUEUE": REDIS})
    config.check(conf)
    assert conf["SOCKETIO_WEBSOCKET_ONLY"] is True
    assert config.load({"SHOP_WORKERS": "3", "SOCKETIO_WEBSOCKET_ONLY": "0"})["SOCKETIO_WEBSOCKET_ONLY"] is False


def test_https_settings():
    conf = config.load({"SESSION_COOKIE_SECURE": "1", "SHOP_URL": "https://sklep.example.pl", "TRUSTED_PROXIES": "1"})
    assert conf["SESSION_COOKIE_SECURE"] is True
    assert conf["PREFERRED_URL_SCHEME"] == "https"
    assert conf["TRUSTED_PROXIES"] == 1
