"""Start-up of the automation domain: the Action Center, the alert processor, the square-off and
expiry jobs (and Telegram when a bot token is configured)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from fastapi import FastAPI

from backend.core.clock import IST, now_ist
from backend.core.scheduler import Scheduler
from backend.core.settings import Settings
from backend.domains.automation.action_center import ActionCenter
from backend.domains.automation.alerts import AlertProcessor
from backend.domains.automation.squareoff import square_off_due

log = logging.getLogger("algogate.automation")
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300, "replace_existing": True}


@dataclass
class Automation:
    """What the automation routes and jobs share. `clock` (IST now) is the one time source of the
    intraday window, the square-off and the end-of-day expiry: tests replace it."""

    app: FastAPI
    action_center: ActionCenter
    alerts: AlertProcessor
    clock: Callable[[], datetime] = field(default=now_ist)

    async def square_off(self) -> list[int]:
        return await square_off_due(self.app.state.db, self.action_center.execute, self.alerts, self.clock())

    async def expire_pending(self) -> int:
        """Pending orders do not outlive their IST day."""
        day_start = datetime.combine(self.clock().date(), time(0), tzinfo=IST)
        return await self.action_center.expire_before(day_start)


async def start_automation(app: FastAPI, settings: Settings, stack: AsyncExitStack) -> Automation:
    from backend.api.internal_dispatch import InternalDispatcher

    execute = InternalDispatcher(app)

    def publish(username: str, event: str, payload: dict[str, Any]) -> None:
        app.state.background.spawn(app.state.hub.publish_user_event(username, event, payload), name=event)

    action_center = ActionCenter(app.state.db, execute, publish)
    automation = Automation(app, action_center, AlertProcessor(app.state.db, execute, now_ist,
                                                               settings.webhook_dedupe_seconds))
    automation.alerts.clock = lambda: automation.clock()  # one clock for windows and jobs
    app.state.action_center = action_center
    app.state.automation = automation
    app.state.telegram = await start_telegram(app, settings, stack)
    return automation


async def start_telegram(app: FastAPI, settings: Settings, stack: AsyncExitStack):
    """The bot runs only with a token; it hears every paper-order change (as the Socket.IO
    publisher does) and polls Telegram for commands."""
    if not settings.telegram_bot_token:
        return None
    from backend.domains.automation.telegram.bot import TelegramBot
    from backend.domains.automation.telegram.client import TelegramClient

    bot = TelegramBot(app, TelegramClient(settings.telegram_api_url, settings.telegram_bot_token),
                      settings.telegram_poll_timeout)
    app.state.sandbox.engine.listeners.append(bot.on_order)
    app.state.gateways.live_order_listeners.append(bot.on_live_order)
    await bot.start()
    stack.push_async_callback(bot.stop)
    return bot


def schedule_automation_jobs(automation: Automation, scheduler: Scheduler) -> None:
    """Every minute, on every worker: both jobs claim their work with conditional UPDATEs, so
    running them concurrently is safe and each square-off happens once."""

    async def guarded(name: str, job: Callable[[], Any]) -> None:
        try:
            await job()
        except Exception:  # retried by the next run; never kill the scheduler
            log.exception("automation %s failed", name)

    scheduler.aps.add_job(guarded, "interval", args=["square-off", automation.square_off], minutes=1,
                          id="automation-squareoff", **JOB_OPTIONS)
    scheduler.aps.add_job(guarded, "interval", args=["expiry", automation.expire_pending], minutes=1,
                          id="automation-expire-pending", **JOB_OPTIONS)
