"""Telegram against a local fake Bot API server: linking by one-time code, commands answered
from the gateway, order alerts off the request path, retries."""

from __future__ import annotations

import asyncio

import pytest
import uvicorn

from backend.domains.automation.telegram.client import TelegramClient, TelegramError
from backend.domains.automation.telegram.lease import polling_lease
from tests.backend.api_v1.conftest import eventually
from tests.backend.automation.conftest import ORDER
from tests.backend.automation.fake_telegram import TOKEN, FakeTelegram
from tests.conftest import free_port, make_settings

CHAT = 5550001


@pytest.fixture
async def fake_telegram():
    fake = FakeTelegram()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(1000):  # up to 10 s
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "fake Telegram server did not start"
    fake.url = f"http://127.0.0.1:{port}"
    yield fake
    server.should_exit = True
    await task


class TestBot:
    @pytest.fixture
    def settings(self, tmp_path, database_url, fake_telegram):
        return make_settings(tmp_path, database_url=database_url, telegram_bot_token=TOKEN,
                             telegram_api_url=fake_telegram.url, telegram_poll_timeout=1)

    async def replies_to(self, fake, text: str) -> str:
        before = len(fake.texts(CHAT))
        fake.push(CHAT, text)

        async def answered():
            texts = fake.texts(CHAT)
            return texts[before] if len(texts) > before else None

        reply = await eventually(answered, within=10)
        assert reply is not None, f"no reply to {text}"
        return reply

    async def test_link_commands_and_alerts(self, trader, fake_telegram):
        status = (await trader.http.get("/web/telegram")).json()["data"]
        assert status["enabled"] is True and status["linked"] is False
        code = (await trader.http.post("/web/telegram/link")).json()["data"]
        assert code["deep_link"] == f"https://t.me/AlgogateTestBot?start={code['code']}"

        assert "Linked" in await self.replies_to(fake_telegram, f"/start {code['code']}")
        status = (await trader.http.get("/web/telegram")).json()["data"]
        assert (status["linked"], status["telegram_username"]) == (True, "tguser")
        assert "not valid" in await self.replies_to(fake_telegram, f"/link {code['code']}")  # one use only

        placed = await trader.api("placeorder", **ORDER)
        orderid = placed.json()["orderid"]

        async def alerted():
            return [t for t in fake_telegram.texts(CHAT) if orderid in t and "complete" in t]

        assert await eventually(alerted, within=10), fake_telegram.texts(CHAT)
        assert "SBIN (NSE, MIS): 2" in await self.replies_to(fake_telegram, "/positions")
        assert orderid in await self.replies_to(fake_telegram, "/orderbook")
        assert "Available: ₹" in await self.replies_to(fake_telegram, "/funds")
        assert "Today's P&L" in await self.replies_to(fake_telegram, "/pnl")
        assert "/positions" in await self.replies_to(fake_telegram, "/help")

        await trader.http.put("/web/telegram/preferences", json={"alerts_enabled": False})
        muted = (await trader.api("placeorder", **ORDER)).json()["orderid"]
        assert "Open positions" in await self.replies_to(fake_telegram, "/positions")  # the bot still answers
        await trader.http.put("/web/telegram/preferences", json={"alerts_enabled": True})
        third = (await trader.api("placeorder", **ORDER)).json()["orderid"]

        async def third_alerted():  # the outbox is FIFO: once this arrives, the muted one was skipped
            return [t for t in fake_telegram.texts(CHAT) if third in t]

        assert await eventually(third_alerted, within=10)
        assert not [t for t in fake_telegram.texts(CHAT) if muted in t]

        assert (await trader.http.delete("/web/telegram/link")).status_code == 200
        assert "not linked" in await self.replies_to(fake_telegram, "/positions")

    async def test_orders_a_live_broker_acknowledges_are_alerted_too(self, app, trader, fake_telegram):
        from datetime import UTC, datetime, timedelta

        from backend.domains.trading.service import set_broker
        from brokers.contract import BrokerSession
        from tests.fakes.broker_plugin import RecordingBroker

        code = (await trader.http.post("/web/telegram/link")).json()["data"]["code"]
        assert "Linked" in await self.replies_to(fake_telegram, f"/start {code}")
        broker = RecordingBroker()
        app.state.brokers.manifests["fakelive"] = broker.manifest
        app.state.brokers.plugins["fakelive"] = broker
        async with app.state.db.sessions() as session:
            await set_broker(session, trader.id, "fakelive", "simulator")
            await app.state.broker_sessions.save(
                session, trader.id, BrokerSession("fakelive", "tok", datetime.now(UTC) + timedelta(hours=6)))
            await session.commit()
        app.state.gateways.forget(trader.id)
        placed = (await trader.api("placeorder", **ORDER)).json()
        assert placed == {"status": "success", "orderid": "LIVE1"}

        async def alerted():
            return [t for t in fake_telegram.texts(CHAT) if "LIVE1" in t and t.startswith("fakelive: order")]

        assert await eventually(alerted, within=10), fake_telegram.texts(CHAT)

    async def test_unlinked_chat_learns_nothing(self, trader, fake_telegram):
        assert "not linked" in await self.replies_to(fake_telegram, "/funds")
        assert "not valid" in await self.replies_to(fake_telegram, "/start nosuchcode")


