"""Every options endpoint documents its 200 and error envelopes, and the documented models declare
every key the endpoints really send (so a generated client needs no hand edits)."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel

from backend.api.v1 import options

PATHS = ["/api/v1" + route.path for router in (options.router, options.greeks_router) for route in router.routes]


async def test_options_operations_document_their_responses(client):
    doc = (await client.get("/openapi.json")).json()
    assert len(PATHS) == 15
    for path in PATHS:
        responses = doc["paths"][path]["post"]["responses"]
        ok = responses["200"]["content"]["application/json"]["schema"]
        assert "$ref" in ok, path
        assert "400" in responses, path
        bad_key = "401" if "greeks" in path else "403"
        assert bad_key in responses, (path, sorted(responses))


def model_of(path: str) -> type[BaseModel]:
    for router in (options.router, options.greeks_router):
        for route in router.routes:
            if isinstance(route, APIRoute) and "/api/v1" + route.path == path:
                return route.responses[200]["model"]
    raise KeyError(path)


def undeclared(model: type[BaseModel], value: Any, where: str = "") -> list[str]:
    found = []
    for key, item in value.items():
        field = model.model_fields.get(key)
        if field is None:
            found.append(f"{where}.{key}")
            continue
        nested = [a for a in _args(field.annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        for element in item if isinstance(item, list) else [item]:
            if isinstance(element, dict) and nested:
                found += undeclared(nested[0], element, f"{where}.{key}")
    return found


def _args(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [inner for arg in args for inner in _args(arg)]


async def test_documented_models_cover_real_responses(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    nifty = {"underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": expiry}
    chain = (await post("optionchain", **nifty, strike_count=2, with_greeks=True)).json()
    call = chain["chain"][2]["ce"]["symbol"]
    calls = {
        "/api/v1/optionchain": chain,
        "/api/v1/syntheticfuture": (await post("syntheticfuture", **nifty)).json(),
        "/api/v1/optiongreeks": (await post("optiongreeks", symbol=call, exchange="NFO")).json(),
        "/api/v1/multioptiongreeks": (await post("multioptiongreeks", symbols=[
            {"symbol": call, "exchange": "NFO"}, {"symbol": "BAD", "exchange": "NFO"}])).json(),
        "/api/v1/optionsorder": (await post("optionsorder", strategy="t", **nifty, offset="ATM", option_type="CE",
                                            action="BUY", quantity=130, splitsize=65)).json(),
        "/api/v1/optionsmultiorder": (await post("optionsmultiorder", strategy="t", **nifty, legs=[
            {"offset": "ATM", "option_type": "PE", "action": "BUY", "quantity": 65},
            {"offset": "ATM", "option_type": "CE", "action": "SELL", "quantity": 130, "splitsize": 65}])).json(),
    }
    for name in ("gex", "ivsmile", "maxpain", "oiprofile", "straddle", "volsurface", "straddlechart", "ivhistory",
                 "oitracker"):
        calls[f"/api/v1/options/{name}"] = (await post(f"options/{name}", **nifty, strike_count=3)).json()
    for path, body in calls.items():
        assert body["status"] in ("success", "partial"), (path, body)
        assert undeclared(model_of(path), body) == [], path
