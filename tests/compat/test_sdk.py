"""The openalgo SDK (1.0.47), unchanged, against our server: shapes and effects of every call it
offers for orders, books, funds, market data and symbols."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.compat


def test_analyzer_status_and_toggle(sdk):
    status = sdk("result = client.analyzerstatus()")
    assert status["status"] == "success" and status["data"]["analyze_mode"] is False
    on = sdk("result = client.analyzertoggle(mode=True)")
    assert on["data"]["mode"] == "analyze"
    off = sdk("result = client.analyzertoggle(mode=False)")
    assert off["data"]["analyze_mode"] is False


def test_order_lifecycle_through_books_and_close(sdk):
    result = sdk("""
placed = client.placeorder(strategy="compat", symbol="SBIN", action="BUY", exchange="NSE",
                           price_type="MARKET", product="MIS", quantity=3)
status = client.orderstatus(order_id=placed["orderid"], strategy="compat")
book = client.orderbook()
trades = client.tradebook()
positions = client.positionbook()
open_qty = client.openposition(strategy="compat", symbol="SBIN", exchange="NSE", product="MIS")
closed = client.closeposition(strategy="compat")
after = client.openposition(strategy="compat", symbol="SBIN", exchange="NSE", product="MIS")
funds = client.funds()
result = dict(placed=placed, status=status, book=book, trades=trades, positions=positions,
              open_qty=open_qty, closed=closed, after=after, funds=funds)
""")
    orderid = result["placed"]["orderid"]
    assert result["placed"]["status"] == "success"
    assert result["status"]["data"]["order_status"] == "complete"
    assert result["status"]["data"]["average_price"] > 0
    assert orderid in [o["orderid"] for o in result["book"]["data"]["orders"]]
    assert orderid in [t["orderid"] for t in result["trades"]["data"]]
    assert ("SBIN", 3) in [(p["symbol"], p["quantity"]) for p in result["positions"]["data"]]
    assert int(result["open_qty"]["quantity"]) == 3
    assert result["closed"]["status"] == "success"
    assert int(result["after"]["quantity"]) == 0
    assert float(result["funds"]["data"]["availablecash"]) > 0


def test_smart_split_basket_modify_cancel(sdk):
    result = sdk("""
smart = client.placesmartorder(strategy="compat", symbol="INFY", action="BUY", exchange="NSE",
                               price_type="MARKET", product="MIS", quantity=0, position_size=4)
split = client.splitorder(strategy="compat", symbol="INFY", action="SELL", exchange="NSE", quantity=5,
                          splitsize=2, price_type="MARKET", product="MIS")
basket = client.basketorder(strategy="compat", orders=[
    {"symbol": "TCS", "exchange": "NSE", "action": "BUY", "quantity": 1, "pricetype": "MARKET", "product": "MIS"},
    {"symbol": "ITC", "exchange": "NSE", "action": "SELL", "quantity": 1, "pricetype": "MARKET", "product": "MIS"}])
ltp = client.quotes(symbol="SBIN", exchange="NSE")["data"]["ltp"]
low = float(round(ltp * 0.85))  # whole rupees: a multiple of every equity tick size
limit = client.placeorder(strategy="compat", symbol="SBIN", action="BUY", exchange="NSE", price_type="LIMIT",
                          product="MIS", quantity=1, price=low)
modified = client.modifyorder(order_id=limit["orderid"], strategy="compat", symbol="SBIN", action="BUY",
                              exchange="NSE", price_type="LIMIT", product="MIS", quantity=2, price=low - 1)
cancelled = client.cancelorder(order_id=limit["orderid"], strategy="compat")
other = client.placeorder(strategy="compat", symbol="SBIN", action="BUY", exchange="NSE", price_type="LIMIT",
                          product="MIS", quantity=1, price=low)
