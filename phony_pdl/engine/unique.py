"""`unique` for sources that cannot guarantee it by construction: the whole column is
made once, duplicates are redrawn from fresh streams (bounded attempts), and the
result is kept for the run so every block and every lookup sees the same values."""

from __future__ import annotations

import itertools
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
    and a running maximum, no sort (the first look at a column, and the definition the
    round-by-round `_Incremental` is held to)."""
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
# A round without progress doubles the tries, up to 16 << 6 = 1,024 (2,032 in all): the
# value left may be one the source rarely draws (the smallest of en_US's 60 population-
# weighted cities comes once in 170 draws; 16 tries a round failed to reach it in five
# seeds of seven, the doubling misses it about once in 10**5)
STRAGGLER_DOUBLINGS = 6
MAX_STRAGGLER_ATTEMPTS = 1 << 16  # a bound on the whole settling, whatever the progress


def _settle_stragglers(
    columns: Columns,
    entity: str,
    name: str,
    seen: _Tracker,
    rows: np.ndarray,
    first: int,
    tries: int = STRAGGLER_TRIES,
) -> None:
    """Give each repeat in `rows` the first of its candidates (retry attempts first,
    first + 1, …) that is new to the column and to the candidates before it; rows whose
    candidates are all taken keep their value for the next round."""
    from .columns import Batch

    rows = rows.astype(np.int64)
    candidates = [
        columns.compute(Batch(entity, rows, {name: first + j}), name) for j in range(tries)
    ]
    flat = pa.concat_arrays(candidates)  # try-major: every row's first try, then its second …
    fresh = seen.unseen(name, flat).reshape(tries, len(rows))
    settled = fresh.any(axis=0)
    chosen = fresh.argmax(axis=0) * len(rows) + np.arange(len(rows))
    seen.replace(rows[settled], {name: flat.take(pa.array(chosen[settled]))})


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
        seen = tracker(values)
        free_members = [g for g in group if g == name or _stands_alone(spec, g)]
        redrawn: set[str] = set()
        # Redraws continue while they make progress: a few stragglers in a vast domain (an
        # n-gram's names) get more tries, a domain that is simply too small stops early.
        best, stalled, attempt = None, 0, 0
        while True:
            dup_rows = seen.dups()
            if len(dup_rows) == 0:
                break
            stalled = stalled + 1 if best is not None and len(dup_rows) >= best else 0
            best = len(dup_rows) if best is None else min(best, len(dup_rows))
            if len(group) == 1 and len(dup_rows) <= STRAGGLERS:
                if stalled > STRAGGLER_DOUBLINGS or attempt >= MAX_STRAGGLER_ATTEMPTS:
                    break
                # Each try of a straggler may land on a value already taken most of the
                # time (an n-gram's common names): many tries per check of the column
                tries = STRAGGLER_TRIES << stalled
                _settle_stragglers(columns, entity, name, seen, dup_rows, attempt + 1, tries)
                attempt += tries
                redrawn.add(name)
                continue
            if attempt >= MAX_UNIQUE_ATTEMPTS * 16:
                break
            if attempt > MAX_UNIQUE_ATTEMPTS and stalled >= 3:
                break
            attempt += 1
            if attempt > MAX_UNIQUE_ATTEMPTS * 4:
                break
            # First the last member alone; when that stalls (a city with more teams than
            # there are mascots), every member that stands on its own is drawn again too.
            members = [name] if attempt <= MAX_UNIQUE_ATTEMPTS // 2 else free_members
            retry = Batch(entity, dup_rows.astype(np.int64), dict.fromkeys(members, attempt))
            for g in group:
                if g not in members:  # the other members keep their values
                    retry.cache[g] = seen.take(g, dup_rows)
            fresh = {}
            for g in members:
                fresh[g] = retry.cache[g] = columns.compute(retry, g)
                redrawn.add(g)
            seen.replace(dup_rows, fresh)
        remaining = len(seen.dups())
        if remaining:
            label = name if len(group) == 1 else "(" + ", ".join(group) + ")"
            raise GenerationError(
                f"{entity}.{label}: only {n - remaining:,} of {n:,} rows could be made unique "
                f"after {attempt} attempts; widen the value domain or drop `unique`"
            )
        for g in {name, *redrawn}:
            plan.materialized[(entity, g)] = seen.column(g)


# Each redraw round used to dictionary-encode the whole column again to find the rows
# still repeating; a million-row column then paid a full hash pass per round for the few
# thousand rows it redrew. The trackers below answer the same question (which rows repeat
# a value held by an earlier row) and keep the same values; `_Incremental` only looks at
# the rows a round changed, `_WholeColumn` is the plain definition it falls back to.


class _WholeColumn:
    """The definition: every question is answered by checking the whole column again."""

    def __init__(self, values: dict[str, pa.Array]) -> None:
        self.values = dict(values)
        self._dups: np.ndarray | None = None

    def dups(self) -> np.ndarray:
        """Rows (ascending) whose value (tuple) an earlier row already holds."""
        if self._dups is None:
            self._dups = np.flatnonzero(~first_occurrences(list(self.values.values())))
        return self._dups

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        return self.values[name].take(pa.array(rows))

    def column(self, name: str) -> pa.Array:
        return self.values[name]

    def replace(self, rows: np.ndarray, fresh: dict[str, pa.Array]) -> None:
        """Give `rows` (ascending, all of them repeats) the values in `fresh`."""
        n = len(next(iter(self.values.values())))
        index = np.arange(n)
        index[rows] = n + np.arange(len(rows))
        for g, arr in fresh.items():
            current = self.values[g]
            self.values[g] = pa.concat_arrays([current, arr.cast(current.type)]).take(
                pa.array(index)
            )
        self._dups = None

    def unseen(self, name: str, candidates: pa.Array) -> np.ndarray:
        """Per candidate (of a one-column group): new to the column and to the candidates
        before it (NULLs never clash)."""
        current = self.values[name]
        both = pa.concat_arrays([current, candidates.cast(current.type)])
        return first_occurrences([both])[len(current) :]


class _Collision(Exception):
    """Two different values share a fingerprint: the tracker goes back to the definition."""


class _Incremental:
    """Which rows repeat, kept up to date one round at a time.

    Every value in the column has a holder, the first row holding it; the other rows with
    that value are the repeats. A round only ever changes repeats, so the holders of the
    values they leave stay put, and each value a round brings in is either new (its first
    redrawn row becomes the holder) or already held (the earlier of the holder and its
    first redrawn row keeps it, the later becomes a repeat). Values are found through
    64-bit fingerprints in a sorted array, and every fingerprint match is confirmed on the
    values themselves; a match that is not a real one (two values, one fingerprint) hands
    the rest of the work to `_WholeColumn`, so the answers are always the definition's."""

    def __init__(self, values: dict[str, pa.Array]) -> None:
        self.names = list(values)
        first = next(iter(values.values()))
        self.n = len(first)
        # Values live in chunks (the first column, then each round's fresh values); `where`
        # says where each row's current value is, so a round costs its own rows, not n.
        self.chunks = {g: [arr] for g, arr in values.items()}
        self.starts = {g: [0] for g in values}
        self.sizes = dict.fromkeys(values, self.n)
        self.where: dict[str, np.ndarray] = {}
        self.exact: _WholeColumn | None = None
        keep = first_occurrences(list(values.values()))
        self._dups = np.flatnonzero(~keep)
        valid = _no_nulls(list(values.values()))
        holders = np.flatnonzero(keep & valid)
        prints = _fingerprint(list(values.values()))[holders]
        order = np.argsort(prints, kind="stable")
        self.keys, self.holders = prints[order], holders[order]
        if len(self.keys) > 1 and (self.keys[1:] == self.keys[:-1]).any():
            self._fall_back()

    @staticmethod
    def supports(values: list[pa.Array]) -> bool:
        return all(_fingerprintable(arr.type) for arr in values)

    def _fall_back(self) -> None:
        self.exact = _WholeColumn({g: self.column(g) for g in self.names})

    def dups(self) -> np.ndarray:
        return self.exact.dups() if self.exact is not None else self._dups

    def take(self, name: str, rows: np.ndarray) -> pa.Array:
        if self.exact is not None:
            return self.exact.take(name, rows)
        where = self.where.get(name)
        index = rows if where is None else where[rows]
        chunks, starts = self.chunks[name], np.asarray(self.starts[name])
        which = np.searchsorted(starts, index, side="right") - 1
        if len(chunks) == 1 or (which == 0).all():
            return chunks[0].take(pa.array(index))
        parts, placed = [], []
        for c in np.flatnonzero(np.bincount(which)):
            sel = np.flatnonzero(which == c)
            parts.append(chunks[c].take(pa.array(index[sel] - starts[c])))
            placed.append(sel)
        back = np.empty(len(index), dtype=np.int64)
        back[np.concatenate(placed)] = np.arange(len(index))
        return pa.concat_arrays(parts).take(pa.array(back))

    def column(self, name: str) -> pa.Array:
        if self.exact is not None:
            return self.exact.column(name)
        if name not in self.where:
            return self.chunks[name][0]
        return pa.concat_arrays(self.chunks[name]).take(pa.array(self.where[name]))

    def _store(self, name: str, rows: np.ndarray, arr: pa.Array) -> None:
        chunks = self.chunks[name]
        arr = arr.cast(chunks[0].type)
        if name not in self.where:
            self.where[name] = np.arange(self.n)
        self.where[name][rows] = self.sizes[name] + np.arange(len(rows))
        chunks.append(arr)
        self.starts[name].append(self.sizes[name])
        self.sizes[name] += len(arr)
        if len(chunks) > 16:  # the redrawn values in one chunk, so a take has few to visit
            rest = pa.concat_arrays(chunks[1:])
            self.chunks[name] = [chunks[0], rest]
            self.starts[name] = [0, len(chunks[0])]

    def replace(self, rows: np.ndarray, fresh: dict[str, pa.Array]) -> None:
        if self.exact is not None:
            self.exact.replace(rows, fresh)
            return
        for g, arr in fresh.items():
            self._store(g, rows, arr)
        if not len(rows):
            return
        arrays = [fresh[g].cast(self.chunks[g][0].type) if g in fresh else self.take(g, rows)
                  for g in self.names]  # fmt: skip
        try:
            self._settle(rows, arrays)
        except _Collision:
            self._fall_back()

    def _settle(self, rows: np.ndarray, arrays: list[pa.Array]) -> None:
        # rows with a NULL member neither repeat nor hold anything
        valid = np.flatnonzero(_no_nulls(arrays))
        arrays = [arr.take(pa.array(valid)) for arr in arrays]
        prints = _fingerprint(arrays)
        order = np.argsort(prints, kind="stable")  # by fingerprint, then row (rows ascend)
        prints, local = prints[order], valid[order]
        head = np.ones(len(prints), dtype=bool)
        head[1:] = prints[1:] != prints[:-1]
        leader_at = np.flatnonzero(head)
        leader_of = leader_at[np.cumsum(head) - 1]  # each row's first row of its group
        followers = np.flatnonzero(~head)
        if len(followers):  # one fingerprint, one value: confirmed on the values
            mine = [arr.take(pa.array(order[followers])) for arr in arrays]
            theirs = [arr.take(pa.array(order[leader_of[followers]])) for arr in arrays]
            _confirm(mine, theirs)
        lead_rows = rows[local[leader_at]]
        lead_prints = prints[leader_at]
        pos = np.searchsorted(self.keys, lead_prints)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == lead_prints[found]
        repeats = [rows[local[followers]]]
        if found.any():
            held = self.holders[pos[found]]
            mine = [arr.take(pa.array(order[leader_at[found]])) for arr in arrays]
            _confirm(mine, [self.take(g, held) for g in self.names])
            earlier = lead_rows[found] < held
            # the earlier row holds the value; the later one repeats it
            self.holders[pos[found][earlier]] = lead_rows[found][earlier]
            repeats += [held[earlier], lead_rows[found][~earlier]]
        new = ~found
        if new.any():
            self.keys = np.insert(self.keys, pos[new], lead_prints[new])
            self.holders = np.insert(self.holders, pos[new], lead_rows[new])
        kept = self._dups[~np.isin(self._dups, rows, assume_unique=True)]
        # disjoint parts: what stays repeated, the followers, and the later of each pair
        self._dups = np.sort(np.concatenate([kept, *repeats]).astype(np.int64))

    def unseen(self, name: str, candidates: pa.Array) -> np.ndarray:
        if self.exact is not None:
            return self.exact.unseen(name, candidates)
        candidates = candidates.cast(self.chunks[name][0].type)
        out = first_occurrences([candidates])
        valid = np.flatnonzero(_no_nulls([candidates]))
        prints = _fingerprint([candidates.take(pa.array(valid))])
        pos = np.searchsorted(self.keys, prints)
        found = pos < len(self.keys)
        found[found] = self.keys[pos[found]] == prints[found]
        if found.any():
            try:
                _confirm(
                    [candidates.take(pa.array(valid[found]))],
                    [self.take(name, self.holders[pos[found]])],
                )
            except _Collision:
                self._fall_back()
                return self.exact.unseen(name, candidates)
        out[valid[found]] = False
        return out


