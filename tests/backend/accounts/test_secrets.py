"""Secrets at rest and in transit: primitives, encrypted broker tokens, and no secret in any log
line or API response across every flow of this domain."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from backend.api.deps import ApiUser
from backend.core.clock import IST, utcnow
from backend.core.security import Secrets, totp_matching_step
from backend.domains.accounts import broker_secrets
from backend.domains.accounts.web_sessions import next_expiry
from backend.domains.brokers.sessions import BrokerSessions
from brokers.contract import BrokerSession
from tests.conftest import make_settings
from tests.fixtures.accounts import make_user


class TestPrimitives:
    def test_password_hash_is_peppered_argon2id(self, tmp_path):
        secrets = Secrets.from_settings(make_settings(tmp_path))
        stored = secrets.hash_password("Pa55-word")
        assert stored.startswith("$argon2id$") and "Pa55-word" not in stored
        assert secrets.verify_password(stored, "Pa55-word")
        assert not secrets.verify_password(stored, "Pa55-Word")
        other_pepper = Secrets.from_settings(make_settings(tmp_path, api_key_pepper="q" * 40))
        assert not other_pepper.verify_password(stored, "Pa55-word")  # the database alone is not enough

    def test_fernet_key_comes_from_the_pepper(self, tmp_path):
        secrets = Secrets.from_settings(make_settings(tmp_path))
        token = secrets.encrypt("broker-token-123")
        assert "broker-token-123" not in token and secrets.decrypt(token) == "broker-token-123"
        from backend.core.security import DecryptionError

        with pytest.raises(DecryptionError):
            Secrets.from_settings(make_settings(tmp_path, api_key_pepper="q" * 40)).decrypt(token)

    def test_repr_hides_keys(self, tmp_path):
        assert "p" * 40 not in repr(Secrets.from_settings(make_settings(tmp_path)))

    def test_totp_step_window(self):
        secret = pyotp.random_base32()
        now = 1_800_000_000
        code = pyotp.TOTP(secret).at(now)
        assert totp_matching_step(secret, code, at=now) == now // 30
        assert totp_matching_step(secret, code, at=now + 30) == now // 30  # one step of drift allowed
        assert totp_matching_step(secret, code, at=now + 95) is None
        assert totp_matching_step(secret, "12345", at=now) is None
        assert totp_matching_step(secret, "abcdef", at=now) is None

    @pytest.mark.parametrize("now_ist, expected", [
        ("2026-11-29 10:00", "2026-11-30 03:30"),
        ("2026-11-30 03:29", "2026-11-30 03:30"),
        ("2026-11-30 03:30", "2026-12-01 03:30"),
        ("2026-12-31 23:59", "2027-01-01 03:30"),
    ])
    def test_next_expiry_is_the_next_0330_ist(self, now_ist, expected):
        now = datetime.strptime(now_ist, "%Y-%m-%d %H:%M").replace(tzinfo=IST).astimezone(UTC)
        assert next_expiry(now, "03:30") == datetime.strptime(expected, "%Y-%m-%d %H:%M").replace(tzinfo=IST)

    def test_expiry_time_setting_is_validated(self, tmp_path):
        from pydantic import ValidationError

        assert make_settings(tmp_path, session_expiry_time="4:05").session_expiry_time == "04:05"
        with pytest.raises(ValidationError):
            make_settings(tmp_path, session_expiry_time="25:00")


def _login(access_token: str, expires_at: datetime | None = None, **values) -> BrokerSession:
    return BrokerSession("zerodha", access_token, expires_at or utcnow() + timedelta(hours=6), "ZX1234", **values)


class TestBrokerSecrets:
    async def test_tokens_and_credentials_are_encrypted_and_scoped(self, app):
        alice, _ = await make_user(app, "alice")
        bob, _ = await make_user(app, "bobby")
        sessions = BrokerSessions(app.state.accounts.secrets)
        async with app.state.db.sessions() as session:
            await broker_secrets.save_broker_credentials(session, alice, "zerodha", {"api_secret": "S3CR3T-xyz"})
            await sessions.save(session, alice, _login("ACCESS-abc", feed_token="FEED-def",
                                                       extra={"api_key": "EXTRA-ghi"}))
            await session.commit()
        async with app.state.db.sessions() as session:
            dump = json.dumps([list(map(str, row)) for table in ("broker_credentials", "broker_tokens")
                               for row in (await session.execute(text(f"SELECT * FROM {table}"))).all()])
            for secret in ("S3CR3T-xyz", "ACCESS-abc", "FEED-def", "EXTRA-ghi"):
                assert secret not in dump
            live = await sessions.load(session, alice, "zerodha")
            assert (live.access_token, live.feed_token, dict(live.extra)) == (
                "ACCESS-abc", "FEED-def", {"api_key": "EXTRA-ghi"})
            assert "ACCESS-abc" not in repr(live) and "EXTRA-ghi" not in repr(live)
            assert await broker_secrets.get_broker_credentials(session, alice, "zerodha") == {"api_secret": "S3CR3T-xyz"}
            assert await sessions.load(session, bob, "zerodha") is None
            assert await broker_secrets.get_broker_credentials(session, bob, "zerodha") is None

    async def test_token_dies_at_its_expiry_and_can_be_revoked(self, app):
        alice, _ = await make_user(app, "alice")
        sessions = BrokerSessions(app.state.accounts.secrets)
        expiry = next_expiry(utcnow(), "03:30")
        async with app.state.db.sessions() as session:
            await sessions.save(session, alice, _login("ACCESS-abc", expires_at=expiry))
            await session.commit()
        async with app.state.db.sessions() as session:
            assert await sessions.load(session, alice, "zerodha", now=expiry + timedelta(seconds=1)) is None
            await sessions.save(session, alice, _login("ACCESS-new", expires_at=expiry + timedelta(days=1)))
            assert (await sessions.load(session, alice, "zerodha", now=expiry + timedelta(seconds=1))).access_token \
                == "ACCESS-new"
            assert await sessions.revoke(session, alice, "zerodha") is True
            assert await sessions.revoke(session, alice, "zerodha") is False
            assert await sessions.load(session, alice, "zerodha") is None


class TestNothingLeaks:
    async def test_no_secret_in_logs_or_responses(self, app, client, caplog):
        """Drive every flow with DEBUG logging on, then grep all captured log lines and bodies."""

        @app.post("/api/v1/_leak_probe")
        async def probe(user: ApiUser) -> dict:
            return {"status": "success"}

        caplog.set_level(logging.DEBUG)
        bodies: list[str] = []

        async def call(method, url, **kwargs):
            response = await client.request(method, url, **kwargs)
            bodies.append(response.text + json.dumps(dict(response.headers)))
            return response

        password = "Leak-Check-Pass-1"
        await call("POST", "/auth/setup", json={"username": "owner", "password": password})
        login = await call("POST", "/auth/login", json={"username": "owner", "password": password})
        client.headers["X-CSRF-Token"] = login.json()["data"]["csrf_token"]
        await call("POST", "/auth/login", json={"username": "owner", "password": "Wrong-" + password})
        key = (await client.get("/web/apikey")).json()["data"]["api_key"]  # the owner's view: allowed
        await call("POST", "/api/v1/_leak_probe", json={"apikey": key})
        await call("POST", "/api/v1/_leak_probe", headers={"X-API-KEY": key})
        await call("POST", "/api/v1/_leak_probe", json={"apikey": "f" * 64})
        totp = (await client.post("/auth/totp/setup")).json()["data"]  # shown once, by design
        code = pyotp.TOTP(totp["secret"]).now()
        await call("POST", "/auth/totp/enable", json={"code": code})
        new_password = "Leak-Check-Pass-2"
        changed = await call("POST", "/auth/password", json={"current_password": password,
                                                             "new_password": new_password})
        client.headers["X-CSRF-Token"] = changed.json()["data"]["csrf_token"]
        user_id = (await client.get("/auth/session")).json()["data"]["user"]["id"]
        async with app.state.db.sessions() as session:
            await BrokerSessions(app.state.accounts.secrets).save(session, user_id, _login("BROKER-ACCESS-777"))
            live = await BrokerSessions(app.state.accounts.secrets).load(session, user_id, "zerodha")
            logging.getLogger("algogate.test").info("broker session %r", live)
            await session.commit()
        await app.state.log_writer.flush()
        await call("GET", "/web/logs/api")
        await call("GET", "/web/logs/traffic")

        session_cookie = client.cookies["algogate_session"]
        secrets = [password, new_password, key, totp["secret"], code, "BROKER-ACCESS-777", session_cookie,
                   "p" * 40, "k" * 40]
        logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        assert caplog.records, "expected log lines to check"
        for secret in secrets:
            assert secret not in logged, f"secret leaked into logs: {secret[:4]}…"
        for secret in (password, new_password, key, "BROKER-ACCESS-777", "p" * 40, "k" * 40):
            assert not any(secret in body for body in bodies), f"secret leaked into a response: {secret[:4]}…"
        api_log = bodies[-2]
        assert "_leak_probe" in api_log and "***" in api_log  # the API log exists and is redacted


class TestLogRedaction:
    def test_session_cookie_and_csrf_values_are_redacted(self):
        from backend.core.logging import redact

        line = redact("cookie: algogate_session=Zq3-secret-id; csrf=abc123token x-csrf-token: t0k3n")
        for secret in ("Zq3-secret-id", "abc123token", "t0k3n"):
            assert secret not in line
