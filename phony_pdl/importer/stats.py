"""A database's own column statistics → the shape of imported fields (no row is read).

PostgreSQL keeps `pg_stats` after ANALYZE (null fraction, most common values and their
frequencies, equal-frequency histogram bounds of the other values) and a row estimate in
`pg_class.reltuples`; MariaDB keeps `mysql.column_stats` and `mysql.table_stats` after
`ANALYZE TABLE t PERSISTENT FOR ALL` (null ratio, min/max, and an equal-height histogram:
`JSON_HB` with the values themselves, or `DOUBLE_PREC_HB`/`SINGLE_PREC_HB` as positions
between min and max). Both are read into one form, `ColumnStats`: atoms (single values with
their share of all rows) and buckets (a value range with its share), which `shape` turns
into `null_rate`, a weighted `choice`, an `empirical` distribution or a date range.
A table or column without statistics is left exactly as the guesses made it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from itertools import pairwise

from .model import Catalog, ColumnInfo

COVERAGE = 0.95  # most common values covering this share of the non-NULL rows: a choice
QUANTILES = 100  # bins of an empirical distribution rebuilt from atoms and buckets


@dataclass
class ColumnStats:
    source: str  # "pg_stats" or "mysql.column_stats"
    null_frac: float
    n_distinct: float | None = None  # PostgreSQL's convention: below 0, a share of the rows
    atoms: list[tuple[str, float]] = field(default_factory=list)  # (value, share of all rows)
    buckets: list[tuple[str, str, float]] = field(default_factory=list)  # (low, high, share)
    low: str | None = None  # the smallest and largest value, where known
    high: str | None = None


@dataclass
class TableStats:
    rows: int  # the row estimate
    source: str  # "pg_class.reltuples" or "mysql.table_stats"
    columns: dict[str, ColumnStats] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# reading


def postgres_stats(conn, catalog: Catalog) -> None:
    """Attach pg_stats and reltuples to the catalog's tables (those analyzed only)."""
    by_table: dict[str, TableStats] = {}
    names = {t.name for t in catalog.tables}
    for table, rows in conn.execute(
        "SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = ANY(current_schemas(false)) "
        "AND EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = n.nspname "
        "AND s.tablename = c.relname) ORDER BY c.oid"
    ).fetchall():
        if table in names and table not in by_table:
            by_table[table] = TableStats(max(0, round(rows)), "pg_class.reltuples")
    for table, column, null_frac, n_distinct, mcv, freqs, bounds in conn.execute(
        "SELECT s.tablename, s.attname, s.null_frac, s.n_distinct, "
        "s.most_common_vals::text::text[], s.most_common_freqs, s.histogram_bounds::text::text[] "
        "FROM pg_stats s WHERE s.schemaname = ANY(current_schemas(false)) AND NOT s.inherited "
        "ORDER BY s.tablename, s.attname"
    ).fetchall():
        if table not in by_table:
            continue
        stats = ColumnStats("pg_stats", float(null_frac), float(n_distinct))
        stats.atoms = [
            (v, float(f)) for v, f in zip(mcv or [], freqs or [], strict=False) if v is not None
        ]
        rest = max(0.0, 1.0 - stats.null_frac - sum(f for _, f in stats.atoms))
        bounds = [b for b in (bounds or []) if b is not None]
        if len(bounds) >= 2:
            share = rest / (len(bounds) - 1)
            stats.buckets = [(lo, hi, share) for lo, hi in pairwise(bounds)]
        by_table[table].columns.setdefault(column, stats)
    for table in catalog.tables:
        table.stats = by_table.get(table.name)


