"""The feed protocol's verbs for one socket (OpenAlgo-compatible, reference §1), transport-agnostic.

Every request gets exactly one reply; errors use OpenAlgo's shape plus `type: "error"` and never
close the socket. Authentication failures also answer `type: "auth"`, `status: "error"` so
clients waiting for an auth reply see the failure instead of timing out.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import orjson

from brokers.contract import FeedMode
from streaming.fanout import FeedClient
from streaming.messages import DEFAULT_DEPTH_LEVELS, ProtocolError, error_message, now_ms, parse_mode

log = logging.getLogger("algogate.streaming.session")

CLOSE_AUTH_TIMEOUT = 4401


class FeedSession:
    def __init__(self, hub, client: FeedClient) -> None:
        self.hub = hub
        self.client = client
        self._handlers = {
            "authenticate": self._authenticate, "auth": self._authenticate,
            "subscribe": self._subscribe, "unsubscribe": self._unsubscribe,
            "unsubscribe_all": self._unsubscribe_all,
            "subscribe_orders": self._subscribe_orders, "unsubscribe_orders": self._unsubscribe_orders,
            "get_broker_info": self._broker_info, "get_supported_brokers": self._supported_brokers,
            "ping": self._ping,
        }

    async def auth_deadline(self) -> None:
        """Close sockets that never authenticate (OpenAlgo: 4401 `auth timeout`)."""
        await asyncio.sleep(self.hub.config.auth_grace_seconds)
        if self.client.principal is None and not self.client.closed:
            await self.client.sink.close(CLOSE_AUTH_TIMEOUT, "auth timeout")

    async def handle(self, raw: str | bytes) -> None:
        try:
            request = orjson.loads(raw)
        except orjson.JSONDecodeError:
            await self._error("INVALID_JSON", "Invalid JSON message")
            return
        if not isinstance(request, dict):
            await self._error("INVALID_JSON", "Message must be a JSON object")
            return
        verb = request.get("action") or request.get("type")
        handler = self._handlers.get(verb) if isinstance(verb, str) else None
        if handler is None:
            await self._error("INVALID_ACTION", f"Invalid action: {verb}")
            return
        try:
            await handler(request)
        except ProtocolError as exc:
            await self._error(exc.code, exc.message)
        except Exception as exc:
            log.exception("feed request %s failed", verb)
            await self._error("SERVER_ERROR", f"Server error: {type(exc).__name__}")

    async def _reply(self, message: dict[str, Any]) -> None:
        await self.client.send_now(message)

    async def _error(self, code: str, message: str) -> None:
        await self._reply({"type": "error", **error_message(code, message)})

    def _require_auth(self) -> None:
        if self.client.principal is None:
            raise ProtocolError("NOT_AUTHENTICATED", "You must authenticate first")

    # --- verbs -------------------------------------------------------------------------------------

    async def _authenticate(self, request: dict[str, Any]) -> None:
        api_key = request.get("api_key") or request.get("apikey")
        if not api_key or not isinstance(api_key, str):
            await self._auth_failed("API key is required")
            return
        principal = await self.hub.authenticate(self.client, api_key)
        if principal is None:
            await self._auth_failed("Invalid API key")
            return
        if self.hub.too_many_clients(principal.user_id):
            await self._auth_failed(f"Too many feed connections for this user "
                                    f"(at most {self.hub.config.max_clients_per_user})")
            await self.hub.disconnect_client(self.client)
            await self.client.sink.close(1008, "too many connections")
            return
        await self._reply({"type": "auth", "status": "success", "message": "Authentication successful",
                           "broker": principal.broker, "user_id": principal.user_id,
                           "supported_features": {"ltp": True, "quote": True, "depth": True}})

    async def _auth_failed(self, message: str) -> None:
        await self._reply({"type": "auth", "status": "error", "code": "AUTHENTICATION_ERROR", "message": message})

    async def _subscribe(self, request: dict[str, Any]) -> None:
        self._require_auth()
        mode = parse_mode(request.get("mode"))
        depth = request.get("depth", DEFAULT_DEPTH_LEVELS)
        if isinstance(depth, bool) or not isinstance(depth, int) or depth <= 0:
            raise ProtocolError("INVALID_PARAMETERS", f"Invalid depth: {depth!r}")
        entries = _symbol_entries(request)
        if not entries:
            raise ProtocolError("INVALID_PARAMETERS", "At least one symbol must be specified")
        results = [await self.hub.subscribe(self.client, exchange, symbol, mode, depth)
                   for exchange, symbol, _ in entries]
        broker = self.client.principal.broker
        ok = all(r["status"] == "success" for r in results)
        none_ok = not any(r["status"] == "success" for r in results)
        reply = {"type": "subscribe", "status": "success" if ok else ("error" if none_ok else "partial"),
                 "subscriptions": results, "message": "Subscription processing complete", "broker": broker}
        if "request_id" in request:
            reply["request_id"] = request["request_id"]
        await self._reply(reply)

    async def _unsubscribe(self, request: dict[str, Any]) -> None:
        self._require_auth()
        if "symbols" in request:
            entries = [(ex, sym, _optional_mode(m)) for ex, sym, m in _symbol_entries(request)]
        elif request.get("symbol") and request.get("exchange"):
            entries = [(str(request["exchange"]).strip().upper(), str(request["symbol"]).strip(),
                        _optional_mode(request.get("mode")))]
        else:
            raise ProtocolError("INVALID_PARAMETERS", "Either symbols or unsubscribe_all is required")
        results = [await self.hub.unsubscribe(self.client, ex, sym, mode) for ex, sym, mode in entries]
        await self._unsubscribe_reply(request, results)

    async def _unsubscribe_all(self, request: dict[str, Any]) -> None:
        self._require_auth()
        await self._unsubscribe_reply(request, await self.hub.unsubscribe_all(self.client))

    async def _unsubscribe_reply(self, request: dict[str, Any], results: list[dict[str, Any]]) -> None:
        successful = [r for r in results if r["status"] == "success"]
        failed = [r for r in results if r["status"] != "success"]
        status = "success" if not failed else ("error" if not successful else "partial")
        reply = {"type": "unsubscribe", "status": status, "message": "Unsubscription processing complete",
                 "successful": successful, "failed": failed, "broker": self.client.principal.broker}
        if "request_id" in request:
            reply["request_id"] = request["request_id"]
        await self._reply(reply)

    async def _subscribe_orders(self, request: dict[str, Any]) -> None:
        self._require_auth()
        self.client.wants_order_updates = True
        reply = {"type": "subscribe_orders", "status": "success", "message": "Subscribed to order updates"}
        if "request_id" in request:
            reply["request_id"] = request["request_id"]
        await self._reply(reply)

    async def _unsubscribe_orders(self, request: dict[str, Any]) -> None:
        self._require_auth()
        self.client.wants_order_updates = False
        await self._reply({"type": "unsubscribe_orders", "status": "success",
                           "message": "Unsubscribed from order updates"})

    async def _broker_info(self, request: dict[str, Any]) -> None:
        self._require_auth()
        principal = self.client.principal
        pool = self.hub.pools.get(principal.feed_account)
        connected = bool(pool and any(c.connected for c in pool.connections))
        await self._reply({"type": "broker_info", "status": "success", "broker": principal.broker,
                           "adapter_status": "connected" if connected else "disconnected",
                           "user_id": principal.user_id})

    async def _supported_brokers(self, request: dict[str, Any]) -> None:
        brokers = list(self.hub.supported_brokers)
        await self._reply({"type": "supported_brokers", "status": "success", "brokers": brokers,
                           "count": len(brokers)})

    async def _ping(self, request: dict[str, Any]) -> None:
        reply: dict[str, Any] = {"type": "pong", "status": "success", "server_timestamp": now_ms()}
        if "timestamp" in request:
            reply["client_timestamp"] = request["timestamp"]
        if "_pingId" in request:
            reply["_pingId"] = request["_pingId"]
        await self._reply(reply)


def _symbol_entries(request: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(exchange, symbol, per-entry mode) from the `symbols` list or the single-symbol form;
    entries without symbol or exchange are skipped, as OpenAlgo does."""
    if "symbols" in request:
        raw = request["symbols"] if isinstance(request["symbols"], list) else []
    else:
        raw = [request]
    entries = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        symbol = item.get("symbol") or item.get("exchange_token")
        exchange = item.get("exchange")
        if isinstance(symbol, str | int) and isinstance(exchange, str) and str(symbol).strip() and exchange.strip():
            entries.append((exchange.strip().upper(), str(symbol).strip(), item.get("mode")))
    return entries


def _optional_mode(value: object) -> FeedMode | None:
    """Unsubscribe: an omitted mode removes every mode of the symbol (OpenAlgo leaked them)."""
    return None if value is None else parse_mode(value)
