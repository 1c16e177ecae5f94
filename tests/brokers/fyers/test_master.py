"""The master-contract transform on the fake's files (generated from the documented columns)."""

from datetime import date
from decimal import Decimal

from brokers.contract import Exchange
from brokers.fyers.master import derivative_symbol


async def test_download_transforms_every_kind(plugin):
    provider = plugin.instrument_provider()
    steps: list[tuple[str, float]] = []
    items = await provider.download(lambda message, fraction: steps.append((message, fraction)))
    by = {(i.exchange, i.symbol): i for i in items}

    sbin = by[(Exchange.NSE, "SBIN")]
    assert (sbin.brsymbol, sbin.brexchange, sbin.token, sbin.instrumenttype) == (
        "NSE:SBIN-EQ", "NSE", "10100000003045", "EQ")
    assert sbin.lotsize == 1 and sbin.tick_size == Decimal("0.05") and sbin.expiry is None
    assert by[(Exchange.NSE, "RELIANCE")].tick_size == Decimal("0.10")
    assert by[(Exchange.NSE, "GS2031")].instrumenttype == "GB"
    assert by[(Exchange.BSE, "SBIN")].brsymbol == "BSE:SBIN-A"

    nifty = by[(Exchange.NSE_INDEX, "NIFTY")]
    assert (nifty.brsymbol, nifty.brexchange, nifty.instrumenttype) == ("NSE:NIFTY50-INDEX", "NSE", "INDEX")
    assert (Exchange.NSE_INDEX, "BANKNIFTY") in by and (Exchange.NSE_INDEX, "NIFTYMIDCAP50") in by
    assert by[(Exchange.BSE_INDEX, "SENSEX")].brsymbol == "BSE:SENSEX-INDEX"
    assert (Exchange.BSE_INDEX, "BSE100") in by and (Exchange.BSE_INDEX, "NEWIDX") in by

    fut = by[(Exchange.NFO, "NIFTY29DEC26FUT")]
    assert (fut.brsymbol, fut.instrumenttype, fut.lotsize, fut.tick_size) == (
        "NSE:NIFTY26DECFUT", "FUT", 75, Decimal("0.10"))
    assert fut.expiry == date(2026, 12, 29) and fut.expiry_text == "29-DEC-26" and fut.strike is None
    ce, pe = by[(Exchange.NFO, "NIFTY29DEC2626000CE")], by[(Exchange.NFO, "NIFTY29DEC2626000PE")]
    assert (ce.instrumenttype, ce.strike, ce.brsymbol, ce.name) == ("CE", Decimal("26000"), "NSE:NIFTY26D2926000CE",
                                                                    "NIFTY")
    assert pe.instrumenttype == "PE" and pe.token == "101126122952011" and pe.lotsize == 75
    assert by[(Exchange.NFO, "VEDL29DEC26292.5CE")].strike == Decimal("292.5")
    sensex_fut = by[(Exchange.BFO, "SENSEX24DEC26FUT")]
    assert sensex_fut.instrumenttype == "FUT" and sensex_fut.lotsize == 20

    usd = by[(Exchange.CDS, "USDINR29DEC26FUT")]
    assert usd.lotsize == 1000 and usd.tick_size == Decimal("0.0025") and usd.brexchange == "CDS"
    assert by[(Exchange.CDS, "USDINR29DEC2684.5CE")].strike == Decimal("84.5")
    crude = by[(Exchange.MCX, "CRUDEOIL18DEC26FUT")]
    assert crude.lotsize == 100 and crude.expiry == date(2026, 12, 18) and crude.tick_size == Decimal("1.0")

    # Malformed rows are skipped and counted: 2 in NSE_CM, 1 in NSE_FO, 1 JSON record.
    assert provider.stats.skipped_malformed == 4
    assert provider.stats.skipped_unsupported == 1  # the warrant
    assert len(items) == 18
    assert steps[0][1] == 0.0 and steps[-1][1] == 1.0
    assert [f for _, f in steps] == sorted(f for _, f in steps)


def test_derivative_symbol_rules():
    assert derivative_symbol("NIFTY 02 Mar 26 30600", "CE") == ("NIFTY02MAR2630600CE", "CE")
    assert derivative_symbol("BANKNIFTY 30 Dec 25 FUT", "XX") == ("BANKNIFTY30DEC25FUT", "FUT")
    assert derivative_symbol("M&M 30 Dec 25 3000", "PE") == ("M&M30DEC253000PE", "PE")


async def test_an_unreadable_master_file_is_a_broker_error(plugin, fake, monkeypatch):
    import pytest

    from brokers.contract import BrokerError
    from tests.brokers.fyers import fake as fake_module

    real = fake_module.master_files
    monkeypatch.setattr(fake_module, "master_files", lambda: {**real(), "MCX_COM_sym_master.json": b"<html>"})
    with pytest.raises(BrokerError, match="MCX_COM_sym_master.json") as failure:
        await plugin.instrument_provider().download()
    assert failure.value.status == 502
