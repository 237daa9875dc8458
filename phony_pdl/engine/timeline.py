"""Timeline entities: a state machine run per parent row, one output row per event.

Step k of parent p draws its transition and its gap from streams keyed by
(seed, entity, step) at index p, so a parent's whole path can be replayed for any
block. Planning runs every path once to learn its length (the per-parent layout);
blocks replay only the parents they touch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .. import expr as expr_mod
from ..durations import parse_duration
from ..rng import Stream
from . import sampling
from .arrow import to_numpy_units
from .evaluate import evaluate
from .plan import Layout, Plan, layout_from_counts

if TYPE_CHECKING:
    from .columns import Batch, Columns


class Machine:
    def __init__(self, plan: Plan, entity: str) -> None:
        tl = plan.doc.entities[entity].timeline
        self.plan = plan
        self.entity = entity
        self.parent = tl.for_
        self.start_field = tl.start.split(".")[-1]
        self.states = list(tl.states)
        self.index = {s: i for i, s in enumerate(self.states)}
        self.initial = self.index[tl.initial]
        self.max_steps = tl.max_steps
        self.spec = tl
        self.terminal = np.array([not tl.states[s].next for s in self.states])

    def probabilities(self, columns: Columns, parents: np.ndarray) -> np.ndarray:
        """Transition probabilities: (S, S) when every one is a number, else (n, S, S) with
        the SQL expressions evaluated per parent row (a million parents of a 20-state machine
        would need 3 GB for the numbers alone)."""
        n, k = len(parents), len(self.states)
        per_row = any(
            isinstance(p, str)
            for name in self.states
            for p in (self.spec.states[name].next or {}).values()
        )
        probs = np.zeros((n, k, k) if per_row else (k, k))
        parent_batch = None
        for s, name in enumerate(self.states):
            for target, p in (self.spec.states[name].next or {}).items():
                t = self.index[target]
                if isinstance(p, str):
                    from .columns import Batch

                    parent_batch = parent_batch or Batch(self.parent, parents)
                    tree = expr_mod.parse_expr(p)
                    cols = {
                        c.split(".")[-1]: columns.get(parent_batch, c.split(".")[-1])
                        for c in expr_mod.columns(tree)
                    }
                    values = (
                        evaluate(tree, cols, n).cast(pa.float64()).to_numpy(zero_copy_only=False)
                    )
                    probs[:, s, t] = np.clip(np.nan_to_num(values), 0, None)
                else:
                    probs[..., s, t] = float(p)
        totals = probs.sum(axis=-1, keepdims=True)
        np.divide(probs, totals, out=probs, where=totals > 0)
        return probs

    def start_times(self, columns: Columns, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from ..types import parse_type

        values = columns.lookup(self.parent, self.start_field, parents)
        valid = ~np.asarray(values.is_null().to_numpy(zero_copy_only=False))
        if pa.types.is_date(values.type):
            values = values.cast(pa.timestamp("us"))
        return to_numpy_units(values.cast(pa.timestamp("us")), parse_type("datetime")), valid

    def gap_seconds(self, state: int, parents: np.ndarray, step: int) -> np.ndarray:
        after = self.spec.states[self.states[state]].after
        n = len(parents)
        if after is None:
            return np.zeros(n)
        if isinstance(after, str | int | float):
            return np.full(n, parse_duration(after))
        stream = Stream(self.plan.seed, self.entity, "#after", step)
        # a gap is never negative (event times never decrease): a distribution that reaches
        # below 0 (normal) is truncated there; for the others this changes no value
        lo = 0.0 if after.min is None else max(0.0, parse_duration(after.min))
        hi = None if after.max is None else parse_duration(after.max)
        if after.distribution is None:
            return lo + stream.uniform(parents) * (hi - lo)
        pick = Stream(self.plan.seed, self.entity, "#after-component", step).uniform(parents)
        return np.asarray(
            sampling.sample(
                after.distribution,
                sampling.seconds_params(after.params),
                stream.open_uniform(parents),
                lo=lo,
                hi=hi,
                clip=after.clip,
                pick=pick,
            ),
            dtype=np.float64,
        )

    def run(self, columns: Columns, parents: np.ndarray, steps: int | None = None):
        """States (n, L), times in µs (n, L) and path lengths (n,) for these parents."""
        n = len(parents)
        limit = self.max_steps if steps is None else min(steps, self.max_steps)
        probs = self.probabilities(columns, parents)
        cumulative = np.cumsum(probs, axis=-1)
        time, valid = self.start_times(columns, parents)
        state = np.full(n, self.initial, dtype=np.int64)
        alive = valid.copy()  # a parent without a start time has no timeline
        lengths = np.zeros(n, dtype=np.int64)
        states, times = [], []
        rows = np.arange(n)
        for step in range(limit):
            states.append(state.copy())
            times.append(time.copy())
            lengths += alive
            alive &= ~self.terminal[state]
            if not alive.any():
                break
            u = Stream(self.plan.seed, self.entity, "#next", step).uniform(parents)
            cum = cumulative[rows, state] if cumulative.ndim == 3 else cumulative[state]  # (n, S)
            nxt = np.minimum((u[:, None] >= cum).sum(axis=1), len(self.states) - 1)
            gap = np.zeros(n)
            for s in np.unique(nxt[alive]):
                sel = alive & (nxt == s)
                gap[sel] = self.gap_seconds(int(s), parents[sel], step)
            time = np.where(alive, time + np.rint(gap * 1e6).astype(np.int64), time)
            state = np.where(alive, nxt, state)
        if not states:
            return np.zeros((n, 0), np.int64), np.zeros((n, 0), np.int64), lengths
        stacked = np.stack(times, axis=1)
        if self.spec.calendar is not None:
            stacked = apply_calendar(stacked, self.spec.calendar)
        return np.stack(states, axis=1), stacked, lengths


class _TimelineCounts:
    """Events per parent (picklable: Dask workers recompute a layout's chunks)."""

    def __init__(self, plan: Plan, entity: str) -> None:
        self.plan, self.entity = plan, entity
        self._made: tuple[Machine, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_made": None}

    def __call__(self, parents: np.ndarray) -> np.ndarray:
        from .columns import Columns

        if self._made is None:
            self._made = (Machine(self.plan, self.entity), Columns(self.plan))
        machine, columns = self._made
        return machine.run(columns, parents)[2]


def timeline_layout(plan: Plan, entity: str) -> Layout:
    return layout_from_counts(plan, Machine(plan, entity).parent, _TimelineCounts(plan, entity))


def timeline_column(columns: Columns, batch: Batch, kind: str) -> pa.Array:
    key = "#timeline"
    cached = batch.parent_index.get(key)
    plan = columns.plan
    layout = plan.layout(batch.entity)
    if cached is None:
        machine = Machine(plan, batch.entity)
        parents = layout.parent_of(batch.rows)
        steps = layout.position_in_parent(batch.rows, parents)
        unique_parents, inverse = np.unique(parents, return_inverse=True)
        states, times, _ = machine.run(
            columns, unique_parents, int(steps.max()) + 1 if len(steps) else 0
        )
        state = states[inverse, steps] if len(steps) else np.zeros(0, np.int64)
        time = times[inverse, steps] if len(steps) else np.zeros(0, np.int64)
        batch.parent_index[key] = np.stack([state, time, steps])
        cached = batch.parent_index[key]
    state, time, steps = cached
    if kind == "state":
        names = pa.array(Machine(plan, batch.entity).states, type=pa.string())
        return names.take(pa.array(state))
    if kind == "time":
        return pa.array(time, type=pa.int64()).cast(pa.timestamp("us"))
    return pa.array(steps + 1)


_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000


def apply_calendar(times_us: np.ndarray, calendar) -> np.ndarray:
    """Move each time to the next allowed moment (business hours, weekdays).

    The shift is a non-decreasing function of time, so event order is kept.
    """
    t = times_us.copy()
    if calendar.hours is not None:
        first, last = calendar.hours
        day = np.floor_divide(t, _DAY_US) * _DAY_US
        time_of_day = t - day
        before = time_of_day < first * _HOUR_US
        after = time_of_day >= last * _HOUR_US
        t = np.where(before, day + first * _HOUR_US, t)
        t = np.where(after, day + _DAY_US + first * _HOUR_US, t)
    if calendar.weekdays:
        day_number = np.floor_divide(t, _DAY_US)
        weekday = (day_number + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        skip = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
        start_of_day = (day_number + skip) * _DAY_US + (
            calendar.hours[0] * _HOUR_US if calendar.hours else 0
        )
        t = np.where(skip > 0, start_of_day, t)
    return t
