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
from ..errors import GenerationError
from ..model import FieldSpec
from .evaluate import evaluate

if TYPE_CHECKING:
    from .columns import Columns


def _fk(columns: Columns, parent: str, child: str, via: str | None) -> str:
    if via:
        return via
    fields = columns.doc.entities[child].fields
    return next(n for n, f in fields.items() if f.ref and f.ref.split(".")[0] == parent)


_M32 = np.int64(0xFFFFFFFF)


def _limbs(arr: pa.Array) -> np.ndarray:
    """Integers or decimal128 unscaled values → (4, n) int64 limbs of 32 bits, least
    significant first: the 128-bit two's-complement value is Σ limb[k] · 2^(32k), limbs 0-2
    in [0, 2^32) and limb 3 signed. Limb sums of fewer than 2^31 values cannot wrap, so
    sums are exact at any size (a decimal(38,18) of 9 is 9·10^18 units, past int64)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if pa.types.is_decimal(arr.type):
        words = np.frombuffer(arr.buffers()[1], dtype=np.int64)
        lo = words[2 * arr.offset : 2 * (arr.offset + len(arr)) : 2]
        hi = words[2 * arr.offset + 1 : 2 * (arr.offset + len(arr)) : 2]
    else:
        lo = arr.to_numpy(zero_copy_only=False).astype(np.int64)
        hi = lo >> 63  # sign extension
    out = np.empty((4, len(lo)), dtype=np.int64)
    out[0] = lo & _M32
    out[1] = (lo >> 32) & _M32
    out[2] = hi & _M32
    out[3] = hi >> 32
    return out


def _carry(limbs: np.ndarray) -> None:
    """Normalises summed limbs in place: limbs 0-2 back into [0, 2^32), carries upward."""
    for k in range(3):
        limbs[k + 1] += limbs[k] >> 32
        limbs[k] &= _M32


def _words(limbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised limbs → the (low, high) int64 words of the 128-bit value."""
    return limbs[0] | (limbs[1] << 32), limbs[2] | (limbs[3] << 32)


def _as_float(limbs: np.ndarray) -> np.ndarray:
    """The nearest doubles (a sum within 64 bits converts as the int64 it is)."""
    lo, hi = _words(limbs)
    wide = hi.astype(np.float64) * 2.0**64 + lo.view(np.uint64).astype(np.float64)
    return np.where(hi == lo >> 63, lo.astype(np.float64), wide)


def _exact(limbs: np.ndarray, i: int) -> int:
    return sum(int(limbs[k][i]) << (32 * k) for k in range(4))


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

    def __init__(self, entity: str, name: str, agg, n_parent: int) -> None:
        self.entity, self.name, self.agg, self.func, self.n = entity, name, agg, agg.func, n_parent
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
            raw = _limbs(v)
            raw = raw if order is None else raw[:, order]
            return vtype, owners, sizes, np.add.reduceat(raw, starts, axis=1) if len(p) else raw
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
                self.sums_int = np.zeros((4, self.n), np.int64)
            touched = self.sums_int[:, owners] + payload
            _carry(touched)
            if len(owners) and int(np.abs(touched[3]).max()) >= 1 << 62:
                # beyond 2^158: far past every result type, and the top limb would wrap next
                raise GenerationError(
                    f"{self.entity}.{self.name}: {_call(self.agg)} is beyond 10^38 units; "
                    "narrow the values summed"
                )
            self.sums_int[:, owners] = touched
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
                if func == "sum":
                    return self.exact_sum(columns, value_type, mask)
                totals = _as_float(self.sums_int)
                if pa.types.is_decimal(value_type):
                    totals = totals / 10**value_type.scale
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

    def exact_sum(self, columns: Columns, value_type: pa.DataType, mask: np.ndarray | None):
        """The exact integer or decimal sums: int64 for integers (a decimal(38,0) when the
        field declares a decimal type), decimal(38, s) for decimals; a sum the result
        cannot hold is an error, never a wrapped value."""
        limbs = self.sums_int
        lo, hi = _words(limbs)
        empty = mask if mask is not None else np.zeros(self.n, dtype=bool)
        beyond_128 = (limbs[3] >= 1 << 31) | (limbs[3] < -(1 << 31))  # `hi` wrapped
        where = f"{self.entity}.{self.name}: {_call(self.agg)}"
        declared = columns.plan.dtype(self.entity, self.name)
        if pa.types.is_integer(value_type) and (declared is None or declared.kind != "decimal"):
            wide = ((hi != (lo >> 63)) | beyond_128) & ~empty  # more than 64 bits
            if wide.any():
                i = int(np.flatnonzero(wide)[0])
                raise GenerationError(
                    f"{where} of row {i + 1:,} is {_exact(limbs, i):,}, beyond the 64-bit "
                    'integer it would be; declare `type: "decimal(38,0)"` on the '
                    "aggregate for the exact sum, or narrow the values summed"
                )
            return pa.array(lo, mask=mask)
        scale = value_type.scale if pa.types.is_decimal(value_type) else 0
        # |sum| < 10^38 units: decimal(38, s) holds it (compared in 128 bits, exactly)
        limit_lo, limit_hi = np.uint64((10**38) & (2**64 - 1)), (10**38) >> 64
        ulo = lo.view(np.uint64)
        too_big = (hi > limit_hi) | ((hi == limit_hi) & (ulo >= limit_lo))
        neg = -(10**38)
        n_hi, n_lo = neg >> 64, np.uint64(neg & (2**64 - 1))
        too_small = (hi < n_hi) | ((hi == n_hi) & (ulo <= n_lo))
        wide = (too_big | too_small | beyond_128) & ~empty
        if wide.any():
            i = int(np.flatnonzero(wide)[0])
            from .arrow import _decimal_text

            raise GenerationError(
                f"{where} of row {i + 1:,} is {_decimal_text(_exact(limbs, i), scale)}, more "
                "than the 38 digits a decimal holds; narrow the values summed"
            )
        from ..types import DataType

        words = np.empty((self.n, 2), dtype=np.int64)
        words[:, 0], words[:, 1] = lo, hi
        validity, null_count = None, 0
        if mask is not None:
            validity, null_count = pa.array(~mask).buffers()[1], int(mask.sum())
        dtype = DataType("decimal", 38, scale)
        return pa.Array.from_buffers(
            pa.decimal128(dtype.precision, dtype.scale),
            self.n,
            [validity, pa.py_buffer(words.tobytes())],
            null_count=null_count,
        )


def _call(agg) -> str:
    return f"{agg.func}({agg.child}.{agg.field})"


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
    todo = [_Aggregate(entity, name, agg, n_parent)]
    for other, g in plan.doc.entities[entity].fields.items():
        if other == name or g.aggregate is None or (entity, other) in plan.aggregates:
            continue
        a = expr_mod.parse_aggregate(g.aggregate)
        if a.child == agg.child and _fk(columns, entity, a.child, g.via) == fk:
            todo.append(_Aggregate(entity, other, a, n_parent))

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
