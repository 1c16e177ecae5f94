"""Price-indexed resting books, one per instrument, so a tick touches only the orders it crosses.

Four heaps per instrument: buy limits (highest first), sell limits (lowest first), buy stops
(lowest trigger first), sell stops (highest trigger first), plus resting MARKET orders that are
waiting for a first price. A tick pops exactly the entries whose level it crosses: O(k log n) for
k crossing orders, independent of how many orders rest elsewhere. Removal is lazy (an entry is
live only while it is the one registered for its order id).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from decimal import Decimal

from brokers.contract import Action, PriceType
from brokers.paper.model import PaperOrder

COMPACT_AFTER = 256


@dataclass(slots=True, eq=False)
class Resting:
    orderid: str
    user_id: int
    key: str
    level: Decimal


@dataclass(slots=True)
class InstrumentBook:
    buy_limits: list = field(default_factory=list)  # (-price, seq, entry)
    sell_limits: list = field(default_factory=list)  # (price, seq, entry)
    buy_stops: list = field(default_factory=list)  # (trigger, seq, entry)
    sell_stops: list = field(default_factory=list)  # (-trigger, seq, entry)
    market: list = field(default_factory=list)  # entries
    stale: int = 0  # entries removed since the last compaction

    def size(self) -> int:
        return len(self.buy_limits) + len(self.sell_limits) + len(self.buy_stops) + len(self.sell_stops) + len(
            self.market)

    def __bool__(self) -> bool:
        return bool(self.buy_limits or self.sell_limits or self.buy_stops or self.sell_stops or self.market)


class RestingBooks:
    def __init__(self) -> None:
        self._books: dict[str, InstrumentBook] = {}
        self._live: dict[str, Resting] = {}
        self._seq = 0

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, orderid: str) -> bool:
        return orderid in self._live

    def keys(self) -> list[str]:
        return [key for key, book in self._books.items() if book]

    def add(self, order: PaperOrder) -> None:
        """Index a pending order by the level at which a tick could make it act."""
        key = order.contract.key
        book = self._books.setdefault(key, InstrumentBook())
        self._seq += 1
        buy = order.action == Action.BUY
        if order.pricetype == PriceType.MARKET:
            entry = Resting(order.orderid, order.user_id, key, Decimal(0))
            book.market.append(entry)
        elif order.pricetype in (PriceType.SL, PriceType.SL_M) and not order.triggered:
            entry = Resting(order.orderid, order.user_id, key, order.trigger_price)
            if buy:
                heapq.heappush(book.buy_stops, (order.trigger_price, self._seq, entry))
            else:
                heapq.heappush(book.sell_stops, (-order.trigger_price, self._seq, entry))
        else:
            entry = Resting(order.orderid, order.user_id, key, order.price)
            if buy:
                heapq.heappush(book.buy_limits, (-order.price, self._seq, entry))
            else:
                heapq.heappush(book.sell_limits, (order.price, self._seq, entry))
        self._live[order.orderid] = entry

    def remove(self, orderid: str) -> None:
        entry = self._live.pop(orderid, None)
        if entry is None:
            return
        book = self._books.get(entry.key)
        if book is not None:
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

    def crossing(self, key: str, ltp: Decimal, bid: Decimal = Decimal(0), ask: Decimal = Decimal(0)) -> list[Resting]:
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
        if not book:
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
