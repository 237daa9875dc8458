"""`phony infer` learns event tables as timelines (phony_pdl/infer/timelines.py)."""

from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import yaml

import phony_pdl
from phony_pdl.durations import parse_duration
from phony_pdl.infer import infer

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop.yaml"


def _paths(events: pa.Table, orders: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order row, state, time in µs) of every event, by order and then row order."""
    keys = orders["id"].to_numpy()
    row = np.searchsorted(keys, events["order_id"].to_numpy())
    assert np.array_equal(keys[row], events["order_id"].to_numpy())
    order = np.argsort(row, kind="stable")
    state = np.asarray(events["state"].to_pylist(), dtype=object)[order]
    at = events["at"].cast(pa.int64()).to_numpy()[order]
    return row[order], state, at


def _shares(events: pa.Table, orders: pa.Table) -> tuple[dict[str, float], dict]:
    """Share of paths starting in each state, and s → t shares per state (with `end`)."""
    row, state, _ = _paths(events, orders)
    first = np.r_[True, row[1:] != row[:-1]]
    last = np.r_[first[1:], True]
    starts = {s: float(np.mean(state[first] == s)) for s in set(state[first].tolist())}
    moves: dict[str, dict[str, int]] = {}
    for a, b in zip(state[:-1][~first[1:]].tolist(), state[1:][~first[1:]].tolist(), strict=True):
        moves.setdefault(a, {}).setdefault(b, 0)
        moves[a][b] += 1
    for s in state[last].tolist():
        moves.setdefault(s, {}).setdefault("end", 0)
        moves[s]["end"] += 1
    shares = {a: {b: c / sum(m.values()) for b, c in m.items()} for a, m in moves.items()}
    return starts, shares


@pytest.fixture(scope="module")
def shop():
    real = phony_pdl.load(SHOP).generate(scale=2)
    learnt = infer({name: real[name] for name in real}, name="shop")
    return real, learnt, learnt.schema().generate(seed=5, scale=2)


def test_shop_events_are_learnt_as_the_example_timeline(shop) -> None:
    """examples/shop.yaml's order_events (6,000 orders at scale 2) come back as a timeline:
    the same start, initial state and states, each probability within 0.02 of the example
    (terminal states keep no `next`: no `end` is learnt where every path stops), and the
    `after` families and parameters within 10 % (the two rarest states, on 170 and 500
    gaps, within 30 %)."""
    _, learnt, _ = shop
    example = yaml.safe_load(SHOP.read_text())["entities"]["order_events"]["timeline"]
    entity = learnt.document["entities"]["order_events"]
    assert "count" not in entity
    tl = entity["timeline"]
    assert (tl["for"], tl["start"], tl["initial"]) == ("orders", "orders.placed_at", "created")
    assert "max_steps" not in tl
    assert list(tl["states"]) == [
        "created",
        "paid",
        "cancelled",
        "shipped",
        "refunded",
        "delivered",
    ]
    for name, state in example["states"].items():
        learnt_next = tl["states"][name].get("next")
        if "next" not in state:
            assert learnt_next is None, name
            continue
        assert set(learnt_next) == set(state["next"]), name
        assert sum(learnt_next.values()) == pytest.approx(1, abs=1e-12)
        for target, p in state["next"].items():
            assert abs(learnt_next[target] - p) < 0.02, (name, target)
    assert "after" not in tl["states"]["created"]  # the first event is at `start` itself

    def after(name: str) -> dict:
        return tl["states"][name]["after"]

    for name, family, key, expected, tolerance in (
        ("paid", "exponential", "mean", 2 * 3600, 0.1),
        ("shipped", "lognormal", "median", 86400, 0.1),
        ("delivered", "lognormal", "median", 3 * 86400, 0.1),
        ("cancelled", "exponential", "mean", 3600, 0.3),
        ("refunded", "exponential", "mean", 5 * 86400, 0.3),
    ):
        assert after(name)["distribution"] == family, name
        assert abs(parse_duration(after(name)[key]) / expected - 1) < tolerance, name
    assert abs(after("shipped")["sigma"] / 0.6 - 1) < 0.1
    assert abs(after("delivered")["sigma"] / 0.4 - 1) < 0.1
    fields = entity["fields"]
    assert fields["state"] == {"timeline": "state"} and fields["at"] == {"timeline": "time"}
    assert fields["order_id"] == {"ref": "orders.id"} and fields["id"] == {"sequence": 1}
    orders = learnt.document["entities"]["orders"]["fields"]
    assert orders["status"] == {"aggregate": "last(order_events.state)"}


def test_shop_timeline_comments_give_the_evidence(shop) -> None:
    """The YAML says which paths were seen, how many start at `initial` and how far the
    first event is from `start`; the text loads to the same document."""
    _, learnt, _ = shop
    block = learnt.text.split("\n  order_events:\n", 1)[1]
    lines = block.splitlines()
    assert lines[0].startswith("    timeline:  # ")
    assert "rows of orders, by at within each; 3 distinct paths, most common: " in lines[0]
    assert "created → paid → shipped → delivered (8" in lines[0]
    start = next(x for x in lines if x.lstrip().startswith("start:"))
    assert "at or after placed_at on 100.0% of the" in start and "median gap 0" in start
    initial = next(x for x in lines if x.lstrip().startswith("initial:"))
    assert "100.0% of the" in initial and "paths start here" in initial
    written = yaml.safe_load(learnt.text)["entities"]["order_events"]["timeline"]
    assert written == learnt.document["entities"]["order_events"]["timeline"]


def test_shop_events_generated_from_the_learnt_timeline_follow_each_other(shop) -> None:
    """The data made from the inferred schema walks the same paths: every order's first
    event is `created` at its placed_at, times never go back within an order, the share of
    each move is within 0.02 of the original data's, and each order's status is its last
    event's state."""
    real, _, out = shop
    real_starts, real_moves = _shares(real["order_events"], real["orders"])
    starts, moves = _shares(out["order_events"], out["orders"])
    assert real_starts == {"created": 1.0} and starts == {"created": 1.0}
    assert set(moves) == set(real_moves)
    for a, row in real_moves.items():
        assert set(moves[a]) == set(row), a
        for b, share in row.items():
            assert abs(moves[a][b] - share) < 0.02, (a, b)

    orders, events = out["orders"], out["order_events"]
    row, state, at = _paths(events, orders)
    first = np.r_[True, row[1:] != row[:-1]]
    assert np.all(np.diff(at)[~first[1:]] >= 0)  # no event before the one before it
    placed = orders["placed_at"].cast(pa.int64()).to_numpy()
    assert np.array_equal(at[first], placed[row[first]])
    last = np.r_[first[1:], True]
    status = np.asarray(orders["status"].to_pylist(), dtype=object)
    assert np.array_equal(state[last], status[row[last]])
    assert len(np.unique(row)) == len(orders)  # every order has its events


