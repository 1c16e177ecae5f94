"""The in-memory index: lookups, ranked search, filters, expiries and option resolution."""

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from backend.domains.symbols.index import OptionResolutionError, SymbolIndex, parse_offset
from backend.domains.symbols.service import SymbolMaster

EXPIRY = date(2030, 1, 29)


@pytest.fixture
def index(small_instruments):
    return SymbolIndex(small_instruments)


class TestLookups:
    def test_symbol_and_token_are_per_exchange(self, index):
        assert index.get("NSE", "SBIN").brsymbol == "SBIN-EQ"
        assert index.get("BSE", "SBIN").token == "500112"
        assert index.get("NFO", "SBIN") is None
        assert index.by_token("NSE", "3045").symbol == "SBIN"
        assert index.by_token("BSE", "3045") is None

    def test_broker_trading_symbols_map_back(self, index):
        sbin = index.get("NSE", "SBIN")
        assert index.by_brsymbol(sbin.brexchange, "SBIN-EQ") == sbin
        assert index.by_brsymbol(sbin.brexchange, "SBIN") is None
        assert index.by_brsymbol("NOSUCH", "SBIN-EQ") is None

    def test_rows_whose_broker_names_equal_ours_map_back_too(self, symbol_index):
        nifty_future = next(item for item in symbol_index.instruments if item.instrumenttype == "FUT")
        assert (nifty_future.brexchange, nifty_future.brsymbol) == (nifty_future.exchange.value, nifty_future.symbol)
        assert symbol_index.by_brsymbol(nifty_future.brexchange, nifty_future.symbol) == nifty_future
        assert symbol_index.by_brsymbol("NSE" if nifty_future.brexchange != "NSE" else "BSE",
                                        nifty_future.symbol) is None

    def test_row_ids_are_stable_and_unique(self, index, small_instruments):
        ids = {index.row_id(item) for item in small_instruments}
        assert len(ids) == len(small_instruments) and min(ids) == 1

    def test_empty_index_answers_nothing(self):
        empty = SymbolIndex([])
        assert len(empty) == 0 and empty.get("NSE", "SBIN") is None and empty.search("SBIN") == []


