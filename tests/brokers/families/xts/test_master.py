"""The master contract: pipe-delimited rows per segment and the index list, transformed with
OpenAlgo's symbol rules; progress; malformed rows skipped and counted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from brokers.contract import Exchange, SessionExpired
from brokers.families.xts.master import index_symbol, parse_master
from tests.brokers.families.xts.conftest import MEMBERS


async def test_every_instrument_kind(fake, plugin, session):
    provider = plugin.instrument_provider(session)
    steps: list[tuple[str, float]] = []
    found = {(str(i.exchange), i.symbol): i for i in await provider.download(lambda m, f: steps.append((m, f)))}
    sbin = found[("NSE", "SBIN")]
    assert (sbin.brsymbol, sbin.brexchange, sbin.token, sbin.lotsize, sbin.tick_size, sbin.instrumenttype) == (
        "SBIN", "NSECM", "3045", 1, Decimal("0.05"), "EQ")
    assert found[("NSE", "RELIANCE")].tick_size == Decimal("0.1")
    assert ("NSE", "TATAGOLD") not in found  # NSECM keeps series EQ only
    fut = found[("NFO", "NIFTY29DEC26FUT")]
    assert (fut.brsymbol, fut.token, fut.lotsize, fut.expiry, fut.instrumenttype, fut.expiry_text) == (
        "NIFTY26DECFUT", "35001", 75, date(2026, 12, 29), "FUT", "29-DEC-26")
    ce, pe = found[("NFO", "NIFTY29DEC2626000CE")], found[("NFO", "NIFTY29DEC2626000PE")]
    assert (ce.strike, ce.instrumenttype, ce.brexchange, pe.instrumenttype) == (Decimal("26000"), "CE", "NSEFO", "PE")
    cds = found[("CDS", "USDINR29DEC2682.25CE")]  # odd OptionType code: the type comes from the text
    assert (cds.instrumenttype, cds.lotsize, cds.tick_size) == ("CE", 1000, Decimal("0.0025"))
    assert found[("MCX", "CRUDEOIL17DEC26FUT")].lotsize == 100
    assert not any(symbol.startswith("GOLD") for _, symbol in found)  # ContractExpiration "1" dropped
    nifty = found[("NSE_INDEX", "NIFTY")]
    assert (nifty.token, nifty.brsymbol, nifty.brexchange, nifty.instrumenttype) == ("26000", "NIFTY 50_26000",
                                                                                      "NSECM", "INDEX")
    assert found[("NSE_INDEX", "BANKNIFTY")].token == "26001"
    assert found[("BSE_INDEX", "SENSEX")].token == "1"
    assert found[("BSE_INDEX", "BANKEX")].token == "12"  # BSECM SPOT row
    assert found[("BSE", "SBIN")].token == "500112"
    assert provider.skipped == 1
    assert steps[0] == ("Downloading NSECM", 0.0) and steps[-1][1] == 1.0
    assert [f for _, f in steps] == sorted(f for _, f in steps)


@pytest.mark.parametrize("member", MEMBERS)
async def test_each_member_asks_only_for_its_segments(member, fake, plugin, session):
    instruments = await plugin.instrument_provider(session).download()
    exchanges = {str(i.exchange) for i in instruments}
    assert {"NSE", "NFO", "NSE_INDEX", "BSE_INDEX"} <= exchanges
    assert ("CDS" in exchanges) == ("NSECD" in plugin.member.segments)


def test_malformed_rows_are_skipped_and_counted():
    text = ("NSECM|1|8|A|A-EQ|EQ|A-EQ|1|1|1|1|0.05|1|1|A|I|1|1|A|-1|0|0\n"
            "NSEFO|2|1|X|X|FUTIDX|X|1|1|1|1|0.05|50|1|-1|X|not-a-date|0|1|X|1|1|X\n"
            "NSEFO|3|1|X\n"
            "ZZZ|1|2\n")
    instruments, bad = parse_master(text)
    assert [i.symbol for i in instruments] == ["A"] and bad == 3


@pytest.mark.parametrize("name,bse,expected", [("NIFTY 50", False, "NIFTY"), ("Nifty  Fin Service", False, "FINNIFTY"),
                                               ("NIFTY MID SELECT", False, "MIDCPNIFTY"), ("INDIA VIX", False,
                                                                                            "INDIAVIX"),
                                               ("NIFTY IT", False, "NIFTYIT"), ("HANGSENG BEES-NAV", False,
                                                                               "HANGSENGBEESNAV"),
                                               ("SNSX50", True, "SENSEX50"), ("BSE IT", True,
                                                                              "BSEINFORMATIONTECHNOLOGY"),
                                               ("OILGAS", True, "BSEOIL&GAS")])
def test_index_names(name, bse, expected):
    assert index_symbol(name, bse) == expected


async def test_master_needs_a_session(plugin):
    with pytest.raises(SessionExpired):
        plugin.instrument_provider(None)


def test_exchanges_declared(plugin):
    assert Exchange.CDS in plugin.capabilities.exchanges
