"""Relations between columns and tables: correlations, exact formulas, time orderings, keys.

- `spearman_matrix`: rank correlations with pairwise-complete rows (ties get mid-ranks,
  as `scipy.stats.spearmanr`).
- `algebraic_relations`: a = b * c or a = b + c on every row, within the rounding
  of a (→ `expr`).
- `time_orderings`: x >= y on every row where both are set (→ `after: y` with a gap
  distribution), choosing the closest predecessor, also through a foreign key.
- `boolean_comparisons`: a bool column equal to x > t for a constant t, or to x > y / x >= y
  of two columns, on every row (→ `expr`).
- `foreign_keys`: inclusion dependencies between a column and another table's key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Comparison",
    "ForeignKey",
    "Ordering",
    "Relation",
    "algebraic_relations",
    "boolean_comparisons",
    "category_order",
    "foreign_keys",
    "proportional_relations",
    "spearman_matrix",
    "time_orderings",
    "zipf_exponent",
]


def _ranks(x: np.ndarray, histogram: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Mid-ranks (1-based, ties averaged: scipy's `rankdata(method="average")`, exactly) of
    the non-NaN entries; NaN stays NaN. In numpy: scipy's wrapper took 2.5 times as long
    on a few hundred values, once per column. `histogram`: the entries' sorted distinct
    values and counts (a column's profile), which spare sorting them again."""
    out = np.full(len(x), np.nan)
    ok = ~np.isnan(x)
    values = x[ok]
    if histogram is not None:
        distinct, counts = histogram
        if int(counts[~np.isnan(distinct)].sum()) == len(values):
            ends = np.cumsum(counts)
            starts = ends - counts
            # the same integers as below (each run's first and last place), so the same ranks
            out[ok] = ((starts + ends + 1) / 2)[np.searchsorted(distinct, values)]
            return out
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(values))
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    out[ok] = ranks
    return out


def spearman_matrix(
    columns: list[np.ndarray],
    histograms: list[tuple[np.ndarray, np.ndarray] | None] | None = None,
) -> np.ndarray:
    """Spearman correlations; each pair over the rows where both are set. `histograms`:
    each column's sorted distinct values and counts where known (see `_ranks`)."""
    k = len(columns)
    if not columns:
        return np.eye(0)
    masks = [~np.isnan(c) for c in columns]
    if all(m.all() for m in masks):
        ranks = np.empty((k, len(columns[0])))  # one row per column: no transpose
        for i, c in enumerate(columns):
            ranks[i] = _ranks(c, None if histograms is None else histograms[i])
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.corrcoef(ranks)
        m = np.nan_to_num(np.atleast_2d(m), nan=0.0)
        np.fill_diagonal(m, 1.0)
        return m
    m = np.eye(k)
    groups = [tie_groups(c) for c in columns]  # each column sorted once, not once per pair
    for i in range(k):
        for j in range(i + 1, k):
            both = masks[i] & masks[j]
            if both.sum() < 3:
                continue
            a, b = ranks_within(groups[i], both), ranks_within(groups[j], both)
            sa, sb = a.std(), b.std()
            if sa > 0 and sb > 0:
                m[i, j] = m[j, i] = float(np.mean((a - a.mean()) * (b - b.mean())) / (sa * sb))
    return m


# ---------------------------------------------------------------- exact formulas


def tie_groups(x: np.ndarray) -> np.ndarray:
    """Each entry's place among the distinct non-NaN values of `x` (0 for the smallest), -1
    for NaN: sorted once, it gives `ranks_within` any subset of the rows."""
    out = np.full(len(x), -1, dtype=np.int64)
    ok = ~np.isnan(x)
    out[ok] = np.unique(x[ok], return_inverse=True)[1]
    return out


