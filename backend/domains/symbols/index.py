"""The in-memory master-contract index: O(1) lookups, ranked search, expiries and option chains.

Built once per master (≈0.3 s for 100,000 instruments) and then read-only, so it is shared by
every request without locks; a re-download builds a new index and swaps the reference.

Memory is kept small on purpose: the instruments are an `InstrumentTable` (columns; a row becomes
an `Instrument` when read), lookups are per-exchange dicts keyed by the table's own symbol
strings, option chains hold row numbers, search uses one sorted key array + bisect for prefixes and a suffix array over one
NUL-separated haystack for substrings (8 bytes per suffix), and option chains store strikes as
sorted tuples.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial

import numpy as np

from brokers.contract.table import InstrumentTable, TableRows
from brokers.contract.types import Exchange, Instrument

SEARCH_LIMIT = 500
_OFFSET = re.compile(r"^(ATM|ITM|OTM)(\d{0,2})$")


class OptionResolutionError(Exception):
    """Option symbol resolution failed; `status` and the message follow api-v1 §3.11."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@lru_cache(maxsize=4096)
def expiry_code(expiry: date) -> str:
    return expiry.strftime("%d%b%y").upper()


def strike_text(strike: Decimal | float) -> str:
    value = Decimal(str(strike)).normalize()
    return format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value, "f")


def parse_offset(offset: str) -> int:
    """ATM → 0, ITMn → +n, OTMn → −n ("moneyness steps"); raises on anything else."""
    match = _OFFSET.match(offset.strip().upper())
    if not match or (match.group(1) == "ATM") != (match.group(2) == ""):
        raise OptionResolutionError(f"Invalid offset: {offset}")
    steps = int(match.group(2) or 0)
    if match.group(1) != "ATM" and not 1 <= steps <= 50:
        raise OptionResolutionError(f"Invalid offset: {offset}")
    return steps if match.group(1) == "ITM" else -steps


@dataclass(frozen=True, slots=True)
class OptionChainSide:
    strikes: tuple[Decimal, ...]  # ascending
    instruments: Sequence[Instrument]  # aligned with strikes


