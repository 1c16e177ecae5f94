"""Two-way value tables (xts.md §1, §5), built per member so errors name the member broker."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from brokers.common.mapping import ValueMap
from brokers.contract.errors import UnmappedValue
from brokers.contract.types import Action, Exchange, Instrument, OrderStatus, PriceType, Product

# String segment ↔ numeric segment (quotes, subscriptions, socket payloads).
SEGMENT_CODES = {"NSECM": 1, "NSEFO": 2, "NSECD": 3, "BSECM": 11, "BSEFO": 12, "BSECD": 13, "NCDEX": 21,
                 "MCXFO": 51}
SEGMENT_NAMES = {code: name for name, code in SEGMENT_CODES.items()}
INDEX_SEGMENTS = {Exchange.NSE_INDEX: "NSECM", Exchange.BSE_INDEX: "BSECM"}


@dataclass(frozen=True)
class XtsMaps:
    broker: str

    @cached_property
    def exchanges(self) -> ValueMap:
        return ValueMap(self.broker, "exchange", {
            Exchange.NSE: "NSECM", Exchange.NFO: "NSEFO", Exchange.CDS: "NSECD", Exchange.BSE: "BSECM",
            Exchange.BFO: "BSEFO", Exchange.MCX: "MCXFO"}, case_insensitive=True)

    @cached_property
    def products(self) -> ValueMap:
        return ValueMap(self.broker, "product", {Product.CNC: "CNC", Product.NRML: "NRML", Product.MIS: "MIS"},
                        case_insensitive=True)

    @cached_property
    def price_types(self) -> ValueMap:
        # Requests use upper case, order books CamelCase (`StopLimit`): one case-insensitive table.
        return ValueMap(self.broker, "price type", {
            PriceType.MARKET: "MARKET", PriceType.LIMIT: "LIMIT", PriceType.SL: "STOPLIMIT",
            PriceType.SL_M: "STOPMARKET"}, case_insensitive=True)

    @cached_property
    def actions(self) -> ValueMap:
        return ValueMap(self.broker, "action", {Action.BUY: "BUY", Action.SELL: "SELL"}, case_insensitive=True)

    @cached_property
    def validity(self) -> ValueMap:
        return ValueMap(self.broker, "validity", {"DAY": "DAY", "IOC": "IOC"}, case_insensitive=True)

    @cached_property
    def order_status(self) -> ValueMap:
        return ValueMap(self.broker, "order status", {
            OrderStatus.OPEN: "New", OrderStatus.COMPLETE: "Filled", OrderStatus.CANCELLED: "Cancelled",
            OrderStatus.REJECTED: "Rejected", OrderStatus.TRIGGER_PENDING: "Trigger Pending",
        }, inbound_extra={
            # Working states of an order that is still live at the exchange.
            "PartiallyFilled": OrderStatus.OPEN, "PendingNew": OrderStatus.OPEN, "PendingCancel": OrderStatus.OPEN,
            "PendingReplace": OrderStatus.OPEN, "Replaced": OrderStatus.OPEN, "Open": OrderStatus.OPEN,
            "TriggerPending": OrderStatus.TRIGGER_PENDING,
        }, case_insensitive=True)

    def segment(self, instrument: Instrument) -> str:
        """The string segment of an instrument (indices ride on their cash segment)."""
        if instrument.exchange in INDEX_SEGMENTS:
            return INDEX_SEGMENTS[instrument.exchange]
        return self.exchanges.to_broker(instrument.exchange)

    def segment_code(self, instrument: Instrument) -> int:
        return SEGMENT_CODES[self.segment(instrument)]

    def segment_name(self, code: object) -> str:
        """Numeric (or already string) segment → string segment."""
        if isinstance(code, str) and not code.isdigit():
            return code.upper()
        try:
            return SEGMENT_NAMES[int(code)]  # type: ignore[arg-type]
        except (KeyError, TypeError, ValueError):
            raise UnmappedValue(self.broker, "exchange segment", code) from None
