"""Drive a running server with the real `openalgo` SDK (1.0.47), installed in its own venv.

The SDK lives in `.compat-venv` (gitignored), created on first use with uv, so its pinned
dependencies never mix with ours. Each call runs a short script in that interpreter and returns
what the SDK returned, as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".compat-venv"
SDK_VERSION = "1.0.47"
PYTHON = VENV / "bin" / "python"


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def ensure_sdk() -> Path:
    """Create the SDK venv if missing or on another version; returns its interpreter."""
    probe = [str(PYTHON), "-c", "import importlib.metadata as m; print(m.version('openalgo'))"]
    if PYTHON.exists():
        result = subprocess.run(probe, capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip() == SDK_VERSION:
            return PYTHON
    subprocess.run([*_uv(), "venv", "--quiet", "--clear", "--python", "3.11", str(VENV)], check=True)
    subprocess.run([*_uv(), "pip", "install", "--quiet", "--python", str(PYTHON), f"openalgo=={SDK_VERSION}"],
                   check=True)
    return PYTHON


def run_sdk(base_url: str, apikey: str, body: str, *, timeout: float = 60) -> object:
    """Run `body` with `client` bound to `openalgo.api(...)`; the script must assign `result`."""
    script = "import json\nfrom openalgo import api\n" \
             f"client = api(api_key={apikey!r}, host={base_url!r})\n" + textwrap.dedent(body) + \
             "\nprint('@@RESULT@@' + json.dumps(result, default=str))\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    completed = subprocess.run([str(PYTHON), "-c", script], capture_output=True, text=True, timeout=timeout,
                               env=env)
    if completed.returncode != 0:
        raise AssertionError(f"SDK script failed:\n{completed.stderr}\n{completed.stdout}")
    marker = completed.stdout.rsplit("@@RESULT@@", 1)
    if len(marker) != 2:
        raise AssertionError(f"SDK script printed no result:\n{completed.stdout}")
    return json.loads(marker[1])
