"""Invariants over randomly generated valid schemas (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl

VALUE_FIELDS = st.sampled_from(
    [
        {"type": "int", "min": -50, "max": 50},
        {"type": "float", "min": 0, "max": 1},
        {"type": "date", "between": ["2020-01-01", "2020-12-31"]},
        {"type": "bool"},
        {"choice": {"a": 5, "b": 3, "c": 1}},
        {"distribution": "normal", "mean": 10, "sd": 2},
        {"distribution": "poisson", "mean": 4},
        {"pattern": "[A-F]{2}[0-9]{1,3}"},
        {"generator": "person.last_name"},
        {"template": "x-{id}"},
        {"expr": "id * 2 + 1"},
    ]
)


@st.composite
def schemas(draw) -> dict:
    n_parent = draw(st.integers(1, 300))
    parent_fields: dict = {
        "id": {"sequence": draw(st.integers(-5, 100)), "step": draw(st.integers(1, 3))}
    }
    for i in range(draw(st.integers(0, 3))):
        field = dict(draw(VALUE_FIELDS))
        if draw(st.booleans()):
            field["null_rate"] = draw(st.sampled_from([0.1, 0.5, 0.9]))
        parent_fields[f"p{i}"] = field
    parent_fields["code"] = {"pattern": "[A-Z]{3}[0-9]{3}", "unique": True}
    parent_fields["serial"] = {"type": "int", "min": 0, "max": n_parent * 2, "unique": True}
    parent_fields["boss"] = {"ref": "parents.id", "null_rate": 0.05}
    per = draw(
        st.sampled_from(
            [
                {"const": 2},
                {"min": 0, "max": 4},
                {"distribution": "poisson", "mean": 2, "max": 6},
                {"distribution": "geometric", "p": 0.5, "max": 5},
            ]
        )
    )
    children = {
        "count": {"per": "parents", **per},
        "fields": {
            "id": {"sequence": 1},
            "parent_id": {"ref": "parents.id"},
            "parent_code": {"from": "parent_id.code"},
            "v": dict(draw(VALUE_FIELDS)),
        },
    }
    pick = draw(st.sampled_from(["uniform", "sequential", {"zipf": 1.2}]))
    others = {
        "count": draw(st.integers(0, 200)),
        "fields": {
            "id": {"sequence": 1},
            "parent_id": {"ref": "parents.id", "pick": pick, "null_rate": 0.2},
        },
    }
    links = {
        "count": draw(st.integers(0, min(150, n_parent * 3))),
        "unique": [["parent_id", "other_id"]],
        "fields": {"parent_id": {"ref": "parents.id"}, "other_id": {"ref": "lookups.id"}},
    }
    return {
        "pdl": 1,
        "name": "prop",
        "seed": draw(st.integers(0, 2**31)),
        "entities": {
            "parents": {"count": n_parent, "fields": parent_fields},
            "children": children,
            "others": others,
            "lookups": {"count": 3, "fields": {"id": {"sequence": 1}}},
            "links": links,
        },
    }


@given(schemas(), st.sampled_from([7, 64, 65_536]))
def test_invariants(spec: dict, block_rows: int) -> None:
    schema = phony_pdl.load(spec)
    ds = schema.generate(block_rows=block_rows)
    parents = ds["parents"].to_pydict()
    ids = parents["id"]
    id_set = set(ids)
    # unique, single
    for name in ("id", "code", "serial"):
        assert len(set(parents[name])) == len(parents[name])
    # self-references point to earlier rows
    position = {v: i for i, v in enumerate(ids)}
    for i, boss in enumerate(parents["boss"]):
        assert boss is None or position[boss] < i
    # per-parent expansion: children grouped by parent in parent order, totals add up
    children = ds["children"].to_pydict()
    assert set(children["parent_id"]) <= id_set
    order = [position[p] for p in children["parent_id"]]
    assert order == sorted(order)
    code_of = dict(zip(ids, parents["code"], strict=True))
    assert all(
        code_of[p] == c for p, c in zip(children["parent_id"], children["parent_code"], strict=True)
    )
    per = spec["entities"]["children"]["count"]
    counts = np.bincount(order, minlength=len(ids)) if order else np.zeros(len(ids), int)
    assert counts.sum() == len(children["id"])
    if "const" in per:
        assert (counts == per["const"]).all()
    if "max" in per:
        assert counts.max(initial=0) <= per["max"]
    # FK integrity with NULLs, composite uniqueness
    others = ds["others"].column("parent_id").to_pylist()
    assert all(v is None or v in id_set for v in others)
    links = ds["links"].to_pydict()
    pairs = list(zip(links["parent_id"], links["other_id"], strict=True))
    assert len(pairs) == len(set(pairs))
    assert all(p in id_set and o in (1, 2, 3) for p, o in pairs)
    # null rates within a binomial tolerance
    for name, field in spec["entities"]["parents"]["fields"].items():
        rate = field.get("null_rate")
        if rate:
            n = len(ids)
            observed = sum(v is None for v in parents[name]) / n
            assert abs(observed - rate) <= 5 * math.sqrt(rate * (1 - rate) / n) + 1 / n
    # determinism across block sizes
    again = schema.generate(block_rows=1_000)
    for entity in ds:
        assert ds[entity].equals(again[entity]), entity


@settings(max_examples=40, deadline=None)
@given(bits=st.integers(min_value=7, max_value=16), key=st.integers(min_value=0, max_value=2**63))
def test_unique_suffix_scramble_is_a_bijection(bits: int, key: int) -> None:
    from phony_pdl.generators.unique import scramble_bits

    index = np.arange(1 << bits, dtype=np.int64)
    out = scramble_bits(index, bits, key)
    assert out.max() < (1 << bits)
    assert len(np.unique(out)) == 1 << bits  # every row its own number
    assert not np.array_equal(out[:64], np.sort(out[:64]))  # not a counter
