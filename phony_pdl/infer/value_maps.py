"""Columns whose value follows from another column's on every row: a plan's price, a
department's cost centre, a country code's country.

Within a table, column B follows from column A when each value of A comes with one
value of B on every row (a functional dependency A → B). B is then written as a
`CASE A WHEN … THEN … END` over A, so generated rows keep the pairing instead of drawing
B apart (or, in a copula, only near it). Both columns take a handful of values
(categories, codes, list prices); A must repeat (every value on several rows on
average), or any column of distinct values would "determine" every other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MIN_MAP_ROWS = 20
MIN_ROWS_PER_VALUE = 5  # rows per value of A, on average, before A → B is evidence
SCREEN_ROWS = 512  # rows a dependency must hold on before all rows are checked


@dataclass(frozen=True)
class Coded:
    """A column as codes 0 … len(labels)-1 per row; a NULL is a label (None) of its own."""

    codes: np.ndarray
    labels: list[Any]

    @property
    def size(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class ValueMap:
    """`target` = the value `source` maps it to, on every row."""

    target: str
    source: str
    pairs: list[tuple[Any, Any]]  # (source value, target value), by source value
    rows: int


def _follows(a: Coded, b: Coded, rows: slice | None = None) -> bool:
    """Whether every value of `a` comes with one value of `b` (on `rows`, else all)."""
    ca, cb = (a.codes, b.codes) if rows is None else (a.codes[rows], b.codes[rows])
    seen = np.full(a.size, -1, dtype=np.int64)
    seen[ca] = cb  # one of the b values of each a value (the last written)
    return bool(np.array_equal(seen[ca], cb))


def value_maps(columns: dict[str, Coded], rows: int) -> list[ValueMap]:
    """Each column that follows from another one, with that one's values mapped to its
    own (in column order; a determinant is never itself mapped, so there are no chains).
    A column with a NULL does not determine others. When two columns determine each
    other (a plan and its list price), the first one in column order stays drawn."""
    if rows < MIN_MAP_ROWS:
        return []
    names = list(columns)
    order = {name: i for i, name in enumerate(names)}
    determinants = [
        n
        for n in names
        if None not in columns[n].labels and rows >= MIN_ROWS_PER_VALUE * columns[n].size
    ]
    head = slice(0, SCREEN_ROWS)
    found: list[ValueMap] = []
    targets: set[str] = set()
    chosen: set[str] = set()
    for b_name in names:
        b = columns[b_name]
        if b.size < 2 or b_name in chosen:
            continue
        for a_name in sorted(determinants, key=lambda n: (columns[n].size, order[n])):
            a = columns[a_name]
            if a_name == b_name or a_name in targets or a.size < b.size:
                continue
            if not _follows(a, b, head) or not _follows(a, b):
                continue
            if order[a_name] > order[b_name] and a.size == b.size and _follows(b, a):
                continue  # each gives the other: the earlier column stays drawn
            seen = np.full(a.size, -1, dtype=np.int64)
            seen[a.codes] = b.codes
            used = np.flatnonzero(np.bincount(a.codes, minlength=a.size))
            pairs = [(a.labels[i], b.labels[seen[i]]) for i in used.tolist()]
            pairs.sort(key=lambda pair: (str(type(pair[0])), pair[0]))
            found.append(ValueMap(b_name, a_name, pairs, rows))
            targets.add(b_name)
            chosen.add(a_name)
            break
    return found


MIN_ASSOCIATION = 0.2  # Cramér's V below this: the categories are close to independent
ASSOCIATION_ALPHA = 1e-3  # and a G-test must reject independence at this level
MIN_ROWS_PER_GROUP = 10  # rows of each source value, to estimate its target shares on
MAX_CELLS = 200  # source values × target values written out in one CASE


@dataclass(frozen=True)
class ConditionalChoice:
    """`target` drawn from its shares among the rows of each `source` value."""

    target: str
    source: str
    # per source value: (target value, its share among that value's rows), by share
    shares: list[tuple[Any, list[tuple[Any, float]]]]
    association: float  # Cramér's V
    rows: int


def conditional_choices(
    columns: dict[str, Coded], rows: int, taken: set[str]
) -> list[ConditionalChoice]:
    """Category columns whose shares depend on another category column (a language on
    the country, mostly): each drawn from its shares within the other's values, with the
    column it goes with most strongly (largest Cramér's V, at least MIN_ASSOCIATION, a
    G-test rejecting independence at ASSOCIATION_ALPHA). `taken`: columns a value map
    already gives. A source has no NULLs and MIN_ROWS_PER_GROUP rows per value; a source
    is never itself a target, so there are no chains."""
    from scipy import special  # chi2.sf's own function, without importing scipy.stats

    names = [n for n in columns if n not in taken]
    sources = [
        n
        for n in names
        if None not in columns[n].labels
        and np.bincount(columns[n].codes, minlength=columns[n].size).min() >= MIN_ROWS_PER_GROUP
    ]
    strength: dict[tuple[str, str], float] = {}
    for i, a_name in enumerate(names):
        for b_name in names[i + 1 :]:
            a, b = columns[a_name], columns[b_name]
            if a.size * b.size > MAX_CELLS:
                continue
            counts = np.bincount(a.codes * b.size + b.codes, minlength=a.size * b.size)
            table = counts.reshape(a.size, b.size).astype(np.float64)
            table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
            if min(table.shape) < 2:
                continue
            expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / rows
            seen = table > 0
            g = 2.0 * float(np.sum(table[seen] * np.log(table[seen] / expected[seen])))
            dof = (table.shape[0] - 1) * (table.shape[1] - 1)
            v = float(
                np.sqrt(
                    np.sum((table - expected) ** 2 / expected) / (rows * (min(table.shape) - 1))
                )
            )
            if v >= MIN_ASSOCIATION and special.chdtrc(dof, g) < ASSOCIATION_ALPHA:
                strength[a_name, b_name] = strength[b_name, a_name] = v
    found: list[ConditionalChoice] = []
    targets: set[str] = set()
    chosen: set[str] = set()
    for b_name in names:
        if b_name in chosen:
            continue
        pairs = [
            (v, a_name)
            for (a_name, other), v in strength.items()
            if other == b_name and a_name in sources and a_name not in targets
        ]
        # of two columns that go together, the earlier one is drawn
        pairs = [(v, a) for v, a in pairs if names.index(a) < names.index(b_name) or a in chosen]
        if not pairs:
            continue
        v, a_name = max(pairs, key=lambda t: (t[0], -names.index(t[1])))
        a, b = columns[a_name], columns[b_name]
        shares = []
        for i in np.flatnonzero(np.bincount(a.codes, minlength=a.size)).tolist():
            within = np.bincount(b.codes[a.codes == i], minlength=b.size)
            order = np.argsort(-within, kind="stable")
            total = within.sum()
            shares.append(
                (
                    a.labels[i],
                    [(b.labels[j], within[j] / total) for j in order.tolist() if within[j]],
                )
            )
        shares.sort(key=lambda item: (str(type(item[0])), item[0]))
        found.append(ConditionalChoice(b_name, a_name, shares, v, rows))
        targets.add(b_name)
        chosen.add(a_name)
    return found
