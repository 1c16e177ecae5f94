"""Historical candles generated on demand from the same path the live quotes and ticks use.

Minute candles come straight from the process (open/close = minute points, high/low = the
in-minute extremes every tick is clamped to); longer intervals aggregate them from the session
start, daily/weekly/monthly candles aggregate whole sessions. Nothing is stored.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np

from brokers.contract.types import Candle, Instrument
from brokers.simulator.market import InstrumentModel, SessionMode, SimulatedMarket
from brokers.simulator.pricing import SECONDS_PER_YEAR, black76_array, smile_vol_array
from brokers.simulator.process import MINUTES, day_index, day_start_epoch, ist_day_and_second
from brokers.simulator.randomness import uniform

MINUTE_INTERVALS = {"1m": 1, "2m": 2, "3m": 3, "5m": 5, "10m": 10, "15m": 15, "20m": 20, "30m": 30,
                    "1h": 60, "2h": 120, "3h": 180, "4h": 240}
DAY_INTERVALS = ("D", "W", "M")
SUPPORTED_INTERVALS = (*MINUTE_INTERVALS, *DAY_INTERVALS)


def transform(market: SimulatedMarket, model: InstrumentModel, log_spot: np.ndarray, epochs: np.ndarray,
              day_number: int) -> np.ndarray:
    """Underlying log prices → the instrument's fair values at `epochs` (vectorised)."""
    spot = np.exp(log_spot)
    if model.kind == "spot":
        return spot
    years = np.maximum(model.expiry_epoch - epochs, 0.0) / SECONDS_PER_YEAR
    forward = spot * np.exp(model.carry * years)
    if model.kind == "future":
        return forward
    atm = market.atm_vol(model, day_number)
    vol = smile_vol_array(atm, forward, model.strike, years)
    return black76_array(forward, model.strike, years, vol, model.kind == "call")


def _minute_arrays(market: SimulatedMarket, model: InstrumentModel, day_number: int, first: int, last: int):
    """Instrument (open, high, low, close) per minute for minutes first … last-1 of a day."""
    path = model.process.day(day_number)
    log_open = path.log_points[first:last]
    log_close = path.log_points[first + 1:last + 1]
    log_high = np.maximum(log_open, log_close) + path.high_excursion[first:last]
    log_low = np.minimum(log_open, log_close) - path.low_excursion[first:last]
    base = day_start_epoch(date(2020, 1, 1) + timedelta(days=day_number))
    epochs = base + np.arange(first, last) * 60.0
    values = transform(market, model, np.concatenate((log_open, log_high, log_low, log_close)),
                       np.concatenate((epochs, epochs, epochs, epochs + 60.0)), day_number)
    open_, high, low, close = np.split(values, 4)
    # Options are monotone in the underlying but not necessarily at the vertices: take the envelope.
    stacked = np.vstack((open_, high, low, close))
    return open_, stacked.max(axis=0), stacked.min(axis=0), close


