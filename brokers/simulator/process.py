"""The price process of one underlying: a random-access path, deterministic for a seed.

Three layers, each a pure function of (seed, underlying, time):
1. Daily closes (at IST midnight): a mean-reverting walk in log space (AR(1), half-life about a
   year) anchored so the price equals the catalog's reference price on ANCHOR. Mean reversion keeps
   prices plausible whatever date the simulator is asked about.
2. Minute points within a day: a Brownian bridge between yesterday's and today's close, run on a
   "business clock" (most variance in the exchange session, a trickle overnight) plus occasional
   jumps. Realistic mode therefore shows overnight gaps; demo mode still moves at night.
3. Inside a minute: a zig-zag open → first extreme → second extreme → close whose extremes are
   the minute candle's high and low, plus a small jitter clamped to them, so every tick lies inside
   its candle and history is exactly consistent with the live stream.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import numpy as np

from brokers.simulator.catalog import Underlying
from brokers.simulator.randomness import derive_key, normals, uniform, uniforms

EPOCH = date(2020, 1, 1)
LAST_DAY = date(2040, 12, 31)
ANCHOR = date(2025, 11, 28)
MINUTES = 1440
_PHI = math.exp(-1 / 400)  # daily mean reversion of the log deviation
_IST_OFFSET = 19800  # seconds; IST has no DST, so plain arithmetic is exact and fast

# Session shape per underlying kind: (start minute, end minute) of the busy part of the day.
_BUSY = {"stock": (555, 930), "index": (555, 930), "commodity": (540, 1435), "currency": (540, 1020)}
_QUIET_WEIGHT = 0.08
_JUMPS_PER_DAY = 0.2


def ist_day_and_second(epoch_seconds: float) -> tuple[int, float]:
    """(days since EPOCH, seconds since IST midnight) for a UTC epoch."""
    local = epoch_seconds + _IST_OFFSET
    day_number = int(local // 86400)
    return day_number - _EPOCH_DAY_NUMBER, local - day_number * 86400


_EPOCH_DAY_NUMBER = (EPOCH - date(1970, 1, 1)).days


def day_index(day: date) -> int:
    return (day - EPOCH).days


def day_start_epoch(day: date) -> float:
    """UTC epoch of IST midnight starting `day`."""
    return (day - date(1970, 1, 1)).days * 86400 - _IST_OFFSET


def business_weights(kind: str) -> np.ndarray:
    start, end = _BUSY.get(kind, _BUSY["stock"])
    weights = np.full(MINUTES, _QUIET_WEIGHT)
    weights[start:end] = 1.0
    weights[start:start + 15] = 3.0  # the opening quarter hour is the busiest
    weights[end - 15:end] = 1.8
    return weights


def ar1(shocks: np.ndarray, phi: float, block: int = 512) -> np.ndarray:
    """x[n] = phi·x[n-1] + shocks[n], vectorised block by block (closed form inside a block)."""
    out = np.empty_like(shocks)
    previous = 0.0
    powers = phi ** np.arange(block, dtype=np.float64)
    for start in range(0, len(shocks), block):
        chunk = shocks[start:start + block]
        size = len(chunk)
        grow = powers[:size]
        # x[j] = phi^(j+1)·previous + phi^j · Σ_{k≤j} shocks[k]·phi^(−k)
        out[start:start + size] = grow * phi * previous + grow * np.cumsum(chunk / grow)
        previous = out[start + size - 1]
    return out


@dataclass(slots=True)
class DayPath:
    """One underlying's day at minute resolution (index 0 = IST midnight, 1440 = next midnight)."""

    log_points: np.ndarray  # float64[1441]
    high_excursion: np.ndarray  # float32[1440] ≥ 0, log units above max(open, close)
    low_excursion: np.ndarray  # float32[1440]
    first_at: np.ndarray  # float32[1440] fraction of the minute of the first extreme
    second_at: np.ndarray  # float32[1440]
    high_first: np.ndarray  # bool[1440]
    volume_share: np.ndarray  # float64[1441] cumulative share of the day's volume
    jitter_scale: np.ndarray  # float32[1440] log-units of the in-minute jitter

    def minute_bounds(self, minute: int) -> tuple[float, float, float, float]:
        """(open, high, low, close) of a minute, in log price."""
        open_, close = self.log_points[minute], self.log_points[minute + 1]
        return (open_, max(open_, close) + float(self.high_excursion[minute]),
                min(open_, close) - float(self.low_excursion[minute]), close)


