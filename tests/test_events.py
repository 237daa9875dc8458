"""Aggregates, windows and timelines checked by an independent engine (DuckDB) and by statistics."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

import phony_pdl

from .conftest import ROOT


def to_parquet(schema_source, tmp: Path, **options) -> duckdb.DuckDBPyConnection:
    dataset = phony_pdl.load(schema_source).generate(**options)
    dataset.write(tmp, format="parquet")
    con = duckdb.connect()
    for entity in dataset:
        con.execute(
            f"CREATE VIEW \"{entity}\" AS SELECT * FROM read_parquet('{tmp / entity}.parquet')"
        )
    return con


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_shop_aggregates_match_duckdb(tmp_path: Path) -> None:
    con = to_parquet(ROOT / "examples" / "shop.yaml", tmp_path)
    mismatched = rows(
        con,
        """
        SELECT COUNT(*) FROM orders o
        LEFT JOIN (SELECT order_id, SUM(amount) AS s FROM order_items GROUP BY order_id) i ON i.order_id = o.id
        WHERE o.total IS DISTINCT FROM i.s
        """,
    )
    assert mismatched == [(0,)]
    mismatched = rows(
        con,
        """
        SELECT COUNT(*) FROM orders o
        LEFT JOIN (SELECT order_id, arg_max(state, "at") AS last_state FROM order_events GROUP BY order_id) e
          ON e.order_id = o.id
        WHERE o.status IS DISTINCT FROM e.last_state
        """,
    )
    assert mismatched == [(0,)]


def test_bank_windows_match_duckdb(tmp_path: Path) -> None:
    con = to_parquet(ROOT / "examples" / "bank.yaml", tmp_path)
    result = rows(
        con,
        """
        WITH w AS (
          SELECT *,
            SUM(amount) OVER (PARTITION BY account_id ORDER BY "at") AS d_running,
            ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY "at") AS d_seq,
            balance - COALESCE(LAG(balance) OVER (PARTITION BY account_id ORDER BY "at"), 0) AS d_amount
          FROM transactions)
        SELECT COUNT(*), SUM(CAST(running <> d_running AS INT)), SUM(CAST(seq <> d_seq AS INT)),
               SUM(CAST(amount <> d_amount AS INT)), SUM(CAST(running <> balance AS INT))
        FROM w
        """,
    )
    total, *wrong = result[0]
    assert total > 5000
    assert wrong == [0, 0, 0, 0]
    below = rows(
        con,
        "SELECT COUNT(*) FROM transactions t JOIN accounts a ON a.id = t.account_id "
        "WHERE t.running < -a.overdraft_limit",
    )
    assert below == [(0,)]


AGGREGATES = {
    "n": ("count(c.v)", "COUNT(v)"),
    "n_big": ("count(c.v) FILTER (WHERE c.v > 50)", "COUNT(v) FILTER (WHERE v > 50)"),
    "kinds": ("count_distinct(c.kind)", "COUNT(DISTINCT kind)"),
    "total": ("sum(c.v)", "SUM(v)"),
    "money": ("sum(c.m)", "SUM(m)"),
    "low": ("min(c.v)", "MIN(v)"),
    "high": ("max(c.m)", "MAX(m)"),
    "first_kind": ("first(c.kind)", "arg_min(kind, row_no)"),
    "last_v": ("last(c.v)", "arg_max(v, row_no)"),
}


def test_every_aggregate_matches_duckdb(tmp_path: Path) -> None:
    fields = {"id": {"sequence": 1}}
    fields.update({name: {"aggregate": agg} for name, (agg, _) in AGGREGATES.items()})
    schema = {
        "pdl": 1,
        "name": "agg",
        "entities": {
            "p": {"count": 300, "fields": fields},
            "c": {
                "count": {"per": "p", "distribution": "poisson", "mean": 4},
                "fields": {
                    "row_no": {"sequence": 0},
                    "p_id": {"ref": "p.id"},
                    "v": {"type": "int", "min": 0, "max": 100, "null_rate": 0.1},
                    "m": {"type": "decimal(10,2)", "min": 0, "max": 999},
                    "kind": {"choice": ["a", "b", "c", "d"]},
                },
            },
        },
    }
    con = to_parquet(schema, tmp_path)
    for name, (_, sql) in AGGREGATES.items():
        # SQL semantics: parents without children get 0 from counts and NULL from the rest.
        expected = "COALESCE(g.x, 0)" if name in ("n", "n_big", "kinds") else "g.x"
        bad = rows(
            con,
            f"""
            SELECT COUNT(*) FROM p LEFT JOIN (SELECT p_id, {sql} AS x FROM c GROUP BY p_id) g ON g.p_id = p.id
            WHERE p.{name} IS DISTINCT FROM {expected}
            """,
        )
        assert bad == [(0,)], name


STATES = {
    "new": {"a": 0.5, "b": 0.3, "c": 0.2},
    "a": {"b": 0.6, "done": 0.4},
    "b": {"done": 1.0},
    "c": {"a": 0.25, "done": 0.75},
}


def timeline_schema(parents: int, max_steps: int = 50) -> dict:
    states = {
        s: {"next": nxt, "after": {"distribution": "exponential", "mean": "1h"}}
        for s, nxt in STATES.items()
    }
    states["done"] = {"after": "10m"}
    return {
        "pdl": 1,
        "name": "tl",
        "entities": {
            "p": {"count": parents, "fields": {"id": {"sequence": 1}, "t0": {"type": "datetime"}}},
            "e": {
                "timeline": {
                    "for": "p",
                    "start": "p.t0",
                    "initial": "new",
                    "states": states,
                    "max_steps": max_steps,
                },
                "fields": {
                    "p_id": {"ref": "p.id"},
                    "state": {"timeline": "state"},
                    "at": {"timeline": "time"},
                    "k": {"timeline": "step"},
                },
            },
        },
    }


def test_transition_frequencies_match_declared_probabilities() -> None:
    ds = phony_pdl.load(timeline_schema(100_000)).generate()
    e = ds["e"].to_pydict()
    p_id, state = np.array(e["p_id"]), np.array(e["state"])
    same = p_id[1:] == p_id[:-1]
    pairs = list(zip(state[:-1][same], state[1:][same], strict=True))
    for source, targets in STATES.items():
        observed = np.array([sum(1 for a, b in pairs if a == source and b == t) for t in targets])
        expected = np.array(list(targets.values())) * observed.sum()
        if len(targets) > 1:
            assert chisquare(observed, expected).pvalue > 1e-4, source
        else:
            assert observed.sum() == expected.sum()


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 400), st.integers(2, 8), st.integers(0, 2**31))
def test_timeline_invariants(parents: int, max_steps: int, seed: int) -> None:
    spec = timeline_schema(parents, max_steps)
    spec["seed"] = seed
    ds = phony_pdl.load(spec).generate()
    starts = dict(
        zip(ds["p"].column("id").to_pylist(), ds["p"].column("t0").to_pylist(), strict=True)
    )
    allowed = {s: set(n) for s, n in STATES.items()}
    previous: dict[int, tuple] = {}
    for p, s, at, k in zip(
        *(ds["e"].column(c).to_pylist() for c in ("p_id", "state", "at", "k")), strict=True
    ):
        if p not in previous:
            assert (s, at, k) == ("new", starts[p], 1)
        else:
            ps, pat, pk = previous[p]
            assert s in allowed[ps] and at >= pat and k == pk + 1
        previous[p] = (s, at, k)
    for s, _, k in previous.values():  # every path ends in a terminal state or at max_steps
        assert s == "done" or k == max_steps


def test_timelines_do_not_depend_on_block_size() -> None:
    schema = phony_pdl.load(timeline_schema(500))
    assert schema.generate(block_rows=13)["e"].equals(schema.generate()["e"])


def test_window_edge_cases_match_duckdb(tmp_path: Path) -> None:
    schema = {
        "pdl": 1,
        "name": "wedge",
        "entities": {
            "t": {
                "count": 400,
                "fields": {
                    "id": {"sequence": 1},
                    "g": {"choice": [1, 2, 3], "null_rate": 0.2},
                    "s": {"choice": ["a", "b"], "null_rate": 0.2},
                    "x": {"type": "int", "min": 0, "max": 9, "null_rate": 0.5},
                    "lag2": {"expr": "LAG(x, 2, -1) OVER (PARTITION BY g ORDER BY id)"},
                    "lead1": {"expr": "LEAD(id) OVER (PARTITION BY s ORDER BY id DESC)"},
                    "run": {"expr": "SUM(x) OVER (PARTITION BY g ORDER BY id)"},
                    "cnt": {"expr": "COUNT(x) OVER (PARTITION BY s)"},
                },
            }
        },
    }
    con = to_parquet(schema, tmp_path)
    bad = rows(
        con,
        """
        WITH w AS (SELECT *,
            LAG(x, 2, -1) OVER (PARTITION BY g ORDER BY id) AS d_lag2,
            LEAD(id) OVER (PARTITION BY s ORDER BY id DESC) AS d_lead1,
            SUM(x) OVER (PARTITION BY g ORDER BY id) AS d_run,
            COUNT(x) OVER (PARTITION BY s) AS d_cnt
          FROM t)
        SELECT SUM(CAST(lag2 IS DISTINCT FROM d_lag2 AS INT)), SUM(CAST(lead1 IS DISTINCT FROM d_lead1 AS INT)),
               SUM(CAST(run IS DISTINCT FROM d_run AS INT)), SUM(CAST(cnt IS DISTINCT FROM d_cnt AS INT))
        FROM w
        """,
    )
    assert bad == [(0, 0, 0, 0)]


def test_constant_transition_probabilities_are_one_matrix_for_all_parents() -> None:
    """A million parents of a 20-state machine would need 3 GB as (n, S, S); numbers need
    one (S, S) matrix. Only SQL probabilities are evaluated per parent."""
    from phony_pdl.engine.columns import Columns
    from phony_pdl.engine.timeline import Machine

    dataset = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate()
    plan = dataset.plan
    entity = next(e for e, spec in plan.doc.entities.items() if spec.timeline is not None)
    machine = Machine(plan, entity)
    probs = machine.probabilities(Columns(plan), np.arange(50))
    per_row = any(
        isinstance(p, str) for s in machine.spec.states.values() for p in (s.next or {}).values()
    )
    assert probs.ndim == (3 if per_row else 2)
    rows = probs if probs.ndim == 2 else probs[0]
    live = rows.sum(axis=-1) > 0
    assert np.allclose(rows.sum(axis=-1)[live], 1.0)


def test_window_sums_and_extremes_of_large_numbers_are_exact(tmp_path: Path) -> None:
    """Integers near 2**53 and decimals of 16-18 digits: doubles would drop their last
    digits (sums, MIN, MAX and ORDER BY on the decimal)."""
    schema = {
        "pdl": 1,
        "name": "wbig",
        "entities": {
            "t": {
                "count": 400,
                "fields": {
                    "id": {"sequence": 1},
                    "g": {"choice": [1, 2, 3]},
                    "x": {"type": "int", "min": 2**53, "max": 2**53 + 10**6, "null_rate": 0.1},
                    "d": {"type": "decimal(18,2)", "min": 10**13, "max": 9 * 10**13},
                    "run": {"expr": "SUM(x) OVER (PARTITION BY g ORDER BY id)"},
                    "tot": {"expr": "SUM(d) OVER (PARTITION BY g)"},
                    "lo": {"expr": "MIN(x) OVER (PARTITION BY g ORDER BY id)"},
                    "hi": {"expr": "MAX(x) OVER (PARTITION BY g)"},
                    "rk": {"expr": "RANK() OVER (ORDER BY d DESC)"},
                },
            }
        },
    }
    con = to_parquet(schema, tmp_path)
    bad = rows(
        con,
        """
        WITH w AS (SELECT *,
            SUM(x) OVER (PARTITION BY g ORDER BY id) AS d_run,
            SUM(d) OVER (PARTITION BY g) AS d_tot,
            MIN(x) OVER (PARTITION BY g ORDER BY id) AS d_lo,
            MAX(x) OVER (PARTITION BY g) AS d_hi,
            RANK() OVER (ORDER BY d DESC) AS d_rk
          FROM t)
        SELECT SUM(CAST(run IS DISTINCT FROM d_run AS INT)), SUM(CAST(tot IS DISTINCT FROM d_tot AS INT)),
               SUM(CAST(lo IS DISTINCT FROM d_lo AS INT)), SUM(CAST(hi IS DISTINCT FROM d_hi AS INT)),
               SUM(CAST(rk IS DISTINCT FROM d_rk AS INT)), COUNT(DISTINCT x % 1000)
        FROM w
        """,
    )
    assert bad[0][:5] == (0, 0, 0, 0, 0)
    assert bad[0][5] > 300  # the low digits really vary (the test would pass on doubles otherwise)


def test_window_sum_beyond_64_bits_is_an_error() -> None:
    schema = {
        "pdl": 1,
        "name": "wover",
        "entities": {
            "t": {
                "count": 10,
                "fields": {
                    "id": {"sequence": 1},
                    "x": {"type": "int", "min": 2 * 10**18, "max": 3 * 10**18},
                    "run": {"expr": "SUM(x) OVER (ORDER BY id)"},
                },
            }
        },
    }
    with pytest.raises(phony_pdl.PhonyError, match=r"leaves the 64-bit integer range"):
        phony_pdl.load(schema).generate()["t"]


def long_timeline_schema(parents: int = 3, max_steps: int = 3000) -> dict:
    """A cycle with a rare way out: paths thousands of events long, over many blocks."""
    return {
        "pdl": 1,
        "name": "long",
        "entities": {
            "p": {
                "count": parents,
                "fields": {"id": {"sequence": 1}, "t0": {"type": "datetime", "null_rate": 0.2}},
            },
            "e": {
                "timeline": {
                    "for": "p",
                    "start": "p.t0",
                    "initial": "idle",
                    "max_steps": max_steps,
                    "states": {
                        "idle": {
                            "next": {"busy": 0.7, "away": 0.3},
                            "after": {"distribution": "exponential", "mean": "5m"},
                        },
                        "busy": {
                            "next": {"idle": 0.8, "away": 0.2},
                            "after": {"min": "1s", "max": "2m"},
                        },
                        "away": {"next": {"idle": 0.9995, "closed": 0.0005}, "after": "30s"},
                        "closed": {},
                    },
                },
                "fields": {
                    "p_id": {"ref": "p.id"},
                    "state": {"timeline": "state"},
                    "at": {"timeline": "time"},
                    "k": {"timeline": "step"},
                },
            },
        },
    }


def test_long_timelines_do_not_depend_on_blocks_workers_or_block_order(tmp_path: Path) -> None:
    """Blocks resume long paths from the checkpoints earlier blocks left in the process;
    what a checkpoint holds is the walk from step 0, so neither the block size, the
    worker count nor the order blocks are made in changes a byte."""
    from phony_pdl.engine.columns import Batch, Columns

    schema = phony_pdl.load(long_timeline_schema(parents=5))
    whole = schema.generate()["e"]
    assert whole.num_rows > 4000 and max(whole.column("k").to_pylist()) > 1000
    assert schema.generate(block_rows=300)["e"].equals(whole)
    one = schema.generate(block_rows=300).write(tmp_path / "w1", format="csv", workers=1)
    two = schema.generate(block_rows=300).write(tmp_path / "w2", format="csv", workers=2)
    assert one.entities["e"].sha256 == two.entities["e"].sha256
    # blocks in a shuffled order in one process: checkpoints ahead of a block go unused
    plan = schema.generate(block_rows=300).plan
    columns = Columns(plan)
    starts = np.random.default_rng(5).permutation(np.arange(0, whole.num_rows, 300))
    for start in starts:
        rows = np.arange(start, min(start + 300, whole.num_rows))
        batch = Batch("e", rows)
        for field in ("state", "at", "k"):
            got = columns.get(batch, field)
            assert got.equals(whole.column(field).combine_chunks().slice(start, len(rows)))
    assert plan.timelines["e"]._checkpoints  # the blocks did resume from checkpoints


def test_a_walk_resumed_from_where_it_stood_is_the_walk_from_step_0() -> None:
    from phony_pdl.engine.columns import Columns
    from phony_pdl.engine.timeline import Machine

    plan = phony_pdl.load(long_timeline_schema(parents=40, max_steps=700)).generate().plan
    machine, columns = Machine(plan, "e"), Columns(plan)
    parents = np.arange(40)
    states, times, lengths, carry = machine.walk(columns, parents)
    # as many steps as the longest path (the walk stops once every path has ended)
    assert states.shape[1] == max(1, int(lengths.max()))
    for cut in (1, 37, 256, 699):
        head = machine.walk(columns, parents, cut)
        tail = machine.walk(columns, parents, resume=head[3])
        assert np.array_equal(np.hstack([head[0], tail[0]])[:, : states.shape[1]], states)
        assert np.array_equal(np.hstack([head[1], tail[1]])[:, : states.shape[1]], times)
        assert np.array_equal(head[2] + tail[2], lengths)
        assert tail[3].step == carry.step or not carry.live.any()


def test_probabilities_that_all_come_to_zero_keep_to_the_declared_transitions() -> None:
    """A parent whose expression probabilities are all 0 used to move to the last state
    declared in `states` (here `shipped`, which `placed` never lists); it now takes the
    last target of the state's own `next`."""
    spec = {
        "pdl": 1,
        "name": "stuck",
        "entities": {
            "orders": {
                "count": 400,
                "fields": {
                    "id": {"sequence": 1},
                    "t0": {"type": "datetime"},
                    "total": {"distribution": "uniform", "min": 0, "max": 100},
                },
            },
            "ev": {
                "timeline": {
                    "for": "orders",
                    "start": "orders.t0",
                    "initial": "placed",
                    "states": {
                        "placed": {
                            "next": {
                                "paid": "CASE WHEN total > 50 THEN 1 ELSE 0 END",
                                "cancelled": "CASE WHEN total > 80 THEN 1 ELSE 0 END",
                            }
                        },
                        "paid": {"next": {"shipped": 1}},
                        "cancelled": {},
                        "shipped": {},
                    },
                },
                "fields": {
                    "order_id": {"ref": "orders.id"},
                    "state": {"timeline": "state"},
                    "k": {"timeline": "step"},
                },
            },
        },
    }
    ds = phony_pdl.load(spec).generate()
    total = dict(zip(*(ds["orders"].column(c).to_pylist() for c in ("id", "total")), strict=True))
    second = {
        o: s
        for o, s, k in zip(
            *(ds["ev"].column(c).to_pylist() for c in ("order_id", "state", "k")), strict=True
        )
        if k == 2
    }
    assert len(second) == 400
    low = {o for o in second if total[o] <= 50}
    assert low and all(second[o] == "cancelled" for o in low)
    assert {second[o] for o in second if total[o] > 80} == {"paid", "cancelled"}


def test_a_draw_at_the_top_of_rounded_probabilities_picks_a_declared_target() -> None:
    """Thirds sum to 1 - 1e-16 after cumsum; a uniform draw above that used to pick the
    last state of the machine, whatever the state's `next` listed."""
    from phony_pdl.engine.columns import Columns
    from phony_pdl.engine.timeline import Machine

    spec = timeline_schema(3)
    spec["entities"]["e"]["timeline"]["states"]["new"]["next"] = {"a": 0.1, "b": 0.2, "c": 0.7}
    plan = phony_pdl.load(spec).generate().plan
    machine = Machine(plan, "e")
    cumulative = machine.cumulative(Columns(plan), np.arange(3))
    row = cumulative[machine.index["new"]]
    u = np.nextafter(1.0, 0.0)  # the largest draw
    assert machine.states[int((u >= row).sum())] == "c"
    assert np.isinf(row[machine.index["c"] :]).all()
