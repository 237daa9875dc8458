"""Timelines: calendar-month steps (`after: 1 month`, `P1Y`, with a `delay`) and the
`end` target of `next` (the timeline ends with the remaining probability)."""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.engine.months import add_months
from phony_pdl.loaders import load

from .test_events import long_timeline_schema

EPOCH = dt.datetime(1970, 1, 1)


def us(value: dt.datetime) -> int:
    return (value - EPOCH) // dt.timedelta(microseconds=1)


def reference(anchor: dt.datetime, months: int) -> dt.datetime:
    """`months` calendar months after `anchor`, the day clamped to the month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return anchor.replace(year=year, month=month + 1, day=day)


def test_add_months_matches_a_datetime_reference_over_every_day_of_four_years() -> None:
    """Every day of 2023-2026 (Jan 29-31, Feb 29 of 2024, month ends) at a time of day,
    0 to 40 months on, and a negative year; the reference is a loop over datetime."""
    days = [dt.datetime(2023, 1, 1, 13, 7, 5, 250) + dt.timedelta(days=i) for i in range(1461)]
    days += [dt.datetime(1969, 12, 31, 23, 59), dt.datetime(1600, 1, 31)]
    anchors = np.array([us(d) for d in days], dtype=np.int64)
    for months in range(41):
        got = add_months(anchors, np.full(len(days), months))
        want = np.array([us(reference(d, months)) for d in days], dtype=np.int64)
        assert np.array_equal(got, want), months


def test_month_ends_keep_the_anchor_day() -> None:
    jan31 = np.array([us(dt.datetime(2024, 1, 31))] * 4)
    got = add_months(jan31, np.array([1, 2, 13, 25])).astype("datetime64[us]").astype(str)
    assert [g[:10] for g in got] == ["2024-02-29", "2024-03-31", "2025-02-28", "2026-02-28"]


@given(
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
    st.integers(0, 600),
    st.integers(0, 600),
)
def test_add_months_properties(anchor: dt.datetime, a: int, b: int) -> None:
    """Non-decreasing in the months, the time of day kept, the day the anchor's unless
    the month is shorter (then its last day), and equal to the reference."""
    t = np.array([us(anchor)] * 2, dtype=np.int64)
    lo, hi = add_months(t, np.array([min(a, b), max(a, b)]))
    assert lo <= hi
    moved = EPOCH + dt.timedelta(microseconds=int(lo))
    assert moved.time() == anchor.time()
    assert moved.day == min(anchor.day, calendar.monthrange(moved.year, moved.month)[1])
    assert moved == reference(anchor, min(a, b))


def billing(
    after: str = "1 month",
    delay: str | None = None,
    count: int = 200,
    trial: str | None = None,
    renew: float = 1.0,
    max_steps: int = 13,
    calendar_: str | None = None,
) -> str:
    """Customers starting on every day from 2024-01-01 (Jan 29-31, Feb 29 among them) who
    renew `after` each step; with `trial`, a trial of that length first."""
    delay_key = f", delay: {delay}" if delay else ""
    rest = f", end: {1 - renew:g}"  # end: 0 is a way out the machine never takes
    renewed = (
        f"        renewed: {{ next: {{ renewed: {renew:g}{rest} }}, after: {after}{delay_key} }}\n"
    )
    if trial:  # the trial's length is the gap before the first paid period
        lines = (
            "        trial:   { next: { active: 1 } }\n"
            f"        active:  {{ next: {{ renewed: 1 }}, after: {trial} }}\n" + renewed
        )
    else:
        lines = renewed
    first = "trial" if trial else "renewed"
    cal = f"      calendar: {calendar_}\n" if calendar_ else ""
    return f"""pdl: 1
name: billing
entities:
  customers:
    count: {count}
    fields:
      id:        {{ sequence: 1 }}
      signed_up: {{ expr: "TIMESTAMP '2024-01-01 10:30:00' + (id - 1) * INTERVAL 1 DAY", type: datetime }}
  events:
    timeline:
      for: customers
      start: customers.signed_up
      initial: {first}
      max_steps: {max_steps}
{cal}      states:
{lines}    fields:
      customer_id: {{ ref: customers.id }}
      state:       {{ timeline: state }}
      at:          {{ timeline: time }}
      step:        {{ timeline: step }}
