"""A real server (uvicorn, own process, ephemeral port) on the simulator, a user created with the
CLI as a script would, and the `openalgo` SDK 1.0.47 in its own venv."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from tests.compat.sdk import ensure_sdk, run_sdk
from tests.conftest import start_live_server, stop_live_server

PASSWORD = "Sdk-Compat-2026"


@dataclass
class SdkSession:
    base_url: str
    apikey: str

    def __call__(self, body: str):
        return run_sdk(self.base_url, self.apikey, body)


def cli(server, *args: str, stdin: str = "") -> str:
    result = subprocess.run([sys.executable, "-m", "backend.cli", *args], input=stdin, capture_output=True,
                            text=True, cwd=server.log_path.parent, env=server.env, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def sdk(tmp_path_factory) -> SdkSession:
    ensure_sdk()
    tmp = tmp_path_factory.mktemp("compat")
    server = start_live_server(tmp)
    try:
        cli(server, "user", "create", "--username", "sdkuser", "--password-stdin", stdin=PASSWORD + "\n")
        key = cli(server, "apikey", "show", "--username", "sdkuser")
        assert len(key) == 64, key
        yield SdkSession(server.base_url, key)
    finally:
        stop_live_server(server)
