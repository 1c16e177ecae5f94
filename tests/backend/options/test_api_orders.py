"""/optionsorder and /optionsmultiorder: resolution by offset, placement through the paper engine."""

from __future__ import annotations

import pytest

LOT = 65  # NIFTY lot size in the simulator
STEP = 50


async def atm_strike(post, expiry: str) -> float:
    chain = (await post("optionchain", underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                        strike_count=1)).json()
    return chain["atm_strike"]


def order(expiry: str, **change) -> dict:
    return {"strategy": "test", "underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": expiry,
            "offset": "ATM", "option_type": "CE", "action": "BUY", "quantity": LOT, "pricetype": "MARKET",
            "product": "NRML", **change}


async def orderbook(post) -> list[dict]:
    """Orders in the order they were placed (the book lists newest first)."""
    return list(reversed((await post("orderbook")).json()["data"]["orders"]))


async def test_options_order_resolves_the_offset_and_places_it(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    atm = await atm_strike(post, expiry)
    response = await post("optionsorder", **order(expiry, offset="itm2", option_type="ce"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success" and body["orderid"]
    assert body["symbol"] == f"NIFTY{expiry}{int(atm - 2 * STEP)}CE" and body["exchange"] == "NFO"
    assert (body["underlying"], body["offset"], body["option_type"]) == ("NIFTY", "itm2", "CE")
    assert abs(body["underlying_ltp"] - atm) <= STEP / 2 and "mode" not in body
    [placed] = await orderbook(post)
    assert (placed["orderid"], placed["symbol"], placed["action"], placed["quantity"]) == \
        (body["orderid"], body["symbol"], "BUY", LOT)
    put = (await post("optionsorder", **order(expiry, offset="OTM3", option_type="PE", action="SELL"))).json()
    assert put["symbol"] == f"NIFTY{expiry}{int(atm - 3 * STEP)}PE"


async def test_options_order_split_and_analyze_mode(post, expiries):
    expiry = expiries("NIFTY", "NFO")[0]
    toggled = await post("analyzer/toggle", mode=True)
    assert toggled.status_code == 200, toggled.text
    body = (await post("optionsorder", **order(expiry, quantity=3 * LOT, splitsize=LOT))).json()
    assert body["status"] == "success" and body["mode"] == "analyze" and "orderid" not in body
    assert (body["total_quantity"], body["split_size"]) == (3 * LOT, LOT)
    assert [(r["order_num"], r["quantity"], r["status"]) for r in body["results"]] == \
        [(1, LOT, "success"), (2, LOT, "success"), (3, LOT, "success")]


@pytest.mark.parametrize(("change", "status", "fragment"), [
    ({"offset": "OTM25", "underlying": "RELIANCE", "exchange": "NSE"}, 400, "Offset OTM25 is out of range"),
    ({"offset": "XTM1"}, 400, "Invalid offset: XTM1"),
    ({"expiry_date": "02JAN26"}, 400, "Option contract expired on 02-Jan-2026"),
    ({"expiry_date": "30DEC30"}, 404, "No strikes found for NIFTY expiring 30DEC30"),
    ({"expiry_date": None}, 400, "Expiry date required"),
    ({"underlying": "NOTASTOCK", "exchange": "NSE"}, 400, "Unknown underlying"),
    ({"quantity": 10}, 400, "lot size"),
])
async def test_options_order_bad_input(post, expiries, change, status, fragment):
    body = order(expiries("RELIANCE" if change.get("underlying") == "RELIANCE" else "NIFTY", "NFO")[0], **change)
    response = await post("optionsorder", **{k: v for k, v in body.items() if v is not None})
    assert response.status_code == status, response.text
    assert fragment in response.json()["message"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"product": "CNC"}, "product", "Must be one of: MIS, NRML."),
    ({"quantity": 0}, "quantity", "Quantity must be a positive integer."),
    ({"option_type": "XX"}, "option_type", "Must be one of: CE, PE."),
    ({"strike_int": 0}, "strike_int", "Must be greater than or equal to 1."),
])
async def test_options_order_validation_shape(post, change, field, message):
    response = await post("optionsorder", **order("29DEC26", **change))
    assert response.status_code == 400
    assert response.json() == {"status": "error", "message": "Validation error", "errors": {field: [message]}}


async def test_multi_order_buys_before_sells_and_reports_by_leg(post, expiries):
    near, far = expiries("NIFTY", "NFO")[:2]
    atm = await atm_strike(post, near)
    legs = [
        {"offset": "OTM2", "option_type": "CE", "action": "SELL", "quantity": LOT},
        {"offset": "OTM2", "option_type": "PE", "action": "SELL", "quantity": LOT},
        {"offset": "OTM5", "option_type": "CE", "action": "BUY", "quantity": LOT},
        {"offset": "OTM5", "option_type": "PE", "action": "BUY", "quantity": 2 * LOT, "splitsize": LOT,
         "product": "MIS"},
        {"offset": "ATM", "option_type": "CE", "action": "BUY", "quantity": LOT, "expiry_date": far},
        {"offset": "OTM60", "option_type": "CE", "action": "SELL", "quantity": LOT},
    ]
    response = await post("optionsmultiorder", strategy="condor", underlying="NIFTY", exchange="NSE_INDEX",
                          expiry_date=near, legs=legs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success" and body["underlying"] == "NIFTY" and "mode" not in body
    results = body["results"]
    assert [r["leg"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert [r["status"] for r in results] == ["success"] * 5 + ["error"]
    assert results[0]["symbol"] == f"NIFTY{near}{int(atm + 2 * STEP)}CE"
    assert results[3]["symbol"] == f"NIFTY{near}{int(atm - 5 * STEP)}PE" and results[3]["product"] == "MIS"
    assert [c["quantity"] for c in results[3]["split_results"]] == [LOT, LOT]
    assert results[4]["symbol"].startswith(f"NIFTY{far}") and results[4]["mode"] == "live"
    assert results[5]["message"] == "Invalid offset: OTM60" and "symbol" not in results[5]
    placed = await orderbook(post)
    assert [o["action"] for o in placed] == ["BUY"] * 4 + ["SELL"] * 2  # 3 buy legs, one split in two
    assert placed[-2]["symbol"] == results[0]["symbol"]


async def test_multi_order_validation(post):
    empty = await post("optionsmultiorder", strategy="s", underlying="NIFTY", exchange="NSE_INDEX",
                       expiry_date="29DEC26", legs=[])
    assert empty.status_code == 400
    assert empty.json() == {"status": "error", "message": "Validation error",
                            "errors": {"legs": ["Legs must contain 1 to 20 items."]}}
    bad_leg = await post("optionsmultiorder", strategy="s", underlying="NIFTY", exchange="NSE_INDEX",
                         expiry_date="29DEC26", legs=[{"offset": "ATM", "option_type": "CE", "action": "HOLD",
                                                       "quantity": 65}])
    assert bad_leg.status_code == 400
    assert bad_leg.json()["errors"] == {"legs": {"0": {"action": ["Must be one of: BUY, SELL."]}}}
