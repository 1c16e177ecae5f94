"""The master contract per member: zipped Noren text files or Flattrade's CSVs, transformed with
OpenAlgo's symbol rules (exact symbols for each instrument kind, lot/tick size, expiry)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from brokers.contract import BrokerError, Exchange
from brokers.families.noren.master import bse_index_symbol, nse_index_symbol


async def test_transform_per_kind(fake, plugin, member):
    progress: list[tuple[str, float]] = []
    provider = plugin.instrument_provider()
    instruments = await provider.download(lambda message, fraction: progress.append((message, fraction)))
    found = {(str(i.exchange), i.symbol): i for i in instruments}
    flattrade = member == "flattrade"

    sbin = found[("NSE", "SBIN")]
    assert (sbin.brsymbol, sbin.brexchange, sbin.token, sbin.lotsize, sbin.tick_size, sbin.instrumenttype) == (
        "SBIN-EQ", "NSE", "3045", 1, Decimal("0.05"), "EQ")
    assert found[("NSE", "RELIANCE")].tick_size == Decimal("0.05" if flattrade else "0.1")
    assert found[("NSE", "M&M")].brsymbol == "M&M-EQ"
    nifty = found[("NSE_INDEX", "NIFTY")]
    assert (nifty.brsymbol, nifty.brexchange, nifty.token, nifty.instrumenttype) == ("Nifty 50", "NSE", "26000", "INDEX")
    assert found[("NSE_INDEX", "BANKNIFTY")].token == "26009" and found[("NSE_INDEX", "INDIAVIX")].token == "26017"
    assert found[("BSE", "SBIN")].token == "500112" and found[("BSE", "SBIN")].instrumenttype == "EQ"

    fut = found[("NFO", "NIFTY30DEC26FUT")]
    assert (fut.brsymbol, fut.token, fut.expiry, fut.strike, fut.lotsize, fut.instrumenttype, fut.name) == (
        "NIFTY30DEC26F", "35001", date(2026, 12, 30), None, 75, "FUT", "NIFTY")
    assert fut.expiry_text == "30-DEC-26"
    call = found[("NFO", "NIFTY30DEC2626000CE")]
    assert (call.brsymbol, call.token, call.strike, call.instrumenttype, call.tick_size) == (
        "NIFTY30DEC26C26000", "35002", Decimal("26000"), "CE", Decimal("0.05"))
    assert found[("NFO", "NIFTY30DEC2626000PE")].token == "35003"
    sensex_option = found[("BFO", "SENSEX24DEC2685000CE")]
    assert (sensex_option.name, sensex_option.brsymbol, sensex_option.lotsize) == ("SENSEX", "SENSEX2612485000CE", 20)
    currency = found[("CDS", "USDINR30DEC2682.25CE")]
    assert (currency.tick_size, currency.lotsize, currency.strike) == (Decimal("0.0025"), 1000, Decimal("82.25"))
    crude = found[("MCX", "CRUDEOIL17DEC26FUT")]
    assert (crude.token, crude.lotsize, crude.expiry) == ("440001", 100, date(2026, 12, 17))
    assert crude.tick_size == (Decimal("0.05") if flattrade else Decimal("1"))
    assert not any(i.exchange == Exchange.CDS and int(i.token) <= 100 for i in instruments)  # dummy rows dropped

    if member == "zebu":  # no BSE_INDEX on Zebu
        assert not any(i.exchange == Exchange.BSE_INDEX for i in instruments)
    else:
        sensex = found[("BSE_INDEX", "SENSEX")]
        assert (sensex.token, sensex.brexchange, sensex.lotsize) == ("1", "BSE", 1)
        assert found[("BSE_INDEX", "BANKEX")].token == "12"
    if flattrade:
        assert found[("BSE_INDEX", "SENSEX50")].token == "47"
        assert found[("NFO", "SBIN30DEC26FUT")].lotsize == 750  # the NFO pair of files is concatenated
        assert provider.skipped == 1
    else:
        assert provider.skipped == 2  # a bad token and a bad expiry; the placeholder row is dropped silently
    assert progress[-1][1] == 1.0 and "instruments" in progress[-1][0]
    assert [f for _, f in progress] == sorted(f for _, f in progress)


async def test_missing_master_file_is_a_broker_error(fake, plugin, member):
    plugin.instrument_provider()  # builds without a session
    provider = plugin.instrument_provider()
    provider.base = provider.base + "/nowhere"
    with pytest.raises(BrokerError, match=f"{member}: master"):
        await provider.download()


@pytest.mark.parametrize(("name", "symbol"), [
    ("Nifty 50", "NIFTY"), ("NIFTY INDEX", "NIFTY"), ("Nifty Bank", "BANKNIFTY"), ("Nifty Fin Service", "FINNIFTY"),
    ("NIFTY MID SELECT", "MIDCPNIFTY"), ("Nifty Next 50", "NIFTYNXT50"), ("India VIX", "INDIAVIX"),
    ("Nifty IT", "NIFTYIT"),
])
def test_nse_index_names(name, symbol):
    assert nse_index_symbol(name) == symbol


@pytest.mark.parametrize(("name", "symbol"), [
    ("S&P BSE SENSEX", "SENSEX"), ("BSE SENSEX", "SENSEX"), ("S&P BSE SENSEX 50", "SENSEX50"),
    ("S&P BSE SENSEX NEXT 50", "BSESENSEXNEXT50"),
])
def test_bse_index_names(name, symbol):
    assert bse_index_symbol(name) == symbol
