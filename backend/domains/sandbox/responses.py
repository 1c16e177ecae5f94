"""OpenAlgo's analyze-mode response shapes, built from the engine's state (api-v1 §3–§4,
realtime-and-sandbox §3.17). Numbers are floats rounded to 2 decimals (prices keep 4 for
currency ticks), timestamps `YYYY-MM-DD HH:MM:SS` IST."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from brokers.contract import Action, OrderStatus, PriceType
from brokers.paper.calendar import IST
from brokers.paper.model import FundsState, PaperHolding, PaperOrder, PaperPosition, PaperTrade, paise

ANALYZE = {"mode": "analyze"}


def rupees(value_paise: int) -> float:
    return round(value_paise / 100, 2)


def price(value: Decimal) -> float:
    return float(round(value, 4))


def stamp(moment: datetime | None) -> str:
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def success(**fields) -> dict:
    return {"status": "success", **fields, **ANALYZE}


def order_item(order: PaperOrder) -> dict:
    return {
        "orderid": order.orderid, "symbol": order.contract.symbol, "exchange": str(order.contract.exchange),
        "action": str(order.action), "quantity": order.quantity,
        "price": 0.0 if order.pricetype == PriceType.MARKET else price(order.price),
        "trigger_price": price(order.trigger_price), "pricetype": str(order.pricetype), "product": str(order.product),
        "order_status": str(order.status), "average_price": price(order.average_price),
        "filled_quantity": order.filled_quantity,
        "pending_quantity": order.quantity - order.filled_quantity if order.pending else 0,
        "rejection_reason": order.reason if order.status == OrderStatus.REJECTED else "",
        "timestamp": stamp(order.created_at), "strategy": order.strategy,
    }


def orderbook(orders: list[PaperOrder]) -> dict:
    def count(predicate) -> int:
        return sum(1 for order in orders if predicate(order))

    statistics = {
        "total_buy_orders": count(lambda o: o.action == Action.BUY),
        "total_sell_orders": count(lambda o: o.action == Action.SELL),
        "total_completed_orders": count(lambda o: o.status == OrderStatus.COMPLETE),
        "total_open_orders": count(lambda o: o.status == OrderStatus.OPEN),
        "total_rejected_orders": count(lambda o: o.status == OrderStatus.REJECTED),
        "total_trigger_pending_orders": count(lambda o: o.status == OrderStatus.TRIGGER_PENDING),
    }
    return success(data={"orders": [order_item(o) for o in orders], "statistics": statistics})


def order_status(order: PaperOrder) -> dict:
    return success(data=order_item(order))


def tradebook(trades: list[PaperTrade]) -> dict:
    return success(data=[{
        "tradeid": t.tradeid, "orderid": t.orderid, "symbol": t.symbol, "exchange": str(t.exchange),
        "action": str(t.action), "quantity": t.quantity, "average_price": price(t.price), "price": price(t.price),
        "trade_value": rupees(paise(t.price * t.quantity)), "product": str(t.product), "strategy": t.strategy,
        "timestamp": stamp(t.timestamp),
    } for t in trades])


def position_item(position: PaperPosition, today: date) -> dict:
    unrealized = position.unrealized_paise()
    realized_today = position.today_realized(today)
    total_today = unrealized + realized_today
    cost = abs(position.average_price * position.quantity)
    percent = round(float(Decimal(total_today) / 100 / cost * 100), 2) if position.quantity and cost else 0.0
    return {
        "symbol": position.contract.symbol, "exchange": str(position.contract.exchange),
        "product": str(position.product), "quantity": position.quantity,
        "average_price": price(position.average_price) if position.quantity else 0.0,
        "ltp": price(position.ltp), "pnl": rupees(total_today), "pnlpercent": percent,
        "unrealized_pnl": rupees(unrealized), "today_realized_pnl": rupees(realized_today),
        "total_pnl_today": rupees(total_today), "lot_size": 1,  # OpenAlgo: the contract-value multiplier
    }


def positionbook(positions: list[PaperPosition], today: date) -> dict:
    items = [position_item(p, today) for p in positions]
    unrealized = sum(p.unrealized_paise() for p in positions)
    realized = sum(p.today_realized(today) for p in positions)
    return success(data=items, total_pnl=rupees(unrealized + realized), total_unrealized_pnl=rupees(unrealized),
                   total_today_realized_pnl=rupees(realized), total_pnl_today=rupees(unrealized + realized))


def holdings(rows: list[PaperHolding]) -> dict:
    items, value_total, invested_total = [], 0, 0
    for holding in rows:
        ltp = holding.ltp if holding.ltp > 0 else holding.average_price
        invested = paise(holding.average_price * holding.quantity)
        value = paise(ltp * holding.quantity)
        value_total, invested_total = value_total + value, invested_total + invested
        items.append({
            "symbol": holding.symbol, "exchange": str(holding.exchange), "product": "CNC",
            "quantity": holding.quantity, "average_price": price(holding.average_price), "ltp": price(ltp),
            "pnl": rupees(value - invested),
            "pnlpercent": round((value - invested) / invested * 100, 2) if invested else 0.0,
            "current_value": rupees(value),
            "settlement_date": holding.settled_on.isoformat() if holding.settled_on else "",
        })
    statistics = {
        "totalholdingvalue": rupees(value_total), "totalinvvalue": rupees(invested_total),
        "totalprofitandloss": rupees(value_total - invested_total),
        "totalpnlpercentage": round((value_total - invested_total) / invested_total * 100, 2) if invested_total else 0.0,
    }
    return success(data={"holdings": items, "statistics": statistics})


def funds(state: FundsState, unrealized_paise: int, today: date) -> dict:
    realized_today = state.today_realized(today)
    return success(data={
        "availablecash": rupees(state.available_paise), "collateral": 0.0,
        "m2mrealized": rupees(realized_today), "m2munrealized": rupees(unrealized_paise),
        "utiliseddebits": rupees(state.used_paise), "grossexposure": rupees(state.used_paise),
        "total_realized_pnl": rupees(state.realized_paise), "today_realized_pnl": rupees(realized_today),
        "totalpnl": rupees(state.realized_paise + unrealized_paise),
        "last_reset": stamp(state.last_reset_at), "reset_count": state.reset_count,
    })