def mariadb_stats(cur, database: str, catalog: Catalog) -> None:
    """Attach mysql.column_stats and mysql.table_stats (ANALYZE … PERSISTENT FOR ALL)."""
    by_table: dict[str, TableStats] = {}
    cur.execute(
        "SELECT table_name, cardinality FROM mysql.table_stats WHERE db_name = %s "
        "ORDER BY table_name",
        (database,),
    )
    for table, rows in cur.fetchall():
        if rows is not None:
            by_table[table] = TableStats(int(rows), "mysql.table_stats")
    cur.execute(
        "SELECT table_name, column_name, min_value, max_value, nulls_ratio, avg_frequency, "
        "hist_type, histogram FROM mysql.column_stats WHERE db_name = %s "
        "ORDER BY table_name, column_name",
        (database,),
    )
    for table, column, low, high, nulls, avg_freq, hist_type, histogram in cur.fetchall():
        if table not in by_table:
            continue
        low, high = _text(low), _text(high)
        null_frac = float(nulls) if nulls is not None else 0.0
        rows = by_table[table].rows
        n_distinct = None
        if avg_freq and rows:
            n_distinct = float(round((1 - null_frac) * rows / float(avg_freq)))
        stats = ColumnStats("mysql.column_stats", null_frac, n_distinct, low=low, high=high)
        _mariadb_histogram(stats, _text(hist_type), histogram)
        by_table[table].columns[column] = stats
    for table in catalog.tables:
        table.stats = by_table.get(table.name)


def _text(value) -> str | None:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)


def _mariadb_histogram(stats: ColumnStats, kind: str | None, histogram) -> None:
    nonnull = 1.0 - stats.null_frac
    if not histogram or kind is None:
        return
    if kind == "JSON_HB":
        try:
            buckets = json.loads(_text(histogram))["histogram_hb"]
        except (ValueError, KeyError, TypeError):
            return
        for i, b in enumerate(buckets):
            if "start" not in b:  # binary values (start_hex): not read
                return
            share = float(b.get("size", 0)) * nonnull
            end = b.get("end") if i + 1 == len(buckets) else buckets[i + 1].get("start")
            if int(b.get("ndv", 2)) == 1 or end is None or end == b["start"]:
                stats.atoms.append((b["start"], share))
            else:
                stats.buckets.append((b["start"], end, share))
        # the same value split over several buckets: one atom
        merged: dict[str, float] = {}
        for value, share in stats.atoms:
            merged[value] = merged.get(value, 0.0) + share
        stats.atoms = sorted(merged.items(), key=lambda a: -a[1])
        return
    # DOUBLE_PREC_HB / SINGLE_PREC_HB: positions between min and max (numbers only)
    width = {"DOUBLE_PREC_HB": 2, "SINGLE_PREC_HB": 1}.get(kind)
    try:
        low, high = float(stats.low), float(stats.high)
    except (TypeError, ValueError):
        return
    if width is None:
        return
    data = bytes(histogram)
    top = 2 ** (8 * width) - 1
    positions = [
        int.from_bytes(data[i : i + width], "little") / top
        for i in range(0, len(data) - width + 1, width)
    ]
    bounds = [low] + [low + p * (high - low) for p in positions] + [high]
    share = nonnull / (len(bounds) - 1)
    for lo, hi in pairwise(bounds):
        stats.buckets.append((repr(lo), repr(hi), share))


# ---------------------------------------------------------------------------------------
# shaping


def _percent(x: float) -> str:
    return f"{100 * x:.0f} %" if x >= 0.01 or x == 0 else f"{100 * x:.2g} %"


def _number(text: str, integer: bool) -> float | int | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    if integer and value.is_integer():
        return int(value)
    return value


def _places(column: ColumnInfo, kind_of: str) -> int | None:
    """Decimal places a quantile keeps: a decimal's scale, two for an int (the values are
    rounded when drawn; the quantiles between whole numbers keep the shape), else all."""
    if kind_of == "decimal":
        return ((*column.params, 18, 2))[:2][1] if column.params else 2
    return 2 if kind_of == "int" else None


