"""Dhan's 20-level market depth: its own socket, NSE cash and F&O only, ≤50 instruments each.

`wss://depth-api-feed.dhan.co/twentydepth?token=&clientId=&authType=2`. Requests are the live
feed's JSON body with RequestCode 23 (subscribe) / 25 (unsubscribe), at most 50 instruments;
answers are binary little-endian packets, several possibly back to back in one frame, each with a
12-byte header — length i16 (whole packet), code u8 (41 bids, 51 asks, 50 disconnect), segment
u8, security id i32, sequence u32 (ignored) — then 20 rows of price f64, quantity u32, orders u32.

Bids and asks arrive as separate packets: a tick is published whenever a side arrives and the
other side of that instrument is known. It carries only the book (`ltp` 0, no OHLC); the hub's
pool lays it over the main feed's latest quote (see `DeepDepth`).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable

from brokers.contract.errors import BrokerError
from brokers.contract.plugin import BrokerSession
from brokers.contract.types import Depth, DepthLevel, Exchange, FeedMode, Instrument, Quote, Tick
from brokers.dhan import feed
from brokers.dhan.mapping import BROKER, DATA_SEGMENT, FEED_SEGMENT_CODE
from brokers.dhan.streaming import DhanStreamingAdapter

LEVELS = 20
EXCHANGES = frozenset({Exchange.NSE, Exchange.NFO})
MAX_INSTRUMENTS = 50  # per connection, and so per request
SUBSCRIBE, UNSUBSCRIBE = 23, 25
BIDS, ASKS = 41, 51

HEADER = struct.Struct("<hBBiI")  # length, code, segment, security id, sequence
ROW = struct.Struct("<dII")  # price, quantity, orders
DISCONNECT = struct.Struct("<h")


def split(frame: bytes) -> list[feed.Packet]:
    """Every depth packet in one frame (`values`: `rows` or, for code 50, `reason`); a truncated
    tail is dropped."""
    packets: list[feed.Packet] = []
    offset = 0
    while offset + HEADER.size <= len(frame):
        length, code, segment, security_id, _ = HEADER.unpack_from(frame, offset)
        if length < HEADER.size or offset + length > len(frame):
            break
        body = offset + HEADER.size
        if code in (BIDS, ASKS):
            count = min(LEVELS, (length - HEADER.size) // ROW.size)
            values = {"rows": [ROW.unpack_from(frame, body + i * ROW.size) for i in range(count)]}
        elif code == feed.DISCONNECT_CODE and length >= HEADER.size + DISCONNECT.size:
            values = {"reason": DISCONNECT.unpack_from(frame, body)[0]}
        else:
            values = {}
        packets.append(feed.Packet(code, segment, security_id, values))
        offset += length
    return packets


class DhanDepthAdapter(DhanStreamingAdapter):
    """A 20-level depth connection: DEPTH subscriptions only (the pool never asks for others)."""

    def __init__(self, depth_url: str, session: BrokerSession) -> None:
        super().__init__(depth_url, session, MAX_INSTRUMENTS)
        self._feed_label = "dhan depth feed"
        self._sides: dict[tuple[int, int], dict[int, list[DepthLevel]]] = {}

    def _query(self) -> dict[str, object]:
        return {"token": self._token, "clientId": self._client_id, "authType": 2}

    async def subscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        if mode != FeedMode.DEPTH:
            raise BrokerError(BROKER, "the 20-level depth socket streams market depth only", 400)
        batch = list(instruments)
        for instrument in batch:
            self._subs[self._key(instrument)] = (instrument, FeedMode.DEPTH)
        await self._send(SUBSCRIBE, batch)

    async def unsubscribe(self, instruments: Iterable[Instrument], mode: FeedMode) -> None:
        batch = list(instruments)
        for instrument in batch:
            key = self._key(instrument)
            self._subs.pop(key, None)
            self._sides.pop(key, None)
        await self._send(UNSUBSCRIBE, batch)

    @staticmethod
    def _key(instrument: Instrument) -> tuple[int, int]:
        if instrument.exchange not in EXCHANGES:
            raise BrokerError(BROKER, f"20-level depth is not offered on {instrument.exchange.value}", 400)
        return FEED_SEGMENT_CODE[DATA_SEGMENT[instrument.exchange]], int(instrument.token)

    def _packets(self, frame: bytes) -> list[feed.Packet]:
        return split(frame)

    def _tick(self, packet: feed.Packet) -> Tick | None:
        key = (packet.segment, packet.security_id)
        subscribed = self._subs.get(key)
        if subscribed is None or packet.code not in (BIDS, ASKS) or not packet.values:
            return None
        sides = self._sides.setdefault(key, {})
        # float64 on the wire, but exchange prices have two decimals
        sides[packet.code] = [DepthLevel(round(price, 2), quantity, orders)
                              for price, quantity, orders in packet.values["rows"]]
        if BIDS not in sides or ASKS not in sides:
            return None
        instrument = subscribed[0]
        bids, asks = sides[BIDS], sides[ASKS]
        best_bid = bids[0] if bids else DepthLevel(0.0, 0)
        best_ask = asks[0] if asks else DepthLevel(0.0, 0)
        return Tick(exchange=instrument.exchange.value, symbol=instrument.symbol, mode=FeedMode.DEPTH, ltp=0.0,
                    timestamp_ms=int(time.time() * 1000), bid=best_bid.price, ask=best_ask.price,
                    bid_qty=best_bid.quantity, ask_qty=best_ask.quantity,
                    depth=Depth(Quote(ltp=0.0), list(bids), list(asks)))
