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
    """True where a row's value (tuple) appears for the first time; NULLs never clash.

    Arrow's dictionary encoding numbers values in the order they first appear, so a row is
    a first occurrence exactly when its code exceeds every code before it: one hash pass
    and a running maximum, no sort (a redraw round checks the whole column again)."""
    n = len(arrays[0])
    any_null = np.zeros(n, dtype=bool)
    key: np.ndarray | None = None
    for arr in arrays:
        encoded = pc.dictionary_encode(arr)
        if encoded.indices.null_count:
            any_null |= pc.is_null(encoded.indices).to_numpy(zero_copy_only=False)
        codes = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        if key is None:
            key = codes
        else:  # a pair of codes as one number below n², renumbered to stay below n
            pair = key * max(len(encoded.dictionary), 1) + codes
            key = pc.dictionary_encode(pa.array(pair)).indices.to_numpy().astype(np.int64)
    assert key is not None
    # rows with a NULL take no part: a NULL row must not count as a value's first
    # occurrence (its code would then make the real first occurrence look like a repeat)
    if any_null.any() or len(arrays) > 1:
        rows = np.flatnonzero(~any_null)
        order = pc.dictionary_encode(pa.array(key[rows])).indices.to_numpy().astype(np.int64)
    else:
        rows, order = None, key
    before = np.empty(len(order), dtype=np.int64)
    if len(order):
        before[0] = -1
        np.maximum.accumulate(order[:-1], out=before[1:])
    first = order > before
    if rows is None:
        return first
    keep = any_null.copy()
    keep[rows[first]] = True
    return keep


def _numbered_within(expr: str | None, group: list[str], name: str) -> bool:
    """`name` is ROW_NUMBER() partitioned by other members of the group: no two rows of
    the group can agree (within a partition the numbers differ)."""
    from .. import expr as expr_mod
    from .window import row_number_partition

    if expr is None:
        return False
    partition = row_number_partition(expr_mod.parse_expr(expr))
    return partition is not None and set(partition) <= set(group) - {name}


def _stands_alone(spec, field: str) -> bool:
    """A field that may be drawn again on its own: its own source of values, and (for a
    generator) the only field of its family, so no other column shares its record."""
    f = spec.fields[field]
    if f.ref is not None or f.source not in ("choice", "pattern", "type", "distribution",
                                               "generator"):  # fmt: skip
        return False
    if f.source == "generator":
        family = (f.generator or "").split(".")[0]
        same = [g for g in spec.fields.values() if (g.generator or "").split(".")[0] == family]
        return len(same) == 1
    return True


# At most this many rows left to make distinct count as stragglers: each round draws
# STRAGGLER_TRIES candidates for each of them and checks the column once.
STRAGGLERS = 256
STRAGGLER_TRIES = 16


def _settle_stragglers(
    columns: Columns, entity: str, name: str, current: pa.Array, rows: np.ndarray, first: int
) -> pa.Array:
    """`current` with each duplicate row in `rows` given the first of its candidates (retry
    attempts first, first + 1, …) that is new to the column and to the candidates before it;
    rows whose candidates are all taken keep their value for the next round."""
    from .columns import Batch

    rows = rows.astype(np.int64)
    candidates = [
        columns.compute(Batch(entity, rows, {name: first + j}), name).cast(current.type)
        for j in range(STRAGGLER_TRIES)
    ]
    flat = pa.concat_arrays(candidates)  # try-major: every row's first try, then its second …
    fresh = first_occurrences([pa.concat_arrays([current, flat])])[len(current) :]
    fresh = fresh.reshape(STRAGGLER_TRIES, len(rows))
    settled = fresh.any(axis=0)
    chosen = fresh.argmax(axis=0) * len(rows) + np.arange(len(rows))
    n = len(current)
    index = np.arange(n)
    index[rows[settled]] = n + np.flatnonzero(settled)
    return pa.concat_arrays([current, flat.take(pa.array(chosen))]).take(pa.array(index))


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
        free_members = [g for g in group if g == name or _stands_alone(spec, g)]
        redrawn: set[str] = set()
        # Redraws continue while they make progress: a few stragglers in a vast domain (an
        # n-gram's names) get more tries, a domain that is simply too small stops early.
        best, stalled, attempt = None, 0, 0
        while attempt < MAX_UNIQUE_ATTEMPTS * 16:
            keep = first_occurrences([values[g] for g in group])
            dup_rows = np.flatnonzero(~keep)
            if len(dup_rows) == 0:
                break
            stalled = stalled + 1 if best is not None and len(dup_rows) >= best else 0
            best = len(dup_rows) if best is None else min(best, len(dup_rows))
            if attempt > MAX_UNIQUE_ATTEMPTS and stalled >= 3:
                break
            if len(group) == 1 and len(dup_rows) <= STRAGGLERS:
                # Each try of a straggler may land on a value already taken most of the
                # time (an n-gram's common names): many tries per check of the column
                values[name] = _settle_stragglers(
                    columns, entity, name, values[name], dup_rows, attempt + 1
                )
                attempt += STRAGGLER_TRIES
                redrawn.add(name)
                continue
            attempt += 1
            if attempt > MAX_UNIQUE_ATTEMPTS * 4:
                break
            # First the last member alone; when that stalls (a city with more teams than
            # there are mascots), every member that stands on its own is drawn again too.
            members = [name] if attempt <= MAX_UNIQUE_ATTEMPTS // 2 else free_members
            retry = Batch(entity, dup_rows.astype(np.int64), dict.fromkeys(members, attempt))
            for g in group:
                if g not in members:  # the other members keep their values
                    retry.cache[g] = values[g].take(pa.array(dup_rows))
            index = np.arange(n)
            index[dup_rows] = n + np.arange(len(dup_rows))
            for g in members:
                fresh = columns.compute(retry, g)
                retry.cache[g] = fresh
                values[g] = pa.concat_arrays([values[g], fresh.cast(values[g].type)]).take(
                    pa.array(index)
                )
                redrawn.add(g)
        remaining = int((~first_occurrences([values[g] for g in group])).sum())
        if remaining:
            label = name if len(group) == 1 else "(" + ", ".join(group) + ")"
            raise GenerationError(
                f"{entity}.{label}: only {n - remaining:,} of {n:,} rows could be made unique "
                f"after {attempt} attempts; widen the value domain or drop `unique`"
            )
        for g in {name, *redrawn}:
            plan.materialized[(entity, g)] = values[g]
