"""Small value conversions shared by the XTS modules."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def money(value: object) -> Decimal:
    """Decimal, with XTS's `"nan"` strings and blanks as 0."""
    if value is None or value == "":
        return Decimal(0)
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)
    return result if result.is_finite() else Decimal(0)


def number(value: object) -> float:
    try:
        result = float(value) if value is not None and value != "" else 0.0
    except (TypeError, ValueError):
        return 0.0
    return result if math.isfinite(result) else 0.0


def integer(value: object) -> int:
    return int(number(value))


def order_id(value: object) -> str:
    """`AppOrderID` may arrive as a float (`1200012345.0`): always an integer string."""
    if isinstance(value, float) or (isinstance(value, str) and "." in value):
        try:
            return str(int(float(value)))
        except ValueError:
            return str(value)
    return str(value)


_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%b-%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def ist_time(value: object) -> datetime | None:
    """XTS book timestamps (`29-11-2026 10:15:00`, `29-Nov-2026 10:15:00` or ISO), IST wall clock."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=IST)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=IST) if parsed.tzinfo is None else parsed.astimezone(IST)
