"""The CLI as users see it: exit codes, messages, graph output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
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
    import json

    as_json = runner.invoke(app, ["validate", "does-not-exist.yaml", "--json"])
    [diag] = json.loads(as_json.stdout)
    assert diag["code"] == "file-not-found" and diag["file"] == "does-not-exist.yaml"


def test_graph_mermaid_shows_entities_keys_and_cycle_through_aggregate() -> None:
    result = runner.invoke(app, ["graph", str(ROOT / "examples" / "shop.yaml")])
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("erDiagram")
    assert "customers ||--o{ orders" in out
    assert "orders ||--o{ order_items" in out
    assert "%% orders.total = sum(order_items.amount)" in out
    # attributes are `type name keys "source"`: the type each field generates (an
    # aggregate's and an expression's as evaluated), never a source word in the type column
    for line in (
        'int id PK "sequence"',
        'string email UK "internet.email"',
        'int customer_id FK "ref customers.id"',
        'decimal_12_2 total "sum(order_items.amount)"',
        'string status "last(order_events.state)"',
        'decimal_12_2 amount "quantity * unit_price"',
        'datetime placed_at "after customer_id.signed_up_at"',
        "datetime signed_up_at\n",
    ):
        assert line in out
    types = {row.split()[0] for row in out.splitlines() if row.startswith(" " * 8)}
    assert types <= {"int", "string", "datetime", "float", "decimal_10_2", "decimal_12_2"}


def test_graph_labels_a_composite_foreign_key_with_its_copied_columns(tmp_path: Path) -> None:
    """A composite key is a hidden `ref` plus `from` copies: the relationship was labelled
    with the hidden field's name (`_line`); it now names the key's columns, which are
    marked FK, and the DOT edge runs from the first copy to its parent column."""
    schema = tmp_path / "cfk.yaml"
    schema.write_text(
        """pdl: 1
name: composite_fk
entities:
  orders:
    count: 50
    fields:
      id: { sequence: 1 }
  order_lines:
    count: { per: orders, max: 4 }
    primary_key: [order_id, line_no]
    fields:
      _row:     { sequence: 1, hidden: true }
      order_id: { ref: orders.id }
      line_no:  { type: int, min: 1, max: 4 }
  shipments:
    count: 120
    fields:
      id:       { sequence: 1 }
      _line:    { ref: order_lines._row, hidden: true }
      line_no:  { from: _line.line_no }
      order_id: { from: _line.order_id }
"""
    )
    out = runner.invoke(app, ["graph", str(schema)]).output
    assert 'order_lines ||--o{ shipments : "line_no, order_id"' in out
    assert 'orders ||--o{ order_lines : "order_id"' in out  # a written ref keeps its name
    assert '_line"' not in out
    assert 'int line_no FK "from _line.line_no"' in out
    dot = runner.invoke(app, ["graph", str(schema), "--format", "dot"]).output
    assert (
        '"shipments":"line_no" -> "order_lines":"line_no" [style=solid, label="line_no, order_id"];'
        in dot
    )
    assert '"shipments":"_line"' not in dot
    assert "<order_id> order_id: int (FK)" in dot


def test_graph_shows_an_aggregate_with_its_filter_and_distinct(tmp_path: Path) -> None:
    """The comment used to rebuild the call and drop FILTER and DISTINCT, so a filtered
    `delivered_at` read as the plain max over every event."""
    schema = tmp_path / "agg.yaml"
    schema.write_text(
        """pdl: 1
name: agg
entities:
  orders:
    count: 5
    fields:
      id: { sequence: 1 }
      delivered_at: { aggregate: "max(events.at) FILTER (WHERE state = 'delivered')" }
      kinds: { aggregate: "count(DISTINCT events.state)" }
  events:
    count: 20
    fields:
      order_id: { ref: orders.id }
      state: { choice: [placed, delivered] }
      at: { type: datetime }
