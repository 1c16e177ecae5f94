"""The simulated GTT book: one row per GTT, owned by a user.

Prices are integers in 1/10,000 of a rupee (`_e4`, like the sandbox's tick sizes and strikes) so
currency triggers such as 83.0025 are exact. `legs` is JSON, ascending by trigger (OCO: the
stop-loss leg, then the target leg); each leg carries its own trigger and a status once fired.
`version` grows on every modify, so a firing claim made from a stale read loses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import AwareDateTime, Base


class GttOrder(Base):
    __tablename__ = "gtt_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger_id: Mapped[str] = mapped_column(String(20), unique=True)  # digits, as brokers' ids
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    strategy: Mapped[str] = mapped_column(Text, default="")
    symbol: Mapped[str] = mapped_column(String(64))
    exchange: Mapped[str] = mapped_column(String(16))
    trigger_type: Mapped[str] = mapped_column(String(8))  # single | two-leg
    trigger_below_e4: Mapped[int | None] = mapped_column(BigInteger, default=None)  # fires when LTP ≤
    trigger_above_e4: Mapped[int | None] = mapped_column(BigInteger, default=None)  # fires when LTP ≥
    legs: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    last_price_e4: Mapped[int] = mapped_column(BigInteger, default=0)  # LTP at placement
    child_orderid: Mapped[str | None] = mapped_column(String(32), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)  # why it was rejected
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), default=None)
    expires_at: Mapped[datetime | None] = mapped_column(AwareDateTime(), default=None)
