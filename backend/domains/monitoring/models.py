"""Logs-store tables: traffic log (every request), API log (each /api/v1 call), latency log
(each broker/sandbox call). Written in batches by the log writer, never on the request path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.core.clock import utcnow
from backend.core.db import LogBase

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit id for high volume.
LogId = BigInteger().with_variant(Integer(), "sqlite")


class TrafficLog(LogBase):
    __tablename__ = "traffic_logs"

    id: Mapped[int] = mapped_column(LogId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    client_ip: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(512))
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    request_id: Mapped[str] = mapped_column(String(64), default="")


class ApiLog(LogBase):
    __tablename__ = "api_logs"

    id: Mapped[int] = mapped_column(LogId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    client_ip: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(512))
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(8), default="", index=True)  # "analyze" | "live" | "" (no gateway)
    request_body: Mapped[str] = mapped_column(Text, default="")  # redacted
    response_body: Mapped[str] = mapped_column(Text, default="")  # redacted
    request_id: Mapped[str] = mapped_column(String(64), default="")


class LatencyLog(LogBase):
    __tablename__ = "latency_logs"

    id: Mapped[int] = mapped_column(LogId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    broker: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    duration_ms: Mapped[float] = mapped_column(Float)
    success: Mapped[bool] = mapped_column(Boolean, default=True)