def _quantiles(stats: ColumnStats, places: int | None) -> list[float] | None:
    """Equal-probability quantiles of the non-NULL values: the histogram bounds themselves
    where there are no atoms; else QUANTILES + 1 of the CDF that joins atoms (jumps) and
    buckets (linear), so a common value comes back as repeated quantiles (an atom)."""
    atoms = [(_number(v, False), m) for v, m in stats.atoms]
    buckets = [(_number(lo, False), _number(hi, False), m) for lo, hi, m in stats.buckets]
    if any(v is None for v, _ in atoms) or any(a is None or b is None for a, b, _ in buckets):
        return None
    for lo, _hi, m in [b for b in buckets if b[0] >= b[1]]:
        atoms.append((lo, m))  # a bucket of one value
    buckets = [b for b in buckets if b[0] < b[1]]
    total = sum(m for _, m in atoms) + sum(m for *_, m in buckets)
    if total <= 0 or (not buckets and len(atoms) < 2):
        return None
    if not atoms and len({m for *_, m in buckets}) == 1:
        out = [buckets[0][0]] + [hi for _, hi, _ in buckets]
        return [_tidy(x, places) for x in out]
    points = sorted({v for v, _ in atoms} | {x for b in buckets for x in b[:2]})

    def cdf(x: float, inclusive: bool) -> float:
        mass = sum(m for v, m in atoms if v < x or (inclusive and v == x))
        for lo, hi, m in buckets:
            mass += m * min(1.0, max(0.0, (x - lo) / (hi - lo)))
        return mass / total

    below = [cdf(x, False) for x in points]  # once per point: a few hundred
    at = [cdf(x, True) for x in points]
    out = []
    for k in range(QUANTILES + 1):
        p = min(max(k / QUANTILES, 1e-12), 1 - 1e-12)
        j = next((j for j in range(len(points)) if p <= at[j] + 1e-12), len(points) - 1)
        x = points[j]
        if j == 0 or p > below[j]:
            out.append(x)  # inside the jump of an atom at x (or the first point)
        else:  # on the linear stretch from the previous point
            start = at[j - 1]
            t = (p - start) / (below[j] - start) if below[j] > start else 1.0
            out.append(points[j - 1] + t * (x - points[j - 1]))
    # the CDF reaches 1 at the last point: p = 1 - 1e-12 above stopped a hair short of it
    # on a bucket (737.9999999 for 738)
    out[-1] = points[-1]
    return [_tidy(x, places) for x in out]


def _tidy(x: float, places: int | None) -> float | int:
    """Rounding keeps the order (non-decreasing stays so); whole numbers print as such."""
    x = round(x, places) if places is not None else float(f"{x:.10g}")
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


_CHOICE_TYPES = {"int", "float", "bool", "date", "datetime"}


