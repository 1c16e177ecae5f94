"""Log views for the SPA: traffic (own rows; admins may ask for all), API log (own rows only,
secrets already redacted at write time) and latency percentiles per broker and operation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from backend.api.deps import WebUser
from backend.api.web.auth import ok
from backend.core.errors import AuthError
from backend.core.responses import FastJSONResponse
from backend.domains.monitoring import service

router = APIRouter(prefix="/web/logs", tags=["logs"])

Limit = Annotated[int, Query(ge=1, le=1000)]
BeforeId = Annotated[int | None, Query(ge=1)]


def _scope(caller, everyone: bool) -> int | None:
    if everyone and not caller.is_admin:
        raise AuthError("Administrator access required")
    return None if everyone else caller.id


@router.get("/traffic")
async def traffic(caller: WebUser, request: Request, limit: Limit = 100, before_id: BeforeId = None,
                  all_users: bool = False) -> FastJSONResponse:
    async with request.app.state.db.log_sessions() as session:
        rows = await service.traffic(session, user_id=_scope(caller, all_users), limit=limit, before_id=before_id)
    return ok(rows)


@router.get("/api")
async def api_log(caller: WebUser, request: Request, limit: Limit = 100,
                  before_id: BeforeId = None) -> FastJSONResponse:
    async with request.app.state.db.log_sessions() as session:
        rows = await service.api_logs(session, user_id=caller.id, limit=limit, before_id=before_id)
    return ok(rows)


@router.get("/latency")
async def latency(caller: WebUser, request: Request, hours: Annotated[int, Query(ge=1, le=24 * 90)] = 24,
                  all_users: bool = False) -> FastJSONResponse:
    async with request.app.state.db.log_sessions() as session:
        stats = await service.latency_stats(session, hours=hours, user_id=_scope(caller, all_users))
    return ok(stats)
