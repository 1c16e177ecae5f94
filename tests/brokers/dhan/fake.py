"""A fake Dhan (DhanHQ v2) on 127.0.0.1: auth host (consent flow), REST `/v2`, the scrip-master
CSV, the binary market feed and the 20-level depth socket (`/twentydepth` on the feed's port). Written from Dhan's documented wire format, independently of the
plugin: packets are packed field by field from the documented byte layout.

It is strict on purpose: wrong headers, wrong field names or types, a price on a MARKET order, a
bare STOP_LOSS_MARKET, more than 90 days of intraday candles or malformed feed requests are answered
with Dhan's error shapes (or recorded in `feed_errors`), so a plugin that speaks the protocol wrong
fails its tests.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import io
import itertools
import json
import struct
import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.fakes.http_server import serve_app

IST = ZoneInfo("Asia/Kolkata")
CLIENT_ID = "1100000001"
APP_ID = "fake-app-id-01"
APP_SECRET = "fake-app-secret-01"
LTT = 1764389700  # 2025-11-29 09:45:00 IST, the last-trade time every fake packet carries
SEGMENTS = {"IDX_I": 0, "NSE_EQ": 1, "NSE_FNO": 2, "NSE_CURRENCY": 3, "BSE_EQ": 4, "MCX_COMM": 5,
            "BSE_CURRENCY": 7, "BSE_FNO": 8}
ORDER_SEGMENTS = set(SEGMENTS) - {"IDX_I"}
PRODUCTS = {"CNC", "INTRADAY", "MARGIN", "MTF", "CO", "BO"}
ORDER_TYPES = {"LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET"}
CHART_INSTRUMENTS = {"EQUITY", "INDEX", "FUTIDX", "FUTSTK", "OPTIDX", "OPTSTK", "FUTCOM", "OPTFUT", "FUTCUR",
                     "OPTCUR"}
MASTER_COLUMNS = ["SEM_EXM_EXCH_ID", "SEM_SEGMENT", "SEM_SMST_SECURITY_ID", "SEM_INSTRUMENT_NAME",
                  "SEM_EXPIRY_CODE", "SEM_TRADING_SYMBOL", "SEM_LOT_UNITS", "SEM_CUSTOM_SYMBOL", "SEM_EXPIRY_DATE",
                  "SEM_STRIKE_PRICE", "SEM_OPTION_TYPE", "SEM_TICK_SIZE", "SEM_EXPIRY_FLAG",
                  "SEM_EXCH_INSTRUMENT_TYPE", "SEM_SERIES", "SM_SYMBOL_NAME"]


@dataclass
class Scrip:
    """One tradable row of the fake's universe, in Dhan's own terms."""

    exch: str  # SEM_EXM_EXCH_ID
    seg_letter: str  # SEM_SEGMENT
    security_id: str
    kind: str  # SEM_INSTRUMENT_NAME
    trading_symbol: str
    custom: str
    segment: str  # exchangeSegment on the wire
    price: float = 0.0
    lot: int = 1
    expiry: str = ""
    strike: str = "-0.01000"
    option: str = "XX"
    tick_paise: str = "5.0000"
    name: str = ""


UNIVERSE = [
    Scrip("NSE", "E", "3045", "EQUITY", "SBIN", "State Bank of India", "NSE_EQ", 812.45, name="STATE BANK OF INDIA"),
    Scrip("NSE", "E", "2885", "EQUITY", "RELIANCE", "Reliance Industries", "NSE_EQ", 1402.3,
          name="RELIANCE INDUSTRIES LTD"),
    Scrip("NSE", "I", "13", "INDEX", "NIFTY", "Nifty 50", "IDX_I", 26015.5, name="NIFTY"),
    Scrip("NSE", "D", "52175", "FUTIDX", "NIFTY-Dec2025-FUT", "NIFTY DEC FUT", "NSE_FNO", 26120.0, lot=75,
          expiry="2025-12-30 14:30:00", tick_paise="10.0000"),
    Scrip("NSE", "D", "52210", "OPTIDX", "NIFTY-Dec2025-26000-CE", "NIFTY 30 DEC 26000 CALL", "NSE_FNO", 182.35,
          lot=75, expiry="2025-12-30 14:30:00", strike="26000.00000", option="CE"),
    Scrip("NSE", "D", "52211", "OPTIDX", "NIFTY-Dec2025-26000-PE", "NIFTY 30 DEC 26000 PUT", "NSE_FNO", 141.2,
          lot=75, expiry="2025-12-30 14:30:00", strike="26000.00000", option="PE"),
]

# Rows only in the master file: index renames, a fractional strike, MCX, currency, and rows the
# plugin must skip (unsupported kind) or count as malformed.
EXTRA_MASTER_ROWS = [
    ["NSE", "I", "38", "INDEX", "", "NIFTY NEXT 50", "1.0", "Nifty Next 50", "", "-0.01000", "XX", "5.0000", "NA",
     "INDEX", "", "NIFTY NEXT 50"],
    ["NSE", "I", "99", "INDEX", "", "NIFTY ODD THING", "1.0", "Nifty Odd", "", "-0.01000", "XX", "5.0000", "NA",
     "INDEX", "", "NIFTY ODD THING"],
    ["BSE", "I", "51", "INDEX", "", "SENSEX", "1.0", "Sensex", "", "-0.01000", "XX", "5.0000", "NA", "INDEX", "",
     "SENSEX"],
    ["BSE", "I", "60", "INDEX", "", "SNSX50", "1.0", "Sensex 50", "", "-0.01000", "XX", "5.0000", "NA", "INDEX", "",
     "SNSX50"],
    ["NSE", "D", "61001", "OPTSTK", "", "VEDL-Dec2025-292.5-CE", "1150.0", "VEDL DEC 292.5 CALL",
     "2025-12-30 14:30:00", "292.50000", "CE", "5.0000", "M", "OP", "", "VEDOPT"],
    ["MCX", "M", "472780", "FUTCOM", "", "CRUDEOIL-19Dec2025-FUT", "100.0", "CRUDEOIL 19 DEC FUT",
     "2025-12-19 23:59:00", "-0.01000", "XX", "100.0000", "M", "FUTCOM", "", "CRUDEOIL"],
    ["NSE", "C", "10093", "FUTCUR", "", "USDINR-26Dec2025-FUT", "1.0", "USDINR 26 DEC FUT", "2025-12-26 12:00:00",
     "-0.01000", "XX", "0.2500", "M", "FUTCUR", "", "USDINR"],
    ["BSE", "E", "500112", "EQUITY", "", "SBIN", "1.0", "State Bank of India", "", "-0.01000", "XX", "5.0000", "NA",
     "", "A", "STATE BANK OF INDIA"],
    # unsupported: NSE commodity segment (no OpenAlgo classification in the Dhan table)
    ["NSE", "M", "777", "FUTCOM", "", "GOLDNSE-Dec2025-FUT", "1.0", "GOLDNSE DEC FUT", "2025-12-30 14:30:00",
     "-0.01000", "XX", "100.0000", "M", "FUTCOM", "", "GOLD"],
    # malformed: non-numeric security id; a future with no expiry
    ["NSE", "E", "ABC", "EQUITY", "", "BROKEN", "1.0", "Broken", "", "-0.01000", "XX", "5.0000", "NA", "", "EQ",
     "BROKEN"],
    ["NSE", "D", "52999", "FUTSTK", "", "TCS-FUT", "175.0", "TCS DEC FUT", "", "-0.01000", "XX", "5.0000", "M", "",
     "", "TCS"],
]


def dh_error(code: str, message: str, status: int = 400, kind: str = "Input_Exception") -> JSONResponse:
    return JSONResponse({"errorType": kind, "errorCode": code, "errorMessage": message}, status_code=status)


def data_error(code: str, message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"status": "failed", "data": {code: message}}, status_code=status)


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- binary packets, field by field from Dhan's layout (little-endian) ---------------------------

def _pack(fields: list[tuple[str, float | int]]) -> bytes:
    return b"".join(struct.pack("<" + fmt, value) for fmt, value in fields)


def _header(code: int, length: int, segment: int, security_id: int) -> bytes:
    return _pack([("B", code), ("h", length), ("B", segment), ("i", security_id)])


def ticker_packet(segment: int, sid: int, ltp: float, ltt: int) -> bytes:
    return _header(2, 16, segment, sid) + _pack([("f", ltp), ("i", ltt)])


def quote_packet(segment: int, sid: int, q: dict) -> bytes:
    body = _pack([("f", q["ltp"]), ("h", q["ltq"]), ("i", q["ltt"]), ("f", q["atp"]), ("i", q["volume"]),
                  ("i", q["total_sell"]), ("i", q["total_buy"]), ("f", q["open"]), ("f", q["close"]),
                  ("f", q["high"]), ("f", q["low"])])
    return _header(4, 8 + len(body), segment, sid) + body


def full_packet(segment: int, sid: int, q: dict) -> bytes:
    body = _pack([("f", q["ltp"]), ("h", q["ltq"]), ("i", q["ltt"]), ("f", q["atp"]), ("i", q["volume"]),
                  ("i", q["total_sell"]), ("i", q["total_buy"]), ("i", q["oi"]), ("i", q["oi_high"]),
                  ("i", q["oi_low"]), ("f", q["open"]), ("f", q["close"]), ("f", q["high"]), ("f", q["low"])])
    for level in range(5):
        body += _pack([("i", q["bids"][level][1]), ("i", q["asks"][level][1]), ("h", q["bids"][level][2]),
                       ("h", q["asks"][level][2]), ("f", q["bids"][level][0]), ("f", q["asks"][level][0])])
    return _header(8, 8 + len(body), segment, sid) + body


def prev_close_packet(segment: int, sid: int, prev_close: float, prev_oi: int) -> bytes:
    return _header(6, 16, segment, sid) + _pack([("f", prev_close), ("i", prev_oi)])


def oi_packet(segment: int, sid: int, oi: int) -> bytes:
    return _header(5, 12, segment, sid) + _pack([("i", oi)])


def disconnect_packet(reason: int) -> bytes:
    return _header(50, 10, 0, 0) + _pack([("h", reason)])


# --- the 20-level depth socket: a 12-byte header, then 20 rows of float64 price, u32 qty, u32 orders --

DEPTH_SEGMENTS = {"NSE_EQ", "NSE_FNO"}


def depth_side_packet(code: int, segment: int, sid: int, rows: list[tuple[float, int, int]], sequence: int) -> bytes:
    body = b"".join(_pack([("d", price), ("I", qty), ("I", orders)]) for price, qty, orders in rows)
    return _pack([("h", 12 + len(body)), ("B", code), ("B", segment), ("i", sid), ("I", sequence)]) + body


def depth_disconnect_packet(reason: int) -> bytes:
    return _pack([("h", 14), ("B", 50), ("B", 0), ("i", 0), ("I", 0), ("h", reason)])


@dataclass
class Book:
    orders: dict[str, dict] = field(default_factory=dict)
    trades: list[dict] = field(default_factory=list)


class FakeDhan:
    """The FakeBroker for the `dhan` plugin."""

    name = "dhan"

    def __init__(self, *, tick_interval: float = 0.5, enforce_quote_rate: bool = False) -> None:
        self.urls: dict[str, str] = {}
        self.credentials = {"api_key": f"{CLIENT_ID}:::{APP_ID}", "api_secret": APP_SECRET}
        self.redirect_url = "http://127.0.0.1:9/dhan/callback"  # what the app registered on its API key
        self.tick_interval = tick_interval
        self.enforce_quote_rate = enforce_quote_rate
        self.scrips = {(s.segment, s.security_id): s for s in UNIVERSE}
        self.tokens: dict[str, bool] = {}  # access token → expired
        self.consents: set[str] = set()
        self.token_ids: dict[str, bool] = {}  # tokenId → consumed
        self.book = Book()
        self.holdings_empty = False
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, json body)
        self.chart_requests: list[dict] = []
        self.quote_times: list[float] = []
        self.feed_requests: list[dict] = []
        self.feed_errors: list[str] = []
        self.feed_connections: dict[ServerConnection, dict[tuple[int, int], int]] = {}
        self.feed_accepted = 0
        self.depth_requests: list[dict] = []
        self.depth_connections: dict[ServerConnection, set[tuple[str, str]]] = {}
        self.depth_accepted = 0
        self._sequence = itertools.count(1)
        self._ids = itertools.count(112_500_000_001)
        self._browser: httpx.AsyncClient | None = None
        self._stack: AsyncExitStack | None = None
        self._ws_server: Server | None = None
        self._tasks: set[asyncio.Task] = set()

    def reset(self) -> None:
        """Forget orders, recorded requests and switches (tests share one started fake per module)."""
        self.book = Book()
        self.holdings_empty = self.enforce_quote_rate = False
        for recorded in (self.requests, self.chart_requests, self.quote_times, self.feed_requests, self.feed_errors,
                         self.depth_requests):
            recorded.clear()
        self.feed_accepted = self.depth_accepted = 0

    # --- FakeBroker --------------------------------------------------------------------------
    async def start(self) -> None:
        self._stack = AsyncExitStack()
        base = await self._stack.enter_async_context(serve_app(self._app()))
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, compression=None)
        port = self._ws_server.sockets[0].getsockname()[1]
        self.urls = {"api": base, "auth": base, "login": base, "feed": f"ws://127.0.0.1:{port}",
                     "depth20": f"ws://127.0.0.1:{port}/twentydepth",
                     "master": f"{base}/api-data/api-scrip-master.csv"}

    async def stop(self) -> None:
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
            self._ws_server = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = self._browser = None

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        if login_url is None:  # the pasted-token login: a token the user generated on web.dhan.co
            return {"access_token": self.issue_token()}
        if self._browser is None:
            self._browser = await self._stack.enter_async_context(httpx.AsyncClient())
        answer = await self._browser.get(login_url, follow_redirects=False)
        if answer.status_code != 302:
            raise AssertionError(f"consent login page answered {answer.status_code}: {answer.text}")
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        return {key: values[0] for key, values in query.items()}

    def expire_tokens(self) -> None:
        for token in self.tokens:
            self.tokens[token] = True

    def drop_feed_connections(self) -> None:
        loop = asyncio.get_running_loop()
        for connection in [*self.feed_connections, *self.depth_connections]:
            self._spawn(loop, connection.close(1011, "server restart"))

    # --- helpers -----------------------------------------------------------------------------
    def issue_token(self) -> str:
        now = int(time.time())
        token = ".".join([b64({"typ": "JWT", "alg": "HS512"}),
                          b64({"iss": "dhan", "partnerId": "", "exp": now + 86_400, "iat": now,
                               "tokenConsumerType": "SELF", "webhookUrl": "", "dhanClientId": CLIENT_ID}),
                          b64(f"sig-{len(self.tokens)}".encode())])
        self.tokens[token] = False
        return token

    def _spawn(self, loop, coro) -> None:
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def scrip(self, segment: str, security_id: str) -> Scrip | None:
        return self.scrips.get((segment, str(security_id)))

    @staticmethod
    def quote_of(s: Scrip) -> dict:
        p = s.price
        bids = [(round(p - 0.05 * (i + 1), 2), 100 * (i + 1), i + 1) for i in range(5)]
        asks = [(round(p + 0.05 * (i + 1), 2), 120 * (i + 1), i + 2) for i in range(5)]
        return {"ltp": p, "ltq": 25, "ltt": LTT, "atp": round(p - 1.25, 2), "volume": 150_000, "total_sell": 64_000,
                "total_buy": 58_000, "open": round(p - 2, 2), "close": round(p - 3.5, 2), "high": round(p + 5, 2),
                "low": round(p - 6, 2), "oi": 1_250_000 if s.segment == "NSE_FNO" else 0,
                "oi_high": 1_300_000 if s.segment == "NSE_FNO" else 0,
                "oi_low": 1_200_000 if s.segment == "NSE_FNO" else 0, "bids": bids, "asks": asks}

    # --- HTTP --------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route("/app/generate-consent", self.generate_consent, methods=["POST"]),
            Route("/login/consentApp-login", self.consent_login, methods=["GET"]),
            Route("/app/consumeApp-consent", self.consume_consent, methods=["POST"]),
            Route("/api-data/api-scrip-master.csv", self.master, methods=["GET"]),
            Route("/v2/orders", self.place, methods=["POST"]),
            Route("/v2/orders", self.order_book, methods=["GET"]),
            Route("/v2/orders/{order_id}", self.order_one, methods=["GET", "PUT", "DELETE"]),
            Route("/v2/trades", self.trade_book, methods=["GET"]),
            Route("/v2/positions", self.positions, methods=["GET"]),
            Route("/v2/holdings", self.holdings, methods=["GET"]),
            Route("/v2/fundlimit", self.fundlimit, methods=["GET"]),
            Route("/v2/marketfeed/{kind}", self.marketfeed, methods=["POST"]),
            Route("/v2/charts/{kind}", self.charts, methods=["POST"]),
            Route("/v2/margincalculator", self.margin, methods=["POST"]),
            Route("/v2/margincalculator/multi", self.margin_multi, methods=["POST"]),
        ])

    def _app_keys_ok(self, request: Request) -> bool:
        return request.headers.get("app_id") == APP_ID and request.headers.get("app_secret") == APP_SECRET

    async def generate_consent(self, request: Request) -> Response:
        if request.query_params.get("client_id") != CLIENT_ID or not self._app_keys_ok(request):
            return dh_error("DH-901", "Invalid app_id, app_secret or client_id", 401, "Invalid_Authentication")
        consent = f"consent-{len(self.consents) + 1}"
        self.consents.add(consent)
        return JSONResponse({"consentAppId": consent, "consentAppStatus": "GENERATED", "status": "success"})

    async def consent_login(self, request: Request) -> Response:
        consent = request.query_params.get("consentAppId", "")
        if consent not in self.consents:
            return PlainTextResponse("unknown consent", status_code=400)
        self.consents.discard(consent)
        token_id = f"tok-{consent}-{len(self.token_ids)}"
        self.token_ids[token_id] = False
        return RedirectResponse(f"{self.redirect_url}?tokenId={token_id}", status_code=302)

    async def consume_consent(self, request: Request) -> Response:
        if not self._app_keys_ok(request):
            return dh_error("DH-901", "Invalid app_id or app_secret", 401, "Invalid_Authentication")
        token_id = request.query_params.get("tokenId", "")
        if self.token_ids.get(token_id, True):  # unknown or already used
            return dh_error("DH-905", "Invalid or expired tokenId")
        self.token_ids[token_id] = True
        token = self.issue_token()
        expiry = datetime.now(IST).replace(tzinfo=None, microsecond=0) + timedelta(hours=24)
        return JSONResponse({"dhanClientId": CLIENT_ID, "dhanClientName": "FAKE TRADER", "dhanClientUcc": "FAKE1234",
                             "givenPowerOfAttorney": False, "accessToken": token,
                             "expiryTime": expiry.isoformat()})

    async def master(self, request: Request) -> Response:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(MASTER_COLUMNS)
        for s in UNIVERSE:
            writer.writerow([s.exch, s.seg_letter, s.security_id, s.kind, "0" if s.expiry else "", s.trading_symbol,
                             f"{float(s.lot):.1f}", s.custom, s.expiry, s.strike, s.option, s.tick_paise,
                             "M" if s.expiry else "NA", s.kind[:3], "EQ" if s.kind == "EQUITY" else "", s.name])
        for row in EXTRA_MASTER_ROWS:
            writer.writerow([row[0], row[1], row[2], row[3], "0" if row[8] else "", row[5], row[6], row[7], row[8],
                             row[9], row[10], row[11], row[12], row[13], row[14], row[15]])
        return Response(out.getvalue(), media_type="text/csv")

    def _token_error(self, request: Request, data_api: bool) -> Response | None:
        token = request.headers.get("access-token")
        if token is None or token not in self.tokens or self.tokens[token]:
            if data_api:
                return data_error("807" if token in self.tokens else "809",
                                  "Access token is expired" if token in self.tokens else "Access token is invalid",
                                  401)
            return dh_error("DH-901", "Client ID or user generated access token is invalid or expired.", 401,
                            "Invalid_Authentication")
        if data_api and request.headers.get("client-id") != CLIENT_ID:
            return data_error("810", "Client ID is invalid", 400)
        return None

    async def _json(self, request: Request) -> dict | Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return dh_error("DH-905", "Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return dh_error("DH-905", "Malformed JSON body")
        if not isinstance(body, dict):
            return dh_error("DH-905", "Body must be a JSON object")
        self.requests.append((request.method, request.url.path, body))
        return body

    # orders --------------------------------------------------------------------------------
    def _order_fields_error(self, body: dict, scrip: Scrip | None, *, modify: bool = False) -> Response | None:
        if body.get("dhanClientId") != CLIENT_ID:
            return dh_error("DH-905", "dhanClientId is missing or does not match the token")
        order_type = body.get("orderType")
        if order_type not in ORDER_TYPES:
            return dh_error("DH-905", f"Invalid orderType {order_type!r}")
        if body.get("validity") not in ("DAY", "IOC"):
            return dh_error("DH-905", "Invalid validity")
        quantity = body.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            return dh_error("DH-905", "quantity must be a positive integer")
        price, trigger = body.get("price"), body.get("triggerPrice")
        for value in (price, trigger):
            if value is not None and not isinstance(value, int | float):
                return dh_error("DH-905", "price and triggerPrice must be numbers")
        if order_type == "MARKET" and price:
            return dh_error("DH-905", "Price is not allowed for MARKET orders")
        if order_type in ("LIMIT", "STOP_LOSS") and not price:
            return dh_error("DH-905", "Price is required for LIMIT and STOP_LOSS orders")
        if order_type in ("STOP_LOSS", "STOP_LOSS_MARKET") and not trigger:
            return dh_error("DH-905", "triggerPrice is required for stop-loss orders")
        if order_type == "STOP_LOSS_MARKET":  # Dhan's market-price protection turns these away
            return dh_error("DH-906", "Trigger Price should be greater than Price", kind="Order_Error")
        if order_type == "STOP_LOSS" and not modify:
            side = body.get("transactionType")
            if (side == "BUY" and price < trigger) or (side == "SELL" and price > trigger):
                return dh_error("DH-906", "Invalid stop-loss limit for the trigger", kind="Order_Error")
        return None

    async def place(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        if body.get("transactionType") not in ("BUY", "SELL"):
            return dh_error("DH-905", "Invalid transactionType")
        segment = body.get("exchangeSegment")
        if segment not in ORDER_SEGMENTS:
            return dh_error("DH-905", f"Invalid exchangeSegment {segment!r}")
        if body.get("productType") not in PRODUCTS:
            return dh_error("DH-905", "Invalid productType")
        if not isinstance(body.get("securityId"), str):
            return dh_error("DH-905", "securityId must be a string")
        scrip = self.scrip(segment, body["securityId"])
        if scrip is None:
            return dh_error("DH-905", "Invalid securityId for the segment")
        if (error := self._order_fields_error(body, scrip)) is not None:
            return error
        if body["productType"] == "CNC" and segment in ("NSE_FNO", "BSE_FNO"):
            return dh_error("DH-906", "CNC product is not allowed for derivatives", kind="Order_Error")
        order_id = str(next(self._ids))
        now = datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")
        row = {"dhanClientId": CLIENT_ID, "orderId": order_id, "exchangeOrderId": f"1{order_id}",
               "correlationId": "", "orderStatus": "PENDING", "transactionType": body["transactionType"],
               "exchangeSegment": segment, "productType": body["productType"], "orderType": body["orderType"],
               "validity": body["validity"], "tradingSymbol": scrip.trading_symbol, "securityId": scrip.security_id,
               "quantity": body["quantity"], "disclosedQuantity": body.get("disclosedQuantity", 0),
               "price": float(body.get("price") or 0), "triggerPrice": float(body.get("triggerPrice") or 0),
               "afterMarketOrder": False, "legName": "", "createTime": now, "updateTime": now,
               "exchangeTime": now, "drvExpiryDate": scrip.expiry[:10] or "NA",
               "drvOptionType": scrip.option if scrip.option != "XX" else "NA",
               "drvStrikePrice": float(scrip.strike) if scrip.option != "XX" else 0.0,
               "omsErrorCode": "", "omsErrorDescription": "", "filledQty": 0,
               "remainingQuantity": body["quantity"], "averageTradedPrice": 0.0}
        self.book.orders[order_id] = row
        if body["quantity"] % scrip.lot:
            row.update(orderStatus="REJECTED", omsErrorCode="16388",
                       omsErrorDescription=f"Quantity should be a multiple of lot size {scrip.lot}")
            return JSONResponse({"orderId": order_id, "orderStatus": "REJECTED"})
        if body["orderType"] == "MARKET":
            self._fill(row, scrip)
        return JSONResponse({"orderId": order_id, "orderStatus": "TRANSIT"})

    def _fill(self, row: dict, scrip: Scrip) -> None:
        row.update(orderStatus="TRADED", filledQty=row["quantity"], remainingQuantity=0,
                   averageTradedPrice=scrip.price)
        self.book.trades.append({
            "dhanClientId": CLIENT_ID, "orderId": row["orderId"], "exchangeOrderId": row["exchangeOrderId"],
            "exchangeTradeId": f"T{len(self.book.trades) + 1:06d}", "transactionType": row["transactionType"],
            "exchangeSegment": row["exchangeSegment"], "productType": row["productType"],
            "orderType": row["orderType"], "tradingSymbol": row["tradingSymbol"], "securityId": row["securityId"],
            "tradedQuantity": row["quantity"], "tradedPrice": scrip.price, "createTime": row["createTime"],
            "updateTime": row["updateTime"], "exchangeTime": row["exchangeTime"], "drvExpiryDate": row["drvExpiryDate"],
            "drvOptionType": row["drvOptionType"], "drvStrikePrice": row["drvStrikePrice"]})

    async def order_book(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        return JSONResponse(list(self.book.orders.values()))

    async def order_one(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        order_id = request.path_params["order_id"]
        row = self.book.orders.get(order_id)
        if row is None:
            return dh_error("DH-905", "Invalid orderId")
        if request.method == "GET":
            return JSONResponse(row)
        if request.method == "DELETE":
            if row["orderStatus"] not in ("PENDING", "TRANSIT", "PART_TRADED"):
                return dh_error("DH-906", f"Order is {row['orderStatus']}, cannot cancel", kind="Order_Error")
            row["orderStatus"] = "CANCELLED"
            return JSONResponse({"orderId": order_id, "orderStatus": "CANCELLED"})
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        if body.get("orderId") != order_id or body.get("legName") != "ENTRY_LEG":
            return dh_error("DH-905", "orderId and legName are required")
        if (error := self._order_fields_error(body, None, modify=True)) is not None:
            return error
        if row["orderStatus"] != "PENDING":
            return dh_error("DH-906", f"Order is {row['orderStatus']}, cannot modify", kind="Order_Error")
        row.update(orderType=body["orderType"], quantity=body["quantity"], price=float(body.get("price") or 0),
                   triggerPrice=float(body.get("triggerPrice") or 0), remainingQuantity=body["quantity"],
                   disclosedQuantity=body.get("disclosedQuantity", 0))
        return JSONResponse({"orderId": order_id, "orderStatus": "PENDING"})

    async def trade_book(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        return JSONResponse(self.book.trades)

    def _position_rows(self) -> list[dict]:
        grouped: dict[tuple[str, str, str], list[dict]] = {}
        for trade in self.book.trades:
            grouped.setdefault((trade["exchangeSegment"], trade["securityId"], trade["productType"]), []).append(trade)
        rows = []
        for (segment, security_id, product), trades in grouped.items():
            scrip = self.scrip(segment, security_id)
            buys = [t for t in trades if t["transactionType"] == "BUY"]
            sells = [t for t in trades if t["transactionType"] == "SELL"]
            buy_qty, sell_qty = sum(t["tradedQuantity"] for t in buys), sum(t["tradedQuantity"] for t in sells)
            buy_avg = sum(t["tradedQuantity"] * t["tradedPrice"] for t in buys) / buy_qty if buy_qty else 0.0
            sell_avg = sum(t["tradedQuantity"] * t["tradedPrice"] for t in sells) / sell_qty if sell_qty else 0.0
            net = buy_qty - sell_qty
            closed = min(buy_qty, sell_qty)
            cost = buy_avg if net > 0 else sell_avg if net < 0 else 0.0
            rows.append({"dhanClientId": CLIENT_ID, "tradingSymbol": scrip.trading_symbol, "securityId": security_id,
                         "positionType": "LONG" if net > 0 else "SHORT" if net < 0 else "CLOSED",
                         "exchangeSegment": segment, "productType": product, "buyAvg": buy_avg, "buyQty": buy_qty,
                         "costPrice": cost, "sellAvg": sell_avg, "sellQty": sell_qty, "netQty": net,
                         "realizedProfit": round(closed * (sell_avg - buy_avg), 2),
                         "unrealizedProfit": round(net * (scrip.price - cost), 2), "rbiReferenceRate": 1.0,
                         "multiplier": 1, "carryForwardBuyQty": 0, "carryForwardSellQty": 0,
                         "carryForwardBuyValue": 0, "carryForwardSellValue": 0, "dayBuyQty": buy_qty,
                         "daySellQty": sell_qty, "dayBuyValue": buy_qty * buy_avg, "daySellValue": sell_qty * sell_avg,
                         "drvExpiryDate": scrip.expiry[:10] or "NA", "drvOptionType": None, "drvStrikePrice": 0.0})
        return rows

    async def positions(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        return JSONResponse(self._position_rows())

    async def holdings(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        if self.holdings_empty:
            return JSONResponse({"errorType": "Holding_Error", "errorCode": "DHOLDING_ERROR",
                                 "internalErrorCode": "DH-1111", "errorMessage": "No holdings available"},
                                status_code=400)
        return JSONResponse([{"exchange": "ALL", "tradingSymbol": "SBIN", "securityId": "3045",
                              "isin": "INE062A01020", "totalQty": 10, "dpQty": 10, "t1Qty": 0, "availableQty": 10,
                              "collateralQty": 0, "avgCostPrice": 700.5}])

    async def fundlimit(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        used = sum(t["tradedQuantity"] * t["tradedPrice"] for t in self.book.trades
                   if t["transactionType"] == "BUY")
        return JSONResponse({"dhanClientId": CLIENT_ID, "availabelBalance": round(120_000 - used, 2),
                             "sodLimit": 120_000, "collateralAmount": 20_000, "receiveableAmount": 0,
                             "utilizedAmount": round(used, 2), "blockedPayoutAmount": 0,
                             "withdrawableBalance": 100_000})

    # market data ---------------------------------------------------------------------------
    def _instrument_list(self, body: dict) -> list[Scrip | None] | Response:
        requested = []
        for segment, ids in body.items():
            if segment not in SEGMENTS or not isinstance(ids, list):
                return data_error("814", f"Invalid request: segment {segment!r}")
            for sid in ids:
                if not isinstance(sid, int) or isinstance(sid, bool):
                    return data_error("814", "Invalid request: security ids must be integers")
                requested.append((segment, sid))
        if not requested:
            return data_error("814", "Invalid request: no instruments")
        if len(requested) > 1000:
            return data_error("804", "Requested number of instruments exceeds limit")
        return requested

    async def marketfeed(self, request: Request) -> Response:
        if (error := self._token_error(request, True)) is not None:
            return error
        kind = request.path_params["kind"]
        if kind not in ("ltp", "ohlc", "quote"):
            return PlainTextResponse("not found", status_code=404)
        now = time.monotonic()
        if self.enforce_quote_rate and self.quote_times and now - self.quote_times[-1] < 0.95:
            return data_error("805", "Too many requests. Further requests may result in the user being blocked.",
                              429)
        self.quote_times.append(now)
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        requested = self._instrument_list(body)
        if isinstance(requested, Response):
            return requested
        data: dict[str, dict] = {}
        for segment, sid in requested:
            scrip = self.scrip(segment, str(sid))
            if scrip is None:
                continue
            q = self.quote_of(scrip)
            if kind == "ltp":
                row = {"last_price": q["ltp"]}
            elif kind == "ohlc":
                row = {"last_price": q["ltp"], "ohlc": {"open": q["open"], "close": q["close"], "high": q["high"],
                                                         "low": q["low"]}}
            else:
                row = {"last_price": q["ltp"], "last_quantity": q["ltq"],
                       "last_trade_time": datetime.fromtimestamp(LTT, IST).strftime("%d/%m/%Y %H:%M:%S"),
                       "average_price": q["atp"], "volume": q["volume"], "buy_quantity": q["total_buy"],
                       "sell_quantity": q["total_sell"], "oi": q["oi"], "oi_day_high": q["oi_high"],
                       "oi_day_low": q["oi_low"], "net_change": round(q["ltp"] - q["close"], 2),
                       "lower_circuit_limit": round(q["ltp"] * 0.8, 2), "upper_circuit_limit": round(q["ltp"] * 1.2, 2),
                       "ohlc": {"open": q["open"], "close": q["close"], "high": q["high"], "low": q["low"]},
                       "depth": {"buy": [{"quantity": b[1], "orders": b[2], "price": b[0]} for b in q["bids"]],
                                 "sell": [{"quantity": a[1], "orders": a[2], "price": a[0]} for a in q["asks"]]}}
            data.setdefault(segment, {})[str(sid)] = row
        return JSONResponse({"data": data, "status": "success"})

    @staticmethod
    def _chart_kind_ok(scrip: Scrip, instrument: str) -> bool:
        return scrip.kind == instrument

    async def charts(self, request: Request) -> Response:
        if (error := self._token_error(request, True)) is not None:
            return error
        kind = request.path_params["kind"]
        if kind not in ("intraday", "historical"):
            return PlainTextResponse("not found", status_code=404)
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        self.chart_requests.append({"kind": kind, **body})
        security_id, segment = body.get("securityId"), body.get("exchangeSegment")
        if not isinstance(security_id, str):
            return dh_error("DH-905", "securityId must be a string")
        scrip = self.scrip(segment, security_id)
        if scrip is None:
            return data_error("813", "Invalid SecurityId")
        if body.get("instrument") not in CHART_INSTRUMENTS or not self._chart_kind_ok(scrip, body["instrument"]):
            return dh_error("DH-905", f"Invalid instrument {body.get('instrument')!r} for the security")
        try:
            start = date.fromisoformat(str(body.get("fromDate"))[:10])
            end = date.fromisoformat(str(body.get("toDate"))[:10])
        except ValueError:
            return data_error("812", "Invalid date format")
        if end <= start:
            return dh_error("DH-905", "toDate must be after fromDate")
        if kind == "intraday":
            if body.get("interval") not in ("1", "5", "15", "25", "60"):
                return dh_error("DH-905", "Invalid interval")
            if (end - start).days > 90:
                return dh_error("DH-905", "Intraday data can be fetched for at most 90 days per request")
            return self._answer(self._intraday(scrip, int(body["interval"]), start, end))
        if body.get("expiryCode") not in (0, 1, 2, 3):
            return dh_error("DH-905", "expiryCode is required")
        return self._answer(self._daily(scrip, start, end))

    @staticmethod
    def _answer(columns: dict | JSONResponse) -> Response:
        return columns if isinstance(columns, Response) else JSONResponse(columns)

    @staticmethod
    def _columns(rows: list[tuple[int, float]], oi: bool) -> dict | JSONResponse:
        if not rows:  # Dhan reports an empty window as a data error
            return dh_error("DH-907", "System is unable to fetch data due to incorrect parameters or no data "
                            "present", kind="Data_Error")
        return {"open": [p for _, p in rows], "high": [round(p + 1, 2) for _, p in rows],
                "low": [round(p - 1, 2) for _, p in rows], "close": [round(p + 0.5, 2) for _, p in rows],
                "volume": [1000 + i for i in range(len(rows))], "timestamp": [t for t, _ in rows],
                "open_interest": [5000 if oi else 0 for _ in rows]}

    def _intraday(self, scrip: Scrip, minutes: int, start: date, end: date) -> dict | JSONResponse:
        rows = []
        day = start
        while day < end:
            if day.weekday() < 5:
                at = datetime(day.year, day.month, day.day, 9, 15, tzinfo=IST)
                close = datetime(day.year, day.month, day.day, 15, 30, tzinfo=IST)
                while at < close:
                    rows.append((int(at.timestamp()), round(scrip.price + len(rows) * 0.05, 2)))
                    at += timedelta(minutes=minutes)
            day += timedelta(days=1)
        return self._columns(rows, scrip.segment == "NSE_FNO")

    def _daily(self, scrip: Scrip, start: date, end: date) -> dict | JSONResponse:
        rows = []
        day = start
        while day < end:
            if day.weekday() < 5:  # Dhan stamps a daily bar at 00:00 IST of its date
                rows.append((int(datetime(day.year, day.month, day.day, tzinfo=IST).timestamp()),
                             round(scrip.price + len(rows), 2)))
            day += timedelta(days=1)
        return self._columns(rows, scrip.segment == "NSE_FNO")

    def _margin_scrip_error(self, scrip: dict) -> Response | None:
        if scrip.get("exchangeSegment") not in ORDER_SEGMENTS or scrip.get("transactionType") not in ("BUY", "SELL"):
            return dh_error("DH-905", "Invalid exchangeSegment or transactionType")
        if not isinstance(scrip.get("securityId"), str) or not isinstance(scrip.get("quantity"), int):
            return dh_error("DH-905", "securityId must be a string and quantity an integer")
        if scrip.get("productType") not in PRODUCTS or not isinstance(scrip.get("price"), int | float):
            return dh_error("DH-905", "Invalid productType or price")
        return None

    @staticmethod
    def _margin_of(scrip: dict) -> tuple[float, float]:
        value = scrip["quantity"] * scrip["price"]
        return round(value * 0.12, 2), round(value * 0.03, 2)

    async def margin(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        if body.get("dhanClientId") != CLIENT_ID:
            return dh_error("DH-905", "dhanClientId is required")
        if (error := self._margin_scrip_error(body)) is not None:
            return error
        span, exposure = self._margin_of(body)
        return JSONResponse({"totalMargin": round(span + exposure, 2), "spanMargin": span,
                             "exposureMargin": exposure, "availableBalance": 100_000, "variableMargin": 0,
                             "insufficientBalance": 0, "brokerage": 20, "leverage": "1"})

    async def margin_multi(self, request: Request) -> Response:
        if (error := self._token_error(request, False)) is not None:
            return error
        body = await self._json(request)
        if isinstance(body, Response):
            return body
        scrips = body.get("scripList")
        if body.get("dhanClientId") != CLIENT_ID or not isinstance(scrips, list) or not scrips:
            return dh_error("DH-905", "dhanClientId and scripList are required")
        span = exposure = 0.0
        for scrip in scrips:
            if (error := self._margin_scrip_error(scrip)) is not None:
                return error
            s, e = self._margin_of(scrip)
            span, exposure = span + s, exposure + e
        span = round(span * 0.8, 2)  # hedge benefit
        return JSONResponse({"total_margin": round(span + exposure, 2), "span_margin": span,
                             "exposure_margin": round(exposure, 2), "equity_margin": 0, "fo_margin": 0,
                             "commodity_margin": 0, "currency": 0, "hedge_benefit": 1})

    # --- market feed -------------------------------------------------------------------------
    def packets_for(self, segment: str, security_id: str, code: int) -> bytes:
        scrip = self.scrip(segment, security_id)
        seg, sid = SEGMENTS[segment], int(security_id)
        q = self.quote_of(scrip)
        frame = prev_close_packet(seg, sid, q["close"], q["oi"])
        if code == 15:
            frame += ticker_packet(seg, sid, q["ltp"], LTT)
        elif code == 17:
            frame += quote_packet(seg, sid, q)
            if q["oi"]:
                frame += oi_packet(seg, sid, q["oi"])
        else:
            frame += full_packet(seg, sid, q)
        return frame

    async def _feed(self, connection: ServerConnection) -> None:
        if urlsplit(connection.request.path).path == "/twentydepth":
            await self._depth_feed(connection)
            return
        query = parse_qs(urlsplit(connection.request.path).query)
        token = query.get("token", [""])[0]
        if query.get("version") != ["2"] or query.get("authType") != ["2"]:
            self.feed_errors.append(f"bad connect query {sorted(query)}")
            await connection.close(1008, "bad query")
            return
        if query.get("clientId") != [CLIENT_ID]:
            await connection.send(disconnect_packet(808))
            await connection.close()
            return
        if token not in self.tokens or self.tokens[token]:
            await connection.send(disconnect_packet(807 if token in self.tokens else 809))
            await connection.close()
            return
        self.feed_accepted += 1
        await self._serve(connection, {}, self.feed_connections, self._push_loop, self._feed_request)

    async def _serve(self, connection: ServerConnection, subscriptions, registry: dict, push_loop, handle) -> None:
        """One accepted socket (market feed or 20-level depth): push ticks while reading requests; a
        bad request is recorded and closes the socket with 1008, as Dhan does."""
        registry[connection] = subscriptions
        pusher = asyncio.get_running_loop().create_task(push_loop(connection, subscriptions))
        try:
            async for raw in connection:
                error = await handle(connection, raw, subscriptions)
                if error:
                    self.feed_errors.append(error)
                    await connection.close(1008, error[:100])
                    break
        except ConnectionClosed:
            pass
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            registry.pop(connection, None)

    async def _feed_request(self, connection: ServerConnection, raw, subscriptions) -> str | None:
        if not isinstance(raw, str):
            return "binary request frame"
        try:
            request = json.loads(raw)
        except ValueError:
            return "request is not JSON"
        self.feed_requests.append(request)
        code = request.get("RequestCode")
        if code == 12:
            await connection.close()
            return None
        if code not in (15, 16, 17, 18, 21, 22):
            return f"unknown RequestCode {code!r}"
        items = request.get("InstrumentList")
        if not isinstance(items, list) or request.get("InstrumentCount") != len(items) or not 0 < len(items) <= 100:
            return "InstrumentCount must match InstrumentList (1..100)"
        frame = b""
        for item in items:
            segment, sid = item.get("ExchangeSegment"), item.get("SecurityId")
            if segment not in SEGMENTS or not isinstance(sid, str):
                return f"bad instrument {item!r}"
            if self.scrip(segment, sid) is None:
                continue
            if code in (15, 17, 21):
                subscriptions[(segment, sid)] = code
                frame += self.packets_for(segment, sid, code)
            else:
                subscriptions.pop((segment, sid), None)
        if frame:
            await connection.send(frame)  # several packets back to back in one frame
        return None

    async def _push_loop(self, connection: ServerConnection, subscriptions) -> None:
        if self.tick_interval <= 0:
            return
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.tick_interval)
                frame = b"".join(self.packets_for(seg, sid, code) for (seg, sid), code in list(subscriptions.items()))
                if frame:
                    await connection.send(frame)

    def subscribed(self) -> dict[tuple[str, str], int]:
        merged: dict[tuple[str, str], int] = {}
        for subscriptions in self.feed_connections.values():
            merged.update(subscriptions)
        return merged


    # --- 20-level depth socket ---------------------------------------------------------------
    @staticmethod
    def depth_rows_of(s: Scrip) -> tuple[list[tuple[float, int, int]], list[tuple[float, int, int]]]:
        p = s.price
        bids = [(round(p - 0.05 * (i + 1), 2), 100 * (i + 1), i + 1) for i in range(20)]
        asks = [(round(p + 0.05 * (i + 1), 2), 120 * (i + 1), i + 2) for i in range(20)]
        return bids, asks

    def depth_packets(self, segment: str, security_id: str) -> tuple[bytes, bytes]:
        bids, asks = self.depth_rows_of(self.scrip(segment, security_id))
        seg, sid = SEGMENTS[segment], int(security_id)
        return (depth_side_packet(41, seg, sid, bids, next(self._sequence)),
                depth_side_packet(51, seg, sid, asks, next(self._sequence)))

    async def _depth_feed(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query)
        if query.get("authType") != ["2"] or "version" in query:
            self.feed_errors.append(f"bad depth connect query {sorted(query)}")
            await connection.close(1008, "bad query")
            return
        token = query.get("token", [""])[0]
        if query.get("clientId") != [CLIENT_ID] or token not in self.tokens or self.tokens[token]:
            await connection.send(depth_disconnect_packet(807 if self.tokens.get(token) else 809))
            await connection.close()
            return
        self.depth_accepted += 1
        await self._serve(connection, set(), self.depth_connections, self._depth_push_loop, self._depth_request)

    async def _depth_request(self, connection: ServerConnection, raw, subscriptions: set) -> str | None:
        if not isinstance(raw, str):
            return "binary request frame"
        try:
            request = json.loads(raw)
        except ValueError:
            return "request is not JSON"
        self.depth_requests.append(request)
        code = request.get("RequestCode")
        if code == 12:
            await connection.close()
            return None
        if code not in (23, 25):
            return f"depth socket: unknown RequestCode {code!r}"
        items = request.get("InstrumentList")
        if not isinstance(items, list) or request.get("InstrumentCount") != len(items) or not 0 < len(items) <= 50:
            return "depth socket: InstrumentCount must match InstrumentList (1..50)"
        frame = b""
        for item in items:
            segment, sid = item.get("ExchangeSegment"), item.get("SecurityId")
            if segment not in DEPTH_SEGMENTS or not isinstance(sid, str):
                return f"depth socket: bad instrument {item!r}"
            if code == 25:
                subscriptions.discard((segment, sid))
                continue
            if self.scrip(segment, sid) is None:
                continue
            subscriptions.add((segment, sid))
            if len(subscriptions) > 50:
                return "depth socket: more than 50 instruments on one connection"
            frame += b"".join(self.depth_packets(segment, sid))
        if frame:
            await connection.send(frame)  # bids and asks back to back in one frame
        return None

    async def _depth_push_loop(self, connection: ServerConnection, subscriptions: set) -> None:
        if self.tick_interval <= 0:
            return
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.tick_interval)
                sides = [self.depth_packets(seg, sid) for seg, sid in list(subscriptions)]
                if sides:  # bids in one frame, asks in the next: the adapter joins them
                    await connection.send(b"".join(bid for bid, _ in sides))
                    await connection.send(b"".join(ask for _, ask in sides))

    def depth_subscribed(self) -> set[tuple[str, str]]:
        return set().union(*self.depth_connections.values()) if self.depth_connections else set()
