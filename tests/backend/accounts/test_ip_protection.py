"""IP protection: manual bans via the admin API, automatic bans (404s, invalid keys), trusted proxies."""

from __future__ import annotations

import httpx
import pytest

from backend.api.deps import ApiUser
from backend.core.client_ip import ClientIpResolver
from tests.fixtures.accounts import make_user, sign_in

BANNED = "Access Denied: Your IP has been banned"


def client_from(app, ip: str, headers: dict | None = None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers or {})


class TestManualBans:
    async def test_banned_ip_gets_403_before_any_work(self, app, admin_client):
        response = await admin_client.post("/web/admin/ip-bans", json={"ip": "203.0.113.7", "reason": "abuse"})
        assert response.status_code == 200
        async with client_from(app, "203.0.113.7") as banned:
            for path in ("/health", "/auth/session", "/api/v1/nothing"):
                refused = await banned.get(path)
                assert refused.status_code == 403
                assert refused.text == BANNED
                assert refused.headers["content-type"].startswith("text/plain")
        async with client_from(app, "203.0.113.8") as neighbour:
            assert (await neighbour.get("/health")).status_code == 200
        bans = (await admin_client.get("/web/admin/ip-bans")).json()["data"]
        assert [b["ip"] for b in bans] == ["203.0.113.7"] and bans[0]["expires_at"] is None

    async def test_unban(self, app, admin_client):
        await admin_client.post("/web/admin/ip-bans", json={"ip": "203.0.113.7"})
        assert (await admin_client.delete("/web/admin/ip-bans/203.0.113.7")).status_code == 200
        async with client_from(app, "203.0.113.7") as freed:
            assert (await freed.get("/health")).status_code == 200
        assert (await admin_client.delete("/web/admin/ip-bans/203.0.113.7")).status_code == 404

    async def test_ban_survives_restart_via_the_database(self, custom_app):
        async with custom_app() as (app, client):
            await make_user(app, "root", admin=True)
            await sign_in(client, "root")
            await client.post("/web/admin/ip-bans", json={"ip": "198.51.100.1", "duration_seconds": 3600})
        async with custom_app() as (app, client):
            async with client_from(app, "198.51.100.1") as banned:
                assert (await banned.get("/health")).status_code == 403

    @pytest.mark.parametrize("body", [{"ip": "not-an-ip"}, {"ip": "1.2.3.4", "duration_seconds": 5}, {}])
    async def test_bad_input_is_400(self, admin_client, body):
        assert (await admin_client.post("/web/admin/ip-bans", json=body)).status_code == 400

    async def test_cannot_ban_own_address(self, admin_client):
        assert (await admin_client.post("/web/admin/ip-bans", json={"ip": "127.0.0.1"})).status_code == 400

    async def test_traders_cannot_ban(self, web_client):
        assert (await web_client.post("/web/admin/ip-bans", json={"ip": "1.2.3.4"})).status_code == 403


class TestAutomaticBans:
    async def test_repeated_404s_ban_the_ip(self, custom_app):
        async with custom_app(ban_404_threshold=3, ban_404_window_seconds=60) as (app, _):
            async with client_from(app, "192.0.2.50") as scanner:
                statuses = [(await scanner.get(f"/wp-admin/{n}.php")).status_code for n in range(4)]
                assert statuses == [404, 404, 404, 403]
            async with client_from(app, "192.0.2.51") as other:
                assert (await other.get("/health")).status_code == 200
            await app.state.ip_guard.stop()  # persisted for other workers
            assert "192.0.2.50" in await app.state.ip_guard._store.active()

    async def test_domain_404_does_not_count(self, custom_app):
        async with custom_app(ban_404_threshold=2) as (app, client):
            await make_user(app, "root", admin=True)
            await sign_in(client, "root")
            for _ in range(3):  # "user not found" is an answer, not a probe of unknown paths
                response = await client.post("/web/admin/users/99999/password", json={"new_password": "Xx-12345678"})
                assert response.status_code == 404
            assert (await client.get("/health")).status_code == 200

    async def test_repeated_invalid_api_keys_ban_the_ip(self, custom_app):
        async with custom_app(ban_invalid_api_key_threshold=3) as (app, _):
            @app.post("/api/v1/_probe_ban")
            async def probe(user: ApiUser) -> dict:
                return {"status": "success"}

            async with client_from(app, "192.0.2.70") as guesser:
                statuses = [(await guesser.post("/api/v1/_probe_ban", json={"apikey": f"{n:064x}"})).status_code
                            for n in range(4)]
            assert statuses == [403, 403, 403, 403]
            async with client_from(app, "192.0.2.70") as guesser:
                assert (await guesser.get("/health")).text == BANNED

    async def test_off_by_default(self, app):
        async with client_from(app, "192.0.2.80") as scanner:
            statuses = [(await scanner.get(f"/nope/{n}.php")).status_code for n in range(30)]
        assert set(statuses) == {404}


class TestClientIp:
    def test_forwarded_for_ignored_from_untrusted_peer(self):
        resolver = ClientIpResolver([])
        scope = {"client": ("203.0.113.9", 1), "headers": [(b"x-forwarded-for", b"1.1.1.1")]}
        assert resolver.resolve(scope) == "203.0.113.9"

    def test_forwarded_for_used_from_trusted_proxy(self):
        resolver = ClientIpResolver(["10.0.0.0/8"])
        scope = {"client": ("10.0.0.2", 1), "headers": [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.4, 10.0.0.9")]}
        # rightmost untrusted hop: 6.6.6.6 was written by the client and can be forged
        assert resolver.resolve(scope) == "198.51.100.4"

    async def test_ban_applies_to_forwarded_client_behind_trusted_proxy(self, custom_app):
        async with custom_app(trusted_proxies="10.0.0.0/8") as (app, _):
            await app.state.ip_guard.ban("198.51.100.4", "test", None)
            async with client_from(app, "10.0.0.2", {"x-forwarded-for": "198.51.100.4"}) as proxied:
                assert (await proxied.get("/health")).status_code == 403
            async with client_from(app, "10.0.0.2", {"x-forwarded-for": "198.51.100.5"}) as proxied:
                assert (await proxied.get("/health")).status_code == 200
            # an untrusted peer cannot dodge its ban by claiming another address
            await app.state.ip_guard.ban("203.0.113.99", "test", None)
            async with client_from(app, "203.0.113.99", {"x-forwarded-for": "1.2.3.4"}) as liar:
                assert (await liar.get("/health")).status_code == 403

    def test_invalid_trusted_proxy_setting_is_rejected(self, tmp_path):
        from pydantic import ValidationError

        from tests.conftest import make_settings

        with pytest.raises(ValidationError, match="trusted_proxies"):
            make_settings(tmp_path, trusted_proxies="10.0.0.0/8, proxy.local")
