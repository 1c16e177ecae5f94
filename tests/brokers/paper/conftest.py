"""Pure-engine fixtures: the in-memory store, the manual clock and the quote board."""

from __future__ import annotations

import pytest

from brokers.paper.calendar import AlwaysOpenCalendar
from brokers.paper.engine import PaperEngine
from brokers.paper.store import InMemoryStore


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def engine(store, clock) -> PaperEngine:
    return PaperEngine(store, calendar=AlwaysOpenCalendar(), clock=clock)
