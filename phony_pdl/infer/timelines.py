"""Event tables → `timeline:` blocks (a state machine per parent row).

A child table whose rows, ordered by time within each parent, walk a small set of states
from one common first state (an order's created → paid → shipped → delivered) is written
as a timeline rather than as independent columns: drawn independently, an order could be
`delivered` before `paid`, and the parent's `last(events.state)` would take the spread of
all events.

Evidence asked for (otherwise the columns stay as they are):

- a foreign key with no NULL to a parent other than the table itself, a text column with
  2 to MAX_STATES values and no NULL (the state), a datetime column with no NULL (the
  time);
- at least MIN_INITIAL_SHARE of the paths start in the same state (`initial`), and the
  first states differ from the spread of all states (MIN_POSITION_TVD), so the position in
  the path carries the state, not chance;
- a date or datetime column of the parent at or before each path's first event on at
  least MIN_START_SHARE of the parents (`start`; the smallest median gap wins), and events
  for at least MIN_COVERED of the parents with a start (a timeline gives every one some).

Transitions are counted over all paths and normalised per state (a state some paths stop
at gets `end`); a state's `after` is fitted on the gaps from the event before to each
event that enters it, as the spec defines it (the first event is at `start` itself).

Two shapes a continuous `after` would blur are written as PDL has them:

- the first event some time after the parent time (a ticket's first event minutes after
  it is created) on at least MIN_LAG_SHARE of the parents, so the median lag is not 0:
  the timeline starts at a hidden field of the parent, `after` the parent time with a
  `gap` fitted on the lags (datetime starts only: `after` moves a date by whole days);
- a state entered on a calendar-month schedule (renewals on the same day of each month,
  or of each year): on at least MIN_MONTH_SHARE of the events entering it, the time is
  at or up to a quarter of the shortest step (MAX_DELAY_SHARE) after the day the
  engine's month arithmetic (engine/months.py) schedules, counted from the anchor as the
  engine counts it. It gets `after: N months` (or years), N the most common whole number
  of months in its gaps, and `delay` fitted on the times past the scheduled day unless at
  least MIN_MONTH_SHARE are on it exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.months import add_months
from .document import FieldOut, _duration, _gap_decimals, duration_fit, seconds_places
from .profile import US_PER_DAY, ColumnProfile
from .relations import ForeignKey

__all__ = ["TimelineOut", "find_timeline"]

MAX_STATES = 30
MIN_INITIAL_SHARE = 0.95
MIN_START_SHARE = 0.98
MIN_COVERED = 0.95
MIN_POSITION_TVD = 0.1
MIN_PATHS = 20
DEFAULT_MAX_STEPS = 100  # PDL's default `max_steps`
PLACES = 4  # probabilities are written to this many decimals, summing to exactly 1
SHOWN_PATHS = 3  # the most common paths named in the comment
PATH_WIDTH = 50  # paths longer than this are told apart by their first 50 states only
MIN_LAG_SHARE = 0.5  # first events after the parent time on this share: a hidden start
MIN_MONTH_SHARE = 0.95  # events entering a state on the calendar-month schedule
MIN_MONTH_EVENTS = 10  # fewer events entering a state cannot show a schedule
MAX_DELAY_SHARE = 0.25  # of the shortest step (28 days a month): the most a delay may be
MONTH_US = 30.436875 * US_PER_DAY  # a Gregorian month on average


@dataclass
class TimelineOut:
    """A `timeline:` block with a comment for each of its keys and states."""

    spec: dict[str, Any]
    comment: str
    comments: dict[str, str] = field(default_factory=dict)  # key → comment
    state_comments: dict[str, str] = field(default_factory=dict)  # state → comment
    fields: list[FieldOut] = field(default_factory=list)  # state, time (and step) fields
    reads: str = ""  # the parent field `start` reads
    column: str = ""  # the foreign key to the `for` entity
    order: np.ndarray | None = None  # the rows in event order: by parent, time, key
    # the hidden parent field the timeline starts at (named when the parent is built:
    # `name_start`), `after` the parent time; None when the first events are at it
    lag: FieldOut | None = None

    @property
    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}

    def name_start(self, parent_fields: list[FieldOut], events: str) -> FieldOut | None:
        """Name the hidden start field (`<events>_start`, numbered if the parent has a field
        of that name in any case) and point `start` at it; the field to add to the parent,
        or None when the timeline starts at the parent time itself."""
        if self.lag is None:
            return None
        taken = {f.name.casefold() for f in parent_fields}
        name, n = f"{events}_start", 1
        while name.casefold() in taken:
            n += 1
            name = f"{events}_start_{n}"
        self.lag.name = name
        self.spec["start"] = f"{self.spec['for']}.{name}"
        return self.lag


def find_timeline(
    fk: ForeignKey,
    parent_entity: str,
    index: np.ndarray,
    profiles: dict[str, ColumnProfile],
    parent_profiles: dict[str, ColumnProfile],
    texts: Callable[[ColumnProfile], np.ndarray],
    taken: set[str],
    tie: np.ndarray | None = None,
) -> TimelineOut | None:
    """The timeline the rows of `fk.table` follow through `fk` (`index`: the parent row of each
    child row), or None without the evidence above. `texts` gives a text column's values
    (None for NULL); `taken`: columns already explained otherwise; `tie`: the key that
    orders events at the same time (row order without one)."""
    n = len(index)
    if n == 0 or (index < 0).any() or profiles[fk.column].nulls:
        return None
    states = [
        p
        for p in profiles.values()
        if p.kind == "string"
        and p.nulls == 0
        and 2 <= p.distinct <= MAX_STATES
        and p.name not in taken
        and p.name != fk.column
    ]
    times = [
        p
        for p in profiles.values()
        if p.kind == "datetime" and p.nulls == 0 and p.name not in taken
    ]
    starts = [p for p in parent_profiles.values() if p.kind in ("date", "datetime")]
    if not states or not times or not starts:
        return None
    best: TimelineOut | None = None
    best_share = -1.0
    for t in times:
        for s in states:
            found = _timeline(fk, parent_entity, index, s, t, starts, profiles, texts, tie)
            if found is not None and found[1] > best_share:
                best, best_share = found
    return best


def _timeline(
    fk: ForeignKey,
    parent_entity: str,
    index: np.ndarray,
    state: ColumnProfile,
    time: ColumnProfile,
    starts: list[ColumnProfile],
    profiles: dict[str, ColumnProfile],
    texts: Callable[[ColumnProfile], np.ndarray],
    tie: np.ndarray | None,
) -> tuple[TimelineOut, float] | None:
    n = len(index)
    rows = np.arange(n)
    order = np.lexsort((rows, rows if tie is None else tie, time.scores, index))
    par = index[order]
    names, codes = np.unique(np.asarray(texts(state), dtype=object)[order], return_inverse=True)
    names = [str(x) for x in names]
    if "end" in names:  # `end` is the word that ends a timeline: not a state's name
        return None
    at = time.scores[order]
    k = len(names)
    first = np.r_[True, par[1:] != par[:-1]]
    last = np.r_[first[1:], True]
    heads = np.flatnonzero(first)
    paths = len(heads)
    if paths < MIN_PATHS or paths == n:
        return None  # too few paths, or one event each: no path to follow
    first_counts = np.bincount(codes[first], minlength=k)
    initial = int(np.argmax(first_counts))  # the first most common: names are sorted
    share = first_counts[initial] / paths
    if share < MIN_INITIAL_SHARE:
        return None
    spread = np.bincount(codes, minlength=k) / n
    if 0.5 * np.abs(first_counts / paths - spread).sum() < MIN_POSITION_TVD:
        return None

    # the parent time the first event follows
    first_at = at[first]
    parent_rows = par[first]
    start: ColumnProfile | None = None
    start_gaps, start_median = np.empty(0), 0.0
    for p in starts:
        values = p.scores * (US_PER_DAY if p.kind == "date" else 1.0)
        gap = first_at - values[parent_rows]
        ok = gap >= 0  # NaN (no start) counts against it
        if ok.sum() < MIN_START_SHARE * paths:
            continue
        if paths < MIN_COVERED * np.isfinite(values).sum():
            continue  # parents with a start but no events: a timeline would give them some
        median = float(np.median(gap[ok]))
        if start is None or median < start_median:
            start, start_gaps, start_median = p, gap, median
    if start is None:
        return None
    lag = _lag_field(start, start_gaps, time.name) if start.kind == "datetime" else None

    # transitions (consecutive events of one parent) and where paths stop
    step = ~first[1:]
    src, dst = codes[:-1][step], codes[1:][step]
    moves = np.bincount(src * k + dst, minlength=k * k).reshape(k, k)
    ends = np.bincount(codes[last], minlength=k)
    reachable = _reachable(moves, initial)
    lengths = np.diff(np.r_[heads, n])
    entered = np.flatnonzero(np.r_[False, step])  # events that follow one of their path
    gaps = at[entered] - at[entered - 1]
    clocked = np.bincount(codes[entered], weights=gaps != 0, minlength=k) > 0
    calendar = _calendar_steps(codes, at, first, clocked, k)

    # states in the order paths go through them (mean step, then the most events first)
    position = np.arange(n) - np.repeat(heads, lengths) + 1
    seen = np.bincount(codes, minlength=k)
    mean_step = np.bincount(codes, weights=position, minlength=k) / np.maximum(seen, 1)
    spec_states: dict[str, dict[str, Any]] = {}
    state_comments: dict[str, str] = {}
    for code in np.lexsort((np.arange(k), -seen, mean_step)).tolist():
        if not reachable[code]:
            continue
        name = names[code]
        body: dict[str, Any] = {}
        notes = [f"{int(seen[code]):,} events"]
        out = int(moves[code].sum())
        if out:
            targets = np.lexsort((np.arange(k), -moves[code]))
            counts = {names[j]: int(moves[code, j]) for j in targets if moves[code, j]}
            if ends[code]:
                counts["end"] = int(ends[code])
                notes.append(f"{int(ends[code]):,} paths end here")
            body["next"] = _probabilities(counts)
        else:
            notes.append("no event follows it (terminal)")
        into = gaps[codes[entered] == code]
        if code in calendar:
            months, late = calendar[code]
            body["after"] = _calendar_step(months)
            delay, note = _delay(late)
            if delay is not None:
                body["delay"] = delay
            notes.append(note)
        elif len(into):
            after, note = _after(into)
            if after is not None:
                body["after"] = after
            notes.append(note)
        spec_states[name] = body
        state_comments[name] = "; ".join(notes)
    if not any("next" not in b or "end" in b["next"] for b in spec_states.values()):
        return None  # no way to end (every path cut short at max_steps): not a machine

    start_name = f"{parent_entity}.{start.name}"
    spec: dict[str, Any] = {"for": parent_entity, "start": start_name, "initial": names[initial]}
    longest = int(lengths.max())
    if longest > DEFAULT_MAX_STEPS:
        spec["max_steps"] = longest
    spec["states"] = spec_states
    median = start_median
    on_or_after = float((start_gaps >= 0).mean())
    comments = {}
    comments["start"] = (
        f"the first event is at or after {start.name} on {on_or_after:.1%} of the {paths:,} "
        f"parents with events, median gap {_duration(median / 1e6) if median else '0'}"
        + (
            ""
            if median == 0
            else f"; {start.name} + that gap, a hidden field"
            if lag is not None
            else "; generated first events are at the start itself"
        )
    )
    comments["initial"] = f"{share:.1%} of the {paths:,} paths start here"
    if "max_steps" in spec:
        comments["max_steps"] = "the longest path in the sample"
    skipped = [names[c] for c in range(k) if not reachable[c]]
    if skipped:
        comments["states"] = "left out, not reached from the initial state: " + ", ".join(skipped)
    block = (
        f"{n:,} events of {paths:,} rows of {parent_entity}, by {time.name} within each; "
        + _common_paths(codes, first, names, heads, lengths)
    )

    fields = [
        FieldOut(state.name, {"timeline": "state"}, "the state of each event"),
        FieldOut(time.name, {"timeline": "time", **seconds_places(time)}, "the time of each event"),
    ]
    for p in profiles.values():
        if (
            p.kind == "int"
            and p.nulls == 0
            and p.name != fk.column
            and p.distinct >= 2
            and np.array_equal(p.scores[order], position)
        ):
            fields.append(FieldOut(p.name, {"timeline": "step"}, "the event's position"))
            break
    found = TimelineOut(
        spec, block, comments, state_comments, fields, start.name, fk.column, order, lag=lag
    )
    return found, float(share)


def _reachable(moves: np.ndarray, initial: int) -> np.ndarray:
    seen = np.zeros(len(moves), dtype=bool)
    seen[initial] = True
    frontier = [initial]
    while frontier:
        for j in np.flatnonzero(moves[frontier.pop()]):
            if not seen[j]:
                seen[j] = True
                frontier.append(int(j))
    return seen


def _probabilities(counts: dict[str, int]) -> dict[str, float | int]:
    """Counts → shares to PLACES decimals that sum to exactly 1 (PDL checks the sum): every
    seen move keeps at least the smallest share, the largest takes the rounding."""
    total = sum(counts.values())
    unit = 10**PLACES
    units = {t: max(1, round(c * unit / total)) for t, c in counts.items()}
    largest = max(units, key=lambda t: (units[t], counts[t]))
    units[largest] += unit - sum(units.values())
    return {t: (1 if u == unit else u / unit) for t, u in units.items()}


def _after(us: np.ndarray) -> tuple[Any, str]:
    """A state's `after` fitted on the gaps (µs) into it, and its comment."""
    if not np.any(us):
        return None, f"entered {len(us):,} times, each at the time of the event before"
    after, note = _fitted(us)
    return after, f"{note} after" if note.startswith("always") else f"after {note}"


