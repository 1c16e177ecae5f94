"""A local stand-in for the Telegram Bot API (getMe, getUpdates with long polling, sendMessage),
served by uvicorn on 127.0.0.1 so the bot talks to it over a real socket."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456:TEST-TOKEN"


class FakeTelegram:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: Counter[str] = Counter()
        self.failures: dict[str, list[int]] = {}  # method → HTTP statuses to answer first
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self.url = ""
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self.endpoint, methods=["POST"])])

    def push(self, chat_id: int, text: str, username: str = "tguser") -> None:
        self.updates.append({"update_id": next(self._ids), "message": {
            "message_id": 1, "chat": {"id": chat_id, "type": "private"}, "from": {"id": chat_id, "username": username},
            "text": text}})
        self._arrived.set()

    def fail(self, method: str, *statuses: int) -> None:
        self.failures[method] = list(statuses)

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if m["chat_id"] == chat_id]

    async def endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != TOKEN:
            return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
        method = request.path_params["method"]
        self.calls[method] += 1
        params = await request.json() if await request.body() else {}
        pending = self.failures.get(method)
        if pending:
            status = pending.pop(0)
            return JSONResponse({"ok": False, "error_code": status, "description": "injected failure",
                                 "parameters": {"retry_after": 0}}, status_code=status)
        if method == "getMe":
            return self.ok({"id": 1, "is_bot": True, "username": "AlgogateTestBot"})
        if method == "getUpdates":
            return self.ok(await self.wait_updates(int(params.get("offset", 0)), float(params.get("timeout", 0))))
        if method == "sendMessage":
            self.sent.append({"chat_id": params["chat_id"], "text": params["text"]})
            return self.ok({"message_id": len(self.sent)})
        return JSONResponse({"ok": False, "description": "Not Found"}, status_code=404)

    async def wait_updates(self, offset: int, wait: float) -> list[dict[str, Any]]:
        fresh = [u for u in self.updates if u["update_id"] >= offset]
        if not fresh and wait:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), min(wait, 1.0))
            except TimeoutError:
                pass
            fresh = [u for u in self.updates if u["update_id"] >= offset]
        return fresh

    @staticmethod
    def ok(result: Any) -> JSONResponse:
        return JSONResponse({"ok": True, "result": result})
