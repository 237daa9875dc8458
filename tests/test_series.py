"""Series entities and timeline calendars: counts, order, values and calendars hold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl import SchemaError

from .conftest import ROOT


def series_schema(**series) -> dict:
    return {
        "pdl": 1,
        "name": "s",
        "entities": {
            "p": {
                "count": 30,
                "fields": {
                    "id": {"sequence": 1},
                    "t0": {"type": "datetime", "between": ["2024-01-01", "2024-01-10"]},
                    "t1": {"after": "t0", "gap": {"min": "1d", "max": "5d"}},
                },
            },
            "e": {
                "series": {"for": "p", "start": "p.t0", "end": "p.t1", **series},
                "fields": {
                    "p_id": {"ref": "p.id"},
                    "at": {"series": "time"},
                    "k": {"series": "step"},
                    "v": {"series": "value", "model": "ar1", "mean": 10, "sd": 1, "phi": 0.8},
                },
            },
        },
    }


@settings(max_examples=12, deadline=None)
@given(
    st.sampled_from(
        [
            {"every": "1h"},
            {"every": "2h", "jitter": "10m"},
            {"poisson": "3h"},
            {"every": "30m", "churn": 0.05},
        ]
    ),
    st.integers(0, 2**31),
)
def test_series_invariants(series: dict, seed: int) -> None:
    spec = series_schema(**series)
    spec["seed"] = seed
    schema = phony_pdl.load(spec)
    ds = schema.generate()
    parents = {r["id"]: r for r in ds["p"].to_pylist()}
    last: dict[int, tuple] = {}
    for row in ds["e"].to_pylist():
        parent = parents[row["p_id"]]
        slack = dt.timedelta(minutes=10) if "jitter" in series else dt.timedelta(0)
        assert parent["t0"] - slack <= row["at"] <= parent["t1"] + slack
        if row["p_id"] in last:
            assert row["at"] >= last[row["p_id"]][0] and row["k"] == last[row["p_id"]][1] + 1
        else:
            assert row["k"] == 1
        last[row["p_id"]] = (row["at"], row["k"])
    assert schema.generate(block_rows=17)["e"].equals(ds["e"])


def test_fixed_interval_counts_and_ar1_persistence() -> None:
    spec = series_schema(every="10m")
    spec["entities"]["p"]["count"] = 5
    ds = phony_pdl.load(spec).generate()
    e = ds["e"].to_pydict()
    for row in ds["p"].to_pylist():
        n = sum(1 for p in e["p_id"] if p == row["id"])
        assert n == int((row["t1"] - row["t0"]) / dt.timedelta(minutes=10)) + 1
    v = np.array(e["v"])
    same = np.array(e["p_id"][1:]) == np.array(e["p_id"][:-1])
    lag1 = np.corrcoef(v[:-1][same], v[1:][same])[0, 1]
    assert abs(lag1 - 0.8) < 0.05
    assert abs(v.mean() - 10) < 0.5


def test_daily_cycle_peaks_at_the_requested_hour() -> None:
    t = phony_pdl.load(ROOT / "examples" / "iot.yaml").generate()["readings"].to_pydict()
    hours = np.array([a.hour for a in t["at"]])
    temps = np.array(t["temperature"])
    by_hour = [temps[hours == h].mean() for h in range(24)]
    assert int(np.argmax(by_hour)) in (14, 15, 16)
    assert int(np.argmin(by_hour)) in (2, 3, 4)


def test_poisson_counts_match_the_rate() -> None:
    spec = series_schema(poisson="1h")
    spec["entities"]["p"]["count"] = 300
    ds = phony_pdl.load(spec).generate()
    expected = sum((r["t1"] - r["t0"]) / dt.timedelta(hours=1) for r in ds["p"].to_pylist())
    assert abs(ds["e"].num_rows - expected) < 4 * np.sqrt(expected)


@pytest.mark.parametrize(
    ("series", "code"),
    [
        ({"every": "1h", "poisson": "1h"}, "missing-key"),
        ({}, "missing-key"),
        ({"every": "1h", "jitter": "40m"}, "invalid-value"),
        ({"every": "soon"}, "bad-duration"),
        ({"poisson": "1h", "churn": 1.5}, "invalid-value"),
    ],
)
def test_series_validation(series: dict, code: str) -> None:
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(series_schema(**series))
    assert code in exc.value.codes


def test_series_value_params_are_checked() -> None:
    spec = series_schema(every="1h")
    spec["entities"]["e"]["fields"]["v"]["phi"] = 1.2
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    assert exc.value.codes == ["bad-distribution-param"]
    spec["entities"]["e"]["fields"]["v"]["phi"] = 0.5
    spec["entities"]["e"]["fields"]["v"]["colour"] = "red"
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(spec)
    assert exc.value.codes == ["unknown-key"]


def test_timeline_calendar_keeps_order_and_windows() -> None:
    states = {
        "open": {"next": {"work": 1}, "after": {"distribution": "exponential", "mean": "5h"}},
        "work": {"next": {"done": 1}, "after": {"distribution": "exponential", "mean": "20h"}},
        "done": {"after": {"distribution": "exponential", "mean": "10h"}},
    }
    spec = {
        "pdl": 1,
        "name": "cal",
        "entities": {
            "t": {"count": 400, "fields": {"id": {"sequence": 1}, "t0": {"type": "datetime"}}},
            "ev": {
                "timeline": {
                    "for": "t",
                    "start": "t.t0",
                    "initial": "open",
                    "states": states,
                    "calendar": {"weekdays": True, "hours": [9, 17]},
                },
                "fields": {"t_id": {"ref": "t.id"}, "at": {"timeline": "time"}},
            },
        },
    }
    ev = phony_pdl.load(spec).generate()["ev"].to_pydict()
    for at in ev["at"]:
        assert at.weekday() < 5 and 9 <= at.hour < 17
    for (p1, a1), (p2, a2) in zip(
        zip(ev["t_id"], ev["at"], strict=False),
        zip(ev["t_id"][1:], ev["at"][1:], strict=False),
        strict=False,
    ):
        if p1 == p2:
            assert a2 >= a1


def test_null_start_means_no_series_and_calendar_hours_are_checked() -> None:
    spec = series_schema(every="6h")
    spec["entities"]["p"]["fields"]["t0"]["null_rate"] = 0.5
    ds = phony_pdl.load(spec).generate()
    no_start = {r["id"] for r in ds["p"].to_pylist() if r["t0"] is None}
    assert no_start and not no_start & set(ds["e"].column("p_id").to_pylist())
    bad = {
        "pdl": 1,
        "name": "c",
        "entities": {
            "t": {"count": 1, "fields": {"id": {"sequence": 1}, "t0": {"type": "datetime"}}},
            "ev": {
                "timeline": {
                    "for": "t",
                    "start": "t.t0",
                    "initial": "a",
                    "states": {"a": {}},
                    "calendar": {"hours": [17, 9]},
                },
                "fields": {"t_id": {"ref": "t.id"}},
            },
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(bad)
    assert exc.value.codes == ["invalid-value"]


def test_ar1_filter_equals_the_recursion_bit_for_bit() -> None:
    """The AR(1) deviations come from scipy's IIR filter; they must be the recursion
    d_j = phi·d_{j-1} + e_j (d_0 = e_0 / sqrt(1 - phi²)) to the last bit, for uneven groups."""
    from types import SimpleNamespace

    import numpy as np

    from phony_pdl.engine.series import _ar1

    rng = np.random.default_rng(7)
    sizes = np.array([1, 5, 300, 2, 77])
    group = np.repeat(np.arange(len(sizes)), sizes)
    position = np.concatenate([np.arange(k) for k in sizes])
    shocks = rng.normal(0, 3, len(group))
    phi = -0.83
    expected = np.empty(len(group))
    start = 0
    for k in sizes:
        d = shocks[start] / np.sqrt(1 - phi * phi)
        expected[start] = d
        for j in range(1, k):
            d = phi * d + shocks[start + j]
            expected[start + j] = d
        start += k
    got = _ar1(shocks, SimpleNamespace(sizes=sizes, group=group, position=position), phi)
    assert np.array_equal(got, expected)


def test_long_series_do_not_depend_on_blocks_or_workers(tmp_path) -> None:
    """A series longer than a block is computed in pieces from checkpoints of its running
    sums (Poisson times, random walk, AR(1)); the bytes are those of the whole series."""
    spec = series_schema(poisson="1m", max_events=100_000)
    spec["entities"]["p"]["count"] = 3
    spec["entities"]["p"]["fields"]["t1"]["gap"] = {"min": "10d", "max": "20d"}
    spec["entities"]["e"]["fields"]["w"] = {
        "series": "value", "model": "random_walk", "sd": 1, "daily": 2, "noise": 0.5,
    }  # fmt: skip
    schema = phony_pdl.load(spec)
    whole = schema.generate()["e"]  # each series in one piece
    assert whole.num_rows > 3 * 14_000
    assert schema.generate(block_rows=1000)["e"].equals(whole)  # pieces of 4,096
    one = schema.generate(block_rows=1000).write(tmp_path / "w1", format="csv", workers=1)
    two = schema.generate(block_rows=1000).write(tmp_path / "w2", format="csv", workers=2)
    assert one.entities["e"].sha256 == two.entities["e"].sha256


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=6),
    st.one_of(st.none(), st.floats(-0.99, 0.99)),
    st.integers(0, 2**31),
)
def test_accumulating_in_pieces_equals_the_whole_bit_for_bit(
    pieces: list[int], phi: float | None, seed: int
) -> None:
    from types import SimpleNamespace

    from phony_pdl.engine.series import _accumulate, _ar1

    x = np.random.default_rng(seed).normal(0, 3, sum(pieces))
    n = len(x)
    one = SimpleNamespace(sizes=np.array([n]), group=np.zeros(n, int), position=np.arange(n))
    whole = np.cumsum(x) if phi is None else _ar1(x, one, phi)
    parts, carry, at = [], None, 0
    for size in pieces:
        values, carry = _accumulate(x[at : at + size], carry, phi)
        parts.append(values)
        at += size
    assert np.array_equal(np.concatenate(parts), whole)


def test_fields_reading_calendar_times_see_the_moved_times() -> None:
    """A user-journey report had invoices dated before a calendar timeline's events: every
    reader of the events' times sees what the event file shows; what stays put is the
    parent's `start` field, which the calendar does not move (spec: Calendar)."""
    spec = {
        "pdl": 1,
        "name": "cal_readers",
        "seed": 42,
        "entities": {
            "t": {
                "count": 300,
                "fields": {
                    "id": {"sequence": 1},
                    "t0": {"type": "datetime", "between": ["2024-03-01", "2024-03-31"]},
                    "last_at": {"aggregate": "max(ev.at)"},
                },
            },
            "ev": {
                "timeline": {
                    "for": "t",
                    "start": "t.t0",
                    "initial": "open",
                    "calendar": {"weekdays": True, "hours": [9, 17]},
                    "states": {
                        "open": {"next": {"done": 1}},
                        "done": {"after": {"distribution": "exponential", "mean": "10h"}},
                    },
                },
                "fields": {
                    "id": {"sequence": 1},
                    "t_id": {"ref": "t.id"},
                    "at": {"timeline": "time"},
                    "prev_at": {"expr": "LAG(at) OVER (PARTITION BY t_id ORDER BY id)"},
                },
            },
            "note": {
                "count": {"per": "ev", "const": 1},
                "fields": {
                    "ev_id": {"ref": "ev.id"},
                    "ev_at": {"from": "ev_id.at"},
                    "just_after": {"after": "ev_id.at", "gap": "1s"},
                },
            },
            "invoice": {
                "count": {"per": "t", "const": 1},
                "fields": {
                    "t_id": {"ref": "t.id"},
                    "after_start": {"after": "t_id.t0", "gap": "1s"},
                    "after_events": {"after": "t_id.last_at", "gap": "1s"},
                },
            },
        },
    }
    ds = phony_pdl.load(spec).generate()
    t, ev = ds["t"].to_pydict(), ds["ev"].to_pydict()
    at = dict(zip(ev["id"], ev["at"], strict=True))
    note = ds["note"].to_pydict()
    assert note["ev_at"] == [at[i] for i in note["ev_id"]]
    assert note["just_after"] == [at[i] + dt.timedelta(seconds=1) for i in note["ev_id"]]
    last: dict[int, dt.datetime] = {}
    for parent, when, prev in zip(ev["t_id"], ev["at"], ev["prev_at"], strict=True):
        assert prev == last.get(parent)
        last[parent] = when
    assert t["last_at"] == [last[i] for i in t["id"]]
    inv = ds["invoice"].to_pydict()
    second = dt.timedelta(seconds=1)
    start = dict(zip(t["id"], t["t0"], strict=True))
    assert inv["after_start"] == [start[i] + second for i in inv["t_id"]]
    assert inv["after_events"] == [last[i] + second for i in inv["t_id"]]
    # the start field is not moved: some events come after it only by the move, none before
    first = {p: ev["at"][ev["t_id"].index(p)] for p in t["id"]}
    assert all(first[p] >= start[p] for p in t["id"])
    assert any(first[p] > start[p] for p in t["id"])


