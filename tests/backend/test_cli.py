"""The `algogate` command line, run as users run it: a real process, settings from the environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest

from backend import __version__


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "APP_KEY": secrets.token_hex(32), "API_KEY_PEPPER": secrets.token_hex(32),
           "DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "backend.cli", *args], input=stdin, capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=120)

    return run


def test_help_and_version(cli):
    bare = cli()
    assert "Usage:" in bare.stdout + bare.stderr
    for command in ("serve", "db", "user", "apikey", "version"):
        assert command in bare.stdout + bare.stderr
    assert cli("serve", "--help").stdout.count("--ws-port") == 1
    version = cli("version")
    assert version.returncode == 0 and version.stdout.strip() == __version__


def test_user_and_api_key_round_trip(cli):
    created = cli("user", "create", "--username", "trader1", "--admin", "--password-stdin",
                  stdin="Sturdy-Pass-2026\n")
    assert created.returncode == 0, created.stderr
    assert re.fullmatch(r"created administrator trader1 \(id \d+\)", created.stdout.strip())
    first = cli("apikey", "show", "--username", "trader1").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    renewed = cli("apikey", "regenerate", "--username", "trader1").stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", renewed) and renewed != first
    assert cli("apikey", "show", "--username", "trader1").stdout.strip() == renewed


def test_bad_input_is_one_line_and_a_failing_exit(cli):
    no_stdin = cli("user", "create", "--username", "trader2")
    assert no_stdin.returncode == 2
    assert no_stdin.stderr.strip() == "algogate: pass the password on stdin with --password-stdin"
    weak = cli("user", "create", "--username", "trader2", "--password-stdin", stdin="short\n")
    assert weak.returncode == 1 and weak.stderr.startswith("algogate: ") and len(weak.stderr.splitlines()) == 1
    unknown = cli("apikey", "show", "--username", "nobody")
    assert unknown.returncode == 1 and unknown.stderr.startswith("algogate: ")
    assert "Traceback" not in unknown.stderr
    missing = cli("apikey", "show")
    assert missing.returncode == 2 and "--username" in missing.stderr
