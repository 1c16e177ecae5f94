"""A master contract stored column by column.

Held as frozen `Instrument` objects, a row costs ~130 bytes for the object alone, and a master has
60,000–150,000 rows for as long as the process lives. As columns it costs ~60: string columns share
their strings, repeated values (exchange, expiry, strike, tick size, type) are small integer codes
into a list of the distinct values, numbers sit in arrays. A row becomes an `Instrument` when it is
read (~1.5 µs), which no request notices; bulk work (indexing, search) reads the columns directly.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, overload

from brokers.contract.types import Exchange, Instrument

FIELDS = ("symbol", "brsymbol", "name", "exchange", "brexchange", "token", "expiry", "strike", "lotsize",
          "tick_size", "instrumenttype", "freeze_qty")


def _row_builder() -> Callable[..., Instrument]:
    """`Instrument(*fields)` at about half the cost: a frozen dataclass's `__init__` assigns each field
    through `object.__setattr__`; this writes the slots directly (same object, same equality and
    hash). A search page reads up to 500 rows, so the difference is visible there."""
    if tuple(f.name for f in fields(Instrument)) != FIELDS:
        raise TypeError("InstrumentTable.FIELDS no longer matches Instrument's fields")
    new = object.__new__
    (s_symbol, s_brsymbol, s_name, s_exchange, s_brexchange, s_token, s_expiry, s_strike, s_lotsize, s_tick_size,
     s_instrumenttype, s_freeze_qty) = (getattr(Instrument, name).__set__ for name in FIELDS)

    def build(symbol, brsymbol, name, exchange, brexchange, token, expiry, strike, lotsize, tick_size,
              instrumenttype, freeze_qty) -> Instrument:
        item = new(Instrument)
        s_symbol(item, symbol)
        s_brsymbol(item, brsymbol)
        s_name(item, name)
        s_exchange(item, exchange)
        s_brexchange(item, brexchange)
        s_token(item, token)
        s_expiry(item, expiry)
        s_strike(item, strike)
        s_lotsize(item, lotsize)
        s_tick_size(item, tick_size)
        s_instrumenttype(item, instrumenttype)
        s_freeze_qty(item, freeze_qty)
        return item

    return build


_build_row = _row_builder()


class _Codebook:
    """Distinct values of a column, each stored once; rows hold the value's code."""

    __slots__ = ("values", "_codes")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._codes: dict[Hashable, int] = {}

    def code(self, value: Any) -> int:
        # Decimals by their text: 22500 and 22500.0 are equal but must come back as they went in.
        key = (value.__class__, str(value)) if isinstance(value, Decimal) else value
        found = self._codes.get(key)
        if found is None:
            found = self._codes[key] = len(self.values)
            self.values.append(value)
        return found


class InstrumentTable(Sequence[Instrument]):
    __slots__ = ("symbols", "brsymbols", "names", "tokens", "lotsizes", "freeze_qtys", "_exchange", "_brexchange",
                 "_expiry", "_strike", "_tick_size", "_instrumenttype", "_books", "_values")

    def __init__(self, instruments: Iterable[Instrument] = ()) -> None:
        self.symbols: list[str] = []
        self.brsymbols: list[str] = []
        self.names: list[str] = []
        self.tokens: list[str] = []
        self.lotsizes = array("q")
        self.freeze_qtys = array("q")
        self._exchange = array("B")
        self._brexchange = array("H")
        self._expiry = array("H")
        self._strike = array("I")
        self._tick_size = array("H")
        self._instrumenttype = array("H")
        self._books = {name: _Codebook() for name in ("exchange", "brexchange", "expiry", "strike", "tick_size",
                                                      "instrumenttype")}
        # the codebooks' value lists, for row reads (one attribute each instead of a dict lookup)
        self._values = tuple(self._books[name].values for name in ("exchange", "brexchange", "expiry", "strike",
                                                                     "tick_size", "instrumenttype"))
        for item in instruments:
            self.add(item.symbol, item.brsymbol, item.name, item.exchange, item.brexchange, item.token,
                     item.expiry, item.strike, item.lotsize, item.tick_size, item.instrumenttype, item.freeze_qty)

    def add(self, symbol: str, brsymbol: str, name: str, exchange: Exchange, brexchange: str, token: str,
            expiry: date | None, strike: Decimal | None, lotsize: int, tick_size: Decimal, instrumenttype: str,
            freeze_qty: int) -> None:
        """Append a row (the `Instrument` fields, in order)."""
        books = self._books
        self.symbols.append(symbol)
        self.brsymbols.append(symbol if brsymbol == symbol else brsymbol)
        self.names.append(name)
        self.tokens.append(token)
        self.lotsizes.append(lotsize)
        self.freeze_qtys.append(freeze_qty)
        self._exchange.append(books["exchange"].code(exchange))
        self._brexchange.append(books["brexchange"].code(brexchange))
        self._expiry.append(books["expiry"].code(expiry))
        self._strike.append(books["strike"].code(strike))
        self._tick_size.append(books["tick_size"].code(tick_size))
        self._instrumenttype.append(books["instrumenttype"].code(instrumenttype))

    # --- columns, for bulk readers -------------------------------------------------------------
    def column(self, name: str) -> Iterable[Any]:
        """Every row's value of one `Instrument` field, in row order."""
        plain = {"symbol": self.symbols, "brsymbol": self.brsymbols, "name": self.names, "token": self.tokens,
                 "lotsize": self.lotsizes, "freeze_qty": self.freeze_qtys}.get(name)
        if plain is not None:
            return plain
        return map(self._books[name].values.__getitem__, getattr(self, f"_{name}"))

    def value(self, row: int, name: str) -> Any:
        """One field of one row, without building the `Instrument`."""
        return self._books[name].values[getattr(self, f"_{name}")[row]]

    # --- Sequence[Instrument] ------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.symbols)

    @overload
    def __getitem__(self, row: int) -> Instrument: ...

    @overload
    def __getitem__(self, row: slice) -> list[Instrument]: ...

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[at] for at in range(*row.indices(len(self)))]
        exchanges, brexchanges, expiries, strikes, tick_sizes, kinds = self._values
        return _build_row(self.symbols[row], self.brsymbols[row], self.names[row], exchanges[self._exchange[row]],
                          brexchanges[self._brexchange[row]], self.tokens[row], expiries[self._expiry[row]],
                          strikes[self._strike[row]], self.lotsizes[row], tick_sizes[self._tick_size[row]],
                          kinds[self._instrumenttype[row]], self.freeze_qtys[row])

    def __iter__(self) -> Iterator[Instrument]:
        for values in zip(*(self.column(name) for name in FIELDS), strict=True):
            yield _build_row(*values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable (rows can be added)

    def __repr__(self) -> str:
        return f"InstrumentTable({len(self)} rows)"


class TableRows(Sequence[Instrument]):
    """Some rows of a table, in a given order (an option chain side), read as `Instrument`s."""

    __slots__ = ("table", "rows")

    def __init__(self, table: InstrumentTable, rows: Sequence[int]) -> None:
        self.table = table
        self.rows = array("I", rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, at):
        if isinstance(at, slice):
            return TableRows(self.table, self.rows[at])
        return self.table[self.rows[at]]

    def __iter__(self) -> Iterator[Instrument]:
        table = self.table
        for row in self.rows:
            yield table[row]
