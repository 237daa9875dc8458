"""`phony infer` learns bool columns that are a comparison on every row: a threshold on one
column (`age >= 18`, `amount > 100`) or two columns compared (`returned_at > due_at`)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import phony_pdl
from phony_pdl.engine.evaluate import evaluate
from phony_pdl.expr import parse_expr
from phony_pdl.infer import infer
from phony_pdl.infer.relations import _roundest

LOANS = """
pdl: 1
name: lib
seed: 7
entities:
  loans:
    count: 2000
    fields:
      id: {sequence: 1}
      due_at: {type: date, min: 2024-01-01, max: 2024-03-01}
      returned_at:
        type: datetime
        min: 2024-01-01T00:00:00
        max: 2024-03-01T00:00:00
        null_rate: 0.1
      age: {type: int, min: 10, max: 40}
      amount: {distribution: lognormal, median: 80, sigma: 0.6, round: 2}
      price: {type: float, min: 1, max: 50, round: 2}
      late: {expr: "returned_at > due_at"}
      adult: {expr: "age >= 18"}
      big: {expr: "amount > 100"}
      cheap: {expr: "price < 10"}
      recent: {expr: "due_at >= DATE '2024-02-01'"}
      coin: {generator: misc.boolean, probability: 0.3}
"""
FLAGS = {
    "late": "returned_at > due_at",
    "adult": "age >= 18",
    "big": "amount > 100",
    "cheap": "price < 10",
    "recent": "due_at >= DATE '2024-02-01'",
}


def _same(a: pa.Array, b: pa.Array) -> bool:
    """Equal on every row, NULL on the same rows."""
    return a.to_pylist() == b.to_pylist()


def _columns(table: pa.Table) -> dict[str, pa.Array]:
    return {name: table.column(name).combine_chunks() for name in table.column_names}


@pytest.fixture(scope="module")
def loans():
    sample = phony_pdl.load(LOANS).generate()["loans"]
    result = infer(sample, name="loans")
    return sample, result, result.document["entities"]["loans"]["fields"]


def test_flags_that_are_comparisons_become_exprs_equal_on_every_row(loans) -> None:
    sample, result, fields = loans
    columns = _columns(sample)
    for flag in FLAGS:
        assert set(fields[flag]) == {"expr"}, (flag, fields[flag])
        learnt = evaluate(parse_expr(fields[flag]["expr"]), columns, sample.num_rows)
        assert _same(learnt, columns[flag]), flag
    assert columns["late"].null_count > 150  # NULL where returned_at is, reproduced
    # the roundest threshold in the gap, and the gap in the comment
    assert fields["adult"]["expr"] == "age >= 18"
    assert fields["big"]["expr"] == "amount > 100"
    assert fields["cheap"]["expr"] == "price < 10"
    assert fields["recent"]["expr"] == "due_at >= DATE '2024-02-01'"
    assert fields["late"]["expr"] == "returned_at > due_at"
    assert "# adult = age >= 18 on all 2,000 rows, 1,4" in result.text
    assert " true; false up to 17, true from 18" in result.text
    assert "# late = returned_at > due_at on all 1,795 rows (NULL where an input is)" in result.text
    # an unrelated flag stays a probability
    assert fields["coin"]["generator"] == "misc.boolean"


def test_output_of_the_inferred_schema_keeps_the_relations(loans) -> None:
    _, result, _ = loans
    out = result.schema().generate(seed=3)["loans"]
    columns = _columns(out)
    for flag, sql in FLAGS.items():
        expected = evaluate(parse_expr(sql), columns, out.num_rows)
        assert _same(columns[flag], expected), flag
        assert 0 < pa.compute.sum(columns[flag]).as_py() < out.num_rows


def _table(n: int = 200, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    age = rng.integers(5, 80, n)
    due = np.datetime64("2024-01-01") + rng.integers(0, 60, n)
    back = np.datetime64("2024-01-01") + rng.integers(0, 60, n)
    return {"age": age, "due": due, "back": back}


def test_a_flag_broken_on_one_row_is_no_expr() -> None:
    t = _table()
    adult = t["age"] >= 18
    late = t["back"] > t["due"]
    adult[7], late[9] = ~adult[7], ~late[9]
    fields = infer(pa.table({**t, "adult": adult, "late": late}), name="t").document
    fields = fields["entities"]["t"]["fields"]
    assert "expr" not in fields["adult"] and "expr" not in fields["late"]
    assert fields["adult"]["generator"] == "misc.boolean"


def test_null_inputs_need_null_flags() -> None:
    t = _table()
    age = pa.array(t["age"], mask=np.arange(200) % 10 == 0)
    adult = t["age"] >= 18
    nulls_too = pa.array(adult, mask=np.arange(200) % 10 == 0)
    set_anyway = pa.array(adult)  # set where age is NULL: no comparison gives that
    table = pa.table({"age": age, "a": nulls_too, "b": set_anyway})
    fields = infer(table, name="t").document["entities"]["t"]["fields"]
    assert fields["a"] == {"expr": "age >= 18"}
    assert "expr" not in fields["b"]


def test_few_rows_or_one_sided_flags_are_left_alone() -> None:
    t = _table(n=15)
    few = infer(pa.table({"age": t["age"], "adult": t["age"] >= 18}), name="t")
    assert "expr" not in few.document["entities"]["t"]["fields"]["adult"]
    rank = np.random.default_rng(2).permutation(200)
    rare = rank >= 196  # true on 4 rows: too few to tell a rule from chance
    one = infer(pa.table({"rank": rank, "old": rare}), name="t")
    assert "expr" not in one.document["entities"]["t"]["fields"]["old"]


def test_columns_renamed_or_named_like_sql_words_compare_in_the_schema() -> None:
    t = _table()
    table = pa.table({"Due Date": t["due"], "end": t["back"], "late": t["back"] >= t["due"]})
    result = infer(table, name="t")
    assert result.document["entities"]["t"]["fields"]["late"] == {"expr": "end >= Due_Date"}
    out = _columns(result.schema().generate(seed=2)["t"])
    expected = evaluate(parse_expr('"end" >= "Due Date"'), out, 200)  # the output's names
    assert _same(out["late"], expected)


@pytest.mark.parametrize(
    ("lo", "hi", "kind", "value"),
    [
        (17, 18, "int", "18"),
        (99.87, 100.03, "float", "100"),
        (95, 120, "int", "100"),
        (12.31, 12.37, "float", "12.34"),
        (0.004, 0.0061, "float", "0.005"),
        (-3.2, -2.9, "float", "-3"),
        (19738, 19770, "date", "DATE '2024-02-01'"),  # 2024-01-16 .. 2024-02-17
        (19755, 19757, "date", "DATE '2024-02-03'"),
    ],
)
def test_the_roundest_threshold_in_the_gap(lo, hi, kind, value) -> None:
    assert _roundest(float(lo), float(hi), kind)[1] == value


def test_a_datetime_threshold_is_the_roundest_time_in_the_gap() -> None:
    def us(text: str) -> float:
        return float(np.datetime64(text, "us").astype(np.int64))

    value, literal = _roundest(us("2024-03-05T09:41:07.25"), us("2024-03-05T11:02:00"), "datetime")
    assert literal == "TIMESTAMP '2024-03-05 10:00:00'" and value == us("2024-03-05T10:00")
    _, literal = _roundest(us("2023-12-31T23:59:59.5"), us("2024-01-01T00:00:00.5"), "datetime")
    assert literal == "TIMESTAMP '2024-01-01 00:00:00'"


def test_dates_a_flag_compares_are_written_as_dates(tmp_path) -> None:
    """A date read from `31/01/2024` text is written back that way, but not one an `expr`
    reads: the comparison would be of the text (`01/02/2024` < `31/01/2024`)."""
    t = _table()
    days = [np.datetime64(d, "D").astype(object) for d in (*t["due"], *t["back"])]
    due, back = days[:200], days[200:]
    path = tmp_path / "loans.csv"
    rows = ["due,back,late,other"]
    for d, b, o in zip(due, back, t["due"][::-1], strict=True):
        other = np.datetime64(o, "D").astype(object)
        rows.append(f"{d:%d/%m/%Y},{b:%d/%m/%Y},{str(b > d).lower()},{other:%d/%m/%Y}")
    path.write_text("\n".join(rows) + "\n")
    result = infer(path)
    fields = result.document["entities"]["loans"]["fields"]
    assert fields["late"] == {"expr": "back > due"}
    assert "format" not in fields["due"] and "format" not in fields["back"]
    assert fields["other"]["format"] == "%d/%m/%Y"
    out = _columns(result.schema().generate(seed=4)["loans"])
    assert _same(out["late"], pa.compute.greater(out["back"], out["due"]))


def test_a_two_valued_text_column_that_a_comparison_gives_becomes_a_case() -> None:
    """bank.yaml's `kind: credit / debit` by the amount's sign was a choice drawn apart
    from the amount: it becomes `CASE WHEN amount < 0 THEN 'debit' ELSE 'credit' END`, and
    with NULL amounts the CASE is NULL exactly there. A two-valued label nothing gives
    stays a choice."""
    rng = np.random.default_rng(1)
    n = 1000
    amount = np.round(rng.normal(0, 100, n), 2)
    amount[amount == 0] = 0.01
    kind = np.where(amount < 0, "debit", "credit")
    gone = rng.random(n) < 0.1
    real = pa.table({
        "amount": pa.array(np.where(gone, np.nan, amount), from_pandas=True),
        "kind": pa.array(np.where(gone, None, kind).tolist(), pa.string()),
        "side": rng.choice(["left", "right"], n),
    })  # fmt: skip
    learnt = infer(real, name="tx")
    fields = learnt.document["entities"]["tx"]["fields"]
    assert fields["kind"] == {
        "expr": "CASE WHEN amount < 0 THEN 'debit' WHEN NOT (amount < 0) THEN 'credit' END"
    }
    assert "choice" in fields["side"]
    out = learnt.schema().generate(seed=2)["tx"].to_pylist()
    for row in out:
        if row["amount"] is None:
            assert row["kind"] is None
        else:
            assert row["kind"] == ("debit" if row["amount"] < 0 else "credit")
