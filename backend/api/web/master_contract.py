"""Master-contract status and forced re-download for the SPA, for the signed-in user's broker.
Progress events (`download_progress`, `master_contract_download`, `cache_loaded`) go to every
signed-in socket."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from backend.api.deps import AdminUser, SessionDep, WebUser
from backend.core.errors import AppError

router = APIRouter(prefix="/web/master-contract", tags=["web master contract"])
SIMULATOR = "simulator"


@router.get("")
async def status(request: Request, caller: WebUser) -> dict[str, Any]:
    master = await request.app.state.gateways.symbols_for(caller)
    return {"status": "success", "data": master.status.as_dict()}


@router.post("/download")
async def download(request: Request, caller: AdminUser, session: SessionDep) -> dict[str, Any]:
    """Download the master of the admin's broker again now, whatever the daily rule says; the old
    one serves until the new one is complete. A live broker's download needs today's login."""
    broker = (await request.app.state.gateways.profile_for(caller.id)).broker
    if broker == SIMULATOR:
        provider = request.app.state.simulator.provider
    else:
        login = await request.app.state.broker_sessions.load(session, caller.id, broker)
        if login is None:
            raise AppError(f"Log in to {broker} first: its master contract is downloaded with your session", 403)
        provider = request.app.state.brokers.plugins[broker].instrument_provider(login)
    result = await request.app.state.symbol_masters.refresh(broker, provider, force=True)
    return {"status": "success" if result.status == "success" else "error", "data": result.as_dict()}