RETURNS = """
pdl: 1
name: returns
seed: 7
entities:
  orders:
    count: 3000
    fields:
      id:        { sequence: 1 }
      placed_at: { type: datetime, between: [2024-01-01, 2024-12-31] }
  order_events:
    timeline:
      for: orders
      start: orders.placed_at
      initial: placed
      states:
        placed:    { next: { delivered: 1 } }
        delivered: { next: { returned: 0.1, end: 0.9 }, after: { distribution: exponential, mean: 2d } }
        returned:  { after: { distribution: exponential, mean: 10d } }
    fields:
      order_id: { ref: orders.id }
      step:     { timeline: step }
      state:    { timeline: state }
      at:       { timeline: time }
"""


def test_a_state_some_paths_stop_at_gets_end_and_a_step_column_is_the_step() -> None:
    """`delivered` ends 90 % of the paths and goes on to `returned` for 10 %: infer writes
    `next: {returned: ~0.1, end: ~0.9}`, and the column numbering each order's events
    1, 2, … is `timeline: step`."""
    real = phony_pdl.load(RETURNS).generate()
    learnt = infer({name: real[name] for name in real}, name="returns")
    entity = learnt.document["entities"]["order_events"]
    tl = entity["timeline"]
    assert tl["initial"] == "placed" and tl["start"] == "orders.placed_at"
    assert tl["states"]["placed"] == {"next": {"delivered": 1}}
    delivered = tl["states"]["delivered"]["next"]
    assert list(delivered) == ["returned", "end"]  # as the spec writes it: `end` last
    assert abs(delivered["returned"] - 0.1) < 0.02 and delivered["end"] + delivered[
        "returned"
    ] == pytest.approx(1, abs=1e-12)
    assert "next" not in tl["states"]["returned"]
    assert entity["fields"]["step"] == {"timeline": "step"}
    out = learnt.schema().generate(seed=1)
    assert out["order_events"].num_rows > out["orders"].num_rows


