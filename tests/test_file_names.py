"""File and folder names of tables whose names a file name cannot hold on every system
(writers/file_names.py): encoded for every writer and the dataset layout, decoded by
`phony infer`; SQL keeps the real names; `phony import` keeps such tables; `phony graph` labels."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.loaders import load
from phony_pdl.model import table_name
from phony_pdl.writers.file_names import DEVICES, file_stem, table_of_stem

# one table per kind of name a file name cannot hold, and what its file is called
TABLES = {
    "lt": ("a<b", "a%3Cb"),
    "gt": ("a>b", "a%3Eb"),
    "colon": ("Sales:2024", "Sales%3A2024"),
    "quote": ('we"ird', "we%22ird"),
    "slash": ("sales/2024", "sales%2F2024"),
    "backslash": ("dom\\user", "dom%5Cuser"),
    "pipe": ("a|b", "a%7Cb"),
    "question": ("why?", "why%3F"),
    "star": ("a*", "a%2A"),
    "percent": ("100%", "100%25"),
    "escape_like": ("a%3Ab", "a%253Ab"),  # never read as `a:b`
    "trailing_dot": ("Acme Inc.", "Acme Inc%2E"),
    "dot": (".", "%2E"),
    "dot_dot": ("..", "%2E%2E"),
    "hidden": (".hidden", "%2Ehidden"),  # Unix hides a file whose name starts with a dot
    "con": ("CON", "CO%4E"),
    "nul_ext": ("nul.old", "nu%6C.old"),
    "com1": ("Com1", "Com%31"),
    "lpt_sup": ("LPT²", "LPT%C2%B2"),
    "conin": ("CONIN$", "CONIN%24"),
}
# names a file can hold keep today's file names
KEPT = {"plain": (None, "plain"), "spaced": ("Order Details", "Order Details")}
ALL = {**TABLES, **KEPT}


def schema() -> dict:
    entities: dict = {}
    for i, (entity, (table, _)) in enumerate(ALL.items()):
        entities[entity] = {
            "count": 25 + i,
            "fields": {
                "id": {"sequence": 1},
                "qty": {"type": "int", "between": [1, 9]},
                **({} if entity == "plain" else {"plain_id": {"ref": "plain.id"}}),
            },
        }
        if table is not None:
            entities[entity]["table"] = table
    return {"pdl": 1, "name": "file_names", "entities": entities}


@pytest.fixture(scope="module")
def dataset():
    return phony_pdl.load(schema()).generate(seed=3)


# ---------------------------------------------------------------- the mapping


@pytest.mark.parametrize(("entity", "table", "stem"), [(e, *v) for e, v in TABLES.items()])
def test_each_kind_is_encoded(entity: str, table: str, stem: str) -> None:
    assert file_stem(table) == stem
    assert table_of_stem(stem) == table


@pytest.mark.parametrize(
    ("table", "stem"),
    [
        ("tab\there", "tab%09here"),  # control characters (refused in a `table`, but safe)
        ("del\x7f", "del%7F"),
        ("next\x85line", "next%C2%85line"),
        ("ends ", "ends%20"),  # a trailing space (also refused in a `table`)
        ("CON .txt", "CO%4E .txt"),  # Windows drops the blank before the dot
        ("con.tar.gz", "co%6E.tar.gz"),
        ("prn", "pr%6E"),
        ("CON.", "CO%4E%2E"),
        ("COM0", "COM%30"),
        ("CONOUT$", "CONOUT%24"),
        (".env", "%2Eenv"),  # hidden on Unix
    ],
)
def test_names_validation_refuses_are_encoded_too(table: str, stem: str) -> None:
    assert file_stem(table) == stem
    assert table_of_stem(stem) == table


@pytest.mark.parametrize(
    "name",
    [
        "orders",
        "Order Details",
        "Größe",
        "x.CON",
        "CONSOLE",
        "COM10",
        "COM",
        "LPT",
        "a.b.c",
        " lead",
        "dice 🎲",
        "cost $(x)",
        "a #1 (old) [x] {y} & 'z' = ~!@^+,;",
    ],
)
def test_other_names_are_their_own_file_names(name: str) -> None:
    assert file_stem(name) == name
    assert table_of_stem(name) == name


@pytest.mark.parametrize(
    "stem",
    ["a%20b", "100%", "x%zz", "%C3", "a%3ab", "%41", "CON", "bad%FF%FE", "%2", "tail%"],
)
def test_a_name_phony_would_not_write_is_read_as_it_is(stem: str) -> None:
    # `a%20b`: Phony writes `a b` as it is; `%3a`: Phony's escapes are upper case;
    # `%41`: `A` is never encoded; `%FF%FE`: not UTF-8
    assert table_of_stem(stem) == stem


FORBIDDEN = set('<>:"/\\|?*')


def _storable(name: str) -> bool:
    """Whether Windows (and the tools that follow its rules) can hold this base name."""
    device = name.split(".", 1)[0].rstrip(" ").upper()
    return (
        not any(ch in FORBIDDEN or ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in name)
        and not name.endswith((".", " "))
        and not name.startswith(".")
        and device not in DEVICES
    )


NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40)


@given(NAMES)
@example("CON")
@example("nul.txt")
@example("a%3Ab")
@example("com³ .x")
@example(".hidden")
def test_every_encoded_name_is_storable_and_decodes_back(name: str) -> None:
    stem = file_stem(name)
    assert _storable(stem), stem
    assert table_of_stem(stem) == name
    if _storable(name) and "%" not in name:
        assert stem == name  # nothing is encoded that need not be


@given(st.text(st.sampled_from("%AbC3a:2F.ON "), max_size=12))
def test_a_decoded_name_encodes_to_the_file_name(stem: str) -> None:
    table = table_of_stem(stem)
    assert table == stem or file_stem(table) == stem


@given(NAMES, NAMES)
def test_two_tables_never_share_a_file(a: str, b: str) -> None:
    assert (file_stem(a) == file_stem(b)) == (a == b)


# ---------------------------------------------------------------- the writers


def _rows_of_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_files_are_named_by_the_encoded_table(dataset, fmt: str, tmp_path: Path) -> None:
    report = dataset.write(tmp_path, format=fmt)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    files = {f"{stem}.{fmt}" for _, stem in ALL.values()}
    assert {p.name for p in tmp_path.iterdir()} == files | {"manifest.json"}
    assert all(_storable(Path(name).stem) for name in files)
    for entity, (_, stem) in ALL.items():
        file = f"{stem}.{fmt}"
        assert manifest["entities"][entity]["file"] == file == report.entities[entity].file
        expected = dataset[entity]
        path = tmp_path / file
        if fmt == "csv":
            rows = _rows_of_csv(path)
            assert [int(r["id"]) for r in rows] == expected["id"].to_pylist()
            assert [int(r["qty"]) for r in rows] == expected["qty"].to_pylist()
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            assert rows == expected.to_pylist()
        else:
            assert pq.read_table(path).equals(expected)


def test_the_dataset_layout_names_folders_by_the_encoded_table(dataset, tmp_path: Path) -> None:
    from phony_pdl.distributed import write_dataset

    report = write_dataset(dataset, tmp_path, format="parquet")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == {s for _, s in ALL.values()}
    for entity, (_, stem) in ALL.items():
        assert manifest["entities"][entity]["directory"] == stem
        assert report.entities[entity].file == f"{stem}/"
        parts = sorted((tmp_path / stem).glob("part-*.parquet"))
        assert pa.concat_tables(pq.read_table(p) for p in parts).equals(dataset[entity])
    again = write_dataset(dataset, tmp_path, format="parquet", resume=True)
    assert again.written == 0 and again.reused == report.written


def test_sql_and_loads_keep_the_real_table_names(dataset, tmp_path: Path) -> None:
    dataset.write(tmp_path / "sql", format="sql")
    script = (tmp_path / "sql" / "file_names.sql").read_text(encoding="utf-8")
    for table, _ in TABLES.values():
        assert f'CREATE TABLE "{table.replace(chr(34), 2 * chr(34))}"' in script
    assert "Sales%3A2024" not in script and "CO%4E" not in script
    db = tmp_path / "load.db"
    load(dataset, f"sqlite:///{db}")
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        count = conn.execute('SELECT COUNT(*) FROM "Sales:2024"').fetchone()[0]
    conn.close()
    assert names == {t if t is not None else e for e, (t, _) in ALL.items()}
    assert count == dataset.count("colon")


# ---------------------------------------------------------------- infer


@pytest.mark.parametrize("layout", ["files", "dataset"])
def test_infer_of_a_folder_phony_wrote_gives_the_same_table_names(
    dataset, layout: str, tmp_path: Path
) -> None:
    from phony_pdl.infer import infer

    out = tmp_path / "out"
    if layout == "files":
        dataset.write(out, format="csv")
    else:
        from phony_pdl.distributed import write_dataset

        write_dataset(dataset, out, format="parquet")
    result = infer(out)
    learnt = phony_pdl.load(result.text)
    doc = learnt.document
    names = sorted(table_name(doc, e) for e in doc.entities)
    assert names == sorted(t if t is not None else e for e, (t, _) in ALL.items())
    assert doc.entities["Sales_2024"].table == "Sales:2024"
    assert "CON" in doc.entities and doc.entities["CON"].table is None  # an identifier
    # and back again: the same files
    again = tmp_path / "again"
    learnt.generate(seed=1).write(again, format="csv")
    assert {p.name for p in again.iterdir()} == {f"{s}.csv" for _, s in ALL.values()} | {
        "manifest.json"
    }


def test_import_keeps_tables_a_file_name_cannot_hold(tmp_path: Path) -> None:
    """`sales/2024` was skipped (a `table` could not hold `/`); `Sales:2024` was kept
    but written as a file Windows cannot have."""
    from phony_pdl.importer import import_url

    db = tmp_path / "src.db"
    with sqlite3.connect(db) as conn:
        conn.execute('CREATE TABLE "Sales:2024" (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL)')
        conn.execute(
            'CREATE TABLE "returns/2024" (id INTEGER PRIMARY KEY, '
            'sale_id INTEGER NOT NULL REFERENCES "Sales:2024" (id))'
        )
    conn.close()
    text, problems = import_url(f"sqlite:///{db}", rows=10)
    assert not [p for p in problems if "skipped" in p], problems
    imported = phony_pdl.load(text)
    entities = imported.document.entities
    assert entities["Sales_2024"].table == "Sales:2024"
    assert entities["returns_2024"].table == "returns/2024"
    assert entities["returns_2024"].fields["sale_id"].ref == "Sales_2024.id"
    out = tmp_path / "out"
    imported.generate().write(out, format="csv")
    assert {p.name for p in out.iterdir()} == {
        "Sales%3A2024.csv",
        "returns%2F2024.csv",
        "manifest.json",
    }


# ---------------------------------------------------------------- graph


GRAPH = """pdl: 1
name: g
entities:
  customers:
    table: "Customer List"
    count: 3
    fields:
      id: { sequence: 1, column: "Customer ID" }
  order_details:
    table: 'Order "Details" {x|y} <z> a\\b'
    count: 5
    fields:
      id: { sequence: 1 }
      customer: { ref: customers.id, column: 'Cust "No"' }
