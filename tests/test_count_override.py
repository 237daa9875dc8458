"""`--count users=5000` / `generate(counts=…)`: the rows of an entity with a fixed count,
set for one run without editing the schema; its children follow."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import phony_pdl
from phony_pdl.cli import app
from phony_pdl.errors import UsageError

from .conftest import ROOT

SHOP = ROOT / "examples" / "shop.yaml"
runner = CliRunner()


def _shop_with(customers: int, products: int) -> phony_pdl.Schema:
    """The shop schema with its two fixed counts edited in the text."""
    text = SHOP.read_text(encoding="utf-8")
    assert text.count("    count: 1000\n") == 1 and text.count("    count: 200\n") == 1
    text = text.replace("    count: 1000\n", f"    count: {customers}\n")
    text = text.replace("    count: 200\n", f"    count: {products}\n")
    return phony_pdl.load(text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers=st.integers(0, 120), products=st.integers(5, 40), scale=st.sampled_from([1, 3]))
def test_a_count_override_makes_what_the_edited_schema_makes(
    customers: int, products: int, scale: int
) -> None:
    """Every entity, children included, equals the run of the schema with the counts
    edited (the override is exact: --scale does not multiply it)."""
    shop = phony_pdl.load(SHOP)
    got = shop.generate(counts={"customers": customers, "products": products}, scale=scale)
    edited = _shop_with(customers, products).generate()
    assert got.count("customers") == customers
    for name in edited:
        assert got[name].equals(edited[name]), name


def test_only_the_named_entity_changes_and_the_rest_is_scaled() -> None:
    shop = phony_pdl.load(SHOP)
    out = shop.generate(counts={"customers": 30}, scale=0.5)
    assert out.count("customers") == 30
    assert out.count("products") == 100  # 200 × 0.5
    orders = out["orders"]
    assert set(orders["customer_id"].to_pylist()) <= set(out["customers"]["id"].to_pylist())


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"custmers": 3}, "names an unknown entity 'custmers'; did you mean 'customers'?"),
        (
            {"orders": 3},
            "orders: its rows follow from its parent (children per customers row); "
            "set the count of customers instead (--count customers=N)",
        ),
        (
            {"order_events": 3},
            "order_events: its rows follow from its parent (a timeline per orders row); "
            "set the count of customers instead (--count customers=N)",
        ),
        ({"customers": -1}, "customers=-1: expected a whole number of rows from 0 to"),
        ({"customers": 2.5}, "customers=2.5: expected a whole number of rows"),
        ({"customers": True}, "customers=True: expected a whole number of rows"),
    ],
)
def test_bad_counts_are_refused_with_the_fix(counts: dict, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        phony_pdl.load(SHOP).generate(counts=counts)
    assert message in str(caught.value)


def test_cli_count_writes_those_rows_and_records_them(tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "generate",
            str(SHOP),
            "-o",
            str(out),
            "-q",
            "--count",
            "customers=25",
            "-n",
            "products=6",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = (out / "customers.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 25
    assert len((out / "products.csv").read_text(encoding="utf-8").splitlines()) == 1 + 6
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"customers": 25, "products": 6}
    assert manifest["entities"]["customers"]["rows"] == 25


def test_cli_without_count_writes_no_counts_in_the_manifest(tmp_path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(SHOP), "-o", str(out), "-q", "--scale", "0.05"])
    assert result.exit_code == 0, result.output
    assert "counts" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "customers"], "--count 'customers': expected ENTITY=ROWS with a whole number"),
        (["--count", "customers=ten"], "--count 'customers=ten': expected ENTITY=ROWS"),
        (["--count", "customers=2,customers=3"], "--count gives customers twice (2 and 3)"),
        (["--count", "orders=3"], "set the count of customers instead (--count customers=N)"),
    ],
)
def test_cli_bad_counts_exit_two_and_write_nothing(tmp_path, args: list[str], message) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", str(SHOP), "-o", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()
