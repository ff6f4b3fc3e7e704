"""The demo shop's migration chain (`flask --app app db upgrade` runs it, then the integration's).

It sees only the shop's own tables: the InPost Pay integration's (`inpost_*`) have their chain
in `inpost_pay/migrations/`, with its own version table, as they would in any shop.
"""

from __future__ import annotations

from alembic import context
from flask import current_app

INTEGRATION_PREFIX = "inpost_"


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return not name.startswith(INTEGRATION_PREFIX)
    return True


def run_migrations() -> None:
    migrate = current_app.extensions["migrate"]
    options = {
        **migrate.configure_args,
        "target_metadata": migrate.db.metadata,
        "include_object": include_object,
        "version_table": "alembic_version",
    }
    if context.is_offline_mode():
        context.configure(url=str(migrate.db.engine.url), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    with migrate.db.engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
