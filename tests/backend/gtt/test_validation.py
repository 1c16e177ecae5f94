"""Bad input to the GTT endpoints: OpenAlgo's messages and status codes, and nothing written."""

from __future__ import annotations

import pytest

from tests.backend.gtt.conftest import OCO, SINGLE, book

GOOD_OCO = {**OCO, "triggerprice_sl": "90", "stoploss": "89", "triggerprice_tg": "110", "target": "111"}


def repr_of(errors: dict) -> str:
    return str(errors)


@pytest.mark.parametrize(("body", "errors"), [
    ({**SINGLE, "trigger_type": "BRACKET", "triggerprice_sl": "90"}, {"trigger_type": ["Must be 'SINGLE' or 'OCO'."]}),
    ({**SINGLE, "product": "MIS", "triggerprice_sl": "90"},
     {"product": ["GTT supports only CNC (delivery) or NRML (overnight F&O); MIS is intraday-only."]}),
    ({**SINGLE, "pricetype": "SL", "triggerprice_sl": "90"}, {"pricetype": ["Must be one of: LIMIT, MARKET."]}),
    ({**SINGLE, "quantity": "0", "triggerprice_sl": "90"}, {"quantity": ["Quantity must be a positive number."]}),
    ({**SINGLE, "quantity": "-3", "triggerprice_sl": "90"}, {"quantity": ["Quantity must be a positive number."]}),
    ({**SINGLE, "quantity": "1.5", "triggerprice_sl": "90"},
     {"quantity": ["Fractional quantity (1.5) is not allowed for non-crypto exchanges."]}),
    ({**SINGLE, "quantity": "two", "triggerprice_sl": "90"}, {"quantity": ["Not a valid number."]}),
    ({**SINGLE, "exchange": "NYSE", "triggerprice_sl": "90"},
     {"exchange": ["Must be one of: NSE, NFO, CDS, BSE, BFO, BCD, MCX, NCDEX, NCO, NSE_INDEX, BSE_INDEX, "
                   "MCX_INDEX, GLOBAL_INDEX, CRYPTO."]}),
    ({**SINGLE, "triggerprice_sl": "-1"}, {"triggerprice_sl": ["Trigger price must be a non-negative number."]}),
    ({**SINGLE}, {"triggerprice_sl": ["SINGLE GTT requires a positive triggerprice_sl or triggerprice_tg."]}),
    ({**SINGLE, "triggerprice_sl": "", "triggerprice_tg": ""},
     {"triggerprice_sl": ["SINGLE GTT requires a positive triggerprice_sl or triggerprice_tg."]}),
    ({**OCO, "triggerprice_sl": "90", "triggerprice_tg": "110"},
     {"stoploss": ["Required for OCO (stoploss price)."], "target": ["Required for OCO (target price)."]}),
    ({**OCO, "stoploss": "89", "target": "111", "triggerprice_tg": "110"},
     {"triggerprice_sl": ["Required for OCO (stoploss trigger)."]}),
    ({**OCO, "stoploss": "89", "target": "", "triggerprice_sl": "90", "triggerprice_tg": "110"},
     {"target": ["Required for OCO (target price)."]}),
    ({**GOOD_OCO, "triggerprice_sl": "120"},
     {"triggerprice_sl": ["Stoploss trigger must be less than target trigger (triggerprice_tg)."]}),
    ({**GOOD_OCO, "triggerprice_sl": "110"},
     {"triggerprice_sl": ["Stoploss trigger must be less than target trigger (triggerprice_tg)."]}),
    ({key: value for key, value in SINGLE.items() if key != "price"} | {"triggerprice_sl": "90"},
     {"price": ["Missing data for required field."]}),
    ({**SINGLE, "triggerprice_sl": "90", "expires_at": "next tuesday"}, {"expires_at": ["Not a valid datetime."]}),
], ids=["trigger_type", "mis", "pricetype", "zero-qty", "negative-qty", "fractional", "qty-type", "exchange",
        "negative-trigger", "single-no-trigger", "single-blank-triggers", "oco-no-prices", "oco-no-sl-trigger",
        "oco-blank-target", "oco-sl-above-tg", "oco-sl-equals-tg", "missing-price", "bad-expiry"])