"""


def test_graph_labels_tables_and_columns(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    path = tmp_path / "g.yaml"
    path.write_text(GRAPH, encoding="utf-8")
    out = CliRunner().invoke(app, ["graph", str(path)]).output
    assert out == (
        "erDiagram\n"
        '    customers["Customer List"] {\n'
        '        int id PK "column Customer ID; sequence"\n'
        "    }\n"
        """    order_details["Order 'Details' {x|y} <z> a\\b"] {\n"""
        '        int id PK "sequence"\n'
        """        int customer FK "column Cust 'No'; ref customers.id"\n"""
        "    }\n"
        """    customers ||--o{ order_details : "Cust 'No'"\n"""
    )
    dot = CliRunner().invoke(app, ["graph", str(path), "--format", "dot"]).output
    assert '"customers" [label="{Customer List|<id> Customer ID: int (PK)}"];' in dot
    assert (
        '"order_details" [label="{Order \\"Details\\" \\{x\\|y\\} \\<z\\> a\\\\b|'
        '<id> id: int (PK)|<customer> Cust \\"No\\": int (FK)}"];' in dot
    )
    assert '"order_details":"customer" -> "customers":"id" [style=solid];' in dot


def test_a_composite_key_is_labelled_with_its_columns_names() -> None:
    from phony_pdl.graph import dot, mermaid

    doc = phony_pdl.load(
        """pdl: 1
name: cfk
entities:
  lines:
    count: 4
    primary_key: [order_id, line_no]
    fields:
      _row:     { sequence: 1, hidden: true }
      order_id: { type: int, between: [1, 2] }
      line_no:  { type: int, between: [1, 2] }
  shipments:
    count: 3
    fields:
      _line:    { ref: lines._row, hidden: true }
      line_no:  { from: _line.line_no, column: "Line No" }
      order_id: { from: _line.order_id, column: 'Order "#"' }
"""
    ).document
    assert """lines ||--o{ shipments : "Line No, Order '#'"\n""" in mermaid(doc)
    assert '[style=solid, label="Line No, Order \\"#\\""];' in dot(doc)


@pytest.mark.parametrize(
    ("layout", "fmt", "entity", "table"),
    [
        ("files", "json", "manifest", None),
        ("files", "json", "runs", "Manifest"),  # case-insensitive file systems fold it
        ("dataset", "csv", "runs", "manifest.json"),
        ("dataset", "csv", "runs", "MANIFEST.partial.json"),
    ],
)
def test_an_entity_never_takes_the_manifests_file(layout, fmt, entity, table, tmp_path) -> None:
    """An entity `manifest` written as JSON went to manifest.json, which the run's manifest
    then overwrote: the CLI said 3 rows were written and the rows were gone."""
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    spec: dict = {"count": 3, "fields": {"id": {"sequence": 1}}}
    if table:
        spec["table"] = table
    doc = {
        "pdl": 1,
        "name": "m",
        "entities": {"other": {"count": 2, "fields": {"id": {"sequence": 1}}}, entity: spec},
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    args = ["generate", str(path), "-f", fmt, "--out", str(out), "--layout", layout]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"entity '{entity}' would be written to" in result.output
    assert (
        "the file that lists the run's output; give it another file name with `table:`"
        in result.output
    )
    assert not out.exists() or not any(out.iterdir())  # nothing written, not even `other`
    spec["table"] = f"{entity}_rows"
    path.write_text(json.dumps(doc))
    assert CliRunner().invoke(app, args).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["entities"][entity]["rows"] == 3


def test_only_the_manifests_own_name_is_refused(tmp_path) -> None:
    doc = {
        "pdl": 1,
        "name": "m",
        "entities": {"manifest": {"count": 3, "fields": {"id": {"sequence": 1}}}},
    }
    report = phony_pdl.load(doc).generate().write(tmp_path / "csv", format="csv")
    assert (tmp_path / "csv" / "manifest.csv").read_text().count("\n") == 4
    assert report.entities["manifest"].rows == 3


def test_the_documents_name_is_encoded_where_it_names_a_folder_or_script(
    tmp_path, monkeypatch
) -> None:
    """`name: "q3:report"` made `out/q3:report/` and `q3:report.sql`, which Windows
    cannot hold (the same rule as an entity's file)."""
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    doc = {
        "pdl": 1,
        "name": "q3:report",
        "entities": {"t": {"count": 2, "fields": {"id": {"sequence": 1}}}},
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["generate", str(path), "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "q3%3Areport" / "t.csv").exists()
    result = CliRunner().invoke(app, ["generate", str(path), "-f", "sql", "--out", "sql"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "sql").glob("*.sql")] == ["q3%3Areport.sql"]
    assert "schema 'q3:report'" in (tmp_path / "sql" / "q3%3Areport.sql").read_text()
