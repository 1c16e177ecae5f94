"""The official openalgo SDK (1.0.47) feed client against our feed port, unchanged.

The SDK lives in its own venv so its pins never touch ours:
    uv venv .compat-venv --python 3.11 && uv pip install --python .compat-venv openalgo==1.0.47
Skipped when that venv is absent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path

import pytest

from streaming.config import HubConfig
from tests.fixtures.streaming import running_hub, wait_until

pytestmark = pytest.mark.compat

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = ROOT / ".compat-venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
SCRIPT = Path(__file__).with_name("sdk_feed_script.py")


@pytest.fixture
def sdk_python() -> Path:
    if not SDK_PYTHON.exists():
        pytest.skip("openalgo SDK venv missing (.compat-venv); see this module's docstring")
    return SDK_PYTHON


async def test_sdk_feed_client_connects_subscribes_and_receives(sdk_python):
    async with running_hub(HubConfig(throttle_ms=50)) as harness:
        process = await asyncio.create_subprocess_exec(
            str(sdk_python), str(SCRIPT), str(harness.listener.port), "key-alice",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=str(ROOT / "tests"))

        async def market() -> None:
            price = 100.0
            while True:
                price += 0.05
                for symbol in ("SBIN", "TCS", "INFY"):
                    harness.upstream.emit("NSE", symbol, round(price, 2))
                await asyncio.sleep(0.05)

        ticker = asyncio.get_running_loop().create_task(market())
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=90)
        finally:
            ticker.cancel()
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        assert process.returncode == 0, stderr.decode()[-2000:]
        report = json.loads(stdout.decode().strip().splitlines()[-1])
        assert report["connected"] is True
        assert report["ltp"] and report["ltp"][0]["symbol"] == "SBIN" and report["ltp"][0]["data"]["ltp"] > 100
        quote = report["quote"][0]["data"]
        assert quote["ltp"] > 100 and "volume" in quote and "change_percent" in quote
        depth = report["depth"][0]["data"]["depth"]
        assert len(depth["buy"]) == 5 and depth["sell"][0]["price"] > 100
        assert report["get_ltp"]["ltp"]["NSE"]["SBIN"]["ltp"] > 100
        assert report["get_quotes"]["quote"]["NSE"]["TCS"]["ltp"] > 100
        assert report["get_depth"]["depth"]["NSE"]["INFY"]["buyBook"]["1"]["price"] > 0
        await wait_until(lambda: harness.upstream.upstream_modes() == {})  # SDK gone: nothing leaked
