"""DDL derived from the plan: which aggregates are NOT NULL, and timeline state CHECKs."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.loaders import load
from phony_pdl.sql.ddl import tables

from .conftest import ROOT


def _doc(count: dict, aggregate: str, *, via: str | None = None) -> dict:
    total = {"aggregate": aggregate}
    if via:
        total["via"] = via
    return {
        "pdl": 1,
        "name": "agg",
        "entities": {
            "orders": {"count": 50, "fields": {"id": {"sequence": 1}, "total": total}},
            "items": {
                "count": count,
                "fields": {
                    "order_id": {"ref": "orders.id"},
                    "qty": {"type": "int", "min": 1, "max": 9},
                    "gift": {"type": "int", "min": 1, "max": 9, "null_rate": 0.5},
                },
            },
        },
    }


def _total_nullable(doc: dict) -> bool:
    plan = phony_pdl.load(doc).generate().plan
    orders = next(t for t in tables(plan, ["orders", "items"]) if t.name == "orders")
    return {c.name: c.nullable for c in orders.columns}["total"]


@pytest.mark.parametrize(
    ("count", "aggregate", "nullable"),
    [
        ({"per": "orders", "min": 1, "max": 5}, "sum(items.qty)", False),
        ({"per": "orders", "const": 2}, "max(items.qty)", False),
        ({"per": "orders", "min": 1, "max": 5}, "count(items)", False),
        ({"per": "orders", "choice": {"1": 3, "4": 1, "0": 0}}, "min(items.qty)", False),
        ({"per": "orders", "choice": {"0": 1, "4": 9}}, "min(items.qty)", True),
        # a parent may get no child: poisson, a min of 0, a fixed count of children
        ({"per": "orders", "distribution": "poisson", "mean": 3}, "sum(items.qty)", True),
        ({"per": "orders", "min": 0, "max": 5}, "sum(items.qty)", True),
        (200, "sum(items.qty)", True),
        # the values may all be NULL, or filtered out
        ({"per": "orders", "min": 1, "max": 5}, "sum(items.gift)", True),
        ({"per": "orders", "min": 1, "max": 5}, "sum(items.qty) FILTER (WHERE qty > 5)", True),
    ],
)
def test_an_aggregate_is_not_null_when_every_parent_has_a_value(count, aggregate, nullable):
    doc = _doc(count, aggregate)
    assert _total_nullable(doc) is nullable
    # the data agrees: a NOT NULL aggregate has a value in every row
    totals = phony_pdl.load(doc).generate()["orders"]["total"]
    if not nullable:
        assert totals.null_count == 0


def test_an_aggregate_through_another_key_stays_nullable() -> None:
    doc = _doc({"per": "orders", "min": 1, "max": 3}, "sum(items.qty)", via="other_id")
    doc["entities"]["items"]["fields"]["other_id"] = {"ref": "orders.id"}
    assert _total_nullable(doc) is True
    doc["entities"]["orders"]["fields"]["total"]["via"] = "order_id"
    assert _total_nullable(doc) is False


def test_timeline_states_get_a_check_and_the_last_state_is_not_null(tmp_path) -> None:
    """shop.yaml: order_events.state holds only the timeline's states, and every order has
    its initial event, so orders.status = last(order_events.state) is never NULL."""
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    db = tmp_path / "shop.db"
    load(schema.generate(scale=0.05), f"sqlite:///{db}")
    with sqlite3.connect(db) as con:
        ddl = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        assert '"state" TEXT NOT NULL CHECK ("state" = \'created\' OR' in ddl["order_events"]
        assert '"status" TEXT NOT NULL' in ddl["orders"]
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            con.execute("UPDATE order_events SET state = 'lost' WHERE id = 1")
    # a start that may be NULL leaves a parent without events: its last state may be NULL
    text = (ROOT / "examples" / "shop.yaml").read_text(encoding="utf-8")
    placed = "gap: { distribution: exponential, mean: 30d } }"
    assert placed in text
    text = text.replace(placed, placed[:-2] + ", null_rate: 0.2 }")
    data = phony_pdl.load(text).generate(scale=0.05)
    assert {c.name: c.nullable for c in tables(data.plan, ["orders"])[0].columns}["status"]
    assert data["orders"]["status"].null_count > 0


@pytest.mark.parametrize(
    ("expr", "nullable"),
    [
        ("a * 2 - 1", False),
        ("-(a + b) * 1.5", False),
        ("a * c", True),  # c may be NULL
        ("a / b", True),  # division is left nullable
        ("CASE WHEN a > 3 THEN b END", True),
        ("a + NULL", True),
        ("COALESCE(c, 0)", True),  # a function: not analysed
    ],
)
def test_arithmetic_of_not_null_fields_is_not_null(expr, nullable) -> None:
    doc = {
        "pdl": 1,
        "name": "e",
        "entities": {
            "t": {
                "count": 200,
                "fields": {
                    "a": {"type": "int", "min": 1, "max": 9},
                    "b": {"type": "int", "min": 1, "max": 9},
                    "c": {"type": "int", "min": 1, "max": 9, "null_rate": 0.3},
                    "x": {"expr": expr},
                },
            }
        },
    }
    data = phony_pdl.load(doc).generate()
    (table,) = tables(data.plan, ["t"])
    assert {c.name: c.nullable for c in table.columns}["x"] is nullable
    if not nullable:
        assert data["t"]["x"].null_count == 0


@pytest.mark.parametrize(
    ("expr", "nullable"),
    [
        ("t + INTERVAL '21 days'", False),  # was nullable: a loan's due date
        ("d + INTERVAL '1' DAY", False),
        ("t - INTERVAL '90' MINUTE * a", False),
        ("CAST('2023-01-01' AS DATE) + a", False),  # as `phony infer` writes dates
        ("tn + INTERVAL '1 hour'", True),  # tn may be NULL
        ("CAST(c AS DOUBLE) + 1", True),  # a column's cast is left nullable
        ("CAST(NULL AS DATE) + a", True),
    ],
)
def test_times_moved_by_intervals_are_not_null(expr, nullable, tmp_path) -> None:
    fields = {
        "a": {"type": "int", "min": 1, "max": 9},
        "c": {"type": "int", "min": 1, "max": 9, "null_rate": 0.3},
        "d": {"type": "date", "between": ["2024-01-01", "2024-12-31"]},
        "t": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"]},
        "tn": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"], "null_rate": 0.2},
        "x": {"expr": expr},
    }
    data = phony_pdl.load(
        {"pdl": 1, "name": "e", "entities": {"t": {"count": 300, "fields": fields}}}
    ).generate()
    (table,) = tables(data.plan, ["t"])
    assert {c.name: c.nullable for c in table.columns}["x"] is nullable
    if not nullable:
        assert data["t"]["x"].null_count == 0
        db = tmp_path / "e.db"
        load(data, f"sqlite:///{db}")  # the NOT NULL column takes every row
        with sqlite3.connect(db) as con:
            assert con.execute('SELECT COUNT(*) FROM "t" WHERE "x" IS NOT NULL').fetchone() == (
                300,
            )


def test_shop_line_amounts_and_order_totals_are_not_null(tmp_path) -> None:
    """amount = quantity * unit_price of NOT NULL fields, and total = sum(amount) over
    1 to 5 items per order: both NOT NULL, and a real database with the constraints
    takes the rows."""
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    data = schema.generate(scale=0.05)
    columns = {
        (t.name, c.name): c.nullable
        for t in tables(data.plan, ["orders", "order_items"])
        for c in t.columns
    }
    assert columns[("order_items", "amount")] is False and columns[("orders", "total")] is False
    db = tmp_path / "shop.db"
    load(data, f"sqlite:///{db}")
    with sqlite3.connect(db) as con:
        ddl = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        assert '"total" NUMERIC(12, 2) NOT NULL' in ddl["orders"]
        assert '"amount" NUMERIC(12, 2) NOT NULL' in ddl["order_items"]


def test_a_copy_of_a_row_number_is_an_integer_like_it_and_both_are_not_null() -> None:
    """`from` a field with an untyped expression made a TEXT column (the expression's type
    was not followed), so a composite FOREIGN KEY onto it could not be created in
    PostgreSQL (`cannot be implemented`)."""
    doc = {
        "pdl": 1,
        "name": "rn",
        "entities": {
            "orders": {"count": 5, "fields": {"id": {"sequence": 1}}},
            "lines": {
                "count": {"per": "orders", "max": 3},
                "primary_key": ["order_id", "line_no"],
                "fields": {
                    "_row": {"sequence": 1, "hidden": True},
                    "order_id": {"ref": "orders.id"},
                    "line_no": {"expr": "ROW_NUMBER() OVER (PARTITION BY order_id)"},
                    "half": {"expr": "line_no / 2"},
                },
            },
            "ships": {
                "count": 9,
                "fields": {
                    "line": {"ref": "lines._row", "hidden": True},
                    "order_id": {"from": "line.order_id"},
                    "line_no": {"from": "line.line_no"},
                    "half": {"from": "line.half"},
                },
            },
        },
    }
    plan = phony_pdl.load(doc).generate().plan
    by_name = {t.name: t for t in tables(plan, ["orders", "lines", "ships"])}
    lines = {c.name: c for c in by_name["lines"].columns}
    ships = {c.name: c for c in by_name["ships"].columns}
    assert lines["line_no"].dtype.kind == ships["line_no"].dtype.kind == "int"
    assert (lines["line_no"].nullable, ships["line_no"].nullable) == (False, False)
    assert ships["half"].dtype == lines["half"].dtype  # any copy follows its expression
    assert lines["half"].nullable  # division: still nullable
    assert by_name["ships"].composite_keys[0].columns == ["order_id", "line_no"]


def test_a_sequence_key_from_one_is_an_identity_column_where_the_dialect_has_one() -> None:
    """Tables made by Phony refused the application's own INSERT without an id."""
    from phony_pdl.sql.ddl import create_table
    from phony_pdl.sql.dialects import get_dialect

    doc = {
        "pdl": 1,
        "name": "ident",
        "entities": {
            "a": {"count": 3, "fields": {"id": {"sequence": 1}}},
            "b": {"count": 3, "fields": {"id": {"sequence": 0}}},  # MySQL renumbers a 0
            "c": {"count": 3, "fields": {"id": {"sequence": 10, "step": -1}}},
            "d": {"count": 3, "fields": {"id": {"sequence": 5, "sql_type": "SMALLINT"}}},
            "e": {"count": 3, "primary_key": "code", "fields": {
                "n": {"sequence": 1}, "code": {"pattern": "[A-Z]{4}", "unique": True}}},
        },
    }  # fmt: skip
    plan = phony_pdl.load(doc).generate().plan
    made = {t.name: t for t in tables(plan, list("abcde"))}
    expected = {
        "postgres": '"id" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL',
        "mysql": "`id` BIGINT AUTO_INCREMENT NOT NULL",
        "sqlite": '"id" INTEGER NOT NULL',
        "duckdb": '"id" BIGINT NOT NULL',
    }
    for dialect, line in expected.items():
        d = get_dialect(dialect)
        assert line in create_table(made["a"], d, inline_deferred=True)
        for plain in ("b", "c", "e"):
            assert "IDENTITY" not in create_table(made[plain], d, inline_deferred=True)
            assert "AUTO_INCREMENT" not in create_table(made[plain], d, inline_deferred=True)
    assert '"id" SMALLINT GENERATED BY DEFAULT AS IDENTITY NOT NULL' in create_table(
        made["d"], get_dialect("postgres"), inline_deferred=True
    )


