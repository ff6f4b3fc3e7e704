"""Settings, read from the environment (and a `.env` file when present).

Every variable is documented in `.env.example`. The defaults give the embedded
set-up of docs/architecture.md#interfaces: SQLite under `instance/`, the shop on 127.0.0.1:8000 and
the local InPost Pay sandbox on 127.0.0.1:8001. Pointing the shop at InPost's real
sandbox or production means `SANDBOX_ENABLED=0` plus real `INPOST_PAY_*` values;
`check()` then refuses to start with placeholders.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"

# Credentials the local sandbox issues when nobody configured any (demo only).
SANDBOX_DEMO_CLIENT_ID = "demo-shop"
SANDBOX_DEMO_CLIENT_SECRET = "demo-shop-secret"
SANDBOX_DEMO_MERCHANT_CLIENT_ID = "00000000-0000-4000-8000-000000000001"
SANDBOX_DEMO_POS_ID = "V000000001"

PLACEHOLDER_MARK = "change-me"


class ConfigError(RuntimeError):
    """A setting is missing or still a placeholder; the message says which and where to get it."""


def _hours(name: str, value: str | None, default: float) -> float:
    """A positive number of hours, e.g. INPOST_PAY_UNPAID_ORDER_HOURS=24 or 0.5."""
    if value is None or value.strip() == "":
        return default
    try:
        hours = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of hours, got {value!r} (see .env.example)") from None
    if not 0 < hours < 24 * 365:
        raise ConfigError(f"{name} must be more than 0 and under a year, got {value!r} (see .env.example)")
    return hours


def _app_link(sandbox_enabled: bool, sandbox_url: str, api_url: str) -> str:
    """The base of the link that opens a basket in InPost Mobile (`?basket_id=` follows)."""
    if sandbox_enabled:
        return f"{sandbox_url}/app/izilink"
    return "inpostsandbox://izilink" if "sandbox" in api_url else "inpost://izilink"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def ensure_sqlite_directory(database_uri: str) -> None:
    """Create the folder a SQLite file lives in (instance/ by default), whatever else is set:
    with SECRET_KEY given no secret file is written, and SQLite cannot create folders."""
    prefix = "sqlite:///"
    if database_uri.startswith(prefix) and database_uri != prefix and ":memory:" not in database_uri:
        Path(database_uri[len(prefix):].split("?", 1)[0]).parent.mkdir(parents=True, exist_ok=True)


def _instance_secret(name: str) -> str:
    """A random secret generated at first start into instance/ (never committed)."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _widget_version(raw: str | None) -> int | str:
    """1 or 2 (default 1); anything else is kept as given, for check() to refuse by name."""
    value = (raw or "").strip()
    if value == "":
        return 1
    return int(value) if value in ("1", "2") else value


