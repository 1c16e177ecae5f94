"""Helpers for accounts tests: an app with settings of the test's choosing, on SQLite and PostgreSQL."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager

from backend.main import create_app
from tests.conftest import make_settings


@pytest.fixture
def custom_app(tmp_path, database_url):
    """`async with custom_app(**settings) as (app, client)`: a started app on this test's database."""

    @asynccontextmanager
    async def start(client_ip: str = "127.0.0.1", **overrides):
        settings = make_settings(tmp_path, database_url=database_url, **overrides)
        application = create_app(settings)
        async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
            transport = httpx.ASGITransport(app=application, client=(client_ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield application, http

    return start
