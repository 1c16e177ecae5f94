"""The simulator's instrument universe: ~60,000 instruments, a pure function of (seed, date).

Equities on NSE and BSE, NSE/BSE indices, index and stock futures (three monthly expiries), index
options (weekly + monthly) and stock options (monthly) on exchange-like strike grids centred on
the previous close, MCX commodity and CDS currency futures and options. Expiry dates come from
the exchange calendar's rules, so holidays shift them exactly like the exchanges do.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from sys import intern

from brokers.common.calendar import ExchangeCalendar, default_calendar
from brokers.contract.table import InstrumentTable
from brokers.contract.types import Exchange
from brokers.simulator.catalog import (
    BSE_INDICES,
    COMMODITIES,
    COMMODITY_DERIVATIVES,
    CURRENCIES,
    FREEZE_QTY,
    INDEX_DERIVATIVES,
    INDICES,
    STOCKS,
    DerivativeSpec,
    Underlying,
)
from brokers.simulator.process import UnderlyingProcess, day_index

STOCK_MONTHLY_EXPIRIES = 3
STOCK_STRIKES_EACH_SIDE = 20


def equity_tick(price: float) -> Decimal:
    """NSE's price-banded tick sizes for equities and stock futures (2025)."""
    for limit, tick in ((250, "0.01"), (1000, "0.05"), (5000, "0.10"), (10000, "0.50"), (20000, "1.00")):
        if price < limit:
            return Decimal(tick)
    return Decimal("5.00")


def stock_strike_step(price: float) -> float:
    for limit, step in ((50, 1.0), (100, 2.0), (250, 2.5), (500, 5.0), (1000, 10.0), (2500, 20.0),
                        (5000, 50.0), (10000, 100.0), (20000, 250.0)):
        if price < limit:
            return step
    return 500.0


def strike_text(strike: Decimal) -> str:
    """`26000` for whole strikes, `292.5` / `89.25` for fractional ones (never `26000.0`)."""
    return format(strike.normalize(), "f")


def expiry_code(expiry: date) -> str:
    return expiry.strftime("%d%b%y").upper()


class _TokenAllocator:
    """Stable tokens: a hash of the symbol, probed on collision, unique per exchange."""

    def __init__(self) -> None:
        self.used: dict[str, set[int]] = {}

    def __call__(self, exchange: str, symbol: str) -> str:
        used = self.used.setdefault(exchange, set())
        token = 100000 + zlib.crc32(symbol.encode()) % 9_800_000
        while token in used:
            token += 1
        used.add(token)
        return str(token)


class UniverseBuilder:
    def __init__(self, seed: int, today: date, calendar: ExchangeCalendar | None = None) -> None:
        self.seed = seed
        self.today = today
        self.calendar = calendar or default_calendar()
        self.token = _TokenAllocator()
        self._strikes: dict[float, Decimal] = {}
        self._ticks: dict[str, Decimal] = {}

    def reference_price(self, underlying: Underlying) -> float:
        """Yesterday's close from the market model, so strike grids centre where the market is."""
        process = UnderlyingProcess(self.seed, underlying, cache_days=1)
        return math.exp(process.close_log(day_index(self.today) - 1))

    def _strike(self, value: float) -> Decimal:
        cached = self._strikes.get(value)
        if cached is None:
            cached = Decimal(repr(value)).normalize()
            if cached == cached.to_integral_value():
                cached = cached.quantize(Decimal(1))  # 2380, not 2.38E+3
            self._strikes[value] = cached
        return cached

    def _tick(self, text: str) -> Decimal:
        return self._ticks.setdefault(text, Decimal(text))

    def build(self) -> InstrumentTable:
        out = InstrumentTable()
        prices = {u.code: self.reference_price(u) for u in (*STOCKS, *INDICES, *COMMODITIES, *CURRENCIES)}
        for stock in STOCKS:
            self._equities(out, stock)
        for index in INDICES:
            self._index(out, index)
        for spec in INDEX_DERIVATIVES:
            self._derivatives(out, spec, prices[spec.underlying], FREEZE_QTY.get(spec.underlying, 0))
        for stock in STOCKS:
            if stock.lot:
                price = prices[stock.code]
                spec = DerivativeSpec(stock.code, "NFO", "NSE_MONTHLY", ("NSE_MONTHLY",), (STOCK_MONTHLY_EXPIRIES,),
                                      stock_strike_step(stock.price), STOCK_STRIKES_EACH_SIDE,
                                      str(equity_tick(stock.price)),
                                      lot=stock.lot)
                self._derivatives(out, spec, price, 0)
        for spec in COMMODITY_DERIVATIVES:
            self._derivatives(out, spec, prices[spec.underlying], 0)
        return out

    def _equities(self, out: InstrumentTable, stock: Underlying) -> None:
        # Tick bands and strike steps follow the catalog price, not the day's: exchanges revise them
        # rarely, so a stock drifting across a band edge must not change its tick size overnight.
        tick = equity_tick(stock.price)
        code = intern(stock.code)
        name = intern(stock.name)
        out.add(code, intern(f"{code}-EQ"), name, Exchange.NSE, "NSE", self.token("NSE", code), None, None, 1, tick,
                "EQ", 0)
        out.add(code, code, name, Exchange.BSE, "BSE", self.token("BSE", code), None, None, 1, tick, "EQ", 0)

    def _index(self, out: InstrumentTable, index: Underlying) -> None:
        exchange = Exchange.BSE_INDEX if index.code in BSE_INDICES else Exchange.NSE_INDEX
        out.add(index.code, intern(index.name), intern(index.name), exchange, exchange.value,
                self.token(exchange.value, index.code), None, None, 1, self._tick("0.01"), "INDEX", 0)

    def _expiries(self, rules: Iterable[str], counts: Iterable[int]) -> list[date]:
        found: set[date] = set()
        for rule, count in zip(rules, counts, strict=True):
            found.update(self.calendar.expiries(rule, self.today, count))
        return sorted(found)

    def _derivatives(self, out: InstrumentTable, spec: DerivativeSpec, price: float, freeze: int) -> None:
        exchange = Exchange(spec.exchange)
        base = intern(spec.underlying)
        future_tick = self._tick(spec.future_tick)
        option_tick = self._tick(spec.option_tick)
        if spec.future_rule:
            for expiry in self.calendar.expiries(spec.future_rule, self.today, 3):
                symbol = f"{base}{expiry_code(expiry)}FUT"
                out.add(symbol, symbol, base, exchange, spec.exchange, self.token(spec.exchange, symbol), expiry,
                        None, spec.lot, future_tick, "FUT", freeze)
        if not spec.option_rules or not spec.strikes_each_side:
            return
        step = spec.strike_step
        centre = round(price / step) * step
        strikes = [centre + i * step for i in range(-spec.strikes_each_side, spec.strikes_each_side + 1)]
        strikes = [self._strike(round(s, 4)) for s in strikes if s > 0]
        texts = [strike_text(s) for s in strikes]
        for expiry in self._expiries(spec.option_rules, spec.option_counts):
            prefix = f"{base}{expiry_code(expiry)}"
            for strike, text in zip(strikes, texts, strict=True):
                for kind in ("CE", "PE"):
                    symbol = f"{prefix}{text}{kind}"
                    out.add(symbol, symbol, base, exchange, spec.exchange, self.token(spec.exchange, symbol), expiry,
                            strike, spec.lot, option_tick, kind, freeze)


def build_universe(seed: int, today: date, calendar: ExchangeCalendar | None = None) -> InstrumentTable:
    return UniverseBuilder(seed, today, calendar).build()