class TestSearch:
    def test_exact_then_prefix_then_substring_then_name(self, index):
        found = [(i.symbol, i.exchange.value) for i in index.search("sbi")]
        assert found[0][0] == "SBIN" and found[1][0] == "SBIN"
        assert found[2] == ("SBICARD", "NSE")
        nifty = [i.symbol for i in index.search("NIFTY")]
        assert nifty[0] == "NIFTY" and nifty[1] == "NIFTY29JAN30FUT"  # exact, then shortest prefix
        assert nifty.index("NIFTY29JAN30FUT") < nifty.index("NIFTYNXT5029JAN30FUT")

    def test_every_term_must_match_any_field(self, index):
        assert [i.symbol for i in index.search("state bank")] == ["SBIN", "SBIN"]
        assert [i.symbol for i in index.search("NIFTY 26000 pe")] == ["NIFTY29JAN3026000PE"]
        assert index.search("NIFTY 12345") == []
        assert [i.symbol for i in index.search("sbin-eq")] == ["SBIN"]  # broker symbol
        assert [i.symbol for i in index.search("500112")] == ["SBIN"]  # token

    def test_filters_by_exchange_and_instrument_type(self, index):
        assert {i.exchange.value for i in index.search("SBIN", exchange="BSE")} == {"BSE"}
        assert [i.symbol for i in index.search("NIFTY", instrumenttype="FUT")] == ["NIFTY29JAN30FUT",
                                                                                   "NIFTYNXT5029JAN30FUT"]
        assert index.search("NIFTY", exchange="MCX") == []
        assert index.search("NIFTY", instrumenttype="XYZ") == []

    def test_limit_and_ranking_on_the_big_universe(self, symbol_index):
        found = symbol_index.search("NIFTY")
        assert len(found) == 500 and found[0].symbol == "NIFTY"
        lengths = [len(i.symbol) for i in found[1:]]
        assert lengths == sorted(lengths)
        chain = symbol_index.chain("NIFTY", "NFO", symbol_index.expiries("NIFTY", "NFO", "options")[-1], "CE")
        wanted = chain.instruments[len(chain.strikes) // 2].symbol  # longer than the 12-byte suffix keys
        long_term = symbol_index.search(wanted)
        assert long_term[0].symbol == wanted and all(wanted in i.symbol for i in long_term)
        reliance = symbol_index.search("reliance dec pe")
        assert reliance and all(i.symbol.startswith("RELIANCE") and "DEC" in i.symbol and i.symbol.endswith("PE")
                                for i in reliance)


class TestExpiriesAndOptions:
    def test_expiries_sorted_and_exact_underlying(self, index):
        assert index.expiries("NIFTY", "NFO", "futures") == [EXPIRY]
        assert index.expiries("nifty", "NFO", "options") == [EXPIRY]
        assert index.expiries("NIFTYNXT50", "NFO", "options") == []
        assert index.expiries("NIFTY", "NFO", "futures", on_or_after=date(2030, 2, 1)) == []

    @pytest.mark.parametrize(("offset", "kind", "ltp", "expected"), [
        ("ATM", "CE", 26010.0, "26000"), ("ATM", "PE", 26030.0, "26050"),
        ("ITM1", "CE", 26010.0, "25950"), ("OTM1", "CE", 26010.0, "26050"),
        ("ITM2", "PE", 26010.0, "26100"), ("OTM2", "PE", 26010.0, "25900"),
        ("atm", "ce", 10.0, "25900"),  # far below the chain: the lowest listed strike is ATM
    ])
    def test_offsets_walk_the_listed_strikes(self, index, offset, kind, ltp, expected):
        found = index.resolve_option("NIFTY", "NFO", EXPIRY, offset, kind, ltp)
        assert found.strike == Decimal(expected) and found.instrumenttype == kind.upper()

    def test_out_of_range_and_missing(self, index):
        with pytest.raises(OptionResolutionError, match="out of range") as beyond:
            index.resolve_option("NIFTY", "NFO", EXPIRY, "OTM3", "CE", 26010.0)
        assert beyond.value.status == 400
        with pytest.raises(OptionResolutionError, match="No strikes found for NIFTY expiring 30JAN30") as none:
            index.resolve_option("NIFTY", "NFO", date(2030, 1, 30), "ATM", "CE", 26010.0)
        assert none.value.status == 404

    def test_legacy_strike_interval_and_fractional_strikes(self, index):
        found = index.resolve_option("NIFTY", "NFO", EXPIRY, "ITM1", "PE", 26010.0, strike_interval=50)
        assert found.symbol == "NIFTY29JAN3026050PE"
        with pytest.raises(OptionResolutionError, match="NIFTY29JAN3026250CE not found in NFO"):
            index.resolve_option("NIFTY", "NFO", EXPIRY, "OTM5", "CE", 26010.0, strike_interval=50)
        assert index.resolve_option("VEDL", "NFO", EXPIRY, "ATM", "CE", 290.0).symbol == "VEDL29JAN30292.5CE"

    @pytest.mark.parametrize(("text", "steps"), [("ATM", 0), ("itm3", 3), ("OTM50", -50)])
    def test_parse_offset(self, text, steps):
        assert parse_offset(text) == steps

    @pytest.mark.parametrize("text", ["ITM0", "OTM51", "ATM1", "XYZ", "ITM"])
    def test_bad_offsets(self, text):
        with pytest.raises(OptionResolutionError, match="Invalid offset"):
            parse_offset(text)


async def test_search_arrays_build_on_first_search_off_the_event_loop(universe):
    master = SymbolMaster("simulator")
    master.install(universe, SymbolIndex(universe), validated=True)
    assert not master.index.search_ready  # nothing built at install: idle servers never pay for it
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            beats += 1
            await asyncio.sleep(0.001)

    ticker = asyncio.create_task(heartbeat())
    await asyncio.gather(master.ensure_search(), master.ensure_search())
    ticker.cancel()
    assert master.index.search_ready and beats > 3  # the loop kept running while the arrays were built
    assert [item.symbol for item in master.search("SBIN", "NSE")][:1] == ["SBIN"]