async def test_place_refuses_bad_input(post, body, errors):
    response = await post("placegttorder", **body)
    assert response.status_code == 400, response.text
    assert response.json() == {"status": "error", "message": repr_of(errors)}
    assert await book(post) == []


async def test_place_checks_the_symbol_and_the_key(post):
    unknown = await post("placegttorder", **{**SINGLE, "symbol": "NOPE", "triggerprice_sl": "90"})
    assert unknown.status_code == 400
    assert unknown.json()["message"].startswith("Symbol 'NOPE' not found for exchange 'NSE'.")
    bad_key = await post("placegttorder", **{**SINGLE, "triggerprice_sl": "90"}, apikey="not-a-key")
    assert bad_key.status_code == 403
    assert bad_key.json() == {"status": "error", "message": "Invalid openalgo apikey"}
    assert await book(post) == []


async def test_child_orders_the_paper_engine_would_refuse_are_refused_on_placement(app, post):
    future = next(i for i in app.state.symbols.search("NIFTY", exchange="NFO", instrumenttype="FUT"))
    cnc_future = await post("placegttorder", **{**SINGLE, "exchange": "NFO", "symbol": future.symbol,
                                                "quantity": str(future.lotsize), "triggerprice_sl": "90",
                                                "price": "90"})
    assert cnc_future.status_code == 400
    assert cnc_future.json()["message"].startswith("CNC product not allowed for NFO derivatives segment.")
    odd_lot = await post("placegttorder", **{**SINGLE, "exchange": "NFO", "symbol": future.symbol, "product": "NRML",
                                             "quantity": str(future.lotsize + 1), "triggerprice_sl": "90",
                                             "price": "90"})
    assert odd_lot.json()["message"] == f"Quantity must be in multiples of lot size {future.lotsize}"
    limit_without_price = await post("placegttorder", **{**SINGLE, "pricetype": "LIMIT", "triggerprice_sl": "90"})
    assert limit_without_price.json() == {"status": "error", "message": "LIMIT orders require price"}
    assert await book(post) == []


async def test_modify_needs_a_trigger_id_and_the_same_rules(post):
    missing = await post("modifygttorder", **{**SINGLE, "triggerprice_sl": "90"})
    assert missing.status_code == 400
    assert missing.json()["message"] == repr_of({"trigger_id": ["Missing data for required field."]})
    empty = await post("modifygttorder", **{**SINGLE, "triggerprice_sl": "90", "trigger_id": ""})
    assert empty.json()["message"] == repr_of({"trigger_id": ["Shorter than minimum length 1."]})
    rules = await post("modifygttorder", **{**SINGLE, "trigger_id": "1", "product": "MIS", "triggerprice_sl": "90"})
    assert rules.status_code == 400 and "MIS is intraday-only" in rules.json()["message"]
    bad_key = await post("modifygttorder", **{**SINGLE, "trigger_id": "1", "triggerprice_sl": "90"}, apikey="nope")
    assert bad_key.status_code == 403


async def test_cancel_refuses_unknown_fields_and_a_blank_id(post):
    extra = await post("cancelgttorder", strategy="x", trigger_id="1", extra="no")
    assert extra.status_code == 400
    assert extra.json()["message"] == repr_of({"extra": ["Unknown field."]})
    missing = await post("cancelgttorder", strategy="x")
    assert missing.json()["message"] == repr_of({"trigger_id": ["Missing data for required field."]})
    blank = await post("cancelgttorder", strategy="x", trigger_id="")
    assert blank.status_code == 400 and blank.json() == {"status": "error", "message": "trigger_id is missing"}
    unknown = await post("cancelgttorder", strategy="x", trigger_id="99999999999999")
    assert unknown.status_code == 404
    assert (await post("cancelgttorder", strategy="x", trigger_id="1", apikey="nope")).status_code == 403


async def test_orderbook_errors_are_field_objects(post):
    extra = await post("gttorderbook", extra="no")
    assert extra.status_code == 400
    assert extra.json() == {"status": "error", "message": {"extra": ["Unknown field."]}}
    empty_key = await post("gttorderbook", apikey="")
    assert empty_key.status_code == 400 and list(empty_key.json()["message"]) == ["apikey"]
    assert (await post("gttorderbook", apikey="nope")).status_code == 403
