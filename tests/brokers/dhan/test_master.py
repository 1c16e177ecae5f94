"""The scrip-master CSV → OpenAlgo instruments, on the fake's file (Dhan's compact columns)."""

from datetime import date
from decimal import Decimal

from brokers.contract import Exchange, InstrumentProvider
from brokers.dhan.master import to_instrument, transform


async def test_download_transforms_every_kind(plugin):
    provider = plugin.instrument_provider()
    assert isinstance(provider, InstrumentProvider)
    steps = []
    instruments = await provider.download(lambda message, fraction: steps.append((message, fraction)))
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[0] < 0.5 and fractions[-1] == 1.0
    assert "2 malformed, 1 unsupported" in steps[-1][0]
    assert provider.malformed == 2 and provider.skipped == 1
    by_key = {(i.exchange, i.symbol): i for i in instruments}
    assert len(by_key) == len(instruments) == 14

    sbin = by_key[(Exchange.NSE, "SBIN")]
    assert (sbin.token, sbin.brsymbol, sbin.brexchange, sbin.instrumenttype) == ("3045", "SBIN", "NSE_EQ", "EQ")
    assert sbin.lotsize == 1 and sbin.tick_size == Decimal("0.05") and sbin.expiry is None
    assert sbin.name == "STATE BANK OF INDIA"
    assert by_key[(Exchange.BSE, "SBIN")].brexchange == "BSE_EQ"

    nifty = by_key[(Exchange.NSE_INDEX, "NIFTY")]
    assert (nifty.token, nifty.brexchange, nifty.instrumenttype) == ("13", "IDX_I", "INDEX")
    assert by_key[(Exchange.NSE_INDEX, "NIFTYNXT50")].brsymbol == "NIFTY NEXT 50"  # renamed
    assert (Exchange.NSE_INDEX, "NIFTY ODD THING") in by_key  # not a standard name: kept as Dhan has it
    assert by_key[(Exchange.BSE_INDEX, "SENSEX")].token == "51"
    assert by_key[(Exchange.BSE_INDEX, "SENSEX50")].brsymbol == "SNSX50"

    fut = by_key[(Exchange.NFO, "NIFTY30DEC25FUT")]
    assert (fut.token, fut.brexchange, fut.instrumenttype, fut.name) == ("52175", "NSE_FNO", "FUT", "NIFTY")
    assert fut.expiry == date(2025, 12, 30) and fut.expiry_text == "30-DEC-25"
    assert fut.lotsize == 75 and fut.tick_size == Decimal("0.1") and fut.strike is None

    ce, pe = by_key[(Exchange.NFO, "NIFTY30DEC2526000CE")], by_key[(Exchange.NFO, "NIFTY30DEC2526000PE")]
    assert (ce.token, ce.instrumenttype, ce.strike, ce.lotsize) == ("52210", "CE", Decimal("26000"), 75)
    assert (pe.token, pe.instrumenttype, pe.name) == ("52211", "PE", "NIFTY")

    vedl = by_key[(Exchange.NFO, "VEDL30DEC25292.5CE")]  # 4-word display name, fractional strike
    assert vedl.name == "VEDL" and vedl.strike == Decimal("292.5") and vedl.lotsize == 1150

    crude = by_key[(Exchange.MCX, "CRUDEOIL19DEC25FUT")]
    assert (crude.brexchange, crude.tick_size, crude.lotsize) == ("MCX_COMM", Decimal("1"), 100)
    usdinr = by_key[(Exchange.CDS, "USDINR26DEC25FUT")]
    assert (usdinr.brexchange, usdinr.tick_size) == ("NSE_CURRENCY", Decimal("0.0025"))


def test_one_bad_row_never_stops_the_rest():
    good = {"SEM_EXM_EXCH_ID": "NSE", "SEM_SEGMENT": "E", "SEM_SMST_SECURITY_ID": "1333",
            "SEM_INSTRUMENT_NAME": "EQUITY", "SEM_TRADING_SYMBOL": "HDFCBANK", "SEM_LOT_UNITS": "1.0",
            "SEM_CUSTOM_SYMBOL": "HDFC Bank", "SEM_EXPIRY_DATE": "", "SEM_STRIKE_PRICE": "-0.01",
            "SEM_OPTION_TYPE": "XX", "SEM_TICK_SIZE": "5.0000", "SM_SYMBOL_NAME": "HDFC BANK LTD"}
    rows = [good, {**good, "SEM_LOT_UNITS": "many"}, {"SEM_EXM_EXCH_ID": "NSE"},
            {**good, "SEM_INSTRUMENT_NAME": "OPTIDX", "SEM_EXPIRY_DATE": "2025-12-30", "SEM_OPTION_TYPE": "XX"},
            {**good, "SEM_EXM_EXCH_ID": "NCDEX"}]
    instruments, malformed, skipped = transform(rows)
    assert [i.symbol for i in instruments] == ["HDFCBANK"] and malformed == 3 and skipped == 1


def test_five_word_option_uses_the_fourth_word_as_strike():
    row = {"SEM_EXM_EXCH_ID": "BSE", "SEM_SEGMENT": "D", "SEM_SMST_SECURITY_ID": "1150123",
           "SEM_INSTRUMENT_NAME": "OPTIDX", "SEM_TRADING_SYMBOL": "SENSEX-Dec2025-85000-PE", "SEM_LOT_UNITS": "20",
           "SEM_CUSTOM_SYMBOL": "SENSEX 24 DEC 85000 PUT", "SEM_EXPIRY_DATE": "2025-12-24 14:30:00",
           "SEM_STRIKE_PRICE": "85000.00000", "SEM_OPTION_TYPE": "PE", "SEM_TICK_SIZE": "5.0000",
           "SM_SYMBOL_NAME": "BSXOPT"}
    option = to_instrument(row)
    assert (option.symbol, option.exchange, option.brexchange, option.name) == (
        "SENSEX24DEC2585000PE", Exchange.BFO, "BSE_FNO", "SENSEX")
