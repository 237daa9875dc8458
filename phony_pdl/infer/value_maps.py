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
