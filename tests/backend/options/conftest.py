"""Helpers for the options API tests: post with the caller's key, the simulator's listed expiries."""

from __future__ import annotations

import pytest

from backend.core.clock import now_ist
from backend.domains.symbols.index import expiry_code


@pytest.fixture(autouse=True)
def still_market(request):
    """Freeze the app's simulated market at the current instant: a test that reads the underlying and
    then places or charts by offset must see one price, or the ATM strike can move in between."""
    if "app" not in request.fixturenames:
        return
    request.getfixturevalue("app").state.simulator.clock.freeze()


@pytest.fixture
def post(client, api_key):
    """`await post("optionchain", underlying=...)` → response; the caller's key is filled in unless given."""

    async def send(endpoint: str, **body):
        body.setdefault("apikey", api_key)
        return await client.post(f"/api/v1/{endpoint}", json=body)

    return send


@pytest.fixture
def expiries(app):
    """`expiries("NIFTY", "NFO")` → listed option expiries as DDMMMYY codes, nearest first. The
    nearest is skipped when it expires today (after 15:30 IST it is already expired)."""

    def listed(base: str, exchange: str) -> list[str]:
        days = app.state.symbols.expiries(base, exchange, "options", on_or_after=now_ist().date())
        return [expiry_code(day) for day in days if day > now_ist().date()]

    return listed
