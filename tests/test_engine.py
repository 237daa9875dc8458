"""Engine behaviour on real schemas: relations hold, values are right, output is stable."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.errors import GenerationError, SchemaError

from .conftest import ROOT


@pytest.fixture(scope="module")
def shop():
    return phony_pdl.load(ROOT / "examples" / "shop.yaml").generate()


def col(table: pa.Table, name: str) -> list:
    return table.column(name).to_pylist()


def test_counts_and_per_parent_expansion(shop) -> None:
    customers, orders = shop["customers"], shop["orders"]
    assert customers.num_rows == 1000
    per_customer = pc.value_counts(orders.column("customer_id")).to_pylist()
    assert sum(v["counts"] for v in per_customer) == orders.num_rows
    assert max(v["counts"] for v in per_customer) <= 30
    items = shop["order_items"]
    counts = pc.value_counts(items.column("order_id")).to_pylist()
    assert all(1 <= v["counts"] <= 5 for v in counts)
    assert len(counts) == orders.num_rows  # every order has items (min 1)


def test_foreign_keys_exist_and_lookups_agree(shop) -> None:
    products = {r["id"]: r["price"] for r in shop["products"].to_pylist()}
    for row in shop["order_items"].to_pylist():
        assert row["product_id"] in products
        assert row["unit_price"] == products[row["product_id"]]
        assert row["amount"] == row["quantity"] * row["unit_price"]
    customer_ids = set(col(shop["customers"], "id"))
    assert set(col(shop["orders"], "customer_id")) <= customer_ids


def test_composite_unique_per_parent(shop) -> None:
    pairs = list(
        zip(
            col(shop["order_items"], "order_id"),
            col(shop["order_items"], "product_id"),
            strict=True,
        )
    )
    assert len(pairs) == len(set(pairs))


def test_aggregates_add_up(shop) -> None:
    totals: dict[int, Decimal] = {}
    for row in shop["order_items"].to_pylist():
        totals[row["order_id"]] = totals.get(row["order_id"], Decimal(0)) + row["amount"]
    for row in shop["orders"].to_pylist():
        assert row["total"] == totals[row["id"]]


def test_timeline_is_ordered_and_status_is_last_event(shop) -> None:
    events = shop["order_events"].to_pylist()
    last_state: dict[int, str] = {}
    previous: dict[int, dt.datetime] = {}
    placed = {r["id"]: r["placed_at"] for r in shop["orders"].to_pylist()}
    allowed = {
        "created": {"paid", "cancelled"},
        "paid": {"shipped", "refunded"},
        "shipped": {"delivered"},
    }
    for e in events:
        oid = e["order_id"]
        if oid in previous:
            assert e["at"] >= previous[oid]
            assert e["state"] in allowed[last_state[oid]]
        else:
            assert e["state"] == "created"
            assert e["at"] == placed[oid]
        previous[oid], last_state[oid] = e["at"], e["state"]
    for row in shop["orders"].to_pylist():
        assert row["status"] == last_state[row["id"]]
        assert last_state[row["id"]] in {"delivered", "cancelled", "refunded"}


def test_orders_placed_after_signup(shop) -> None:
    signup = dict(
        zip(col(shop["customers"], "id"), col(shop["customers"], "signed_up_at"), strict=True)
    )
    for row in shop["orders"].to_pylist():
        assert row["placed_at"] >= signup[row["customer_id"]]


def test_coherent_person_and_unique_email(shop) -> None:
    customers = shop["customers"].to_pylist()
    emails = [c["email"] for c in customers]
    assert len(set(emails)) == len(emails)
    for c in customers[:200]:
        local = c["email"].split("@")[0]
        assert c["last_name"].lower().replace(" ", "") in local


def test_distribution_bounds_and_null_rate(shop) -> None:
    ages = np.array(col(shop["customers"], "age"))
    assert ages.min() >= 18 and ages.max() <= 95
    assert 35 < ages.mean() < 47
    phones = col(shop["customers"], "phone")
    nulls = sum(p is None for p in phones)
    assert 60 <= nulls <= 140  # 10% of 1000 within ~4.5 sd


def test_correlation_is_close_to_target() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "c",
            "entities": {
                "t": {
                    "count": 50_000,
                    "fields": {
                        "a": {"distribution": "normal", "mean": 0, "sd": 1},
                        "b": {"distribution": "normal", "mean": 10, "sd": 3},
                    },
                    "correlate": [{"fields": ["a", "b"], "rho": 0.6}],
                }
            },
        }
    )
    t = schema.generate()["t"]
    rho = np.corrcoef(t.column("a").to_numpy(), t.column("b").to_numpy())[0, 1]
    assert abs(rho - 0.6) < 0.02


def test_self_reference_points_to_earlier_rows() -> None:
    hr = phony_pdl.load(ROOT / "examples" / "hr.yaml").generate()
    employees = hr["employees"].to_pylist()
    position = {e["id"]: i for i, e in enumerate(employees)}
    assert employees[0]["manager_id"] is None
    for i, e in enumerate(employees[1:], start=1):
        if e["manager_id"] is not None:
            assert position[e["manager_id"]] < i
    departments = hr["departments"].to_pylist()
    assert len({d["name"] for d in departments}) == len(departments)
    assert len({d["cost_center"] for d in departments}) == len(departments)


def test_nullable_cycle_values_reference_existing_rows() -> None:
    teams = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate()
    player_ids = set(col(teams["players"], "id"))
    assert all(c in player_ids for c in col(teams["teams"], "captain_id") if c is not None)


def test_seed_changes_output_and_same_seed_repeats() -> None:
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    a = schema.generate(seed=1)["customers"]
    b = schema.generate(seed=1)["customers"]
    c = schema.generate(seed=2)["customers"]
    assert a.equals(b)
    assert not a.equals(c)


def test_block_size_does_not_change_values() -> None:
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    for entity in ("customers", "orders", "order_items", "order_events"):
        big = schema.generate(block_rows=65_536)[entity]
        small = schema.generate(block_rows=97)[entity]
        assert big.equals(small), entity


def test_scale_multiplies_fixed_counts() -> None:
    ds = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(scale=0.1)
    assert ds.count("customers") == 100
    assert ds.count("products") == 20


EXPRESSIONS = [
    ("a + b * 2", [7, 2], [7, 2], lambda a, b: a + b * 2),
    (
        "CASE WHEN a > 5 THEN 'big' ELSE 'small' END",
        [7, 2],
        [0, 0],
        lambda a, b: "big" if a > 5 else "small",
    ),
    ("COALESCE(NULLIF(a, 7), b)", [7, 2], [1, 3], lambda a, b: b if a == 7 else a),
    ("UPPER(SUBSTRING('hello', 1, 3)) || '-' || LENGTH('abcd')", [0], [0], lambda a, b: "HEL-4"),
    ("ROUND(a / 3.0, 2)", [10], [0], lambda a, b: 3.33),
    ("ABS(-a) + FLOOR(2.7) + CEIL(2.1)", [4], [0], lambda a, b: 9.0),
    ("a % 3", [10, -7], [0, 0], lambda a, b: int(np.fmod(a, 3))),
    ("NOT (a = b) AND (a IS NOT NULL OR b > 1)", [1, 2], [1, 3], lambda a, b: a != b),
    ("a IN (1, 2) OR b BETWEEN 5 AND 6", [1, 3], [0, 5], lambda a, b: a in (1, 2) or 5 <= b <= 6),
    ("CAST(a AS VARCHAR)", [12], [0], lambda a, b: "12"),
]


@pytest.mark.parametrize(("sql", "a", "b", "python"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expressions(sql: str, a: list, b: list, python) -> None:
    choice_a = {"choice": a} if len(a) > 1 else {"const": a[0]}
    choice_b = {"choice": b} if len(b) > 1 else {"const": b[0]}
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "e",
            "entities": {
                "t": {"count": 200, "fields": {"a": choice_a, "b": choice_b, "x": {"expr": sql}}}
            },
        }
    )
    for row in schema.generate()["t"].to_pylist():
        assert row["x"] == python(row["a"], row["b"]), row


def test_date_arithmetic_and_extract() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "d",
            "entities": {
                "t": {
                    "count": 50,
                    "fields": {
                        "at": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"]},
                        "later": {"expr": "at + INTERVAL '2' DAY"},
                        "year": {"expr": "EXTRACT(YEAR FROM at)"},
                        "label": {
                            "type": "date",
                            "between": ["2024-03-01", "2024-03-31"],
                            "format": "%d/%m/%Y",
                        },
                    },
                }
            },
        }
    )
    for row in schema.generate()["t"].to_pylist():
        assert row["later"] - row["at"] == dt.timedelta(days=2)
        assert row["year"] == 2024
        _day, month, year = row["label"].split("/")
        assert (month, year) == ("03", "2024")


def test_unique_retries_report_failure() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "u",
            "entities": {
                "t": {
                    "count": 500,
                    "fields": {
                        "a": {"type": "int", "min": 0, "max": 9},
                        "x": {"expr": "a * 2", "unique": True},
                    },
                }
            },
        }
    )
    with pytest.raises(GenerationError, match=r"t\.x: only 10 of 500 rows could be made unique"):
        schema.generate().write("/tmp/phony-unique-fail", format="csv")


def test_unique_with_retries_succeeds_when_possible() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "u",
            "entities": {
                "t": {
                    "count": 150,
                    "fields": {"x": {"distribution": "poisson", "mean": 5000, "unique": True}},
                }
            },
        }
    )
    values = schema.generate()["t"].column("x").to_pylist()
    assert len(set(values)) == 150


def test_redrawing_for_unique_keeps_the_null_rows() -> None:
    """Rows drawn again for `unique` used to roll their NULL again too: more NULLs than
    `null_rate` asks, and NULLs that depended on the values."""

    def nulls(unique: bool) -> list[int]:
        field = {"distribution": "poisson", "mean": 20000, "null_rate": 0.1, "unique": unique}
        doc = {"pdl": 1, "name": "u", "seed": 9,
               "entities": {"t": {"count": 300, "fields": {"x": field}}}}  # fmt: skip
        column = phony_pdl.load(doc).generate()["t"].column("x")
        return [i for i, v in enumerate(column.to_pylist()) if v is None]

    plain, unique = nulls(False), nulls(True)
    assert unique == plain
    assert 15 < len(plain) < 45


def test_keys_and_one_column_unique_groups_are_unique() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "k",
            "entities": {
                "t": {
                    "count": 400,
                    "primary_key": "code",
                    "unique": [["serial"]],
                    "fields": {
                        "code": {"type": "int", "min": 1, "max": 500},
                        "serial": {"distribution": "poisson", "mean": 100000},
                        "flag": {"type": "bool"},
                    },
                },
                "u": {
                    "count": 2,
                    "fields": {"id": {"sequence": 1}, "b": {"type": "bool", "unique": True}},
                },
            },
        }
    )
    ds = schema.generate()
    t = ds["t"]
    assert len(set(t.column("code").to_pylist())) == 400
    assert len(set(t.column("serial").to_pylist())) == 400
    assert sorted(ds["u"].column("b").to_pylist()) == [False, True]


def test_type_alone_fields_follow_the_copula() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "c",
            "entities": {
                "t": {
                    "count": 20_000,
                    "fields": {
                        "a": {"type": "float", "min": 0, "max": 1},
                        "b": {"type": "int", "min": 0, "max": 1000},
                    },
                    "correlate": [{"fields": ["a", "b"], "spearman": 0.7}],
                }
            },
        }
    )
    from scipy.stats import spearmanr

    t = schema.generate()["t"]
    rho = spearmanr(t.column("a").to_numpy(), t.column("b").to_numpy()).statistic
    assert abs(rho - 0.7) < 0.03


def test_float_aggregates_do_not_depend_on_block_size() -> None:
    spec = {
        "pdl": 1,
        "name": "a",
        "entities": {
            "p": {
                "count": 50,
                "fields": {
                    "id": {"sequence": 1},
                    "s": {"aggregate": "sum(c.x)"},
                    "m": {"aggregate": "avg(c.x)"},
                },
            },
            "c": {
                "count": {"per": "p", "min": 1, "max": 40},
                "fields": {
                    "p_id": {"ref": "p.id"},
                    "x": {"distribution": "normal", "mean": 3, "sd": 1},
                },
            },
        },
    }
    schema = phony_pdl.load(spec)
    assert schema.generate(block_rows=7)["p"].equals(schema.generate(block_rows=65_536)["p"])


def test_bounds_with_one_side_and_short_strings() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "b",
            "entities": {
                "t": {
                    "count": 500,
                    "fields": {
                        "x": {"type": "float", "min": 5},
                        "s": {"type": "string", "max": 3},
                        "d": {"type": "int", "max": -10},
                    },
                }
            },
        }
    )
    t = schema.generate()["t"].to_pydict()
    assert min(t["x"]) >= 5
    assert all(1 <= len(v) <= 3 for v in t["s"])
    assert max(t["d"]) <= -10


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"d": {"type": "date"}, "x": {"expr": "d = 'not a date'"}}, "cannot be evaluated"),
        ({"s": {"choice": ["a"]}, "x": {"expr": "s + 1"}}, r"\+ does not apply to text and int"),
        (
            {"s": {"choice": ["a"]}, "x": {"expr": "CASE WHEN s THEN 1 END"}},
            r"CASE WHEN needs a condition \(true or false\)",
        ),
        ({"id": {"sequence": 1}, "x": {"expr": "CAST(id AS FOO)"}}, "CAST to FOO"),
        (
            {"id": {"sequence": 1}, "x": {"expr": "SUBSTRING('abc', id)"}},
            "SUBSTRING takes whole-number literals for its start, not `id`",
        ),
    ],
)
def test_expression_type_errors_are_found_at_validation(fields: dict, message: str) -> None:
    """The evaluator runs on two made-up rows at validation, so a type mistake is an error
    at the field's place, before any row is generated."""
    text = "pdl: 1\nname: e\nentities:\n  t:\n    count: 5\n    fields:\n" + "".join(
        f"      {name}: {json.dumps(spec)}\n" for name, spec in fields.items()
    )
    with pytest.raises(SchemaError) as caught:
        phony_pdl.load(text)
    problem = caught.value.diagnostics[0]
    assert problem.code == "bad-expression" and re.search(message, problem.message)
    assert problem.span.line == 6 + len(fields)  # the `x` line, the last one


