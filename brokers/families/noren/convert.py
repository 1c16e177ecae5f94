"""Noren sends every number as a string (sometimes empty); these read them safely."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def number(value: object) -> float:
    try:
        return float(value) if value not in (None, "") else 0.0
    except (TypeError, ValueError):
        return 0.0


def integer(value: object) -> int:
    try:
        return int(float(value)) if value not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def money(value: object) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def plain(value: Decimal | float | int) -> str:
    """A price as Noren wants it: a string, no exponent, no trailing zeros."""
    amount = Decimal(str(value))
    return format(amount.normalize(), "f") if amount else "0"


def noren_time(value: object) -> datetime | None:
    """`norentm` is "HH:MM:SS DD-MM-YYYY"; trade rows may use "DD-MM-YYYY HH:MM:SS"."""
    text = str(value or "").strip()
    for pattern in ("%H:%M:%S %d-%m-%Y", "%d-%m-%Y %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=IST)
        except ValueError:
            continue
    return None