def _events(rng: np.random.Generator, states: np.ndarray) -> dict[str, pa.Table]:
    """300 orders with 2-5 events each, one second to a day apart, after placed_at."""
    n = 300
    placed = np.datetime64("2024-01-01T00:00:00") + rng.integers(0, 300, n).astype("timedelta64[D]")
    per = rng.integers(2, 6, n)
    order = np.repeat(np.arange(n), per)
    start = np.r_[0, np.cumsum(per)[:-1]]
    gap = rng.integers(1, 86400, len(order)).astype("timedelta64[s]")
    steps = np.cumsum(gap.astype(np.int64)) - np.repeat(
        np.cumsum(gap.astype(np.int64))[start] - gap.astype(np.int64)[start], per
    )
    at = placed[order] + steps.astype("timedelta64[s]")
    orders = pa.table({"id": np.arange(1, n + 1), "placed_at": pa.array(placed, pa.timestamp("s"))})
    events = pa.table(
        {
            "id": np.arange(1, len(order) + 1),
            "order_id": order + 1,
            "state": np.resize(states, len(order)),
            "at": pa.array(at, pa.timestamp("s")),
        }
    )
    return {"orders": orders, "order_events": events}


def test_states_in_random_order_are_not_a_timeline() -> None:
    """A state column whose values follow each other at random within each order (no common
    first state) stays a `choice`, with the events counted per order."""
    rng = np.random.default_rng(11)
    states = rng.choice(["new", "open", "held", "done"], 2000)
    tables = _events(rng, states)
    learnt = infer(tables, name="random")
    entity = learnt.document["entities"]["order_events"]
    assert "timeline" not in entity and entity["count"]["per"] == "orders"
    assert "choice" in entity["fields"]["state"]


def test_events_before_every_parent_time_are_not_a_timeline() -> None:
    """Ordered paths from one first state, but no parent time at or before the first
    event: there is no `start`, so no timeline."""
    rng = np.random.default_rng(12)
    tables = _events(rng, np.array(["created"]))
    events = tables["order_events"]
    order = events["order_id"].to_numpy()
    first = np.r_[True, order[1:] != order[:-1]]
    state = pa.array(np.where(first, "created", "updated"))
    at = events["at"].cast(pa.int64()).to_numpy() - 400 * 86400  # before every placed_at
    events = events.set_column(2, "state", state)
    tables["order_events"] = events.set_column(3, "at", pa.array(at, pa.timestamp("s")))
    learnt = infer(tables, name="early")
    assert "timeline" not in learnt.document["entities"]["order_events"]
    # the same events after placed_at are one
    tables["order_events"] = tables["order_events"].set_column(
        3, "at", pa.array(at + 400 * 86400, pa.timestamp("s"))
    )
    learnt = infer(tables, name="ordered")
    entity = learnt.document["entities"]["order_events"]
    tl = entity["timeline"]
    # the first events come 1 s to a day after placed_at: the timeline starts at a hidden
    # time that far after it
    assert tl["initial"] == "created" and tl["start"] == "orders.order_events_start"
    start = learnt.document["entities"]["orders"]["fields"]["order_events_start"]
    assert start["after"] == "placed_at" and start["hidden"] is True
    assert 0 <= parse_duration(start["gap"]["min"]) < 600
    assert abs(parse_duration(start["gap"]["max"]) / 86400 - 1) < 0.01
    assert tl["states"]["created"]["next"] == {"updated": 1}
    assert tl["states"]["updated"]["next"]["end"] > 0.2  # 2-5 events per order
    assert entity["fields"]["at"] == {"timeline": "time", "round": 0}  # whole seconds


