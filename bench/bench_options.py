"""Options maths and the option-chain endpoint.

1. IV + greeks for 800 options (2 expiries × 200 strikes × CE/PE, NIFTY-like, priced by the
   simulator's smile and rounded to the 0.05 tick): our vectorised numpy pass vs a per-option
   vollib loop (Jäckel's "Let's Be Rational" IV + analytical greeks) and vs opengreeks (Rust), per
   option and in its `*_array` batch form, in the same run. opengreeks' abi3 wheel needs CPython
   ≥ 3.12 (it calls PyErr_SetRaisedException) and this project runs on 3.11, so it is timed in a
   child interpreter named by OPENGREEKS_PYTHON (a 3.12+ venv with opengreeks and numpy), fed the
   same chain; skipped when neither that nor an importable opengreeks is there.
2. `/optionchain` p50 over HTTP for 40 strikes around ATM (strike_count 20), with and without
   greeks, against a real server (one worker, rate limits off).

`uv run python -m bench.bench_options`
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from backend.domains.options.greeks import IVStatus, chain_greeks
from brokers.simulator.pricing import black76_array, smile_vol_array

FORWARD, ATM_VOL, RATE, STEP = 24000.0, 0.13, 0.065, 50.0


def chain_800() -> tuple[np.ndarray, ...]:
    strikes = FORWARD + STEP * np.arange(-100, 100)
    t = np.repeat([4 / 365, 32 / 365], 200)  # a weekly and a monthly expiry
    strike = np.tile(strikes, 2)
    strike, t = np.concatenate([strike, strike]), np.concatenate([t, t])
    call = np.repeat([True, False], 400)
    vol = smile_vol_array(ATM_VOL, np.full(800, FORWARD), strike, t)
    price = np.maximum(np.round(black76_array(np.full(800, FORWARD), strike, t, vol, call, RATE) / 0.05) * 0.05, 0.05)
    return price, strike, t, call


def time_it(function, repeats: int) -> float:
    """Median wall time of one call, in ms."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_maths() -> None:
    price, strike, t, call = chain_800()
    ours = lambda: chain_greeks(price, FORWARD, strike, t, RATE, call)  # noqa: E731
    for _ in range(5):
        ours()
    result = ours()
    solved = int((result.status == IVStatus.OK).sum())
    ours_ms = time_it(ours, 200)
    print(f"\n800 options (2 expiries × 200 strikes × CE/PE): {solved} IVs solved, "
          f"{800 - solved} deep ITM priced at or below intrinsic after tick rounding (status, no IV)")
    print(f"  numpy vectorised IV + 6 greeks : {ours_ms:8.3f} ms per chain ({ours_ms / 800 * 1000:.2f} µs/option)")
    try:
        from vollib.black.greeks import analytical as greeks
        from vollib.black.implied_volatility import implied_volatility
    except ImportError:
        print("  vollib not installed (dev dependency): per-option loop skipped")
        return

    def vollib_loop() -> None:
        for p, k, tt, c in zip(price.tolist(), strike.tolist(), t.tolist(), call.tolist(), strict=True):
            flag = "c" if c else "p"
            try:
                sigma = implied_volatility(p, FORWARD, k, RATE, tt, flag)
            except Exception:  # below intrinsic: vollib raises where we return a status
                continue
            for greek in (greeks.delta, greeks.gamma, greeks.theta, greeks.vega, greeks.rho):
                greek(flag, FORWARD, k, tt, RATE, sigma)

    loop_ms = time_it(vollib_loop, 3)
    print(f"  vollib per-option loop         : {loop_ms:8.1f} ms per chain  → numpy is {loop_ms / ours_ms:,.0f}× faster")
    bench_opengreeks(price, strike, t, call, result, ours_ms)


