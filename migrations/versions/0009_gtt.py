"""gtt: the simulated GTT book (paper execution's good-till-triggered orders)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "gtt_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger_id", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.Text(), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("trigger_type", sa.String(length=8), nullable=False),
        sa.Column("trigger_below_e4", sa.BigInteger(), nullable=True),
        sa.Column("trigger_above_e4", sa.BigInteger(), nullable=True),
        sa.Column("legs", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_price_e4", sa.BigInteger(), nullable=False),
        sa.Column("child_orderid", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=True),
        sa.Column("expires_at", TZ, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_gtt_orders_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gtt_orders")),
        sa.UniqueConstraint("trigger_id", name=op.f("uq_gtt_orders_trigger_id")),
    )
    op.create_index(op.f("ix_gtt_orders_user_id"), "gtt_orders", ["user_id"], unique=False)
    op.create_index(op.f("ix_gtt_orders_status"), "gtt_orders", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_gtt_orders_status"), table_name="gtt_orders")
    op.drop_index(op.f("ix_gtt_orders_user_id"), table_name="gtt_orders")
    op.drop_table("gtt_orders")
