"""The exchange calendar: sessions, holidays, special sessions and expiry rules, in IST.

Data, not code: everything comes from `exchange_calendar.json` (or an operator's copy passed to
`ExchangeCalendar.load`), so a new year's holiday list or an exchange moving its expiry weekday is
an edit to a file, never to the simulator or the market endpoints.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
DEFAULT_CALENDAR_FILE = Path(__file__).with_name("exchange_calendar.json")

TRADING_HOLIDAY = "TRADING_HOLIDAY"
SETTLEMENT_HOLIDAY = "SETTLEMENT_HOLIDAY"
SPECIAL_SESSION = "SPECIAL_SESSION"

# Exchanges whose trading day follows another's (indices are quoted while their cash market trades).
_FOLLOWS = {"NSE_INDEX": "NSE", "BSE_INDEX": "BSE", "MCX_INDEX": "MCX"}


def _parse_time(text: str) -> time:
    parts = [int(p) for p in text.split(":")]
    return time(*parts)


@dataclass(frozen=True)
class Holiday:
    day: date
    description: str
    holiday_type: str
    closed: frozenset[str]
    open_windows: dict[str, tuple[time, time]] = field(default_factory=dict)


@dataclass(frozen=True)
class ExpiryRule:
    """How an exchange picks expiry dates. See the `_comment` in the calendar file for the kinds."""

    kind: str
    exchange: str
    weekday: int = 3
    day: int = 1
    offset: int = 0


@dataclass(frozen=True)
class Session:
    exchange: str
    start: datetime  # IST-aware
    end: datetime

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return int(self.end.timestamp() * 1000)


class ExchangeCalendar:
    def __init__(self, sessions: dict[str, tuple[time, time]], holidays: list[Holiday],
                 expiry_rules: dict[str, ExpiryRule], weekend_open: frozenset[str]) -> None:
        self.default_sessions = sessions
        self.holidays = {h.day: h for h in holidays}
        self.expiry_rules = expiry_rules
        self.weekend_open = weekend_open

    @classmethod
    def load(cls, path: Path | str | None = None) -> ExchangeCalendar:
        raw = json.loads(Path(path or DEFAULT_CALENDAR_FILE).read_text(encoding="utf-8"))
        sessions = {ex: (_parse_time(a), _parse_time(b)) for ex, (a, b) in raw["sessions"].items()}
        holidays = [
            Holiday(
                day=date.fromisoformat(item["date"]),
                description=item["description"],
                holiday_type=item.get("type", TRADING_HOLIDAY),
                closed=frozenset(item.get("closed", ())),
                open_windows={ex: (_parse_time(a), _parse_time(b)) for ex, (a, b) in item.get("open", {}).items()},
            )
            for item in raw.get("holidays", [])
        ]
        rules = {
            name: ExpiryRule(kind=spec["kind"], exchange=spec["exchange"], weekday=spec.get("weekday", 3),
                             day=spec.get("day", 1), offset=spec.get("offset", 0))
            for name, spec in raw.get("expiry_rules", {}).items() if not name.startswith("_")
        }
        return cls(sessions, holidays, rules, frozenset(raw.get("weekend_open", ())))

    # --- sessions --------------------------------------------------------------------------

    @property
    def exchanges(self) -> list[str]:
        return list(self.default_sessions)

    def holidays_in(self, year: int) -> list[Holiday]:
        return sorted((h for d, h in self.holidays.items() if d.year == year), key=lambda h: h.day)

    def sessions(self, exchange: str, day: date) -> list[Session]:
        """The trading windows of `exchange` on `day` (empty when closed)."""
        key = _FOLLOWS.get(exchange, exchange)
        default = self.default_sessions.get(exchange) or self.default_sessions.get(key)
        if default is None:
            return []
        if key in self.weekend_open:
            return [self._session(exchange, day, *default)]
        holiday = self.holidays.get(day)
        if holiday is not None:
            window = holiday.open_windows.get(key)
            if window is not None:
                return [self._session(exchange, day, *window)]
            # A special session (Muhurat) opens only the listed windows; everything else is closed.
            if key in holiday.closed or holiday.holiday_type == SPECIAL_SESSION:
                return []
        if day.weekday() >= 5:
            return []
        return [self._session(exchange, day, *default)]

    @staticmethod
    def _session(exchange: str, day: date, start: time, end: time) -> Session:
        return Session(exchange, datetime.combine(day, start, IST), datetime.combine(day, end, IST))

    def is_trading_day(self, exchange: str, day: date) -> bool:
        return bool(self.sessions(exchange, day))

    def is_open(self, exchange: str, moment: datetime) -> bool:
        local = moment.astimezone(IST)
        return any(s.start <= local < s.end for s in self.sessions(exchange, local.date()))

    def previous_trading_day(self, exchange: str, day: date, max_back: int = 15) -> date:
        """The latest trading day strictly before `day` (weekends and holidays skipped)."""
        candidate = day - timedelta(days=1)
        for _ in range(max_back):
            if self.is_regular_trading_day(exchange, candidate):
                return candidate
            candidate -= timedelta(days=1)
        return candidate

    def is_regular_trading_day(self, exchange: str, day: date) -> bool:
        """A full trading day: open, and not a one-hour special session such as Muhurat."""
        holiday = self.holidays.get(day)
        special = holiday is not None and holiday.holiday_type == SPECIAL_SESSION
        return not special and self.is_trading_day(exchange, day)

    def shift_to_trading_day(self, exchange: str, day: date) -> date:
        """Expiry falling on a holiday/weekend moves to the previous trading day (NSE/BSE practice)."""
        if self.is_regular_trading_day(exchange, day):
            return day
        return self.previous_trading_day(exchange, day)

    # --- expiries -------------------------------------------------------------------------

    def expiries(self, rule_name: str, start: date, count: int) -> list[date]:
        """The next `count` expiries under `rule_name` on or after `start`, holiday-shifted."""
        return list(_expiries(self, rule_name, start, count))

    def _rule_date(self, rule: ExpiryRule, year: int, month: int) -> date:
        last_day = _stdlib_calendar.monthrange(year, month)[1]
        if rule.kind == "monthly_last":
            day = date(year, month, last_day)
            while day.weekday() != rule.weekday:
                day -= timedelta(days=1)
            return day
        if rule.kind == "monthly_day":
            return date(year, month, min(rule.day, last_day))
        if rule.kind == "monthly_last_business":
            day = self.shift_to_trading_day(rule.exchange, date(year, month, last_day))
            for _ in range(rule.offset):
                day = self.previous_trading_day(rule.exchange, day)
            return day
        raise ValueError(f"unknown monthly expiry rule kind {rule.kind!r}")


def _expiries(cal: ExchangeCalendar, rule_name: str, start: date, count: int) -> list[date]:
    rule = cal.expiry_rules[rule_name]
    found: list[date] = []
    if rule.kind == "weekly":
        day = start + timedelta(days=(rule.weekday - start.weekday()) % 7)
        while len(found) < count:
            shifted = cal.shift_to_trading_day(rule.exchange, day)
            if shifted >= start:
                found.append(shifted)
            day += timedelta(days=7)
        return found
    year, month = start.year, start.month
    while len(found) < count:
        expiry = cal.shift_to_trading_day(rule.exchange, cal._rule_date(rule, year, month))
        if expiry >= start:
            found.append(expiry)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return found


@lru_cache(maxsize=4)
def default_calendar(path: str | None = None) -> ExchangeCalendar:
    """The bundled calendar (or the operator's file), parsed once per process."""
    return ExchangeCalendar.load(path)
