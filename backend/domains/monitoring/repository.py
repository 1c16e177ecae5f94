"""All SQL of the monitoring domain (logs store). User-facing reads are scoped by `user_id`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domains.monitoring.models import ApiLog, LatencyLog, TrafficLog

MODELS = {"traffic": TrafficLog, "api": ApiLog, "latency": LatencyLog}


class LogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_many(self, kind: str, rows: list[dict[str, Any]]) -> None:
        # Core executemany: a third cheaper than the ORM bulk path, and this runs on the event loop.
        await self.session.execute(MODELS[kind].__table__.insert(), rows)

    async def delete_older_than(self, cutoff: datetime) -> int:
        removed = 0
        for model in MODELS.values():
            result = await self.session.execute(delete(model).where(model.created_at < cutoff))
            removed += result.rowcount or 0
        return removed

    async def traffic(self, *, user_id: int | None, limit: int, before_id: int | None) -> list[TrafficLog]:
        """Newest first. `user_id` None: every row (admins only)."""
        statement = select(TrafficLog).order_by(TrafficLog.id.desc()).limit(limit)
        if user_id is not None:
            statement = statement.where(TrafficLog.user_id == user_id)
        if before_id is not None:
            statement = statement.where(TrafficLog.id < before_id)
        return list(await self.session.scalars(statement))

    async def api_logs(self, *, user_id: int, limit: int, before_id: int | None) -> list[ApiLog]:
        statement = select(ApiLog).where(ApiLog.user_id == user_id).order_by(ApiLog.id.desc()).limit(limit)
        if before_id is not None:
            statement = statement.where(ApiLog.id < before_id)
        return list(await self.session.scalars(statement))

    async def latency_samples(self, *, since: datetime, user_id: int | None,
                              limit: int) -> list[tuple[str, str, float, bool]]:
        statement = (select(LatencyLog.broker, LatencyLog.operation, LatencyLog.duration_ms, LatencyLog.success)
                     .where(LatencyLog.created_at >= since).order_by(LatencyLog.id.desc()).limit(limit))
        if user_id is not None:
            statement = statement.where(LatencyLog.user_id == user_id)
        return [tuple(row) for row in (await self.session.execute(statement)).all()]
