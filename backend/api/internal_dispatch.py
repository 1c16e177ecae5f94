"""Run an OpenAlgo order call on a user's behalf, through the very handlers `/api/v1` serves.

Approved Action Center orders and strategy alerts are API-key calls in OpenAlgo; calling the
handler (not the broker) keeps one path for validation, routing (live vs analyzer, decided at
execution time) and the semi-auto check. The user's own API key is decrypted for the call, so a
user without a key cannot automate."""

from __future__ import annotations

import time
from typing import Any

import orjson
from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError

from backend.core.clock import utcnow
from backend.core.errors import AppError
from backend.core.logging import request_id_var
from backend.domains.accounts.service import get_api_key


def _handlers() -> dict[str, tuple[Any, type[BaseModel]]]:
    from backend.api.v1 import gtt, options, orders, schemas
    from backend.domains.options.schemas import OptionsMultiOrderRequest, OptionsOrderRequest

    return {
        "placeorder": (orders.place_order, schemas.PlaceOrderRequest),
        "placesmartorder": (orders.place_smart_order, schemas.SmartOrderRequest),
        "basketorder": (orders.basket_order, schemas.BasketOrderRequest),
        "splitorder": (orders.split_order, schemas.SplitOrderRequest),
        "optionsorder": (options.options_order, OptionsOrderRequest),
        "optionsmultiorder": (options.options_multi_order, OptionsMultiOrderRequest),
        "closeposition": (orders.close_position, schemas.StrategyRequest),
        "placegttorder": (gtt.place_gtt_order, schemas.PlaceGttRequest),
    }


def _request(app: FastAPI, api_type: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": f"/api/v1/{api_type}", "raw_path": b"",
                    "query_string": b"", "headers": [], "app": app, "state": {}, "client": ("127.0.0.1", 0)})


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors())


class InternalDispatcher:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.handlers = _handlers()

    async def __call__(self, user_id: int, api_type: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body) exactly as the endpoint would have answered."""
        handler, schema = self.handlers[api_type]
        async with self.app.state.db.sessions() as session:
            key = await get_api_key(session, user_id)
        if key is None:
            return 403, {"status": "error", "message": "No API key: generate one on the API key page"}
        try:
            body = schema.model_validate({**data, "apikey": key})
        except ValidationError as exc:
            return 400, {"status": "error", "message": _validation_message(exc)}
        request = _request(self.app, api_type)
        started = time.perf_counter()
        try:
            status, answer = 200, await handler(body, request)
        except AppError as exc:
            status, answer = exc.status, {"status": "error", "message": exc.message, **exc.extra}
        self._log(request, api_type, data, status, answer, started)
        return status, answer

    def _log(self, request: Request, api_type: str, data: dict[str, Any], status: int, answer: dict[str, Any],
             started: float) -> None:
        """Into the API log (and so the analyzer view) like a request from outside; no key is stored."""
        writer = getattr(self.app.state, "log_writer", None)
        if writer is None:
            return
        writer.submit("api", {
            "created_at": utcnow(), "user_id": getattr(request.state, "user_id", None), "client_ip": "internal",
            "path": f"/api/v1/{api_type}", "status": status, "mode": getattr(request.state, "trading_mode", ""),
            "duration_ms": (time.perf_counter() - started) * 1000, "request_id": request_id_var.get() or "",
            "request_body": orjson.dumps(data), "response_body": orjson.dumps(answer, default=str)})
