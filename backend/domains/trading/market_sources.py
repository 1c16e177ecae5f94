"""Market sources: which market moves each paper account after placement.

A simulator user's paper orders follow the simulator's shared feed; an analyzer-mode user of a
live broker follows their own broker (style.md: in analyzer mode the data client is the user's
broker). A source is named like the hub's feed account that carries it — "simulator", or
"broker:user_id" — so the paper feed subscribes on exactly that account, and the safety poll and
the sweep quote it with that user's broker data client, built from the stored broker session.

The source is derived from the user's profile (their broker), never stored with orders: after a
restart or on another worker the same lookup gives the same answer, and when a user changes broker
their resting orders follow the new one. A source whose broker session is missing or expired has
no market at all: its orders wait, they never fall back to the simulator's prices.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.domains.brokers.logins import live_feed_account
from backend.domains.trading.repository import TradingProfileRepository
from brokers.contract import BrokerSession, DataClient, Instrument

if TYPE_CHECKING:
    from backend.domains.trading.gateway import GatewayResolver

SIMULATOR = "simulator"


def market_source(broker: str, user_id: int) -> str:
    """The source a user's paper orders follow: the shared simulator, or their own broker feed."""
    return SIMULATOR if broker == SIMULATOR else live_feed_account(broker, user_id)


def broker_account(source: str) -> tuple[str, int] | None:
    """(broker, user id) of a live source; None for the simulator."""
    broker, _, user_id = source.partition(":")
    return (broker, int(user_id)) if user_id.isdigit() else None


@dataclass
class MarketSources:
    """The sandbox's `MarketDirectory`, over the gateway resolver's profiles, broker sessions,
    plugins and master contracts."""

    gateways: GatewayResolver

    async def market_sources(self, user_ids: Collection[int]) -> dict[int, str]:
        async with self.gateways.db.sessions() as session:
            brokers = await TradingProfileRepository(session).brokers_of(user_ids)
        default = self.gateways.default_broker
        return {user_id: market_source(brokers.get(user_id, default), user_id) for user_id in user_ids}

    async def _login(self, source: str) -> tuple[str, BrokerSession] | None:
        account = broker_account(source)
        if account is None or account[0] not in self.gateways.plugins:
            return None
        broker, user_id = account
        async with self.gateways.db.sessions() as session:
            login = await self.gateways.sessions.load(session, user_id, broker)
        return (broker, login) if login is not None else None

    async def market_for(self, source: str) -> DataClient | None:
        """REST quotes of the source: the simulator's, or the user's broker with their stored
        session; None when there is no usable session."""
        if source == SIMULATOR:
            return self.gateways.simulator_data
        found = await self._login(source)
        if found is None:
            return None
        broker, login = found
        return self.gateways.plugins[broker].data_client(login, await self.gateways.masters.loaded(broker))

    async def feed_session(self, source: str) -> str | None:
        """An identity of the session that can feed `source` (a new one at every broker login), or
        None when no feed is possible now. The simulator's feed is always there."""
        if source == SIMULATOR:
            return SIMULATOR
        found = await self._login(source)
        if found is None:
            return None
        login = found[1]
        digest = hashlib.sha256(f"{login.access_token}\0{login.feed_token or ''}".encode())
        return digest.hexdigest()

    async def instrument(self, source: str, exchange: str, symbol: str) -> Instrument | None:
        """The instrument in the master contract of the source's broker (its own tokens)."""
        account = broker_account(source)
        broker = SIMULATOR if account is None else account[0]
        return (await self.gateways.masters.loaded(broker)).get(exchange, symbol)
