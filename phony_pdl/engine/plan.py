"""The plan of a run: row counts, per-parent layouts and the few whole-table reductions.

Everything else is computed lazily, column by column, for any array of row
indices (see columns.py). Reductions are computed once, in the process that
plans, before any worker starts: per-parent child counts (prefix sums),
timeline lengths, aggregates over children, and unique columns that needed
retries.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .. import graph as graph_mod
from ..errors import GenerationError
from ..model import PerCount
from ..rng import Stream
from ..schema import Schema
from ..types import DataType
from ..validate import Validator
from . import sampling

DEFAULT_BLOCK_ROWS = 65_536


@dataclass
class Layout:
    """Children laid out parent by parent: rows offsets[p]..offsets[p+1] belong to parent p."""

    parent: str
    offsets: np.ndarray  # int64, len = parents + 1

    def parent_of(self, rows: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.offsets, rows, side="right").astype(np.int64) - 1

    def position_in_parent(self, rows: np.ndarray, parents: np.ndarray | None = None) -> np.ndarray:
        if parents is None:
            parents = self.parent_of(rows)
        return rows - self.offsets[parents]


def layout_from_counts(
    plan: Plan, parent: str, children_of: Callable[[np.ndarray], np.ndarray]
) -> Layout:
    """Children per parent, computed block by block over the parents, as a prefix-sum layout."""
    n_parent = plan.count(parent)
    counts = np.zeros(n_parent, dtype=np.int64)
    for start in range(0, n_parent, plan.block_rows):
        parents = np.arange(start, min(start + plan.block_rows, n_parent), dtype=np.int64)
        counts[parents] = children_of(parents)
    offsets = np.zeros(n_parent + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Layout(parent, offsets)


class Plan:
    def __init__(
        self,
        schema: Schema,
        *,
        seed: int | None = None,
        scale: float = 1.0,
        block_rows: int | None = None,
    ) -> None:
        if scale <= 0 or not math.isfinite(scale):
            raise GenerationError(f"scale={scale} must be a positive number")
        self.schema = schema
        self.doc = schema.document
        self.seed = int(self.doc.seed if seed is None else seed)
        self.scale = float(scale)
        self.block_rows = int(block_rows or DEFAULT_BLOCK_ROWS)
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
        if declared is not None or self.doc.entities[entity].fields[field].expr is None:
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
        self._counting.add(entity)
        spec = self.doc.entities[entity]
        if spec.series is not None:
            from .series import series_layout

            layout = series_layout(self, entity)
            self.layouts[entity] = layout
            n = int(layout.offsets[-1])
        elif spec.timeline is not None:
            from .timeline import timeline_layout

            layout = timeline_layout(self, entity)
            self.layouts[entity] = layout
            n = int(layout.offsets[-1])
        elif isinstance(spec.count, PerCount):
            layout = self._per_parent_layout(entity, spec.count)
            self.layouts[entity] = layout
            n = int(layout.offsets[-1])
        else:
            n = round(spec.count * self.scale)
        self.counts[entity] = n
        self._counting.discard(entity)
        return n

    def _per_parent_layout(self, entity: str, count: PerCount) -> Layout:
        parents = self.count(count.per)
        idx = np.arange(parents, dtype=np.int64)
        stream = Stream(self.seed, entity, "#count")
        if count.const is not None:
            per = np.full(parents, count.const, dtype=np.int64)
        elif count.distribution is None or count.distribution == "uniform":
            lo = count.min or 0
            hi = count.max if count.max is not None else lo
            per = lo + stream.integers(idx, hi - lo + 1) if parents else np.zeros(0, np.int64)
        else:
            u = stream.open_uniform(idx)
            per = sampling.sample(count.distribution, count.params, u, lo=count.min, hi=count.max)
            per = np.asarray(per, dtype=np.float64)
            per = np.where(np.isfinite(per), per, count.max or 0).astype(np.int64)
        offsets = np.zeros(parents + 1, dtype=np.int64)
        np.cumsum(per, out=offsets[1:])
        return Layout(count.per, offsets)

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
        from .columns import prepare_entity

        for name in entities or self.order:
            self.count(name)
        for name in entities or self.order:
            prepare_entity(self, name)