def test_events_in_any_row_order_are_the_same_timeline(shop) -> None:
    """The sample's rows need not be in event order (a database returns them as it likes):
    the paths are read by order, time and key, and `last(order_events.state)` in event
    order, which is the order PDL generates a timeline's rows in."""
    real, learnt, _ = shop
    events = real["order_events"]
    shuffled = events.take(np.random.default_rng(3).permutation(events.num_rows))
    again = infer({"orders": real["orders"], "order_events": shuffled}, name="shop")
    entity = again.document["entities"]["order_events"]
    assert entity["timeline"] == learnt.document["entities"]["order_events"]["timeline"]
    status = again.document["entities"]["orders"]["fields"]["status"]
    assert status == {"aggregate": "last(order_events.state)"}


LAGGED = """
pdl: 1
name: lagged
seed: 3
entities:
  tickets:
    count: 3000
    fields:
      id:         { sequence: 1 }
      created_at: { type: datetime, between: [2024-01-01, 2024-12-31], round: 0 }
      first_at:   { after: created_at, gap: { distribution: lognormal, median: 10m, sigma: 0.8 }, hidden: true }
  ticket_events:
    timeline:
      for: tickets
      start: tickets.first_at
      initial: opened
      states:
        opened:   { next: { answered: 0.8, closed: 0.2 } }
        answered: { next: { closed: 1 }, after: { distribution: exponential, mean: 4h } }
        closed:   { after: { distribution: lognormal, median: 1d, sigma: 0.5 } }
    fields:
      id:        { sequence: 1 }
      ticket_id: { ref: tickets.id }
      state:     { timeline: state }
      at:        { timeline: time, round: 0 }
  customers:
    count: 1500
    fields:
      id:        { sequence: 1 }
      signed_up: { type: datetime, between: [2023-01-01, 2024-12-31], round: 0 }
  subscription_events:
    timeline:
      for: customers
      start: customers.signed_up
      initial: trial
      max_steps: 40
      states:
        trial:   { next: { paid: 0.8, end: 0.2 } }
        paid:    { next: { renewed: 0.9, end: 0.1 }, after: 14d }
        renewed: { next: { renewed: 0.92, end: 0.08 }, after: 1 month, delay: { min: 0h, max: 3d } }
    fields:
      id:          { sequence: 1 }
      customer_id: { ref: customers.id }
      state:       { timeline: state }
      at:          { timeline: time, round: 0 }
"""


@pytest.fixture(scope="module")
def lagged():
    real = phony_pdl.load(LAGGED).generate()
    learnt = infer({name: real[name] for name in real}, name="lagged")
    return real, learnt, learnt.schema().generate(seed=5)


def _first_lags(data: dict[str, pa.Table]) -> np.ndarray:
    """Seconds from each ticket's created_at to its first event."""
    tickets, events = data["tickets"], data["ticket_events"]
    created = tickets["created_at"].cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()
    ids = events["ticket_id"].to_numpy()
    first = np.r_[True, ids[1:] != ids[:-1]]  # a timeline's rows are laid out by parent
    at = events["at"].cast(pa.timestamp("us")).cast(pa.int64()).to_numpy()[first]
    return (at - created[np.searchsorted(tickets["id"].to_numpy(), ids[first])]) / 1e6


