"""Fidelity and privacy metrics between a real and a synthetic table.

Per column: Kolmogorov–Smirnov distance (numbers, dates, times), total variation
distance (categories, with coverage: the share of real categories that appear),
or the KS distance of text lengths (free text). Per table: the Pearson and
Spearman correlation matrices of the numeric columns and their mean absolute
difference, the share of synthetic rows that copy a real row exactly, and the
distance to the closest real record (DCR) next to the same distance between
real rows, for scale. Copies and distances look at a row's content: key columns
(ids) are left out, since a real row copied under a new id is still a copy. DCR
searches the whole real table up to DCR_REAL rows (a random sample beyond) from
DCR_SYNTHETIC sampled synthetic rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # infer's package imports far more than compare needs at start-up
    from ..infer.relations import RankedColumns

__all__ = ["ColumnScore", "TableScore", "compare_tables", "ks_distance", "tvd"]

CATEGORICAL_MAX = 50  # a text column with at most this many distinct values is categorical
DCR_SYNTHETIC = 1000  # rows sampled for distances (brute force, chunked)
DCR_REAL = 50_000  # the whole real table up to this size, so a copied row is at distance 0


@dataclass
class ColumnScore:
    column: str
    kind: str  # numeric, time, categorical, text
    metric: str  # KS, TVD, KS(length)
    value: float
    coverage: float | None = None  # categorical: real categories present in the synthetic data
    real_null: float = 0.0
    synthetic_null: float = 0.0
    real: Any = field(default=None, repr=False)  # values kept for plots
    synthetic: Any = field(default=None, repr=False)
    unit: str | None = None  # time kinds: timestamp (µs since 1970), date (days), time (µs)


@dataclass
class TableScore:
    name: str
    real_rows: int
    synthetic_rows: int
    columns: list[ColumnScore] = field(default_factory=list)
    corr_columns: list[str] = field(default_factory=list)
    pearson_real: np.ndarray | None = None
    pearson_synthetic: np.ndarray | None = None
    spearman_real: np.ndarray | None = None
    spearman_synthetic: np.ndarray | None = None
    exact_copies: float = 0.0  # share of synthetic rows equal to some real row
    dcr: dict[str, float] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # real columns absent from the synthetic data
    # (category column, number column, real rank η², synthetic rank η²) per pair: how much
    # of a number's spread its categories explain (salaries by department)
    category_dependence: list[tuple[str, str, float, float]] = field(default_factory=list)
    # (category column, category column, real Cramér's V, synthetic Cramér's V) per pair:
    # how strongly two categories go together (a country and a language)
    category_association: list[tuple[str, str, float, float]] = field(default_factory=list)

    @property
    def association_error(self) -> float | None:
        """Mean |V real − V synthetic| over the pairs of category columns."""
        if not self.category_association:
            return None
        return float(np.mean([abs(a - b) for _, _, a, b in self.category_association]))

    @property
    def category_error(self) -> float | None:
        """Mean |η² real − η² synthetic| over the category–number pairs."""
        if not self.category_dependence:
            return None
        return float(np.mean([abs(a - b) for _, _, a, b in self.category_dependence]))

    @property
    def pearson_error(self) -> float | None:
        return _mean_abs_upper(self.pearson_real, self.pearson_synthetic)

    @property
    def spearman_error(self) -> float | None:
        return _mean_abs_upper(self.spearman_real, self.spearman_synthetic)

    def mean(self, metric: str) -> float | None:
        values = [c.value for c in self.columns if c.metric == metric]
        return float(np.mean(values)) if values else None


def _codes(category: Any) -> np.ndarray:
    """A category per row as 0, 1, … (-1 for NULL)."""
    coded = pc.dictionary_encode(pc.cast(category, pa.string()).combine_chunks())
    return coded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _rank_eta2(codes: np.ndarray, numbers: RankedColumns, j: int) -> float | None:
    """The share of number column j's rank variance that the categories (`codes`) explain
    (the correlation ratio η² of the ranks, Kruskal-Wallis's effect size): 0 when every
    category has the same numbers, 1 when the categories alone order them. None with fewer
    than two categories or 20 rows that have both."""
    from ..infer.relations import rank_eta2

    both = (codes >= 0) & ~np.isnan(numbers.columns[j])
    if both.sum() < 20:
        return None
    # ranks among the rows that have both: the column's own unless the category has NULLs
    r = numbers.among(j, both, bool((codes >= 0).all()))
    found = rank_eta2(codes[both], r, int(codes.max()) + 1)
    return None if found is None else found[0]


def _cramers_v(x: np.ndarray, y: np.ndarray) -> float | None:
    """Cramér's V of two category columns (codes, -1 for NULL) over the rows where both
    are set: 0 when they are independent, 1 when either gives the other. None with fewer
    than 20 such rows, a column of one category, or more cells than rows (independent
    columns then score far from 0, and the table alone would take cells × 8 bytes)."""
    both = (x >= 0) & (y >= 0)
    if both.sum() < 20:
        return None
    # each column's codes that occur, renumbered 0, 1, … in order (np.unique's, unsorted)
    x_seen, y_seen = np.bincount(x[both]) > 0, np.bincount(y[both]) > 0
    r, c = int(x_seen.sum()), int(y_seen.sum())
    if min(r, c) < 2 or r * c > both.sum():
        return None
    a = (np.cumsum(x_seen) - 1)[x[both]]
    b = (np.cumsum(y_seen) - 1)[y[both]]
    table = np.bincount(a * c + b, minlength=r * c).reshape(r, c).astype(np.float64)
    n = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(np.sum((table - expected) ** 2 / expected))
    return float(math.sqrt(min(chi2 / (n * (min(r, c) - 1)), 1.0)))


def _mean_abs_upper(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None or len(a) < 2:
        return None
    iu = np.triu_indices(len(a), 1)
    return float(np.mean(np.abs(a[iu] - b[iu])))


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov–Smirnov statistic sup |F_a − F_b|."""
    a, b = np.sort(a), np.sort(b)
    if len(a) == 0 or len(b) == 0:
        return 1.0 if len(a) != len(b) else 0.0
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def tvd(a: list, b: list) -> tuple[float, float]:
    """(total variation distance between the frequencies, share of a's categories found in b)."""
    from collections import Counter

    ca, cb = Counter(a), Counter(b)
    if not a or not b:  # values on one side only (the other all NULL): nothing in common
        return (0.0 if not a and not b else 1.0), (1.0 if not ca else 0.0)
    na, nb = len(a), len(b)
    keys = set(ca) | set(cb)
    distance = 0.5 * sum(abs(ca[k] / na - cb[k] / nb) for k in keys)
    coverage = sum(1 for k in ca if k in cb) / len(ca) if ca else 1.0
    return float(distance), float(coverage)


def _kind(column: pa.ChunkedArray | pa.Array) -> str:
    t = column.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_temporal(t):
        return "time"
    return "text"


def _comparable(col: pa.Array) -> pa.Array:
    """Times as microseconds, dates as days, decimals as floats; other types as they are."""
    t = col.type
    if pa.types.is_timestamp(t):
        return col.cast(pa.timestamp("us", tz=t.tz)).cast(pa.int64())
    if pa.types.is_date(t):
        return col.cast(pa.int32())
    if pa.types.is_time(t):
        return col.cast(pa.time64("us")).cast(pa.int64())
    if pa.types.is_decimal(t):
        from ..engine.arrow import decimal_to_float

        return decimal_to_float(col)
    return col


def _time_unit(t: pa.DataType) -> str | None:
    """What the numbers of a time column count (see _comparable)."""
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_time(t):
        return "time"
    return None


def _numbers(column: pa.Array) -> np.ndarray:
    """Non-null values as floats (times as microseconds or days)."""
    values = _comparable(pc.drop_null(column)).to_numpy(zero_copy_only=False).astype(np.float64)
    return values[np.isfinite(values)]


def _aligned(column: pa.Array) -> np.ndarray:
    """Every row as a float, NaN where NULL (for correlations and distances)."""
    return pc.cast(_comparable(column), pa.float64(), safe=False).to_numpy(zero_copy_only=False)


def _as_text(column: pa.Array) -> list:
    return (
        pc.drop_null(column).cast(pa.string()).to_pylist()
        if not pa.types.is_boolean(column.type)
        else pc.drop_null(column).to_pylist()
    )


def _text_lengths(column: pa.Array) -> np.ndarray:
    """Characters per non-null value, as `len(str(v))` counts them."""
    values = pc.drop_null(column)
    if pa.types.is_boolean(values.type):
        return np.array([len(str(v)) for v in values.to_pylist()], dtype=np.float64)
    text = values.cast(pa.string())
    return pc.utf8_length(text).to_numpy(zero_copy_only=False).astype(np.float64)


def _id_like(name: str) -> bool:
    n = name.lower()
    return n == "id" or n.endswith("_id") or n.endswith("_key")


def _frequencies(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_counts=True)[1].astype(np.float64)


def _column_score(name: str, real: pa.Array, synth: pa.Array) -> ColumnScore:
    kind = _kind(real)
    real_null = real.null_count / len(real) if len(real) else 0.0
    syn_null = synth.null_count / len(synth) if len(synth) else 0.0
    if _id_like(name) and pa.types.is_integer(real.type) and pa.types.is_integer(synth.type):
        # Keys and references: their values are labels; what matters is how often each is used.
        a, b = _frequencies(_numbers(real)), _frequencies(_numbers(synth))
        return ColumnScore(
            name, "key", "KS(freq)", ks_distance(a, b), None, real_null, syn_null, a, b
        )
    if kind in ("numeric", "time") and _kind(synth) in ("numeric", "time"):
        a, b = _numbers(real), _numbers(synth)
        score = ColumnScore(name, kind, "KS", ks_distance(a, b), None, real_null, syn_null, a, b)
        score.unit = _time_unit(real.type) if kind == "time" else None
        return score
    if kind in ("numeric", "time") and synth.null_count < len(synth):
        # numbers (or times) made as text: the worst score, counted in the mean KS, rather
        # than a text score that leaves the column out of the KS mean and the correlations
        return ColumnScore(
            name, kind, "KS", 1.0, None, real_null, syn_null, _numbers(real), np.zeros(0)
        )
    present = pc.drop_null(real)
    distinct = pc.count_distinct(present).as_py() if len(present) else 0
    # A few values that repeat are categories; 20 names on 20 rows are text, whose shares
    # would score TVD 1.0 however real the synthetic names are
    repeated = distinct <= CATEGORICAL_MAX and distinct < 0.5 * len(present)
    if repeated or distinct <= 0.05 * max(len(present), 1):
        a, b = _as_text(real), _as_text(synth)
        distance, coverage = tvd(a, b)
        return ColumnScore(
            name, "categorical", "TVD", distance, coverage, real_null, syn_null, a, b
        )
    la, lb = _text_lengths(real), _text_lengths(synth)  # in Arrow: no Python string per row
    return ColumnScore(
        name, "text", "KS(length)", ks_distance(la, lb), None, real_null, syn_null, la, lb
    )


def _corr(columns: list[np.ndarray], method: str) -> np.ndarray:
    from ..infer.relations import spearman_matrix

    if method == "spearman":
        return spearman_matrix(columns)
    k = len(columns)
    m = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            both = ~np.isnan(columns[i]) & ~np.isnan(columns[j])
            a, b = columns[i][both], columns[j][both]
            if len(a) > 2 and a.std() > 0 and b.std() > 0:
                m[i, j] = m[j, i] = float(np.corrcoef(a, b)[0, 1])
    return m


def _row_keys(table: pa.Table, names: list[str], limit: int) -> list[tuple]:
    """Rows as tuples that compare equal when the values are (21.60 as a decimal and 21.6 as
    a float, a date from CSV text and from Parquet): numbers and times as floats."""
    cols = []
    for n in names:
        column = table.column(n).slice(0, limit).combine_chunks()
        if _kind(column) in ("numeric", "time"):
            values = _aligned(column)
            cols.append([None if v != v else v for v in values.tolist()])  # NaN → None
        else:
            cols.append(column.cast(pa.string()).to_pylist())
    return list(zip(*cols, strict=True)) if cols else []


def _encode(
    real: pa.Table, synth: pa.Table, names: list[str], ri: np.ndarray, si: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rows `ri` of the real and `si` of the synthetic table as vectors: numbers scaled by the
    real spread (NULL → an own column), categories one-hot. Scales and categories come from
    the whole real column; only the sampled rows are encoded."""
    parts_r, parts_s = [], []
    for name in names:
        r, s = real.column(name).combine_chunks(), synth.column(name).combine_chunks()
        if _kind(r) in ("numeric", "time") and _kind(s) in ("numeric", "time"):
            full = _aligned(r)
            finite = full[~np.isnan(full)]
            scale = float(np.std(finite)) if len(finite) > 1 else 1.0
            centre = float(np.mean(finite)) if len(finite) else 0.0
            scale = scale if scale > 0 else 1.0
            a, b = full[ri], _aligned(s)[si]
            parts_r.append(np.nan_to_num((a - centre) / scale)[:, None])
            parts_s.append(np.nan_to_num((b - centre) / scale)[:, None])
            if np.isnan(a).any() or np.isnan(b).any():
                parts_r.append(np.isnan(a)[:, None].astype(float))
                parts_s.append(np.isnan(b)[:, None].astype(float))
        else:
            text = r.cast(pa.string())
            if pc.count_distinct(pc.drop_null(text)).as_py() > CATEGORICAL_MAX:
                continue  # free text: no meaningful distance
            values = pc.unique(pc.drop_null(text)).to_pylist()
            a = np.array(text.take(pa.array(ri)).to_pylist(), dtype=object)
            b = np.array(s.cast(pa.string()).take(pa.array(si)).to_pylist(), dtype=object)
            for v in sorted(values):
                parts_r.append((a == v)[:, None].astype(float) / math.sqrt(2))
                parts_s.append((b == v)[:, None].astype(float) / math.sqrt(2))
    if not parts_r:
        return np.zeros((len(ri), 0)), np.zeros((len(si), 0))
    return np.hstack(parts_r), np.hstack(parts_s)


def _nearest(queries: np.ndarray, pool: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    out = np.empty(len(queries))
    pool_sq = np.sum(pool**2, axis=1)
    for start in range(0, len(queries), 512):
        q = queries[start : start + 512]
        d2 = np.sum(q**2, axis=1)[:, None] + pool_sq[None, :] - 2 * q @ pool.T
        if exclude_self:
            idx = np.arange(start, start + len(q))
            d2[np.arange(len(q)), idx] = np.inf
        out[start : start + len(q)] = np.sqrt(np.maximum(d2.min(axis=1), 0))
    return out


def _clock_scores(name: str, real: Any, synth: Any) -> list[ColumnScore]:
    """For datetimes: how far apart the hours of the day and the days of the week are
    (TVD), which a KS over the whole range cannot see (business hours, weekdays only)."""
    if not (pa.types.is_timestamp(real.type) and pa.types.is_timestamp(synth.type)):
        return []
    out = []
    # Both sides on UTC's clock, as infer and generate work: hours of a column with a time
    # zone would otherwise be local (Tokyo 09:00 against the same instant's 00:00 UTC).
    real, synth = (
        col.cast(pa.timestamp(col.type.unit)) if col.type.tz is not None else col
        for col in (real, synth)
    )
    for metric, part, bins in (("TVD(hour)", pc.hour, 24), ("TVD(weekday)", pc.day_of_week, 7)):
        counts = []
        for col in (real, synth):
            values = pc.drop_null(part(col)).to_numpy(zero_copy_only=False).astype(np.int64)
            counts.append(np.bincount(values, minlength=bins).astype(np.float64))
        if counts[0].sum() == 0 or counts[1].sum() == 0:
            continue
        p, q = (c / c.sum() for c in counts)
        out.append(ColumnScore(name, "time", metric, float(0.5 * np.abs(p - q).sum())))
    return out


def compare_tables(name: str, real: pa.Table, synth: pa.Table, *, keep: bool = True) -> TableScore:
    score = TableScore(name, real.num_rows, synth.num_rows)
    shared = [c for c in real.column_names if c in synth.column_names]
    score.missing = [c for c in real.column_names if c not in synth.column_names]
    numeric = []
    for c in shared:
        col = _column_score(c, real.column(c).combine_chunks(), synth.column(c).combine_chunks())
        if not keep:
            col.real = col.synthetic = None
        score.columns.append(col)
        if col.kind in ("numeric", "time") and _kind(synth.column(c)) in ("numeric", "time"):
            numeric.append(c)  # (a column made as text has no correlations to compare)
        score.columns.extend(_clock_scores(c, real.column(c), synth.column(c)))
    # Correlations over numeric and time columns that vary in both tables.
    cols_r, cols_s, names = [], [], []
    for c in numeric:
        a = _aligned(real.column(c).combine_chunks())
        b = _aligned(synth.column(c).combine_chunks())
        if np.nanstd(a) > 0 and np.nanstd(b) > 0:
            cols_r.append(a)
            cols_s.append(b)
            names.append(c)
    if len(names) >= 2:
        score.corr_columns = names
        score.pearson_real, score.pearson_synthetic = (
            _corr(cols_r, "pearson"),
            _corr(cols_s, "pearson"),
        )
        score.spearman_real = _corr(cols_r, "spearman")
        score.spearman_synthetic = _corr(cols_s, "spearman")
    categories = [c.column for c in score.columns if c.kind == "categorical"]
    if categories and names:
        from ..infer.relations import RankedColumns

        # each column coded or ranked once: a wide table has many pairs
        sides = [
            (RankedColumns([_aligned(t.column(n).combine_chunks()) for n in names]), t)
            for t in (real, synth)
        ]
        for cat in categories:
            codes = [_codes(t.column(cat)) for _, t in sides]
            for j, num in enumerate(names):
                a, b = (
                    _rank_eta2(c, ranked, j) for c, (ranked, _) in zip(codes, sides, strict=True)
                )
                if a is not None and b is not None:
                    score.category_dependence.append((cat, num, a, b))
    if len(categories) >= 2:
        coded = {
            side: {cat: _codes(t.column(cat)) for cat in categories}
            for side, t in (("real", real), ("synth", synth))
        }
        for i, first in enumerate(categories):
            for second in categories[i + 1 :]:
                a = _cramers_v(coded["real"][first], coded["real"][second])
                b = _cramers_v(coded["synth"][first], coded["synth"][second])
                if a is not None and b is not None:
                    score.category_association.append((first, second, a, b))
    # Privacy: exact copies and distance to the closest real record, over the row's content:
    # keys (ids) are left out, since a copied row with a new id is still a copy.
    content = [c.column for c in score.columns if c.kind != "key"]
    if content and real.num_rows and synth.num_rows:
        limit = 200_000
        real_keys = set(_row_keys(real, content, limit))
        syn_keys = _row_keys(synth, content, limit)
        score.exact_copies = sum(1 for k in syn_keys if k in real_keys) / len(syn_keys)
        rng = np.random.default_rng(0)
        ri = rng.permutation(real.num_rows)[:DCR_REAL]
        si = rng.permutation(synth.num_rows)[:DCR_SYNTHETIC]
        pool, queries = _encode(real, synth, content, ri, si)
        if pool.shape[1]:
            d_syn = _nearest(queries, pool)
            d_real = _nearest(pool[:DCR_SYNTHETIC], pool, exclude_self=True)
            score.dcr = {
                "synthetic_p5": float(np.percentile(d_syn, 5)),
                "synthetic_median": float(np.median(d_syn)),
                "real_p5": float(np.percentile(d_real, 5)),
                "real_median": float(np.median(d_real)),
                "synthetic_zero": float(np.mean(d_syn < 1e-6)),
            }
    return score
