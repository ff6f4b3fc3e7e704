"""`flask --app sandbox.app ...` commands."""

from __future__ import annotations

import click
from flask import Flask, current_app

from sandbox.database import prepare, reset


def register(app: Flask) -> None:
    @app.cli.command("rotate-keys")
    def rotate_keys():
        """Add a new signing key version; it signs from now on, older versions stay published."""
        ring = current_app.extensions["sandbox_keys"]
        ring.ensure()
        key = ring.rotate()
        click.echo(f"Signing key version {key.version} now signs; published versions: "
                   + ", ".join(k.version for k in ring.all()))  # fmt: skip

    @app.cli.command("init-db")
    def init_db():
        """Create the sandbox's tables and first signing key (done at start-up too)."""
        prepare(current_app)
        click.echo("Sandbox database and keys ready.")

    @app.cli.command("reset-db")
    def reset_db():
        """Empty the sandbox (baskets, phones, orders, the log); the signing keys stay."""
        reset(current_app)
        click.echo("Sandbox emptied; signing keys kept.")
