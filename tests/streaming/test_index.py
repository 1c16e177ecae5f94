"""The subscription index against a brute-force model, under random add/remove/vanish sequences."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.contract import FeedMode
from streaming.index import Demand, SubscriptionIndex
from tests.fixtures.streaming import make_instrument

KEYS = [("simulator", "NSE", s) for s in ("A", "B", "C")]
operations = st.lists(st.tuples(st.sampled_from(["add", "remove", "vanish", "internal", "internal_off"]),
                                st.integers(0, 3), st.integers(0, 2), st.sampled_from(list(FeedMode))),
                      max_size=60)


@settings(max_examples=200, deadline=None)
@given(operations)
def test_demand_matches_a_brute_force_model_and_nothing_leaks(ops):
    index = SubscriptionIndex()
    model: dict[tuple, set] = {}  # (client, key) → modes; ("internal", token) entries too
    for op, client, key_no, mode in ops:
        key = KEYS[key_no]
        if op == "add":
            index.add(client, key, make_instrument("NSE", key[2]), mode, 5)
            model.setdefault((client, key), set()).add(mode)
        elif op == "remove":
            change = index.remove(client, key, mode)
            held = model.get((client, key), set())
            assert (change is not None) == (mode in held)
            held.discard(mode)
        elif op == "vanish":
            index.remove_client(client)
            model = {k: v for k, v in model.items() if k[0] != client}
        elif op == "internal":
            index.add_internal(100 + client, key, make_instrument("NSE", key[2]), mode, lambda t: None)
            model[("internal", 100 + client, key)] = {mode}
        elif index.remove_internal(100 + client, key) is not None:
            del model[("internal", 100 + client, key)]
        for k in KEYS:
            wanted = [m for entry, modes in model.items() if entry[-1] == k for m in modes]
            entry = index.get(k)
            assert (entry.demand() if entry else None) == (Demand(max(wanted)) if wanted else None)
            if entry:  # every client sits in exactly one audience: its highest mode
                for c, modes in entry.client_modes.items():
                    assert c in entry.audiences[entry.client_audience[c]]
                    assert entry.client_audience[c].mode == max(modes)
    for client in range(4):
        index.remove_client(client)
    for client in range(4):
        for k in KEYS:
            index.remove_internal(100 + client, k)
    assert index.stats() == {"upstream_keys": 0, "clients_with_subscriptions": 0, "internal_subscriptions": 0}
