"""A priced chain at one instant: the strike window around ATM with every contract's quote, the
forward and the time to expiry. /optionchain and the analytics endpoints all start from one.

Quotes cost two broker calls whatever the size: the underlying's quote, then one `multiquote`
for every contract of every requested expiry together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from backend.core.errors import AppError
from backend.domains.options.chain import (
    ChainWindow,
    Underlying,
    chain_window,
    check_not_expired,
    fetch_quote,
    fetch_quotes,
    quote_key,
    resolve_underlying,
    synthetic_forward,
)
from backend.domains.options.greeks import ChainGreeks, chain_greeks, expiry_cutoff, years_between
from backend.domains.symbols.index import expiry_code
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.protocols import DataClient
from brokers.contract.types import Exchange, Instrument, Quote

MAX_EXPIRIES = 8


@dataclass
class ChainSnapshot:
    underlying: Underlying
    expiry: date
    reference: Quote
    window: ChainWindow
    quotes: dict[str, Quote]
    cutoff: datetime
    years: float

    @property
    def strikes(self) -> np.ndarray:
        return self.window.strikes

    def quote(self, item: Instrument | None) -> Quote | None:
        return None if item is None else self.quotes.get(quote_key(item))

    def field(self, side: str, name: str) -> np.ndarray:
        """One quote field along the strikes for "ce" or "pe" (0 where no contract or no quote)."""
        items = self.window.calls if side == "ce" else self.window.puts
        values = []
        for item in items:
            quote = self.quote(item)
            values.append(float(getattr(quote, name)) if quote is not None else 0.0)
        return np.array(values)

    @property
    def forward(self) -> float:
        """Synthetic future at the ATM strike, else the underlying's LTP."""
        return synthetic_forward(self.window, self.quotes) or self.reference.ltp

    def greeks(self, rate: float) -> tuple[ChainGreeks, ChainGreeks]:
        """IV and greeks of the calls and the puts along the strikes, one vectorised pass."""
        strikes, forward = self.strikes, self.forward
        prices = np.concatenate([self.field("ce", "ltp"), self.field("pe", "ltp")])
        call = np.repeat([True, False], len(strikes))
        both = chain_greeks(prices, forward, np.concatenate([strikes, strikes]), self.years, rate, call)
        n = len(strikes)

        def half(part: slice) -> ChainGreeks:
            g = both.greeks
            return ChainGreeks(both.iv[part], both.status[part],
                               type(g)(*(getattr(g, f)[part] for f in ("price", "delta", "gamma", "theta",
                                                                       "vega", "rho"))))

        return half(slice(0, n)), half(slice(n, 2 * n))


def require_listed(master: SymbolMaster, underlying: Underlying, day: date, now: datetime) -> None:
    listed = master.expiries(underlying.base, underlying.options_exchange, "options", on_or_after=now.date())
    if day not in listed:
        shown = ", ".join(expiry_code(d) for d in listed[:8]) or "none"
        raise AppError(f"Expiry {expiry_code(day)} is not listed for {underlying.base} options on "
                       f"{underlying.options_exchange.value}. Listed expiries: {shown}", 400)


def default_expiries(master: SymbolMaster, underlying: Underlying, now: datetime, count: int) -> list[date]:
    listed = master.expiries(underlying.base, underlying.options_exchange, "options", on_or_after=now.date())
    live = [day for day in listed if now < expiry_cutoff(day, underlying.options_exchange.value)]
    if not live:
        raise AppError(f"No unexpired option expiries listed for {underlying.base} on "
                       f"{underlying.options_exchange.value}", 404)
    return live[:count]


async def take_snapshots(master: SymbolMaster, data: DataClient, underlying_text: str, exchange: Exchange,
                         expiry_text: str | None, strike_count: int | None, now: datetime,
                         expiries_wanted: int = 1, embedded_wins: bool = True,
                         listed_only: bool = False) -> list[ChainSnapshot]:
    """Snapshots of the requested expiry (or the nearest `expiries_wanted` listed ones). With
    `listed_only` an expiry the master does not list is a 400 naming the listed ones."""
    underlying = resolve_underlying(master, underlying_text, exchange, auto_future=True)
    if expiry_text or underlying.embedded_expiry:
        days = [underlying.expiry(expiry_text, embedded_wins=embedded_wins)]
    else:
        days = default_expiries(master, underlying, now, min(expiries_wanted, MAX_EXPIRIES))
    for day in days:
        check_not_expired(day, underlying.options_exchange, now)
        if listed_only:
            require_listed(master, underlying, day, now)
    reference = await fetch_quote(data, underlying.reference)
    windows = [chain_window(master, underlying.base, underlying.options_exchange, day, reference.ltp, strike_count)
               for day in days]
    quotes = await fetch_quotes(data, [item for window in windows for item in window.instruments()])
    snapshots = []
    for day, window in zip(days, windows, strict=True):
        cutoff = expiry_cutoff(day, underlying.options_exchange.value)
        snapshots.append(ChainSnapshot(underlying, day, reference, window, quotes, cutoff, years_between(now, cutoff)))
    return snapshots