"""


def events(source: str, **kw: object) -> dict[str, list]:
    return phony_pdl.load(source).generate(**kw)["events"].to_pydict()


def starts(count: int) -> list[dt.datetime]:
    return [dt.datetime(2024, 1, 1, 10, 30) + dt.timedelta(days=i) for i in range(count)]


def test_monthly_renewals_fall_on_the_anchor_day_without_drift() -> None:
    """12 renewals after each of 400 start days: every one on the reference day, where
    `30d` ends 5 or 6 days (a leap day) short of the anniversary after 12 steps."""
    count = 400
    got = events(billing(count=count))
    assert len(got["at"]) == count * 13
    want = [reference(s, k) for s in starts(count) for k in range(13)]
    assert got["at"] == want
    # before: 30 days a month drifts from the anchor day
    fixed = events(billing(after="30d", count=count))
    drift = [
        abs((a - reference(s, 12)).days)
        for s, a, k in zip(
            [s for s in starts(count) for _ in range(13)], fixed["at"], fixed["step"], strict=True
        )
        if k == 13
    ]
    assert min(drift) >= 5 and max(drift) <= 6


def test_years_and_iso_spellings_are_the_same_steps() -> None:
    count = 60
    yearly = events(billing(after="1 year", count=count, max_steps=5))
    assert yearly == events(billing(after="P1Y", count=count, max_steps=5))
    assert yearly == events(billing(after="12 months", count=count, max_steps=5))
    assert yearly["at"] == [reference(s, 12 * k) for s in starts(count) for k in range(5)]
    assert events(billing(count=count)) == events(billing(after="P1M", count=count))
    quarterly = events(billing(after="3 months", count=count, max_steps=4))
    assert quarterly["at"] == [reference(s, 3 * k) for s in starts(count) for k in range(4)]


def test_a_trial_of_days_moves_the_anchor_to_its_end() -> None:
    """trial 14d, then monthly: the renewals keep the day the trial ended."""
    count = 120
    got = events(billing(count=count, trial="14d", max_steps=8))
    want = []
    for s in starts(count):
        active = s + dt.timedelta(days=14)
        want += [s, active] + [reference(active, k) for k in range(1, 7)]
    assert got["at"] == want


def test_a_delay_is_drawn_off_the_schedule_and_does_not_move_later_renewals() -> None:
    count = 400
    got = events(billing(count=count, delay="{ distribution: exponential, mean: 2d }"))
    at = got["at"]
    delays = []
    for i, s in enumerate(starts(count)):
        row = at[i * 13 : (i + 1) * 13]
        assert row[0] == s
        assert all(b >= a for a, b in itertools.pairwise(row))
        for k in range(1, 13):
            late = row[k] - reference(s, k)
            # never before the schedule, and only a delay longer than the month between
            # two renewals holds one back to the time of the one before
            assert late >= dt.timedelta(0) or row[k] == row[k - 1]
            delays.append(late.total_seconds() / 86400)
    mean = float(np.mean(delays))
    # exponential, mean 2 days: 4800 draws, sd of the mean 0.03; delays that added up
    # (each renewal a month after the one before) would average 13 days
    assert 1.9 < mean < 2.1


def test_a_calendar_moves_renewals_but_not_their_anchor() -> None:
    """A renewal on a weekend moves to Monday 09:00; the next one is still on the anchor day."""
    count = 90
    got = events(billing(count=count, calendar_="{ weekdays: true, hours: [9, 17] }"))
    plain = events(billing(count=count))["at"]
    for a, p in zip(got["at"], plain, strict=True):
        assert a.weekday() < 5 and 9 <= a.hour < 17
        if p.weekday() < 5:
            assert a == p  # 10:30 on a weekday is open time
        else:
            assert a.date() == (p + dt.timedelta(days=7 - p.weekday())).date() and a.hour == 9


def test_end_cuts_monthly_renewals_at_the_as_of_date() -> None:
    count = 100
    source = billing(count=count).replace(
        "      max_steps: 13\n", "      max_steps: 13\n      end: 2024-09-30\n"
    )
    got = events(source)
    whole = events(billing(count=count))
    assert got["at"] == [
        a for a in whole["at"] if a <= dt.datetime(2024, 9, 30, 23, 59, 59, 999999)
    ]


def test_monthly_timelines_do_not_depend_on_blocks_or_workers(tmp_path: Path) -> None:
    """Long paths with month steps resumed from checkpoints: the same bytes."""
    spec = long_timeline_schema(parents=5, max_steps=1500)
    states = spec["entities"]["e"]["timeline"]["states"]
    states["away"]["after"] = "1 month"
    states["away"]["delay"] = {"min": "0s", "max": "3d"}
    states["away"]["next"] = {"idle": 0.999, "end": 0.001}
    del states["closed"]  # `end` is the way out
    schema = phony_pdl.load(spec)
    whole = schema.generate()["e"]
    assert whole.num_rows > 1500 and max(whole.column("k").to_pylist()) > 500
    assert schema.generate(block_rows=97)["e"].equals(whole)
    one = schema.generate(block_rows=300).write(tmp_path / "w1", format="csv", workers=1)
    two = schema.generate(block_rows=300).write(tmp_path / "w2", format="csv", workers=2)
    assert one.entities["e"].sha256 == two.entities["e"].sha256
    other = phony_pdl.load(spec).generate(seed=8)["e"]
    assert not other.equals(whole)
    at = whole.column("at").cast(pa.int64()).to_numpy(zero_copy_only=False)
    ids = np.asarray(whole.column("p_id").to_pylist())
    same = ids[1:] == ids[:-1]
    assert (np.diff(at)[same] >= 0).all()


# ------------------------------------------------------------ `end` in `next`

END_SOURCE = """pdl: 1
name: churn
entities:
  customers:
    count: {count}
    fields:
      id:     {{ sequence: 1 }}
      joined: {{ type: date, between: [2024-01-01, 2024-12-31] }}
      events: {{ aggregate: count(events) }}
      status: {{ aggregate: "last(events.state)" }}
  events:
    timeline:
      for: customers
      start: customers.joined
      initial: signed_up
      states:
        signed_up: {{ next: {{ renewed: 0.8, end: 0.2 }} }}
        renewed:   {{ next: {{ renewed: {again}, end: {rest} }}, after: 1 month }}
    fields:
      customer_id: {{ ref: customers.id }}
      state:       {{ timeline: state }}
      at:          {{ timeline: time }}
