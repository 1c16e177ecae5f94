"""The feed protocol's wire shapes (OpenAlgo-compatible), and ticks encoded once per audience.

A tick is serialised once per (mode, depth levels) with orjson, and framed once as a WebSocket
text frame; every client of that audience receives the very same bytes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson

from brokers.contract import Depth, DepthLevel, FeedMode, Quote, Tick

MODE_LABELS = {FeedMode.LTP: "LTP", FeedMode.QUOTE: "Quote", FeedMode.DEPTH: "Depth"}
_MODE_NAMES = {"LTP": FeedMode.LTP, "QUOTE": FeedMode.QUOTE, "DEPTH": FeedMode.DEPTH}
DEFAULT_DEPTH_LEVELS = 5


class ProtocolError(Exception):
    """A client request is invalid; rendered as the OpenAlgo error shape, the socket stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_mode(value: object, default: FeedMode = FeedMode.QUOTE) -> FeedMode:
    """1/2/3 or LTP/Quote/Depth (case-insensitive); booleans and anything else are invalid."""
    if value is None:
        return default
    if isinstance(value, bool):
        raise ProtocolError("INVALID_MODE", f"Invalid mode: {value!r}. Use 1 (LTP), 2 (Quote) or 3 (Depth)")
    if isinstance(value, int) and value in (1, 2, 3):
        return FeedMode(value)
    if isinstance(value, str) and value.strip().upper() in _MODE_NAMES:
        return _MODE_NAMES[value.strip().upper()]
    raise ProtocolError("INVALID_MODE", f"Invalid mode: {value!r}. Use 1 (LTP), 2 (Quote) or 3 (Depth)")


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"status": "error", "code": code, "message": message}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def frame_text(payload: bytes) -> bytes:
    """An unmasked, uncompressed, final WebSocket text frame (server → client)."""
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class EncodedMessage:
    """One serialised server message, shared by every recipient. Text and frame are made lazily."""

    __slots__ = ("data", "_text", "_frame")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._text: str | None = None
        self._frame: bytes | None = None

    @classmethod
    def of(cls, message: dict[str, Any]) -> EncodedMessage:
        return cls(orjson.dumps(message))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.data.decode()
        return self._text

    @property
    def frame(self) -> bytes:
        if self._frame is None:
            self._frame = frame_text(self.data)
        return self._frame


def _levels(levels: list[DepthLevel], count: int) -> list[dict[str, Any]]:
    rows = [{"price": lv.price, "quantity": lv.quantity, "orders": lv.orders} for lv in levels[:count]]
    rows.extend({"price": 0.0, "quantity": 0, "orders": 0} for _ in range(count - len(rows)))
    return rows


def tick_data(tick: Tick, mode: FeedMode, depth_levels: int, received_ms: int) -> dict[str, Any]:
    """The normalised `data` object (reference §1.9) trimmed to `mode`: one canonical key set."""
    data: dict[str, Any] = {
        "symbol": tick.symbol, "exchange": tick.exchange, "mode": int(mode),
        "ltp": tick.ltp, "ltt": tick.timestamp_ms, "timestamp": received_ms,
    }
    if mode == FeedMode.LTP:
        return data
    change = tick.ltp - tick.close if tick.close else 0.0
    data.update(
        open=tick.open, high=tick.high, low=tick.low, close=tick.close, volume=tick.volume,
        last_trade_quantity=tick.last_quantity, average_price=tick.average_price,
        avg_trade_price=tick.average_price, total_buy_quantity=tick.total_buy_quantity,
        total_sell_quantity=tick.total_sell_quantity, oi=tick.oi,
        change=round(change, 4), change_percent=round(change / tick.close * 100, 4) if tick.close else 0.0,
    )
    if mode == FeedMode.DEPTH:
        book = tick.depth
        data["depth"] = {
            "buy": _levels(book.bids if book else [], depth_levels),
            "sell": _levels(book.asks if book else [], depth_levels),
        }
    return data


def market_data_message(tick: Tick, mode: FeedMode, depth_levels: int, broker: str,
                        received_ms: int) -> EncodedMessage:
    return EncodedMessage.of({
        "type": "market_data", "symbol": tick.symbol, "exchange": tick.exchange, "mode": int(mode),
        "data": tick_data(tick, mode, depth_levels, received_ms), "broker": broker,
    })


# --- ticks across the Redis backplane -----------------------------------------------------------

def tick_to_wire(tick: Tick) -> dict[str, Any]:
    wire = {name: getattr(tick, name) for name in _TICK_SCALARS}
    wire["mode"] = int(tick.mode)
    if tick.depth is not None:
        wire["depth"] = {
            "bids": [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.bids],
            "asks": [(lv.price, lv.quantity, lv.orders) for lv in tick.depth.asks],
        }
    return wire


def tick_from_wire(wire: dict[str, Any]) -> Tick:
    depth = None
    if book := wire.get("depth"):
        depth = Depth(quote=Quote(ltp=wire["ltp"]),
                      bids=[DepthLevel(*row) for row in book["bids"]],
                      asks=[DepthLevel(*row) for row in book["asks"]])
    scalars = {name: wire[name] for name in _TICK_SCALARS if name in wire}
    return Tick(mode=FeedMode(wire["mode"]), depth=depth, **scalars)


_TICK_SCALARS = ("exchange", "symbol", "ltp", "timestamp_ms", "volume", "open", "high", "low", "close",
                 "bid", "ask", "bid_qty", "ask_qty", "oi", "average_price", "last_quantity",
                 "total_buy_quantity", "total_sell_quantity")


@dataclass(frozen=True, slots=True)
class Audience:
    """Clients that receive the same bytes for a tick: same mode, same depth levels."""

    mode: FeedMode
    depth_levels: int = DEFAULT_DEPTH_LEVELS
