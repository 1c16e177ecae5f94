"""traffic, API and latency logs

Revision ID: logs_0002
Revises: logs_0001
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "logs_0002"
down_revision = "logs_0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
LOG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "traffic_logs",
        sa.Column("id", LOG_ID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_traffic_logs"),
    )
    op.create_index("ix_traffic_logs_created_at", "traffic_logs", ["created_at"])
    op.create_index("ix_traffic_logs_user_id", "traffic_logs", ["user_id"])
    op.create_table(
        "api_logs",
        sa.Column("id", LOG_ID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("request_body", sa.Text(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_logs"),
    )
    op.create_index("ix_api_logs_created_at", "api_logs", ["created_at"])
    op.create_index("ix_api_logs_user_id", "api_logs", ["user_id"])
    op.create_table(
        "latency_logs",
        sa.Column("id", LOG_ID, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_latency_logs"),
    )
    op.create_index("ix_latency_logs_created_at", "latency_logs", ["created_at"])
    op.create_index("ix_latency_logs_user_id", "latency_logs", ["user_id"])


def downgrade() -> None:
    for table in ("latency_logs", "api_logs", "traffic_logs"):
        op.drop_table(table)
