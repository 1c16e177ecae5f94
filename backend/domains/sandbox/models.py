"""Sandbox tables. Money is integer paise (`*_paise`); prices are integer ten-thousandths of a
rupee (`*_e4`: 0.0025 = 25), exact on SQLite and PostgreSQL alike. Every row carries `user_id`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import Base

USER_FK = "users.id"


def user_column(*, primary_key: bool = False) -> Mapped[int]:
    return mapped_column(ForeignKey(USER_FK, ondelete="CASCADE"), primary_key=primary_key, index=not primary_key)


class ContractColumns:
    """The instrument facts the engine needs, kept with orders and positions."""

    symbol: Mapped[str] = mapped_column(String(64))
    exchange: Mapped[str] = mapped_column(String(16))
    instrumenttype: Mapped[str] = mapped_column(String(16), default="EQ")
    underlying: Mapped[str] = mapped_column(String(64), default="")
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    strike_e4: Mapped[int | None] = mapped_column(BigInteger, default=None)
    lotsize: Mapped[int] = mapped_column(Integer, default=1)
    tick_size_e4: Mapped[int] = mapped_column(BigInteger, default=500)
    freeze_qty: Mapped[int] = mapped_column(Integer, default=0)


class SandboxFunds(Base):
    """One row per user; `version` is bumped first in every unit of work, which locks the row."""

    __tablename__ = "sandbox_funds"

    user_id: Mapped[int] = user_column(primary_key=True)
    cash_paise: Mapped[int] = mapped_column(BigInteger)
    order_margin_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    position_margin_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    realized_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    today_realized_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    realized_on: Mapped[date | None] = mapped_column(Date, default=None)
    reset_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reset_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxLedger(Base):
    """Every fund movement. Σ deltas per user = the funds row (cash, margins, realised P&L)."""

    __tablename__ = "sandbox_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = user_column()
    kind: Mapped[str] = mapped_column(String(20))
    cash_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    order_margin_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    position_margin_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    realized_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    orderid: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxOrder(ContractColumns, Base):
    __tablename__ = "sandbox_orders"
    __table_args__ = (Index("ix_sandbox_orders_user_id_status", "user_id", "status"),
                      Index("ix_sandbox_orders_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    orderid: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = user_column()
    strategy: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    pricetype: Mapped[str] = mapped_column(String(8))
    product: Mapped[str] = mapped_column(String(8))
    price_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    trigger_price_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20))
    filled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    average_price_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    margin_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    triggered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxTrade(Base):
    __tablename__ = "sandbox_trades"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tradeid: Mapped[str] = mapped_column(String(40), unique=True)
    orderid: Mapped[str] = mapped_column(String(20), index=True)
    user_id: Mapped[int] = user_column()
    symbol: Mapped[str] = mapped_column(String(64))
    exchange: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(4))
    product: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    price_e4: Mapped[int] = mapped_column(BigInteger)
    strategy: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxPosition(ContractColumns, Base):
    """Net position per (user, symbol, exchange, product); closed rows stay with quantity 0."""

    __tablename__ = "sandbox_positions"
    __table_args__ = (UniqueConstraint("user_id", "symbol", "exchange", "product"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = user_column()
    product: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    average_price_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    realized_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    today_realized_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    realized_on: Mapped[date | None] = mapped_column(Date, default=None)
    ltp_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    opened_on: Mapped[date | None] = mapped_column(Date, default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SandboxHolding(Base):
    __tablename__ = "sandbox_holdings"
    __table_args__ = (UniqueConstraint("user_id", "symbol", "exchange"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = user_column()
    symbol: Mapped[str] = mapped_column(String(64))
    exchange: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    average_price_e4: Mapped[int] = mapped_column(BigInteger)
    ltp_e4: Mapped[int] = mapped_column(BigInteger, default=0)
    settled_on: Mapped[date | None] = mapped_column(Date, default=None)


class SandboxDailyPnl(Base):
    __tablename__ = "sandbox_daily_pnl"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = user_column()
    day: Mapped[date] = mapped_column(Date)
    realized_paise: Mapped[int] = mapped_column(BigInteger)
    positions_unrealized_paise: Mapped[int] = mapped_column(BigInteger)
    holdings_unrealized_paise: Mapped[int] = mapped_column(BigInteger)
    total_mtm_paise: Mapped[int] = mapped_column(BigInteger)
    available_paise: Mapped[int] = mapped_column(BigInteger)
    used_paise: Mapped[int] = mapped_column(BigInteger)
    portfolio_value_paise: Mapped[int] = mapped_column(BigInteger)
