"""One user's account inside a unit of work: balances, positions and holdings, changed only
through methods that write ledger entries, so every balance re-derives from the ledger.

Nothing here does I/O: the engine loads an `Account` from the store, calls these methods and
hands `account.changes` back to the store to persist atomically.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from brokers.contract import Action, OrderStatus, PriceType, Product
from brokers.paper.calendar import IST
from brokers.paper.config import PaperConfig
from brokers.paper.ids import trade_id
from brokers.paper.margin import Exposure, requirement_paise
from brokers.paper.model import (
    Changes,
    ContractSpec,
    FundsState,
    LedgerEntry,
    LedgerKind,
    PaperHolding,
    PaperOrder,
    PaperPosition,
    PaperTrade,
    paise,
)
from brokers.paper.netting import net
from brokers.paper.store import AccountUnit
from brokers.paper.validation import Rejection, money


class Account:
    def __init__(self, funds: FundsState, positions: list[PaperPosition], holdings: list[PaperHolding],
                 config: PaperConfig, now: datetime, unit: AccountUnit | None = None) -> None:
        self.unit = unit  # loads orders on demand within the same unit of work
        self.funds = funds
        self.positions = {position.key: position for position in positions}
        self.holdings = {holding.key: holding for holding in holdings}
        self.config = config
        self.now = now
        self.today: date = now.astimezone(IST).date()
        self.changes = Changes()

    # --- the ledger -------------------------------------------------------------------------

    def post(self, kind: LedgerKind, *, cash: int = 0, order_margin: int = 0, position_margin: int = 0,
             realized: int = 0, orderid: str = "", note: str = "") -> None:
        if not (cash or order_margin or position_margin or realized):
            return
        funds = self.funds
        funds.cash_paise += cash
        funds.order_margin_paise += order_margin
        funds.position_margin_paise += position_margin
        funds.realized_paise += realized
        if realized:
            funds.today_realized_paise = funds.today_realized(self.today) + realized
            funds.realized_on = self.today
        self.changes.ledger.append(LedgerEntry(funds.user_id, kind, cash, order_margin, position_margin, realized,
                                               orderid, note, self.now))
        self.changes.funds = funds

    # --- margin -----------------------------------------------------------------------------

    def exposures(self, contract: ContractSpec | None = None, product: Product | None = None,
                  signed_quantity: int = 0, price: Decimal = Decimal(0)) -> list[Exposure]:
        """Open positions, optionally with a would-be fill netted in."""
        out: list[Exposure] = []
        target = (contract.symbol, str(contract.exchange), str(product)) if contract and product else None
        for key, position in self.positions.items():
            quantity, average = position.quantity, position.average_price
            if key == target:
                result = net(quantity, average, signed_quantity, price)
                quantity, average = result.quantity, result.average_price
                target = None
            if quantity:
                out.append(Exposure(position.contract, position.product, quantity, average))
        if target and signed_quantity:
            out.append(Exposure(contract, product, signed_quantity, price))
        return out

    def requirement(self) -> int:
        return requirement_paise(self.exposures(), self.config)

    def incremental_margin(self, order: PaperOrder, price: Decimal) -> int:
        """What filling `order` at `price` would add to the portfolio requirement (0 if it reduces)."""
        if order.product == Product.CNC and order.action == Action.SELL:
            return 0  # sells only what is held: no new exposure
        after = requirement_paise(self.exposures(order.contract, order.product, order.sign * order.quantity, price),
                                  self.config)
        return max(0, after - self.requirement())

    def block_order_margin(self, order: PaperOrder, amount: int) -> None:
        if amount > self.funds.available_paise:
            available = Decimal(self.funds.available_paise) / 100
            required = Decimal(amount) / 100
            raise Rejection(f"Insufficient funds. Required: ₹{money(required)}, Available: ₹{money(available)}, "
                            f"Shortage: ₹{money(required - available)}")
        order.margin_paise = amount
        self.post(LedgerKind.ORDER_MARGIN, order_margin=amount, orderid=order.orderid, note="blocked")

    def release_order_margin(self, order: PaperOrder, note: str) -> None:
        self.post(LedgerKind.ORDER_MARGIN, order_margin=-order.margin_paise, orderid=order.orderid, note=note)
        order.margin_paise = 0

    def rebase_position_margin(self, orderid: str = "", note: str = "") -> None:
        delta = self.requirement() - self.funds.position_margin_paise
        self.post(LedgerKind.POSITION_MARGIN, position_margin=delta, orderid=orderid, note=note)

    # --- orders -----------------------------------------------------------------------------

    async def order(self, orderid: str) -> PaperOrder | None:
        return await self.unit.load_order(orderid)

    async def pending_orders(self) -> list[PaperOrder]:
        return await self.unit.load_pending_orders()

    def record_new(self, order: PaperOrder) -> None:
        self.changes.new_orders.append(order)

    def record_update(self, order: PaperOrder, loaded_status: OrderStatus) -> None:
        order.updated_at = self.now
        if order.orderid in self.changes.updated_orders:
            loaded_status = self.changes.updated_orders[order.orderid][1]
        if any(new is order for new in self.changes.new_orders):
            return  # inserted in this unit with its final state
        self.changes.updated_orders[order.orderid] = (order, loaded_status)

    def sellable(self, contract: ContractSpec, pending_sells: int) -> int:
        """CNC quantity that may still be sold: today's long CNC position plus holdings, less
        what pending CNC sells already claim (no short delivery)."""
        position = self.positions.get((contract.symbol, str(contract.exchange), str(Product.CNC)))
        holding = self.holdings.get((contract.symbol, str(contract.exchange)))
        owned = max(position.quantity, 0) if position else 0
        return owned + (holding.quantity if holding else 0) - pending_sells

    # --- fills ------------------------------------------------------------------------------

    def fill(self, order: PaperOrder, price: Decimal, *, enforce_funds: bool = True) -> PaperTrade:
        """Execute `order` in full at `price`: release its margin, net the position (or sell out of
        holdings), book realised P&L, re-base the portfolio margin; refuse if funds go negative."""
        loaded_status = order.status
        self.release_order_margin(order, "filled")
        quantity = order.quantity
        from_holdings = 0
        if order.product == Product.CNC and order.action == Action.SELL:
            position = self.positions.get((order.contract.symbol, str(order.contract.exchange), str(Product.CNC)))
            from_position = min(quantity, max(position.quantity, 0) if position else 0)
            from_holdings = quantity - from_position
            quantity = from_position
        position = self._position(order.contract, order.product)
        if quantity:
            result = net(position.quantity, position.average_price, order.sign * quantity, price)
            position.quantity, position.average_price = result.quantity, result.average_price
            if result.opened:
                position.opened_on = self.today
            self._realize(position, result.realized_paise, order.orderid)
        if from_holdings:
            self._sell_from_holdings(order, position, from_holdings, price)
        position.ltp = price
        position.updated_at = self.now
        self.changes.positions[position.key] = position
        self.rebase_position_margin(order.orderid, "fill")
        if enforce_funds and self.funds.available_paise < 0:
            raise Rejection(f"Insufficient funds at execution. Shortage: "
                            f"₹{money(Decimal(-self.funds.available_paise) / 100)}")
        order.status = OrderStatus.COMPLETE
        order.filled_quantity = order.quantity
        order.average_price = price
        self.record_update(order, loaded_status)
        trade = PaperTrade(trade_id(self.now), order.orderid, order.user_id, order.contract.symbol,
                           order.contract.exchange, order.action, order.product, order.quantity, price,
                           order.strategy, self.now)
        self.changes.trades.append(trade)
        return trade

    def _position(self, contract: ContractSpec, product: Product) -> PaperPosition:
        key = (contract.symbol, str(contract.exchange), str(product))
        position = self.positions.get(key)
        if position is None:
            position = PaperPosition(self.funds.user_id, contract, product, opened_on=self.today)
            self.positions[key] = position
        return position

    def _realize(self, position: PaperPosition, pnl: int, orderid: str) -> None:
        if not pnl:
            return
        position.realized_paise += pnl
        position.today_realized_paise = position.today_realized(self.today) + pnl
        position.realized_on = self.today
        self.post(LedgerKind.REALIZED, cash=pnl, realized=pnl, orderid=orderid)

    def _sell_from_holdings(self, order: PaperOrder, position: PaperPosition, quantity: int, price: Decimal) -> None:
        holding = self.holdings.get((order.contract.symbol, str(order.contract.exchange)))
        if holding is None or holding.quantity < quantity:
            raise Rejection(f"Insufficient holdings to sell {quantity} {order.contract.symbol} (CNC)")
        pnl = paise((price - holding.average_price) * quantity)
        position.realized_paise += pnl
        position.today_realized_paise = position.today_realized(self.today) + pnl
        position.realized_on = self.today
        self.post(LedgerKind.HOLDING_SALE, cash=paise(price * quantity), realized=pnl, orderid=order.orderid,
                  note=f"sold {quantity} from holdings")
        holding.quantity -= quantity
        self._save_holding(holding)

    def _save_holding(self, holding: PaperHolding) -> None:
        if holding.quantity == 0:
            self.holdings.pop(holding.key, None)
            self.changes.holdings.pop(holding.key, None)
            self.changes.deleted_holdings.add(holding.key)
        else:
            self.changes.holdings[holding.key] = holding
            self.changes.deleted_holdings.discard(holding.key)

    # --- settlement and resets --------------------------------------------------------------

    def settle_into_holdings(self, position: PaperPosition) -> None:
        """T+1: a long CNC position becomes holdings; its cost leaves cash as its margin is released."""
        quantity, average = position.quantity, position.average_price
        key = (position.contract.symbol, str(position.contract.exchange))
        holding = self.holdings.get(key) or PaperHolding(position.user_id, position.contract.symbol,
                                                          position.contract.exchange, 0, Decimal(0))
        merged = net(holding.quantity, holding.average_price, quantity, average)
        holding.quantity, holding.average_price = merged.quantity, merged.average_price
        holding.settled_on, holding.ltp = self.today, position.ltp or average
        self.holdings[key] = holding
        self._save_holding(holding)
        position.quantity = 0
        position.updated_at = self.now
        self.changes.positions[position.key] = position
        self.post(LedgerKind.SETTLEMENT, cash=-paise(average * quantity), note=f"T+1 {quantity} {position.contract.symbol}")
        self.rebase_position_margin(note="T+1 settlement")

    def forced_order(self, position: PaperPosition, strategy: str, orderids) -> PaperOrder:
        """A MARKET order closing `position` (square-off, expiry): complete once filled."""
        action = Action.SELL if position.quantity > 0 else Action.BUY
        order = PaperOrder(orderids.next(self.now), position.user_id, position.contract, action,
                           abs(position.quantity), PriceType.MARKET, position.product, Decimal(0), Decimal(0),
                           strategy, OrderStatus.OPEN, self.now, self.now)
        self.record_new(order)
        return order

    def reset(self, capital_paise: int, pending: list[PaperOrder]) -> None:
        for order in pending:
            loaded = order.status
            self.release_order_margin(order, "reset")
            order.status, order.reason = OrderStatus.CANCELLED, "Cancelled by capital reset"
            self.record_update(order, loaded)
        for key in list(self.positions):
            self.changes.deleted_positions.add(key)
        self.positions.clear()
        self.changes.positions.clear()
        for key in list(self.holdings):
            self.changes.deleted_holdings.add(key)
        self.holdings.clear()
        self.changes.holdings.clear()
        funds = self.funds
        self.post(LedgerKind.RESET, cash=capital_paise - funds.cash_paise, order_margin=-funds.order_margin_paise,
                  position_margin=-funds.position_margin_paise, realized=-funds.realized_paise, note="capital reset")
        funds.today_realized_paise, funds.realized_on = 0, None
        funds.reset_count += 1
        funds.last_reset_at = self.now
        self.changes.funds = funds
