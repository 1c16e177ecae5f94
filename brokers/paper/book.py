"""Price-indexed resting books, one per instrument of each market source, so a tick touches only
the orders it crosses.

A market source names where an order's prices come from: the simulator's shared feed, or one
user's own live-broker feed (analyzer mode). Books are keyed by (source, "EXCHANGE:SYMBOL"), so a
tick from one source never reaches orders that follow another.

Four heaps per instrument: buy limits (highest first), sell limits (lowest first), buy stops
(lowest trigger first), sell stops (highest trigger first), plus resting MARKET orders that are
waiting for a first price. A tick pops exactly the entries whose level it crosses: O(k log n) for
k crossing orders, independent of how many orders rest elsewhere. Removal is lazy (an entry is
live only while it is the one registered for its order id).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from brokers.contract import Action, PriceType
from brokers.paper.model import PaperOrder

COMPACT_AFTER = 256
# The source of orders placed without one: the simulator's shared feed (the hub's default feed account).
DEFAULT_SOURCE = "simulator"
BookKey = tuple[str, str]  # (market source, "EXCHANGE:SYMBOL")
# Heap name → sign applied to the level, so each heap pops the order a tick reaches first.
HEAP_SIGN = {"buy_limits": -1, "sell_limits": 1, "buy_stops": 1, "sell_stops": -1}


@dataclass(slots=True, eq=False)
class Resting:
    orderid: str
    user_id: int
    key: BookKey
    level: Decimal
    heap: str  # a HEAP_SIGN name, or "market"


@dataclass(slots=True)
class InstrumentBook:
    buy_limits: list = field(default_factory=list)  # (-price, seq, entry)
    sell_limits: list = field(default_factory=list)  # (price, seq, entry)
    buy_stops: list = field(default_factory=list)  # (trigger, seq, entry)
    sell_stops: list = field(default_factory=list)  # (-trigger, seq, entry)
    market: list = field(default_factory=list)  # entries
    live: int = 0  # entries still registered for their order
    stale: int = 0  # entries removed since the last compaction

    def size(self) -> int:
        return len(self.buy_limits) + len(self.sell_limits) + len(self.buy_stops) + len(self.sell_stops) + len(
            self.market)


class RestingBooks:
    def __init__(self) -> None:
        self._books: dict[BookKey, InstrumentBook] = {}
        self._live: dict[str, Resting] = {}
        self._by_user: defaultdict[int, set[str]] = defaultdict(set)  # live order ids (re-filing a user)
        self._seq = 0

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, orderid: str) -> bool:
        return orderid in self._live

    def users(self) -> set[int]:
        """Users with resting orders."""
        return set(self._by_user)

    def keys(self) -> list[BookKey]:
        """Books with live entries."""
        return list(self._books)

    def add(self, order: PaperOrder, source: str = DEFAULT_SOURCE) -> None:
        """Index a pending order, in its source's book, by the level at which a tick could make it act."""
        buy = order.action == Action.BUY
        if order.pricetype == PriceType.MARKET:
            heap, level = "market", Decimal(0)
        elif order.pricetype in (PriceType.SL, PriceType.SL_M) and not order.triggered:
            heap, level = ("buy_stops" if buy else "sell_stops"), order.trigger_price
        else:
            heap, level = ("buy_limits" if buy else "sell_limits"), order.price
        self._file(Resting(order.orderid, order.user_id, (source, order.contract.key), level, heap))

    def _file(self, entry: Resting) -> None:
        self.remove(entry.orderid)  # re-indexing an order replaces its entry
        book = self._books.setdefault(entry.key, InstrumentBook())
        book.live += 1
        self._seq += 1
        if entry.heap == "market":
            book.market.append(entry)
        else:
            heapq.heappush(getattr(book, entry.heap), (HEAP_SIGN[entry.heap] * entry.level, self._seq, entry))
        self._live[entry.orderid] = entry
        self._by_user[entry.user_id].add(entry.orderid)

    def move_user(self, user_id: int, source: str) -> None:
        """Re-file a user's resting orders under another market source (their broker changed)."""
        for orderid in list(self._by_user.get(user_id, ())):
            entry = self._live[orderid]
            if entry.key[0] != source:
                self.remove(orderid)
                self._file(Resting(orderid, user_id, (source, entry.key[1]), entry.level, entry.heap))

    def remove(self, orderid: str) -> None:
        entry = self._live.pop(orderid, None)
        if entry is None:
            return
        self._forget(entry)
        book = self._books.get(entry.key)
        if book is not None:
            book.live -= 1
            if not book.live:  # nothing left to match: drop the dead entries with the book
                del self._books[entry.key]
                return
            book.stale += 1
            if book.stale > COMPACT_AFTER and book.stale * 2 > book.size():  # mostly dead entries
                self._compact(book)

    def _compact(self, book: InstrumentBook) -> None:
        """Drop lazily-removed entries so cancelled orders do not accumulate in the heaps."""
        for name in ("buy_limits", "sell_limits", "buy_stops", "sell_stops"):
            heap = [item for item in getattr(book, name) if self._live.get(item[2].orderid) is item[2]]
            heapq.heapify(heap)
            setattr(book, name, heap)
        book.market = [entry for entry in book.market if self._live.get(entry.orderid) is entry]
        book.stale = 0

    def _forget(self, entry: Resting) -> None:
        orderids = self._by_user.get(entry.user_id)
        if orderids is not None:
            orderids.discard(entry.orderid)
            if not orderids:
                del self._by_user[entry.user_id]

    def crossing(self, key: BookKey, ltp: Decimal, bid: Decimal = Decimal(0), ask: Decimal = Decimal(0)) -> list[Resting]:
        """Pop every live entry of `key` whose level the market (last price or touch) reaches.
        Callers put back (`add`) orders that turn out not to act."""
        book = self._books.get(key)
        if book is None or ltp <= 0:
            return []
        out: list[Resting] = []
        buy_reach = min(ltp, ask) if ask > 0 else ltp  # a buy limit at or above this can fill
        sell_reach = max(ltp, bid) if bid > 0 else ltp
        self._pop(book.buy_limits, lambda level: -level >= buy_reach, out)
        self._pop(book.sell_limits, lambda level: level <= sell_reach, out)
        self._pop(book.buy_stops, lambda level: level <= ltp, out)
        self._pop(book.sell_stops, lambda level: -level >= ltp, out)
        if book.market:
            out.extend(entry for entry in book.market if self._live.get(entry.orderid) is entry)
            book.market.clear()
        for entry in out:
            del self._live[entry.orderid]
            self._forget(entry)
        book.live -= len(out)
        if not book.live:
            del self._books[key]
        return out

    def _pop(self, heap: list, reached, out: list[Resting]) -> None:
        while heap:
            level, _, entry = heap[0]
            if self._live.get(entry.orderid) is not entry:
                heapq.heappop(heap)  # cancelled, filled or re-indexed since
                continue
            if not reached(level):
                return
            heapq.heappop(heap)
            out.append(entry)
