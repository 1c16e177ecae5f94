"""Start-up of the simulator and the symbol master (called from the app lifespan).

The index is served from memory at once (generated universe, cached per seed and day, so repeated
app starts in one process — tests — pay once); writing the master to the database runs in the
background after a short delay, because start-up must stay under two seconds and a 60,000-row
write is not needed to answer requests. Shutdown cancels an unfinished write; the versioned swap
guarantees that leaves no half-replaced master.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import sys
import time
from contextlib import AsyncExitStack
from datetime import date
from functools import lru_cache

from fastapi import FastAPI

from backend.core.db import Database
from backend.core.settings import Settings
from backend.domains.symbols.index import SymbolIndex
from backend.domains.symbols.service import SymbolMaster
from brokers.contract.table import InstrumentTable
from brokers.simulator import DEFAULT_SEED, SessionMode, SimulatorBroker
from brokers.simulator.provider import cached_universe

log = logging.getLogger("algogate.symbols")
PERSIST_DELAY_SECONDS = 3.0
SEARCH_DELAY_SECONDS = 1.0


@lru_cache(maxsize=2)
def simulator_master_index(seed: int, today: date) -> tuple[InstrumentTable, SymbolIndex]:
    """The generated universe is trusted (the generator drops malformed catalog rows itself and a
    test holds it to `validate`), so start-up skips the per-row validation a download gets."""
    instruments = cached_universe(seed, today)
    return instruments, SymbolIndex(instruments, "simulator")


def release_freed_memory() -> None:
    """Hand the heap freed by start-up's one-off work (the universe build, the search arrays, the
    master write) back to the OS: glibc keeps it otherwise, ~25 MB of idle RSS."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


async def _prepare_search(index: SymbolIndex, building: asyncio.Event, with_search: bool) -> None:
    # After the first answer: the build holds the GIL for a while, which start-up would otherwise wait
    # out. Expiries and chains (~2 MB) always; the search arrays only when asked to, since most
    # deployments (strategies, webhooks) never search. A caller that comes first builds (the index locks).
    await asyncio.sleep(SEARCH_DELAY_SECONDS)
    building.set()
    try:
        await asyncio.to_thread(index.prepare_search if with_search else index.prepare_derivatives)
    except Exception:  # search then builds on first use instead
        log.exception("preparing the symbol search failed")
    release_freed_memory()


async def start_symbols(app: FastAPI, settings: Settings, db: Database, stack: AsyncExitStack) -> None:
    started = time.perf_counter()
    seed = int(getattr(settings, "simulator_seed", DEFAULT_SEED))
    mode = getattr(settings, "simulator_session_mode", SessionMode.ALWAYS_OPEN)
    simulator = SimulatorBroker.create(seed=seed, session_mode=mode)
    app.state.simulator = simulator
    app.state.market = simulator.data_client  # the simulator's DataClient (trading gateway, sandbox)

    master = SymbolMaster("simulator", db)
    good, index = await asyncio.to_thread(simulator_master_index, seed, simulator.today())
    master.install(good, index, validated=True)
    master.status.status, master.status.message = "success", "Loaded from the simulator universe"
    app.state.symbols = master
    building = asyncio.Event()
    search_task = asyncio.create_task(_prepare_search(index, building, settings.symbol_search_prebuild),
                                      name="symbols-search-index")
    log.info("simulator master ready: %d instruments in %.2f s", len(good), time.perf_counter() - started)

    async def persist_later() -> None:
        await asyncio.sleep(PERSIST_DELAY_SECONDS)
        try:
            if await master.needs_download():
                await master.persist(good)
                log.info("simulator master stored (%d instruments)", len(good))
                release_freed_memory()
        except asyncio.CancelledError:
            raise
        except Exception:  # the in-memory master keeps serving; the next start retries
            log.exception("storing the simulator master failed")

    master.persist_task = asyncio.create_task(persist_later(), name="symbols-persist")

    async def stop() -> None:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            if not building.is_set():
                search_task.cancel()  # still waiting: nothing to finish
            await search_task  # a worker thread cannot be cancelled; let it finish
        task = master.persist_task
        if task is not None and not task.done():
            task.cancel()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    stack.push_async_callback(stop)