def _fitted(us: np.ndarray) -> tuple[Any, str]:
    """A duration or a distribution of durations fitted on `us` (µs, not all equal to
    zero), as a timeline's `after`, `delay` or a `gap`, and what the comment says of it."""
    fitted = duration_fit(us / 1e6, scale=1.0, decimals=_gap_decimals(us))
    if fitted is None:
        fixed = _duration(float(us[0]) / 1e6)
        return fixed, f"always {fixed}"
    value, fit = fitted
    return value, f"(seconds): {fit.comment()}"


def _lag_field(start: ColumnProfile, gaps: np.ndarray, time: str) -> FieldOut | None:
    """The hidden parent field the timeline starts at when its first events come after
    `start` (`gaps`: µs from it to each path's first event, NaN without one) on at least
    MIN_LAG_SHARE of the parents; None when they are mostly at it."""
    lags = gaps[gaps >= 0]
    if (lags > 0).sum() <= MIN_LAG_SHARE * len(gaps):
        return None
    gap, note = _fitted(lags)
    spec = {"after": start.name, "gap": gap, "hidden": True}
    return FieldOut(
        "",
        spec,
        f"the time of the first event ({time}), the timeline start: {start.name} + a gap {note}",
    )


def _calendar_steps(
    codes: np.ndarray, at: np.ndarray, first: np.ndarray, clocked: np.ndarray, k: int
) -> dict[int, tuple[int, np.ndarray]]:
    """States entered on a calendar-month schedule: state → (months a step, µs from the
    scheduled time to each event entering it). The schedule is the engine's: n months
    after the anchor, counted since it, where the anchor is the path's first event or the
    latest event entered by a duration (`clocked`: a state with some gap into it that is
    a duration); a state found not to step months is such a duration, so the candidates
    are tried again without the one furthest from its schedule until all keep to it."""
    entering = ~first
    rows = np.arange(len(codes))
    months = np.zeros(k, dtype=np.int64)
    for code in range(k):
        into = np.flatnonzero(entering & (codes == code))
        if len(into) < MIN_MONTH_EVENTS:
            continue
        steps = np.rint((at[into] - at[into - 1]) / MONTH_US).astype(np.int64)
        months[code] = int(np.argmax(np.bincount(np.maximum(steps, 0))))
    candidates = months > 0
    exact = at.astype(np.int64)
    while candidates.any():
        step = np.where(entering & candidates[codes], months[codes], 0)
        reset = first | (entering & clocked[codes] & ~candidates[codes])
        anchor = np.maximum.accumulate(np.where(reset, rows, 0))
        total = np.cumsum(step)
        moved = step > 0
        scheduled = add_months(exact[anchor[moved]], (total - total[anchor])[moved])
        late = exact[moved] - scheduled
        state = codes[moved]
        bound = MAX_DELAY_SHARE * 28 * US_PER_DAY * months[state]
        on = np.bincount(state, weights=(late >= 0) & (late < bound), minlength=k)
        share = np.where(candidates, on / np.maximum(np.bincount(state, minlength=k), 1), 2.0)
        worst = int(np.argmin(share))
        if share[worst] >= MIN_MONTH_SHARE:
            return {int(c): (int(months[c]), late[state == c]) for c in np.flatnonzero(candidates)}
        candidates[worst] = False
    return {}


