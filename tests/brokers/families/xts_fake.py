"""A fake Symphony XTS server on 127.0.0.1, configurable per member broker: the interactive REST API,
the market-data REST API (quotes, OHLC, pipe-delimited master, index list, REST subscriptions) and
the Socket.IO market-data feed (python-socketio's ASGI server), written from the documented wire
format only (xts.md) — never from the plugin's code.

It checks what a client sends (raw `authorization` header with the right token for each API, JSON
bodies, field names and value types, numeric vs string segments) and answers with XTS's envelope
`{"type": "error", "code", "description", "result"}` when anything is off.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import itertools
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import socketio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.http_server import serve_app

USER_ID = "XT1234"
OPENING_CASH = Decimal("500000")
COLLATERAL = Decimal("25000")
# XTS times count seconds from 1980-01-01 00:00 IST; the fake stamps every quote with one instant.
XTS_EPOCH_UNIX = calendar.timegm((1980, 1, 1, 0, 0, 0)) - 19_800
FIXED_UNIX = 1_764_230_400  # 2025-11-27 08:00:00 UTC = 13:30 IST
FIXED_XTS = FIXED_UNIX - XTS_EPOCH_UNIX
SEGMENTS = {"NSECM": 1, "NSEFO": 2, "NSECD": 3, "BSECM": 11, "BSEFO": 12, "MCXFO": 51}
PRODUCTS = {"CNC", "NRML", "MIS"}
ORDER_TYPES = {"MARKET", "LIMIT", "STOPLIMIT", "STOPMARKET"}
BOOK_TYPES = {"MARKET": "Market", "LIMIT": "Limit", "STOPLIMIT": "StopLimit", "STOPMARKET": "StopMarket"}
COMPRESSIONS = {"1", "60", "120", "180", "300", "600", "900", "1800", "3600", "D"}
MESSAGE_CODES = {1501, 1502, 1510, 1512}


@dataclass
class FakeInstrument:
    segment: str
    token: int
    name: str
    description: str
    series: str
    price: Decimal
    lot: int = 1
    tick: str = "0.05"
    expiry: str = ""  # ISO datetime for derivatives
    strike: str = ""
    option_type: str = ""  # 1 FUT, 3 CE, 4 PE
    display: str = ""
    index_name: str = ""  # set for indices (served by /instruments/indexlist)

    @property
    def code(self) -> int:
        return SEGMENTS[self.segment]


def default_universe() -> list[FakeInstrument]:
    return [
        FakeInstrument("NSECM", 3045, "SBIN", "SBIN-EQ", "EQ", Decimal("800.5"), display="SBIN"),
        FakeInstrument("NSECM", 2885, "RELIANCE", "RELIANCE-EQ", "EQ", Decimal("1400"), tick="0.1",
                       display="RELIANCE"),
        FakeInstrument("NSECM", 26000, "NIFTY 50", "", "", Decimal("26000"), index_name="NIFTY 50"),
        FakeInstrument("NSECM", 26001, "NIFTY BANK", "", "", Decimal("59000"), index_name="NIFTY BANK"),
        FakeInstrument("BSECM", 1, "SENSEX", "", "", Decimal("85000"), index_name="SENSEX"),
        FakeInstrument("NSEFO", 35001, "NIFTY", "NIFTY26DECFUT", "FUTIDX", Decimal("26100"), lot=75, tick="0.1",
                       expiry="2026-12-29T14:30:00", option_type="1"),
        FakeInstrument("NSEFO", 35002, "NIFTY", "NIFTY26DEC26000CE", "OPTIDX", Decimal("150"), lot=75,
                       expiry="2026-12-29T14:30:00", strike="26000", option_type="3"),
        FakeInstrument("NSEFO", 35003, "NIFTY", "NIFTY26DEC26000PE", "OPTIDX", Decimal("120"), lot=75,
                       expiry="2026-12-29T14:30:00", strike="26000", option_type="4"),
        FakeInstrument("NSECD", 8001, "USDINR", "USDINR26DEC82.25CE", "OPTCUR", Decimal("0.1225"), lot=1000,
                       tick="0.0025", expiry="2026-12-29T12:00:00", strike="82.25", option_type="2"),
        FakeInstrument("MCXFO", 9001, "CRUDEOIL", "CRUDEOIL26DECFUT", "FUTCOM", Decimal("5400"), lot=100, tick="1",
                       expiry="2026-12-17T23:30:00", option_type="1"),
        FakeInstrument("BSECM", 500112, "SBIN", "STATE BANK OF INDIA", "A", Decimal("800.4"), display="SBIN"),
        FakeInstrument("BSECM", 12, "BANKEX", "BANKEX", "SPOT", Decimal("65000"), display="BANKEX"),
    ]


def master_rows(universe: list[FakeInstrument], segment: str) -> str:
    """Pipe-delimited, no header, column order of xts.md §6 (cash and derivative layouts differ)."""
    rows = []
    for i in universe:
        if i.segment != segment or i.index_name:
            continue
        common = [i.segment, str(i.token), "8" if i.segment in ("NSECM", "BSECM") else "1", i.name, i.description,
                  i.series, f"{i.name}-{i.series}", str(1100100000000 + i.token), "9999", "1", "10000", i.tick,
                  str(i.lot), "1"]
        if segment in ("NSECM", "BSECM"):
            rows.append("|".join(common + [i.display or i.name, "INE000000000", "1", "1", i.description, "-1", "0",
                                           "0"]))
        else:
            rows.append("|".join(common + ["-1", i.name, i.expiry, i.strike or "0", i.option_type,
                                           i.description, "1", "1", i.description]))
    if segment == "NSECM":
        # A series other than EQ (dropped) and a malformed row (skipped and counted).
        rows.append("NSECM|14366|8|TATAGOLD|TATAGOLD-BE|BE|TATAGOLD-BE|1100100014366|12|9|10000|0.01|1|1|TATAGOLD|"
                    "INE1|1|1|TATAGOLD|-1|0|0")
        rows.append("NSECM|notanumber|8|BROKEN")
    if segment == "MCXFO":
        rows.append("MCXFO|9002|1|GOLD|GOLDSPOT|FUTCOM|GOLD-FUTCOM|1100100009002|1|1|1|1|1|1|-1|GOLD|1|0|1|GOLD|"
                    "1|1|GOLD")
    return "\n".join(rows)


def envelope_error(description: str, code: str = "e-app-0001", status: int = 400) -> JSONResponse:
    return JSONResponse({"type": "error", "code": code, "description": description, "result": {}},
                        status_code=status)


def ok(result: Any, description: str = "ok", code: str = "s-app-0001") -> JSONResponse:
    return JSONResponse({"type": "success", "code": code, "description": description, "result": result})


class BadRequest(Exception):
    def __init__(self, description: str, code: str = "e-app-0002", status: int = 400) -> None:
        super().__init__(description)
        self.response = envelope_error(description, code, status)


def _int(body: Mapping[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadRequest(f"{name} must be an integer", "e-orders-0002")
    return value


def _num(body: Mapping[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise BadRequest(f"{name} must be a number", "e-orders-0002")
    return Decimal(repr(value))


class FakeXts:
    """Configured per member by the subclasses in `tests/brokers/<member>/fake.py`."""

    name = "xts"
    md_root = "/apimarketdata"
    socket_path = "/apimarketdata/socket.io"
    login_variant = "session"  # session | thirdparty | placeholder
    segments: tuple[str, ...] = ("NSECM", "NSECD", "NSEFO", "BSECM", "BSEFO", "MCXFO")

    def __init__(self) -> None:
        self.credentials = {"api_key": f"{self.name}-ikey", "api_secret": f"{self.name}-isecret",
                            "market_api_key": f"{self.name}-mkey", "market_api_secret": f"{self.name}-msecret"}
        self.urls: dict[str, str] = {}
        self.double_encode_session = True
        self.sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False,
                                        ping_interval=25, ping_timeout=20)
        self.sio.on("connect", self._sio_connect)
        self.sio.on("disconnect", self._sio_disconnect)
        self._server_cm = None
        self._ticker: asyncio.Task | None = None
        self.tick_interval = 0.5  # seconds between unprompted feed events, like a live market
        self.reset()

    # --- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.universe = default_universe()
        self.by_key = {(i.code, i.token): i for i in self.universe}
        self.interactive_tokens: set[str] = set()
        self.md_tokens: set[str] = set()
        self.access_tokens: set[str] = set()
        self.orders: dict[int, dict[str, Any]] = {}
        self.trades: list[dict[str, Any]] = []
        self.positions: dict[tuple[str, int, str], dict[str, Any]] = {}
        self.cash = OPENING_CASH
        self.ids = itertools.count(1_200_000_001)
        self.subscriptions: dict[str, set[tuple[int, int, int]]] = {}
        self.sockets: dict[str, str] = {}  # socket.io sid → md token
        self.calls: list[tuple[str, str]] = []
        self.ohlc_calls: list[dict[str, str]] = []
        self.holdings = {"INE062A01020": {"ISIN": "INE062A01020", "ExchangeNSEInstrumentId": 3045,
                                          "HoldingQuantity": 10, "BuyAvgPrice": 700.25}}
        self.order_status_override: str | None = None

    # --- FakeBroker --------------------------------------------------------------------------
    async def start(self) -> None:
        routes = [
            Route("/interactive/thirdparty", self.thirdparty),
            Route("/interactive/user/session", self.user_session, methods=["POST"]),
            Route("/interactive/orders", self.orders_route, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/interactive/orders/trades", self.trade_book),
            Route("/interactive/portfolio/positions", self.position_book),
            Route("/interactive/portfolio/holdings", self.holding_book),
            Route("/interactive/user/balance", self.balance),
            Route(f"{self.md_root}/auth/login", self.md_login, methods=["POST"]),
            Route(f"{self.md_root}/instruments/quotes", self.quotes, methods=["POST"]),
            Route(f"{self.md_root}/instruments/ohlc", self.ohlc),
            Route(f"{self.md_root}/instruments/master", self.master, methods=["POST"]),
            Route(f"{self.md_root}/instruments/indexlist", self.index_list),
            Route(f"{self.md_root}/instruments/subscription", self.subscription, methods=["POST", "PUT"]),
        ]
        app = socketio.ASGIApp(self.sio, other_asgi_app=Starlette(routes=routes),
                               socketio_path=self.socket_path.strip("/"))
        self._server_cm = serve_app(app)
        base = await self._server_cm.__aenter__()
        self._ticker = asyncio.create_task(self._tick_forever(), name=f"fake-{self.name}-ticker")
        self.urls = {"api": base, "marketdata": f"{base}{self.md_root}", "feed": base.replace("http://", "ws://"),
                     "login": base}

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for sid in list(self.sockets):
            with contextlib.suppress(Exception):
                await self.sio.disconnect(sid)
        if self._server_cm is not None:
            await self._server_cm.__aexit__(None, None, None)
            self._server_cm = None

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        if self.login_variant != "thirdparty":
            return {}
        assert login_url, "CompositEdge-style logins need the login URL"
        async with httpx.AsyncClient() as client:
            answer = await client.get(login_url, follow_redirects=False)
        assert answer.status_code in (302, 303, 307), answer.text
        return dict(parse_qsl(urlsplit(answer.headers["location"]).query))

    def expire_tokens(self) -> None:
        self.interactive_tokens.clear()
        self.md_tokens.clear()

    def drop_feed_connections(self) -> None:
        for sid in list(self.sockets):
            asyncio.get_running_loop().create_task(self.sio.disconnect(sid))

    # --- helpers -----------------------------------------------------------------------------
    async def _json(self, request: Request) -> dict[str, Any]:
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise BadRequest("Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise BadRequest("body is not JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("body must be a JSON object")
        return body

    def _auth(self, request: Request, tokens: set[str], md: bool) -> str:
        token = request.headers.get("authorization", "")
        self.calls.append((request.method, request.url.path))
        if token.lower().startswith("bearer"):
            raise BadRequest("Invalid Token", "e-session-0007", 400 if md else 401)
        if token not in tokens:
            # Market data answers 400, interactive 401: both say "Invalid Token" (xts.md §8).
            raise BadRequest("Invalid Token", "e-session-0007", 400 if md else 401)
        return token

    def _instrument(self, segment: str, token: int) -> FakeInstrument:
        found = self.by_key.get((SEGMENTS.get(segment, -1), token))
        if found is None:
            raise BadRequest("Instrument not found", "e-orders-0004")
        return found

    @staticmethod
    def _guard(handler):
        async def wrapped(self, request: Request) -> Response:
            try:
                return await handler(self, request)
            except BadRequest as exc:
                return exc.response
        return wrapped

    # --- login -------------------------------------------------------------------------------
    async def thirdparty(self, request: Request) -> Response:
        if self.login_variant != "thirdparty":
            return envelope_error("thirdparty login is not enabled", status=404)
        if request.query_params.get("appKey") != self.credentials["api_key"]:
            return envelope_error("Invalid appKey", "e-user-0002")
        back = request.query_params.get("returnURL")
        if not back:
            return envelope_error("returnURL missing", "e-user-0003")
        access = secrets.token_hex(8)
        self.access_tokens.add(access)
        session = json.dumps({"accessToken": access, "userID": USER_ID, "isInvestorClient": True})
        if self.double_encode_session:
            session = json.dumps(session)  # JSON-encoded twice, as CompositEdge sometimes sends it
        joiner = "&" if "?" in back else "?"
        return RedirectResponse(f"{back}{joiner}{urlencode({'session': session})}", status_code=302)

    @_guard
    async def user_session(self, request: Request) -> Response:
        body = await self._json(request)
        if body.get("appKey") != self.credentials["api_key"] or body.get("secretKey") != self.credentials["api_secret"]:
            return envelope_error("Invalid appKey or secretKey", "e-user-0005")
        if self.login_variant == "session" and (body.get("source") != "WebAPI" or "accessToken" in body):
            return envelope_error("source must be WebAPI", "e-user-0006")
        if self.login_variant == "thirdparty":
            access = body.get("accessToken")
            if access not in self.access_tokens:
                return envelope_error("Invalid accessToken", "e-user-0007")
            self.access_tokens.discard(access)
        if self.login_variant == "placeholder" and not body.get("accessToken"):
            return envelope_error("accessToken missing", "e-user-0007")
        token = "it-" + secrets.token_hex(12)
        self.interactive_tokens.add(token)
        return ok({"token": token, "userID": USER_ID, "isInvestorClient": True}, "login successful",
                  "s-user-0001")

    @_guard
    async def md_login(self, request: Request) -> Response:
        body = await self._json(request)
        if (body.get("appKey") != self.credentials["market_api_key"]
                or body.get("secretKey") != self.credentials["market_api_secret"] or body.get("source") != "WebAPI"):
            return envelope_error("Invalid appKey or secretKey", "e-user-0005")
        token = "md-" + secrets.token_hex(12)
        self.md_tokens.add(token)
        self.subscriptions.setdefault(token, set())
        return ok({"token": token, "userID": USER_ID, "appVersion": "1.0", "application_expiry_date": "2027-01-01"},
                  "login successful", "s-user-0001")

    # --- orders ------------------------------------------------------------------------------
    def _row(self, order: dict[str, Any]) -> dict[str, Any]:
        return dict(order)

    def _fill(self, order: dict[str, Any], instrument: FakeInstrument, price: Decimal) -> None:
        quantity = order["OrderQuantity"]
        order.update(OrderStatus="Filled", OrderAverageTradedPrice=str(price), CumulativeQuantity=quantity,
                     LeavesQuantity=0)
        self.trades.append({**order, "ExecutionID": f"E{order['AppOrderID']}", "LastTradedPrice": float(price),
                            "LastTradedQuantity": quantity, "AppOrderID": float(order["AppOrderID"]),
                            "ExchangeTransactTime": order["OrderGeneratedDateTime"]})
        key = (instrument.segment, instrument.token, order["ProductType"])
        signed = quantity if order["OrderSide"] == "BUY" else -quantity
        position = self.positions.setdefault(key, {
            "ExchangeSegment": instrument.segment, "ExchangeInstrumentId": instrument.token,
            "TradingSymbol": instrument.description or instrument.name, "ProductType": order["ProductType"],
            "Quantity": 0, "BuyAveragePrice": 0.0, "SellAveragePrice": 0.0, "MTM": "0", "RealizedMTM": "0"})
        if signed > 0:
            position["BuyAveragePrice"] = float(price)
        else:
            position["SellAveragePrice"] = float(price)
        position["Quantity"] += signed
        self.cash -= price * signed

    @_guard
    async def orders_route(self, request: Request) -> Response:
        self._auth(request, self.interactive_tokens, md=False)
        if request.method == "GET":
            return ok([self._row(o) for o in self.orders.values()], "order book")
        if request.method == "DELETE":
            return self._cancel(request)
        body = await self._json(request)
        return self._modify(body) if request.method == "PUT" else self._place(body)

    def _place(self, body: dict[str, Any]) -> Response:
        segment = body.get("exchangeSegment")
        if segment not in SEGMENTS:
            raise BadRequest(f"invalid exchangeSegment {segment!r}", "e-orders-0003")
        instrument = self._instrument(segment, _int(body, "exchangeInstrumentID"))
        for name, allowed in (("productType", PRODUCTS), ("orderType", ORDER_TYPES), ("orderSide", {"BUY", "SELL"}),
                              ("timeInForce", {"DAY", "IOC"})):
            if body.get(name) not in allowed:
                raise BadRequest(f"invalid {name} {body.get(name)!r}", "e-orders-0003")
        quantity, disclosed = _int(body, "orderQuantity"), _int(body, "disclosedQuantity")
        limit, stop = _num(body, "limitPrice"), _num(body, "stopPrice")
        if not isinstance(body.get("orderUniqueIdentifier"), str):
            raise BadRequest("orderUniqueIdentifier missing", "e-orders-0003")
        if quantity <= 0 or quantity % instrument.lot:
            raise BadRequest(f"Quantity should be a multiple of lot size {instrument.lot}", "e-orders-0005")
        if body["orderType"] in ("LIMIT", "STOPLIMIT") and limit <= 0:
            raise BadRequest("limitPrice must be greater than 0", "e-orders-0006")
        if instrument.segment == "NSECM" and body["productType"] == "NRML":
            raise BadRequest("RMS: NRML is not allowed for cash segment", "e-orders-0007")
        orderid = next(self.ids)
        now = datetime(2025, 11, 27, 13, 30, 0).strftime("%d-%m-%Y %H:%M:%S")
        order = {
            "AppOrderID": orderid, "ExchangeSegment": instrument.segment,
            "ExchangeInstrumentID": instrument.token, "TradingSymbol": instrument.description or instrument.name,
            "OrderSide": body["orderSide"], "OrderQuantity": quantity, "OrderDisclosedQuantity": disclosed,
            "OrderPrice": float(limit), "OrderStopPrice": float(stop), "OrderType": BOOK_TYPES[body["orderType"]],
            "ProductType": body["productType"], "TimeInForce": body["timeInForce"],
            "OrderStatus": "New", "OrderAverageTradedPrice": "", "CumulativeQuantity": 0, "LeavesQuantity": quantity,
            "OrderGeneratedDateTime": now, "LastUpdateDateTime": now, "CancelRejectReason": "",
            "OrderUniqueIdentifier": body["orderUniqueIdentifier"],
        }
        if body["orderType"] in ("STOPLIMIT", "STOPMARKET"):
            order["OrderStatus"] = "Trigger Pending"
        self.orders[orderid] = order
        if self.order_status_override:
            order["OrderStatus"] = self.order_status_override
        elif body["orderType"] == "MARKET":
            self._fill(order, instrument, instrument.price)
        return ok({"AppOrderID": orderid, "OrderUniqueIdentifier": body["orderUniqueIdentifier"],
                   "ClientID": USER_ID}, "Request sent", "s-orders-0001")

    def _modify(self, body: dict[str, Any]) -> Response:
        order = self.orders.get(_int(body, "appOrderID"))
        if order is None:
            raise BadRequest("Order not found", "e-orders-0008")
        if order["OrderStatus"] not in ("New", "Trigger Pending"):
            raise BadRequest("Order is not open", "e-orders-0009")
        for name in ("modifiedProductType", "modifiedOrderType", "modifiedTimeInForce", "orderUniqueIdentifier"):
            if not isinstance(body.get(name), str):
                raise BadRequest(f"{name} missing", "e-orders-0003")
        if body["modifiedOrderType"] not in ORDER_TYPES or body["modifiedProductType"] not in PRODUCTS:
            raise BadRequest("invalid modified order type or product", "e-orders-0003")
        quantity = _int(body, "modifiedOrderQuantity")
        _int(body, "modifiedDisclosedQuantity")
        order.update(OrderQuantity=quantity, LeavesQuantity=quantity,
                     OrderPrice=float(_num(body, "modifiedLimitPrice")),
                     OrderStopPrice=float(_num(body, "modifiedStopPrice")),
                     OrderType=BOOK_TYPES[body["modifiedOrderType"]], ProductType=body["modifiedProductType"])
        return ok({"AppOrderID": order["AppOrderID"]}, "Request sent", "s-orders-0002")

    def _cancel(self, request: Request) -> Response:
        raw = request.query_params.get("appOrderID", "")
        if not raw.isdigit():
            raise BadRequest("appOrderID missing", "e-orders-0003")
        order = self.orders.get(int(raw))
        if order is None:
            raise BadRequest("Order not found", "e-orders-0008")
        if order["OrderStatus"] not in ("New", "Trigger Pending"):
            raise BadRequest("Order is not open", "e-orders-0009")
        order["OrderStatus"] = "Cancelled"
        return ok({"AppOrderID": order["AppOrderID"]}, "Request sent", "s-orders-0003")

    @_guard
    async def trade_book(self, request: Request) -> Response:
        self._auth(request, self.interactive_tokens, md=False)
        return ok(list(self.trades), "trade book")

    @_guard
    async def position_book(self, request: Request) -> Response:
        self._auth(request, self.interactive_tokens, md=False)
        if request.query_params.get("dayOrNet") not in ("NetWise", "DayWise"):
            raise BadRequest("dayOrNet must be NetWise or DayWise", "e-portfolio-0001")
        return ok({"positionList": list(self.positions.values())}, "positions")

    @_guard
    async def holding_book(self, request: Request) -> Response:
        self._auth(request, self.interactive_tokens, md=False)
        return ok({"RMSHoldings": {"Holdings": self.holdings}}, "holdings")

    @_guard
    async def balance(self, request: Request) -> Response:
        self._auth(request, self.interactive_tokens, md=False)
        limits = {"netMarginAvailable": str(self.cash), "collateral": str(COLLATERAL), "marginUtilized": "1250.5",
                  "UnrealizedMTM": "nan", "RealizedMTM": "-12.5"}
        return ok({"BalanceList": [{"limitHeader": "ALL|ALL|ALL", "limitObject": {"RMSSubLimits": limits}}]},
                  "balance")

    # --- market data ---------------------------------------------------------------------------
    def touchline(self, i: FakeInstrument) -> dict[str, Any]:
        price = float(i.price)
        step = float(i.tick)
        return {
            "LastTradedPrice": price, "LastTradedQunatity": 5, "LastTradedTime": FIXED_XTS,
            "LastUpdateTime": FIXED_XTS, "TotalTradedQuantity": 123456, "AverageTradedPrice": round(price * 0.999, 4),
            "Open": round(price * 0.99, 4), "High": round(price * 1.02, 4), "Low": round(price * 0.98, 4),
            "Close": round(price * 0.995, 4), "TotalBuyQuantity": 5000, "TotalSellQuantity": 6000,
            "BidInfo": {"Price": round(price - step, 4), "Size": 100, "TotalOrders": 3},
            "AskInfo": {"Price": round(price + step, 4), "Size": 150, "TotalOrders": 4},
        }

    def payload(self, i: FakeInstrument, code: int) -> dict[str, Any]:
        head = {"MessageCode": code, "ExchangeSegment": i.code, "ExchangeInstrumentID": i.token}
        line = self.touchline(i)
        if code == 1512:
            return {**head, "LastTradedPrice": line["LastTradedPrice"], "LastTradedQunatity": 5,
                    "LastTradedTime": FIXED_XTS}
        if code == 1501:
            return {**head, **line}
        if code == 1510:
            return {**head, "OpenInterest": 4200}
        step = float(i.tick)
        price = float(i.price)
        bids = [{"Size": 100 * (n + 1), "Price": round(price - step * (n + 1), 4), "TotalOrders": n + 1}
                for n in range(5)]
        asks = [{"Size": 150 * (n + 1), "Price": round(price + step * (n + 1), 4), "TotalOrders": n + 2}
                for n in range(5)]
        return {**head, "Touchline": line, "Bids": bids, "Asks": asks}

    def _refs(self, body: Mapping[str, Any], limit: int | None = None) -> list[FakeInstrument]:
        refs = body.get("instruments")
        if not isinstance(refs, list) or not refs:
            raise BadRequest("instruments missing", "e-instrument-0001")
        if limit and len(refs) > limit:
            raise BadRequest(f"at most {limit} instruments per request", "e-instrument-0002")
        found = []
        for ref in refs:
            if not isinstance(ref, dict):
                raise BadRequest("instrument must be an object", "e-instrument-0001")
            segment, token = _int(ref, "exchangeSegment"), _int(ref, "exchangeInstrumentID")
            instrument = self.by_key.get((segment, token))
            if instrument is not None:
                found.append(instrument)
        return found

    @_guard
    async def quotes(self, request: Request) -> Response:
        self._auth(request, self.md_tokens, md=True)
        body = await self._json(request)
        code = body.get("xtsMessageCode")
        if code not in MESSAGE_CODES or body.get("publishFormat") != "JSON":
            raise BadRequest("xtsMessageCode or publishFormat invalid", "e-instrument-0003")
        found = self._refs(body, limit=50)
        return ok({"mdp": code, "listQuotes": [json.dumps(self.payload(i, code)) for i in found],
                   "quotesList": [{"exchangeSegment": i.code, "exchangeInstrumentID": i.token} for i in found]},
                  "quotes")

    @_guard
    async def ohlc(self, request: Request) -> Response:
        self._auth(request, self.md_tokens, md=True)
        q = request.query_params
        self.ohlc_calls.append(dict(q))
        segment = q.get("exchangeSegment", "")
        token = q.get("exchangeInstrumentID", "")
        if segment not in SEGMENTS or not token.isdigit():
            raise BadRequest("exchangeSegment / exchangeInstrumentID invalid", "e-ohlc-0001")
        self._instrument(segment, int(token))
        compression = q.get("compressionValue", "")
        if compression not in COMPRESSIONS:
            raise BadRequest(f"invalid compressionValue {compression!r}", "e-ohlc-0002")
        try:
            start = datetime.strptime(q.get("startTime", ""), "%b %d %Y %H%M%S")
            end = datetime.strptime(q.get("endTime", ""), "%b %d %Y %H%M%S")
        except ValueError:
            raise BadRequest("startTime/endTime must be 'MMM DD YYYY HHMMSS'", "e-ohlc-0003") from None
        if end < start or end - start > timedelta(days=7):
            raise BadRequest("range too large", "e-ohlc-0004")
        bars = []
        day = start.date()
        while day <= end.date():
            if day.weekday() < 5:
                if compression == "D":
                    stamps = [calendar.timegm((day.year, day.month, day.day, 0, 0, 0))]
                else:
                    step = int(compression)
                    first = calendar.timegm((day.year, day.month, day.day, 9, 15, 0))  # IST wall clock as UTC
                    stamps = [first + n * step for n in range(3)]
                for n, stamp in enumerate(stamps):
                    base = 100 + day.day + n
                    bars.append(f"{stamp}|{base}|{base + 2}|{base - 1}|{base + 1}|{1000 + n}|0|")
            day += timedelta(days=1)
        return ok({"exchangeSegment": segment, "exchangeInstrumentID": int(token), "dataReponse": ",".join(bars)},
                  "ohlc")

    @_guard
    async def master(self, request: Request) -> Response:
        self._auth(request, self.md_tokens, md=True)
        body = await self._json(request)
        segments = body.get("exchangeSegmentList")
        if not isinstance(segments, list) or not segments or any(s not in self.segments for s in segments):
            raise BadRequest(f"invalid exchangeSegmentList {segments!r}", "e-instrument-0004")
        return ok("\n".join(master_rows(self.universe, s) for s in segments), "master")

    @_guard
    async def index_list(self, request: Request) -> Response:
        self._auth(request, self.md_tokens, md=True)
        code = request.query_params.get("exchangeSegment", "")
        if code not in ("1", "11"):
            raise BadRequest("exchangeSegment must be 1 or 11", "e-instrument-0005")
        names = [f"{i.index_name}_{i.token}" for i in self.universe if i.index_name and str(i.code) == code]
        return ok({"exchangeSegment": int(code), "indexList": names}, "index list")

    @_guard
    async def subscription(self, request: Request) -> Response:
        token = self._auth(request, self.md_tokens, md=True)
        body = await self._json(request)
        code = body.get("xtsMessageCode")
        if code not in MESSAGE_CODES:
            raise BadRequest("xtsMessageCode invalid", "e-instrument-0003")
        found = self._refs(body)
        subscribed = self.subscriptions.setdefault(token, set())
        keys = {(i.code, i.token, code) for i in found}
        if request.method == "PUT":
            subscribed -= keys
            return ok({"mdp": code, "listQuotes": []}, "unsubscribed")
        if keys and keys <= subscribed:
            raise BadRequest("Instrument Already Subscribed !", "e-session-0002")
        subscribed |= keys
        return ok({"mdp": code, "quotesList": [], "listQuotes": [json.dumps(self.payload(i, code)) for i in found]},
                  "subscribed")

    # --- Socket.IO feed ------------------------------------------------------------------------
    async def _sio_connect(self, sid: str, environ: dict, auth: Any = None) -> bool:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if query.get("token") not in self.md_tokens or query.get("userID") != USER_ID:
            raise socketio.exceptions.ConnectionRefusedError("Invalid Token")
        if query.get("publishFormat") != "JSON" or query.get("broadcastMode") not in ("Full", "Partial"):
            raise socketio.exceptions.ConnectionRefusedError("publishFormat/broadcastMode invalid")
        self.sockets[sid] = query["token"]
        return True

    async def _sio_disconnect(self, sid: str, *args: Any) -> None:
        self.sockets.pop(sid, None)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            with contextlib.suppress(Exception):  # a socket closing mid-emit is not the ticker's end
                await self.push_ticks()

    async def push_ticks(self, change: Decimal = Decimal(0)) -> int:
        """Move every price by `change` and emit one `<code>-json-full` event per subscription."""
        if change:
            for instrument in self.universe:
                instrument.price += change
        sent = 0
        for sid, token in list(self.sockets.items()):
            for segment, instrument_id, code in sorted(self.subscriptions.get(token, set())):
                instrument = self.by_key[(segment, instrument_id)]
                await self.sio.emit(f"{code}-json-full", json.dumps(self.payload(instrument, code)), to=sid)
                sent += 1
        return sent


