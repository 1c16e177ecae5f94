"""Strategy CRUD through the SPA routes (session + CSRF, scoped per user), and the pure signal
semantics per trading mode."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.domains.automation.models import Strategy, StrategySymbol
from backend.domains.automation.signals import Alert, MalformedAlert, Refused, order_for, parse
from tests.backend.automation.conftest import STRATEGY, create_strategy
from tests.fixtures.accounts import make_user, sign_in


class TestCrud:
    async def test_create_read_update_delete(self, trader):
        created = await create_strategy(trader)
        assert len(created["webhook_id"]) >= 32
        assert created["symbols"] == [{**STRATEGY["symbols"][0], "id": created["symbols"][0]["id"]}]
        listed = (await trader.http.get("/web/strategies")).json()["data"]
        assert [s["name"] for s in listed] == ["Trend"]
        other = await create_strategy(trader, name="Second")
        assert other["webhook_id"] != created["webhook_id"]

        changed = {**STRATEGY, "name": "Renamed", "trading_mode": "BOTH", "is_active": False,
                   "symbols": [{"alert_symbol": "infy", "exchange": "nse", "symbol": "infy", "quantity": 1}]}
        response = await trader.http.put(f"/web/strategies/{created['id']}", json=changed)
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert (data["name"], data["trading_mode"], data["is_active"]) == ("Renamed", "BOTH", False)
        assert [(s["alert_symbol"], s["symbol"], s["product"]) for s in data["symbols"]] == [("INFY", "INFY", "MIS")]
        assert data["webhook_id"] == created["webhook_id"]  # the URL survives edits

        assert (await trader.http.delete(f"/web/strategies/{created['id']}")).status_code == 200
        assert (await trader.http.get(f"/web/strategies/{created['id']}")).status_code == 404
        assert [s["name"] for s in (await trader.http.get("/web/strategies")).json()["data"]] == ["Second"]

    async def test_bad_input_writes_nothing(self, app, trader):
        bad = [
            {"name": ""},
            {"platform": "metatrader"},
            {"trading_mode": "SIDEWAYS"},
            {"start_time": "9:15"},
            {"start_time": "15:00", "end_time": "10:00"},
            {"symbols": [{"alert_symbol": "SBIN", "exchange": "NSE", "symbol": "NOSUCH", "quantity": 1}]},
            {"symbols": [{"alert_symbol": "SBIN", "exchange": "NSE", "symbol": "SBIN", "quantity": 0}]},
            {"symbols": [STRATEGY["symbols"][0], STRATEGY["symbols"][0]]},
            {"unexpected": 1},
        ]
        for override in bad:
            response = await trader.http.post("/web/strategies", json={**STRATEGY, **override})
            assert response.status_code == 400, override
            assert response.json()["status"] == "error"
        async with app.state.db.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Strategy)) == 0
            assert await session.scalar(select(func.count()).select_from(StrategySymbol)) == 0

    async def test_other_users_cannot_see_or_touch(self, app, trader, client):
        created = await create_strategy(trader)
        await make_user(app, "other2")
        await sign_in(client, "other2")
        assert (await client.get("/web/strategies")).json()["data"] == []
        assert (await client.get(f"/web/strategies/{created['id']}")).status_code == 404
        assert (await client.get(f"/web/strategies/{created['id']}/logs")).status_code == 404
        assert (await client.put(f"/web/strategies/{created['id']}", json=STRATEGY)).status_code == 404
        assert (await client.delete(f"/web/strategies/{created['id']}")).status_code == 404

    async def test_writes_need_csrf(self, trader):
        created = await create_strategy(trader)
        trader.http.headers.pop("X-CSRF-Token")
        assert (await trader.http.post("/web/strategies", json=STRATEGY)).status_code == 403
        assert (await trader.http.put(f"/web/strategies/{created['id']}", json=STRATEGY)).status_code == 403
        assert (await trader.http.delete(f"/web/strategies/{created['id']}")).status_code == 403
        assert len((await trader.http.get("/web/strategies")).json()["data"]) == 1

    async def test_needs_a_session(self, client):
        assert (await client.get("/web/strategies")).status_code == 401


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


LONG = Row(name="S", trading_mode="LONG", product="MIS")
SHORT = Row(name="S", trading_mode="SHORT", product="MIS")
BOTH = Row(name="S", trading_mode="BOTH", product="MIS")
SBIN = Row(exchange="NSE", symbol="SBIN", quantity=10, product="MIS")


class TestSignals:
    def test_parse_formats(self):
        assert parse({"symbol": " sbin ", "action": "buy"}) == [Alert("SBIN", "BUY")]
        assert parse({"symbol": "SBIN", "action": "SELL", "position_size": "-5"}) == [Alert("SBIN", "SELL", -5)]
        assert parse({"stocks": "SBIN, INFY", "scan_name": "my SHORT scan"}) == [Alert("SBIN", "SHORT"),
                                                                                  Alert("INFY", "SHORT")]
        for bad in ({}, {"symbol": "X"}, {"symbol": "X", "action": "BUY", "position_size": "1.x"},
                    {"stocks": "", "scan_name": "BUY"}, {"stocks": "A", "scan_name": "BUY and SELL"}, "str"):
            with pytest.raises(MalformedAlert):
                parse(bad)

    @pytest.mark.parametrize(("strategy", "signal", "expected"), [
        (LONG, "BUY", ("placeorder", "BUY", "10", None)),
        (LONG, "SELL", ("placesmartorder", "SELL", "0", "0")),
        (SHORT, "SELL", ("placeorder", "SELL", "10", None)),
        (SHORT, "SHORT", ("placeorder", "SELL", "10", None)),
        (SHORT, "BUY", ("placesmartorder", "BUY", "0", "0")),
        (SHORT, "COVER", ("placesmartorder", "BUY", "0", "0")),
        (BOTH, "BUY", ("placesmartorder", "BUY", "10", "10")),
        (BOTH, "SHORT", ("placesmartorder", "SELL", "10", "-10")),
        (BOTH, "SELL", ("placesmartorder", "SELL", "0", "0")),
        (BOTH, "COVER", ("placesmartorder", "BUY", "0", "0")),
    ])
    def test_semantics_per_trading_mode(self, strategy, signal, expected):
        api_type, data = order_for(strategy, SBIN, Alert("SBIN", signal))
        assert (api_type, data["action"], data["quantity"], data.get("position_size")) == expected
        assert (data["symbol"], data["exchange"], data["pricetype"], data["strategy"]) == ("SBIN", "NSE", "MARKET", "S")

    def test_long_only_refuses_short_signals(self):
        for signal in ("SHORT", "COVER"):
            with pytest.raises(Refused):
                order_for(LONG, SBIN, Alert("SBIN", signal))

    def test_both_mode_uses_the_alert_position_size(self):
        _, data = order_for(BOTH, SBIN, Alert("SBIN", "BUY", 25))
        assert (data["quantity"], data["position_size"]) == ("25", "25")