def test_overflowing_integer_arithmetic_is_an_error_not_a_wrapped_number() -> None:
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "e",
            "entities": {
                "t": {
                    "count": 10,
                    "fields": {
                        "id": {"sequence": 1},
                        "x": {"expr": "9223372036854775800 + id"},  # rows 8..10 overflow
                    },
                }
            },
        }
    )
    with pytest.raises(GenerationError, match=r"t\.x: .*overflow"):
        schema.generate()["t"]


def test_layout_chunks_match_full_offsets() -> None:
    from phony_pdl.engine import plan as plan_mod

    rng = np.random.default_rng(5)
    counts = rng.integers(0, 4, size=1000)
    counts[100:300] = 0  # a run of childless parents across chunk borders
    offsets = np.concatenate([[0], np.cumsum(counts)])
    old = plan_mod.LAYOUT_CHUNK
    plan_mod.LAYOUT_CHUNK = 64
    try:
        layout = plan_mod.Layout("p", lambda idx: counts[idx], len(counts))
        rows = rng.permutation(int(offsets[-1]))
        assert layout.total == offsets[-1]
        want_parent = np.searchsorted(offsets, rows, side="right") - 1
        np.testing.assert_array_equal(layout.parent_of(rows), want_parent)
        np.testing.assert_array_equal(layout.position_in_parent(rows), rows - offsets[want_parent])
        runs = [(0, 5), (150, 700), (0, int(offsets[-1])), (333, 334), (64 * 3, 64 * 5)]
        # inside one chunk, next to the childless parents 100-299
        runs += [(int(offsets[70]), int(offsets[100])), (int(offsets[300]), int(offsets[319]))]
        for lo, hi in runs:
            run = np.arange(lo, min(hi, int(offsets[-1])))  # contiguous rows: the fast path
            want = np.searchsorted(offsets, run, side="right") - 1
            np.testing.assert_array_equal(layout.parent_of(run), want)
        parents = np.arange(len(counts) + 1)
        np.testing.assert_array_equal(layout.start(parents), offsets)
        np.testing.assert_array_equal(layout.size(parents[:-1]), counts)
        assert len(layout.marks) == 1000 // 64 + 2  # O(parents / chunk) kept
    finally:
        plan_mod.LAYOUT_CHUNK = old


@pytest.mark.parametrize("example", ["shop", "iot", "bank"])
def test_layout_chunk_size_does_not_change_values(example: str) -> None:
    from phony_pdl.engine import plan as plan_mod

    schema = phony_pdl.load(ROOT / "examples" / f"{example}.yaml")
    want = {e: schema.generate()[e] for e in schema.entities}
    old = plan_mod.LAYOUT_CHUNK
    plan_mod.LAYOUT_CHUNK = 61  # many chunks, most blocks straddle several
    try:
        got = {e: schema.generate()[e] for e in schema.entities}
    finally:
        plan_mod.LAYOUT_CHUNK = old
    for name in want:
        assert got[name].equals(want[name]), name


@pytest.mark.parametrize("example", ["shop", "tpch"])
def test_reductions_on_forked_workers_match_one_process(example: str) -> None:
    """Aggregates, windows and unique retries computed block by block on 2 processes
    (results combined in block order) equal the single-process ones exactly."""
    schema = phony_pdl.load(ROOT / "examples" / f"{example}.yaml")
    scale = 0.01 if example == "tpch" else 1.0
    serial = schema.generate(block_rows=97, scale=scale)
    serial.prepare()
    forked = schema.generate(block_rows=97, scale=scale)
    forked.plan.workers = 2
    forked.prepare()
    assert serial.plan.aggregates.keys() == forked.plan.aggregates.keys()
    assert serial.plan.aggregates, "the example has aggregates"
    for key, values in serial.plan.aggregates.items():
        assert forked.plan.aggregates[key].equals(values), key
    windows = serial.plan.__dict__.get("windows", {})
    for key, values in windows.items():
        assert forked.plan.__dict__["windows"][key].equals(values), key
    for key, values in serial.plan.materialized.items():
        assert forked.plan.materialized[key].equals(values), key


