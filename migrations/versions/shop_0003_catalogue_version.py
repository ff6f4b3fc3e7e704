"""The catalogue's version, kept by the database: each process may keep what it read of the
catalogue for as long as the version holds (storefront/catalogue.py).

Revision ID: shop_0003
Revises: shop_0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from storefront.catalogue import drop_statements, trigger_statements

revision = "shop_0003"
down_revision = "shop_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("catalogue_state")
