"""Master-contract status and forced re-download for the SPA. Progress events
(`download_progress`, `master_contract_download`, `cache_loaded`) go to every signed-in socket."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from backend.api.deps import AdminUser, WebUser

router = APIRouter(prefix="/web/master-contract", tags=["web master contract"])


@router.get("")
async def status(request: Request, caller: WebUser) -> dict[str, Any]:
    return {"status": "success", "data": request.app.state.symbols.status.as_dict()}


@router.post("/download")
async def download(request: Request, caller: AdminUser) -> dict[str, Any]:
    """Download the master again now, whatever the daily rule says; the old one serves until the new
    one is complete."""
    master = request.app.state.symbols
    result = await master.download(request.app.state.simulator.provider, force=True)
    return {"status": "success" if result.status == "success" else "error", "data": result.as_dict()}
