"""Dhan's binary market-feed packets (little-endian), parsed with `struct` from the documented layout.

Every packet starts with an 8-byte header: response code u8, packet length i16 (header included),
segment code u8, security id i32. A WebSocket frame may carry several packets back to back.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

HEADER = struct.Struct("<BhBi")
TICKER = struct.Struct("<fi")  # LTP, last trade time
QUOTE = struct.Struct("<fhifiiiffff")  # LTP, LTQ, LTT, ATP, volume, sell, buy, o, c, h, l
OI = struct.Struct("<i")
PREV_CLOSE = struct.Struct("<fi")
FULL = struct.Struct("<fhifiiiiiiffff")  # …, OI, OI high, OI low, open, close, high, low
DEPTH_LEVEL = struct.Struct("<iihhff")  # bid qty, ask qty, bid orders, ask orders, bid price, ask price
DISCONNECT = struct.Struct("<h")

INDEX, TICKER_CODE, QUOTE_CODE, OI_CODE, PREV_CLOSE_CODE, STATUS_CODE, FULL_CODE = 1, 2, 4, 5, 6, 7, 8
DISCONNECT_CODE = 50
DISCONNECT_REASONS = {805: "too many connections", 806: "data APIs not subscribed", 807: "access token expired",
                      808: "invalid client id", 809: "authentication failed"}


@dataclass(slots=True)
class Packet:
    code: int
    segment: int
    security_id: int
    values: dict = field(default_factory=dict)


def split(frame: bytes) -> list[Packet]:
    """Every packet in one frame; a truncated tail is dropped, an unknown code kept bare."""
    packets: list[Packet] = []
    offset = 0
    while offset + HEADER.size <= len(frame):
        code, length, segment, security_id = HEADER.unpack_from(frame, offset)
        if length < HEADER.size:
            length = _default_length(code)
        if length < HEADER.size or offset + length > len(frame):
            break
        # A packet shorter than its documented layout is kept bare rather than read past its end.
        values = _body(code, frame, offset) if length >= _default_length(code) else {}
        packets.append(Packet(code, segment, security_id, values))
        offset += length
    return packets


def _default_length(code: int) -> int:
    return {TICKER_CODE: 16, QUOTE_CODE: 50, OI_CODE: 12, PREV_CLOSE_CODE: 16, STATUS_CODE: 8, FULL_CODE: 162,
            DISCONNECT_CODE: 10}.get(code, 0)


def _body(code: int, frame: bytes, offset: int) -> dict:
    at = offset + HEADER.size
    if code == TICKER_CODE:
        ltp, ltt = TICKER.unpack_from(frame, at)
        return {"ltp": ltp, "ltt": ltt}
    if code == QUOTE_CODE:
        ltp, ltq, ltt, atp, volume, sell, buy, open_, close, high, low = QUOTE.unpack_from(frame, at)
        return {"ltp": ltp, "ltq": ltq, "ltt": ltt, "atp": atp, "volume": volume, "total_sell": sell,
                "total_buy": buy, "open": open_, "close": close, "high": high, "low": low}
    if code == OI_CODE:
        return {"oi": OI.unpack_from(frame, at)[0]}
    if code == PREV_CLOSE_CODE:
        close, oi = PREV_CLOSE.unpack_from(frame, at)
        return {"prev_close": close, "prev_oi": oi}
    if code == FULL_CODE:
        (ltp, ltq, ltt, atp, volume, sell, buy, oi, oi_high, oi_low, open_, close, high, low) = \
            FULL.unpack_from(frame, at)
        levels = [DEPTH_LEVEL.unpack_from(frame, at + FULL.size + i * DEPTH_LEVEL.size) for i in range(5)]
        return {"ltp": ltp, "ltq": ltq, "ltt": ltt, "atp": atp, "volume": volume, "total_sell": sell,
                "total_buy": buy, "oi": oi, "oi_high": oi_high, "oi_low": oi_low, "open": open_, "close": close,
                "high": high, "low": low, "levels": levels}
    if code == DISCONNECT_CODE:
        return {"reason": DISCONNECT.unpack_from(frame, at)[0]}
    return {}
