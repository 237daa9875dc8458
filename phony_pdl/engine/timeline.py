"""Timeline entities: a state machine run per parent row, one output row per event.

Step k of parent p draws its transition and its gap from streams keyed by
(seed, entity, step) at index p, so a parent's whole path can be replayed for any
block. Planning runs every path once to learn its length (the per-parent layout);
blocks replay only the parents they touch, a long path from the checkpoint an earlier
block of the same process left where it cut the path off.

A walk goes in chunks of steps (16, 32, 64, …), each over the paths still going at its
start, so its work follows the events made rather than the parents times the longest
path. Blocks that read the states alone, and the planning of a timeline without `end`,
walk the transitions only: the gaps and times are drawn where a time is read.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pyarrow as pa

from .. import expr as expr_mod
from ..durations import parse_calendar_step, parse_duration
from ..model import TIMELINE_END as END
from ..rng import derive_keys, mix_keyed, to_open_uniform, to_uniform
from . import sampling
from .arrow import to_numpy_units
from .evaluate import evaluate
from .months import from_month_parts, month_parts
from .plan import Layout, Plan, layout_from_counts

if TYPE_CHECKING:
    from .columns import Batch, Columns


_CELLS = 1 << 20  # (parent, step) cells a run works on at once: bounds its memory
_TABLED = 256  # up to this many parents a chunk tables each state's next state up front
_RESUME = 256  # a path is resumed from a checkpoint only this many steps in, or more
_CHECKPOINT_PARENTS = 1024  # parents with checkpoints a process keeps per timeline
_CHECKPOINTS_EACH = 64  # checkpoints kept per parent


class Carry(NamedTuple):
    """Where paths stand before `step`: state, time (µs, before any calendar) and whether
    the path goes on (it has a start time and has not reached a terminal state), and for
    calendar-month steps the anchor (µs) they count from and the months counted so far."""

    step: int
    state: np.ndarray
    time: np.ndarray
    live: np.ndarray
    anchor: np.ndarray
    months: np.ndarray


class Paths(NamedTuple):
    """A walk's paths as its chunks: (paths walked, first column, their states and times
    (steps, paths)) each, with the path lengths (this walk's steps) and where the paths
    stand after them. A path is walked in a chunk when it goes on at the chunk's start, so
    every event of a path is in a chunk; a column after a path's last chunk holds its
    last state and time."""

    chunks: list[tuple[np.ndarray, int, np.ndarray, np.ndarray | None]]
    total: int
    lengths: np.ndarray
    carry: Carry

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """States and times (n, total): column j is the walk's step j."""
        n = len(self.lengths)
        states = np.broadcast_to(self.carry.state, (self.total, n)).copy()
        times = np.broadcast_to(self.carry.time, (self.total, n)).copy()
        for going, at, walked, when in self.chunks:
            states[at : at + len(walked), going] = walked
            times[at : at + len(when), going] = when
        return states.T, times.T

    def pick(self, path: np.ndarray, column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """States and times of (path, column) pairs, as `dense()[.][path, column]` without
        building the whole (n, total) arrays."""
        states, times = self.carry.state[path], self.carry.time[path]
        if not self.chunks:
            return states, times
        starts = np.array([at for _, at, _, _ in self.chunks])
        chunk = np.searchsorted(starts, column, side="right") - 1
        where = np.empty(len(self.lengths), dtype=np.int64)
        for c, (going, at, walked, when) in enumerate(self.chunks):
            sel = np.flatnonzero((chunk == c) & (column < at + len(walked)))
            where[:] = -1
            where[going] = np.arange(len(going))
            j = where[path[sel]]
            ok = j >= 0
            sel, j = sel[ok], j[ok]
            states[sel] = walked[column[sel] - at, j]
            if when is not None:
                times[sel] = when[column[sel] - at, j]
        return states, times


class _After:
    """A state's `after`, parsed once (a run asks for it at every step)."""

    __slots__ = ("clip", "distribution", "hi", "kind", "lo", "params", "seconds")

    def __init__(self, after: Any) -> None:
        self.seconds = 0.0
        self.lo, self.hi = 0.0, None
        self.distribution, self.params, self.clip = None, {}, False
        if after is None:
            self.kind = "none"
        elif isinstance(after, str | int | float):
            self.kind, self.seconds = "fixed", parse_duration(after)
        else:
            # a gap is never negative (event times never decrease): a distribution that
            # reaches below 0 (normal) is truncated there; for the others this changes no value
            self.lo = 0.0 if after.min is None else max(0.0, parse_duration(after.min))
            self.hi = None if after.max is None else parse_duration(after.max)
            if after.distribution is None:
                self.kind = "uniform"
            else:
                self.kind = "distribution"
                self.distribution = after.distribution
                self.params = sampling.seconds_params(after.params)
                self.clip = after.clip


class Machine:
    def __init__(self, plan: Plan, entity: str) -> None:
        tl = plan.doc.entities[entity].timeline
        self.plan = plan
        self.entity = entity
        self.parent = tl.for_
        self.start_field = tl.start.split(".")[-1]
        self.states = list(tl.states)
        self.index = {s: i for i, s in enumerate(self.states)}
        # `next: {end: p}` goes to a sink past the states: terminal, and never an event
        ends = any(END in (st.next or {}) for st in tl.states.values())
        self.sink = len(self.states) if ends else -1
        self.size = len(self.states) + ends
        if ends:
            self.index[END] = self.sink
        self.initial = self.index[tl.initial]
        self.max_steps = tl.max_steps
        self.spec = tl
        self.terminal = np.array([not tl.states[s].next for s in self.states] + [True] * ends)
        # calendar months a state's `after` steps (0: a duration); such a state's gap
        # is its `delay`, drawn off the scheduled day
        months = [parse_calendar_step(tl.states[s].after) or 0 for s in self.states]
        self.months = np.array(months + [0] * ends, dtype=np.int64)
        self.after = [
            _After(tl.states[s].delay if m else tl.states[s].after)
            for s, m in zip(self.states, months, strict=True)
        ] + [_After(None)] * ends
        # entering such a state anchors later month steps at its time
        self.clock = np.array(
            [
                m == 0 and tl.states[s].after is not None
                for s, m in zip(self.states, months, strict=True)
            ]
            + [False] * ends
        )
        self.monthly = bool(self.months.any())
        # the entity writes event times (a table of its rows then walks them with the states)
        self.timed_fields = any(
            f.timeline == "time" for f in plan.doc.entities[entity].fields.values()
        )
        self._keys: dict[str, np.ndarray] = {}
        self._trees: dict[str, Any] = {}
        # parent -> {step: (state, time, anchor, months)} of live paths, oldest parent first
        self._checkpoints: OrderedDict[int, dict[int, tuple[int, int, int, int]]] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_keys": {}, "_trees": {}, "_checkpoints": OrderedDict()}

    def _step_keys(self, label: str, stop: int) -> np.ndarray:
        """Stream keys of (seed, entity, label, step) for steps 0 … stop-1 (at least)."""
        have = self._keys.get(label)
        if have is None or len(have) < stop:
            done = 0 if have is None else len(have)
            stop = min(max(stop, 2 * done), max(self.max_steps, stop))  # fewer rebuilds
            new = derive_keys(self.plan.seed, (self.entity, label), done, stop)
            have = new if have is None else np.concatenate([have, new])
            self._keys[label] = have
        return have

    def probabilities(self, columns: Columns, parents: np.ndarray) -> np.ndarray:
        """Transition probabilities: (S, S) when every one is a number, else (n, S, S) with
        the SQL expressions evaluated per parent row (a million parents of a 20-state machine
        would need 3 GB for the numbers alone)."""
        n, k = len(parents), self.size
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
                    tree = self._trees.get(p)
                    if tree is None:  # parsed once: every walk evaluates it again
                        tree = self._trees[p] = expr_mod.parse_expr(p)
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
        if per_row:
            # expressions that all come to 0 (or NULL) for a parent leave no way out: take
            # the last target the state lists, so the path still follows a declared edge
            for s, name in enumerate(self.states):
                targets = list(self.spec.states[name].next or {})
                if targets:
                    stuck = probs[:, s].sum(axis=-1) == 0
                    probs[stuck, s, self.index[targets[-1]]] = 1.0
        totals = probs.sum(axis=-1, keepdims=True)
        np.divide(probs, totals, out=probs, where=totals > 0)
        return probs

    def cumulative(self, columns: Columns, parents: np.ndarray) -> np.ndarray:
        """Running sums of `probabilities`, with the last target that has a chance raised
        to infinity: a draw that rounding puts at or above the row's total (1 - 1e-16)
        then picks that target, never a state beyond it that is no target at all."""
        probs = self.probabilities(columns, parents)
        k = probs.shape[-1]
        last = k - 1 - np.argmax(probs[..., ::-1] > 0, axis=-1)
        cumulative = np.cumsum(probs, axis=-1, out=probs)  # in place: (n, S, S) can be large
        cumulative[np.arange(k) >= last[..., None]] = np.inf
        return cumulative

    def start_times(self, columns: Columns, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from ..types import parse_type

        values = columns.lookup(self.parent, self.start_field, parents)
        valid = ~np.asarray(values.is_null().to_numpy(zero_copy_only=False))
        if pa.types.is_date(values.type):
            values = values.cast(pa.timestamp("us"))
        return to_numpy_units(values.cast(pa.timestamp("us")), parse_type("datetime")), valid

    def gap_seconds(self, state: int, parents: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """Seconds before the event that enters `state`, for each (parent, step) pair."""
        after = self.after[state]
        n = len(parents)
        if after.kind == "none" or n == 0:
            return np.zeros(n)
        if after.kind == "fixed":
            return np.full(n, after.seconds)
        stop = int(steps.max()) + 1
        raw = mix_keyed(self._step_keys("#after", stop)[steps], parents)
        if after.kind == "uniform":
            return after.lo + to_uniform(raw) * (after.hi - after.lo)
        pick = None
        if after.distribution == "mixture":  # nothing else reads the component draw
            pick = to_uniform(mix_keyed(self._step_keys("#after-component", stop)[steps], parents))
        return np.asarray(
            sampling.sample(
                after.distribution,
                after.params,
                to_open_uniform(raw),
                lo=after.lo,
                hi=after.hi,
                clip=after.clip,
                pick=pick,
            ),
            dtype=np.float64,
        )

    def run(
        self,
        columns: Columns,
        parents: np.ndarray,
        steps: int | None = None,
        resume: Carry | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Carry]:
        """States (n, L), times in µs (n, L), path lengths (n,) and where the paths stand
        after them, for these parents from step 0 (or from `resume`) to `steps` at most.

        Column j is step first + j. Lengths count the steps of this run only.
        """
        states, times, lengths, carry = self.walk(columns, parents, steps, resume)
        if self.spec.calendar is not None and times.shape[1]:
            parents = np.asarray(parents, dtype=np.int64)
            times = self.on_calendar(times, columns, parents, np.arange(len(parents))[:, None])
        return states, times, lengths, carry

    def on_calendar(
        self, times: np.ndarray, columns: Columns, parents: np.ndarray, which: np.ndarray
    ) -> np.ndarray:
        """Unshifted times (µs) moved onto the calendar. Time i belongs to parent
        `parents[which[i]]` (`which` broadcasts against `times`); only `gaps: business`
        reads the parents, to measure each time from its parent's start."""
        starts = self.calendar_starts(columns, parents)
        return self.move(times, None if starts is None else starts[which])

    def calendar_starts(self, columns: Columns, parents: np.ndarray) -> np.ndarray | None:
        """What `gaps: business` measures times from: each parent's start (µs); None for
        other calendars, which move each time on its own."""
        if self.spec.calendar.gaps != "business":
            return None
        start, valid = self.start_times(columns, parents)
        # a parent without a start has no events; 0 keeps its unused times from overflowing
        return np.where(valid, start.astype(np.int64), 0)

    def move(self, times: np.ndarray, starts: np.ndarray | None) -> np.ndarray:
        """Unshifted times onto the calendar; `starts` (from `calendar_starts`, broadcast
        against `times`) for `gaps: business`."""
        if starts is None:
            return apply_calendar(times, self.spec.calendar)
        return business_times(starts, times - starts, self.spec.calendar)

    def end_times(self, columns: Columns, parents: np.ndarray) -> np.ndarray | None:
        """The `end` cutoff per parent (µs, compared with recorded times), or None without
        `end`; a parent whose end is NULL has no cutoff."""
        if self.spec.end is None:
            return None
        from .series import time_bound

        end = time_bound(columns, self.plan, self.spec.end, parents, end=True)
        return np.where(end == np.iinfo(np.int64).min, np.iinfo(np.int64).max, end)

    def walk(
        self,
        columns: Columns,
        parents: np.ndarray,
        steps: int | None = None,
        resume: Carry | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Carry]:
        """`run` without the calendar (the times a checkpoint keeps)."""
        paths = self.walk_paths(columns, parents, steps, resume)
        states, times = paths.dense()
        return states, times, paths.lengths, paths.carry

    def walk_paths(
        self,
        columns: Columns,
        parents: np.ndarray,
        steps: int | None = None,
        resume: Carry | None = None,
        *,
        timed: bool = True,
        upto: np.ndarray | None = None,
    ) -> Paths:
        """The paths of these parents from step 0 (or from `resume`) to `steps` at most,
        as the chunks walked (the times before any calendar: those a checkpoint keeps).

        Without `timed` only the states are walked: no gaps or times, for the blocks that
        read states alone (an aggregate such as `last(state)`), each path up to `upto` (the
        last step needed, per parent), and for the lengths of a timeline without `end`
        (which times cannot cut). The lengths are then those of the uncut paths.

        Each chunk of steps walks only the paths still going at its start: the paths of a
        block end at very different steps (a subscription churns in its first months or
        renews for years), and the work then follows the events made, not the parents
        times the longest path. A path that does not go on keeps its state and time in
        the columns after its last event (nothing reads them).
        """
        n = len(parents)
        parents = np.asarray(parents, dtype=np.int64)
        first = 0 if resume is None else resume.step
        limit = self.max_steps if steps is None else min(steps, self.max_steps)
        cumulative = self.cumulative(columns, parents)
        end = self.end_times(columns, parents) if timed else None
        moved_from = None  # `gaps: business` measures the recorded times from the start
        if end is not None and self.spec.calendar is not None:
            moved_from = self.calendar_starts(columns, parents)
        if resume is None:
            time, live = self.start_times(columns, parents)
            time = time.astype(np.int64)
            state = np.full(n, self.initial, dtype=np.int64)
            anchor, months = time.copy(), np.zeros(n, dtype=np.int64)
        else:
            state, time, live = resume.state.copy(), resume.time.copy(), resume.live.copy()
            anchor, months = resume.anchor.copy(), resume.months.copy()
        lengths = np.zeros(n, dtype=np.int64)
        # (paths walked, first column, their states and times (steps, paths)) per chunk
        chunks: list[tuple[np.ndarray, int, np.ndarray, np.ndarray | None]] = []
        k = self.size
        going = np.flatnonzero(live)  # the paths this chunk walks
        step, width = first, 16  # short paths are common: the first chunks are short
        while step < limit and len(going):
            m = len(going)
            tabled = m <= _TABLED
            budget = max(1, _CELLS // (m * (k if tabled else 1)))
            width = max(1, min(width, budget, limit - step))
            keys = self._step_keys("#next", step + width)[step : step + width]
            who = parents[going]
            cum = cumulative if cumulative.ndim == 2 else cumulative[going]
            # step-major (a row per step): each step reads and writes contiguous memory
            walked = np.empty((width + 1, m), dtype=np.int64)
            if tabled:
                u = to_uniform(mix_keyed(keys[:, None], who[None, :]))  # (width, m)
                self._walk_tabled(cum, u, state[going], walked)
            else:
                width = self._walk_direct(cum, keys, who, state[going], walked)
                walked = walked[: width + 1]
            # the step each path takes: not from a terminal state
            moving = ~self.terminal[walked[:width]]
            if self.sink >= 0:  # a path that draws `end` makes no further event
                moving &= walked[1 : width + 1] != self.sink
            ended = ~moving.any(axis=1)
            stop = int(np.argmax(ended)) + 1 if ended.any() else width
            moving = moving[:stop]
            if not timed:
                lengths[going] += 1 + moving[: stop - 1].sum(axis=0)
                still = moving[-1]
                if upto is not None:  # a path goes on while a later step of it is needed
                    still = still & (upto[going] >= step + stop)
                chunks.append((going, step - first, walked[:stop], None))
                state[going] = walked[stop]
                live[going] = still
                step += stop
                if ended.any():
                    break
                going = going[still]
                width *= 2
                continue
            increments = np.zeros((stop, m), dtype=np.int64)
            cols, rows = np.nonzero(moving)
            targets = walked[cols + 1, rows]
            for target in np.flatnonzero(np.bincount(targets, minlength=k)):  # no sort
                sel = targets == target
                r, c = rows[sel], cols[sel]
                gap = self.gap_seconds(int(target), who[r], step + c)
                increments[c, r] = np.rint(gap * 1e6).astype(np.int64)
            before = time[going]
            if self.monthly:
                times, after, anchor[going], months[going] = self._month_times(
                    walked[1 : stop + 1], moving, increments, before, anchor[going], months[going]
                )
            else:
                # integer sums: the same times as adding one gap after another
                running = np.cumsum(increments, axis=0)
                times = before[None, :] + (running - increments)
                after = before + running[-1]
            # event j of the chunk happens if the path reached it (and, with `end`, by then)
            reached = np.ones((stop, m), dtype=bool)
            reached[1:] = moving[: stop - 1]
            still = moving[-1]
            if end is not None:
                # the recorded times (moved by the calendar) of the chunk's events and of
                # the next one; they never decrease, so the events kept are a prefix and a
                # path past its end stops walking
                ahead = np.vstack([times, after[None, :]])
                if self.spec.calendar is not None:
                    ahead = self.move(ahead, None if moved_from is None else moved_from[going])
                by_end = ahead <= end[going][None, :]
                reached &= by_end[:stop]
                still = still & by_end[stop]
            lengths[going] += reached.sum(axis=0)
            chunks.append((going, step - first, walked[:stop], times))
            time[going] = after
            state[going] = walked[stop]
            live[going] = still
            step += stop
            if ended.any():  # no path moves at a step of the chunk: every path has ended
                break
            going = going[still]
            width *= 2
        carry = Carry(step, state, time, live, anchor, months)
        return Paths(chunks, step - first, lengths, carry)

    def _month_times(
        self,
        targets: np.ndarray,
        moving: np.ndarray,
        increments: np.ndarray,
        time: np.ndarray,
        anchor: np.ndarray,
        months: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Event times (steps, n) of a chunk of a machine with calendar-month steps, the
        time after it, and the anchors and month counts it leaves.

        A duration step adds its gap and makes its event the new anchor; a month step puts
        its event `months` calendar months after the anchor (the anchor's day of month,
        clamped to the month's last day), plus its `delay`, and never before the event
        before it; a state without `after` changes nothing.

        The steps between two anchors form a segment: its month counts are running sums,
        and its times the running maximum of the segment's start and its scheduled days
        (times never decrease, so one running maximum over the whole chunk gives each).
        Only a segment's start waits for the one before it, so the loop below runs once
        per anchor a path sets in the chunk, not once per step.
        """
        stop, n = moving.shape
        steps = np.where(moving, self.months[targets], 0)
        reset = moving & self.clock[targets]
        counted = np.cumsum(steps, axis=0)
        if reset.any():
            # months since the anchor after each step: since the chunk's start plus those
            # carried in, until a reset starts again from 0
            base = np.maximum.accumulate(np.where(reset, counted, -months[None, :]), axis=0)
            since = counted - base
            segment = np.cumsum(reset, axis=0)
        else:  # one segment (late chunks: the anchors were set before)
            since = counted + months[None, :]
            segment = np.zeros((stop, n), dtype=np.int64)
        # month steps and resets, ordered by segment, then path, then step
        mp, mj = np.nonzero((steps > 0).T)
        order = np.argsort(segment[mj, mp], kind="stable")
        mp, mj = mp[order], mj[order]
        m_at = np.searchsorted(segment[mj, mp], np.arange(int(segment[-1].max()) + 2))
        rp, rj = np.nonzero(reset.T)
        order = np.argsort(segment[rj, rp], kind="stable")
        rp, rj = rp[order], rj[order]
        r_at = np.searchsorted(segment[rj, rp], np.arange(int(segment[-1].max()) + 2))
        scheduled = np.empty(len(mp), dtype=np.int64)
        started = np.empty(len(rp), dtype=np.int64)  # the time (and anchor) of each reset
        anchor, start = anchor.copy(), time.copy()
        for s in range(len(m_at) - 1):
            lo, hi = m_at[s], m_at[s + 1]
            p, j = mp[lo:hi], mj[lo:hi]
            if hi > lo:
                # each path's anchor taken apart once, its month steps counted from it
                heads = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
                each = np.diff(np.r_[heads, hi - lo])
                month, day, time_of_day = month_parts(anchor[p[heads]])
                scheduled[lo:hi] = (
                    from_month_parts(
                        np.repeat(month, each) + since[j, p],
                        np.repeat(day, each),
                        np.repeat(time_of_day, each),
                    )
                    + increments[j, p]
                )
            r_lo, r_hi = r_at[s + 1], r_at[s + 2] if s + 2 < len(r_at) else r_at[s + 1]
            if r_hi == r_lo:
                continue
            # where the paths that set a new anchor stand before it: the segment's start
            # or its latest month step (cells are grouped by path)
            pr, jr = rp[r_lo:r_hi], rj[r_lo:r_hi]
            reached = start[pr]
            if hi > lo:
                latest = np.maximum.reduceat(scheduled[lo:hi], heads)
                at = np.searchsorted(p[heads], pr)
                hit = at < len(heads)
                hit[hit] = p[heads][at[hit]] == pr[hit]
                reached[hit] = np.maximum(reached[hit], latest[at[hit]])
            start[pr] = anchor[pr] = started[r_lo:r_hi] = reached + increments[jr, pr]
        known = np.full((stop + 1, n), np.iinfo(np.int64).min, dtype=np.int64)
        known[0] = time
        known[mj + 1, mp] = scheduled
        known[rj + 1, rp] = started
        running = np.maximum.accumulate(known, axis=0)
        return running[:stop], running[stop], anchor, since[-1]

    def _walk_tabled(
        self, cumulative: np.ndarray, u: np.ndarray, state: np.ndarray, walked: np.ndarray
    ) -> None:
        """Few parents: each step as a map from state to next state (a terminal state leads
        to itself), then every path's states by composing the maps (a parallel prefix, so
        numpy works on all steps at once instead of one Python step per step)."""
        width, n = u.shape
        u = u.T
        k = self.size
        levels = max(1, (width - 1).bit_length())
        padded = 1 << levels  # whole halves at every level: the padding maps are identities
        maps = np.empty((n, padded, k), dtype=np.intp)
        maps[:, width:] = np.arange(k)
        for s in range(k):
            if self.terminal[s]:
                maps[:, :width, s] = s
                continue
            cum = cumulative[s][None, None, :] if cumulative.ndim == 2 else cumulative[:, s, None]
            always, columns = _columns_to_compare(cum.reshape(-1, k))
            nxt = np.full((n, width), always, dtype=np.intp)
            for column in columns:
                nxt += u >= column.reshape(cum.shape[:-1])
            maps[:, :width, s] = np.minimum(nxt, k - 1)
        # up: maps of 2, 4, … consecutive steps (the later half applied after the earlier)
        tree = [maps]
        while tree[-1].shape[1] > 1:
            m = tree[-1]
            tree.append(np.take_along_axis(m[:, 1::2], m[:, 0::2], axis=2))
        # down: the state at the start of every half from the state at the start of its whole
        at = state.astype(np.intp)[:, None]
        for m in reversed(tree[:-1]):
            mid = np.take_along_axis(m[:, 0::2], at[:, :, None], axis=2)[:, :, 0]
            both = np.empty((n, m.shape[1]), dtype=np.intp)
            both[:, 0::2], both[:, 1::2] = at, mid
            at = both
        walked[:width] = at[:, :width].T
        walked[width] = np.take_along_axis(maps[:, width - 1], at[:, width - 1, None], axis=1)[:, 0]

    def _walk_direct(
        self,
        cumulative: np.ndarray,
        keys: np.ndarray,
        parents: np.ndarray,
        state: np.ndarray,
        walked: np.ndarray,
    ) -> int:
        """Many parents: the next state per step, from each path's own state, until every
        path has ended (the steps walked: no draws for steps nobody takes)."""
        n, k = len(parents), self.size
        # a row of running sums per state, or per (path, state): one column per target,
        # each read with a 1-d take (a (paths, S) gather and a sum along S cost more)
        table = cumulative.reshape(-1, k)
        offset = np.arange(n) * k if cumulative.ndim == 3 else None
        always, columns = _columns_to_compare(table)
        walked[0] = state
        for j, key in enumerate(keys):
            now = walked[j]
            stay = self.terminal[now]
            if stay.all():
                walked[j + 1] = now  # nothing moves any more
                return j + 1
            u = to_uniform(mix_keyed(key, parents))
            at = now if offset is None else offset + now
            nxt = np.full(n, always, dtype=np.int64)
            for column in columns:
                nxt += u >= column[at]
            np.minimum(nxt, k - 1, out=nxt)
            walked[j + 1] = np.where(stay, now, nxt)
        return len(keys)

    # ------------------------------------------------------------ checkpoints

    def checkpoint(self, parent: int) -> dict[int, tuple[int, int, int, int]]:
        return self._checkpoints.get(parent, {})

    def remember(self, parent: int, step: int, where: tuple[int, int, int, int]) -> None:
        """Keep where a live path stands before `step` (a later block resumes there)."""
        kept = self._checkpoints.get(parent)
        if kept is None:
            kept = self._checkpoints[parent] = {}
            if len(self._checkpoints) > _CHECKPOINT_PARENTS:
                self._checkpoints.popitem(last=False)
        else:
            self._checkpoints.move_to_end(parent)
        kept[step] = where
        if len(kept) > _CHECKPOINTS_EACH:
            del kept[next(iter(kept))]  # the oldest


def _columns_to_compare(table: np.ndarray) -> tuple[int, list[np.ndarray]]:
    """The columns of running sums (rows, S) a draw u in [0, 1) is compared with: the
    number of columns it always passes (0 or less in every row), and the others but those
    it never passes (infinite in every row). The next state is the number passed."""
    always, columns = 0, []
    for t in range(table.shape[1]):
        column = np.ascontiguousarray(table[:, t])
        if (column <= 0).all():
            always += 1
        elif not np.isposinf(column).all():
            columns.append(column)
    return always, columns


class _TimelineCounts:
    """Events per parent (picklable: Dask workers recompute a layout's chunks)."""

    def __init__(self, plan: Plan, entity: str) -> None:
        self.plan, self.entity = plan, entity
        self._made: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_made": None}

    def __call__(self, parents: np.ndarray) -> np.ndarray:
        from .columns import Columns

        if self._made is None:
            self._made = Columns(self.plan)
        machine = machine_of(self.plan, self.entity)
        # without `end` no time cuts a path: its length follows from its states alone
        timed = machine.spec.end is not None
        return machine.walk_paths(self._made, parents, timed=timed).lengths


def timeline_layout(plan: Plan, entity: str) -> Layout:
    return layout_from_counts(plan, Machine(plan, entity).parent, _TimelineCounts(plan, entity))


def machine_of(plan: Plan, entity: str) -> Machine:
    """The plan's machine for a timeline entity (with this process's checkpoints)."""
    machine = plan.timelines.get(entity)
    if machine is None:
        machine = plan.timelines[entity] = Machine(plan, entity)
    return machine


def timeline_column(columns: Columns, batch: Batch, kind: str) -> pa.Array:
    plan = columns.plan
    layout = plan.layout(batch.entity)
    if kind == "step":  # where each row is in its parent's timeline: no walk needed
        return pa.array(layout.position_in_parent(batch.rows) + 1)
    machine = machine_of(plan, batch.entity)
    cached = batch.parent_index.get("#timeline")
    if cached is None and kind == "state" and not (batch.whole and machine.timed_fields):
        # states alone (an aggregate over the events, a lookup of the last state): the
        # walk skips the gaps and times, and stops each path at the last step needed
        cached = batch.parent_index.get("#timeline-states")
        if cached is None:
            cached = batch.parent_index["#timeline-states"] = _events(
                machine, columns, batch, timed=False
            )
    if cached is None:
        cached = batch.parent_index["#timeline"] = _events(machine, columns, batch)
    state, time, _ = cached
    if kind == "state":
        names = pa.array(machine.states, type=pa.string())
        return names.take(pa.array(state))
    return pa.array(time, type=pa.int64()).cast(pa.timestamp("us"))


def _events(machine: Machine, columns: Columns, batch: Batch, *, timed: bool = True) -> np.ndarray:
    """State, time and step of each row of the batch, stacked (3, rows); without `timed`
    the states alone (times 0).

    Every path is walked from step 0 unless this process keeps a checkpoint of it at or
    before the first step the batch needs; the batch leaves a checkpoint where each path
    it cuts off goes on. A checkpoint holds what the walk from step 0 would have reached
    (every draw is keyed by parent and step), so it saves time and changes nothing.
    """
    layout = columns.plan.layout(batch.entity)
    parents = layout.parent_of(batch.rows)
    steps = layout.position_in_parent(batch.rows, parents)
    if not len(steps):
        return np.zeros((3, 0), dtype=np.int64)
    unique, inverse = np.unique(parents, return_inverse=True)
    if len(inverse) < 2 or bool((inverse[1:] >= inverse[:-1]).all()):  # rows in order
        bounds = np.flatnonzero(np.r_[True, inverse[1:] != inverse[:-1]])
        lo, hi = np.minimum.reduceat(steps, bounds), np.maximum.reduceat(steps, bounds)
    else:
        lo = np.full(len(unique), np.iinfo(np.int64).max)
        hi = np.full(len(unique), -1)
        np.minimum.at(lo, inverse, steps)
        np.maximum.at(hi, inverse, steps)
    state = np.zeros(len(steps), dtype=np.int64)
    time = np.zeros(len(steps), dtype=np.int64)
    # groups of parents walked together: (positions in `unique`, where they start)
    groups: list[tuple[np.ndarray, Carry | None]] = []
    fresh = np.ones(len(unique), dtype=bool)
    for i in np.flatnonzero(lo >= _RESUME).tolist():
        p = int(unique[i])
        kept = [k for k in machine.checkpoint(p) if k <= lo[i]]
        if kept:
            at = max(kept)
            s, t, a, m = machine.checkpoint(p)[at]
            one = np.array([i])
            carry = Carry(
                at, np.array([s]), np.array([t]), np.array([True]), np.array([a]), np.array([m])
            )
            groups.append((one, carry))
            fresh[i] = False
    if fresh.any():
        groups.insert(0, (np.flatnonzero(fresh), None))
    # paths that go on past the batch, far enough in to be worth a checkpoint
    late = np.flatnonzero(hi + 1 >= _RESUME)
    going = np.zeros(len(unique), dtype=bool)
    going[late] = layout.size(unique[late]) > hi[late] + 1
    for members, resume in groups:
        first = 0 if resume is None else resume.step
        stop = int(hi[members].max()) + 1
        upto = None if timed else hi[members]
        paths = machine.walk_paths(columns, unique[members], stop, resume, timed=timed, upto=upto)
        carry = paths.carry
        # the batch's rows of these parents
        if len(groups) == 1:
            rows, where = slice(None), inverse  # every parent walked at once: members is all
        else:
            mine = np.zeros(len(unique), dtype=bool)
            mine[members] = True
            rows = np.flatnonzero(mine[inverse])
            where = np.searchsorted(members, inverse[rows])  # members is ascending
        state[rows], time[rows] = paths.pick(where, steps[rows] - first)
        if not timed:
            continue  # a checkpoint keeps times: only a timed walk leaves one
        # checkpoints where the paths go on past the batch (and far enough to be worth it)
        ahead = np.flatnonzero(going[members])
        cols = hi[members[ahead]] + 1 - first
        at_state, at_time = paths.pick(ahead, np.minimum(cols, max(paths.total - 1, 0)))
        for i, j in enumerate(ahead.tolist()):
            at = int(cols[i]) + first
            if cols[i] >= paths.total:
                where = (carry.state[j], carry.time[j], carry.anchor[j], carry.months[j])
            elif machine.monthly:
                continue  # a walk keeps the anchors of month steps at its end only
            else:
                where = (at_state[i], at_time[i], at_time[i], 0)
            machine.remember(int(unique[members[j]]), at, tuple(int(v) for v in where))
    if timed and machine.spec.calendar is not None:
        time = machine.on_calendar(time, columns, unique, inverse)
    return np.stack([state, time, steps])


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


def _business_day(calendar) -> tuple[int, int]:
    """The open part of a day in µs: (first, last) from midnight (the whole day without `hours`)."""
    if calendar.hours is None:
        return 0, _DAY_US
    first, last = calendar.hours
    return first * _HOUR_US, last * _HOUR_US


def business_elapsed(times_us: np.ndarray, calendar) -> np.ndarray:
    """B(t): open µs from Monday 1969-12-29 00:00 up to each time (negative before it).

    Non-decreasing and flat over closed time, so B(t) == B(apply_calendar(t)).
    """
    first, last = _business_day(calendar)
    t = np.asarray(times_us, dtype=np.int64)
    day = np.floor_divide(t, _DAY_US)
    open_today = np.clip(t - day * _DAY_US, first, last) - first
    if not calendar.weekdays:
        return day * (last - first) + open_today
    monday_based = day + 3  # 1970-01-01 was a Thursday: day -3 was a Monday
    weeks, weekday = np.divmod(monday_based, 7)
    days_before = weeks * 5 + np.minimum(weekday, 5)
    return days_before * (last - first) + np.where(weekday < 5, open_today, 0)


def business_time(elapsed_us: np.ndarray, calendar) -> np.ndarray:
    """T(b), the inverse of `business_elapsed` onto open time: hours are half-open, so
    the end of a working day is the first hour of the next open day."""
    first, last = _business_day(calendar)
    b = np.asarray(elapsed_us, dtype=np.int64)
    open_days, into = np.divmod(b, last - first)
    if calendar.weekdays:
        weeks, weekday = np.divmod(open_days, 5)
        day = weeks * 7 + weekday - 3
    else:
        day = open_days
    return day * _DAY_US + first + into


def business_times(start_us: np.ndarray, since_start_us: np.ndarray, calendar) -> np.ndarray:
    """`gaps: business`: the first event moves as with `gaps: clock` and the time since it
    is counted in open hours only, T(B(start) + (raw time - raw start))."""
    return business_time(business_elapsed(start_us, calendar) + since_start_us, calendar)
