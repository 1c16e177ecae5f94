"""TOTP: enrolment, login second step, wrong and replayed codes, reset password by TOTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pyotp
import pytest

from backend.core.clock import utcnow
from tests.fixtures.accounts import TEST_PASSWORD

NEW_PASSWORD = "Fresh-Pass-2026"


@pytest.fixture
async def totp_user(app, web_client):
    """webuser1 with TOTP enabled; returns a function giving the code for `offset` steps ahead,
    with the app's clock moved there (each step is a fresh, unused code)."""
    setup = (await web_client.post("/auth/totp/setup")).json()["data"]
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and "webuser1" in setup["otpauth_uri"]
    totp = pyotp.TOTP(setup["secret"])
    start = utcnow()

    def code_at(offset: int) -> str:
        moment = start + timedelta(seconds=30 * offset)
        app.state.accounts.clock = lambda: moment
        return totp.at(moment.timestamp())

    response = await web_client.post("/auth/totp/enable", json={"code": code_at(0)})
    assert response.status_code == 200, response.text
    return code_at


def fresh_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40000)),
                             base_url="http://testserver")


class TestEnrolment:
    async def test_wrong_code_does_not_enable(self, web_client):
        await web_client.post("/auth/totp/setup")
        response = await web_client.post("/auth/totp/enable", json={"code": "000000"})
        assert response.status_code == 400
        assert (await web_client.post("/auth/totp/disable", json={"code": "000000"})).status_code == 400

    async def test_enrolment_needs_csrf(self, web_client):
        del web_client.headers["X-CSRF-Token"]
        assert (await web_client.post("/auth/totp/setup")).status_code == 403

    @pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "1" * 40}, {"code": 123456}])
    async def test_bad_input_is_400(self, web_client, body):
        await web_client.post("/auth/totp/setup")
        assert (await web_client.post("/auth/totp/enable", json=body)).status_code == 400

    async def test_enabling_twice_is_409(self, web_client, totp_user):
        assert (await web_client.post("/auth/totp/setup")).status_code == 409


class TestLoginWithTotp:
    async def test_password_then_code(self, app, totp_user):
        async with fresh_client(app) as browser:
            first = await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD})
            assert first.json()["data"] == {"totp_required": True, "csrf_token": None}
            assert "algogate_session" not in first.cookies  # no session before the second factor
            second = await browser.post("/auth/login/totp", json={"code": totp_user(1)})
            assert second.status_code == 200
            assert (await browser.get("/auth/session")).json()["data"]["authenticated"] is True

    async def test_one_step_login_with_code(self, app, totp_user):
        async with fresh_client(app) as browser:
            response = await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD,
                                                               "totp_code": totp_user(1)})
            assert response.status_code == 200 and "algogate_session" in response.cookies

    async def test_wrong_code_is_rejected(self, app, totp_user):
        totp_user(1)
        async with fresh_client(app) as browser:
            await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD})
            response = await browser.post("/auth/login/totp", json={"code": "123456"})
            assert response.status_code == 401
            assert "algogate_session" not in response.cookies

    async def test_reused_code_is_rejected(self, app, totp_user):
        code = totp_user(1)
        async with fresh_client(app) as browser:
            ok = await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD,
                                                         "totp_code": code})
            assert ok.status_code == 200
        async with fresh_client(app) as attacker:
            replay = await attacker.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD,
                                                              "totp_code": code})
            assert replay.status_code == 401

    async def test_older_code_after_newer_is_rejected(self, app, totp_user):
        older, newer = totp_user(1), totp_user(2)
        async with fresh_client(app) as browser:
            assert (await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD,
                                                            "totp_code": newer})).status_code == 200
            assert (await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD,
                                                            "totp_code": older})).status_code == 401

    async def test_second_step_without_password_step_is_401(self, app, totp_user):
        async with fresh_client(app) as browser:
            response = await browser.post("/auth/login/totp", json={"code": totp_user(1)})
            assert response.status_code == 401

    async def test_forged_pending_ticket_is_401(self, app, totp_user):
        async with fresh_client(app) as browser:
            browser.cookies.set("algogate_totp_pending", "1.99999999999.deadbeef", path="/auth")
            response = await browser.post("/auth/login/totp", json={"code": totp_user(1)})
            assert response.status_code == 401


class TestResetPassword:
    async def test_reset_with_fresh_code(self, app, totp_user):
        async with fresh_client(app) as browser:
            response = await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": totp_user(1), "new_password": NEW_PASSWORD})
            assert response.status_code == 200
            old = await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD})
            assert old.status_code == 401
            new = await browser.post("/auth/login", json={"username": "webuser1", "password": NEW_PASSWORD,
                                                          "totp_code": totp_user(2)})
            assert new.status_code == 200

    async def test_reset_signs_out_existing_sessions(self, app, web_client, totp_user):
        async with fresh_client(app) as browser:
            await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": totp_user(1), "new_password": NEW_PASSWORD})
        assert (await web_client.get("/web/apikey")).status_code == 401

    async def test_wrong_or_reused_code_and_unknown_user_look_the_same(self, app, totp_user):
        code = totp_user(1)
        async with fresh_client(app) as browser:
            good = await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": code, "new_password": NEW_PASSWORD})
            assert good.status_code == 200
            replay = await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": code, "new_password": "Other-Pass-99"})
            unknown = await browser.post("/auth/reset-password", json={
                "username": "ghost", "totp_code": code, "new_password": "Other-Pass-99"})
            assert replay.status_code == unknown.status_code == 400
            assert replay.json() == unknown.json()

    async def test_account_without_totp_cannot_reset(self, app, web_client):
        response = await web_client.post("/auth/reset-password", json={
            "username": "webuser1", "totp_code": "123456", "new_password": NEW_PASSWORD})
        assert response.status_code == 400

    async def test_weak_password_does_not_burn_the_code(self, app, totp_user):
        code = totp_user(1)
        async with fresh_client(app) as browser:
            weak = await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": code, "new_password": "weak"})
            assert weak.status_code == 400
            good = await browser.post("/auth/reset-password", json={
                "username": "webuser1", "totp_code": code, "new_password": NEW_PASSWORD})
            assert good.status_code == 200


class TestDisable:
    async def test_disable_with_fresh_code(self, app, web_client, totp_user):
        assert (await web_client.post("/auth/totp/disable", json={"code": totp_user(1)})).status_code == 200
        async with fresh_client(app) as browser:
            response = await browser.post("/auth/login", json={"username": "webuser1", "password": TEST_PASSWORD})
            assert response.json()["data"]["totp_required"] is False
