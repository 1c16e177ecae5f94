"""Time-driven work on paper accounts: MIS square-off, expiry settlement, T+1 settlement of CNC
buys into holdings, the daily P&L snapshot, capital resets and the slow safety poll.

Each sweep is idempotent and keyed on dates stored with the rows (the trade date a position was
opened, a contract's expiry), so the same function serves the scheduled job and catch-up after
downtime.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from brokers.contract import Product
from brokers.paper.account import Account
from brokers.paper.calendar import IST
from brokers.paper.engine import PaperEngine
from brokers.paper.model import ContractSpec, DailyPnl, PaperOrder, PaperPosition, paise
from brokers.paper.pricing import MarketSnapshot

QuoteFor = Callable[[ContractSpec], Awaitable[MarketSnapshot | None]]
# A market source → how to quote it now (None: no quotes from that source at the moment).
SourceQuotes = Callable[[str], Awaitable[QuoteFor | None]]
AUTO_SQUARE_OFF = "AUTO_SQUARE_OFF"
EXPIRY_SETTLEMENT = "EXPIRY_SETTLEMENT"


@dataclass(slots=True)
class SweepReport:
    cancelled: list[str] = field(default_factory=list)
    squared_off: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cancelled or self.squared_off or self.expired or self.settled)


def _expired(engine: PaperEngine, contract: ContractSpec, account: Account) -> bool:
    return contract.expiry is not None and account.now >= engine.calendar.expiry_moment(contract.exchange,
                                                                                         contract.expiry)


def _square_off_due(engine: PaperEngine, exchange: str, trade_date: date | None, account: Account) -> bool:
    if exchange not in engine.config.square_off_exchanges or trade_date is None:
        return False
    deadline = engine.calendar.square_off_deadline(exchange, trade_date)
    return deadline is not None and account.now >= deadline


def _closing_price(engine: PaperEngine, position: PaperPosition, quotes: dict[str, MarketSnapshot]) -> Decimal:
    """Bid for a long, ask for a short, from a fresh quote or the last tick; else last price or cost."""
    snap = quotes.get(position.contract.key) or engine.mark(position.user_id, position.contract.key)
    if snap is not None and snap.ltp > 0:
        return snap.bid if position.quantity > 0 and snap.bid > 0 else (
            snap.ask if position.quantity < 0 and snap.ask > 0 else snap.ltp)
    return position.ltp if position.ltp > 0 else position.average_price


def _settlement_price(engine: PaperEngine, position: PaperPosition) -> Decimal:
    snap = engine.mark(position.user_id, position.contract.key)
    if snap is not None and snap.ltp > 0:
        return snap.ltp
    return position.ltp if position.ltp > 0 else position.average_price


async def sweep(engine: PaperEngine, user_id: int, quote_for: QuoteFor | None = None) -> SweepReport:
    """Cancel orders that can no longer trade, settle expired contracts, square off overdue MIS
    positions and move yesterday's CNC buys into holdings (T+1 by the exchange calendar)."""
    quotes: dict[str, MarketSnapshot] = {}
    if quote_for is not None:  # fetch closing quotes before taking the user's lock
        async with engine.account(user_id) as account:
            due = [p.contract for p in account.positions.values() if p.quantity and p.product == Product.MIS
                   and _square_off_due(engine, str(p.contract.exchange), p.opened_on, account)]
        for contract in due:
            snap = await quote_for(contract)
            if snap is not None and not snap.stale:
                quotes[contract.key] = snap
    report = SweepReport()
    changed: list[PaperOrder] = []
    async with engine.account(user_id) as account:
        for order in await account.unit.load_pending_orders():  # type: ignore[attr-defined]
            created = order.created_at.astimezone(IST).date()
            mis_over = order.product == Product.MIS and _square_off_due(engine, str(order.contract.exchange),
                                                                        created, account)
            if _expired(engine, order.contract, account) or mis_over:
                engine.cancel_in(account, order, "Contract expired" if not mis_over else
                                 "Cancelled at MIS square-off time")
                report.cancelled.append(order.orderid)
                changed.append(order)
        for position in list(account.positions.values()):
            if not position.quantity:
                continue
            if _expired(engine, position.contract, account):
                order = account.forced_order(position, EXPIRY_SETTLEMENT, engine.ids)
                account.fill(order, _settlement_price(engine, position), enforce_funds=False)
                report.expired.append(order.orderid)
                changed.append(order)
            elif position.product == Product.MIS and _square_off_due(engine, str(position.contract.exchange),
                                                                     position.opened_on, account):
                order = account.forced_order(position, AUTO_SQUARE_OFF, engine.ids)
                account.fill(order, _closing_price(engine, position, quotes), enforce_funds=False)
                report.squared_off.append(order.orderid)
                changed.append(order)
        for position in list(account.positions.values()):
            if (position.product == Product.CNC and position.quantity > 0 and position.opened_on is not None
                    and engine.calendar.next_trading_day(position.opened_on, str(position.contract.exchange))
                    <= account.today):
                account.settle_into_holdings(position)
                report.settled.append(position.contract.symbol)
    for order in changed:
        engine.books.remove(order.orderid)
    await engine.notify(changed)
    return report


async def snapshot_day(engine: PaperEngine, user_id: int, day: date | None = None) -> DailyPnl | None:
    """Record the user's end-of-day figures (skipped on exchange holidays)."""
    async with engine.account(user_id) as account:
        day = day or account.today
        if not engine.calendar.is_trading_day(day):
            return None
        positions_unrealized = sum(_marked(engine, p).unrealized_paise() for p in account.positions.values())
        holdings_unrealized = 0
        for holding in account.holdings.values():
            snap = engine.mark(user_id, f"{holding.exchange}:{holding.symbol}")
            ltp = snap.ltp if snap else holding.ltp
            if ltp > 0:
                holdings_unrealized += paise((ltp - holding.average_price) * holding.quantity)
        daily = DailyPnl(user_id, day, account.funds.today_realized(day), positions_unrealized, holdings_unrealized,
                         account.funds.available_paise, account.funds.used_paise)
        account.changes.daily = daily
    return daily


def _marked(engine: PaperEngine, position: PaperPosition) -> PaperPosition:
    snap = engine.mark(position.user_id, position.contract.key)
    if snap is not None and snap.ltp > 0:
        position.ltp = snap.ltp
    return position


async def reset_capital(engine: PaperEngine, user_id: int) -> None:
    """Back to the starting capital: pending orders cancelled, positions and holdings removed.
    Orders, trades and the ledger stay as history; the reset itself is a ledger entry."""
    async with engine.account(user_id) as account:
        pending = await account.pending_orders()
        account.reset(engine.config.starting_capital_paise, pending)
    for order in pending:
        engine.books.remove(order.orderid)
    await engine.notify(pending)


async def poll(engine: PaperEngine, quotes: SourceQuotes) -> list[PaperOrder]:
    """The slow safety net: index orders other workers placed, then evaluate every instrument with
    resting orders against a fresh quote from its own market source (covers a silent feed). A
    source that cannot be quoted now is skipped: its orders wait, they never take another's prices."""
    await engine.rebuild_books()
    changed: list[PaperOrder] = []
    for source, contract in engine.resting_contracts():
        quote_for = await quotes(source)
        snap = await quote_for(contract) if quote_for is not None else None
        if snap is not None:
            changed.extend(await engine.on_market(source, contract.key, snap))
    return changed
