"""The subscription index: upstream key → who wants it, at which modes. O(1) per tick.

An upstream key is (feed account, exchange, symbol): subscriptions are scoped by feed account,
so ticks never cross broker accounts. Per key the index keeps every client's modes, the
*audiences* a tick is encoded for (mode + depth levels → clients), and in-app subscribers. The
demand of a key is its highest mode and, at DEPTH, the largest book anyone asked for; the hub
subscribes upstream at that demand, re-subscribes when it changes and unsubscribes when it drops
to nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from brokers.contract import FeedMode, Instrument
from streaming.messages import DEFAULT_DEPTH_LEVELS, Audience

UpstreamKey = tuple[str, str, str]  # (feed_account, exchange, symbol)
_MODES_HIGH_FIRST = (FeedMode.DEPTH, FeedMode.QUOTE, FeedMode.LTP)


class Demand(NamedTuple):
    """What a key needs upstream. Ordered: (DEPTH, 20) > (DEPTH, 5) > (QUOTE, 5) > (LTP, 5), so
    the highest of several demands is `max()`. Below DEPTH the levels are always the default."""

    mode: FeedMode
    depth_levels: int = DEFAULT_DEPTH_LEVELS


@dataclass
class KeySubscribers:
    instrument: Instrument
    client_modes: dict[Any, dict[FeedMode, int]] = field(default_factory=dict)  # client → mode → depth
    audiences: dict[Audience, set[Any]] = field(default_factory=dict)
    client_audience: dict[Any, Audience] = field(default_factory=dict)
    internal: dict[int, tuple[FeedMode, Callable]] = field(default_factory=dict)
    # How many (client, mode) and internal subscriptions hold each mode, and how many DEPTH
    # subscriptions want each book size: demand in O(1) (per distinct size).
    mode_counts: dict[FeedMode, int] = field(default_factory=dict)
    depth_counts: dict[int, int] = field(default_factory=dict)

    def demand(self) -> Demand | None:
        for mode in _MODES_HIGH_FIRST:
            if self.mode_counts.get(mode):
                if mode == FeedMode.DEPTH:
                    return Demand(mode, max(self.depth_counts, default=DEFAULT_DEPTH_LEVELS))
                return Demand(mode)
        return None

    def _count(self, mode: FeedMode, delta: int, depth_levels: int = DEFAULT_DEPTH_LEVELS) -> None:
        self.mode_counts[mode] = self.mode_counts.get(mode, 0) + delta
        if mode == FeedMode.DEPTH:
            left = self.depth_counts.get(depth_levels, 0) + delta
            if left:
                self.depth_counts[depth_levels] = left
            else:
                self.depth_counts.pop(depth_levels, None)

    def _place(self, client: Any) -> None:
        old = self.client_audience.pop(client, None)
        if old is not None:
            members = self.audiences[old]
            members.discard(client)
            if not members:
                del self.audiences[old]
        modes = self.client_modes.get(client)
        if modes:
            top = max(modes)
            audience = Audience(top, modes[top] if top == FeedMode.DEPTH else DEFAULT_DEPTH_LEVELS)
            self.audiences.setdefault(audience, set()).add(client)
            self.client_audience[client] = audience


@dataclass(frozen=True, slots=True)
class DemandChange:
    key: UpstreamKey
    instrument: Instrument
    before: Demand | None
    after: Demand | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


class SubscriptionIndex:
    def __init__(self) -> None:
        self._keys: dict[UpstreamKey, KeySubscribers] = {}
        self._by_client: dict[Any, set[UpstreamKey]] = {}

    def get(self, key: UpstreamKey) -> KeySubscribers | None:
        return self._keys.get(key)

    def keys(self) -> list[UpstreamKey]:
        return list(self._keys)

    def client_keys(self, client: Any) -> set[UpstreamKey]:
        return self._by_client.get(client, set())

    def subscription_count(self, client: Any) -> int:
        return sum(len(self._keys[key].client_modes.get(client, ())) for key in self._by_client.get(client, ()))

    def holds(self, client: Any, key: UpstreamKey, mode: FeedMode) -> bool:
        entry = self._keys.get(key)
        return bool(entry and mode in entry.client_modes.get(client, {}))

    def add(self, client: Any, key: UpstreamKey, instrument: Instrument, mode: FeedMode,
            depth_levels: int) -> DemandChange:
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = KeySubscribers(instrument)
        before = entry.demand()
        modes = entry.client_modes.setdefault(client, {})
        if mode in modes:
            entry._count(mode, -1, modes[mode])
        entry._count(mode, 1, depth_levels)
        modes[mode] = depth_levels
        entry._place(client)
        self._by_client.setdefault(client, set()).add(key)
        return DemandChange(key, entry.instrument, before, entry.demand())

    def remove(self, client: Any, key: UpstreamKey, mode: FeedMode) -> DemandChange | None:
        """None when the client did not hold that (key, mode)."""
        entry = self._keys.get(key)
        modes = entry.client_modes.get(client) if entry else None
        if not modes or mode not in modes:
            return None
        before = entry.demand()
        entry._count(mode, -1, modes.pop(mode))
        if not modes:
            del entry.client_modes[client]
            keys = self._by_client[client]
            keys.discard(key)
            if not keys:
                del self._by_client[client]
        entry._place(client)
        return self._settle(key, entry, before)

    def remove_client(self, client: Any) -> list[DemandChange]:
        changes = []
        for key in list(self._by_client.get(client, ())):
            entry = self._keys[key]
            before = entry.demand()
            for mode, levels in entry.client_modes.pop(client, {}).items():
                entry._count(mode, -1, levels)
            entry._place(client)
            changes.append(self._settle(key, entry, before))
        self._by_client.pop(client, None)
        return changes

    def add_internal(self, token: int, key: UpstreamKey, instrument: Instrument, mode: FeedMode,
                     callback: Callable) -> DemandChange:
        entry = self._keys.get(key)
        if entry is None:
            entry = self._keys[key] = KeySubscribers(instrument)
        before = entry.demand()
        if token in entry.internal:  # re-registration replaces
            entry._count(entry.internal[token][0], -1)
        entry.internal[token] = (mode, callback)
        entry._count(mode, 1)
        return DemandChange(key, entry.instrument, before, entry.demand())

    def remove_internal(self, token: int, key: UpstreamKey) -> DemandChange | None:
        entry = self._keys.get(key)
        if entry is None or token not in entry.internal:
            return None
        before = entry.demand()
        mode, _ = entry.internal.pop(token)
        entry._count(mode, -1)
        return self._settle(key, entry, before)

    def _settle(self, key: UpstreamKey, entry: KeySubscribers, before: Demand | None) -> DemandChange:
        after = entry.demand()
        if after is None:
            del self._keys[key]
        return DemandChange(key, entry.instrument, before, after)

    def stats(self) -> dict[str, int]:
        return {"upstream_keys": len(self._keys), "clients_with_subscriptions": len(self._by_client),
                "internal_subscriptions": sum(len(e.internal) for e in self._keys.values())}
