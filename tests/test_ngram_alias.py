"""The vectorized alias tables (phony_pdl/ngram/alias.py) equal Vose's loop, entry for entry.

`reference_alias` is the per-table loop the sampler used before (exact Python
integers); every compiled model's thresholds and aliases must stay what it gave,
or generated values would change.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from phony_pdl.ngram.alias import alias_tables
from phony_pdl.ngram.sample import _Tables

INT64_MAX = (1 << 63) - 1


def reference_alias(weights: list[int]) -> tuple[list[int], list[int]]:
    """Vose's alias table in exact integers: keep thresholds (units of 2**-32), local aliases."""
    d = len(weights)
    total = sum(weights)
    scaled = [w * d for w in weights]
    small = [i for i in range(d) if scaled[i] < total]
    large = [i for i in range(d) if scaled[i] >= total]
    prob = [total] * d
    alias = list(range(d))
    while small and large:
        s, g = small.pop(), large.pop()
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] -= total - scaled[s]
        (small if scaled[g] < total else large).append(g)
    return [(p << 32) // total for p in prob], alias


def _weight(limit: int) -> st.SearchStrategy[int]:
    """Counts as models hold them, and the extremes: zeros, ones, ties, near-overflow."""
    return st.one_of(
        st.sampled_from([0, 1, 2, 3]),
        st.integers(0, 1 << 24),
        st.integers(0, limit),
        st.integers(max(limit - 1000, 0), limit),
    )


def _table(limit: int) -> st.SearchStrategy[list[int]]:
    """A table as the sampler pads it (degree, then zeros to a power of two), or any width."""

    @st.composite
    def build(draw) -> list[int]:
        width = draw(st.one_of(st.sampled_from([2, 4, 8, 16, 64, 128]), st.integers(2, 40)))
        degree = draw(st.integers(1, width))
        counts = draw(st.lists(_weight(limit), min_size=degree, max_size=degree))
        if not any(counts):
            counts[draw(st.integers(0, degree - 1))] = draw(st.integers(1, limit))
        return counts + [0] * (width - degree)

    return build()


def _check(tables: list[list[int]], dtype: type) -> None:
    flat = np.array([w for t in tables for w in t], dtype=dtype)
    thr, alias = alias_tables(flat, np.array([len(t) for t in tables]))
    expected = [reference_alias(t) for t in tables]
    assert thr.dtype == np.uint64 and alias.dtype == np.int64
    assert thr.tolist() == [x for keep, _ in expected for x in keep]
    assert alias.tolist() == [x for _, al in expected for x in al]


@given(st.lists(_table(INT64_MAX), min_size=1, max_size=6))
@example([[1, 1]])
@example([[1, 0]])
@example([[0, 0, 0, 5]])
@example([[3, 1, 0, 0], [1, 1, 1, 1], [INT64_MAX, INT64_MAX, 1, 0]])  # total beyond int64
@example([[(1 << 31) - 1, 1 << 31, 1, 0]])  # thresholds past the direct int64 division
@example([[1 << 60, 1, 1, 1, 0, 0, 0, 0]] * 3)
def test_int64_weights_give_the_loops_tables(tables: list[list[int]]) -> None:
    _check(tables, np.int64)


@given(st.lists(_table(1 << 200), min_size=1, max_size=6))
@example([[1 << 200, 1, 0, 0], [2, 3]])
def test_python_integer_weights_give_the_loops_tables(tables: list[list[int]]) -> None:
    """Two-token tables weigh entries by products of counts and least common multiples:
    Python integers of any size, in an object array."""
    _check(tables, object)


@given(
    st.lists(
        st.lists(_weight(1 << 40), min_size=1, max_size=70).filter(any), min_size=1, max_size=8
    )
)
def test_table_build_pads_states_and_keeps_single_entries(states: list[list[int]]) -> None:
    """_Tables.build: each state padded to a power of two, one-entry states left alone."""
    deg = np.array([len(s) for s in states], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(deg)[:-1]]).astype(np.int64)
    weights = np.array([w for s in states for w in s], dtype=np.int64)
    n = len(weights)
    ids = np.arange(n, dtype=np.int64)
    tables = _Tables.build(first, deg, weights, [ids], ids, ids, np.zeros(n, dtype=bool))
    for s, counts in enumerate(states):
        b = int(tables.base[s])
        width = 1 << (64 - int(tables.shift[s]))
        assert width >= len(counts) > width // 2
        keep, al = reference_alias(counts + [0] * (width - len(counts)))
        assert tables.thr[b : b + width].tolist() == keep
        assert (tables.alias[b : b + width] - b).tolist() == al


def test_a_table_without_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="no positive weight"):
        alias_tables(np.array([1, 1, 0, 0], dtype=np.int64), np.array([2, 2]))
