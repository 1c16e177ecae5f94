"""The one decision the order endpoints ask: queue this call for approval, refuse it, or run it.

Semi-auto (Action Center, realtime reference §5) applies to API-key calls only. Order-creating
calls are stored and answered with the pending id; close/cancel/modify are refused in live mode
(allowed in analyzer mode); everything else runs. Approved executions and internal jobs (strategy
square-off) run inside `bypassing_queue()`, so they are never queued a second time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from fastapi import Request
from pydantic import BaseModel

from backend.core.errors import AppError

SEMI_AUTO = "semi_auto"
QUEUED = frozenset({"placeorder", "placesmartorder", "basketorder", "splitorder", "optionsorder",
                    "optionsmultiorder", "placegttorder"})
# api type → (operation, what to do instead) for OpenAlgo's 403 wording
REFUSED = {
    "closeposition": ("Close position", "close positions"),
    "cancelorder": ("Cancel order", "cancel orders"),
    "cancelallorder": ("Cancel all orders", "cancel orders"),
    "modifyorder": ("Modify order", "modify orders"),
}
# GTT refusals read differently in OpenAlgo (api-v1 §3.12): the whole message per api type
REFUSED_WORDING = {
    "modifygttorder": "Modify GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.",
    "cancelgttorder": "Cancel GTT order is not allowed in Semi-Auto mode. Switch to Auto mode.",
}
QUEUED_MESSAGE = "Order queued for approval in Action Center"

_bypass: ContextVar[bool] = ContextVar("automation_bypass_queue", default=False)


@contextmanager
def bypassing_queue() -> Iterator[None]:
    token = _bypass.set(True)
    try:
        yield
    finally:
        _bypass.reset(token)


async def semi_auto_gate(request: Request, caller: Any, api_type: str, body: BaseModel) -> dict[str, Any] | None:
    """None: execute as usual. A dict: the response for a queued order. Raises 403 for refused calls."""
    if caller.gateway.profile.order_mode != SEMI_AUTO or _bypass.get():
        return None  # the hot path: one attribute read
    if api_type in REFUSED or api_type in REFUSED_WORDING:
        if caller.gateway.analyze:
            return None
        if api_type in REFUSED_WORDING:
            raise AppError(REFUSED_WORDING[api_type], 403)
        operation, verb = REFUSED[api_type]
        raise AppError(f"{operation} operation is not allowed in Semi-Auto mode. Please switch to Auto mode "
                       f"to {verb}.", 403)
    if api_type not in QUEUED:
        return None
    data = body.model_dump(mode="json", exclude={"apikey"})
    pending_id = await request.app.state.action_center.enqueue(caller.user, api_type, data)
    return {"status": "success", "message": QUEUED_MESSAGE, "mode": SEMI_AUTO, "pending_order_id": pending_id}
