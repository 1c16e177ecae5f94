"""SPA sign-in: first-run setup, login, cookies, session fixation, logout, daily expiry, CSRF."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from backend.api.deps import ApiUser
from backend.core.clock import IST, utcnow
from tests.fixtures.accounts import TEST_PASSWORD, make_user, sign_in

GOOD = "Strong-Pass-77"


class TestSetup:
    async def test_first_setup_creates_an_admin_then_closes(self, client):
        status = (await client.get("/auth/session")).json()["data"]
        assert status == {"authenticated": False, "setup_required": True, "user": None, "csrf_token": None}
        response = await client.post("/auth/setup", json={"username": "owner", "password": GOOD,
                                                          "email": "ignored@example.com"})
        assert response.status_code == 200 and response.json()["status"] == "success"
        assert (await client.get("/auth/session")).json()["data"]["setup_required"] is False
        again = await client.post("/auth/setup", json={"username": "intruder", "password": GOOD})
        assert again.status_code == 403
        assert again.json() == {"status": "error", "message": "Setup is already complete"}
        await sign_in(client, "owner", GOOD)
        me = (await client.get("/auth/session")).json()["data"]
        assert me["user"]["username"] == "owner" and me["user"]["is_admin"] is True

    async def test_setup_closed_once_a_user_exists_by_other_means(self, app, client):
        await make_user(app, "cliuser")
        response = await client.post("/auth/setup", json={"username": "late", "password": GOOD})
        assert response.status_code == 403

    @pytest.mark.parametrize("body, field", [
        ({"username": "owner"}, "password"),
        ({"password": GOOD}, "username"),
        ({"username": "owner", "password": "x" * 300}, "password"),
    ])
    async def test_setup_bad_input_is_400_with_field(self, client, body, field):
        response = await client.post("/auth/setup", json=body)
        assert response.status_code == 400
        assert field in response.json()["message"]

    @pytest.mark.parametrize("password, why", [
        ("short1A", "at least 8"), ("alllowercase", "mix"), ("owner-Pass-1owner", "username"),
    ])
    async def test_password_policy(self, client, password, why):
        response = await client.post("/auth/setup", json={"username": "owner", "password": password})
        assert response.status_code == 400
        assert why in response.json()["message"]
        assert (await client.get("/auth/session")).json()["data"]["setup_required"] is True  # nothing written

    async def test_malformed_json_is_400(self, client):
        response = await client.post("/auth/setup", content=b"{", headers={"content-type": "application/json"})
        assert response.status_code == 400


class TestLogin:
    async def test_login_sets_hardened_cookies(self, app, client):
        await make_user(app, "alice")
        response = await client.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD})
        assert response.status_code == 200
        assert response.json()["data"]["totp_required"] is False
        cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
        session_cookie = cookies["algogate_session"]
        assert "httponly" in session_cookie and "samesite=lax" in session_cookie and "path=/" in session_cookie
        assert "httponly" not in cookies["algogate_csrf"]  # the SPA must read it (double-submit)
        assert "secure" not in session_cookie  # plain http here; see the https test

    async def test_cookies_are_secure_over_https(self, app):
        import httpx

        await make_user(app, "alice")
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
            response = await http.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD})
        assert all("secure" in c.lower() for c in response.headers.get_list("set-cookie"))

    async def test_unknown_user_and_wrong_password_look_the_same(self, custom_app):
        async with custom_app(login_rate_limit="100 per minute") as (app, client):
            await make_user(app, "alice")
            timings: dict[str, list[float]] = {"wrong": [], "unknown": []}
            bodies = {}
            for _ in range(3):
                for label, name in (("wrong", "alice"), ("unknown", "nobody")):
                    started = time.perf_counter()
                    response = await client.post("/auth/login", json={"username": name, "password": "Wrong-pass-1"})
                    timings[label].append(time.perf_counter() - started)
                    bodies[label] = (response.status_code, response.json())
        assert bodies["wrong"] == bodies["unknown"] == (401, {"status": "error",
                                                               "message": "Invalid username or password"})
        # Both paths run one argon2 verification; skipping it would make "unknown" ~20x faster.
        assert min(timings["unknown"]) > min(timings["wrong"]) * 0.4

    async def test_disabled_user_cannot_log_in(self, app, client):
        user_id, _ = await make_user(app, "alice")
        async with app.state.db.sessions() as session:
            from backend.domains.accounts import service

            await service.set_active(session, user_id, False)
            await session.commit()
        response = await client.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD})
        assert response.status_code == 401

    async def test_session_fixation_a_planted_id_is_not_adopted(self, app, client):
        await make_user(app, "alice")
        client.cookies.set("algogate_session", "attacker-chosen-id")
        response = await client.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD})
        assert response.cookies["algogate_session"] != "attacker-chosen-id"

    async def test_each_login_issues_a_new_session_id(self, app, client):
        await make_user(app, "alice")
        first = (await client.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD}))
        second = (await client.post("/auth/login", json={"username": "alice", "password": TEST_PASSWORD}))
        assert first.cookies["algogate_session"] != second.cookies["algogate_session"]

    async def test_rehash_when_argon2_parameters_change(self, custom_app):
        from sqlalchemy import select

        from backend.domains.accounts.models import User

        async with custom_app(argon2_time_cost=1) as (app, client):
            await make_user(app, "alice")
        async with custom_app(argon2_time_cost=3) as (app, client):
            async with app.state.db.sessions() as session:
                before = (await session.scalars(select(User.password_hash))).one()
            assert "t=1" in before
            await sign_in(client, "alice")
            async with app.state.db.sessions() as session:
                after = (await session.scalars(select(User.password_hash))).one()
            assert "t=3" in after
            client.cookies.clear()
            await sign_in(client, "alice")  # the new hash still verifies


class TestSessionLifetime:
    async def test_logout_revokes_the_session_server_side(self, web_client):
        stolen = web_client.cookies["algogate_session"]
        assert (await web_client.post("/auth/logout")).status_code == 200
        web_client.cookies.set("algogate_session", stolen)  # replaying the old cookie
        response = await web_client.get("/web/apikey")
        assert response.status_code == 401
        assert response.json()["status"] == "error"

    async def test_session_ends_at_0330_ist(self, app, web_client):
        assert (await web_client.get("/web/apikey")).status_code == 200
        now_ist = utcnow().astimezone(IST)
        next_0330 = datetime.combine(now_ist.date() + timedelta(days=1 if now_ist.hour * 60 + now_ist.minute >= 210
                                                                 else 0),
                                     datetime.min.time().replace(hour=3, minute=30), tzinfo=IST)
        runtime = app.state.accounts
        runtime.clock = lambda: next_0330 - timedelta(seconds=1)
        assert (await web_client.get("/web/apikey")).status_code == 200
        runtime.clock = lambda: next_0330 + timedelta(seconds=1)
        response = await web_client.get("/web/apikey")
        assert response.status_code == 401
        assert (await web_client.get("/auth/session")).json()["data"]["authenticated"] is False

    async def test_no_cookie_is_401(self, client):
        response = await client.get("/web/apikey")
        assert response.status_code == 401
        assert response.json() == {"status": "error", "message": "Not authenticated"}


class TestCsrf:
    async def test_missing_csrf_token_is_403(self, web_client):
        del web_client.headers["X-CSRF-Token"]
        response = await web_client.post("/web/apikey")
        assert response.status_code == 403
        assert response.json() == {"status": "error", "message": "CSRF token missing or invalid"}

    async def test_wrong_csrf_token_is_403(self, web_client):
        web_client.headers["X-CSRF-Token"] = "x" * 64
        assert (await web_client.post("/web/apikey")).status_code == 403

    async def test_csrf_token_of_another_session_is_403(self, app, web_client):
        import httpx

        await make_user(app, "mallory")
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            mallory_csrf = await sign_in(other, "mallory")
        web_client.headers["X-CSRF-Token"] = mallory_csrf
        assert (await web_client.post("/web/apikey")).status_code == 403

    async def test_logout_needs_csrf_when_signed_in(self, web_client):
        del web_client.headers["X-CSRF-Token"]
        assert (await web_client.post("/auth/logout")).status_code == 403
        assert (await web_client.get("/web/apikey")).status_code == 200  # still signed in

    async def test_safe_methods_need_no_token(self, web_client):
        del web_client.headers["X-CSRF-Token"]
        assert (await web_client.get("/web/apikey")).status_code == 200

    async def test_session_endpoint_hands_out_the_token(self, web_client):
        token = web_client.headers["X-CSRF-Token"]
        assert (await web_client.get("/auth/session")).json()["data"]["csrf_token"] == token

    async def test_api_v1_is_exempt(self, app, web_client):
        @app.post("/api/v1/_csrf_probe")
        async def probe(user: ApiUser) -> dict:
            return {"status": "success"}

        _, key = await make_user(app, "apiuser")
        del web_client.headers["X-CSRF-Token"]
        assert (await web_client.post("/api/v1/_csrf_probe", json={"apikey": key})).status_code == 200


class TestApiKeyPage:
    async def test_show_and_regenerate(self, web_client):
        shown = (await web_client.get("/web/apikey")).json()["data"]["api_key"]
        assert len(shown) == 64
        regenerated = (await web_client.post("/web/apikey")).json()["data"]["api_key"]
        assert regenerated != shown
        assert (await web_client.get("/web/apikey")).json()["data"]["api_key"] == regenerated


class TestPasswordChange:
    async def test_change_signs_out_other_sessions(self, app, web_client):
        import httpx

        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
            await sign_in(other, "webuser1")
            response = await web_client.post("/auth/password", json={"current_password": TEST_PASSWORD,
                                                                      "new_password": GOOD})
            assert response.status_code == 200
            web_client.headers["X-CSRF-Token"] = response.json()["data"]["csrf_token"]
            assert (await other.get("/web/apikey")).status_code == 401
        assert (await web_client.get("/web/apikey")).status_code == 200
        web_client.cookies.clear()
        await sign_in(web_client, "webuser1", GOOD)

    async def test_wrong_current_password_is_400(self, web_client):
        response = await web_client.post("/auth/password", json={"current_password": "nope-Nope-1",
                                                                  "new_password": GOOD})
        assert response.status_code == 400

    async def test_weak_new_password_is_400(self, web_client):
        response = await web_client.post("/auth/password", json={"current_password": TEST_PASSWORD,
                                                                  "new_password": "weak"})
        assert response.status_code == 400


class TestHousekeeping:
    async def test_dead_sessions_and_expired_bans_are_removed(self, app, web_client):
        from sqlalchemy import func, select

        from backend.domains.accounts.models import IpBan, WebSession

        await web_client.post("/auth/logout")  # one revoked session
        await sign_in(web_client, "webuser1")  # one live session
        await app.state.ip_guard.ban("192.0.2.1", "short", 60)
        await app.state.ip_guard.ban("192.0.2.2", "forever", None)
        runtime = app.state.accounts
        assert await app.state.accounts_housekeeping.run_once() == (1, 0)
        async with app.state.db.sessions() as session:
            from sqlalchemy import update

            await session.execute(update(IpBan).where(IpBan.ip == "192.0.2.1")
                                  .values(expires_at=runtime.clock() - timedelta(seconds=1)))
            await session.commit()
        assert await app.state.accounts_housekeeping.run_once() == (0, 1)
        async with app.state.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(WebSession)) == 1
            assert [b.ip for b in await session.scalars(select(IpBan))] == ["192.0.2.2"]
        assert (await web_client.get("/web/apikey")).status_code == 200
