"""Broker session lifecycle: derived states, encrypted storage, scheduled expiry."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from backend.core.security import Secrets
from backend.domains.accounts.models import BrokerToken
from backend.domains.brokers.sessions import BrokerSessions, SessionState, next_rollover, state_of
from brokers.contract import BrokerSession
from tests.fixtures.accounts import make_user

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def token(expires_in: timedelta, revoked: bool = False) -> BrokerToken:
    return BrokerToken(user_id=1, broker="fake", access_token_encrypted="x", expires_at=NOW + expires_in,
                       revoked_at=NOW if revoked else None)


class TestStates:
    def test_each_state(self):
        assert state_of(None, NOW) == SessionState.NOT_CONNECTED
        assert state_of(token(timedelta(hours=5)), NOW) == SessionState.CONNECTED
        assert state_of(token(timedelta(minutes=10)), NOW) == SessionState.EXPIRING
        assert state_of(token(-timedelta(seconds=1)), NOW) == SessionState.EXPIRED
        assert state_of(token(timedelta(hours=5), revoked=True), NOW) == SessionState.EXPIRED
        assert state_of(token(-timedelta(hours=1)), NOW, NOW - timedelta(minutes=1)) == SessionState.REAUTHENTICATING
        # a stale login attempt no longer counts
        assert state_of(None, NOW, NOW - timedelta(hours=1)) == SessionState.NOT_CONNECTED

    def test_next_rollover_is_ist_wall_clock(self):
        # 12:00 UTC = 17:30 IST → next 03:30 IST is tomorrow 22:00 UTC of today
        assert next_rollover(NOW, time(3, 30)) == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)
        early = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # 02:30 IST on the 10th
        assert next_rollover(early, time(3, 30)) == datetime(2026, 3, 9, 22, 0, tzinfo=UTC)


class TestStorage:
    async def test_tokens_are_encrypted_and_expire_on_schedule(self, app, settings):
        sessions = BrokerSessions(Secrets.from_settings(settings))
        user_id, _ = await make_user(app, "trader9")
        other_id, _ = await make_user(app, "trader10")
        rollover = next_rollover(NOW, time(3, 30))
        async with app.state.db.sessions() as db:
            for uid in (user_id, other_id):
                await sessions.save(db, uid, BrokerSession("fake", "secret-access-token", rollover, "AB123", "feed-tok"))
            await db.commit()
        async with app.state.db.sessions() as db:
            stored = (await db.scalars(select(BrokerToken))).all()
            assert all("secret-access-token" not in row.access_token_encrypted for row in stored)
            loaded = await sessions.load(db, user_id, "fake", now=NOW)
            assert loaded.access_token == "secret-access-token" and loaded.feed_token == "feed-tok"
            assert (await sessions.status(db, user_id, "fake", now=NOW)).state == SessionState.CONNECTED
            after = rollover + timedelta(seconds=1)
            assert [user for user, _ in await sessions.expire_due(db, now=after)] == sorted([user_id, other_id])
            assert await sessions.expire_due(db, now=after) == []  # exactly once
            await db.commit()
        async with app.state.db.sessions() as db:
            status = await sessions.status(db, user_id, "fake", now=NOW)
            assert status.state == SessionState.EXPIRED and "log in again" in status.message
            assert await sessions.load(db, user_id, "fake", now=NOW) is None

    async def test_new_login_replaces_the_old_token(self, app, settings):
        sessions = BrokerSessions(Secrets.from_settings(settings))
        user_id, _ = await make_user(app, "trader11")
        later = NOW + timedelta(hours=10)
        async with app.state.db.sessions() as db:
            await sessions.save(db, user_id, BrokerSession("fake", "first", later))
            await sessions.save(db, user_id, BrokerSession("fake", "second", later))
            await db.commit()
            assert (await sessions.load(db, user_id, "fake", now=NOW)).access_token == "second"
            rows = (await db.scalars(select(BrokerToken).where(BrokerToken.user_id == user_id))).all()
            assert len(rows) == 1
