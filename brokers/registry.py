"""Discovers broker plugins: any package under `brokers/` whose `manifest` module exports MANIFEST.

A broken plugin is logged and skipped; it never stops the app from starting.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from dataclasses import dataclass, field

import brokers
from brokers.contract.config import BrokerConfig
from brokers.contract.manifest import BrokerManifest
from brokers.contract.plugin import BrokerPlugin

log = logging.getLogger("algogate.brokers")

NOT_PLUGINS = {"contract", "common", "families", "paper", "registry"}


def discover_manifests() -> tuple[dict[str, BrokerManifest], dict[str, str]]:
    """Return (manifests by name, errors by package) for every plugin package under brokers/."""
    found: dict[str, BrokerManifest] = {}
    failed: dict[str, str] = {}
    for info in pkgutil.iter_modules(brokers.__path__):
        if not info.ispkg or info.name in NOT_PLUGINS or info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"brokers.{info.name}.manifest")
            manifest = module.MANIFEST
            if not isinstance(manifest, BrokerManifest):
                raise TypeError("MANIFEST is not a BrokerManifest")
        except ModuleNotFoundError as exc:
            if exc.name == f"brokers.{info.name}.manifest":
                continue  # a helper package, not a plugin
            failed[info.name] = f"{type(exc).__name__}: {exc}"
            log.error("broker plugin %s skipped: %s", info.name, failed[info.name])
            continue
        except Exception as exc:  # a broken plugin must not take the app down
            failed[info.name] = f"{type(exc).__name__}: {exc}"
            log.error("broker plugin %s skipped: %s", info.name, failed[info.name])
            continue
        found[manifest.name] = manifest
    return found, failed


@dataclass
class BrokerRegistry:
    """The brokers this installation offers (discovered ∩ enabled by settings)."""

    enabled: list[str]
    urls: dict[str, dict[str, str]] = field(default_factory=dict)  # per broker endpoint overrides
    host_server: str = ""
    manifests: dict[str, BrokerManifest] = field(default_factory=dict)
    plugins: dict[str, BrokerPlugin] = field(default_factory=dict)  # live brokers, built from entrypoints
    failed: dict[str, str] = field(default_factory=dict)
    started: bool = False

    async def start(self) -> None:
        discovered, self.failed = discover_manifests()
        for name in self.enabled:
            if name in discovered:
                self.manifests[name] = discovered[name]
            elif name not in self.failed:
                self.failed[name] = "enabled in settings but no such broker plugin"
                log.warning("broker %s is enabled but not installed", name)
        for name, manifest in self.manifests.items():
            if not manifest.entrypoint:
                continue  # the simulator is wired by the app itself
            try:
                module_name, _, attribute = manifest.entrypoint.partition(":")
                factory = getattr(importlib.import_module(module_name), attribute)
                self.plugins[name] = factory(self.config_for(name))
            except Exception as exc:  # a broken plugin is reported, never fatal
                self.failed[name] = f"{type(exc).__name__}: {exc}"
                log.error("broker plugin %s failed to start: %s", name, self.failed[name])
        self.started = True

    def config_for(self, name: str) -> BrokerConfig:
        redirect = f"{self.host_server.rstrip('/')}/{name}/callback" if self.host_server else ""
        return BrokerConfig(urls=self.urls.get(name, {}), redirect_url=redirect)

    async def stop(self) -> None:
        for plugin in self.plugins.values():
            try:
                await plugin.close()
            except Exception:
                log.exception("broker plugin %s did not close cleanly", plugin.manifest.name)
        self.started = False

    def health(self) -> dict[str, object]:
        ok = self.started and (bool(self.manifests) or not self.enabled)
        return {"status": "ok" if ok else "error", "brokers": sorted(self.manifests), "failed": self.failed}
