"""The column-stored master: every row reads back as the `Instrument` that went in."""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest

from brokers.contract.table import InstrumentTable, TableRows
from brokers.contract.types import Exchange, Instrument

ROWS = [
    Instrument("SBIN", "SBIN-EQ", "STATE BANK OF INDIA", Exchange.NSE, "NSE", "3045", tick_size=Decimal("0.05")),
    Instrument("NIFTY30DEC2526000CE", "NIFTY25D3026000CE", "NIFTY", Exchange.NFO, "NFO", "43650", date(2025, 12, 30),
               Decimal("26000"), 75, Decimal("0.05"), "CE", 1800),
    # equal strikes written differently must come back as written
    Instrument("X30DEC2522500CE", "X30DEC2522500CE", "X", Exchange.NFO, "NFO", "7", date(2025, 12, 30),
               Decimal("22500.0"), 15, Decimal("0.05"), "CE", 0),
    Instrument("X30DEC2522500PE", "X30DEC2522500PE", "X", Exchange.NFO, "NFO", "8", date(2025, 12, 30),
               Decimal("22500"), 15, Decimal("0.050"), "PE", 0),
    Instrument("USDINR29DEC25FUT", "USDINR25DECFUT", "USDINR", Exchange.CDS, "CDS", "NSE_FO|1234",
               date(2025, 12, 29), None, 1000, Decimal("0.0025"), "FUTCUR", 10_001),
]


@pytest.fixture
def table() -> InstrumentTable:
    return InstrumentTable(ROWS)


def test_rows_read_back_equal_with_the_same_field_text(table):
    assert len(table) == len(ROWS)
    assert list(table) == ROWS and table == ROWS and ROWS == list(table)
    for row, item in enumerate(ROWS):
        read = table[row]
        assert read == item and hash(read) == hash(item) and isinstance(read, Instrument)
        assert [str(getattr(read, name)) for name in ("strike", "tick_size", "expiry", "token")] == \
               [str(getattr(item, name)) for name in ("strike", "tick_size", "expiry", "token")]
    assert str(table[2].strike) == "22500.0" and str(table[3].strike) == "22500"
    assert table[-1] == ROWS[-1] and table[1:3] == ROWS[1:3]
    with pytest.raises(IndexError):
        table[len(ROWS)]


def test_rows_are_immutable_instruments(table):
    with pytest.raises(AttributeError):
        table[0].symbol = "OTHER"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(table[1])) == ROWS[1]


def test_columns_and_single_values(table):
    assert list(table.column("symbol")) == [item.symbol for item in ROWS]
    assert list(table.column("exchange")) == [item.exchange for item in ROWS]
    assert list(table.column("strike")) == [item.strike for item in ROWS]
    assert table.value(1, "expiry") == date(2025, 12, 30) and table.value(0, "expiry") is None
    assert table.brsymbols[1] == "NIFTY25D3026000CE"
    assert table.brsymbols[2] is table.symbols[2]  # an equal broker symbol is not a second string


def test_rows_view_follows_the_given_order(table):
    view = TableRows(table, [3, 2])
    assert len(view) == 2 and list(view) == [ROWS[3], ROWS[2]] and view[0] == ROWS[3]
    assert list(view[1:]) == [ROWS[2]]


def test_an_empty_table():
    empty = InstrumentTable()
    assert len(empty) == 0 and list(empty) == [] and empty == []
