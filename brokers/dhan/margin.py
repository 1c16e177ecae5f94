"""Dhan's margin calculator (`/v2/margincalculator`, `/multi` for baskets with hedge benefit)."""

from __future__ import annotations

from collections.abc import Sequence

from brokers.contract.errors import BrokerError
from brokers.contract.types import OrderRequest
from brokers.dhan.client import num
from brokers.dhan.mapping import ACTION, BROKER, EXCHANGE, PRODUCT
from brokers.dhan.market import fetch_ltps
from brokers.dhan.orders import DhanExecution

# Dhan documents snake_case for /multi, but live answers can be camelCase: read both.
FIELDS = {"total_margin_required": ("totalMargin", "total_margin"), "span_margin": ("spanMargin", "span_margin"),
          "exposure_margin": ("exposureMargin", "exposure_margin")}


class DhanExecutionWithMargin(DhanExecution):
    """The execution client plus MarginClient.margin (capabilities.basket_margin is True)."""

    async def margin(self, requests: Sequence[OrderRequest]) -> dict[str, float]:
        if not requests:
            raise BrokerError(BROKER, "margin needs at least one position", 400)
        instruments = [self._instrument(request) for request in requests]
        unpriced = [i for r, i in zip(requests, instruments, strict=True) if r.price <= 0]
        ltps = await fetch_ltps(self.api, unpriced) if unpriced else {}
        scrips = []
        for request, instrument in zip(requests, instruments, strict=True):
            price = float(request.price) if request.price > 0 else ltps.get((instrument.exchange.value,
                                                                            instrument.token), 0.0)
            scrip = {"dhanClientId": self.api.client_id, "exchangeSegment": EXCHANGE.to_broker(request.exchange),
                     "transactionType": ACTION.to_broker(request.action), "quantity": int(request.quantity),
                     "productType": PRODUCT.to_broker(request.product), "securityId": instrument.token,
                     "price": price}
            if request.trigger_price > 0:
                scrip["triggerPrice"] = float(request.trigger_price)
            scrips.append(scrip)
        if len(scrips) == 1:
            answer = await self.api.call("POST", "/v2/margincalculator", group="other", json=scrips[0])
        else:
            body = {"dhanClientId": self.api.client_id, "includePosition": True, "includeOrder": True,
                    "scripList": [{k: v for k, v in s.items() if k != "dhanClientId"} for s in scrips]}
            answer = await self.api.call("POST", "/v2/margincalculator/multi", group="other", json=body)
        if not isinstance(answer, dict):
            raise BrokerError(BROKER, "unexpected margin answer", 502)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else answer
        return {ours: num(next((data[k] for k in names if k in data), 0.0)) for ours, names in FIELDS.items()}
