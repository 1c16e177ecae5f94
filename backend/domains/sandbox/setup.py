"""Paper-engine configuration and calendar from `Settings`."""

from __future__ import annotations

from datetime import date, time

from backend.core.settings import Settings
from brokers.paper.calendar import AlwaysOpenCalendar, ExchangeCalendar
from brokers.paper.config import PaperConfig


def paper_config(settings: Settings) -> PaperConfig:
    return PaperConfig(
        starting_capital=settings.sandbox_starting_capital,
        equity_mis_leverage=settings.sandbox_equity_mis_leverage,
        equity_cnc_leverage=settings.sandbox_equity_cnc_leverage,
        futures_leverage=settings.sandbox_futures_leverage,
        option_buy_leverage=settings.sandbox_option_buy_leverage,
        short_option_index_pct=settings.sandbox_short_option_index_pct,
        short_option_stock_pct=settings.sandbox_short_option_stock_pct,
        short_option_commodity_pct=settings.sandbox_short_option_commodity_pct,
        short_option_currency_pct=settings.sandbox_short_option_currency_pct,
        price_band_pct=settings.sandbox_price_band_pct,
        limit_fill_on_touch=settings.sandbox_limit_fill_on_touch,
        square_off_exchanges=frozenset(square_off_times(settings)),
    )


def parse_hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def square_off_times(settings: Settings) -> dict[str, time]:
    out: dict[str, time] = {}
    for item in settings.sandbox_square_off_times.split(","):
        if "=" in item:
            exchange, hhmm = item.split("=", 1)
            out[exchange.strip().upper()] = parse_hhmm(hhmm)
    return out


def paper_calendar(settings: Settings) -> ExchangeCalendar:
    holidays = [date.fromisoformat(day.strip()) for day in settings.sandbox_holidays.split(",") if day.strip()]
    kind = ExchangeCalendar if settings.sandbox_honour_sessions else AlwaysOpenCalendar
    return kind(holidays, square_off_times(settings))