def test_a_first_event_after_the_parent_time_starts_at_a_hidden_field(lagged) -> None:
    """Tickets whose first event comes a lognormal 10 minutes (sigma 0.8) after created_at:
    the timeline starts at a hidden `ticket_events_start`, created_at + a lognormal gap
    with median and sigma within 10 %, written after created_at; the generated first
    events lag created_at by a median within 10 % of the sample's, and the tickets' files
    have the sample's columns only."""
    real, learnt, out = lagged
    tl = learnt.document["entities"]["ticket_events"]["timeline"]
    assert tl["start"] == "tickets.ticket_events_start"
    fields = learnt.document["entities"]["tickets"]["fields"]
    assert list(fields)[:3] == ["id", "created_at", "ticket_events_start"]
    start = fields["ticket_events_start"]
    assert start["after"] == "created_at" and start["hidden"] is True
    gap = start["gap"]
    assert gap["distribution"] == "lognormal"
    assert abs(parse_duration(gap["median"]) / 600 - 1) < 0.1
    assert abs(gap["sigma"] / 0.8 - 1) < 0.1
    assert "created_at + that gap, a hidden field" in learnt.text
    real_lags, lags = _first_lags(real), _first_lags(out)
    assert np.all(real_lags > 0) and np.all(lags >= 0)
    assert abs(np.median(real_lags) / 600 - 1) < 0.1  # the sample's: 10 minutes
    assert abs(np.median(lags) / np.median(real_lags) - 1) < 0.1
    assert out["tickets"].column_names == ["id", "created_at"]
    # the subscriptions' first events are at signed_up: that start is unchanged
    subs = learnt.document["entities"]["subscription_events"]["timeline"]
    assert subs["start"] == "customers.signed_up"
    assert list(learnt.document["entities"]["customers"]["fields"]) == ["id", "signed_up"]


def _month_schedule(data: dict[str, pa.Table]) -> tuple[np.ndarray, np.ndarray]:
    """For every `renewed` event: the scheduled time by the spec's rule (months counted
    from the `paid` event, on its day of the month or the month's last day) and the
    event's time, in µs, worked out with the standard library."""
    events = data["subscription_events"]
    ids = events["customer_id"].to_pylist()
    states = events["state"].to_pylist()
    times = events["at"].to_pylist()
    scheduled, actual = [], []
    anchor, months = None, 0
    for i, (who, state, at) in enumerate(zip(ids, states, times, strict=True)):
        if i == 0 or who != ids[i - 1] or state != "renewed":
            anchor, months = at, 0
            continue
        months += 1
        index = anchor.month - 1 + months
        year, month = anchor.year + index // 12, index % 12 + 1
        day = min(anchor.day, calendar.monthrange(year, month)[1])
        scheduled.append(anchor.replace(year=year, month=month, day=day))
        actual.append(at)
    to_us = np.array(scheduled, dtype="datetime64[us]").astype(np.int64)
    return to_us, np.array(actual, dtype="datetime64[us]").astype(np.int64)


def test_renewals_on_calendar_months_are_learnt_as_a_month_step_with_a_delay(lagged) -> None:
    """Renewals a calendar month apart from the paid date (Jan 31 → Feb 29 → Mar 31), each
    up to 3 days late: `renewed` gets `after: 1 month` and a uniform `delay` from about 0
    to 3 days (within 1 %); the generated renewals all fall on the calendar-month schedule,
    at most the learnt delay after the day."""
    real, learnt, out = lagged
    states = learnt.document["entities"]["subscription_events"]["timeline"]["states"]
    renewed = states["renewed"]
    assert renewed["after"] == "1 month"
    delay = renewed["delay"]
    assert "distribution" not in delay  # {min, max}: uniform
    assert 0 <= parse_duration(delay["min"]) < 600
    assert abs(parse_duration(delay["max"]) / (3 * 86400) - 1) < 0.01
    assert abs(renewed["next"]["renewed"] - 0.92) < 0.02
    assert states["paid"]["after"] == "2w"
    scheduled, at = _month_schedule(real)
    assert np.all((at >= scheduled) & (at <= scheduled + 3 * 86400 * 10**6))
    scheduled, at = _month_schedule(out)
    assert len(at) > 5000
    late = at - scheduled
    assert np.all((late >= 0) & (late <= parse_duration(delay["max"]) * 1e6))
    # the anchor day comes back after a shorter month: not a month from the renewal before
    days = np.array(scheduled, dtype="datetime64[us]").astype("datetime64[D]")
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    assert (day_of_month == 31).sum() > 50


