"""A small Telegram Bot API client over httpx: JSON calls with retries.

Transient failures (network errors, 5xx, 429) are retried with back-off (honouring Telegram's
`retry_after`); other refusals are returned to the caller at once."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

log = logging.getLogger("algogate.telegram")


class TelegramError(Exception):
    pass


class TelegramClient:
    def __init__(self, base_url: str, token: str, *, attempts: int = 3, backoff: float = 0.5,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.http = httpx.AsyncClient(base_url=f"{base_url.rstrip('/')}/bot{token}/", timeout=httpx.Timeout(70.0),
                                      transport=transport)
        self.attempts = attempts
        self.backoff = backoff

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, **params: Any) -> Any:
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self.http.post(method, json=params)
                body = response.json() if response.content else {}
            except (httpx.HTTPError, ValueError) as exc:
                problem: str = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200 and body.get("ok"):
                    return body.get("result")
                problem = f"{response.status_code} {body.get('description', '')}".strip()
                if response.status_code < 500 and response.status_code != 429:
                    raise TelegramError(problem)  # a refusal: retrying will not help
                delay = max(delay, float((body.get("parameters") or {}).get("retry_after", 0)))
            if attempt == self.attempts:
                raise TelegramError(problem)
            log.warning("telegram %s failed (%s), retry %d", method, problem, attempt)
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    async def get_me(self) -> dict[str, Any]:
        return await self.call("getMe")

    async def get_updates(self, offset: int, wait_seconds: int) -> list[dict[str, Any]]:
        return await self.call("getUpdates", offset=offset, timeout=wait_seconds, allowed_updates=["message"])

    async def send_message(self, chat_id: int, text: str) -> dict[str, Any]:
        return await self.call("sendMessage", chat_id=chat_id, text=text)
