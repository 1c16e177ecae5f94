"""Security headers on every response, HSTS only over HTTPS, CORS closed unless configured."""

from __future__ import annotations

import httpx


class TestSecurityHeaders:
    async def test_strict_headers_on_success_and_error(self, client):
        for response in (await client.get("/health"), await client.post("/api/v1/nothing", json={})):
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert "frame-ancestors 'none'" in csp
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "strict-transport-security" not in response.headers  # plain http

    async def test_hsts_over_https(self, app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as https:
            response = await https.get("/health")
        assert response.headers["strict-transport-security"].startswith("max-age=")

    async def test_hsts_via_trusted_proxy_only(self, custom_app):
        async with custom_app(trusted_proxies="10.0.0.1") as (app, _):
            for peer, expected in (("10.0.0.1", True), ("10.0.0.2", False)):
                transport = httpx.ASGITransport(app=app, client=(peer, 40000))
                async with httpx.AsyncClient(transport=transport, base_url="http://t",
                                             headers={"x-forwarded-proto": "https"}) as http:
                    response = await http.get("/health")
                assert ("strict-transport-security" in response.headers) is expected

    async def test_headers_on_banned_and_oversized_responses(self, app, client):
        too_big = await client.post("/auth/login", content=b"x" * 2_000_000,
                                    headers={"content-type": "application/json"})
        assert too_big.status_code == 413 and too_big.headers["x-frame-options"] == "DENY"
        await app.state.ip_guard.ban("192.0.2.9", "test", None)
        transport = httpx.ASGITransport(app=app, client=("192.0.2.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as banned:
            refused = await banned.get("/health")
        assert refused.status_code == 403 and refused.headers["x-content-type-options"] == "nosniff"


class TestCors:
    async def test_closed_by_default(self, client):
        preflight = await client.options("/auth/login", headers={
            "origin": "https://evil.example", "access-control-request-method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers

    async def test_configured_origin_only(self, custom_app):
        async with custom_app(cors_origins="https://desk.example") as (_, client):
            allowed = await client.options("/auth/login", headers={
                "origin": "https://desk.example", "access-control-request-method": "POST"})
            assert allowed.headers["access-control-allow-origin"] == "https://desk.example"
            denied = await client.options("/auth/login", headers={
                "origin": "https://evil.example", "access-control-request-method": "POST"})
            assert "access-control-allow-origin" not in denied.headers
