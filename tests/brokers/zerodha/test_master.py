"""The instrument dump → OpenAlgo instruments: exact symbols per kind, sizes, expiries, bad rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from brokers.contract import Exchange, InstrumentProvider
from brokers.zerodha.master import parse, strike_text

MALFORMED = [
    "notanumber,1,BROKEN,BROKEN,0,,0,0.05,1,EQ,NSE,NSE",  # token not numeric
    "123457,2,BADEXP,NIFTY,0,2026-13-45,26000,0.05,75,CE,NFO-OPT,NFO",  # impossible expiry
    "123713,3,ODDEX,ODD,0,,0,0.05,1,EQ,XYZ,XYZ",  # an exchange we do not know
    "123969,4,SHORT,SHORT",  # truncated row
    "124225,5,NOEXPFUT,NIFTY,0,,0,0.05,75,FUT,NFO-FUT,NFO",  # a future without expiry
    "124481,6,BADLOT,NIFTY,0,2026-12-29,0,0.05,many,FUT,NFO-FUT,NFO",  # lot size not a number
]


async def download(fake, plugin, steps=None):
    provider = plugin.instrument_provider()
    assert isinstance(provider, InstrumentProvider)
    instruments = await provider.download(None if steps is None else lambda m, f: steps.append((m, f)))
    return provider, {(str(i.exchange), i.symbol): i for i in instruments}


async def test_every_kind_gets_openalgos_symbol(fake, plugin):
    _, found = await download(fake, plugin)
    assert set(found) == {
        ("NSE", "SBIN"), ("NSE", "RELIANCE"), ("NSE_INDEX", "NIFTY"), ("NSE_INDEX", "BANKNIFTY"),
        ("NSE_INDEX", "NIFTYIT"), ("BSE_INDEX", "SENSEX"), ("BSE_INDEX", "SENSEX50"),
        ("GLOBAL_INDEX", "GIFTNIFTY"), ("NFO", "NIFTY29DEC26FUT"), ("NFO", "NIFTY29DEC2626000CE"),
        ("NFO", "NIFTY29DEC2626000PE"), ("NFO", "NIFTY01DEC2626000CE"), ("CDS", "USDINR29DEC2682.25CE"),
        ("MCX", "CRUDEOIL17DEC26FUT"),
    }


async def test_rows_keep_kites_symbol_token_and_sizes(fake, plugin):
    _, found = await download(fake, plugin)
    future = found[("NFO", "NIFTY29DEC26FUT")]
    assert (future.brsymbol, future.brexchange, future.token, future.name) == ("NIFTY26DECFUT", "NFO", "3160322", "NIFTY")
    assert (future.lotsize, future.tick_size, future.expiry, future.instrumenttype) == (
        75, Decimal("0.1"), date(2026, 12, 29), "FUT")
    assert future.expiry_text == "29-DEC-26"
    weekly = found[("NFO", "NIFTY01DEC2626000CE")]
    assert weekly.brsymbol == "NIFTY26D0126000CE" and weekly.strike == Decimal("26000") and weekly.is_option
    currency = found[("CDS", "USDINR29DEC2682.25CE")]
    assert (currency.strike, currency.tick_size, currency.lotsize) == (Decimal("82.25"), Decimal("0.0025"), 1000)
    nifty = found[("NSE_INDEX", "NIFTY")]
    assert (nifty.brsymbol, nifty.brexchange, nifty.token, nifty.expiry, nifty.exchange) == (
        "NIFTY 50", "NSE", "256265", None, Exchange.NSE_INDEX)
    assert found[("GLOBAL_INDEX", "GIFTNIFTY")].brexchange == "NSEIX"
    sbin = found[("NSE", "SBIN")]
    assert (sbin.brsymbol, sbin.token, sbin.lotsize, sbin.tick_size, sbin.strike) == (
        "SBIN", "779521", 1, Decimal("0.05"), None)


async def test_malformed_rows_are_skipped_and_counted(fake, plugin):
    fake.extra_master_lines = MALFORMED
    steps = []
    provider, found = await download(fake, plugin, steps)
    assert provider.skipped == len(MALFORMED) and len(found) == 14
    fractions = [f for _, f in steps]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert "6 skipped" in steps[-1][0]


def test_strike_text():
    assert [strike_text(Decimal(s)) for s in ("24000", "24000.0", "187.5", "82.25", "82.2500")] == [
        "24000", "24000", "187.5", "82.25", "82.25"]


def test_parse_plain_text_and_duplicate_tokens():
    header = ("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,"
              "instrument_type,segment,exchange\n")
    row = "779521,3045,SBIN,STATE BANK OF INDIA,0,,0,0.05,1,EQ,NSE,NSE\n"
    bse = "265,1,SENSEX,SENSEX,0,,0,0,0,EQ,INDICES,BSE\n"
    instruments, skipped = parse(header + row + row + bse)
    assert [(i.symbol, str(i.exchange)) for i in instruments] == [("SBIN", "NSE"), ("SENSEX", "BSE_INDEX")]
    assert skipped == 1
