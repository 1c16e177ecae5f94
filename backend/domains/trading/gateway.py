"""Routing in one place, by composition: each user's gateway pairs a data client with an
execution client (style.md, "the one idea").

| mode                | data client                      | execution client  |
| live                | the user's broker                | the user's broker |
| analyzer (paper)    | the user's broker (or simulator) | the paper engine  |
| simulator (default) | the synthetic market             | the paper engine  |

The analyzer flag must take effect on every worker before the next order, or a paper order could
reach a live broker. So the profile is cached in-process only where one process is the whole
deployment (SQLite, one worker), and the routes that change it drop the cached copy; with
PostgreSQL or several workers it is read on every call (one primary-key lookup).

Paper orders keep following the gateway's market after placement: each carries its market source
(market_sources.py), so the paper feed and the safety poll use the same market as the placement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from backend.core.db import Database
from backend.core.errors import AppError
from backend.domains.accounts.schemas import AuthenticatedUser
from backend.domains.brokers.sessions import BrokerSessions
from backend.domains.sandbox.service import SandboxService
from backend.domains.symbols.masters import SymbolMasters
from backend.domains.symbols.service import SymbolMaster
from backend.domains.trading.execution import PaperExecution
from backend.domains.trading.live import LiveExecution
from backend.domains.trading.market_sources import SIMULATOR, market_source
from backend.domains.trading.service import ProfileView, get_profile
from brokers.contract import BrokerPlugin, DataClient

log = logging.getLogger("algogate.trading")


class BrokerUnavailableError(AppError):
    status = 404


class BrokerSessionError(AppError):
    """No usable broker login: not connected, or expired at the broker's daily rollover."""

    status = 403


@dataclass(frozen=True)
class Gateway:
    user: AuthenticatedUser
    profile: ProfileView
    data: DataClient
    execution: PaperExecution | LiveExecution
    symbols: SymbolMaster  # the master contract of the user's broker

    @property
    def broker(self) -> str:
        return self.profile.broker

    @property
    def analyze(self) -> bool:
        return self.profile.analyze_mode


@dataclass
class GatewayResolver:
    db: Database
    default_broker: str
    simulator_data: DataClient | None
    sandbox: SandboxService  # the one paper engine
    sessions: BrokerSessions
    plugins: dict[str, BrokerPlugin]  # live brokers by name (the registry's)
    masters: SymbolMasters
    latency: Any = None  # LatencyRecorder, for the latency log
    cache_profiles: bool = False  # only when this process is the only writer (see module doc)
    # Each called with (user, broker, order) for every order a live broker acknowledged.
    live_order_listeners: list = field(default_factory=list)
    _profiles: dict[int, ProfileView] = field(default_factory=dict)

    def forget(self, user_id: int) -> None:
        """Call after changing a user's profile (analyzer mode, broker, order mode)."""
        self._profiles.pop(user_id, None)

    async def for_user(self, user: AuthenticatedUser) -> Gateway:
        profile = self._profiles.get(user.id)
        if profile is not None and profile.broker == SIMULATOR:
            data: DataClient | None = self.simulator_data
            if data is not None:  # the hot path: no database round trip at all
                execution = PaperExecution(self.sandbox, user.id, data, analyze=profile.analyze_mode,
                                           latency=self.latency, source=SIMULATOR)
                return Gateway(user=user, profile=profile, data=data, execution=execution,
                               symbols=self.masters.get(SIMULATOR))
        async with self.db.sessions() as session:
            profile = await get_profile(session, user.id, self.default_broker)
            if self.cache_profiles:
                self._profiles[user.id] = profile
            if profile.broker == SIMULATOR:
                if self.simulator_data is None:
                    raise BrokerUnavailableError("Broker-specific module not found")
                data = self.simulator_data
                live = None
            else:
                plugin = self.plugins.get(profile.broker)
                if plugin is None:
                    raise BrokerUnavailableError("Broker-specific module not found")
                login = await self.sessions.load(session, user.id, profile.broker)
                if login is None:
                    status = await self.sessions.status(session, user.id, profile.broker)
                    raise BrokerSessionError(status.message or "Log in to your broker first.")
                master = await self.masters.loaded(profile.broker)
                data = plugin.data_client(login, master)
                # In analyzer mode the live execution client is never even built.
                live = None if profile.analyze_mode else plugin.execution_client(login, master)
        if live is None:  # analyzer mode or the simulator: the paper engine, and only it, sees orders
            execution = PaperExecution(self.sandbox, user.id, data, analyze=profile.analyze_mode, latency=self.latency,
                                       source=market_source(profile.broker, user.id))
        else:
            execution = LiveExecution(profile.broker, live, user.id, latency=self.latency,
                                      on_order=partial(self._live_order, user))
        return Gateway(user=user, profile=profile, data=data, execution=execution,
                       symbols=self.masters.get(profile.broker))

    def _live_order(self, user: AuthenticatedUser, user_id: int, broker: str, order) -> None:
        for listener in self.live_order_listeners:
            try:
                listener(user, broker, order)
            except Exception:  # an announcement must never fail the order call
                log.exception("live order listener failed")

    async def profile_for(self, user_id: int) -> ProfileView:
        profile = self._profiles.get(user_id)
        if profile is None:
            async with self.db.sessions() as session:
                profile = await get_profile(session, user_id, self.default_broker)
            if self.cache_profiles:
                self._profiles[user_id] = profile
        return profile

    async def symbols_for(self, user: AuthenticatedUser) -> SymbolMaster:
        """The master contract of the user's broker, without needing a live broker login (symbol
        search and lookups work before the day's broker login)."""
        return await self.masters.loaded((await self.profile_for(user.id)).broker)
