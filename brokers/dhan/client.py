"""One user's authenticated view of the plugin's shared BrokerHttp."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from brokers.common.http import BrokerHttp
from brokers.contract.plugin import BrokerSession
from brokers.contract.protocols import InstrumentLookup
from brokers.contract.types import Exchange, Instrument
from brokers.dhan.errors import check

log = logging.getLogger("algogate.brokers.dhan")
IST = ZoneInfo("Asia/Kolkata")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")


class DhanApi:
    def __init__(self, http: BrokerHttp, session: BrokerSession, instruments: InstrumentLookup) -> None:
        self.http = http
        self.instruments = instruments
        self.client_id = session.extra.get("client_id") or session.broker_user_id
        # Data APIs insist on `client-id`; OpenAlgo sends it on order calls too, which Dhan accepts.
        self._headers = {"access-token": session.access_token, "client-id": self.client_id,
                         "Accept": "application/json"}

    async def call(self, method: str, path: str, *, group: str, order: bool = False,
                   json: dict | None = None, allow_error=None) -> Any:
        """`allow_error(body)` may turn a documented error answer into a value (empty holdings)."""
        headers = dict(self._headers)
        if json is not None:
            headers["Content-Type"] = "application/json"
        response = await self.http.request(method, path, group=group, json=json, headers=headers)
        if allow_error is not None:
            try:
                found = allow_error(response)
            except ValueError:
                found = None
            if found is not None:
                return found
        return check(response, order=order)

    def lookup(self, exchange: Exchange | None, security_id: str, trading_symbol: str = "",
               segment: str = "") -> Instrument | None:
        found = self.instruments.by_token(exchange.value, security_id) if exchange else None
        if found is None and trading_symbol and segment:
            found = self.instruments.by_brsymbol(segment, trading_symbol)
        if found is None:
            log.warning("dhan row %s/%s (%s) is not in the master contract", segment, security_id, trading_symbol)
        return found


def parse_time(text: Any) -> datetime | None:
    """Dhan's book times are IST wall-clock strings; 'NA' or empty when unset."""
    if not text or not isinstance(text, str) or text.strip().upper() in ("NA", "0", "NULL"):
        return None
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=IST)
        except ValueError:
            continue
    return None


def num(value: Any, default: float = 0.0) -> float:
    try:
        return float(value) if value is not None and value != "" else default
    except (TypeError, ValueError):
        return default
