"""A broker plugin that records every call to its execution client: the broker side of the
analyzer-isolation test. It stands in for a live broker, never for our own code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time
from decimal import Decimal

from brokers.contract import (
    AuthType,
    BrokerManifest,
    BrokerSession,
    Capabilities,
    Depth,
    DepthLevel,
    Funds,
    Instrument,
    Order,
    OrderRequest,
    OrderStatus,
    Quote,
)

PRICE = 100.0


class RecordingExecution:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.placed: list[Order] = []

    async def place_order(self, request: OrderRequest) -> Order:
        self.calls.append("place_order")
        order = Order(f"LIVE{len(self.placed) + 1}", request, OrderStatus.COMPLETE, request.quantity,
                      Decimal(repr(PRICE)), datetime.now(UTC))
        self.placed.append(order)
        return order

    async def modify_order(self, orderid: str, request: OrderRequest) -> Order:
        self.calls.append("modify_order")
        raise AssertionError("not used")

    async def cancel_order(self, orderid: str) -> Order:
        self.calls.append("cancel_order")
        raise AssertionError("not used")

    async def orders(self) -> list[Order]:
        self.calls.append("orders")
        return list(self.placed)

    async def trades(self):
        self.calls.append("trades")
        return []

    async def positions(self):
        self.calls.append("positions")
        return []

    async def holdings(self):
        self.calls.append("holdings")
        return []

    async def funds(self) -> Funds:
        self.calls.append("funds")
        return Funds(availablecash=Decimal("50000"))


class FixedData:
    capabilities = Capabilities()

    async def quote(self, instrument: Instrument) -> Quote:
        return Quote(ltp=PRICE, open=PRICE, high=PRICE + 5, low=PRICE - 5, prev_close=PRICE, bid=PRICE - 0.05,
                     ask=PRICE + 0.05, volume=1000)

    async def multiquote(self, instruments: Sequence[Instrument]) -> dict[str, Quote]:
        return {f"{i.exchange}:{i.symbol}": await self.quote(i) for i in instruments}

    async def depth(self, instrument: Instrument) -> Depth:
        quote = await self.quote(instrument)
        return Depth(quote, bids=[DepthLevel(PRICE - 0.05, 10_000)], asks=[DepthLevel(PRICE + 0.05, 10_000)])

    async def history(self, instrument, interval, start, end):
        return []


class RecordingBroker:
    """Everything a live plugin offers, with every execution call written to `calls`."""

    manifest = BrokerManifest("fakelive", "Fake Live", AuthType.TOTP)
    capabilities = Capabilities()
    session_rollover = time(3, 30)

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.execution = RecordingExecution(self.calls)

    def login_url(self, credentials: Mapping[str, str], state: str) -> str | None:
        return None

    async def authenticate(self, credentials, params) -> BrokerSession:
        raise AssertionError("not used")

    def data_client(self, session: BrokerSession, instruments=None) -> FixedData:
        return FixedData()

    def execution_client(self, session: BrokerSession, instruments=None) -> RecordingExecution:
        self.calls.append("execution_client")
        return self.execution

    def streaming_adapter(self, session, instruments=None):
        raise AssertionError("not used")

    def instrument_provider(self, session=None):
        raise AssertionError("not used")

    async def close(self) -> None:
        pass
