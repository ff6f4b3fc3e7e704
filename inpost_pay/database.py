"""The integration's handle on the shop's database: the Flask-SQLAlchemy `db` given to
`inpost_pay.init_app(app, db=...)`, reached through the app so that any number of apps (tests
build many) each use their own. `db.session` and `db.engine` are all the integration uses.
"""

from __future__ import annotations

from flask import current_app


class _AppDatabase:
    """`db.session` / `db.engine` of the current app's shop database."""

    def __getattr__(self, name: str):
        return getattr(current_app.extensions["inpost_pay"].db, name)


db = _AppDatabase()