"""


def test_end_takes_its_share_within_a_binomial_tolerance() -> None:
    n = 100_000
    schema = phony_pdl.load(END_SOURCE.format(count=n, again=0.5, rest=0.5))
    customers = schema.generate()["customers"]
    counts = np.asarray(customers.column("events").to_pylist())
    status = customers.column("status").to_pylist()
    # 20 % end after the sign-up event, then half of the rest at each renewal
    for k, p in [(1, 0.2), (2, 0.4), (3, 0.2)]:
        share = float((counts == k).mean())
        assert abs(share - p) < 5 * np.sqrt(p * (1 - p) / n), (k, share)
    assert set(status) == {"signed_up", "renewed"}  # `end` makes no event
    assert [s == "signed_up" for s in status] == (counts == 1).tolist()


def test_end_is_deterministic_per_seed_and_block_size() -> None:
    schema = phony_pdl.load(END_SOURCE.format(count=3000, again=0.9, rest=0.1))
    whole = schema.generate()["events"]
    assert schema.generate(block_rows=101)["events"].equals(whole)
    assert not schema.generate(seed=9)["events"].equals(whole)


def test_end_with_expressions_and_a_ddl_check_of_the_states_only(tmp_path: Path) -> None:
    source = (
        END_SOURCE.format(
            count=2000, again='"CASE WHEN id % 2 = 0 THEN 1 ELSE 0 END"', rest='"0.2"'
        )
        .replace("max_steps", "")
        .replace("initial: signed_up", "initial: signed_up\n      max_steps: 4")
    )
    schema = phony_pdl.load(source)
    customers = schema.generate()["customers"].to_pydict()
    for i, c in zip(customers["id"], customers["events"], strict=True):
        if c > 1 and i % 2:  # odd ids: a renewal ends the timeline (0 vs 0.2: all `end`)
            assert c == 2
    even = [c for i, c in zip(customers["id"], customers["events"], strict=True) if i % 2 == 0]
    assert max(even) == 4  # 1 / 1.2 to renew each time, up to max_steps
    db = tmp_path / "churn.db"
    load(schema.generate(scale=0.05), f"sqlite:///{db}")
    with sqlite3.connect(db) as con:
        (ddl,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()
        assert "CHECK (\"state\" = 'signed_up' OR \"state\" = 'renewed')" in ddl
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            con.execute(
                "INSERT INTO events (customer_id, state, at) VALUES (1, 'end', '2024-01-01')"
            )


# ------------------------------------------------------------ errors


def error_of(source: str) -> tuple[str, str, str, str | None, str]:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="b.yaml")
    diags = exc.value.diagnostics
    assert len(diags) == 1, [d.message for d in diags]
    (d,) = diags
    return d.code, d.message, d.path, d.hint, str(d.span)


@pytest.mark.parametrize(
    ("after", "message", "hint"),
    [
        (
            "1M",
            "'1M' is ambiguous: a month or a minute",
            "write '1 month' (or 'P1M') for calendar months, '1m' for minutes",
        ),
        (
            "1.5 months",
            "'1.5 months' is not a calendar step: write whole months or years",
            "write whole months or years, like '1 month', '3 months', '1 year' "
            "(or days, like '45d', for a fixed length)",
        ),
        (
            "P1M2D",
            "'P1M2D' is not a calendar step: write whole months or years",
            "a calendar step is whole months or years alone, like 'P1M' or 'P1Y6M'; "
            "a random time after the scheduled day goes in a timeline state's `delay`",
        ),
        (
            "0 months",
            "calendar step '0 months' must be at least one month",
            "write whole months or years, like '1 month', '3 months', '1 year' "
            "(or days, like '45d', for a fixed length)",
        ),
    ],
)
def test_bad_month_spellings_are_refused_with_place_and_hint(
    after: str, message: str, hint: str
) -> None:
    code, got, path, got_hint, span = error_of(billing(after=after))
    assert (code, got, got_hint) == ("bad-duration", message, hint)
    assert path == "entities.events.timeline.states.renewed.after"
    assert span == "b.yaml:16:57"


def test_months_elsewhere_keep_the_clear_error() -> None:
    source = billing().replace(
        "      step:        { timeline: step }\n",
        "      step:        { timeline: step }\n      due: { after: at, gap: 1 month }\n",
    )
    code, message, path, hint, span = error_of(source)
    assert (code, message, path) == (
        "bad-duration",
        "'1 month' is not a duration",
        "entities.events.fields.due.gap",
    )
    assert hint is not None and "calendar months go in a timeline state's `after`" in hint
    assert span == "b.yaml:22:30"


def test_a_delay_needs_a_month_step_and_business_gaps_refuse_months() -> None:
    code, message, path, hint, span = error_of(billing(after="30d", delay="2h"))
    assert (code, path) == ("invalid-value", "entities.events.timeline.states.renewed.delay")
    assert message.startswith("`delay` is the time after a calendar step's scheduled day")
    assert hint is not None and "after: 1 month" in hint
    assert span == "b.yaml:16:62"
    code, message, path, hint, span = error_of(
        billing(calendar_="{ weekdays: true, hours: [9, 17], gaps: business }")
    )
    assert (code, path) == ("invalid-value", "entities.events.timeline.states.renewed.after")
    assert "business gaps cannot count in open hours" in message
    assert span == "b.yaml:17:57"
    code, message, path, _, _ = error_of(billing(delay="1 month"))
    assert (code, message) == ("bad-duration", "'1 month' is a calendar step, not a delay")


def test_end_probabilities_are_checked_and_end_is_no_state_name() -> None:
    source = END_SOURCE.format(count=5, again=0.5, rest=0.6)
    code, message, path, hint, span = error_of(source)
    assert (code, message) == ("bad-weights", "probabilities out of 'renewed' sum to 1.1, not 1")
    assert path == "entities.events.timeline.states.renewed.next"
    assert hint == "next-state probabilities must add up to 1: make 'end' 0.5"
    assert span == "b.yaml:18:28"
    named = END_SOURCE.format(count=5, again=0.5, rest=0.5).replace(
        "      states:\n", "      states:\n        end: {}\n"
    )
    code, message, path, hint, span = error_of(named)
    assert (code, path, hint) == (
        "bad-timeline",
        "entities.events.timeline.states.end",
        "rename the state, e.g. 'ended' or 'closed'",
    )
    assert message == "a state cannot be named 'end': `next: {end: p}` ends the timeline"
    assert span == "b.yaml:17:9"


def test_a_machine_without_a_terminal_state_may_end_through_end() -> None:
    """`end` is a way out: no terminal state is needed (before, `no terminal state`)."""
    source = END_SOURCE.format(count=50, again=0.5, rest=0.5)
    assert phony_pdl.load(source).generate()["events"].num_rows > 50
    loop = (
        copy.copy(source)
        .replace("end: 0.5 }", "signed_up: 0.5 }")
        .replace("end: 0.2 }", "renewed: 0.2 }")
        .replace("renewed: 0.8, renewed: 0.2", "renewed: 1")
    )
    code, message, _, hint, _ = error_of(loop)
    assert code == "bad-timeline" and message.startswith("no terminal state")
    assert hint is not None and "`end`" in hint


# ------------------------------------------------------------ series `every: 1 month`

SERIES = """pdl: 1
name: invoices
entities:
  subs:
    count: {count}
    fields:
      id:    {{ sequence: 1 }}
      start: {{ expr: "TIMESTAMP '2023-12-01 08:00:00' + (id - 1) * INTERVAL 1 DAY", type: datetime }}
      stop:  {{ expr: "TIMESTAMP '2025-03-15 12:00:00' + (id % 40) * INTERVAL 1 DAY", type: datetime }}
  invoices:
    series: {{ for: subs, start: subs.start, end: subs.stop, every: {every}{jitter} }}
    fields:
      sub_id: {{ ref: subs.id }}
      at:     {{ series: time }}
      n:      {{ series: step }}
