"""Discovers broker plugins: any package under `brokers/` whose `manifest` module exports MANIFEST.

A broken plugin is logged and skipped; it never stops the app from starting.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterator, Mapping
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


class LazyPlugins(Mapping[str, BrokerPlugin]):
    """Live plugins by name, each imported and built on first use: a start-up with fifteen brokers
    installed pays for none of them until someone trades through one."""

    def __init__(self, registry: BrokerRegistry) -> None:
        self._registry = registry
        self.built: dict[str, BrokerPlugin] = {}

    def _names(self) -> list[str]:
        registry = self._registry
        names = [name for name, manifest in registry.manifests.items()
                 if manifest.entrypoint and name not in registry.failed]
        return names + [name for name in self.built if name not in names]

    def __setitem__(self, name: str, plugin: BrokerPlugin) -> None:
        """Register an already-built plugin (tests, embedding)."""
        self.built[name] = plugin

    def __getitem__(self, name: str) -> BrokerPlugin:
        plugin = self.built.get(name)
        if plugin is not None:
            return plugin
        if name not in self._names():
            raise KeyError(name)
        manifest = self._registry.manifests[name]
        try:
            module_name, _, attribute = manifest.entrypoint.partition(":")
            factory = getattr(importlib.import_module(module_name), attribute)
            plugin = self.built[name] = factory(self._registry.config_for(name))
        except Exception as exc:  # a broken plugin is reported, never fatal
            self._registry.failed[name] = f"{type(exc).__name__}: {exc}"
            log.error("broker plugin %s failed to start: %s", name, self._registry.failed[name])
            raise KeyError(name) from exc
        return plugin

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


@dataclass
class BrokerRegistry:
    """The brokers this installation offers (discovered ∩ enabled by settings)."""

    enabled: list[str]
    urls: dict[str, dict[str, str]] = field(default_factory=dict)  # per broker endpoint overrides
    host_server: str = ""
    manifests: dict[str, BrokerManifest] = field(default_factory=dict)
    plugins: LazyPlugins = field(init=False)  # live brokers, built from entrypoints on first use
    failed: dict[str, str] = field(default_factory=dict)
    started: bool = False

    async def start(self) -> None:
        discovered, self.failed = discover_manifests()
        if "*" in self.enabled:  # every installed plugin, after the ones named explicitly
            named = [name for name in self.enabled if name != "*"]
            self.enabled = named + sorted(set(discovered) - set(named))
        for name in self.enabled:
            if name in discovered:
                self.manifests[name] = discovered[name]
            elif name not in self.failed:
                self.failed[name] = "enabled in settings but no such broker plugin"
                log.warning("broker %s is enabled but not installed", name)
        self.started = True  # the simulator is wired by the app itself; live plugins load on first use

    def __post_init__(self) -> None:
        self.plugins = LazyPlugins(self)

    def load_all(self) -> dict[str, str]:
        """Build every enabled plugin now (checks, docs); returns the failures."""
        for name in list(self.plugins):
            self.plugins.get(name)
        return self.failed

    def config_for(self, name: str) -> BrokerConfig:
        redirect = f"{self.host_server.rstrip('/')}/{name}/callback" if self.host_server else ""
        return BrokerConfig(urls=self.urls.get(name, {}), redirect_url=redirect)

    async def stop(self) -> None:
        for plugin in self.plugins.built.values():
            try:
                await plugin.close()
            except Exception:
                log.exception("broker plugin %s did not close cleanly", plugin.manifest.name)
        self.started = False

    def health(self) -> dict[str, object]:
        ok = self.started and (bool(self.manifests) or not self.enabled)
        return {"status": "ok" if ok else "error", "brokers": sorted(self.manifests), "failed": self.failed}
