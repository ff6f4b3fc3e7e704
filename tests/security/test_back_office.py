"""Class 6: the back office resists guessing. The demo password is refused when the shop
talks to the real InPost; wrong passwords are limited; logout ends the session on the
server (a copied cookie stops working); sessions expire (docs/security.md "Back office")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

import config as settings
from storefront.admin_sessions import AdminSession
from storefront.extensions import db
from storefront.models import utcnow

PASSWORD = "test-admin"  # tests/conftest.py
REAL_INPOST = {name: "https://api.example/x" for name in settings.REQUIRED_WITHOUT_SANDBOX}


@pytest.mark.parametrize("password", ["admin", "", None])
def test_the_demo_password_is_refused_outside_the_demo(password):
    with pytest.raises(settings.ConfigError, match="ADMIN_PASSWORD"):
        settings.check({"SANDBOX_ENABLED": False, "ADMIN_PASSWORD": password, **REAL_INPOST})


def test_a_password_of_ones_own_passes_outside_the_demo():
    settings.check({"SANDBOX_ENABLED": False, "ADMIN_PASSWORD": "a-long-password-of-mine", **REAL_INPOST})


def test_the_demo_keeps_its_demo_password():
    settings.check({"SANDBOX_ENABLED": True, "ADMIN_PASSWORD": "admin"})


def test_wrong_passwords_are_limited(client, no_traceback):
    statuses = [client.post("/admin/login", data={"password": f"guess-{i}"}).status_code for i in range(8)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
    limited = client.post("/admin/login", data={"password": PASSWORD}, headers={"Accept": "application/json"})
    assert limited.status_code == 429 and limited.json["error_code"] == "TOO_MANY_REQUESTS"


def test_the_right_password_does_not_use_up_attempts(client):
    for _ in range(8):
        assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 302


def test_logout_ends_the_session_for_a_copied_cookie_too(app, client, no_traceback):
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 302
    cookie = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/admin/").status_code == 200
    assert client.post("/admin/logout").status_code == 302
    assert client.get("/admin/").status_code == 302
    stolen = thief.get("/admin/")
    assert stolen.status_code == 302 and stolen.headers["Location"].startswith("/admin/login")
    assert thief.get("/admin/inpost/").status_code == 302


@pytest.mark.parametrize("column, age", [("started_at", timedelta(hours=8, minutes=1)),
                                         ("last_seen_at", timedelta(minutes=121))])  # fmt: skip
def test_sessions_expire(column, age, app, client):
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 302
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        db.session.execute(update(AdminSession).values({column: utcnow() - age}))
        db.session.commit()
    assert client.get("/admin/").status_code == 302
