"""Options maths and the option-chain endpoint.

1. IV + greeks for 800 options (2 expiries × 200 strikes × CE/PE, NIFTY-like, priced by the
   simulator's smile and rounded to the 0.05 tick): our vectorised numpy pass vs a per-option
   vollib loop (Jäckel's "Let's Be Rational" IV + analytical greeks), in the same run. opengreeks
   (Rust) is not measured: its wheel needs CPython ≥ 3.12 and this project runs on 3.11.
2. `/optionchain` p50 over HTTP for 40 strikes around ATM (strike_count 20), with and without
   greeks, against a real server (one worker, rate limits off).

`uv run python -m bench.bench_options`
"""

from __future__ import annotations

import statistics
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
