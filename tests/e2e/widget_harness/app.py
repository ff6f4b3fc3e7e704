"""A tiny Flask app that serves InPost's widget script next to a fake merchant page.

The widget script is InPost's side of the Widget 1.0 contract (docs/inpost-pay-api.md §7.4): it must work on any
merchant page that defines the izi* callbacks. This harness is such a page, with callbacks whose
behaviour each test sets through `window.harness` (see static/harness.js), so the script is
tested without the shop or the sandbox behind it.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import segno
from flask import Flask, Response, render_template

HERE = Path(__file__).resolve().parent
WIDGET_DIR = HERE.parents[2] / "sandbox" / "static"


def qr_png_base64(text: str) -> str:
    """A real QR code as InPost's binding API returns it: a base64 PNG without a data: prefix."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=5, border=2)
    return base64.b64encode(png.getvalue()).decode("ascii")


def create_harness_app() -> Flask:
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))

    @app.get("/")
    def merchant_page():
        deep_link = "inpost://izilink?basket_id=harness-basket"
        return render_template("harness.html", qr_code=qr_png_base64(deep_link), deep_link=deep_link)

    @app.get("/inpostizi.js")
    def widget_script():
        # As the sandbox serves it: the shared widget UI, then the Widget 1.0 driver.
        parts = [(WIDGET_DIR / name).read_text() for name in ("widget-ui.js", "inpostizi.js")]
        return Response("\n".join(parts), mimetype="text/javascript")

    @app.get("/thank-you")
    def thank_you():
        return render_template("thank_you.html")

    @app.get("/app-link")
    def app_link():
        # Stands in for the inpost:// deep link that iziMobileLink() gives (headless Chromium can't follow it).
        return render_template("thank_you.html", title="InPost Mobile")

    return app


if __name__ == "__main__":  # manual look: python -m tests.e2e.widget_harness.app
    create_harness_app().run(host="127.0.0.1", port=5055)