def _calendar_step(months: int) -> str:
    """`1 month`, `3 months`, `1 year`, `2 years`: a calendar step as PDL writes it."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years > 1 else "")
    return f"{months} month" + ("s" if months > 1 else "")


def _delay(late: np.ndarray) -> tuple[Any, str]:
    """A month step's `delay` fitted on the times (µs) past the scheduled day, or None
    when at least MIN_MONTH_SHARE are on it exactly; and the comment."""
    on_day = float((late == 0).mean())
    kept = float((late >= 0).mean())
    note = f"entered {len(late):,} times, {kept:.1%} on or after the calendar-month schedule"
    if on_day >= MIN_MONTH_SHARE:
        return None, f"{note}, {on_day:.1%} exactly on it"
    delay, fitted = _fitted(late[late >= 0])
    return delay, f"{note}; delay {fitted}"


def _common_paths(
    codes: np.ndarray, first: np.ndarray, names: list[str], heads: np.ndarray, lengths: np.ndarray
) -> str:
    """`created → paid → shipped → delivered (88.7%), …`: the most common paths."""
    width = int(min(lengths.max(), PATH_WIDTH))
    grid = np.full((len(heads), width), -1, dtype=np.int64)
    parent = np.cumsum(first) - 1
    position = np.arange(len(codes)) - heads[parent]
    keep = position < width
    grid[parent[keep], position[keep]] = codes[keep]
    unique, counts = np.unique(grid, axis=0, return_counts=True)
    top = np.lexsort((np.arange(len(counts)), -counts))[:SHOWN_PATHS]
    shown = []
    for i in top:
        steps = [names[c] for c in unique[i] if c >= 0]
        more = " → …" if len(steps) == PATH_WIDTH and lengths.max() > PATH_WIDTH else ""
        shown.append(f"{' → '.join(steps)}{more} ({counts[i] / len(heads):.1%})")
    return f"{len(unique):,} distinct paths, most common: " + ", ".join(shown)
