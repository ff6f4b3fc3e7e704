"""Signatures accepted once, and event ids scoped by kind and target (docs/security.md).

- `inpost_used_signature`: the SHA-256 of every accepted signature until its 240 s window
  closes, so a replayed call is refused in any process sharing the database.
- `inpost_event`: the idempotency key becomes (kind, subject_id, event_id) instead of event_id
  alone, so an order event reusing a basket event's id is still applied.

Revision ID: inpost_pay_0003
Revises: inpost_pay_0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "inpost_pay_0003"
down_revision = "inpost_pay_0002"
branch_labels = None
depends_on = None

SCOPED = "uq_inpost_event_kind_subject_event"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite cannot drop the unnamed unique constraint: rebuild the table without it.
        table = sa.Table("inpost_event", sa.MetaData(), autoload_with=bind)
        for constraint in list(table.constraints):
            if isinstance(constraint, sa.UniqueConstraint) and [c.name for c in constraint.columns] == ["event_id"]:
                table.constraints.discard(constraint)
        with op.batch_alter_table("inpost_event", copy_from=table, recreate="always") as batch:
            batch.create_unique_constraint(SCOPED, ["kind", "subject_id", "event_id"])
    else:
        for unique in sa.inspect(bind).get_unique_constraints("inpost_event"):
            if unique["column_names"] == ["event_id"]:
                op.drop_constraint(unique["name"], "inpost_event", type_="unique")
        op.create_unique_constraint(SCOPED, "inpost_event", ["kind", "subject_id", "event_id"])
    op.create_table(
        "inpost_used_signature",
        sa.Column("signature_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("signature_sha256"),
    )
    op.create_index("ix_inpost_used_signature_expires_at", "inpost_used_signature", ["expires_at"])


def downgrade():
    op.drop_index("ix_inpost_used_signature_expires_at", table_name="inpost_used_signature")
    op.drop_table("inpost_used_signature")
    op.drop_constraint(SCOPED, "inpost_event", type_="unique")
    op.create_unique_constraint(None, "inpost_event", ["event_id"])