def ranks_within(groups: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`_ranks(x[rows])` from `tie_groups(x)`, for rows where x is set, without sorting: the
    same integer run bounds, so the same mid-ranks."""
    g = groups[rows]
    counts = np.bincount(g)
    ends = np.cumsum(counts)
    starts = ends - counts
    return ((starts + ends + 1) / 2)[g]


class RankedColumns:
    """Number columns (NaN for NULL) whose mid-ranks and tie groups are computed once each,
    on first use: the rows of any category column are then ranked without sorting again."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self.columns = columns
        self._ranks: dict[int, np.ndarray] = {}
        self._groups: dict[int, np.ndarray] = {}

    def among(self, j: int, rows: np.ndarray, every_set_row: bool) -> np.ndarray:
        """Mid-ranks of column j among `rows` (where it is set), as `_ranks(x[rows])`:
        its own ranks when `rows` are all its set rows, else from its tie groups."""
        if every_set_row:
            if j not in self._ranks:
                self._ranks[j] = _ranks(self.columns[j])
            return self._ranks[j][rows]
        if j not in self._groups:
            self._groups[j] = tie_groups(self.columns[j])
        return ranks_within(self._groups[j], rows)


def rank_eta2(codes: np.ndarray, ranks: np.ndarray, k: int) -> tuple[float, np.ndarray] | None:
    """The share of the ranks' variance that the categories explain (the correlation ratio
    η² of `ranks`, mid-ranks 1 … n of the rows, by `codes` 0 … k-1 of the same rows:
    Kruskal-Wallis's effect size), and each category's mean rank (NaN without rows). None
    with fewer than two categories or ranks that do not vary."""
    counts = np.bincount(codes, minlength=k)
    used = counts > 0
    if used.sum() < 2:
        return None
    centre = (len(ranks) + 1) / 2
    total = float(np.sum((ranks - centre) ** 2))
    if total <= 0:
        return None
    means = np.full(k, np.nan)
    means[used] = np.bincount(codes, weights=ranks, minlength=k)[used] / counts[used]
    return float(np.sum(counts[used] * (means[used] - centre) ** 2) / total), means


CATEGORY_ALPHA = 1e-3  # a category's numbers must differ at this level (Kruskal-Wallis)


def category_order(
    codes: np.ndarray, k: int, numbers: RankedColumns
) -> tuple[np.ndarray, int, float] | None:
    """An order of a categorical column's k categories (`codes` 0 … k-1 per row, -1 for
    NULL) along which a number column rises: (the categories from the lowest mean rank to
    the highest, the column it follows, its rank η²), for the number column whose ranks
    differ most between the categories (largest η²), or None when none differs
    significantly (Kruskal-Wallis H = (n - 1)·η² against χ² with k - 1 degrees of freedom
    at CATEGORY_ALPHA). Listed in that order, the categories enter a Gaussian copula as
    ordered ones: a salary that depends on the department keeps most of it."""
    from scipy import special  # chi2.sf's own function, without importing scipy.stats

    best: tuple[np.ndarray, int, float] | None = None
    every = bool((codes >= 0).all())
    for j, x in enumerate(numbers.columns):
        both = (codes >= 0) & ~np.isnan(x)
        n = int(both.sum())
        if n < 20:
            continue
        found = rank_eta2(codes[both], numbers.among(j, both, every), k)
        if found is None:
            continue
        eta2, means = found
        used = ~np.isnan(means)
        if special.chdtrc(int(used.sum()) - 1, (n - 1) * eta2) >= CATEGORY_ALPHA:
            continue
        if best is None or eta2 > best[2]:
            mean_rank = np.where(used, means, np.inf)  # categories without numbers go last
            best = (np.argsort(mean_rank, kind="stable"), j, eta2)
    return best


@dataclass(frozen=True)
class Relation:
    target: str
    op: str  # "*" or "+"
    left: str
    right: str
    rows: int
    max_error: float

    def sql(self, quote) -> str:
        right = self.right if _is_number(self.right) else quote(self.right)
        return f"{quote(self.left)} {self.op} {right}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def algebraic_relations(
    columns: dict[str, np.ndarray],
    decimals: dict[str, int | None],
    *,
    targets: set[str] | None = None,
    min_rows: int = 20,
) -> list[Relation]:
    """Every a = b * c and a = b + c that holds on all rows where a, b and c are set.

    `targets`: the columns that may be a (default: all).
    """
    names = _varied(columns)
    if len(names) < 3:
        return []
    screen = np.column_stack([columns[n][:400] for n in names])
    tol_abs = np.array(
        [0.5 * 10.0 ** -decimals[n] if decimals.get(n) is not None else 0.0 for n in names]
    )
    m = len(names)
    left, right = np.triu_indices(m, 1)
    found: list[Relation] = []
    for op in ("*", "+"):
        good = _screen(screen, left, right, op, tol_abs, min(5, len(screen)))
        for pair, a in good:
            i, j = left[pair], right[pair]
            if a in (i, j) or (targets is not None and names[a] not in targets):
                continue
            xi, xj, xa = columns[names[i]], columns[names[j]], columns[names[a]]
            with np.errstate(all="ignore"):
                full = xi * xj if op == "*" else xi + xj
            ok = ~np.isnan(full) & ~np.isnan(xa)
            if ok.sum() < min_rows:
                continue
            diff = np.abs(xa[ok] - full[ok])
            limit = tol_abs[a] * (1 + 1e-9) + 1e-9 * np.maximum(1.0, np.abs(full[ok]))
            if np.all(diff <= limit):
                found.append(
                    Relation(names[a], op, names[i], names[j], int(ok.sum()), float(diff.max()))
                )
    return _acyclic(found)


