"""Window functions in `expr` (SUM(x) OVER (PARTITION BY … ORDER BY …), LAG, LEAD,
ROW_NUMBER, RANK): computed once over the whole entity, then read per block (except
ROW_NUMBER within a per-parent key, read from the layout: numbers_within_parent).

Semantics follow SQL (and DuckDB, which the tests use as the referee): with ORDER BY,
aggregates run over the default frame RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW,
so rows that tie on the ORDER BY keys (peers) share one value; without ORDER BY they
cover the whole partition. Ties in ORDER BY are broken by row order for ROW_NUMBER,
LAG and LEAD. NULL arguments are skipped by aggregates, as in SQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..errors import GenerationError

if TYPE_CHECKING:
    from .columns import Columns

SUPPORTED = {
    exp.Sum: "sum",
    exp.Count: "count",
    exp.Avg: "avg",
    exp.Min: "min",
    exp.Max: "max",
    exp.Lag: "lag",
    exp.Lead: "lead",
    exp.RowNumber: "row_number",
    exp.Rank: "rank",
}


def row_number_partition(node: exp.Expression) -> list[str] | None:
    """`ROW_NUMBER() OVER (PARTITION BY a, b …)` without ORDER BY: the partition columns."""
    if not isinstance(node, exp.Window) or not isinstance(node.this, exp.RowNumber):
        return None
    if node.args.get("order") or node.args.get("spec"):
        return None
    parts = node.args.get("partition_by") or []
    if not parts or not all(isinstance(p, exp.Column) and not p.table for p in parts):
        return None
    return [p.name for p in parts]


def numbers_within_parent(plan, entity: str, node: exp.Expression) -> bool:
    """ROW_NUMBER() over the children of each parent, in row order: the row's position in
    its parent (+1), known per block from the layout, with no whole-table pass."""
    partition = row_number_partition(node)
    fk = plan.expansion_fk(entity)
    if partition is None or partition != [fk]:
        return False
    # a NULL key puts the row in SQL's NULL partition, not its parent's: then the whole-table
    # pass numbers the rows
    return not plan.doc.entities[entity].fields[fk].null_rate


def _empty_type(plan, entity: str, kind: str, target: exp.Expression | None) -> pa.DataType:
    """The result type of a window function (pdl.md's table) without computing it."""
    from .arrow import arrow_type

    if kind in ("row_number", "rank", "count") or not isinstance(target, exp.Column):
        return pa.int64()
    source = arrow_type(plan.dtype(entity, target.name))
    if kind in ("lag", "lead"):
        return source
    if kind == "avg":
        return pa.float64()
    if pa.types.is_integer(source):
        return pa.int64()
    if kind == "sum" and pa.types.is_decimal(source):
        return pa.decimal128(38, source.scale)
    return pa.float64()


def window_columns(node: exp.Window) -> list[str]:
    names = []
    for col in node.find_all(exp.Column):
        if col.name not in names:
            names.append(col.name)
    return names


def _key(arr: pa.Array) -> list[np.ndarray]:
    """Sort keys for a column: NULLs form their own group (after every value)."""
    nulls = pc.is_null(arr).to_numpy(zero_copy_only=False)
    return [nulls.astype(np.int64), np.where(nulls, -1, _codes(arr))]


def _codes(arr: pa.Array) -> np.ndarray:
    """Order-preserving integer codes for sorting (NULLs first, as DuckDB's default NULLS LAST
    for ASC is handled by the caller's key order)."""
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        order = pc.sort_indices(arr).to_numpy()  # NULLs last, the default
        ranks = np.empty(len(arr), dtype=np.int64)
        sorted_values = arr.take(pa.array(order))
        same = np.zeros(len(arr), dtype=bool)
        if len(arr) > 1:
            eq = pc.equal(sorted_values.slice(1), sorted_values.slice(0, len(arr) - 1))
            same[1:] = pc.fill_null(eq, False).to_numpy(zero_copy_only=False)
        ranks[order] = np.cumsum(~same) - 1
        return ranks
    if pa.types.is_boolean(arr.type):
        arr = pc.cast(arr, pa.int8())
    if pa.types.is_decimal(arr.type):
        return _exact_numbers(arr)[0]
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type) or pa.types.is_time(arr.type):
        arr = (
            arr.cast(pa.int64())
            if not pa.types.is_date(arr.type)
            else arr.cast(pa.int32()).cast(pa.int64())
        )
    if len(arr) == 0 or pa.types.is_null(arr.type):  # an entity of no rows
        return np.zeros(len(arr), dtype=np.int64)
    values = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False)
    if values.dtype == bool:
        values = values.astype(np.int64)
    return values


