"""Tables of the automation domain: pending orders (Action Center), strategies, their symbol
mappings and alert log, webhook de-duplication, and Telegram links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import AwareDateTime, Base


class PendingOrder(Base):
    """An order-creating API call held for approval. `status`: pending → approved | rejected |
    expired; an approved row whose execution failed is `failed` (it ran exactly once either way)."""

    __tablename__ = "pending_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    api_type: Mapped[str] = mapped_column(String(32))
    order_data: Mapped[str] = mapped_column(Text)  # the request JSON, apikey removed
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[str | None] = mapped_column(Text, default=None)  # the execution's response JSON


class Strategy(Base):
    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))  # tradingview | chartink | amibroker
    webhook_id: Mapped[str] = mapped_column(String(64), unique=True)
    trading_mode: Mapped[str] = mapped_column(String(8), default="LONG")  # LONG | SHORT | BOTH
    is_intraday: Mapped[bool] = mapped_column(Boolean, default=True)
    start_time: Mapped[str | None] = mapped_column(String(5), default=None)  # HH:MM IST
    end_time: Mapped[str | None] = mapped_column(String(5), default=None)
    squareoff_time: Mapped[str | None] = mapped_column(String(5), default=None)
    product: Mapped[str] = mapped_column(String(8), default="MIS")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_squareoff_on: Mapped[date | None] = mapped_column(Date, default=None)  # IST day, claims the job
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)


class StrategySymbol(Base):
    __tablename__ = "strategy_symbols"
    __table_args__ = (UniqueConstraint("strategy_id", "alert_symbol"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    alert_symbol: Mapped[str] = mapped_column(String(64))
    exchange: Mapped[str] = mapped_column(String(16))
    symbol: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(8))


class StrategyLog(Base):
    """Every alert received (and every square-off), with what became of it."""

    __tablename__ = "strategy_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    signal: Mapped[str] = mapped_column(String(16), default="")
    symbol: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16))  # executed | queued | rejected | malformed | duplicate | error
    message: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")


class WebhookDelivery(Base):
    """One row per (strategy, body hash): a delivery is new only if its row is absent or expired,
    decided by one upsert so two workers receiving the same retry agree."""

    __tablename__ = "webhook_deliveries"

    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(AwareDateTime())


class TelegramLink(Base):
    """A user's Telegram chat, linked by a one-time code sent to the bot."""

    __tablename__ = "telegram_links"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    link_code: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    telegram_username: Mapped[str | None] = mapped_column(String(64), default=None)
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), default=None)
