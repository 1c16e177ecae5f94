"""The OpenAPI document describes every /api/v1 response (issue 5: a generated client needs no hand
edits), and the documented models match what the endpoints really send, live and in analyzer mode."""

from __future__ import annotations

import types
from datetime import date, timedelta
from typing import Any, Union, get_args, get_origin

import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from backend.api.v1 import responses as r
from backend.api.v1 import responses_data as rd
from tests.backend.api_v1.conftest import ORDER


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def json_schema(doc: dict[str, Any], operation: dict[str, Any], code: str) -> dict[str, Any]:
    return resolve(doc, operation["responses"][code]["content"]["application/json"]["schema"])


def prop(doc: dict[str, Any], schema: dict[str, Any], *names: str) -> dict[str, Any]:
    for name in names:
        assert name in schema.get("required", []), f"{name} is required in {schema.get('title')}"
        schema = resolve(doc, schema["properties"][name])
        if schema.get("type") == "array":
            schema = resolve(doc, schema["items"])
    return schema


def types_of(schema: dict[str, Any]) -> set[str]:
    return {schema["type"]} if "type" in schema else {t["type"] for t in schema.get("anyOf", [])}


def options_paths() -> set[str]:
    """Paths served by backend/api/v1/options.py (documented by the options work, not checked here)."""
    try:
        from backend.api.v1 import options
    except ImportError:
        return set()
    routers = [value for value in vars(options).values() if isinstance(value, APIRouter)]
    return {"/api/v1" + route.path for router in routers for route in router.routes}


async def test_every_v1_operation_documents_its_responses(client):
    doc = (await client.get("/openapi.json")).json()
    skipped = options_paths()
    operations = [(path, method) for path, item in doc["paths"].items()
                  if path.startswith("/api/v1/") and path not in skipped for method in item]
    assert len(operations) >= 33, operations
    for path, method in operations:
        operation = doc["paths"][path][method]
        ok = json_schema(doc, operation, "200")
        assert ok.get("type") == "object" and ok.get("properties"), f"{method} {path}: 200 is undocumented"
        assert prop(doc, ok, "status").get("const") == "success", f"{method} {path}"
        for code in ("400", "403"):
            error = json_schema(doc, operation, code)
            assert prop(doc, error, "status").get("const") == "error", f"{method} {path} {code}"
            assert "message" in error["required"], f"{method} {path} {code}"

    paths = doc["paths"]
    place = json_schema(doc, paths["/api/v1/placeorder"]["post"], "200")
    assert prop(doc, place, "orderid")["type"] == "string"
    assert {"const": "analyze", "type": "string"} in place["properties"]["mode"]["anyOf"]
    assert json_schema(doc, paths["/api/v1/placeorder"]["post"], "429")["title"] == "ErrorResponse"
    assert types_of(prop(doc, json_schema(doc, paths["/api/v1/placeorder"]["post"], "400"), "message")) == {"string"}
    funds_error = json_schema(doc, paths["/api/v1/funds"]["post"], "400")
    assert types_of(prop(doc, funds_error, "message")) == {"string", "object"}
    quotes = json_schema(doc, paths["/api/v1/quotes"]["post"], "200")
    assert prop(doc, quotes, "data", "ltp")["type"] == "number"
    assert prop(doc, quotes, "data", "volume")["type"] == "integer"
    multi = json_schema(doc, paths["/api/v1/multiquotes"]["post"], "200")
    assert prop(doc, multi, "results", "symbol")["type"] == "string"
    assert "invalid_symbols" in json_schema(doc, paths["/api/v1/multiquotes"]["post"], "400")["properties"]
    funds = json_schema(doc, paths["/api/v1/funds"]["post"], "200")
    assert types_of(prop(doc, funds, "data", "availablecash")) == {"string", "number"}
    orders = json_schema(doc, paths["/api/v1/orderbook"]["post"], "200")
    assert prop(doc, orders, "data", "orders", "orderid")["type"] == "string"
    assert prop(doc, json_schema(doc, paths["/api/v1/history"]["post"], "200"), "data", "timestamp")["type"] == "integer"
    options_error = json_schema(doc, paths["/api/v1/optionsymbol"]["post"], "400")
    assert "errors" in options_error["properties"]
    assert "text/plain" in paths["/api/v1/ticker/{ticker}"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in paths["/api/v1/instruments"]["get"]["responses"]["200"]["content"]
    for path in ("/api/v1/placegttorder", "/api/v1/modifygttorder", "/api/v1/cancelgttorder"):
        operation = paths[path]["post"]
        assert prop(doc, json_schema(doc, operation, "200"), "trigger_id")["type"] == "string", path
        assert "501" in operation["responses"], path
    gtt_book = json_schema(doc, paths["/api/v1/gttorderbook"]["post"], "200")
    assert prop(doc, gtt_book, "data", "legs", "quantity")["type"] == "integer"
    assert prop(doc, gtt_book, "data", "trigger_prices")["type"] == "number"
    for path in ("/api/v1/optionsymbol", "/api/v1/pnl/symbols"):  # bodies parsed by hand are documented too
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert "apikey" in body["required"], path


# --- the documented models match real responses --------------------------------------------------


def models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Union, types.UnionType, list) or get_args(annotation):
        return [model for arg in get_args(annotation) for model in models_in(arg)]
    return []


