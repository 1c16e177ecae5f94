"""instruments tables: versioned master contract per broker and the active-version pointer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "instruments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("brsymbol", sa.String(128), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("exchange", sa.String(16), nullable=False),
        sa.Column("brexchange", sa.String(32), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("strike", sa.Numeric(18, 4), nullable=True),
        sa.Column("lotsize", sa.Integer(), nullable=False),
        sa.Column("tick_size", sa.Numeric(18, 6), nullable=False),
        sa.Column("instrumenttype", sa.String(16), nullable=False),
        sa.Column("freeze_qty", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instruments"),
    )
    op.create_index("ix_instruments_broker_version_exchange_symbol", "instruments",
                    ["broker", "version", "exchange", "symbol"])
    op.create_index("ix_instruments_broker_version_exchange_token", "instruments",
                    ["broker", "version", "exchange", "token"])
    op.create_table(
        "instrument_masters",
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("active_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("downloaded_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("broker", name="pk_instrument_masters"),
    )


def downgrade() -> None:
    op.drop_table("instrument_masters")
    op.drop_index("ix_instruments_broker_version_exchange_token", table_name="instruments")
    op.drop_index("ix_instruments_broker_version_exchange_symbol", table_name="instruments")
    op.drop_table("instruments")