class SymbolIndex:
    def __init__(self, instruments: Iterable[Instrument], broker: str = "simulator") -> None:
        self.broker = broker
        table = instruments if isinstance(instruments, InstrumentTable) else InstrumentTable(instruments)
        self.instruments = table
        self._by_symbol: dict[str, dict[str, int]] = defaultdict(dict)
        self._by_token: dict[str, dict[str, int]] | None = None  # on first use: the simulator never asks
        # Broker names that differ from ours; where they agree (the simulator, most cash rows) the
        # symbol dict answers, so the same row is not indexed twice. Nested dicts: no tuple per row.
        self._by_brsymbol: dict[str, dict[str, int]] = defaultdict(dict)
        columns = zip(table.symbols, table.brsymbols, table.column("exchange"), table.column("brexchange"),
                      strict=True)
        for row, (symbol, brsymbol, exchange, brexchange) in enumerate(columns):
            exchange = exchange.value
            self._by_symbol[exchange][symbol] = row
            if brexchange != exchange or brsymbol != symbol:
                self._by_brsymbol[brexchange][brsymbol] = row
        # Expiries, option chains and search structures are built on first use (or by
        # `prepare_search()` in a worker thread), so the O(1) lookups serve as soon as the master
        # is installed at start-up.
        self._expiries: dict[tuple[str, str, str], tuple[date, ...]] = {}
        self._chains: dict[tuple[str, str, date, str], OptionChainSide] = {}
        self._derivatives_ready = False
        self._search_ready = False
        self._lock = threading.Lock()

    @property
    def search_ready(self) -> bool:
        return self._search_ready

    def prepare_derivatives(self) -> None:
        """Build expiries and option chains now (thread-safe; a no-op once built)."""
        self._prepare_derivatives()

    def prepare_search(self) -> None:
        """Build every lazily built structure now (thread-safe; a no-op once built)."""
        self._prepare_derivatives()
        if self._search_ready:
            return
        with self._lock:
            if not self._search_ready:
                self._build_search()
                self._search_ready = True

    def _build_token_index(self) -> dict[str, dict[str, int]]:
        with self._lock:
            if self._by_token is None:
                by_token: dict[str, dict[str, int]] = defaultdict(dict)
                for row, (token, exchange) in enumerate(zip(self.instruments.tokens,
                                                            self.instruments.column("exchange"), strict=True)):
                    by_token[exchange.value][token] = row
                self._by_token = by_token
            return self._by_token

    def _prepare_derivatives(self) -> None:
        if self._derivatives_ready:
            return
        with self._lock:
            if self._derivatives_ready:
                return
            table = self.instruments
            expiries: dict[tuple[str, str, str], set[date]] = defaultdict(set)
            chains: dict[tuple[str, str, date, str], list[int]] = defaultdict(list)
            columns = zip(table.column("expiry"), table.column("instrumenttype"), table.column("strike"), table.symbols,
                          table.names, table.column("exchange"), strict=True)
            for row, (expiry, kind, strike, symbol, name, exchange) in enumerate(columns):
                if expiry is None:
                    continue
                exchange, base = exchange.value, _base(symbol, name, expiry)
                if kind in ("CE", "PE"):
                    expiries[(exchange, base, "options")].add(expiry)
                    if strike is not None:
                        chains[(exchange, base, expiry, kind)].append(row)
                else:
                    expiries[(exchange, base, "futures")].add(expiry)
            self._expiries = {key: tuple(sorted(days)) for key, days in expiries.items()}
            self._chains = {}
            strike_of = partial(table.value, name="strike")
            for key, rows in chains.items():
                rows.sort(key=strike_of)  # stable: equal strikes keep master order
                self._chains[key] = OptionChainSide(tuple(map(strike_of, rows)), TableRows(table, rows))
            self._derivatives_ready = True

    # --- construction helpers -----------------------------------------------------------------
    @staticmethod
    def base_of(item: Instrument) -> str:
        """Underlying base from the symbol (`NIFTY30DEC25FUT` → `NIFTY`), as OpenAlgo does."""
        return item.symbol if item.expiry is None else _base(item.symbol, item.name, item.expiry)

    def _build_search(self) -> None:
        table = self.instruments
        count = len(table)
        # Symbols are upper case already; reuse those strings rather than hold a second copy.
        symbols = [_upper(symbol) for symbol in table.symbols]
        order = sorted(range(count), key=symbols.__getitem__)
        self._sorted_symbols = [symbols[i] for i in order]
        self._sorted_rows = np.asarray(order, dtype=np.int32)
        self._alpha = np.empty(count, dtype=np.int32)
        self._alpha[self._sorted_rows] = np.arange(count, dtype=np.int32)
        self._lengths = np.fromiter((len(s) for s in symbols), dtype=np.int16, count=count)
        exchanges = [exchange.value for exchange in table.column("exchange")]
        self._exchange_names = sorted(set(exchanges))
        codes = {name: i for i, name in enumerate(self._exchange_names)}
        self._exchange_codes = np.fromiter(map(codes.__getitem__, exchanges), dtype=np.int8, count=count)
        kinds = list(table.column("instrumenttype"))
        self._type_names = sorted(set(kinds))
        types = {name: i for i, name in enumerate(self._type_names)}
        self._type_codes = np.fromiter(map(types.__getitem__, kinds), dtype=np.int8, count=count)
        del exchanges, kinds
        # Documents for substring search: the symbol, plus the broker symbol and the name where they
        # add text the symbol does not already contain.
        documents, owners = list(symbols), list(range(count))
        for row, (brsymbol, name) in enumerate(zip(table.brsymbols, table.names, strict=True)):
            for extra in (_upper(brsymbol), _upper(name)):
                if extra and extra not in symbols[row]:
                    documents.append(extra)
                    owners.append(row)
        self._haystack, self._suffix_at, self._suffix_rows = _suffix_array(documents, owners)
        self._symbols_end = sum(len(symbol) + 1 for symbol in symbols)  # symbol documents come first
        tokens = sorted(zip(table.tokens, range(count), strict=True))
        self._sorted_tokens = [token for token, _ in tokens]
        self._token_rows = np.asarray([row for _, row in tokens], dtype=np.int32)

    # --- lookups -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.instruments)

    def get(self, exchange: Exchange | str, symbol: str) -> Instrument | None:
        row = self._by_symbol.get(str(exchange), {}).get(symbol)
        return None if row is None else self.instruments[row]

    def by_token(self, exchange: Exchange | str, token: str) -> Instrument | None:
        row = (self._by_token or self._build_token_index()).get(str(exchange), {}).get(str(token))
        return None if row is None else self.instruments[row]

    def by_brsymbol(self, brexchange: str, brsymbol: str) -> Instrument | None:
        row = self._by_brsymbol.get(brexchange, {}).get(brsymbol)
        if row is None:
            row = self._by_symbol.get(brexchange, {}).get(brsymbol)
            if row is None:
                return None
            item = self.instruments[row]
            return item if item.brexchange == brexchange and item.brsymbol == brsymbol else None
        return self.instruments[row]

    def row_id(self, instrument: Instrument) -> int:
        """Stable id of the row within this master (what `/symbol` reports as `id`)."""
        return self._by_symbol[instrument.exchange.value][instrument.symbol] + 1

    def by_exchange(self, exchange: Exchange | str | None = None) -> list[Instrument]:
        if exchange is None:
            return list(self.instruments)
        rows = self._by_symbol.get(str(exchange), {})
        return [self.instruments[row] for row in sorted(rows.values())]

    def exchanges(self) -> list[str]:
        return sorted(self._by_symbol)

    # --- expiries and option chains -----------------------------------------------------------
    def expiries(self, underlying: str, exchange: Exchange | str, kind: str, on_or_after: date | None = None) -> list[date]:
        """Expiry dates of `underlying`'s futures or options on `exchange`, ascending."""
        self._prepare_derivatives()
        days = self._expiries.get((str(exchange), underlying.upper(), kind), ())
        if on_or_after is None:
            return list(days)
        return list(days[bisect_left(days, on_or_after):])

    def chain(self, underlying: str, exchange: Exchange | str, expiry: date, option_type: str) -> OptionChainSide | None:
        self._prepare_derivatives()
        return self._chains.get((str(exchange), underlying.upper(), expiry, option_type.upper()))

    def resolve_option(self, underlying: str, exchange: Exchange | str, expiry: date, offset: str,
                       option_type: str, underlying_ltp: float, strike_interval: int | None = None) -> Instrument:
        """api-v1 §3.11: ATM = listed strike nearest the LTP; ITM/OTM walk the listed strikes."""
        option_type = option_type.upper()
        steps = parse_offset(offset)
        # CE: in-the-money is below the ATM strike; PE: above.
        direction = -1 if option_type == "CE" else 1
        exchange = str(exchange)
        if strike_interval:
            atm = round(underlying_ltp / strike_interval) * strike_interval
            target = Decimal(str(atm + direction * steps * strike_interval))
        else:
            side = self.chain(underlying, exchange, expiry, option_type)
            if side is None or not side.strikes:
                raise OptionResolutionError(
                    f"No strikes found for {underlying.upper()} expiring {expiry_code(expiry)}. "
                    "Please check expiry date or update master contract.", 404)
            atm_at = _nearest(side.strikes, underlying_ltp)
            at = atm_at + direction * steps
            if not 0 <= at < len(side.strikes):
                raise OptionResolutionError(
                    f"Offset {offset.upper()} is out of range for available strikes. Please use a smaller offset.")
            return side.instruments[at]
        symbol = f"{underlying.upper()}{expiry_code(expiry)}{strike_text(target)}{option_type}"
        found = self.get(exchange, symbol)
        if found is None:
            raise OptionResolutionError(
                f"Option symbol {symbol} not found in {exchange}. Symbol may not exist or master contract needs update.",
                404)
        return found

    # --- search --------------------------------------------------------------------------------
    def search(self, query: str, exchange: Exchange | str | None = None, instrumenttype: str | None = None,
               limit: int = SEARCH_LIMIT) -> list[Instrument]:
        """Every whitespace-separated term must match (case-insensitive) a substring of the symbol,
        broker symbol or name, or a prefix of the token. Ranked: exact symbol, symbol prefix, symbol
        substring, other fields; shorter symbols first within a rank, then alphabetical."""
        terms = [term for term in query.upper().split() if term]
        if not terms:
            return []
        self.prepare_search()
        if len(terms) == 1:
            fast = self._prefix_page(terms[0], exchange, instrumenttype, limit)
            if fast is not None:
                return fast
        # Drive the search by the rarest term (suffix-range width is a free estimate), then check
        # the others on the few candidates left instead of materialising their own match sets.
        ranked = sorted(terms, key=self._estimate)
        rows = self._rows_matching(ranked[0])
        for term in ranked[1:]:
            if len(rows) <= _VERIFY_BELOW:
                rows = np.asarray([r for r in rows.tolist() if self._row_matches(r, term)], dtype=np.int32)
            else:
                rows = np.intersect1d(rows, self._rows_matching(term), assume_unique=True)
            if not len(rows):
                return []
        if exchange:
            if str(exchange) not in self._exchange_names:
                return []
            rows = rows[self._exchange_codes[rows] == self._exchange_names.index(str(exchange))]
        if instrumenttype:
            wanted = instrumenttype.upper()
            if wanted not in self._type_names:
                return []
            rows = rows[self._type_codes[rows] == self._type_names.index(wanted)]
        if not len(rows):
            return []
        first = terms[0]
        tier = np.full(len(rows), 3, dtype=np.int8)
        tier[np.isin(rows, self._symbol_rows(first))] = 2
        lo = bisect_left(self._sorted_symbols, first)
        hi = bisect_left(self._sorted_symbols, first + "\uffff")
        tier[np.isin(rows, self._sorted_rows[lo:hi])] = 1
        exact = [r for r in (self._by_symbol[ex].get(first) for ex in self._by_symbol) if r is not None]
        if exact:
            tier[np.isin(rows, np.asarray(exact, dtype=np.int32))] = 0
        order = np.lexsort((self._alpha[rows], self._lengths[rows], tier))[:limit]
        return [self.instruments[row] for row in rows[order].tolist()]

    def _prefix_page(self, term: str, exchange, instrumenttype, limit: int) -> list[Instrument] | None:
        """A single common term whose symbol-prefix tier alone fills the page ("NIFTY"): rank just
        that range. None when the page needs lower tiers too."""
        lo = bisect_left(self._sorted_symbols, term)
        hi = bisect_left(self._sorted_symbols, term + "\uffff")
        if hi - lo < limit:
            return None
        rows = self._sorted_rows[lo:hi]
        if exchange:
            if str(exchange) not in self._exchange_names:
                return []
            rows = rows[self._exchange_codes[rows] == self._exchange_names.index(str(exchange))]
        if instrumenttype:
            if instrumenttype.upper() not in self._type_names:
                return []
            rows = rows[self._type_codes[rows] == self._type_names.index(instrumenttype.upper())]
        if len(rows) < limit:
            return None
        exact = self._lengths[rows] != len(term)
        order = np.lexsort((self._alpha[rows], self._lengths[rows], exact))[:limit]
        return [self.instruments[row] for row in rows[order].tolist()]

    def _suffix_range(self, term: str) -> tuple[int, int]:
        """Bounds of the suffixes starting with `term`'s first 11 bytes (the suffixes are sorted on
        12; longer terms are verified after). Two binary searches reading the haystack in place."""
        key = term.encode("ascii", "replace")[:_SUFFIX_WIDTH - 1]
        haystack, width = self._haystack, len(key)

        def prefix(at: int) -> bytes:
            return haystack[at:at + width]

        lo = bisect_left(self._suffix_at, key, key=prefix)
        return lo, bisect_right(self._suffix_at, key, lo=lo, key=prefix)

    def _estimate(self, term: str) -> int:
        lo, hi = self._suffix_range(term)
        return hi - lo

    def _row_matches(self, row: int, term: str) -> bool:
        table = self.instruments
        return (term in table.symbols[row].upper() or term in table.brsymbols[row].upper()
                or term in table.names[row].upper() or (term.isdigit() and table.tokens[row].startswith(term)))

    def _rows_matching(self, term: str) -> np.ndarray:
        """Unique rows where `term` is in the symbol/broker symbol/name, or prefixes the token."""
        rows = self._document_rows(term)
        if term.isdigit():
            lo = bisect_left(self._sorted_tokens, term)
            hi = bisect_left(self._sorted_tokens, term + "\uffff")
            if hi > lo:
                rows = np.union1d(rows, self._token_rows[lo:hi])
        return rows

    def _document_rows(self, term: str, symbols_only: bool = False) -> np.ndarray:
        lo, hi = self._suffix_range(term)
        owners = self._suffix_rows[lo:hi]
        if symbols_only:
            owners = owners[self._suffix_at[lo:hi] < self._symbols_end]
        rows = np.unique(owners)
        if len(term) >= _SUFFIX_WIDTH:  # only the first 11 bytes were matched: verify the rest
            check = (lambda r: term in self.instruments.symbols[r].upper()) if symbols_only else \
                (lambda r: self._row_matches(r, term))
            rows = np.asarray([r for r in rows.tolist() if check(r)], dtype=np.int32)
        return rows

    def _symbol_rows(self, term: str) -> np.ndarray:
        return self._document_rows(term, symbols_only=True)


