"""Exchange holidays and session timings for the `/market/*` endpoints, from the shared calendar."""

from __future__ import annotations

from datetime import date

from brokers.common.calendar import ExchangeCalendar, default_calendar

TIMING_EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "MCX", "BCD", "CDS", "NCO", "CRYPTO")
FIRST_YEAR, LAST_YEAR = 2020, 2050


class MarketCalendarService:
    def __init__(self, calendar: ExchangeCalendar | None = None) -> None:
        self.calendar = calendar or default_calendar()

    def holidays(self, year: int) -> list[dict]:
        out = []
        for holiday in self.calendar.holidays_in(year):
            open_exchanges = []
            for exchange in holiday.open_windows:
                for session in self.calendar.sessions(exchange, holiday.day):
                    open_exchanges.append({"exchange": exchange, "start_time": session.start_ms,
                                           "end_time": session.end_ms})
            closed = [ex for ex in TIMING_EXCHANGES if ex in holiday.closed]
            out.append({"date": holiday.day.isoformat(), "description": holiday.description,
                        "holiday_type": holiday.holiday_type, "closed_exchanges": closed,
                        "open_exchanges": open_exchanges})
        return out

    def timings(self, day: date) -> list[dict]:
        """Open sessions of `day` per exchange; an exchange that is shut that day is left out."""
        return [{"exchange": session.exchange, "start_time": session.start_ms, "end_time": session.end_ms}
                for exchange in TIMING_EXCHANGES for session in self.calendar.sessions(exchange, day)]
