"""Tunables of the streaming hub. The backend maps its settings onto this; tests build it directly."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HubConfig:
    # Fan-out: per client and symbol, at most one message per interval, coalesced to the latest.
    # 0 forwards every tick (bounded by `max_queued_messages`).
    throttle_ms: float = 50.0
    max_subscriptions_per_client: int = 1000
    max_clients_per_user: int = 50
    # Slow clients: once a socket's unsent bytes exceed this, the hub stops writing and keeps only
    # the newest value per symbol; a socket that stays over it for `stuck_client_seconds` is closed.
    client_write_buffer_bytes: int = 1_048_576
    max_queued_messages: int = 10_000  # unthrottled (0 ms) clients only
    stuck_client_seconds: float = 10.0
    auth_grace_seconds: float = 15.0
    ping_interval_seconds: float = 20.0
    ping_timeout_seconds: float = 20.0
    # Upstream reconnect: exponential back-off with full jitter.
    reconnect_initial_seconds: float = 0.5
    reconnect_max_seconds: float = 30.0
    # Staleness watchdog (only while `market_open` says the market is open).
    watchdog_interval_seconds: float = 5.0
    stale_connection_seconds: float = 30.0  # no tick at all on a connection that has subscriptions
    stale_symbol_seconds: float = 120.0  # no tick for one subscribed symbol
    rest_fallback_interval_seconds: float = 5.0
    # Redis backplane (used when the hub is given a redis URL).
    redis_prefix: str = "algogate:stream:"
    lease_ttl_seconds: float = 10.0

    @property
    def throttle_seconds(self) -> float:
        return self.throttle_ms / 1000.0
