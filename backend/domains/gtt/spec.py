"""A GTT as the simulated book keeps it: the canonical request plus, per leg, the side of the
market it waits for. "below" fires when LTP ≤ trigger (a stop-loss, `triggerprice_sl`), "above"
when LTP ≥ trigger (a target, `triggerprice_tg`); comparisons are inclusive, as OpenAlgo's sandbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from brokers.contract import Action, GttLeg, GttRequest, PriceType, Product

Side = Literal["below", "above"]
E4 = Decimal(10_000)


def to_e4(value: Decimal) -> int:
    return int((value * E4).to_integral_value(ROUND_HALF_UP))


def from_e4(value: int) -> Decimal:
    return (Decimal(value) / E4).normalize() + 0  # `+ 0` turns 1E+3 back into 1000


@dataclass(frozen=True)
class GttSpec:
    request: GttRequest
    sides: tuple[Side, ...]  # one per leg, legs ascending by trigger

    def trigger_on(self, side: Side) -> Decimal | None:
        return next((leg.trigger_price for leg, s in zip(self.request.legs, self.sides, strict=True) if s == side),
                    None)

    def legs_json(self) -> str:
        return json.dumps([{"side": side, "trigger": str(leg.trigger_price), "action": str(leg.action),
                            "quantity": leg.quantity, "price": str(leg.price), "pricetype": str(leg.pricetype),
                            "product": str(leg.product)}
                           for leg, side in zip(self.request.legs, self.sides, strict=True)])


def legs_from_json(text: str) -> list[tuple[Side, GttLeg, str]]:
    """(side, leg, leg status) per stored leg; the status is "" until the GTT fires."""
    return [(item["side"], GttLeg(trigger_price=Decimal(item["trigger"]), action=Action(item["action"]),
                                  quantity=int(item["quantity"]), price=Decimal(item["price"]),
                                  pricetype=PriceType(item["pricetype"]), product=Product(item["product"])),
             item.get("status", ""))
            for item in json.loads(text)]


def mark_fired(text: str, fired: int) -> str:
    """The legs after leg `fired` triggered: OCO's other leg is cancelled with it."""
    items = json.loads(text)
    for index, item in enumerate(items):
        item["status"] = "triggered" if index == fired else "cancelled"
    return json.dumps(items)


def unmark(text: str) -> str:
    items = json.loads(text)
    for item in items:
        item.pop("status", None)
    return json.dumps(items)


def leg_hit(triggers: tuple[tuple[Side, Decimal], ...], ltp: Decimal) -> int | None:
    """Index of the leg that `ltp` reaches, or None. A price can reach only one side of an OCO
    (sl < tg is enforced), so the first match is the only one."""
    if ltp <= 0:
        return None  # no trade yet: never fire on a missing price
    for index, (side, trigger) in enumerate(triggers):
        if (side == "below" and ltp <= trigger) or (side == "above" and ltp >= trigger):
            return index
    return None
