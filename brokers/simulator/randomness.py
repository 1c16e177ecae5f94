"""Counter-based randomness: every random number is a pure function of (key, index).

A hash instead of a stateful generator is what makes the market random-access: the price at
10:31:07 on a given day is computed directly, never by replaying the day, and a candle built for
history uses exactly the numbers the live tick stream used.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_INV_2_53 = 1.0 / (1 << 53)


def derive_key(*parts: object) -> int:
    """A 64-bit key from any printable parts (seed, underlying code, day …)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _mix_array(values: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic is the point)."""
    z = values + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def uniforms(key: int, start: int, count: int) -> np.ndarray:
    """`count` uniforms in the open interval (0, 1) at indices start … start+count-1."""
    index = np.arange(start, start + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        bits = _mix_array(index ^ np.uint64(key & _MASK))
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _INV_2_53


def normals(key: int, start: int, count: int) -> np.ndarray:
    """Standard normals by Box–Muller; normal i uses uniforms 2i and 2i+1, so it is random-access."""
    pairs = uniforms(key, 2 * start, 2 * count).reshape(count, 2)
    return np.sqrt(-2.0 * np.log(pairs[:, 0])) * np.cos(2.0 * np.pi * pairs[:, 1])


def uniform(key: int, index: int) -> float:
    """Scalar twin of `uniforms` (same numbers), for the per-tick hot path."""
    z = ((index ^ key) + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    z ^= z >> 31
    return ((z >> 11) + 0.5) * _INV_2_53