def _varied(columns: dict[str, np.ndarray]) -> list[str]:
    """Columns with at least three distinct values (among their first 5,000 set ones)."""
    return [n for n, v in columns.items() if _three_values(v[~np.isnan(v)][:5000])]


def _three_values(v: np.ndarray) -> bool:
    """len(np.unique(v)) >= 3 without sorting: a value strictly between the two ends."""
    if len(v) < 3:
        return False
    lo, hi = v.min(), v.max()
    return bool(lo < hi and ((v > lo) & (v < hi)).any())


def proportional_relations(
    columns: dict[str, np.ndarray],
    decimals: dict[str, int | None],
    *,
    targets: set[str],
    avoid: set[tuple[str, str]] | None = None,
    min_rows: int = 20,
) -> list[Relation]:
    """a = b * k for a constant k on every row where both are set, within the rounding of a
    (a fee of 3 % written with two decimals: `fee = amount * 0.03`). Each row allows k an
    interval ((a − tol) / b, (a + tol) / b); k is the shortest decimal (up to 6 significant
    digits) in all of them."""
    names = _varied(columns)
    found: list[Relation] = []
    if len(names) < 2:
        return found
    screen = np.column_stack([columns[n][:400] for n in names])
    for a, target in enumerate(names):
        if target not in targets:
            continue
        tol = 0.5 * 10.0 ** -decimals[target] if decimals.get(target) is not None else 0.0
        xa = columns[target]
        # Ruled out on the first rows is ruled out on all: each row only narrows k's interval
        if not _feasible_sources(screen[:SCREEN_FIRST], a, tol, min_usable=0):
            continue
        for b in _feasible_sources(screen, a, tol):
            source = names[b]
            if avoid and (target, source) in avoid:  # the source is computed from the target
                continue
            xb = columns[source]
            factor = _common_factor(xa, xb, tol, min_rows)
            if factor is not None and factor != 0:
                both = ~np.isnan(xa) & ~np.isnan(xb)
                error = float(np.max(np.abs(xa[both] - xb[both] * factor)))
                found.append(Relation(target, "*", source, repr(factor), int(both.sum()), error))
                break
    # a = b·k and b = a/k: the later column (derived columns usually follow their source)
    # is the formula
    position = {n: i for i, n in enumerate(columns)}
    kept = [
        r
        for r in found
        if not any(o.target == r.left and o.left == r.target for o in found)
        or position[r.target] > position[r.left]
    ]
    return _acyclic(kept)


def _feasible_sources(screen: np.ndarray, a: int, tol: float, min_usable: int = 5) -> list[int]:
    """Columns b for which some k fits a ≈ b·k on the screen rows (all b at once), with at
    least `min_usable` rows where b is not 0."""
    x = screen[:, a][:, None]
    slack = tol * 1.001 + 1e-9 * np.maximum(1.0, np.abs(x))
    with np.errstate(all="ignore"):
        low, high = (x - slack) / screen, (x + slack) / screen
    ends_lo, ends_hi = np.fmin(low, high), np.fmax(low, high)
    usable = np.isfinite(ends_lo) & np.isfinite(ends_hi) & (screen != 0)
    lo = np.where(usable, ends_lo, -np.inf).max(axis=0)
    hi = np.where(usable, ends_hi, np.inf).min(axis=0)
    zero_ok = np.where(screen == 0, np.abs(x) <= slack, True).all(axis=0)
    ok = (lo <= hi) & zero_ok & (usable.sum(axis=0) >= min_usable)
    ok[a] = False
    return [int(b) for b in np.flatnonzero(ok)]


