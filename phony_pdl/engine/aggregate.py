"""Aggregates over child rows (`aggregate: "sum(order_items.amount)"`): one pass over the
child entity, block by block, reduced into arrays the size of the parent entity.

Every aggregate of an entity over the same child and foreign key shares one pass (the
child columns they read are made once). Each block is first reduced on its own, per
parent, which can run on worker processes (Plan.map_blocks); the per-block results are
then combined in block order. Integer and decimal sums, counts, min, max, first and last
do not depend on how rows are grouped, so the result is the same for any worker count or
block size; float sums keep every value and add them once, in row order, at the end.
"""

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


def _runs(p: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Rows grouped by parent: (order or None when already sorted, parents, group starts)."""
    order = None
    if len(p) > 1 and not bool((p[1:] >= p[:-1]).all()):
        order = np.argsort(p, kind="stable")
        p = p[order]
    starts = np.flatnonzero(np.concatenate([[True], p[1:] != p[:-1]])) if len(p) else p[:0]
    return order, p[starts], starts


def _pack(ids: np.ndarray) -> np.ndarray | tuple[int, int]:
    """Parent ids for the trip back from a worker: a run of consecutive ids as (first, n)."""
    if len(ids) and int(ids[-1]) - int(ids[0]) + 1 == len(ids):
        return (int(ids[0]), len(ids))  # distinct and sorted, so consecutive
    return ids


def _unpack(ids: np.ndarray | tuple[int, int]) -> np.ndarray:
    if isinstance(ids, tuple):
        return np.arange(ids[0], ids[0] + ids[1], dtype=np.int64)
    return ids


def _small(counts: np.ndarray) -> np.ndarray:
    return counts.astype(np.uint16) if len(counts) and int(counts.max()) < 1 << 16 else counts


class _Aggregate:
    """One aggregate: `partial` reduces a block (pure: may run in a worker), `add` folds
    the partials in block order, `result` builds the column."""

    def __init__(self, name: str, agg, n_parent: int) -> None:
        self.name, self.agg, self.func, self.n = name, agg, agg.func, n_parent
        self.counts = np.zeros(n_parent, dtype=np.int64)
        self.value_type = None
        self.sums_int: np.ndarray | None = None
        self.float_parts: list[tuple[np.ndarray, np.ndarray]] = []
        self.best_rows: np.ndarray | None = None
        self.pieces: list[tuple[np.ndarray, pa.Array]] = []  # min/max, count_distinct

    def partial(self, columns: Columns, batch, parents: np.ndarray) -> tuple:
        agg, func = self.agg, self.func
        keep = parents >= 0
        if agg.filter is not None:
            # Columns may be qualified (order_items.quantity); the evaluator reads the bare name.
            cols = {
                c.split(".")[-1]: columns.get(batch, c.split(".")[-1]) for c in agg.filter_columns
            }
            mask = evaluate(agg.filter, cols, len(batch.rows))
            keep &= pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
        v = None
        if agg.field is not None:
            v = columns.get(batch, agg.field)
            keep &= ~pc.is_null(v).to_numpy(zero_copy_only=False)
            v = v.filter(pa.array(keep))
        p = parents[keep]
        order, owners, starts = _runs(p)
        sizes = _small(np.diff(np.append(starts, len(p))))
        owners = _pack(owners)
        vtype = None if v is None else v.type
        if v is None or func == "count":
            return vtype, owners, sizes, None
        if func in ("sum", "avg") and (pa.types.is_decimal(v.type) or pa.types.is_integer(v.type)):
            raw = _unscaled(v) if pa.types.is_decimal(v.type) else v.to_numpy().astype(np.int64)
            raw = raw if order is None else raw[order]
            return vtype, owners, sizes, np.add.reduceat(raw, starts) if len(raw) else raw
        if func in ("sum", "avg"):
            # floats are added once, in row order, after the pass (see the module docstring)
            return vtype, owners, sizes, (p, v.to_numpy(zero_copy_only=False).astype(np.float64))
        if func in ("first", "last"):
            rows = batch.rows[keep]
            rows = rows if order is None else rows[order]
            pick = np.maximum if func == "last" else np.minimum
            return vtype, owners, sizes, pick.reduceat(rows, starts) if len(rows) else rows
        if func in ("min", "max"):
            best_p, best_v = _extreme(p, v, func)
            return vtype, owners, sizes, (_pack(best_p), best_v)
        return vtype, owners, sizes, (p, v)  # count_distinct

    def add(self, part: tuple) -> None:
        vtype, owners, sizes, payload = part
        owners = _unpack(owners)
        if self.func in ("min", "max") and payload is not None:
            payload = (_unpack(payload[0]), payload[1])
        if vtype is not None:
            self.value_type = vtype
        # owners are distinct within a partial, so plain fancy indexing adds correctly
        self.counts[owners] += sizes
        if payload is None:
            return
        func = self.func
        if func in ("sum", "avg") and isinstance(payload, np.ndarray):
            if self.sums_int is None:
                self.sums_int = np.zeros(self.n, np.int64)
            self.sums_int[owners] += payload
        elif func in ("sum", "avg"):
            self.float_parts.append(payload)
        elif func in ("first", "last"):
            if self.best_rows is None:
                fill = -1 if func == "last" else np.iinfo(np.int64).max
                self.best_rows = np.full(self.n, fill, dtype=np.int64)
            pick = np.maximum if func == "last" else np.minimum
            self.best_rows[owners] = pick(self.best_rows[owners], payload)
        else:
            self.pieces.append(payload)

    def result(self, columns: Columns) -> pa.Array:
        func, n_parent, counts, value_type = self.func, self.n, self.counts, self.value_type
        if func == "count":
            return pa.array(counts)
        if func == "count_distinct":
            if not self.pieces:
                return pa.array(np.zeros(n_parent, np.int64))
            p = np.concatenate([x for x, _ in self.pieces])
            v = pa.concat_arrays([y for _, y in self.pieces])
            codes = pc.dictionary_encode(v).indices.to_numpy(zero_copy_only=False).astype(np.int64)
            width = int(codes.max()) + 1 if len(codes) else 1
            owner = np.unique(p * width + codes) // width
            return pa.array(np.bincount(owner, minlength=n_parent).astype(np.int64))
        empty = counts == 0
        mask = empty if empty.any() else None
        if func in ("sum", "avg"):
            if self.sums_int is not None:
                if pa.types.is_decimal(value_type):
                    from ..types import DataType
                    from .arrow import decimal_from_unscaled

                    dtype = DataType("decimal", 38, value_type.scale)
                    if func == "sum":
                        return decimal_from_unscaled(self.sums_int, dtype, mask)
                    totals = self.sums_int / 10**value_type.scale
                else:
                    if func == "sum":
                        return pa.array(self.sums_int, mask=mask)
                    totals = self.sums_int.astype(np.float64)
            elif self.float_parts:
                totals = np.bincount(
                    np.concatenate([p for p, _ in self.float_parts]),
                    weights=np.concatenate([w for _, w in self.float_parts]),
                    minlength=n_parent,
                )
            else:
                totals = np.zeros(n_parent)
            if func == "sum":
                return pa.array(totals, mask=mask)
            with np.errstate(invalid="ignore", divide="ignore"):
                return pa.array(totals / np.maximum(counts, 1), mask=mask)
        if func in ("first", "last"):
            best = self.best_rows if self.best_rows is not None else np.zeros(n_parent, np.int64)
            values = columns.lookup(self.agg.child, self.agg.field, np.where(empty, 0, best))
            if empty.any():
                return pc.if_else(pa.array(empty), pa.scalar(None, values.type), values)
            return values
        # min / max over the blocks' own extremes
        p = np.concatenate([x for x, _ in self.pieces]) if self.pieces else np.zeros(0, np.int64)
        v = (
            pa.concat_arrays([y for _, y in self.pieces])
            if self.pieces
            else pa.array([], type=value_type)
        )
        best_p, best_v = _extreme(p, v, func)
        if len(best_v) == 0:  # no parent has a value (all filtered out, NULL or childless)
            return pa.nulls(n_parent, type=best_v.type)
        out_index = np.zeros(n_parent, dtype=np.int64)
        out_index[best_p] = np.arange(len(best_p))
        picked = best_v.take(pa.array(out_index))
        if empty.any():
            return pc.if_else(pa.array(empty), pa.scalar(None, picked.type), picked)
        return picked


def _extreme(p: np.ndarray, v: pa.Array, func: str) -> tuple[np.ndarray, pa.Array]:
    """Per parent, its smallest (min) or largest (max) value: (parents, values)."""
    if len(p) == 0:
        return p, v
    order = pc.sort_indices(
        pa.table({"p": p, "v": v}), sort_keys=[("p", "ascending"), ("v", "ascending")]
    ).to_numpy()
    sorted_p = p[order]
    pick = np.ones(len(sorted_p), dtype=bool)
    if func == "min":
        pick[1:] = sorted_p[1:] != sorted_p[:-1]
    else:
        pick[:-1] = sorted_p[1:] != sorted_p[:-1]
    chosen = order[pick]
    return p[chosen], v.take(pa.array(chosen))


def aggregate_column(columns: Columns, entity: str, name: str, f: FieldSpec) -> pa.Array:
    """The aggregate column `name`; every other aggregate of the entity over the same child
    and foreign key is computed in the same pass and stored in plan.aggregates too."""
    from .columns import Batch

    plan = columns.plan
    agg = expr_mod.parse_aggregate(f.aggregate)
    fk = _fk(columns, entity, agg.child, f.via)
    n_parent = plan.count(entity)
    todo = [_Aggregate(name, agg, n_parent)]
    for other, g in plan.doc.entities[entity].fields.items():
        if other == name or g.aggregate is None or (entity, other) in plan.aggregates:
            continue
        a = expr_mod.parse_aggregate(g.aggregate)
        if a.child == agg.child and _fk(columns, entity, a.child, g.via) == fk:
            todo.append(_Aggregate(other, a, n_parent))

    def block(rows: np.ndarray) -> list[tuple]:
        batch = Batch(agg.child, rows)
        parents = columns.parent_indices(batch, fk)
        return [a.partial(columns, batch, parents) for a in todo]

    for partials in plan.map_blocks(agg.child, block):
        for a, part in zip(todo, partials, strict=True):
            a.add(part)
    for a in todo:
        plan.aggregates[(entity, a.name)] = a.result(columns)
    return plan.aggregates[(entity, name)]
