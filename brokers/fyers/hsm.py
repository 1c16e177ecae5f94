"""Fyers' HSM binary market-data protocol (reference §7.1): request frames out, feed frames in.

Everything is big-endian. A request "field" is `id:u8, len:u16, bytes`. Feed frames carry
snapshot (`S`) and update (`U`) records of int32 values per topic; INT32_MIN means "no value"
in a snapshot and "unchanged" in an update. Pure functions and a small cache: no I/O here.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

INT32_MIN = -2147483648

REQ_AUTH, REQ_SUBSCRIBE, REQ_UNSUBSCRIBE = 1, 4, 5  # 5 is the SDK's unsubscribe (reference: uncertain)
RESP_AUTH, RESP_SUBSCRIBE, RESP_DATA, RESP_MASTER = 1, 4, 6, 13
CHANNEL = 11
SNAPSHOT, UPDATE = 83, 85  # 'S', 'U'

SCRIP_FIELDS = ("ltp", "vol_traded_today", "last_traded_time", "exch_feed_time", "bid_size", "ask_size",
                "bid_price", "ask_price", "last_traded_qty", "tot_buy_qty", "tot_sell_qty", "avg_trade_price",
                "OI", "low_price", "high_price", "Yhigh", "Ylow", "lower_ckt", "upper_ckt", "open_price",
                "prev_close_price", "type", "symbol")
INDEX_FIELDS = ("ltp", "prev_close_price", "exch_feed_time", "high_price", "low_price", "open_price", "type",
                "symbol")
DEPTH_FIELDS = tuple(
    [f"bid_price{i}" for i in range(1, 6)] + [f"ask_price{i}" for i in range(1, 6)]
    + [f"bid_size{i}" for i in range(1, 6)] + [f"ask_size{i}" for i in range(1, 6)]
    + [f"bid_order{i}" for i in range(1, 6)] + [f"ask_order{i}" for i in range(1, 6)] + ["type", "symbol"])
FIELDS = {"sf": SCRIP_FIELDS, "if": INDEX_FIELDS, "dp": DEPTH_FIELDS}
PRICE_FIELDS = frozenset({"ltp", "bid_price", "ask_price", "avg_trade_price", "low_price", "high_price", "Yhigh",
                          "Ylow", "lower_ckt", "upper_ckt", "open_price", "prev_close_price",
                          *(f"{side}_price{i}" for side in ("bid", "ask") for i in range(1, 6))})

# `if|` topics name an index by the exchange's display name (reference §7.1).
INDEX_FEED_NAMES = {
    "NSE:NIFTY50-INDEX": "Nifty 50", "NSE:NIFTYBANK-INDEX": "Nifty Bank", "NSE:FINNIFTY-INDEX": "Nifty Fin Service",
    "NSE:INDIAVIX-INDEX": "India VIX", "NSE:NIFTY100-INDEX": "Nifty 100", "NSE:NIFTYNXT50-INDEX": "Nifty Next 50",
    "NSE:NIFTYMIDCAP50-INDEX": "Nifty Midcap 50", "NSE:NIFTYSMLCAP50-INDEX": "NIFTY SMLCAP 50",
    "BSE:SENSEX-INDEX": "SENSEX", "BSE:BANKEX-INDEX": "BANKEX", "BSE:BSE500-INDEX": "BSE500",
    "BSE:BSE100-INDEX": "BSE100", "BSE:BSE200-INDEX": "BSE200",
}


class ProtocolError(ValueError):
    pass


def _field(field_id: int, data: bytes) -> bytes:
    return struct.pack(">BH", field_id, len(data)) + data


def auth_request(hsm_key: str, source: str = "algogate") -> bytes:
    body = (struct.pack(">BB", REQ_AUTH, 4) + _field(1, hsm_key.encode()) + _field(2, b"P")
            + _field(3, b"\x01") + _field(4, source.encode()))
    return struct.pack(">H", len(body)) + body


def scrips_blob(topics: list[str]) -> bytes:
    parts = [struct.pack(">H", len(topics))]
    for topic in topics:
        data = topic.encode()
        parts.append(struct.pack(">B", len(data)) + data)
    return b"".join(parts)


def subscription_request(topics: list[str], unsubscribe: bool = False, channel: int = CHANNEL) -> bytes:
    blob = scrips_blob(topics)
    body = (struct.pack(">BB", REQ_UNSUBSCRIBE if unsubscribe else REQ_SUBSCRIBE, 2) + _field(1, blob)
            + _field(2, bytes([channel])))
    # The length word is what the official SDK sends for this request, not the frame size.
    return struct.pack(">H", 6 + len(blob)) + body


def frame_type(frame: bytes) -> int:
    if len(frame) < 3:
        raise ProtocolError("frame shorter than its header")
    return frame[2]


def auth_succeeded(frame: bytes) -> bool:
    """The auth answer carries one string field, `K` for accepted. An answer we cannot read is
    taken as accepted (the reference's rule); the first subscribe then tells."""
    try:
        count = frame[3]
        if count < 1:
            return True
        _, length = struct.unpack_from(">BH", frame, 4)
        return frame[7:7 + length] == b"K"
    except (IndexError, struct.error):
        return True


def scrip_topic(fytoken: str, segment: str) -> str:
    return f"sf|{segment}|{fytoken[10:]}"


def depth_topic(fytoken: str, segment: str) -> str:
    return f"dp|{segment}|{fytoken[10:]}"


def index_topic(ticker: str, segment: str) -> str:
    name = INDEX_FEED_NAMES.get(ticker) or ticker.split(":", 1)[-1].removesuffix("-INDEX")
    return f"if|{segment}|{name}"


@dataclass
class TopicState:
    name: str
    kind: str  # sf, dp, if
    values: list[int | None]
    multiplier: int = 1
    precision: int = 2
    exchange: str = ""
    token: str = ""
    symbol: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def raw(self, name: str) -> int | None:
        fields = FIELDS[self.kind]
        if name not in fields:
            return None
        index = fields.index(name)
        return self.values[index] if index < len(self.values) else None

    def price(self, name: str) -> float:
        raw = self.raw(name)
        if raw is None:
            return 0.0
        if self.kind == "if":
            return round(raw / 100, 2)
        # OpenAlgo's verified rule: raw ÷ multiplier ÷ 100, to the feed's precision.
        return round(raw / (self.multiplier or 1) / 100, self.precision)

    def count(self, name: str) -> int:
        raw = self.raw(name)
        return 0 if raw is None else raw


class FeedDecoder:
    """Decodes type-6 frames and keeps the per-topic state that updates are merged into."""

    def __init__(self) -> None:
        self.topics: dict[int, TopicState] = {}
        self.by_name: dict[str, TopicState] = {}

    def decode(self, frame: bytes) -> list[TopicState]:
        """The states touched by one data frame, in frame order."""
        if frame_type(frame) != RESP_DATA:
            return []
        try:
            (count,) = struct.unpack_from(">H", frame, 7)
            offset = 9
            touched: list[TopicState] = []
            for _ in range(count):
                kind = frame[offset]
                offset += 1
                if kind == SNAPSHOT:
                    state, offset = self._snapshot(frame, offset)
                elif kind == UPDATE:
                    state, offset = self._update(frame, offset)
                else:
                    raise ProtocolError(f"unknown record type {kind}")
                if state is not None:
                    touched.append(state)
            return touched
        except (IndexError, struct.error) as exc:
            raise ProtocolError(f"truncated data frame: {exc}") from None

    def _snapshot(self, frame: bytes, offset: int) -> tuple[TopicState, int]:
        topic_id, name_len = struct.unpack_from(">HB", frame, offset)
        offset += 3
        name = frame[offset:offset + name_len].decode("ascii", errors="replace")
        offset += name_len
        field_count = frame[offset]
        offset += 1
        raw = struct.unpack_from(f">{field_count}i", frame, offset)
        offset += 4 * field_count
        kind = name.split("|", 1)[0]
        if kind not in FIELDS:
            raise ProtocolError(f"unknown topic kind in {name!r}")
        state = TopicState(name, kind, [None if v == INT32_MIN else v for v in raw])
        if kind in ("sf", "dp"):
            offset += 2
            state.multiplier, state.precision = struct.unpack_from(">HB", frame, offset)
            offset += 3
            strings = []
            for _ in range(3):
                length = frame[offset]
                strings.append(frame[offset + 1:offset + 1 + length].decode("ascii", errors="replace"))
                offset += 1 + length
            state.exchange, state.token, state.symbol = strings
        self.topics[topic_id] = state
        self.by_name[name] = state
        return state, offset

    def _update(self, frame: bytes, offset: int) -> tuple[TopicState | None, int]:
        topic_id, field_count = struct.unpack_from(">HB", frame, offset)
        offset += 3
        state = self.topics.get(topic_id)
        if state is None:
            return None, offset + 4 * field_count
        raw = struct.unpack_from(f">{field_count}i", frame, offset)
        for index, value in enumerate(raw):
            if value == INT32_MIN:
                continue
            if index < len(state.values):
                state.values[index] = value
            else:
                state.values.append(value)
        return state, offset + 4 * field_count
