"""Watchlist ticks over Socket.IO: rooms per instrument, coalesced, released when the last
socket leaves."""

from __future__ import annotations

from starlette.routing import Mount

from streaming.config import HubConfig
from streaming.transports.socketio import socketio_asgi
from tests.fixtures.streaming import MiniSocketIO, asgi_server, running_hub, wait_until


class TestWatchlistRooms:
    async def test_subscribe_receive_coalesced_and_release(self):
        async with running_hub(HubConfig(throttle_ms=50)) as harness, asgi_server(harness.hub, [Mount("/socket.io", socketio_asgi)]) as port:
            alice, _ = await MiniSocketIO.connect(port, auth={"session": "alice"})
            bob, _ = await MiniSocketIO.connect(port, cookie="session=bob")
            ack = await alice.call("subscribe_market_data", {"symbols": [{"exchange": "NSE", "symbol": "SBIN"},
                                                                         {"exchange": "NSE", "symbol": "BADX"}],
                                                             "mode": 2})
            assert ack["status"] == "partial"
            assert [s["status"] for s in ack["subscriptions"]] == ["success", "error"]
            assert harness.upstream.upstream_modes() == {("NSE", "SBIN"): 2}
            for i in range(1, 101):
                harness.upstream.emit("NSE", "SBIN", float(i))
            received = []
            while not received or received[-1] != 100.0:
                message = await alice.next_event("market_data")
                assert message["symbol"] == "SBIN" and message["mode"] == 2
                received.append(message["data"]["ltp"])
            assert received == sorted(set(received)) and len(received) < 100
            assert bob.events.empty()
            await alice.call("unsubscribe_market_data", {"symbols": [{"exchange": "NSE", "symbol": "SBIN"}]})
            assert harness.upstream.upstream_modes() == {}
            await alice.call("subscribe_market_data", {"symbols": [{"exchange": "NSE", "symbol": "TCS"}]})
            await alice.close()
            await wait_until(lambda: harness.upstream.upstream_modes() == {})
            await bob.close()
