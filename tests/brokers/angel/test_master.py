"""The scrip master → our instruments, with OpenAlgo's symbol rules."""

from datetime import date
from decimal import Decimal

import pytest

from brokers.angel.master import transform
from brokers.contract import Exchange


def row(token, symbol, name, seg, kind="", expiry="", strike="-1.000000", lot="1", tick="5.000000"):
    return {"token": token, "symbol": symbol, "name": name, "expiry": expiry, "strike": strike, "lotsize": lot,
            "instrumenttype": kind, "exch_seg": seg, "tick_size": tick}


SAMPLE = [
    row("3045", "SBIN-EQ", "SBIN", "NSE"),
    row("500112", "SBIN", "SBIN", "BSE"),
    row("14732", "DLF-BE", "DLF", "NSE"),
    row("99926000", "Nifty 50", "Nifty 50", "NSE", "AMXIDX", strike="0.000000", tick="0.000000"),
    row("99926009", "Nifty Bank", "Nifty Bank", "NSE", "AMXIDX", strike="0.000000"),
    row("99926037", "Nifty Fin Service", "Nifty Fin Service", "NSE", "AMXIDX", strike="0.000000"),
    row("99919000", "SENSEX", "SENSEX", "BSE", "AMXIDX", strike="0.000000"),
    row("99919012", "S&P BSE 100", "S&P BSE 100", "BSE", "AMXIDX", strike="0.000000"),
    row("35001", "NIFTY29DEC26FUT", "NIFTY", "NFO", "FUTIDX", "29DEC2026", "-1.000000", "75", "10.000000"),
    row("35002", "NIFTY29DEC2624000CE", "NIFTY", "NFO", "OPTIDX", "29DEC2026", "2400000.000000", "75"),
    row("35003", "NIFTY29DEC2624000PE", "NIFTY", "NFO", "OPTIDX", "29DEC2026", "2400000.000000", "75"),
    row("1121", "SENSEX24DEC26FUT", "SENSEX", "BFO", "FUTIDX", "24DEC2026", "-1.000000", "20"),
    row("1122", "SENSEX2612485000CE", "SENSEX", "BFO", "OPTIDX", "24DEC2026", "8500000.000000", "20"),
    row("4501", "CRUDEOIL19JAN27FUT", "CRUDEOIL", "MCX", "FUTCOM", "19JAN2027", "-1.000000", "100", "100.000000"),
    row("4502", "CRUDEOIL15JAN276000PE", "CRUDEOIL", "MCX", "OPTFUT", "15JAN2027", "600000.000000", "100"),
    row("1201", "USDINR29DEC26FUT", "USDINR", "CDS", "FUTCUR", "29DEC2026", "-1.000000", "1", "0.002500"),
    row("1202", "USDINR29DEC2683.0625CE", "USDINR", "CDS", "OPTCUR", "29DEC2026", "830625000.000000", "1", "0.002500"),
    row("1203", "USDINR29DEC2684CE", "USDINR", "CDS", "OPTCUR", "29DEC2026", "840000000.000000", "1", "0.002500"),
    # malformed: counted and skipped, never fatal
    row("", "BROKEN-EQ", "BROKEN", "NSE"),
    row("9", "BADLOT-EQ", "BADLOT", "NSE", lot="abc"),
    row("10", "NIFTY99XYZ2624000CE", "NIFTY", "NFO", "OPTIDX", "99XYZ2026", "2400000.000000", "75"),
    row("11", "ZEROTICK-EQ", "ZEROTICK", "NSE", tick="0.000000"),
    "not even an object",
    # segments we do not offer are left out silently (not malformed)
    row("12", "GOLDGUINEA", "GOLD", "NCO", "FUTCOM", "29DEC2026"),
]


def by_symbol(instruments):
    return {(str(i.exchange), i.symbol): i for i in instruments}


