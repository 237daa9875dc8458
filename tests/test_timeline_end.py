"""`timeline: { end: … }`: an as-of cutoff, events after `end` are not generated."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.engine.columns import Columns

from .conftest import ROOT
from .test_events import long_timeline_schema

CALENDAR = "      calendar: { weekdays: true, hours: [9, 17] }\n"


def desk(calendar: str | None, end: str | None, aggregates: bool = False) -> str:
    """The spec's support_desk example with another calendar line (None: none), a
    `closed_by` field on tickets (NULL for some, before `opened_at` for others) and `end`."""
    text = (ROOT / "spec" / "pdl.md").read_text()
    block = re.search(r"```yaml pdl\n(pdl: 1\nname: support_desk\n.*?)```", text, re.S)
    assert block is not None
    source = block.group(1)
    assert CALENDAR in source
    source = source.replace(CALENDAR, "" if calendar is None else f"      calendar: {calendar}\n")
    opened = "      opened_at: { type: datetime, between: [2024-03-01, 2024-03-31] }\n"
    assert opened in source
    extra = (
        "      closed_by: { type: datetime, between: [2024-02-25, 2024-04-10], null_rate: 0.2 }\n"
    )
    if aggregates:
        extra += (
            "      events:    { aggregate: count(ticket_events) }\n"
            "      now:       { aggregate: last(ticket_events.state) }\n"
        )
    source = source.replace(opened, opened + extra)
    if end is not None:
        source = source.replace(
            "      initial: opened\n", f"      initial: opened\n      end: {end}\n"
        )
    return source


def column(table: pa.Table, name: str) -> np.ndarray:
    values = table.column(name).combine_chunks()
    if pa.types.is_timestamp(values.type):
        return values.cast(pa.int64()).to_numpy(zero_copy_only=False)
    return np.asarray(values.to_pylist())


def us(value: object) -> int:
    return int(np.datetime64(value, "us").astype(np.int64))


@pytest.mark.parametrize(
    "calendar",
    [
        None,
        "{ weekdays: true, hours: [9, 17] }",
        "{ weekdays: true, hours: [9, 17], gaps: business }",
    ],
    ids=["no-calendar", "clock", "business"],
)
def test_end_keeps_the_prefix_of_each_timeline_up_to_the_parents_end(calendar: str | None) -> None:
    whole = phony_pdl.load(desk(calendar, None)).generate()
    cut = phony_pdl.load(desk(calendar, "tickets.closed_by")).generate()
    tickets = cut["tickets"]
    assert tickets.equals(whole["tickets"])  # `end` changes no parent value
    ids = column(tickets, "id")
    opened, closed = column(tickets, "opened_at"), tickets.column("closed_by").to_pylist()
    full, kept = whole["ticket_events"], cut["ticket_events"]
    full_ticket, kept_ticket = column(full, "ticket_id"), column(kept, "ticket_id")
    full_at, kept_at = column(full, "at"), column(kept, "at")
    names = kept.column_names
    counts = {"null": 0, "cut": 0, "none": 0, "before start": 0}
    for i, ticket in enumerate(ids):
        mine, theirs = full_ticket == ticket, kept_ticket == ticket
        if closed[i] is None:  # no cutoff: the whole timeline
            expected = int(mine.sum())
            counts["null"] += 1
        else:
            end = us(closed[i])
            assert (kept_at[theirs] <= end).all()
            expected = int((full_at[mine] <= end).sum())
            counts["cut"] += expected < mine.sum()
            counts["none"] += expected == 0
            if opened[i] > end:
                assert expected == 0
                counts["before start"] += 1
        assert theirs.sum() == expected
        # the kept rows are the uncut rows, a prefix per ticket
        for name in names:
            if name != "id":
                assert (column(kept, name)[theirs] == column(full, name)[mine][:expected]).all()
    assert kept.num_rows < full.num_rows
    assert all(v > 3 for v in counts.values()), counts


def test_aggregates_read_the_timeline_as_of_its_end() -> None:
    ds = phony_pdl.load(desk(None, "tickets.closed_by", aggregates=True)).generate()
    tickets, events = ds["tickets"], ds["ticket_events"]
    ticket = column(events, "ticket_id")
    state = column(events, "state")
    for tid, count, now in zip(
        column(tickets, "id"),
        column(tickets, "events"),
        tickets.column("now").to_pylist(),
        strict=True,
    ):
        mine = ticket == tid
        assert count == mine.sum()
        assert now == (state[mine][-1] if mine.any() else None)
    # as of a ticket's `closed_by`, many are still open
    assert "answered" in tickets.column("now").to_pylist()


def test_a_literal_end_includes_that_whole_day() -> None:
    whole = phony_pdl.load(desk(None, None)).generate()["ticket_events"]
    cut = phony_pdl.load(desk(None, "2024-03-15")).generate()["ticket_events"]
    at = column(whole, "at")
    kept = at <= us("2024-03-15T23:59:59.999999")
    assert cut.num_rows == kept.sum() > 0
    assert (column(cut, "at") == at[kept]).all()
    assert (column(cut, "at") > us("2024-03-15T12:00")).any()  # the afternoon is kept


def end_schema(parents: int) -> dict:
    spec = long_timeline_schema(parents=parents)
    gap = {"distribution": "uniform", "min": "1h", "max": "3d"}
    spec["entities"]["p"]["fields"]["t1"] = {"after": "t0", "gap": gap, "null_rate": 0.2}
    spec["entities"]["e"]["timeline"]["end"] = "p.t1"
    spec["entities"]["e"]["timeline"]["calendar"] = {"hours": [8, 18], "gaps": "business"}
    return spec


def test_end_does_not_depend_on_blocks_or_workers(tmp_path: Path) -> None:
    """Long paths cut at their end resume from checkpoints: block size and worker count
    change no byte, and the counts are those of a whole walk."""
    schema = phony_pdl.load(end_schema(parents=8))
    ds = schema.generate()
    whole = ds["e"]
    assert 1000 < whole.num_rows < 8 * 3000  # measured 4 419 of 24 000
    assert schema.generate(block_rows=300)["e"].equals(whole)
    assert schema.generate(block_rows=7)["e"].equals(whole)
    one = schema.generate(block_rows=300).write(tmp_path / "w1", format="csv", workers=1)
    two = schema.generate(block_rows=300).write(tmp_path / "w2", format="csv", workers=2)
    assert one.entities["e"].sha256 == two.entities["e"].sha256
    # a whole walk, parents as rows, counts the same events
    plan = ds.plan
    _, times, lengths, _ = plan.timelines["e"].run(Columns(plan), np.arange(8))
    parent = column(whole, "p_id")
    assert (lengths == np.bincount(parent - 1, minlength=8)).all()
    at = column(whole, "at")
    assert (np.concatenate([times[p, : lengths[p]] for p in range(8)]) == at).all()
    ends = ds["p"].column("t1").to_pylist()
    for p, end in enumerate(ends):
        if end is not None:
            assert (at[parent == p + 1] <= us(end)).all()
    # a long path cut short, and one with a NULL end that runs to max_steps
    assert any(256 < n < 3000 for n in lengths)
    assert any(n == 3000 and ends[p] is None for p, n in enumerate(lengths))


def test_without_end_nothing_changes() -> None:
    spec = end_schema(parents=4)
    del spec["entities"]["e"]["timeline"]["end"]
    whole = phony_pdl.load(spec).generate()["e"]
    spec["entities"]["e"]["timeline"]["end"] = "2100-01-01"  # after every event
    assert phony_pdl.load(spec).generate()["e"].equals(whole)


@pytest.mark.parametrize(
    ("end", "code", "message", "hint", "column_"),
    [
        (
            "tickets.closed_bye",
            "unknown-field",
            "timeline end 'tickets.closed_bye' is not a field of 'tickets'",
            "did you mean 'closed_by'?",
            12,
        ),
        (
            "tickets.id",
            "type-mismatch",
            "timeline end 'tickets.id' is int, not a date or datetime",
            None,
            12,
        ),
        (
            "ticket_events.at",
            "bad-timeline",
            "timeline end 'ticket_events.at' must be a field of 'tickets'",
            None,
            12,
        ),
        (
            "closed_by",
            "invalid-value",
            "timeline end 'closed_by' is neither `tickets.field` nor a date",
            "did you mean 'tickets.closed_by'? a timeline bound names its entity",
            12,
        ),
    ],
)
def test_a_bad_end_is_reported_where_it_is_written(
    end: str, code: str, message: str, hint: str | None, column_: int
) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(desk(None, end), name="desk.yaml")
    (diag,) = exc.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == (code, message, hint)
    assert str(diag.span) == f"desk.yaml:15:{column_}"


def test_paths_past_their_end_stop_walking() -> None:
    """A path whose next event is after its end is not walked further: the walk of parents
    that all have an end stops near the longest kept path, not at max_steps."""
    schema = phony_pdl.load(end_schema(parents=8))
    ds = schema.generate()
    plan = ds.plan
    ended = np.flatnonzero([t is not None for t in ds["p"].column("t1").to_pylist()])
    _, _, lengths, carry = plan.timelines["e"].walk(Columns(plan), ended)
    assert not carry.live.any()
    assert lengths.max() < carry.step < 2 * lengths.max() + 16  # chunks double in width
    assert carry.step < 3000


def test_a_last_state_is_nullable_when_end_can_leave_a_parent_without_events() -> None:
    from phony_pdl.sql.ddl import tables

    def nullable(end: str | None) -> bool:
        plan = phony_pdl.load(desk(None, end, aggregates=True)).generate().plan
        (ticket_table,) = [
            t for t in tables(plan, ["tickets", "ticket_events"]) if t.name == "tickets"
        ]
        return {c.name: c.nullable for c in ticket_table.columns}["now"]

    assert nullable(None) is False
    assert nullable("tickets.closed_by") is True
    ds = phony_pdl.load(desk(None, "tickets.closed_by", aggregates=True)).generate()
    assert ds["tickets"].column("now").null_count > 0
