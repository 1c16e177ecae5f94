"""The synthetic market: fair values, quotes, depth, volume and OI for any instrument at any time.

Everything is evaluated lazily from the underlying's random-access path (process.py) at the
clock's current time, so a quote costs microseconds and nothing is stored per instrument. Prices
are put on the tick grid; LTP is the rounded fair value and the touch sits around it, so quoted
mids stay within a tick of the model (and put-call parity within a tick or two).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from brokers.common.calendar import ExchangeCalendar, default_calendar
from brokers.contract.types import Depth, DepthLevel, Exchange, Instrument, Quote
from brokers.simulator.catalog import Underlying, all_underlyings
from brokers.simulator.clock import SimClock
from brokers.simulator.pricing import (
    CARRY,
    SECONDS_PER_YEAR,
    black76,
    decimals_of,
    round_to_tick,
    smile_vol,
)
from brokers.simulator.process import UnderlyingProcess, day_start_epoch, ist_day_and_second
from brokers.simulator.randomness import derive_key, uniform

_BASE = re.compile(r"^(.+?)\d{2}[A-Z]{3}\d{2}")
_CASH = frozenset({Exchange.NSE, Exchange.BSE, Exchange.NSE_INDEX, Exchange.BSE_INDEX, Exchange.MCX_INDEX})
_EXPIRY_CLOSE = {"MCX": 23 * 3600 + 30 * 60, "CDS": 12 * 3600 + 30 * 60, "BCD": 12 * 3600 + 30 * 60}
_DEFAULT_EXPIRY_CLOSE = 15 * 3600 + 30 * 60


class SessionMode(StrEnum):
    ALWAYS_OPEN = "always_open"  # demo: the market moves day and night, every day
    REALISTIC = "realistic"  # exchange sessions, weekends and holidays honoured


@dataclass(slots=True)
class InstrumentModel:
    """What the market needs to price one instrument, resolved once and cached."""

    instrument: Instrument
    process: UnderlyingProcess
    kind: str  # spot | future | call | put
    strike: float
    expiry_epoch: float
    carry: float
    tick: float
    decimals: int
    lot: int
    key: int
    liquidity: float
    adv: float
    # Keys of the per-instrument random streams, derived once (hashing them per quote is costly).
    volume_key: int = 0
    oi_key: int = 0
    ltq_key: int = 0
    # (day, first minute, minutes folded in, high, low): the day range grows minute by minute.
    range_cache: tuple[int, int, int, float, float] | None = None
    # (window start, open fair value, previous close on the grid): fixed for the whole day.
    day_cache: tuple[float, float, float] | None = None


class SimulatedMarket:
    def __init__(self, seed: int = 7, clock: SimClock | None = None, calendar: ExchangeCalendar | None = None,
                 session_mode: SessionMode | str = SessionMode.ALWAYS_OPEN) -> None:
        self.seed = seed
        self.clock = clock or SimClock.real()
        self.calendar = calendar or default_calendar()
        self.session_mode = SessionMode(session_mode)
        self.catalog: dict[str, Underlying] = all_underlyings()
        self._processes: dict[str, UnderlyingProcess] = {}
        self._models: dict[tuple[str, str], InstrumentModel] = {}

    # --- resolution -----------------------------------------------------------------------------
    def process(self, code: str) -> UnderlyingProcess:
        found = self._processes.get(code)
        if found is None:
            underlying = self.catalog.get(code) or self._synthetic_underlying(code)
            found = self._processes[code] = UnderlyingProcess(self.seed, underlying)
        return found

    def _synthetic_underlying(self, code: str) -> Underlying:
        """A broker instrument we have no catalog entry for still gets a stable, plausible path."""
        key = derive_key(self.seed, "synthetic", code)
        price = 50.0 * math.exp(uniform(key, 1) * 4.0)
        return Underlying(code, code, round(price, 2), 0.25 + 0.2 * uniform(key, 2), 0, 200_000, "stock")

    @staticmethod
    def underlying_code(instrument: Instrument) -> str:
        if instrument.exchange in _CASH:
            return instrument.symbol
        match = _BASE.match(instrument.symbol)
        return match.group(1) if match else (instrument.name or instrument.symbol)

    def model(self, instrument: Instrument) -> InstrumentModel:
        cache_key = (instrument.exchange.value, instrument.symbol)
        found = self._models.get(cache_key)
        if found is None:
            found = self._models[cache_key] = self._build_model(instrument)
        return found

    def _build_model(self, instrument: Instrument) -> InstrumentModel:
        process = self.process(self.underlying_code(instrument))
        underlying = process.underlying
        kinds = {"FUT": "future", "CE": "call", "PE": "put"}
        kind = kinds.get(instrument.instrumenttype, "spot")
        if instrument.instrumenttype in ("FUTIDX", "FUTSTK", "FUTCOM", "FUTCUR"):
            kind = "future"
        expiry_epoch = 0.0
        if instrument.expiry is not None:
            close = _EXPIRY_CLOSE.get(instrument.exchange.value, _DEFAULT_EXPIRY_CLOSE)
            expiry_epoch = day_start_epoch(instrument.expiry) + close
        tick = float(instrument.tick_size) or 0.05
        key = derive_key(self.seed, instrument.exchange.value, instrument.symbol)
        strike = float(instrument.strike or 0.0)
        liquidity = 1.0 if underlying.lot else 0.5
        adv = float(underlying.adv)
        if kind in ("call", "put"):
            distance = abs(math.log(strike / underlying.price)) / max(underlying.vol * 0.3, 0.01)
            liquidity = (1.0 if underlying.kind == "index" else 0.45) * math.exp(-distance / 2.0)
            adv = (5e6 if underlying.kind == "index" else 3e5) * liquidity + 10 * max(instrument.lotsize, 1)
        elif kind == "future":
            adv = max(underlying.adv * 0.15, 2000.0) if underlying.kind != "index" else 2e6
        elif instrument.exchange == Exchange.BSE:
            adv *= 0.08
        if instrument.instrumenttype == "INDEX":
            adv = 0.0
        return InstrumentModel(instrument, process, kind, strike, expiry_epoch, CARRY.get(underlying.kind, 0.05),
                               tick, decimals_of(instrument.tick_size), max(instrument.lotsize, 1), key,
                               max(liquidity, 0.02), adv, derive_key(key, "volume"), derive_key(key, "oi"),
                               derive_key(key, "ltq"))

    # --- fair value --------------------------------------------------------------------------
    def atm_vol(self, model: InstrumentModel, day_number: int) -> float:
        """The underlying's at-the-money vol, drifting a little from day to day."""
        return model.process.atm_vol(day_number)

    def fair_value(self, model: InstrumentModel, epoch: float, spot: float | None = None) -> float:
        spot = model.process.price_at(epoch) if spot is None else spot
        if model.kind == "spot":
            return spot
        years = max(model.expiry_epoch - epoch, 0.0) / SECONDS_PER_YEAR
        forward = spot * math.exp(model.carry * years)
        if model.kind == "future":
            return forward
        day_number, _ = ist_day_and_second(epoch)
        vol = smile_vol(self.atm_vol(model, day_number), forward, model.strike, years)
        return black76(forward, model.strike, years, vol, model.kind == "call")

    def forward(self, instrument: Instrument, epoch: float | None = None) -> float:
        """The forward the options of `instrument`'s expiry are priced on (for tests and greeks)."""
        model = self.model(instrument)
        epoch = self.clock.time() if epoch is None else epoch
        years = max(model.expiry_epoch - epoch, 0.0) / SECONDS_PER_YEAR
        return model.process.price_at(epoch) * math.exp(model.carry * years)

    # --- sessions -------------------------------------------------------------------------------
    def observed_time(self, instrument: Instrument, epoch: float) -> tuple[float, float]:
        """(time whose price is shown, start of that trading day's observation window).

        Demo mode observes continuously from IST midnight; realistic mode freezes the price at the
        last session close while the exchange is shut.
        """
        day_number, second = ist_day_and_second(epoch)
        if self.session_mode is SessionMode.ALWAYS_OPEN:
            return epoch, epoch - second
        exchange = instrument.exchange.value
        day = date.fromordinal(date(2020, 1, 1).toordinal() + day_number)
        for back in range(0, 12):
            sessions = self.calendar.sessions(exchange, date.fromordinal(day.toordinal() - back))
            for session in reversed(sessions):
                start, end = session.start.timestamp(), session.end.timestamp()
                if start <= epoch:
                    return min(epoch, end - 0.001), start
        return epoch, epoch - second

    def previous_close_time(self, instrument: Instrument, window_start: float) -> float:
        if self.session_mode is SessionMode.ALWAYS_OPEN:
            return window_start
        observed, _ = self.observed_time(instrument, window_start - 1.0)
        return observed

    # --- quotes ------------------------------------------------------------------------------------
    def quote(self, instrument: Instrument, epoch: float | None = None) -> Quote:
        model = self.model(instrument)
        now = self.clock.time() if epoch is None else epoch
        at, window_start = self.observed_time(instrument, now)
        fair = self.fair_value(model, at)
        ltp = round_to_tick(fair, model.tick, model.decimals)
        day = model.day_cache
        if day is None or day[0] != window_start:
            previous = self.fair_value(model, self.previous_close_time(instrument, window_start))
            day = model.day_cache = (window_start, self.fair_value(model, window_start),
                                     round_to_tick(previous, model.tick, model.decimals))
        prev_close = day[2]
        open_, high, low = self._day_range(model, window_start, at, fair, day[1])
        bid, ask = self._touch(model, fair, ltp, at)
        return Quote(ltp=ltp, open=open_, high=max(high, ltp), low=min(low, ltp), prev_close=prev_close,
                     bid=bid, ask=ask, volume=self._volume(model, window_start, at), oi=self._oi(model, at),
                     timestamp=datetime.fromtimestamp(at, UTC))

    def _touch(self, model: InstrumentModel, fair: float, ltp: float, at: float) -> tuple[float, float]:
        if model.instrument.instrumenttype == "INDEX":
            return 0.0, 0.0
        slot = int(at * 4)
        spread_ticks = 1 + int((1.0 - model.liquidity) * 5 + uniform(model.key, slot) * 1.6)
        below = spread_ticks // 2 if fair >= ltp else (spread_ticks + 1) // 2
        bid = round(max(ltp - below * model.tick, model.tick), model.decimals)
        ask = round(bid + spread_ticks * model.tick, model.decimals)
        if ask < ltp:
            ask = ltp
        return bid, ask

    def _day_range(self, model: InstrumentModel, start: float, at: float, fair: float,
                   open_fair: float) -> tuple[float, float, float]:
        """Day open/high/low from the minute candles since the window start (cached per minute)."""
        from brokers.simulator.history import day_range  # history imports market; keep the cycle lazy

        open_, high, low = day_range(self, model, start, at, open_fair)
        tick, decimals = model.tick, model.decimals
        return (round_to_tick(open_, tick, decimals), round_to_tick(max(high, fair), tick, decimals),
                round_to_tick(min(low, fair), tick, decimals))

    def _volume(self, model: InstrumentModel, window_start: float, at: float) -> int:
        if model.adv <= 0:
            return 0
        process = model.process
        day_number, _ = ist_day_and_second(at)
        day_factor = 0.6 + 0.8 * uniform(model.volume_key, day_number)
        traded = process.volume_share_at(at) - process.volume_share_at(window_start)
        if self.session_mode is SessionMode.REALISTIC:
            traded /= max(self._session_share(model, window_start), 1e-6)
        lots = int(model.adv * day_factor * max(traded, 0.0) / model.lot)
        return lots * model.lot

    def _session_share(self, model: InstrumentModel, window_start: float) -> float:
        sessions = self.calendar.sessions(model.instrument.exchange.value,
                                          datetime.fromtimestamp(window_start + 19800, UTC).date())
        if not sessions:
            return 1.0
        end = sessions[-1].end.timestamp()
        return model.process.volume_share_at(end - 0.001) - model.process.volume_share_at(window_start)

    def _oi(self, model: InstrumentModel, at: float) -> int:
        if model.kind == "spot":
            return 0
        day_number, second = ist_day_and_second(at)
        second = second // 60 * 60  # OI is published as minute snapshots: stable within a minute
        base = model.adv * (0.6 + 0.8 * uniform(model.oi_key, day_number))
        drift = 1.0 + 0.06 * (uniform(model.oi_key, 1_000_000 + day_number) - 0.5) * (second / 86400)
        return int(base * drift / model.lot) * model.lot

    # --- depth -------------------------------------------------------------------------------------
    def depth(self, instrument: Instrument, levels: int = 5, epoch: float | None = None) -> Depth:
        quote = self.quote(instrument, epoch)
        model = self.model(instrument)
        depth = Depth(quote=quote)
        if instrument.instrumenttype == "INDEX":
            depth.bids = [DepthLevel(0.0, 0, 0) for _ in range(levels)]
            depth.asks = [DepthLevel(0.0, 0, 0) for _ in range(levels)]
            return depth
        slot = int((quote.timestamp.timestamp() if quote.timestamp else 0) * 4)
        size_key = (model.key ^ (slot * 0x9E3779B97F4A7C15)) & 0xFFFFFFFFFFFFFFFF
        typical = max(1, int(model.adv * 0.001 / model.lot))  # lots per level scale with turnover
        for side, best, sign in ((depth.bids, quote.bid, -1), (depth.asks, quote.ask, 1)):
            price = best
            for level in range(levels):
                draw = uniform(size_key, level * 2 + (sign > 0))
                lots = 1 + int(draw * typical * (1 + level * 0.35))
                quantity = lots * model.lot
                orders = max(1, int(lots / (1.0 + 3.0 * draw)))
                side.append(DepthLevel(round(price, model.decimals), quantity, orders))
                gap = 1 if draw < 0.8 or model.liquidity > 0.7 else 2
                price = price + sign * gap * model.tick
                if price <= 0:
                    price = model.tick
        # The visible book is a slice of the whole; totals scale it like exchange feeds do.
        depth.total_buy_qty = sum(level.quantity for level in depth.bids) * 9
        depth.total_sell_qty = sum(level.quantity for level in depth.asks) * 9
        return depth

    def last_quantity(self, instrument: Instrument, epoch: float) -> int:
        model = self.model(instrument)
        return model.lot * (1 + int(uniform(model.ltq_key, int(epoch * 4)) * 10 * model.liquidity))

