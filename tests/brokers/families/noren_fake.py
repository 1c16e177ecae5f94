"""A fake Noren OMS on 127.0.0.1, configurable per member broker (`FakeSpec`): the OAuth login page
and token exchange, the `jData=` REST endpoints, the master files (zips or Flattrade CSVs) and the
JSON market-data WebSocket — written from the documented wire format only, never from the plugin.

It checks what a client sends: the body style (Bearer + `text/plain` jData, or form
`jData=…&jKey=…`), the JSON inside jData (split on `&` first and not URL-decoded, as the real server
does), `uid`/`actid`, that numbers are strings, required fields, the MKT ban, the login checksum;
and answers `{"stat":"Not_Ok","emsg":…}` when anything is off, so a plugin that speaks the protocol
wrong fails its tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import io
import itertools
import json
import secrets
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
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
REDIRECT_URL = "http://127.0.0.1:9/callback"  # the URL "registered" on the fake OAuth app
FIXED_TIME = 1_764_230_400  # 2025-11-27 08:00:00 UTC = 13:30 IST, the `ft` of every feed message
OPENING_CASH = Decimal("1000000")
COLLATERAL = Decimal("50000")
EXPIRED = "Session Expired :  Invalid Session Key"
CHART_ENDPOINTS = {"TPSeries", "EODChartData"}
INTRV_MAX_DAYS = {"1": 5, "3": 10, "5": 20, "10": 40, "15": 60, "30": 90, "60": 180, "120": 180, "240": 365}


@dataclass(frozen=True)
class FakeSpec:
    name: str
    rest_path: str  # e.g. /NorenWClientAPI
    auth: str = "genacstok"  # or "flattrade"
    body: str = "bearer"  # or "jkey"
    chart_jkey: bool = False  # chart endpoints refuse Bearer and want jKey form bodies
    mkt_banned: bool = True
    slmkt_banned: bool = True
    master: str = "zip"  # or "csv"
    tick_paise: bool = False  # NSE/BSE TickSize written in paise
    uid_from_login: bool = False  # the plugin learns the uid from the GenAcsTok answer
    intervals: tuple[str, ...] = ("1", "3", "5", "10", "15", "30", "60", "120", "240")
    order_margin: bool = False  # GetOrderMargin (TradeSmart) instead of GetBasketMargin
    basket_margin: bool = True
    uid: str = "FA12345"
    api_key: str = "fake-client-id"
    api_secret: str = "fake-secret-key"

    @property
    def credentials(self) -> dict[str, str]:
        values = {"api_key": self.api_key, "api_secret": self.api_secret}
        if not self.uid_from_login:
            values["user_id"] = self.uid
        return values


@dataclass
class Scrip:
    exch: str
    token: str
    tsym: str
    symbol: str  # the file's Symbol column (underlying)
    price: Decimal
    lot: int = 1
    tick: str = "0.05"
    instrument: str = "EQ"
    expiry: str = ""  # DD-MON-YYYY
    strike: str = "0"
    option: str = "XX"

    @property
    def key(self) -> str:
        return f"{self.exch}|{self.token}"


def universe() -> list[Scrip]:
    return [
        Scrip("NSE", "3045", "SBIN-EQ", "SBIN", Decimal("800.50")),
        Scrip("NSE", "2885", "RELIANCE-EQ", "RELIANCE", Decimal("1400.00"), tick="0.10"),
        Scrip("NSE", "2031", "M&M-EQ", "M&M", Decimal("3000.00")),
        Scrip("NSE", "26000", "Nifty 50", "NIFTY", Decimal("26000.00"), instrument="INDEX"),
        Scrip("NSE", "26009", "Nifty Bank", "BANKNIFTY", Decimal("59000.00"), instrument="INDEX"),
        Scrip("NSE", "26017", "India VIX", "INDIAVIX", Decimal("13.50"), instrument="INDEX"),
        Scrip("BSE", "500112", "SBIN", "SBIN", Decimal("800.60"), instrument="A"),
        Scrip("NFO", "35001", "NIFTY30DEC26F", "NIFTY", Decimal("26100.00"), 75, "0.10", "FUTIDX", "30-DEC-2026"),
        Scrip("NFO", "35002", "NIFTY30DEC26C26000", "NIFTY", Decimal("150.00"), 75, "0.05", "OPTIDX", "30-DEC-2026",
              "26000.00", "CE"),
        Scrip("NFO", "35003", "NIFTY30DEC26P26000", "NIFTY", Decimal("120.00"), 75, "0.05", "OPTIDX", "30-DEC-2026",
              "26000.00", "PE"),
        Scrip("BFO", "870001", "SENSEX2612485000CE", "", Decimal("310.00"), 20, "0.05", "OPTIDX", "24-DEC-2026",
              "85000.00", "CE"),
        Scrip("CDS", "1234", "USDINR30DEC26C82.25", "USDINR", Decimal("0.1225"), 1000, "0.0025", "OPTCUR",
              "30-DEC-2026", "82.2500", "CE"),
        Scrip("MCX", "440001", "CRUDEOIL17DEC26", "CRUDEOIL", Decimal("5400.00"), 100, "1.00", "FUTCOM",
              "17-DEC-2026"),
    ]


class NorenRefusal(Exception):
    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def not_ok(message: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"stat": "Not_Ok", "emsg": message}, status_code=status)


def _f(value: Decimal) -> str:
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)


class FakeNoren:
    """One member's fake. Subclasses set `SPEC`."""

    SPEC: FakeSpec

    def __init__(self, *, tick_interval: float = 0.05) -> None:
        self.spec = self.SPEC
        self.name = self.spec.name
        self.credentials = self.spec.credentials
        self.tick_interval = tick_interval
        self.urls: dict[str, str] = {}
        self._server_cm = None
        self._ws_server: Server | None = None
        self._ticker: asyncio.Task | None = None
        self._browser: httpx.AsyncClient | None = None
        self.access_tokens: set[str] = set()
        self.codes: set[str] = set()
        self.scrips = universe()
        self.reset()

    # --- FakeBroker --------------------------------------------------------------------------
    def reset(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.fills: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.requests: list[dict[str, Any]] = []  # raw: endpoint, content type, auth style
        self.feed_messages: list[dict[str, Any]] = []
        self.feeds: dict[ServerConnection, dict[str, set[str]]] = {}
        self._ids = itertools.count(25112700000001)
        self._trade_ids = itertools.count(900001)

    async def start(self) -> None:
        self._server_cm = serve_app(self._app())
        base = await self._server_cm.__aenter__()
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, compression=None)
        port = self._ws_server.sockets[0].getsockname()[1]
        rest = f"{base}{self.spec.rest_path}"
        self.urls = {
            "login": f"{base}/ftauth" if self.spec.auth == "flattrade" else f"{base}/OAuthlogin/authorize/oauth",
            "api": rest,
            "auth": f"{base}/trade/apitoken" if self.spec.auth == "flattrade" else f"{rest}/GenAcsTok",
            "feed": f"ws://127.0.0.1:{port}/NorenWSAPI/",
            "master": f"{base}/scripmaster" if self.spec.master == "csv" else base,
        }
        self._ticker = asyncio.create_task(self._tick_loop(), name=f"fake-{self.name}-ticker")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._browser is not None:
            await self._browser.aclose()
            self._browser = None
        if self._ws_server is not None:
            self._ws_server.close()
            await self._ws_server.wait_closed()
            self._ws_server = None
        if self._server_cm is not None:
            await self._server_cm.__aexit__(None, None, None)
            self._server_cm = None

    async def login_params(self, login_url: str | None) -> Mapping[str, str]:
        """Follow the login URL as the browser would and return the callback's query."""
        assert login_url, f"{self.name} is an OAuth broker: a login URL is required"
        if self._browser is None:
            self._browser = httpx.AsyncClient()
        response = await self._browser.get(login_url, follow_redirects=False)
        if response.status_code != 302:
            raise AssertionError(f"fake {self.name} login page refused: {response.status_code} {response.text}")
        return dict(parse_qsl(urlsplit(response.headers["location"]).query))

    def expire_tokens(self) -> None:
        self.access_tokens.clear()

    def drop_feed_connections(self) -> None:
        for connection in list(self.feeds):
            asyncio.ensure_future(connection.close(1011, "dropped by the fake"))

    # --- helpers for tests -------------------------------------------------------------------
    def scrip(self, exch: str, tsym: str) -> Scrip | None:
        return next((s for s in self.scrips if s.exch == exch and s.tsym == tsym), None)

    def by_token(self, exch: str, token: str) -> Scrip | None:
        return next((s for s in self.scrips if s.exch == exch and s.token == token), None)

    def last(self, endpoint: str) -> dict[str, Any]:
        return next(p for e, p in reversed(self.calls) if e == endpoint)

    # --- HTTP --------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        routes = [
            Route("/OAuthlogin/authorize/oauth", self._login_page),
            Route("/ftauth", self._login_page),
            Route("/trade/apitoken", self._flattrade_token, methods=["POST"]),
            Route(f"{self.spec.rest_path}/GenAcsTok", self._genacstok, methods=["POST"]),
            Route(f"{self.spec.rest_path}/{{endpoint}}", self._rest, methods=["POST"]),
            Route("/{exch}_symbols.txt.zip", self._zip),
            Route("/scripmaster/{file}", self._csv),
        ]
        return Starlette(routes=routes)

    async def _login_page(self, request: Request) -> Response:
        flattrade = self.spec.auth == "flattrade"
        key = request.query_params.get("app_key" if flattrade else "client_id")
        if key != self.spec.api_key:
            return PlainTextResponse("unknown app", status_code=400)
        code = secrets.token_hex(8)
        self.codes.add(code)
        query = {"code": code}
        if flattrade:
            query["client"] = self.spec.uid
        return RedirectResponse(f"{REDIRECT_URL}?{urlencode(query)}", status_code=302)

    async def _genacstok(self, request: Request) -> Response:
        if self.spec.auth != "genacstok":
            return PlainTextResponse("not found", status_code=404)
        if request.headers.get("content-type", "").split(";")[0] != "text/plain":
            return not_ok("Invalid Input : content type must be text/plain")
        body = (await request.body()).decode()
        if not body.startswith("jData=") or "&" in body:
            return not_ok("Invalid Input : jData is not valid json object")
        try:
            data = json.loads(body[6:])
        except ValueError:
            return not_ok("Invalid Input : jData is not valid json object")
        code = data.get("code")
        expected = hashlib.sha256(f"{self.spec.api_key}{self.spec.api_secret}{code}".encode()).hexdigest()
        if code not in self.codes:
            return not_ok("Invalid code")
        if data.get("checksum") != expected:
            return not_ok("Invalid checksum")
        self.codes.discard(code)
        token = secrets.token_hex(16)
        self.access_tokens.add(token)
        answer = {"stat": "Ok", "access_token": token, "refresh_token": secrets.token_hex(8),
                  "expires_in": str(FIXED_TIME + 86400), "uname": "FAKE TRADER", "prarr": [], "exarr": []}
        # The uid/actid comes back for every member; only some plugins rely on it.
        answer.update({"uid": self.spec.uid, "actid": self.spec.uid})
        return JSONResponse(answer)

    async def _flattrade_token(self, request: Request) -> Response:
        if self.spec.auth != "flattrade":
            return PlainTextResponse("not found", status_code=404)
        try:
            data = await request.json()
        except ValueError:
            return JSONResponse({"stat": "Not_Ok", "emsg": "Invalid JSON"}, status_code=400)
        code = data.get("request_code")
        expected = hashlib.sha256(f"{self.spec.api_key}{code}{self.spec.api_secret}".encode()).hexdigest()
        if data.get("api_key") != self.spec.api_key or code not in self.codes:
            return JSONResponse({"stat": "Not_Ok", "emsg": "Invalid request code"})
        if data.get("api_secret") != expected:
            return JSONResponse({"stat": "Not_Ok", "emsg": "Invalid api_secret"})
        self.codes.discard(code)
        token = secrets.token_hex(16)
        self.access_tokens.add(token)
        return JSONResponse({"stat": "Ok", "token": token, "client": self.spec.uid})

    def _authenticate(self, request: Request, endpoint: str, body: str) -> dict[str, Any]:
        parts = body.split("&")  # the real server splits before parsing: a raw & truncates jData
        if not parts[0].startswith("jData="):
            raise NorenRefusal("Invalid Input : jData is missing")
        extra = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        content_type = request.headers.get("content-type", "").split(";")[0]
        jkey_style = self.spec.body == "jkey" or (endpoint in CHART_ENDPOINTS and self.spec.chart_jkey)
        self.requests.append({"endpoint": endpoint, "content_type": content_type, "jkey": "jKey" in extra,
                              "bearer": request.headers.get("authorization", "").startswith("Bearer ")})
        if jkey_style:
            if content_type != "application/x-www-form-urlencoded":
                raise NorenRefusal("Invalid Input : content type must be application/x-www-form-urlencoded")
            if "jKey" not in extra:
                raise NorenRefusal("Invalid Input : jKey is required")
            token = extra["jKey"]
        else:
            if content_type != "text/plain":
                raise NorenRefusal("Invalid Input : content type must be text/plain")
            if "jKey" in extra:
                raise NorenRefusal("Invalid Input : jKey is not accepted, use the Authorization header")
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer "):
                raise NorenRefusal("Invalid Input : Authorization header missing")
            token = auth[7:]
        if token not in self.access_tokens:
            raise NorenRefusal(EXPIRED)
        try:
            data = json.loads(parts[0][6:])
        except ValueError:
            raise NorenRefusal("Invalid Input : jData is not valid json object") from None
        if not isinstance(data, dict):
            raise NorenRefusal("Invalid Input : jData is not valid json object")
        if data.get("uid") != self.spec.uid:
            raise NorenRefusal("Invalid Input : Invalid uid")
        for key, value in data.items():
            if key != "basketlists" and not isinstance(value, str):
                raise NorenRefusal(f"Invalid Input : {key} must be a string")
        return data

    async def _rest(self, request: Request) -> Response:
        endpoint = request.path_params["endpoint"]
        handler = getattr(self, f"_op_{endpoint}", None)
        if handler is None:
            return PlainTextResponse("not found", status_code=404)
        try:
            data = self._authenticate(request, endpoint, (await request.body()).decode())
            self.calls.append((endpoint, data))
            return JSONResponse(handler(data))
        except NorenRefusal as refusal:
            return not_ok(refusal.message, refusal.status)

    @staticmethod
    def _need(data: Mapping[str, Any], *names: str) -> None:
        missing = [n for n in names if n not in data]
        if missing:
            raise NorenRefusal(f"Invalid Input : Missing {' or '.join(missing)}.")

    def _need_actid(self, data: Mapping[str, Any]) -> None:
        self._need(data, "actid")
        if data["actid"] != self.spec.uid:
            raise NorenRefusal("Invalid Input : Invalid actid")

    # --- orders ------------------------------------------------------------------------------
    def _check_price_type(self, prctyp: str) -> None:
        if prctyp not in ("MKT", "LMT", "SL-LMT", "SL-MKT"):
            raise NorenRefusal(f"Invalid Input : Invalid Price Type {prctyp}")
        if (prctyp == "MKT" and self.spec.mkt_banned) or (prctyp == "SL-MKT" and self.spec.slmkt_banned):
            raise NorenRefusal(f"ALGO_CHK: {prctyp.replace('-', ' ')} Order type not allowed for API order")

    def _op_PlaceOrder(self, data: dict[str, Any]) -> dict[str, Any]:
        self._need(data, "actid", "exch", "tsym", "qty", "prc", "prd", "trantype", "prctyp", "ret")
        self._need_actid(data)
        if data.get("ordersource") != "API":
            raise NorenRefusal("Invalid Input : ordersource must be API")
        scrip = self.scrip(data["exch"], data["tsym"])
        if scrip is None or scrip.instrument == "INDEX":
            raise NorenRefusal("Invalid Input : Invalid Trading Symbol")
        self._check_price_type(data["prctyp"])
        if data["prd"] not in ("C", "M", "I") or data["trantype"] not in ("B", "S") or data["ret"] != "DAY":
            raise NorenRefusal("Invalid Input : Invalid prd, trantype or ret")
        qty, price = int(data["qty"]), Decimal(data["prc"])
        if qty <= 0 or qty % scrip.lot:
            raise NorenRefusal(f"Invalid Input : Quantity should be a multiple of lot size {scrip.lot}")
        if data["prctyp"] in ("LMT", "SL-LMT") and price <= 0:
            raise NorenRefusal("Invalid Input : Price should be greater than 0")
        orderid = str(next(self._ids))
        order = {"norenordno": orderid, "exch": scrip.exch, "tsym": scrip.tsym, "token": scrip.token,
                 "qty": data["qty"], "prc": data["prc"], "trgprc": data.get("trgprc", "0"),
                 "prctyp": data["prctyp"], "prd": data["prd"], "trantype": data["trantype"],
                 "dscqty": data.get("dscqty", "0"), "ret": "DAY", "status": "OPEN", "fillshares": "0",
                 "avgprc": "0.00", "rejreason": "", "norentm": self._now(), "remarks": data.get("remarks", ""),
                 "uid": self.spec.uid, "actid": self.spec.uid}
        self.orders[orderid] = order
        if qty > 100_000:  # an RMS refusal: recorded as a REJECTED order, as Noren does
            order.update(status="REJECTED", rejreason="RED:Margin Shortfall:INR 1,23,45,678.00 Available:INR 0")
        else:
            self._match(order, scrip)
        return {"stat": "Ok", "norenordno": orderid, "request_time": self._now()}

    def _match(self, order: dict[str, Any], scrip: Scrip) -> None:
        if order["prctyp"] in ("SL-LMT", "SL-MKT"):
            order["status"] = "TRIGGER_PENDING"
            return
        price, buy = Decimal(order["prc"]), order["trantype"] == "B"
        marketable = order["prctyp"] == "MKT" or (price >= scrip.price if buy else price <= scrip.price)
        if not marketable:
            order["status"] = "OPEN"
            return
        order.update(status="COMPLETE", fillshares=order["qty"], avgprc=_f(scrip.price))
        self.fills.append({"norenordno": order["norenordno"], "flid": str(next(self._trade_ids)),
                           "exch": scrip.exch, "tsym": scrip.tsym, "token": scrip.token, "prd": order["prd"],
                           "trantype": order["trantype"], "qty": order["qty"], "flqty": order["qty"],
                           "flprc": _f(scrip.price), "avgprc": _f(scrip.price), "norentm": order["norentm"],
                           "fltm": datetime.now(IST).strftime("%d-%m-%Y %H:%M:%S"), "prctyp": order["prctyp"]})

    def _op_ModifyOrder(self, data: dict[str, Any]) -> dict[str, Any]:
        self._need(data, "exch", "norenordno", "tsym", "qty", "prc", "prctyp", "ret")
        order = self.orders.get(data["norenordno"])
        if order is None:
            raise NorenRefusal("Invalid Input : Invalid Order Number")
        if order["status"] not in ("OPEN", "TRIGGER_PENDING"):
            raise NorenRefusal(f"Rejected : Order is in {order['status']} state")
        if data["tsym"] != order["tsym"] or data["exch"] != order["exch"]:
            raise NorenRefusal("Invalid Input : symbol does not match the order")
        self._check_price_type(data["prctyp"])
        if data["prctyp"] in ("LMT", "MKT") and "trgprc" in data:
            raise NorenRefusal("Trigger price invalid - 0.00")
        order.update(qty=data["qty"], prc=data["prc"], prctyp=data["prctyp"], trgprc=data.get("trgprc", "0"))
        self._match(order, self.scrip(order["exch"], order["tsym"]))
        return {"stat": "Ok", "result": order["norenordno"], "request_time": self._now()}

    def _op_CancelOrder(self, data: dict[str, Any]) -> dict[str, Any]:
        self._need(data, "norenordno")
        order = self.orders.get(data["norenordno"])
        if order is None:
            raise NorenRefusal("Invalid Input : Invalid Order Number")
        if order["status"] not in ("OPEN", "TRIGGER_PENDING"):
            raise NorenRefusal(f"Rejected : Order is in {order['status']} state")
        order["status"] = "CANCELED"
        return {"stat": "Ok", "result": order["norenordno"], "request_time": self._now()}

    @staticmethod
    def _rows(rows: list[dict[str, Any]]) -> Any:
        return [dict(r, stat="Ok") for r in rows] if rows else {"stat": "Not_Ok", "emsg": "Error Occurred : 5 \"no data\""}

    def _op_OrderBook(self, data: dict[str, Any]) -> Any:
        self._need_actid(data)
        return self._rows(list(reversed(self.orders.values())))

    def _op_TradeBook(self, data: dict[str, Any]) -> Any:
        self._need_actid(data)
        return self._rows(list(reversed(self.fills)))

    def position_rows(self) -> list[dict[str, Any]]:
        books: dict[tuple[str, str, str], dict[str, Any]] = {}
        for fill in self.fills:
            key = (fill["exch"], fill["tsym"], fill["prd"])
            row = books.setdefault(key, {"buy": 0, "sell": 0, "buyval": Decimal(0), "sellval": Decimal(0),
                                         "token": fill["token"]})
            qty, price = int(fill["flqty"]), Decimal(fill["flprc"])
            side = "buy" if fill["trantype"] == "B" else "sell"
            row[side] += qty
            row[f"{side}val"] += qty * price
        rows = []
        for (exch, tsym, prd), row in books.items():
            last = self.scrip(exch, tsym).price
            net = row["buy"] - row["sell"]
            avg = (row["buyval"] / row["buy"] if net > 0 else row["sellval"] / row["sell"] if net < 0 else Decimal(0))
            closed = min(row["buy"], row["sell"])
            realised = (closed * (row["sellval"] / row["sell"] - row["buyval"] / row["buy"])) if closed else Decimal(0)
            rows.append({"exch": exch, "tsym": tsym, "token": row["token"], "prd": prd, "netqty": str(net),
                         "netavgprc": _f(avg.quantize(Decimal("0.01"))), "lp": _f(last), "rpnl": _f(realised),
                         "urmtom": _f(((last - avg) * net).quantize(Decimal("0.01"))), "daybuyqty": str(row["buy"]),
                         "daysellqty": str(row["sell"]), "uid": self.spec.uid, "actid": self.spec.uid})
        return rows

    def _op_PositionBook(self, data: dict[str, Any]) -> Any:
        self._need_actid(data)
        return self._rows(self.position_rows())

    def _op_Holdings(self, data: dict[str, Any]) -> Any:
        self._need_actid(data)
        if data.get("prd") != "C":
            raise NorenRefusal("Invalid Input : Missing uid or actid or prd.")
        return [{"stat": "Ok", "exch_tsym": [{"exch": "NSE", "tsym": "SBIN-EQ", "token": "3045"},
                                             {"exch": "BSE", "tsym": "SBIN", "token": "500112"}],
                 "holdqty": "8", "btstqty": "2", "brkcolqty": "0", "unplgdqty": "0", "benqty": "0",
                 "npoadqty": "0", "dpqty": "1", "usedqty": "1", "upldprc": "750.25", "s_prdt_ali": "CNC"}]

    def _op_Limits(self, data: dict[str, Any]) -> dict[str, Any]:
        self._need_actid(data)
        used = sum((abs(int(r["netqty"])) * Decimal(r["netavgprc"]) / 5 for r in self.position_rows()), Decimal(0))
        realised = sum((Decimal(r["rpnl"]) for r in self.position_rows()), Decimal(0))
        unrealised = sum((Decimal(r["urmtom"]) for r in self.position_rows()), Decimal(0))
        return {"stat": "Ok", "cash": _f(OPENING_CASH), "payin": "0.00", "marginused": _f(used.quantize(Decimal("0.01"))),
                "brkcollamt": _f(COLLATERAL), "rpnl": _f(-realised), "unmtom": _f(unrealised), "prfname": "RMS"}

    # --- margin ------------------------------------------------------------------------------
    def _leg_margin(self, leg: Mapping[str, Any]) -> Decimal:
        for name in ("exch", "tsym", "qty", "prc", "prd", "trantype", "prctyp"):
            if name not in leg:
                raise NorenRefusal(f"Invalid Input : Missing {name}.")
        scrip = self.scrip(leg["exch"], leg["tsym"])
        if scrip is None:
            raise NorenRefusal("Invalid Input : Invalid Trading Symbol")
        self._check_price_type(leg["prctyp"])
        return (Decimal(leg["qty"]) * Decimal(leg["prc"]) / 5).quantize(Decimal("0.01"))

    def _op_GetBasketMargin(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.spec.basket_margin:
            raise NorenRefusal("Invalid Input : not supported", 404)
        self._need_actid(data)
        legs = [data, *(data.get("basketlists") or [])]
        total = sum((self._leg_margin(leg) for leg in legs), Decimal(0))
        return {"stat": "Ok", "marginused": _f(total), "marginusedtrade": _f(total * 2), "remarks": "Insufficient Balance"}

    def _op_GetOrderMargin(self, data: dict[str, Any]) -> dict[str, Any]:
        if not self.spec.order_margin:
            raise NorenRefusal("Invalid Input : not supported", 404)
        self._need_actid(data)
        self._need(data, "rorgqty", "rorgprc")
        return {"stat": "Ok", "ordermargin": _f(self._leg_margin(data)), "remarks": "Order Success"}

    # --- market data -------------------------------------------------------------------------
    def quote_row(self, scrip: Scrip) -> dict[str, Any]:
        p = scrip.price
        step = Decimal(scrip.tick)
        row = {"exch": scrip.exch, "tsym": scrip.tsym, "token": scrip.token, "lp": _f(p), "o": _f(p - 5),
               "h": _f(p + 10), "l": _f(p - 10), "c": _f(p - 2), "v": "123456", "oi": "4500" if scrip.exch == "NFO" else "0",
               "ltq": "25", "ti": scrip.tick, "ls": str(scrip.lot), "ap": _f(p - 1), "lut": str(FIXED_TIME),
               "pp": "2"}
        for n in range(1, 6):
            row[f"bp{n}"], row[f"bq{n}"], row[f"bo{n}"] = _f(p - step * n), str(100 * n), str(n)
            row[f"sp{n}"], row[f"sq{n}"], row[f"so{n}"] = _f(p + step * n), str(150 * n), str(n + 1)
        return row

    def _op_GetQuotes(self, data: dict[str, Any]) -> dict[str, Any]:
        self._need(data, "exch", "token")
        scrip = self.by_token(data["exch"], data["token"])
        if scrip is None:
            raise NorenRefusal('Error Occurred : 5 "no data"')
        return {"stat": "Ok", **self.quote_row(scrip)}

    def _op_TPSeries(self, data: dict[str, Any]) -> Any:
        self._need(data, "exch", "token", "st", "et", "intrv")
        scrip = self.by_token(data["exch"], data["token"])
        if data["intrv"] not in self.spec.intervals:
            raise NorenRefusal("Invalid Input : Invalid intrv")
        st, et = int(data["st"]), int(data["et"])
        if et - st > INTRV_MAX_DAYS[data["intrv"]] * 86400:
            raise NorenRefusal("Gateway Timeout", 504)  # too many candles: the real server times out
        if scrip is None:
            return {"stat": "Not_Ok", "emsg": "no data"}
        minutes = int(data["intrv"])
        rows = []
        day = datetime.fromtimestamp(st, IST).date()
        while datetime.combine(day, datetime.min.time(), IST).timestamp() <= et:
            if day.weekday() < 5:
                bar = datetime.combine(day, datetime.min.time(), IST).replace(hour=9, minute=15)
                close = bar.replace(hour=15, minute=30)
                n = 0
                while bar < close:
                    stamp = int(bar.timestamp())
                    if st <= stamp <= et:
                        o = scrip.price + n
                        zero = n == 1  # Noren pads gaps with all-zero bars
                        rows.append({"stat": "Ok", "time": bar.strftime("%d-%m-%Y %H:%M:%S"), "ssboe": str(stamp),
                                     "into": "0" if zero else _f(o), "inth": "0" if zero else _f(o + 2),
                                     "intl": "0" if zero else _f(o - 1), "intc": "0" if zero else _f(o + 1),
                                     "intvwap": _f(o), "intv": "0" if zero else str(1000 + n), "intoi": "0",
                                     "v": str(1000 + n), "oi": "0"})
                    bar += timedelta(minutes=minutes)
                    n += 1
            day += timedelta(days=1)
        rows.reverse()  # Noren answers newest first
        return rows or {"stat": "Not_Ok", "emsg": "no data"}

    def _op_EODChartData(self, data: dict[str, Any]) -> Any:
        self._need(data, "sym", "from", "to")
        exch, _, name = data["sym"].partition(":")
        scrip = self.scrip(exch, name)
        if scrip is None:
            return {"stat": "Not_Ok", "emsg": "no data"}
        start = datetime.fromtimestamp(int(data["from"]), IST).date()
        end = datetime.fromtimestamp(int(data["to"]), IST).date()
        rows, day, n = [], start, 0
        while day <= end:
            if day.weekday() < 5:
                o = scrip.price + n
                ssboe = int(datetime.combine(day, datetime.min.time(), IST).replace(hour=15, minute=30).timestamp())
                rows.append(json.dumps({"time": day.strftime("%d-%b-%Y").upper(), "into": _f(o), "inth": _f(o + 5),
                                        "intl": _f(o - 5), "intc": _f(o + 1), "ssboe": str(ssboe),
                                        "intv": str(50000 + n)}))
                n += 1
            day += timedelta(days=1)
        rows.reverse()
        return rows[:1201] or {"stat": "Not_Ok", "emsg": "no data"}

    # --- master files ------------------------------------------------------------------------
    def _tick_text(self, scrip: Scrip) -> str:
        if scrip.exch in ("NSE", "BSE") and self.spec.tick_paise:
            return str(int(Decimal(scrip.tick) * 100))
        return scrip.tick

    def zip_text(self, exch: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if exch in ("NSE", "BSE"):
            writer.writerow(["Exchange", "Token", "LotSize", "Symbol", "TradingSymbol", "Instrument", "TickSize", ""])
            for s in self.scrips:
                if s.exch == exch:
                    writer.writerow([s.exch, s.token, s.lot, s.symbol, s.tsym, s.instrument, self._tick_text(s), ""])
            if exch == "NSE":
                writer.writerow(["NSE", "99999", "1", "", "", "EQ", "5", ""])  # placeholder row
                writer.writerow(["NSE", "abc", "1", "BAD", "BAD-EQ", "EQ", "5", ""])  # malformed token
            return out.getvalue()
        header = ["Exchange", "Token", "LotSize", "Symbol", "TradingSymbol", "Expiry", "Instrument", "OptionType",
                  "StrikePrice", "TickSize"]
        extra = {"CDS": ["Precision", "Multiplier"], "MCX": ["GNGD"]}.get(exch, [])
        writer.writerow(header + extra + [""])
        for s in self.scrips:
            if s.exch == exch:
                writer.writerow([s.exch, s.token, s.lot, s.symbol, s.tsym, s.expiry, s.instrument, s.option,
                                 s.strike, s.tick] + (["4", "1"] if exch == "CDS" else ["1"] if exch == "MCX" else []) + [""])
        if exch == "NFO":
            writer.writerow(["NFO", "35999", "75", "NIFTY", "NIFTYBAD", "notadate", "FUTIDX", "XX", "0", "0.05", ""])
        if exch == "CDS":
            writer.writerow(["CDS", "5", "1", "USDINR", "USDINR-INDEX", "30-DEC-2026", "UNDCUR", "XX", "0", "0.0025",
                             "4", "1", ""])  # dummy row, token ≤ 100
        return out.getvalue()

    async def _zip(self, request: Request) -> Response:
        exch = request.path_params["exch"]
        if self.spec.master != "zip" or exch not in ("NSE", "BSE", "NFO", "BFO", "CDS", "MCX"):
            return PlainTextResponse("not found", status_code=404)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{exch}_symbols.txt", self.zip_text(exch))
        return Response(buffer.getvalue(), media_type="application/zip")

    FLATTRADE_FILES = {"NSE_Equity.csv": "NSE", "BSE_Equity.csv": "BSE", "Nfo_Index_Derivatives.csv": "NFO",
                       "Nfo_Equity_Derivatives.csv": "NFO-STK", "Bfo_Index_Derivatives.csv": "BFO",
                       "Bfo_Equity_Derivatives.csv": "BFO-STK", "Currency_Derivatives.csv": "CDS",
                       "Commodity.csv": "MCX"}

    def csv_text(self, segment: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["Exchange", "Token", "Lotsize", "Symbol", "Tradingsymbol", "Instrument", "Expiry", "Strike",
                         "Optiontype"])
        for s in self.scrips:
            if s.exch == segment:
                writer.writerow([s.exch, s.token, s.lot, s.symbol, s.tsym, s.instrument, s.expiry,
                                 s.strike if s.option != "XX" else "0", s.option])
        if segment == "BSE":
            writer.writerow(["BSE", "1", "1", "S&P BSE SENSEX", "SENSEX", "UNDIND", "", "0", "XX"])
            writer.writerow(["BSE", "47", "1", "S&P BSE SENSEX 50", "SNSX50", "UNDIND", "", "0", "XX"])
        if segment == "NFO-STK":
            writer.writerow(["NFO", "36001", "750", "SBIN", "SBIN30DEC26F", "FUTSTK", "30-DEC-2026", "0", "XX"])
            writer.writerow(["NFO", "x1", "750", "SBIN", "SBINBAD", "FUTSTK", "30-DEC-2026", "0", "XX"])  # malformed
        return out.getvalue()

    async def _csv(self, request: Request) -> Response:
        segment = self.FLATTRADE_FILES.get(request.path_params["file"])
        if self.spec.master != "csv" or segment is None:
            return PlainTextResponse("not found", status_code=404)
        return Response(self.csv_text(segment), media_type="text/csv")

    # --- WebSocket feed ----------------------------------------------------------------------
    def touchline(self, scrip: Scrip) -> dict[str, Any]:
        row = self.quote_row(scrip)
        msg = {"t": "tk", "e": scrip.exch, "tk": scrip.token, "ts": scrip.tsym, "pp": "2", "ti": scrip.tick,
               "ls": str(scrip.lot), "lp": row["lp"], "pc": "0.25", "v": row["v"], "o": row["o"], "h": row["h"],
               "l": row["l"], "c": row["c"], "ap": row["ap"], "ltq": row["ltq"], "ft": str(FIXED_TIME),
               "oi": row["oi"], "poi": "4000", "toi": "90000", "bp1": row["bp1"], "sp1": row["sp1"],
               "bq1": row["bq1"], "sq1": row["sq1"], "tbq": "5000", "tsq": "6000"}
        return msg

    def depth(self, scrip: Scrip) -> dict[str, Any]:
        row = self.quote_row(scrip)
        msg = self.touchline(scrip)
        msg["t"] = "dk"
        for n in range(1, 6):
            for key in ("bp", "bq", "bo", "sp", "sq", "so"):
                msg[f"{key}{n}"] = row[f"{key}{n}"]
        msg.update({"uc": _f(scrip.price * Decimal("1.2")), "lc": _f(scrip.price * Decimal("0.8"))})
        return msg

    async def _feed(self, connection: ServerConnection) -> None:
        subs: dict[str, set[str]] = {"t": set(), "d": set()}
        try:
            login = json.loads(await connection.recv())
            self.feed_messages.append(login)
            ok = (login.get("t") == "a" and login.get("uid") == self.spec.uid and login.get("actid") == self.spec.uid
                  and login.get("source") == "API" and login.get("accesstoken") in self.access_tokens)
            await connection.send(json.dumps({"t": "ak", "s": "OK" if ok else "NOT_OK", "uid": login.get("uid")}))
            if not ok:
                await connection.close()
                return
            self.feeds[connection] = subs
            async for text in connection:
                message = json.loads(text)
                self.feed_messages.append(message)
                kind = message.get("t")
                if kind == "h":
                    await connection.send('{"t":"hk"}')
                    continue
                keys = [k for k in str(message.get("k", "")).split("#") if k]
                scrips = [s for s in (self.by_token(*k.split("|", 1)) for k in keys if "|" in k) if s]
                if kind in ("t", "d"):
                    subs[kind].update(s.key for s in scrips)
                    for s in scrips:
                        await connection.send(json.dumps(self.touchline(s) if kind == "t" else self.depth(s)))
                elif kind in ("u", "ud"):
                    subs["t" if kind == "u" else "d"].difference_update(s.key for s in scrips)
                    await connection.send(json.dumps({"t": f"{kind}k", "k": message.get("k")}))
        except (ConnectionClosed, ValueError):
            pass
        finally:
            self.feeds.pop(connection, None)

    def subscribed(self) -> dict[str, set[str]]:
        merged: dict[str, set[str]] = {"t": set(), "d": set()}
        for subs in self.feeds.values():
            merged["t"] |= subs["t"]
            merged["d"] |= subs["d"]
        return merged

    async def push(self) -> None:
        for connection, subs in list(self.feeds.items()):
            for key in sorted(subs["t"]):
                scrip = self.by_token(*key.split("|", 1))
                # Partial update: only changed fields; `o` reads 0 (must not wipe the snapshot's open).
                update = {"t": "tf", "e": scrip.exch, "tk": scrip.token, "lp": _f(scrip.price), "v": "123460",
                          "o": "0", "ft": str(FIXED_TIME)}
                with contextlib.suppress(ConnectionClosed):
                    await connection.send(json.dumps(update))
            for key in sorted(subs["d"]):
                scrip = self.by_token(*key.split("|", 1))
                update = {"t": "df", "e": scrip.exch, "tk": scrip.token, "bq1": "111", "ft": str(FIXED_TIME)}
                with contextlib.suppress(ConnectionClosed):
                    await connection.send(json.dumps(update))

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            with contextlib.suppress(Exception):
                await self.push()

    @staticmethod
    def _now() -> str:
        return datetime.now(IST).strftime("%H:%M:%S %d-%m-%Y")


def day_epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


# Member specs: written from the reference, independently of the plugin's member configs.
SHOONYA = FakeSpec("shoonya", "/NorenWClientAPI", chart_jkey=True, tick_paise=True)
ZEBU = FakeSpec("zebu", "/NorenWClientAPI", slmkt_banned=False, basket_margin=False, uid="ZB7788",
                api_key="ZB7788_APP")
TRADESMART = FakeSpec("tradesmart", "/NorenWClientAPIv2", tick_paise=True, uid_from_login=True, order_margin=True,
                      basket_margin=False, uid="TS1001")
FLATTRADE = FakeSpec("flattrade", "/PiConnectAPI", auth="flattrade", body="jkey", master="csv",
                     intervals=("1", "3", "5", "10", "15", "30", "60", "120"), uid="FT0042")
SPECS = {spec.name: spec for spec in (SHOONYA, ZEBU, TRADESMART, FLATTRADE)}
