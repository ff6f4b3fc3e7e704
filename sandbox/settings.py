"""The sandbox's settings, read from the environment (and `.env` when present).

The names are the ones docs/architecture.md#interfaces fixes for the whole project, so one `.env`
configures both the shop and its InPost stand-in: the sandbox accepts the OAuth2
pair the shop is configured with and calls the shop at SANDBOX_MERCHANT_URL.
Its own additions are the SANDBOX_* variables below.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

DEMO_CLIENT_ID = "demo-shop"
DEMO_CLIENT_SECRET = "demo-shop-secret"
DEMO_MERCHANT_CLIENT_ID = "00000000-0000-4000-8000-000000000001"
DEMO_POS_ID = "V000000001"


class SettingsError(RuntimeError):
    """A setting has a value the sandbox cannot work with; the message names it."""


def ensure_sqlite_directory(database_uri: str) -> None:
    """Create the folder of a SQLite file (instance/ by default) even when no secret file is
    generated there (SANDBOX_SECRET_KEY set): SQLite cannot create folders."""
    prefix = "sqlite:///"
    if database_uri.startswith(prefix) and database_uri != prefix and ":memory:" not in database_uri:
        Path(database_uri[len(prefix):].split("?", 1)[0]).parent.mkdir(parents=True, exist_ok=True)


def _instance_secret(name: str) -> str:
    """A random secret generated at first start into instance/ (git-ignored)."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def origins(urls: str) -> list[str]:
    """"https://shop.example/any/path, http://localhost:8000" -> the origins."""
    return [f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls.split(",")) if p.scheme and p.netloc]


def load(env: dict[str, str] | None = None) -> dict:
    """Build the sandbox's Flask config from `env` (default: os.environ + .env)."""
    if env is None:
        load_dotenv(ROOT / ".env", override=False)
        env = dict(os.environ)
    get = env.get
    shop_port = _int(env, "SHOP_PORT", 8000)
    merchant_url = get("SANDBOX_MERCHANT_URL") or get("SHOP_URL") or f"http://127.0.0.1:{shop_port}"
    return {
        "SANDBOX_PORT": _int(env, "SANDBOX_PORT", 8001),
        # Where the sandbox sends its signed calls: the merchant's base URL, to which
        # InPost appends /v1/izi/... (docs/inpost-pay-api.md §2.4).
        "SANDBOX_MERCHANT_URL": merchant_url.rstrip("/"),
        # Public origin of the sandbox for links it hands out (deep_link_hms); empty =
        # the origin the caller used.
        "SANDBOX_PUBLIC_URL": (get("SANDBOX_PUBLIC_URL") or "").rstrip("/"),
        # The merchant's name as InPost registered it; shown in the app (default: its host).
        "SANDBOX_MERCHANT_NAME": get("SANDBOX_MERCHANT_NAME") or "",
        # Pages that may use the Widget 2.0 API (sandbox/widget_v2.py): the merchant's registered
        # origins, comma-separated; empty = the origin of SANDBOX_MERCHANT_URL.
        "SANDBOX_WIDGET_ORIGINS": origins(get("SANDBOX_WIDGET_ORIGINS") or ""),
        "INPOST_PAY_CLIENT_ID": get("INPOST_PAY_CLIENT_ID") or DEMO_CLIENT_ID,
        "INPOST_PAY_CLIENT_SECRET": get("INPOST_PAY_CLIENT_SECRET") or DEMO_CLIENT_SECRET,
        "INPOST_PAY_MERCHANT_CLIENT_ID": get("INPOST_PAY_MERCHANT_CLIENT_ID") or DEMO_MERCHANT_CLIENT_ID,
        "INPOST_PAY_POS_ID": get("INPOST_PAY_POS_ID") or DEMO_POS_ID,
        "SQLALCHEMY_DATABASE_URI": get("SANDBOX_DATABASE_URL") or f"sqlite:///{INSTANCE / 'sandbox.db'}",
        # Reference §2.2: InPost's tokens live 300 s.
        "SANDBOX_TOKEN_TTL": _int(env, "SANDBOX_TOKEN_TTL", 300),
        "SANDBOX_KEYS_DIR": get("SANDBOX_KEYS_DIR") or str(INSTANCE / "sandbox_keys"),
        "SECRET_KEY": get("SANDBOX_SECRET_KEY") or _instance_secret("sandbox_secret_key"),
        # Outbound timeouts (connect, read) on every call to the merchant.
        "SANDBOX_MERCHANT_TIMEOUT": (3.0, 10.0),
        "MAX_CONTENT_LENGTH": 512 * 1024,
        "SESSION_COOKIE_NAME": "inpost_app_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def check(config: dict) -> None:
    """Refuse to start with settings the sandbox cannot honour."""
    problems = []
    if int(config.get("SANDBOX_TOKEN_TTL", 0)) < 1:
        problems.append("SANDBOX_TOKEN_TTL must be at least 1 second.")
    if not str(config.get("SANDBOX_MERCHANT_URL", "")).startswith(("http://", "https://")):
        problems.append("SANDBOX_MERCHANT_URL must be an http(s) URL of the shop (its merchant API base).")
    for name in ("INPOST_PAY_CLIENT_ID", "INPOST_PAY_CLIENT_SECRET", "INPOST_PAY_POS_ID"):
        if not config.get(name):
            problems.append(f"{name} is empty.")
    if problems:
        raise SettingsError("Sandbox configuration incomplete (see .env.example):\n  " + "\n  ".join(problems))