class TestTransform:
    def test_every_instrument_kind(self):
        instruments, skipped = transform(SAMPLE)
        assert skipped == 5
        found = by_symbol(instruments)
        assert set(found) == {
            ("NSE", "SBIN"), ("BSE", "SBIN"), ("NSE", "DLF"), ("NSE_INDEX", "NIFTY"), ("NSE_INDEX", "BANKNIFTY"),
            ("NSE_INDEX", "FINNIFTY"), ("BSE_INDEX", "SENSEX"), ("BSE_INDEX", "BSE100"), ("NFO", "NIFTY29DEC26FUT"),
            ("NFO", "NIFTY29DEC2624000CE"), ("NFO", "NIFTY29DEC2624000PE"), ("BFO", "SENSEX24DEC26FUT"),
            ("BFO", "SENSEX24DEC2685000CE"), ("MCX", "CRUDEOIL19JAN27FUT"), ("MCX", "CRUDEOIL15JAN276000PE"),
            ("CDS", "USDINR29DEC26FUT"), ("CDS", "USDINR29DEC2683.0625CE"), ("CDS", "USDINR29DEC2684CE")}

    def test_equity_fields(self):
        sbin = by_symbol(transform(SAMPLE)[0])[("NSE", "SBIN")]
        assert (sbin.brsymbol, sbin.brexchange, sbin.token, sbin.name) == ("SBIN-EQ", "NSE", "3045", "SBIN")
        assert sbin.exchange == Exchange.NSE and sbin.instrumenttype == "EQ" and sbin.expiry is None
        assert sbin.lotsize == 1 and sbin.tick_size == Decimal("0.05") and sbin.strike is None

    def test_index_fields(self):
        nifty = by_symbol(transform(SAMPLE)[0])[("NSE_INDEX", "NIFTY")]
        assert nifty.exchange == Exchange.NSE_INDEX and nifty.brexchange == "NSE" and nifty.token == "99926000"
        assert nifty.instrumenttype == "INDEX" and nifty.tick_size == Decimal("0.05")

    def test_derivative_fields(self):
        found = by_symbol(transform(SAMPLE)[0])
        fut = found[("NFO", "NIFTY29DEC26FUT")]
        assert (fut.instrumenttype, fut.expiry, fut.lotsize, fut.tick_size) == ("FUT", date(2026, 12, 29), 75,
                                                                                Decimal("0.1"))
        assert fut.expiry_text == "29-DEC-26" and fut.strike is None
        call = found[("NFO", "NIFTY29DEC2624000CE")]
        assert (call.instrumenttype, call.strike, call.lotsize) == ("CE", Decimal(24000), 75)
        assert call.brsymbol == "NIFTY29DEC2624000CE"
        sensex_call = found[("BFO", "SENSEX24DEC2685000CE")]
        assert sensex_call.brsymbol == "SENSEX2612485000CE" and sensex_call.strike == Decimal(85000)
        crude = found[("MCX", "CRUDEOIL19JAN27FUT")]
        assert crude.tick_size == Decimal(1) and crude.lotsize == 100 and crude.instrumenttype == "FUT"
        assert found[("MCX", "CRUDEOIL15JAN276000PE")].instrumenttype == "PE"
        fractional = found[("CDS", "USDINR29DEC2683.0625CE")]
        assert fractional.strike == Decimal("83.0625") and fractional.tick_size == Decimal("0.000025")

    def test_progress_fractions(self):
        steps = []
        instruments, skipped = transform(SAMPLE * 4, lambda message, fraction: steps.append(fraction),
                                         len(SAMPLE) * 4, 0.6, 0.4, every=10)
        assert len(steps) == 9 and steps[0] == pytest.approx(0.6 + 0.4 * 10 / 96) and steps[-1] == pytest.approx(
            0.6 + 0.4 * 90 / 96)
        assert steps == sorted(steps) and len(instruments) == 18 * 4 and skipped == 5 * 4


class TestDownload:
    async def test_download_reports_progress(self, fake, plugin):
        steps: list[tuple[str, float]] = []
        provider = plugin.instrument_provider()
        instruments = await provider.download(lambda message, fraction: steps.append((message, fraction)))
        assert {(str(i.exchange), i.symbol) for i in instruments} == {
            ("NSE", "SBIN"), ("NSE", "RELIANCE"), ("NSE_INDEX", "NIFTY"), ("NFO", "NIFTY29DEC26FUT"),
            ("NFO", "NIFTY29DEC2624000CE"), ("NFO", "NIFTY29DEC2624000PE")}
        fractions = [f for _, f in steps]
        assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
        assert "0 malformed" in steps[-1][0] and provider.skipped == 0
        assert fake.requests[-1][1].endswith("OpenAPIScripMaster.json")
