"""Back-office sessions kept on the server, so that logging out ends them (docs/security.md).

Revision ID: shop_0002
Revises: shop_0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "shop_0002"
down_revision = "shop_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_session",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_sha256"),
    )


def downgrade():
    op.drop_table("admin_session")
