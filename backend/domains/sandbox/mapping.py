"""Rows ⇄ engine dataclasses. Prices travel as integer ten-thousandths (`*_e4`)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from backend.core.clock import utcnow
from backend.domains.sandbox.models import (
    SandboxDailyPnl,
    SandboxFunds,
    SandboxHolding,
    SandboxLedger,
    SandboxOrder,
    SandboxPosition,
    SandboxTrade,
)
from brokers.contract import Action, Exchange, OrderStatus, PriceType, Product
from brokers.paper.model import (
    ContractSpec,
    DailyPnl,
    FundsState,
    LedgerEntry,
    PaperHolding,
    PaperOrder,
    PaperPosition,
    PaperTrade,
)

E4 = Decimal(10_000)


def utc(moment: datetime | None) -> datetime | None:
    """Stored times are UTC (SQLite keeps no offset, so an aware IST time would read back wrong)."""
    return moment.astimezone(UTC) if moment is not None and moment.tzinfo else moment


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def to_e4(price: Decimal) -> int:
    return int((price * E4).to_integral_value(rounding=ROUND_HALF_EVEN))


def from_e4(value: int | None) -> Decimal:
    return (Decimal(value or 0) / E4).quantize(Decimal("0.0001"))


def contract_of(row: SandboxOrder | SandboxPosition) -> ContractSpec:
    return ContractSpec(symbol=row.symbol, exchange=Exchange(row.exchange), instrumenttype=row.instrumenttype,
                        underlying=row.underlying, expiry=row.expiry,
                        strike=from_e4(row.strike_e4) if row.strike_e4 is not None else None,
                        lotsize=row.lotsize, tick_size=from_e4(row.tick_size_e4), freeze_qty=row.freeze_qty)


def contract_values(contract: ContractSpec) -> dict:
    return {"symbol": contract.symbol, "exchange": str(contract.exchange), "instrumenttype": contract.instrumenttype,
            "underlying": contract.underlying, "expiry": contract.expiry,
            "strike_e4": to_e4(contract.strike) if contract.strike is not None else None,
            "lotsize": contract.lotsize, "tick_size_e4": to_e4(contract.tick_size), "freeze_qty": contract.freeze_qty}


def order_of(row: SandboxOrder) -> PaperOrder:
    return PaperOrder(orderid=row.orderid, user_id=row.user_id, contract=contract_of(row), action=Action(row.action),
                      quantity=row.quantity, pricetype=PriceType(row.pricetype), product=Product(row.product),
                      price=from_e4(row.price_e4), trigger_price=from_e4(row.trigger_price_e4),
                      strategy=row.strategy, status=OrderStatus(row.status), created_at=aware(row.created_at),
                      updated_at=aware(row.updated_at), filled_quantity=row.filled_quantity,
                      average_price=from_e4(row.average_price_e4), margin_paise=row.margin_paise, reason=row.reason,
                      triggered=row.triggered)


def order_state(order: PaperOrder) -> dict:
    """The mutable columns of an order."""
    return {"quantity": order.quantity, "pricetype": str(order.pricetype), "price_e4": to_e4(order.price),
            "trigger_price_e4": to_e4(order.trigger_price), "status": str(order.status),
            "filled_quantity": order.filled_quantity, "average_price_e4": to_e4(order.average_price),
            "margin_paise": order.margin_paise, "reason": order.reason[:300], "triggered": order.triggered,
            "updated_at": utc(order.updated_at)}


def order_values(order: PaperOrder) -> dict:
    return {"orderid": order.orderid, "user_id": order.user_id, "strategy": order.strategy[:100],
            "action": str(order.action), "product": str(order.product), "created_at": utc(order.created_at),
            **contract_values(order.contract), **order_state(order)}


def order_row(order: PaperOrder) -> SandboxOrder:
    return SandboxOrder(**order_values(order))


def trade_of(row: SandboxTrade) -> PaperTrade:
    return PaperTrade(row.tradeid, row.orderid, row.user_id, row.symbol, Exchange(row.exchange), Action(row.action),
                      Product(row.product), row.quantity, from_e4(row.price_e4), row.strategy, aware(row.created_at))


def trade_values(trade: PaperTrade) -> dict:
    return {"tradeid": trade.tradeid, "orderid": trade.orderid, "user_id": trade.user_id, "symbol": trade.symbol,
            "exchange": str(trade.exchange), "action": str(trade.action), "product": str(trade.product),
            "quantity": trade.quantity, "price_e4": to_e4(trade.price), "strategy": trade.strategy[:100],
            "created_at": utc(trade.timestamp)}


def trade_row(trade: PaperTrade) -> SandboxTrade:
    return SandboxTrade(**trade_values(trade))


def position_of(row: SandboxPosition) -> PaperPosition:
    return PaperPosition(user_id=row.user_id, contract=contract_of(row), product=Product(row.product),
                         quantity=row.quantity, average_price=from_e4(row.average_price_e4),
                         realized_paise=row.realized_paise, today_realized_paise=row.today_realized_paise,
                         realized_on=row.realized_on, ltp=from_e4(row.ltp_e4), opened_on=row.opened_on,
                         updated_at=aware(row.updated_at))


def position_values(position: PaperPosition) -> dict:
    values = {"user_id": position.user_id, "product": str(position.product), "quantity": position.quantity,
              "average_price_e4": to_e4(position.average_price), "realized_paise": position.realized_paise,
              "today_realized_paise": position.today_realized_paise, "realized_on": position.realized_on,
              "ltp_e4": to_e4(position.ltp), "opened_on": position.opened_on}
    if position.updated_at is not None:
        values["updated_at"] = utc(position.updated_at)
    return {**contract_values(position.contract), **values}


def holding_of(row: SandboxHolding) -> PaperHolding:
    return PaperHolding(row.user_id, row.symbol, Exchange(row.exchange), row.quantity, from_e4(row.average_price_e4),
                        from_e4(row.ltp_e4), row.settled_on)


def holding_values(holding: PaperHolding) -> dict:
    return {"user_id": holding.user_id, "symbol": holding.symbol, "exchange": str(holding.exchange),
            "quantity": holding.quantity, "average_price_e4": to_e4(holding.average_price),
            "ltp_e4": to_e4(holding.ltp), "settled_on": holding.settled_on}


def funds_of(row: SandboxFunds) -> FundsState:
    return FundsState(row.user_id, row.cash_paise, row.order_margin_paise, row.position_margin_paise,
                      row.realized_paise, row.today_realized_paise, row.realized_on, row.reset_count,
                      aware(row.last_reset_at), row.version)


def funds_values(funds: FundsState) -> dict:
    return {"cash_paise": funds.cash_paise, "order_margin_paise": funds.order_margin_paise,
            "position_margin_paise": funds.position_margin_paise, "realized_paise": funds.realized_paise,
            "today_realized_paise": funds.today_realized_paise, "realized_on": funds.realized_on,
            "reset_count": funds.reset_count, "last_reset_at": utc(funds.last_reset_at)}


def ledger_values(entry: LedgerEntry) -> dict:
    """Every column, so a batch of entries shares one executemany."""
    return {"user_id": entry.user_id, "kind": str(entry.kind), "cash_paise": entry.cash_paise,
              "order_margin_paise": entry.order_margin_paise, "position_margin_paise": entry.position_margin_paise,
              "realized_paise": entry.realized_paise, "orderid": entry.orderid, "note": entry.note[:200],
            "created_at": utc(entry.created_at) if entry.created_at is not None else utcnow()}


def ledger_row(entry: LedgerEntry) -> SandboxLedger:
    return SandboxLedger(**ledger_values(entry))


def daily_values(daily: DailyPnl) -> dict:
    return {"realized_paise": daily.realized_paise, "positions_unrealized_paise": daily.positions_unrealized_paise,
            "holdings_unrealized_paise": daily.holdings_unrealized_paise, "total_mtm_paise": daily.total_mtm_paise,
            "available_paise": daily.available_paise, "used_paise": daily.used_paise,
            "portfolio_value_paise": daily.portfolio_value_paise}


def daily_of(row: SandboxDailyPnl) -> DailyPnl:
    return DailyPnl(row.user_id, row.day, row.realized_paise, row.positions_unrealized_paise,
                    row.holdings_unrealized_paise, row.available_paise, row.used_paise)
