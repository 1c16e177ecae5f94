"""The bot: long-polls getUpdates in a background task (when a token is configured), links chats,
answers commands from the user's gateway, and sends order alerts from a queue so that neither
the engine nor a request ever waits on Telegram."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select

from backend.domains.accounts.models import User
from backend.domains.accounts.schemas import AuthenticatedUser
from backend.domains.automation.telegram import links, replies
from backend.domains.automation.telegram.client import TelegramClient, TelegramError
from backend.domains.automation.telegram.lease import polling_lease

log = logging.getLogger("algogate.telegram")
COMMANDS = {"/positions": ("positionbook", replies.positions), "/funds": ("funds", replies.funds),
            "/pnl": ("funds", replies.pnl), "/orderbook": ("orderbook", replies.orderbook)}
ALERT_QUEUE = 1000


class TelegramBot:
    def __init__(self, app: Any, client: TelegramClient, poll_timeout: int) -> None:
        self.app = app
        self.client = client
        self.poll_timeout = poll_timeout
        self.username: str | None = None
        self.offset = 0
        self.outbox: asyncio.Queue[tuple[int, str]] = asyncio.Queue(ALERT_QUEUE)  # (user id, text)
        self._tasks: list[asyncio.Task] = []

    @property
    def db(self):
        return self.app.state.db

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._poll(), name="telegram poll"),
                       asyncio.create_task(self._send_loop(), name="telegram outbox")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.client.close()

    # --- alerts ------------------------------------------------------------------------------

    def on_order(self, order: Any) -> None:
        """A paper-engine listener: must return at once."""
        self.notify(order.user_id, replies.order_alert(order))

    def on_live_order(self, user: Any, broker: str, order: Any) -> None:
        """A live broker acknowledged an order placed, modified or cancelled through Algogate."""
        self.notify(user.id, replies.live_order_alert(order, broker))

    def notify(self, user_id: int, text: str) -> None:
        try:
            self.outbox.put_nowait((user_id, text))
        except asyncio.QueueFull:  # bounded: alerts are dropped, never the engine slowed
            log.warning("telegram outbox full, alert dropped")

    async def _send_loop(self) -> None:
        while True:
            user_id, text = await self.outbox.get()
            try:
                async with self.db.sessions() as session:
                    link = await links.link_of(session, user_id)
                if link is not None and link.chat_id is not None and link.alerts_enabled:
                    await self.client.send_message(link.chat_id, text)
            except Exception:  # one failed alert must not stop the rest
                log.exception("telegram alert to user %s failed", user_id)

    # --- updates -----------------------------------------------------------------------------

    async def _poll(self) -> None:
        async with polling_lease(self.db):
            await self._poll_updates()

    async def _poll_updates(self) -> None:
        delay = 1.0
        while self.username is None:
            try:
                self.username = (await self.client.get_me()).get("username")
            except TelegramError as exc:
                log.warning("telegram getMe failed: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
        delay = 1.0
        while True:
            try:
                updates = await self.client.get_updates(self.offset, self.poll_timeout)
                delay = 1.0
            except TelegramError as exc:
                log.warning("telegram getUpdates failed: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60)
                continue
            for update in updates:
                self.offset = max(self.offset, int(update["update_id"]) + 1)
                try:
                    await self.handle(update)
                except Exception:
                    log.exception("telegram update %s failed", update.get("update_id"))

    async def handle(self, update: dict[str, Any]) -> None:
        message = update.get("message") or {}
        chat = (message.get("chat") or {}).get("id")
        text = (message.get("text") or "").strip()
        if chat is None or not text.startswith("/"):
            return
        command, _, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()  # "/positions@AlgogateBot" in groups
        answer = await self.answer(int(chat), command, argument.strip(),
                                   (message.get("from") or {}).get("username"))
        await self.client.send_message(int(chat), answer)

    async def answer(self, chat: int, command: str, argument: str, tg_username: str | None) -> str:
        if command in ("/start", "/link") and argument:
            async with self.db.sessions() as session:
                user_id = await links.redeem(session, argument, chat, tg_username)
                await session.commit()
            return "Linked. You will get order alerts here.\n\n" + replies.HELP if user_id else \
                "That code is not valid (codes work once). Create a new one in Algogate."
        async with self.db.sessions() as session:
            user_id = await links.user_of_chat(session, chat)
            if user_id is not None and command == "/unlink":
                await links.unlink(session, user_id)
                await session.commit()
                return "Unlinked."
            row = await session.scalar(select(User).where(User.id == user_id)) if user_id is not None else None
        if row is None:
            return "This chat is not linked. In Algogate, open Action Center → Telegram and send the code shown."
        if command not in COMMANDS:
            return replies.HELP
        method, render = COMMANDS[command]
        gateway = await self.app.state.gateways.for_user(AuthenticatedUser(row.id, row.username, row.is_admin))
        return render(await getattr(gateway.execution, method)())
