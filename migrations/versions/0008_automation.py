"""automation: Action Center pending orders, strategies and webhooks, Telegram links

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"),
                                   ondelete="CASCADE")


def _strategy_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["strategy_id"], ["strategies.id"],
                                   name=op.f(f"fk_{table}_strategy_id_strategies"), ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "pending_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("api_type", sa.String(length=32), nullable=False),
        sa.Column("order_data", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        _user_fk("pending_orders"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_orders")),
    )
    op.create_index(op.f("ix_pending_orders_user_id"), "pending_orders", ["user_id"], unique=False)
    op.create_index(op.f("ix_pending_orders_status"), "pending_orders", ["status"], unique=False)

    op.create_table(
        "strategies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("webhook_id", sa.String(length=64), nullable=False),
        sa.Column("trading_mode", sa.String(length=8), nullable=False),
        sa.Column("is_intraday", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=True),
        sa.Column("end_time", sa.String(length=5), nullable=True),
        sa.Column("squareoff_time", sa.String(length=5), nullable=True),
        sa.Column("product", sa.String(length=8), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_squareoff_on", sa.Date(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        _user_fk("strategies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategies")),
        sa.UniqueConstraint("webhook_id", name=op.f("uq_strategies_webhook_id")),
    )
    op.create_index(op.f("ix_strategies_user_id"), "strategies", ["user_id"], unique=False)

    op.create_table(
        "strategy_symbols",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("alert_symbol", sa.String(length=64), nullable=False),
        sa.Column("exchange", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=8), nullable=False),
        _strategy_fk("strategy_symbols"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_symbols")),
        sa.UniqueConstraint("strategy_id", "alert_symbol", name=op.f("uq_strategy_symbols_strategy_id")),
    )
    op.create_index(op.f("ix_strategy_symbols_strategy_id"), "strategy_symbols", ["strategy_id"], unique=False)

    op.create_table(
        "strategy_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("signal", sa.String(length=16), nullable=False),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        _strategy_fk("strategy_logs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategy_logs")),
    )
    op.create_index(op.f("ix_strategy_logs_strategy_id"), "strategy_logs", ["strategy_id"], unique=False)

    op.create_table(
        "webhook_deliveries",
        sa.Column("strategy_id", sa.Integer(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        _strategy_fk("webhook_deliveries"),
        sa.PrimaryKeyConstraint("strategy_id", "body_hash", name=op.f("pk_webhook_deliveries")),
    )

    op.create_table(
        "telegram_links",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("link_code", sa.String(length=32), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("telegram_username", sa.String(length=64), nullable=True),
        sa.Column("alerts_enabled", sa.Boolean(), nullable=False),
        sa.Column("linked_at", TZ, nullable=True),
        _user_fk("telegram_links"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_telegram_links")),
        sa.UniqueConstraint("link_code", name=op.f("uq_telegram_links_link_code")),
    )


def downgrade() -> None:
    op.drop_table("telegram_links")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_strategy_logs_strategy_id"), table_name="strategy_logs")
    op.drop_table("strategy_logs")
    op.drop_index(op.f("ix_strategy_symbols_strategy_id"), table_name="strategy_symbols")
    op.drop_table("strategy_symbols")
    op.drop_index(op.f("ix_strategies_user_id"), table_name="strategies")
    op.drop_table("strategies")
    op.drop_index(op.f("ix_pending_orders_status"), table_name="pending_orders")
    op.drop_index(op.f("ix_pending_orders_user_id"), table_name="pending_orders")
    op.drop_table("pending_orders")