def day_range(market: SimulatedMarket, model: InstrumentModel, start: float, at: float,
              open_: float | None = None) -> tuple[float, float, float]:
    """Open, high and low of the instrument from `start` to `at` (same IST day).

    Completed minutes are folded into a per-instrument cache, so a stream of quotes pays for each
    minute once instead of re-pricing the whole day on every call.
    """
    day_number, start_second = ist_day_and_second(start)
    _, at_second = ist_day_and_second(at)
    first = int(start_second // 60)
    current = max(int(at_second // 60), first)
    if open_ is None:
        open_ = market.fair_value(model, start)
    cache = model.range_cache
    if cache is not None and cache[0] == day_number and cache[1] == first and cache[2] <= current:
        _, _, done, high, low = cache
    else:
        done, high, low = first, open_, open_
    if current > done:
        _, highs, lows, _ = _minute_arrays(market, model, day_number, done, current)
        high, low = max(high, float(highs.max())), min(low, float(lows.min()))
    model.range_cache = (day_number, first, current, high, low)
    return open_, high, low


def _windows(market: SimulatedMarket, instrument: Instrument, day: date) -> list[tuple[int, int]]:
    """Observation windows of a day as (first minute, end minute)."""
    if market.session_mode is SessionMode.ALWAYS_OPEN:
        return [(0, MINUTES)]
    out = []
    base = day_start_epoch(day)
    for session in market.calendar.sessions(instrument.exchange.value, day):
        first = int((session.start.timestamp() - base) // 60)
        end = int(math.ceil((session.end.timestamp() - base) / 60))
        out.append((first, min(end, MINUTES)))
    return out


def _on_grid(values: np.ndarray, tick: float, decimals: int) -> np.ndarray:
    return np.round(np.maximum(np.round(values / tick), 1) * tick, decimals)


def _minute_volumes(market: SimulatedMarket, model: InstrumentModel, day_number: int, first: int, end: int) -> np.ndarray:
    """Per-minute volume, from the same cumulative curve as the quote's volume (so they agree)."""
    if model.adv <= 0:
        return np.zeros(end - first, dtype=np.int64)
    shares = model.process.day(day_number).volume_share
    traded = shares[first:end + 1] - shares[first]
    if market.session_mode is SessionMode.REALISTIC:
        traded = traded / max(float(traded[-1]), 1e-6)
    day_factor = 0.6 + 0.8 * uniform(model.volume_key, day_number)
    cumulative = np.floor(model.adv * day_factor * traded / model.lot).astype(np.int64) * model.lot
    return np.diff(cumulative)


def candles(market: SimulatedMarket, instrument: Instrument, interval: str, start: date, end: date,
            now: float | None = None) -> list[Candle]:
    """Candles for `interval` over the IST dates start … end inclusive, never past `now`."""
    model = market.model(instrument)
    now = market.clock.time() if now is None else now
    step = MINUTE_INTERVALS.get(interval)
    daily: list[Candle] = []
    out: list[Candle] = []
    day = start
    while day <= end:
        day_number = day_index(day)
        base = day_start_epoch(day)
        if base > now:
            break
        for first, stop in _windows(market, instrument, day):
            last = min(stop, int((now - base) // 60))  # completed minutes only
            if last <= first:
                continue
            open_, high, low, close = (_on_grid(a, model.tick, model.decimals)
                                       for a in _minute_arrays(market, model, day_number, first, last))
            volume = _minute_volumes(market, model, day_number, first, stop)[: last - first]
            oi = market._oi(model, base + last * 60)
            if step is None:
                daily.append(Candle(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()),
                                    float(open_[0]), float(high.max()), float(low.min()), float(close[-1]),
                                    int(volume.sum()), oi))
                continue
            starts = np.arange(0, last - first, step)
            highs = np.maximum.reduceat(high, starts)
            lows = np.minimum.reduceat(low, starts)
            volumes = np.add.reduceat(volume, starts)
            closes = close[np.minimum(starts + step, last - first) - 1]
            for i, offset in enumerate(starts):
                out.append(Candle(int(base + (first + offset) * 60), float(open_[offset]), float(highs[i]),
                                  float(lows[i]), float(closes[i]), int(volumes[i]), oi))
        day += timedelta(days=1)
    if step is not None:
        return out
    if interval == "D":
        return _merge_days(daily)
    return _group(daily, (lambda d: d.isocalendar()[:2]) if interval == "W" else (lambda d: (d.year, d.month)))


def _merge_days(daily: list[Candle]) -> list[Candle]:
    """A day with two windows (e.g. a special session) still yields one daily candle."""
    merged: list[Candle] = []
    for candle in daily:
        if merged and merged[-1].timestamp == candle.timestamp:
            last = merged[-1]
            merged[-1] = Candle(last.timestamp, last.open, max(last.high, candle.high), min(last.low, candle.low),
                                candle.close, last.volume + candle.volume, candle.oi)
        else:
            merged.append(candle)
    return merged


def _group(daily: list[Candle], key) -> list[Candle]:
    grouped: list[Candle] = []
    current = None
    for candle in _merge_days(daily):
        group = key(datetime.fromtimestamp(candle.timestamp, UTC).date())
        if grouped and group == current:
            last = grouped[-1]
            grouped[-1] = Candle(last.timestamp, last.open, max(last.high, candle.high), min(last.low, candle.low),
                                 candle.close, last.volume + candle.volume, candle.oi)
        else:
            grouped.append(candle)
            current = group
    return grouped