def _confirm(mine: list[pa.Array], theirs: list[pa.Array]) -> None:
    for a, b in zip(mine, theirs, strict=True):
        if not pc.all(pc.equal(a, b)).as_py():
            raise _Collision


def _no_nulls(arrays: list[pa.Array]) -> np.ndarray:
    ok = np.ones(len(arrays[0]), dtype=bool)
    for arr in arrays:
        if arr.null_count:
            ok &= ~pc.is_null(arr).to_numpy(zero_copy_only=False)
    return ok


_BYTES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_binary,
          pa.types.is_large_binary)  # fmt: skip
_FIXED = (pa.types.is_integer, pa.types.is_temporal, pa.types.is_decimal,
          pa.types.is_fixed_size_binary, pa.types.is_boolean)  # fmt: skip


def _fingerprintable(t: pa.DataType) -> bool:
    # floats stay with the definition: NaN and -0.0 make "the same value" a subtle question
    return any(f(t) for f in _BYTES + _FIXED)


_U64 = np.uint64
# A string's fingerprint is its bytes (+1) as the digits of a polynomial in an odd 64-bit
# base, mod 2**64: Σ (byte_k + 1)·B**k, read off one running sum over a range of strings
# as (sum to its end − sum to its start)·B**-start (odd numbers are invertible mod 2**64).
_BASE = _U64(0x9E3779B97F4A7C15 | 1)
_CHUNK_BYTES = 1 << 20
_powers: list[np.ndarray] = []


