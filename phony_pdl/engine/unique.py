"""`unique` for sources that cannot guarantee it by construction: the whole column is
made once, duplicates are redrawn from fresh streams (bounded attempts), and the
result is kept for the run so every block and every lookup sees the same values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import GenerationError
from ..pattern import fixed_positions, parse_pattern
from .dense_unique import dense_groups
from .plan import Plan

if TYPE_CHECKING:
    from .columns import Columns

_CONSTRUCTED_TYPES = {"int", "date", "datetime", "time", "decimal", "bool", "uuid"}


def unique_by_construction(plan: Plan, entity: str, name: str) -> bool:
    from .columns import UNIQUE_GENERATORS

    f = plan.doc.entities[entity].fields[name]
    source = f.source
    if source in ("sequence", "choice", "const", "ref"):
        return True
    if source == "type":
        return plan.dtype(entity, name).kind in _CONSTRUCTED_TYPES
    if source == "pattern":
        return fixed_positions(parse_pattern(f.pattern)) is not None
    if source == "generator":
        return f.generator in UNIQUE_GENERATORS
    return False


def first_occurrences(arrays: list[pa.Array]) -> np.ndarray:
    """True where a row's value (tuple) appears for the first time; NULLs never clash."""
    n = len(arrays[0])
    codes = []
    any_null = np.zeros(n, dtype=bool)
    for arr in arrays:
        encoded = pc.dictionary_encode(arr)
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        any_null |= np.isnan(idx) if idx.dtype.kind == "f" else np.zeros(n, bool)
        codes.append(
            np.nan_to_num(idx).astype(np.int64) if idx.dtype.kind == "f" else idx.astype(np.int64)
        )
    stacked = np.stack(codes, axis=1) if len(codes) > 1 else codes[0][:, None]
    _, first = np.unique(stacked, axis=0, return_index=True)
    keep = np.zeros(n, dtype=bool)
    keep[first] = True
    return keep | any_null


def _numbered_within(expr: str | None, group: list[str], name: str) -> bool:
    """`name` is ROW_NUMBER() partitioned by other members of the group: no two rows of
    the group can agree (within a partition the numbers differ)."""
    from .. import expr as expr_mod
    from .window import row_number_partition

    if expr is None:
        return False
    partition = row_number_partition(expr_mod.parse_expr(expr))
    return partition is not None and set(partition) <= set(group) - {name}


def materialize_unique(plan: Plan, columns: Columns, entity: str) -> None:
    from .columns import MAX_UNIQUE_ATTEMPTS, Batch

    spec = plan.doc.entities[entity]
    targets: list[tuple[str, list[str]]] = []
    for name in spec.fields:
        if plan.is_unique(entity, name) and not unique_by_construction(plan, entity, name):
            targets.append((name, [name]))
    groups = [[g] if isinstance(g, str) else list(g) for g in spec.unique]
    if isinstance(spec.primary_key, list) and len(spec.primary_key) > 1:
        groups.append(list(spec.primary_key))
    dense = columns.plan_cache(("dense-unique", entity), lambda: dense_groups(columns, entity))
    for names in groups:
        if len(names) < 2 or all(spec.fields[g].ref is not None for g in names):
            continue  # foreign-key combinations are distinct by construction (columns.pick_in_group)
        if any(g in dense and dense[g].constraint == tuple(names) for g in names):
            continue  # drawn jointly over the combinations (dense_unique)
        redraw = next((g for g in reversed(names) if spec.fields[g].ref is None), None)
        if redraw is not None and _numbered_within(spec.fields[redraw].expr, names, redraw):
            continue  # (key, ROW_NUMBER() OVER (PARTITION BY key)) is distinct by construction
        if redraw is not None:
            targets.append((redraw, names))
    if not targets:
        return
    n = plan.count(entity)
    for name, group in targets:
        if (entity, name) in plan.materialized:
            continue

        def block(rows: np.ndarray, group: list[str] = group) -> pa.RecordBatch:
            batch = Batch(entity, rows)
            return pa.RecordBatch.from_arrays([columns.get(batch, g) for g in group], names=group)

        parts = list(plan.map_blocks(entity, block))
        table = pa.Table.from_batches(parts) if parts else None
        if table is None:
            continue
        values = {g: table.column(g).combine_chunks() for g in group}
        for attempt in range(1, MAX_UNIQUE_ATTEMPTS + 1):
            keep = first_occurrences([values[g] for g in group])
            dup_rows = np.flatnonzero(~keep)
            if len(dup_rows) == 0:
                break
            retry = Batch(entity, dup_rows.astype(np.int64), {name: attempt})
            for g in group:
                if g != name:  # the other members keep their values
                    retry.cache[g] = values[g].take(pa.array(dup_rows))
            fresh = columns.compute(retry, name)
            index = np.arange(n)
            index[dup_rows] = n + np.arange(len(dup_rows))
            values[name] = pa.concat_arrays([values[name], fresh.cast(values[name].type)]).take(
                pa.array(index)
            )
        else:
            remaining = int((~first_occurrences([values[g] for g in group])).sum())
            if remaining:
                label = name if len(group) == 1 else "(" + ", ".join(group) + ")"
                raise GenerationError(
                    f"{entity}.{label}: only {n - remaining:,} of {n:,} rows could be made unique "
                    f"after {MAX_UNIQUE_ATTEMPTS} attempts; widen the value domain or drop `unique`"
                )
        plan.materialized[(entity, name)] = values[name]
