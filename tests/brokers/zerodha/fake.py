"""A fake Kite Connect v3 server on 127.0.0.1: REST (Starlette), the instrument dump (gzip CSV)
and the binary ticker WebSocket (`websockets`), written from the documented wire format only.

It checks what a client sends (version header, `token key:access` auth, form vs JSON bodies,
field names and values, the login checksum) and answers with Kite's error envelope
`{"status": "error", "message", "error_type"}` when anything is off, so a plugin that speaks the
protocol wrong fails its tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gzip
import hashlib
import io
import itertools
import json
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.fakes.http_server import serve_app

API_KEY = "kfake7key"
API_SECRET = "kfake7secret"
USER_ID = "ZR1234"
REDIRECT_URL = "http://127.0.0.1:9/zerodha/callback"  # the URL "registered" on the fake Kite app
OPENING_CASH = Decimal("1000000")
COLLATERAL = Decimal("50000")
FIXED_TIME = 1_764_230_400  # 2025-11-27 08:00:00 UTC = 13:30 IST, stamped on every tick

# Kite's historical interval names and their largest span per request (days).
SPANS = {"minute": 60, "3minute": 100, "5minute": 100, "10minute": 100, "15minute": 200, "30minute": 200,
         "60minute": 400, "day": 2000}
INTERVAL_MINUTES = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
                    "60minute": 60}
ORDER_TYPES = {"MARKET", "LIMIT", "SL", "SL-M"}
PRODUCTS = {"CNC", "NRML", "MIS", "MTF"}
VALIDITIES = {"DAY", "IOC", "TTL"}


@dataclass
class FakeInstrument:
    instrument_token: int
    exchange_token: int
    tradingsymbol: str
    name: str
    last_price: Decimal
    expiry: str
    strike: str
    tick_size: str
    lot_size: int
    instrument_type: str
    segment: str
    exchange: str

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def price_unit(self) -> int:
        # Ticker prices are integers: paise, except currency segments (CDS 1e7, BCD 1e4).
        return {3: 10_000_000, 6: 10_000}.get(self.instrument_token & 0xFF, 100)

    @property
    def is_index(self) -> bool:
        return self.segment == "INDICES"


def default_universe() -> list[FakeInstrument]:
    rows = [
        # token, exch token, tradingsymbol, name, price, expiry, strike, tick, lot, type, segment, exchange
        (779521, 3045, "SBIN", "STATE BANK OF INDIA", "800.5", "", "0", "0.05", 1, "EQ", "NSE", "NSE"),
        (738561, 2885, "RELIANCE", "RELIANCE INDUSTRIES", "1400", "", "0", "0.1", 1, "EQ", "NSE", "NSE"),
        (256265, 1001, "NIFTY 50", "NIFTY 50", "26000", "", "0", "0", 0, "EQ", "INDICES", "NSE"),
        (260105, 1016, "NIFTY BANK", "NIFTY BANK", "59000", "", "0", "0", 0, "EQ", "INDICES", "NSE"),
        (264969, 1035, "NIFTY IT", "NIFTY IT", "37000", "", "0", "0", 0, "EQ", "INDICES", "NSE"),
        (265, 1, "SENSEX", "SENSEX", "85000", "", "0", "0", 0, "EQ", "INDICES", "BSE"),
        (274441, 1072, "SNSX50", "SNSX50", "27000", "", "0", "0", 0, "EQ", "INDICES", "BSE"),
        (291849, 1140, "GIFT NIFTY", "GIFT NIFTY", "26100", "", "0", "0", 0, "EQ", "INDICES", "NSEIX"),
        (3160322, 12345, "NIFTY26DECFUT", "NIFTY", "26100", "2026-12-29", "0", "0.1", 75, "FUT", "NFO-FUT", "NFO"),
        (3160578, 12346, "NIFTY26DEC26000CE", "NIFTY", "150", "2026-12-29", "26000", "0.05", 75, "CE",
         "NFO-OPT", "NFO"),
        (3160834, 12347, "NIFTY26DEC26000PE", "NIFTY", "120", "2026-12-29", "26000", "0.05", 75, "PE",
         "NFO-OPT", "NFO"),
        # A weekly option: Kite's own symbol is irregular, ours is rebuilt from the columns.
        (3161090, 12348, "NIFTY26D0126000CE", "NIFTY", "90", "2026-12-01", "26000", "0.05", 75, "CE",
         "NFO-OPT", "NFO"),
        (412675, 1612, "USDINR26DEC82.25CE", "USDINR", "0.1225", "2026-12-29", "82.25", "0.0025", 1000, "CE",
         "CDS-OPT", "CDS"),
        (5000967, 19535, "CRUDEOIL26DECFUT", "CRUDEOIL", "5400", "2026-12-17", "0", "1", 100, "FUT",
         "MCX-FUT", "MCX"),
    ]
    return [FakeInstrument(t, et, ts, n, Decimal(p), e, s, ti, lot, ty, seg, ex)
            for t, et, ts, n, p, e, s, ti, lot, ty, seg, ex in rows]




def kite_error(message: str, error_type: str, status: int) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message, "error_type": error_type, "data": None},
                        status_code=status)


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"status": "success", "data": data})


async def read_form(request: Request) -> dict[str, str]:
    """A form-urlencoded body (parsed here: python-multipart is not a dependency)."""
    pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise KiteRefusal("Duplicate form fields")
    return dict(pairs)


class KiteRefusal(Exception):
    def __init__(self, message: str, error_type: str = "InputException", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.error_type, self.status = message, error_type, status


def _f(value: Decimal) -> float:
    return float(value)


class FakeKite:
    """The FakeBroker for the `zerodha` plugin (see tests/fakes/broker_fake.py)."""

    name = "zerodha"

    def __init__(self, *, tick_interval: float = 0.05) -> None:
        self.credentials = {"api_key": API_KEY, "api_secret": API_SECRET}
        self.urls: dict[str, str] = {}
        self.tick_interval = tick_interval
        self.feed_connections: dict[ServerConnection, dict[int, str]] = {}
        self.reset()
        self._ids = itertools.count(251129000000001)
        self._trade_ids = itertools.count(90000001)
        self._server_cm = None
        self._ws_server: Server | None = None
        self._ticker: asyncio.Task | None = None
        self._closers: set[asyncio.Task] = set()
        self._browser: httpx.AsyncClient | None = None

    def reset(self) -> None:
        """Forget every order, token and recorded call (a fresh account on the same servers)."""
        self.universe = default_universe()
        self.by_key = {i.key: i for i in self.universe}
        self.by_token = {i.instrument_token: i for i in self.universe}
        self.extra_master_lines: list[str] = []  # raw CSV lines appended to the dump (malformed rows)
        self.request_tokens: set[str] = set()
        self.access_tokens: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.orders: dict[str, dict[str, Any]] = {}
        self.trades: list[dict[str, Any]] = []
        self.positions: dict[tuple[str, str, str], dict[str, Decimal]] = {}
        self.debits = Decimal(0)
        self.status_override: dict[str, str] = {}  # order id → the status the book reports
        self.reject_next: str | None = None  # an RMS reason: the next accepted order is REJECTED
        self.calls: list[tuple[str, str]] = []  # (method, path) of every REST call
        self.last_query: list[tuple[str, str]] = []
        self.feed_messages: list[dict[str, Any]] = []
        self.feed_accepted = 0

    # --- FakeBroker --------------------------------------------------------------------------
    async def start(self) -> None:
        self._server_cm = serve_app(self._app())
        base = await self._server_cm.__aenter__()
        self._ws_server = await serve(self._feed, "127.0.0.1", 0, process_request=self._feed_gate,
                                      compression=None)
        port = self._ws_server.sockets[0].getsockname()[1]
        self.urls = {"login": base, "api": base, "feed": f"ws://127.0.0.1:{port}",
                     "master": f"{base}/instruments"}
        self._ticker = asyncio.create_task(self._tick_loop(), name="fake-kite-ticker")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._closers:
            await asyncio.gather(*self._closers, return_exceptions=True)
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
        """Follow the login URL as the browser would (the user logs in on Kite's page) and return
        the query of the redirect to the registered callback."""
        assert login_url, "Kite is an OAuth broker: a login URL is required"
        if self._browser is None:
            self._browser = httpx.AsyncClient()
        response = await self._browser.get(login_url, follow_redirects=False)
        if response.status_code != 302:
            raise AssertionError(f"fake Kite login page refused: {response.status_code} {response.text}")
        return dict(parse_qsl(urlsplit(response.headers["location"]).query))

    def expire_tokens(self) -> None:
        self.expired_tokens |= self.access_tokens
        self.access_tokens.clear()

    def drop_feed_connections(self) -> None:
        for connection in list(self.feed_connections):
            task = asyncio.get_running_loop().create_task(connection.close(1011, "fake drop"))
            self._closers.add(task)
            task.add_done_callback(self._closers.discard)

    # --- test helpers ------------------------------------------------------------------------
    def issue_access_token(self) -> str:
        token = secrets.token_hex(16)
        self.access_tokens.add(token)
        return token

    def set_price(self, key: str, price: str) -> None:
        self.by_key[key].last_price = Decimal(price)

    def subscribed(self) -> dict[int, str]:
        merged: dict[int, str] = {}
        for tokens in self.feed_connections.values():
            merged.update(tokens)
        return merged

    # --- HTTP --------------------------------------------------------------------------------
    def _app(self) -> Starlette:
        routes = [
            Route("/connect/login", self._login_page, methods=["GET"]),
            Route("/session/token", self._session_token, methods=["POST", "DELETE"]),
            Route("/instruments", self._instruments, methods=["GET"]),
            Route("/instruments/historical/{token}/{interval}", self._authed(self._historical), methods=["GET"]),
            Route("/orders", self._authed(self._order_book), methods=["GET"]),
            Route("/orders/{order_id}", self._authed(self._order_history), methods=["GET"]),
            Route("/orders/{variety}", self._authed(self._place), methods=["POST"]),
            Route("/orders/{variety}/{order_id}", self._authed(self._modify_or_cancel), methods=["PUT", "DELETE"]),
            Route("/trades", self._authed(self._trade_book), methods=["GET"]),
            Route("/portfolio/positions", self._authed(self._positions), methods=["GET"]),
            Route("/portfolio/holdings", self._authed(self._holdings), methods=["GET"]),
            Route("/user/margins", self._authed(self._margins), methods=["GET"]),
            Route("/quote", self._authed(self._quote), methods=["GET"]),
            Route("/margins/orders", self._authed(self._margin_orders), methods=["POST"]),
            Route("/margins/basket", self._authed(self._margin_basket), methods=["POST"]),
        ]
        return Starlette(routes=routes)

    def _authed(self, handler):
        async def endpoint(request: Request) -> Response:
            self.calls.append((request.method, request.url.path))
            self.last_query = list(request.query_params.multi_items())
            if request.headers.get("x-kite-version") != "3":
                return kite_error("Missing or invalid X-Kite-Version header", "InputException", 400)
            auth = request.headers.get("authorization", "")
            scheme, _, credentials = auth.partition(" ")
            api_key, _, access_token = credentials.partition(":")
            if scheme != "token" or api_key != API_KEY or not access_token:
                return kite_error("Incorrect `api_key` or `access_token`.", "TokenException", 403)
            if access_token in self.expired_tokens or access_token not in self.access_tokens:
                return kite_error("Incorrect `api_key` or `access_token`.", "TokenException", 403)
            try:
                return await handler(request)
            except KiteRefusal as refusal:
                return kite_error(refusal.message, refusal.error_type, refusal.status)
        return endpoint

    async def _login_page(self, request: Request) -> Response:
        self.calls.append((request.method, request.url.path))
        query = request.query_params
        if query.get("v") != "3" or query.get("api_key") != API_KEY:
            return Response("Invalid api_key or version", status_code=400)
        request_token = secrets.token_hex(12)
        self.request_tokens.add(request_token)
        params = {"action": "login", "type": "login", "status": "success", "request_token": request_token}
        echoed = dict(parse_qsl(query.get("redirect_params") or ""))
        return RedirectResponse(f"{REDIRECT_URL}?{urlencode({**echoed, **params})}", status_code=302)

    async def _session_token(self, request: Request) -> Response:
        self.calls.append((request.method, request.url.path))
        if request.headers.get("x-kite-version") != "3":
            return kite_error("Missing or invalid X-Kite-Version header", "InputException", 400)
        if request.method == "DELETE":
            self.access_tokens.discard(request.query_params.get("access_token", ""))
            return ok(True)
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return kite_error("Expected a form-encoded body", "InputException", 400)
        try:
            form = await read_form(request)
        except KiteRefusal as refusal:
            return kite_error(refusal.message, refusal.error_type, refusal.status)
        missing = [f for f in ("api_key", "request_token", "checksum") if not form.get(f)]
        if missing:
            return kite_error(f"Missing {missing[0]}", "InputException", 400)
        if form["api_key"] != API_KEY:
            return kite_error("Invalid `api_key`.", "TokenException", 403)
        expected = hashlib.sha256(f"{API_KEY}{form['request_token']}{API_SECRET}".encode()).hexdigest()
        if form["checksum"] != expected:
            return kite_error("Invalid `checksum`.", "TokenException", 403)
        if form["request_token"] not in self.request_tokens:
            return kite_error("Token is invalid or has expired.", "TokenException", 403)
        self.request_tokens.discard(form["request_token"])  # single use
        access_token = self.issue_access_token()
        return ok({"user_id": USER_ID, "user_name": "Fake Trader", "user_shortname": "Fake", "user_type":
                   "individual", "email": "fake@example.com", "broker": "ZERODHA", "api_key": API_KEY,
                   "access_token": access_token, "public_token": secrets.token_hex(8), "refresh_token": "",
                   "exchanges": ["NSE", "NFO", "BSE", "CDS", "MCX"], "products": sorted(PRODUCTS),
                   "order_types": sorted(ORDER_TYPES), "login_time": "2025-11-27 09:00:00"})

    # --- instruments -------------------------------------------------------------------------
    def master_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry",
                         "strike", "tick_size", "lot_size", "instrument_type", "segment", "exchange"])
        for i in self.universe:
            writer.writerow([i.instrument_token, i.exchange_token, i.tradingsymbol, i.name, str(i.last_price),
                             i.expiry, i.strike, i.tick_size, i.lot_size, i.instrument_type, i.segment, i.exchange])
        return out.getvalue() + "".join(line + "\n" for line in self.extra_master_lines)

    async def _instruments(self, request: Request) -> Response:
        self.calls.append((request.method, request.url.path))
        body = gzip.compress(self.master_csv().encode())
        return Response(body, media_type="text/csv", headers={"Content-Encoding": "gzip"})

    # --- orders ------------------------------------------------------------------------------
    async def _form(self, request: Request) -> Mapping[str, str]:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise KiteRefusal("Order parameters must be form-encoded")
        return await read_form(request)

    def _now(self) -> str:
        return datetime.now().strftime("%Y-%m-%d %H:%M:%S")

    async def _place(self, request: Request) -> Response:
        if request.path_params["variety"] != "regular":
            raise KiteRefusal(f"Invalid variety {request.path_params['variety']}")
        form = await self._form(request)
        required = ("tradingsymbol", "exchange", "transaction_type", "order_type", "quantity", "product",
                    "validity")
        for field in required:
            if not form.get(field):
                raise KiteRefusal(f"Missing `{field}`")
        instrument = self.by_key.get(f"{form['exchange']}:{form['tradingsymbol']}")
        if instrument is None or instrument.is_index:
            raise KiteRefusal("Invalid `tradingsymbol`.")
        if form["transaction_type"] not in ("BUY", "SELL"):
            raise KiteRefusal("Invalid `transaction_type`.")
        if form["order_type"] not in ORDER_TYPES:
            raise KiteRefusal("Invalid `order_type`.")
        if form["product"] not in PRODUCTS:
            raise KiteRefusal("Invalid `product`.")
        if form["validity"] not in VALIDITIES:
            raise KiteRefusal("Invalid `validity`.")
        if len(form.get("tag", "")) > 20:
            raise KiteRefusal("Tag length should not exceed 20 characters.")
        if form["order_type"] in ("MARKET", "SL-M") and form.get("market_protection", "0") in ("", "0"):
            raise KiteRefusal("Market orders without market protection are not allowed via API.")
        quantity = int(form["quantity"])
        if quantity <= 0 or quantity % instrument.lot_size:
            raise KiteRefusal(f"Quantity should be a multiple of lot size {instrument.lot_size}.")
        price = Decimal(form.get("price") or "0")
        trigger = Decimal(form.get("trigger_price") or "0")
        if form["order_type"] in ("LIMIT", "SL") and price <= 0:
            raise KiteRefusal("Invalid `price`.")
        if form["order_type"] in ("SL", "SL-M") and trigger <= 0:
            raise KiteRefusal("Invalid `trigger_price`.")
        fill_price = instrument.last_price if form["order_type"] == "MARKET" else price
        if form["transaction_type"] == "BUY" and fill_price * quantity > OPENING_CASH - self.debits:
            raise KiteRefusal(f"Insufficient funds. Required margin is {fill_price * quantity:.2f} but "
                              f"available margin is {OPENING_CASH - self.debits:.2f}.", "MarginException")
        order_id = str(next(self._ids))
        order = {
            "order_id": order_id, "exchange_order_id": None, "parent_order_id": None, "status": "OPEN",
            "status_message": None, "tradingsymbol": instrument.tradingsymbol, "exchange": instrument.exchange,
            "instrument_token": instrument.instrument_token, "transaction_type": form["transaction_type"],
            "order_type": form["order_type"], "product": form["product"], "variety": "regular",
            "validity": form["validity"], "quantity": quantity,
            "disclosed_quantity": int(form.get("disclosed_quantity") or 0), "price": _f(price),
            "trigger_price": _f(trigger), "average_price": 0.0, "filled_quantity": 0,
            "pending_quantity": quantity, "cancelled_quantity": 0, "order_timestamp": self._now(),
            "exchange_timestamp": None, "tag": form.get("tag") or None,
            "market_protection": int(form.get("market_protection") or 0),
        }
        self.orders[order_id] = order
        # RMS: the API accepts the order and the OMS rejects it right after (tests arm this).
        if self.reject_next:
            order.update(status="REJECTED", pending_quantity=0, status_message=self.reject_next)
            self.reject_next = None
        elif form["order_type"] == "MARKET":
            self._fill(order, instrument)
        elif form["order_type"] in ("SL", "SL-M"):
            order["status"] = "TRIGGER PENDING"
        return ok({"order_id": order_id})

    def _fill(self, order: dict[str, Any], instrument: FakeInstrument) -> None:
        price, quantity = instrument.last_price, order["quantity"]
        order.update(status="COMPLETE", filled_quantity=quantity, pending_quantity=0, average_price=_f(price),
                     exchange_order_id=f"1100000{order['order_id'][-8:]}", exchange_timestamp=self._now())
        self.trades.append({
            "trade_id": str(next(self._trade_ids)), "order_id": order["order_id"],
            "exchange_order_id": order["exchange_order_id"], "tradingsymbol": instrument.tradingsymbol,
            "exchange": instrument.exchange, "instrument_token": instrument.instrument_token,
            "product": order["product"], "transaction_type": order["transaction_type"], "quantity": quantity,
            "average_price": _f(price), "fill_timestamp": order["exchange_timestamp"],
            "order_timestamp": order["order_timestamp"], "exchange_timestamp": order["exchange_timestamp"],
        })
        book = self.positions.setdefault((instrument.exchange, instrument.tradingsymbol, order["product"]), {
            "buy_quantity": Decimal(0), "buy_value": Decimal(0), "sell_quantity": Decimal(0),
            "sell_value": Decimal(0)})
        side = "buy" if order["transaction_type"] == "BUY" else "sell"
        book[f"{side}_quantity"] += quantity
        book[f"{side}_value"] += price * quantity
        if side == "buy":
            self.debits += price * quantity
        else:
            self.debits -= price * quantity

    def _book_row(self, order: dict[str, Any]) -> dict[str, Any]:
        row = dict(order)
        if order["order_id"] in self.status_override:
            row["status"] = self.status_override[order["order_id"]]
        return row

    async def _order_book(self, request: Request) -> Response:
        return ok([self._book_row(o) for o in self.orders.values()])

    async def _order_history(self, request: Request) -> Response:
        order = self.orders.get(request.path_params["order_id"])
        if order is None:
            raise KiteRefusal("Couldn't find that `order_id`.", "OrderException", 400)
        received = {**self._book_row(order), "status": "PUT ORDER REQ RECEIVED", "filled_quantity": 0,
                    "average_price": 0.0}
        return ok([received, self._book_row(order)])

    async def _modify_or_cancel(self, request: Request) -> Response:
        if request.path_params["variety"] != "regular":
            raise KiteRefusal(f"Invalid variety {request.path_params['variety']}")
        order = self.orders.get(request.path_params["order_id"])
        if order is None:
            raise KiteRefusal("Couldn't find that `order_id`.", "OrderException", 400)
        if order["status"] not in ("OPEN", "TRIGGER PENDING"):
            raise KiteRefusal(f"Order cannot be modified or cancelled as it is {order['status']}.",
                              "OrderException", 400)
        if request.method == "DELETE":
            order.update(status="CANCELLED", cancelled_quantity=order["pending_quantity"], pending_quantity=0,
                         status_message="Cancelled by user")
            return ok({"order_id": order["order_id"]})
        form = await self._form(request)
        if "order_type" in form and form["order_type"] not in ORDER_TYPES:
            raise KiteRefusal("Invalid `order_type`.")
        if "validity" in form and form["validity"] not in VALIDITIES:
            raise KiteRefusal("Invalid `validity`.")
        if "quantity" in form:
            order["quantity"] = order["pending_quantity"] = int(form["quantity"])
        for field in ("price", "trigger_price"):
            if field in form:
                order[field] = float(form[field])
        if "order_type" in form:
            order["order_type"] = form["order_type"]
        return ok({"order_id": order["order_id"]})

    async def _trade_book(self, request: Request) -> Response:
        return ok(list(self.trades))

    def _position_rows(self) -> list[dict[str, Any]]:
        rows = []
        for (exchange, tradingsymbol, product), book in self.positions.items():
            instrument = self.by_key[f"{exchange}:{tradingsymbol}"]
            quantity = book["buy_quantity"] - book["sell_quantity"]
            buy_avg = book["buy_value"] / book["buy_quantity"] if book["buy_quantity"] else Decimal(0)
            sell_avg = book["sell_value"] / book["sell_quantity"] if book["sell_quantity"] else Decimal(0)
            average = buy_avg if quantity > 0 else sell_avg if quantity < 0 else Decimal(0)
            ltp = instrument.last_price
            pnl = book["sell_value"] - book["buy_value"] + quantity * ltp
            unrealised = (ltp - average) * quantity
            rows.append({
                "tradingsymbol": tradingsymbol, "exchange": exchange, "instrument_token": instrument.instrument_token,
                "product": product, "quantity": int(quantity), "overnight_quantity": 0, "multiplier": 1,
                "average_price": _f(average), "close_price": 0, "last_price": _f(ltp), "value":
                _f(book["sell_value"] - book["buy_value"]), "pnl": _f(pnl), "m2m": _f(pnl),
                "realised": _f(pnl - unrealised), "unrealised": _f(unrealised),
                "buy_quantity": int(book["buy_quantity"]), "buy_price": _f(buy_avg), "buy_value": _f(book["buy_value"]),
                "sell_quantity": int(book["sell_quantity"]), "sell_price": _f(sell_avg),
                "sell_value": _f(book["sell_value"]),
            })
        return rows

    async def _positions(self, request: Request) -> Response:
        rows = self._position_rows()
        return ok({"net": rows, "day": rows})

    async def _holdings(self, request: Request) -> Response:
        sbin = self.by_key["NSE:SBIN"]
        return ok([{
            "tradingsymbol": "SBIN", "exchange": "NSE", "instrument_token": sbin.instrument_token,
            "isin": "INE062A01020", "product": "CNC", "quantity": 10, "t1_quantity": 0, "realised_quantity": 10,
            "collateral_quantity": 0, "average_price": 700.25, "last_price": _f(sbin.last_price),
            "close_price": 798.0, "pnl": _f((sbin.last_price - Decimal("700.25")) * 10),
            "day_change": 2.5, "day_change_percentage": 0.31,
        }])

    async def _margins(self, request: Request) -> Response:
        equity_net = OPENING_CASH + COLLATERAL - self.debits
        return ok({
            "equity": {"enabled": True, "net": _f(equity_net),
                       "available": {"adhoc_margin": 0, "cash": 0, "opening_balance": _f(OPENING_CASH),
                                     "live_balance": _f(equity_net), "collateral": _f(COLLATERAL),
                                     "intraday_payin": 0},
                       "utilised": {"debits": _f(self.debits), "exposure": 0, "m2m_realised": 0, "m2m_unrealised": 0,
                                    "option_premium": 0, "payout": 0, "span": 0, "holding_sales": 0, "turnover": 0,
                                    "liquid_collateral": 0, "stock_collateral": _f(COLLATERAL), "delivery": 0}},
            "commodity": {"enabled": True, "net": 25000.0,
                          "available": {"adhoc_margin": 0, "cash": 25000.0, "opening_balance": 25000.0,
                                        "live_balance": 25000.0, "collateral": 0, "intraday_payin": 0},
                          "utilised": {"debits": 0, "exposure": 0, "m2m_realised": 0, "m2m_unrealised": 0,
                                       "option_premium": 0, "payout": 0, "span": 0, "holding_sales": 0,
                                       "turnover": 0, "liquid_collateral": 0, "stock_collateral": 0, "delivery": 0}},
        })

    async def _margin_legs(self, request: Request) -> list[dict[str, Any]]:
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise KiteRefusal("Margin calculator expects a JSON array")
        legs = json.loads(await request.body())
        if not isinstance(legs, list) or not legs:
            raise KiteRefusal("Margin calculator expects a JSON array")
        for leg in legs:
            for field in ("exchange", "tradingsymbol", "transaction_type", "variety", "product", "order_type",
                          "quantity"):
                if field not in leg:
                    raise KiteRefusal(f"Missing `{field}` in margin order")
            if f"{leg['exchange']}:{leg['tradingsymbol']}" not in self.by_key:
                raise KiteRefusal("Invalid `tradingsymbol`.")
        return legs

    def _leg_margin(self, leg: dict[str, Any]) -> dict[str, Any]:
        instrument = self.by_key[f"{leg['exchange']}:{leg['tradingsymbol']}"]
        value = instrument.last_price * int(leg["quantity"])
        span = value / 10 if instrument.instrument_type in ("FUT", "CE", "PE") else Decimal(0)
        exposure = value / 50 if span else Decimal(0)
        total = span + exposure if span else value / 5
        return {"type": "equity", "tradingsymbol": leg["tradingsymbol"], "exchange": leg["exchange"],
                "span": _f(span), "exposure": _f(exposure), "option_premium": 0, "additional": 0, "bo": 0,
                "cash": 0, "var": 0, "pnl": {"realised": 0, "unrealised": 0}, "leverage": 1, "charges": {},
                "total": _f(total)}

    async def _margin_orders(self, request: Request) -> Response:
        return ok([self._leg_margin(leg) for leg in await self._margin_legs(request)])

    async def _margin_basket(self, request: Request) -> Response:
        legs = [self._leg_margin(leg) for leg in await self._margin_legs(request)]
        initial = {k: sum(leg[k] for leg in legs) for k in ("span", "exposure", "total")}
        final = {k: round(v * 0.6, 2) for k, v in initial.items()}  # hedging benefit
        return ok({"initial": initial, "final": final, "orders": legs})

    # --- market data -------------------------------------------------------------------------
    def depth_rows(self, instrument: FakeInstrument) -> tuple[list[dict], list[dict]]:
        tick = Decimal(instrument.tick_size) if Decimal(instrument.tick_size) > 0 else Decimal("0.05")
        buy = [{"price": _f(instrument.last_price - tick * (n + 1)), "quantity": 100 * (n + 1), "orders": n + 1}
               for n in range(5)]
        sell = [{"price": _f(instrument.last_price + tick * (n + 1)), "quantity": 150 * (n + 1), "orders": n + 2}
                for n in range(5)]
        return buy, sell

    def quote_row(self, instrument: FakeInstrument) -> dict[str, Any]:
        price = instrument.last_price
        buy, sell = self.depth_rows(instrument)
        return {
            "instrument_token": instrument.instrument_token, "timestamp": "2025-11-27 13:30:00",
            "last_trade_time": "2025-11-27 13:29:58", "last_price": _f(price), "last_quantity": 10,
            "buy_quantity": 5000, "sell_quantity": 6000, "volume": 123456, "average_price": _f(price - 1),
            "oi": 4500 if instrument.instrument_type in ("FUT", "CE", "PE") else 0, "oi_day_high": 0,
            "oi_day_low": 0, "net_change": 0, "lower_circuit_limit": _f(price * Decimal("0.8")),
            "upper_circuit_limit": _f(price * Decimal("1.2")),
            "ohlc": {"open": _f(price - 5), "high": _f(price + 5), "low": _f(price - 10), "close": _f(price - 2)},
            "depth": {"buy": buy, "sell": sell},
        }

    async def _quote(self, request: Request) -> Response:
        keys = request.query_params.getlist("i")
        if not keys:
            raise KiteRefusal("No instruments specified.")
        if len(keys) > 500:
            raise KiteRefusal("Too many instruments (max 500).")
        return ok({k: self.quote_row(self.by_key[k]) for k in keys if k in self.by_key})

    async def _historical(self, request: Request) -> Response:
        interval = request.path_params["interval"]
        instrument = self.by_token.get(int(request.path_params["token"]))
        if interval not in SPANS:
            raise KiteRefusal("invalid interval")
        if instrument is None:
            raise KiteRefusal("invalid token")
        try:
            start = datetime.strptime(request.query_params["from"], "%Y-%m-%d %H:%M:%S")
            end = datetime.strptime(request.query_params["to"], "%Y-%m-%d %H:%M:%S")
        except (KeyError, ValueError):
            raise KiteRefusal("invalid from/to: expected yyyy-mm-dd hh:mm:ss") from None
        if (end.date() - start.date()).days + 1 > SPANS[interval]:
            raise KiteRefusal(f"interval exceeds max limit: {SPANS[interval]} days")
        with_oi = request.query_params.get("oi") == "1"
        base = float(instrument.last_price)
        candles = []
        day = start.date()
        while day <= end.date():
            if day.weekday() < 5:
                stamps = ([f"{day}T00:00:00+0530"] if interval == "day" else
                          [(datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=15)
                            + timedelta(minutes=INTERVAL_MINUTES[interval] * n)).strftime("%Y-%m-%dT%H:%M:%S+0530")
                           for n in range(2)])
                for stamp in stamps:
                    row = [stamp, base, base + 2, base - 2, base + 1, 1000]
                    candles.append(row + [50] if with_oi else row)
            day += timedelta(days=1)
        return ok({"candles": candles})

    # --- ticker WebSocket --------------------------------------------------------------------
    def _feed_gate(self, connection: ServerConnection, request):
        query = dict(parse_qsl(urlsplit(request.path).query))
        if query.get("api_key") != API_KEY or query.get("access_token") not in self.access_tokens:
            return connection.respond(403, "Invalid api_key or access_token\n")
        return None

    async def _feed(self, connection: ServerConnection) -> None:
        self.feed_connections[connection] = {}
        self.feed_accepted += 1
        try:
            async for raw in connection:
                if isinstance(raw, bytes):
                    await connection.send(json.dumps({"type": "error", "data": "binary commands not allowed"}))
                    continue
                try:
                    message = json.loads(raw)
                    action, value = message["a"], message["v"]
                except (ValueError, KeyError, TypeError):
                    await connection.send(json.dumps({"type": "error", "data": "invalid message"}))
                    continue
                self.feed_messages.append(message)
                tokens = self.feed_connections[connection]
                if action == "subscribe" and all(isinstance(t, int) for t in value):
                    for token in value:
                        tokens.setdefault(token, "quote")  # Kite's default mode after subscribe
                elif action == "unsubscribe" and all(isinstance(t, int) for t in value):
                    for token in value:
                        tokens.pop(token, None)
                elif (action == "mode" and isinstance(value, list) and len(value) == 2
                      and value[0] in ("ltp", "quote", "full") and all(isinstance(t, int) for t in value[1])):
                    for token in value[1]:
                        if token in tokens:
                            tokens[token] = value[0]
                else:
                    await connection.send(json.dumps({"type": "error", "data": f"invalid message {message}"}))
        except ConnectionClosed:
            pass
        finally:
            self.feed_connections.pop(connection, None)

    def packet(self, instrument: FakeInstrument, mode: str) -> bytes:
        """One packet built from the documented byte offsets (big-endian)."""
        unit = instrument.price_unit

        def p(value: Decimal) -> int:
            return int(value * unit)

        price = instrument.last_price
        if mode == "ltp":
            return struct.pack(">I", instrument.instrument_token) + struct.pack(">i", p(price))
        if instrument.is_index:
            buf = bytearray(32 if mode == "full" else 28)
            struct.pack_into(">I", buf, 0, instrument.instrument_token)
            struct.pack_into(">i", buf, 4, p(price))
            struct.pack_into(">i", buf, 8, p(price + 50))  # high
            struct.pack_into(">i", buf, 12, p(price - 80))  # low
            struct.pack_into(">i", buf, 16, p(price - 20))  # open
            struct.pack_into(">i", buf, 20, p(price - 100))  # close
            struct.pack_into(">i", buf, 24, p(Decimal(100)))  # change
            if mode == "full":
                struct.pack_into(">I", buf, 28, FIXED_TIME)
            return bytes(buf)
        buf = bytearray(184 if mode == "full" else 44)
        struct.pack_into(">I", buf, 0, instrument.instrument_token)
        struct.pack_into(">i", buf, 4, p(price))
        struct.pack_into(">I", buf, 8, 25)  # last traded quantity
        struct.pack_into(">i", buf, 12, p(price - Decimal("0.25")))  # average traded price
        struct.pack_into(">I", buf, 16, 123456)  # volume
        struct.pack_into(">I", buf, 20, 5000)  # total buy quantity
        struct.pack_into(">I", buf, 24, 6000)  # total sell quantity
        struct.pack_into(">i", buf, 28, p(price - 5))  # open
        struct.pack_into(">i", buf, 32, p(price + 5))  # high
        struct.pack_into(">i", buf, 36, p(price - 10))  # low
        struct.pack_into(">i", buf, 40, p(price - 2))  # close
        if mode == "full":
            struct.pack_into(">I", buf, 44, FIXED_TIME - 2)  # last trade time
            struct.pack_into(">I", buf, 48, 4500)  # OI
            struct.pack_into(">I", buf, 52, 4800)  # OI day high
            struct.pack_into(">I", buf, 56, 4100)  # OI day low
            struct.pack_into(">I", buf, 60, FIXED_TIME)  # exchange timestamp
            buy, sell = self.depth_rows(instrument)
            for n, level in enumerate(buy + sell):
                offset = 64 + 12 * n
                struct.pack_into(">I", buf, offset, level["quantity"])
                struct.pack_into(">i", buf, offset + 4, p(Decimal(repr(level["price"]))))
                struct.pack_into(">H", buf, offset + 8, level["orders"])
            struct.pack_into(">H", buf, 182, 0xDEAD)  # padding of the last entry: never data
        return bytes(buf)

    def frame(self, tokens: Mapping[int, str]) -> bytes:
        packets = [self.packet(self.by_token[t], mode) for t, mode in tokens.items() if t in self.by_token]
        out = struct.pack(">H", len(packets))
        for packet in packets:
            out += struct.pack(">H", len(packet)) + packet
        return out

    async def push(self) -> None:
        """Send one frame (and a heartbeat) to every feed connection with subscriptions."""
        for connection, tokens in list(self.feed_connections.items()):
            try:
                await connection.send(b"\x00")  # heartbeat: a 1-byte frame
                if tokens:
                    await connection.send(self.frame(dict(tokens)))
            except ConnectionClosed:
                pass

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval)
            await self.push()
