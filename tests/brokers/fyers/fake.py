"""A fake Fyers API v3 on 127.0.0.1: the OAuth pages, the REST API with its `{"s": ...}` envelope
and error shapes, the public symbol-master files, the HSM binary feed and the TBT 50-level depth
socket (protobuf, encoded by hand here from the documented `msg.proto` field numbers).

Written from the wire documentation (reference fyers.md), independently of the plugin: frames are
built with `struct` here and requests are validated field by field, so a plugin that speaks the
protocol wrongly gets Fyers' 4xx error shape (or a closed socket) and its tests fail.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import hashlib
import io
import itertools
import json
import secrets
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import httpx
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve

from tests.fakes.http_server import serve_app

IST = ZoneInfo("Asia/Kolkata")
INT32_MIN = -2147483648
EXPIRY = date(2026, 12, 29)
EXPIRY_EPOCH = int(datetime(2026, 12, 29, 15, 30, tzinfo=IST).timestamp())


@dataclass
class Scrip:
    ticker: str  # the Fyers ticker (broker symbol)
    fytoken: str
    exchange: int
    segment: int
    ltp: float
    open: float
    high: float
    low: float
    prev_close: float
    volume: int = 0
    oi: int = 0
    lot: int = 1
    tick: str = "0.05"
    index_name: str = ""  # HSM display name for indices

    @property
    def is_index(self) -> bool:
        return bool(self.index_name)

    @property
    def exchange_token(self) -> str:
        return self.fytoken[10:]


UNIVERSE = [
    Scrip("NSE:SBIN-EQ", "10100000003045", 10, 10, 812.35, 805.00, 815.50, 801.10, 806.25, 1234567),
    Scrip("NSE:RELIANCE-EQ", "10100000002885", 10, 10, 1523.40, 1510.00, 1530.00, 1505.55, 1512.80, 987654),
    Scrip("NSE:NIFTY50-INDEX", "101000000026000", 10, 10, 26050.15, 25990.00, 26100.50, 25950.25, 26000.00,
          index_name="Nifty 50"),
    Scrip("NSE:NIFTY26DECFUT", "101126122952001", 10, 11, 26150.00, 26100.00, 26200.00, 26080.00, 26120.00,
          55000, 1500000, lot=75, tick="0.10"),
    Scrip("NSE:NIFTY26D2926000CE", "101126122952010", 10, 11, 210.50, 200.00, 225.00, 190.00, 205.00,
          80000, 250000, lot=75),
    Scrip("NSE:NIFTY26D2926000PE", "101126122952011", 10, 11, 95.25, 100.00, 110.00, 90.00, 101.00,
          70000, 200000, lot=75),
]
HSM_SEGMENTS = {(10, 10): "nse_cm", (10, 11): "nse_fo"}
PRODUCTS = {"CNC", "INTRADAY", "MARGIN", "CO", "BO"}
RESOLUTION_DAYS = {"D": 366, "1D": 366}
SECOND_RESOLUTIONS = {"5S", "10S", "15S", "30S", "45S"}
MINUTE_RESOLUTIONS = {"1", "2", "3", "5", "10", "15", "20", "30", "60", "120", "240"}


def _row(fytoken, details, kind, lot, tick, expiry, ticker, exch, seg, scrip, underlying, strike, opt):
    return [fytoken, details, str(kind), str(lot), tick, "INE000000000", "0915-1530|1815-1915:", "2026-11-29",
            str(expiry), ticker, str(exch), str(seg), scrip, underlying, "0", str(strike), opt, "", "", "", ""]


def master_files() -> dict[str, bytes]:
    """The six daily files, in Fyers' formats (CSV without header; JSON keyed by ticker)."""
    nse_cm = [
        _row("10100000003045", "STATE BANK OF INDIA", 0, 1, "0.05", "", "NSE:SBIN-EQ", 10, 10, "3045", "SBIN", "-1", "XX"),
        _row("10100000002885", "RELIANCE INDUSTRIES LTD", 0, 1, "0.10", "", "NSE:RELIANCE-EQ", 10, 10, "2885",
             "RELIANCE", "-1", "XX"),
        _row("101000000026000", "Nifty 50", 10, 1, "0.05", "", "NSE:NIFTY50-INDEX", 10, 10, "26000", "NIFTY", "-1", "XX"),
        _row("101000000026009", "Nifty Bank", 10, 1, "0.05", "", "NSE:NIFTYBANK-INDEX", 10, 10, "26009", "BANKNIFTY",
             "-1", "XX"),
        _row("101000000026121", "Nifty Midcap 50", 10, 1, "0.05", "", "NSE:NIFTYMIDCAP50-INDEX", 10, 10, "26121",
             "NIFTY MID-50", "-1", "XX"),  # spaces/hyphens go, then NIFTYMID50 → NIFTYMIDCAP50
        _row("10100000011111", "GOI TBILL", 2, 1, "0.01", "", "NSE:GS2031-GB", 10, 10, "11111", "GS2031", "-1", "XX"),
        _row("10100000022222", "SOME WARRANT", 3, 1, "0.05", "", "NSE:WARR-W1", 10, 10, "22222", "WARR", "-1", "XX"),
        ["garbage", "row"],  # malformed: too few columns
        _row("10100000033333", "BAD LOT", 0, "x", "0.05", "", "NSE:BADLOT-EQ", 10, 10, "33333", "BADLOT", "-1", "XX"),
    ]
    bse_cm = [
        _row("12100000500112", "STATE BANK OF INDIA", 0, 1, "0.05", "", "BSE:SBIN-A", 12, 10, "500112", "SBIN", "-1", "XX"),
        _row("121000000001", "SENSEX", 10, 1, "0.01", "", "BSE:SENSEX-INDEX", 12, 10, "1", "SENSEX", "-1", "XX"),
        _row("121000000012", "S&P BSE 100", 10, 1, "0.01", "", "BSE:BSE100-INDEX", 12, 10, "12", "100", "-1", "XX"),
        _row("121000000099", "S&P BSE NEW", 10, 1, "0.01", "", "BSE:NEWIDX-INDEX", 12, 10, "99", "new idx", "-1", "XX"),
    ]
    nse_fo = [
        _row("101126122952001", "NIFTY 29 Dec 26 FUT", 11, 75, "0.10", EXPIRY_EPOCH, "NSE:NIFTY26DECFUT", 10, 11,
             "52001", "NIFTY", "-1", "XX"),
        _row("101126122952010", "NIFTY 29 Dec 26 26000", 14, 75, "0.05", EXPIRY_EPOCH, "NSE:NIFTY26D2926000CE", 10,
             11, "52010", "NIFTY", "26000", "CE"),
        _row("101126122952011", "NIFTY 29 Dec 26 26000", 14, 75, "0.05", EXPIRY_EPOCH, "NSE:NIFTY26D2926000PE", 10,
             11, "52011", "NIFTY", "26000", "PE"),
        _row("101126122952099", "VEDL 29 Dec 26 292.5", 16, 2000, "0.05", EXPIRY_EPOCH, "NSE:VEDL26DEC292.5CE", 10,
             11, "52099", "VEDL", "292.5", "CE"),
        _row("101126122952098", "NIFTY 29 Foo 26 FUT", 11, 75, "0.10", EXPIRY_EPOCH, "NSE:BROKEN", 10, 11, "52098",
             "NIFTY", "-1", "XX"),  # malformed month
    ]
    bse_fo = [
        _row("121126122480001", "SENSEX 24 Dec 26 FUT", 11, 20, "0.05", EXPIRY_EPOCH - 5 * 86400, "BSE:SENSEX26DECFUT",
             12, 11, "80001", "SENSEX", "-1", ""),  # BFO: a missing option type is a future
    ]
    cds = {
        "NSE:USDINR26DECFUT": {"fyToken": "101226122912001", "symbolDetails": "USDINR Dec Fut",
                               "symDetails": "USDINR 29 Dec 26 FUT", "expiryDate": str(EXPIRY_EPOCH),
                               "strikePrice": -1, "qtyMultiplier": 1000, "minLotSize": 1, "tickSize": 0.0025,
                               "symTicker": "NSE:USDINR26DECFUT", "optType": "XX"},
        "NSE:USDINR26D2984.5CE": {"fyToken": "101226122912002", "symbolDetails": "USDINR Dec 84.5 CE",
                                  "symDetails": "USDINR 29 Dec 26 84.5", "expiryDate": str(EXPIRY_EPOCH),
                                  "strikePrice": 84.5, "qtyMultiplier": 1000, "minLotSize": 1, "tickSize": 0.0025,
                                  "symTicker": "NSE:USDINR26D2984.5CE", "optType": "CE"},
        "NSE:BROKEN": {"symDetails": "USDINR 29 Dec 26 FUT"},  # malformed: no fyToken
    }
    mcx = {
        "MCX:CRUDEOIL26DECFUT": {"fyToken": "1120261218430001", "symbolDetails": "CRUDEOIL Dec Fut",
                                 "symDetails": "CRUDEOIL 18 Dec 26 FUT", "expiryDate": str(EXPIRY_EPOCH - 11 * 86400),
                                 "strikePrice": -1, "qtyMultiplier": 100, "minLotSize": 1, "tickSize": 1.0,
                                 "symTicker": "MCX:CRUDEOIL26DECFUT", "optType": "XX"},
    }

    def as_csv(rows):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue().encode()

    return {"NSE_CM.csv": as_csv(nse_cm), "BSE_CM.csv": as_csv(bse_cm), "NSE_FO.csv": as_csv(nse_fo),
            "BSE_FO.csv": as_csv(bse_fo), "NSE_CD_sym_master.json": json.dumps(cds).encode(),
            "MCX_COM_sym_master.json": json.dumps(mcx).encode()}




