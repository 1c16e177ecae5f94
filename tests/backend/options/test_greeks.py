"""The options maths against textbook values (Hull, *Options, Futures, and Other Derivatives*) and
against an independent implementation (vollib, Jäckel's "Let's Be Rational") over a grid.

Tolerances: textbook values are printed to 2–3 significant digits, so they are matched to the
printed precision; vollib prices/greeks to 1e-9 absolute; implied vols to 1e-7 wherever vega is
material (≥ 1e-3 per vol point per unit forward), the precision any quoted price can carry.
"""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pytest

from backend.core.clock import IST
from backend.domains.options.greeks import (
    IVStatus,
    black76,
    black76_greeks,
    bsm,
    bsm_greeks,
    chain_greeks,
    expiry_cutoff,
    implied_vol_black76,
    implied_vol_bsm,
    years_between,
)

vollib = pytest.importorskip("vollib")
from vollib.black import black as v_black  # noqa: E402
from vollib.black.greeks import analytical as v_bg  # noqa: E402
from vollib.black.implied_volatility import implied_volatility as v_black_iv  # noqa: E402
from vollib.black_scholes_merton import black_scholes_merton as v_bsm  # noqa: E402
from vollib.black_scholes_merton.greeks import analytical as v_mg  # noqa: E402

# --- textbook values --------------------------------------------------------------------------

def test_hull_black_scholes_example_prices():
    # Hull Example 15.6: S0=42, K=40, r=10%, σ=20%, T=0.5 → c = 4.76, p = 0.81.
    assert bsm(42, 40, 0.5, 0.2, 0.1, 0.0, True) == pytest.approx(4.76, abs=0.005)
    assert bsm(42, 40, 0.5, 0.2, 0.1, 0.0, False) == pytest.approx(0.81, abs=0.005)


def test_hull_index_option_with_dividend_yield():
    # Hull Example 17.1: index call, S0=930, K=900, r=8%, q=3%, σ=20%, T=2/12 → c = 51.83.
    assert bsm(930, 900, 2 / 12, 0.2, 0.08, 0.03, True) == pytest.approx(51.83, abs=0.005)


def test_hull_black76_futures_put():
    # Hull Example 18.6: futures put, F0=20, K=20, r=9%, σ=25%, T=4/12 → p = 1.12.
    assert black76(20, 20, 4 / 12, 0.25, 0.09, False) == pytest.approx(1.12, abs=0.005)


def test_hull_greeks_of_the_running_example():
    # Hull ch. 19 (S0=49, K=50, r=5%, σ=20%, T=20/52): c=2.40, Δ=0.522, Γ=0.066, Θ=−4.31/yr,
    # vega=12.1 per unit σ, ρ=8.91 per unit r. Ours: Θ per day, vega and ρ per 1 point.
    g = bsm_greeks(49, 50, 20 / 52, 0.2, 0.05, 0.0, True)
    assert float(g.price) == pytest.approx(2.40, abs=0.005)
    assert float(g.delta) == pytest.approx(0.522, abs=0.0005)
    assert float(g.gamma) == pytest.approx(0.066, abs=0.0005)
    assert float(g.theta) * 365 == pytest.approx(-4.31, abs=0.005)
    assert float(g.vega) * 100 == pytest.approx(12.1, abs=0.05)
    assert float(g.rho) * 100 == pytest.approx(8.91, abs=0.005)


def test_hull_implied_volatility_example():
    # Hull §15.11: a call worth 1.875 with S0=21, K=20, r=10%, T=0.25 has σ_imp ≈ 0.235.
    sigma, status = implied_vol_bsm(1.875, 21, 20, 0.25, 0.1, 0.0, True)
    assert status == IVStatus.OK
    assert float(sigma) == pytest.approx(0.235, abs=0.0005)


# --- against vollib over a grid ------------------------------------------------------------------

