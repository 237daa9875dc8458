"""DDL import: existing schemas → PDL → data that loads into tables made by the ORIGINAL DDL."""

from __future__ import annotations

from pathlib import Path

import pytest

import phony_pdl
from phony_pdl.importer import import_ddl, import_url
from phony_pdl.loaders import load

from .test_databases import query

DDL = Path(__file__).parent / "ddl"
CASES = [
    ("shop_postgres.sql", "postgres", ["customers", "products", "orders", "order_items"]),
    ("company_postgres_cycle.sql", "postgres", ["Departments", "staff"]),
    ("blog_mysql.sql", "mysql", ["User", "group", "post"]),
    ("org_sqlite.sql", "sqlite", ["employees", "projects", "assignments"]),
    ("events_duckdb.sql", "duckdb", ["devices", "readings"]),
]


def run_original_ddl(kind: str, connect, text: str) -> None:
    conn = connect()
    try:
        if kind == "sqlite":
            conn.executescript(text)
        elif kind == "duckdb":
            conn.execute(text)
        else:
            cur = conn.cursor()
            for statement in text.split(";"):
                body = "\n".join(
                    line for line in statement.splitlines() if not line.strip().startswith("--")
                )
                if body.strip():
                    cur.execute(body)
            conn.commit()
    finally:
        conn.close()


@pytest.mark.db
@pytest.mark.parametrize(
    ("file", "database", "tables"),
    [(f, k, t) for f, k, t in CASES],
    indirect=["database"],
    ids=[c[0] for c in CASES],
)
def test_import_generate_and_load_into_original_tables(
    file: str, database, tables: list[str]
) -> None:
    kind, url, connect = database
    text, problems = import_ddl(DDL / file, kind, rows=40)
    assert problems == []
    schema = phony_pdl.load(text)
    assert list(schema.entities) == tables
    run_original_ddl(kind, connect, (DDL / file).read_text())
    dataset = schema.generate()
    report = load(dataset, url, create=False)  # the original DDL's constraints are the judge
    for table in tables:
        quoted = {"mysql": f"`{table}`"}.get(kind, f'"{table}"')
        assert query(connect, f"SELECT COUNT(*) FROM {quoted}")[0][0] == report.rows[table] > 0


@pytest.mark.db
@pytest.mark.parametrize(
    ("file", "database", "tables"),
    [(f, k, t) for f, k, t in CASES],
    indirect=["database"],
    ids=[c[0] for c in CASES],
)
def test_import_from_live_database(file: str, database, tables: list[str]) -> None:
    kind, url, connect = database
    run_original_ddl(kind, connect, (DDL / file).read_text())
    text, problems = import_url(url, rows=10)
    assert problems == []  # CHECK lists, orderings and MySQL's foreign-key indexes all map
    schema = phony_pdl.load(text)
    assert sorted(schema.entities) == sorted(tables)
    dataset = schema.generate()
    load(dataset, url, create=False)