class UnderlyingProcess:
    """The path of one underlying. Cheap to build; days are generated on demand and cached."""

    def __init__(self, seed: int, underlying: Underlying, cache_days: int = 8) -> None:
        self.underlying = underlying
        self.key = derive_key(seed, underlying.code)
        self._daily_log: np.ndarray | None = None
        self._days: OrderedDict[int, DayPath] = OrderedDict()
        self._cache_days = cache_days
        self._weights = business_weights(underlying.kind)
        self._weight_total = float(self._weights.sum())
        self._vol_key = derive_key(self.key, "vol")
        self._vols: dict[int, float] = {}
        self._last_day: int | None = None
        self._last_path: DayPath | None = None

    def atm_vol(self, day_number: int) -> float:
        """At-the-money implied vol of the day: the catalog vol ±15 %, varying from day to day."""
        vol = self._vols.get(day_number)
        if vol is None:
            if len(self._vols) > 64:
                self._vols.clear()
            vol = self._vols[day_number] = self.underlying.vol * (1.0 + 0.3 * (uniform(self._vol_key, day_number) - 0.5))
        return vol

    @property
    def daily_sigma(self) -> float:
        return self.underlying.vol / math.sqrt(365.0)

    # --- layer 1: daily closes ----------------------------------------------------------------
    def _daily(self) -> np.ndarray:
        if self._daily_log is None:
            count = day_index(LAST_DAY) + 2
            shocks = normals(derive_key(self.key, "daily"), 0, count) * self.daily_sigma
            deviation = ar1(shocks, _PHI)
            anchor = day_index(ANCHOR) + 1
            self._daily_log = math.log(self.underlying.price) + deviation - deviation[anchor]
        return self._daily_log

    def close_log(self, day_number: int) -> float:
        """Log price at the midnight ending day `day_number` (i.e. the start of the next day)."""
        daily = self._daily()
        return float(daily[min(max(day_number + 1, 0), len(daily) - 1)])

    # --- layer 2: the day's minute path ---------------------------------------------------------
    def day(self, day_number: int) -> DayPath:
        if day_number == self._last_day:  # the hot path: every tick of the day asks for the same day
            return self._last_path
        cached = self._days.get(day_number)
        if cached is not None:
            self._days.move_to_end(day_number)
            self._last_day, self._last_path = day_number, cached
            return cached
        path = self._build_day(day_number)
        self._last_day, self._last_path = day_number, path
        self._days[day_number] = path
        if len(self._days) > self._cache_days:
            self._days.popitem(last=False)
        return path

    def _build_day(self, day_number: int) -> DayPath:
        key = derive_key(self.key, "day", day_number)
        start, end = self.close_log(day_number - 1), self.close_log(day_number)
        sigma = self.daily_sigma
        share = self._weights / self._weight_total
        shocks = normals(key, 0, MINUTES) * np.sqrt(share)
        # Occasional jumps, placed in the busy part of the day where news hits.
        draws = uniforms(key, MINUTES, 3)
        if draws[0] < _JUMPS_PER_DAY:
            busy_start, busy_end = _BUSY.get(self.underlying.kind, _BUSY["stock"])
            at = busy_start + int(draws[1] * (busy_end - busy_start))
            shocks[at] += (draws[2] - 0.5) * 3.0  # up to ±1.5 daily sigmas in one minute
        walk = np.concatenate(([0.0], np.cumsum(shocks)))
        clock = np.concatenate(([0.0], np.cumsum(share)))
        bridge = walk - clock * walk[-1]
        log_points = start + clock * (end - start) + sigma * bridge
        log_points[-1] = end  # exact, so the next day starts where this one ends

        minute_sigma = (sigma * np.sqrt(share)).astype(np.float32)
        extremes = uniforms(key, 2 * MINUTES, 5 * MINUTES).reshape(5, MINUTES)
        # Exponential excursions (−ln U) give a realistic spread of candle wicks.
        high_ex = (-np.log(extremes[0]) * 0.45 * minute_sigma).astype(np.float32)
        low_ex = (-np.log(extremes[1]) * 0.45 * minute_sigma).astype(np.float32)
        first_at = (0.1 + 0.35 * extremes[2]).astype(np.float32)
        second_at = (0.55 + 0.35 * extremes[3]).astype(np.float32)
        volume_weights = self._weights * (0.55 + 0.9 * extremes[4])
        volume_share = np.concatenate(([0.0], np.cumsum(volume_weights)))
        volume_share /= volume_share[-1]
        return DayPath(log_points, high_ex, low_ex, first_at, second_at, extremes[4] < 0.5,
                       volume_share, minute_sigma * np.float32(0.15))

    # --- layer 3: inside the minute ----------------------------------------------------------
    def log_price_at(self, epoch_seconds: float) -> float:
        day_number, second = ist_day_and_second(epoch_seconds)
        minute = min(int(second // 60), MINUTES - 1)
        fraction = (second - minute * 60) / 60.0
        path = self.day(day_number)
        open_, high, low, close = path.minute_bounds(minute)
        first, second_at = float(path.first_at[minute]), float(path.second_at[minute])
        first_value, second_value = (high, low) if path.high_first[minute] else (low, high)
        if fraction <= first:
            value = open_ + (first_value - open_) * (fraction / first)
        elif fraction <= second_at:
            value = first_value + (second_value - first_value) * ((fraction - first) / (second_at - first))
        else:
            value = second_value + (close - second_value) * ((fraction - second_at) / (1.0 - second_at))
        # Jitter on a 250 ms grid, clamped into the candle so history stays consistent.
        slot = int(epoch_seconds * 4)
        jitter = (uniform(self.key, slot) - 0.5) * 2.0 * float(path.jitter_scale[minute])
        return min(max(value + jitter, low), high)

    def price_at(self, epoch_seconds: float) -> float:
        return math.exp(self.log_price_at(epoch_seconds))

    def volume_share_at(self, epoch_seconds: float) -> float:
        """Share of the day's volume traded by `epoch_seconds` (0 at midnight, 1 at the next)."""
        day_number, second = ist_day_and_second(epoch_seconds)
        minute = min(int(second // 60), MINUTES - 1)
        shares = self.day(day_number).volume_share
        fraction = (second - minute * 60) / 60.0
        return float(shares[minute] + (shares[minute + 1] - shares[minute]) * fraction)


def minute_epoch(day: date, minute: int) -> float:
    return day_start_epoch(day) + minute * 60