def _common_factor(a: np.ndarray, b: np.ndarray, tol: float, min_rows: int) -> float | None:
    """The shortest decimal k with |a − b·k| <= tol on every row where both are set."""
    both = ~np.isnan(a) & ~np.isnan(b)
    if both.sum() < min_rows:
        return None
    a, b = a[both], b[both]
    slack = tol * 1.001 + 1e-9 * np.maximum(1.0, np.abs(a))
    zero = b == 0
    if np.any(np.abs(a[zero]) > slack[zero]):
        return None
    a, b, slack = a[~zero], b[~zero], slack[~zero]
    if len(a) == 0:
        return None
    ends = np.stack([(a - slack) / b, (a + slack) / b])
    lo, hi = float(np.max(ends.min(axis=0))), float(np.min(ends.max(axis=0)))
    if lo > hi:
        return None
    middle = (lo + hi) / 2
    for digits in range(1, 7):
        k = float(f"{middle:.{digits}g}")
        if lo <= k <= hi:
            return k
    return None


def _combine(x: np.ndarray, left: np.ndarray, right: np.ndarray, op: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        return x[:, left] * x[:, right] if op == "*" else x[:, left] + x[:, right]


def _holds(rows: np.ndarray, r: np.ndarray, tol_abs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows (n, targets) and pair results r (n, pairs): (pairs, targets) masks of
    "within tolerance on every row where both are set" and "rows where both are set"."""
    with np.errstate(all="ignore"):
        err = np.abs(rows[:, None, :] - r[:, :, None])
        tol = tol_abs[None, None, :] * (1 + 1e-9) + 1e-9 * np.maximum(1.0, np.abs(r))[:, :, None]
    known = ~np.isnan(rows)[:, None, :] & ~np.isnan(r)[:, :, None]
    return np.where(known, err <= tol, True).all(axis=0), known.sum(axis=0)


SCREEN_FIRST = 8  # rows that rule out almost every (pair, target) before the full screen


def _screen(
    screen: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    op: str,
    tol_abs: np.ndarray,
    min_known: int,
) -> list[tuple[int, int]]:
    """(pair, target) where the formula holds on every screen row (and at least min_known
    are set). The first rows go over every pair and target; only what passes them is checked
    on the rest (the same answer as checking all rows at once, with a fraction of the work)."""
    head = screen[:SCREEN_FIRST]
    holds, _ = _holds(head, _combine(head, left, right, op), tol_abs)
    pairs, targets = np.nonzero(holds)
    if not len(pairs):
        return []
    r = _combine(screen, left[pairs], right[pairs], op)  # (rows, candidates)
    with np.errstate(all="ignore"):
        err = np.abs(screen[:, targets] - r)
        tol = tol_abs[targets][None, :] * (1 + 1e-9) + 1e-9 * np.maximum(1.0, np.abs(r))
    known = ~np.isnan(screen[:, targets]) & ~np.isnan(r)
    ok = np.where(known, err <= tol, True).all(axis=0) & (known.sum(axis=0) >= min_known)
    return [(int(p), int(t)) for p, t in zip(pairs[ok], targets[ok], strict=True)]


def _acyclic(found: list[Relation]) -> list[Relation]:
    """One formula per target, skipping any that would make targets depend on themselves."""
    import networkx as nx

    graph = nx.DiGraph()
    chosen: list[Relation] = []
    # Products before sums; formulas whose inputs are plain columns first.
    targets = {r.target for r in found}
    found = sorted(
        found, key=lambda r: (r.op != "*", (r.left in targets) + (r.right in targets), r.target)
    )
    for rel in found:
        if rel.target in graph and any(True for _ in graph.predecessors(rel.target)):
            continue
        graph.add_edge(rel.left, rel.target)
        graph.add_edge(rel.right, rel.target)
        if not nx.is_directed_acyclic_graph(graph):
            graph.remove_edge(rel.left, rel.target)
            graph.remove_edge(rel.right, rel.target)
            continue
        chosen.append(rel)
    return chosen


# ---------------------------------------------------------------- time orderings


@dataclass(frozen=True)
class Ordering:
    child: str
    parent: str  # a field of the same row, or `fk.parent_field`
    gaps: np.ndarray  # child − parent in the column's units (days or µs), rows where both set
    child_nulls: int  # rows where the parent is set and the child is not
    earlier: int = 0  # rows where the child is before the parent (left out of `gaps`)
    parent_kind: str = ""  # "date" for a datetime after a date (from the date's midnight)


# Real exports break an ordering on a few rows (a shipment booked before its order's clock
# moved, a typo): up to this share of rows earlier than the parent still make it `after`,
# those rows are left out of the gap (and said so), rather than losing the gap to a
# correlation that cannot keep it.
MAX_EARLIER_SHARE = 0.02
_US_PER_DAY = 86_400_000_000.0


def time_orderings(
    columns: dict[str, tuple[np.ndarray, str]],
    through: dict[str, tuple[np.ndarray, str]] | None = None,
    *,
    min_rows: int = 20,
) -> dict[str, Ordering]:
    """For each time column, its closest predecessor: x >= y on every row (x NULL where y is)
    but at most MAX_EARLIER_SHARE of them, where the gap x − y varies less than x itself.
    A datetime may follow a date (from the date's midnight, as PDL's `after` takes it).

    `columns`: name → (values in units, NaN for NULL; kind). `through`: the same for
    parent fields reached by a foreign key, keyed `fk.field` (already joined row by row).
    """
    candidates = dict(columns)
    candidates.update(through or {})
    out: dict[str, Ordering] = {}
    for child, (x, kind) in columns.items():
        best: tuple[float, Ordering] | None = None
        for parent, (y, pkind) in candidates.items():
            if parent == child:
                continue
            if pkind != kind:
                if (kind, pkind) != ("datetime", "date"):
                    continue
                y = y * _US_PER_DAY  # days → µs of the date's midnight
            both = ~np.isnan(x) & ~np.isnan(y)
            if both.sum() < min_rows:
                continue
            if np.any(~np.isnan(x) & np.isnan(y)):
                continue  # `after` gives NULL where its base is NULL
            gaps = x[both] - y[both]
            earlier = int(np.sum(gaps < 0))
            if earlier > MAX_EARLIER_SHARE * len(gaps):
                continue
            gaps = gaps[gaps >= 0] if earlier else gaps
            if gaps.max() == 0:
                continue
            if np.std(gaps) >= np.std(x[both]):
                # y explains none of x's spread (two independent ranges that do not
                # overlap): y + gap would spread x over both ranges.
                continue
            median = float(np.median(gaps))
            # Same-row parents are preferred to the same gap through a foreign key.
            rank = median + (0.0 if "." not in parent else 1e-9 * (abs(median) + 1))
            if best is None or rank < best[0]:
                child_nulls = int(np.sum(np.isnan(x) & ~np.isnan(y)))
                best = (rank, Ordering(child, parent, gaps, child_nulls, earlier, pkind))
        if best is not None:
            out[child] = best[1]
    # A same-row ordering whose parent is itself ordered after this child cannot happen
    # exactly (x >= y and y >= x with x > y somewhere); chains (c after b after a) are kept.
    # With a few rows let off it can (x and y equal but on 1 % of rows either way): each
    # cycle loses its ordering with the most rows let off.
    while cycle := _cycle(out):
        worst = max(cycle, key=lambda child: (out[child].earlier, child))
        del out[worst]
    return out


def _cycle(orderings: dict[str, Ordering]) -> list[str]:
    """The children of one cycle of same-row orderings (empty if there is none)."""
    for start in sorted(orderings):
        path, node = [], start
        while node in orderings and node not in path:
            path.append(node)
            node = orderings[node].parent
        if node in path:
            return path[path.index(node) :]
    return []


# ---------------------------------------------------------------- boolean comparisons


@dataclass(frozen=True)
class Comparison:
    """target = left op right on every row: `right` a column, or (with `gap`) a constant
    already written as SQL (`100`, `DATE '2024-01-01'`)."""

    target: str
    left: str
    op: str  # ">", ">=", "<", "<="
    right: str
    rows: int
    trues: int
    # a threshold's evidence: the values on either side of it in the sample, as text
    # (the last of the smaller side, the first of the larger side)
    gap: tuple[str, str] | None = None

    def sql(self, quote) -> str:
        right = self.right if self.gap is not None else quote(self.right)
        return f"{quote(self.left)} {self.op} {right}"


MIN_CLASS_ROWS = 5  # true rows and false rows each needed before a comparison is evidence
_US_PER_SECOND = 1_000_000


def boolean_comparisons(
    flags: dict[str, np.ndarray],
    columns: dict[str, tuple[np.ndarray, str]],
    *,
    skip: dict[str, set[str]] | None = None,
    min_rows: int = 20,
) -> list[Comparison]:
    """For each flag, a comparison that gives it on every row: first `x > t` (or >=, <, <=)
    for a constant t, else `x > y` (or >=) of two columns, in column order: one input beats
    two, as a second column adds nothing to a flag a threshold already gives.

    `flags`: name → 1.0 / 0.0 per row, NaN for NULL. `columns`: name → (values in units,
    NaN for NULL; kind: int, float, decimal, date (days) or datetime (µs)). `skip`: flag →
    columns it may not read (they read the flag). SQL comparisons are NULL where an input
    is: the flag must be NULL on exactly those rows. A comparison needs `min_rows` set rows
    with MIN_CLASS_ROWS of them true and as many false.
    """
    out: list[Comparison] = []
    for target, flag in flags.items():
        known = ~np.isnan(flag)
        rows = int(known.sum())
        trues = int(np.sum(flag[known] == 1))
        if rows < min_rows or min(trues, rows - trues) < MIN_CLASS_ROWS:
            continue
        usable = {
            n: c
            for n, c in columns.items()
            if n != target and n not in (skip or {}).get(target, ())
        }
        found = _threshold(target, flag, known, usable, rows, trues) or _between(
            target, flag, known, usable, rows, trues
        )
        if found is not None:
            out.append(found)
    return out


SCREEN_ROWS = 512  # a candidate must hold on these first rows before all rows are checked


def _threshold(
    target: str,
    flag: np.ndarray,
    known: np.ndarray,
    columns: dict[str, tuple[np.ndarray, str]],
    rows: int,
    trues: int,
) -> Comparison | None:
    head = slice(0, SCREEN_ROWS)
    for name, (x, kind) in columns.items():
        # what fails on the first rows fails on all: a wide table checks each column cheaply
        if _split(flag[head], known[head], x[head]) is None:
            continue
        split = _split(flag, known, x)
        if split is None:
            continue
        lo, hi, rising = split
        values, true = x[known], flag[known] == 1
        t, literal = _roundest(lo, hi, kind)
        if t == lo:  # the last false (rising) or true value itself
            op = ">" if rising else "<="
        elif t == hi:
            op = ">=" if rising else "<"
        else:  # strictly between: either holds; a date starts a period (>= it)
            op = (">=" if kind in ("date", "datetime") else ">") if rising else "<"
        compare = {">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal}
        if not np.array_equal(compare[op](values, t), true):
            continue  # a literal that rounds differently from the sample's values
        gap = (_show(lo, kind), _show(hi, kind))
        return Comparison(target, name, op, literal, rows, trues, gap)
    return None


def _split(flag: np.ndarray, known: np.ndarray, x: np.ndarray) -> tuple[float, float, bool] | None:
    """(lo, hi, rising) when x separates the flag's true and false rows (all true values
    above the false ones when rising, below when not; one side may be empty), with the flag
    NULL exactly where x is: lo the last value below, hi the first above."""
    if not np.array_equal(known, ~np.isnan(x)):
        return None
    values, true = x[known], flag[known] == 1
    if true.all() or not true.any():
        return -math.inf, math.inf, True  # nothing to separate on these rows (a screen)
    top_false, bottom_true = values[~true].max(), values[true].min()
    if top_false < bottom_true:
        return float(top_false), float(bottom_true), True
    top_true, bottom_false = values[true].max(), values[~true].min()
    if top_true < bottom_false:
        return float(top_true), float(bottom_false), False
    return None


def _between(
    target: str,
    flag: np.ndarray,
    known: np.ndarray,
    columns: dict[str, tuple[np.ndarray, str]],
    rows: int,
    trues: int,
) -> Comparison | None:
    names = list(columns)
    head = slice(0, SCREEN_ROWS)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (x, xk), (y, yk) = columns[a], columns[b]
            if _family(xk) != _family(yk):
                continue
            # a datetime against a date: from the date's midnight (as the engine compares)
            if xk == "datetime" and yk == "date":
                y = y * _US_PER_DAY
            elif xk == "date" and yk == "datetime":
                x = x * _US_PER_DAY
            if not _orders(flag[head], known[head], x[head], y[head]):
                continue
            for x_left, op in _orders(flag, known, x, y)[:1]:
                left, right = (a, b) if x_left else (b, a)
                return Comparison(target, left, op, right, rows, trues)
    return None


def _orders(
    flag: np.ndarray, known: np.ndarray, x: np.ndarray, y: np.ndarray
) -> list[tuple[bool, str]]:
    """The comparisons of x and y equal to the flag on these rows, as (x on the left, op):
    `>` first, `>=` only where some row has x = y (else it is the same as `>`). The
    flag must be NULL exactly where x or y is."""
    if not np.array_equal(known, ~np.isnan(x) & ~np.isnan(y)):
        return []
    diff, true = x[known] - y[known], flag[known] == 1
    ties = bool(np.any(diff == 0))
    found = []
    for left, d in ((True, diff), (False, -diff)):
        if np.array_equal(d > 0, true):
            found.append((left, ">"))
        elif ties and np.array_equal(d >= 0, true):
            found.append((left, ">="))
    return found


def _family(kind: str) -> str:
    return "time" if kind in ("date", "datetime") else "number"


def _roundest(lo: float, hi: float, kind: str) -> tuple[float, str]:
    """The roundest value in [lo, hi] and its SQL literal: for numbers the multiple of the
    largest power of ten (100 between 99.87 and 100.03, 18 or 17 for ages 17 and 18); for
    dates the first of a year, then of a month, then a day; for datetimes also whole hours,
    minutes, seconds. Among the candidates of one step: one strictly inside (the middlemost),
    else `hi`, else `lo`."""
    if kind == "date":
        levels = ["Y", "M", "D"]
        return _roundest_time(lo, hi, levels, "D", kind)
    if kind == "datetime":
        return _roundest_time(lo, hi, ["Y", "M", "D", "h", "m", "s", "us"], "us", kind)
    top = math.ceil(math.log10(max(abs(lo), abs(hi), 1.0))) + 1
    bottom = 0 if kind == "int" else -12
    for k in range(top, bottom - 1, -1):
        # m · 10^k written as text first, so 0.1 steps do not pick up binary noise
        step = 10.0**k
        first, last = math.ceil(lo / step), math.floor(hi / step)
        values = [float(f"{m}e{k}") for m in range(first, min(last, first + 20) + 1)]
        values = [v for v in values if lo <= v <= hi]
        if values:
            v = _pick(values, lo, hi)
            return v, _number(v, kind)
    return hi, _number(hi, kind)


def _roundest_time(lo: float, hi: float, levels: list[str], unit: str, kind: str):
    lo_t, hi_t = np.datetime64(int(lo), unit), np.datetime64(int(hi), unit)
    for level in levels:
        start = lo_t.astype(f"datetime64[{level}]")
        candidates = np.arange(start, hi_t.astype(f"datetime64[{level}]") + 1)[:40]
        values = [float(c.astype(f"datetime64[{unit}]").astype(np.int64)) for c in candidates]
        values = [v for v in values if lo <= v <= hi]
        if values:
            v = _pick(values, lo, hi)
            return v, _time_literal(v, kind)
    return hi, _time_literal(hi, kind)


def _pick(values: list[float], lo: float, hi: float) -> float:
    inside = [v for v in values if lo < v < hi]
    if inside:
        middle = (lo + hi) / 2
        return min(inside, key=lambda v: (abs(v - middle), v))
    return hi if hi in values else lo


def _number(v: float, kind: str) -> str:
    if kind == "int" or v.is_integer():
        return str(int(v))
    return repr(v)


def _time_literal(v: float, kind: str) -> str:
    return f"DATE '{_show(v, kind)}'" if kind == "date" else f"TIMESTAMP '{_show(v, kind)}'"


def _show(v: float, kind: str) -> str:
    """A value in its column's terms: a number, a date, a datetime (no zero fraction)."""
    if kind == "date":
        return str(np.datetime64(int(v), "D"))
    if kind == "datetime":
        text = str(np.datetime64(int(v), "us")).replace("T", " ")
        return text[:-7] if text.endswith(".000000") else text
    return _number(v, kind)


# ---------------------------------------------------------------- foreign keys


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    parent: str
    key: str
    coverage: float  # share of parent keys used
    by_name: bool


def _singular(word: str) -> str:
    w = word.lower()
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ses", "s"), ("s", "")):
        if w.endswith(suffix) and len(w) > len(suffix) + 1:
            return w[: -len(suffix)] + repl
    return w


def _name_evidence(column: str, parent: str, key: str) -> bool:
    c = column.lower()
    stems = {parent.lower(), _singular(parent)}
    for stem in stems:
        if c in (f"{stem}_{key.lower()}", f"{stem}{key.lower()}", f"{stem}_id", f"{stem}id"):
            return True
    return key.lower() != "id" and c == key.lower()


# `n_events`, `num_items`, `order_count`: a name that says the column counts something
_COUNT_NAME = re.compile(r"^(n|num|nb|no|cnt|count|total)_|_(count|cnt|total|num)$|^count$", re.I)


def foreign_keys(
    tables: dict[str, dict[str, tuple[set, str, bool]]],
    keys: dict[str, list[str]],
) -> list[ForeignKey]:
    """Columns whose values all appear in another table's key.

    `tables`: table → column → (distinct non-null values, kind, is that table's key);
    `keys`: table → its candidate key columns. A match needs name evidence
    (`customer_id` → `customers.id`) or, without it, to use at least half of the
    parent's keys with ten or more distinct values, so small counts that happen to
    be valid ids are not taken for references, and integers must spread over the
    parent's keys as picks would (a table's own numbering 1..800 inside ids 1..1000 is
    no reference).
    """
    found: list[ForeignKey] = []
    for table, columns in tables.items():
        for column, (values, kind, is_key) in columns.items():
            if not values or kind not in ("int", "string"):
                continue
            best: ForeignKey | None = None
            for parent, parent_keys in keys.items():
                for key in parent_keys:
                    pvalues, pkind, _ = tables[parent][key]
                    if pkind != kind or (parent == table and key == column):
                        continue
                    by_name = _name_evidence(column, parent, key)
                    if parent == table and not (by_name or re.search(r"(parent|manager)", column)):
                        continue
                    if (is_key or _COUNT_NAME.search(column)) and not by_name:
                        continue
                    if not values <= pvalues:
                        continue
                    coverage = len(values) / max(len(pvalues), 1)
                    # `captain_id` names some id: a few values inside a key are enough
                    names_an_id = bool(
                        re.search(r"._id$", column, re.I) or re.search(r"[a-z0-9](Id|ID)$", column)
                    )
                    if not by_name and not names_an_id and (coverage < 0.5 or len(values) < 10):
                        continue
                    if not by_name and names_an_id and len(values) < 3:
                        continue
                    if (
                        not by_name
                        and parent != table  # a manager is an earlier row: low ids, by design
                        and kind == "int"
                        and _confined(values, pvalues)
                    ):
                        continue  # 1..800 inside ids 1..1000: not picked from those ids

                    cand = ForeignKey(table, column, parent, key, coverage, by_name)
                    if best is None or (by_name, coverage) > (best.by_name, best.coverage):
                        best = cand
            if best is not None:
                found.append(best)
    return found


def _confined(values: set, keys: set) -> bool:
    """True when values picked from `keys` at random would almost never (p < 0.001) all fall
    in the narrow part of the key range they occupy: order numbers 1..800 are not picks
    among user ids 1..1000, however well they fit inside them."""
    lo, hi = min(values), max(values)
    inside = sum(1 for k in keys if lo <= k <= hi)
    if inside >= len(keys):
        return False
    return len(values) * math.log(inside / len(keys)) < math.log(1e-3)


def zipf_exponent(counts: np.ndarray) -> float | None:
    """Exponent s of a Zipf pick from children per parent (None when picks look uniform)."""
    counts = np.sort(np.asarray(counts, dtype=np.float64))[::-1]
    total = counts.sum()
    if total < 50 or len(counts) < 5:
        return None
    mean = total / len(counts)
    if counts.var() <= 2 * mean:  # Poisson-like: a uniform pick explains it
        return None
    ranks = np.arange(1, len(counts) + 1, dtype=np.float64)
    keep = counts > 0
    slope = np.polyfit(np.log(ranks[keep]), np.log(counts[keep]), 1)[0]
    s = -slope
    return round(float(s), 3) if 0.05 < s < 5 and math.isfinite(s) else None
