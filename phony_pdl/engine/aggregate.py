"""Aggregates over child rows (`aggregate: "sum(order_items.amount)"`): one pass over the
child entity, block by block, reduced into arrays the size of the parent entity."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import expr as expr_mod
from ..model import FieldSpec
from .evaluate import evaluate

if TYPE_CHECKING:
    from .columns import Columns


def _fk(columns: Columns, parent: str, child: str, via: str | None) -> str:
    if via:
        return via
    fields = columns.doc.entities[child].fields
    return next(n for n, f in fields.items() if f.ref and f.ref.split(".")[0] == parent)


def _unscaled(arr: pa.Array) -> np.ndarray:
    """decimal128 → int64 unscaled values (exact for |x| < 2**63 units)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    return words[2 * arr.offset : 2 * (arr.offset + len(arr)) : 2].copy()


def aggregate_column(columns: Columns, entity: str, name: str, f: FieldSpec) -> pa.Array:
    from .columns import Batch

    plan = columns.plan
    agg = expr_mod.parse_aggregate(f.aggregate)
    n_parent = plan.count(entity)
    n_child = plan.count(agg.child)
    fk = _fk(columns, entity, agg.child, f.via)
    func = agg.func
    counts = np.zeros(n_parent, dtype=np.int64)
    value_type = None
    sums_int = None
    sums_float = None
    float_parts: list[tuple[np.ndarray, np.ndarray]] = []
    best_rows = None
    pairs = []  # (parent, value-code) for count_distinct
    values_all = []
    for start in range(0, n_child, plan.block_rows):
        rows = np.arange(start, min(start + plan.block_rows, n_child), dtype=np.int64)
        batch = Batch(agg.child, rows)
        parents = columns.parent_indices(batch, fk)
        keep = parents >= 0
        if agg.filter is not None:
            # Columns may be qualified (order_items.quantity); the evaluator reads the bare name.
            cols = {
                c.split(".")[-1]: columns.get(batch, c.split(".")[-1]) for c in agg.filter_columns
            }
            mask = evaluate(agg.filter, cols, len(rows))
            keep &= pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
        if agg.field is None:
            values = None
        else:
            values = columns.get(batch, agg.field)
            value_type = values.type
            keep &= ~pc.is_null(values).to_numpy(zero_copy_only=False)
        p = parents[keep]
        counts += np.bincount(p, minlength=n_parent)
        if values is None or func == "count":
            continue
        v = values.filter(pa.array(keep))
        if func in ("sum", "avg"):
            if pa.types.is_decimal(v.type):
                sums_int = np.zeros(n_parent, np.int64) if sums_int is None else sums_int
                np.add.at(sums_int, p, _unscaled(v))
            elif pa.types.is_integer(v.type):
                sums_int = np.zeros(n_parent, np.int64) if sums_int is None else sums_int
                np.add.at(sums_int, p, v.to_numpy().astype(np.int64))
            else:
                # Floats are summed once, in row order, after the pass: adding block by block
                # would make the last bits depend on --block-rows.
                float_parts.append((p, v.to_numpy(zero_copy_only=False).astype(np.float64)))
        elif func in ("first", "last"):
            child_rows = rows[keep]
            if best_rows is None:
                best_rows = np.full(
                    n_parent, -1 if func == "last" else np.iinfo(np.int64).max, dtype=np.int64
                )
            (np.maximum if func == "last" else np.minimum).at(best_rows, p, child_rows)
        elif func in ("min", "max"):
            values_all.append((p, v))
        elif func == "count_distinct":
            pairs.append((p, v))
    if float_parts:
        sums_float = np.bincount(
            np.concatenate([p for p, _ in float_parts]),
            weights=np.concatenate([w for _, w in float_parts]),
            minlength=n_parent,
        )
    if func == "count":
        return pa.array(counts)
    if func == "count_distinct":
        if not pairs:
            return pa.array(np.zeros(n_parent, np.int64))
        p = np.concatenate([x for x, _ in pairs])
        v = pa.concat_arrays([y for _, y in pairs])
        codes = pc.dictionary_encode(v).indices.to_numpy(zero_copy_only=False).astype(np.int64)
        combined = np.unique(p * (int(codes.max()) + 1 if len(codes) else 1) + codes)
        owner = combined // (int(codes.max()) + 1 if len(codes) else 1)
        return pa.array(np.bincount(owner, minlength=n_parent).astype(np.int64))
    empty = counts == 0
    mask = empty if empty.any() else None
    if func in ("sum", "avg"):
        if sums_int is not None:
            if pa.types.is_decimal(value_type):
                from ..types import DataType
                from .arrow import decimal_from_unscaled

                dtype = DataType("decimal", 38, value_type.scale)
                if func == "sum":
                    return decimal_from_unscaled(sums_int, dtype, empty if empty.any() else None)
                totals = sums_int / 10**value_type.scale
            else:
                if func == "sum":
                    return pa.array(sums_int, mask=mask)
                totals = sums_int.astype(np.float64)
        else:
            totals = sums_float if sums_float is not None else np.zeros(n_parent)
        if func == "sum":
            return pa.array(totals, mask=mask)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pa.array(totals / np.maximum(counts, 1), mask=mask)
    if func in ("first", "last"):
        safe = np.where(empty, 0, best_rows)
        values = columns.lookup(agg.child, agg.field, safe)
        return (
            pc.if_else(pa.array(empty), pa.scalar(None, values.type), values)
            if empty.any()
            else values
        )
    # min / max: reduce through a sort by (parent, value)
    p = np.concatenate([x for x, _ in values_all]) if values_all else np.zeros(0, np.int64)
    v = (
        pa.concat_arrays([y for _, y in values_all])
        if values_all
        else pa.array([], type=value_type)
    )
    order = pc.sort_indices(
        pa.table({"p": p, "v": v}), sort_keys=[("p", "ascending"), ("v", "ascending")]
    )
    sorted_p = p[order.to_numpy()]
    if func == "min":
        first = np.ones(len(sorted_p), dtype=bool)
        first[1:] = sorted_p[1:] != sorted_p[:-1]
    else:
        first = np.ones(len(sorted_p), dtype=bool)
        first[:-1] = sorted_p[1:] != sorted_p[:-1]
    chosen = order.to_numpy()[first]
    out_index = np.zeros(n_parent, dtype=np.int64)
    out_index[p[chosen]] = np.arange(len(chosen))
    picked = v.take(pa.array(chosen)).take(pa.array(out_index))
    return (
        pc.if_else(pa.array(empty), pa.scalar(None, picked.type), picked) if empty.any() else picked
    )
