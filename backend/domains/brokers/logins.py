"""Broker logins for the SPA: stored credentials, the OAuth round trip, credential/TOTP logins,
and what follows a login (master contract) or a dead token (revocation, feeds torn down, every
client told to log in again).

OAuth state is a signed, expiring token naming the user and the broker, so the callback needs no
server-side storage and works on any worker; it is checked against the signed-in user too.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.errors import AppError
from backend.domains.accounts.broker_secrets import get_broker_credentials, save_broker_credentials
from brokers.contract import AuthType, BrokerError, BrokerPlugin, BrokerSession

log = logging.getLogger("algogate.brokers.login")

STATE_TTL_SECONDS = 600
MAX_VALUE_LENGTH = 512


class LoginError(AppError):
    status = 400


def live_feed_account(broker: str, user_id: int) -> str:
    """Live feeds are per broker account: each user's own session feeds their own pool."""
    return f"{broker}:{user_id}"


@dataclass
class BrokerLogins:
    app: Any  # the FastAPI app: its registry, sessions, masters, hub, background tasks

    # --- plugins and credentials -------------------------------------------------------------
    def plugin(self, broker: str) -> BrokerPlugin:
        plugin = self.app.state.brokers.plugins.get(broker)
        if plugin is None:
            raise AppError(f"Broker '{broker}' is not installed or has no login", 404)
        return plugin

    def redirect_url(self, broker: str) -> str:
        return self.app.state.brokers.config_for(broker).redirect_url

    async def describe(self, session: AsyncSession, user_id: int, broker: str) -> dict[str, Any]:
        plugin = self.plugin(broker)
        stored = await get_broker_credentials(session, user_id, broker) or {}
        manifest = plugin.manifest

        def fields(items, with_stored: bool):
            return [{"name": f.name, "label": f.label, "secret": f.secret, "help": f.help, "required": f.required,
                     **({"stored": bool(stored.get(f.name))} if with_stored else {})} for f in items]

        status = await self.app.state.broker_sessions.status(session, user_id, broker)
        return {"broker": broker, "display_name": manifest.display_name, "auth_type": str(manifest.auth_type),
                "credential_fields": fields(manifest.credential_fields, True),
                "login_fields": fields(manifest.login_fields, False),
                "redirect_url": self.redirect_url(broker) if manifest.auth_type == AuthType.OAUTH else None,
                "state": status.state.value, "expires_at": status.expires_at.isoformat() if status.expires_at else None,
                "message": status.message}

    async def save_credentials(self, session: AsyncSession, user_id: int, broker: str,
                               values: Mapping[str, str]) -> None:
        """Merge into what is stored: an empty value keeps the stored one (secrets are never shown,
        so the form cannot send them back)."""
        known = {f.name for f in self.plugin(broker).manifest.credential_fields}
        unknown = sorted(set(values) - known)
        if unknown:
            raise LoginError(f"Unknown credential field(s) for {broker}: {', '.join(unknown)}")
        merged = dict(await get_broker_credentials(session, user_id, broker) or {})
        for name, value in values.items():
            value = value.strip()
            if len(value) > MAX_VALUE_LENGTH:
                raise LoginError(f"'{name}' is too long")
            if value:
                merged[name] = value
        await save_broker_credentials(session, user_id, broker, merged)

    async def _credentials(self, session: AsyncSession, user_id: int, broker: str) -> dict[str, str]:
        stored = await get_broker_credentials(session, user_id, broker) or {}
        missing = [f.label for f in self.plugin(broker).manifest.credential_fields if f.required and not stored.get(f.name)]
        if missing:
            raise LoginError(f"Save your {broker} credentials first: {', '.join(missing)}")
        return stored

    # --- OAuth state ---------------------------------------------------------------------------
    def _signature(self, payload: str) -> str:
        return self.app.state.accounts.secrets.sign(f"broker-login:{payload}")[:32]

    def make_state(self, user_id: int, broker: str, now: float | None = None) -> str:
        payload = f"{user_id}.{broker}.{int((now or time.time()) + STATE_TTL_SECONDS)}"
        return f"{payload}.{self._signature(payload)}"

    def check_state(self, state: str, user_id: int, broker: str, now: float | None = None) -> None:
        payload, _, signature = state.rpartition(".")
        parts = payload.split(".")
        if (len(parts) != 3 or not hmac.compare_digest(signature, self._signature(payload))
                or parts[0] != str(user_id) or parts[1] != broker):
            raise LoginError("This broker login link is not valid for your session. Start the login again.")
        if int(parts[2]) < (now or time.time()):
            raise LoginError("The broker login took too long. Start it again.")

    # --- login ---------------------------------------------------------------------------------
    async def start(self, session: AsyncSession, user_id: int, username: str, broker: str,
                    params: Mapping[str, str]) -> dict[str, Any]:
        """OAuth: the URL to send the browser to. Credential brokers: log in now."""
        plugin = self.plugin(broker)
        credentials = await self._credentials(session, user_id, broker)
        self.app.state.broker_sessions.begin_reauthentication(user_id, broker)
        if plugin.manifest.auth_type == AuthType.OAUTH:
            state = self.make_state(user_id, broker)
            prepare = getattr(plugin, "prepare_login", None)
            if prepare is not None:  # brokers that must register the login server-side first (Dhan's consent)
                try:
                    await prepare(credentials, state)
                except BrokerError as exc:
                    raise LoginError(str(exc)) from None
            url = plugin.login_url(credentials, state)
            if url:
                return {"redirect": url, "state": state}
        missing = [f.label for f in plugin.manifest.login_fields if f.required and not str(params.get(f.name, "")).strip()]
        if missing:
            raise LoginError(f"Enter {', '.join(missing)}")
        return await self._finish(session, user_id, username, broker, credentials, params)

    async def callback(self, session: AsyncSession, user_id: int, username: str, broker: str,
                       params: Mapping[str, str], cookie_state: str = "") -> dict[str, Any]:
        """`state` comes back in the query where the broker echoes it, else from the login cookie
        set when the login started (brokers like Dhan return only their own token id)."""
        self.check_state(str(params.get("state") or cookie_state), user_id, broker)
        credentials = await self._credentials(session, user_id, broker)
        return await self._finish(session, user_id, username, broker, credentials, params)

    async def _finish(self, session: AsyncSession, user_id: int, username: str, broker: str,
                      credentials: Mapping[str, str], params: Mapping[str, str]) -> dict[str, Any]:
        plugin = self.plugin(broker)
        try:
            login = await plugin.authenticate(credentials, params)
        except BrokerError as exc:
            raise LoginError(str(exc), 401 if exc.status in (401, 403) else 400) from None
        await self.app.state.broker_sessions.save(session, user_id, login)
        await session.commit()
        await self.after_login(user_id, username, login, plugin)
        return {"broker": broker, "broker_user_id": login.broker_user_id, "expires_at": login.expires_at.isoformat()}

    async def after_login(self, user_id: int, username: str, login: BrokerSession, plugin: BrokerPlugin) -> None:
        """Fresh feeds with the new token, the day's master contract, and every tab told."""
        self.app.state.gateways.forget(user_id)
        await self.app.state.hub.close_feed_account(live_feed_account(login.broker, user_id))
        masters = self.app.state.symbol_masters
        self.app.state.background.spawn(masters.refresh(login.broker, plugin.instrument_provider(login)),
                                        name=f"master contract {login.broker}")
        await self.app.state.hub.publish_user_event(username, "broker_session", {
            "broker": login.broker, "state": "connected", "expires_at": login.expires_at.isoformat()})

    async def logout(self, session: AsyncSession, user_id: int, username: str, broker: str) -> bool:
        revoked = await self.app.state.broker_sessions.revoke(session, user_id, broker)
        await session.commit()
        await self.ended(user_id, username, broker, "Logged out of the broker.")
        return revoked

    async def expired(self, user_id: int, username: str, broker: str) -> None:
        """The broker rejected the token mid-day: revoke it so every worker sees it dead."""
        async with self.app.state.db.sessions() as session:
            await self.app.state.broker_sessions.revoke(session, user_id, broker)
            await session.commit()
        await self.ended(user_id, username, broker, "Broker session expired, log in again.")

    async def ended(self, user_id: int, username: str, broker: str, message: str) -> None:
        self.app.state.gateways.forget(user_id)
        await self.app.state.hub.close_feed_account(live_feed_account(broker, user_id))
        await self.app.state.hub.publish_user_event(username, "broker_session_expired",
                                                    {"broker": broker, "message": message})
