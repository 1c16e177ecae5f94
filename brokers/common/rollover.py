"""Brokers end their sessions at a fixed IST time each day (03:00–06:00, per broker)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def next_daily(at: time, now: datetime) -> datetime:
    """The next `at` on the IST wall clock strictly after `now` (an aware datetime)."""
    local = now.astimezone(IST)
    candidate = datetime.combine(local.date(), at, IST)
    return candidate if candidate > local else candidate + timedelta(days=1)
