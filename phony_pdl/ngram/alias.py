"""Walker/Vose alias tables in exact integers, many tables at once, without a loop per table.

The sampler's tables (sample.py) are what Vose's pairing gives when run table by
table with two stacks: the entries below the mean ("small") and the others
("large"), each in index order, popped from the end. One pass pairs the top small
entry s with the top large entry g: s keeps `scaled[s]` and aliases g, g gives up
`total - scaled[s]` and goes back on the small stack when it drops below the mean,
else back on the large one. With weights w (d entries, total T), scaled = w·d.

That pass needs no loop. Popping keeps g on top until it turns small, and then it
is the next small entry popped, paired with the next large one. So the original
small entries s_1, s_2, … (descending index) are served in turn by the large ones
g_1, g_2, … (descending index), and a large entry passes on what it cannot cover:
with the deficits D_i = T - scaled[s_i], the excesses E_j = scaled[g_j] - T and
their running sums C_i and F_j (C_0 = 0),

- g_j turns small after serving s_k for the first k with C_k > F_j (if any): it
  keeps T - (C_k - F_j) and aliases g_{j+1};
- s_i aliases g_j for j = 1 + #{j : F_j < C_{i-1}}, and keeps scaled[s_i];
- every other entry keeps T and aliases itself.

Every table's deficits and excesses balance (sum of scaled = d·T), so running sums
taken over all tables in pop order meet at each table boundary, and one
searchsorted over them finds every table's pairing at once, in int64. A table whose
total·width could overflow int64 (two-token tables weigh entries by products of
counts and least common multiples: hundreds of bits) takes the loop itself, in
Python integers. tests/test_ngram_alias.py checks both against the loop, entry for
entry.
"""

from __future__ import annotations

import numpy as np

__all__ = ["alias_tables"]

# A table's scaled weights and running sums reach total·width: tables with total·width
# below this (estimated in float64, hence the margin) use int64 arithmetic; the others
# could overflow it and fall back to the exact loop in Python integers, table by table.
_INT64_SPAN = 1 << 54
_BATCH_SPAN = float(1 << 61)  # most deficit summed over the tables paired at once in int64
# entries paired at once: the work arrays stay small and their memory is reused (fresh
# memory costs page faults, as much as the arithmetic)
_CHUNK = 1 << 15


def alias_tables(weights: np.ndarray, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep thresholds (units of 2**-32, uint64) and local aliases (int64) of consecutive tables.

    Table t holds the next width[t] (at least 2) entries of `weights` (non-negative
    integers, int64 or Python ints in an object array, with a positive sum per table).
    The alias of an entry is its index within its table.
    """
    width = np.asarray(width, dtype=np.int64)
    n = int(width.sum())
    thr = np.empty(n, dtype=np.uint64)
    alias = np.empty(n, dtype=np.int64)
    if not n:
        return thr, alias
    start = _starts(width)
    if weights.dtype == object:
        try:
            weights = weights.astype(np.int64)
        except OverflowError:  # weights of hundreds of bits: every table takes the loop
            weights = weights.tolist()
    if isinstance(weights, list):
        span = np.zeros(len(width))
        exact = np.ones(len(width), dtype=bool)
    else:
        span = np.add.reduceat(weights, start, dtype=np.float64) * width
        exact = span >= _INT64_SPAN
    tables = np.flatnonzero(~exact)
    if len(tables):
        t_width = width[tables]
        t_start = _starts(t_width)  # among the entries of these tables
        entries = None if len(tables) == len(width) else np.flatnonzero(np.repeat(~exact, width))
        # runs of tables paired at once: those starting in one _CHUNK of entries, with
        # summed deficits (at most total·width per table) that fit int64
        chunk = t_start // _CHUNK
        batch = (np.cumsum(span[tables]) - span[tables]) // _BATCH_SPAN
        new_run = (chunk[1:] != chunk[:-1]) | (batch[1:] != batch[:-1])
        cut = np.flatnonzero(np.concatenate([[True], new_run, [True]]))
        for lo, hi in zip(cut[:-1].tolist(), cut[1:].tolist(), strict=True):
            e0, e1 = int(t_start[lo]), int(t_start[hi - 1] + t_width[hi - 1])
            at = slice(e0, e1) if entries is None else entries[e0:e1]
            run_thr, run_alias = _pair_up(weights[at].astype(np.int64), t_width[lo:hi])
            thr[at] = run_thr
            alias[at] = run_alias - np.repeat(t_start[lo:hi] - e0, t_width[lo:hi])
    for t in np.flatnonzero(exact).tolist():
        at = slice(int(start[t]), int(start[t] + width[t]))
        table = weights[at] if isinstance(weights, list) else weights[at].tolist()
        thr[at], alias[at] = _vose_loop(table)
    return thr, alias


def _vose_loop(weights: list[int]) -> tuple[list[int], list[int]]:
    """One table by Vose's loop in exact Python integers (see the module docstring)."""
    d = len(weights)
    total = sum(weights)
    if total <= 0:
        raise ValueError("alias table with no positive weight")
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


def _starts(width: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)


def _pair_up(w: np.ndarray, width: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vose's pairing of consecutive tables; aliases index w (not the table)."""
    n, k = len(w), len(width)
    start = _starts(width)
    owner = np.repeat(np.arange(k), width)
    total = np.add.reduceat(w, start)
    if (total <= 0).any():
        raise ValueError("alias table with no positive weight")
    t = total[owner]
    scaled = w * width[owner]
    small = scaled < t
    pop = np.arange(n - 1, -1, -1)  # pop order: last table first, each from its last entry
    s_ent = pop[small[pop]]
    g_ent = pop[~small[pop]]
    deficit = t[s_ent] - scaled[s_ent]
    cum_d = np.cumsum(deficit)
    cum_e = np.cumsum(scaled[g_ent] - t[g_ent])
    # each table's runs in s_ent / g_ent (tables in descending order)
    n_small = np.bincount(owner[small], minlength=k)
    n_large = width - n_small
    s_end = len(s_ent) - np.cumsum(n_small) + n_small
    g_first = len(g_ent) - np.cumsum(n_large)

    prob = t.copy()
    alias = np.arange(n, dtype=np.int64)
    # small entries: the large entry serving them; earlier tables' sums equal this
    # table's start, so the search is clamped to the table's first large entry
    s_owner = owner[s_ent]
    j = np.maximum(np.searchsorted(cum_e, cum_d - deficit, side="left"), g_first[s_owner])
    prob[s_ent] = scaled[s_ent]
    alias[s_ent] = g_ent[j]
    # large entries that turn small: after the first small entry whose running deficit
    # passes their running excess, within the same table
    g_owner = owner[g_ent]
    k_at = np.searchsorted(cum_d, cum_e, side="right")
    turned = np.flatnonzero(k_at < s_end[g_owner])
    prob[g_ent[turned]] = t[g_ent[turned]] - (cum_d[k_at[turned]] - cum_e[turned])
    alias[g_ent[turned]] = g_ent[turned + 1]
    return _fraction32(prob, t), alias


def _fraction32(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """floor(num · 2**32 / den) for 0 <= num <= den, exactly, as uint64."""
    if int(den.max()) < 1 << 31:  # num << 32 fits int64
        return ((num << 32) // den).astype(np.uint64)
    q, r = np.divmod(num, den)
    for _ in range(4):  # long division, a byte at a time: r < den < 2**55 keeps r << 8 in int64
        d, r = np.divmod(r << 8, den)
        q = (q << 8) | d
    return q.astype(np.uint64)
