"""Routing in one place, by composition: each user's gateway pairs a data client with an
execution client (style.md, "the one idea").

| mode                | data client                      | execution client  |
| live                | the user's broker                | the user's broker |
| analyzer (paper)    | the user's broker (or simulator) | the paper engine  |
| simulator (default) | the synthetic market             | the paper engine  |

The analyzer flag is read from the database on every call (one primary-key lookup) rather than
cached: a toggle on one worker must take effect on every worker before the next order, or a paper
order could reach a live broker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.core.db import Database
from backend.core.errors import AppError
from backend.domains.accounts.schemas import AuthenticatedUser
from backend.domains.sandbox.service import SandboxService
from backend.domains.trading.execution import PaperExecution
from backend.domains.trading.service import ProfileView, get_profile
from brokers.contract import DataClient

SIMULATOR = "simulator"


class BrokerUnavailableError(AppError):
    status = 404


@dataclass(frozen=True)
class Gateway:
    user: AuthenticatedUser
    profile: ProfileView
    data: DataClient
    execution: PaperExecution  # live brokers bring an execution facade with the same methods

    @property
    def broker(self) -> str:
        return self.profile.broker

    @property
    def analyze(self) -> bool:
        return self.profile.analyze_mode

    @property
    def paper(self) -> bool:
        """Orders go to the paper engine (analyzer mode, or the simulator broker)."""
        return self.analyze or self.broker == SIMULATOR


@dataclass
class GatewayResolver:
    db: Database
    default_broker: str
    simulator_data: DataClient | None
    sandbox: SandboxService  # the one paper engine

    async def for_user(self, user: AuthenticatedUser) -> Gateway:
        async with self.db.sessions() as session:
            profile = await get_profile(session, user.id, self.default_broker)
            await session.commit()
        if profile.broker != SIMULATOR:
            # Live brokers arrive with the broker issues; until a plugin and a session exist, say so.
            raise BrokerUnavailableError(f"Broker '{profile.broker}' is not connected. Log in to your broker first.",
                                         403)
        if self.simulator_data is None:
            raise BrokerUnavailableError("Broker-specific module not found")
        data = self.simulator_data
        execution = PaperExecution(self.sandbox, user.id, data, analyze=profile.analyze_mode)
        return Gateway(user=user, profile=profile, data=data, execution=execution)
