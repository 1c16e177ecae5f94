"""Reading the logs: users see their own rows; administrators may see everyone's traffic."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import utcnow
from backend.domains.monitoring.latency import MAX_ROWS_FOR_STATS, summarise
from backend.domains.monitoring.models import ApiLog, TrafficLog
from backend.domains.monitoring.repository import LogRepository


def traffic_view(row: TrafficLog) -> dict:
    return {"id": row.id, "timestamp": row.created_at, "client_ip": row.client_ip, "method": row.method,
            "path": row.path, "status": row.status, "duration_ms": round(row.duration_ms, 3),
            "user_id": row.user_id, "request_id": row.request_id}


def api_log_view(row: ApiLog) -> dict:
    return {"id": row.id, "timestamp": row.created_at, "path": row.path, "status": row.status,
            "duration_ms": round(row.duration_ms, 3), "request": row.request_body,
            "response": row.response_body, "request_id": row.request_id}


async def traffic(session: AsyncSession, *, user_id: int | None, limit: int, before_id: int | None) -> list[dict]:
    rows = await LogRepository(session).traffic(user_id=user_id, limit=limit, before_id=before_id)
    return [traffic_view(row) for row in rows]


async def api_logs(session: AsyncSession, *, user_id: int, limit: int, before_id: int | None) -> list[dict]:
    rows = await LogRepository(session).api_logs(user_id=user_id, limit=limit, before_id=before_id)
    return [api_log_view(row) for row in rows]


async def latency_stats(session: AsyncSession, *, hours: int, user_id: int | None) -> list[dict]:
    """p50/p90/p99 per (broker, operation) and per broker over the last `hours`."""
    since = utcnow() - timedelta(hours=hours)
    samples = await LogRepository(session).latency_samples(since=since, user_id=user_id, limit=MAX_ROWS_FOR_STATS)
    return summarise(samples)
