"""Run under the openalgo SDK's own venv (see test_openalgo_sdk.py): drives its feed client against
our hub and prints one JSON report on stdout."""

import json
import sys
import time

from openalgo import api

port = int(sys.argv[1])
client = api(api_key=sys.argv[2], host="http://127.0.0.1:5000", ws_port=port)
report = {"connected": client.connect(), "ltp": [], "quote": [], "depth": []}
nifty = [{"exchange": "NSE", "symbol": "SBIN"}]
client.subscribe_ltp(nifty, on_data_received=lambda m: report["ltp"].append(m))
client.subscribe_quote([{"exchange": "NSE", "symbol": "TCS"}], on_data_received=lambda m: report["quote"].append(m))
client.subscribe_depth([{"exchange": "NSE", "symbol": "INFY"}], on_data_received=lambda m: report["depth"].append(m))
deadline = time.time() + 20
while time.time() < deadline and not (report["ltp"] and report["quote"] and report["depth"]):
    time.sleep(0.05)
report["get_ltp"] = client.get_ltp()
report["get_quotes"] = client.get_quotes()
report["get_depth"] = client.get_depth()
client.unsubscribe_ltp(nifty)
client.disconnect()
print(json.dumps(report, default=str))
