"""Uniqueness by construction: a keyed bijection of the row index, rendered as a short code."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa

from ..rng import derive_key, mix

_MASK32 = np.uint64(0xFFFFFFFF)


def feistel(
    index: np.ndarray, key: int, bits: int = 40, rounds: int = 4, salt: np.ndarray | None = None
) -> np.ndarray:
    """A keyed permutation of [0, 2**bits) (bits even), applied element-wise. `salt` (per
    element, above the half's bits) enters every round function: one permutation per salt."""
    half = bits // 2
    mask = np.uint64((1 << half) - 1)
    x = index.astype(np.uint64)
    left, right = x >> np.uint64(half), x & mask
    for r in range(rounds):
        f = mix(derive_key(key, r), right if salt is None else right | salt) & mask
        left, right = right, left ^ f
    return (left << np.uint64(half)) | right


def permute_below(
    index: np.ndarray, n: int, key: int, groups: np.ndarray | None = None
) -> np.ndarray:
    """A keyed permutation of [0, n) by cycle-walking a Feistel network; with `groups`, a
    different one for each group number (the parent row of a child)."""
    if n <= 1:
        return np.zeros_like(index, dtype=np.int64)
    bits = max(2, (n - 1).bit_length())
    bits += bits % 2
    if len(index) and int(index.max()) >= n:  # cycle walking would never come back below n
        raise ValueError(f"permute_below: index {int(index.max())} is not below n={n}")
    salt = None if groups is None else np.asarray(groups).astype(np.uint64) << np.uint64(bits // 2)
    out = feistel(index, key, bits, salt=salt)
    bad = out >= np.uint64(n)
    while bad.any():  # cycle walking: expected < 4 rounds since n > 2**(bits-2)
        out[bad] = feistel(out[bad], key, bits, salt=None if salt is None else salt[bad])
        bad = out >= np.uint64(n)
    return out.astype(np.int64)


def scramble_bits(index: np.ndarray, bits: int, key: int) -> np.ndarray:
    """A keyed bijection of [0, 2**bits): odd multiplier, xorshift, odd multiplier, xorshift,
    all modulo 2**bits. Five cheap passes where a Feistel network with cycle walking takes
    about fifty; it only has to look unordered, not resist analysis."""
    mask = np.uint64((1 << bits) - 1)
    a = np.uint64(derive_key(key, "a") | 1)
    b = np.uint64(derive_key(key, "b") | 1)
    c = np.uint64(derive_key(key, "c"))
    high, low = np.uint64(bits - bits // 2), np.uint64(bits // 2)
    with np.errstate(over="ignore"):
        x = index.astype(np.uint64) * a  # modulo 2**64, so modulo 2**bits after the mask
        x += c
        x &= mask
        x ^= x >> high
        x *= b
        x &= mask
        x ^= x >> low
    return x


def unique_suffix(ctx) -> pa.Array:
    """A distinct number per row that does not look like a counter.

    Numbers come from a keyed bijection of [0, 2**b), 2**b the first power of two at
    least twice the entity's rows, so they stay short (at most four digits for a
    thousand rows, seven for a million) and never repeat within the entity.
    """
    key = derive_key(ctx.seed, ctx.entity, ctx.field, "unique")
    space = max(100, 2 * max(ctx.total_rows, int(ctx.rows.max()) + 1 if len(ctx.rows) else 1))
    code = scramble_bits(ctx.rows, (space - 1).bit_length(), key)
    return pa.array(code.astype(np.int64)).cast(pa.string())


# From this many keys on, occurrence_rank splits them in two by a bit of each key's hash
# and ranks the halves on two threads (numpy sorts without the GIL): equal keys fall in the
# same half, in row order, so the ranks are the same as one sort gives
_SPLIT_RANK_FROM = 1 << 18
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def occurrence_rank(key: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """For each element, how many earlier elements hold the same key (0: its first
    occurrence), as int64. Keys are non-negative int64; `overwrite`: `key` may be used as
    scratch space (a whole entity's keys need no second copy)."""
    n = len(key)
    if n < _SPLIT_RANK_FROM or (os.cpu_count() or 1) < 2:
        return _occurrence_rank(key, overwrite)
    with np.errstate(over="ignore"):
        half = (key.view(np.uint64) * _GOLDEN) >> np.uint64(63)  # Fibonacci hashing's top bit
    rank = np.empty(n, dtype=np.int64)

    def rank_half(bit: int) -> None:
        rows = np.flatnonzero(half == bit)
        rank[rows] = _occurrence_rank(key[rows], overwrite=True)

    with ThreadPoolExecutor(2, thread_name_prefix="phony-rank") as pool:
        for done in [pool.submit(rank_half, bit) for bit in (0, 1)]:
            done.result()
    return rank


def _occurrence_rank(key: np.ndarray, overwrite: bool = False) -> np.ndarray:
    """occurrence_rank in one sort.

    Each key is sorted with its row index in its low bits: every value differs, so any sort
    gives the same order (numpy's SIMD sort of int64 is several times faster than a stable
    argsort), equal keys lie together in row order and a row's rank is its distance from
    its run's start. Keys too wide to share 63 bits with the row index take a stable
    argsort instead."""
    n = len(key)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    row_bits = (n - 1).bit_length()
    position = np.arange(n, dtype=np.int64)
    if int(key.max()).bit_length() + row_bits <= 63:
        packed = key if overwrite else key.copy()
        packed <<= np.int64(row_bits)
        packed |= position
        packed.sort()
        order = packed & np.int64((1 << row_bits) - 1)
        packed >>= np.int64(row_bits)
        sorted_keys = packed
    else:
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
    # a run's start is its first position; every later position of the run counts from it
    repeat = np.empty(n, dtype=bool)
    repeat[0] = False
    np.equal(sorted_keys[1:], sorted_keys[:-1], out=repeat[1:])
    start = sorted_keys  # reused: the sorted keys are no longer needed
    np.copyto(start, position)
    start[repeat] = 0
    np.maximum.accumulate(start, out=start)
    np.subtract(position, start, out=start)
    rank = position  # reused as the output
    rank[order] = start
    return rank


# Numbers by rank: ranks below 100 take a number below 100 (as a person's birth year or
# lucky number would), ranks 100–999 one of three digits, and so on: tier t covers ranks
# and numbers [10**(t+1), 10**(t+2)) (tier 0: [0, 100)). Within a tier a key group maps its
# ranks by an affine bijection i → (a·i + b) mod size, a prime to 2, 3 and 5 so prime to
# every size (100, 900, 9000, …): distinct ranks of a group give distinct numbers.
_UNITS_30 = np.array([1, 7, 11, 13, 17, 19, 23, 29], dtype=np.int64)


def rank_numbers(group_hash: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """A number per element, distinct among elements with one `group_hash` (uint64, the
    same for every element of a group) and different `rank`s, and short for small ranks
    (see above). Reads bits 0–33 of the hash."""
    a = ((group_hash >> np.uint64(3)) & np.uint64(1023)).astype(np.int64) * 30
    a += _UNITS_30[(group_hash & np.uint64(7)).astype(np.int64)]
    b = ((group_hash >> np.uint64(13)) & np.uint64((1 << 21) - 1)).astype(np.int64)
    top = int(rank.max()) if len(rank) else 0
    if top < 100:  # the usual case: one tier
        return (a * rank + b) % 100
    out = np.empty(len(rank), dtype=np.int64)
    low, size = 0, 100
    while low <= top:
        inside = (rank >= low) & (rank < low + size)
        out[inside] = low + (a[inside] * (rank[inside] - low) + b[inside]) % size
        low, size = low + size, (low + size) * 9
    return out
