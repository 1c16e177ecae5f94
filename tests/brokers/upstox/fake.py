"""A fake Upstox on 127.0.0.1: an independent implementation of Upstox's documented wire format.

HTTP (Starlette): the OAuth dialog (302 back to the redirect URL with a single-use code), the
form-encoded token exchange, v2 orders/books, v3 funds, v2 margin, v2 quotes/LTP, v3 candles, the v3
feed authorize endpoint and the gzipped JSON instrument file. Every API call checks the Bearer token
and `Accept` header and answers Upstox's `{"status": "error", "errors": [...]}` shape when the
request is wrong.

WebSocket (`websockets`): the MarketDataFeedV3 socket. Requests must be JSON in *binary* frames;
answers are protobuf `FeedResponse` messages encoded here by hand (varints / little-endian doubles
with `struct`) from the field numbers of the spec — never with the plugin's descriptors.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import json
import secrets
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve

from tests.fakes.http_server import serve_app

IST = ZoneInfo("Asia/Kolkata")
EXPIRY = date(2026, 12, 29)
EXPIRY_MS = int(datetime(2026, 12, 29, 14, 30, tzinfo=IST).timestamp() * 1000)
MASTER_PATH = "/market-quote/instruments/exchange/complete.json.gz"

ORDER_TYPES = {"MARKET", "LIMIT", "SL", "SL-M"}
FEED_MODES = {"ltpc": 0, "full": 1, "option_greeks": 2, "full_d30": 3}
MARKET_STATUS_NORMAL_OPEN = 2
# Books name the exchange OpenAlgo-style.
BOOK_EXCHANGE = {"NSE_EQ": "NSE", "BSE_EQ": "BSE", "NSE_FO": "NFO", "BSE_FO": "BFO", "NCD_FO": "CDS",
                 "BCD_FO": "BCD", "MCX_FO": "MCX"}




# --- protobuf wire encoding (field number << 3 | wire type) ----------------------------------------

def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_int(number: int, value: int) -> bytes:
    return _varint(number << 3 | 0) + _varint(value)


def pb_double(number: int, value: float) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def pb_bytes(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def pb_str(number: int, text: str) -> bytes:
    return pb_bytes(number, text.encode())


def pb_ltpc(ltp: float, ltt: int, ltq: int, cp: float) -> bytes:
    return pb_double(1, ltp) + pb_int(2, ltt) + pb_int(3, ltq) + pb_double(4, cp)


def pb_ohlc(interval: str, o: float, h: float, lo: float, c: float, vol: int, ts: int) -> bytes:
    return (pb_str(1, interval) + pb_double(2, o) + pb_double(3, h) + pb_double(4, lo) + pb_double(5, c)
            + pb_int(6, vol) + pb_int(7, ts))


def pb_level(bid_q: int, bid_p: float, ask_q: int, ask_p: float) -> bytes:
    return pb_int(1, bid_q) + pb_double(2, bid_p) + pb_int(3, ask_q) + pb_double(4, ask_p)


def pb_response(kind: int, feeds: Mapping[str, bytes], current_ts: int, segments: Mapping[str, int] | None = None) -> bytes:
    """`FeedResponse`: 1 type, 2 map<string, Feed> feeds, 3 currentTs, 4 marketInfo."""
    out = pb_int(1, kind) if kind else b""
    for key, feed in feeds.items():
        out += pb_bytes(2, pb_str(1, key) + pb_bytes(2, feed))
    out += pb_int(3, current_ts)
    if segments:
        info = b"".join(pb_bytes(1, pb_str(1, seg) + pb_int(2, status)) for seg, status in segments.items())
        out += pb_bytes(4, info)
    return out


# --- the universe ----------------------------------------------------------------------------------

@dataclass
class Listing:
    record: dict[str, Any]  # the master-file row
    price: float
    prev_close: float
    open: float
    high: float
    low: float
    volume: int = 0
    oi: int = 0

    @property
    def key(self) -> str:
        return self.record["instrument_key"]

    @property
    def segment(self) -> str:
        return self.record["segment"]

    @property
    def is_index(self) -> bool:
        return self.segment.endswith("_INDEX")


def _eq(isin: str, symbol: str, name: str, token: str, price: float) -> Listing:
    return Listing({"segment": "NSE_EQ", "name": name, "exchange": "NSE", "isin": isin, "instrument_type": "EQ",
                    "instrument_key": f"NSE_EQ|{isin}", "lot_size": 1, "freeze_quantity": 100000.0,
                    "exchange_token": token, "tick_size": 5.0, "trading_symbol": symbol, "short_name": symbol,
                    "security_type": "NORMAL"},
                   price, round(price - 5.5, 2), round(price - 3.0, 2), round(price + 4.25, 2), round(price - 6.0, 2),
                   volume=1_234_567)


def _index(segment: str, key_name: str, trading_symbol: str, token: str, price: float) -> Listing:
    return Listing({"segment": segment, "name": key_name, "exchange": segment.split("_")[0],
                    "instrument_type": "INDEX", "instrument_key": f"{segment}|{key_name}",
                    "exchange_token": token, "trading_symbol": trading_symbol},
                   price, round(price - 50.0, 2), round(price - 20.0, 2), round(price + 60.0, 2), round(price - 80.0, 2))


def _fo(token: str, trading_symbol: str, kind: str, strike: float, price: float, lot: int = 75,
        tick: float = 5.0, segment: str = "NSE_FO", underlying: str = "NIFTY", expiry_ms: int = EXPIRY_MS) -> Listing:
    return Listing({"weekly": False, "segment": segment, "name": underlying, "exchange": segment.split("_")[0],
                    "expiry": expiry_ms, "instrument_type": kind, "underlying_symbol": underlying,
                    "instrument_key": f"{segment}|{token}", "lot_size": lot, "freeze_quantity": 1800.0,
                    "exchange_token": token, "minimum_lot": lot, "underlying_key": "NSE_INDEX|Nifty 50",
                    "tick_size": tick, "underlying_type": "INDEX", "trading_symbol": trading_symbol,
                    "strike_price": strike},
                   price, round(price - 12.0, 2), round(price - 8.0, 2), round(price + 15.0, 2), round(price - 20.0, 2),
                   volume=98_765, oi=4_500_000)


def default_universe() -> list[Listing]:
    return [
        _eq("INE062A01020", "SBIN", "STATE BANK OF INDIA", "3045", 812.35),
        _eq("INE002A01018", "RELIANCE", "RELIANCE INDUSTRIES LTD", "2885", 1290.5),
        _index("NSE_INDEX", "Nifty 50", "NIFTY 50", "26000", 26100.15),
        _index("NSE_INDEX", "Nifty Bank", "NIFTY BANK", "26009", 59000.4),
        _index("NSE_INDEX", "Nifty Midcap 100", "NIFTY MIDCAP 100", "26011", 60000.0),
        _index("BSE_INDEX", "SENSEX", "SENSEX", "1", 85000.0),
        _index("BSE_INDEX", "AUTO", "AUTO", "13", 58000.0),
        _fo("52910", "NIFTY FUT 29 DEC 26", "FUT", 0.0, 26180.5, tick=10.0),
        _fo("52911", "NIFTY 26000 CE 29 DEC 26", "CE", 26000.0, 310.25),
        _fo("52912", "NIFTY 26000 PE 29 DEC 26", "PE", 26000.0, 140.75),
        _fo("470001", "USDINR 83.25 CE 29 DEC 26", "CE", 83.25, 0.5, lot=1, tick=0.25, segment="NCD_FO",
            underlying="USDINR"),
        _fo("440001", "CRUDEOIL FUT 16 DEC 26", "FUT", 0.0, 5500.0, lot=100, tick=100.0, segment="MCX_FO",
            underlying="CRUDEOIL", expiry_ms=int(datetime(2026, 12, 16, 23, 30, tzinfo=IST).timestamp() * 1000)),
    ]


# Rows a real file may contain that the plugin must drop or skip without crashing.
EXTRA_MASTER_ROWS: list[Any] = [
    {"segment": "NSE_COM", "name": "GOLD", "exchange": "NSE", "instrument_type": "FUT",
     "instrument_key": "NSE_COM|1", "trading_symbol": "GOLD FUT 29 DEC 26", "expiry": EXPIRY_MS,
     "lot_size": 1, "tick_size": 100.0},
    {"segment": "NSE_EQ", "name": "NO KEY", "trading_symbol": "NOKEY"},  # malformed: no instrument_key
    {"segment": "NSE_FO", "instrument_key": "NSE_FO|99", "trading_symbol": "BROKEN FUT", "instrument_type": "FUT",
     "expiry": EXPIRY_MS, "lot_size": 75, "tick_size": 5.0},  # malformed: bad derivative symbol
    {"segment": "NSE_FO", "instrument_key": "NSE_FO|98", "trading_symbol": "NIFTY FUT 29 DEC 26",
     "instrument_type": "FUT", "expiry": "soon", "lot_size": 75, "tick_size": 5.0},  # malformed: bad expiry
    "not an object",
]


def _error(status: int, code: str, message: str, path: str | None = None, value: Any = None) -> JSONResponse:
    item = {"errorCode": code, "error_code": code, "message": message, "propertyPath": path,
            "property_path": path, "invalidValue": value, "invalid_value": value}
    return JSONResponse({"status": "error", "errors": [item]}, status_code=status)


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data})


def _now_text() -> str:
    return datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class FeedClient:
    connection: ServerConnection
    modes: dict[str, str] = field(default_factory=dict)  # instrument key → wire mode
    requests: list[dict[str, Any]] = field(default_factory=list)
    text_frames: int = 0


class UpstoxFake:
    """The fake broker (implements tests/fakes/broker_fake.py's FakeBroker)."""

    name = "upstox"

    def __init__(self, *, tick_interval: float = 0.05) -> None:
        self.credentials = {"api_key": "upstox-test-key", "api_secret": "upstox-test-secret"}
        self.urls: dict[str, str] = {}
        self.listings = {listing.key: listing for listing in default_universe()}
        self.tick_interval = tick_interval
        self.calls: list[tuple[str, str]] = []  # (method, path) of every API call
        self.history_requests: list[dict[str, str]] = []
        self.order_bodies: list[dict[str, Any]] = []
        self.status_override: dict[str, str] = {}
        self.feed_clients: list[FeedClient] = []
        self._codes: dict[str, str] = {}  # auth code → redirect_uri it was issued for
        self._tokens: dict[str, bool] = {}  # access token → still valid
        self._feed_codes: set[str] = set()
        self.feed_urls: list[str] = []  # every authorized feed URL handed out
        self._orders: dict[str, dict[str, Any]] = {}
        self._trades: list[dict[str, Any]] = []
        self._positions: dict[tuple[str, str], dict[str, float]] = {}
        self._order_ids = itertools.count(1)
        self._stack = contextlib.AsyncExitStack()
        self._ws_server = None
        self._ws_port = 0
        self._ticker: asyncio.Task | None = None

    # --- FakeBroker ----------------------------------------------------------------------------
    async def start(self) -> None:
        base = await self._stack.enter_async_context(serve_app(self._app()))
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, process_request=self._feed_handshake)
        self._ws_port = self._ws_server.sockets[0].getsockname()[1]
        self.urls = {"login": base, "api": base, "master": f"{base}{MASTER_PATH}"}
        self._ticker = asyncio.create_task(self._tick_loop(), name="upstox-fake-ticker")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
            self._ws_server = None
        await self._stack.aclose()

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        assert login_url, "Upstox is an OAuth broker: the plugin must give a login URL"
        async with httpx.AsyncClient(verify=False) as client:  # the browser (plain http to 127.0.0.1)
            response = await client.get(login_url, follow_redirects=False)
        assert response.status_code == 302, f"login page answered {response.status_code}: {response.text}"
        query = parse_qs(urlsplit(response.headers["location"]).query)
        return {name: values[0] for name, values in query.items()}

    def expire_tokens(self) -> None:
        for token in self._tokens:
            self._tokens[token] = False

    def drop_feed_connections(self) -> None:
        for client in list(self.feed_clients):
            asyncio.get_running_loop().create_task(client.connection.close(1011, "server restart"))

    # --- helpers for tests ---------------------------------------------------------------------
    def listing(self, trading_symbol: str) -> Listing:
        return next(item for item in self.listings.values() if item.record["trading_symbol"] == trading_symbol)

    def master_rows(self) -> list[Any]:
        return [listing.record for listing in self.listings.values()] + EXTRA_MASTER_ROWS

    async def broadcast(self, payload: bytes) -> None:
        for client in list(self.feed_clients):
            with contextlib.suppress(Exception):
                await client.connection.send(payload)

    # --- HTTP ----------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        api = self._api
        return Starlette(routes=[
            Route("/v2/login/authorization/dialog", self._dialog),
            Route("/v2/login/authorization/token", self._token, methods=["POST"]),
            Route("/v2/order/place", api(self._place), methods=["POST"]),
            Route("/v2/order/modify", api(self._modify), methods=["PUT"]),
            Route("/v2/order/cancel", api(self._cancel), methods=["DELETE"]),
            Route("/v2/order/retrieve-all", api(self._order_book)),
            Route("/v2/order/trades/get-trades-for-day", api(self._trade_book)),
            Route("/v2/portfolio/short-term-positions", api(self._position_book)),
            Route("/v2/portfolio/long-term-holdings", api(self._holdings)),
            Route("/v3/user/get-funds-and-margin", api(self._funds)),
            Route("/v2/charges/margin", api(self._margin), methods=["POST"]),
            Route("/v2/market-quote/quotes", api(self._quotes)),
            Route("/v2/market-quote/ltp", api(self._ltp)),
            Route("/v3/historical-candle/intraday/{key}/{unit}/{interval}", api(self._intraday)),
            Route("/v3/historical-candle/{key}/{unit}/{interval}/{to_date}/{from_date}", api(self._history)),
            Route("/v3/feed/market-data-feed/authorize", api(self._feed_authorize)),
            Route(MASTER_PATH, self._master),
        ])

    def _api(self, handler):
        async def endpoint(request: Request) -> Response:
            self.calls.append((request.method, request.url.path))
            auth = request.headers.get("authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else ""
            if not self._tokens.get(token):
                return _error(401, "UDAPI100050", "Invalid token used to access API")
            if "application/json" not in request.headers.get("accept", ""):
                return _error(400, "UDAPI100001", "Accept header must be application/json")
            return await handler(request)
        return endpoint

    async def _json_body(self, request: Request) -> dict[str, Any] | Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(400, "UDAPI100500", "Content-Type must be application/json")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "UDAPI100500", "Request body is not valid JSON")
        return body if isinstance(body, dict) else _error(400, "UDAPI100500", "Request body must be an object")

    # --- login ---------------------------------------------------------------------------------
    async def _dialog(self, request: Request) -> Response:
        query = request.query_params
        if query.get("response_type") != "code":
            return _error(400, "UDAPI100068", "response_type must be code", "response_type")
        if query.get("client_id") != self.credentials["api_key"]:
            return _error(400, "UDAPI100069", "Check your 'client_id' and 'redirect_uri'", "client_id")
        redirect = query.get("redirect_uri") or ""
        if not redirect.startswith(("http://", "https://")):
            return _error(400, "UDAPI100069", "Check your 'client_id' and 'redirect_uri'", "redirect_uri")
        code = secrets.token_urlsafe(8)
        self._codes[code] = redirect
        params = {"code": code}
        if query.get("state"):
            params["state"] = query["state"]
        return RedirectResponse(f"{redirect}?{urlencode(params)}", status_code=302)

    async def _token(self, request: Request) -> Response:
        self.calls.append((request.method, request.url.path))
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return _error(400, "UDAPI100500", "token request must be form-encoded")
        # Parsed by hand: a urlencoded body, exactly as the spec says (no multipart dependency).
        form = {name: values[0] for name, values in parse_qs((await request.body()).decode()).items()}
        for name in ("code", "client_id", "client_secret", "redirect_uri", "grant_type"):
            if not form.get(name):
                return _error(400, "UDAPI100500", f"{name} is required", name)
        if form["grant_type"] != "authorization_code":
            return _error(400, "UDAPI100500", "grant_type must be authorization_code", "grant_type")
        if form["client_id"] != self.credentials["api_key"] or form["client_secret"] != self.credentials["api_secret"]:
            return _error(401, "UDAPI100016", "Invalid Credentials", "client_secret")
        redirect = self._codes.pop(form["code"], None)  # single use
        if redirect is None:
            return _error(400, "UDAPI100057", "Invalid Auth code", "code")
        if redirect != form["redirect_uri"]:
            return _error(400, "UDAPI100058", "redirect_uri does not match the one used for the code", "redirect_uri")
        token = secrets.token_hex(16)
        self._tokens[token] = True
        return JSONResponse({"email": "trader@example.com", "exchanges": ["NSE", "NFO", "BSE"],
                             "products": ["D", "I"], "broker": "UPSTOX", "user_id": "UPX123",
                             "user_name": "Test Trader", "order_types": sorted(ORDER_TYPES),
                             "user_type": "individual", "poa": False, "is_active": True,
                             "access_token": token, "extended_token": None})

    # --- orders --------------------------------------------------------------------------------
    async def _place(self, request: Request) -> Response:
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        self.order_bodies.append(body)
        required = {"quantity": int, "product": str, "validity": str, "price": (int, float),
                    "instrument_token": str, "order_type": str, "transaction_type": str,
                    "disclosed_quantity": int, "trigger_price": (int, float), "is_amo": bool}
        for name, kind in required.items():
            if name not in body or not isinstance(body[name], kind) or (kind is int and isinstance(body[name], bool)):
                return _error(400, "UDAPI1026", f"{name} is required and must be valid", name, body.get(name))
        extra = set(body) - set(required) - {"tag", "slice"}
        if extra:
            return _error(400, "UDAPI1026", f"unknown fields {sorted(extra)}")
        listing = self.listings.get(body["instrument_token"])
        if listing is None or listing.is_index:
            return _error(400, "UDAPI1087", "Invalid instrument_token", "instrument_token", body["instrument_token"])
        checks = [(body["product"] in ("D", "I"), "product"), (body["validity"] in ("DAY", "IOC"), "validity"),
                  (body["order_type"] in ORDER_TYPES, "order_type"),
                  (body["transaction_type"] in ("BUY", "SELL"), "transaction_type")]
        for ok, name in checks:
            if not ok:
                return _error(400, "UDAPI1026", f"Invalid {name}", name, body[name])
        lot = int(listing.record.get("lot_size") or 1)
        if body["quantity"] <= 0 or body["quantity"] % lot:
            return _error(400, "UDAPI100500", f"Quantity should be a multiple of lot size {lot}", "quantity",
                          body["quantity"])
        if body["order_type"] in ("LIMIT", "SL") and body["price"] <= 0:
            return _error(400, "UDAPI1004", "Price is required for LIMIT and SL orders", "price")
        if body["order_type"] in ("SL", "SL-M") and body["trigger_price"] <= 0:
            return _error(400, "UDAPI1004", "Trigger price is required for stop-loss orders", "trigger_price")
        order_id = f"2611290{next(self._order_ids):08d}"
        row = {"exchange": BOOK_EXCHANGE[listing.segment], "product": body["product"], "price": float(body["price"]),
               "quantity": body["quantity"], "status": "open", "tag": body.get("tag"),
               "instrument_token": listing.key, "placed_by": "UPX123",
               "tradingsymbol": listing.record["trading_symbol"], "order_type": body["order_type"],
               "validity": body["validity"], "trigger_price": float(body["trigger_price"]),
               "disclosed_quantity": body["disclosed_quantity"], "transaction_type": body["transaction_type"],
               "average_price": 0.0, "filled_quantity": 0, "pending_quantity": body["quantity"],
               "status_message": None, "status_message_raw": None, "exchange_order_id": "",
               "parent_order_id": None, "order_id": order_id, "variety": "SIMPLE",
               "order_timestamp": _now_text(), "exchange_timestamp": None, "is_amo": body["is_amo"],
               "order_request_id": "1", "order_ref_id": f"UDAPI-{order_id}"}
        self._orders[order_id] = row
        if body["order_type"] == "MARKET":
            self._fill(row, listing)
        elif body["order_type"] in ("SL", "SL-M"):
            row["status"] = "trigger pending"
        return _ok({"order_id": order_id})

    def _fill(self, row: dict[str, Any], listing: Listing) -> None:
        price = listing.price
        row.update(status="complete", average_price=price, filled_quantity=row["quantity"], pending_quantity=0,
                   exchange_order_id=f"1100000{row['order_id'][-8:]}", exchange_timestamp=_now_text())
        self._trades.append({
            "exchange": row["exchange"], "product": row["product"], "tradingsymbol": row["tradingsymbol"],
            "instrument_token": row["instrument_token"], "order_type": row["order_type"],
            "transaction_type": row["transaction_type"], "quantity": row["quantity"],
            "exchange_order_id": row["exchange_order_id"], "order_id": row["order_id"],
            "exchange_timestamp": row["exchange_timestamp"], "average_price": price,
            "trade_id": f"T{len(self._trades) + 1:07d}", "order_ref_id": row["order_ref_id"],
            "order_timestamp": row["order_timestamp"]})
        position = self._positions.setdefault((row["instrument_token"], row["product"]),
                                              {"buy_qty": 0, "buy_value": 0.0, "sell_qty": 0, "sell_value": 0.0})
        side = "buy" if row["transaction_type"] == "BUY" else "sell"
        position[f"{side}_qty"] += row["quantity"]
        position[f"{side}_value"] += row["quantity"] * price

    async def _modify(self, request: Request) -> Response:
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        order = self._orders.get(str(body.get("order_id")))
        if order is None:
            return _error(400, "UDAPI100010", "Order not found", "order_id", body.get("order_id"))
        for name in ("quantity", "validity", "price", "order_type", "disclosed_quantity", "trigger_price"):
            if name not in body:
                return _error(400, "UDAPI1026", f"{name} is required", name)
        if order["status"] not in ("open", "trigger pending"):
            return _error(400, "UDAPI100040", f"Order cannot be modified in status {order['status']}")
        order.update(quantity=body["quantity"], price=float(body["price"]), order_type=body["order_type"],
                     trigger_price=float(body["trigger_price"]), pending_quantity=body["quantity"])
        return _ok({"order_id": order["order_id"]})

    async def _cancel(self, request: Request) -> Response:
        order = self._orders.get(request.query_params.get("order_id", ""))
        if order is None:
            return _error(400, "UDAPI100010", "Order not found", "order_id")
        if order["status"] not in ("open", "trigger pending"):
            return _error(400, "UDAPI100041", f"Order cannot be cancelled in status {order['status']}")
        order["status"] = "cancelled"
        order["status_message"] = "Cancelled by user"
        return _ok({"order_id": order["order_id"]})

    async def _order_book(self, request: Request) -> Response:
        rows = []
        for order_id, row in self._orders.items():
            rows.append({**row, "status": self.status_override.get(order_id, row["status"])})
        return _ok(rows)

    async def _trade_book(self, request: Request) -> Response:
        return _ok(list(self._trades))

    def _position_rows(self) -> list[dict[str, Any]]:
        rows = []
        for (key, product), p in self._positions.items():
            listing = self.listings[key]
            net = p["buy_qty"] - p["sell_qty"]
            buy_price = p["buy_value"] / p["buy_qty"] if p["buy_qty"] else 0.0
            sell_price = p["sell_value"] / p["sell_qty"] if p["sell_qty"] else 0.0
            closed = min(p["buy_qty"], p["sell_qty"])
            realised = round(closed * (sell_price - buy_price), 2)
            unrealised = round(net * (listing.price - (buy_price if net > 0 else sell_price)), 2) if net else 0.0
            rows.append({"exchange": BOOK_EXCHANGE[listing.segment],
                         "multiplier": 1.0, "value": round(p["sell_value"] - p["buy_value"], 2),
                         "pnl": round(realised + unrealised, 2), "product": product, "instrument_token": key,
                         "average_price": None,  # Upstox may send null here: the plugin falls back
                         "buy_value": p["buy_value"], "overnight_quantity": 0, "day_buy_value": p["buy_value"],
                         "day_buy_price": buy_price, "overnight_buy_amount": 0.0, "overnight_buy_quantity": 0,
                         "day_buy_quantity": p["buy_qty"], "day_sell_value": p["sell_value"],
                         "day_sell_price": sell_price, "overnight_sell_amount": 0.0, "overnight_sell_quantity": 0,
                         "day_sell_quantity": p["sell_qty"], "quantity": net, "last_price": listing.price,
                         "unrealised": unrealised, "realised": realised, "sell_value": p["sell_value"],
                         "tradingsymbol": listing.record["trading_symbol"], "close_price": listing.prev_close,
                         "buy_price": buy_price, "sell_price": sell_price})
        return rows

    async def _position_book(self, request: Request) -> Response:
        return _ok(self._position_rows())

    async def _holdings(self, request: Request) -> Response:
        sbin = self.listing("SBIN")
        return _ok([{"isin": "INE062A01020", "cnc_used_quantity": 0, "collateral_type": "WC",
                     "company_name": "STATE BANK OF INDIA", "haircut": 0.2, "product": "D", "quantity": 10,
                     "tradingsymbol": "SBIN", "last_price": sbin.price, "close_price": sbin.prev_close,
                     "pnl": round(10 * (sbin.price - 700.5), 2), "day_change": 0.0, "day_change_percentage": 0.0,
                     "instrument_token": sbin.key, "average_price": 700.5, "collateral_quantity": 0,
                     "collateral_update_quantity": 0, "t1_quantity": 0, "exchange": "NSE"}])

    async def _funds(self, request: Request) -> Response:
        spent = sum(p["buy_value"] - p["sell_value"] for p in self._positions.values())
        return _ok({"available_to_trade": {
            "cash_available_to_trade": {"total": round(100000.0 - spent, 2), "margin_used": {"total": round(spent, 2)}},
            "pledge_available_to_trade": {"margin_from_pledge": {"total": 5000.0}, "margin_used": {"total": 1000.0}},
        }})

    async def _margin(self, request: Request) -> Response:
        body = await self._json_body(request)
        if isinstance(body, Response):
            return body
        items = body.get("instruments")
        if not isinstance(items, list) or not 1 <= len(items) <= 20:
            return _error(400, "UDAPI1100", "instruments must hold 1 to 20 items", "instruments")
        margins = []
        for item in items:
            listing = self.listings.get(item.get("instrument_key", ""))
            if listing is None or item.get("transaction_type") not in ("BUY", "SELL") or item.get("product") not in ("D", "I"):
                return _error(400, "UDAPI1100", "Invalid instrument in margin request", "instruments", item)
            notional = listing.price * int(item.get("quantity") or 0)
            margins.append({"span_margin": round(notional * 0.1, 2), "exposure_margin": round(notional * 0.03, 2),
                            "equity_margin": 0.0, "net_buy_premium": 0.0, "additional_margin": 0.0,
                            "total_margin": round(notional * 0.13, 2), "tender_margin": 0.0})
        required = round(sum(m["total_margin"] for m in margins), 2)
        return _ok({"margins": margins, "required_margin": required, "final_margin": round(required * 0.9, 2)})

    # --- market data ---------------------------------------------------------------------------
    def _depth_levels(self, listing: Listing) -> list[tuple[int, float, int, float]]:
        step = 0.05 if listing.price < 1000 else 0.1
        return [(100 * (i + 1), round(listing.price - step * (i + 1), 2), 150 * (i + 1),
                 round(listing.price + step * (i + 1), 2)) for i in range(5)]

    def _quote_row(self, listing: Listing) -> dict[str, Any]:
        levels = self._depth_levels(listing)
        return {"ohlc": {"open": listing.open, "high": listing.high, "low": listing.low, "close": listing.prev_close},
                "depth": {"buy": [{"quantity": q, "price": p, "orders": i + 1} for i, (q, p, _, _) in enumerate(levels)],
                          "sell": [{"quantity": q, "price": p, "orders": i + 2} for i, (_, _, q, p) in enumerate(levels)]},
                "timestamp": datetime.now(IST).isoformat(), "instrument_token": listing.key,
                "symbol": listing.record["trading_symbol"], "last_price": listing.price, "volume": listing.volume,
                "average_price": round(listing.price - 1, 2), "oi": float(listing.oi),
                "net_change": round(listing.price - listing.prev_close, 2),
                "total_buy_quantity": 12345.0, "total_sell_quantity": 23456.0,
                "lower_circuit_limit": round(listing.price * 0.8, 2), "upper_circuit_limit": round(listing.price * 1.2, 2),
                "last_trade_time": "1764906300000", "oi_day_high": 0.0, "oi_day_low": 0.0}

    def _keys(self, request: Request) -> list[str] | Response:
        raw = request.query_params.get("instrument_key", "")
        keys = [k for k in raw.split(",") if k]
        if not keys:
            return _error(400, "UDAPI1009", "instrument_key is required", "instrument_key")
        if len(keys) > 500:
            return _error(400, "UDAPI1011", "at most 500 instrument keys per request", "instrument_key")
        return keys

    async def _quotes(self, request: Request) -> Response:
        keys = self._keys(request)
        if isinstance(keys, Response):
            return keys
        data = {}
        for key in keys:
            listing = self.listings.get(key)
            if listing is not None:  # Upstox leaves unknown keys out
                data[f"{listing.segment}:{listing.record['trading_symbol']}"] = self._quote_row(listing)
        return _ok(data)

    async def _ltp(self, request: Request) -> Response:
        keys = self._keys(request)
        if isinstance(keys, Response):
            return keys
        return _ok({f"{self.listings[k].segment}:{self.listings[k].record['trading_symbol']}":
                    {"last_price": self.listings[k].price, "instrument_token": k}
                    for k in keys if k in self.listings})

    SPANS = {"minutes": lambda n: 31 if n <= 15 else 92, "hours": lambda n: 92, "days": lambda n: 3660,
             "weeks": lambda n: 10**6, "months": lambda n: 10**6}
    LIMITS = {"minutes": 300, "hours": 5, "days": 1, "weeks": 1, "months": 1}

    def _candles(self, listing: Listing, unit: str, size: int, start: date, end: date) -> list[list[Any]]:
        rows = []
        day = start
        while day <= end:
            if day.weekday() < 5:
                base = listing.prev_close + (day.toordinal() % 7)
                if unit in ("days", "weeks", "months"):
                    stamp = datetime(day.year, day.month, day.day, tzinfo=IST)
                    rows.append([stamp.isoformat(), base, base + 10, base - 10, base + 5, 100000 + day.day, 0])
                else:
                    minutes = size * (60 if unit == "hours" else 1)
                    moment = datetime(day.year, day.month, day.day, 9, 15, tzinfo=IST)
                    close = moment.replace(hour=15, minute=30)
                    while moment < close:
                        rows.append([moment.isoformat(), base, base + 1, base - 1, base + 0.5, 1000 + moment.minute, 0])
                        moment += timedelta(minutes=minutes)
            day += timedelta(days=1)
        return rows[::-1]  # Upstox lists the newest candle first

    def _check_interval(self, unit: str, interval: str) -> int | Response:
        if unit not in self.LIMITS or not interval.isdigit() or not 1 <= int(interval) <= self.LIMITS[unit]:
            return _error(400, "UDAPI1020", "Invalid unit or interval", "interval", f"{unit}/{interval}")
        return int(interval)

    async def _history(self, request: Request) -> Response:
        p = request.path_params
        self.history_requests.append(dict(p))
        listing = self.listings.get(p["key"])
        if listing is None:
            return _error(400, "UDAPI1021", "Invalid instrument key", "instrument_key", p["key"])
        size = self._check_interval(p["unit"], p["interval"])
        if isinstance(size, Response):
            return size
        try:
            to_date, from_date = date.fromisoformat(p["to_date"]), date.fromisoformat(p["from_date"])
        except ValueError:
            return _error(400, "UDAPI1022", "dates must be YYYY-MM-DD")
        if from_date > to_date:
            return _error(400, "UDAPI1023", "to_date must be on or after from_date")
        if (to_date - from_date).days + 1 > self.SPANS[p["unit"]](size):
            return _error(400, "UDAPI1148", "Invalid date range: exceeds the maximum span for this interval")
        end = min(to_date, datetime.now(IST).date() - timedelta(days=1))
        return _ok({"candles": self._candles(listing, p["unit"], size, from_date, end)})

    async def _intraday(self, request: Request) -> Response:
        p = request.path_params
        self.history_requests.append({**p, "intraday": "1"})
        listing = self.listings.get(p["key"])
        if listing is None:
            return _error(400, "UDAPI1021", "Invalid instrument key", "instrument_key", p["key"])
        size = self._check_interval(p["unit"], p["interval"])
        if isinstance(size, Response):
            return size
        today = datetime.now(IST).date()
        rows = self._candles(listing, p["unit"], size, today, today)
        if not rows:  # weekends: still a bar, the fake market never sleeps
            stamp = datetime(today.year, today.month, today.day, 9, 15, tzinfo=IST)
            rows = [[stamp.isoformat() if p["unit"] != "days" else stamp.replace(hour=0, minute=0).isoformat(),
                     listing.open, listing.high, listing.low, listing.price, listing.volume, 0]]
        return _ok({"candles": rows})

    async def _feed_authorize(self, request: Request) -> Response:
        code = secrets.token_urlsafe(8)
        self._feed_codes.add(code)
        uri = (f"ws://127.0.0.1:{self._ws_port}/market-data-feeder/v3/upstox-developer-api/feeds"
               f"?requestId={secrets.token_hex(4)}&code={code}")
        self.feed_urls.append(uri)
        return _ok({"authorized_redirect_uri": uri, "authorizedRedirectUri": uri})

    async def _master(self, request: Request) -> Response:
        payload = gzip.compress(json.dumps(self.master_rows()).encode())
        return Response(payload, media_type="application/gzip")

    # --- the feed ------------------------------------------------------------------------------
    def _feed_handshake(self, connection: ServerConnection, request) -> Any:
        url = urlsplit(request.path)
        code = parse_qs(url.query).get("code", [""])[0]
        if not url.path.startswith("/market-data-feeder/v3/") or code not in self._feed_codes:
            return connection.respond(HTTPStatus.FORBIDDEN, "invalid or used feed code\n")
        self._feed_codes.discard(code)  # single use
        return None

    def _feed_message(self, listing: Listing, mode: str) -> bytes:
        now_ms = int(time.time() * 1000)
        ltpc = pb_ltpc(listing.price, now_ms, 25, listing.prev_close)
        if mode == "ltpc":
            return pb_bytes(1, ltpc) + pb_int(4, 0)
        bars = pb_bytes(1, pb_ohlc("1d", listing.open, listing.high, listing.low, listing.price, listing.volume, now_ms))
        bars += pb_bytes(1, pb_ohlc("I1", listing.price, listing.price, listing.price, listing.price, 10, now_ms))
        if listing.is_index:
            full = pb_bytes(2, pb_bytes(1, ltpc) + pb_bytes(2, bars))
        else:
            # Levels sent worst-first: a client must sort, not trust the order.
            levels = b"".join(pb_bytes(1, pb_level(*level)) for level in reversed(self._depth_levels(listing)))
            market = (pb_bytes(1, ltpc) + pb_bytes(2, levels) + pb_bytes(4, bars)
                      + pb_double(5, round(listing.price - 1, 2)) + pb_int(6, listing.volume)
                      + pb_double(7, float(listing.oi)) + pb_double(9, 12345.0) + pb_double(10, 23456.0))
            full = pb_bytes(1, market)
        return pb_bytes(2, full) + pb_int(4, 1)

    def depth_only_frame(self, key: str) -> bytes:
        """A live `full` increment with depth but no LTPC (clients carry the last price forward)."""
        listing = self.listings[key]
        levels = pb_bytes(1, pb_level(7, round(listing.price - 1, 2), 9, round(listing.price + 1, 2)))
        return pb_response(1, {key: pb_bytes(2, pb_bytes(1, pb_bytes(2, levels))) + pb_int(4, 1)},
                           int(time.time() * 1000))

    async def _feed(self, connection: ServerConnection) -> None:
        client = FeedClient(connection)
        self.feed_clients.append(client)
        try:
            segments = {"NSE_EQ": MARKET_STATUS_NORMAL_OPEN, "NSE_FO": MARKET_STATUS_NORMAL_OPEN,
                        "NSE_INDEX": MARKET_STATUS_NORMAL_OPEN}
            await connection.send(pb_response(2, {}, int(time.time() * 1000), segments))
            async for message in connection:
                if isinstance(message, str):
                    client.text_frames += 1
                    await connection.send(json.dumps({"status": "failed", "method": None,
                                                      "error": "requests must be sent as binary frames"}))
                    continue
                try:
                    request = json.loads(message)
                    method, data = request["method"], request["data"]
                    keys = data["instrumentKeys"]
                    assert request.get("guid") and isinstance(keys, list)
                    assert method in ("sub", "unsub", "change_mode")
                    mode = data.get("mode", "ltpc") if method != "unsub" else None
                    assert mode is None or mode in FEED_MODES
                except (ValueError, KeyError, TypeError, AssertionError):
                    await connection.send(json.dumps({"status": "failed", "method": None, "error": "bad request"}))
                    continue
                client.requests.append(request)
                if method == "unsub":
                    for key in keys:
                        client.modes.pop(key, None)
                    continue
                snapshot = {}
                for key in keys:
                    if key in self.listings:
                        client.modes[key] = mode
                        snapshot[key] = self._feed_message(self.listings[key], mode)
                if snapshot:
                    await connection.send(pb_response(0, snapshot, int(time.time() * 1000)))
        except Exception:  # a dropped client is normal here
            pass
        finally:
            self.feed_clients.remove(client)

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            for client in list(self.feed_clients):
                feeds = {key: self._feed_message(self.listings[key], mode) for key, mode in client.modes.items()}
                if feeds:
                    with contextlib.suppress(Exception):
                        await client.connection.send(pb_response(1, feeds, int(time.time() * 1000)))