"""
    )
    out = runner.invoke(app, ["graph", str(schema)]).output
    assert "%% orders.delivered_at = max(events.at) FILTER (WHERE state = 'delivered')" in out
    assert "%% orders.kinds = count(DISTINCT events.state)" in out
    dot = runner.invoke(app, ["graph", str(schema), "--format", "dot"]).output
    assert '"events" -> "orders":"delivered_at" [style=dotted, label="max FILTER"];' in dot


def test_graph_dot() -> None:
    result = runner.invoke(app, ["graph", str(ROOT / "examples" / "teams.yaml"), "--format", "dot"])
    assert result.exit_code == 0
    assert '"teams":"captain_id" -> "players":"id" [style=dashed]' in result.output
    assert "<captain_id> captain_id: int (FK)" in result.output


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


def test_infer_and_compare_refuse_folders_as_files_and_write_json(tmp_path, monkeypatch) -> None:
    import json

    import pyarrow as pa
    import pyarrow.csv as pacsv

    monkeypatch.chdir(tmp_path)
    pacsv.write_csv(pa.table({"x": [1.5, 2.25, 3.0, 4.5] * 10, "k": list(range(40))}), "t.csv")
    (tmp_path / "folder").mkdir()
    for args, message in [
        (["infer", "t.csv", "-o", "folder"], "--output 'folder' is a folder; name a file in it"),
        (["infer", "t.csv", "--report", "folder"], "--report 'folder' is a folder"),
        (["infer", "t.csv", "-o", "t.csv/x.yaml"], "'t.csv' is a file, not a folder"),
        (["compare", "t.csv", "t.csv", "--report", "folder"], "--report 'folder' is a folder"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert message in result.output and "Traceback" not in result.output
    assert not list((tmp_path / "folder").iterdir())
    result = runner.invoke(app, ["infer", "t.csv", "-o", "t.json"])
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "t.json").read_text())
    assert document["entities"]["t"]["count"] == 40
    result = runner.invoke(app, ["generate", "-s", "t.json", "-o", "out"])
    assert result.exit_code == 0, result.output


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
    assert not out.exists()  # the run made the folder, and took it away again
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


# ---------------------------------------------------------------- a new user's command lines


def test_failed_runs_leave_no_output_folder_of_their_own(tmp_path) -> None:
    shop = str(ROOT / "examples" / "shop.yaml")
    for args in (
        ["--format", "sql", "--dialect", "oracle"],
        ["--format", "sql", "--dialect", "mysql", "--copy"],
        ["--dask", "bogus"],
    ):
        out = tmp_path / "x"
        result = runner.invoke(app, ["generate", "-s", shop, "-o", str(out), *args])
        assert result.exit_code == 2, (args, result.output)
        assert not out.exists(), args
    bad = tmp_path / "u.yaml"
    bad.write_text("pdl: 1\nname: u\nentities:\n  t:\n    count: 10\n    fields:\n"
                   "      x: { expr: '9223372036854775800 + id' }\n      id: { sequence: 1 }\n")  # fmt: skip
    result = runner.invoke(app, ["generate", "-s", str(bad), "-o", str(tmp_path / "y")])
    assert result.exit_code == 1 and "overflow" in result.output  # row 8 passes int64
    assert not (tmp_path / "y").exists()


def test_sqlite_url_query_is_ignored_and_a_failed_load_leaves_no_file(tmp_path) -> None:
    teams = str(ROOT / "examples" / "teams.yaml")
    db = tmp_path / "t.db"
    result = runner.invoke(app, ["generate", "-s", teams, "--to", f"sqlite:///{db}?mode=ro", "-q"])
    assert result.exit_code == 0, result.output
    assert db.exists() and not list(tmp_path.glob("t.db?*"))
    nan = tmp_path / "nan.yaml"
    nan.write_text("pdl: 1\nname: n\nentities:\n  t:\n    count: 50\n    fields:\n"
                   "      x: { choice: [.nan, 1.5] }\n")  # fmt: skip
    result = runner.invoke(
        app, ["generate", "-s", str(nan), "--to", f"sqlite:///{tmp_path / 'n.db'}"]
    )
    assert result.exit_code == 1 and "cannot be stored in sqlite" in result.output
    assert not (tmp_path / "n.db").exists()


def test_database_passwords_are_not_printed() -> None:
    teams = str(ROOT / "examples" / "teams.yaml")
    result = runner.invoke(
        app, ["generate", "-s", teams, "--to", "postgresql://u:secret@127.0.0.1:1/db"]
    )
    assert result.exit_code == 1 and "u:***@127.0.0.1" in result.output
    assert "secret" not in result.output


def test_missing_inputs_are_invalid_input_and_bad_options_are_usage_errors(tmp_path) -> None:
    for args in (["infer", str(tmp_path / "nofile.csv")], ["import", str(tmp_path / "nofile.sql")],
                 ["compare", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]):  # fmt: skip
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.output)
    names = tmp_path / "names.txt"
    names.write_text("\n".join(["Anna", "Berta", "Clara", "Dora", "Emma"]) + "\n")
    model = str(tmp_path / "m.phony")
    for option, message in ((["--order", "9"], "--order 9"), (["--mode", "bogus"], "--mode 'bogus'"),
                            (["--smoothing", "x"], "--smoothing 'x'"), (["--min-count", "0"], "--min-count 0")):  # fmt: skip
        result = runner.invoke(app, ["train", str(names), "-o", model, *option])
        assert result.exit_code == 2 and message in result.output, result.output
    ddl = tmp_path / "d.sql"
    ddl.write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    result = runner.invoke(app, ["import", str(ddl), "--dialect", "bogus"])
    assert result.exit_code == 2 and "not a SQL dialect sqlglot knows" in result.output
    result = runner.invoke(app, ["import", str(ddl), "--rows", "-1"])
    assert result.exit_code == 2 and "--rows -1" in result.output
    assert runner.invoke(app, ["stats", "en_US/first_names", "--samples", "0"]).exit_code == 2
    result = runner.invoke(app, ["stats", "en_US/first_names", "--samples", "3"])
    assert result.exit_code == 0, result.output


def test_piped_generator_names_are_never_cut() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "phony_pdl.cli", "generators"],
        capture_output=True, text=True, check=True, env={"COLUMNS": "80", "PATH": ""},
    )  # fmt: skip
    names = {line.split()[0] for line in done.stdout.splitlines()[1:] if line[:1].strip()}
    assert {"address.building_number", "finance.credit_card_number"} <= names


def test_ctrl_c_says_what_happened(tmp_path) -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "phony_pdl.cli", "generate", "-s", str(ROOT / "examples" / "shop.yaml"),
         "--scale", "300", "-o", str(tmp_path / "big"), "-q"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Interrupt once files are being written (on a loaded host the start alone, imports
    # and planning, has taken over 4 s: a SIGINT then met Python's default handler)
    out = tmp_path / "big"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_dir() and any(out.iterdir()):
            break
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted: files being written were removed" in stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--to", "sqlite:///{tmp}/t.db", "-o", "{tmp}/o"], "--to loads into a database, --out"),
        (["--to", "sqlite:///{tmp}/t.db", "-f", "parquet"], "--to loads into a database, --format"),
        (
            ["--no-create", "-o", "{tmp}/o"],
            "--no-create is about loading a database or an SQL "
            "script: use it with --to, or with --format sql for a script of rows only",
        ),
        (["--truncate", "-o", "{tmp}/o"], "--truncate is about loading a database"),
        (["--batch-rows", "10", "-o", "{tmp}/o"], "--batch-rows is about loading a database"),
        (["--to", "sqlite:///{tmp}/t.db", "--dialect", "sqlite"], "drop --dialect"),
    ],
)
def test_generate_refuses_options_it_would_ignore(tmp_path, extra: list, message: str) -> None:
    """Options that do nothing in the chosen mode were silently ignored (`-o` with `--to`
    made no folder and said nothing)."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    result = runner.invoke(app, ["generate", "-s", str(ROOT / "examples" / "shop.yaml"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_generate_writes_a_rows_only_sql_script(tmp_path) -> None:
    """`--format sql --no-create` was refused; it writes the rows without CREATE TABLE."""
    result = runner.invoke(app, ["generate", "-s", str(ROOT / "examples" / "teams.yaml"), "-f",
                                 "sql", "--dialect", "mysql", "--no-create", "-o", str(tmp_path), "-q"])  # fmt: skip
    assert result.exit_code == 0, result.output
    script = (tmp_path / "teams.sql").read_text(encoding="utf-8").splitlines()
    assert [line for line in script if not line.startswith(("(", "INSERT", "UPDATE"))] == [
        script[0],
        "SET NAMES utf8mb4;",
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,"
        "NO_AUTO_VALUE_ON_ZERO';",
        "START TRANSACTION;",
        "COMMIT;",
    ]
    assert script[0].startswith("-- Generated by Phony from schema 'teams'")


