"""Pure ASGI middleware recording every request (traffic log) and each /api/v1 exchange (API log).

Per request it only reads a clock twice and appends to an in-memory queue; bodies of /api/v1
calls are kept as received chunks (capped) and redacted later by the writer.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.client_ip import client_ip
from backend.core.clock import utcnow
from backend.core.logging import request_id_var
from backend.domains.monitoring.writer import LogWriter

API_PREFIX = "/api/v1/"
SKIP_PREFIXES = ("/health",)  # load-balancer probes would drown the log
MAX_CAPTURE_BYTES = 32_768


class TrafficLogMiddleware:
    def __init__(self, app: ASGIApp, writer: LogWriter) -> None:
        self.app = app
        self.writer = writer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.writer.enabled or scope["path"].startswith(SKIP_PREFIXES):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        is_api = scope["path"].startswith(API_PREFIX)
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        sizes = [0, 0]

        async def capturing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and sizes[0] < MAX_CAPTURE_BYTES:
                chunk = message.get("body", b"")
                request_chunks.append(chunk)
                sizes[0] += len(chunk)
            return message

        async def capturing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif is_api and message["type"] == "http.response.body" and sizes[1] < MAX_CAPTURE_BYTES:
                chunk = message.get("body", b"")
                response_chunks.append(chunk)
                sizes[1] += len(chunk)
            await send(message)

        try:
            await self.app(scope, capturing_receive if is_api else receive, capturing_send)
        finally:
            self._record(scope, status, started, is_api, request_chunks, response_chunks)

    def _record(self, scope: Scope, status: int, started: float, is_api: bool,
                request_chunks: list[bytes], response_chunks: list[bytes]) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        user_id = (scope.get("state") or {}).get("user_id")
        ip = client_ip(scope)
        request_id = request_id_var.get()
        now = utcnow()
        path = scope["path"][:512]
        self.writer.submit("traffic", {
            "created_at": now, "client_ip": ip, "method": scope["method"][:10], "path": path,
            "status": status, "duration_ms": duration_ms, "user_id": user_id, "request_id": request_id,
        })
        if is_api:
            mode = (scope.get("state") or {}).get("trading_mode", "")  # set by the API's gateway lookup
            self.writer.submit("api", {
                "created_at": now, "user_id": user_id, "client_ip": ip, "path": path, "status": status, "mode": mode,
                "duration_ms": duration_ms, "request_id": request_id,
                "request_body": b"".join(request_chunks)[:MAX_CAPTURE_BYTES],
                "response_body": b"".join(response_chunks)[:MAX_CAPTURE_BYTES],
            })
