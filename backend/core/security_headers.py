"""Security headers on every HTTP response, as pure ASGI (one list append per response).

The CSP allows scripts only from our own origin: no `unsafe-inline`, no `eval`. The SPA build
ships external bundles, so it needs nothing more. Swagger UI (`/api/docs`) is the one page that
uses an inline bootstrap script and a CDN; it gets its own, looser policy, and only that path.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.client_ip import ClientIpResolver

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/api/docs",)
HSTS = b"max-age=31536000; includeSubDomains"

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, resolver: ClientIpResolver) -> None:
        self.app = app
        self.resolver = resolver
        self.strict = [*_COMMON, (b"content-security-policy", STRICT_CSP.encode())]
        self.docs = [*_COMMON, (b"content-security-policy", DOCS_CSP.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = self.docs if scope["path"].startswith(DOCS_PATHS) else self.strict
        https = self.resolver.forwarded_https(scope)

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", ())}
                extra = [pair for pair in headers if pair[0] not in present]
                if https:
                    extra.append((b"strict-transport-security", HSTS))
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, add_headers)