def _grid():
    rng = np.random.default_rng(20261129)
    n = 400
    forward = 100.0
    strike = forward * np.exp(rng.uniform(-0.6, 0.6, n))
    t = rng.uniform(1 / 365, 1.5, n)
    vol = rng.uniform(0.05, 1.0, n)
    rate = rng.uniform(0.0, 0.12, n)
    call = rng.random(n) < 0.5
    return forward, strike, t, vol, rate, call


def test_black76_prices_and_greeks_match_vollib():
    forward, strike, t, vol, rate, call = _grid()
    ours = black76_greeks(forward, strike, t, vol, rate, call)
    for i in range(len(strike)):
        flag = "c" if call[i] else "p"
        args = (flag, forward, strike[i], t[i], rate[i], vol[i])
        assert ours.price[i] == pytest.approx(v_black(*args), abs=1e-9)
        assert ours.delta[i] == pytest.approx(v_bg.delta(*args), abs=1e-9)
        assert ours.gamma[i] == pytest.approx(v_bg.gamma(*args), abs=1e-9)
        assert ours.theta[i] == pytest.approx(v_bg.theta(*args), abs=1e-9)
        assert ours.vega[i] == pytest.approx(v_bg.vega(*args), abs=1e-9)
        assert ours.rho[i] == pytest.approx(v_bg.rho(*args), abs=1e-9)


def test_bsm_prices_and_greeks_match_vollib():
    _, strike, t, vol, rate, call = _grid()
    spot, q = 100.0, 0.015
    ours = bsm_greeks(spot, strike, t, vol, rate, q, call)
    for i in range(len(strike)):
        args = ("c" if call[i] else "p", spot, strike[i], t[i], rate[i], vol[i], q)
        assert ours.price[i] == pytest.approx(v_bsm(*args), abs=1e-9)
        assert ours.delta[i] == pytest.approx(v_mg.delta(*args), abs=1e-9)
        assert ours.gamma[i] == pytest.approx(v_mg.gamma(*args), abs=1e-9)
        assert ours.theta[i] == pytest.approx(v_mg.theta(*args), abs=1e-9)
        assert ours.vega[i] == pytest.approx(v_mg.vega(*args), abs=1e-9)
        assert ours.rho[i] == pytest.approx(v_mg.rho(*args), abs=1e-9)


def test_implied_vol_round_trips_and_matches_vollib():
    forward, strike, t, vol, rate, call = _grid()
    price = black76(forward, strike, t, vol, rate, call)
    sigma, status = implied_vol_black76(price, forward, strike, t, rate, call)
    material = black76_greeks(forward, strike, t, vol, rate, call).vega >= 1e-3
    assert material.sum() > 300
    assert (status[material] == IVStatus.OK).all()
    assert np.abs(sigma[material] - vol[material]).max() < 1e-7
    for i in np.flatnonzero(material)[:120]:
        theirs = v_black_iv(price[i], forward, strike[i], rate[i], t[i], "c" if call[i] else "p")
        assert sigma[i] == pytest.approx(theirs, abs=1e-7)


def test_implied_vol_in_the_far_wings_and_at_the_money():
    forward, t = 24000.0, 60 / 365
    strike = np.array([17000.0, 21000.0, 24000.0, 27000.0, 33000.0, 40000.0])
    vol = np.array([0.45, 0.22, 0.12, 0.18, 0.4, 0.2])
    # The time value is the out-of-the-money twin's price; below a paisa no quote can carry a vol.
    time_value = np.minimum(black76(forward, strike, t, vol, 0.065, True),
                            black76(forward, strike, t, vol, 0.065, False))
    priced = time_value > 0.01
    assert priced.sum() == 5  # all but the 40000 strike
    for call in (True, False):
        price = black76(forward, strike, t, vol, 0.065, call)
        sigma, status = implied_vol_black76(price, forward, strike, t, 0.065, call)
        assert (status[priced] == IVStatus.OK).all()
        assert np.abs(sigma[priced] - vol[priced]).max() < 1e-6


