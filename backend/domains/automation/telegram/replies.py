"""Plain-text answers of the bot: command replies from the gateway's books, and order alerts."""

from __future__ import annotations

from typing import Any

HELP = ("Algogate bot commands:\n/positions – open positions\n/funds – available and used margin\n"
        "/orderbook – today's orders\n/pnl – today's P&L\n/unlink – stop alerts and unlink this chat")


def _rupees(value: Any) -> str:
    try:
        return f"₹{float(value):,.2f}"
    except (TypeError, ValueError):
        return str(value)


def positions(body: dict[str, Any]) -> str:
    rows = [p for p in body.get("data") or [] if int(float(p.get("quantity") or 0)) != 0]
    if not rows:
        return "No open positions."
    lines = [f"{p['symbol']} ({p['exchange']}, {p['product']}): {p['quantity']} @ {p.get('average_price', '')}"
             for p in rows]
    return "Open positions:\n" + "\n".join(lines)


def funds(body: dict[str, Any]) -> str:
    data = body.get("data") or {}
    return (f"Available: {_rupees(data.get('availablecash'))}\nUsed margin: {_rupees(data.get('utiliseddebits'))}\n"
            f"Realised P&L: {_rupees(data.get('m2mrealized'))}\nUnrealised P&L: {_rupees(data.get('m2munrealized'))}")


def pnl(body: dict[str, Any]) -> str:
    data = body.get("data") or {}
    realised, unrealised = float(data.get("m2mrealized") or 0), float(data.get("m2munrealized") or 0)
    return (f"Today's P&L: {_rupees(realised + unrealised)}\n(realised {_rupees(realised)}, "
            f"unrealised {_rupees(unrealised)})")


def orderbook(body: dict[str, Any]) -> str:
    orders = (body.get("data") or {}).get("orders") or []
    if not orders:
        return "No orders today."
    lines = [f"{o['action']} {o['quantity']} {o['symbol']} – {o['order_status']} ({o['orderid']})"
             for o in orders[-20:]]
    return "Orders (latest 20):\n" + "\n".join(lines)


def live_order_alert(order: Any, broker: str) -> str:
    request = order.request
    head = (f"{broker}: order {order.status}: {request.action} {request.quantity} {request.symbol} "
            f"({request.exchange}, {request.product})")
    if order.reason:
        head += f"\nReason: {order.reason}"
    return f"{head}\nOrder id: {order.orderid}"


def order_alert(order: Any) -> str:
    status = str(order.status)
    head = f"Order {status}: {order.action} {order.quantity} {order.contract.symbol} ({order.contract.exchange}, " \
           f"{order.product})"
    if status == "complete":
        head += f" @ {order.average_price}"
    if order.reason:
        head += f"\nReason: {order.reason}"
    return f"{head}\nOrder id: {order.orderid}"
