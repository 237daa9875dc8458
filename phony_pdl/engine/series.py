"""Series entities: events per parent row at a fixed interval (with jitter) or as a Poisson
process between a start and an end, optionally stopped by churn; values follow an AR(1),
a random walk or a constant level, plus daily/weekly cycles and noise.

Counts per parent are drawn at planning time from streams keyed by the parent row, so the
layout (which child rows belong to which parent) is fixed; values that accumulate along a
series (Poisson times, walks, AR(1)) are computed from the series' first reading, so a row
never depends on the block it is made in: short series whole, long ones from checkpoints
of their running sums that hold exactly what the whole computation reaches there.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from scipy.special import ndtri

from ..durations import parse_calendar_step, parse_duration
from ..rng import Stream
from ..series_params import SeriesValueParams
from .arrow import parse_datetime, to_numpy_units
from .months import add_months, month_parts
from .plan import Layout, Plan, layout_from_counts

if TYPE_CHECKING:
    from .columns import Batch, Columns

US = 1_000_000


def time_bound(
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
        # `every: 1 month` steps calendar months (None: `every` is a duration, or absent)
        self.months = parse_calendar_step(s.every)
        self.every = parse_duration(s.every) if s.every and not self.months else None
        self.poisson = parse_duration(s.poisson) if s.poisson else None
        self.jitter = parse_duration(s.jitter) if s.jitter else 0.0

    def bounds(self, columns: Columns, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        start = time_bound(columns, self.plan, self.spec.start, parents, end=False)
        end = time_bound(columns, self.plan, self.spec.end, parents, end=True)
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
            if self.months:
                # the last k with start + k·months (day clamped) at or before end: the
                # months between them, less one when that month's day is past end's
                first, last = np.where(missing, 0, start), np.where(missing, 0, end)
                apart = month_parts(last)[0] - month_parts(first)[0]
                k = np.floor_divide(apart, self.months)
                k = np.where(add_months(first, k * self.months) > last, k - 1, k)
                n = np.where(end >= start, k + 1, 0)
            elif self.every:
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


# A series longer than this many readings (and the block size) is computed in pieces from
# checkpoints of its running sums instead of whole in every block that holds part of it.
_PIECE = 4096
_KEPT_SERIES = 1024  # (series, accumulated quantity) pairs whose checkpoints a process keeps
_CHECKPOINTS: weakref.WeakKeyDictionary[Plan, OrderedDict[tuple, list]] = (
    weakref.WeakKeyDictionary()
)


def _piece_rows(plan: Plan) -> int:
    """Readings per piece of a long series (a speed setting: values do not depend on it)."""
    return max(plan.block_rows, _PIECE)


def _accumulate(x: np.ndarray, carry: Any, phi: float | None) -> tuple[np.ndarray, Any]:
    """Running sums (phi None) or AR(1) deviations of `x`, going on from `carry` (None at
    a series' first reading), and the carry after them.

    Each value comes from the one before it by the same operation as over the whole
    series at once (a running sum adds one term at a time; the filter's state is
    scipy's own), so a series computed in pieces has the same bits as one computed whole.
    """
    if phi is None:
        # from a carry: the sum before this piece, then each term added in turn
        out = np.cumsum(x) if carry is None else np.cumsum(np.concatenate([[carry], x]))[1:]
        return out, (out[-1] if len(out) else carry)
    from scipy.signal import lfilter

    if carry is None:
        x = x.copy()
        x[:1] /= np.sqrt(1 - phi * phi)  # the stationary start, as in _ar1
        carry = np.zeros(1)
    out, after = lfilter([1.0], [1.0, -phi], x, zi=carry)
    return out, after


class _Along:
    """One quantity accumulated along each series: running sums (phi None) or AR(1)
    deviations of per-row inputs `draw(rows)`."""

    def __init__(
        self,
        plan: Plan,
        key: tuple,
        draw: Callable[[np.ndarray], np.ndarray],
        phi: float | None = None,
    ) -> None:
        self.plan, self.key, self.draw, self.phi = plan, key, draw, phi

    def at(
        self, layout: Layout, rows: np.ndarray, parents: np.ndarray, total: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The accumulated value at each row (and, with `total`, at its series' last row).

        Short series are computed whole, all at once; a long one from the checkpoint
        before the first row needed (this process keeps one per piece it has passed).
        """
        out = np.empty(len(rows))
        ends = np.empty(len(rows)) if total else None
        unique, inverse = np.unique(parents, return_inverse=True)
        sizes = layout.size(unique)
        piece = _piece_rows(self.plan)
        long = sizes > piece
        short = ~long[inverse]
        if short.any():
            groups = _Groups(layout, rows[short])
            x = self.draw(groups.rows)
            running = groups.cumsum(x) if self.phi is None else _ar1(x, groups, self.phi)
            out[short] = running[groups.pick]
            if ends is not None:
                last = running[groups.group_start + groups.sizes - 1]
                ends[short] = last[groups.group][groups.pick]
        if long.any():
            first_rows = layout.start(unique[long])
            for i, first_row, size in zip(
                np.flatnonzero(long).tolist(),
                first_rows.tolist(),
                sizes[long].tolist(),
                strict=True,
            ):
                mine = np.flatnonzero(inverse == i)
                position = rows[mine] - first_row
                lo, hi = int(position.min()), int(position.max())
                if ends is not None:
                    ends[mine] = self._last(int(unique[i]), first_row, size, piece)
                values = self._range(int(unique[i]), first_row, size, lo, hi + 1, piece)
                out[mine] = values[position - lo]
        return out, ends

    def _checkpoints(self, parent: int) -> list:
        kept = _CHECKPOINTS.setdefault(self.plan, OrderedDict())
        key = (*self.key, parent)
        found = kept.get(key)
        if found is None:
            found = kept[key] = [None]  # the carry before the series' first reading
            if len(kept) > _KEPT_SERIES:
                kept.popitem(last=False)
        else:
            kept.move_to_end(key)
        return found

    def _range(
        self, parent: int, first_row: int, size: int, lo: int, hi: int, piece: int
    ) -> np.ndarray:
        """Values at positions lo … hi-1 of one long series, from the checkpoint before lo,
        piece by piece (keeping the checkpoints it passes)."""
        checkpoints = self._checkpoints(parent)
        start = self._extend(checkpoints, first_row, size, lo // piece, piece)
        parts = []
        at = start * piece
        carry = checkpoints[start]
        while at < hi:
            stop = min((at // piece + 1) * piece, size)
            x = self.draw(first_row + np.arange(at, stop, dtype=np.int64))
            values, carry = _accumulate(x, carry, self.phi)
            if stop % piece == 0 and len(checkpoints) == stop // piece:
                checkpoints.append(carry)
            parts.append(values)
            at = stop
        values = np.concatenate(parts)
        return values[lo - start * piece : hi - start * piece]

    def _extend(self, checkpoints: list, first_row: int, size: int, upto: int, piece: int) -> int:
        """Checkpoints up to piece `upto` (each kept one is the carry before that piece)."""
        while len(checkpoints) <= upto and (len(checkpoints) - 1) * piece < size:
            at = (len(checkpoints) - 1) * piece
            stop = min(at + piece, size)
            x = self.draw(first_row + np.arange(at, stop, dtype=np.int64))
            checkpoints.append(_accumulate(x, checkpoints[-1], self.phi)[1])
        return min(upto, len(checkpoints) - 1)

    def _last(self, parent: int, first_row: int, size: int, piece: int) -> Any:
        """The accumulated value at the series' last reading (a whole pass the first time)."""
        checkpoints = self._checkpoints(parent)
        pieces = -(-size // piece)
        self._extend(checkpoints, first_row, size, pieces, piece)
        return checkpoints[pieces]


def times_us(columns: Columns, batch: Batch) -> np.ndarray:
    plan = columns.plan
    spec = SeriesSpec(plan, batch.entity)
    layout = plan.layout(batch.entity)
    if spec.every or spec.months:
        parents = layout.parent_of(batch.rows)
        position = layout.position_in_parent(batch.rows, parents)
        start, _ = spec.bounds(columns, parents)
        if spec.months:
            t = add_months(start, position * spec.months)
        else:
            t = start + np.rint(position * spec.every * US).astype(np.int64)
        if spec.jitter:
            u = Stream(plan.seed, batch.entity, "#jitter").uniform(batch.rows)
            t = t + np.rint((u * 2 - 1) * spec.jitter * US).astype(np.int64)
        return t
    # Poisson process given n events: sorted uniforms = normalised cumulative exponential spacings.
    gap_stream = Stream(plan.seed, batch.entity, "#gap")
    gaps = _Along(plan, (batch.entity, "#gap"), lambda rows: -np.log1p(-gap_stream.uniform(rows)))
    parents = layout.parent_of(batch.rows)
    running, ends = gaps.at(layout, batch.rows, parents, total=True)
    closing = -np.log1p(-Stream(plan.seed, batch.entity, "#gap-end").uniform(parents))
    totals = ends + closing
    start, end = spec.bounds(columns, parents)
    span = (end - start).astype(np.float64)
    return start + np.rint(running / totals * span).astype(np.int64)


def values(columns: Columns, batch: Batch, name: str, params: SeriesValueParams) -> np.ndarray:
    plan = columns.plan
    layout = plan.layout(batch.entity)
    rows = batch.rows
    field_stream = Stream(plan.seed, batch.entity, name, "innovation")

    def shocks(rows: np.ndarray) -> np.ndarray:
        return ndtri(field_stream.open_uniform(rows)) * params.sd

    if params.model == "random_walk":
        parents = layout.parent_of(rows)
        walk = _Along(plan, (batch.entity, name, "walk"), shocks)
        first = params.start if params.start is not None else params.mean
        level = first + walk.at(layout, rows, parents)[0] - shocks(layout.start(parents))
    elif params.model == "ar1":
        parents = layout.parent_of(rows)
        ar1 = _Along(plan, (batch.entity, name, "ar1", params.phi), shocks, params.phi)
        level = params.mean + ar1.at(layout, rows, parents)[0]
    else:
        level = np.full(len(rows), params.mean)
    if params.daily or params.weekly:
        t = times_us(columns, batch) / US
        hours = (t / 3600.0) % 24.0
        days = (t / 86400.0 + 3.0) % 7.0  # 1970-01-01 was a Thursday: +3 makes Monday 0
        level = level + params.daily * np.cos(2 * np.pi * (hours - params.peak_hour) / 24.0)
        level = level + params.weekly * np.cos(2 * np.pi * days / 7.0)
    if params.noise:
        noise_stream = Stream(plan.seed, batch.entity, name, "noise")
        level = level + ndtri(noise_stream.open_uniform(rows)) * params.noise
    return level


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