def shape(
    spec: dict,
    column: ColumnInfo,
    stats: ColumnStats,
    *,
    kind_of: str,
    values_free: bool,
    may_be_null: bool,
    helper: dict | None = None,
) -> str | None:
    """Change `spec` in place from the column's statistics; returns the note to show.

    A date or timestamp with a histogram becomes `expr: <first value> + <helper>`, with
    the helper's spec (an empirical number of days or seconds) put in `helper["spec"]`
    under the name `helper["name"]` that the caller chose.

    `kind_of` is the column's family: "int", "float", "decimal", "bool", "date",
    "datetime", "text" or "other". `values_free` says the values may be replaced (no key,
    reference, copy, expression or uniqueness ties them); `may_be_null` that the column
    takes NULL (a `null_rate` is then written)."""
    parts = [f"null_frac {stats.null_frac:.2g}"]
    if may_be_null and stats.null_frac > 0:
        spec["null_rate"] = round(min(stats.null_frac, 1.0), 4)
        spec.pop("nullable", None)  # implied by the null_rate
    nonnull = 1.0 - stats.null_frac
    if not values_free or nonnull <= 0:
        return f"{stats.source}: " + parts[0] if "null_rate" in spec else None
    atoms = [(v, m) for v, m in stats.atoms if m > 0]
    covered = sum(m for _, m in atoms) / nonnull if atoms else 0.0
    if atoms:
        parts.append(
            f"{len(atoms)} most common value{'s' if len(atoms) != 1 else ''} "
            f"cover {_percent(min(covered, 1.0))}"
        )
    if atoms and covered >= COVERAGE and kind_of not in ("other", "datetime"):
        choice = _choice(spec, column, atoms, kind_of)
        if choice is not None:
            spec.clear()
            spec.update(choice)
            if may_be_null and stats.null_frac > 0:
                spec["null_rate"] = round(min(stats.null_frac, 1.0), 4)
            return f"{stats.source}: " + ", ".join(parts) + " → choice"
    numeric = kind_of in ("int", "float", "decimal")
    if numeric and (stats.buckets or len(atoms) >= 2) and _shapeable_number(spec):
        quantiles = _quantiles(stats, _places(column, kind_of))
        if quantiles is not None and quantiles[0] < quantiles[-1]:
            kept = {k: v for k, v in spec.items() if k in ("sql_type", "nullable", "null_rate")}
            spec.clear()
            spec["distribution"] = "empirical"
            spec["quantiles"] = quantiles
            spec["type"] = _numeric_type(column, kind_of)
            spec.update(kept)
            parts.append(f"histogram of {len(stats.buckets)} buckets")
            return f"{stats.source}: " + ", ".join(parts) + f" → {len(quantiles)} quantiles"
    low, high = _range(stats, numeric)
    timed = kind_of in ("date", "datetime") and "between" in spec and "type" in spec
    if timed and helper is not None and stats.buckets:
        offsets = _offsets(stats, kind_of)
        if offsets is not None:
            origin, numbers = offsets
            quantiles = _quantiles(numbers, 2)
            if quantiles is not None and quantiles[0] < quantiles[-1]:
                unit = "days" if kind_of == "date" else "seconds"
                helper["spec"] = {
                    "distribution": "empirical",
                    "quantiles": quantiles,
                    "type": "int",
                    "hidden": True,
                }
                name = helper["name"]
                kept = {k: v for k, v in spec.items() if k in ("sql_type", "null_rate")}
                spec.clear()
                if kind_of == "date":
                    spec["expr"] = f"CAST('{origin}' AS DATE) + {name}"
                else:
                    spec["expr"] = f"CAST('{origin}' AS TIMESTAMP) + {name} * INTERVAL '1' SECOND"
                spec.update(kept)
                if may_be_null and "null_rate" not in spec:
                    spec["nullable"] = True
                parts.append(f"histogram of {len(stats.buckets)} buckets")
                return (
                    f"{stats.source}: " + ", ".join(parts) + f" → {len(quantiles)} quantiles "
                    f"of {unit} after {origin}"
                )
    if timed and low and high:
        if low < high:
            spec["between"] = [low, high]
            parts.append(f"range {low} to {high}")
    elif numeric and low is not None and high is not None and _shapeable_number(spec):
        lo, hi = _number(low, kind_of == "int"), _number(high, kind_of == "int")
        if lo is not None and hi is not None and lo < hi and "distribution" not in spec:
            spec["min"], spec["max"] = lo, hi
            parts.append(f"range {low} to {high}")
    return f"{stats.source}: " + ", ".join(parts)


