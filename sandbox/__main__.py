"""`python -m sandbox`: serve InPost Pay, emulated, on 127.0.0.1:SANDBOX_PORT (threaded)."""

from __future__ import annotations

from sandbox.app import create_sandbox_app, prepare


def main() -> None:
    app = create_sandbox_app()
    prepare(app)
    port = app.config["SANDBOX_PORT"]
    app.logger.info(
        "InPost Pay sandbox on http://127.0.0.1:%s (merchant at %s)", port, app.config["SANDBOX_MERCHANT_URL"]
    )
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