cancel_all = client.cancelallorder(strategy="compat")
holdings = client.holdings()
result = dict(smart=smart, split=split, basket=basket, modified=modified, cancelled=cancelled,
              cancel_all=cancel_all, other=other, holdings=holdings)
""")
    assert result["smart"]["status"] == "success" and "orderid" in result["smart"]
    assert [r["quantity"] for r in result["split"]["results"]] == [2, 2, 1]
    assert [r["symbol"] for r in result["basket"]["results"]] == ["TCS", "ITC"]
    assert result["modified"]["status"] == "success", result["modified"]
    assert result["cancelled"]["status"] == "success"
    assert result["other"]["orderid"] in result["cancel_all"]["canceled_orders"]
    assert result["holdings"]["status"] == "success"


def test_market_data(sdk):
    result = sdk("""
import datetime
today = datetime.date.today()
quote = client.quotes(symbol="RELIANCE", exchange="NSE")
multi = client.multiquotes(symbols=[{"symbol": "RELIANCE", "exchange": "NSE"}, {"symbol": "NIFTY", "exchange": "NSE_INDEX"}])
depth = client.depth(symbol="SBIN", exchange="NSE")
frame = client.history(symbol="SBIN", exchange="NSE", interval="5m",
                       start_date=(today - datetime.timedelta(days=3)).isoformat(), end_date=today.isoformat())
daily = client.history(symbol="SBIN", exchange="NSE", interval="D",
                       start_date=(today - datetime.timedelta(days=30)).isoformat(), end_date=today.isoformat())
result = dict(quote=quote, multi=multi, depth=depth,
              frame_rows=len(frame), frame_columns=list(frame.columns), frame_tz=str(frame.index.tz),
              daily_rows=len(daily))
""")
    assert result["quote"]["data"]["ltp"] > 0
    assert [r["symbol"] for r in result["multi"]["results"]] == ["RELIANCE", "NIFTY"]
    assert len(result["depth"]["data"]["bids"]) == 5
    assert result["frame_rows"] > 0 and result["frame_tz"] == "Asia/Kolkata"
    assert {"open", "high", "low", "close", "volume"} <= set(result["frame_columns"])
    assert result["daily_rows"] > 10


def test_symbols_and_calendar(sdk):
    result = sdk("""
search = client.search(query="NIFTY", exchange="NFO")
symbol = client.symbol(symbol="SBIN", exchange="NSE")
expiry = client.expiry(symbol="NIFTY", exchange="NFO", instrumenttype="options")
intervals = client.intervals()
holidays = client.holidays()
timings = client.timings()
result = dict(search=search, symbol=symbol, expiry=expiry, intervals=intervals, holidays=holidays, timings=timings)
""")
    assert result["search"]["status"] == "success" and result["search"]["data"]
    assert result["symbol"]["data"]["symbol"] == "SBIN"
    assert result["expiry"]["status"] == "success" and result["expiry"]["data"]
    assert "D" in result["intervals"]["data"]["days"]
    assert result["holidays"]["status"] == "success"
    assert result["timings"]["status"] == "success"


def test_errors_come_back_as_sdk_errors(sdk):
    result = sdk("""
bad_symbol = client.placeorder(strategy="compat", symbol="NOSUCH", action="BUY", exchange="NSE", quantity=1)
bad_qty = client.placeorder(strategy="compat", symbol="SBIN", action="BUY", exchange="NSE", quantity=0)
stranger = api(api_key="0" * 64, host=client.base_url.rsplit("/api/v1", 1)[0])
result = dict(bad_symbol=bad_symbol, bad_qty=bad_qty, stranger=stranger.funds())
""")
    assert result["bad_symbol"]["status"] == "error" and "NOSUCH" in result["bad_symbol"]["message"]
    assert result["bad_qty"]["status"] == "error" and "Quantity must be a positive number" in result["bad_qty"]["message"]
    assert result["stranger"]["status"] == "error" and "403" in result["stranger"]["message"]
