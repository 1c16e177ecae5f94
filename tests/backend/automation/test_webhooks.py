"""Strategy webhooks end to end: TradingView alert → Action Center → approval in analyzer mode →
position → square-off at the strategy's time; plus every refusal path and its log line."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from backend.domains.automation import strategies as strategy_service
from tests.backend.automation.conftest import STRATEGY, TEN_AM, create_strategy
from tests.conftest import make_settings


async def hook(client, strategy: dict, payload, path: str = "strategy"):
    raw = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return await client.post(f"/{path}/webhook/{strategy['webhook_id']}", content=raw,
                             headers={"content-type": "application/json"})


async def log_of(trader, strategy: dict) -> list[dict]:
    response = await trader.http.get(f"/web/strategies/{strategy['id']}/logs")
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.fixture
async def outsider(app):
    """TradingView's side: no session cookie, no CSRF token."""
    transport = httpx.ASGITransport(app=app, client=("52.89.214.238", 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class TestEndToEnd:
    async def test_alert_queue_approve_position_square_off(self, app, trader, clock, outsider):
        assert app.state.scheduler.aps.get_job("automation-squareoff") is not None
        assert app.state.scheduler.aps.get_job("automation-expire-pending") is not None
        await trader.set_mode("semi_auto")
        await trader.analyzer(True)
        strategy = await create_strategy(trader)
        assert strategy["webhook_url"].endswith(f"/strategy/webhook/{strategy['webhook_id']}")

        received = await hook(outsider, strategy, {"symbol": "SBIN", "action": "BUY"})  # no CSRF needed
        assert received.status_code == 200, received.text
        [result] = received.json()["results"]
        assert result["outcome"] == "queued"
        [pending] = await trader.pending()
        assert (pending["api_type"], pending["symbol"], pending["quantity"], pending["strategy"]) == \
            ("placeorder", "SBIN", "3", "Trend")
        assert await trader.positions() == {}

        approved = await trader.http.post(f"/web/action-center/orders/{pending['id']}/approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["result"]["mode"] == "analyze"
        assert (await trader.positions())["SBIN"] == 3
        logged = (await trader.http.get("/web/trading/analyzer/log")).json()["data"]
        executed = [e for e in logged if e["api_type"] == "placeorder" and e.get("symbol") == "SBIN"]
        assert executed, logged  # the approved execution is in the API log like any request
        assert "apikey" not in json.dumps(executed)

        clock.set(TEN_AM.replace(hour=15, minute=14))
        assert await app.state.automation.square_off() == []  # not yet
        clock.set(TEN_AM.replace(hour=15, minute=15))
        assert await app.state.automation.square_off() == [strategy["id"]]
        assert (await trader.positions())["SBIN"] == 0
        assert await app.state.automation.square_off() == []  # once a day
        assert await trader.pending() == []  # the square-off is never held for approval
        outcomes = [line["outcome"] for line in await log_of(trader, strategy)]
        assert outcomes == ["squareoff", "queued"]  # newest first

    async def test_concurrent_square_off_runs_once(self, app, trader, clock):
        strategy = await create_strategy(trader)
        assert (await hook(trader.http, strategy, {"symbol": "SBIN", "action": "BUY"})).status_code == 200
        assert (await trader.positions())["SBIN"] == 3
        clock.set(TEN_AM.replace(hour=15, minute=30))
        runs = await asyncio.gather(app.state.automation.square_off(), app.state.automation.square_off())
        assert sorted(len(run) for run in runs) == [0, 1]
        assert (await trader.positions())["SBIN"] == 0
        assert len(await trader.orders()) == 2

    async def test_long_strategy_buy_then_sell_in_auto_mode(self, trader, clock):
        strategy = await create_strategy(trader)
        assert (await hook(trader.http, strategy, {"symbol": "sbin", "action": "buy"})).json()["results"][0][
            "outcome"] == "executed"
        assert (await trader.positions())["SBIN"] == 3
        sold = await hook(trader.http, strategy, {"symbol": "SBIN", "action": "SELL"})
        assert sold.json()["results"][0]["response"]["status"] == "success"
        assert (await trader.positions())["SBIN"] == 0

    async def test_short_and_both_modes(self, trader, clock):
        short = await create_strategy(trader, name="Shorts", trading_mode="SHORT")
        await hook(trader.http, short, {"symbol": "SBIN", "action": "SELL"})
        assert (await trader.positions())["SBIN"] == -3
        await hook(trader.http, short, {"symbol": "SBIN", "action": "COVER"})
        assert (await trader.positions())["SBIN"] == 0
        both = await create_strategy(trader, name="Both", trading_mode="BOTH")
        await hook(trader.http, both, {"symbol": "SBIN", "action": "BUY", "position_size": 5})
        assert (await trader.positions())["SBIN"] == 5
        await hook(trader.http, both, {"symbol": "SBIN", "action": "SHORT"})
        assert (await trader.positions())["SBIN"] == -3

    async def test_chartink_scan(self, trader, clock):
        strategy = await create_strategy(trader, platform="chartink")
        assert "/chartink/webhook/" in strategy["webhook_url"]
        scan = {"stocks": "SBIN,INFY", "trigger_prices": "800,1500", "triggered_at": "10:00 am",
                "scan_name": "Breakout BUY", "scan_url": "breakout", "alert_name": "Alert", "webhook_url": "x"}
        response = await hook(trader.http, strategy, scan, path="chartink")
        assert response.status_code == 200, response.text
        outcomes = {r["symbol"]: r["outcome"] for r in response.json()["results"]}
        assert outcomes == {"SBIN": "executed", "INFY": "rejected"}
        assert (await trader.positions())["SBIN"] == 3


class TestRefusals:
    async def test_unknown_webhook_is_a_bare_404(self, trader, client):
        await create_strategy(trader)
        for path in ("strategy", "chartink"):
            response = await client.post(f"/{path}/webhook/not-a-real-id", json={"symbol": "SBIN", "action": "BUY"})
            assert response.status_code == 404
            assert response.json() == {"status": "error", "message": "Not found"}

    async def test_malformed_is_400_and_logged(self, trader, clock):
        strategy = await create_strategy(trader)
        for payload in ("{not json", {"symbol": "SBIN"}, {"symbol": "SBIN", "action": "HOLD"}, [1, 2],
                        {"stocks": "SBIN", "scan_name": "no keyword"}):
            response = await hook(trader.http, strategy, payload)
            assert response.status_code == 400, payload
            assert response.json()["status"] == "error"
        lines = await log_of(trader, strategy)
        assert [line["outcome"] for line in lines] == ["malformed"] * 5
        assert await trader.orders() == []

    async def test_unmapped_symbol_is_rejected_with_the_reason_logged(self, trader, clock):
        strategy = await create_strategy(trader)
        response = await hook(trader.http, strategy, {"symbol": "INFY", "action": "BUY"})
        assert response.status_code == 400
        [line] = await log_of(trader, strategy)
        assert line["outcome"] == "rejected" and "INFY is not mapped" in line["message"]
        assert await trader.orders() == []

    async def test_outside_the_window_is_rejected_and_logged(self, trader, clock):
        strategy = await create_strategy(trader)
        clock.set(TEN_AM.replace(hour=9, minute=0))
        assert (await hook(trader.http, strategy, {"symbol": "SBIN", "action": "BUY"})).status_code == 400
        clock.set(TEN_AM.replace(hour=15, minute=5))  # past end: no entries, exits still allowed
        assert (await hook(trader.http, strategy, {"symbol": "SBIN", "action": "BUY", "n": 1})).status_code == 400
        assert (await hook(trader.http, strategy, {"symbol": "SBIN", "action": "SELL"})).status_code == 200
        lines = await log_of(trader, strategy)
        assert [line["outcome"] for line in lines] == ["executed", "rejected", "rejected"]
        assert "outside the strategy's trading window" in lines[1]["message"]

    async def test_long_only_refuses_short(self, trader, clock):
        strategy = await create_strategy(trader)
        response = await hook(trader.http, strategy, {"symbol": "SBIN", "action": "SHORT"})
        assert response.status_code == 400 and "long-only" in response.json()["message"]

    async def test_duplicate_delivery_is_ignored(self, trader, clock):
        strategy = await create_strategy(trader)
        alert = {"symbol": "SBIN", "action": "BUY"}
        first, second = await asyncio.gather(hook(trader.http, strategy, alert), hook(trader.http, strategy, alert))
        messages = sorted(r.json()["message"] for r in (first, second))
        assert messages == ["Alert processed", "Duplicate alert ignored"]
        assert len(await trader.orders()) == 1
        assert sorted(line["outcome"] for line in await log_of(trader, strategy)) == ["duplicate", "executed"]

    async def test_inactive_strategy_refuses(self, trader, clock):
        strategy = await create_strategy(trader, is_active=False)
        assert (await hook(trader.http, strategy, {"symbol": "SBIN", "action": "BUY"})).status_code == 400
        assert [line["outcome"] for line in await log_of(trader, strategy)] == ["rejected"]


class TestRateLimit:
    @pytest.fixture
    def settings(self, tmp_path, database_url):
        return make_settings(tmp_path, database_url=database_url, rate_limit_enabled=True,
                             webhook_rate_limit="2 per minute")

    async def test_webhooks_are_rate_limited(self, app, client):
        from tests.fixtures.accounts import make_user

        user_id, _ = await make_user(app, "limited1")
        async with app.state.db.sessions() as session:
            fields = {k: v for k, v in STRATEGY.items() if k != "symbols"}
            strategy = await strategy_service.create(session, user_id, fields, [])
            await session.commit()
        codes = [(await hook(client, strategy, {"symbol": "X", "action": "BUY", "n": n})).status_code
                 for n in range(3)]
        assert codes == [400, 400, 429]