"""


def test_a_series_every_month_falls_on_the_anchor_day_up_to_its_end() -> None:
    """Every invoice on the reference day, and as many as fit up to `end` (inclusive)."""
    count = 500
    for every, months in [("1 month", 1), ("P3M", 3), ("1 year", 12)]:
        schema = phony_pdl.load(SERIES.format(count=count, every=every, jitter=""))
        subs = schema.generate()["subs"].to_pydict()
        got = schema.generate(block_rows=77)["invoices"].to_pydict()
        want: list[dt.datetime] = []
        for start, stop in zip(subs["start"], subs["stop"], strict=True):
            k = 0
            while reference(start, k * months) <= stop:
                want.append(reference(start, k * months))
                k += 1
        assert got["at"] == want, every


def test_a_monthly_series_jitter_is_bounded_by_the_shortest_month() -> None:
    schema = phony_pdl.load(SERIES.format(count=300, every="1 month", jitter=", jitter: 13d"))
    got = schema.generate()["invoices"].to_pydict()
    plain = phony_pdl.load(SERIES.format(count=300, every="1 month", jitter="")).generate()
    base = plain["invoices"].to_pydict()["at"]
    shifts = [(a - b).total_seconds() / 86400 for a, b in zip(got["at"], base, strict=True)]
    assert -13 <= min(shifts) < -12 and 12 < max(shifts) <= 13
    ids = got["sub_id"]
    assert all(
        b >= a for (i, a), (j, b) in itertools.pairwise(zip(ids, got["at"], strict=True)) if i == j
    )
    code, message, path, _, span = error_of(
        SERIES.format(count=3, every="1 month", jitter=", jitter: 14d")
    )
    assert (code, path) == ("invalid-value", "entities.invoices.series.jitter")
    assert message == (
        "jitter 14d must be under half of every 1 month, so events stay in order: "
        "under 14d (a month can be 28 days)"
    )
    assert span == "b.yaml:11:85"


def test_a_series_refuses_an_ambiguous_or_partial_month() -> None:
    code, message, path, hint, span = error_of(SERIES.format(count=3, every="1M", jitter=""))
    assert (code, message, path) == (
        "bad-duration",
        "'1M' is ambiguous: a month or a minute",
        "entities.invoices.series.every",
    )
    assert hint == "write '1 month' (or 'P1M') for calendar months, '1m' for minutes"
    assert span == "b.yaml:11:68"
    code, message, _, _, _ = error_of(SERIES.format(count=3, every="1.5 months", jitter=""))
    assert (code, message) == (
        "bad-duration",
        "'1.5 months' is not a calendar step: write whole months or years",
    )


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    st.lists(
        st.one_of(
            st.integers(1, 40).map(lambda n: ("months", n)),
            st.integers(1, 90).map(lambda n: ("days", n)),
            st.just(("none", 0)),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_a_chain_of_month_and_day_steps_follows_the_anchor_rule(
    start: dt.datetime, steps: list[tuple[str, int]]
) -> None:
    """A chain of states, each entered after days, months or nothing: the times are those
    of the rule written out with datetime (a day step moves the anchor, a month step counts
    months from it, no `after` changes nothing)."""
    start = start.replace(microsecond=0)
    lines = []
    for i, (kind, n) in enumerate(steps):
        after = {"months": f", after: {n} months", "days": f", after: {n}d", "none": ""}[kind]
        lines.append(f"        s{i + 1}: {{ next: {{ s{i + 2}: 1 }}{after} }}\n")
    lines.append(f"        s{len(steps) + 1}: {{}}\n")
    source = f"""pdl: 1
