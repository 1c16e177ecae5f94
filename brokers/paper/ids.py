"""Identifiers. Order ids are OpenAlgo's 14 digits: `YYMMDD` (IST) + the millisecond of the IST day
(8 digits), bumped past the last id issued so ids are unique within a process and sort in time.
Two workers issuing in the same millisecond collide on the unique column; the engine retries."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


class OrderIds:
    def __init__(self) -> None:
        self._last = 0

    def next(self, now: datetime, *, jitter: bool = False) -> str:
        local = now.astimezone(IST)
        day = int(local.strftime("%y%m%d")) * 100_000_000
        millis = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.microsecond // 1000
        candidate = day + millis + (secrets.randbelow(1000) if jitter else 0)
        if candidate <= self._last and self._last // 100_000_000 == day // 100_000_000:
            candidate = self._last + 1
        self._last = candidate
        return f"{candidate:014d}"


def trade_id(now: datetime) -> str:
    """`TRADE-YYYYMMDD-HHMMSS-<8 hex>` as OpenAlgo's sandbox issues them."""
    return f"TRADE-{now.astimezone(IST).strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}"
