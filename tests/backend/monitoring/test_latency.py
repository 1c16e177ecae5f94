"""Latency log: broker calls recorded through the writer; p50/p90/p99 per operation and broker."""

from __future__ import annotations

import pytest

from backend.domains.monitoring.latency import percentile, summarise


class TestPercentiles:
    def test_nearest_rank(self):
        values = [float(v) for v in range(1, 101)]
        assert percentile(values, 0.50) == 50 and percentile(values, 0.90) == 90 and percentile(values, 0.99) == 99
        assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) == 0.0

    def test_summary_per_operation_and_per_broker(self):
        rows = summarise([("zerodha", "placeorder", 10.0, True), ("zerodha", "placeorder", 30.0, False),
                          ("zerodha", "quotes", 5.0, True), ("sandbox", "placeorder", 1.0, True)])
        by_key = {(r["broker"], r["operation"]): r for r in rows}
        assert by_key[("zerodha", "placeorder")]["count"] == 2 and by_key[("zerodha", "placeorder")]["errors"] == 1
        assert by_key[("zerodha", "*")]["count"] == 3 and by_key[("zerodha", "*")]["max_ms"] == 30.0
        assert by_key[("sandbox", "*")]["p99_ms"] == 1.0


class TestEndpoint:
    async def test_stats_are_scoped_to_the_caller(self, app, web_client):
        me = (await web_client.get("/auth/session")).json()["data"]["user"]["id"]
        latency = app.state.latency
        for ms in (10, 20, 30, 40):
            latency.record("simulator", "placeorder", ms, user_id=me)
        latency.record("simulator", "placeorder", 999, user_id=me + 1000)  # someone else
        with pytest.raises(RuntimeError):
            async with latency.measure("simulator", "quotes", user_id=me):
                raise RuntimeError("broker down")
        await app.state.log_writer.flush()
        rows = (await web_client.get("/web/logs/latency")).json()["data"]
        by_key = {(r["broker"], r["operation"]): r for r in rows}
        assert by_key[("simulator", "placeorder")]["count"] == 4
        assert by_key[("simulator", "placeorder")]["p50_ms"] == 20 and by_key[("simulator", "placeorder")]["p99_ms"] == 40
        assert by_key[("simulator", "quotes")]["errors"] == 1
        assert (await web_client.get("/web/logs/latency", params={"all_users": "true"})).status_code == 403

    async def test_admin_sees_everyone(self, app, admin_client):
        app.state.latency.record("simulator", "placeorder", 5, user_id=424242)
        await app.state.log_writer.flush()
        rows = (await admin_client.get("/web/logs/latency", params={"all_users": "true"})).json()["data"]
        assert any(r["operation"] == "placeorder" for r in rows)

    @pytest.mark.parametrize("params", [{"hours": 0}, {"hours": "x"}, {"hours": 99999}])
    async def test_bad_window_is_400(self, web_client, params):
        assert (await web_client.get("/web/logs/latency", params=params)).status_code == 400
