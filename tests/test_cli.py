"""The CLI as users see it: exit codes, messages, graph output."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from phony_pdl.cli import app

from .conftest import ROOT

runner = CliRunner()


def test_validate_all_examples_exit_zero() -> None:
    files = [str(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": valid") == len(files)


def test_validate_reports_and_exits_one(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "pdl: 1\nname: t\nentities:\n  u:\n    count: 1\n    fields:\n      a: { generator: person.firstname }\n"
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "error[unknown-generator]" in result.output
    assert f"{bad}:7:" in result.output
    assert "did you mean 'person.first_name'?" in result.output


def test_validate_json_output(tmp_path) -> None:
    import json

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "pdl: 3\nname: t\nentities:\n  u:\n    count: 1\n    fields:\n      a: { const: 1 }\n"
    )
    result = runner.invoke(app, ["validate", "--json", str(bad)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report[0]["code"] == "unsupported-version"
    assert (report[0]["line"], report[0]["column"]) == (1, 6)


def test_usage_errors_exit_two() -> None:
    assert runner.invoke(app, ["validate"]).exit_code == 2
    assert (
        runner.invoke(
            app, ["graph", str(ROOT / "examples" / "shop.yaml"), "--format", "png"]
        ).exit_code
        == 2
    )
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_missing_file_exits_one() -> None:
    result = runner.invoke(app, ["validate", "does-not-exist.yaml"])
    assert result.exit_code == 1
    assert "error[file-not-found]" in result.output


def test_graph_mermaid_shows_entities_keys_and_cycle_through_aggregate() -> None:
    result = runner.invoke(app, ["graph", str(ROOT / "examples" / "shop.yaml")])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("erDiagram")
    assert "customers ||--o{ orders" in out
    assert "orders ||--o{ order_items" in out
    assert "%% orders.total = sum(order_items.amount)" in out


def test_graph_dot() -> None:
    result = runner.invoke(app, ["graph", str(ROOT / "examples" / "teams.yaml"), "--format", "dot"])
    assert result.exit_code == 0
    assert '"teams":"captain_id" -> "players":"id" [style=dashed]' in result.output


def test_generators_lists_registry() -> None:
    result = runner.invoke(app, ["generators"])
    assert result.exit_code == 0
    assert "person.first_name" in result.output


def test_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "phony_pdl.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("phony ")


def test_infer_and_compare_create_missing_output_folders(tmp_path, monkeypatch) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    monkeypatch.chdir(tmp_path)
    pacsv.write_csv(pa.table({"x": [1.5, 2.25, 3.0, 4.5] * 10, "k": list(range(40))}), "t.csv")
    result = runner.invoke(app, ["infer", "t.csv", "-o", "a/b/t.yaml", "--report", "c/d/r.html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a" / "b" / "t.yaml").is_file()
    assert (tmp_path / "c" / "d" / "r.html").is_file()
    result = runner.invoke(app, ["compare", "t.csv", "t.csv", "--report", "e/r.html"])
    assert result.exit_code == 0 and (tmp_path / "e" / "r.html").is_file()
    assert not list(tmp_path.rglob("*.phony-tmp"))


def test_generate_into_a_file_or_a_blocked_name_is_a_one_line_error(tmp_path) -> None:
    users = str(ROOT / "examples" / "users.yaml")
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    result = runner.invoke(app, ["generate", "-s", users, "-o", str(a_file)])
    assert result.exit_code == 2
    assert f"{a_file} is a file, not a folder" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["generate", "-s", users, "-o", str(a_file / "sub")])
    assert result.exit_code == 2 and "cannot write" in result.output
    out = tmp_path / "out"
    (out / "order_items.csv").mkdir(parents=True)
    shop = str(ROOT / "examples" / "shop.yaml")
    result = runner.invoke(app, ["generate", "-s", shop, "-o", str(out)])
    assert result.exit_code == 2 and "order_items.csv is a folder" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["order_items.csv"]  # nothing else, no temps


def test_a_failing_entity_leaves_no_file_of_the_run(tmp_path) -> None:
    """Entities are renamed into place only once all of them are written: a run that fails on
    the second entity leaves neither its own nor the first entity's file."""
    schema = tmp_path / "two.yaml"
    schema.write_text(
        "pdl: 1\nname: two\nentities:\n"
        "  a:\n    count: 10\n    fields:\n      id: {sequence: 1}\n"
        "  b:\n    count: 50\n    fields:\n      code: {pattern: 'X[0-9]{2}', unique: true}\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["generate", "-s", str(schema), "-o", str(out), "--scale", "3"])
    assert result.exit_code == 1 and "b.code must be unique over 150 rows" in result.output
    assert list(out.iterdir()) == []
    result = runner.invoke(app, ["generate", "-s", str(schema), "-o", str(out)])
    assert result.exit_code == 0 and sorted(p.name for p in out.iterdir()) == [
        "a.csv",
        "b.csv",
        "manifest.json",
    ]


def test_usage_errors_name_the_fix() -> None:
    users = str(ROOT / "examples" / "users.yaml")
    cases = [
        (["generators", "--family", "persn"], "did you mean 'person'?"),
        (["generate", "-s", users, "--only", "user"], "did you mean 'users'?"),
        (["generate", "-s", users, "--scale", "nan"], "--scale nan: must be a positive number"),
        (["generate", "-s", users, "--copy"], "use it with --format sql"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert message in result.output, args


def test_generators_table_keeps_bracketed_text() -> None:
    """Summaries are printed as text, not rich markup ([min_age, max_age] was dropped)."""
    result = runner.invoke(app, ["generators", "--family", "person"])
    assert result.exit_code == 0
    assert "[min_age" in result.output  # the table wraps at the terminal's width


def test_preview_turns_wide_tables_into_one_line_per_field(monkeypatch) -> None:
    """At 80 columns the 12-field customers table cut every cell to `co…`; it is shown with
    a line per field instead, while narrow tables keep a line per row."""
    from phony_pdl.cli import out

    monkeypatch.setattr(out, "width", 80)
    result = runner.invoke(app, ["preview", str(ROOT / "examples" / "shop.yaml"), "-n", "2"])
    assert result.exit_code == 0
    customers, products = result.output.split("products (200 rows)")[0], result.output
    assert "row 1" in customers and "│ first_name " in customers and "co…" not in customers
    assert "┃ id ┃ name" in products.split("products (200 rows)")[1]
