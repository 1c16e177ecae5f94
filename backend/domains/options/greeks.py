"""Black-76 and Black-Scholes-Merton prices, greeks and implied volatility, vectorised over chains.

Conventions (the same as OpenAlgo's, which reports py_vollib's Black model):
* time in years = calendar seconds to the expiry's cut-off / (365 × 86,400) — ACT/365, counting
  nights and weekends, because theta is quoted per calendar day;
* theta per calendar day, vega per 1 volatility point, rho per 1 rate point (all ÷ 365 or ÷ 100);
* Black-76 deltas are discounted (∂V/∂F = e^(−rT)·N(d1)) and Black-76 rho holds the forward fixed
  (ρ = −T·V), as py_vollib's `black` does.

Implied volatility is solved on the out-of-the-money twin (put-call parity: its price is the time
value), in Jäckel's normalised form b(x, s) with x = ln(F/K) ≤ 0 and s = σ√T, by Halley iteration
on his per-region objectives: two unguarded full-width passes from a tabulated start settle nearly
every option (`_fast_halley`), and a bracketed solver takes the rest (`_solve_bracketed`). Every
input gets a status, so no NaN ever reaches a JSON body.

Speed (bench/bench_options.py, 800 options): numpy's cost here is per call (~1–3 µs), not per
element, so the solver is written to make few calls — one pass over all rows instead of shrinking
working sets, rows sorted by region instead of np.where over three objectives.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import IntEnum

import numpy as np

from backend.core.clock import IST


# scipy costs ~24 MB of RSS and ~0.1 s at start; most installations never ask for greeks, so it is
# imported on the first call, which then rebinds these names to scipy's ufuncs (no cost after that).
def ndtr(x, *args, **kwargs):
    _load_scipy()
    return ndtr(x, *args, **kwargs)


def ndtri(x, *args, **kwargs):
    _load_scipy()
    return ndtri(x, *args, **kwargs)


def _load_scipy() -> None:
    global ndtr, ndtri
    from scipy.special import ndtr, ndtri

SECONDS_PER_YEAR = 365.0 * 86400.0
DAYS_PER_YEAR = 365.0
# Expiry-day close in IST per exchange (api-v1 §4.20): equity F&O 15:30, currency 12:30, MCX 23:30.
EXPIRY_CUTOFF = {"NFO": time(15, 30), "BFO": time(15, 30), "CDS": time(12, 30), "BCD": time(12, 30),
                 "MCX": time(23, 30), "NCO": time(23, 30), "NCDEX": time(17, 0)}
DEFAULT_CUTOFF = time(15, 30)
_SQRT_2PI = np.sqrt(2.0 * np.pi)
MAX_ITERATIONS = 60


class IVStatus(IntEnum):
    OK = 0
    NO_PRICE = 1  # zero/negative price: nothing traded or zero bid
    BELOW_INTRINSIC = 2  # price under the discounted intrinsic value: no volatility reproduces it
    NO_TIME_VALUE = 3  # price equals intrinsic (deep ITM): volatility 0 by convention
    ABOVE_MAXIMUM = 4  # price at/above the no-arbitrage ceiling (call ≥ D·F, put ≥ D·K)
    NO_CONVERGENCE = 5
    EXPIRED = 6  # no time left
    BAD_INPUT = 7  # non-positive forward or strike


STATUS_TEXT = {
    IVStatus.OK: "ok",
    IVStatus.NO_PRICE: "no_price",
    IVStatus.BELOW_INTRINSIC: "below_intrinsic",
    IVStatus.NO_TIME_VALUE: "no_time_value",
    IVStatus.ABOVE_MAXIMUM: "above_maximum",
    IVStatus.NO_CONVERGENCE: "no_convergence",
    IVStatus.EXPIRED: "expired",
    IVStatus.BAD_INPUT: "bad_input",
}


def expiry_cutoff(expiry: date, exchange: str, override: time | None = None) -> datetime:
    """The IST moment the contract stops trading (time to expiry is measured to here)."""
    return datetime.combine(expiry, override or EXPIRY_CUTOFF.get(exchange, DEFAULT_CUTOFF), IST)


def years_between(now: datetime, cutoff: datetime) -> float:
    return (cutoff - now).total_seconds() / SECONDS_PER_YEAR


@dataclass(frozen=True, slots=True)
class Greeks:
    price: np.ndarray
    delta: np.ndarray
    gamma: np.ndarray
    theta: np.ndarray  # per calendar day
    vega: np.ndarray  # per 1 vol point
    rho: np.ndarray  # per 1 rate point


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))


def black76(forward, strike, t, vol, rate, is_call) -> np.ndarray:
    """Discounted Black-76 price of options on a forward/future."""
    return black76_greeks(forward, strike, t, vol, rate, is_call).price


def black76_greeks(forward, strike, t, vol, rate, is_call) -> Greeks:
    f, k, t, vol, r = _arrays(forward, strike, t, vol, rate)
    call = np.broadcast_to(np.asarray(is_call, dtype=bool), f.shape)
    sign = np.where(call, 1.0, -1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = vol * np.sqrt(t)
        d1 = (np.log(f / k) + 0.5 * spread * spread) / spread
        d2 = d1 - spread
        discount = np.exp(-r * t)
        density = np.exp(-0.5 * d1 * d1) / _SQRT_2PI
        price = discount * sign * (f * ndtr(sign * d1) - k * ndtr(sign * d2))
        delta = discount * sign * ndtr(sign * d1)
        gamma = discount * density / (f * spread)
        vega = discount * f * density * np.sqrt(t)
        theta = r * price - discount * f * density * vol / (2.0 * np.sqrt(t))
        rho = -t * price
    return Greeks(price, delta, gamma, theta / DAYS_PER_YEAR, vega / 100.0, rho / 100.0)


def bsm_greeks(spot, strike, t, vol, rate, dividend_yield, is_call) -> Greeks:
    """Black-Scholes-Merton on a spot paying a continuous dividend yield `q` (stock options)."""
    s, k, t, vol, r, q = _arrays(spot, strike, t, vol, rate, dividend_yield)
    call = np.broadcast_to(np.asarray(is_call, dtype=bool), s.shape)
    sign = np.where(call, 1.0, -1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt(t)
        spread = vol * root
        d1 = (np.log(s / k) + (r - q + 0.5 * vol * vol) * t) / spread
        d2 = d1 - spread
        carry, discount = np.exp(-q * t), np.exp(-r * t)
        density = np.exp(-0.5 * d1 * d1) / _SQRT_2PI
        n1, n2 = ndtr(sign * d1), ndtr(sign * d2)
        price = sign * (s * carry * n1 - k * discount * n2)
        delta = sign * carry * n1
        gamma = carry * density / (s * spread)
        vega = s * carry * density * root
        theta = -s * carry * density * vol / (2.0 * root) + sign * (q * s * carry * n1 - r * k * discount * n2)
        rho = sign * k * t * discount * n2
    return Greeks(price, delta, gamma, theta / DAYS_PER_YEAR, vega / 100.0, rho / 100.0)


def bsm(spot, strike, t, vol, rate, dividend_yield, is_call) -> np.ndarray:
    return bsm_greeks(spot, strike, t, vol, rate, dividend_yield, is_call).price


def _normalised_otm_call(x: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """b(x, s) for x ≤ 0 and its derivative ∂b/∂s (Jäckel's normalised Black call)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d1 = x / s + 0.5 * s
        d2 = d1 - s
        half = np.exp(0.5 * x)
        value = half * ndtr(d1) - ndtr(d2) / half
        slope = half * np.exp(-0.5 * d1 * d1) / _SQRT_2PI
    return value, slope


def implied_vol_black76(price, forward, strike, t, rate, is_call,
                        tolerance: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """(σ, status) per option; σ is 0 wherever status is not OK (NO_TIME_VALUE included)."""
    p, f, k, t, r = _arrays(price, forward, strike, t, rate)
    call = np.broadcast_to(np.asarray(is_call, dtype=bool), p.shape)
    status = np.full(p.shape, IVStatus.OK, dtype=np.int8)
    status[~((f > 0) & (k > 0))] = IVStatus.BAD_INPUT
    status[(status == IVStatus.OK) & ~(t > 0)] = IVStatus.EXPIRED
    status[(status == IVStatus.OK) & ~(p > 0)] = IVStatus.NO_PRICE
    live = status == IVStatus.OK
    with np.errstate(divide="ignore", invalid="ignore"):
        undiscounted = p * np.exp(r * t)
        intrinsic = np.maximum(np.where(call, f - k, k - f), 0.0)
        time_value = undiscounted - intrinsic
        ceiling = np.where(call, f, k)
        # Prices come in ticks; a time value within 1e-9 of the price scale is "none".
        slack = 1e-9 * np.maximum(f, k)
        status[live & (time_value < -slack)] = IVStatus.BELOW_INTRINSIC
        status[live & (np.abs(time_value) <= slack)] = IVStatus.NO_TIME_VALUE
        status[live & (undiscounted >= ceiling) & (status == IVStatus.OK)] = IVStatus.ABOVE_MAXIMUM
        solve = status == IVStatus.OK
        x = -np.abs(np.log(f / k))
        beta = time_value / np.sqrt(f * k)
    sigma = np.zeros(p.shape)
    if solve.any():
        s, converged = _solve_normalised(x[solve], beta[solve], tolerance)
        root = np.sqrt(t[solve])
        sigma[solve] = np.where(converged, s / root, 0.0)
        failed = np.zeros(p.shape, dtype=bool)
        failed[solve] = ~converged
        status[failed] = IVStatus.NO_CONVERGENCE
    return sigma, status


def _lower_wing_guess(x: np.ndarray, beta: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Start for β below the inflection: the wing asymptote b ≈ φ(d1)·e^(x/2)·s³/x² solved for s
    by two fixed-point rounds (within a few % in the wing), kept inside (0, s_c)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_beta, log_x = np.log(beta), np.log(np.abs(x))
        s = np.abs(x) / np.sqrt(-2.0 * log_beta)
        for _ in range(2):
            rhs = -log_beta - 0.5 * np.log(2.0 * np.pi) + 3.0 * np.log(s) - 2.0 * log_x - s * s / 8.0
            s = np.where(rhs > 0, np.abs(x) / np.sqrt(2.0 * np.maximum(rhs, 1e-300)), s)
    good = np.isfinite(s) & (s > 0) & (s < cap)
    return np.where(good, s, cap)


def _solve_normalised(x: np.ndarray, beta: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """s with b(x, s) = β for x ≤ 0 and 0 < β < e^(x/2): a fixed number of unguarded Halley passes
    over every option (`_fast_halley`), then the bracketed solver for the few that did not settle."""
    s, settled = _fast_halley(x, beta)
    if settled.all():
        return s, s > 0
    rest = ~settled
    s[rest], converged = _solve_bracketed(x[rest], beta[rest], tolerance)
    settled[rest] = converged
    return s, settled & (s > 0)


FAST_PASSES = 2
# A Halley step this small (relative to s) leaves an error of order its cube: s is final.
FAST_SETTLED = 1e-7
_INV_SQRT_2PI = 1.0 / _SQRT_2PI


def _fast_halley(x: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """FAST_PASSES Halley passes on Jäckel's per-region objectives with no bracket and no
    bookkeeping: numpy's cost here is per call, not per element, so a few full-width passes beat
    a loop that drops converged options. Rows are sorted by region once so each region's objective
    runs on a contiguous slice instead of np.where over all three.

    Starts: below the inflection s_c = √(2|x|), bilinear interpolation in `_lower_table()` (within
    ~1e-3); above it s₀ = −2·N⁻¹((e^(x/2) − β)/(e^(x/2) + e^(−x/2))), exact at the money and close
    elsewhere. A row is settled when its last step was under FAST_SETTLED·s (so its error is of
    the order of that step cubed, or squared after a plain Newton step: below 1e-13).
    Returns (s, settled) in the caller's order; unsettled rows go to the bracketed solver."""
    n = x.size
    with np.errstate(all="ignore"):
        half = np.exp(0.5 * x)
        ceiling = half
        start = np.sqrt(-2.0 * x)
        d1c = x / np.where(start > 0, start, 1.0) + 0.5 * start
        b_c = np.where(start > 0, half * ndtr(d1c) - ndtr(d1c - start) / half, 0.0)
        region = (beta >= b_c).astype(np.int8) + (beta > 0.5 * ceiling)  # 0 lower, 1 middle, 2 upper
        order = np.argsort(region, kind="stable")
        counts = np.bincount(region, minlength=3)
        lower, middle, upper = slice(0, counts[0]), slice(counts[0], counts[0] + counts[1]), slice(counts[0] + counts[1], n)
        x, beta, half, start = x[order], beta[order], half[order], start[order]
        inv_half, x2 = 1.0 / half, x * x
        s = np.empty(n)
        s[lower] = _lower_table_guess(start[lower], np.log(b_c[order][lower]) / np.log(beta[lower]))
        tail = slice(counts[0], n)
        s[tail] = np.maximum(start[tail], -2.0 * ndtri((half[tail] - beta[tail]) / (half[tail] + inv_half[tail])))
        log_beta = np.log(beta[lower])
        log_gap_goal = np.log(half[upper] - beta[upper])
        nu, h = np.empty(n), np.zeros(n)
        for _ in range(FAST_PASSES):
            d1 = x / s + 0.5 * s
            value = half * ndtr(d1) - ndtr(d1 - s) * inv_half
            slope = half * np.exp(-0.5 * d1 * d1) * _INV_SQRT_2PI
            # Newton step ν = f/f' per region, and h = g''/g' of the region's transform g(b).
            log_value = np.log(value[lower])
            nu[lower] = value[lower] / slope[lower] * log_value * (log_value - log_beta) / log_beta
            h[lower] = -(1.0 + 2.0 / log_value) / value[lower]
            nu[middle] = (value[middle] - beta[middle]) / slope[middle]
            gap = half[upper] - value[upper]
            nu[upper] = -gap * (np.log(gap) - log_gap_goal) / slope[upper]
            h[upper] = 1.0 / gap
            # f''/f' = h·b' + b''/b', with b''/b' = x²/s³ − s/4.
            correction = 1.0 - 0.5 * nu * (h * slope + x2 / (s * s * s) - 0.25 * s)
            step = np.where(correction > 0.5, nu / correction, nu)  # plain Newton far out
            s = np.maximum(s - step, 0.5 * s)
        settled = np.isfinite(s) & (np.abs(step) <= FAST_SETTLED * s)
    result, ok = np.empty(n), np.empty(n, dtype=bool)
    result[order], ok[order] = s, settled
    return result, ok


def _build_lower_table(size: int = 64, fine: int = 4000) -> np.ndarray:
    """z = s/s_c as a function of (√(s_c/max), √q) on a size × size grid, q = ln b(s_c)/ln β ∈ (0, 1]:
    in the wing 1/ln b ∝ s², so z is close to linear in √q, and the square root on s_c puts rows
    close together near the money where the shape changes fastest. Bilinear interpolation of this
    table starts Halley within ~1e-4 (two passes then reach machine precision)."""
    table = np.empty((size, size))
    roots = np.linspace(0.0, 1.0, size)
    z = np.linspace(1e-4, 1.0, fine)
    with np.errstate(all="ignore"):
        for i, w in enumerate(np.linspace(0.0, 1.0, size)):
            a = max(w * w, 1e-4) * LOWER_TABLE_MAX  # the lower region is empty at the money itself
            x, s = -0.5 * a * a, z * a
            d1 = x / s + 0.5 * s
            value = np.exp(0.5 * x) * ndtr(d1) - ndtr(d1 - s) / np.exp(0.5 * x)
            root_q = np.sqrt(np.log(value[-1]) / np.log(value))
            usable = np.isfinite(root_q) & (value > 0)
            table[i] = np.interp(roots, root_q[usable], z[usable], left=z[usable][0], right=1.0)
    return table


LOWER_TABLE_MAX = 3.0  # s_c = √(2|x|) up to 3: |ln K/F| ≤ 4.5


@functools.cache
def _lower_table() -> np.ndarray:
    """Built on the first solve, not at import: the build needs scipy, which start-up never loads."""
    return _build_lower_table()


def _lower_table_guess(start: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of the lower-region table at (√(s_c/max), √q); s = z·s_c."""
    table = _lower_table()
    size = table.shape[0]
    u = np.clip(np.sqrt(start * (1.0 / LOWER_TABLE_MAX)) * (size - 1), 0.0, size - 1.000001)
    v = np.clip(np.sqrt(q) * (size - 1), 0.0, size - 1.000001)
    i, j = u.astype(np.intp), v.astype(np.intp)
    fu, fv = u - i, v - j
    at = i * size + j
    flat = table.ravel()
    z0 = flat[at] + fv * (flat[at + 1] - flat[at])
    z1 = flat[at + size] + fv * (flat[at + size + 1] - flat[at + size])
    return (z0 + fu * (z1 - z0)) * start


def _solve_bracketed(x: np.ndarray, beta: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """s with b(x, s) = β for x ≤ 0 and 0 < β < e^(x/2), by guarded Halley steps on Jäckel's
    objectives (the fallback for rows `_fast_halley` left unsettled).

    The inflection point s_c = √(2|x|) splits the curve into three regions, each with an objective
    close to linear or quadratic in s, so steps land near the root in a few iterations: below s_c
    (β < b(s_c)) on 1/ln b (ln b ≈ −x²/2s² in the wing), started from the wing asymptote; between
    s_c and the half-way price on b itself (concave there), started at s_c; near the ceiling
    e^(x/2) on ln(e^(x/2) − b). A bisection bracket [lo, hi] catches any step that leaves it, and
    options drop out of the working arrays as they converge (most need 3–5 passes)."""
    ceiling = np.exp(0.5 * x)
    start = np.sqrt(2.0 * np.abs(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        b_c = np.where(start > 0, _normalised_otm_call(x, np.where(start > 0, start, 1.0))[0], 0.0)
    lower = beta < b_c
    upper = ~lower & (beta > 0.5 * ceiling)
    middle = ~lower & ~upper
    lo = np.where(lower, 0.0, start)
    hi = np.where(lower, start, np.inf)
    s = np.where(start > 0, start, _SQRT_2PI * beta)  # at the money s_c = 0: one step from 0
    s = np.where(lower, _lower_wing_guess(x, beta, start), s)
    with np.errstate(divide="ignore", invalid="ignore"):
        goal = np.where(lower, 1.0 / np.log(beta), np.where(upper, np.log(ceiling - beta), beta))
    result, converged = s.copy(), np.zeros(s.shape, dtype=bool)
    live = np.arange(s.size)  # the options still iterating; the arrays below are cut down to them
    for _ in range(MAX_ITERATIONS):
        value, slope = _normalised_otm_call(x, s)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # b'' = b'·(x²/s³ − s/4): Halley's third-order step costs a few products per pass.
            curve = slope * (x * x / (s * s * s) - 0.25 * s)
            gap = ceiling - value
            log_value = np.log(value)
            ratio = slope / value
            # f, f', f'' of each region's objective (lower 1/ln b, upper ln(c − b), middle b).
            level = np.where(lower, 1.0 / log_value, np.where(upper, np.log(gap), value))
            first = np.where(lower, -ratio / (log_value * log_value), np.where(upper, -slope / gap, slope))
            second_log = curve / value - ratio * ratio
            second = np.where(lower, (2.0 * ratio * ratio / log_value - second_log) / (log_value * log_value),
                              np.where(upper, -curve / gap - (slope / gap) ** 2, curve))
            newton = (level - goal) / first
            correction = 1.0 - 0.5 * newton * second / first
            step = np.where(correction > 0.5, newton / correction, newton)  # plain Newton far out
        # The lower and upper objectives fall as s grows, the middle one rises.
        small = (lower & (value <= 0)) | np.where(middle, level < goal, level > goal)
        lo = np.where(small, np.maximum(lo, s), lo)
        hi = np.where(small, hi, np.minimum(hi, s))
        candidate = s - step
        settled = np.isfinite(step) & (np.abs(step) <= tolerance * np.maximum(s, 1e-3))
        inside = np.isfinite(candidate) & (candidate > lo) & (candidate < hi)
        fallback = np.where(np.isfinite(hi), 0.5 * (lo + hi), 2.0 * s + 0.1)
        new = np.where(settled, s, np.where(inside, candidate, fallback))
        done = settled | (np.abs(new - s) <= tolerance * np.maximum(new, 1e-3))
        s = new
        if done.any():
            result[live[done]], converged[live[done]] = s[done], True
            keep = ~done
            if not keep.any():
                break
            live, x, s, lo, hi = live[keep], x[keep], s[keep], lo[keep], hi[keep]
            goal, ceiling, lower, upper, middle = goal[keep], ceiling[keep], lower[keep], upper[keep], middle[keep]
    return result, converged & (result > 0)


def implied_vol_bsm(price, spot, strike, t, rate, dividend_yield, is_call,
                    tolerance: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """BSM implied volatility: the same price as Black-76 on the forward S·e^((r−q)T)."""
    s, t, r, q = _arrays(spot, t, rate, dividend_yield)
    with np.errstate(over="ignore", invalid="ignore"):
        forward = s * np.exp((r - q) * np.where(t > 0, t, 0.0))
    return implied_vol_black76(price, forward, strike, t, rate, is_call, tolerance)


@dataclass(frozen=True, slots=True)
class ChainGreeks:
    """IV (decimal) and greeks of each option; greeks are 0 where status is not OK."""

    iv: np.ndarray
    status: np.ndarray
    greeks: Greeks


def chain_greeks(price, forward, strike, t, rate, is_call) -> ChainGreeks:
    """IV and Black-76 greeks for a whole chain in one pass (the options endpoints' entry point)."""
    sigma, status = implied_vol_black76(price, forward, strike, t, rate, is_call)
    ok = status == IVStatus.OK
    greeks = black76_greeks(forward, strike, t, np.where(ok, sigma, 0.2), rate, is_call)
    zero = lambda a: np.where(ok, a, 0.0)  # noqa: E731 — no NaN/inf from unsolved rows
    return ChainGreeks(sigma, status, Greeks(zero(greeks.price), zero(greeks.delta), zero(greeks.gamma),
                                            zero(greeks.theta), zero(greeks.vega), zero(greeks.rho)))