@settings(max_examples=25, deadline=None)
@given(
    places=st.integers(0, 3),
    low=st.integers(-500, 500),
    width=st.integers(1, 400),
    kind=st.sampled_from(["float", "decimal(12,4)"]),
)
def test_rounded_bounds_it_can_hold_are_checked_and_every_row_passes(
    places: int, low: int, width: int, kind: str, tmp_path_factory
) -> None:
    """`{distribution: lognormal, …, round: 2, min: 20}` got no CHECK: rounding may step
    past a bound with more decimals than it keeps, but values are kept inside bounds it can
    hold. Draws crowd both bounds; SQLite enforces the CHECK on every row."""
    lo, hi = low / 10**places, (low + width) / 10**places
    doc = {
        "pdl": 1,
        "name": "rounded",
        "entities": {"r": {"count": 3000, "fields": {
            "x": {"distribution": "normal", "mean": lo, "sd": (hi - lo) / 2 or 1, "round": places,
                  "min": lo, "max": hi, "type": kind},
            "finer": {"distribution": "uniform", "min": lo + 0.5 / 10**places, "max": hi + 1,
                      "round": places},
        }}},
    }  # fmt: skip
    data = phony_pdl.load(doc).generate()
    columns = {c.name: c for c in tables(data.plan, ["r"])[0].columns}
    assert columns["x"].check == "between"
    assert columns["finer"].check is None  # half a step finer than `round` keeps
    db = tmp_path_factory.mktemp("rounded") / "r.db"
    load(data, f"sqlite:///{db}")  # raises on a row its CHECK refuses
    with sqlite3.connect(db) as con:
        (sql,) = con.execute("SELECT sql FROM sqlite_master WHERE name = 'r'").fetchone()
        assert 'CHECK ("x" >= ' in sql
        smallest, largest, rows = con.execute("SELECT MIN(x), MAX(x), COUNT(*) FROM r").fetchone()
    assert rows == 3000
    assert lo <= smallest <= largest <= hi
