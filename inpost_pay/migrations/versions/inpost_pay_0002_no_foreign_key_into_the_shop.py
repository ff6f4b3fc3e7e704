"""Drop `inpost_basket`'s foreign key into the shop's `basket` table where an older schema has it.

Databases made by `db.create_all()` before the integration had migrations carry
`inpost_basket.basket_id -> basket.id`; the integration keeps the shop's basket id as a plain key
(any shop's database, any table name). A database made by these migrations has no such key, and
this step changes nothing there.

Revision ID: inpost_pay_0002
Revises: inpost_pay_0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "inpost_pay_0002"
down_revision = "inpost_pay_0001"
branch_labels = None
depends_on = None


def _foreign_keys() -> list[dict]:
    return [
        fk for fk in sa.inspect(op.get_bind()).get_foreign_keys("inpost_basket") if fk["referred_table"] == "basket"
    ]


def upgrade():
    found = _foreign_keys()
    if not found:
        return
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a constraint: rebuild the table from its reflected shape minus the key.
        table = sa.Table("inpost_basket", sa.MetaData(), autoload_with=op.get_bind())
        for constraint in list(table.foreign_key_constraints):
            table.constraints.discard(constraint)
        for column in table.columns:
            column.foreign_keys.clear()
        with op.batch_alter_table("inpost_basket", copy_from=table, recreate="always"):
            pass
        return
    for fk in found:
        op.drop_constraint(fk["name"], "inpost_basket", type_="foreignkey")


def downgrade():
    pass  # the key is not put back: the integration never relied on it
