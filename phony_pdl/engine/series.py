"""Series entities: events per parent row at a fixed interval (with jitter) or as a Poisson
process between a start and an end, optionally stopped by churn; values follow an AR(1),
a random walk or a constant level, plus daily/weekly cycles and noise.

Counts per parent are drawn at planning time from streams keyed by the parent row, so the
layout (which child rows belong to which parent) is fixed; values that accumulate along a
series (Poisson times, walks, AR(1)) are computed over whole parent groups so a row never
depends on the block it is made in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from ..durations import parse_duration
from ..rng import Stream
from ..series_params import SeriesValueParams
from .arrow import parse_datetime, to_numpy_units
from .plan import Layout, Plan, layout_from_counts

if TYPE_CHECKING:
    from .columns import Batch, Columns

US = 1_000_000


def _bound(
    columns: Columns, plan: Plan, text: str | None, parents: np.ndarray, end: bool
) -> np.ndarray | None:
    """Per-parent times (µs) of a `parent.field` or a literal; NaN-free int64, or None."""
    if text is None:
        return None
    head, _, rest = text.partition(".")
    if rest and head in plan.doc.entities:
        from ..types import parse_type

        values = columns.lookup(head, rest, parents)
        if pa.types.is_date(values.type):
            values = values.cast(pa.timestamp("us"))
        units = to_numpy_units(values.cast(pa.timestamp("us")), parse_type("datetime"))
        # A NULL bound means "no series": the minimum int64 marks it for counts() below.
        return np.where(
            values.is_null().to_numpy(zero_copy_only=False), np.iinfo(np.int64).min, units
        )
    return np.full(len(parents), parse_datetime(text, end=end), dtype=np.int64)


class SeriesSpec:
    def __init__(self, plan: Plan, entity: str) -> None:
        s = plan.doc.entities[entity].series
        self.plan = plan
        self.entity = entity
        self.parent = s.for_
        self.spec = s
        self.every = parse_duration(s.every) if s.every else None
        self.poisson = parse_duration(s.poisson) if s.poisson else None
        self.jitter = parse_duration(s.jitter) if s.jitter else 0.0

    def bounds(self, columns: Columns, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        start = _bound(columns, self.plan, self.spec.start, parents, end=False)
        end = _bound(columns, self.plan, self.spec.end, parents, end=True)
        return start, end

    def counts(self, columns: Columns, parents: np.ndarray) -> np.ndarray:
        s = self.spec
        start, end = self.bounds(columns, parents)
        cap = np.full(len(parents), s.max_events, dtype=np.int64)
        missing = start == np.iinfo(np.int64).min
        if end is not None:
            missing |= end == np.iinfo(np.int64).min
            end = np.where(missing, start, end)
        if end is not None:
            span = np.maximum(end - start, 0).astype(np.float64) / US
            if self.every:
                # in whole microseconds: 0.3 s / 0.1 s is 2.9999999999999996 in doubles,
                # which lost the event at the end
                every_us = max(1, round(self.every * US))
                n = np.maximum(end - start, 0) // every_us + 1
                n = np.where(end >= start, n, 0)
            else:
                from scipy.stats import poisson

                u = Stream(self.plan.seed, self.entity, "#count").open_uniform(parents)
                n = poisson(span / self.poisson).ppf(u)
                n = np.nan_to_num(n, nan=0).astype(np.int64)
            cap = np.minimum(cap, n)
        if s.churn:
            # events until the first "stop" draw: geometric on 1, 2, … with p = churn
            u = Stream(self.plan.seed, self.entity, "#churn").open_uniform(parents)
            lived = 1 + np.floor(np.log(u) / np.log1p(-s.churn)).astype(np.int64)
            cap = np.minimum(cap, lived)
        return np.where(missing, 0, np.maximum(cap, 0))


class _SeriesCounts:
    """Points per parent (picklable: Dask workers recompute a layout's chunks)."""

    def __init__(self, plan: Plan, entity: str) -> None:
        self.plan, self.entity = plan, entity
        self._made: tuple[SeriesSpec, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_made": None}

    def __call__(self, parents: np.ndarray) -> np.ndarray:
        from .columns import Columns

        if self._made is None:
            self._made = (SeriesSpec(self.plan, self.entity), Columns(self.plan))
        spec, columns = self._made
        return spec.counts(columns, parents)


def series_layout(plan: Plan, entity: str) -> Layout:
    return layout_from_counts(plan, SeriesSpec(plan, entity).parent, _SeriesCounts(plan, entity))


class _Groups:
    """The whole parent groups that contain a batch's rows (values accumulate along a group)."""

    def __init__(self, layout: Layout, rows: np.ndarray) -> None:
        parents = layout.parent_of(rows)
        self.parents = np.unique(parents)
        starts = layout.start(self.parents)
        sizes = layout.size(self.parents)
        before = (np.cumsum(sizes) - sizes).astype(np.int64)
        total = int(sizes.sum())
        self.rows = np.repeat(starts - before, sizes) + np.arange(total, dtype=np.int64)
        self.group = np.repeat(np.arange(len(self.parents)), sizes)
        self.position = np.arange(total, dtype=np.int64) - np.repeat(before, sizes)
        self.group_start = before
        self.sizes = sizes
        self.pick = np.searchsorted(self.rows, rows)

    def cumsum(self, values: np.ndarray) -> np.ndarray:
        """Running sums restarted per group, each group summed on its own: the floating-point
        result never depends on which other groups share the batch."""
        width = int(self.sizes.max()) if len(self.sizes) else 0
        matrix = np.zeros((len(self.sizes), width))
        matrix[self.group, self.position] = values
        return np.cumsum(matrix, axis=1)[self.group, self.position]


def times_us(columns: Columns, batch: Batch) -> np.ndarray:
    plan = columns.plan
    spec = SeriesSpec(plan, batch.entity)
    layout = plan.layout(batch.entity)
    if spec.every:
        parents = layout.parent_of(batch.rows)
        position = layout.position_in_parent(batch.rows, parents)
        start, _ = spec.bounds(columns, parents)
        t = start + np.rint(position * spec.every * US).astype(np.int64)
        if spec.jitter:
            u = Stream(plan.seed, batch.entity, "#jitter").uniform(batch.rows)
            t = t + np.rint((u * 2 - 1) * spec.jitter * US).astype(np.int64)
        return t
    groups = _Groups(layout, batch.rows)
    start, end = spec.bounds(columns, groups.parents)
    # Poisson process given n events: sorted uniforms = normalised cumulative exponential spacings.
    gaps = -np.log1p(-Stream(plan.seed, batch.entity, "#gap").uniform(groups.rows))
    closing = -np.log1p(-Stream(plan.seed, batch.entity, "#gap-end").uniform(groups.parents))
    running = groups.cumsum(gaps)
    totals = groups.cumsum(gaps)[groups.group_start + groups.sizes - 1] + closing
    span = (end - start).astype(np.float64)
    t = start[groups.group] + np.rint(running / totals[groups.group] * span[groups.group]).astype(
        np.int64
    )
    return t[groups.pick]


def values(columns: Columns, batch: Batch, name: str, params: SeriesValueParams) -> np.ndarray:
    plan = columns.plan
    layout = plan.layout(batch.entity)
    groups = _Groups(layout, batch.rows)
    field_stream = Stream(plan.seed, batch.entity, name, "innovation")
    shocks = ndtri(field_stream.open_uniform(groups.rows)) * params.sd
    if params.model == "random_walk":
        first = params.start if params.start is not None else params.mean
        level = first + groups.cumsum(shocks) - shocks[groups.group_start][groups.group]
    elif params.model == "ar1":
        level = params.mean + _ar1(shocks, groups, params.phi)
    else:
        level = np.full(len(groups.rows), params.mean)
    if params.daily or params.weekly:
        from .columns import Batch

        t = times_us(columns, Batch(batch.entity, groups.rows)) / US
        hours = (t / 3600.0) % 24.0
        days = (t / 86400.0 + 3.0) % 7.0  # 1970-01-01 was a Thursday: +3 makes Monday 0
        level = level + params.daily * np.cos(2 * np.pi * (hours - params.peak_hour) / 24.0)
        level = level + params.weekly * np.cos(2 * np.pi * days / 7.0)
    if params.noise:
        noise_stream = Stream(plan.seed, batch.entity, name, "noise")
        level = level + ndtri(noise_stream.open_uniform(groups.rows)) * params.noise
    return level[groups.pick]


def _ar1(shocks: np.ndarray, groups: _Groups, phi: float) -> np.ndarray:
    """Deviations d_j = phi·d_{j-1} + e_j, starting from the stationary distribution.

    The recursion is scipy's IIR filter along each group's row (the same sums in the same
    order as a loop over positions, which cost one Python step per position: 42 s for one
    series of a million values).
    """
    from scipy.signal import lfilter

    width = int(groups.sizes.max()) if len(groups.sizes) else 0
    matrix = np.zeros((len(groups.sizes), width))
    matrix[groups.group, groups.position] = shocks
    if not width:
        return matrix[groups.group, groups.position]
    matrix[:, 0] /= np.sqrt(1 - phi * phi)
    out = lfilter([1.0], [1.0, -phi], matrix, axis=1)
    return out[groups.group, groups.position]
