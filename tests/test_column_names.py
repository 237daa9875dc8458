"""A field's `column`: output names that are not PDL identifiers, in every writer, in
SQL scripts and database loads (keys and constraints on), in `phony infer` and
`phony import`."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import phony_pdl
from phony_pdl.loaders import load
from phony_pdl.sql.dialects import get_dialect
from phony_pdl.sql.encode import quote_identifier
from phony_pdl.sql.script import orphan_query, schema_tables

from .test_databases import CLIENTS, check_loaded, query

NAMES = {
    "orders": ["Order No", "Total`s", "Buyer's ID"],
    "customers": ["Customer ID", "e-mail", "Größe", 'we"ird', "Order No", "twice"],
    "lines": ["Row ID", "Order No", "Line #"],
    "shipments": ["id", "Order No", "Line #"],
}

SCHEMA = {
    "pdl": 1,
    "name": "names",
    "entities": {
        "orders": {
            "count": 6,
            "primary_key": "order_no",
            "fields": {
                "order_no": {"sequence": 1, "column": "Order No"},
                "total": {"type": "int", "min": 1, "max": 10, "column": "Total`s"},
                # a cycle: filled by UPDATE once customers exist
                "buyer": {"ref": "customers.id", "null_rate": 0.5, "column": "Buyer's ID"},
            },
        },
        "customers": {
            "count": 20,
            "fields": {
                "id": {"sequence": 1, "column": "Customer ID"},
                "email": {"generator": "internet.email", "unique": True, "column": "e-mail"},
                "size": {"type": "int", "min": 1, "max": 5, "column": "Größe"},
                "weird": {"choice": ["a", "b"], "column": 'we"ird'},
                "order": {"ref": "orders.order_no", "column": "Order No"},
                "twice": {"expr": "size * 2"},
            },
        },
        "lines": {
            "count": {"per": "orders", "const": 2},
            "primary_key": ["order_no", "line_no"],
            "fields": {
                "row_id": {"sequence": 1, "unique": True, "column": "Row ID"},
                "order_no": {"ref": "orders.order_no", "pick": "sequential", "column": "Order No"},
                "line_no": {"sequence": 1, "column": "Line #"},
            },
            "unique": [["order_no", "line_no"]],
        },
        "shipments": {
            "count": 5,
            "fields": {
                "id": {"sequence": 1},
                "line": {"ref": "lines.row_id", "hidden": True},
                "order_no": {"from": "line.order_no", "column": "Order No"},
                "line_no": {"from": "line.line_no", "column": "Line #"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def dataset():
    return phony_pdl.load(SCHEMA).generate(seed=3)


def test_the_dataset_names_columns_as_written(dataset) -> None:
    for entity, names in NAMES.items():
        assert dataset[entity].schema.names == names
        assert next(b.schema.names for b in dataset.iter_batches(entity)) == names
    # expressions still use the identifiers; the values follow them
    customers = dataset["customers"]
    assert customers["twice"].to_pylist() == [2 * v for v in customers["Größe"].to_pylist()]
    orders = set(dataset["orders"]["Order No"].to_pylist())
    assert set(customers["Order No"].to_pylist()) <= orders
    assert dataset.low_cardinality("customers") == ['we"ird']


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_files_carry_the_column_names(dataset, fmt: str, tmp_path: Path) -> None:
    dataset.write(tmp_path, format=fmt)
    for entity, names in NAMES.items():
        path = tmp_path / f"{entity}.{fmt}"
        if fmt == "csv":
            with path.open(newline="", encoding="utf-8") as f:
                header = next(csv.reader(f))
            assert header == names
            assert pacsv.read_csv(path).schema.names == names
        elif fmt == "jsonl":
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            assert all(list(r) == names for r in rows) and rows
        elif fmt == "json":
            rows = json.loads(path.read_text(encoding="utf-8"))
            assert all(list(r) == names for r in rows) and rows
        else:
            assert pq.read_schema(path).names == names
            assert pq.read_table(path).equals(dataset[entity])


def test_preview_shows_the_column_names(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    path = tmp_path / "s.json"
    schema = json.loads(json.dumps(SCHEMA))
    schema["entities"]["orders"]["fields"]["total"]["column"] = "[red]x"  # not rich markup
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(path), "-n", "2"])
    assert result.exit_code == 0, result.output
    for name in [*NAMES["customers"], "[red]x"]:
        assert name in result.output


def test_ddl_quotes_and_maps_every_name(dataset) -> None:
    from phony_pdl.sql.ddl import create_table

    tables = {t.name: t for t in schema_tables(dataset)}
    customers = tables["customers"]
    assert [c.name for c in customers.columns] == NAMES["customers"]
    assert [c.pdl_field for c in customers.columns][:2] == ["id", "email"]
    assert customers.primary_key == ["Customer ID"]
    shipments = tables["shipments"]
    key = shipments.composite_keys[0]
    assert (key.columns, key.parent_columns) == (["Order No", "Line #"], ["Order No", "Line #"])
    sql = create_table(customers, get_dialect("mysql"), inline_deferred=False)
    assert "`we\"ird` TEXT NOT NULL CHECK (`we\"ird` IN ('a', 'b'))" in sql
    assert "FOREIGN KEY (`Order No`) REFERENCES `orders` (`Order No`)" in sql
    sql = create_table(tables["orders"], get_dialect("postgres"), inline_deferred=True)
    assert '"Total`s" BIGINT NOT NULL CHECK ("Total`s" >= 1 AND "Total`s" <= 10)' in sql
    assert 'FOREIGN KEY ("Buyer\'s ID") REFERENCES "customers" ("Customer ID")' in sql
    sql = create_table(tables["orders"], get_dialect("mysql"), inline_deferred=True)
    assert "`Total``s` BIGINT" in sql
    sql = create_table(customers, get_dialect("tsql"), inline_deferred=True)
    assert '[we"ird] NVARCHAR(MAX) NOT NULL' in sql


def catalog_columns(kind: str, connect, table: str) -> list[str]:
    if kind == "sqlite":
        return [r[1] for r in query(connect, f"PRAGMA table_info('{table}')")]
    if kind in ("postgres", "duckdb"):
        schema = "public" if kind == "postgres" else "main"
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            f"'{schema}' AND table_name = '{table}' ORDER BY ordinal_position"
        )
    else:
        sql = (
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            f"DATABASE() AND table_name = '{table}' ORDER BY ordinal_position"
        )
    return [r[0] for r in query(connect, sql)]


def refused(connect, sql: str) -> bool:
    conn = connect()
    try:
        conn.cursor().execute(sql)
        conn.commit()
        return False
    except Exception as exc:  # each driver has its own IntegrityError
        assert re.search(r"(?i)constraint|foreign key|duplicate|unique", str(exc)), exc
        return True
    finally:
        conn.close()


def check_names_and_constraints(dataset, kind: str, connect) -> None:
    for entity, names in NAMES.items():
        assert catalog_columns(kind, connect, entity) == names
    check_loaded(dataset, kind, connect)
    d = get_dialect(kind)
    q = {n: quote_identifier(n, d) for names in [*NAMES.values(), list(NAMES)] for n in names}
    q["buyer"] = quote_identifier("Buyer's ID", d)
    violations = [
        "UPDATE {customers} SET {Order No} = 999 WHERE {Customer ID} = 1",  # foreign key
        "UPDATE {orders} SET {buyer} = 999",  # the cycle's foreign key, added by ALTER
        "UPDATE {customers} SET {Größe} = 9 WHERE {Customer ID} = 1",  # CHECK of bounds
        "UPDATE {customers} SET {weird} = 'c' WHERE {Customer ID} = 1",  # CHECK of a choice
        "UPDATE {orders} SET {total} = 0",  # CHECK of bounds
        "UPDATE {customers} SET {Customer ID} = 2 WHERE {Customer ID} = 1",  # primary key
        "UPDATE {customers} SET {e-mail} = 'x' WHERE {Customer ID} <= 2",  # UNIQUE
        "UPDATE {lines} SET {Line #} = 1",  # the composite primary key
        "UPDATE {lines} SET {Order No} = 999",  # shipments' composite foreign key
    ]
    q["weird"], q["total"] = q['we"ird'], q["Total`s"]
    if kind == "duckdb":  # declares no foreign key to a later table (formats.md, Dialects)
        violations.remove("UPDATE {orders} SET {buyer} = 999")
    for sql in violations:
        statement = re.sub(r"\{([^}]+)\}", lambda m: q[m.group(1)], sql)
        assert refused(connect, statement), statement
    for table in schema_tables(dataset):
        for key in table.composite_keys:
            assert query(connect, orphan_query(table, key, d))[0][0] == 0


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_a_load_creates_the_named_columns_with_their_constraints(database, dataset) -> None:
    kind, url, connect = database
    report = load(dataset, url)
    assert report.rows == {e: dataset.count(e) for e in dataset}
    check_names_and_constraints(dataset, kind, connect)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite"], indirect=True)
def test_a_load_into_the_existing_tables(database, dataset) -> None:
    kind, url, connect = database
    load(dataset, url)
    load(dataset, url, create=False, truncate=True)  # the loader's own checks, by name
    check_names_and_constraints(dataset, kind, connect)


@pytest.mark.db
@pytest.mark.parametrize(
    ("database", "copy"),
    [("postgres", False), ("postgres", True), ("mysql", False), ("sqlite", False)],
    indirect=["database"],
)
def test_the_sql_script_runs_in_the_client(database, dataset, copy: bool, tmp_path: Path) -> None:
    kind, url, connect = database
    script = tmp_path / "names.sql"
    client = CLIENTS[kind](url, script)
    if shutil.which(client[0]) is None:
        pytest.skip(f"{client[0]} is not installed")
    dataset.write(tmp_path, format="sql", sql={"dialect": kind, "copy": copy})
    if kind == "sqlite":
        client.insert(3, "PRAGMA foreign_keys=ON;")
    done = subprocess.run(client, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    check_names_and_constraints(dataset, kind, connect)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_identity_sequence_moves_past_the_loaded_ids(database, dataset) -> None:
    _kind, url, connect = database
    load(dataset, url)
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(
            'INSERT INTO "customers" ("e-mail", "Größe", "we""ird", "Order No", "twice") '
            "VALUES ('new@x.invalid', 1, 'a', 1, 2) RETURNING \"Customer ID\""
        )
        assert cur.fetchone()[0] == 21
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("dialect", "name", "words"),
    [
        ("mysql", "Name ", "ends in a space"),
        ("mysql", "dice 🎲", "above U+FFFF"),
        ("tsql", "cost $(x)", "variable"),
        ("postgres", "xmin", "system column"),
    ],
)
def test_names_a_dialect_cannot_hold_stop_the_script(dialect, name, words, tmp_path) -> None:
    schema = {
        "pdl": 1,
        "name": "n",
        "entities": {
            "t": {"count": 1, "fields": {"id": {"sequence": 1}, "v": {"const": 1, "column": name}}}
        },
    }
    with pytest.raises(
        phony_pdl.GenerationError, match=re.escape(f"t.{name}: ") + f".*{re.escape(words)}"
    ):
        phony_pdl.load(schema).generate().write(tmp_path, format="sql", sql={"dialect": dialect})
    # other targets take it
    phony_pdl.load(schema).generate().write(tmp_path / "csv", format="csv")


# ---------------------------------------------------------------- any name, round trips

_NAME_CHARS = st.characters(blacklist_categories=("Cc", "Cs"))
_NAME = st.text(_NAME_CHARS, min_size=1, max_size=63).filter(
    lambda s: s.strip() and len(s.encode()) <= 63
)


@given(st.lists(_NAME, min_size=1, max_size=5, unique_by=str.casefold))
def test_any_printable_name_survives_csv_and_parquet(names: list[str]) -> None:
    import tempfile

    fields = {"id": {"sequence": 1}}
    fields.update({f"c{i}": {"const": i, "column": n} for i, n in enumerate(names)})
    out = ["id", *names]
    if len({n.casefold() for n in out}) < len(out):
        return  # a name that is `id` in another case: refused (tested elsewhere)
    schema = {"pdl": 1, "name": "p", "entities": {"t": {"count": 2, "fields": fields}}}
    dataset = phony_pdl.load(schema).generate()
    with tempfile.TemporaryDirectory() as folder:
        dataset.write(folder, format="csv")
        text = (Path(folder) / "t.csv").read_text(encoding="utf-8")
        assert next(csv.reader(io.StringIO(text, newline=""))) == out
        assert pacsv.read_csv(Path(folder) / "t.csv").schema.names == out
        dataset.write(Path(folder) / "pq", format="parquet")
        assert pq.read_schema(Path(folder) / "pq" / "t.parquet").names == out
        dataset.write(Path(folder) / "js", format="jsonl")
        rows = (Path(folder) / "js" / "t.jsonl").read_text(encoding="utf-8").splitlines()
        assert list(json.loads(rows[0])) == out


# ---------------------------------------------------------------- validation


def errors(text: str) -> str:
    with pytest.raises(phony_pdl.SchemaError) as info:
        phony_pdl.load(text, name="s.yaml")
    return str(info.value)


HEAD = "pdl: 1\nname: t\nentities:\n  t:\n    count: 1\n    fields:\n      id: { sequence: 1 }\n"


@pytest.mark.parametrize(
    ("line", "message", "place"),
    [
        ('a: { const: 1, column: "" }', "`column` of field 'a' is empty", "8:30"),
        ('a: { const: 1, column: "  " }', "`column` of field 'a' is only blanks", "8:30"),
        ('a: { const: 1, column: "a\\tb" }', "holds the control character U+0009", "8:30"),
        ('a: { const: 1, column: "a\\0b" }', "holds the control character U+0000", "8:30"),
        (f'a: {{ const: 1, column: "{"é" * 32}" }}', "is 64 bytes long in UTF-8", "8:30"),
        (
            'a: { const: 1, hidden: true, column: "A" }',
            "field 'a' is hidden, so it has no column",
            "8:44",
        ),
        (
            'a: { const: 1, column: "ID" }',
            "field 'a' (column 'ID') and field 'id' would write",
            "8:30",
        ),
        ("a: { const: 1, column: 5 }", "expected a string, got integer 5", "8:30"),
    ],
)
def test_bad_columns_are_named_where_they_are(line: str, message: str, place: str) -> None:
    text = errors(HEAD + "      " + line + "\n")
    assert message in text
    assert f"s.yaml:{place}" in text


def test_a_field_named_as_an_earlier_column_collides_at_its_own_name() -> None:
    text = errors(
        HEAD.replace("id: { sequence: 1 }", 'id: { sequence: 1, column: "Email" }')
        + "      email: { const: 1 }\n"
    )
    assert (
        "field 'email' and field 'id' (column 'Email') would write columns of the same name" in text
    )
    assert "s.yaml:8:7" in text
    with pytest.raises(phony_pdl.SchemaError) as info:
        phony_pdl.load(
            HEAD.replace("{ sequence: 1 }", '{ sequence: 1, column: "E" }')
            + "      e: { const: 1 }\n",
            name="s.yaml",
        )
    (diag,) = info.value.diagnostics
    assert diag.code == "identifier-collision"
    assert diag.notes == ("'id' is at s.yaml:7:7",)


def test_a_column_may_repeat_the_fields_own_name_or_another_entitys() -> None:
    text = HEAD.replace("id: { sequence: 1 }", 'id: { sequence: 1, column: "id" }')
    text += '      o: { const: 1, column: "Order No" }\n'
    text += '  u:\n    count: 1\n    fields:\n      o: { const: 1, column: "Order No" }\n'
    phony_pdl.load(text)


# ---------------------------------------------------------------- infer and import

HEADER = ["Customer ID", "e-mail", "Größe", 'we"ird', "od280/od315_of_diluted_wines", "id"]


def test_infer_keeps_the_source_header(tmp_path: Path) -> None:
    from phony_pdl.compare import compare
    from phony_pdl.infer import infer

    real = tmp_path / "real.csv"
    with real.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(120):
            out.writerow([i + 1, f"u{i}@example.org", 150 + i % 50, "ab"[i % 3 == 0], i / 40, i])
    result = infer(real)
    fields = result.document["entities"]["real"]["fields"]
    assert fields["Customer_ID"]["column"] == "Customer ID"
    assert fields["we_ird"]["column"] == 'we"ird'
    assert fields["od280_od315_of_diluted_wines"]["column"] == "od280/od315_of_diluted_wines"
    assert "column" not in fields["id"]
    assert "column: 'we\"ird'" in result.text  # and the YAML reads back the same
    assert result.columns["real"]["Gr_e"] == "Größe"
    path = tmp_path / "learnt.yaml"
    result.write(path)
    phony_pdl.load(path).generate(seed=1).write(tmp_path / "out", format="csv")
    with (tmp_path / "out" / "real.csv").open(newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == HEADER
    report = compare(real, tmp_path / "out" / "real.csv")
    assert [c.column for c in report.tables[0].columns][: len(HEADER)] == HEADER
    assert not report.tables[0].missing


def test_infer_leaves_out_a_column_that_would_fold_onto_another() -> None:
    from phony_pdl.infer import infer

    real = pa.table({"a b": [1, 2, 3] * 10, "A B": [3, 1, 2] * 10, "x\ny": [1, 2, 1] * 10})
    fields = infer(real, name="t").document["entities"]["t"]["fields"]
    assert fields["a_b"]["column"] == "a b"
    assert "column" not in fields["A_B_2"]  # `A B` and `a b` are one name to MySQL
    assert "column" not in fields["x_y"]  # a line break cannot be in a column's name


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_import_keeps_a_column_whose_name_is_not_an_identifier(database) -> None:
    from phony_pdl.importer import import_url

    _kind, url, connect = database
    conn = connect()
    try:
        conn.execute(
            'CREATE TABLE products (id serial PRIMARY KEY, "Product Code" text UNIQUE NOT NULL, '
            '"Unit Price" numeric(10,2) NOT NULL CHECK ("Unit Price" >= 0))'
        )
        conn.execute(
            'CREATE TABLE lines (id serial PRIMARY KEY, "Product Code" text NOT NULL '
            'REFERENCES products ("Product Code"), "Qty." int NOT NULL)'
        )
        conn.commit()
    finally:
        conn.close()
    text, problems = import_url(url, rows=20)
    assert not [p for p in problems if "identifier" in p], problems
    doc = phony_pdl.load(text)
    fields = doc.document.entities["products"].fields
    assert fields["Unit_Price"].column == "Unit Price"
    lines = doc.document.entities["lines"].fields
    assert lines["Product_Code"].ref == "products.Product_Code"
    assert lines["Product_Code"].column == "Product Code"
    assert lines["Qty"].column == "Qty."
    # into the original tables, by their columns' names
    report = load(doc.generate(), url, create=False)
    assert report.rows["products"] == 20
    assert query(connect, 'SELECT COUNT(*) FROM products WHERE "Unit Price" >= 0')[0][0] == 20
