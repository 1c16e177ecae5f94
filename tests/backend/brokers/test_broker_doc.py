"""Every installed broker plugin loads, is documented, and docs/brokers.md matches what the
plugins declare."""

from __future__ import annotations

from pathlib import Path

from backend.domains.brokers.doc import DOC, render
from brokers.registry import BrokerRegistry, discover_manifests

DOCS = Path(__file__).resolve().parents[3] / "docs" / "brokers"


def test_every_plugin_is_discovered_and_has_its_own_page():
    manifests, failed = discover_manifests()
    assert failed == {}
    live = sorted(name for name, manifest in manifests.items() if manifest.entrypoint)
    assert {"zerodha", "dhan", "angel", "fyers", "upstox"} <= set(live)
    assert [name for name in live if not (DOCS / f"{name}.md").exists()] == []


async def test_every_plugin_starts_from_the_registry_with_the_installation_config():
    manifests, _ = discover_manifests()
    registry = BrokerRegistry(enabled=sorted(manifests), host_server="https://algo.example.in")
    await registry.start()
    try:
        assert registry.load_all() == {}
        assert sorted(registry.plugins) == sorted(n for n, m in manifests.items() if m.entrypoint)
        assert registry.config_for("zerodha").redirect_url == "https://algo.example.in/zerodha/callback"
    finally:
        await registry.stop()


def test_brokers_doc_is_current():
    assert DOC.read_text() == render(), "run: uv run python -m backend.domains.brokers.doc"
