"""`python -m bench [name ...]`: run the named benchmarks (default: all), printing figures."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def available() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules(bench.__path__)
                  if m.name.startswith("bench_"))


def main() -> None:
    names = sys.argv[1:] or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available())}")
    for name in names:
        print(f"\n######## {name}")
        importlib.import_module(f"bench.bench_{name}").main()


if __name__ == "__main__":
    main()
