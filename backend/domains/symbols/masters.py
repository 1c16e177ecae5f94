"""Every broker's master contract, one `SymbolMaster` each: users on different brokers trade the
same OpenAlgo symbols through different broker tokens.

The simulator's master is built at start. A live broker's is read from the database on first use
and downloaded after a login when the daily rule says so (`SymbolMaster.needs_download`); until
then lookups answer "not found" with the hint to download the master contract.
"""

from __future__ import annotations

import asyncio
import logging

from backend.core.db import Database
from backend.domains.symbols.service import ProgressListener, SymbolMaster
from brokers.contract.protocols import InstrumentProvider

log = logging.getLogger("algogate.symbols")


class SymbolMasters:
    def __init__(self, db: Database | None) -> None:
        self.db = db
        self._masters: dict[str, SymbolMaster] = {}
        self._loaded: dict[str, asyncio.Task] = {}
        self._listeners: list[ProgressListener] = []

    def add_listener(self, listener: ProgressListener) -> None:
        """Progress events of every master, present and future."""
        self._listeners.append(listener)
        for master in self._masters.values():
            master.add_listener(listener)

    def add(self, master: SymbolMaster) -> None:
        self._masters[master.broker] = master
        for listener in self._listeners:
            master.add_listener(listener)

    def __contains__(self, broker: str) -> bool:
        return broker in self._masters

    def get(self, broker: str) -> SymbolMaster:
        master = self._masters.get(broker)
        if master is None:
            master = SymbolMaster(broker, self.db)
            self.add(master)
        return master

    async def loaded(self, broker: str) -> SymbolMaster:
        """The broker's master, read from the database once per process (concurrent callers share
        the one read)."""
        master = self.get(broker)
        if len(master) or master.status.status == "downloading":
            return master
        task = self._loaded.get(broker)
        if task is None:
            task = self._loaded[broker] = asyncio.create_task(self._load(master), name=f"master-load-{broker}")
        await asyncio.shield(task)
        return master

    async def _load(self, master: SymbolMaster) -> None:
        try:
            if await master.load_from_db():
                log.info("master contract of %s loaded from the database (%d instruments)", master.broker,
                         len(master))
        except Exception:  # the next login downloads it again
            log.exception("loading the stored master contract of %s failed", master.broker)

    async def refresh(self, broker: str, provider: InstrumentProvider, force: bool = False):
        """Download when the daily rule (or `force`) says so; the old master serves meanwhile."""
        master = await self.loaded(broker)
        return await master.download(provider, force=force)

    def all(self) -> list[SymbolMaster]:
        return list(self._masters.values())
