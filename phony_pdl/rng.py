"""Counter-based random streams: value = mix(key, row index).

A stream is keyed by SHA-256 of (seed, entity, field, label) and addressed by
the global row index, so the value of any row can be computed alone, in any
block, on any worker, in any order. The bit mixer is SplitMix64's finaliser
written in numpy uint64 arithmetic, and the transforms to uniforms and integers
are ours, so outputs depend on neither numpy's Generator internals nor the
platform (uint64 wrap-around and IEEE-754 doubles are exact everywhere).
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TWO_M53 = 2.0**-53
_BELOW_ONE = 1.0 - 2.0**-53


def derive_key(seed: int, *labels: str | int) -> int:
    """A 64-bit stream key; stable across runs, machines and Python hash seeds."""
    text = "\x1f".join([str(int(seed)), *(str(label) for label in labels)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")


def derive_keys(seed: int, labels: tuple[str | int, ...], start: int, stop: int) -> np.ndarray:
    """`derive_key(seed, *labels, k)` for k in start … stop-1, as uint64 (the hash of the
    shared prefix is taken once: a long timeline needs a key per step)."""
    text = "\x1f".join([str(int(seed)), *(str(label) for label in labels)]) + "\x1f"
    prefix = hashlib.sha256(text.encode("utf-8"))
    digests = []
    for k in range(start, stop):
        h = prefix.copy()
        h.update(b"%d" % k)
        digests.append(h.digest()[:8])
    return np.frombuffer(b"".join(digests), dtype="<u8").astype(np.uint64)


def mix(key: int, index: np.ndarray) -> np.ndarray:
    """SplitMix64 output for counters `index` of stream `key` (uint64 array)."""
    with np.errstate(over="ignore"):
        return _finalise(index.astype(np.uint64, copy=False) * _GOLDEN + np.uint64(key))


def mix_keyed(keys: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`mix` with one stream key per element (uint64 arrays that broadcast together): the
    draws of many streams at once, each the same bits as that stream's own `raw`."""
    with np.errstate(over="ignore"):
        z = index.astype(np.uint64, copy=False) * _GOLDEN + keys.astype(np.uint64, copy=False)
        return _finalise(z)


def _finalise(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, in place on a fresh uint64 array (wrap-around arithmetic)."""
    with np.errstate(over="ignore"):
        z ^= z >> _S30
        z *= _M1
        z ^= z >> _S27
        z *= _M2
        z ^= z >> _S31
    return z


def to_uniform(raw: np.ndarray) -> np.ndarray:
    """Doubles in [0, 1) with 53 random bits, from `raw` draws."""
    return (raw >> _S11).astype(np.float64) * _TWO_M53


def to_open_uniform(raw: np.ndarray) -> np.ndarray:
    """Doubles in (0, 1), from `raw` draws: safe for inverse CDFs that are infinite at 0 and 1."""
    u = ((raw >> _S11).astype(np.float64) + 0.5) * _TWO_M53
    # the top draw, (2**53 - 1 + 0.5) / 2**53, rounds to exactly 1.0 (an infinite
    # quantile); it becomes the largest double below 1 (every other value is unchanged)
    return np.minimum(u, _BELOW_ONE, out=u)


class Stream:
    """Random numbers for one (seed, entity, field, label), addressed by row index."""

    __slots__ = ("key",)

    def __init__(self, seed: int, *labels: str | int) -> None:
        self.key = derive_key(seed, *labels)

    def raw(self, rows: np.ndarray) -> np.ndarray:
        return mix(self.key, rows)

    def uniform(self, rows: np.ndarray) -> np.ndarray:
        """Doubles in [0, 1) with 53 random bits."""
        return to_uniform(self.raw(rows))

    def open_uniform(self, rows: np.ndarray) -> np.ndarray:
        """Doubles in (0, 1): safe for inverse CDFs that are infinite at 0 and 1."""
        return to_open_uniform(self.raw(rows))

    def integers(self, rows: np.ndarray, k: int) -> np.ndarray:
        """Integers in [0, k) (bias below 2**-53 · k; exact for k a power of two)."""
        if k <= 0:
            raise ValueError("k must be positive")
        if k & (k - 1) == 0 and k <= 2**63:
            shift = np.uint64(64 - (k.bit_length() - 1)) if k > 1 else None
            if shift is None:
                return np.zeros(len(rows), dtype=np.int64)
            return (self.raw(rows) >> shift).astype(np.int64)
        u = (self.raw(rows) >> _S11).astype(np.float64) * _TWO_M53
        out = (u * k).astype(np.int64)
        np.minimum(out, k - 1, out=out)
        return out

    def sub(self, label: str | int) -> Stream:
        """An independent stream derived from this one."""
        s = Stream.__new__(Stream)
        s.key = derive_key(self.key, label)
        return s


def stream(seed: int, *labels: str | int) -> Stream:
    return Stream(seed, *labels)
