"""Request and response shapes of the accounts domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuthenticatedUser:
    """Who is calling. Routers depend on this, never on the ORM row."""

    id: int
    username: str
    is_admin: bool