def test_duplicates_within_groups_matches_a_sort() -> None:
    from phony_pdl.engine.columns import _duplicates_within

    rng = np.random.default_rng(1)
    for trial in range(100):
        sizes = rng.integers(0, 8 if trial % 2 else 40, size=int(rng.integers(1, 300)))
        groups = np.repeat(np.arange(len(sizes)), sizes)
        if trial % 5 == 0:
            groups = rng.permutation(groups)  # not contiguous: the general path
        values = rng.integers(0, int(rng.integers(1, 20)), size=len(groups))
        seen: set[tuple[int, int]] = set()
        want = []
        for g, v in zip(groups.tolist(), values.tolist(), strict=True):
            want.append((g, v) in seen)
            seen.add((g, v))
        assert _duplicates_within(groups, values).tolist() == want


def test_constant_layout_arithmetic_matches_counted_layout() -> None:
    from phony_pdl.engine.plan import Layout

    class Four:
        const = 4

        def __call__(self, idx: np.ndarray) -> np.ndarray:
            return np.full(len(idx), 4, dtype=np.int64)

    fast = Layout("p", Four(), 100_000)
    slow = Layout("p", lambda idx: np.full(len(idx), 4, dtype=np.int64), 100_000)
    assert fast.const == 4 and slow.const is None and fast.total == slow.total == 400_000
    rows = np.random.default_rng(3).integers(0, 400_000, size=5000)
    np.testing.assert_array_equal(fast.parent_of(rows), slow.parent_of(rows))
    np.testing.assert_array_equal(fast.position_in_parent(rows), slow.position_in_parent(rows))
    parents = np.array([0, 1, 65_535, 65_536, 99_999, 100_000])
    np.testing.assert_array_equal(fast.start(parents), slow.start(parents))


_CHOICE_COUNT = """
pdl: 1
name: table
seed: 11
entities:
  orders:
    count: PARENTS
    fields:
      id: { sequence: 1 }
  events:
    count: { per: orders, choice: { 4: 2738, 2: 260, 0: 500, 3: 87, 7: 0 } }
    fields:
      id:       { sequence: 1 }
      order_id: { ref: orders.id }
      v:        { type: int, min: 0, max: 1000 }
"""


def test_a_choice_count_draws_each_count_by_its_weight() -> None:
    """`count: {per:, choice: {k: w}}` at 100,000 parents: each count's share of parents is
    within 5 binomial standard deviations of w / sum(w); a zero weight (7) never comes, and
    the expected rows are the weighted mean (validation's estimate)."""
    from phony_pdl.validate import Validator

    n = 100_000
    schema = phony_pdl.load(_CHOICE_COUNT.replace("PARENTS", str(n)))
    events = schema.generate()["events"]
    per = np.bincount(np.bincount(events["order_id"].to_numpy(), minlength=n + 1)[1:])
    weights = {0: 500, 2: 260, 3: 87, 4: 2738}
    total = sum(weights.values())
    assert len(per) == 5 and per[1] == 0 and per.sum() == n
    for k, w in weights.items():
        share = w / total
        assert abs(per[k] / n - share) < 5 * np.sqrt(share * (1 - share) / n), (k, per[k])
    mean = sum(k * w for k, w in weights.items()) / total
    assert Validator(schema.document, None, []).rows("events") == (0.0, n * mean)
    assert abs(len(events) / n - mean) < 0.02


def test_a_choice_count_is_the_same_for_any_block_size_and_worker_count() -> None:
    """Each parent's count comes from its own index: 7-row blocks, 65,536-row blocks and two
    forked workers give the same children."""
    schema = phony_pdl.load(_CHOICE_COUNT.replace("PARENTS", "3000"))
    want = schema.generate(block_rows=65_536)["events"]
    assert schema.generate(block_rows=7)["events"].equals(want)
    forked = schema.generate(block_rows=97)
    forked.plan.workers = 2
    assert forked["events"].equals(want)


@settings(max_examples=200, deadline=None)
@given(
    table=st.dictionaries(
        st.integers(0, 10**6), st.integers(0, 1000), min_size=1, max_size=12
    ).filter(lambda t: any(t.values())),
    seed=st.integers(0, 2**32),
    start=st.integers(0, 10**9),
)
def test_a_choice_count_draws_only_listed_counts_from_the_parent_index(
    table: dict[int, int], seed: int, start: int
) -> None:
    """Every drawn count is a key with weight > 0, and a parent's count is the same whether
    it is drawn alone, in a block or in reverse order."""
    from phony_pdl.engine.plan import PerParentCounts
    from phony_pdl.model import PerCount

    count = PerCount(per="p", choice={str(k): float(w) for k, w in table.items()})
    draw = PerParentCounts(seed, "c", count)
    idx = np.arange(start, start + 500, dtype=np.int64)
    got = draw(idx)
    assert got.dtype == np.int64
    assert set(got.tolist()) <= {k for k, w in table.items() if w > 0}
    np.testing.assert_array_equal(draw(idx[::-1]), got[::-1])
    np.testing.assert_array_equal(draw(idx[7:9]), got[7:9])


# ---------------------------------------------------------------- NULL foreign keys


_NULL_FK = """
pdl: 1
name: nullfk
seed: 4
entities:
  parents:
    count: 50
    fields:
      id:     { sequence: 1 }
      since:  { type: datetime, between: [2024-01-01, 2024-01-31] }
      label:  { pattern: "P[0-9]{4}" }
      n_kids: { aggregate: "count(kids)" }
      total:  { aggregate: "sum(kids.v)" }
  kids:
    count: COUNT
    fields:
      id:     { sequence: 1 }
      parent: { ref: parents.id, null_rate: 0.4 }
      v:      { type: int, min: 2, max: 2 }
      lbl:    { from: parent.label }
      at:     { after: parent.since, gap: 1d }
"""


@pytest.mark.parametrize("count", ["1000", "{ per: parents, min: 1, max: 9 }"])
def test_null_foreign_key_belongs_to_no_parent(count: str) -> None:
    """A row whose key `null_rate` made NULL copies nothing through it and is counted by no
    parent's aggregate (spec: "a NULL foreign key belongs to no parent")."""
    ds = phony_pdl.load(_NULL_FK.replace("COUNT", count)).generate()
    kids, parents = ds["kids"].to_pydict(), ds["parents"].to_pydict()
    null = [i for i, v in enumerate(kids["parent"]) if v is None]
    assert 0.3 < len(null) / len(kids["id"]) < 0.5
    assert all(kids["lbl"][i] is None and kids["at"][i] is None for i in null)
    label = dict(zip(parents["id"], parents["label"], strict=True))
    since = dict(zip(parents["id"], parents["since"], strict=True))
    for p, lbl, at in zip(kids["parent"], kids["lbl"], kids["at"], strict=True):
        if p is not None:
            assert lbl == label[p] and at == since[p] + dt.timedelta(days=1)
    per_parent: dict[int, int] = {}
    for p in kids["parent"]:
        if p is not None:
            per_parent[p] = per_parent.get(p, 0) + 1
    assert parents["n_kids"] == [per_parent.get(i, 0) for i in parents["id"]]
    assert [t or 0 for t in parents["total"]] == [2 * per_parent.get(i, 0) for i in parents["id"]]


def test_null_self_reference_belongs_to_no_row() -> None:
    doc = """
pdl: 1
name: emp
seed: 4
entities:
  emp:
    count: 300
    fields:
      id:        { sequence: 1 }
      name:      { generator: person.first_name }
      boss:      { ref: emp.id, null_rate: 0.2 }
      boss_name: { from: boss.name }
      reports:   { aggregate: "count(emp)", via: boss }
"""
    t = phony_pdl.load(doc).generate()["emp"].to_pydict()
    name = dict(zip(t["id"], t["name"], strict=True))
    assert [None if b is None else name[b] for b in t["boss"]] == t["boss_name"]
    assert t["reports"] == [sum(1 for b in t["boss"] if b == i) for i in t["id"]]


@pytest.mark.parametrize(
    ("fields", "unique", "expected"),
    [
        ("code: {pattern: 'AB-[0-9]{2}', unique: true}", "", r"t\.code must be unique over 250 rows, but only 100 distinct values"),
        ("n: {type: int, between: [1, 100], unique: true}", "", r"t\.n must be unique over 250 rows, but only 100 distinct"),
        ("a: {type: int, between: [1, 10]}\n      b: {type: int, between: [1, 10]}", "    unique: [[a, b]]\n", r"t\.\(a, b\) must be unique over 250 rows, but only 100 combinations"),
    ],
)  # fmt: skip
def test_scale_beyond_a_unique_domain_is_an_error_not_a_hang(fields, unique, expected) -> None:
    """Validation checks `count:`; `--scale` can ask for more rows than a unique field has
    values. That used to loop forever in the keyed permutation."""
    doc = f"pdl: 1\nname: u\nentities:\n  t:\n    count: 50\n    fields:\n      {fields}\n{unique}"
    schema = phony_pdl.load(doc)
    assert len(schema.generate(scale=2)["t"]) == 100
    with pytest.raises(GenerationError, match=expected) as info:
        schema.generate(scale=5)["t"]
    assert "lower --scale" in str(info.value)


def test_generation_errors_name_the_field_and_the_fix() -> None:
    doc = """
pdl: 1
name: agg
entities:
  o:
    count: 5
    fields:
      id: {sequence: 1}
      total: {aggregate: "sum(i.amt)"}
  i:
    count: {per: o, min: 50, max: 50}
    fields:
      o_id: {ref: o.id}
      amt: {type: "decimal(4,2)", min: 90, max: 99}
"""
    with pytest.raises(GenerationError) as info:
        phony_pdl.load(doc).generate()["o"]
    message = str(info.value)
    assert message.startswith("o.total: cannot convert decimal128(38, 2) to decimal(4,2)")
    assert "declare a wider type than decimal(4,2)" in message


