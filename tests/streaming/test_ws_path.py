"""The feed protocol at `/ws` on the ASGI app (uvicorn's WebSocket, writes that wait on the peer)."""

from __future__ import annotations

from starlette.routing import WebSocketRoute
from websockets.asyncio.client import connect

from streaming.config import HubConfig
from streaming.transports.ws_feed import feed_endpoint
from tests.fixtures.streaming import FeedClientConnection, asgi_server, running_hub, wait_until


def is_tick(message: dict) -> bool:
    return message.get("type") == "market_data"


async def test_ticks_throttled_in_order_over_the_ws_path():
    async with running_hub(HubConfig(throttle_ms=50)) as harness, \
            asgi_server(harness.hub, [WebSocketRoute("/ws", feed_endpoint)]) as port:
        client = FeedClientConnection(await connect(f"ws://127.0.0.1:{port}/ws"))
        assert (await client.login())["status"] == "success"
        await client.request({"action": "subscribe", "symbol": "SBIN", "exchange": "NSE", "mode": 2})
        for i in range(1, 201):
            harness.upstream.emit("NSE", "SBIN", float(i))
        received = [(await client.next(is_tick))["data"]["ltp"]]
        while received[-1] != 200.0:
            received.append((await client.next(is_tick))["data"]["ltp"])
        assert received == sorted(set(received)) and len(received) < 200
        await client.close()
        await wait_until(lambda: harness.upstream.upstream_modes() == {})
