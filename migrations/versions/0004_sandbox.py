"""sandbox tables: funds, ledger, orders, trades, positions, holdings, daily P&L

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
TABLES = ("sandbox_daily_pnl", "sandbox_holdings", "sandbox_positions", "sandbox_trades", "sandbox_orders",
          "sandbox_ledger", "sandbox_funds")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE")


def _contract_columns() -> list[sa.Column]:
    return [
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("exchange", sa.String(16), nullable=False),
        sa.Column("instrumenttype", sa.String(16), nullable=False),
        sa.Column("underlying", sa.String(64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("strike_e4", sa.BigInteger(), nullable=True),
        sa.Column("lotsize", sa.Integer(), nullable=False),
        sa.Column("tick_size_e4", sa.BigInteger(), nullable=False),
        sa.Column("freeze_qty", sa.Integer(), nullable=False),
    ]


def _paise(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sandbox_funds",
        sa.Column("user_id", sa.Integer(), nullable=False),
        _paise("cash_paise"), _paise("order_margin_paise"), _paise("position_margin_paise"), _paise("realized_paise"),
        _paise("today_realized_paise"),
        sa.Column("realized_on", sa.Date(), nullable=True),
        sa.Column("reset_count", sa.Integer(), nullable=False),
        sa.Column("last_reset_at", TZ, nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("sandbox_funds"),
        sa.PrimaryKeyConstraint("user_id", name="pk_sandbox_funds"),
    )
    op.create_table(
        "sandbox_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _paise("cash_paise"), _paise("order_margin_paise"), _paise("position_margin_paise"), _paise("realized_paise"),
        sa.Column("orderid", sa.String(20), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("sandbox_ledger"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_ledger"),
    )
    op.create_index("ix_sandbox_ledger_user_id", "sandbox_ledger", ["user_id"])
    op.create_table(
        "sandbox_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("orderid", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(100), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("pricetype", sa.String(8), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("trigger_price_e4", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("filled_quantity", sa.Integer(), nullable=False),
        sa.Column("average_price_e4", sa.BigInteger(), nullable=False),
        _paise("margin_paise"),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("triggered", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        *_contract_columns(),
        _user_fk("sandbox_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_orders"),
        sa.UniqueConstraint("orderid", name="uq_sandbox_orders_orderid"),
    )
    op.create_index("ix_sandbox_orders_user_id", "sandbox_orders", ["user_id"])
    op.create_index("ix_sandbox_orders_user_id_status", "sandbox_orders", ["user_id", "status"])
    op.create_index("ix_sandbox_orders_status", "sandbox_orders", ["status"])
    op.create_table(
        "sandbox_trades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tradeid", sa.String(40), nullable=False),
        sa.Column("orderid", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("exchange", sa.String(16), nullable=False),
        sa.Column("action", sa.String(4), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price_e4", sa.BigInteger(), nullable=False),
        sa.Column("strategy", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _user_fk("sandbox_trades"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_trades"),
        sa.UniqueConstraint("tradeid", name="uq_sandbox_trades_tradeid"),
    )
    op.create_index("ix_sandbox_trades_orderid", "sandbox_trades", ["orderid"])
    op.create_index("ix_sandbox_trades_user_id", "sandbox_trades", ["user_id"])
    op.create_table(
        "sandbox_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("average_price_e4", sa.BigInteger(), nullable=False),
        _paise("realized_paise"), _paise("today_realized_paise"),
        sa.Column("realized_on", sa.Date(), nullable=True),
        sa.Column("ltp_e4", sa.BigInteger(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        *_contract_columns(),
        _user_fk("sandbox_positions"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_positions"),
        sa.UniqueConstraint("user_id", "symbol", "exchange", "product", name="uq_sandbox_positions_user_id"),
    )
    op.create_index("ix_sandbox_positions_user_id", "sandbox_positions", ["user_id"])
    op.create_table(
        "sandbox_holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(64), nullable=False),
        sa.Column("exchange", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("average_price_e4", sa.BigInteger(), nullable=False),
        sa.Column("ltp_e4", sa.BigInteger(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        _user_fk("sandbox_holdings"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_holdings"),
        sa.UniqueConstraint("user_id", "symbol", "exchange", name="uq_sandbox_holdings_user_id"),
    )
    op.create_index("ix_sandbox_holdings_user_id", "sandbox_holdings", ["user_id"])
    op.create_table(
        "sandbox_daily_pnl",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        _paise("realized_paise"), _paise("positions_unrealized_paise"), _paise("holdings_unrealized_paise"),
        _paise("total_mtm_paise"), _paise("available_paise"), _paise("used_paise"), _paise("portfolio_value_paise"),
        _user_fk("sandbox_daily_pnl"),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_daily_pnl"),
        sa.UniqueConstraint("user_id", "day", name="uq_sandbox_daily_pnl_user_id"),
    )
    op.create_index("ix_sandbox_daily_pnl_user_id", "sandbox_daily_pnl", ["user_id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
