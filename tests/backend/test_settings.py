import os
import stat
import subprocess
import sys

import pytest

from backend.core.settings import SettingsError, ensure_env_secrets, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("APP_KEY", "API_KEY_PEPPER", "DATABASE_URL", "REDIS_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)


class TestFirstRunSecrets:
    def test_generates_missing_secrets_with_private_mode(self, tmp_path):
        env = tmp_path / ".env"
        assert ensure_env_secrets(env) == ["APP_KEY", "API_KEY_PEPPER"]
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        values = dict(line.split("=", 1) for line in env.read_text().splitlines())
        assert len(values["APP_KEY"]) == 64 and len(values["API_KEY_PEPPER"]) == 64
        assert values["APP_KEY"] != values["API_KEY_PEPPER"]

    def test_never_overwrites_existing_values(self, tmp_path):
        env = tmp_path / ".env"
        env.write_text("API_KEY_PEPPER=" + "x" * 40)  # no trailing newline on purpose
        assert ensure_env_secrets(env) == ["APP_KEY"]
        text = env.read_text()
        assert "API_KEY_PEPPER=" + "x" * 40 + "\n" in text
        assert ensure_env_secrets(env) == []
        assert env.read_text() == text

    def test_loaded_settings_use_generated_secrets(self, tmp_path):
        settings = load_settings(tmp_path / ".env")
        assert len(settings.api_key_pepper) == 64
        assert settings.main_database_url.endswith("data/algogate.db")
        assert settings.logs_url.endswith("data/logs.db")


class TestInvalidSettings:
    def test_short_pepper_names_the_variable(self, tmp_path, monkeypatch):
        monkeypatch.setenv("API_KEY_PEPPER", "short")
        with pytest.raises(SettingsError, match=r"^invalid setting API_KEY_PEPPER: must be at least 32"):
            load_settings(tmp_path / ".env")

    def test_malformed_database_url(self, tmp_path, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "mysql://nope")
        with pytest.raises(SettingsError, match="DATABASE_URL"):
            load_settings(tmp_path / ".env")

    def test_postgres_shares_one_database_for_logs(self, tmp_path, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@127.0.0.1/db")
        settings = load_settings(tmp_path / ".env")
        assert settings.logs_url == settings.main_database_url

    def test_cli_prints_one_line_and_fails(self, tmp_path):
        env = {k: v for k, v in os.environ.items() if k not in ("APP_KEY", "API_KEY_PEPPER")}
        env["API_KEY_PEPPER"] = "tooshort"
        result = subprocess.run(
            [sys.executable, "-m", "backend.cli", "db", "upgrade"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )
        assert result.returncode != 0
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines == ["algogate: invalid setting API_KEY_PEPPER: must be at least 32 characters"]


def test_settings_doc_lists_every_setting_and_is_current():
    from backend.core.settings import Settings
    from backend.core.settings_doc import DOC, render

    assert all(field.description for field in Settings.model_fields.values()), "describe every setting"
    assert DOC.read_text() == render(), "run: uv run python -m backend.core.settings_doc"