# Runs in the opengreeks interpreter: times IV + 5 greeks per option and in batch (flag is a
# scalar in the batch API, so one batch per side), and returns the batch IVs for a cross-check.
_OPENGREEKS_PROBE = r"""
import json, statistics, sys, time
import numpy as np
from opengreeks import black76 as og
d = json.load(sys.stdin)
F, r = d["forward"], d["rate"]
price, strike, t, call = (np.array(d[k], dtype=float) for k in ("price", "strike", "t", "call"))
call = call.astype(bool)
def loop():
    for p, k, tt, c in zip(price.tolist(), strike.tolist(), t.tolist(), call.tolist()):
        flag = "c" if c else "p"
        try:
            s = og.implied_volatility(p, F, k, r, tt, flag)
        except ValueError:
            continue
        for g in (og.delta, og.gamma, og.theta, og.vega, og.rho):
            g(flag, F, k, tt, r, s)
sides = [(m, "c" if c else "p") for m, c in ((call, True), (~call, False))]
sides = [(m, f, price[m], np.full(m.sum(), F), strike[m], t[m]) for m, f in sides]
def batch():
    out = np.empty(price.size)
    for m, f, p, fw, k, tt in sides:
        s = og.implied_volatility_array(p, fw, k, r, tt, f)
        out[m] = s
        for g in (og.delta_array, og.gamma_array, og.theta_array, og.vega_array, og.rho_array):
            g(f, fw, k, tt, r, s)
    return out
def median_ms(fn, n):
    for _ in range(3):
        fn()
    xs = []
    for _ in range(n):
        a = time.perf_counter(); fn(); xs.append((time.perf_counter() - a) * 1000)
    return statistics.median(xs)
print(json.dumps({"loop_ms": median_ms(loop, 50), "batch_ms": median_ms(batch, 500),
                  "iv": [v if np.isfinite(v) else None for v in batch().tolist()]}))
"""


def bench_opengreeks(price, strike, t, call, ours, ours_ms: float) -> None:
    python = os.environ.get("OPENGREEKS_PYTHON")
    if not python:
        try:
            import opengreeks  # noqa: F401
            python = sys.executable
        except ImportError:
            print("  opengreeks: not importable here and OPENGREEKS_PYTHON not set (needs CPython ≥ 3.12): skipped")
            return
    payload = json.dumps({"forward": FORWARD, "rate": RATE, "price": price.tolist(), "strike": strike.tolist(),
                          "t": t.tolist(), "call": call.tolist()})
    done = subprocess.run([python, "-c", _OPENGREEKS_PROBE], input=payload, capture_output=True, text=True,
                          timeout=300, check=False)
    if done.returncode != 0:
        print(f"  opengreeks probe failed: {done.stderr.strip().splitlines()[-1:]}")
        return
    row = json.loads(done.stdout)
    theirs = np.array([np.nan if v is None else v for v in row["iv"]])
    ok = (ours.status == IVStatus.OK) & np.isfinite(theirs) & (theirs > 0)
    gap = float(np.abs(theirs[ok] - ours.iv[ok]).max()) if ok.any() else float("nan")
    print(f"  opengreeks per-option loop     : {row['loop_ms']:8.3f} ms per chain  → numpy is "
          f"{row['loop_ms'] / ours_ms:,.1f}× faster")
    print(f"  opengreeks *_array batch       : {row['batch_ms']:8.3f} ms per chain  → numpy/opengreeks = "
          f"{ours_ms / row['batch_ms']:.2f}  (max |ΔIV| on {int(ok.sum())} common solves: {gap:.1e})")


def bench_chain_endpoint(requests: int = 300) -> None:
    import httpx

    from bench.bench_api import create_user
    from bench.harness import load, running_server

    with running_server(workers=1, extra_env={"RATE_LIMIT_ENABLED": "false"}) as server:
        key = create_user(server)
        expiry = httpx.post(f"{server.base_url}/api/v1/expiry", json={
            "apikey": key, "symbol": "NIFTY", "exchange": "NFO", "instrumenttype": "options"}, timeout=30).json()
        code = expiry["data"][1].replace("-", "")
        print("\n/optionchain over HTTP, NIFTY, ATM ± 20 strikes (41 strikes, 82 contracts in one multiquote), 1 worker")
        for greeks in (False, True):
            body = {"apikey": key, "underlying": "NIFTY", "exchange": "NSE_INDEX", "expiry_date": code,
                    "strike_count": 20, "with_greeks": greeks}
            row = load(server, path="/api/v1/optionchain", method="POST", bodies=[body], concurrency=1,
                       requests=requests)
            print(f"  with_greeks={greeks!s:<5}: p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms, "
                  f"{row['rps']:.0f} req/s, statuses {row['statuses']}")


def main() -> None:
    bench_maths()
    bench_chain_endpoint()


if __name__ == "__main__":
    main()