def compute(columns: Columns, entity: str, node: exp.Window) -> pa.Array:
    """The window expression's value for every row of the entity, in row order."""
    from .columns import Batch

    plan = columns.plan
    n = plan.count(entity)
    func = node.this
    kind = SUPPORTED.get(type(func))
    if kind is None:
        raise GenerationError(f"window function {func.sql()} is not supported")
    names = window_columns(node)
    parts: dict[str, list[pa.Array]] = {name: [] for name in names}

    def block(rows: np.ndarray) -> list[pa.Array]:
        batch = Batch(entity, rows)
        return [columns.get(batch, name) for name in names]

    for arrays in plan.map_blocks(entity, block):
        for name, arr in zip(names, arrays, strict=True):
            parts[name].append(arr)
    data = {
        name: pa.concat_arrays(chunks) if chunks else pa.array([]) for name, chunks in parts.items()
    }
    partition = [
        data[p.name] for p in (node.args.get("partition_by") or []) if isinstance(p, exp.Column)
    ]
    order_spec = node.args.get("order")
    ordered = [
        (o.this, bool(o.args.get("desc"))) for o in (order_spec.expressions if order_spec else [])
    ]
    keys: list[np.ndarray] = []
    for arr in partition:
        keys.extend(_key(arr))
    for expr_node, desc in ordered:
        if not isinstance(expr_node, exp.Column):
            raise GenerationError("ORDER BY in a window must name columns")
        # dense ranks, not the values as doubles: integers above 2**53 would tie (RANK gave
        # 1, 1, 1 to 10**18 + 1, 2, 3); a rank also negates safely for DESC
        _, rank = np.unique(_codes(data[expr_node.name]), return_inverse=True)
        rank = rank.astype(np.int64).reshape(-1)
        nulls = pc.is_null(data[expr_node.name]).to_numpy(zero_copy_only=False)
        keys.append(nulls.astype(np.int64))  # NULLS LAST, as in DuckDB, for ASC and DESC
        keys.append(np.where(nulls, 0, -rank if desc else rank))
    if n == 0:  # the type the rows would have had (the schema must not depend on the count)
        return pa.array([], type=_empty_type(plan, entity, kind, func.this))
    row = np.arange(n)
    order = np.lexsort([row, *reversed(keys)]) if keys else row
    # group boundaries (partitions) and peer boundaries (same partition and ORDER BY keys)
    n_part_keys = 2 * len(partition)
    part_keys = keys[:n_part_keys]
    new_group = np.ones(n, dtype=bool)
    new_peer = np.ones(n, dtype=bool)
    if n > 1:
        same_group = np.ones(n - 1, dtype=bool)
        for k in part_keys:
            sk = k[order]
            same_group &= sk[1:] == sk[:-1]
        new_group[1:] = ~same_group
        same_peer = same_group.copy()
        for k in keys[n_part_keys:]:
            sk = k[order]
            same_peer &= sk[1:] == sk[:-1]
        new_peer[1:] = ~same_peer if ordered else ~same_group
    group_id = np.cumsum(new_group) - 1
    group_start = np.flatnonzero(new_group)
    position = np.arange(n) - group_start[group_id]  # 0-based position within the partition
    if kind == "row_number":
        out = np.empty(n, dtype=np.int64)
        out[order] = position + 1
        return pa.array(out)
    if kind == "rank":
        peer_start = np.maximum.accumulate(np.where(new_peer, np.arange(n), 0))
        out = np.empty(n, dtype=np.int64)
        out[order] = peer_start - group_start[group_id] + 1
        return pa.array(out)
    args = func.expressions if kind in ("lag", "lead") else []
    target = func.this
    if kind in ("lag", "lead"):
        offset_node = func.args.get("offset") or (args[0] if args else None)
        offset = int(offset_node.this) if offset_node is not None else 1
        default_node = func.args.get("default") or (args[1] if len(args) > 1 else None)
        source = data[target.name] if isinstance(target, exp.Column) else None
        if source is None:
            raise GenerationError("LAG/LEAD take a column")
        shift = -offset if kind == "lag" else offset
        other = np.arange(n) + shift
        group_end = np.append(group_start[1:], n)[group_id]
        valid = (other >= group_start[group_id]) & (other < group_end)
        sorted_values = source.take(pa.array(order))
        picked = sorted_values.take(pa.array(np.where(valid, other, 0)))
        fallback = pa.scalar(None, picked.type)
        negative = isinstance(default_node, exp.Neg)
        literal = default_node.this if negative else default_node
        if isinstance(literal, exp.Literal):
            text = literal.this
            value = text if literal.is_string else (float(text) if "." in text else int(text))
            value = -value if negative else value
            if pa.types.is_decimal(picked.type) and isinstance(value, int | float):
                value = Decimal(text if not negative else "-" + text)  # 0 into decimal(6,2)
            try:
                fallback = pa.scalar(value).cast(picked.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise GenerationError(
                    f"the default {default_node.sql()} of {kind.upper()}({target.sql()}) is "
                    f"not a value of {target.sql()}'s type ({picked.type}); give one of that "
                    "type, or use COALESCE(…) with a CAST"
                ) from None
        picked = pc.if_else(pa.array(valid), picked, fallback)
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        return picked.take(pa.array(inverse))
    # aggregates over the frame
    if kind == "count":
        if isinstance(target, exp.Star) or target is None:
            present = np.ones(n, dtype=np.int64)
        else:
            present = (~pc.is_null(data[target.name]).to_numpy(zero_copy_only=False)).astype(
                np.int64
            )
        values = present[order]
        value_type = pa.int64()
    else:
        source = data[target.name]
        value_type = source.type
        if not (
            pa.types.is_integer(value_type)
            or pa.types.is_floating(value_type)
            or pa.types.is_decimal(value_type)
        ):
            raise GenerationError(
                f"{func.sql()} OVER (…): window aggregates need a numeric column; {target.name} is {value_type}"
            )
        exact, present = _exact_numbers(source)
        values = exact[order]
        counts_sorted = present[order].astype(np.int64)
    if kind in ("sum", "count", "avg"):
        if values.dtype == np.int64:  # integers and decimals' unscaled integers: exact
            running = _segment_cumsum(values, group_start, group_id)
            if float(np.abs(values.astype(np.float64)).sum()) >= 2.0**62:
                approx = _segment_cumsum(values.astype(np.float64), group_start, group_id)
                _check_bigint_sums(approx, running, func)
        else:
            running = _segment_cumsum_float(values, group_start, group_id)
        if not ordered:  # no ORDER BY: the whole partition
            ends = np.append(group_start[1:], n) - 1
            running = running[ends][group_id]
        else:
            running = _peer_last(running, new_peer)
        seen = None
        if kind != "count":  # SQL: SUM/AVG over a frame without any non-NULL value is NULL
            seen = _segment_cumsum(counts_sorted, group_start, group_id)
            seen = (
                seen[np.append(group_start[1:], n) - 1][group_id]
                if not ordered
                else _peer_last(seen, new_peer)
            )
        if kind == "avg":
            counts_running = _segment_cumsum(counts_sorted, group_start, group_id)
            counts_running = (
                counts_running[np.append(group_start[1:], n) - 1][group_id]
                if not ordered
                else _peer_last(counts_running, new_peer)
            )
            scale_back = 10**value_type.scale if pa.types.is_decimal(value_type) else 1
            with np.errstate(invalid="ignore", divide="ignore"):
                result = (running / scale_back) / counts_running
            out = np.empty(n)
            out[order] = result
            return pa.array(out, mask=np.isnan(out))
        out = np.empty(n, dtype=running.dtype)
        out[order] = running
        empty = None
        if seen is not None:
            empty = np.empty(n, dtype=bool)
            empty[order] = seen == 0
            empty = empty if empty.any() else None
        if pa.types.is_decimal(value_type):
            from ..types import DataType
            from .arrow import decimal_from_unscaled

            return decimal_from_unscaled(out, DataType("decimal", 38, value_type.scale), empty)
        return pa.array(out, mask=empty)
    # running min / max, exact: over dense ranks (0 for "no value yet"), made monotone
    # across partitions by a per-partition offset, so one accumulate serves every partition
    distinct, rank = np.unique(values[counts_sorted > 0], return_inverse=True)
    ranks = np.zeros(n, dtype=np.int64)
    ranks[counts_sorted > 0] = rank.reshape(-1) + 1
    if kind == "min":  # the smallest value has the highest rank
        ranks[counts_sorted > 0] = len(distinct) - ranks[counts_sorted > 0] + 1
    base = group_id.astype(np.int64) * (len(distinct) + 1)
    if ordered:
        best = _peer_last(np.maximum.accumulate(ranks + base) - base, new_peer)
    else:
        ends = np.append(group_start[1:], n) - 1
        best = (np.maximum.accumulate(ranks + base) - base)[ends][group_id]
    if kind == "min":
        best = np.where(best > 0, len(distinct) - best + 1, 0)
    out_rank = np.empty(n, dtype=np.int64)
    out_rank[order] = best
    empty = out_rank == 0
    picked = distinct[np.maximum(out_rank - 1, 0)] if len(distinct) else np.zeros(n, values.dtype)
    if pa.types.is_decimal(value_type):  # pdl.md: MIN/MAX of a decimal is a float
        picked = picked / 10.0**value_type.scale
    return pa.array(picked, mask=empty if empty.any() else None)


def _exact_numbers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(values, present): integers as int64, decimals as their unscaled int64 (every digit
    kept; doubles lose digits beyond 2**53), floats as float64; NULL (and NaN) are absent."""
    present = ~pc.is_null(arr, nan_is_null=True).to_numpy(zero_copy_only=False)
    if pa.types.is_decimal(arr.type):
        from ..decimal_text import unscaled

        try:
            arr = pc.cast(unscaled(arr), pa.int64())
        except pa.ArrowInvalid:
            raise GenerationError(
                f"window functions over {arr.type} need values of at most 18 digits; declare "
                "a smaller precision or narrow the range"
            ) from None
    elif pa.types.is_integer(arr.type):
        try:
            arr = pc.cast(arr, pa.int64())
        except pa.ArrowInvalid:
            raise GenerationError(
                f"window functions over {arr.type} need values below 2**63"
            ) from None
    elif not pa.types.is_floating(arr.type):
        arr = pc.cast(arr, pa.int64())
    else:
        arr = pc.cast(arr, pa.float64())
    values = pc.fill_null(arr, 0).to_numpy(zero_copy_only=False)  # NULLs would make doubles
    return np.where(present, values, 0), present


def _check_bigint_sums(approx: np.ndarray, running: np.ndarray, func: exp.Expression) -> None:
    """64-bit running sums wrap around silently (they stay exact modulo 2**64); SQL's
    SUM(BIGINT) errors instead. A wrapped sum is 2**64 away from its approximation in
    doubles; rounding never comes near that."""
    if (np.abs(approx - running.astype(np.float64)) > 2.0**62).any():
        raise GenerationError(
            f"{func.sql()} OVER (…) leaves the 64-bit integer range (±9.2e18); narrow the "
            "values or CAST them to DOUBLE"
        )


def _segment_cumsum(
    values: np.ndarray, group_start: np.ndarray, group_id: np.ndarray
) -> np.ndarray:
    total = np.cumsum(values)
    before = np.concatenate([[0], total])[group_start]
    return total - before[group_id]


def _segment_cumsum_float(
    values: np.ndarray, group_start: np.ndarray, group_id: np.ndarray
) -> np.ndarray:
    """Running float sums per partition (one global cumsum, offsets removed: deterministic)."""
    return _segment_cumsum(values, group_start, group_id)


def _peer_last(running: np.ndarray, new_peer: np.ndarray) -> np.ndarray:
    """Every row takes the running value of the last row among its peers (RANGE frames)."""
    n = len(running)
    peer_id = np.cumsum(new_peer) - 1
    last_of_peer = np.append(np.flatnonzero(new_peer)[1:], n) - 1
    return running[last_of_peer[peer_id]]
