"""Two-way value tables between our canonical values and a broker's wire values.

Every plugin maps exchange, product, price type, action, validity and order status. A value that
is not in the table raises `UnmappedValue` naming the broker, the kind and the value, so a new
broker status shows up as a clear error instead of a silent guess.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from brokers.contract.errors import UnmappedValue

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)


class ValueMap(Generic[K, V]):
    """`outbound` maps ours → the broker's. `inbound_extra` adds broker values that map to ours but
    are never sent (several broker statuses collapse into one of ours)."""

    def __init__(self, broker: str, kind: str, outbound: Mapping[K, V],
                 inbound_extra: Mapping[V, K] | None = None, *, case_insensitive: bool = False) -> None:
        self.broker = broker
        self.kind = kind
        self._out = dict(outbound)
        self._fold = case_insensitive
        inbound = {value: key for key, value in outbound.items()}
        inbound.update(inbound_extra or {})
        self._in = {self._key(value): key for value, key in inbound.items()}

    def _key(self, value):
        return value.upper() if self._fold and isinstance(value, str) else value

    def to_broker(self, value: K) -> V:
        try:
            return self._out[value]
        except KeyError:
            raise UnmappedValue(self.broker, self.kind, value) from None

    def from_broker(self, value: V) -> K:
        try:
            return self._in[self._key(value)]
        except KeyError:
            raise UnmappedValue(self.broker, self.kind, value) from None

    def __contains__(self, value: object) -> bool:
        return value in self._out