def test_preview_says_1_row_not_1_rows(tmp_path) -> None:
    schema = tmp_path / "one.yaml"
    schema.write_text(
        "pdl: 1\nname: one\nentities:\n  settings:\n    count: 1\n    fields:\n"
        "      id: { sequence: 1 }\n"
    )
    result = runner.invoke(app, ["preview", str(schema)])
    assert result.exit_code == 0, result.output
    assert "settings (1 row)" in result.output


UNREACHABLE_CORRELATION = """\
pdl: 1
name: c
entities:
  acct:
    count: 300
    fields:
      id: { sequence: 1 }
      total: { aggregate: "sum(tx.a)" }
  tx:
    count: { per: acct, const: 20 }
    fields:
      id: { sequence: 1 }
      acct_id: { ref: acct.id }
      a: { distribution: lognormal, median: 1, sigma: 1 }
      b: { distribution: lognormal, median: 1, sigma: 1 }
    correlate:
      - { fields: [a, b], rho: -0.9 }
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_correlation_warning_is_printed_once_per_run(tmp_path, workers: str) -> None:
    """With `--workers 2` the warning came once from each worker that summed `tx.a` for the
    aggregate and once more from the main process: three lines for one problem. Workers
    print to the real stderr, so this runs the command in its own process."""
    (tmp_path / "c.yaml").write_text(UNREACHABLE_CORRELATION, encoding="utf-8")
    args = ["generate", "--schema", "c.yaml", "-o", "out", "--block-rows", "1000"]
    done = subprocess.run(
        [sys.executable, "-m", "phony_pdl.cli", *args, "--workers", workers],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [
        "warning: correlate: tx.a and tx.b cannot reach rho -0.9 with their distributions; "
        "the lowest they reach, -0.375, is used"
    ]


def test_the_pdl_file_goes_as_argument_or_with_schema_in_every_command(tmp_path) -> None:
    """`phony generate shop.yaml` and `phony preview --schema shop.yaml` are what users type
    after reading the other command's help: both forms work in every command."""
    users = str(ROOT / "examples" / "users.yaml")
    for args in (["validate", "--schema", users], ["graph", "-s", users], ["preview", "-s", users]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "users" in result.output
    by_option = runner.invoke(app, ["generate", "--schema", users, "-o", str(tmp_path / "a"), "-q"])
    by_argument = runner.invoke(app, ["generate", users, "-o", str(tmp_path / "b"), "-q"])
    assert by_option.exit_code == by_argument.exit_code == 0
    assert (tmp_path / "a" / "users.csv").read_bytes() == (
        tmp_path / "b" / "users.csv"
    ).read_bytes()

    for command in ("generate", "preview", "graph"):
        missing = runner.invoke(app, [command])
        assert missing.exit_code == 2
        assert f"give the PDL file: phony {command} FILE (or --schema FILE)" in missing.output
        both = runner.invoke(app, [command, users, "--schema", "other.yaml"])
        assert both.exit_code == 2
        assert f"two PDL files given ({users} and --schema other.yaml)" in both.output


def test_the_sql_summary_gives_no_time_per_entity(tmp_path) -> None:
    """One script is made in one pass: the summary gave the first entity the whole run's
    seconds and every other entity `0.00` seconds at `0` rows/s."""
    users = str(ROOT / "examples" / "users.yaml")
    result = runner.invoke(
        app, ["generate", users, "-f", "sql", "-o", str(tmp_path), "--scale", "0.001"]
    )
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.startswith("entity"))
    assert header.split() == ["entity", "rows", "file"]
    assert "rows/s" not in result.output
    result = runner.invoke(
        app, ["generate", users, "-o", str(tmp_path / "csv"), "--scale", "0.001"]
    )
    header = next(line for line in result.output.splitlines() if line.startswith("entity"))
    assert header.split() == ["entity", "rows", "file", "seconds", "rows/s"]


