"""The exchange calendar: sessions, holidays, special sessions and holiday-shifted expiries."""

from datetime import date, time

from brokers.common.calendar import ExchangeCalendar, default_calendar


class TestSessions:
    def test_regular_weekday_session_in_ist(self):
        (session,) = default_calendar().sessions("NSE", date(2026, 11, 27))
        assert (session.start.time(), session.end.time()) == (time(9, 15), time(15, 30))
        assert session.start.utcoffset().total_seconds() == 19800

    def test_weekend_closes_exchanges_but_not_crypto(self):
        calendar = default_calendar()
        assert calendar.sessions("NSE", date(2026, 11, 28)) == []
        assert calendar.sessions("CRYPTO", date(2026, 11, 28))

    def test_trading_holiday_keeps_mcx_evening_session(self):
        calendar = default_calendar()
        assert calendar.sessions("NSE", date(2026, 3, 3)) == []
        (mcx,) = calendar.sessions("MCX", date(2026, 3, 3))
        assert (mcx.start.time(), mcx.end.time()) == (time(17, 0), time(23, 55))

    def test_muhurat_special_session_only_opens_its_window(self):
        calendar = default_calendar()
        (session,) = calendar.sessions("NSE", date(2025, 10, 21))
        assert (session.start.time(), session.end.time()) == (time(13, 45), time(14, 45))
        assert calendar.sessions("CDS", date(2025, 10, 21)) == []
        assert not calendar.is_regular_trading_day("NSE", date(2025, 10, 21))

    def test_indices_follow_their_cash_market(self):
        calendar = default_calendar()
        assert calendar.sessions("NSE_INDEX", date(2026, 3, 3)) == []
        assert calendar.sessions("NSE_INDEX", date(2026, 11, 27))


class TestExpiries:
    def test_weekly_tuesday_expiries(self):
        days = default_calendar().expiries("NSE_INDEX_WEEKLY", date(2026, 11, 29), 3)
        assert days == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]

    def test_monthly_last_tuesday_shifts_back_on_holiday(self):
        # 31 March 2026 is a Tuesday and a holiday (Mahavir Jayanti): expiry moves to Monday 30th.
        assert default_calendar().expiries("NSE_MONTHLY", date(2026, 3, 1), 1) == [date(2026, 3, 30)]

    def test_expiry_rules_come_from_the_calendar_file(self, tmp_path):
        text = tmp_path / "cal.json"
        text.write_text('{"sessions": {"NFO": ["09:15", "15:30"]}, "holidays": [], "expiry_rules": '
                        '{"WEEKLY": {"kind": "weekly", "weekday": 3, "exchange": "NFO"}}}')
        calendar = ExchangeCalendar.load(text)
        assert calendar.expiries("WEEKLY", date(2026, 11, 29), 2) == [date(2026, 12, 3), date(2026, 12, 10)]

    def test_previous_trading_day_skips_weekend_and_holiday(self):
        # Monday 2026-01-26 is Republic Day: Tuesday's previous trading day is Friday the 23rd.
        assert default_calendar().previous_trading_day("NSE", date(2026, 1, 27)) == date(2026, 1, 23)
