"""The shop's tables as `db.create_all()` made them before migrations (the baseline).

Amounts are integer grosze and quantities integer thousandths (BIGINT), timestamps naive UTC:
the columns behind storefront.models' ScaledDecimal and UTCDateTime.

Revision ID: shop_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "shop_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "basket",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "consent",
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("requirement_type", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "promo_code",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("min_basket_gross", sa.BigInteger(), nullable=True),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "basket_promo_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basket_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["basket_id"], ["basket.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["code"],
            ["promo_code.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("basket_id", "code"),
    )
    op.create_table(
        "order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basket_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("owner_token", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_label", sa.String(length=120), nullable=False),
        sa.Column("payment_method", sa.String(length=40), nullable=False),
        sa.Column("payment_status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("surname", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("phone_prefix", sa.String(length=6), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("delivery_type", sa.String(length=10), nullable=False),
        sa.Column("delivery_options", sa.JSON(), nullable=False),
        sa.Column("delivery_point", sa.String(length=20), nullable=True),
        sa.Column("delivery_address", sa.JSON(), nullable=True),
        sa.Column("digital_email", sa.String(length=200), nullable=True),
        sa.Column("courier_note", sa.String(length=500), nullable=True),
        sa.Column("invoice", sa.JSON(), nullable=True),
        sa.Column("consents", sa.JSON(), nullable=False),
        sa.Column("promo_codes", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("external", sa.JSON(), nullable=False),
        sa.Column("products_base_gross", sa.BigInteger(), nullable=False),
        sa.Column("products_final_net", sa.BigInteger(), nullable=False),
        sa.Column("products_final_gross", sa.BigInteger(), nullable=False),
        sa.Column("delivery_net", sa.BigInteger(), nullable=False),
        sa.Column("delivery_gross", sa.BigInteger(), nullable=False),
        sa.Column("total_net", sa.BigInteger(), nullable=False),
        sa.Column("total_gross", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["basket_id"],
            ["basket.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_token"),
        sa.UniqueConstraint("basket_id"),
    )
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_owner_token"), ["owner_token"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("ean", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image", sa.String(length=200), nullable=False),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        sa.Column("price_gross", sa.BigInteger(), nullable=False),
        sa.Column("promo_price_gross", sa.BigInteger(), nullable=True),
        sa.Column("lowest_price_gross", sa.BigInteger(), nullable=True),
        sa.Column("quantity_type", sa.String(length=10), nullable=False),
        sa.Column("quantity_unit", sa.String(length=10), nullable=False),
        sa.Column("quantity_step", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=False),
        sa.Column("max_quantity", sa.BigInteger(), nullable=False),
        sa.Column("is_digital", sa.Boolean(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["category.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "basket_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basket_id", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["basket_id"], ["basket.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("basket_id", "product_id"),
    )
    op.create_table(
        "order_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ean", sa.String(length=14), nullable=False),
        sa.Column("vat_rate", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("quantity_type", sa.String(length=10), nullable=False),
        sa.Column("quantity_unit", sa.String(length=10), nullable=False),
        sa.Column("unit_base_gross", sa.BigInteger(), nullable=False),
        sa.Column("final_net", sa.BigInteger(), nullable=False),
        sa.Column("final_gross", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "order_tracking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "number"),
    )
    op.create_table(
        "product_related",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
        ),
        sa.ForeignKeyConstraint(
            ["related_id"],
            ["product.id"],
        ),
        sa.PrimaryKeyConstraint("product_id", "related_id"),
    )


def downgrade():
    op.drop_table("product_related")
    op.drop_table("order_tracking")
    op.drop_table("order_line")
    op.drop_table("order_history")
    op.drop_table("basket_line")
    op.drop_table("product")
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_owner_token"))

    op.drop_table("order")
    op.drop_table("basket_promo_code")
    op.drop_table("promo_code")
    op.drop_table("consent")
    op.drop_table("category")
    op.drop_table("basket")
