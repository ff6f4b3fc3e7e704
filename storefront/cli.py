"""`flask` commands for the shop: `flask --app app init-db`, `flask --app app seed`."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create missing tables and load the demo catalogue when the shop is empty."""
        from .seed import ensure_database

        ensure_database()
        click.echo("Database ready.")

    @app.cli.command("seed")
    @click.option("--reset", is_flag=True, help="Empty every table first (all data is lost; the schema stays).")
    def seed(reset: bool):
        """Load (or reload) the demo catalogue, promo codes and consents."""
        from .extensions import db
        from .seed import create_schema, ensure_database, seed_catalogue

        if reset:
            # Rows, not tables: the schema (and a migration history, when there is one) stays.
            db.create_all()
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
            ensure_database()
        else:
            create_schema()
            seed_catalogue()
        click.echo("Demo data loaded.")
