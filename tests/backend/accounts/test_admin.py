"""Administration routes: only admins; users, password reset, disable; per-user isolation."""

from __future__ import annotations

import pytest

from backend.api.deps import ApiUser
from tests.fixtures.accounts import TEST_PASSWORD, make_user, sign_in

NEW = "Admin-Set-Pass-5"


class TestAccess:
    async def test_trader_gets_403(self, web_client):
        response = await web_client.get("/web/admin/users")
        assert response.status_code == 403
        assert response.json() == {"status": "error", "message": "Administrator access required"}

    async def test_anonymous_gets_401(self, client):
        assert (await client.get("/web/admin/users")).status_code == 401


class TestUsers:
    async def test_create_list_and_new_user_can_sign_in_with_own_key(self, app, admin_client):
        response = await admin_client.post("/web/admin/users", json={"username": "bob", "password": NEW})
        assert response.status_code == 200
        created = response.json()["data"]
        assert created["username"] == "bob" and created["is_admin"] is False
        assert "password_hash" not in created
        names = [u["username"] for u in (await admin_client.get("/web/admin/users")).json()["data"]]
        assert names == ["admin1", "bob"]

    @pytest.mark.parametrize("body, status", [
        ({"username": "bob"}, 400), ({"username": "b", "password": NEW}, 400),
        ({"username": "bob", "password": "weakpassword"}, 400), ({"username": "admin1", "password": NEW}, 409),
        ({"username": "ADMIN1", "password": NEW}, 409),
    ])
    async def test_create_bad_input(self, admin_client, body, status):
        response = await admin_client.post("/web/admin/users", json=body)
        assert response.status_code == status
        assert response.json()["status"] == "error"

    async def test_admin_password_reset_signs_user_out(self, app, admin_client):
        import httpx

        user_id, _ = await make_user(app, "carol")
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as carol:
            await sign_in(carol, "carol")
            response = await admin_client.post(f"/web/admin/users/{user_id}/password", json={"new_password": NEW})
            assert response.status_code == 200
            assert (await carol.get("/web/apikey")).status_code == 401
            carol.cookies.clear()
            await sign_in(carol, "carol", NEW)

    async def test_reset_unknown_user_is_404(self, admin_client):
        response = await admin_client.post("/web/admin/users/99999/password", json={"new_password": NEW})
        assert response.status_code == 404

    async def test_disable_blocks_api_key_at_once(self, app, admin_client):
        @app.post("/api/v1/_probe_admin")
        async def probe(user: ApiUser) -> dict:
            return {"status": "success"}

        user_id, key = await make_user(app, "dave")
        assert (await admin_client.post("/api/v1/_probe_admin", json={"apikey": key})).status_code == 200
        response = await admin_client.post(f"/web/admin/users/{user_id}/active", json={"active": False})
        assert response.status_code == 200
        assert (await admin_client.post("/api/v1/_probe_admin", json={"apikey": key})).status_code == 403
        login = await admin_client.post("/auth/login", json={"username": "dave", "password": TEST_PASSWORD})
        assert login.status_code == 401

    async def test_cannot_disable_self(self, app, admin_client):
        me = (await admin_client.get("/auth/session")).json()["data"]["user"]["id"]
        response = await admin_client.post(f"/web/admin/users/{me}/active", json={"active": False})
        assert response.status_code == 400


class TestIsolation:
    async def test_users_see_only_their_own_key(self, app, web_client):
        _, other_key = await make_user(app, "eve")
        mine = (await web_client.get("/web/apikey")).json()["data"]["api_key"]
        assert mine != other_key