def test_integer_to_double_is_lossy_as_in_sql() -> None:
    """CAST(id AS DOUBLE) and id / 2 above 2**53 round to the nearest double (Arrow's safe
    cast refused them)."""
    doc = """
pdl: 1
name: x
entities:
  t:
    count: 3
    fields:
      id: {sequence: 9007199254740993}
      d: {expr: "CAST(id AS DOUBLE)"}
      h: {expr: "id / 2"}
"""
    t = phony_pdl.load(doc).generate()["t"].to_pydict()
    assert t["d"] == [float(i) for i in t["id"]]
    assert t["h"] == [i / 2 for i in t["id"]]


def test_round_on_datetimes_and_times_keeps_whole_steps() -> None:
    doc = """
pdl: 1
name: x
entities:
  t:
    count: 2000
    fields:
      a: {type: datetime, between: [2024-01-01, 2024-01-01 00:59:59], round: 0, unique: true}
      b: {type: time, between: ['10:00:00', '10:00:01'], round: 3, null_rate: 0.2}
      c: {after: a, gap: {min: 1s, max: 2d}, round: 0}
      d: {expr: "c - a"}
"""
    t = phony_pdl.load(doc).generate()["t"]
    assert t.schema.field("a").type == pa.timestamp("s")
    assert t.schema.field("b").type == pa.time32("ms")
    a = t["a"].to_pylist()
    assert len(set(a)) == 2000 and max(a) <= dt.datetime(2024, 1, 1, 0, 59, 59)
    assert all(v.microsecond % 1000 == 0 for v in t["b"].to_pylist() if v is not None)
    assert all(c >= x + dt.timedelta(seconds=1) for x, c in zip(a, t["c"].to_pylist(), strict=True))
    assert t.schema.field("d").type == pa.duration("us")  # expressions see microseconds
    assert all(d.microseconds == 0 for d in t["d"].to_pylist())


def test_a_float_times_an_interval_is_an_interval() -> None:
    """`SUM(gap) OVER (ORDER BY id) * INTERVAL '1' SECOND` (times that grow with the id) failed
    with "no kernel matching (double, duration)"."""
    doc = """
pdl: 1
name: w
entities:
  e:
    count: 50
    fields:
      id: {sequence: 1}
      _gap: {distribution: exponential, mean: 3600, hidden: true}
      half: {expr: "1.5 * INTERVAL '1' HOUR"}
      created_at:
        expr: "CAST('2023-01-01' AS TIMESTAMP) + SUM(_gap) OVER (ORDER BY id) * INTERVAL '1' SECOND"
"""
    t = phony_pdl.load(doc).generate()["e"].to_pydict()
    assert all(h == dt.timedelta(minutes=90) for h in t["half"])
    created = t["created_at"]
    assert created == sorted(created) and created[0] > dt.datetime(2023, 1, 1)


def test_a_difference_of_two_dates_is_whole_days_as_in_sql(tmp_path) -> None:
    """`ended - started` on two dates is the integer number of days between them, as in
    PostgreSQL and DuckDB (it was Arrow's duration[s]: CSV wrote 172800 for two days)."""
    doc = """
pdl: 1
name: tenure
entities:
  t:
    count: 3
    fields:
      started: {const: 2024-01-01, type: date}
      ended:   {const: 2024-01-03, type: date}
      days:    {expr: "ended - started"}
      back:    {expr: "started - ended"}
      worked:  {expr: "CAST(ended AS TIMESTAMP) - CAST(started AS TIMESTAMP)"}
"""
    data = phony_pdl.load(doc).generate()
    assert data["t"].schema.field("days").type == pa.int64()
    assert data["t"]["days"].to_pylist() == [2] * 3
    assert data["t"]["back"].to_pylist() == [-2] * 3
    assert data["t"]["worked"].to_pylist() == [dt.timedelta(days=2)] * 3  # a duration
    data.write(tmp_path, format="csv")
    rows = (tmp_path / "t.csv").read_text().splitlines()
    assert rows[1].endswith(",2,-2,172800000000")


def _one(fields: dict, count: int = 1000) -> dict:
    return {"pdl": 1, "name": "e", "entities": {"t": {"count": count, "fields": fields}}}


def test_decimals_wider_than_their_type_are_generation_errors() -> None:
    schema = phony_pdl.load(
        _one({"c": {"distribution": "normal", "mean": 1000, "sd": 1, "type": "decimal(3,1)"}})
    )
    with pytest.raises(GenerationError, match=r"t\.c: 9\d\d\.\d does not fit decimal\(3,1\)"):
        schema.generate()["t"]


def test_one_bound_stops_at_the_edge_of_the_type() -> None:
    table = phony_pdl.load(
        _one(
            {
                "t": {"type": "time", "min": "20:00:00"},
                "u": {"type": "time", "max": "03:00:00"},
                "d": {"type": "date", "min": "9990-01-01"},
            }
        )
    ).generate()["t"]
    assert pc.min(table["t"]).as_py() >= dt.time(20) and table["t"].null_count == 0
    assert pc.max(table["u"]).as_py() <= dt.time(3)
    assert dt.date(9990, 1, 1) <= pc.min(table["d"]).as_py()
    assert pc.max(table["d"]).as_py() <= dt.date(9999, 12, 31)


def test_a_window_over_an_empty_entity_is_empty(tmp_path) -> None:
    schema = phony_pdl.load(
        _one({"id": {"sequence": 1}, "run": {"expr": "SUM(id) OVER (ORDER BY id)"}}, count=0)
    )
    assert schema.generate()["t"].num_rows == 0
    # bank's accounts round to 0 rows at this scale; its running balance once failed there
    report = phony_pdl.load(ROOT / "examples" / "bank.yaml").generate(scale=0.001).write(tmp_path)
    assert report.entities["accounts"].rows == 0


def test_lag_takes_offset_and_default() -> None:
    fields = {"id": {"sequence": 1}, "m": {"expr": "LAG(id, 2, 5) OVER (ORDER BY id)"}}
    assert phony_pdl.load(_one(fields, 4)).generate()["t"]["m"].to_pylist() == [5, 5, 1, 2]
    # a default of the wrong type is a validation error (tests/test_validate.py)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"sequence": 2**63 - 2}, "passes the largest 64-bit integer by row 3"),
        # (a poisson of mean 1e300 is now refused by validation: draws beyond 2**53)
        ({"distribution": "zipf", "s": 1.0001}, "is no 64-bit integer"),
    ],
)
def test_integers_beyond_int64_are_errors_not_wrapped(field: dict, message: str) -> None:
    with pytest.raises(GenerationError, match=message):
        phony_pdl.load(_one({"x": field}, 3)).generate()["t"]


def test_rounding_keeps_values_inside_their_bounds() -> None:
    table = phony_pdl.load(
        _one(
            {
                "f": {"type": "float", "min": 0.05, "max": 0.3, "round": 1},
                "g": {"distribution": "normal", "mean": 0, "sd": 1, "min": -1.04, "max": 1.04,
                      "round": 1},
            }
        )
    ).generate()["t"]  # fmt: skip
    assert pc.min(table["f"]).as_py() >= 0.05 and pc.max(table["f"]).as_py() <= 0.3
    assert pc.min(table["g"]).as_py() >= -1.04 and pc.max(table["g"]).as_py() <= 1.04


