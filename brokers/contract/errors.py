"""The broker error taxonomy. Plugins translate their wire errors into these at the boundary."""

from __future__ import annotations


class BrokerError(Exception):
    """A broker call failed. `status` is the HTTP status to answer with; the message names the broker."""

    retryable = False

    def __init__(self, broker: str, message: str, status: int = 500) -> None:
        super().__init__(f"{broker}: {message}")
        self.broker = broker
        self.message = message
        self.status = status


class BrokerUnavailable(BrokerError):
    """Network failure, timeout or 5xx: safe to retry for idempotent reads, never for orders."""

    retryable = True

    def __init__(self, broker: str, message: str, status: int = 502) -> None:
        super().__init__(broker, message, status)


class SessionExpired(BrokerError):
    """The broker rejected the token: the user must log in again."""

    def __init__(self, broker: str, message: str = "broker session expired, log in again") -> None:
        super().__init__(broker, message, 401)


class OrderRejected(BrokerError):
    """The broker (or the paper engine) refused the order; the message says why. `orderid` is set
    when the refusal was recorded as a rejected order (OpenAlgo's sandbox returns it)."""

    def __init__(self, broker: str, message: str, status: int = 400, orderid: str | None = None) -> None:
        super().__init__(broker, message, status)
        self.orderid = orderid


class InstrumentNotFound(BrokerError):
    def __init__(self, broker: str, symbol: str, exchange: str) -> None:
        super().__init__(broker, f"Symbol '{symbol}' not found for exchange '{exchange}'", 400)


class UnmappedValue(BrokerError):
    """The broker sent (or we would have to send) a value our mapping tables do not know, e.g. a
    new order status. Reported as it is, never guessed."""

    def __init__(self, broker: str, kind: str, value: object) -> None:
        super().__init__(broker, f"unmapped {kind} {value!r} from the broker", 502)
        self.kind = kind
        self.value = value