def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def error(status: int, code: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"s": "error", "code": code, "message": message, **extra}, status_code=status)


def ok(**payload: Any) -> JSONResponse:
    return JSONResponse({"s": "ok", "code": 200, "message": "", **payload})


@dataclass
class FakeOrder:
    id: str
    scrip: Scrip
    qty: int
    type: int
    side: int
    product: str
    limit: float
    stop: float
    tag: str
    status: int
    disclosed: int = 0
    filled: int = 0
    traded_price: float = 0.0
    message: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(IST))

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "symbol": self.scrip.ticker, "fyToken": self.scrip.fytoken, "qty": self.qty,
                "filledQty": self.filled, "remainingQuantity": self.qty - self.filled, "limitPrice": self.limit,
                "stopPrice": self.stop, "tradedPrice": self.traded_price, "type": self.type, "side": self.side,
                "productType": self.product, "status": self.status, "disclosedQty": self.disclosed,
                "orderValidity": "DAY", "orderDateTime": self.at.strftime("%d-%b-%Y %H:%M:%S"),
                "exchange": self.scrip.exchange, "segment": self.scrip.segment, "message": self.message,
                "orderTag": self.tag}


class FyersFake:
    """Implements tests/fakes/broker_fake.py's FakeBroker for the `fyers` plugin."""

    name = "fyers"
    APP_ID = "FAKEAPP1-100"
    SECRET = "fake-secret-0123"
    FY_ID = "XF12345"

    def __init__(self, tick_interval: float | None = 0.5) -> None:
        self.credentials = {"api_key": self.APP_ID, "api_secret": self.SECRET}
        self.universe = [replace(scrip) for scrip in UNIVERSE]  # prices move per fake, not per module
        self.by_ticker = {scrip.ticker: scrip for scrip in self.universe}
        self._feed_tokens: dict[ServerConnection, str] = {}
        self.urls: dict[str, str] = {}
        self.tick_interval = tick_interval
        self._stack = contextlib.AsyncExitStack()
        self._codes: dict[str, str] = {}  # auth_code → redirect_uri
        self.tokens: dict[str, dict[str, Any]] = {}  # access token → claims
        self.expired: set[str] = set()
        self.orders: dict[str, FakeOrder] = {}
        self.trades: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, query)
        self.history_calls: list[dict[str, str]] = []
        self.throttle_next = 0  # answer this many next requests with 429
        self._ids = itertools.count(1)
        self._feeds: dict[ServerConnection, dict[str, Any]] = {}
        self._tbt: dict[ServerConnection, dict[str, Any]] = {}
        self.tbt_requests: list[dict | str] = []  # every client text frame on the TBT socket
        self.tbt_errors: list[str] = []
        self.tbt_accepted = 0
        self.feed_frames: list[bytes] = []  # every client frame received on the feed
        self._frames_changed = asyncio.Condition()
        self._tasks: set[asyncio.Task] = set()
        self._ws_server = None
        self._browser: httpx.AsyncClient | None = None

    # --- FakeBroker -----------------------------------------------------------------------------
    async def start(self) -> None:
        base = await self._stack.enter_async_context(serve_app(self._app()))
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, process_request=self._feed_handshake)
        port = self._ws_server.sockets[0].getsockname()[1]
        self.urls = {"login": base, "api": base, "master": f"{base}/sym_details",
                     "feed": f"ws://127.0.0.1:{port}/hsm/v1-5/prod", "tbt": f"ws://127.0.0.1:{port}/versova"}
        if self.tick_interval:
            self._spawn(self._tick_loop())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._browser is not None:
            await self._browser.aclose()
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
        await self._stack.aclose()

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        assert login_url, "Fyers is an OAuth broker: the plugin must give a login URL"
        if self._browser is None:  # one client per fake: building an SSL context per login is slow
            self._browser = httpx.AsyncClient()
        page = await self._browser.get(login_url, follow_redirects=False)
        if page.status_code != 302:
            raise AssertionError(f"login page answered {page.status_code}: {page.text}")
        return dict(parse_qsl(urlsplit(page.headers["location"]).query))

    def expire_tokens(self) -> None:
        self.expired.update(self.tokens)

    def drop_feed_connections(self) -> None:
        for connection in [*self._feeds, *self._tbt]:
            self._spawn(connection.close(1011, "server restart"))

    def reset(self) -> None:
        """Forget every order, token and price move (tests share one started fake per module)."""
        self.universe = [replace(scrip) for scrip in UNIVERSE]
        self.by_ticker = {scrip.ticker: scrip for scrip in self.universe}
        for collection in (self._codes, self.tokens, self.orders, self.trades, self.requests, self.history_calls,
                           self.feed_frames, self.expired, self.tbt_requests, self.tbt_errors):
            collection.clear()
        self.throttle_next = self.tbt_accepted = 0

    # --- helpers ------------------------------------------------------------------------------
    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def issue_token(self, exp: int | None = None) -> str:
        claims = {"iss": "api.fyers.in", "iat": int(time.time()), "sub": "access_token", "fy_id": self.FY_ID,
                  "exp": exp or int(time.time()) + 20 * 3600, "hsm_key": secrets.token_hex(16)}
        token = ".".join([_b64(b'{"alg":"HS256","typ":"JWT"}'), _b64(json.dumps(claims).encode()),
                          _b64(secrets.token_bytes(32))])
        self.tokens[token] = claims
        return token

    def _authorised(self, request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        app_id, _, token = header.partition(":")
        if app_id != self.APP_ID or token not in self.tokens:
            return error(401, -16, "Could not authenticate the user")
        if token in self.expired:
            return error(401, -8, "Your token has expired. Please generate a token")
        return None

    async def _json_body(self, request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None, error(400, -50, "Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return None, error(400, -50, "Invalid JSON body")
        if not isinstance(body, dict):
            return None, error(400, -50, "Body must be a JSON object")
        return body, None

    # --- HTTP app ---------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        def guarded(handler, *, auth: bool = True):
            async def endpoint(request: Request) -> Response:
                self.requests.append((request.method, request.url.path, dict(request.query_params)))
                if self.throttle_next > 0:
                    self.throttle_next -= 1
                    return JSONResponse({"s": "error", "code": 429, "message": "request limit reached"},
                                        status_code=429, headers={"Retry-After": "0"})
                if auth:
                    denied = self._authorised(request)
                    if denied is not None:
                        return denied
                return await handler(request)
            return endpoint

        return Starlette(routes=[
            Route("/api/v3/generate-authcode", guarded(self._login_page, auth=False)),
            Route("/api/v3/validate-authcode", guarded(self._validate, auth=False), methods=["POST"]),
            Route("/api/v3/orders/sync", guarded(self._orders_sync), methods=["POST", "PATCH", "DELETE"]),
            Route("/api/v3/orders", guarded(self._order_book)),
            Route("/api/v3/tradebook", guarded(self._trade_book)),
            Route("/api/v3/positions", guarded(self._positions)),
            Route("/api/v3/holdings", guarded(self._holdings)),
            Route("/api/v3/funds", guarded(self._funds)),
            Route("/api/v3/multiorder/margin", guarded(self._margin), methods=["POST"]),
            Route("/data/quotes", guarded(self._quotes)),
            Route("/data/depth", guarded(self._depth)),
            Route("/data/history", guarded(self._history)),
            Route("/sym_details/{name}", guarded(self._master, auth=False)),
        ])

    async def _login_page(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.APP_ID:
            return error(400, -371, "Invalid client_id")
        if q.get("response_type") != "code" or not q.get("redirect_uri") or "state" not in q:
            return error(400, -372, "response_type=code, redirect_uri and state are required")
        code = secrets.token_urlsafe(24)
        self._codes[code] = q["redirect_uri"]
        query = urlencode({"s": "ok", "code": 200, "auth_code": code, "state": q["state"]})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=302)

    async def _validate(self, request: Request) -> Response:
        body, bad = await self._json_body(request)
        if bad:
            return bad
        if body.get("grant_type") != "authorization_code":
            return error(400, -50, "grant_type must be authorization_code")
        expected = hashlib.sha256(f"{self.APP_ID}:{self.SECRET}".encode()).hexdigest()
        if body.get("appIdHash") != expected:
            return error(400, -371, "Invalid appIdHash")
        if self._codes.pop(str(body.get("code")), None) is None:
            return error(400, -413, "Invalid auth code")
        token = self.issue_token()
        return ok(access_token=token, refresh_token=secrets.token_hex(20), expires_in=20 * 3600)

    # --- orders ---------------------------------------------------------------------------------
    async def _orders_sync(self, request: Request) -> Response:
        body, bad = await self._json_body(request)
        if bad:
            return bad
        if request.method == "POST":
            return self._place(body)
        if request.method == "PATCH":
            return self._modify(body)
        return self._cancel(body)

    def _place(self, body: dict[str, Any]) -> Response:
        required = {"symbol": str, "qty": int, "type": int, "side": int, "productType": str, "limitPrice": (int, float),
                    "stopPrice": (int, float), "validity": str, "disclosedQty": int, "offlineOrder": bool}
        for name, kind in required.items():
            if name not in body or not isinstance(body[name], kind) or (kind is int and isinstance(body[name], bool)):
                return error(400, -50, f"Invalid input: {name}")
        if body["type"] not in (1, 2, 3, 4) or body["side"] not in (1, -1) or body["productType"] not in PRODUCTS:
            return error(400, -50, "Invalid input: type/side/productType")
        if body["validity"] not in ("DAY", "IOC"):
            return error(400, -50, "Invalid input: validity")
        tag = body.get("orderTag", "")
        if not isinstance(tag, str) or not tag.isalnum():
            return error(400, -50, "Invalid input: orderTag must be alphanumeric")
        scrip = self.by_ticker.get(body["symbol"])
        if scrip is None or scrip.is_index:
            return error(400, -300, "Invalid symbol provided")
        order = FakeOrder(f"2611290000{next(self._ids):04d}", scrip, body["qty"], body["type"], body["side"],
                          body["productType"], float(body["limitPrice"]), float(body["stopPrice"]), tag, 6,
                          body["disclosedQty"])
        self.orders[order.id] = order
        if order.qty <= 0 or order.qty % scrip.lot:
            order.status, order.message = 5, f"RED:Quantity should be a multiple of lot size {scrip.lot}"
            return error(400, -99, order.message, id=order.id)
        if order.type == 1 and order.limit <= 0:
            order.status, order.message = 5, "RED:Limit price must be positive"
            return error(400, -99, order.message, id=order.id)
        if order.type == 2:
            self._fill(order)
        return JSONResponse({"s": "ok", "code": 1101, "message": "Order submitted successfully", "id": order.id})

    def _fill(self, order: FakeOrder) -> None:
        order.status, order.filled, order.traded_price = 2, order.qty, order.scrip.ltp
        self.trades.append({"symbol": order.scrip.ticker, "side": order.side, "productType": order.product,
                            "tradedQty": order.qty, "tradePrice": order.scrip.ltp,
                            "tradeValue": round(order.qty * order.scrip.ltp, 2), "orderNumber": order.id,
                            "tradeNumber": f"T{order.id}", "orderDateTime": order.at.strftime("%d-%b-%Y %H:%M:%S"),
                            "exchange": order.scrip.exchange, "segment": order.scrip.segment,
                            "fyToken": order.scrip.fytoken})

    def _modify(self, body: dict[str, Any]) -> Response:
        if set(body) - {"id", "qty", "type", "limitPrice", "stopPrice"}:
            return error(400, -50, f"Invalid input: unexpected {sorted(set(body) - {'id', 'qty', 'type', 'limitPrice', 'stopPrice'})}")
        order = self.orders.get(str(body.get("id")))
        if order is None:
            return error(400, -150, "Invalid order id")
        if order.status != 6:
            return error(400, -151, "Order is not pending, cannot modify")
        if not isinstance(body.get("qty"), int) or body.get("type") not in (1, 2, 3, 4):
            return error(400, -50, "Invalid input: qty/type")
        order.qty, order.type = body["qty"], body["type"]
        order.limit, order.stop = float(body.get("limitPrice", 0)), float(body.get("stopPrice", 0))
        if order.type == 2:
            self._fill(order)
        return JSONResponse({"s": "ok", "code": 1102, "message": "Successfully modified order", "id": order.id})

    def _cancel(self, body: dict[str, Any]) -> Response:
        order = self.orders.get(str(body.get("id")))
        if order is None:
            return error(400, -150, "Invalid order id")
        if order.status != 6:
            return error(400, -151, "Order is not pending, cannot cancel")
        order.status, order.message = 1, "CANCELLED BY USER"
        return JSONResponse({"s": "ok", "code": 1103, "message": "Successfully cancelled order", "id": order.id})

    async def _order_book(self, request: Request) -> Response:
        return ok(orderBook=[order.row() for order in self.orders.values()])

    async def _trade_book(self, request: Request) -> Response:
        return ok(tradeBook=list(self.trades))

    def _net_positions(self) -> list[dict[str, Any]]:
        books: dict[tuple[str, str], dict[str, Any]] = {}
        for trade in self.trades:
            key = (trade["symbol"], trade["productType"])
            book = books.setdefault(key, {"qty": 0, "cost": 0.0, "trade": trade})
            book["qty"] += trade["side"] * trade["tradedQty"]
            book["cost"] += trade["side"] * trade["tradedQty"] * trade["tradePrice"]
        rows = []
        for (ticker, product), book in books.items():
            scrip = self.by_ticker[ticker]
            avg = round(book["cost"] / book["qty"], 2) if book["qty"] else 0.0
            pnl = round((scrip.ltp - avg) * book["qty"], 2) if book["qty"] else 0.0
            rows.append({"symbol": ticker, "productType": product, "netQty": book["qty"], "netAvg": avg,
                         "ltp": scrip.ltp, "pl": pnl, "realized_profit": 0.0, "unrealized_profit": pnl,
                         "exchange": scrip.exchange, "segment": scrip.segment, "fyToken": scrip.fytoken})
        return rows

    async def _positions(self, request: Request) -> Response:
        return ok(netPositions=self._net_positions(), overall={})

    async def _holdings(self, request: Request) -> Response:
        sbin, reliance = self.by_ticker["NSE:SBIN-EQ"], self.by_ticker["NSE:RELIANCE-EQ"]
        return ok(holdings=[
            {"symbol": sbin.ticker, "holdingType": "HLD", "quantity": 10, "costPrice": 700.5, "ltp": sbin.ltp,
             "pl": round((sbin.ltp - 700.5) * 10, 2), "exchange": 10, "segment": 10, "fyToken": sbin.fytoken},
            {"symbol": reliance.ticker, "holdingType": "T1", "quantity": 2, "costPrice": 1500.0, "ltp": reliance.ltp,
             "pl": round((reliance.ltp - 1500.0) * 2, 2), "exchange": 10, "segment": 10, "fyToken": reliance.fytoken},
        ], overall={})

    async def _funds(self, request: Request) -> Response:
        used = round(sum(t["tradeValue"] for t in self.trades if t["side"] == 1), 2)
        titles = [("Total Balance", 100000.0, 2000.0), ("Utilized Amount", used, 0.0),
                  ("Clear Balance", round(100000.0 - used, 2), 2000.0), ("Realized Profit and Loss", 0.0, 0.0),
                  ("Collaterals", 5000.0, 0.0), ("Available Balance", round(105000.0 - used, 2), 2000.0)]
        return ok(fund_limit=[{"id": i + 1, "title": t, "equityAmount": e, "commodityAmount": c}
                              for i, (t, e, c) in enumerate(titles)])

    async def _margin(self, request: Request) -> Response:
        body, bad = await self._json_body(request)
        if bad:
            return bad
        legs = body.get("data")
        if not isinstance(legs, list) or not legs:
            return error(400, -50, "Invalid input: data")
        total = 0.0
        for leg in legs:
            keys = {"symbol", "qty", "side", "type", "productType", "limitPrice", "stopLoss", "stopPrice", "takeProfit"}
            if set(leg) != keys or leg["symbol"] not in self.by_ticker:
                return error(400, -50, f"Invalid input: margin leg {leg}")
            total += self.by_ticker[leg["symbol"]].ltp * leg["qty"] * (0.2 if leg["productType"] == "INTRADAY" else 1.0)
        return ok(data={"margin_avail": 100000.0, "margin_total": round(total, 2), "margin_new_order": round(total, 2)})

    # --- market data ------------------------------------------------------------------------------
    async def _quotes(self, request: Request) -> Response:
        symbols = [s for s in request.query_params.get("symbols", "").split(",") if s]
        if not symbols or len(symbols) > 50:
            return error(400, -50, "Provide 1 to 50 symbols")
        rows = []
        for ticker in symbols:
            scrip = self.by_ticker.get(ticker)
            if scrip is None:
                rows.append({"n": ticker, "s": "error", "v": {"errmsg": "invalid symbol"}})
                continue
            rows.append({"n": ticker, "s": "ok", "v": {
                "ch": round(scrip.ltp - scrip.prev_close, 2), "lp": scrip.ltp, "open_price": scrip.open,
                "high_price": scrip.high, "low_price": scrip.low, "prev_close_price": scrip.prev_close,
                "volume": scrip.volume, "bid": round(scrip.ltp - 0.05, 2), "ask": round(scrip.ltp + 0.05, 2),
                "tt": 1795000000, "short_name": ticker.split(":")[1], "fyToken": scrip.fytoken}})
        return ok(d=rows)

    async def _depth(self, request: Request) -> Response:
        ticker = request.query_params.get("symbol", "")
        if "," in ticker or request.query_params.get("ohlcv_flag") != "1":
            return error(400, -50, "one symbol and ohlcv_flag=1 expected")
        scrip = self.by_ticker.get(ticker)
        if scrip is None:
            return error(400, -300, "Invalid symbol provided")
        bids = [{"price": round(scrip.ltp - 0.05 * i, 2), "volume": 100 * i, "ord": i} for i in range(1, 6)]
        asks = [{"price": round(scrip.ltp + 0.05 * i, 2), "volume": 110 * i, "ord": i + 1} for i in range(1, 6)]
        return ok(d={ticker: {"totalbuyqty": 5000, "totalsellqty": 6000, "bids": bids, "ask": asks,
                              "o": scrip.open, "h": scrip.high, "l": scrip.low, "c": scrip.prev_close,
                              "v": scrip.volume, "ltp": scrip.ltp, "ltq": 25, "ltt": 1795000000, "oi": scrip.oi,
                              "atp": scrip.ltp}})

    async def _history(self, request: Request) -> Response:
        q = dict(request.query_params)
        self.history_calls.append(q)
        if self.by_ticker.get(q.get("symbol", "")) is None:
            return error(400, -300, "Invalid symbol provided")
        resolution = q.get("resolution", "")
        if resolution not in RESOLUTION_DAYS and resolution not in SECOND_RESOLUTIONS | MINUTE_RESOLUTIONS:
            return error(400, -50, "Invalid resolution")
        if q.get("date_format") != "1" or q.get("cont_flag") != "1":
            return error(400, -50, "date_format=1 and cont_flag=1 expected")
        try:
            start, end = date.fromisoformat(q["range_from"]), date.fromisoformat(q["range_to"])
        except (KeyError, ValueError):
            return error(400, -50, "range_from/range_to must be YYYY-MM-DD")
        cap = 366 if resolution in RESOLUTION_DAYS else 30 if resolution in SECOND_RESOLUTIONS else 100
        if (end - start).days + 1 > cap:
            return error(400, -50, f"range too large for resolution {resolution}")
        with_oi = q.get("oi_flag") == "1"
        candles = []
        day = start
        while day <= end:
            if day.weekday() < 5:
                base = 100.0 + day.toordinal() % 50
                if resolution in RESOLUTION_DAYS:
                    stamps = [int(datetime(day.year, day.month, day.day, tzinfo=IST).timestamp())]
                else:
                    first = int(datetime(day.year, day.month, day.day, 9, 15, tzinfo=IST).timestamp())
                    step = int(resolution[:-1]) if resolution.endswith("S") else int(resolution) * 60
                    stamps = [first + step * k for k in range(3)]
                for k, stamp in enumerate(stamps):
                    row = [stamp, base + k, base + k + 2, base + k - 1, base + k + 1, 1000 + k]
                    candles.append(row + [50000 + k] if with_oi else row)
            day += timedelta(days=1)
        return ok(candles=candles)

    async def _master(self, request: Request) -> Response:
        files = master_files()
        name = request.path_params["name"]
        if name not in files:
            return Response("not found", status_code=404)
        return Response(files[name], media_type="text/csv" if name.endswith(".csv") else "application/json")

    # --- HSM feed -------------------------------------------------------------------------------
    def _feed_handshake(self, connection: ServerConnection, request):
        app_id, _, token = request.headers.get("Authorization", "").partition(":")
        if app_id != self.APP_ID or token not in self.tokens or token in self.expired:
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or expired token\n")
        self._feed_tokens[connection] = token
        return None

    async def _feed(self, connection: ServerConnection) -> None:
        if urlsplit(connection.request.path).path == "/versova":
            await self._tbt_feed(connection)
            return
        state: dict[str, Any] = {"authed": False, "topics": {}, "ids": itertools.count(1)}
        self._feeds[connection] = state
        try:
            async for frame in connection:
                if not isinstance(frame, bytes):
                    await connection.close(4002, "binary frames only")
                    return
                keep = await self._feed_request(connection, state, frame)
                # Recorded once handled, so a test that saw the frame also sees its effect.
                self.feed_frames.append(frame)
                async with self._frames_changed:
                    self._frames_changed.notify_all()
                if not keep:
                    return
        except websockets.ConnectionClosed:
            pass
        finally:
            self._feeds.pop(connection, None)
            self._feed_tokens.pop(connection, None)

    @staticmethod
    def _fields(frame: bytes, offset: int, count: int) -> dict[int, bytes]:
        fields = {}
        for _ in range(count):
            fid, length = struct.unpack_from(">BH", frame, offset)
            offset += 3
            if offset + length > len(frame):
                raise ValueError("field runs past the frame")
            fields[fid] = frame[offset:offset + length]
            offset += length
        if offset != len(frame):
            raise ValueError("trailing bytes")
        return fields

    async def _feed_request(self, connection: ServerConnection, state: dict[str, Any], frame: bytes) -> bool:
        try:
            (length,) = struct.unpack_from(">H", frame, 0)
            kind, count = frame[2], frame[3]
            fields = self._fields(frame, 4, count)
        except (ValueError, IndexError, struct.error) as exc:
            await connection.close(4002, f"malformed request: {exc}")
            return False
        if kind == 1:
            token = self._feed_tokens[connection]
            good = (length == len(frame) - 2 and count == 4 and fields.get(1, b"").decode() == self.tokens[token]["hsm_key"]
                    and fields.get(2) == b"P" and fields.get(3) == b"\x01" and bool(fields.get(4)))
            await connection.send(struct.pack(">HBBBH", 6, 1, 1, 1, 1) + (b"K" if good else b"E"))
            if not good:
                await connection.close(4001, "authentication failed")
                return False
            state["authed"] = True
            return True
        if kind in (4, 5):
            if not state["authed"]:
                await connection.close(4001, "not authenticated")
                return False
            blob = fields.get(1, b"")
            if count != 2 or fields.get(2) != bytes([11]) or length != 6 + len(blob):
                await connection.close(4002, "bad subscription request")
                return False
            try:
                (n,) = struct.unpack_from(">H", blob, 0)
                topics, offset = [], 2
                for _ in range(n):
                    size = blob[offset]
                    topics.append(blob[offset + 1:offset + 1 + size].decode())
                    offset += 1 + size
                if offset != len(blob):
                    raise ValueError("trailing bytes in scrips blob")
            except (ValueError, IndexError, struct.error) as exc:
                await connection.close(4002, f"bad scrips blob: {exc}")
                return False
            await connection.send(struct.pack(">HBB", 2, kind, 0))  # ack
            if kind == 5:
                for topic in topics:
                    state["topics"].pop(topic, None)
                return True
            records = []
            for topic in topics:
                scrip = self.scrip_for_topic(topic)
                if scrip is None or topic in state["topics"]:
                    continue
                topic_id = next(state["ids"])
                state["topics"][topic] = topic_id
                records.append(self.snapshot_record(topic_id, topic, scrip))
            if records:
                await connection.send(self.data_frame(records))
            return True
        await connection.close(4002, f"unknown request type {kind}")
        return False

    def scrip_for_topic(self, topic: str) -> Scrip | None:
        kind, _, rest = topic.partition("|")
        segment, _, key = rest.partition("|")
        for scrip in self.universe:
            if HSM_SEGMENTS.get((scrip.exchange, scrip.segment)) != segment:
                continue
            if kind == "if" and scrip.is_index and scrip.index_name == key:
                return scrip
            if kind in ("sf", "dp") and not scrip.is_index and scrip.exchange_token == key:
                return scrip
        return None

    # --- frame building (struct, from the documented layout) -----------------------------------
    @staticmethod
    def scrip_values(scrip: Scrip) -> list[int]:
        p = lambda value: round(value * 100)  # noqa: E731 - multiplier 1, precision 2
        return [p(scrip.ltp), scrip.volume, 1795000000, 1795000001, 500, 600, p(scrip.ltp - 0.05),
                p(scrip.ltp + 0.05), 25, 5000, 6000, p(scrip.ltp - 1), scrip.oi, p(scrip.low), p(scrip.high),
                p(scrip.high * 1.2), p(scrip.low * 0.8), p(scrip.ltp * 0.9), p(scrip.ltp * 1.1), p(scrip.open),
                p(scrip.prev_close)]

    @staticmethod
    def depth_values(scrip: Scrip) -> list[int]:
        bids = [round((scrip.ltp - 0.05 * i) * 100) for i in range(1, 6)]
        asks = [round((scrip.ltp + 0.05 * i) * 100) for i in range(1, 6)]
        return (bids + asks + [100 * i for i in range(1, 6)] + [110 * i for i in range(1, 6)]
                + list(range(1, 6)) + list(range(2, 7)))

    @staticmethod
    def index_values(scrip: Scrip) -> list[int]:
        p = lambda value: round(value * 100)  # noqa: E731
        return [p(scrip.ltp), p(scrip.prev_close), 1795000002, p(scrip.high), p(scrip.low), p(scrip.open)]

    def snapshot_record(self, topic_id: int, topic: str, scrip: Scrip, multiplier: int = 1, precision: int = 2) -> bytes:
        kind = topic.split("|", 1)[0]
        values = {"sf": self.scrip_values, "dp": self.depth_values, "if": self.index_values}[kind](scrip)
        name = topic.encode()
        record = struct.pack(">BHB", 83, topic_id, len(name)) + name + struct.pack(">B", len(values))
        record += struct.pack(f">{len(values)}i", *values)
        if kind in ("sf", "dp"):
            exchange, token, symbol = b"NSE", scrip.exchange_token.encode(), scrip.ticker.split(":")[1].encode()
            record += b"\x00\x00" + struct.pack(">HB", multiplier, precision)
            for text in (exchange, token, symbol):
                record += struct.pack(">B", len(text)) + text
        return record

    @staticmethod
    def update_record(topic_id: int, values: list[int | None]) -> bytes:
        raw = [INT32_MIN if v is None else v for v in values]
        return struct.pack(">BHB", 85, topic_id, len(raw)) + struct.pack(f">{len(raw)}i", *raw)

    @staticmethod
    def data_frame(records: list[bytes], number: int = 1) -> bytes:
        body = struct.pack(">BIH", 6, number, len(records)) + b"".join(records)
        return struct.pack(">H", len(body)) + body

    async def received(self, count: int) -> list[bytes]:
        """The first `count` client feed frames, once they have arrived."""
        async with self._frames_changed:
            await self._frames_changed.wait_for(lambda: len(self.feed_frames) >= count)
        return self.feed_frames[:count]

    async def push_ltp(self, ticker: str, ltp: float) -> int:
        """Move a scrip's price and send an update record (ltp only) to every subscriber; returns
        the number of frames sent."""
        scrip = self.by_ticker[ticker]
        scrip.ltp = ltp
        sent = 0
        for connection, state in list(self._feeds.items()):
            records = []
            for topic, topic_id in state["topics"].items():
                if self.scrip_for_topic(topic) is scrip and topic.split("|")[0] in ("sf", "if"):
                    records.append(self.update_record(topic_id, [round(ltp * 100)]))
            if records:
                with contextlib.suppress(websockets.ConnectionClosed):
                    await connection.send(self.data_frame(records))
                    sent += 1
        return sent

    async def _tick_loop(self) -> None:
        # Keeps subscribed scrips alive for the generic harness: re-sends each current ltp with a
        # fresh feed time (updates only, so snapshots stay exact for the parser tests).
        while True:
            await asyncio.sleep(self.tick_interval)
            for connection, state in list(self._feeds.items()):
                records = []
                for topic, topic_id in state["topics"].items():
                    scrip = self.scrip_for_topic(topic)
                    if scrip is None:
                        continue
                    kind = topic.split("|")[0]
                    if kind == "sf":
                        records.append(self.update_record(topic_id, [round(scrip.ltp * 100), None, None,
                                                                     int(time.time())]))
                    elif kind == "if":
                        records.append(self.update_record(topic_id, [round(scrip.ltp * 100), None, int(time.time())]))
                if records:
                    with contextlib.suppress(websockets.ConnectionClosed):
                        await connection.send(self.data_frame(records))

    # --- TBT socket (50-level depth) --------------------------------------------------------------
    TBT_SYMBOLS_PER_CONNECTION = 5

    async def _tbt_feed(self, connection: ServerConnection) -> None:
        self.tbt_accepted += 1
        state: dict[str, Any] = {"channels": {}, "resumed": set(), "sent": set()}
        self._tbt[connection] = state
        try:
            async for frame in connection:
                if not isinstance(frame, str):
                    self.tbt_errors.append("binary request frame")
                    await connection.close(4002, "text frames only")
                    return
                if frame == "ping":
                    self.tbt_requests.append(frame)
                    await connection.send("pong")
                    continue
                try:
                    request = json.loads(frame)
                except ValueError:
                    self.tbt_errors.append("request is not JSON")
                    await connection.close(4002, "bad request")
                    return
                self.tbt_requests.append(request)
                error = self._tbt_request(state, request)
                if error:
                    self.tbt_errors.append(error)
                    await connection.send(json.dumps({"error": True, "msg": error}))
                    continue
                await self._tbt_snapshots(connection, state)
        except websockets.ConnectionClosed:
            pass
        finally:
            self._tbt.pop(connection, None)

    def _tbt_request(self, state: dict[str, Any], request: dict) -> str | None:
        data = request.get("data") if isinstance(request, dict) else None
        if not isinstance(data, dict):
            return "request without data"
        if request.get("type") == 2:
            resume, pause = data.get("resumeChannels"), data.get("pauseChannels")
            if not isinstance(resume, list) or not isinstance(pause, list):
                return "resumeChannels and pauseChannels must be lists"
            state["resumed"].update(resume)
            state["resumed"].difference_update(pause)
            return None
        if request.get("type") != 1:
            return f"unknown request type {request.get('type')!r}"
        channel, symbols = data.get("channel"), data.get("symbols")
        if data.get("mode") != "depth" or data.get("subs") not in (1, -1) or not isinstance(symbols, list):
            return "subscribe needs mode 'depth', subs 1 or -1 and a symbols list"
        if not isinstance(channel, str) or not channel.isdigit() or not 1 <= int(channel) <= 50:
            return f"bad channel {channel!r}"
        subscribed = state["channels"].setdefault(channel, set())
        if data["subs"] == -1:
            subscribed.difference_update(symbols)
            state["sent"].difference_update(symbols)
            return None
        for ticker in symbols:
            scrip = self.by_ticker.get(ticker)
            if scrip is None or scrip.is_index or scrip.exchange != 10 or scrip.segment not in (10, 11):
                return f"{ticker}: no 50-level depth"
            subscribed.add(ticker)
        if sum(len(tickers) for tickers in state["channels"].values()) > self.TBT_SYMBOLS_PER_CONNECTION:
            return "more than 5 symbols on one connection"
        return None

    async def _tbt_snapshots(self, connection: ServerConnection, state: dict[str, Any]) -> None:
        """The first message per ticker, once its channel is resumed, is a full snapshot."""
        for channel in state["resumed"]:
            for ticker in sorted(state["channels"].get(channel, ())):
                if ticker not in state["sent"]:
                    state["sent"].add(ticker)
                    await connection.send(tbt_message({self.by_ticker[ticker].fytoken: self.tbt_snapshot(ticker)}))

    def tbt_levels(self, ticker: str) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]:
        """50 bid and ask levels: price in paise, quantity, orders."""
        ltp = self.by_ticker[ticker].ltp
        bids = [(round((ltp - 0.05 * (i + 1)) * 100), 10 * (i + 1), i + 1) for i in range(50)]
        asks = [(round((ltp + 0.05 * (i + 1)) * 100), 15 * (i + 1), i + 2) for i in range(50)]
        return bids, asks

    def tbt_snapshot(self, ticker: str) -> bytes:
        bids, asks = self.tbt_levels(ticker)
        depth = (pb_message(1, pb_wrapper(123_456)) + pb_message(2, pb_wrapper(654_321))
                 + b"".join(pb_message(3, pb_market_level(*level)) for level in asks)
                 + b"".join(pb_message(4, pb_market_level(*level)) for level in bids))
        return (pb_message(5, depth) + pb_message(6, pb_wrapper(int(time.time()))) + pb_string(8, self.by_ticker[ticker].fytoken)
                + pb_varint_field(10, 1) + pb_string(11, ticker))

    async def push_depth_diff(self, ticker: str, level: int, bid_qty: int) -> int:
        """A diff: only bid `level`'s quantity changes (earlier levels are sent empty; no ticker, only
        the token). Returns the number of connections it went to."""
        token = self.by_ticker[ticker].fytoken
        bids = b"".join(pb_message(4, pb_market_level(0, bid_qty if i == level else 0, 0)) for i in range(level + 1))
        feed = pb_message(5, bids) + pb_string(8, token)
        sent = 0
        for connection, state in list(self._tbt.items()):
            if ticker in state["sent"]:
                with contextlib.suppress(websockets.ConnectionClosed):
                    await connection.send(tbt_message({token: feed}, snapshot=False))
                    sent += 1
        return sent

    def tbt_subscribed(self) -> set[str]:
        return {ticker for state in self._tbt.values() for tickers in state["channels"].values() for ticker in tickers}


# --- protobuf by hand (proto3 wire format) -----------------------------------------------------

def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def pb_varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def pb_message(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def pb_string(number: int, text: str) -> bytes:
    return pb_message(number, text.encode())


def pb_wrapper(value: int) -> bytes:
    """google.protobuf.{Int64,UInt32,UInt64}Value: field 1; a zero value is not written (proto3)."""
    return pb_varint_field(1, value) if value else b""


def pb_market_level(price: int, qty: int, orders: int) -> bytes:
    """MarketLevel: 1 price Int64Value, 2 qty UInt32Value, 3 nord UInt32Value (absent when zero)."""
    return b"".join(pb_message(number, pb_wrapper(value))
                    for number, value in ((1, price), (2, qty), (3, orders)) if value)


def tbt_message(feeds: dict[str, bytes], snapshot: bool = True) -> bytes:
    """SocketMessage: 1 type (6 = depth), 2 map<string, MarketFeed> feeds, 3 snapshot."""
    entries = b"".join(pb_message(2, pb_string(1, token) + pb_message(2, feed)) for token, feed in feeds.items())
    return pb_varint_field(1, 6) + entries + (pb_varint_field(3, 1) if snapshot else b"")