def test_a_scale_past_the_row_limit_is_an_error_before_writing(tmp_path) -> None:
    schema = phony_pdl.load(ROOT / "examples" / "users.yaml")
    with pytest.raises(GenerationError, match="beyond the 100,000,000,000 rows of one entity"):
        schema.generate(scale=1e12).write(tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.csv"))


def test_mixture_gaps_take_durations_in_their_components() -> None:
    gap = {
        "distribution": "mixture",
        "components": [
            {"distribution": "uniform", "min": "1h", "max": "2h", "weight": 1},
            {"distribution": "exponential", "mean": "1d"},
        ],
    }
    fields = {
        "a": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"]},
        "b": {"after": "a", "gap": gap},
    }
    t = phony_pdl.load(_one(fields, 200)).generate()["t"]
    gaps = pc.subtract(t["b"], t["a"]).cast(pa.int64()).to_numpy() / 3.6e9  # hours
    assert (gaps >= 0).all() and ((gaps >= 1) & (gaps <= 2)).sum() > 50


def test_a_datetime_declared_after_a_date_moves_from_midnight_to_the_microsecond() -> None:
    """`type: datetime` over a date field took the date's whole-day move, so every value
    fell at midnight; a `type: date` over a datetime keeps the moved time's day."""
    fields = {
        "d": {"type": "date", "between": ["2024-01-01", "2024-12-31"]},
        "t": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"]},
        "dt": {"type": "datetime", "after": "d", "gap": {"min": "0h", "max": "48h"}},
        "bt": {"type": "datetime", "before": "d", "gap": "90m"},
        "td": {"type": "date", "after": "t", "gap": {"min": "0h", "max": "48h"}},
        "dd": {"after": "d", "gap": "36h"},
    }
    t = phony_pdl.load(_one(fields, 500)).generate()["t"]
    assert t["dt"].type == pa.timestamp("us") and t["td"].type == pa.date32()
    midnight = t["d"].cast(pa.timestamp("us"))
    hours = pc.subtract(t["dt"], midnight).cast(pa.int64()).to_numpy() / 3.6e9
    assert ((hours >= 0) & (hours <= 48)).all()
    assert np.count_nonzero(hours % 24) > 490  # not whole days
    before = pc.subtract(midnight, t["bt"]).cast(pa.int64()).to_numpy()
    assert (before == 90 * 60 * 10**6).all()
    days = pc.days_between(t["t"].cast(pa.date32()), t["td"]).to_numpy()
    assert ((days >= 0) & (days <= 2)).all() and t["dd"].type == pa.date32()
    assert (pc.days_between(t["d"], t["dd"]).to_numpy() == 1).all()


def test_a_decimal_expression_narrows_to_its_declared_type_by_rounding() -> None:
    fields = {
        "tot": {"type": "decimal(10,2)", "min": 5, "max": 900},
        "amount": {"expr": "tot / 4", "type": "decimal(10,2)"},
        "id": {"sequence": 1},
        "fee": {"type": "decimal(6,2)", "min": 0, "max": 5},
        "next_fee": {"expr": "LEAD(fee, 1, 0) OVER (ORDER BY id)"},
    }
    t = phony_pdl.load(_one(fields, 50)).generate()["t"]
    assert t["amount"].type == pa.decimal128(10, 2)
    for tot, amount in zip(t["tot"].to_pylist(), t["amount"].to_pylist(), strict=True):
        assert amount == (tot / 4).quantize(Decimal("0.01"), rounding="ROUND_HALF_EVEN")
    assert t["next_fee"].to_pylist()[-1] == 0


def test_unbounded_heavy_tails_end_with_an_error_not_a_hang() -> None:
    zipf = _one({"id": {"sequence": 1}, "rank": {"distribution": "zipf", "s": 1.2}}, 10_000)
    with pytest.raises(GenerationError, match=r"is no 64-bit integer; .* set `max`"):
        phony_pdl.load(zipf).generate()["t"]
    per = {
        "pdl": 1,
        "name": "z",
        "entities": {
            "c": {"count": 100_000, "fields": {"id": {"sequence": 1}}},
            "o": {
                "count": {"per": "c", "distribution": "zipf", "s": 1.1},
                "fields": {"id": {"sequence": 1}, "c_id": {"ref": "c.id"}},
            },
        },
    }
    with pytest.raises(GenerationError, match="give the count a `max`"):
        phony_pdl.load(per).generate()


def test_distinct_references_per_parent_up_to_every_choice() -> None:
    doc = {
        "pdl": 1,
        "name": "r",
        "entities": {
            "users": {"count": 2000, "fields": {"id": {"sequence": 1}}},
            "items": {"count": 100, "fields": {"id": {"sequence": 1}}},
            "ratings": {
                "count": {"per": "users", "const": 90},
                "unique": [["user_id", "item_id"]],
                "fields": {"user_id": {"ref": "users.id"}, "item_id": {"ref": "items.id"}},
            },
        },
    }
    t = phony_pdl.load(doc).generate()["ratings"]
    pairs = set(zip(t["user_id"].to_pylist(), t["item_id"].to_pylist(), strict=True))
    assert len(pairs) == t.num_rows == 180_000
    doc["entities"]["ratings"]["count"] = 90_000
    doc["entities"]["users"]["count"] = 1000
    with pytest.raises(GenerationError, match=r"must be unique over 45,000 rows, but only 25,000"):
        phony_pdl.load(doc).generate(scale=0.5)["ratings"]


def test_composite_uniques_redraw_every_free_member_when_one_is_not_enough() -> None:
    """teams: unique (city, mascot) with population-weighted cities and 8 mascots."""
    teams = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(scale=10)["teams"]
    pairs = list(zip(teams["city"].to_pylist(), teams["mascot"].to_pylist(), strict=True))
    assert len(set(pairs)) == len(pairs) == 200
    names = teams["name"].to_pylist()
    assert all(n == f"{c} {m}" for n, (c, m) in zip(names, pairs, strict=True))


def test_unique_names_from_a_model_resolve_their_last_stragglers() -> None:
    fields = {"city": {"generator": "ngram", "model": "en_US/city_names", "unique": True}}
    t = phony_pdl.load(_one(fields, 60_000)).generate()["t"]
    assert t["city"].null_count == 0 and len(set(t["city"].to_pylist())) == 60_000


def test_rounded_bounds_are_the_rounded_values_themselves() -> None:
    t = phony_pdl.load(_one({"x": {"type": "float", "min": 0.21, "max": 0.69, "round": 1}}, 2000))
    assert sorted(set(t.generate(seed=1)["t"]["x"].to_pylist())) == [0.3, 0.4, 0.5, 0.6]


def test_int_ranges_below_the_full_64_bits_keep_their_values() -> None:
    """Only a span of more than 2**63 values takes the wide path; narrower ones draw as
    they always did (uniform integers from the field's stream)."""
    from phony_pdl.rng import Stream

    t = phony_pdl.load(_one({"x": {"type": "int", "min": 1, "max": 2**63 - 1}}, 4))
    rows = np.arange(4, dtype=np.int64)
    expected = (1 + Stream(1, "t", "x", "").integers(rows, 2**63 - 1)).tolist()
    assert t.generate(seed=1)["t"]["x"].to_pylist() == expected


def test_a_date_plus_a_time_of_day_is_that_moment() -> None:
    fields = {
        "day": {"type": "date"},
        "tod": {"type": "time", "between": ["09:00:00", "17:00:00"]},
        "at": {"expr": "day + tod"},
    }
    for row in phony_pdl.load(_one(fields, 20)).generate()["t"].to_pylist():
        assert row["at"] == dt.datetime.combine(row["day"], row["tod"])


_MONEY = """
pdl: 1
name: money
seed: 1
entities:
  orders:
    count: 300
    fields:
      id: { sequence: 1 }
      total: { aggregate: "sum(items.amount)" }
      top: { aggregate: "max(items.amount)" }
  items:
    count: { per: orders, distribution: poisson, mean: 3 }
    fields:
      id: { sequence: 1 }
      order_id: { ref: orders.id }
      qty: { type: int, min: 1, max: 20 }
      price: { distribution: uniform, min: 1, max: 100, round: 2 }
      amount: { expr: "qty * price", round: 2 }
      third: { expr: "price / 3", round: 3 }
"""


def test_round_gives_the_double_nearest_the_decimal_value() -> None:
    """`round: 2` on an expression: 744.3, never Arrow's 744.3000000000001; sums of
    rounded values are rounded back to their places; the SQL type of a sum over an
    expression is the expression's."""
    ds = phony_pdl.load(_MONEY).generate()
    items, orders = ds["items"], ds["orders"]
    for column, places in (("amount", 2), ("third", 3)):
        for v in items.column(column).to_pylist():
            assert repr(v) == repr(float(f"{v:.{places}f}"))
    totals = [v for v in orders.column("total").to_pylist() if v is not None]
    assert all(repr(v) == repr(round(v, 2)) and len(repr(v).split(".")[1]) <= 2 for v in totals)
    by_order: dict[int, float] = {}
    for oid, amount in zip(items["order_id"].to_pylist(), items["amount"].to_pylist(), strict=True):
        by_order[oid] = by_order.get(oid, 0.0) + amount
    for oid, total in zip(orders["id"].to_pylist(), orders["total"].to_pylist(), strict=True):
        if total is None:
            assert oid not in by_order
            continue
        assert abs(by_order.get(oid, 0.0) - total) < 1e-6
    assert pa.types.is_floating(ds.arrow_schema("orders").field("total").type)
    assert ds.plan.dtype("orders", "total").kind == "float"
    assert ds.plan.dtype("orders", "top").kind == "float"


def test_a_sum_of_a_narrow_decimal_expression_has_room_for_its_total() -> None:
    doc = """
pdl: 1
name: d
entities:
  o:
    count: 5
    fields:
      id: { sequence: 1 }
      total: { aggregate: "sum(i.e)" }
  i:
    count: { per: o, distribution: poisson, mean: 400 }
    fields:
      oid: { ref: o.id }
      amount: { distribution: uniform, min: 1000, max: 9999, round: 2 }
      e: { expr: "CAST(amount AS DECIMAL(6,2))" }
"""
    ds = phony_pdl.load(doc).generate()
    assert str(ds.plan.dtype("o", "total")) == "decimal(38,2)"
    assert min(ds["o"]["total"].to_pylist()) > Decimal("100000")


def test_unique_values_after_a_null_are_not_duplicates(tmp_path) -> None:
    """NULLs never clash (pdl.md): a NULL in the first row used to take the code of the
    first real value, which then looked like a repeat on every redraw and failed the run."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from phony_pdl.engine.unique import first_occurrences

    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "nullu",
            "entities": {
                "a": {
                    "count": 5,
                    "fields": {
                        "id": {"sequence": 1},
                        "code": {
                            "expr": "CASE WHEN id = 1 THEN NULL ELSE id * 10 END",
                            "unique": True,
                        },
                    },
                }
            },
        }
    )
    assert schema.generate()["a"]["code"].to_pylist() == [None, 20, 30, 40, 50]

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=1, max_size=40))
    def marks_first_of_each_value_and_every_null(values: list) -> None:
        keep = first_occurrences([pa.array(values, type=pa.int64())])
        seen: set = set()
        for i, v in enumerate(values):
            assert keep[i] == (v is None or v not in seen), (i, values)
            if v is not None:
                seen.add(v)

    marks_first_of_each_value_and_every_null()


def test_date_minus_integer_is_that_many_days_earlier() -> None:
    """`d - 3` was a validation error naming the wrong type (`- does not apply to datetime
    and int`); PostgreSQL reads it as three days earlier, the mirror of `d + 3`."""
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "t",
            "seed": 1,
            "entities": {
                "a": {
                    "count": 50,
                    "fields": {
                        "d": {"type": "date", "between": ["2024-01-01", "2024-12-31"]},
                        "back": {"expr": "d - 3"},
                        "ahead": {"expr": "d + 3"},
                    },
                }
            },
        }
    )
    t = schema.generate()["a"]
    assert t.schema.field("back").type == pa.date32()
    for row in t.to_pylist():
        assert row["back"] == row["d"] - dt.timedelta(days=3)
        assert row["ahead"] == row["d"] + dt.timedelta(days=3)


def _one_field(field: dict, n: int = 50) -> list:
    doc = {
        "pdl": 1,
        "name": "t",
        "seed": 1,
        "entities": {"a": {"count": n, "fields": {"x": field}}},
    }
    return phony_pdl.load(doc).generate()["a"]["x"].to_pylist()


def test_a_lone_int_bound_near_the_64_bit_edge_stays_inside() -> None:
    """`min: 2**63 - 1` alone kept the default width of a million above it and wrapped
    around to negative numbers; `max: -2**63 + 1` alone failed with OverflowError."""
    top, bottom = 2**63 - 1, -(2**63)
    assert set(_one_field({"type": "int", "min": top})) == {top}
    near = _one_field({"type": "int", "min": top - 1000})
    assert all(top - 1000 <= v <= top for v in near) and len(set(near)) > 10
    assert all(bottom <= v <= bottom + 1 for v in _one_field({"type": "int", "max": bottom + 1}))


def test_between_clamps_like_min_and_max() -> None:
    """pdl.md: on `choice`, `expr` and the other sources numbers are clamped to the bounds;
    `between` was ignored there while `min`/`max` clamped."""
    for field in ({"choice": [1, 5, 10]}, {"distribution": "poisson", "mean": 5, "clip": True}):
        with_between = _one_field({**field, "between": [2, 8]})
        assert with_between == _one_field({**field, "min": 2, "max": 8})
        assert min(with_between) >= 2 and max(with_between) <= 8
    assert set(_one_field({"expr": "3 * 4", "between": [0, 5]})) == {5}


def test_timelines_series_windows_and_aggregates_edge_cases() -> None:
    """Four defects a tester found: min/max with no value crashed (ArrowIndexError); a
    normal gap made `after` times and timeline events go backwards; ROW_NUMBER by a
    parent key with NULLs used the per-parent shortcut; a 100 ms series lost its last
    event to 0.3 / 0.1 = 2.9999999999999996."""
    import itertools

    agg = phony_pdl.load(
        "pdl: 1\nname: z4\nentities:\n  p:\n    count: 3\n    fields:\n      id: { sequence: 1 }\n"
        "      a: { aggregate: 'max(c.k) FILTER (WHERE c.k > 100)' }\n"
        "  c:\n    count: { per: p, const: 2 }\n    fields:\n      p_id: { ref: p.id }\n"
        "      k: { type: int, min: 0, max: 10 }\n"
    ).generate()["p"]
    assert agg["a"].to_pylist() == [None, None, None] and agg.schema.field("a").type == pa.int64()

    gaps = phony_pdl.load(
        "pdl: 1\nname: neg\nentities:\n  p:\n    count: 1000\n    fields:\n"
        "      id: { sequence: 1 }\n      s: { type: datetime, between: [2024-01-01, 2024-01-31] }\n"
        "      t: { after: s, gap: { distribution: normal, mean: 1h, sd: 3h } }\n"
        "  ev:\n    timeline:\n      for: p\n      start: p.s\n      initial: a\n      states:\n"
        "        a: { next: { b: 1 } }\n"
        "        b: { after: { distribution: normal, mean: 1h, sd: 3h } }\n"
        "    fields:\n      p_id: { ref: p.id }\n      at: { timeline: time }\n"
    ).generate()
    p = gaps["p"].to_pydict()
    assert all(t >= s for s, t in zip(p["s"], p["t"], strict=True))
    ev = gaps["ev"].to_pydict()
    for _, group in itertools.groupby(zip(ev["p_id"], ev["at"], strict=True), key=lambda r: r[0]):
        times = [t for _, t in group]
        assert times == sorted(times)

    rn = phony_pdl.load(
        "pdl: 1\nname: rn\nseed: 2\nentities:\n  p:\n    count: 4\n    fields:\n      id: { sequence: 1 }\n"
        "  c:\n    count: { per: p, const: 3 }\n    fields:\n      id: { sequence: 1 }\n"
        "      p_id: { ref: p.id, null_rate: 0.5 }\n"
        "      rn: { expr: 'ROW_NUMBER() OVER (PARTITION BY p_id)' }\n"
        "      rn_o: { expr: 'ROW_NUMBER() OVER (PARTITION BY p_id ORDER BY id)' }\n"
    ).generate()["c"]
    assert rn["rn"].to_pylist() == rn["rn_o"].to_pylist()

    series = phony_pdl.load(
        "pdl: 1\nname: s2\nentities:\n  dev:\n    count: 1\n    fields:\n      id: { sequence: 1 }\n"
        "  a:\n    series: { for: dev, start: '2024-01-01T00:00:00', end: '2024-01-01T00:00:00.3', "
        "every: 100ms }\n    fields:\n      dev_id: { ref: dev.id }\n      t: { series: time }\n"
    ).generate()["a"]
    assert series.num_rows == 4


def test_window_order_by_integers_beyond_double_precision() -> None:
    """ORDER BY keys went through doubles: 10**18 + 1, + 2, … tied (RANK 1, 1, 1, 1, 1;
    ROW_NUMBER … DESC 1, 2, 3, 4, 5 instead of 5, 4, 3, 2, 1)."""
    t = phony_pdl.load(
        "pdl: 1\nname: w\nentities:\n  t:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1000000000000000000 }\n"
        "      pos: { expr: 'ROW_NUMBER() OVER (ORDER BY id DESC)' }\n"
        "      rk: { expr: 'RANK() OVER (ORDER BY id)' }\n"
    ).generate()["t"]
    assert t["pos"].to_pylist() == [5, 4, 3, 2, 1]
    assert t["rk"].to_pylist() == [1, 2, 3, 4, 5]


def test_window_columns_keep_their_types_with_no_rows() -> None:
    """An entity scaled to 0 rows typed every window column as double (DDL `DOUBLE
    PRECISION` for a LAG of text): the schema must not depend on the row count."""
    schema = phony_pdl.load(
        "pdl: 1\nname: z\nentities:\n  t:\n    count: 3\n    fields:\n"
        "      id: { sequence: 1 }\n      name: { choice: [a, b] }\n"
        "      d: { type: 'decimal(10,2)', between: [1, 5] }\n"
        "      s: { expr: 'SUM(id) OVER ()' }\n      l: { expr: 'LAG(name) OVER (ORDER BY id)' }\n"
        "      m: { expr: 'MAX(id) OVER ()' }\n      sd: { expr: 'SUM(d) OVER (ORDER BY id)' }\n"
        "      av: { expr: 'AVG(id) OVER ()' }\n"
    )
    full, empty = schema.generate()["t"], schema.generate(scale=0.1)["t"]
    assert empty.num_rows == 0 and full.schema == empty.schema


def test_unique_fixed_length_patterns_may_use_any_characters() -> None:
    """Non-ASCII classes and literals (é, ä, ß) in a unique pattern of one length: every
    value distinct, the right characters in each place, and the same for any block size."""
    schema = {
        "pdl": 1,
        "name": "u",
        "entities": {
            "t": {
                "count": 3000,
                "fields": {
                    "id": {"sequence": 1},
                    "code": {"pattern": "é[a-zäöü]{2}-[0-9ß]{2}", "unique": True},
                },
            }
        },
    }
    codes = phony_pdl.load(schema).generate()["t"]["code"]
    assert pc.count_distinct(codes).as_py() == 3000
    assert all(re.fullmatch(r"é[a-zäöü]{2}-[0-9ß]{2}", c) for c in codes.to_pylist())
    assert any(set(c) & set("äöüß") for c in codes.to_pylist())
    small = phony_pdl.load(schema).generate(block_rows=128)["t"]["code"]
    assert small.to_pylist() == codes.to_pylist()


NULLABLE_KEY = {
    "pdl": 1,
    "name": "nullable_key",
    "entities": {
        "parents": {
            "count": 50,
            "primary_key": "code",
            "fields": {
                "code": {"pattern": "[A-Z]{4}", "unique": True},
                "alt": {"type": "int", "min": 1, "max": 100000, "unique": True, "null_rate": 0.5},
                "kids_n": {"aggregate": "count(kids)", "via": "p_alt"},
            },
        },
        "kids": {
            "count": 300,
            "fields": {
                "id": {"sequence": 1},
                "p_alt": {"ref": "parents.alt"},
                "by_zipf": {"ref": "parents.alt", "pick": {"zipf": 1.1}},
                "in_turn": {"ref": "parents.alt", "pick": "sequential"},
                "code": {"from": "p_alt.code"},
            },
        },
        "solo": {"count": 20, "fields": {"p_alt": {"ref": "parents.alt", "unique": True}}},
    },
}


def test_a_foreign_key_to_a_key_with_nulls_points_only_at_rows_that_have_one() -> None:
    """156 of 300 foreign keys to a unique key with `null_rate: 0.5` were NULL in a NOT NULL
    column; they now pick among the parents whose key is set."""
    data = phony_pdl.load(NULLABLE_KEY).generate(seed=1)
    parents, kids = data["parents"], data["kids"]
    keys = [k for k in col(parents, "alt") if k is not None]
    assert 0 < len(keys) < 50
    for name in ("p_alt", "by_zipf", "in_turn"):
        values = col(kids, name)
        assert None not in values and set(values) <= set(keys), name
    assert set(col(kids, "in_turn")) == set(keys)  # sequential goes round the keyed rows
    solo = col(data["solo"], "p_alt")
    assert None not in solo and len(set(solo)) == 20 and set(solo) <= set(keys)
    by_key = dict(zip(col(parents, "alt"), col(parents, "code"), strict=True))
    assert col(kids, "code") == [by_key[k] for k in col(kids, "p_alt")]
    pairs = list(zip(col(parents, "alt"), col(parents, "kids_n"), strict=True))
    assert all(n == 0 for k, n in pairs if k is None)  # no child points at a NULL key
    assert sum(n for _, n in pairs) == 300
    again = phony_pdl.load(NULLABLE_KEY).generate(seed=1)
    assert again["kids"].equals(kids)


def test_a_foreign_key_to_a_key_that_is_always_null_says_so() -> None:
    schema = json.loads(json.dumps(NULLABLE_KEY))
    schema["entities"]["parents"]["fields"]["alt"]["null_rate"] = 1
    del schema["entities"]["solo"]
    with pytest.raises(GenerationError, match=r"every parents\.alt is NULL \(its null_rate is 1\)"):
        phony_pdl.load(schema).generate(seed=1)["kids"]


def test_a_per_parent_key_with_nulls_is_refused() -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {
                "count": 5,
                "fields": {"id": {"sequence": 1}, "k": {"sequence": 1, "null_rate": 0.2}},
            },
            "b": {"count": {"per": "a", "const": 2}, "fields": {"a_k": {"ref": "a.k"}}},
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    [d] = exc.value.diagnostics
    assert d.code == "invalid-value" and "a.k has a null_rate" in d.message
    assert d.to_dict()["path"] == "entities.b.fields.a_k.ref"


NULL_BY_SOURCE = {
    "pdl": 1,
    "name": "null_by_source",
    "entities": {
        "parents": {
            "count": 60,
            "fields": {
                "id": {"sequence": 1},
                "pick": {"choice": [*range(1, 100), None], "unique": True},
                "calc": {"expr": "CASE WHEN id % 3 = 0 THEN id * 10 END", "unique": True},
                "first_kid": {"aggregate": "min(kids.id)", "via": "p_pick", "unique": True},
            },
        },
        "kids": {
            "count": 200,
            "fields": {
                "id": {"sequence": 1},
                "p_pick": {"ref": "parents.pick"},
                "p_calc": {"ref": "parents.calc", "pick": "sequential"},
                "p_zipf": {"ref": "parents.pick", "pick": {"zipf": 1.1}},
                "p_first": {"ref": "parents.first_kid"},
            },
        },
        "solo": {"count": 20, "fields": {"p_calc": {"ref": "parents.calc", "unique": True}}},
    },
}


def test_a_foreign_key_to_a_key_null_through_its_source_points_only_at_set_keys() -> None:
    """A key NULL by its source (a choice with null, CASE without ELSE, min() of no
    children) was picked like any other: 2 in 3 `p_calc` were NULL in a NOT NULL column. Foreign keys now pick among the rows whose key is set."""
    data = phony_pdl.load(NULL_BY_SOURCE).generate(seed=3)
    parents, kids = data["parents"], data["kids"]
    for fk, key in (("p_pick", "pick"), ("p_calc", "calc"), ("p_zipf", "pick")):
        keys = col(parents, key)
        assert None in keys, key  # the schema does make NULL keys
        values = col(kids, fk)
        assert None not in values and set(values) <= set(keys) - {None}, fk
    assert set(col(kids, "p_calc")) == {k for k in col(parents, "calc") if k is not None}
    solo = col(data["solo"], "p_calc")
    assert None not in solo and len(set(solo)) == 20
    assert None not in col(kids, "p_first")
    small = phony_pdl.load(NULL_BY_SOURCE).generate(seed=3, block_rows=16)
    assert small["kids"].equals(kids)


def test_a_foreign_key_to_a_key_its_source_always_makes_null_says_so() -> None:
    schema = json.loads(json.dumps(NULL_BY_SOURCE))
    schema["entities"]["parents"]["fields"]["calc"]["expr"] = "CASE WHEN id < 0 THEN id END"
    with pytest.raises(
        GenerationError,
        match=r"every parents\.calc is NULL \(its expression can be NULL \(a CASE without ELSE\)\)",
    ):
        phony_pdl.load(schema).generate(seed=1)["kids"]


@pytest.mark.parametrize(
    ("field", "where", "why"),
    [
        ({"choice": ["a", None]}, "choice[1]", "its choice includes null"),
        ({"const": None, "type": "int"}, "const", "its const is null"),
        ({"expr": "NULLIF(n, 3)"}, "expr", "its expression can be NULL (NULLIF)"),
        ({"expr": "n + m"}, "expr", "its expression can be NULL ('m' has a null_rate)"),
        ({"expr": "n / (n - 2)"}, "expr", "x / 0 is NULL"),
        ({"from": "m"}, "from", "it copies m, which can be NULL ('m' has a null_rate)"),
    ],
)
def test_a_primary_key_its_source_can_make_null_is_refused(field, where, why) -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {
                "count": 2,
                "primary_key": "k",
                "fields": {
                    "n": {"sequence": 1},
                    "m": {"sequence": 1, "null_rate": 0.5},
                    "k": field,
                },
            }
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    [d] = [d for d in exc.value.diagnostics if d.code == "bad-key"]
    assert d.message.startswith("primary key 'k' can be NULL: ")
    assert why in d.message
    assert d.to_dict()["path"] == f"entities.a.fields.k.{where}"


@pytest.mark.parametrize(
    "expr",
    ["n * 2", "COALESCE(m, n + 100)", "CASE WHEN n > 1 THEN n ELSE -n END", "n / 2", "m IS NULL"],
)
def test_a_primary_key_expression_that_is_never_null_is_accepted(expr: str) -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {
                "count": 1,
                "primary_key": "k",
                "fields": {
                    "n": {"sequence": 1},
                    "m": {"sequence": 1, "null_rate": 0.5},
                    "k": {"expr": expr},
                },
            }
        },
    }
    assert phony_pdl.load(schema).generate()["a"].num_rows == 1


def test_a_per_parent_key_null_through_its_source_is_refused() -> None:
    schema = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "a": {
                "count": 5,
                "fields": {"id": {"sequence": 1}, "k": {"choice": [1, 2, None], "unique": True}},
            },
            "b": {"count": {"per": "a", "const": 2}, "fields": {"a_k": {"ref": "a.k"}}},
        },
    }
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(schema)
    codes = {(d.code, d.to_dict()["path"]) for d in exc.value.diagnostics}
    assert ("invalid-value", "entities.b.fields.a_k.ref") in codes
    [d] = [d for d in exc.value.diagnostics if d.code == "invalid-value"]
    assert "a.k can be NULL (its choice includes null)" in d.message


def sums_schema(child_fields: dict, parent_fields: dict, per: int = 100) -> dict:
    return {
        "pdl": 1,
        "name": "sums",
        "entities": {
            "acct": {"count": 30, "fields": {"id": {"sequence": 1}, **parent_fields}},
            "tx": {
                "count": {"per": "acct", "const": per},
                "fields": {"id": {"sequence": 1}, "acct_id": {"ref": "acct.id"}, **child_fields},
            },
        },
    }


def exact_sums(child: pa.Table, field: str, fk: str = "acct_id") -> dict:
    """Python's exact sums per parent (integers of units: Decimal's context would round)."""
    totals: dict = {}
    scale = getattr(child.schema.field(field).type, "scale", 0)
    for parent, value in zip(col(child, fk), col(child, field), strict=True):
        totals[parent] = totals.get(parent, 0) + int(Decimal(value).scaleb(scale))
    return {k: Decimal(v).scaleb(-scale) for k, v in totals.items()}


def test_decimal_sums_past_64_bits_are_exact() -> None:
    """100 values of decimal(38,18) up to 9 are up to 9·10^20 units: the int64 sums wrapped
    and gave negative totals."""
    schema = sums_schema(
        {
            "v": {"type": "decimal(38,18)", "min": 0, "max": 9},
            "w": {"type": "decimal(38,18)", "min": -9, "max": 9},
        },
        {
            "bal": {"aggregate": "sum(tx.v)"},
            "net": {"aggregate": "sum(tx.w)"},
            "mean": {"aggregate": "avg(tx.v)"},
        },
    )
    data = phony_pdl.load(schema).generate(seed=1)
    acct, tx = data["acct"], data["tx"]
    for agg, field in (("bal", "v"), ("net", "w")):
        want = exact_sums(tx, field)
        assert col(acct, agg) == [want[i] for i in col(acct, "id")], agg
    assert all(b > 100 for b in col(acct, "bal"))
    assert col(acct, "mean") == pytest.approx([float(b) / 100 for b in col(acct, "bal")])


def test_a_sum_of_sums_reads_all_128_bits() -> None:
    """A decimal sum is decimal(38, s): its values past 2^63 units were read by their low
    64 bits alone when summed again."""
    schema = sums_schema(
        {"v": {"type": "decimal(38,18)", "min": 0, "max": 9}},
        {"bank_id": {"ref": "bank.id"}, "bal": {"aggregate": "sum(tx.v)"}},
    )
    schema["entities"]["bank"] = {
        "count": 3,
        "fields": {"id": {"sequence": 1}, "total": {"aggregate": "sum(acct.bal)"}},
    }
    data = phony_pdl.load(schema).generate(seed=2)
    want = exact_sums(data["acct"], "bal", "bank_id")
    assert col(data["bank"], "total") == [want.get(i) for i in col(data["bank"], "id")]


def test_integer_sums_past_64_bits_are_an_error_or_exact_decimals() -> None:
    """100 integers in [10^17, 9·10^17] wrapped around in int64."""
    child = {"big": {"type": "int", "min": 10**17, "max": 9 * 10**17}}
    schema = sums_schema(child, {"tot": {"aggregate": "sum(tx.big)"}})
    with pytest.raises(GenerationError) as exc:
        phony_pdl.load(schema).generate(seed=1)["acct"]
    message = str(exc.value)
    assert message.startswith("acct.tot: sum(tx.big) of row 1 is ")
    assert "beyond the 64-bit integer" in message and 'type: "decimal(38,0)"' in message
    schema = sums_schema(child, {"tot": {"aggregate": "sum(tx.big)", "type": "decimal(38,0)"}})
    data = phony_pdl.load(schema).generate(seed=1)
    want = exact_sums(data["tx"], "big")
    assert col(data["acct"], "tot") == [want[i] for i in col(data["acct"], "id")]
    assert max(col(data["acct"], "tot")) > 2**63
    small = {"big": {"type": "int", "min": -(10**16), "max": 9 * 10**16}}
    data = phony_pdl.load(sums_schema(small, {"tot": {"aggregate": "sum(tx.big)"}})).generate()
    want = exact_sums(data["tx"], "big")
    assert col(data["acct"], "tot") == [int(want[i]) for i in col(data["acct"], "id")]


def test_a_decimal_sum_past_38_digits_is_an_error() -> None:
    child = {
        "big": {"type": "int", "min": 10**17, "max": 9 * 10**17},
        "f": {"type": "float", "min": 1e17, "max": 9e17, "round": 0},
        "sq": {"expr": "CAST(big AS DECIMAL(19,0)) * CAST(f AS DECIMAL(18,0))"},
    }
    schema = sums_schema(child, {"tot": {"aggregate": "sum(tx.sq)"}}, per=400)
    with pytest.raises(GenerationError, match=r"more than the 38 digits a decimal holds"):
        phony_pdl.load(schema).generate(seed=1)["acct"]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 5)),
            st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
        ),
        max_size=60,
    ),
    st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_first_occurrences_matches_a_plain_reference(rows: list, two_columns: bool) -> None:
    """The redraw loop's duplicate finder (one hash pass and a running maximum) against the
    obvious definition: a row whose tuple was seen before is a repeat; NULL never clashes."""
    from phony_pdl.engine.unique import first_occurrences

    if not rows:
        return
    ints = pa.array([r[0] for r in rows], type=pa.int64())
    texts = pa.array([r[1] for r in rows], type=pa.string())
    arrays = [ints, texts] if two_columns else [ints]
    seen, expected = set(), []
    for r in rows:
        value = r if two_columns else r[:1]
        if None in value:
            expected.append(True)
        else:
            expected.append(value not in seen)
            seen.add(value)
    assert first_occurrences(arrays).tolist() == expected


def test_self_references_that_are_never_null_or_unique(tmp_path) -> None:
    """`nullable: false`: the first row (no earlier row) points at itself; `unique: true`:
    each row at the row before it. Both load in row order with their constraints."""
    from phony_pdl.loaders import load

    fields = {
        "id": {"sequence": 1},
        "boss": {"ref": "t.id", "nullable": False},
        "prev": {"ref": "t.id", "unique": True},
    }
    schema = phony_pdl.load(_one(fields, 50))
    t = schema.generate(seed=4)["t"].to_pylist()
    assert t[0]["boss"] == 1 and all(r["boss"] < r["id"] for r in t[1:])
    assert [r["prev"] for r in t] == [None, *range(1, 50)]
    load(schema.generate(seed=4), f"sqlite:///{tmp_path / 'x.db'}")  # NOT NULL, UNIQUE, FK
    fields["prev"]["nullable"] = False
    with pytest.raises(SchemaError, match=r"a unique self-reference cannot be `nullable: false`"):
        phony_pdl.load(_one(fields, 50))


def test_a_not_null_self_reference_is_not_a_null_source() -> None:
    """`nullable: false` points the first row at itself, so keys computed from it are set."""
    from phony_pdl.nullness import null_source

    text = (
        "pdl: 1\nname: s\nentities:\n  node:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1 }\n      up: { ref: node.id, nullable: false }\n"
        "      loose: { ref: node.id }\n"
    )
    doc = phony_pdl.load(text).document
    assert null_source(doc, "node", "up") is None
    assert null_source(doc, "node", "loose") == "a self-reference is NULL in the first row"


@pytest.mark.parametrize("rows", [0, 3])
def test_a_table_has_the_schema_of_its_entity_with_or_without_rows(rows: int) -> None:
    """A table with rows takes its schema from them; an empty one from a zero-row batch.
    Either way it is the entity's Arrow schema, metadata included."""
    schema = phony_pdl.load(
        {
            "pdl": 1,
            "name": "s",
            "entities": {
                "t": {
                    "count": rows,
                    "fields": {
                        "id": {"type": "int", "min": 1, "max": 9},
                        "when": {"type": "date"},
                        "tier": {"choice": ["a", "b"]},
                        "x": {"distribution": "normal", "round": 2},
                    },
                }
            },
        }
    )
    ds = schema.generate(seed=1)
    table = ds["t"]
    assert table.num_rows == rows
    assert table.schema.equals(ds.arrow_schema("t"), check_metadata=True)
    assert table.schema.names == ["id", "when", "tier", "x"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "a": {"type": "datetime", "between": ["9990-01-01", "9999-01-01"]},
                "b": {"after": "a", "gap": "3650d"},
            },
            r"t\.b: row 1 falls after 9999-12-31, outside the calendar .*shorten the gaps",
        ),
        (
            {
                "a": {"type": "date", "between": ["0001-01-01", "0001-12-31"]},
                "b": {"before": "a", "gap": "400d"},
            },
            r"t\.b: row \d+ falls before 0001-01-01",
        ),
    ],
)
def test_times_past_the_calendar_stop_generation(fields, message) -> None:
    """An `after` with year-long gaps (or a long timeline) carried times past 9999-12-31:
    CSV wrote `10003-11-24 04:11:52` and `phony preview` crashed with OverflowError."""
    doc = {"pdl": 1, "name": "y", "entities": {"t": {"count": 5, "fields": fields}}}
    with pytest.raises(GenerationError, match=message):
        phony_pdl.load(doc).generate()["t"]


