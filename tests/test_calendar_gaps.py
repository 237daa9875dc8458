"""`calendar: { gaps: business }`: timeline gaps counted in open hours, as SLA clocks do."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.engine.timeline import apply_calendar, business_elapsed, business_time

from .conftest import ROOT
from .test_events import long_timeline_schema

DAY = 86_400_000_000
HOUR = 3_600_000_000
# years 1..9999 in µs since 1970, as PDL datetimes span
EARLIEST, LATEST = -62_135_596_800_000_000, 253_402_300_799_999_999


def cal(weekdays: bool, hours: list[int] | None) -> SimpleNamespace:
    return SimpleNamespace(weekdays=weekdays, hours=hours, gaps="business")


def us(text: str) -> int:
    return int(np.datetime64(text, "us").astype(np.int64))


def is_open(t: np.ndarray, c: SimpleNamespace) -> np.ndarray:
    day = np.floor_divide(t, DAY)
    hour = (t - day * DAY) // HOUR
    ok = np.ones(t.shape, dtype=bool)
    if c.hours is not None:
        ok &= (hour >= c.hours[0]) & (hour < c.hours[1])
    if c.weekdays:
        ok &= (day + 3) % 7 < 5  # Monday = 0
    return ok


@st.composite
def calendars(draw: st.DrawFn) -> SimpleNamespace:
    hours = draw(
        st.none()
        | st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1]).map(list)
    )
    weekdays = draw(st.booleans()) if hours is not None else True
    return cal(weekdays, hours)


@given(calendars(), st.lists(st.integers(EARLIEST // 2, LATEST // 2), min_size=1, max_size=50))
def test_business_time_inverts_business_elapsed_and_lands_in_open_hours(
    c: SimpleNamespace, raw: list[int]
) -> None:
    b = np.sort(np.asarray(raw, dtype=np.int64))
    t = business_time(b, c)
    assert (business_elapsed(t, c) == b).all()
    assert is_open(t, c).all()
    assert (np.diff(t) >= 0).all() and ((np.diff(t) > 0) == (np.diff(b) > 0)).all()


@given(calendars(), st.lists(st.integers(EARLIEST, LATEST - 8 * DAY), min_size=1, max_size=50))
def test_a_first_event_moves_as_with_clock_gaps(c: SimpleNamespace, raw: list[int]) -> None:
    """T(B(t)) is the clock calendar's move: a business timeline's first event is where
    `gaps: clock` puts it, and B is flat over closed time (non-decreasing)."""
    t = np.sort(np.asarray(raw, dtype=np.int64))
    assert (business_time(business_elapsed(t, c), c) == apply_calendar(t, c)).all()
    assert (np.diff(business_elapsed(t, c)) >= 0).all()


@pytest.mark.parametrize(
    ("weekdays", "hours", "start", "gap", "expected"),
    [
        (True, [9, 17], "2024-03-01T15:00", 4 * HOUR, "2024-03-04T11:00"),  # Fri → Mon
        (True, [9, 17], "2024-03-01T13:00", 4 * HOUR, "2024-03-04T09:00"),  # 17:00 is closed
        (True, [9, 17], "2024-03-02T10:00", 1 * HOUR, "2024-03-04T10:00"),  # from Saturday
        (True, [9, 17], "2024-03-01T20:00", 0, "2024-03-04T09:00"),  # first event: clock move
        (False, [9, 17], "2024-03-01T15:00", 4 * HOUR, "2024-03-02T11:00"),  # hours alone
        (True, None, "2024-03-01T20:00", 6 * HOUR, "2024-03-04T02:00"),  # weekdays alone
        (True, [0, 24], "2024-03-01T23:00", 2 * HOUR, "2024-03-04T01:00"),
    ],
)
def test_business_gaps_skip_closed_time(
    weekdays: bool, hours: list[int] | None, start: str, gap: int, expected: str
) -> None:
    c = cal(weekdays, hours)
    got = business_time(business_elapsed(np.array([us(start)]), c) + gap, c)
    assert got.tolist() == [us(expected)]


def support_desk(calendar: str | None) -> str:
    """The spec's support_desk example with its calendar line replaced (None: no calendar)."""
    text = (ROOT / "spec" / "pdl.md").read_text()
    block = re.search(r"```yaml pdl\n(pdl: 1\nname: support_desk\n.*?)```", text, re.S)
    assert block is not None
    line = "      calendar: { weekdays: true, hours: [9, 17] }\n"
    assert line in block.group(1)
    return block.group(1).replace(line, "" if calendar is None else f"      calendar: {calendar}\n")


