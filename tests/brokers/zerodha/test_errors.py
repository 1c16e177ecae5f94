"""Kite's error envelope → our taxonomy, and the no-retry rule for orders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from brokers.contract import (
    Action,
    BrokerConfig,
    BrokerError,
    BrokerSession,
    BrokerUnavailable,
    Exchange,
    OrderRejected,
    OrderRequest,
    SessionExpired,
)
from brokers.zerodha.api import kite_error, unwrap
from brokers.zerodha.master import transform
from brokers.zerodha.plugin import ZerodhaPlugin
from tests.brokers.zerodha.conftest import FAST_LIMITS, Lookup
from tests.brokers.zerodha.fake import default_universe


def envelope(status: int, error_type: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"status": "error", "message": message, "error_type": error_type})


def test_error_types_map_into_the_taxonomy():
    assert isinstance(kite_error(envelope(403, "TokenException", "Incorrect access_token")), SessionExpired)
    login = kite_error(envelope(403, "TokenException", "Invalid `checksum`."), login=True)
    assert type(login) is BrokerError and login.status == 401 and "Invalid `checksum`." in str(login)
    refused = kite_error(envelope(400, "MarginException", "Insufficient funds"), order=True)
    assert isinstance(refused, OrderRejected) and str(refused) == "zerodha: Insufficient funds"
    # The same error on a read is a plain broker error, keeping Kite's status.
    read = kite_error(envelope(400, "InputException", "Invalid segment"))
    assert type(read) is BrokerError and read.status == 400 and "Invalid segment" in read.message
    limited = kite_error(envelope(429, "NetworkException", "Too many requests"))
    assert limited.status == 429 and str(limited).startswith("zerodha: ")
    denied = kite_error(envelope(403, "PermissionException", "Insufficient permission for that call."))
    assert type(denied) is BrokerError and denied.status == 403


def test_success_status_is_required():
    with pytest.raises(BrokerError, match="non-JSON"):
        unwrap(httpx.Response(200, text="<html>"))
    with pytest.raises(BrokerError, match="odd"):
        unwrap(httpx.Response(200, json={"status": "error", "message": "odd"}))
    assert unwrap(httpx.Response(200, json={"status": "success", "data": [1]})) == [1]


async def test_orders_are_never_retried_but_reads_are():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(502, json={"status": "error", "message": "OMS down", "error_type": "NetworkException"})

    plugin = ZerodhaPlugin(BrokerConfig(transport=httpx.MockTransport(handler)), rate_limits=FAST_LIMITS)
    session = BrokerSession("zerodha", "tok", datetime.now(ZoneInfo("Asia/Kolkata")), extra={"api_key": "k"})
    universe = default_universe()
    row = {k: str(getattr(universe[0], k)) for k in ("instrument_token", "exchange_token", "tradingsymbol",
                                                      "name", "expiry", "strike", "tick_size", "lot_size",
                                                      "instrument_type", "segment", "exchange")}
    lookup = Lookup([transform(row)])
    execution = plugin.execution_client(session, lookup)
    try:
        with pytest.raises(BrokerUnavailable):
            await execution.place_order(OrderRequest("SBIN", Exchange.NSE, Action.BUY, 1))
        assert seen == ["POST /orders/regular"]
        seen.clear()
        with pytest.raises(BrokerUnavailable):
            await execution.orders()
        assert seen == ["GET /orders"] * 3
    finally:
        await plugin.close()
