"""`Annotated` dependency aliases used by routers. One place, so tests can swap what they need."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.db import Database
from backend.core.settings import Settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the router commits once, services only flush."""
    async with request.app.state.db.sessions() as session:
        yield session


DbDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


# --- accounts: who is calling (issue 3) --------------------------------------------------------

from backend.domains.accounts.auth import AuthenticatedUser, admin_user, api_user, web_user  # noqa: E402

ApiUser = Annotated[AuthenticatedUser, Depends(api_user)]  # /api/v1: apikey in body, X-API-KEY or query
WebUser = Annotated[AuthenticatedUser, Depends(web_user)]  # SPA: session cookie (+ CSRF on unsafe methods)
AdminUser = Annotated[AuthenticatedUser, Depends(admin_user)]