class TestClient:
    async def test_retries_transient_failures_then_delivers_once(self, fake_telegram):
        fake_telegram.fail("sendMessage", 500, 429)
        client = TelegramClient(fake_telegram.url, TOKEN, backoff=0.01)
        try:
            await client.send_message(42, "hello")
        finally:
            await client.close()
        assert fake_telegram.calls["sendMessage"] == 3
        assert fake_telegram.texts(42) == ["hello"]

    async def test_refusals_are_not_retried(self, fake_telegram):
        fake_telegram.fail("sendMessage", 400)
        client = TelegramClient(fake_telegram.url, TOKEN, backoff=0.01)
        with pytest.raises(TelegramError, match="400"):
            await client.send_message(42, "hello")
        await client.close()
        assert fake_telegram.calls["sendMessage"] == 1

    async def test_gives_up_after_the_last_attempt(self, fake_telegram):
        fake_telegram.fail("sendMessage", 502, 502, 502)
        client = TelegramClient(fake_telegram.url, TOKEN, backoff=0.01)
        with pytest.raises(TelegramError, match="502"):
            await client.send_message(42, "hello")
        await client.close()
        assert fake_telegram.texts(42) == []


class TestWithoutBot:
    async def test_routes_without_a_token(self, trader):
        assert (await trader.http.get("/web/telegram")).json()["data"]["enabled"] is False
        assert (await trader.http.post("/web/telegram/link")).status_code == 409

    async def test_bad_input_and_csrf(self, trader):
        assert (await trader.http.put("/web/telegram/preferences", json={"alerts_enabled": "maybe"})).status_code == 400
        trader.http.headers.pop("X-CSRF-Token")
        assert (await trader.http.delete("/web/telegram/link")).status_code == 403
        assert (await trader.http.put("/web/telegram/preferences", json={"alerts_enabled": False})).status_code == 403


class TestPollingLease:
    async def test_one_poller_at_a_time(self, app):
        db = app.state.db
        entered = asyncio.Event()

        async def second_poller():
            async with polling_lease(db, retry_seconds=0.05):
                entered.set()

        async with polling_lease(db):
            waiting = asyncio.create_task(second_poller())
            await asyncio.sleep(0.3)
            # PostgreSQL (several workers possible): the second waits; SQLite (one process): no contention.
            assert entered.is_set() is (db.dialect != "postgresql")
        await asyncio.wait_for(waiting, 5)
        assert entered.is_set()
