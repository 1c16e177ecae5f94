"""The master contract: the fake's gzipped JSON file → OpenAlgo symbols, lots, ticks, expiries."""

from datetime import date
from decimal import Decimal

from brokers.contract import Exchange
from brokers.upstox.master import derivative_symbol, index_symbol


async def test_download_transforms_every_kind(plugin, fake):
    steps = []
    provider = plugin.instrument_provider()
    instruments = await provider.download(lambda message, fraction: steps.append((message, fraction)))
    by_symbol = {(i.exchange, i.symbol): i for i in instruments}
    assert steps[0][1] == 0.0 and steps[-1][1] == 1.0
    assert [f for _, f in steps] == sorted(f for _, f in steps)
    # 12 good rows; NSE_COM dropped; 4 malformed rows skipped and counted.
    assert len(instruments) == 12
    assert provider.stats.malformed == 4 and provider.stats.dropped == 1

    sbin = by_symbol[(Exchange.NSE, "SBIN")]
    assert (sbin.token, sbin.brsymbol, sbin.brexchange) == ("NSE_EQ|INE062A01020", "SBIN", "NSE_EQ")
    assert sbin.tick_size == Decimal("0.05") and sbin.lotsize == 1 and sbin.instrumenttype == "EQ"
    assert sbin.name == "STATE BANK OF INDIA" and sbin.expiry is None and sbin.freeze_qty == 100000

    fut = by_symbol[(Exchange.NFO, "NIFTY29DEC26FUT")]
    assert fut.brsymbol == "NIFTY FUT 29 DEC 26" and fut.token == "NSE_FO|52910"
    assert fut.expiry == date(2026, 12, 29) and fut.expiry_text == "29-DEC-26"
    assert fut.lotsize == 75 and fut.tick_size == Decimal("0.1") and fut.instrumenttype == "FUT"
    assert fut.strike is None and fut.name == "NIFTY" and fut.freeze_qty == 1800

    ce = by_symbol[(Exchange.NFO, "NIFTY29DEC2626000CE")]
    pe = by_symbol[(Exchange.NFO, "NIFTY29DEC2626000PE")]
    assert ce.strike == Decimal("26000") and ce.instrumenttype == "CE" and pe.instrumenttype == "PE"
    assert ce.tick_size == Decimal("0.05") and pe.token == "NSE_FO|52912"

    usd = by_symbol[(Exchange.CDS, "USDINR29DEC2683.25CE")]
    assert usd.strike == Decimal("83.25") and usd.tick_size == Decimal("0.0025") and usd.brexchange == "NCD_FO"
    crude = by_symbol[(Exchange.MCX, "CRUDEOIL16DEC26FUT")]
    assert crude.expiry == date(2026, 12, 16) and crude.tick_size == Decimal("1") and crude.lotsize == 100

    nifty = by_symbol[(Exchange.NSE_INDEX, "NIFTY")]
    assert nifty.token == "NSE_INDEX|Nifty 50" and nifty.brsymbol == "NIFTY 50" and nifty.instrumenttype == "INDEX"
    assert (Exchange.NSE_INDEX, "BANKNIFTY") in by_symbol and (Exchange.NSE_INDEX, "NIFTYMIDCAP100") in by_symbol
    assert (Exchange.BSE_INDEX, "SENSEX") in by_symbol and (Exchange.BSE_INDEX, "BSEAUTO") in by_symbol


def test_symbol_rules():
    assert derivative_symbol("BANKNIFTY FUT 30 DEC 25", "FUT") == "BANKNIFTY30DEC25FUT"
    assert derivative_symbol("NIFTY 26000 CE 30 DEC 25", "CE") == "NIFTY30DEC2526000CE"
    assert index_symbol(Exchange.NSE_INDEX, "NIFTY FIN SERVICE") == "FINNIFTY"
    assert index_symbol(Exchange.NSE_INDEX, "NIFTY MID SELECT") == "MIDCPNIFTY"
    assert index_symbol(Exchange.NSE_INDEX, "NIFTY50 EQL WGT") == "NIFTY50EQLWGT"
    assert index_symbol(Exchange.NSE_INDEX, "INDIA VIX") == "INDIAVIX"
    assert index_symbol(Exchange.BSE_INDEX, "BSE CG") == "BSECAPITALGOODS"
    assert index_symbol(Exchange.GLOBAL_INDEX, "^GSPC") == "US500"