def test_series_columns_are_not_null_in_the_ddl_unless_they_can_be() -> None:
    """Series time, step and value columns are always set, as a timeline's are, but the
    DDL left them nullable (`"at" TIMESTAMP`), so a database could not rely on them."""
    from phony_pdl.sql.ddl import tables

    text = (ROOT / "examples" / "iot.yaml").read_text(encoding="utf-8")
    temperature = "      temperature: { series: value,"
    assert temperature in text
    text = text.replace(
        temperature, "      humid: { series: value, null_rate: 0.1 }\n" + temperature
    )
    plan = phony_pdl.load(text).generate().plan
    (readings,) = tables(plan, ["readings"])
    nullable = {c.name: c.nullable for c in readings.columns}
    assert nullable == {
        "device_id": False,
        "at": False,
        "seq": False,
        "humid": True,
        "temperature": False,
    }


@pytest.mark.parametrize(("written", "shown"), [("0", "0"), ("0.0", "0"), ("0s", "0s")])
def test_a_zero_interval_is_quoted_as_written(written: str, shown: str) -> None:
    """`every: 0` was reported as `every=0.0` (the number after parsing)."""
    source = f"""pdl: 1
name: zero
entities:
  d:
    count: 2
    fields:
      id: {{ sequence: 1 }}
  r:
    series: {{ for: d, start: 2024-01-01, end: 2024-01-02, every: {written} }}
    fields:
      d_id: {{ ref: d.id }}
"""
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(source, name="zero.yaml")
    (diag,) = exc.value.diagnostics
    assert diag.code == "bad-duration"
    assert diag.message == f"every={shown} must be longer than zero"
    assert str(diag.span) == "zero.yaml:9:66"