name: chain
entities:
  p:
    count: 1
    fields:
      id: {{ sequence: 1 }}
      t0: {{ expr: "TIMESTAMP '{start.isoformat(sep=" ")}'", type: datetime }}
  e:
    timeline:
      for: p
      start: p.t0
      initial: s0
      states:
        s0: {{ next: {{ s1: 1 }} }}
{"".join(lines)}    fields:
      p_id: {{ ref: p.id }}
      at:   {{ timeline: time }}
"""
    got = phony_pdl.load(source).generate()["e"].to_pydict()["at"]
    want, time, anchor, months = [start], start, start, 0
    for kind, n in steps:
        if kind == "days":
            time = anchor = time + dt.timedelta(days=n)
            months = 0
        elif kind == "months":
            months += n
            time = max(time, reference(anchor, months))
        want.append(time)
    want.append(time)  # the terminal state, entered without `after`
    assert got == want


# ------------------------------------------------------------ month steps, chunk at a time


def month_times_by_step(machine, targets, moving, increments, time, anchor, months):
    """The rule one step at a time (as the walk once ran it): the reference for the
    chunk-at-a-time `_month_times`."""
    stop, n = moving.shape
    times = np.empty((stop, n), dtype=np.int64)
    for j in range(stop):
        times[j] = time
        target, go = targets[j], moving[j]
        step_months = np.where(go, machine.months[target], 0)
        months = months + step_months
        monthly = np.flatnonzero(step_months)
        time = time + increments[j]
        if len(monthly):
            scheduled = add_months(anchor[monthly], months[monthly]) + increments[j, monthly]
            before = time[monthly] - increments[j, monthly]
            time[monthly] = np.maximum(before, scheduled)
        reset = go & machine.clock[target]
        anchor = np.where(reset, time, anchor)
        months = np.where(reset, 0, months)
    return times, time, anchor, months


@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 12), st.booleans())
def test_month_steps_of_a_chunk_follow_the_rule_step_by_step(
    seed: int, stop: int, n: int, long_delays: bool
) -> None:
    """Random machines of month steps, duration steps (new anchors) and steps without
    `after`; delays up to 5 days or up to 200 (a delay then holds later renewals)."""
    from types import SimpleNamespace

    from phony_pdl.engine.timeline import Machine

    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    months = np.where(rng.random(k) < 0.5, rng.integers(1, 13, k), 0)
    clock = (months == 0) & (rng.random(k) < 0.6)
    machine = SimpleNamespace(months=months, clock=clock)
    targets = rng.integers(0, k, (stop, n))
    moving = np.minimum.accumulate(rng.random((stop, n)) < 0.9, axis=0)
    day = 86_400_000_000
    increments = np.where(moving, rng.integers(0, (200 if long_delays else 5) * day, (stop, n)), 0)
    increments[~moving | ((months[targets] == 0) & ~clock[targets])] = 0  # no `after`: no gap
    time = rng.integers(-(10**15), 3 * 10**15, n)
    anchor = time - rng.integers(0, 10**14, n)
    counted = rng.integers(0, 5, n)
    got = Machine._month_times(machine, targets, moving, increments, time, anchor, counted)
    want = month_times_by_step(machine, targets, moving, increments, time, anchor, counted)
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)
