"""Master-contract tables: one row per instrument per broker per version, and a pointer per broker.

Versioning is the atomic swap: a download writes a whole new version next to the serving one and
then moves `instrument_masters.active_version` in one small UPDATE. Readers only ever see a
complete master; a crash mid-load leaves an orphan version that the next load deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import Base


class InstrumentRecord(Base):
    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    broker: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(64))
    brsymbol: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    exchange: Mapped[str] = mapped_column(String(16))
    brexchange: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    strike: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), default=None)
    lotsize: Mapped[int] = mapped_column(Integer, default=1)
    tick_size: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    instrumenttype: Mapped[str] = mapped_column(String(16))
    freeze_qty: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_instruments_broker_version_exchange_symbol", "broker", "version", "exchange", "symbol"),
        Index("ix_instruments_broker_version_exchange_token", "broker", "version", "exchange", "token"),
    )


class InstrumentMaster(Base):
    """Per broker: which version serves, and the last download's outcome."""

    __tablename__ = "instrument_masters"

    broker: Mapped[str] = mapped_column(String(32), primary_key=True)
    active_version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    message: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    downloaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
