"""API log rows record the trading mode, for the analyzer request log

Revision ID: logs_0003
Revises: logs_0002
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "logs_0003"
down_revision = "logs_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_logs") as batch:
        batch.add_column(sa.Column("mode", sa.String(length=8), nullable=False, server_default=""))
        batch.create_index(batch.f("ix_api_logs_mode"), ["mode"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("api_logs") as batch:
        batch.drop_index(batch.f("ix_api_logs_mode"))
        batch.drop_column("mode")