def test_command_line_keeps_pyarrow_from_importing_pandas(tmp_path) -> None:
    """pyarrow imports pandas at its first array to recognise pandas inputs (half a second);
    the CLI has it make that check with pandas hidden, and pandas stays importable."""
    import os
    import textwrap

    fake = tmp_path / "site" / "pandas"  # a stand-in that shows whether it was imported
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("__version__ = '0.0.0'\n")
    code = textwrap.dedent(
        """
        import sys
        from phony_pdl import cli
        sys.argv = ["phony", "validate", sys.argv[1]]
        try:
            cli.main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        print("imported" if "pandas" in sys.modules else "not imported")
        import pandas
        print("importable", pandas.__version__)
        """
    )
    paths = [str(tmp_path / "site"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "examples" / "users.yaml")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.splitlines()[-2:] == ["not imported", "importable 0.0.0"], out.stderr


def test_graph_types_come_without_counting_rows(monkeypatch) -> None:
    """The diagram's types need no row counts: counting first took minutes for a hundred
    million customers' orders."""
    import phony_pdl
    from phony_pdl.engine.plan import Plan

    def no_counting(self, entity: str) -> int:
        raise AssertionError(f"graph counted {entity}")

    monkeypatch.setattr(Plan, "count", no_counting)
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    assert 'decimal_12_2 total "sum(order_items.amount)"' in schema.mermaid()
    assert "<total> total: decimal(12,2)" in schema.dot()