def _offsets(stats: ColumnStats, kind_of: str) -> tuple[str, ColumnStats] | None:
    """The statistics of a date (timestamp) column as whole days (seconds) after its
    smallest value, and that value as PDL writes it (a timestamp in UTC)."""
    import datetime as dt

    def parse(text: str) -> dt.datetime | None:
        text = re.sub(r"([+-]\d\d)$", r"\1:00", text.strip())
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    values = [v for v, _ in stats.atoms] + [x for b in stats.buckets for x in b[:2]]
    parsed = {v: parse(v) for v in values}
    if not parsed or any(p is None for p in parsed.values()):
        return None
    start = min(parsed.values())
    if kind_of == "date":
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)

    def offset(text: str) -> str:
        delta = parsed[text] - start
        return str(delta.days if kind_of == "date" else delta.total_seconds())

    numbers = ColumnStats(stats.source, stats.null_frac)
    numbers.atoms = [(offset(v), m) for v, m in stats.atoms]
    numbers.buckets = [(offset(lo), offset(hi), m) for lo, hi, m in stats.buckets]
    origin = start.date().isoformat() if kind_of == "date" else start.isoformat(sep=" ")
    return origin, numbers


def _shapeable_number(spec: dict) -> bool:
    """A type-alone number or a guessed distribution (not a coherent generator's value)."""
    if "distribution" in spec:
        return True
    numeric = spec.get("type") in ("int", "float") or str(spec.get("type", "")).startswith(
        "decimal"
    )
    return numeric and not {"generator", "choice", "pattern", "const"} & spec.keys()


def _numeric_type(column: ColumnInfo, kind_of: str) -> str:
    if kind_of == "decimal":
        p, s = ((*column.params, 18, 2))[:2] if column.params else (18, 2)
        return f"decimal({p},{s})"
    return kind_of


def _range(stats: ColumnStats, numeric: bool) -> tuple[str | None, str | None]:
    if stats.low is not None and stats.high is not None:
        return stats.low, stats.high
    values = [v for v, _ in stats.atoms] + [x for b in stats.buckets for x in b[:2]]
    if numeric:
        values = [v for v in values if _number(v, False) is not None]
    if not values:
        return None, None
    if numeric:
        return min(values, key=float), max(values, key=float)
    # `2024-05-01 10:00:00+00` (timestamptz as text): the offset as PDL reads it, +00:00
    return tuple(re.sub(r"([ T].*[+-]\d\d)$", r"\1:00", v) for v in (min(values), max(values)))


def _choice(spec: dict, column: ColumnInfo, atoms, kind_of: str) -> dict | None:
    """`choice` with each common value's share of the non-NULL rows (an ENUM's other values
    share what is left, so every allowed value can still occur)."""
    total = sum(m for _, m in atoms)
    weights: dict[str, float] = {}
    for value, m in atoms:
        if kind_of == "bool":
            truth = {"t": "true", "true": "true", "1": "true", "f": "false", "false": "false"}
            value = truth.get(value.lower(), "false" if value == "0" else None)
            if value is None:
                return None
        elif kind_of in ("int", "float", "decimal") and _number(value, False) is None:
            return None
        weights[value] = weights.get(value, 0.0) + m
    if column.enum:
        if any(v not in column.enum for v in weights):
            return None  # statistics from before the CHECK changed: keep the list
        missing = [v for v in column.enum if v not in weights]
        rest = max(0.0, 1.0 - total) if missing else 0.0
        for v in missing:
            weights[v] = rest / len(missing)
        total = sum(weights.values())
    order = list(weights)  # most common first; numbers, dates and booleans by value
    if kind_of in ("int", "float", "decimal"):
        order.sort(key=float)
    elif kind_of in ("date", "bool"):
        order.sort()
    out: dict = {"choice": {json_key(v): round(100 * weights[v] / total, 3) for v in order}}
    typed = "decimal" if kind_of == "decimal" else kind_of
    if typed == "decimal":
        out["type"] = _numeric_type(column, "decimal")
    elif typed in _CHOICE_TYPES:
        out["type"] = typed
    if "sql_type" in spec:
        out["sql_type"] = spec["sql_type"]
    return out


def json_key(value: str) -> str:
    """A choice key as YAML flow text (PDL reads mapping keys as strings, typed by the
    field's `type`): quoted wherever YAML would read another type or syntax."""
    from .to_pdl import _scalar

    return _scalar(value)