_SUFFIX_WIDTH = 12
_VERIFY_BELOW = 2000


def _base(symbol: str, name: str, expiry: date) -> str:
    at = symbol.find(expiry_code(expiry))
    return symbol[:at] if at > 0 else name


def _upper(text: str) -> str:
    upper = text.upper()
    return text if upper == text else upper


def _suffix_array(documents: list[str], owners: list[int]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Every suffix of every document, sorted on its first 12 bytes: the documents joined into one
    NUL-separated haystack, the suffixes' start offsets in sorted order, and the row each belongs to.

    Substring search becomes two binary searches (a term is a prefix of some suffix). Eight bytes
    per suffix stay resident; the 12-byte sort keys exist only while building (numpy column shifts
    instead of a Python loop over 1–2 million suffixes).
    """
    if not documents:
        return b"", np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    encoded_documents = [d.encode("ascii", "replace") for d in documents]
    haystack = b"\0".join(encoded_documents) + b"\0"
    width = max(len(d) for d in encoded_documents)
    encoded = np.asarray(encoded_documents, dtype=f"S{width}")
    del encoded_documents
    matrix = encoded.view(np.uint8).reshape(len(documents), width)
    lengths = np.char.str_len(encoded)
    starts = np.zeros(len(documents), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    owner = np.asarray(owners, dtype=np.int32)
    keys, at, rows = [], [], []
    for offset in range(width):
        live = lengths > offset
        if not live.any():
            break
        block = np.zeros((int(live.sum()), _SUFFIX_WIDTH), dtype=np.uint8)
        piece = matrix[live, offset:offset + _SUFFIX_WIDTH]
        block[:, :piece.shape[1]] = piece
        keys.append(block.view(f"S{_SUFFIX_WIDTH}").ravel())
        at.append((starts[live] + offset).astype(np.int32))
        rows.append(owner[live])
    order = np.argsort(np.concatenate(keys), kind="stable")
    del keys, matrix, encoded
    return haystack, np.concatenate(at)[order], np.concatenate(rows)[order]


def _nearest(strikes: Sequence[Decimal], price: float) -> int:
    """Index of the strike nearest `price` (the lower one on a tie, like OpenAlgo's min())."""
    target = Decimal(str(price))
    at = bisect_left(strikes, target)
    if at == 0:
        return 0
    if at == len(strikes):
        return len(strikes) - 1
    return at if strikes[at] - target < target - strikes[at - 1] else at - 1
