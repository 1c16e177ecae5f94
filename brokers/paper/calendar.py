"""Exchange calendars: trading days, sessions, MIS square-off deadlines and T+1 dates.

`ExchangeCalendar` honours real sessions (weekdays minus injected holidays, exchange hours,
OpenAlgo's square-off times). `AlwaysOpenCalendar` is the simulator's demo calendar: every day
trades around the clock and an intraday position is squared off when its (IST) day ends, so a
newcomer at 21:00 can still trade intraday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")

NSE_SESSION = (time(9, 15), time(15, 30))
SESSIONS: dict[str, tuple[time, time]] = {
    "NSE": NSE_SESSION, "BSE": NSE_SESSION, "NFO": NSE_SESSION, "BFO": NSE_SESSION,
    "CDS": (time(9, 0), time(17, 0)), "BCD": (time(9, 0), time(17, 0)),
    "MCX": (time(9, 0), time(23, 30)), "NCDEX": (time(9, 0), time(17, 0)), "NCO": (time(9, 0), time(17, 0)),
}
SQUARE_OFF_TIMES: dict[str, time] = {
    "NSE": time(15, 15), "BSE": time(15, 15), "NFO": time(15, 15), "BFO": time(15, 15),
    "CDS": time(16, 45), "BCD": time(16, 45), "MCX": time(23, 30), "NCDEX": time(17, 0),
}
# Expired contracts settle from the exchange close on expiry day.
EXPIRY_CLOSE: dict[str, time] = {"NFO": time(15, 40), "BFO": time(15, 40), "CDS": time(17, 0), "BCD": time(17, 0),
                                 "MCX": time(23, 30), "NCDEX": time(17, 0)}
MIS_RESUME = time(9, 0)


class ExchangeCalendar:
    honours_sessions = True

    def __init__(self, holidays: Iterable[date] | Mapping[str, Iterable[date]] = (),
                 square_off_times: Mapping[str, time] | None = None) -> None:
        if isinstance(holidays, Mapping):
            self._holidays = {exchange: frozenset(days) for exchange, days in holidays.items()}
        else:
            self._holidays = {"*": frozenset(holidays)}
        self.square_off_times = dict(SQUARE_OFF_TIMES if square_off_times is None else square_off_times)

    def is_trading_day(self, day: date, exchange: str = "NSE") -> bool:
        if str(exchange) == "CRYPTO":
            return True
        if day.weekday() >= 5:
            return False
        holidays = self._holidays.get(str(exchange), self._holidays.get("*", frozenset()))
        return day not in holidays

    def next_trading_day(self, day: date, exchange: str = "NSE") -> date:
        candidate = day + timedelta(days=1)
        while not self.is_trading_day(candidate, exchange):
            candidate += timedelta(days=1)
        return candidate

    def is_open(self, exchange: str, moment: datetime) -> bool:
        local = moment.astimezone(IST)
        session = SESSIONS.get(str(exchange))
        if session is None:  # CRYPTO and unknown venues trade around the clock
            return True
        return self.is_trading_day(local.date(), exchange) and session[0] <= local.time() < session[1]

    def square_off_deadline(self, exchange: str, trade_date: date) -> datetime | None:
        """When an MIS position opened on `trade_date` must be closed (None: never)."""
        cutoff = self.square_off_times.get(str(exchange))
        if cutoff is None:
            return None
        return datetime.combine(trade_date, cutoff, IST)

    def mis_blocked(self, exchange: str, moment: datetime) -> time | None:
        """The square-off time if new MIS exposure is refused at `moment` (from it until 09:00)."""
        cutoff = self.square_off_times.get(str(exchange))
        if cutoff is None:
            return None
        now = moment.astimezone(IST).time()
        return cutoff if (now >= cutoff or now < MIS_RESUME) else None

    def expiry_moment(self, exchange: str, expiry: date) -> datetime:
        """From when a contract expiring on `expiry` counts as expired."""
        return datetime.combine(expiry, EXPIRY_CLOSE.get(str(exchange), time(15, 30)), IST)

    def trading_date(self, moment: datetime) -> date:
        return moment.astimezone(IST).date()


class AlwaysOpenCalendar(ExchangeCalendar):
    """The simulator's demo market: open every day, all day; intraday ends at IST midnight."""

    honours_sessions = False

    def is_trading_day(self, day: date, exchange: str = "NSE") -> bool:
        return True

    def is_open(self, exchange: str, moment: datetime) -> bool:
        return True

    def square_off_deadline(self, exchange: str, trade_date: date) -> datetime | None:
        if str(exchange) not in self.square_off_times:
            return None
        return datetime.combine(trade_date + timedelta(days=1), time(0, 0), IST)

    def mis_blocked(self, exchange: str, moment: datetime) -> time | None:
        return None