def _base_powers(m: int) -> tuple[np.ndarray, np.ndarray]:
    """B**k and B**-k for k < m (kept: every fingerprint of a run reuses them)."""
    if not _powers or len(_powers[0]) < m:
        size = max(m, _CHUNK_BYTES + 1)
        inverse = _U64(pow(int(_BASE), -1, 2**64))
        up = np.full(size, _BASE, dtype=np.uint64)
        down = np.full(size, inverse, dtype=np.uint64)
        up[0] = down[0] = 1
        _powers[:] = [np.cumprod(up), np.cumprod(down)]
    return _powers[0], _powers[1]


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _fingerprint(arrays: list[pa.Array]) -> np.ndarray:
    """A 64-bit fingerprint per row of the tuple (NULL slots give meaningless prints)."""
    out: np.ndarray | None = None
    for arr in arrays:
        one = _bytes_print(arr) if any(f(arr.type) for f in _BYTES) else _fixed_print(arr)
        out = one if out is None else _mix(out * _U64(0x9E3779B97F4A7C15) + one)
    assert out is not None
    return out


def _bytes_print(arr: pa.Array) -> np.ndarray:
    """Fingerprints of a string or binary array, a range of rows at a time."""
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)
    offsets = offsets[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else None
    out = np.empty(n, dtype=np.uint64)
    lengths = np.diff(offsets)
    cuts = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], _CHUNK_BYTES))
    bounds = np.unique(np.concatenate([[0], np.clip(cuts, 0, n), [n]]))
    for a, b in itertools.pairwise(bounds.tolist()):
        lo, hi = offsets[a], offsets[b]
        if data is None or hi == lo:
            out[a:b] = 0
            continue
        up, down = _base_powers(hi - lo + 1)
        part = data[lo:hi].astype(np.uint64)
        part += _U64(1)
        part *= up[: hi - lo]
        sums = np.empty(hi - lo + 1, dtype=np.uint64)
        sums[0] = 0
        np.cumsum(part, out=sums[1:])
        starts = offsets[a:b] - lo
        out[a:b] = (sums[offsets[a + 1 : b + 1] - lo] - sums[starts]) * down[starts]
    return _mix(out ^ (lengths.astype(np.uint64) * _U64(0xD6E8FEB86659FD93)))


def _fixed_print(arr: pa.Array) -> np.ndarray:
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.int8())
    n = len(arr)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    width = arr.type.byte_width
    raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8)
    raw = raw[arr.offset * width : (arr.offset + n) * width].reshape(n, width)
    if width in (1, 2, 4, 8):
        return _mix(raw.copy().view(f"<u{width}").reshape(n).astype(np.uint64) + _U64(1))
    words = -(-width // 8)
    padded = np.zeros((n, words * 8), dtype=np.uint8)
    padded[:, :width] = raw
    cols = padded.view("<u8")
    out = np.zeros(n, dtype=np.uint64)
    for w in range(words):
        out = _mix(out * _U64(0x9E3779B97F4A7C15) + cols[:, w])
    return out


_Tracker = _WholeColumn | _Incremental


def tracker(values: dict[str, pa.Array]) -> _Tracker:
    """The repeats of a column (or a group's tuples), followed round by round."""
    if _Incremental.supports(list(values.values())):
        return _Incremental(values)
    return _WholeColumn(values)