def load(env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from `env` (default: os.environ + .env)."""
    if env is None:
        load_dotenv(ROOT / ".env", override=False)
        env = dict(os.environ)
    get = env.get

    shop_port = int(get("SHOP_PORT") or 8000)
    sandbox_port = int(get("SANDBOX_PORT") or 8001)
    shop_url = (get("SHOP_URL") or f"http://127.0.0.1:{shop_port}").rstrip("/")
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox_enabled = _flag(get("SANDBOX_ENABLED"), True)

    widget_version = _widget_version(get("INPOST_PAY_WIDGET_VERSION"))
    widget_script = "inpostpay.widget.v2.js" if widget_version == 2 else "inpostizi.js"

    def inpost(name: str, sandbox_default: str) -> str:
        # With the local sandbox on, every InPost setting has a working default.
        return get(name) or (sandbox_default if sandbox_enabled else "")

    workers = int(get("SHOP_WORKERS") or 1)
    conf = {
        "SECRET_KEY": get("SECRET_KEY") or _instance_secret("secret_key"),
        "SQLALCHEMY_DATABASE_URI": get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'shop.db'}",
        "SOCKETIO_MESSAGE_QUEUE": get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SHOP_PORT": shop_port,
        "SHOP_URL": shop_url,
        "SANDBOX_PORT": sandbox_port,
        "SANDBOX_ENABLED": sandbox_enabled,
        "SANDBOX_MERCHANT_URL": (get("SANDBOX_MERCHANT_URL") or shop_url).rstrip("/"),
        "INPOST_PAY_API_URL": inpost("INPOST_PAY_API_URL", sandbox_url).rstrip("/"),
        "INPOST_PAY_AUTH_URL": inpost(
            "INPOST_PAY_AUTH_URL",
            f"{sandbox_url}/auth/realms/external/protocol/openid-connect/token",
        ),
        "INPOST_PAY_CLIENT_ID": inpost("INPOST_PAY_CLIENT_ID", SANDBOX_DEMO_CLIENT_ID),
        "INPOST_PAY_CLIENT_SECRET": inpost("INPOST_PAY_CLIENT_SECRET", SANDBOX_DEMO_CLIENT_SECRET),
        "INPOST_PAY_MERCHANT_CLIENT_ID": inpost(
            "INPOST_PAY_MERCHANT_CLIENT_ID", SANDBOX_DEMO_MERCHANT_CLIENT_ID
        ),
        "INPOST_PAY_POS_ID": inpost("INPOST_PAY_POS_ID", SANDBOX_DEMO_POS_ID),
        # Which widget contract the pages speak: 1 (the izi* callbacks) or 2 (InPostPayWidget.init);
        # docs/widget-versions.md.
        "INPOST_PAY_WIDGET_VERSION": widget_version,
        "INPOST_PAY_WIDGET_URL": inpost("INPOST_PAY_WIDGET_URL", f"{sandbox_url}/{widget_script}"),
        "INPOST_PAY_TEST_MODE": _flag(get("INPOST_PAY_TEST_MODE"), False),
        # Where "Otwórz w aplikacji" (iziMobileLink) leads: the local simulator in sandbox
        # mode, else InPost's app scheme for the environment the API URL names.
        "INPOST_PAY_APP_LINK_URL": get("INPOST_PAY_APP_LINK_URL")
        or _app_link(sandbox_enabled, sandbox_url, get("INPOST_PAY_API_URL") or ""),
        # The labels InPost's app shows for the shop's order statuses, as JSON
        # {"shipped": "Wysłane kurierem", ...}; unset = storefront.orders.STATUSES.
        "INPOST_PAY_STATUS_LABELS": get("INPOST_PAY_STATUS_LABELS") or None,
        # An InPost Pay order not paid within this many hours is cancelled (ORDER_REJECTED)
        # by `flask --app app inpost-pay-cancel-unpaid` (inpost_pay/unpaid_orders.py).
        "INPOST_PAY_UNPAID_ORDER_HOURS": _hours(
            "INPOST_PAY_UNPAID_ORDER_HOURS", get("INPOST_PAY_UNPAID_ORDER_HOURS"), 24.0
        ),
        "ADMIN_PASSWORD": get("ADMIN_PASSWORD") or DEMO_ADMIN_PASSWORD,
        # Wrong back-office passwords allowed per address; counters in RATELIMIT_STORAGE_URI.
        "ADMIN_LOGIN_LIMIT": get("ADMIN_LOGIN_LIMIT") or "5 per minute;30 per hour",
        "RATELIMIT_STORAGE_URI": get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "ADMIN_SESSION_HOURS": 8,  # a back-office session ends this long after sign-in ...
        "ADMIN_SESSION_IDLE_MINUTES": 120,  # ... or after this long unused
        # Request bodies are capped (docs/architecture.md#rules "request bodies capped").
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        # Behind https: 1 sends the session cookie over https only (and the trusted-browser one).
        "SESSION_COOKIE_SECURE": _flag(get("SESSION_COOKIE_SECURE"), False),
        "SESSION_COOKIE_SAMESITE": get("SESSION_COOKIE_SAMESITE") or "Lax",
        "PREFERRED_URL_SCHEME": "https" if shop_url.startswith("https://") else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Deployment (README "Deploy"): shop processes, reverse proxy, access log.
        "SHOP_WORKERS": workers,
        # How many proxies in front of the shop set X-Forwarded-For/-Proto/-Host; 0 trusts none.
        "TRUSTED_PROXIES": int(get("TRUSTED_PROXIES") or 0),
        "ACCESS_LOG": _flag(get("ACCESS_LOG"), True),
        # 1 adds `X-Served-By: <host>:<pid>` to every answer (to see which process served what).
        "SERVED_BY_HEADER": _flag(get("SERVED_BY_HEADER"), False),
        # Several processes on one port have no sticky sessions: the browser's socket must open
        # as a WebSocket at once (a long-polling handshake could land on another process).
        "SOCKETIO_WEBSOCKET_ONLY": _flag(get("SOCKETIO_WEBSOCKET_ONLY"), workers > 1),
        # The Redis channel of the message queue (several shops on one Redis keep apart).
        "SOCKETIO_CHANNEL": get("SOCKETIO_CHANNEL") or "flask-socketio",
    }
    for name in OUTBOX_TUNING:
        # The outbox's pace (inpost_pay/outbox/model.py Settings has the defaults); unset = default.
        if get(name):
            conf[name] = float(get(name))
    if get("INPOST_PAY_OUTBOX_WORKER"):
        # Unset: on in the server, off in tests (inpost_pay.init_app decides).
        conf["INPOST_PAY_OUTBOX_WORKER"] = _flag(get("INPOST_PAY_OUTBOX_WORKER"), True)
    return conf


OUTBOX_TUNING = (
    "INPOST_PAY_OUTBOX_INTERVAL",
    "INPOST_PAY_OUTBOX_BACKOFF_BASE",
    "INPOST_PAY_OUTBOX_BACKOFF_CAP",
    "INPOST_PAY_OUTBOX_MAX_ATTEMPTS",
    "INPOST_PAY_OUTBOX_LEASE",
)
DEMO_ADMIN_PASSWORD = "admin"  # the demo's back-office password, refused outside the demo

REQUIRED_WITHOUT_SANDBOX = {
    "INPOST_PAY_API_URL": "InPost's Basket App base URL, e.g. https://sandbox-api.inpost.pl",
    "INPOST_PAY_AUTH_URL": "InPost's OAuth2 token endpoint (docs/inpost-pay-api.md §2)",
    "INPOST_PAY_CLIENT_ID": "client_id from the InPost Pay merchant panel",
    "INPOST_PAY_CLIENT_SECRET": "client_secret from the InPost Pay merchant panel",
    "INPOST_PAY_MERCHANT_CLIENT_ID": "Merchant Client ID from the InPost Pay merchant panel",
    "INPOST_PAY_POS_ID": "POS ID from the InPost Pay merchant panel",
    "INPOST_PAY_WIDGET_URL": "the widget script URL for your environment (docs/inpost-pay-api.md §2)",
}


def check(config: dict) -> None:
    """Refuse to start with a missing or placeholder setting."""
    problems = []
    if not config.get("SANDBOX_ENABLED"):
        for name, where in REQUIRED_WITHOUT_SANDBOX.items():
            value = str(config.get(name) or "")
            if not value or PLACEHOLDER_MARK in value:
                problems.append(f"{name} is not set: {where}.")
    if config.get("INPOST_PAY_WIDGET_VERSION", 1) not in (1, 2):
        problems.append(
            f"INPOST_PAY_WIDGET_VERSION must be 1 or 2 (the widget contract), not {config['INPOST_PAY_WIDGET_VERSION']!r}."
        )
    if not config.get("SANDBOX_ENABLED") and str(config.get("ADMIN_PASSWORD") or "") in ("", DEMO_ADMIN_PASSWORD):
        problems.append(
            f"ADMIN_PASSWORD is the demo default {DEMO_ADMIN_PASSWORD!r}: with SANDBOX_ENABLED=0 the shop talks to the"
            " real InPost, so choose a back-office password of your own."
        )
    if PLACEHOLDER_MARK in str(config.get("ADMIN_PASSWORD", "")):
        problems.append("ADMIN_PASSWORD is a placeholder: choose the back-office password.")
    if PLACEHOLDER_MARK in str(config.get("SECRET_KEY", "")):
        problems.append("SECRET_KEY is a placeholder: remove it to generate one, or set a random value.")
    problems += _several_processes_problems(config)
    if problems:
        raise ConfigError("Configuration incomplete (see .env.example):\n  " + "\n  ".join(problems))


def _several_processes_problems(config: dict) -> list[str]:
    """SHOP_WORKERS > 1: what the processes share must live outside them (README "Deploy")."""
    workers = int(config.get("SHOP_WORKERS") or 1)
    if workers <= 1:
        return []
    problems = []
    if not str(config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
        problems.append(
            f"DATABASE_URL must be PostgreSQL with SHOP_WORKERS={workers} "
            "(e.g. postgresql+psycopg://user@host/db): SQLite serialises every write of every process."
        )
    if not str(config.get("SOCKETIO_MESSAGE_QUEUE") or "").startswith(("redis://", "rediss://")):
        problems.append(
            f"SOCKETIO_MESSAGE_QUEUE must be Redis with SHOP_WORKERS={workers} (e.g. redis://127.0.0.1:6379/0): "
            "a push made in one process has to reach sockets held by the others."
        )
    return problems
