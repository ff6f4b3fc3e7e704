"""The InPost Pay integration's own migration chain, run into the shop's database.

It sees only the integration's tables (`inpost_*`) and keeps its position in a version table of
its own (`inpost_pay_alembic_version`), so it sits beside whatever chain the shop runs:

    flask --app app db upgrade -d <inpost_pay package>/migrations

(the demo shop's `flask --app app db upgrade` runs both chains). The integration's tables are
declared on its own MetaData (`inpost_pay.models.Base`), apart from the shop's.
"""

from __future__ import annotations

from alembic import context
from flask import current_app

TABLE_PREFIX = "inpost_"
VERSION_TABLE = "inpost_pay_alembic_version"


def target_metadata():
    from inpost_pay import models, outbox, replay  # noqa: F401  (every table joins Base.metadata)

    return models.Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Only the integration's tables; the shop's (and its version table) belong to the shop."""
    if type_ == "table":
        return name.startswith(TABLE_PREFIX) and name != VERSION_TABLE
    return True


def run_migrations() -> None:
    migrate = current_app.extensions["migrate"]
    options = {
        **migrate.configure_args,
        "target_metadata": target_metadata(),
        "include_object": include_object,
        "version_table": VERSION_TABLE,
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