def events(source: str) -> dict[str, np.ndarray]:
    table = phony_pdl.load(source).generate()["ticket_events"]
    at = table.column("at").combine_chunks().cast("int64").to_numpy()
    return {
        "at": at,
        "ticket": np.asarray(table.column("ticket_id").to_pylist()),
        "state": np.asarray(table.column("state").to_pylist()),
        "step": np.asarray(table.column("step").to_pylist()),
    }


def test_support_desk_with_business_gaps_spreads_events_over_the_day() -> None:
    c = cal(True, [9, 17])
    clock = events(support_desk("{ weekdays: true, hours: [9, 17] }"))
    business = events(support_desk("{ weekdays: true, hours: [9, 17], gaps: business }"))
    raw = events(support_desk(None))
    # the calendar moves times only: same tickets, states and steps in all three
    for key in ("ticket", "state", "step"):
        assert (clock[key] == business[key]).all() and (raw[key] == business[key]).all()
    at, ticket = business["at"], business["ticket"]
    assert is_open(at, c).all()
    same = ticket[1:] == ticket[:-1]
    assert (np.diff(at)[same] >= 0).all()
    # each gap is the raw draw, counted in open hours only
    assert (np.diff(business_elapsed(at, c))[same] == np.diff(raw["at"])[same]).all()
    # the first event moves as with clock gaps
    first = np.r_[True, ~same]
    assert (at[first] == clock["at"][first]).all()
    # the pile-up at opening time: later events at exactly 09:00:00
    later = ~first

    def at_nine(times: np.ndarray) -> float:
        return float(np.mean(times[later] % DAY == 9 * HOUR))

    assert at_nine(clock["at"]) > 0.6  # measured 74.7%
    assert at_nine(business["at"]) < 0.02  # measured 0.0%
    # an event shares its time with the one before only for a zero gap (`opened` has none)
    assert ((np.diff(at) == 0)[same] == (np.diff(raw["at"]) == 0)[same]).all()


def test_business_gaps_do_not_depend_on_blocks_or_workers(tmp_path: Path) -> None:
    """Long paths resume from checkpoints of unshifted times; the business move reads the
    parent's start again, so block size and worker count change no byte."""
    spec = long_timeline_schema(parents=5)
    spec["entities"]["e"]["timeline"]["calendar"] = {"hours": [8, 18], "gaps": "business"}
    schema = phony_pdl.load(spec)
    whole = schema.generate()["e"]
    assert whole.num_rows > 4000
    assert schema.generate(block_rows=300)["e"].equals(whole)
    assert schema.generate(block_rows=7)["e"].equals(whole)
    one = schema.generate(block_rows=300).write(tmp_path / "w1", format="csv", workers=1)
    two = schema.generate(block_rows=300).write(tmp_path / "w2", format="csv", workers=2)
    assert one.entities["e"].sha256 == two.entities["e"].sha256
    at = whole.column("at").combine_chunks().cast("int64").to_numpy()
    assert is_open(at, cal(False, [8, 18])).all()


def test_business_gaps_need_hours_or_weekdays() -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(support_desk("{ gaps: business }"), name="desk.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "invalid-value"
    assert diag.message == (
        "calendar gaps: business needs closed time to skip, but the calendar has neither "
        "`hours` nor `weekdays: true`"
    )
    assert diag.hint == "add hours: [9, 17] and/or weekdays: true, or drop `gaps: business`"
    assert str(diag.span) == "desk.yaml:14:25"


def test_an_unknown_gaps_value_names_the_closest() -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(support_desk("{ hours: [9, 17], gaps: busines }"), name="desk.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "invalid-value"
    assert diag.message == "expected one of 'clock' or 'business', got string 'busines'"
    assert diag.hint == "did you mean 'business'?"
    assert str(diag.span) == "desk.yaml:14:41"


def test_a_whole_run_moves_its_times_as_the_blocks_do() -> None:
    """`Machine.run` (whole paths, parents as rows) and the event blocks share the move."""
    from phony_pdl.engine.columns import Columns

    spec = long_timeline_schema(parents=6, max_steps=40)
    spec["entities"]["e"]["timeline"]["calendar"] = {"weekdays": True, "gaps": "business"}
    schema = phony_pdl.load(spec)
    ds = schema.generate()
    plan = ds.plan
    _, times, lengths, _ = plan.timelines["e"].run(Columns(plan), np.arange(6))
    at = ds["e"].column("at").combine_chunks().cast("int64").to_numpy()
    ran = np.concatenate([times[p, : lengths[p]] for p in range(6)])
    assert lengths.sum() == len(at) and (ran == at).all()
    assert (lengths == 0).any()  # a parent without a start (t0 has a null_rate)
