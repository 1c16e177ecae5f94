"""The daily session end every broker's login computes its expiry from."""

from datetime import UTC, datetime, time

from brokers.common.rollover import IST, next_daily


def test_the_next_rollover_is_strictly_after_now():
    at = time(3, 30)
    assert next_daily(at, datetime(2026, 11, 30, 3, 29, 59, tzinfo=IST)) == datetime(2026, 11, 30, 3, 30, tzinfo=IST)
    assert next_daily(at, datetime(2026, 11, 30, 3, 30, tzinfo=IST)) == datetime(2026, 12, 1, 3, 30, tzinfo=IST)
    assert next_daily(at, datetime(2026, 12, 31, 18, 0, tzinfo=IST)) == datetime(2027, 1, 1, 3, 30, tzinfo=IST)


def test_the_wall_clock_is_india_whatever_zone_now_is_in():
    # 21:45 UTC on the 29th is 03:15 IST on the 30th: today's 03:30 IST has not passed yet
    assert next_daily(time(3, 30), datetime(2026, 11, 29, 21, 45, tzinfo=UTC)) == \
        datetime(2026, 11, 30, 3, 30, tzinfo=IST)
    assert next_daily(time(6, 0), datetime(2026, 11, 30, 0, 30, tzinfo=UTC)) == datetime(2026, 12, 1, 6, 0, tzinfo=IST)
