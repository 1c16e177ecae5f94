"""The generated universe: size, symbol formats, strike grids, tick sizes, determinism."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from brokers.contract.types import Exchange
from brokers.simulator.universe import build_universe, equity_tick, stock_strike_step

OPTION = re.compile(r"^([A-Z0-9&-]+?)(\d{2}[A-Z]{3}\d{2})(\d+(?:\.\d+)?)(CE|PE)$")
FUTURE = re.compile(r"^([A-Z0-9&-]+?)(\d{2}[A-Z]{3}\d{2})FUT$")


def test_at_least_fifty_thousand_unique_instruments(universe):
    assert len(universe) >= 50_000
    assert len({(i.exchange, i.symbol) for i in universe}) == len(universe)
    for exchange in ("NSE", "BSE"):
        tokens = [i.token for i in universe if i.exchange.value == exchange]
        assert len(tokens) == len(set(tokens))


def test_covers_every_segment(universe):
    exchanges = Counter(i.exchange for i in universe)
    assert {Exchange.NSE, Exchange.BSE, Exchange.NFO, Exchange.BFO, Exchange.MCX, Exchange.CDS,
            Exchange.NSE_INDEX, Exchange.BSE_INDEX} <= set(exchanges)
    indices = {i.symbol for i in universe if i.instrumenttype == "INDEX"}
    assert {"NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "INDIAVIX", "SENSEX", "BANKEX"} <= indices
    assert exchanges[Exchange.NSE] >= 250


def test_symbols_follow_openalgo_conventions(universe):
    for item in universe:
        if item.instrumenttype in ("CE", "PE"):
            match = OPTION.match(item.symbol)
            assert match, item.symbol
            assert match.group(2) == item.expiry.strftime("%d%b%y").upper()
            assert Decimal(match.group(3)) == item.strike
            assert not match.group(3).endswith(".0")
        elif item.instrumenttype == "FUT":
            assert FUTURE.match(item.symbol), item.symbol
        else:
            assert item.symbol.isupper() or not item.symbol.isalpha()
            assert item.expiry is None


def test_known_symbols_and_fractional_strikes(symbol_index):
    assert symbol_index.get("NSE", "SBIN").name == "STATE BANK OF INDIA"
    assert symbol_index.get("NFO", "NIFTY29DEC26FUT").lotsize == 65
    fractional = [i.symbol for i in symbol_index.instruments if i.strike is not None and i.strike % 1]
    assert fractional and all("." in s for s in fractional)
    assert any(s.endswith("2.5CE") for s in fractional)


def test_index_options_have_weekly_and_monthly_expiries(symbol_index):
    nifty = symbol_index.expiries("NIFTY", "NFO", "options")
    assert len(nifty) >= 7 and all(day.weekday() == 1 for day in nifty)  # Tuesdays
    sensex = symbol_index.expiries("SENSEX", "BFO", "options")
    assert all(day.weekday() == 3 for day in sensex)  # Thursdays
    assert len(symbol_index.expiries("BANKNIFTY", "NFO", "futures")) == 3
    assert len(symbol_index.expiries("RELIANCE", "NFO", "options")) == 3


def test_strike_grid_is_regular_and_centred(symbol_index, simulator):
    chain = symbol_index.chain("NIFTY", "NFO", symbol_index.expiries("NIFTY", "NFO", "options")[0], "CE")
    steps = {b - a for a, b in zip(chain.strikes, chain.strikes[1:], strict=False)}
    assert steps == {Decimal(50)}
    spot = simulator.market.quote(symbol_index.get("NSE_INDEX", "NIFTY")).ltp
    assert chain.strikes[0] < Decimal(spot) < chain.strikes[-1]


def test_tick_and_strike_bands():
    assert equity_tick(120) == Decimal("0.01") and equity_tick(965) == Decimal("0.05")
    assert equity_tick(2500) == Decimal("0.10") and equity_tick(150000) == Decimal("5.00")
    assert stock_strike_step(140) == 2.5 and stock_strike_step(3000) == 50


def test_generation_is_deterministic_per_seed_and_day():
    first = build_universe(11, date(2026, 11, 27))
    again = build_universe(11, date(2026, 11, 27))
    assert first == again
    other_seed = build_universe(12, date(2026, 11, 27))
    assert first != other_seed  # strike grids centre on a different seed's prices


def test_expired_contracts_drop_out_the_next_day(universe):
    later = build_universe(7, date(2026, 12, 2))
    assert not any(i.expiry and i.expiry < date(2026, 12, 2) for i in later)
    assert any(i.expiry == date(2026, 12, 1) for i in universe)


def test_the_universe_passes_master_validation(universe):
    from backend.domains.symbols.service import validate

    kept, errors = validate(universe)
    assert errors == [] and len(kept) == len(universe)