def test_a_weighted_choice_with_unquoted_number_keys_is_a_number_column() -> None:
    """`duration_min: {choice: {15: 50, 30: 40, 60: 10}}` made a text column with a
    CHECK IN ('15', '30', '60'): the keys keep the type they have in a list."""
    from phony_pdl.sql.ddl import create_table, tables
    from phony_pdl.sql.dialects import get_dialect

    text = """\
pdl: 1
name: keys
entities:
  visits:
    count: 2000
    fields:
      minutes: { choice: { 15: 50, 30: 40, 60: 10 } }
      share:   { choice: { 0.5: 1, 1: 3 } }
      paid:    { choice: { true: 95, false: 5 } }
      quoted:  { choice: { "15": 1, 30: 1 } }
      mixed:   { choice: { 1: 1, other: 1 } }
      hex:     { choice: { 0x1F: 1, 3: 1 } }
      typed:   { choice: { 1: 1, 2: 1 }, type: string }
"""
    dataset = phony_pdl.load(text).generate()
    table = dataset["visits"]
    types = {f.name: str(f.type) for f in table.schema}
    assert types == {
        "minutes": "int64",
        "share": "double",
        "paid": "bool",
        "quoted": "string",
        "mixed": "string",
        "hex": "string",
        "typed": "string",
    }
    minutes = np.array(col(table, "minutes"))
    assert set(minutes.tolist()) == {15, 30, 60}
    assert abs((minutes == 15).mean() - 0.5) < 0.04
    assert set(col(table, "share")) == {0.5, 1.0}
    assert abs(np.mean(col(table, "paid")) - 0.95) < 0.02
    assert set(col(table, "hex")) == {"0x1F", "3"}
    ddl = create_table(
        tables(dataset.plan, ["visits"])[0], get_dialect("postgres"), inline_deferred=True
    )
    assert '"minutes" BIGINT NOT NULL' in ddl
    assert '"minutes" IN (15, 30, 60)' in ddl

    as_json = json.dumps(
        {"pdl": 1, "name": "keys", "entities": {"v": {"count": 5, "fields": {
            "minutes": {"choice": {"15": 1, "30": 1}}}}}}
    )  # fmt: skip
    assert phony_pdl.load(as_json).generate()["v"].schema.field("minutes").type == pa.string()
