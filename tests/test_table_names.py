"""An entity's `table`: table and file names that are not PDL identifiers, in every
writer, in SQL scripts and database loads (keys and constraints on), in `phony infer`
and `phony import`."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import phony_pdl
from phony_pdl.loaders import LoadError, load
from phony_pdl.sql.dialects import get_dialect
from phony_pdl.sql.encode import quote_identifier
from phony_pdl.sql.script import schema_tables

from .test_databases import check_loaded, query
from .test_sql_dialects import run_script

TABLES = {"customers": "Customer List", "order_details": "Order Details", "weird": 'we"ird'}
# file base names: `"` is one of the characters a Windows file name cannot hold
FILES = {**TABLES, "weird": "we%22ird", "plain": "plain"}

SCHEMA = {
    "pdl": 1,
    "name": "tables",
    "entities": {
        "customers": {
            "table": "Customer List",
            "count": 8,
            "fields": {
                "id": {"sequence": 1},
                "email": {"generator": "internet.email", "unique": True},
                # a cycle: filled by UPDATE once the orders exist
                "last_order": {"ref": "order_details.id", "null_rate": 0.5},
            },
        },
        "order_details": {
            "table": "Order Details",
            "count": {"per": "customers", "min": 1, "max": 3},
            "fields": {
                "id": {"sequence": 1},
                "customer": {"ref": "customers.id"},
                "qty": {"type": "int", "min": 1, "max": 9, "column": "Qty."},
                "code": {"pattern": "[A-Z]{4}[0-9]{4}", "unique": True},
            },
        },
        "weird": {
            "table": 'we"ird',
            "count": {"per": "order_details", "const": 1},
            "fields": {
                "id": {"sequence": 1},
                "order_id": {"ref": "order_details.id"},
                "kind": {"choice": ["a", "b"]},
            },
        },
        "plain": {  # an entity without `table` keeps its identifier
            "count": 3,
            "fields": {"id": {"sequence": 1}, "customer": {"ref": "customers.id"}},
        },
    },
}


@pytest.fixture(scope="module")
def dataset():
    return phony_pdl.load(SCHEMA).generate(seed=5)


def test_the_schema_still_names_entities_by_their_identifiers(dataset) -> None:
    assert list(dataset) == ["customers", "order_details", "weird", "plain"]
    assert dataset["order_details"].num_rows == dataset.count("order_details")
    tables = {t.entity: t for t in schema_tables(dataset)}
    assert {e: t.name for e, t in tables.items()} == {**TABLES, "plain": "plain"}
    details = tables["order_details"]
    assert [(fk.column, fk.parent, fk.parent_column) for fk in details.foreign_keys] == [
        ("customer", "Customer List", "id")
    ]
    assert tables["customers"].deferred[0].parent == "Order Details"


@pytest.mark.parametrize(
    ("fmt", "compression"),
    [("csv", None), ("csv", "gzip"), ("jsonl", None), ("json", None), ("parquet", None)],
)
def test_files_are_named_by_table(dataset, fmt: str, compression, tmp_path: Path) -> None:
    report = dataset.write(tmp_path, format=fmt, compression=compression)
    suffix = ".gz" if compression else ""
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["entities"]) == list(FILES)  # keyed by entity
    for entity, stem in FILES.items():
        file = f"{stem}.{fmt}{suffix}"
        assert manifest["entities"][entity]["file"] == file == report.entities[entity].file
        assert (tmp_path / file).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["manifest.json", *(f"{t}.{fmt}{suffix}" for t in FILES.values())]
    )
    if fmt == "csv" and not compression:
        with (tmp_path / "Order Details.csv").open(newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == ["id", "customer", "Qty.", "code"]
    if fmt == "parquet":
        assert pq.read_table(tmp_path / "Order Details.parquet").equals(dataset["order_details"])


def test_the_dataset_layout_names_folders_by_table(dataset, tmp_path: Path) -> None:
    from phony_pdl.distributed import write_dataset

    report = write_dataset(dataset, tmp_path, format="parquet")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["entities"]["weird"]["directory"] == "we%22ird"
    assert report.entities["order_details"].file == "Order Details/"
    parts = sorted((tmp_path / "Order Details").glob("part-*.parquet"))
    assert parts and sum(pq.read_metadata(p).num_rows for p in parts) == dataset.count(
        "order_details"
    )
    # --resume finds the parts where it wrote them
    again = write_dataset(dataset, tmp_path, format="parquet", resume=True)
    assert again.written == 0 and again.reused == report.written


def test_cli_options_name_entities(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    path = tmp_path / "s.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["generate", str(path), "-o", str(out), "--count", "customers=2"]
    )
    assert result.exit_code == 0, result.output
    with (out / "Customer List.csv").open(encoding="utf-8") as f:
        assert len(f.read().splitlines()) == 3


def test_ddl_quotes_the_table_names(dataset) -> None:
    from phony_pdl.sql.ddl import add_foreign_key, create_table

    tables = {t.entity: t for t in schema_tables(dataset)}
    sql = create_table(tables["order_details"], get_dialect("postgres"), inline_deferred=False)
    assert sql.startswith('CREATE TABLE "Order Details" (')
    assert 'FOREIGN KEY ("customer") REFERENCES "Customer List" ("id")' in sql
    sql = create_table(tables["weird"], get_dialect("mysql"), inline_deferred=False)
    assert sql.startswith('CREATE TABLE `we"ird` (')
    assert 'CONSTRAINT `fk_we"ird_order_id` FOREIGN KEY (`order_id`) REFERENCES ' in sql
    assert "REFERENCES `Order Details` (`id`)" in sql
    sql = create_table(tables["weird"], get_dialect("postgres"), inline_deferred=False)
    assert sql.startswith('CREATE TABLE "we""ird" (')
    sql = create_table(tables["weird"], get_dialect("tsql"), inline_deferred=False)
    assert sql.startswith('CREATE TABLE [we"ird] (')
    (cycle,) = tables["customers"].deferred
    assert add_foreign_key(tables["customers"], cycle, get_dialect("sqlite")).startswith(
        'ALTER TABLE "Customer List" ADD CONSTRAINT "fk_Customer List_last_order" '
        'FOREIGN KEY ("last_order") REFERENCES "Order Details" ("id")'
    )


# ---------------------------------------------------------------- databases


def catalog_tables(kind: str, connect) -> list[str]:
    if kind == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    elif kind == "postgres":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    elif kind == "duckdb":
        sql = "SELECT table_name FROM information_schema.tables ORDER BY table_name"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "ORDER BY table_name"
        )
    return sorted(r[0] for r in query(connect, sql))


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


def check_tables_and_constraints(dataset, kind: str, connect) -> None:
    assert catalog_tables(kind, connect) == sorted([*TABLES.values(), "plain"])
    check_loaded(dataset, kind, connect)
    q = {n: quote_identifier(n, get_dialect(kind)) for n in [*TABLES.values(), "Qty."]}
    violations = [
        "UPDATE {Order Details} SET customer = 999 WHERE id = 1",  # foreign key
        'UPDATE {we"ird} SET order_id = 999 WHERE id = 1',  # foreign key to `Order Details`
        "UPDATE {Customer List} SET last_order = 999",  # the cycle's key, added by ALTER
        "UPDATE {Order Details} SET {Qty.} = 0",  # CHECK of bounds
        "UPDATE {we\"ird} SET kind = 'c'",  # CHECK of a choice
        "UPDATE {Order Details} SET id = 2 WHERE id = 1",  # primary key
        "UPDATE {Order Details} SET code = 'x'",  # UNIQUE
        "DELETE FROM {Customer List}",  # a parent row that children point at
    ]
    if kind == "duckdb":  # declares no foreign key to a later table (formats.md, Dialects)
        violations.remove("UPDATE {Customer List} SET last_order = 999")
    for sql in violations:
        statement = re.sub(r"\{([^}]+)\}", lambda m: q[m.group(1)], sql)
        assert refused(connect, statement), statement


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_a_load_creates_the_named_tables_with_their_constraints(database, dataset) -> None:
    kind, url, connect = database
    report = load(dataset, url)
    assert report.rows == {e: dataset.count(e) for e in dataset}
    check_tables_and_constraints(dataset, kind, connect)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite"], indirect=True)
def test_a_load_into_the_existing_tables(database, dataset) -> None:
    kind, url, connect = database
    load(dataset, url)
    report = load(dataset, url, create=False, truncate=True)  # TRUNCATE / DELETE by name
    assert report.rows["order_details"] == dataset.count("order_details")
    check_tables_and_constraints(dataset, kind, connect)
    with pytest.raises(LoadError, match="Customer List, Order Details"):
        load(dataset, url)  # the tables exist: named as written in the message


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_no_create_names_the_missing_tables(database, dataset) -> None:
    _kind, url, _connect = database
    with pytest.raises(LoadError, match=r"Customer List, Order Details, we\"ird"):
        load(dataset, url, create=False)


@pytest.mark.db
@pytest.mark.parametrize(
    ("database", "copy"),
    [
        ("postgres", False),
        ("postgres", True),
        ("mysql", False),
        ("sqlite", False),
        ("duckdb", False),
    ],
    indirect=["database"],
)
def test_the_sql_script_runs_in_the_client(database, dataset, copy: bool, tmp_path: Path) -> None:
    kind, url, connect = database
    dataset.write(tmp_path, format="sql", sql={"dialect": kind, "copy": copy})
    run_script(kind, url, tmp_path / "tables.sql")
    check_tables_and_constraints(dataset, kind, connect)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_identity_sequences_move_past_the_loaded_ids(database, dataset) -> None:
    _kind, url, connect = database
    load(dataset, url)
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(
            'INSERT INTO "Order Details" (customer, "Qty.", code) VALUES (1, 1, \'NEW\') '
            "RETURNING id"
        )
        assert cur.fetchone()[0] == dataset.count("order_details") + 1
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("dialect", "name", "words"),
    [
        ("mysql", "dice 🎲", "above U+FFFF"),
        ("tsql", "cost $(x)", "variable"),
        ("sqlite", "SQLite_stats", "begin with 'sqlite_' for itself"),
    ],
)
def test_names_a_dialect_cannot_hold_stop_the_script(dialect, name, words, tmp_path) -> None:
    schema = {
        "pdl": 1,
        "name": "n",
        "entities": {"t": {"table": name, "count": 1, "fields": {"id": {"sequence": 1}}}},
    }
    with pytest.raises(
        phony_pdl.GenerationError, match=re.escape(f"{name}: ") + f".*{re.escape(words)}"
    ):
        phony_pdl.load(schema).generate().write(tmp_path, format="sql", sql={"dialect": dialect})
    phony_pdl.load(schema).generate().write(tmp_path / "csv", format="csv")
    assert (tmp_path / "csv" / f"{name}.csv").is_file()


# ---------------------------------------------------------------- validation


def errors(text: str) -> str:
    with pytest.raises(phony_pdl.SchemaError) as info:
        phony_pdl.load(text, name="s.yaml")
    return str(info.value)


def entity(name: str, table: str | None = None) -> str:
    key = "" if table is None else f"    table: {table}\n"
    return f"  {name}:\n{key}    count: 1\n    fields:\n      id: {{ sequence: 1 }}\n"


HEAD = "pdl: 1\nname: t\nentities:\n"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('""', "`table` of entity 'a' is empty"),
        ('"  "', "`table` of entity 'a' is only blanks"),
        ('"a\\tb"', "holds the control character U+0009"),
        ('"a\\0b"', "holds the control character U+0000"),
        ('" Orders"', "`table` of entity 'a' starts or ends with a blank"),
        ('"Orders "', "`table` of entity 'a' starts or ends with a blank"),
        (f'"{"é" * 32}"', "`table` of entity 'a' is 64 bytes long in UTF-8"),
        ("5", "expected a string, got integer 5"),
    ],
)
def test_bad_tables_are_named_where_they_are(table: str, message: str) -> None:
    text = errors(HEAD + entity("a", table))
    assert message in text
    assert "s.yaml:5:12" in text


def test_a_63_byte_table_with_dots_and_quotes_is_fine() -> None:
    name = 'Order Details.v2 "x" ü' + "x" * (63 - len('Order Details.v2 "x" ü'.encode()))
    assert len(name.encode()) == 63
    phony_pdl.load(HEAD + entity("a", json.dumps(name)))


def test_tables_equal_after_case_folding_collide_at_the_second() -> None:
    schema = HEAD + entity("a", '"Order Details"') + entity("b", '"order details"')
    text = errors(schema)
    assert (
        "entity 'b' (table 'order details') and entity 'a' (table 'Order Details') would write "
        "tables (and files) of the same name after case folding" in text
    )
    assert "s.yaml:10:12" in text
    with pytest.raises(phony_pdl.SchemaError) as info:
        phony_pdl.load(schema, name="s.yaml")
    (diag,) = info.value.diagnostics
    assert diag.code == "identifier-collision"
    assert diag.notes == ("'a' is at s.yaml:4:3",)


def test_a_table_named_as_another_entity_collides() -> None:
    # the table after the entity: at the `table`
    text = errors(HEAD + entity("Orders") + entity("b", "orders"))
    assert "entity 'b' (table 'orders') and entity 'Orders' would write tables" in text
    assert "s.yaml:9:12" in text
    # the entity after the table: at the entity's name
    text = errors(HEAD + entity("b", "orders") + entity("Orders"))
    assert "entity 'Orders' and entity 'b' (table 'orders') would write tables" in text
    assert "s.yaml:9:3" in text


def test_a_table_may_repeat_its_own_entitys_name() -> None:
    phony_pdl.load(HEAD + entity("orders", "Orders") + entity("b", "B b"))


# ---------------------------------------------------------------- infer and import


def test_infer_keeps_the_file_names(tmp_path: Path) -> None:
    from phony_pdl.compare import compare
    from phony_pdl.infer import infer

    real = tmp_path / "real"
    real.mkdir()
    with (real / "Customer List.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "name"])
        out.writerows([i + 1, f"name {i % 7}"] for i in range(60))
    with (real / "Order Details.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "customer_id", "Unit Price"])
        out.writerows([i + 1, 1 + (i * 7) % 60, 10 + i % 13] for i in range(200))
    result = infer(real)
    entities = result.document["entities"]
    assert entities["Order_Details"]["table"] == "Order Details"
    assert entities["Customer_List"]["table"] == "Customer List"
    assert entities["Order_Details"]["fields"]["customer_id"]["ref"] == "Customer_List.id"
    assert "table: 'Order Details'" in result.text
    path = tmp_path / "learnt.yaml"
    result.write(path)
    phony_pdl.load(path).generate(seed=1).write(tmp_path / "out", format="csv")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "Customer List.csv",
        "Order Details.csv",
        "manifest.json",
    ]
    report = compare(real, tmp_path / "out")
    assert sorted(t.name for t in report.tables) == ["Customer List", "Order Details"]
    assert not report.unmatched


def test_infer_leaves_out_a_table_that_would_fold_onto_another() -> None:
    import pyarrow as pa

    from phony_pdl.infer import infer

    data = {"a b": pa.table({"x": [1, 2, 3] * 10}), "A B": pa.table({"y": [3, 1, 2] * 10})}
    entities = infer(data, name="t").document["entities"]
    assert entities["a_b"]["table"] == "a b"
    assert "table" not in entities["A_B_2"]  # `A B` and `a b` are one file name on macOS


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_import_keeps_a_table_whose_name_is_not_an_identifier(database) -> None:
    from phony_pdl.importer import import_url

    _kind, url, connect = database
    conn = connect()
    try:
        conn.execute(
            'CREATE TABLE "Customer List" (id serial PRIMARY KEY, email text UNIQUE NOT NULL)'
        )
        conn.execute(
            'CREATE TABLE "Order Details" (id serial PRIMARY KEY, customer_id int NOT NULL '
            'REFERENCES "Customer List" (id), "Unit Price" numeric(10,2) NOT NULL '
            'CHECK ("Unit Price" >= 0))'
        )
        conn.execute(
            "CREATE TABLE shipments (id serial PRIMARY KEY, order_id int NOT NULL "
            'REFERENCES "Order Details" (id))'
        )
        conn.commit()
    finally:
        conn.close()
    text, problems = import_url(url, rows=20)
    assert not [p for p in problems if "identifier" in p or "skipped" in p], problems
    schema = phony_pdl.load(text)
    entities = schema.document.entities
    assert entities["Customer_List"].table == "Customer List"
    assert entities["Order_Details"].table == "Order Details"
    assert entities["Order_Details"].fields["customer_id"].ref == "Customer_List.id"
    assert entities["Order_Details"].fields["Unit_Price"].column == "Unit Price"
    assert entities["shipments"].fields["order_id"].ref == "Order_Details.id"
    # into the original tables, by their names
    report = load(schema.generate(), url, create=False)
    assert report.rows["Customer_List"] == 20
    sql = 'SELECT COUNT(*) FROM "Order Details" o JOIN "Customer List" c ON c.id = o.customer_id'
    assert query(connect, sql)[0][0] == report.rows["Order_Details"] > 0
