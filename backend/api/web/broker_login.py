"""Broker set-up and login for the SPA, and the OAuth callback brokers redirect to.

The callback keeps OpenAlgo's path (`/{broker}/callback`), so the redirect URL a user already
registered with their broker app keeps working. It is a top-level GET navigation, so the
SameSite=Lax session cookie comes along and identifies the user; the signed `state` proves the
login was started by that same user.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from backend.api.deps import SessionDep, WebUser
from backend.core.errors import AppError
from backend.core.responses import FastJSONResponse
from backend.domains.brokers.logins import STATE_TTL_SECONDS

router = APIRouter(prefix="/web/broker", tags=["web broker login"])
callback_router = APIRouter(tags=["web broker login"])

STATE_COOKIE = "algogate_broker_state"
BrokerName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
Values = dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=512)]]


class BrokerCredentialsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: Values


class BrokerLoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: Values = {}


def logins(request: Request):
    return request.app.state.broker_logins


@router.get("/{broker}")
async def describe(broker: BrokerName, request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    """What the broker needs (credential and login fields; never their values) and the session state."""
    return {"status": "success", "data": await logins(request).describe(session, caller.id, broker)}


@router.put("/{broker}/credentials")
async def save_credentials(broker: BrokerName, body: BrokerCredentialsBody, request: Request, caller: WebUser,
                           session: SessionDep) -> dict[str, Any]:
    await logins(request).save_credentials(session, caller.id, broker, body.values)
    await session.commit()
    return {"status": "success", "data": await logins(request).describe(session, caller.id, broker)}


@router.post("/{broker}/login")
async def login(broker: BrokerName, body: BrokerLoginBody, request: Request, caller: WebUser,
                session: SessionDep) -> dict[str, Any]:
    """OAuth brokers answer `{"redirect": url}` for the browser; the others log in at once."""
    data = await logins(request).start(session, caller.id, caller.username, broker, body.params)
    state = data.pop("state", None)
    response = FastJSONResponse({"status": "success", "data": data})
    if state:  # for brokers that do not echo `state` on the callback; bound to this browser
        response.set_cookie(STATE_COOKIE, state, max_age=STATE_TTL_SECONDS, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path=f"/{broker}/callback")
    return response


@router.delete("/{broker}/session")
async def logout(broker: BrokerName, request: Request, caller: WebUser, session: SessionDep) -> dict[str, Any]:
    logins(request).plugin(broker)
    revoked = await logins(request).logout(session, caller.id, caller.username, broker)
    return {"status": "success", "data": {"broker": broker, "revoked": revoked}}


@callback_router.get("/{broker}/callback", include_in_schema=False)
async def oauth_callback(broker: BrokerName, request: Request, caller: WebUser, session: SessionDep) -> RedirectResponse:
    """Finish the OAuth login, then send the browser back to the broker page with the outcome."""
    params = {key: value[:2048] for key, value in request.query_params.items()}
    try:
        await logins(request).callback(session, caller.id, caller.username, broker, params,
                                       request.cookies.get(STATE_COOKIE, ""))
    except AppError as exc:
        query = urlencode({"broker": broker, "login": "error", "message": str(exc.message)[:300]})
        response = RedirectResponse(f"/broker?{query}", status_code=303)
    else:
        response = RedirectResponse(f"/broker?{urlencode({'broker': broker, 'login': 'success'})}", status_code=303)
    response.delete_cookie(STATE_COOKIE, path=f"/{broker}/callback")
    return response
