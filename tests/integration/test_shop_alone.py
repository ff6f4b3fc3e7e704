"""The shop stands on its own: with neither `inpost_pay` nor `widget` importable, its pages
render and sell, their integration slots empty (storefront/templating.py `slot`)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    for name in ("inpost_pay", "widget", "shop_adapter"):
        sys.modules[name] = None  # `import inpost_pay` now fails, as if it were not installed
    from app import create_app
    from storefront.seed import ensure_database

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "alone",
                      "ADMIN_PASSWORD": "alone", "SQLALCHEMY_DATABASE_URI": "sqlite:///%s"},
                     integration=False)
    with app.app_context():
        ensure_database()
    client = app.test_client()
    for path in ("/", "/produkt/kawa-etiopia-yirgacheffe"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
    assert client.post("/koszyk/dodaj", data={"product_id": 1, "quantity": 1}).status_code == 303
    for path in ("/koszyk", "/zamowienie"):
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert b"inpost-izi-button" not in page.data and b"izi-glue" not in page.data
    assert not any(name.startswith(("inpost_pay", "widget")) for name in sys.modules if sys.modules[name])
    print("shop alone: ok")
    """
)


def test_the_shop_renders_and_sells_without_the_integration(tmp_path):
    script = SCRIPT % (tmp_path / "alone.db")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "shop alone: ok" in run.stdout
