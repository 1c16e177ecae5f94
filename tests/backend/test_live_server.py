"""The real server, started as users start it, answers over loopback."""

import httpx

from tests.conftest import start_live_server, stop_live_server


def test_server_starts_and_is_ready(tmp_path):
    server = start_live_server(tmp_path)
    try:
        ready = httpx.get(f"{server.base_url}/health/ready", timeout=5)
        assert ready.status_code == 200, ready.text
        bad = httpx.post(f"{server.base_url}/api/v1/ping", content=b"{oops", timeout=5,
                         headers={"content-type": "application/json"})
        assert bad.status_code in (400, 404)
        assert bad.json()["status"] == "error"
    finally:
        stop_live_server(server)
    # uvicorn re-raises SIGTERM after a graceful shutdown, so -15 is a clean exit too.
    assert server.process.returncode in (0, -15), server.log
    assert "Application shutdown complete" in server.log
    assert "Traceback" not in server.log
