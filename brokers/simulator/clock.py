"""SimClock: the simulator's notion of "now" — real time by default, controllable for tests.

Modes: real (wall clock), frozen (a fixed instant), stepped (frozen, moved by `advance`), and
accelerated (runs `speed`× faster than the wall clock from a chosen start). Every market
computation takes its time from here, so a test that freezes the clock gets exact numbers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


def _epoch(moment: datetime | float) -> float:
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("SimClock needs a timezone-aware datetime")
        return moment.timestamp()
    return float(moment)


class SimClock:
    def __init__(self, *, start: datetime | float | None = None, speed: float = 1.0, frozen: bool = False) -> None:
        self._wall_origin = time.time()
        self._sim_origin = self._wall_origin if start is None else _epoch(start)
        self._speed = speed
        self._frozen = frozen
        self._real = start is None and speed == 1.0 and not frozen

    # --- constructors -----------------------------------------------------------------------
    @classmethod
    def real(cls) -> SimClock:
        return cls()

    @classmethod
    def frozen_at(cls, moment: datetime | float) -> SimClock:
        return cls(start=moment, frozen=True)

    @classmethod
    def accelerated(cls, start: datetime | float, speed: float) -> SimClock:
        return cls(start=start, speed=speed)

    # --- reading ----------------------------------------------------------------------------
    def time(self) -> float:
        """Epoch seconds (UTC) of the simulated now."""
        if self._real:
            return time.time()
        if self._frozen:
            return self._sim_origin
        return self._sim_origin + (time.time() - self._wall_origin) * self._speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), UTC)

    def now_ms(self) -> int:
        return int(self.time() * 1000)

    @property
    def is_real(self) -> bool:
        return self._real

    @property
    def speed(self) -> float:
        return 0.0 if self._frozen else self._speed

    # --- control ----------------------------------------------------------------------------
    def freeze(self, at: datetime | float | None = None) -> None:
        self._sim_origin = self.time() if at is None else _epoch(at)
        self._frozen, self._real = True, False

    def advance(self, seconds: float) -> None:
        """Step a frozen clock (or jump a running one) forward by `seconds` of simulated time."""
        self._sim_origin += seconds
        if self._real:
            self._sim_origin = time.time() + seconds
            self._wall_origin = time.time()
            self._real = False

    def set_speed(self, speed: float) -> None:
        now = self.time()
        self._wall_origin, self._sim_origin = time.time(), now
        self._speed, self._frozen, self._real = speed, False, False
