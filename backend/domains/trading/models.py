"""Per-user trading profile: which broker, analyzer (paper) mode, and order mode."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import AwareDateTime, Base


class TradingProfile(Base):
    __tablename__ = "trading_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    broker: Mapped[str] = mapped_column(String(32), default="simulator")
    analyze_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    order_mode: Mapped[str] = mapped_column(String(16), default="auto")  # auto | semi_auto
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime(), default=utcnow, onupdate=utcnow)
