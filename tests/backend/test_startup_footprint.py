"""What a started server holds in memory (issue 5: under 150 MB idle).

Some libraries are needed only by a feature's first use. Each costs several MB of RSS for the
process's whole life once imported, so start-up must not import them: this test starts the app the
way `algogate serve` does, in a clean interpreter, and lists what got loaded."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

# module: what first needs it
DEFERRED = {
    "alembic": "pending migrations, applied in a child process by `algogate serve`",
    "socketio": "the first Socket.IO connection (python-socketio also imports the next three)",
    "aiohttp": "the first Socket.IO connection, or an XTS broker's feed",
    "redis": "the first Socket.IO connection, or REDIS_URL",
    "cryptography": "the first encryption or decryption (broker tokens, API key copy, TOTP)",
    "scipy": "the first implied-volatility solve",
}

SCRIPT = """
import asyncio, gc, json, sys
gc.disable()  # as `algogate serve` does for start-up
from backend.cli import _migrate_aside
from backend.core.settings import load_settings
from backend.main import create_app

settings = load_settings()
_migrate_aside(settings)  # a fresh data directory: the child process migrates both stores
app = create_app(settings)

async def main():
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.2)
        assert app.state.symbols.index.get("NSE", "SBIN") is not None
        # the lifespan collected once, froze start-up's objects and turned the collector back on
        assert gc.isenabled() and gc.get_freeze_count() > 100_000, gc.get_freeze_count()

asyncio.run(main())
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in json.loads(sys.argv[1]))))
"""


def test_start_up_imports_none_of_the_deferred_libraries(tmp_path):
    env = {**os.environ, "APP_KEY": secrets.token_hex(32), "API_KEY_PEPPER": secrets.token_hex(32),
           "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING", "WEBSOCKET_PORT": "0"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(list(DEFERRED))], capture_output=True,
                            text=True, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], {name: DEFERRED[name.split(".")[0]] for name in loaded}
