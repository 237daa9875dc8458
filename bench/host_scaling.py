"""How well this host runs two processes at once, with no Phony code involved.

    python bench/host_scaling.py [--repeats 3]

Times one process, then two processes side by side, on the same work and prints the
throughput ratio (2.0 = two independent cores). Three kernels: a pure-Python loop
(registers only), and SplitMix64-style multiply/xor-shift passes over uint64 arrays of
65,536 elements (one Phony block, fits in L2) and of 8M elements (memory bandwidth). Run it
beside bench/tpch.py to tell a scaling figure of the code from one of a busy host.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30 = np.uint64(30)


def python_loop(_: int) -> None:
    total = 0
    for i in range(10_000_000):
        total += i * i


def numpy_passes(size: int) -> None:
    a = np.arange(size, dtype=np.uint64)
    for _ in range(400_000_000 // size):
        b = a * _GOLDEN
        b ^= b >> _S30


def scaling(fn, arg: int) -> tuple[float, float]:
    started = time.perf_counter()
    fn(arg)
    one = time.perf_counter() - started
    with multiprocessing.get_context("fork").Pool(2) as pool:
        started = time.perf_counter()
        pool.map(fn, [arg, arg])
        two = time.perf_counter() - started
    return one, two


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("pure-Python loop", python_loop, 0),
        ("numpy, 65,536-element arrays", numpy_passes, 65_536),
        ("numpy, 8M-element arrays", numpy_passes, 8_000_000),
    ]
    print("| kernel | 1 process s | 2 processes s | scaling |")
    print("|---|---:|---:|---:|")
    for name, fn, arg in cases:
        for _ in range(args.repeats):
            one, two = scaling(fn, arg)
            print(f"| {name} | {one:.2f} | {two:.2f} | {2 * one / two:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
