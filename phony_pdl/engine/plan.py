"""The plan of a run: row counts, per-parent layouts and the few whole-table reductions.

Everything else is computed lazily, column by column, for any array of row
indices (see columns.py). Reductions are computed once, in the process that
plans, before any worker starts: per-parent child counts (prefix sums),
timeline lengths, aggregates over children, and unique columns that needed
retries.
"""

from __future__ import annotations

import math
import multiprocessing
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from .. import graph as graph_mod
from ..errors import GenerationError
from ..forking import fork_pool
from ..model import PerCount
from ..rng import Stream
from ..schema import Schema
from ..types import DataType, parse_type
from ..validate import MAX_ROWS, Validator, count_table
from . import sampling

DEFAULT_BLOCK_ROWS = 65_536


LAYOUT_CHUNK = 65_536  # parents per checkpoint of a layout
LAYOUT_CACHE = 8  # chunks of per-parent offsets a process keeps


class Layout:
    """Children laid out parent by parent: rows start(p) … start(p+1)-1 belong to parent p.

    Only the offset of every LAYOUT_CHUNK-th parent is kept (`marks`). The offsets
    inside a chunk are recomputed from `counts_of` (children per parent, a pure
    function of the parent indices) when a batch needs them, and the last few
    chunks are cached. So a layout costs O(parents / LAYOUT_CHUNK) memory, and a
    worker of a 100M-row run holds no more than one of a 10M-row run.
    """

    def __init__(
        self, parent: str, counts_of: Callable[[np.ndarray], np.ndarray], n_parents: int
    ) -> None:
        self.parent = parent
        self.counts_of = counts_of
        self.n_parents = n_parents
        # the same number of children for every parent: positions are plain arithmetic
        self.const: int | None = getattr(counts_of, "const", None)
        chunks = -(-n_parents // LAYOUT_CHUNK)
        totals = np.zeros(chunks, dtype=np.int64)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        for k in range(chunks):
            # Blocks start again at chunk 0: caching the last chunks seen here would have the
            # first blocks evict each one just before it is needed (every chunk computed twice).
            totals[k] = int(self._chunk(k, keep=k < LAYOUT_CACHE)[-1])
        self.marks = np.zeros(chunks + 1, dtype=np.int64)
        np.cumsum(totals, out=self.marks[1:])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()  # recomputed where needed
        return state

    @property
    def total(self) -> int:
        """Children over all parents."""
        return int(self.marks[-1])

    def _chunk(self, k: int, keep: bool = True) -> np.ndarray:
        """Offsets of chunk k's parents relative to its first child (length size + 1)."""
        hit = self._cache.get(k)
        if hit is not None:
            self._cache.move_to_end(k)
            return hit
        lo = k * LAYOUT_CHUNK
        parents = np.arange(lo, min(lo + LAYOUT_CHUNK, self.n_parents), dtype=np.int64)
        local = np.zeros(len(parents) + 1, dtype=np.int64)
        np.cumsum(np.asarray(self.counts_of(parents), dtype=np.int64), out=local[1:])
        if keep:
            self._cache[k] = local
            if len(self._cache) > LAYOUT_CACHE:
                self._cache.popitem(last=False)
        return local

    def start(self, parents: np.ndarray) -> np.ndarray:
        """First child row of each parent (parent n_parents: the total)."""
        parents = np.asarray(parents, dtype=np.int64)
        if self.const is not None:
            return np.minimum(parents, self.n_parents) * self.const
        out = np.empty(len(parents), dtype=np.int64)
        chunk = np.minimum(parents // LAYOUT_CHUNK, len(self.marks) - 2)
        end = parents >= self.n_parents
        out[end] = self.total
        inside = ~end
        for k in _chunks_in(chunk[inside]):
            mine = inside & (chunk == k)
            out[mine] = self.marks[k] + self._chunk(k)[parents[mine] - k * LAYOUT_CHUNK]
        return out

    def size(self, parents: np.ndarray) -> np.ndarray:
        """Children of each parent."""
        parents = np.asarray(parents, dtype=np.int64)
        return self.start(parents + 1) - self.start(parents)

    def parent_of(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if self.const:
            return rows // self.const
        out = np.empty(len(rows), dtype=np.int64)
        chunk = np.searchsorted(self.marks, rows, side="right") - 1
        chunk = np.clip(chunk, 0, max(len(self.marks) - 2, 0))
        ks = _chunks_in(chunk)
        if len(ks) == 1:  # the usual batch: one chunk, no masks
            k = ks[0]
            local = self._chunk(k)
            lo = int(rows[0]) - int(self.marks[k])
            if len(rows) > 1 and bool((np.diff(rows) == 1).all()):
                # a run of rows: the parents in between, each repeated for its rows in the run
                hi = lo + len(rows)
                first = int(np.searchsorted(local, lo, side="right")) - 1
                last = int(np.searchsorted(local, hi - 1, side="right")) - 1
                spans = np.minimum(local[first + 1 : last + 2], hi) - np.maximum(
                    local[first : last + 1], lo
                )
                return k * LAYOUT_CHUNK + np.repeat(np.arange(first, last + 1), spans)
            found = np.searchsorted(local, rows - self.marks[k], side="right") - 1
            return k * LAYOUT_CHUNK + found
        for k in ks:
            mine = chunk == k
            local = self._chunk(k)
            found = np.searchsorted(local, rows[mine] - self.marks[k], side="right") - 1
            out[mine] = k * LAYOUT_CHUNK + found
        return out

    def position_in_parent(self, rows: np.ndarray, parents: np.ndarray | None = None) -> np.ndarray:
        if parents is None:
            parents = self.parent_of(rows)
        return np.asarray(rows, dtype=np.int64) - self.start(parents)


_MAP_FN: Callable[[np.ndarray], Any] | None = None  # set in the parent before forking
_IN_WORKER = False


def _map_task(span: tuple[int, int]) -> Any:
    global _IN_WORKER
    _IN_WORKER = True
    assert _MAP_FN is not None
    return _MAP_FN(np.arange(span[0], span[1], dtype=np.int64))


def _chunks_in(chunk: np.ndarray) -> list[int]:
    """The chunk numbers present, ascending (a batch touches one or a few, adjacent)."""
    if len(chunk) == 0:
        return []
    lo, hi = int(chunk.min()), int(chunk.max())
    if hi - lo < 64:
        present = np.bincount(chunk - lo, minlength=hi - lo + 1) > 0
        return (lo + np.flatnonzero(present)).tolist()
    return np.unique(chunk).tolist()


def layout_from_counts(
    plan: Plan, parent: str, children_of: Callable[[np.ndarray], np.ndarray]
) -> Layout:
    """The layout of `children_of(parents)` children per parent (a pure function of indices)."""
    return Layout(parent, children_of, plan.count(parent))


class PerParentCounts:
    """Children per parent of a `count: {per: …}` entity, from the parent's index alone."""

    def __init__(self, seed: int, entity: str, count: PerCount) -> None:
        self.count = count
        self.const = count.const  # Layout's arithmetic shortcut
        self.stream = Stream(seed, entity, "#count")
        self.table: tuple[np.ndarray, np.ndarray] | None = None
        if count.choice is not None:
            values, weights = count_table(count.choice)
            keep = weights > 0  # a zero weight is never drawn, even at u's edges
            values, weights = values[keep], weights[keep]
            cum = np.cumsum(weights)
            self.table = values, cum / cum[-1]

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        count, stream = self.count, self.stream
        n = len(idx)
        if count.const is not None:
            return np.full(n, count.const, dtype=np.int64)
        if self.table is not None:
            # the count whose share of the cumulative weights the parent's uniform falls in
            values, cum = self.table
            u = stream.open_uniform(idx)
            return values[np.minimum(np.searchsorted(cum, u, side="right"), len(values) - 1)]
        if count.distribution is None or count.distribution == "uniform":
            lo = count.min or 0
            hi = count.max if count.max is not None else lo
            return lo + stream.integers(idx, hi - lo + 1) if n else np.zeros(0, np.int64)
        u = stream.open_uniform(idx)
        pick = stream.sub("component").uniform(idx) if count.distribution == "mixture" else None
        per = sampling.sample(
            count.distribution, count.params, u, lo=count.min, hi=count.max, pick=pick
        )
        per = np.asarray(per, dtype=np.float64)
        per = np.where(np.isfinite(per), per, count.max or 0)
        # a far tail stays past the row limit (which reports it) instead of wrapping round
        return np.minimum(per, float(MAX_ROWS + 1)).astype(np.int64)


class Plan:
    def __init__(
        self,
        schema: Schema,
        *,
        seed: int | None = None,
        scale: float = 1.0,
        block_rows: int | None = None,
        counts: Mapping[str, int] | None = None,
    ) -> None:
        if scale <= 0 or not math.isfinite(scale):
            raise GenerationError(f"scale={scale} must be a positive number")
        self.schema = schema
        self.doc = schema.document
        self.seed = int(self.doc.seed if seed is None else seed)
        self.scale = float(scale)
        # Rows of entities with a fixed count, instead of count × scale (checked by the caller)
        self.count_overrides = dict(sorted((counts or {}).items()))
        self.block_rows = int(block_rows or DEFAULT_BLOCK_ROWS)
        # Local processes the whole-table reductions may use (set by whoever writes).
        self.workers = 1
        if self.block_rows < 1:
            raise GenerationError("block_rows must be at least 1")
        self._types = Validator(self.doc, None, [])  # type inference only
        self.order = graph_mod.entity_order(self.doc)
        self.counts: dict[str, int] = {}
        self.layouts: dict[str, Layout] = {}
        self.aggregates: dict[tuple[str, str], pa.Array] = {}
        self.materialized: dict[tuple[str, str], pa.Array] = {}
        self.timelines: dict[str, Any] = {}
        self._counting: set[str] = set()

    # ------------------------------------------------------------ types

    def dtype(self, entity: str, field: str) -> DataType | None:
        """The field's PDL type; for expressions without `type`, what evaluation yields."""
        declared = self._types.type_of(entity, field)
        f = self.doc.entities[entity].fields[field]
        if declared is None and f.aggregate is not None:
            # sum/min/max of an expression field: the type its evaluation yields
            from .. import expr as expr_mod

            agg = expr_mod.parse_aggregate(f.aggregate)
            if agg.field and agg.func not in ("count", "count_distinct", "avg"):
                child = self.dtype(agg.child, agg.field)
                if child is not None and agg.func == "sum" and child.kind == "decimal":
                    return parse_type(f"decimal(38,{child.scale})")  # a sum needs the digits
                return child
        if declared is None and f.from_ is not None:
            # a copy of an untyped expression: the type the parent's evaluation yields
            head, _, parent_field = f.from_.partition(".")
            fk = self.doc.entities[entity].fields.get(head)
            parent = (fk.ref or "").split(".")[0] if fk is not None else ""
            if parent in self.doc.entities and parent_field in self.doc.entities[parent].fields:
                return self.dtype(parent, parent_field)
        if declared is not None or f.expr is None:
            return declared
        cache = self.__dict__.setdefault("_evaluated_types", {})
        if (entity, field) not in cache:
            from .arrow import pdl_type
            from .columns import Batch, Columns

            cache[(entity, field)] = None  # guards recursion while evaluating
            empty = Columns(self).get(Batch(entity, np.zeros(0, dtype=np.int64)), field)
            cache[(entity, field)] = pdl_type(empty.type)
        return cache[(entity, field)]

    # ------------------------------------------------------------ counts

    def count(self, entity: str) -> int:
        if entity in self.counts:
            return self.counts[entity]
        if entity in self._counting:
            raise GenerationError(f"row count of '{entity}' depends on itself")
        if entity not in self.doc.entities:
            raise KeyError(entity)
        self._counting.add(entity)
        try:
            return self._count(entity)
        finally:  # a failed count leaves no trace that would look like a cycle next time
            self._counting.discard(entity)

    def _count(self, entity: str) -> int:
        spec = self.doc.entities[entity]
        if spec.series is not None:
            from .series import series_layout

            layout = series_layout(self, entity)
            self.layouts[entity] = layout
            n = layout.total
        elif spec.timeline is not None:
            from .timeline import timeline_layout

            layout = timeline_layout(self, entity)
            self.layouts[entity] = layout
            n = layout.total
        elif isinstance(spec.count, PerCount):
            layout = self._per_parent_layout(entity, spec.count)
            self.layouts[entity] = layout
            n = layout.total
            if n > MAX_ROWS:
                raise GenerationError(
                    f"{entity}: the children per {spec.count.per} row add up to {n:,} rows, "
                    f"beyond the {MAX_ROWS:,} rows of one entity; give the count a `max` "
                    "(a heavy-tailed distribution such as zipf has no end of its own)"
                )
        elif entity in self.count_overrides:
            n = self.count_overrides[entity]
        else:
            n = round(spec.count * self.scale)
            if n > MAX_ROWS:
                raise GenerationError(
                    f"{entity}: count {spec.count:,} at scale {self.scale:g} is {n:,} rows, beyond "
                    f"the {MAX_ROWS:,} rows of one entity; lower the scale (--scale)"
                )
        self.counts[entity] = n
        return n

    def _per_parent_layout(self, entity: str, count: PerCount) -> Layout:
        return Layout(count.per, PerParentCounts(self.seed, entity, count), self.count(count.per))

    def map_blocks(self, entity: str, fn: Callable[[np.ndarray], Any]) -> Iterator[Any]:
        """fn(rows) for every block of the entity, results in block order.

        With `workers` > 1 the blocks run in forked processes (which inherit the plan as it
        is now); the caller combines the results in block order, so they never depend on
        the worker count. Inside a worker it runs inline (no nested pools).
        """
        global _MAP_FN
        n = self.count(entity)
        spans = [(s, min(s + self.block_rows, n)) for s in range(0, n, self.block_rows)]
        nested = _IN_WORKER or multiprocessing.current_process().daemon  # pool workers
        if self.workers <= 1 or len(spans) <= 1 or nested:
            for start, stop in spans:
                yield fn(np.arange(start, stop, dtype=np.int64))
            return
        _MAP_FN = fn
        try:
            with fork_pool(min(self.workers, len(spans))) as pool:
                yield from pool.imap(_map_task, spans)
        finally:
            _MAP_FN = None

    def is_unique(self, entity: str, field: str) -> bool:
        """Distinct values required: `unique: true`, a one-column `unique:` group, or the
        single-column primary key (default `id`)."""
        cache = self.__dict__.setdefault("_unique", {})
        if entity not in cache:
            spec = self.doc.entities[entity]
            names = {n for n, f in spec.fields.items() if f.unique}
            for group in spec.unique:
                members = [group] if isinstance(group, str) else list(group)
                if len(members) == 1:
                    names.add(members[0])
            pk = spec.primary_key
            if pk is None and "id" in spec.fields:
                pk = "id"
            if isinstance(pk, str) or (isinstance(pk, list) and len(pk) == 1):
                names.add(pk if isinstance(pk, str) else pk[0])
            cache[entity] = names
        return field in cache[entity]

    def layout(self, entity: str) -> Layout | None:
        self.count(entity)
        return self.layouts.get(entity)

    def expansion_fk(self, entity: str) -> str | None:
        return graph_mod.per_parent_fk(self.doc, entity)

    def prepare(self, entities: list[str] | None = None) -> None:
        """Compute every reduction the given entities need (before forking workers)."""
        from .columns import Columns, prepare_entity

        for name in entities or self.order:
            self.count(name)
        # Copulas are calibrated first, in this process, so every forked worker (the
        # reductions below fork too) inherits the factors: each worker calibrating its own
        # copy printed a CorrelationWarning once per worker.
        columns = Columns(self)
        for name in entities or self.order:
            for i in range(len(self.doc.entities[name].correlate)):
                columns.copula_factor(name, i)
        for name in entities or self.order:
            prepare_entity(self, name)