def test_unmappable_items_are_listed_at_once(tmp_path: Path) -> None:
    ddl = tmp_path / "odd.sql"
    ddl.write_text(
        "CREATE TABLE a (id INT PRIMARY KEY, shape GEOMETRY NOT NULL, tags TEXT[], "
        "CHECK (length(shape::text) > 2));\n"
        "CREATE TABLE b (id INT PRIMARY KEY, a_id INT, x INT, FOREIGN KEY (a_id, x) REFERENCES a (id, id));\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    assert len(problems) >= 3
    assert any("GEOMETRY" in p for p in problems)
    assert any("composite foreign key" in p for p in problems)
    assert "# Not mapped (review these):" in text
    phony_pdl.load(text)


def test_cli_import_writes_a_valid_schema(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    out = tmp_path / "shop.yaml"
    result = CliRunner().invoke(app, ["import", str(DDL / "shop_postgres.sql"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    schema = phony_pdl.load(out)
    assert schema.entities["customers"].fields["email"].generator == "internet.email"
    assert schema.entities["orders"].fields["status"].choice == [
        "new",
        "paid",
        "shipped",
        "cancelled",
    ]


def test_cli_import_names_the_installed_json_schema_and_makes_the_folder(tmp_path: Path) -> None:
    """The editor modeline named https://phony.dev/…, which no editor could fetch, and `-o`
    into a folder that did not exist ended in a FileNotFoundError traceback."""
    import json

    from typer.testing import CliRunner

    from phony_pdl.cli import app

    out = tmp_path / "db" / "schemas" / "shop.yaml"
    result = CliRunner().invoke(app, ["import", str(DDL / "shop_postgres.sql"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    modeline = next(line for line in out.read_text().splitlines() if "$schema=" in line)
    assert modeline.startswith("# yaml-language-server: $schema=")
    ref = modeline.split("$schema=", 1)[1]
    assert "://" not in ref  # a path relative to the PDL file, not a web address
    schema = json.loads((out.parent / ref).read_text(encoding="utf-8"))
    assert schema["$id"].endswith("pdl-1.schema.json") and "entities" in schema["properties"]
    text, _ = import_ddl(DDL / "shop_postgres.sql", "postgres")
    assert "yaml-language-server" not in text  # from Python, no place to point from


@pytest.mark.db
@pytest.mark.parametrize("command", ["import", "infer"])
def test_unreachable_databases_are_named_without_a_traceback(
    command: str, tmp_path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    cases = {
        "sqlite:///missing.db": "sqlite:///missing.db: no such database file 'missing.db'",
        "duckdb:///missing.duckdb": "no such database file 'missing.duckdb'",
        "postgresql://postgres@127.0.0.1:5432/phony_no_such_db": (
            "cannot read postgresql://postgres@127.0.0.1:5432/phony_no_such_db: connection "
            'failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database '
            '"phony_no_such_db" does not exist'
        ),
        "mysql://root@127.0.0.1:3306/phony_no_such_db": "Unknown database 'phony_no_such_db'",
    }
    for url, message in cases.items():
        result = runner.invoke(app, [command, url])
        assert result.exit_code != 0, url
        assert message in result.output, result.output
        assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # no empty database file left behind


def test_one_sided_date_checks_keep_a_year_inside_the_bound(tmp_path: Path) -> None:
    import yaml

    ddl = tmp_path / "d.sql"
    ddl.write_text(
        "CREATE TABLE b (id INT PRIMARY KEY, d DATE CHECK (d >= '2028-02-29'));\n"
        "CREATE TABLE a (id INT PRIMARY KEY, d DATE CHECK (d <= '2019-06-30'));\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    assert not problems
    entities = yaml.safe_load(text)["entities"]
    assert entities["b"]["fields"]["d"]["between"] == ["2028-02-29", "2029-02-28"]
    assert entities["a"]["fields"]["d"]["between"] == ["2018-06-30", "2019-06-30"]
    phony_pdl.load(text).generate()


def _round_trip(database, ddl: str, tmp_path: Path, rows: int = 30) -> tuple[str, list[str]]:
    """Import `ddl`, generate, and load into the tables the ORIGINAL DDL makes."""
    kind, url, connect = database
    path = tmp_path / "in.sql"
    path.write_text(ddl)
    text, problems = import_ddl(path, kind, rows=rows)
    schema = phony_pdl.load(text)
    run_original_ddl(kind, connect, ddl)
    load(schema.generate(), url, create=False)
    return text, problems


def _comments_after_entities(text: str) -> list[str]:
    tail = text.split("# Not mapped (review these):", 1)[1]
    return [line for line in tail.splitlines() if line.strip()]


def test_multi_line_ignored_statements_stay_one_comment_each(tmp_path: Path) -> None:
    import yaml

    ddl = tmp_path / "dump.sql"
    ddl.write_text(
        "CREATE TABLE users (id int PRIMARY KEY, note text);\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  NEW.note := 'x';\n  RETURN NEW;\nEND;\n$$;\n"
        "CREATE VIEW v AS\n  SELECT id\n  FROM users;\n"
        "--\n-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public\n--\n"
        "ALTER SEQUENCE users_id_seq OWNED BY users.id;\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    assert all("\n" not in p for p in problems)
    assert any(p.startswith("statement ignored: CREATE FUNCTION") for p in problems)
    assert "statement ignored: ALTER SEQUENCE users_id_seq OWNED BY users.id" in problems
    assert all(line.startswith("#  - ") for line in _comments_after_entities(text))
    assert list(yaml.safe_load(text)["entities"]) == ["users"]
    phony_pdl.load(text)


def test_psql_meta_commands_are_skipped_with_a_note(tmp_path: Path) -> None:
    ddl = tmp_path / "dump.sql"
    ddl.write_text(
        "--\n-- PostgreSQL database dump\n--\n\n"
        "\\restrict 3sVpWbEYUH4IkqZ6b1rwW8xTUzV4JxgXn4hV6bWy\n\n"
        "SET statement_timeout = 0;\n"
        "CREATE TABLE public.users (id integer NOT NULL, name text);\n"
        "\\unrestrict 3sVpWbEYUH4IkqZ6b1rwW8xTUzV4JxgXn4hV6bWy\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    assert "psql meta-command \\restrict skipped" in problems
    assert list(phony_pdl.load(text).entities) == ["users"]


@pytest.mark.parametrize(
    ("dialect", "options"),
    [("postgres", []), ("postgres", ["--copy"]), ("mysql", []), ("sqlite", []), ("duckdb", [])],
)
def test_a_script_phony_writes_imports_without_notes_for_its_data(
    tmp_path: Path, dialect: str, options: list[str]
) -> None:
    """Rows, BEGIN/COMMIT and SET of a full script (or a dump) are not DDL: skipped without a
    note each (there was one per statement), and COPY rows no longer stop the parse."""
    from typer.testing import CliRunner

    from phony_pdl.cli import app

    shop = Path(__file__).parents[1] / "examples" / "shop.yaml"
    out = tmp_path / "out"
    args = ["generate", str(shop), "-f", "sql", "--dialect", dialect, *options, "-o", str(out)]
    result = CliRunner().invoke(app, [*args, "--scale", "0.1"])
    assert result.exit_code == 0, result.output
    script = next(out.glob("*.sql"))
    assert ("COPY " in script.read_text()) == ("--copy" in options)
    text, problems = import_ddl(script, dialect)
    assert problems == []
    assert list(phony_pdl.load(text).entities) == list(phony_pdl.load(shop).entities)


def test_dump_data_is_skipped_but_unsupported_ddl_keeps_its_note(tmp_path: Path) -> None:
    ddl = tmp_path / "dump.sql"
    ddl.write_text(
        "SET client_encoding = 'UTF8';\n"
        "SELECT pg_catalog.set_config('search_path', '', false);\n"
        "BEGIN;\n"
        "CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
        "CREATE VIEW v AS SELECT id FROM users;\n"
        "COPY users (id, name) FROM stdin;\n"
        "1\tO'Brien\n"
        "\\N\tno id; DROP TABLE x\n"
        "\\.\n"
        "INSERT INTO users VALUES (2, 'b');\n"
        "COMMIT;\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    assert problems == ["statement ignored: CREATE VIEW v AS SELECT id FROM users"]
    assert list(phony_pdl.load(text).entities) == ["users"]


def test_a_string_left_open_is_a_usage_error(tmp_path: Path) -> None:
    from phony_pdl.errors import UsageError

    ddl = tmp_path / "open.sql"
    ddl.write_text("CREATE TABLE t (a text DEFAULT 'x);\n")
    with pytest.raises(UsageError) as exc:
        import_ddl(ddl, "postgres")
    assert str(exc.value).startswith("the DDL does not parse as postgres: Error tokenizing")


@pytest.mark.db
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_without_rowid_tables_are_imported(database, tmp_path: Path) -> None:
    text, problems = _round_trip(
        database,
        "CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;\n"
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, tag TEXT NOT NULL REFERENCES tags (code));\n",
        tmp_path,
    )
    assert problems == []
    assert list(phony_pdl.load(text).entities) == ["tags", "posts"]


ONE_TO_ONE = """
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE user_settings (user_id int PRIMARY KEY REFERENCES users (id), theme text);
CREATE TABLE profiles (
  id serial PRIMARY KEY, user_id int NOT NULL UNIQUE REFERENCES users (id), bio text
);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users (id));
CREATE TABLE order_lines (
  order_id int NOT NULL REFERENCES orders (id),
  line_no smallint NOT NULL CHECK (line_no BETWEEN 1 AND 5),
  qty int,
  PRIMARY KEY (order_id, line_no)
);
"""


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "sqlite"], indirect=True)
def test_one_to_one_and_bounded_composite_keys_load(database, tmp_path: Path) -> None:
    import yaml

    text, problems = _round_trip(database, ONE_TO_ONE, tmp_path)
    assert problems == []
    entities = yaml.safe_load(text)["entities"]
    for table in ("user_settings", "profiles"):  # the foreign key is the key, or UNIQUE
        assert entities[table]["count"] == {"per": "users", "max": 1}
        assert entities[table]["fields"]["user_id"]["unique"] is True
    # numbered lines: a few per order, at least one (was 0 to 5, equally likely)
    assert entities["order_lines"]["count"] == {
        "per": "orders",
        "distribution": "poisson",
        "mean": 3,
        "min": 1,
        "max": 5,
    }
    assert entities["orders"]["count"] == 90


@pytest.mark.db
@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_unsigned_types_are_numbers_from_zero(database, tmp_path: Path) -> None:
    import yaml

    text, problems = _round_trip(
        database,
        "CREATE TABLE items (\n"
        "  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
        "  stock int(10) unsigned NOT NULL,\n"
        "  rank_no smallint unsigned NOT NULL,\n"
        "  level tinyint unsigned NOT NULL,\n"
        "  weight decimal(5,2) unsigned NOT NULL,\n"
        "  delta int unsigned CHECK (delta >= -5)\n"
        ");\n"
        "CREATE TABLE moves (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
        "  item_id int unsigned NOT NULL, FOREIGN KEY (item_id) REFERENCES items (id));\n",
        tmp_path,
    )
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["items"]["fields"]
    assert fields["stock"] == {"type": "int", "min": 0, "max": 1000}
    assert fields["rank_no"] == {"type": "int", "min": 0, "max": 65535}
    assert fields["level"] == {"type": "int", "min": 0, "max": 255}
    assert fields["weight"] == {"type": "decimal(5,2)", "min": 0, "max": 999}
    assert fields["delta"]["min"] == 0


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_unmapped_types_keep_the_source_dialects_spelling(database, tmp_path: Path) -> None:
    import yaml

    _, url, connect = database
    ddl = tmp_path / "blobs.sql"
    ddl.write_text("CREATE TABLE blobs (id int PRIMARY KEY, data bytea NOT NULL, tags text[]);\n")
    text, problems = import_ddl(ddl, "postgres", rows=20)
    fields = yaml.safe_load(text)["entities"]["blobs"]["fields"]
    assert fields["data"]["sql_type"] == "BYTEA"  # not sqlglot's VARBINARY
    assert fields["tags"]["sql_type"] == "TEXT[]"  # not ARRAY<TEXT>
    assert any("BYTEA" in p for p in problems)
    schema = phony_pdl.load(text.replace("tags:", "# tags:"))
    load(schema.generate(), url)  # Phony's own CREATE TABLE for PostgreSQL
    assert (
        query(
            connect,
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'blobs'::regclass AND attname = 'data'",
        )[0][0]
        == "bytea"
    )


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_name_guesses_respect_varchar_lengths(database, tmp_path: Path) -> None:
    import yaml

    text, problems = _round_trip(
        database,
        "CREATE TABLE people (id int PRIMARY KEY, full_name varchar(10) NOT NULL,\n"
        "  username varchar(8) UNIQUE, email varchar(60), state char(2));\n",
        tmp_path,
        rows=200,
    )
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["people"]["fields"]
    assert "generator" not in fields["full_name"] and fields["full_name"]["max"] == 10
    assert fields["username"]["pattern"] == "[a-z0-9]{8}"
    assert fields["email"]["generator"] == "internet.email"  # 60 characters hold an email
    assert fields["state"]["pattern"] == "[A-Z]{2}"


def test_longest_values_of_name_guessed_generators_are_known() -> None:
    import pyarrow.compute as pc

    from phony_pdl.importer.to_pdl import _MAX_LENGTH

    lines = [
        f"      f{i}: {{ generator: {g}{', unique: true' if g.startswith('internet.') else ''} }}"
        for i, g in enumerate(_MAX_LENGTH)
    ]
    doc = "pdl: 1\nname: x\nentities:\n  t:\n    count: 50000\n    fields:\n" + "\n".join(lines)
    table = phony_pdl.load(doc).generate()["t"]
    for i, generator in enumerate(_MAX_LENGTH):
        longest = pc.max(pc.utf8_length(table.column(f"f{i}"))).as_py()
        assert longest <= _MAX_LENGTH[generator], generator


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_money_guesses_fit_the_decimal_precision(database, tmp_path: Path) -> None:
    import yaml

    text, problems = _round_trip(
        database,
        "CREATE TABLE t (id int PRIMARY KEY, price numeric(4,2) NOT NULL, total numeric(2,2),\n"
        "  cost smallint, amount numeric(6,2) CHECK (amount >= 10), ratio numeric(3,3) NOT NULL);\n",
        tmp_path,
        rows=200,
    )
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["t"]["fields"]
    assert fields["price"]["max"] == 99.99
    assert fields["total"]["max"] == 0.99
    assert fields["cost"]["max"] == 32767
    assert fields["amount"]["max"] == 9999.99
    assert fields["ratio"] == {"type": "decimal(3,3)", "min": 0, "max": 0.999}


GENERATED_COLUMNS = {
    "postgres": "CREATE TABLE items (id int PRIMARY KEY, price numeric(8,2) NOT NULL,\n"
    "  qty int NOT NULL, total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED);\n",
    "mysql": "CREATE TABLE items (id int PRIMARY KEY, price decimal(8,2) NOT NULL,\n"
    "  qty int NOT NULL, total decimal(12,2) GENERATED ALWAYS AS (price * qty) VIRTUAL,\n"
    "  doubled int AS (qty * 2) STORED);\n",
    "sqlite": "CREATE TABLE items (id int PRIMARY KEY, price numeric(8,2) NOT NULL,\n"
    "  qty int NOT NULL, total real GENERATED ALWAYS AS (price * qty) VIRTUAL,\n"
    "  doubled int AS (qty * 2) STORED);\n",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite"], indirect=True)
def test_generated_columns_are_left_to_the_database(database, tmp_path: Path) -> None:
    kind, url, connect = database
    text, problems = _round_trip(database, GENERATED_COLUMNS[kind], tmp_path)
    fields = phony_pdl.load(text).entities["items"].fields
    assert list(fields) == ["id", "price", "qty"]
    assert any(p.startswith("items.total: generated column") for p in problems)
    # the database computed them, and a live import reads them as generated too
    assert query(connect, "SELECT COUNT(*) FROM items WHERE total = price * qty")[0][0] == 30
    live, live_problems = import_url(url)
    assert list(phony_pdl.load(live).entities["items"].fields) == ["id", "price", "qty"]
    assert any(p.startswith("items.total: generated column") for p in live_problems)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_live_postgres_reads_unique_indexes_and_names_skipped_schemas(database) -> None:
    _, url, connect = database
    run_original_ddl(
        "postgres",
        connect,
        "CREATE TABLE p (id int PRIMARY KEY, code varchar(8) NOT NULL, a int, b int);\n"
        "CREATE UNIQUE INDEX p_code ON p (code);\n"
        "CREATE UNIQUE INDEX p_ab ON p (a, b);\n"
        "CREATE UNIQUE INDEX p_partial ON p (a) WHERE b > 0;\n"
        "CREATE TABLE c (id int PRIMARY KEY, p_code varchar(8) NOT NULL REFERENCES p (code));\n"
        "CREATE SCHEMA archive;\n"
        "CREATE TABLE archive.old (id int PRIMARY KEY);\n",
    )
    text, problems = import_url(url, rows=30)
    schema = phony_pdl.load(text)  # c.p_code → p.code: a key now, no ref-not-key
    assert schema.entities["p"].fields["code"].unique
    assert sorted(schema.entities) == ["c", "p"]
    assert any(
        p.startswith("table archive.old: schema archive is not on the search path")
        for p in problems
    )
    assert any("p_partial" in p for p in problems)
    load(schema.generate(), url, create=False)


def test_tables_of_one_name_in_two_schemas_become_two_entities(tmp_path: Path) -> None:
    ddl = tmp_path / "schemas.sql"
    ddl.write_text(
        "CREATE SCHEMA sales;\nCREATE SCHEMA archive;\n"
        "CREATE TABLE sales.customers (id int PRIMARY KEY, email text NOT NULL);\n"
        "CREATE TABLE archive.customers (id int PRIMARY KEY, email text NOT NULL);\n"
        "CREATE TABLE sales.orders (id int PRIMARY KEY,\n"
        "  customer_id int NOT NULL REFERENCES sales.customers (id));\n"
        "CREATE TABLE archive.orders (id int PRIMARY KEY, customer_id int NOT NULL);\n"
        "ALTER TABLE archive.orders ADD CONSTRAINT fk FOREIGN KEY (customer_id)\n"
        "  REFERENCES archive.customers (id);\n"
        "CREATE TABLE notes (id int PRIMARY KEY, order_id int REFERENCES sales.orders);\n"
    )
    text, problems = import_ddl(ddl, "postgres", rows=10)
    schema = phony_pdl.load(text)
    entities = schema.entities
    assert list(entities) == [
        "sales_customers", "archive_customers", "sales_orders", "archive_orders", "notes"
    ]  # fmt: skip
    assert entities["sales_orders"].fields["customer_id"].ref == "sales_customers.id"
    assert entities["archive_orders"].fields["customer_id"].ref == "archive_customers.id"
    assert entities["notes"].fields["order_id"].ref == "sales_orders.id"
    assert any("share the name customers" in p for p in problems)
    schema.generate()["archive_orders"]


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_not_null_foreign_key_cycle_is_broken_at_the_deferrable_key(
    database, tmp_path: Path
) -> None:
    _, url, connect = database
    original = (
        "CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL, head_id int NOT NULL);\n"
        "CREATE TABLE emp (id int PRIMARY KEY, dept_id int NOT NULL REFERENCES dept (id),\n"
        "  mentor_id int REFERENCES emp (id));\n"
        "ALTER TABLE dept ADD CONSTRAINT dept_head FOREIGN KEY (head_id) REFERENCES emp (id)\n"
        "  DEFERRABLE INITIALLY DEFERRED;\n"
    )
    ddl = tmp_path / "cycle.sql"
    ddl.write_text(original)
    text, problems = import_ddl(ddl, "postgres", rows=20)
    schema = phony_pdl.load(text)  # no fk-cycle
    assert schema.entities["dept"].fields["head_id"].nullable
    assert not schema.entities["emp"].fields["dept_id"].nullable
    assert any(p.startswith("dept.head_id: NOT NULL foreign keys form a circle") for p in problems)
    # the loader fills head_id after both tables: into the original tables once NOT NULL is
    # lifted for the load, and every row then satisfies it again
    run_original_ddl("postgres", connect, original)
    run_original_ddl("postgres", connect, "ALTER TABLE dept ALTER head_id DROP NOT NULL")
    load(schema.generate(), url, create=False)
    run_original_ddl("postgres", connect, "ALTER TABLE dept ALTER head_id SET NOT NULL")


def test_tables_and_columns_whose_names_are_not_identifiers_are_kept(tmp_path: Path) -> None:
    ddl = tmp_path / "names.sql"
    ddl.write_text(
        'CREATE TABLE "order items" (id int PRIMARY KEY, name text);\n'
        'CREATE TABLE refs (id int PRIMARY KEY, item_id int REFERENCES "order items" (id));\n'
        'CREATE TABLE p (id int PRIMARY KEY, "my code" text NOT NULL UNIQUE);\n'
        'CREATE TABLE q (id int PRIMARY KEY, code text REFERENCES p ("my code"));\n'
        'CREATE TABLE "a/b" (id int PRIMARY KEY);\n'
        'CREATE TABLE r (id int PRIMARY KEY, ab_id int REFERENCES "a/b" (id));\n'
        'CREATE TABLE "old " (id int PRIMARY KEY);\n'
        'CREATE TABLE s (id int PRIMARY KEY, old_id int REFERENCES "old " (id));\n'
    )
    text, problems = import_ddl(ddl, "postgres", rows=10)
    schema = phony_pdl.load(text)  # no unknown-entity, no unknown-field
    assert list(schema.entities) == ["order_items", "refs", "p", "q", "a_b", "r", "s"]
    # a table whose name is not an identifier is an entity with `table`
    assert schema.document.entities["order_items"].table == "order items"
    assert schema.document.entities["refs"].fields["item_id"].ref == "order_items.id"
    assert 'table: "order items"' in text
    # `/` too: its file's name encodes it (a%2Fb.csv)
    assert schema.document.entities["a_b"].table == "a/b"
    assert schema.document.entities["r"].fields["ab_id"].ref == "a_b.id"
    # one no `table` may hold is skipped, with a note, and so are references to it
    assert any(p.startswith("table 'old ': the name is not a PDL identifier") for p in problems)
    assert "s.old_id: references old , which is skipped" in problems
    # a column whose name is not an identifier is kept as a field with `column`
    assert not any("my code" in p or "order items" in p for p in problems)
    assert schema.document.entities["p"].fields["my_code"].column == "my code"
    assert schema.document.entities["q"].fields["code"].ref == "p.my_code"
    assert schema.generate()["p"].schema.names == ["id", "my code"]


BITS_AND_JSON = {
    "postgres": "CREATE TABLE flags (id int PRIMARY KEY, b bit(1) NOT NULL, mask bit(4),\n"
    "  doc jsonb NOT NULL, meta json);\n",
    "mysql": "CREATE TABLE flags (id int PRIMARY KEY, b bit(1) NOT NULL, mask bit(4),\n"
    "  doc json NOT NULL, meta longtext CHECK (json_valid(meta)));\n",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_bit_strings_and_json_columns_load(database, tmp_path: Path) -> None:
    kind, url, _ = database
    text, problems = _round_trip(database, BITS_AND_JSON[kind], tmp_path)
    assert problems == []
    fields = phony_pdl.load(text).entities["flags"].fields
    assert fields["meta"].const == "{}"
    live, live_problems = import_url(url)  # MariaDB's JSON reads back as LONGTEXT + json_valid
    assert live_problems == []
    schema = phony_pdl.load(live)
    assert schema.entities["flags"].fields["doc"].const == "{}"
    load(schema.generate(), url, create=False, truncate=True)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_two_unique_references_count_per_the_smaller_parent(database, tmp_path: Path) -> None:
    import yaml

    text, problems = _round_trip(
        database,
        "CREATE TABLE orgs (id int PRIMARY KEY);\n"
        "CREATE TABLE a (id int PRIMARY KEY, org_id int NOT NULL REFERENCES orgs (id));\n"
        "CREATE TABLE b (id int PRIMARY KEY);\n"
        "CREATE TABLE ab (a_id int NOT NULL UNIQUE REFERENCES a (id),\n"
        "  b_id int NOT NULL UNIQUE REFERENCES b (id));\n"
        "CREATE TABLE emp (id int PRIMARY KEY, mentor_id int REFERENCES emp (id));\n",
        tmp_path,
    )
    assert problems == []
    entities = yaml.safe_load(text)["entities"]
    assert entities["ab"]["count"] == {"per": "b", "max": 1}  # b has 30 rows, a 90
    assert entities["ab"]["fields"]["a_id"]["unique"] is True


SELF_AND_MUTUAL = (
    "CREATE TABLE node (id int PRIMARY KEY, successor_id int UNIQUE REFERENCES node (id));\n"
    "CREATE TABLE employee (id int PRIMARY KEY,\n"
    "  manager_id int NOT NULL REFERENCES employee (id));\n"
    "CREATE TABLE loop (id int PRIMARY KEY, next_id int NOT NULL UNIQUE REFERENCES loop (id));\n"
)
MUTUAL = {  # PostgreSQL checks a REFERENCES when the table is made: the circle closes after
    "sqlite": "CREATE TABLE a (id int PRIMARY KEY, b_id int UNIQUE REFERENCES b (id));\n"
    "CREATE TABLE b (id int PRIMARY KEY, a_id int UNIQUE REFERENCES a (id));\n",
    "postgres": "CREATE TABLE a (id int PRIMARY KEY, b_id int UNIQUE);\n"
    "CREATE TABLE b (id int PRIMARY KEY, a_id int UNIQUE REFERENCES a (id));\n"
    "ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);\n",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "sqlite"], indirect=True)
def test_self_references_and_mutual_one_to_ones_load_with_their_constraints(
    database, tmp_path: Path
) -> None:
    """UNIQUE and NOT NULL self-references, and two tables that point at each other
    one-to-one, load into the original tables with every constraint on."""
    kind, _, connect = database
    text, problems = _round_trip(database, SELF_AND_MUTUAL + MUTUAL[kind], tmp_path)
    assert problems == [
        "loop.next_id: a NOT NULL UNIQUE reference to its own table; each row points at "
        "itself (the only distinct values that load in row order)"
    ]
    words = " ".join(text.split())
    assert "successor_id: { ref: node.id, unique: true, nullable: true } # UNIQUE: each " in words
    assert "manager_id: { ref: employee.id, nullable: false } # NOT NULL: the first " in words
    assert "# one-to-one both ways with b.a_id" in words
    # a chain: each node's successor is the node before it, the first has none
    assert query(connect, "SELECT COUNT(successor_id), COUNT(DISTINCT successor_id) FROM node")[
        0
    ] == (29, 29)
    assert query(connect, "SELECT manager_id FROM employee WHERE id = 1") == [(1,)]
    assert query(connect, "SELECT COUNT(*) FROM employee WHERE manager_id > id") == [(0,)]
    assert query(connect, "SELECT COUNT(*) FROM loop WHERE next_id <> id") == [(0,)]
    for table, column in (("a", "b_id"), ("b", "a_id")):
        counts = query(connect, f"SELECT COUNT(*), COUNT(DISTINCT {column}) FROM {table}")[0]
        assert counts == (90, 90)


def test_prefixed_place_fax_and_company_columns_are_guessed(tmp_path: Path) -> None:
    """Chinook's `billing_city`, `fax` and `company` fell to random letters."""
    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE invoice (id int PRIMARY KEY, company varchar(80), fax varchar(24),\n"
        "  billing_city varchar(40), shipping_postal_code varchar(10),\n"
        "  home_phone varchar(24), billing_state char(2), workshop varchar(20));\n"
    )
    text, problems = import_ddl(path, "postgres")
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["invoice"]["fields"]
    assert fields["company"]["generator"] == "company.name"
    assert fields["fax"]["generator"] == "phone.number"
    assert fields["billing_city"]["generator"] == "address.city"
    assert fields["shipping_postal_code"]["generator"] == "address.postal_code"
    assert fields["home_phone"]["generator"] == "phone.number"
    assert fields["billing_state"] == {
        "pattern": "[A-Z]{2}",
        "nullable": True,
        "sql_type": "CHAR(2)",
    }
    assert "generator" not in fields["workshop"]
    table = phony_pdl.load(text).generate()["invoice"]
    assert all(len(v) <= 40 for v in table.column("billing_city").to_pylist() if v)


DOMAINS = (
    "CREATE DOMAIN positive_price AS NUMERIC(10,2) CHECK (VALUE > 0);\n"
    "CREATE DOMAIN pct AS integer NOT NULL CONSTRAINT pct_range\n"
    "  CHECK (value >= 0 AND value <= 100);\n"
    "CREATE DOMAIN short_code varchar(3);\n"
    "CREATE TABLE items (id int PRIMARY KEY, price positive_price NOT NULL,\n"
    "  discount pct, code short_code);\n"
)


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_domains_are_read_as_their_base_type(database, tmp_path: Path) -> None:
    import yaml

    _, url, connect = database
    text, problems = _round_trip(database, DOMAINS, tmp_path, rows=200)
    assert problems == []
    live, live_problems = import_url(url)
    assert live_problems == []
    for source in (text, live):
        fields = yaml.safe_load(source)["entities"]["items"]["fields"]
        assert fields["price"]["type"] == "decimal(10,2)"
        assert fields["price"]["min"] == 0.01  # CHECK (VALUE > 0)
        assert (fields["discount"]["min"], fields["discount"]["max"]) == (0, 100)
        assert "nullable" not in fields["discount"]  # the domain's NOT NULL
        assert fields["code"]["max"] == 3
    load(phony_pdl.load(live).generate(), url, create=False, truncate=True)
    assert query(connect, "SELECT COUNT(*) FROM items WHERE price > 0")[0][0] == 100


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_network_types_get_addresses(database, tmp_path: Path) -> None:
    import yaml

    _, url, connect = database
    text, problems = _round_trip(
        database,
        "CREATE TABLE hosts (id int PRIMARY KEY, ip inet NOT NULL, net cidr NOT NULL,\n"
        "  mac macaddr NOT NULL, seen_from inet UNIQUE);\n",
        tmp_path,
        rows=50,
    )
    assert problems == []
    live, live_problems = import_url(url)
    assert live_problems == []
    for source in (text, live):
        fields = yaml.safe_load(source)["entities"]["hosts"]["fields"]
        assert fields["ip"]["generator"] == fields["net"]["generator"] == "internet.ipv4"
        assert fields["mac"]["generator"] == "internet.mac"
        assert fields["seen_from"]["unique"] is True
    assert query(connect, "SELECT COUNT(*) FROM hosts WHERE family(ip) = 4")[0][0] == 50
    assert query(connect, "SELECT COUNT(DISTINCT seen_from) FROM hosts")[0][0] == 50


ARRAYS = {
    "postgres": "CREATE TABLE posts (id int PRIMARY KEY, tags text[], nums int[] NOT NULL,\n"
    "  grid integer ARRAY);\n",
    "duckdb": "CREATE TABLE posts (id int PRIMARY KEY, tags VARCHAR[], nums INT[]);\n",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "duckdb"], indirect=True)
def test_array_columns_load_as_null_or_empty(database, tmp_path: Path) -> None:
    kind, url, connect = database
    _text, problems = _round_trip(database, ARRAYS[kind], tmp_path)
    assert "posts.tags: array column (TEXT[]); arrays are not generated, left NULL" in problems
    live, live_problems = import_url(url)
    assert any(p.startswith("posts.tags: array column") for p in live_problems)
    load(phony_pdl.load(live).generate(), url, create=False, truncate=True)
    assert query(connect, "SELECT COUNT(*) FROM posts WHERE tags IS NULL")[0][0] == 100
    if kind == "postgres":  # NOT NULL: the empty array
        assert query(connect, "SELECT COUNT(*) FROM posts WHERE nums = '{}'")[0][0] == 100


@pytest.mark.parametrize(
    ("ddl", "dialect", "message"),
    [
        ("CREATE TABLE p (id int PRIMARY KEY, l INT[] NOT NULL);", "duckdb", "a NOT NULL"),
        ("CREATE TABLE p (id int PRIMARY KEY, l text[] NOT NULL UNIQUE);", "postgres", "a key"),
    ],
)
def test_array_columns_that_cannot_load_are_refused(
    tmp_path: Path, ddl: str, dialect: str, message: str
) -> None:
    from phony_pdl.errors import UsageError

    path = tmp_path / "a.sql"
    path.write_text(ddl)
    with pytest.raises(UsageError, match=rf"^p\.l: {message} array column \(.*\[\]\); Phony "):
        import_ddl(path, dialect)


COMPOSITE = {
    "postgres": """
CREATE TYPE line_state AS ENUM ('open', 'packed', 'sent');
CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  placed_at timestamptz NOT NULL DEFAULT now(), meta jsonb NOT NULL DEFAULT '{}');
CREATE TABLE order_lines (order_id bigint NOT NULL REFERENCES orders (id),
  line_no smallint NOT NULL CHECK (line_no BETWEEN 1 AND 4),
  state line_state NOT NULL DEFAULT 'open', PRIMARY KEY (order_id, line_no));
CREATE TABLE shipments (id serial PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id),
  line_no smallint NOT NULL, shipped_at timestamptz NOT NULL,
  delivered_at timestamptz CHECK (delivered_at IS NULL OR delivered_at >= shipped_at),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no));
CREATE TABLE returns (id serial PRIMARY KEY, order_id bigint NOT NULL, line_no smallint NOT NULL,
  UNIQUE (order_id, line_no),
  FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no));
""",
    "mysql": """
CREATE TABLE orders (id BIGINT AUTO_INCREMENT PRIMARY KEY,
  placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;
CREATE TABLE order_lines (order_id BIGINT NOT NULL, line_no SMALLINT NOT NULL
  CHECK (line_no BETWEEN 1 AND 4), state ENUM('open', 'packed', 'sent') NOT NULL DEFAULT 'open',
  PRIMARY KEY (order_id, line_no), FOREIGN KEY (order_id) REFERENCES orders (id)) ENGINE=InnoDB;
CREATE TABLE shipments (id INT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL,
  line_no SMALLINT NOT NULL, shipped_at DATETIME NOT NULL, delivered_at DATETIME NULL,
  CONSTRAINT ck_delivered CHECK (delivered_at IS NULL OR delivered_at >= shipped_at),
  FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_line FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no)
) ENGINE=InnoDB;
CREATE TABLE returns (id INT AUTO_INCREMENT PRIMARY KEY, order_id BIGINT NOT NULL,
  line_no SMALLINT NOT NULL, UNIQUE KEY uq_line (order_id, line_no),
  CONSTRAINT fk_return_line FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no)
) ENGINE=InnoDB;
""",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_composite_foreign_keys_are_copied_through_a_hidden_reference(database) -> None:
    """A composite foreign key was generated column by column and the load failed on it:
    now a hidden `ref` picks the parent row and each column is a `from` copy, and the
    rows load into the original tables (the server checks the key)."""
    import yaml

    kind, url, connect = database
    run_original_ddl(kind, connect, COMPOSITE[kind])
    text, problems = import_url(url, rows=20)
    entities = yaml.safe_load(text)["entities"]
    assert entities["order_lines"]["fields"]["_row"] == {"sequence": 1, "hidden": True}
    shipments = entities["shipments"]["fields"]
    assert shipments["_order_lines"] == {"ref": "order_lines._row", "hidden": True}
    assert shipments["order_id"] == {"from": "_order_lines.order_id"}
    assert shipments["line_no"] == {"from": "_order_lines.line_no"}
    # the ISNULL-OR check is a rule for the rows where delivered_at is set
    assert shipments["delivered_at"]["after"] == "shipped_at"
    assert entities["shipments"]["count"] == 60
    returns = entities["returns"]["fields"]  # the key is UNIQUE: one return per line at most
    assert returns["_order_lines"] == {"ref": "order_lines._row", "hidden": True, "unique": True}
    # the diagram names the key's columns, not the hidden reference
    assert 'order_lines ||--o{ shipments : "order_id, line_no"' in phony_pdl.load(text).mermaid()
    assert problems == [
        "shipments.order_id: also a foreign key to orders.id; it is copied through the "
        "composite foreign key to order_lines (whose rows hold only valid values), so "
        "--create declares only the composite one"
    ]
    report = load(phony_pdl.load(text).generate(), url, create=False)
    assert report.rows["shipments"] == 60
    orphans = query(
        connect,
        "SELECT COUNT(*) FROM shipments s LEFT JOIN order_lines l "
        "ON l.order_id = s.order_id AND l.line_no = s.line_no WHERE l.order_id IS NULL",
    )
    assert orphans == [(0,)]
    # several shipments per line, spread over many lines; every return on its own line
    assert (
        query(connect, "SELECT COUNT(DISTINCT order_id * 10 + line_no) FROM shipments")[0][0] > 20
    )
    assert query(connect, "SELECT COUNT(*), COUNT(DISTINCT order_id * 10 + line_no) FROM returns")[
        0
    ] == (report.rows["returns"], report.rows["returns"])
    assert query(connect, "SELECT COUNT(*) FROM shipments WHERE delivered_at < shipped_at") == [
        (0,)
    ]
    # line numbers count the lines of each order from 1, with no gap
    assert entities["order_lines"]["fields"]["line_no"] == {
        "expr": "ROW_NUMBER() OVER (PARTITION BY order_id)"
    }
    gaps = query(
        connect,
        "SELECT COUNT(*) FROM (SELECT order_id FROM order_lines GROUP BY order_id "
        "HAVING MIN(line_no) <> 1 OR MAX(line_no) <> COUNT(*)) AS g",
    )
    assert gaps == [(0,)]
    if kind == "postgres":  # the same schema makes fresh tables alike (a schema of its own)
        run_original_ddl(kind, connect, "CREATE SCHEMA fresh_cfk")
        fresh = url + "?options=-c%20search_path%3Dfresh_cfk"
        load(phony_pdl.load(text).generate(), fresh)
        types = query(
            connect,
            "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'fresh_cfk' AND column_name IN ('placed_at', 'meta', 'line_no')",
        )
        assert sorted(types) == [
            ("order_lines.line_no", "bigint"),
            ("orders.meta", "jsonb"),
            ("orders.placed_at", "timestamp with time zone"),
            ("returns.line_no", "bigint"),
            ("shipments.line_no", "bigint"),
        ]
        keys = query(
            connect,
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'fresh_cfk'::regnamespace "
            "AND array_length(conkey, 1) = 2 ORDER BY 1",
        )
        assert keys == [
            (
                f"fresh_cfk.{t}",
                "FOREIGN KEY (order_id, line_no) REFERENCES "
                "fresh_cfk.order_lines(order_id, line_no)",
            )
            for t in ("returns", "shipments")
        ]


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_created_tables_declare_the_composite_foreign_key(database, tmp_path: Path) -> None:
    """--create makes FOREIGN KEY (order_id, line_no) REFERENCES order_lines (…), with the
    parent's column types; the loader's check joins on both columns."""
    kind, url, connect = database
    schema = phony_pdl.load(
        "pdl: 1\nname: cfk\nentities:\n"
        "  orders: {count: 15, fields: {id: {sequence: 1}}}\n"
        "  order_lines:\n    count: {per: orders, max: 4}\n"
        "    primary_key: [order_id, code]\n"
        "    fields:\n"
        "      _row: {sequence: 1, hidden: true}\n"
        "      order_id: {ref: orders.id}\n"
        "      code: {pattern: '[A-D]', sql_type: 'CHAR(1)'}\n"
        "  shipments:\n    count: 40\n    fields:\n"
        "      id: {sequence: 1}\n"
        "      line: {ref: order_lines._row, hidden: true}\n"
        "      order_id: {from: line.order_id}\n"
        "      code: {from: line.code}\n"
        "      late: {from: line.code, null_rate: 0.5}\n"
    )
    from phony_pdl.sql.ddl import create_table
    from phony_pdl.sql.dialects import get_dialect
    from phony_pdl.sql.script import schema_tables

    dataset = schema.generate()
    shipments = next(t for t in schema_tables(dataset) if t.name == "shipments")
    create = create_table(shipments, get_dialect(kind), inline_deferred=True)
    q = "`" if kind == "mysql" else '"'
    assert (
        f"FOREIGN KEY ({q}order_id{q}, {q}code{q}) REFERENCES {q}order_lines{q} "
        f"({q}order_id{q}, {q}code{q})"
    ) in create
    assert f"{q}code{q} CHAR(1) NOT NULL" in create  # the parent's type
    assert create.count("FOREIGN KEY") == 1  # `late` has a null_rate: not a plain copy
    load(dataset, url)
    assert query(connect, "SELECT COUNT(*) FROM shipments")[0][0] == 40
    orphans = query(
        connect,
        "SELECT COUNT(*) FROM shipments s LEFT JOIN order_lines l "
        "ON l.order_id = s.order_id AND l.code = s.code WHERE l.order_id IS NULL",
    )
    assert orphans == [(0,)]


def test_composite_foreign_keys_phony_cannot_keep_say_why_and_what_to_write(
    tmp_path: Path,
) -> None:
    ddl = tmp_path / "odd.sql"
    ddl.write_text(
        "CREATE TABLE a (id INT PRIMARY KEY, x INT, y INT);\n"
        "CREATE TABLE b (id INT PRIMARY KEY, p INT, q INT, FOREIGN KEY (p, q) REFERENCES a (x, y));\n"
        "CREATE TABLE t (k1 INT, k2 INT, up1 INT, up2 INT, PRIMARY KEY (k1, k2), "
        "FOREIGN KEY (up1, up2) REFERENCES t (k1, k2));\n"
        "CREATE TABLE c (id INT PRIMARY KEY, m INT, n INT, FOREIGN KEY (m, n) REFERENCES gone (m, n));\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    fix = (
        "its columns are generated independently (write a hidden ref to {0} and a `from` "
        "per column, see spec/pdl.md, Composite foreign keys)"
    )
    assert problems == [
        "b: composite foreign key (p, q) → a is not kept: (x, y) is not the primary key or a "
        "unique constraint of a; " + fix.format("a"),
        "t: composite foreign key (up1, up2) → t is not kept: a composite reference to the "
        "table itself is not supported; " + fix.format("t"),
        "c: composite foreign key (m, n) → gone is not kept: the parent table is not in the "
        "input; " + fix.format("gone"),
    ]
    phony_pdl.load(text)


def test_checks_that_allow_null_keep_their_rule(tmp_path: Path) -> None:
    """`x IS NULL OR <rule on x>` is the rule for the rows where x is set."""
    import yaml

    ddl = tmp_path / "nullable.sql"
    ddl.write_text(
        "CREATE TABLE t (id INT PRIMARY KEY, a timestamp NOT NULL, b timestamp,\n"
        "  pct INT CHECK (pct IS NULL OR pct BETWEEN 0 AND 50),\n"
        "  kind TEXT CHECK ((kind IS NULL) OR (kind IN ('x', 'y'))),\n"
        "  r INT, s INT, CHECK (r IS NULL OR s > 0),\n"
        "  CHECK (b IS NULL OR b >= a));\n"
    )
    text, problems = import_ddl(ddl, "postgres")
    fields = yaml.safe_load(text)["entities"]["t"]["fields"]
    assert fields["pct"] == {"type": "int", "min": 0, "max": 50, "nullable": True}
    assert fields["kind"] == {"choice": ["x", "y"]}
    assert fields["b"]["after"] == "a"
    assert problems == ["t: CHECK (r IS NULL OR s > 0) is not a range or list Phony understands"]


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_tables_outside_the_search_path_are_reached_with_options(database) -> None:
    """A staging schema that is not on the search path: import said "the database has no
    tables" and --no-create "do not exist"; both now name the schema and the URL option."""
    from phony_pdl.errors import UsageError
    from phony_pdl.loaders import LoadError

    _, url, connect = database
    run_original_ddl(
        "postgres",
        connect,
        "CREATE SCHEMA staging_j;\n"
        "CREATE TABLE staging_j.dept (id serial PRIMARY KEY, name varchar(30) NOT NULL);\n"
        "CREATE TABLE staging_j.emp (id serial PRIMARY KEY, dept_id int NOT NULL "
        "REFERENCES staging_j.dept (id), manager_id int REFERENCES staging_j.emp (id));\n",
    )
    with pytest.raises(UsageError) as err:
        import_url(url)
    assert str(err.value) == (
        f'{url}: no tables in the schemas of the search path ("$user", public); other schemas '
        "hold staging_j (2 tables). To import staging_j, add "
        "?options=-c%20search_path%3Dstaging_j to the URL (or set "
        "PGOPTIONS='-c search_path=staging_j'), and load with the same URL"
    )
    staged = url + "?options=-c%20search_path%3Dstaging_j"
    text, problems = import_url(staged, rows=20)
    assert problems == []
    dataset = phony_pdl.load(text).generate()
    with pytest.raises(LoadError, match="do not exist") as err:
        load(dataset, url, create=False)
    assert (
        'dept, emp do not exist in the search path ("$user", public); schema staging_j '
        "holds 2 of them: add ?options=-c%20search_path%3Dstaging_j to the URL"
    ) in str(err.value)
    load(dataset, staged, create=False)
    assert query(connect, "SELECT COUNT(*), COUNT(manager_id) FROM staging_j.emp") == [(60, 59)]
    # a self-reference points at an earlier row: no manager cycles
    assert query(connect, "SELECT COUNT(*) FROM staging_j.emp WHERE manager_id >= id") == [(0,)]


def test_only_postgres_urls_pass_libpq_options_on() -> None:
    from phony_pdl.loaders import parse_url

    pg = parse_url("postgresql://u@h/db?options=-c%20search_path%3Dstaging&sslmode=x")
    assert pg.params["options"] == "-c search_path=staging"
    assert "sslmode" not in pg.params  # other parameters stay ignored
    assert "options" not in parse_url("postgresql://u@h/db").params
    assert "options" not in parse_url("mysql://u@h/db?options=-c%20x").params


def test_line_numbers_count_the_rows_of_each_parent_within_their_bounds(tmp_path: Path) -> None:
    import yaml

    ddl = tmp_path / "lines.sql"
    ddl.write_text(
        "CREATE TABLE o (id INT PRIMARY KEY);\n"
        "CREATE TABLE a (o_id INT REFERENCES o (id), pos INT CHECK (pos >= 0), "
        "PRIMARY KEY (o_id, pos));\n"
        "CREATE TABLE b (o_id INT REFERENCES o (id), line_no INT CHECK (line_no BETWEEN 10 AND 14), "
        "PRIMARY KEY (o_id, line_no));\n"
        # 40 values allowed, but 300 rows are not counted per o: numbers could pass 40
        "CREATE TABLE c (o_id INT REFERENCES o (id), item_no INT CHECK (item_no BETWEEN 1 AND 80), "
        "PRIMARY KEY (o_id, item_no));\n"
        "CREATE TABLE d (o_id INT REFERENCES o (id), year INT, PRIMARY KEY (o_id, year));\n"
    )
    text, _ = import_ddl(ddl, "postgres")
    entities = yaml.safe_load(text)["entities"]
    assert entities["a"]["fields"]["pos"] == {"expr": "ROW_NUMBER() OVER (PARTITION BY o_id) - 1"}
    assert entities["b"]["count"] == {
        "per": "o",
        "distribution": "poisson",
        "mean": 3,
        "min": 1,
        "max": 5,
    }
    assert entities["b"]["fields"]["line_no"] == {
        "expr": "ROW_NUMBER() OVER (PARTITION BY o_id) + 9"
    }
    assert entities["c"]["fields"]["item_no"] == {"type": "int", "min": 1, "max": 80}
    assert entities["d"]["fields"]["year"] == {
        "type": "int",
        "min": 0,
        "max": 1000,
    }  # not a position
    dataset = phony_pdl.load(text).generate()
    b = dataset["b"].to_pylist()
    assert {r["line_no"] for r in b} <= set(range(10, 15))
    assert len({(r["o_id"], r["line_no"]) for r in b}) == len(b)


def test_a_two_letter_country_column_gets_country_codes(tmp_path: Path) -> None:
    """`country char(2)` got random letters (`MH`, `HA`): the name's generator, country
    names, is too long, but its code fits."""
    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE c (id int PRIMARY KEY, country char(2) NOT NULL, "
        "home_country varchar(3), region char(2));\n"
    )
    text, problems = import_ddl(path, "postgres")
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["c"]["fields"]
    assert fields["country"] == {"generator": "address.country_code", "sql_type": "CHAR(2)"}
    assert fields["home_country"]["generator"] == "address.country_code"
    assert fields["region"]["pattern"] == "[A-Z]{2}"  # region codes run to 3 letters
    codes = phony_pdl.load(text).generate()["c"].column("country").to_pylist()
    assert {len(v) for v in codes} == {2} and "US" in codes


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_a_check_of_the_original_table_that_refuses_rows_is_quoted(database) -> None:
    """The server names only the constraint (`product_reviews_rating_check`): the error now
    says what it checks and how to keep it."""
    from phony_pdl.loaders import LoadError

    kind, url, connect = database
    run_original_ddl(
        kind,
        connect,
        "CREATE TABLE review (id int PRIMARY KEY, rating int NOT NULL CHECK (rating BETWEEN 1 AND 5), "
        "a int, b int, CONSTRAINT a_below_b CHECK (a < b))",
    )
    schema = phony_pdl.load(
        "pdl: 1\nname: r\nentities:\n  review:\n    count: 50\n    fields:\n"
        "      id: {sequence: 1}\n      rating: {type: int, min: 0, max: 5}\n"
        "      a: {const: 1}\n      b: {const: 2}\n"
    )
    with pytest.raises(LoadError) as err:
        load(schema.generate(), url, create=False)
    definition = {
        "postgres": "review_rating_check is CHECK (((rating >= 1) AND (rating <= 5)))",
        "mysql": "review.rating is CHECK (`rating` between 1 and 5)",
    }[kind]
    assert str(err.value).startswith("loading review rows 1–50 failed: ")
    assert str(err.value).endswith(
        f"; {definition} in the database: keep review's values inside it (`min`/`max`, a "
        "`choice` list, `after:` for two columns in order), or write the schema with "
        "`phony import URL`, which reads CHECK ranges, lists and orderings"
    )
    assert query(connect, "SELECT COUNT(*) FROM review") == [(0,)]


def test_skus_urls_currencies_and_free_text_are_guessed_from_the_name(tmp_path: Path) -> None:
    """`notes text` held random letters (`hhnwtdphxdesmym`), `sku` lower-case codes."""
    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE product (id int PRIMARY KEY, sku varchar(20) NOT NULL UNIQUE, "
        "website text, slug varchar(80), currency char(3) NOT NULL, notes text, "
        "description varchar(40), body jsonb, comment text UNIQUE);\n"
    )
    text, problems = import_ddl(path, "postgres")
    assert problems == []
    fields = yaml.safe_load(text)["entities"]["product"]["fields"]
    assert fields["sku"] == {
        "generator": "commerce.sku",
        "unique": True,
        "sql_type": "VARCHAR(20)",
    }
    assert fields["website"]["generator"] == "internet.url"
    assert fields["slug"]["generator"] == "internet.slug"
    assert fields["currency"]["generator"] == "commerce.currency"
    assert fields["notes"] == {"generator": "lorem.sentence", "nullable": True}
    assert fields["comment"]["generator"] == "lorem.sentence"
    assert "generator" not in fields["description"]  # a sentence runs past 40 characters
    assert fields["body"]["const"] == "{}"  # JSON stays JSON
    table = phony_pdl.load(text).generate()["product"]
    notes = table.column("notes").to_pylist()
    assert all(n[0].isupper() and n.endswith(".") and " " in n for n in notes)


def test_titles_and_subjects_are_headlines_except_a_persons_title(tmp_path: Path) -> None:
    """`posts.title varchar(200)` held random letters (`bjikrtzclnogjrmid`)."""
    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE posts (id int PRIMARY KEY, title varchar(200) NOT NULL, headline text);\n"
        "CREATE TABLE tickets (id int PRIMARY KEY, subject text NOT NULL, heading varchar(20));\n"
        "CREATE TABLE employees (id int PRIMARY KEY, title varchar(100));\n"
    )
    text, problems = import_ddl(path, "postgres")
    assert problems == []
    entities = yaml.safe_load(text)["entities"]
    assert entities["posts"]["fields"]["title"]["generator"] == "lorem.title"
    assert entities["posts"]["fields"]["headline"]["generator"] == "lorem.title"
    assert entities["tickets"]["fields"]["subject"]["generator"] == "lorem.title"
    assert "generator" not in entities["tickets"]["fields"]["heading"]  # longer than 20
    assert entities["employees"]["fields"]["title"]["generator"] == "person.job_title"
    titles = phony_pdl.load(text).generate()["posts"].column("title").to_pylist()
    for title in titles:
        words = title.split(" ")
        assert 2 <= len(words) <= 6 and all(
            w[0].isupper() and w[1:] == w[1:].lower() for w in words
        )
        assert not title.endswith(".")


def test_a_name_column_follows_its_table_people_companies_or_products(tmp_path: Path) -> None:
    """`doctors.name` and `suppliers.name` held random letters within their length: the
    table says whose name it is."""
    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE doctors (id int PRIMARY KEY, name text NOT NULL);\n"
        "CREATE TABLE suppliers (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CREATE TABLE products (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CREATE TABLE regions (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CREATE TABLE confirmations (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CREATE TABLE memberships (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
        "CREATE TABLE superusers (id int PRIMARY KEY, name varchar(100) NOT NULL);\n"
    )
    text, problems = import_ddl(path, "postgres")
    assert problems == []
    entities = yaml.safe_load(text)["entities"]
    assert entities["doctors"]["fields"]["name"]["generator"] == "person.full_name"
    assert entities["suppliers"]["fields"]["name"]["generator"] == "company.name"
    assert entities["products"]["fields"]["name"]["generator"] == "commerce.product_name"
    assert "generator" not in entities["regions"]["fields"]["name"]
    # words inside other words are no evidence: a confirmation's name is no firm's
    assert "generator" not in entities["confirmations"]["fields"]["name"]
    assert "generator" not in entities["memberships"]["fields"]["name"]
    assert entities["superusers"]["fields"]["name"]["generator"] == "person.full_name"
    data = phony_pdl.load(text).generate()
    assert all(" " in n for n in data["doctors"].column("name").to_pylist())


def test_a_char_36_key_and_uuid_columns_hold_uuids(tmp_path: Path) -> None:
    """MySQL keeps UUIDs in `CHAR(36)`: the key held 12 random letters, space-padded."""
    import uuid

    import yaml

    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE patients (id CHAR(36) PRIMARY KEY, name varchar(50));\n"
        "CREATE TABLE visits (id int PRIMARY KEY, patient_id CHAR(36) NOT NULL"
        " REFERENCES patients(id), request_uuid varchar(36), code char(36));\n"
    )
    text, problems = import_ddl(path, "mysql")
    assert problems == []
    fields = yaml.safe_load(text)["entities"]
    assert fields["patients"]["fields"]["id"]["generator"] == "id.uuid4"
    assert fields["visits"]["fields"]["request_uuid"]["generator"] == "id.uuid4"
    assert "generator" not in fields["visits"]["fields"]["code"]  # no name says UUID
    data = phony_pdl.load(text).generate()
    for value in data["patients"].column("id").to_pylist():
        assert str(uuid.UUID(value)) == value
    db = tmp_path / "v.db"
    load(data, f"sqlite:///{db}")  # foreign keys on: every visit's patient exists


FOLLOWS_PARENT = """
CREATE TABLE customers (id int PRIMARY KEY, created_at timestamp NOT NULL);
CREATE TABLE products (id int PRIMARY KEY, price numeric(10,2) NOT NULL CHECK (price > 0));
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id),
  placed_at timestamp NOT NULL, paid_at timestamp);
CREATE TABLE items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id),
  product_id int NOT NULL REFERENCES products (id),
  unit_price numeric(10,2) NOT NULL CHECK (unit_price >= 0),
  list_price numeric(10,2) CHECK (list_price BETWEEN 1 AND 50));
CREATE TABLE visits (id int PRIMARY KEY, customer_id int REFERENCES customers (id),
  seen_at timestamp NOT NULL);
"""


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_prices_and_first_times_follow_the_parent_row(database, tmp_path: Path) -> None:
    """Orders were placed before their customer existed, and a line's price had nothing to
    do with its product's: both now follow the parent row where the column's rules allow."""
    import yaml

    _, _, connect = database
    text, problems = _round_trip(database, FOLLOWS_PARENT, tmp_path, rows=40)
    assert problems == []
    entities = yaml.safe_load(text)["entities"]
    assert entities["orders"]["fields"]["placed_at"] == {
        "after": "customer_id.created_at",
        "gap": {"distribution": "exponential", "mean": "30d", "max": "365d"},
    }
    assert entities["orders"]["fields"]["paid_at"]["type"] == "datetime"  # only the first time
    assert entities["items"]["fields"]["unit_price"] == {"from": "product_id.price"}
    # the product's prices run past 50: a copy would break list_price's CHECK
    assert "from" not in entities["items"]["fields"]["list_price"]
    # a nullable foreign key leaves the time on its own
    assert "after" not in entities["visits"]["fields"]["seen_at"]
    late = query(
        connect,
        "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.placed_at < c.created_at",
    )
    assert late == [(0,)]
    other = query(
        connect,
        "SELECT COUNT(*) FROM items l JOIN products p ON p.id = l.product_id "
        "WHERE l.unit_price <> p.price",
    )
    assert other == [(0,)]


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_fresh_tables_number_the_applications_next_rows(database, tmp_path: Path) -> None:
    """An imported serial key made a plain column: the application's first INSERT without
    an id failed on NOT NULL. It is now an identity (AUTO_INCREMENT) column whose counter
    starts after the loaded rows, from a load and from a script alike."""
    kind, url, connect = database
    ddl = tmp_path / "in.sql"
    ddl.write_text("CREATE TABLE team (id serial PRIMARY KEY, name varchar(30) NOT NULL);\n")
    text, _ = import_ddl(ddl, "postgres", rows=25)
    dataset = phony_pdl.load(text).generate()
    load(dataset, url)
    run_original_ddl(kind, connect, "INSERT INTO team (name) VALUES ('new')")
    assert query(connect, "SELECT MAX(id), COUNT(*) FROM team") == [(26, 26)]
    if kind == "postgres":  # the script moves the sequence too
        from phony_pdl.sql.dialects import get_dialect
        from phony_pdl.sql.script import sql_script

        run_original_ddl(kind, connect, "DROP TABLE team")
        script = b"".join(piece for _, piece in sql_script(dataset, get_dialect("postgres")))
        conn = connect()
        conn.execute(script.decode())
        conn.commit()
        conn.close()
        run_original_ddl(kind, connect, "INSERT INTO team (name) VALUES ('new')")
        assert query(connect, "SELECT MAX(id), COUNT(*) FROM team") == [(26, 26)]


@pytest.mark.parametrize(
    ("given", "shown"),
    [("mariadb", "mysql"), ("MySQL", "mysql"), ("postgresql", "postgres"), ("mssql", "tsql")],
)
def test_import_takes_the_dialect_names_generate_takes(
    tmp_path: Path, given: str, shown: str
) -> None:
    """`phony generate --dialect mariadb` works, so `phony import --dialect mariadb` does too."""
    ddl = tmp_path / "dump.sql"
    ddl.write_text("CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(80) NOT NULL);\n")
    text, problems = import_ddl(ddl, given)
    assert problems == []
    assert f"from dump.sql ({shown})" in text
    assert list(phony_pdl.load(text).entities["users"].fields) == ["id", "email"]


def test_an_unknown_import_dialect_is_a_usage_error(tmp_path: Path) -> None:
    from phony_pdl.errors import UsageError

    ddl = tmp_path / "dump.sql"
    ddl.write_text("CREATE TABLE users (id INT PRIMARY KEY);\n")
    with pytest.raises(
        UsageError,
        match=r"^--dialect 'mariadbx' is not a SQL dialect sqlglot knows; one of .*mysql",
    ):
        import_ddl(ddl, "mariadbx")