def test_statuses_instead_of_nan():
    forward, strike, t = 100.0, np.array([80.0, 80.0, 100.0, 100.0, 120.0, 100.0]), 0.5
    intrinsic_call = 20.0
    price = np.array([intrinsic_call - 1.0, intrinsic_call, 0.0, 150.0, 5.0, 5.0])
    times = np.array([t, t, t, t, t, 0.0])
    sigma, status = implied_vol_black76(price, forward, strike, times, 0.0, True)
    assert list(status) == [IVStatus.BELOW_INTRINSIC, IVStatus.NO_TIME_VALUE, IVStatus.NO_PRICE,
                            IVStatus.ABOVE_MAXIMUM, IVStatus.OK, IVStatus.EXPIRED]
    assert np.isfinite(sigma).all()
    result = chain_greeks(price, forward, strike, times, 0.0, True)
    for field in ("price", "delta", "gamma", "theta", "vega", "rho"):
        values = getattr(result.greeks, field)
        assert np.isfinite(values).all()
        assert (values[status != IVStatus.OK] == 0).all()


def test_put_call_parity_and_bsm_equals_black_on_the_forward():
    spot, strike, t, vol, r, q = 100.0, np.array([90.0, 100.0, 110.0]), 0.75, 0.3, 0.07, 0.02
    call, put = bsm(spot, strike, t, vol, r, q, True), bsm(spot, strike, t, vol, r, q, False)
    np.testing.assert_allclose(call - put, spot * np.exp(-q * t) - strike * np.exp(-r * t), atol=1e-10)
    forward = spot * np.exp((r - q) * t)
    np.testing.assert_allclose(call, black76(forward, strike, t, vol, r, True), atol=1e-10)


def test_time_to_expiry_counts_calendar_time_to_the_close():
    cutoff = expiry_cutoff(date(2026, 12, 1), "NFO")
    assert cutoff == datetime(2026, 12, 1, 15, 30, tzinfo=IST)
    assert expiry_cutoff(date(2026, 12, 1), "CDS").time() == time(12, 30)
    assert expiry_cutoff(date(2026, 12, 1), "MCX").time() == time(23, 30)
    # Friday 15:30 to Tuesday 15:30 is four calendar days: weekends count (ACT/365).
    assert years_between(datetime(2026, 11, 27, 15, 30, tzinfo=IST), cutoff) == pytest.approx(4 / 365)


def test_fast_halley_rows_it_settles_are_exact_and_the_rest_fall_back():
    # Normalised prices over a grid far wider than any chain (|ln K/F| up to 5, σ√T from 0.005 to
    # 4): the unguarded fast path must either settle a row to 1e-12 or hand it to the bracketed
    # solver, and the two together must solve every row.
    from backend.domains.options.greeks import _fast_halley, _normalised_otm_call, _solve_normalised

    rng = np.random.default_rng(7)
    x = -rng.uniform(0.0, 5.0, 20000)
    x[:200] = 0.0
    s = np.exp(rng.uniform(np.log(0.005), np.log(4.0), x.size))
    beta, slope = _normalised_otm_call(x, s)
    quoted = (beta > 1e-300) & (beta < np.exp(0.5 * x)) & (slope > 1e-12)
    x, s, beta = x[quoted], s[quoted], beta[quoted]
    fast, settled = _fast_halley(x, beta)
    assert settled.mean() > 0.75
    assert np.abs(fast[settled] / s[settled] - 1).max() < 1e-12
    solved, converged = _solve_normalised(x.copy(), beta.copy(), 1e-12)
    assert converged.all()
    assert np.abs(solved / s - 1).max() < 1e-11


def test_a_chain_of_tick_rounded_prices_solves_on_the_fast_path():
    # The benchmark's chain: 800 NIFTY-like options priced off the simulator's smile and rounded
    # to the 0.05 tick. Every solved IV reprices its option to 1e-8 rupees.
    from bench.bench_options import FORWARD, RATE, chain_800

    price, strike, t, call = chain_800()
    result = chain_greeks(price, FORWARD, strike, t, RATE, call)
    ok = result.status == IVStatus.OK
    assert ok.sum() > 700
    repriced = black76(FORWARD, strike[ok], t[ok], result.iv[ok], RATE, call[ok])
    assert np.abs(repriced - price[ok]).max() < 1e-8
