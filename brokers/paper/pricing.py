"""Fill prices. MARKET takes the opposite side of the book, walking depth for size; LIMIT fills
only when marketable, at the limit or better; SL/SL-M trigger on the last price crossing the trigger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from brokers.contract import Action, Depth, PriceType, Quote, Tick
from brokers.paper.model import PaperOrder, round_price


def _dec(value: float | int | None) -> Decimal:
    return Decimal(repr(value)) if value else Decimal(0)


@dataclass(frozen=True, slots=True)
class MarketSnapshot:
    """One instrument's market at a moment: last price, day range, touch and (optional) depth."""

    ltp: Decimal
    bid: Decimal = Decimal(0)
    ask: Decimal = Decimal(0)
    high: Decimal = Decimal(0)
    low: Decimal = Decimal(0)
    bids: tuple[tuple[Decimal, int], ...] = field(default=())
    asks: tuple[tuple[Decimal, int], ...] = field(default=())

    @classmethod
    def of_quote(cls, quote: Quote, depth: Depth | None = None) -> MarketSnapshot:
        bids = tuple((_dec(level.price), level.quantity) for level in depth.bids if level.price > 0) if depth else ()
        asks = tuple((_dec(level.price), level.quantity) for level in depth.asks if level.price > 0) if depth else ()
        return cls(ltp=_dec(quote.ltp), bid=_dec(quote.bid), ask=_dec(quote.ask), high=_dec(quote.high),
                   low=_dec(quote.low), bids=bids, asks=asks)

    @classmethod
    def of_tick(cls, tick: Tick) -> MarketSnapshot:
        if tick.depth is not None:
            return cls.of_quote(Quote(ltp=tick.ltp, high=tick.high, low=tick.low, bid=tick.bid, ask=tick.ask),
                                tick.depth)
        return cls(ltp=_dec(tick.ltp), bid=_dec(tick.bid), ask=_dec(tick.ask), high=_dec(tick.high),
                   low=_dec(tick.low))

    @property
    def stale(self) -> bool:
        """A last price outside its own day range is a stale or bad print: never fill on it."""
        return self.ltp <= 0 or (self.high > 0 and self.low > 0 and not (self.low <= self.ltp <= self.high))

    def touch(self, action: Action) -> Decimal:
        """Price a taker pays: the ask for a buy, the bid for a sell, else the last price."""
        price = self.ask if action == Action.BUY else self.bid
        return price if price > 0 else self.ltp

    def levels(self, action: Action) -> tuple[tuple[Decimal, int], ...]:
        return self.asks if action == Action.BUY else self.bids


def within(action: Action, price: Decimal, limit: Decimal) -> bool:
    return price <= limit if action == Action.BUY else price >= limit


def sweep_price(action: Action, quantity: int, market: MarketSnapshot, limit: Decimal | None = None) -> Decimal:
    """Volume-weighted price of taking `quantity` from the opposite side, walking depth levels
    (only those within `limit`). Size beyond the visible depth fills at the last level walked — or at
    the limit for a LIMIT order, which never fills worse than its price."""
    levels = [lvl for lvl in market.levels(action) if lvl[1] > 0 and (limit is None or within(action, lvl[0], limit))]
    if not levels:
        touch = market.touch(action)
        return touch if limit is None else (touch if within(action, touch, limit) else limit)
    remaining, cost = quantity, Decimal(0)
    for price, size in levels:
        take = min(size, remaining)
        cost += take * price
        remaining -= take
        if not remaining:
            break
    if remaining:
        cost += remaining * (levels[-1][0] if limit is None else limit)
    return round_price(cost / quantity)


def limit_marketable(action: Action, limit: Decimal, market: MarketSnapshot) -> bool:
    return within(action, market.touch(action), limit)


def trigger_hit(order: PaperOrder, ltp: Decimal) -> bool:
    return ltp >= order.trigger_price if order.action == Action.BUY else ltp <= order.trigger_price


def limit_traded_through(action: Action, limit: Decimal, ltp: Decimal, on_touch: bool) -> bool:
    """A resting LIMIT is filled once the market trades through it (at it, with `on_touch`)."""
    if on_touch:
        return within(action, ltp, limit)
    return ltp < limit if action == Action.BUY else ltp > limit


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine does with a pending order given a market snapshot."""

    fill_price: Decimal | None = None  # fill now at this price
    trigger: bool = False  # an SL whose trigger was hit becomes an open LIMIT


def decide_taker(order: PaperOrder, market: MarketSnapshot) -> Decision:
    """The order arrives at (or is released into) the market: it takes liquidity if it can."""
    if market.stale:
        return Decision()
    if order.pricetype in (PriceType.SL, PriceType.SL_M) and not order.triggered:
        if not trigger_hit(order, market.ltp):
            return Decision()
        if order.pricetype == PriceType.SL_M:
            return Decision(fill_price=sweep_price(order.action, order.quantity, market))
        if limit_marketable(order.action, order.price, market):
            return Decision(fill_price=sweep_price(order.action, order.quantity, market, order.price), trigger=True)
        return Decision(trigger=True)
    if order.pricetype == PriceType.MARKET:
        return Decision(fill_price=sweep_price(order.action, order.quantity, market))
    if limit_marketable(order.action, order.price, market):
        return Decision(fill_price=sweep_price(order.action, order.quantity, market, order.price))
    return Decision()


def decide_resting(order: PaperOrder, market: MarketSnapshot, on_touch: bool) -> Decision:
    """A tick for an order already resting in the book."""
    if market.stale:
        return Decision()
    if order.pricetype == PriceType.MARKET:
        return Decision(fill_price=sweep_price(order.action, order.quantity, market))
    if order.pricetype in (PriceType.SL, PriceType.SL_M) and not order.triggered:
        return decide_taker(order, market)
    # A resting LIMIT (or a released SL) is the passive side: it fills at its own price.
    if limit_traded_through(order.action, order.price, market.ltp, on_touch):
        return Decision(fill_price=order.price)
    touch = market.ask if order.action == Action.BUY else market.bid
    if touch > 0 and within(order.action, touch, order.price):  # the book crossed our price
        return Decision(fill_price=order.price)
    return Decision()
