"""The analyzer request log: every /api/v1 call made in analyzer mode, read from the API log
(whose rows are already redacted), shaped for the SPA's analyzer page."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import func, select

from backend.core.clock import to_ist
from backend.core.db import Database
from backend.domains.monitoring.models import ApiLog

ANALYZE = "analyze"


def _json(text: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def entry(row: ApiLog) -> dict[str, Any]:
    request, response = _json(row.request_body), _json(row.response_body)
    message = response.get("message")
    return {
        "id": row.id, "timestamp": to_ist(row.created_at).isoformat(timespec="seconds"),
        "api_type": row.path.removeprefix("/api/v1/").strip("/"), "http_status": row.status,
        "symbol": request.get("symbol", ""), "exchange": request.get("exchange", ""),
        "action": request.get("action", ""), "quantity": request.get("quantity", ""),
        "status": response.get("status", ""), "orderid": response.get("orderid", ""),
        "message": message if isinstance(message, str) else (orjson.dumps(message).decode() if message else ""),
    }


async def count(db: Database, user_id: int) -> int:
    async with db.log_sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ApiLog)
                                        .where(ApiLog.user_id == user_id, ApiLog.mode == ANALYZE)) or 0)


async def recent(db: Database, user_id: int, limit: int) -> list[dict[str, Any]]:
    async with db.log_sessions() as session:
        rows = await session.scalars(select(ApiLog).where(ApiLog.user_id == user_id, ApiLog.mode == ANALYZE)
                                     .order_by(ApiLog.id.desc()).limit(limit))
        return [entry(row) for row in rows]
