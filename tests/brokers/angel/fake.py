"""A fake Angel One SmartAPI on 127.0.0.1: REST (Starlette), the public scrip master, and the
SmartStream v2 WebSocket with binary packets packed here with `struct` from the documented layout.

Independent of the plugin: it checks what a SmartAPI client must send (the X-* headers, the
private key, Bearer JWTs, JSON bodies with string values, variety/ordertype pairing, lot sizes,
≤50 quote tokens, per-interval history ranges, feed headers and subscribe payloads) and answers
with SmartAPI's envelope and error codes when something is wrong.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import struct
import time
import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.fakes.http_server import serve_app

IST = ZoneInfo("Asia/Kolkata")

API_KEY = "smartapi-test-key"
CLIENT_CODE = "A1234567"
PIN = "4321"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MASTER_PATH = "/OpenAPI_File/files/OpenAPIScripMaster.json"
REQUIRED_HEADERS = {"X-UserType": "USER", "X-SourceID": "WEB"}
PRESENT_HEADERS = ("X-ClientLocalIP", "X-ClientPublicIP", "X-MACAddress")
HISTORY_LIMITS = {"ONE_MINUTE": 30, "THREE_MINUTE": 60, "FIVE_MINUTE": 100, "TEN_MINUTE": 100,
                  "FIFTEEN_MINUTE": 200, "THIRTY_MINUTE": 200, "ONE_HOUR": 400, "ONE_DAY": 2000}
HISTORY_STEP = {"ONE_MINUTE": 1, "THREE_MINUTE": 3, "FIVE_MINUTE": 5, "TEN_MINUTE": 10, "FIFTEEN_MINUTE": 15,
                "THIRTY_MINUTE": 30, "ONE_HOUR": 60}
VARIETY_OF = {"MARKET": "NORMAL", "LIMIT": "NORMAL", "STOPLOSS_LIMIT": "STOPLOSS", "STOPLOSS_MARKET": "STOPLOSS"}
EXCHANGE_TYPE = {"NSE": 1, "NFO": 2, "BSE": 3, "BFO": 4, "MCX": 5, "NCDEX": 7, "CDS": 13}
ORDER_FIELDS = ("variety", "tradingsymbol", "symboltoken", "transactiontype", "exchange", "ordertype",
                "producttype", "duration", "price", "quantity")
MODIFY_FIELDS = ("variety", "orderid", "ordertype", "producttype", "duration", "price", "quantity",
                 "tradingsymbol", "symboltoken", "exchange")


@dataclass
class Scrip:
    """One instrument as the fake knows it (a master row plus market state)."""

    token: str
    symbol: str
    name: str
    exch_seg: str
    instrumenttype: str = ""
    expiry: str = ""
    strike: str = "-1.000000"
    lotsize: int = 1
    tick_paise: int = 5
    ltp: float = 100.0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0
    volume: int = 1000
    oi: int = 0

    def row(self) -> dict[str, str]:
        return {"token": self.token, "symbol": self.symbol, "name": self.name, "expiry": self.expiry,
                "strike": self.strike, "lotsize": str(self.lotsize), "instrumenttype": self.instrumenttype,
                "exch_seg": self.exch_seg, "tick_size": f"{self.tick_paise:.6f}"}


def default_universe(extra_equities: int = 0) -> list[Scrip]:
    scrips = [
        Scrip("3045", "SBIN-EQ", "SBIN", "NSE", ltp=800.5, open=795.0, high=805.25, low=790.1, close=798.0,
              volume=1_234_567),
        Scrip("2885", "RELIANCE-EQ", "RELIANCE", "NSE", ltp=1300.25, open=1295.0, high=1310.0, low=1290.0,
              close=1298.5, volume=987_654),
        Scrip("99926000", "Nifty 50", "NIFTY", "NSE", "AMXIDX", strike="0.000000", tick_paise=0, ltp=24000.0,
              open=23950.0, high=24050.0, low=23900.0, close=23980.0, volume=0),
        Scrip("35001", "NIFTY29DEC26FUT", "NIFTY", "NFO", "FUTIDX", "29DEC2026", lotsize=75, tick_paise=10,
              ltp=24100.0, open=24050.0, high=24150.0, low=24000.0, close=24080.0, volume=50_000, oi=1_200_000),
        Scrip("35002", "NIFTY29DEC2624000CE", "NIFTY", "NFO", "OPTIDX", "29DEC2026", "2400000.000000", 75, 5,
              ltp=150.5, open=140.0, high=160.0, low=135.0, close=145.0, volume=80_000, oi=300_000),
        Scrip("35003", "NIFTY29DEC2624000PE", "NIFTY", "NFO", "OPTIDX", "29DEC2026", "2400000.000000", 75, 5,
              ltp=120.25, open=125.0, high=130.0, low=115.0, close=128.0, volume=70_000, oi=250_000),
    ]
    for n in range(extra_equities):
        scrips.append(Scrip(str(50_000 + n), f"STK{n:03d}-EQ", f"STK{n:03d}", "NSE", ltp=100.0 + n, close=100.0 + n))
    return scrips


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def envelope(data=None, message: str = "SUCCESS", status: int = 200) -> JSONResponse:
    return JSONResponse({"status": True, "message": message, "errorcode": "", "data": data}, status_code=status)


def failure(message: str, code: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"status": False, "message": message, "errorcode": code, "data": None}, status_code=status)


def _paise(value: float) -> int:
    return int(round(value * 100))


@dataclass
class FeedClient:
    connection: ServerConnection
    subscriptions: dict[tuple[int, str], set[int]] = field(default_factory=dict)


class FakeAngelBroker:
    """FakeBroker for Angel One (see tests/fakes/broker_fake.py)."""

    name = "angel"

    def __init__(self, extra_equities: int = 0, start_cash: float = 1_000_000.0,
                 tick_interval: float | None = 0.5) -> None:
        # Periodic ticks to every subscriber, as a market does; None: only `push()` sends (exact-packet tests).
        self.tick_interval = tick_interval
        self._ticker: asyncio.Task | None = None
        self.credentials = {"api_key": API_KEY, "client_code": CLIENT_CODE, "totp_secret": TOTP_SECRET}
        self.urls: dict[str, str] = {}
        self.extra_equities = extra_equities
        self.start_cash = start_cash
        self._stack: AsyncExitStack | None = None
        self._ws_server = None
        self.feed_clients: list[FeedClient] = []
        self.reset()

    def reset(self) -> None:
        """Back to a fresh account and market (lets tests share one running server)."""
        self.scrips = default_universe(self.extra_equities)
        self.by_token = {(s.exch_seg, s.token): s for s in self.scrips}
        self.orders: dict[str, dict] = {}
        self.fills: list[dict] = []
        self.status_override: dict[str, str] = {}
        self.issued: set[str] = set()
        self.expired: set[str] = set()
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, json body)
        self.rate_limit_next = 0  # answer the next N calls with Angel's plain-text 403
        self.fail_next_status: int | None = None  # answer the next call with this HTTP status
        self.oi_down = False  # getOIData answers with a business error
        self.feed_accepted = 0
        self.feed_rejected = 0
        self.pings = 0
        self.subscribe_messages: list[dict] = []
        self.feed_connected = asyncio.Event()
        self._ids = itertools.count(1)
        self._sequence = itertools.count(1)

    # --- FakeBroker protocol ----------------------------------------------------------------------
    async def start(self) -> None:
        self._stack = AsyncExitStack()
        base = await self._stack.enter_async_context(serve_app(self._app()))
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, process_request=self._feed_gate,
                                      compression=None)
        port = self._ws_server.sockets[0].getsockname()[1]
        self.urls = {"api": base, "master": f"{base}{MASTER_PATH}", "feed": f"ws://127.0.0.1:{port}/smart-stream"}
        if self.tick_interval:
            self._ticker = asyncio.create_task(self._tick_forever(), name="angel-fake-ticker")

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            subscribed = {key for client in list(self.feed_clients) for key in client.subscriptions}
            for scrip in self.scrips:
                if (EXCHANGE_TYPE[scrip.exch_seg], scrip.token) in subscribed:
                    with contextlib.suppress(Exception):  # a client dropping mid-send
                        await self.push(scrip.symbol)

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
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def login_params(self, login_url: str | None) -> dict[str, str]:
        return {"pin": PIN, "totp": pyotp.TOTP(TOTP_SECRET).now()}

    def expire_tokens(self) -> None:
        self.expired |= self.issued

    def drop_feed_connections(self) -> None:
        for client in list(self.feed_clients):
            client.connection.transport.abort()  # an abrupt drop, no close handshake

    # --- helpers for tests --------------------------------------------------------------------------
    def scrip(self, symbol: str) -> Scrip:
        return next(s for s in self.scrips if s.symbol == symbol)

    def paths(self, suffix: str) -> list[dict | None]:
        return [body for _, path, body in self.requests if path.endswith(suffix)]

    # --- REST -------------------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        secure = "/rest/secure/angelbroking"
        routes = [
            Route("/rest/auth/angelbroking/user/v1/loginByPassword", self._login, methods=["POST"]),
            Route(f"{secure}/order/v1/placeOrder", self._secure(self._place), methods=["POST"]),
            Route(f"{secure}/order/v1/modifyOrder", self._secure(self._modify), methods=["POST"]),
            Route(f"{secure}/order/v1/cancelOrder", self._secure(self._cancel), methods=["POST"]),
            Route(f"{secure}/order/v1/getOrderBook", self._secure(self._order_book), methods=["GET"]),
            Route(f"{secure}/order/v1/getTradeBook", self._secure(self._trade_book), methods=["GET"]),
            Route(f"{secure}/order/v1/getPosition", self._secure(self._positions), methods=["GET"]),
            Route(f"{secure}/portfolio/v1/getAllHolding", self._secure(self._holdings), methods=["GET"]),
            Route(f"{secure}/user/v1/getRMS", self._secure(self._rms), methods=["GET"]),
            Route(f"{secure}/market/v1/quote/", self._secure(self._quote), methods=["POST"]),
            Route(f"{secure}/historical/v1/getCandleData", self._secure(self._candles), methods=["POST"]),
            Route(f"{secure}/historical/v1/getOIData", self._secure(self._oi), methods=["POST"]),
            Route(f"{secure}/margin/v1/batch", self._secure(self._margin), methods=["POST"]),
            Route(MASTER_PATH, self._master, methods=["GET"]),
        ]
        return Starlette(routes=routes)

    async def _common(self, request: Request) -> tuple[dict | None, Response | None]:
        """Checks every SmartAPI call shares; returns (json body, error response)."""
        body = None
        raw = await request.body()
        if request.method == "POST":
            if request.headers.get("content-type", "").split(";")[0] != "application/json":
                return None, failure("Invalid content type", "AB2000", 400)
            try:
                body = json.loads(raw)
            except ValueError:
                return None, failure("Invalid JSON body", "AB2000", 400)
        self.requests.append((request.method, request.url.path, body))
        if self.fail_next_status is not None:
            status, self.fail_next_status = self.fail_next_status, None
            return body, PlainTextResponse("upstream failure", status_code=status)
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return body, PlainTextResponse("Access denied because of exceeding access rate", status_code=403)
        for name, value in REQUIRED_HEADERS.items():
            if request.headers.get(name) != value:
                return body, failure(f"Invalid or missing header {name}", "AB1005", 400)
        for name in PRESENT_HEADERS:
            if not request.headers.get(name):
                return body, failure(f"Missing header {name}", "AB2000", 400)
        if request.headers.get("accept") != "application/json":
            return body, failure("Missing header Accept", "AB2000", 400)
        if request.headers.get("X-PrivateKey") != API_KEY:
            return body, failure("Invalid API Key", "AG8004", 403)
        return body, None

    def _secure(self, handler):
        async def endpoint(request: Request) -> Response:
            body, error = await self._common(request)
            if error is not None:
                return error
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return JSONResponse({"success": False, "message": "Token missing", "errorCode": "AG8003",
                                     "data": ""}, status_code=401)
            token = auth[7:]
            if token not in self.issued:
                return JSONResponse({"success": False, "message": "Invalid Token", "errorCode": "AG8001",
                                     "data": ""}, status_code=401)
            if token in self.expired:
                return failure("Token Expired", "AG8002")
            return await handler(body)
        return endpoint

    def _jwt(self) -> str:
        now = int(time.time())
        claims = {"username": CLIENT_CODE, "iat": now, "exp": now + 26 * 3600, "jti": uuid.uuid4().hex}
        token = f"{_b64({'alg': 'HS512'})}.{_b64(claims)}.{uuid.uuid4().hex}"
        self.issued.add(token)
        return token

    async def _login(self, request: Request) -> Response:
        body, error = await self._common(request)
        if error is not None:
            return error
        if set(body) != {"clientcode", "password", "totp"} or not all(isinstance(v, str) for v in body.values()):
            return failure("Invalid request payload", "AB1018", 400)
        if body["clientcode"] != CLIENT_CODE:
            return failure("Invalid clientcode", "AB1001")
        if body["password"] != PIN:
            return failure("Invalid PIN", "AB1000")
        if not pyotp.TOTP(TOTP_SECRET).verify(body["totp"], valid_window=1):
            return failure("Invalid totp", "AB1050")
        return envelope({"jwtToken": f"Bearer {self._jwt()}", "refreshToken": uuid.uuid4().hex,
                         "feedToken": f"feed-{uuid.uuid4().hex[:12]}"})

    # --- orders -------------------------------------------------------------------------------------
    def _validate_order(self, body: dict, fields: tuple[str, ...]) -> tuple[Scrip | None, Response | None]:
        missing = [name for name in fields if name not in body]
        if missing:
            return None, failure(f"Invalid request: missing {', '.join(missing)}", "AB2000", 400)
        if not all(isinstance(value, str) for value in body.values()):
            return None, failure("Invalid request: all values must be strings", "AB2000", 400)
        scrip = self.by_token.get((body["exchange"], body["symboltoken"]))
        if scrip is None or scrip.symbol != body["tradingsymbol"]:
            return None, failure("Symbol not found", "AB1009")
        if body["ordertype"] not in VARIETY_OF:
            return None, failure("Invalid order type", "AB2000")
        if VARIETY_OF[body["ordertype"]] != body["variety"]:
            return None, failure("Invalid order variety", "AB1008")
        if body["producttype"] not in ("DELIVERY", "CARRYFORWARD", "INTRADAY"):
            return None, failure("Invalid product type", "AB1012")
        if body["producttype"] == "DELIVERY" and scrip.exch_seg not in ("NSE", "BSE"):
            return None, failure("Invalid product type", "AB1012")
        if body["duration"] not in ("DAY", "IOC"):
            return None, failure("Invalid duration", "AB2000")
        if "transactiontype" in body and body["transactiontype"] not in ("BUY", "SELL"):
            return None, failure("Invalid transaction type", "AB2000")
        quantity = int(body["quantity"])
        if quantity <= 0 or quantity % scrip.lotsize:
            return None, failure(f"Order rejected: quantity must be a multiple of the lot size {scrip.lotsize}",
                                 "AB4036")
        if body["ordertype"] in ("LIMIT", "STOPLOSS_LIMIT") and float(body["price"]) <= 0:
            return None, failure("Order rejected: price is required for a limit order", "AB4035")
        if body["ordertype"].startswith("STOPLOSS") and float(body.get("triggerprice", "0")) <= 0:
            return None, failure("Order rejected: trigger price is required", "AB4035")
        return scrip, None

    def _fill(self, order: dict, scrip: Scrip) -> None:
        quantity = int(order["quantity"])
        order.update(status="complete", orderstatus="complete", filledshares=str(quantity), unfilledshares="0",
                     averageprice=f"{scrip.ltp:.2f}")
        self.fills.append({
            "exchange": order["exchange"], "producttype": order["producttype"], "tradingsymbol": scrip.symbol,
            "instrumenttype": scrip.instrumenttype, "symbolgroup": "EQ", "strikeprice": "-1", "optiontype": "",
            "expirydate": scrip.expiry, "marketlot": str(scrip.lotsize), "precision": "2", "multiplier": "-1",
            "tradevalue": f"{scrip.ltp * quantity:.2f}", "transactiontype": order["transactiontype"],
            "fillprice": f"{scrip.ltp:.2f}", "fillsize": str(quantity), "orderid": order["orderid"],
            "fillid": f"{len(self.fills) + 1:08d}", "filltime": datetime.now(IST).strftime("%H:%M:%S"),
            "symboltoken": scrip.token, "quantity": str(quantity)})

    async def _place(self, body: dict) -> Response:
        scrip, error = self._validate_order(body, ORDER_FIELDS)
        if error is not None:
            return error
        orderid = f"26112900000{next(self._ids):04d}"
        now = datetime.now(IST).strftime("%d-%b-%Y %H:%M:%S")
        order = {
            "variety": body["variety"], "ordertype": body["ordertype"], "producttype": body["producttype"],
            "duration": body["duration"], "price": float(body["price"]), "triggerprice": float(body.get("triggerprice", 0)),
            "quantity": body["quantity"], "disclosedquantity": body.get("disclosedquantity", "0"),
            "squareoff": float(body.get("squareoff", 0)), "stoploss": float(body.get("stoploss", 0)),
            "trailingstoploss": 0.0, "tradingsymbol": scrip.symbol, "transactiontype": body["transactiontype"],
            "exchange": body["exchange"], "symboltoken": scrip.token, "ordertag": body.get("ordertag", ""),
            "instrumenttype": scrip.instrumenttype, "strikeprice": -1.0, "optiontype": "", "expirydate": scrip.expiry,
            "lotsize": str(scrip.lotsize), "cancelsize": "0", "averageprice": 0.0, "filledshares": "0",
            "unfilledshares": body["quantity"], "orderid": orderid, "text": "", "status": "open",
            "orderstatus": "open", "updatetime": now, "exchtime": now, "exchorderupdatetime": now, "fillid": "",
            "filltime": "", "parentorderid": "", "uniqueorderid": str(uuid.uuid4()),
        }
        self.orders[orderid] = order
        cost = scrip.ltp * int(body["quantity"])
        if body["transactiontype"] == "BUY" and cost > self._available():
            order.update(status="rejected", orderstatus="rejected", text="RMS:Margin Exceeds")
        elif body["ordertype"] == "MARKET":
            self._fill(order, scrip)
        elif body["ordertype"].startswith("STOPLOSS"):
            order.update(status="trigger pending", orderstatus="trigger pending")
        return envelope({"script": scrip.symbol, "orderid": orderid, "uniqueorderid": order["uniqueorderid"]})

    async def _modify(self, body: dict) -> Response:
        scrip, error = self._validate_order(body, MODIFY_FIELDS)
        if error is not None:
            return error
        order = self.orders.get(body["orderid"])
        if order is None:
            return failure("Order not found", "AB1013")
        if order["status"] not in ("open", "trigger pending"):
            return failure(f"Order cannot be modified in status {order['status']}", "AB2000")
        order.update(ordertype=body["ordertype"], variety=body["variety"], price=float(body["price"]),
                     quantity=body["quantity"], unfilledshares=body["quantity"],
                     triggerprice=float(body.get("triggerprice", 0)))
        if body["ordertype"] == "MARKET":
            self._fill(order, scrip)
        return envelope({"orderid": body["orderid"], "uniqueorderid": order["uniqueorderid"]})

    async def _cancel(self, body: dict) -> Response:
        if set(body) != {"variety", "orderid"} or not all(isinstance(v, str) for v in body.values()):
            return failure("Invalid request payload", "AB2000", 400)
        order = self.orders.get(body["orderid"])
        if order is None:
            return failure("Order not found", "AB1013")
        if order["variety"] != body["variety"]:
            return failure("Invalid order variety", "AB1008")
        if order["status"] not in ("open", "trigger pending"):
            return failure(f"Order cannot be cancelled in status {order['status']}", "AB2000")
        order.update(status="cancelled", orderstatus="cancelled", cancelsize=order["unfilledshares"],
                     text="Cancelled by user")
        return envelope({"orderid": body["orderid"], "uniqueorderid": order["uniqueorderid"]})

    async def _order_book(self, body) -> Response:
        rows = []
        for orderid, order in self.orders.items():
            row = dict(order)
            if orderid in self.status_override:
                row["status"] = row["orderstatus"] = self.status_override[orderid]
            rows.append(row)
        return envelope(rows or None)

    async def _trade_book(self, body) -> Response:
        return envelope(list(self.fills) or None)

    def _position_rows(self) -> list[dict]:
        books: dict[tuple[str, str, str], dict] = {}
        for fill in self.fills:
            key = (fill["exchange"], fill["symboltoken"], fill["producttype"])
            book = books.setdefault(key, {"buyqty": 0, "sellqty": 0, "buyamount": 0.0, "sellamount": 0.0})
            side = "buy" if fill["transactiontype"] == "BUY" else "sell"
            book[f"{side}qty"] += int(fill["fillsize"])
            book[f"{side}amount"] += float(fill["fillprice"]) * int(fill["fillsize"])
        rows = []
        for (exchange, token, product), book in books.items():
            scrip = self.by_token[(exchange, token)]
            net = book["buyqty"] - book["sellqty"]
            buy_avg = book["buyamount"] / book["buyqty"] if book["buyqty"] else 0.0
            sell_avg = book["sellamount"] / book["sellqty"] if book["sellqty"] else 0.0
            avg = buy_avg if net > 0 else sell_avg if net < 0 else 0.0
            pnl = book["sellamount"] - book["buyamount"] + net * scrip.ltp
            rows.append({
                "exchange": exchange, "symboltoken": token, "producttype": product, "tradingsymbol": scrip.symbol,
                "symbolname": scrip.name, "instrumenttype": scrip.instrumenttype, "priceden": "1.00",
                "pricenum": "1.00", "genden": "1.00", "gennum": "1.00", "precision": "2", "multiplier": "-1",
                "boardlotsize": "1", "buyqty": str(book["buyqty"]), "sellqty": str(book["sellqty"]),
                "buyamount": f"{book['buyamount']:.2f}", "sellamount": f"{book['sellamount']:.2f}",
                "symbolgroup": "EQ", "strikeprice": "-1", "optiontype": "", "expirydate": scrip.expiry,
                "lotsize": str(scrip.lotsize), "cfbuyqty": "0", "cfsellqty": "0", "cfbuyamount": "0.00",
                "cfsellamount": "0.00", "buyavgprice": f"{buy_avg:.2f}", "sellavgprice": f"{sell_avg:.2f}",
                "avgnetprice": f"{avg:.2f}", "netvalue": f"{book['sellamount'] - book['buyamount']:.2f}",
                "netqty": str(net), "totalbuyvalue": f"{book['buyamount']:.2f}",
                "totalsellvalue": f"{book['sellamount']:.2f}", "cfbuyavgprice": "0.00", "cfsellavgprice": "0.00",
                "totalbuyavgprice": f"{buy_avg:.2f}", "totalsellavgprice": f"{sell_avg:.2f}",
                "netprice": f"{avg:.2f}", "ltp": f"{scrip.ltp:.2f}", "pnl": f"{pnl:.2f}",
                "realised": f"{(pnl if net == 0 else 0.0):.2f}", "unrealised": f"{(pnl if net else 0.0):.2f}"})
        return rows

    async def _positions(self, body) -> Response:
        return envelope(self._position_rows() or None)

    async def _holdings(self, body) -> Response:
        sbin = self.scrip("SBIN-EQ")
        holding = {"tradingsymbol": "SBIN-EQ", "exchange": "NSE", "isin": "INE062A01020", "t1quantity": 0,
                   "realisedquantity": 10, "quantity": 10, "authorisedquantity": 0, "product": "DELIVERY",
                   "collateralquantity": None, "collateraltype": None, "haircut": 0, "averageprice": 750.0,
                   "ltp": sbin.ltp, "symboltoken": "3045", "close": sbin.close,
                   "profitandloss": round((sbin.ltp - 750.0) * 10, 2), "pnlpercentage": 6.73}
        return envelope({"holdings": [holding], "totalholding": {
            "totalholdingvalue": sbin.ltp * 10, "totalinvvalue": 7500, "totalprofitandloss": holding["profitandloss"],
            "totalpnlpercentage": 6.73}})

    def _used(self) -> float:
        used = 0.0
        for fill in self.fills:
            value = float(fill["fillprice"]) * int(fill["fillsize"])
            used += value if fill["transactiontype"] == "BUY" else -value
        return max(used, 0.0)

    def _available(self) -> float:
        return self.start_cash - self._used()

    async def _rms(self, body) -> Response:
        used = self._used()
        return envelope({"net": f"{self._available():.2f}", "availablecash": f"{self._available():.2f}",
                         "availableintradaypayin": "0.00", "availablelimitmargin": "0.00", "collateral": "2500.00",
                         "m2munrealized": "0.00", "m2mrealized": "0.00", "utiliseddebits": f"{used:.2f}",
                         "utilisedspan": None, "utilisedoptionpremium": None, "utilisedholdingsales": None,
                         "utilisedexposure": None, "utilisedturnover": None, "utilisedpayout": "0.00"})

    # --- market data ----------------------------------------------------------------------------------
    def _depth(self, scrip: Scrip, levels: int = 5) -> dict:
        step = max(scrip.tick_paise, 5) / 100
        return {"buy": [{"price": round(scrip.ltp - step * (i + 1), 2), "quantity": 100 * (i + 1), "orders": i + 1}
                        for i in range(levels)],
                "sell": [{"price": round(scrip.ltp + step * (i + 1), 2), "quantity": 150 * (i + 1), "orders": i + 2}
                         for i in range(levels)]}

    async def _quote(self, body: dict) -> Response:
        if body.get("mode") not in ("LTP", "OHLC", "FULL") or not isinstance(body.get("exchangeTokens"), dict):
            return failure("Invalid request payload", "AB2000", 400)
        tokens = [(exchange, token) for exchange, items in body["exchangeTokens"].items() for token in items]
        if len(tokens) > 50:
            return failure("Maximum 50 tokens allowed per request", "AB2000", 400)
        fetched, unfetched = [], []
        for exchange, token in tokens:
            scrip = self.by_token.get((exchange, token))
            if scrip is None:
                unfetched.append({"exchange": exchange, "symbolToken": token, "message": "Token not found",
                                  "errorCode": "AB4030"})
                continue
            row = {"exchange": exchange, "tradingSymbol": scrip.symbol, "symbolToken": token, "ltp": scrip.ltp}
            if body["mode"] in ("OHLC", "FULL"):
                row.update(open=scrip.open, high=scrip.high, low=scrip.low, close=scrip.close)
            if body["mode"] == "FULL":
                depth = self._depth(scrip)
                row.update(lastTradeQty=25, exchFeedTime="29-Nov-2026 10:15:30", exchTradeTime="29-Nov-2026 10:15:29",
                           netChange=round(scrip.ltp - scrip.close, 2), percentChange=0.31, avgPrice=scrip.ltp,
                           tradeVolume=scrip.volume, opnInterest=scrip.oi, lowerCircuit=0, upperCircuit=0,
                           totBuyQuan=sum(level["quantity"] for level in depth["buy"]),
                           totSellQuan=sum(level["quantity"] for level in depth["sell"]),
                           **{"52WeekLow": 0, "52WeekHigh": 0}, depth=depth)
            fetched.append(row)
        return envelope({"fetched": fetched, "unfetched": unfetched})

    def _history_request(self, body: dict) -> tuple[tuple | None, Response | None]:
        if set(body) != {"exchange", "symboltoken", "interval", "fromdate", "todate"}:
            return None, failure("Invalid request payload", "AB2000", 400)
        if body["interval"] not in HISTORY_LIMITS:
            return None, failure("Invalid interval", "AB13000", 400)
        try:
            start = datetime.strptime(body["fromdate"], "%Y-%m-%d %H:%M").replace(tzinfo=IST)
            end = datetime.strptime(body["todate"], "%Y-%m-%d %H:%M").replace(tzinfo=IST)
        except (TypeError, ValueError):
            return None, failure("Invalid date format, use yyyy-MM-dd HH:mm", "AB13000", 400)
        if (end.date() - start.date()).days + 1 > HISTORY_LIMITS[body["interval"]]:
            return None, failure("Date range exceeds the limit for the interval", "AB13000", 400)
        scrip = self.by_token.get((body["exchange"], body["symboltoken"]))
        if scrip is None:
            return None, failure("Symbol not found", "AB1009")
        return (scrip, body["interval"], start, end), None

    @staticmethod
    def _bar_times(interval: str, start: datetime, end: datetime):
        day = start.date()
        while day <= end.date():
            if day.weekday() < 5:
                if interval == "ONE_DAY":
                    yield datetime(day.year, day.month, day.day, tzinfo=IST)
                else:
                    # Two bars a day are plenty for the tests: 09:15 and 09:15 + one interval.
                    first = datetime(day.year, day.month, day.day, 9, 15, tzinfo=IST)
                    for moment in (first, first + timedelta(minutes=HISTORY_STEP[interval])):
                        if start <= moment <= end:
                            yield moment
            day += timedelta(days=1)

    async def _candles(self, body: dict) -> Response:
        parsed, error = self._history_request(body)
        if error is not None:
            return error
        scrip, interval, start, end = parsed
        rows = [[moment.isoformat(), scrip.open, scrip.high, scrip.low, scrip.ltp, 1000 + n]
                for n, moment in enumerate(self._bar_times(interval, start, end))]
        return envelope(rows or None)

    async def _oi(self, body: dict) -> Response:
        parsed, error = self._history_request(body)
        if error is not None:
            return error
        scrip, interval, start, end = parsed
        if self.oi_down:
            return failure("Something went wrong, please try again later", "AB1004")
        if scrip.exch_seg not in ("NFO", "BFO", "MCX", "CDS"):
            return failure("OI data available for F&O only", "AB2000")
        return envelope([{"time": moment.isoformat(), "oi": scrip.oi + n}
                         for n, moment in enumerate(self._bar_times(interval, start, end))])

    async def _margin(self, body: dict) -> Response:
        positions = body.get("positions")
        if not isinstance(positions, list) or not positions:
            return failure("Invalid request payload", "AB2000", 400)
        total = span = 0.0
        for item in positions:
            if set(item) != {"exchange", "qty", "price", "productType", "token", "tradeType", "orderType"}:
                return failure("Invalid position payload", "AB2000", 400)
            if not isinstance(item["qty"], int) or not str(item["token"]).isdigit():
                return failure("qty must be a number and token numeric", "AB2000", 400)
            scrip = self.by_token.get((item["exchange"], item["token"]))
            if scrip is None:
                return failure("Symbol not found", "AB1009")
            value = scrip.ltp * item["qty"]
            span += value * 0.1
            total += value * (0.15 if item["productType"] == "CARRYFORWARD" else 0.2)
        return envelope({"totalMarginRequired": round(total, 2), "marginComponents": {
            "netPremium": 0, "spanMargin": round(span, 2), "marginBenefit": 0, "deliveryMargin": 0,
            "nonNFOMargin": 0, "totOptionsPremium": 0}, "marginBreakup": [], "optionsBuy": {}})

    async def _master(self, request: Request) -> Response:
        self.requests.append(("GET", request.url.path, None))
        rows = [scrip.row() for scrip in self.scrips]
        return Response(json.dumps(rows), media_type="application/json")

    # --- SmartStream ------------------------------------------------------------------------------------
    def _feed_gate(self, connection, request):
        headers = request.headers
        ok = (headers.get("x-client-code") == CLIENT_CODE and headers.get("x-api-key") == API_KEY
              and (headers.get("x-feed-token") or "").startswith("feed-")
              and headers.get("Authorization") in self.issued - self.expired)
        if not ok:
            self.feed_rejected += 1
            return connection.respond(401, "Unauthorized\n")
        return None

    async def _feed(self, connection: ServerConnection) -> None:
        client = FeedClient(connection)
        self.feed_clients.append(client)
        self.feed_accepted += 1
        self.feed_connected.set()
        try:
            async for message in connection:
                if message == "ping":
                    self.pings += 1
                    await connection.send("pong")
                    continue
                await self._feed_request(client, message)
        except ConnectionClosed:
            pass
        finally:
            self.feed_clients.remove(client)

    async def _feed_request(self, client: FeedClient, message) -> None:
        try:
            request = json.loads(message)
            action, params = request["action"], request["params"]
            mode, token_list = params["mode"], params["tokenList"]
            assert action in (0, 1) and mode in (1, 2, 3, 4) and isinstance(token_list, list)
            assert len(str(request.get("correlationID", ""))) <= 10
            keys = [(int(group["exchangeType"]), token) for group in token_list for token in group["tokens"]]
            assert all(isinstance(token, str) for _, token in keys)
        except (ValueError, KeyError, TypeError, AssertionError):
            await client.connection.send(json.dumps({"correlationID": "", "errorCode": "E1001",
                                                     "errorMessage": "Invalid Request Payload."}))
            return
        self.subscribe_messages.append(request)
        if action == 1 and mode == 4:  # depth-20: NSE cash only, 50 tokens per connection
            depth_keys = {key for key, modes in client.subscriptions.items() if 4 in modes} | set(keys)
            if any(exchange_type != 1 for exchange_type, _ in keys) or len(depth_keys) > 50:
                await client.connection.send(json.dumps({"correlationID": request.get("correlationID", ""),
                                                         "errorCode": "E1002",
                                                         "errorMessage": "Invalid Request. Subscription Limit Exceeded"}))
                return
        if action == 1:
            if len(set(client.subscriptions) | set(keys)) > 1000:
                await client.connection.send(json.dumps({"correlationID": request.get("correlationID", ""),
                                                         "errorCode": "E1002",
                                                         "errorMessage": "Invalid Request. Subscription Limit Exceeded"}))
                return
            for key in keys:
                client.subscriptions.setdefault(key, set()).add(mode)
            for exchange_type, token in keys:  # a snapshot right after subscribing, like the real feed
                await client.connection.send(self.packet(exchange_type, token, mode))
        else:
            for key in keys:
                client.subscriptions.get(key, set()).discard(mode)

    def _scrip_for(self, exchange_type: int, token: str) -> Scrip | None:
        for (segment, scrip_token), scrip in self.by_token.items():
            if scrip_token == token and EXCHANGE_TYPE.get(segment) == exchange_type:
                return scrip
        return None

    def packet(self, exchange_type: int, token: str, mode: int, exchange_ms: int = 1_795_000_000_123) -> bytes:
        """One SmartStream packet, packed from the documented little-endian layout."""
        scrip = self._scrip_for(exchange_type, token)
        ltp = scrip.ltp if scrip else 0.0
        frame = struct.pack("<B", mode) + struct.pack("<B", exchange_type) + token.encode().ljust(25, b"\0")
        frame += struct.pack("<q", next(self._sequence)) + struct.pack("<q", exchange_ms)
        if mode == 4:  # depth-20: 20 bids then 20 asks, each quantity i32, price i32 (paise), orders i16
            depth = self._depth(scrip, 20) if scrip else {"buy": [], "sell": []}
            for side in (depth["buy"], depth["sell"]):
                for level in side:
                    frame += struct.pack("<i", level["quantity"]) + struct.pack("<i", _paise(level["price"]))
                    frame += struct.pack("<h", level["orders"])
            assert len(frame) == 443 or not scrip
            return frame
        frame += struct.pack("<q", _paise(ltp))
        if mode == 1:
            return frame
        depth = self._depth(scrip) if scrip else {"buy": [], "sell": []}
        frame += struct.pack("<qqq", 25, _paise(ltp - 0.5), scrip.volume if scrip else 0)
        frame += struct.pack("<dd", float(sum(x["quantity"] for x in depth["buy"])),
                             float(sum(x["quantity"] for x in depth["sell"])))
        frame += struct.pack("<qqqq", *(_paise(v) for v in (scrip.open, scrip.high, scrip.low, scrip.close)))
        if mode == 2:
            return frame
        frame += struct.pack("<qqq", exchange_ms // 1000, scrip.oi, 0)
        # Sells first, to prove the reader trusts the flag (0 = sell, 1 = buy), not the order.
        for flag, side in ((0, depth["sell"]), (1, depth["buy"])):
            for level in side:
                frame += struct.pack("<h", flag) + struct.pack("<q", level["quantity"])
                frame += struct.pack("<q", _paise(level["price"])) + struct.pack("<h", level["orders"])
        frame += struct.pack("<qqqq", _paise(ltp * 1.1), _paise(ltp * 0.9), _paise(ltp * 1.3), _paise(ltp * 0.7))
        assert len(frame) == 379
        return frame

    async def push(self, symbol: str, ltp: float | None = None) -> int:
        """Move a scrip's price and send a packet to every subscriber in each of its modes."""
        scrip = self.scrip(symbol)
        if ltp is not None:
            scrip.ltp = ltp
        key = (EXCHANGE_TYPE[scrip.exch_seg], scrip.token)
        sent = 0
        for client in list(self.feed_clients):
            for mode in sorted(client.subscriptions.get(key, ())):
                await client.connection.send(self.packet(*key, mode))
                sent += 1
        return sent


def today_ist() -> date:
    return datetime.now(IST).date()
