"""Accepting an order inside the user's unit of work: the checks that need the account (MIS
cut-off, no short delivery, smart-order targets), margin blocking and the immediate fill."""

from __future__ import annotations

from decimal import Decimal

from brokers.contract import Action, OrderStatus, PriceType, Product
from brokers.paper.account import Account
from brokers.paper.calendar import ExchangeCalendar
from brokers.paper.model import PaperOrder
from brokers.paper.pricing import Decision, MarketSnapshot, decide_taker
from brokers.paper.validation import OrderTerms, Rejection, check_terms


class NoActionNeeded(Exception):
    """A smart order whose target equals the current position: OpenAlgo answers 200 with a message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def retarget(account: Account, order: PaperOrder, target: int) -> None:
    """Turn a smart order into the trade that moves the same-product position to `target`."""
    contract = order.contract
    position = account.positions.get((contract.symbol, str(contract.exchange), str(order.product)))
    current = position.quantity if position else 0
    if target == current:
        if target == 0 and order.quantity > 0:
            return  # flat and staying flat with a quantity: a fresh entry in the request's direction
        raise NoActionNeeded("No OpenPosition Found. Not placing Exit order." if order.quantity == 0
                             else "Positions Already Matched. No Action needed.")
    order.action = Action.BUY if target > current else Action.SELL
    order.quantity = abs(target - current)
    check_terms(OrderTerms(order.action, order.quantity, order.pricetype, order.product, order.price,
                           order.trigger_price, order.strategy), contract)


def margin_price(order: PaperOrder, decision: Decision) -> Decimal:
    """Where the order is expected to fill: the taker price now, else its limit, else its trigger."""
    if decision.fill_price is not None:
        return decision.fill_price
    if order.pricetype in (PriceType.LIMIT, PriceType.SL):
        return order.price
    return order.trigger_price


async def accept(account: Account, order: PaperOrder, snap: MarketSnapshot | None, calendar: ExchangeCalendar,
                 target: int | None = None) -> None:
    if target is not None:
        retarget(account, order, target)
    contract = order.contract
    position = account.positions.get((contract.symbol, str(contract.exchange), str(order.product)))
    held = position.quantity if position else 0
    reduces = held != 0 and (held > 0) != (order.sign > 0) and order.quantity <= abs(held)
    if order.product == Product.MIS and not reduces:
        cutoff = calendar.mis_blocked(contract.exchange, account.now)
        if cutoff is not None:
            raise Rejection(f"MIS orders cannot be placed after square-off time ({cutoff:%H:%M} IST). "
                            f"Trading resumes at 09:00 AM IST.")
    if order.product == Product.CNC and order.action == Action.SELL:
        pending = await account.pending_orders()
        claimed = sum(o.quantity for o in pending if o.contract.key == contract.key and o.product == Product.CNC
                      and o.action == Action.SELL)
        sellable = account.sellable(contract, claimed)
        if order.quantity > sellable:
            raise Rejection(f"Cannot sell {order.quantity} {contract.symbol}: only {max(sellable, 0)} available "
                            f"in positions and holdings (no short selling in CNC)")
    decision = decide_taker(order, snap) if snap is not None else Decision()
    account.block_order_margin(order, account.incremental_margin(order, margin_price(order, decision)))
    if order.pricetype in (PriceType.SL, PriceType.SL_M):
        order.status = OrderStatus.TRIGGER_PENDING
    if decision.trigger:
        order.triggered, order.status = True, OrderStatus.OPEN
    account.record_new(order)
    if decision.fill_price is not None:
        account.fill(order, decision.fill_price)
