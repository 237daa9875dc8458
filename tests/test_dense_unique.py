"""Composite unique constraints that take most of their combinations are drawn jointly."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.errors import GenerationError


def _panel(count: int, firms: int = 10, years: int = 20, weights: bool = False) -> dict:
    labels = [f"F{i}" for i in range(firms)]
    choice = {label: (9 if i == 0 else 1) for i, label in enumerate(labels)} if weights else labels
    return {
        "pdl": 1,
        "name": "panel",
        "entities": {
            "g": {
                "count": count,
                "unique": [["firm", "year"]],
                "fields": {
                    "firm": {"choice": choice},
                    "year": {"type": "int", "min": 2000, "max": 2000 + years - 1},
                    "invest": {"distribution": "lognormal", "median": 50, "sigma": 1},
                },
            }
        },
    }


def _pairs(table, a: str, b: str) -> list[tuple]:
    return list(zip(table[a].to_pylist(), table[b].to_pylist(), strict=True))


def test_every_combination_once_when_rows_equal_the_combinations() -> None:
    # 10 firms × 20 years for 200 rows: redrawing the year could not do it (an error before).
    schema = phony_pdl.load(_panel(200))
    table = schema.generate()["g"]
    pairs = _pairs(table, "firm", "year")
    assert len(set(pairs)) == 200
    assert set(Counter(table["firm"].to_pylist()).values()) == {20}
    for block_rows in (7, 64):  # any block size, same rows
        assert schema.generate(block_rows=block_rows)["g"].equals(table)


def test_sparse_constraints_keep_redrawing_and_their_weights() -> None:
    # 60 of 2,000 combinations, the heaviest firm's ~30 rows well within 200 years: the last
    # member is redrawn and the weights hold.
    table = phony_pdl.load(_panel(60, years=200, weights=True)).generate(seed=2)["g"]
    assert len(set(_pairs(table, "firm", "year"))) == 60
    share = Counter(table["firm"].to_pylist())["F0"] / 60
    assert share > 0.35  # weight 9 of 18: drawn jointly it would be about 0.1


def _readings(days: int, low: int, high: int | None = None) -> dict:
    count = (
        {"per": "devices", "min": low, "max": high}
        if high is not None
        else {"per": "devices", "distribution": "poisson", "mean": low}
    )
    return {
        "pdl": 1,
        "name": "iot",
        "entities": {
            "devices": {"count": 150, "fields": {"id": {"sequence": 1}}},
            "readings": {
                "count": count,
                "unique": [["device_id", "day"]],
                "fields": {
                    "device_id": {"ref": "devices.id"},
                    "day": {"type": "date", "between": ["2024-06-01", f"2024-06-{days:02d}"]},
                },
            },
        },
    }


def test_per_parent_days_are_distinct_within_each_parent() -> None:
    schema = phony_pdl.load(_readings(30, 20, 30))
    table = schema.generate()["readings"]
    pairs = _pairs(table, "device_id", "day")
    assert len(set(pairs)) == len(pairs) > 150 * 20
    days = {d.isoformat() for d in table["day"].to_pylist()}
    assert min(days) == "2024-06-01" and max(days) == "2024-06-30"
    assert schema.generate(block_rows=100)["readings"].equals(table)


def test_a_parent_with_more_children_than_combinations_is_named() -> None:
    # a Poisson count has no bound validation could compare; some device gets > 12 readings
    schema = phony_pdl.load(_readings(12, 10))
    with pytest.raises(GenerationError, match=r"readings\.\(device_id, day\): a parent has more"):
        schema.generate()["readings"]


@settings(max_examples=60, deadline=None, derandomize=True)  # same examples in every run
@given(
    firms=st.integers(1, 12),
    years=st.integers(2, 15),
    fill=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**31),
)
def test_dense_groups_are_always_distinct(firms: int, years: int, fill: float, seed: int) -> None:
    count = max(1, int(firms * years * fill))
    table = phony_pdl.load(_panel(count, firms, years)).generate(seed=seed)["g"]
    pairs = _pairs(table, "firm", "year")
    assert len(pairs) == count and len(set(pairs)) == count
    assert {y for _, y in pairs} <= set(range(2000, 2000 + years))
