"""The InPost Pay integration's tables: baskets at InPost, events received, the call log, the outbox.

`inpost_basket.basket_id` holds the shop's basket id as a plain key, no foreign key into the
shop's tables: the integration may sit in any shop's database. Timestamps are naive UTC.

Revision ID: inpost_pay_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "inpost_pay_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inpost_basket",
        sa.Column("basket_id", sa.String(length=64), nullable=False),
        sa.Column("binding_status", sa.String(length=20), nullable=False),
        sa.Column("inpost_basket_id", sa.String(length=64), nullable=True),
        sa.Column("phone_prefix", sa.String(length=6), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("masked_phone_number", sa.String(length=30), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("surname", sa.String(length=120), nullable=True),
        sa.Column("browser_id", sa.String(length=64), nullable=True),
        sa.Column("browser_trusted", sa.Boolean(), nullable=False),
        sa.Column("owner_token", sa.String(length=64), nullable=True),
        sa.Column("bound_at", sa.DateTime(), nullable=True),
        sa.Column("last_basket_json", sa.Text(), nullable=True),
        sa.Column("last_basket_at", sa.DateTime(), nullable=True),
        sa.Column("last_basket_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("basket_id"),
    )
    op.create_table(
        "inpost_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("basket_id", sa.String(length=64), nullable=True),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("verification", sa.String(length=200), nullable=True),
        sa.Column("request_body", sa.Text(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inpost_call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inpost_call_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inpost_call_basket_id"), ["basket_id"], unique=False)

    op.create_table(
        "inpost_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("inpost_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inpost_event_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "inpost_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ordering_key", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("basket_id", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inpost_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_inpost_outbox_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_inpost_outbox_key", ["ordering_key", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inpost_outbox_order_id"), ["order_id"], unique=False)


def downgrade():
    with op.batch_alter_table("inpost_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inpost_outbox_order_id"))
        batch_op.drop_index("ix_inpost_outbox_key")
        batch_op.drop_index("ix_inpost_outbox_due")

    op.drop_table("inpost_outbox")
    with op.batch_alter_table("inpost_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inpost_event_subject_id"))

    op.drop_table("inpost_event")
    with op.batch_alter_table("inpost_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inpost_call_basket_id"))
        batch_op.drop_index(batch_op.f("ix_inpost_call_at"))

    op.drop_table("inpost_call")
    op.drop_table("inpost_basket")
