"""Two-way value tables between OpenAlgo's values and Noren's (reference §5), per member broker
so an unmapped value names the broker it came from."""

from __future__ import annotations

from dataclasses import dataclass

from brokers.common.mapping import ValueMap
from brokers.contract.types import Action, Exchange, OrderStatus, PriceType, Product


def normalise_status(value: object) -> str:
    """Noren statuses come in mixed spellings: upper-case and `_` → space."""
    return str(value or "").strip().upper().replace("_", " ")


@dataclass(frozen=True)
class NorenMaps:
    exchanges: ValueMap
    products: ValueMap
    price_types: ValueMap
    actions: ValueMap
    validity: ValueMap
    order_status: ValueMap

    def status(self, value: object) -> OrderStatus:
        return self.order_status.from_broker(normalise_status(value))


def maps_for(broker: str) -> NorenMaps:
    return NorenMaps(
        exchanges=ValueMap(broker, "exchange", {
            Exchange.NSE: "NSE", Exchange.BSE: "BSE", Exchange.NFO: "NFO", Exchange.BFO: "BFO",
            Exchange.CDS: "CDS", Exchange.MCX: "MCX",
        }),
        products=ValueMap(broker, "product", {Product.CNC: "C", Product.NRML: "M", Product.MIS: "I"}),
        price_types=ValueMap(broker, "price type", {
            PriceType.MARKET: "MKT", PriceType.LIMIT: "LMT", PriceType.SL: "SL-LMT", PriceType.SL_M: "SL-MKT",
        }, {"SLMKT": PriceType.SL_M, "SLLMT": PriceType.SL}),
        actions=ValueMap(broker, "action", {Action.BUY: "B", Action.SELL: "S"}),
        validity=ValueMap(broker, "validity", {"DAY": "DAY", "IOC": "IOC", "EOS": "EOS"}),
        # REST order book: TRIGGER PENDING reads as open, so the UI offers modify/cancel (as OpenAlgo).
        order_status=ValueMap(broker, "order status", {
            OrderStatus.COMPLETE: "COMPLETE", OrderStatus.OPEN: "OPEN", OrderStatus.REJECTED: "REJECTED",
            OrderStatus.CANCELLED: "CANCELED",
        }, {
            "PENDING": OrderStatus.OPEN, "NEW": OrderStatus.OPEN, "REPLACED": OrderStatus.OPEN,
            "OPEN PENDING": OrderStatus.OPEN, "MODIFY PENDING": OrderStatus.OPEN,
            "CANCEL PENDING": OrderStatus.OPEN, "AFTER MARKET ORDER REQ RECEIVED": OrderStatus.OPEN,
            "TRIGGER PENDING": OrderStatus.OPEN, "REJECT": OrderStatus.REJECTED,
            "CANCELLED": OrderStatus.CANCELLED,
        }),
    )


def our_exchange(maps: NorenMaps, brexchange: str) -> Exchange:
    return maps.exchanges.from_broker(brexchange)


def wire_exchange(maps: NorenMaps, exchange: Exchange | str) -> str:
    """Indices are quoted and traded on their cash exchange."""
    exchange = Exchange(exchange)
    if exchange == Exchange.NSE_INDEX:
        return "NSE"
    if exchange == Exchange.BSE_INDEX:
        return "BSE"
    return maps.exchanges.to_broker(exchange)
