"""Start-up of the simulated GTT book: the book, its monitor (feeds + sweep) and the scheduler
jobs. Called from backend/domains/trading/wiring.py once the paper engine and gateways exist."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from decimal import Decimal

from apscheduler.triggers.interval import IntervalTrigger

from backend.core.scheduler import Scheduler
from backend.domains.gtt.book import GttBook
from backend.domains.gtt.firing import GttFiring, paper_gateway, user_of
from backend.domains.gtt.monitor import GttMonitor

log = logging.getLogger("algogate.gtt")
SYNC_SECONDS = 5  # re-read the active set (GTTs placed through other workers) as the paper feed does


async def start_gtt(app, stack: AsyncExitStack) -> GttMonitor:
    book = GttBook(app.state.db)

    async def quote_ltp(user_id: int, keys: list[str]) -> dict[str, Decimal]:
        user = await user_of(app.state.db, user_id)
        if user is None:
            return {}
        gateway, _execution = await paper_gateway(app, user)
        instruments = [i for key in keys if (i := gateway.symbols.get(*key.split(":", 1))) is not None]
        quotes = await gateway.data.multiquote(instruments) if instruments else {}
        return {key: Decimal(repr(quote.ltp)) for key, quote in quotes.items() if quote.ltp}

    monitor = GttMonitor(book, app.state.hub, app.state.market_sources, GttFiring(app, book), quote_ltp)
    app.state.gtt_book = book
    app.state.gtt_monitor = monitor
    await monitor.sync()
    stack.push_async_callback(monitor.close)
    return monitor


def schedule_gtt_jobs(app, scheduler: Scheduler) -> None:
    monitor: GttMonitor = app.state.gtt_monitor
    options = {"coalesce": True, "max_instances": 1, "replace_existing": True}

    async def sweep() -> None:
        try:
            await monitor.sweep()
        except Exception:  # retried by the next run; never kill the scheduler
            log.exception("GTT sweep failed")

    scheduler.aps.add_job(monitor.sync, IntervalTrigger(seconds=SYNC_SECONDS), id="gtt-sync", **options)
    scheduler.aps.add_job(sweep, IntervalTrigger(seconds=app.state.sandbox.settings.sandbox_poll_seconds),
                          id="gtt-sweep", **options)
