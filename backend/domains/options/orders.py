"""Placing resolved option legs through the caller's gateway (so analyzer mode and the paper
engine apply as for /placeorder), split into child orders like /splitorder when asked."""

from __future__ import annotations

from typing import Any

from backend.api.v1.context import Caller
from backend.api.v1.orders import MAX_SPLIT_ORDERS
from backend.core.errors import AppError
from backend.domains.options.schemas import LegFields
from brokers.contract import Instrument, OrderRequest, Product


def split_sizes(quantity: int, splitsize: int | None) -> list[int]:
    if not splitsize:
        return [quantity]
    full, remainder = divmod(quantity, splitsize)
    sizes = [splitsize] * full + ([remainder] if remainder else [])
    if len(sizes) > MAX_SPLIT_ORDERS:
        raise AppError(f"Total number of orders would exceed maximum limit of {MAX_SPLIT_ORDERS}", 400)
    return sizes


async def place_leg(caller: Caller, instrument: Instrument, leg: LegFields, strategy: str) -> dict[str, Any]:
    """`{"orderid"}` for a plain leg (its placement error propagates as /placeorder's does), or
    `{"total_quantity", "split_size", "results"}` for a split one (child errors are reported)."""
    sizes = split_sizes(leg.quantity, leg.splitsize)

    def request_for(size: int) -> OrderRequest:
        return OrderRequest(symbol=instrument.symbol, exchange=instrument.exchange, action=leg.action,
                            quantity=size, pricetype=leg.pricetype, product=Product(leg.product.value),
                            price=leg.price, trigger_price=leg.trigger_price,
                            disclosed_quantity=leg.disclosed_quantity, strategy=strategy)

    if not leg.splitsize:
        placed = await caller.gateway.execution.place_order(request_for(sizes[0]), instrument)
        return {"orderid": placed["orderid"]}
    results = []
    for number, size in enumerate(sizes, start=1):
        try:
            placed = await caller.gateway.execution.place_order(request_for(size), instrument)
            results.append({"order_num": number, "quantity": size, "status": "success", "orderid": placed["orderid"]})
        except AppError as exc:
            results.append({"order_num": number, "quantity": size, "status": "error", "message": exc.message})
    return {"total_quantity": leg.quantity, "split_size": leg.splitsize, "results": results}
