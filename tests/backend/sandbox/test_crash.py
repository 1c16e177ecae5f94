"""Kill the server (SIGKILL) in the middle of a burst of paper orders, restart it on the same
database: nothing is lost or duplicated and the ledger still balances."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import httpx

from tests.conftest import make_settings, start_live_server, stop_live_server


def cli(server, *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "-m", "backend.cli", *args], input=stdin, capture_output=True,
                            text=True, cwd=server.log_path.parent, env=server.env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


async def burst(base_url: str, apikey: str, streams: int) -> tuple[list[str], int]:
    """`streams` clients send orders back to back until the server dies; returns the confirmed ids
    and how many requests failed (at least one per stream: the burst was cut, not finished)."""
    confirmed: list[str] = []
    failures = 0

    async def stream(client: httpx.AsyncClient, n: int) -> None:
        nonlocal failures
        for i in range(10_000):
            body = {"apikey": apikey, "strategy": "crash", "symbol": "SBIN", "exchange": "NSE", "action": "BUY",
                    "quantity": "1", "pricetype": "MARKET", "product": "MIS"}
            if (n + i) % 3 == 0:  # some rest in the book
                body.update(pricetype="LIMIT", price="1")
            try:
                response = await client.post(f"{base_url}/api/v1/placeorder", json=body)
            except httpx.HTTPError:
                failures += 1
                return
            if response.status_code == 200:
                confirmed.append(response.json()["orderid"])

    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.gather(*(stream(client, n) for n in range(streams)))
    return confirmed, failures


async def test_kill_mid_burst_then_restart(tmp_path):
    server = start_live_server(tmp_path)
    try:
        cli(server, "user", "create", "--username", "burster", "--password-stdin", stdin="Kill-Nine-2026\n")
        apikey = cli(server, "apikey", "show", "--username", "burster")
        firing = asyncio.create_task(burst(server.base_url, apikey, 8))
        await asyncio.sleep(1.5)
        server.process.kill()  # SIGKILL: no shutdown hooks, no flush
        server.process.wait()
        confirmed, failures = await firing
        assert confirmed and failures == 8  # orders went through, and every stream was cut mid-flight
    finally:
        stop_live_server(server)

    restarted = start_live_server(tmp_path)
    try:
        async with httpx.AsyncClient(base_url=restarted.base_url, timeout=30) as client:
            book = (await client.post("/api/v1/orderbook", json={"apikey": apikey})).json()
            trades = (await client.post("/api/v1/tradebook", json={"apikey": apikey})).json()
    finally:
        stop_live_server(restarted)

    orders = {o["orderid"]: o for o in book["data"]["orders"]}
    assert set(confirmed) <= set(orders)  # every confirmed order survived
    complete = [o for o in orders.values() if o["order_status"] == "complete"]
    assert sorted(t["orderid"] for t in trades["data"]) == sorted(o["orderid"] for o in complete)  # one trade each

    from backend.core.db import Database
    from backend.domains.sandbox.repository import SandboxReader

    db = Database.from_settings(make_settings(tmp_path / "data", database_url=""))
    try:
        async with db.sessions() as session:
            for user_id in range(1, 3):
                reader = SandboxReader(session, user_id)
                funds = await reader.funds()
                if funds is None:
                    continue
                totals = await reader.ledger_totals()
                assert (totals["cash_paise"], totals["order_margin_paise"], totals["position_margin_paise"]) == (
                    funds.cash_paise, funds.order_margin_paise, funds.position_margin_paise)
                pending = [o for o in await reader.all_orders() if o.pending]
                assert funds.order_margin_paise == sum(o.margin_paise for o in pending)
                positions = await reader.positions()
                assert sum(p.quantity for p in positions) == sum(t.quantity for t in await reader.all_trades())
    finally:
        await db.dispose()