def test_a_fixed_30_day_step_is_not_a_calendar_month() -> None:
    """Renewals exactly 30 days apart drift off any day of the month: `after` stays `30d`."""
    text = LAGGED.replace("after: 1 month, delay: { min: 0h, max: 3d }", "after: 30d")
    real = phony_pdl.load(text).generate()
    learnt = infer({name: real[name] for name in real}, name="fixed")
    states = learnt.document["entities"]["subscription_events"]["timeline"]["states"]
    assert abs(parse_duration(states["renewed"]["after"]) / (30 * 86400) - 1) < 1e-4
    assert "delay" not in states["renewed"]


def test_yearly_renewals_of_the_saas_example_come_back_as_one_year() -> None:
    """examples/saas.yaml renews on the anniversary (`after: 1 year`, entered from states
    with duration steps): infer finds `1 year`, every renewal exactly on it, no delay."""
    real = phony_pdl.load(ROOT / "examples" / "saas.yaml").generate()
    learnt = infer({name: real[name] for name in real}, name="saas")
    renewed = learnt.document["entities"]["subscription_events"]["timeline"]["states"]["renewed"]
    assert renewed["after"] == "1 year" and "delay" not in renewed
    assert "100.0% exactly on it" in learnt.text


def test_first_events_at_the_parent_time_on_most_parents_keep_it_as_the_start(lagged) -> None:
    """The first event after created_at on 30 % of the tickets only (at it on the others):
    the timeline starts at created_at, as before, the comment giving the median gap, 0."""
    real, _, _ = lagged
    tickets, events = real["tickets"], real["ticket_events"]
    ids = events["ticket_id"].to_numpy()
    first = np.r_[True, ids[1:] != ids[:-1]]
    at = events["at"].cast(pa.int64()).to_numpy()[first]  # by ticket id: laid out in order
    created = tickets["created_at"].cast(pa.int64()).to_numpy()
    lagging = np.arange(len(created)) % 10 < 3
    created = np.where(lagging, created, at)
    tickets = tickets.set_column(1, "created_at", pa.array(created, tickets["created_at"].type))
    learnt = infer({"tickets": tickets, "ticket_events": events}, name="mostly_on_time")
    assert learnt.document["entities"]["ticket_events"]["timeline"]["start"] == (
        "tickets.created_at"
    )
    assert list(learnt.document["entities"]["tickets"]["fields"]) == ["id", "created_at"]
    assert "at or after created_at on 100.0% of the 3,000 parents with events, median gap 0" in (
        learnt.text
    )
    assert "hidden" not in learnt.text


def test_the_hidden_start_takes_a_name_no_parent_column_has(lagged) -> None:
    """A tickets column already named `Ticket_Events_Start` (in any case): the hidden start
    is `ticket_events_start_2`."""
    real, _, _ = lagged
    tickets = real["tickets"].append_column("Ticket_Events_Start", pa.array(np.arange(3000) % 7))
    learnt = infer({"tickets": tickets, "ticket_events": real["ticket_events"]}, name="taken")
    tl = learnt.document["entities"]["ticket_events"]["timeline"]
    assert tl["start"] == "tickets.ticket_events_start_2"
    fields = learnt.document["entities"]["tickets"]["fields"]
    assert fields["ticket_events_start_2"]["hidden"] is True and "Ticket_Events_Start" in fields
