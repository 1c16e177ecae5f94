"""Alert payloads → signals → orders.

Payloads (OpenAlgo's formats): TradingView/Amibroker JSON `{"symbol": "SBIN", "action": "BUY"}`
(optional `position_size`, used by BOTH-mode strategies) and Chartink scans
`{"stocks": "A,B", "trigger_prices": "1,2", "triggered_at": "...", "scan_name": "...", ...}` whose
scan name carries the keyword BUY, SELL, SHORT or COVER.

Semantics per trading mode: BUY opens a long, SELL closes it, SHORT opens a short, COVER closes
it. LONG-only strategies read SHORT/COVER as refused; SHORT-only strategies read a plain SELL as
SHORT and BUY as COVER (a TradingView short strategy only says BUY/SELL). Entries are placeorder
with the mapped quantity; exits are placesmartorder to position size 0, so an exit never
over-closes. BOTH mode sizes every signal with placesmartorder (target +qty, −qty or 0, or the
alert's own position_size), as OpenAlgo does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SIGNALS = ("BUY", "SELL", "SHORT", "COVER")
ENTRIES = {"BUY": "BUY", "SHORT": "SELL"}  # signal → order side
EXITS = {"SELL": "SELL", "COVER": "BUY"}


class MalformedAlert(Exception):
    pass


class Refused(Exception):
    pass


@dataclass(frozen=True)
class Alert:
    symbol: str
    signal: str
    position_size: int | None = None


def _signal(value: Any) -> str:
    signal = str(value or "").strip().upper()
    if signal not in SIGNALS:
        raise MalformedAlert(f"action must be one of {', '.join(SIGNALS)}")
    return signal


def parse_tradingview(payload: dict[str, Any]) -> list[Alert]:
    symbol = payload.get("symbol")
    if not isinstance(symbol, str) or not symbol.strip():
        raise MalformedAlert("symbol is required")
    size = payload.get("position_size")
    if size is not None:
        try:
            size = int(str(size))
        except ValueError:
            raise MalformedAlert("position_size must be an integer") from None
    return [Alert(symbol.strip().upper(), _signal(payload.get("action")), size)]


def parse_chartink(payload: dict[str, Any]) -> list[Alert]:
    stocks, scan = payload.get("stocks"), payload.get("scan_name")
    if not isinstance(stocks, str) or not isinstance(scan, str):
        raise MalformedAlert("stocks and scan_name are required")
    words = set(re.findall(r"[A-Z]+", scan.upper()))
    found = [s for s in SIGNALS if s in words]
    if len(found) != 1:
        raise MalformedAlert("scan_name must contain exactly one of BUY, SELL, SHORT, COVER")
    symbols = [s.strip().upper() for s in stocks.split(",") if s.strip()]
    if not symbols:
        raise MalformedAlert("stocks is empty")
    return [Alert(symbol, found[0]) for symbol in symbols]


def parse(payload: Any) -> list[Alert]:
    if not isinstance(payload, dict):
        raise MalformedAlert("alert must be a JSON object")
    return parse_chartink(payload) if "stocks" in payload else parse_tradingview(payload)


def normalise(signal: str, mode: str) -> str:
    """The signal as this strategy's trading mode reads it; Refused if the mode forbids it."""
    if mode == "LONG":
        if signal in ("SHORT", "COVER"):
            raise Refused(f"{signal} is not allowed in a long-only strategy")
        return signal
    if mode == "SHORT":
        return {"SELL": "SHORT", "BUY": "COVER"}.get(signal, signal)
    return signal


def is_entry(signal: str) -> bool:
    return signal in ENTRIES


def order_for(strategy: Any, mapping: Any, alert: Alert) -> tuple[str, dict[str, Any]]:
    """(api type, request JSON without apikey) for one alert on one mapped symbol."""
    signal = normalise(alert.signal, strategy.trading_mode)
    base = {"strategy": strategy.name, "exchange": mapping.exchange, "symbol": mapping.symbol,
            "pricetype": "MARKET", "product": mapping.product or strategy.product}
    side = ENTRIES.get(signal) or EXITS[signal]
    if strategy.trading_mode == "BOTH":
        if alert.position_size is not None:
            target = alert.position_size
        else:
            target = {"BUY": mapping.quantity, "SHORT": -mapping.quantity}.get(signal, 0)
        return "placesmartorder", {**base, "action": side, "quantity": str(abs(target)),
                                   "position_size": str(target)}
    if is_entry(signal):
        return "placeorder", {**base, "action": side, "quantity": str(mapping.quantity)}
    return "placesmartorder", {**base, "action": side, "quantity": "0", "position_size": "0"}