def undocumented(model: type[BaseModel], value: Any, where: str = "") -> list[str]:
    """Keys of `value` that `model` (recursively) does not declare."""
    found: list[str] = []
    if not isinstance(value, dict):
        return found
    for key, item in value.items():
        field = model.model_fields.get(key)
        if field is None:
            found.append(f"{where}.{key}")
            continue
        for sub in models_in(field.annotation):
            for element in item if isinstance(item, list) else [item]:
                if isinstance(element, dict):
                    found += undocumented(sub, element, f"{where}.{key}")
    return found


def conforms(model: type[BaseModel], response) -> None:
    body = response.json()
    model.model_validate(body, strict=True)  # JSON types and required fields
    assert undocumented(model, body) == [], f"{response.request.url.path}: {body}"


@pytest.mark.parametrize("analyze", [False, True], ids=["live", "analyzer"])
async def test_real_responses_match_their_documented_models(post, analyze):
    assert (await post("analyzer/toggle", mode=analyze)).status_code == 200
    placed = await post("placeorder", **ORDER)
    conforms(r.OrderIdResponse, placed)
    orderid = placed.json()["orderid"]
    conforms(r.OrderStatusResponse, await post("orderstatus", strategy="t", orderid=orderid))
    conforms(r.OpenPositionResponse, await post("openposition", strategy="t", symbol="SBIN", exchange="NSE",
                                                product="MIS"))
    conforms(r.SmartOrderResponse, await post("placesmartorder", **ORDER, position_size="1"))
    conforms(r.SplitOrderResponse, await post("splitorder", **{**ORDER, "quantity": "3"}, splitsize=2))
    conforms(r.BasketOrderResponse, await post("basketorder", strategy="t", orders=[
        {key: ORDER[key] for key in ("symbol", "exchange", "action", "quantity", "pricetype", "product")},
        {"symbol": "NOPE", "exchange": "NSE", "action": "SELL", "quantity": "1"}]))
    for endpoint, model in (("orderbook", r.OrderBookResponse), ("tradebook", r.TradeBookResponse),
                            ("positionbook", r.PositionBookResponse), ("holdings", r.HoldingsResponse),
                            ("funds", r.FundsResponse), ("ping", rd.PingResponse), ("analyzer", rd.AnalyzerResponse),
                            ("intervals", rd.IntervalsResponse)):
        response = await post(endpoint)
        assert response.status_code == 200, response.text
        conforms(model, response)
    if analyze:
        conforms(r.SymbolPnlResponse, await post("pnl/symbols"))
    conforms(r.CancelAllResponse, await post("cancelallorder", strategy="t"))
    conforms(r.ClosePositionResponse, await post("closeposition", strategy="t"))
    conforms(rd.QuotesResponse, await post("quotes", symbol="SBIN", exchange="NSE"))
    conforms(rd.DepthResponse, await post("depth", symbol="SBIN", exchange="NSE"))
    conforms(rd.MultiQuotesResponse, await post("multiquotes", symbols=[{"symbol": "SBIN", "exchange": "NSE"},
                                                                        {"symbol": "NOPE", "exchange": "NSE"}]))
    end = date.today()
    history = await post("history", symbol="SBIN", exchange="NSE", interval="D",
                         start_date=(end - timedelta(days=10)).isoformat(), end_date=end.isoformat())
    assert history.status_code == 200, history.text
    conforms(rd.HistoryResponse, history)
    conforms(rd.SymbolResponse, await post("symbol", symbol="SBIN", exchange="NSE"))
    conforms(rd.SearchResponse, await post("search", query="SBIN"))
    conforms(rd.ExpiryResponse, await post("expiry", symbol="NIFTY", exchange="NFO", instrumenttype="futures"))
    conforms(rd.HolidaysResponse, await post("market/holidays", year=2026))
    conforms(rd.TimingsResponse, await post("market/timings", date="2026-03-10"))
    conforms(r.MarginResponse, await post("margin", positions=[
        {"symbol": "SBIN", "exchange": "NSE", "action": "BUY", "quantity": "1", "product": "MIS",
         "pricetype": "MARKET"}]))

    gtt = {"strategy": "t", "trigger_type": "OCO", "exchange": "NSE", "symbol": "SBIN", "action": "BUY",
           "product": "CNC", "quantity": "1", "price": "0", "triggerprice_sl": "1", "stoploss": "1",
           "triggerprice_tg": "100000", "target": "100000"}
    placed_gtt = await post("placegttorder", **gtt)
    conforms(r.GttIdResponse, placed_gtt)
    conforms(r.GttOrderBookResponse, await post("gttorderbook"))
    trigger_id = placed_gtt.json()["trigger_id"]
    conforms(r.GttIdResponse, await post("modifygttorder", **gtt, trigger_id=trigger_id))
    conforms(r.GttIdResponse, await post("cancelgttorder", strategy="t", trigger_id=trigger_id))
    conforms(r.ErrorResponse, await post("placegttorder", **{**gtt, "product": "MIS"}))
    conforms(r.FieldErrorResponse, await post("gttorderbook", extra="x"))

    conforms(r.ErrorResponse, await post("placeorder", **{**ORDER, "quantity": "0"}))
    conforms(r.ErrorResponse, await post("placeorder", **ORDER, apikey="wrong"))
    conforms(r.FieldErrorResponse, await post("funds", extra="x"))
    conforms(r.MultiQuotesErrorResponse, await post("multiquotes", symbols=[{"symbol": "NOPE", "exchange": "NSE"}]))
    conforms(r.OptionsErrorResponse, await post("optionsymbol", underlying="NIFTY", exchange="NFO"))
