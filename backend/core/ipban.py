"""IP bans: manual (admin API) and automatic (404 and invalid-API-key trackers), enforced by pure
ASGI middleware before any routing, parsing or database work.

Bans live in the database (so every worker sees them) and in an in-memory map that each worker
refreshes every few seconds; the per-request check is a dict lookup. The trackers count per
process, so with N workers an attacker gets at most N × threshold tries before the ban lands.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from datetime import datetime, timedelta
from typing import Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.client_ip import ClientIpResolver
from backend.core.clock import utcnow
from backend.core.settings import Settings

log = logging.getLogger("algogate.security")

BANNED_BODY = b"Access Denied: Your IP has been banned"
NOT_FOUND_KEY = "algogate.not_found"
REFRESH_SECONDS = 5.0
MAX_TRACKED_IPS = 50_000


class SlidingCounter:
    """Events per key inside a moving window; `hit` says when the threshold is reached."""

    def __init__(self, threshold: int, window_seconds: float) -> None:
        self.threshold = threshold
        self.window = window_seconds
        self.events: dict[str, deque[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.threshold > 0

    def hit(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if len(self.events) > MAX_TRACKED_IPS:
            self._sweep(now)
        times = self.events.setdefault(key, deque(maxlen=self.threshold))
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        return len(times) >= self.threshold

    def forget(self, key: str) -> None:
        self.events.pop(key, None)

    def _sweep(self, now: float) -> None:
        stale = [k for k, times in self.events.items() if not times or times[-1] <= now - self.window]
        for key in stale:
            del self.events[key]


class BanStore(Protocol):
    """Where bans persist (the accounts domain implements it over the database)."""

    async def active(self) -> dict[str, datetime | None]: ...
    async def save(self, ip: str, reason: str, expires_at: datetime | None, created_by: int | None) -> None: ...
    async def remove(self, ip: str) -> bool: ...


class IpGuard:
    def __init__(self, settings: Settings, resolver: ClientIpResolver) -> None:
        self.settings = settings
        self.resolver = resolver
        self.not_found = SlidingCounter(settings.ban_404_threshold, settings.ban_404_window_seconds)
        self.invalid_keys = SlidingCounter(settings.ban_invalid_api_key_threshold,
                                           settings.ban_invalid_api_key_window_seconds)
        self._bans: dict[str, float | None] = {}  # ip → expiry (epoch seconds) or None: permanent
        self._store: BanStore | None = None
        self._refresher: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, store: BanStore) -> None:
        self._store = store
        await self.refresh()
        self._refresher = asyncio.create_task(self._refresh_forever(), name="ip-ban-refresh")

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            await asyncio.gather(self._refresher, return_exceptions=True)
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                await self.refresh()
            except Exception:  # the guard keeps its last known list rather than dying
                log.warning("could not refresh IP bans", exc_info=True)

    async def refresh(self) -> None:
        active = await self._store.active()
        self._bans = {ip: (expires.timestamp() if expires else None) for ip, expires in active.items()}

    # --- checks (hot path) ---------------------------------------------------------------------

    def is_banned(self, ip: str) -> bool:
        if ip not in self._bans:
            return False
        expires = self._bans[ip]
        if expires is not None and expires <= time.time():
            self._bans.pop(ip, None)
            return False
        return True

    # --- changes -------------------------------------------------------------------------------

    async def ban(self, ip: str, reason: str, duration_seconds: int | None, created_by: int | None = None) -> datetime | None:
        """Ban now in this worker and persist for the others; returns the expiry (None: permanent)."""
        expires_at = utcnow() + timedelta(seconds=duration_seconds) if duration_seconds else None
        self._bans[ip] = expires_at.timestamp() if expires_at else None
        await self._store.save(ip, reason[:200], expires_at, created_by)
        return expires_at

    async def unban(self, ip: str) -> bool:
        self._bans.pop(ip, None)
        self.not_found.forget(ip)
        self.invalid_keys.forget(ip)
        return await self._store.remove(ip)

    async def record_invalid_api_key(self, scope: Scope) -> None:
        if self.invalid_keys.enabled:
            ip = self.resolver.resolve(scope)
            if self.invalid_keys.hit(ip):
                self._auto_ban(ip, "repeated invalid API keys")

    def record_not_found(self, ip: str) -> None:
        if self.not_found.hit(ip):
            self._auto_ban(ip, "repeated 404s")

    def _auto_ban(self, ip: str, reason: str) -> None:
        if self.is_banned(ip):
            return
        log.warning("auto-banning %s for %s s: %s", ip, self.settings.ban_duration_seconds, reason)
        self._bans[ip] = time.time() + self.settings.ban_duration_seconds  # effective at once
        task = asyncio.create_task(self._persist_auto_ban(ip, reason))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _persist_auto_ban(self, ip: str, reason: str) -> None:
        try:
            await self.ban(ip, f"auto: {reason}", self.settings.ban_duration_seconds)
        except Exception:
            log.warning("could not persist the ban of %s", ip, exc_info=True)


class IpGuardMiddleware:
    """Banned → 403 text/plain before anything else runs; unknown-path 404s feed the tracker."""

    def __init__(self, app: ASGIApp, guard: IpGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        ip = self.guard.resolver.resolve(scope)
        if self.guard.is_banned(ip):
            await _refuse(scope, send)
            return
        if scope["type"] != "http" or not self.guard.not_found.enabled:
            await self.app(scope, receive, send)
            return

        async def watch_404(message: Message) -> None:
            # Only "no such page" 404s count (marked by mark_not_found_responses), not a domain
            # answer such as "symbol not found".
            if message["type"] == "http.response.start" and message["status"] == 404 and scope.get(NOT_FOUND_KEY):
                self.guard.record_not_found(ip)
            await send(message)

        await self.app(scope, receive, watch_404)


def mark_not_found_responses(app) -> None:
    """Wrap the app's HTTPException handler so an unknown path (the router's or the SPA's 404)
    is marked in the scope for the 404 tracker. Domain code raises NotFoundError instead."""
    from starlette.exceptions import HTTPException

    original = app.exception_handlers[HTTPException]

    async def marking_handler(request, exc):
        if exc.status_code == 404:
            request.scope[NOT_FOUND_KEY] = True
        return await original(request, exc)

    app.exception_handlers[HTTPException] = marking_handler


async def _refuse(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(BANNED_BODY)).encode())]})
    await send({"type": "http.response.body", "body": BANNED_BODY})
