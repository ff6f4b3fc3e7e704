"""The database schema from migrations (Flask-Migrate / Alembic): the shop's chain, then InPost Pay's.

Two chains, each with its own version table, as an integrator adding our tables to an existing
shop database would have them:

- `migrations/` — the demo shop's tables, version table `alembic_version`;
- `inpost_pay/migrations/` — the integration's `inpost_*` tables, `inpost_pay_alembic_version`.

`flask --app app db upgrade` brings both to head (`make run` does so on start). A database made
before migrations existed (the tables of `db.create_all()`, no version table) is stamped at each
chain's first revision, the schema it had then, and upgraded from there, its rows kept.
The other `flask db` commands are Flask-Migrate's, for the shop's chain unless `-d` names the
integration's (e.g. `flask --app app db migrate -d inpost_pay/migrations -m "..."`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from alembic import command
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from flask_migrate import Migrate
from flask_migrate.cli import db as migrate_commands
from sqlalchemy import inspect

from storefront.extensions import db

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Chain:
    name: str
    directory: Path
    version_table: str
    #: The revision whose schema equals what `db.create_all()` made before migrations.
    baseline: str
    #: A table of this chain's baseline: present without a version table = a create_all database.
    marker_table: str


SHOP_CHAIN = Chain("shop", ROOT / "migrations", "alembic_version", "shop_0001", "product")


def chains(app: Flask | None = None) -> tuple[Chain, ...]:
    """The shop's chain, then InPost Pay's when the integration is mounted on this app (the shop
    also runs alone, with the integration not installed)."""
    app = app or current_app
    if "inpost_pay" not in app.extensions:
        return (SHOP_CHAIN,)
    return (SHOP_CHAIN, integration_chain())


def integration_chain() -> Chain:
    """InPost Pay's chain, shipped inside the package (imported only when the integration is used)."""
    import inpost_pay

    return Chain(
        "inpost_pay",
        Path(inpost_pay.__file__).resolve().parent / "migrations",
        "inpost_pay_alembic_version",
        "inpost_pay_0001",
        "inpost_outbox",
    )


def register(app: Flask) -> None:
    """Flask-Migrate's `flask db ...`, with `upgrade` running both chains."""
    Migrate(app, db, directory=str(SHOP_CHAIN.directory))
    group = click.Group(
        "db", callback=migrate_commands.callback, params=migrate_commands.params,
        help="Schema migrations: the shop's chain and InPost Pay's (`upgrade` runs both).",
    )
    for name, cmd in migrate_commands.commands.items():
        group.add_command(cmd, name)
    group.add_command(upgrade_command, "upgrade")
    app.cli.add_command(group)


@click.command("upgrade")
@click.option("-d", "--directory", default=None, help="One chain's directory only (default: both).")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(directory: str | None, revision: str) -> None:
    """Bring the schema to head: the shop's chain, then InPost Pay's (a create_all database is stamped first)."""
    directory = directory or g.get("directory")
    every = chains()
    chains_ = every if directory is None else [c for c in every if c.directory == Path(directory).resolve()]
    if not chains_:
        raise click.BadParameter(f"not a migration chain of this app: {directory}", param_hint="--directory")
    for chain in chains_:
        stamped = upgrade(chain, revision)
        click.echo(f"{chain.name}: " + (f"stamped {chain.baseline} (tables made before migrations), " if stamped else "")
                   + f"at {current_revision(chain) or 'base'}")


def upgrade(chain: Chain, revision: str = "head") -> bool:
    """Upgrade one chain; True when a pre-migrations database was stamped at the baseline first."""
    config = current_app.extensions["migrate"].migrate.get_config(str(chain.directory))
    names = set(inspect(db.engine).get_table_names())
    legacy = chain.marker_table in names and chain.version_table not in names
    if legacy:
        command.stamp(config, chain.baseline)
    command.upgrade(config, revision)
    return legacy


def upgrade_all() -> None:
    for chain in chains():
        upgrade(chain)


def current_revision(chain: Chain) -> str | None:
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": chain.version_table}).get_current_revision()
