"""Latency of broker and sandbox calls: recorded through the log writer, summarised as percentiles.

Callers (order/market-data services) wrap each broker call:

    async with request.app.state.latency.measure("zerodha", "placeorder", user_id=user.id):
        await broker.place_order(...)
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from backend.core.clock import utcnow
from backend.domains.monitoring.writer import LogWriter

MAX_ROWS_FOR_STATS = 200_000


class LatencyRecorder:
    def __init__(self, writer: LogWriter) -> None:
        self.writer = writer

    def record(self, broker: str, operation: str, duration_ms: float, *, success: bool = True,
               user_id: int | None = None) -> None:
        self.writer.submit("latency", {
            "created_at": utcnow(), "broker": broker[:32], "operation": operation[:64],
            "duration_ms": float(duration_ms), "success": success, "user_id": user_id,
        })

    @asynccontextmanager
    async def measure(self, broker: str, operation: str, *, user_id: int | None = None) -> AsyncIterator[None]:
        started = time.perf_counter()
        success = False
        try:
            yield
            success = True
        finally:
            self.record(broker, operation, (time.perf_counter() - started) * 1000,
                        success=success, user_id=user_id)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at or below which `fraction` of samples fall)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil without floats drifting
    return sorted_values[min(len(sorted_values), int(rank)) - 1]


def summarise(samples: list[tuple[str, str, float, bool]]) -> list[dict]:
    """One row per (broker, operation) plus one per broker (`operation` = "*")."""
    groups: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for broker, operation, duration, success in samples:
        groups.setdefault((broker, operation), []).append((duration, success))
        groups.setdefault((broker, "*"), []).append((duration, success))
    rows = []
    for (broker, operation), values in sorted(groups.items()):
        durations = sorted(d for d, _ in values)
        rows.append({
            "broker": broker, "operation": operation, "count": len(values),
            "errors": sum(1 for _, ok in values if not ok),
            "p50_ms": round(percentile(durations, 0.50), 3),
            "p90_ms": round(percentile(durations, 0.90), 3),
            "p99_ms": round(percentile(durations, 0.99), 3),
            "max_ms": round(durations[-1], 3),
        })
    return rows
