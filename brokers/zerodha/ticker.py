"""Kite's binary market-data frames (all integers big-endian), decoded into raw packets.

Frame: uint16 packet count, then per packet a uint16 length and the packet. The packet's length
says its mode: 8 LTP, 28 index quote, 32 index full, 44 quote, 184 full (with 5-level depth).
A 1-byte frame is the server's heartbeat.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

LTP_LEN, INDEX_QUOTE_LEN, INDEX_FULL_LEN, QUOTE_LEN, FULL_LEN = 8, 28, 32, 44, 184

_HEAD = struct.Struct(">H")
_LTP = struct.Struct(">Ii")
_INDEX = struct.Struct(">Iiiiiii")  # token, ltp, high, low, open, close, change
_QUOTE = struct.Struct(">IiIiIIIiiii")  # token, ltp, ltq, avg, volume, buy qty, sell qty, o, h, l, c
_FULL_EXTRA = struct.Struct(">IIIII")  # last trade time, oi, oi day high, oi day low, exchange time
_DEPTH_ENTRY = struct.Struct(">IiH2x")  # quantity, price, orders, padding

# Segment = instrument_token & 0xFF; currency segments use finer price units.
SEGMENT_CDS, SEGMENT_BCD, SEGMENT_INDICES = 3, 6, 9


def divisor(token: int) -> float:
    segment = token & 0xFF
    if segment == SEGMENT_CDS:
        return 10_000_000.0
    if segment == SEGMENT_BCD:
        return 10_000.0
    return 100.0


@dataclass(slots=True)
class Packet:
    token: int
    kind: str  # "ltp", "quote", "full", "index_quote", "index_full"
    ltp: float
    last_quantity: int = 0
    average_price: float = 0.0
    volume: int = 0
    total_buy_quantity: int = 0
    total_sell_quantity: int = 0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0
    last_trade_time: int = 0
    oi: int = 0
    exchange_time: int = 0
    bids: list[tuple[float, int, int]] = field(default_factory=list)  # (price, quantity, orders)
    asks: list[tuple[float, int, int]] = field(default_factory=list)


def parse_packet(data: bytes) -> Packet | None:
    size = len(data)
    if size < LTP_LEN:
        return None
    token = struct.unpack_from(">I", data)[0]
    div = divisor(token)
    if size == LTP_LEN:
        _, ltp = _LTP.unpack(data)
        return Packet(token, "ltp", ltp / div)
    if size in (INDEX_QUOTE_LEN, INDEX_FULL_LEN):
        _, ltp, high, low, open_, close, _change = _INDEX.unpack_from(data)
        stamp = struct.unpack_from(">I", data, 28)[0] if size == INDEX_FULL_LEN else 0
        return Packet(token, "index_full" if size == INDEX_FULL_LEN else "index_quote", ltp / div,
                      open=open_ / div, high=high / div, low=low / div, close=close / div, exchange_time=stamp)
    if size in (QUOTE_LEN, FULL_LEN):
        (_, ltp, ltq, avg, volume, buy_qty, sell_qty, open_, high, low, close) = _QUOTE.unpack_from(data)
        packet = Packet(token, "full" if size == FULL_LEN else "quote", ltp / div, last_quantity=ltq,
                        average_price=avg / div, volume=volume, total_buy_quantity=buy_qty,
                        total_sell_quantity=sell_qty, open=open_ / div, high=high / div, low=low / div,
                        close=close / div)
        if size == FULL_LEN:
            ltt, oi, _oi_high, _oi_low, stamp = _FULL_EXTRA.unpack_from(data, 44)
            packet.last_trade_time, packet.oi, packet.exchange_time = ltt, oi, stamp
            for index in range(10):
                quantity, price, orders = _DEPTH_ENTRY.unpack_from(data, 64 + 12 * index)
                (packet.bids if index < 5 else packet.asks).append((price / div, quantity, orders))
        return packet
    return None  # an unknown packet size: skipped rather than misread


def parse_frame(frame: bytes) -> list[Packet]:
    """Every packet of one binary frame; heartbeats and truncated frames give none."""
    if len(frame) < 2:
        return []
    count = _HEAD.unpack_from(frame)[0]
    offset, packets = 2, []
    for _ in range(count):
        if offset + 2 > len(frame):
            break
        length = _HEAD.unpack_from(frame, offset)[0]
        offset += 2
        if offset + length > len(frame):
            break
        packet = parse_packet(frame[offset:offset + length])
        offset += length
        if packet is not None:
            packets.append(packet)
    return packets
