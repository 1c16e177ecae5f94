"""What an approved pending order records as its broker order id(s)."""

from backend.domains.automation.action_center import order_ids


def test_orders_gtts_and_baskets_are_all_recorded():
    assert order_ids({"status": "success", "orderid": "25112900001"}) == "25112900001"
    assert order_ids({"status": "success", "trigger_id": "23132604291205"}) == "23132604291205"
    assert order_ids({"status": "success", "results": [{"orderid": "1"}, {"orderid": "2"}, {"error": "x"}]}) == "1,2"
    many = order_ids({"results": [{"orderid": f"{n:020d}"} for n in range(20)]})
    assert len(many) <= 255 and many.endswith("(+19 more)")
    assert order_ids({"status": "error", "message": "rejected"}) == ""
