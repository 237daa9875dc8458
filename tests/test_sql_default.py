"""`sql_default`: a column DEFAULT in every CREATE TABLE Phony writes, kept by `phony import`,
so the rows an application inserts later into tables Phony made get the original's values.
Checked against the real servers and clients."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.importer import import_ddl, import_url
from phony_pdl.importer.ddl import column_default
from phony_pdl.importer.introspect import _mariadb_quotes_defaults, mysql_default
from phony_pdl.loaders import load

from .test_databases import query
from .test_import import run_original_ddl
from .test_sql_dialects import run_script

# ---------------------------------------------------------------- validation


def _diagnostics(tmp_path: Path, fields: str) -> list:
    path = tmp_path / "schema.yaml"
    path.write_text(
        "pdl: 1\nname: t\nentities:\n  items:\n    count: 5\n    fields:\n"
        "      id: { sequence: 1 }\n" + fields
    )
    with pytest.raises(SchemaError) as exc:
        phony_pdl.load(path)
    return exc.value.diagnostics


def test_a_semicolon_outside_quotes_is_refused_where_it_stands(tmp_path: Path) -> None:
    (d,) = _diagnostics(
        tmp_path, """      s: { choice: [a], sql_default: "'a'; DROP TABLE items" }\n"""
    )
    assert d.code == "invalid-value"
    assert d.message == (
        "sql_default \"'a'; DROP TABLE items\": a `;` outside quotes would end the CREATE "
        "TABLE statement"
    )
    assert "write one expression without `;`" in d.hint
    assert str(d.span) == f"{tmp_path / 'schema.yaml'}:8:42"  # the `;` itself


def test_a_semicolon_inside_quotes_and_doubled_quotes_are_fine() -> None:
    doc = {
        "pdl": 1,
        "name": "t",
        "entities": {
            "items": {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "a": {"choice": ["x"], "sql_default": "'a;b'"},
                    "b": {"choice": ["x"], "sql_default": "'it''s; -- fine'"},
                    "c": {"type": "int", "sql_default": "(1 + 2)"},
                },
            }
        },
    }
    phony_pdl.load(doc)


@pytest.mark.parametrize(
    ("value", "column", "message"),
    [
        ('""', 38, "`sql_default` is empty"),
        (
            '"0 -- zero"',
            41,
            "sql_default '0 -- zero': a comment outside quotes would hide the rest of the "
            "column's definition",
        ),
        ('"\'abc"', 39, "sql_default \"'abc\": the ' opened here is never closed"),
    ],
)
def test_empty_commented_and_unclosed_defaults_are_refused(
    tmp_path: Path, value: str, column: int, message: str
) -> None:
    (d,) = _diagnostics(tmp_path, f"      s: {{ choice: [a], sql_default: {value} }}\n")
    assert (d.code, d.message) == ("invalid-value", message)
    assert (d.span.line, d.span.column) == (8, column)


def test_a_hidden_field_has_no_column_to_default(tmp_path: Path) -> None:
    (d,) = _diagnostics(
        tmp_path, """      s: { choice: [a], hidden: true, sql_default: "'a'" }\n"""
    )
    assert d.code == "invalid-value"
    assert d.message == (
        "`sql_default` on a hidden field: a hidden field has no column, so there is no "
        "DEFAULT to declare"
    )
    assert d.hint == "remove `sql_default`, or drop `hidden: true` to write the column"
    assert (d.span.line, d.span.column) == (8, 39)  # the key


def test_a_default_that_is_not_a_string_is_a_wrong_type(tmp_path: Path) -> None:
    (d,) = _diagnostics(tmp_path, "      n: { type: int, sql_default: 0 }\n")
    assert (d.code, d.message, d.hint) == (
        "wrong-type",
        "expected a string, got integer 0",
        'quote it: "0"',
    )
    assert str(d.span) == f"{tmp_path / 'schema.yaml'}:8:36"


def test_sql_default_changes_no_generated_value() -> None:
    fields = {"id": {"sequence": 1}, "s": {"choice": ["a", "b"]}, "n": {"type": "int"}}
    plain = {"pdl": 1, "name": "t", "entities": {"t": {"count": 50, "fields": fields}}}
    defaulted = {
        **plain,
        "entities": {
            "t": {
                "count": 50,
                "fields": {
                    **fields,
                    "s": {**fields["s"], "sql_default": "'a'"},
                    "n": {**fields["n"], "sql_default": "0"},
                },
            }
        },
    }
    a = phony_pdl.load(plain).generate(seed=3)["t"]
    b = phony_pdl.load(defaulted).generate(seed=3)["t"]
    assert a.equals(b)


# ---------------------------------------------------------------- DDL

DEFAULTS = {
    "pdl": 1,
    "name": "defaults",
    "entities": {
        "t": {
            "count": 20,
            "fields": {
                "id": {"sequence": 1},
                "status": {
                    "choice": ["active", "closed"],
                    "sql_type": "VARCHAR(20)",
                    "sql_default": "'active'",
                },
                "quote": {"choice": ["x"], "sql_type": "VARCHAR(20)", "sql_default": "'it''s'"},
                # the default is not in the list: the CHECK would refuse every such insert
                "stage": {"choice": ["open"], "sql_type": "VARCHAR(20)", "sql_default": "'draft'"},
                "created_at": {"type": "datetime", "sql_default": "CURRENT_TIMESTAMP"},
                "score": {"type": "int", "between": [0, 10], "sql_default": "0"},
                "level": {"type": "int", "between": [1, 5], "sql_default": "-1"},
                "note": {"type": "string", "min": 5, "max": 9, "nullable": True},
            },
        }
    },
}


def _script(doc: dict, dialect: str, tmp_path: Path) -> str:
    data = phony_pdl.load(doc).generate(seed=1)
    data.write(tmp_path, format="sql", sql={"dialect": dialect})
    return (tmp_path / f"{doc['name']}.sql").read_text(encoding="utf-8")


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite", "duckdb", "tsql"])
def test_default_stands_after_the_type_in_every_dialect(dialect: str, tmp_path: Path) -> None:
    text = _script(DEFAULTS, dialect, tmp_path)
    status = next(line for line in text.splitlines() if "status" in line and "DEFAULT" in line)
    assert "VARCHAR(20) DEFAULT 'active' NOT NULL CHECK" in status
    assert "DEFAULT 'draft' NOT NULL," in text  # no CHECK that refuses the default
    assert "DEFAULT -1 NOT NULL," in text  # nor one whose bounds exclude it
    assert "DEFAULT 0 NOT NULL CHECK" in text  # a default inside the bounds keeps it
    create = next(s for s in sqlglot.parse(text, read=dialect) if isinstance(s, exp.Create))
    defaults = {
        c.name: c.find(exp.DefaultColumnConstraint).this.sql(dialect)
        for c in create.find_all(exp.ColumnDef)
        if c.find(exp.DefaultColumnConstraint) is not None
    }
    assert set(defaults) == {"status", "quote", "stage", "created_at", "score", "level"}


def test_a_sequence_key_with_a_default_is_no_identity_column(tmp_path: Path) -> None:
    doc = {
        "pdl": 1,
        "name": "keyed",
        "entities": {"t": {"count": 3, "fields": {"id": {"sequence": 1, "sql_default": "7"}}}},
    }
    for dialect, identity in (("postgres", "IDENTITY"), ("mysql", "AUTO_INCREMENT")):
        text = _script(doc, dialect, tmp_path)
        assert "BIGINT DEFAULT 7 NOT NULL" in text
        assert identity not in text


def _insert(kind: str, connect, sql: str) -> None:
    """One statement as an application runs it, committed (DuckDB's commits by itself)."""
    conn = connect()
    try:
        conn.cursor().execute(sql)
        if kind != "duckdb":
            conn.commit()
    finally:
        conn.close()


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_scripts_with_defaults_run_in_the_real_clients(database, tmp_path: Path) -> None:
    """The script runs in the database's own client; then an application's INSERT that names
    only one column gets every default."""
    kind, url, connect = database
    _script(DEFAULTS, kind, tmp_path)
    run_script(kind, url, tmp_path / "defaults.sql")
    _insert(kind, connect, "INSERT INTO t (id, note) VALUES (1000, 'app')")
    ((status, quote, stage, created_at, score, level),) = query(
        connect, "SELECT status, quote, stage, created_at, score, level FROM t WHERE id = 1000"
    )
    assert (status, quote, stage, score, level) == ("active", "it's", "draft", 0, -1)
    assert created_at is not None
    assert query(connect, "SELECT COUNT(*) FROM t")[0][0] == 21


def test_tsql_script_declares_the_defaults(tmp_path: Path) -> None:
    text = _script(DEFAULTS, "tsql", tmp_path)
    assert "[status] VARCHAR(20) DEFAULT 'active' NOT NULL" in text
    assert "[created_at] DATETIME2(6) DEFAULT CURRENT_TIMESTAMP NOT NULL" in text


# ---------------------------------------------------------------- import


@pytest.mark.parametrize(
    ("text", "dialect", "kept"),
    [
        ("'active'::text", "postgres", ("'active'", True)),
        ("'-1'::integer", "postgres", ("-1", True)),
        ("'1.5'::numeric", "postgres", ("1.5", True)),
        ("'2020-01-01'::date", "postgres", ("'2020-01-01'", True)),
        ("now()", "postgres", ("now()", False)),
        ("gen_random_uuid()", "postgres", ("gen_random_uuid()", False)),
        ("nextval('t_id_seq'::regclass)", "postgres", None),
        ("NULL::character varying", "postgres", None),
        ("true", "postgres", ("TRUE", True)),
        ("CURRENT_TIMESTAMP", "postgres", ("CURRENT_TIMESTAMP", True)),
        ("current_timestamp()", "mysql", ("CURRENT_TIMESTAMP", True)),
        ("current_timestamp(6)", "mysql", ("current_timestamp(6)", False)),
        ("NULL", "mysql", None),
        ("'it''s'", "mysql", ("'it''s'", True)),
        ("'a\\\\b'", "mysql", ("'a\\\\b'", False)),
        ("-3", "mysql", ("-3", True)),
        ("(datetime('now'))", "sqlite", ("(datetime('now'))", False)),
        ("(0)", "sqlite", ("0", True)),
    ],
)
def test_column_defaults_are_literals_or_kept_verbatim(text: str, dialect: str, kept) -> None:
    assert column_default(text, dialect) == kept


@pytest.mark.parametrize(
    ("value", "extra", "data_type", "quoted", "sql"),
    [
        # MariaDB 10.2.7 and later: SQL already
        ("'active'", "", "varchar", True, "'active'"),
        ("NULL", "", "int", True, "NULL"),
        ("current_timestamp()", "", "datetime", True, "current_timestamp()"),
        # MySQL: a literal's value unquoted, an expression flagged DEFAULT_GENERATED
        ("active", "", "varchar", False, "'active'"),
        ("it's", "", "varchar", False, "'it''s'"),
        ("0", "", "int", False, "0"),
        ("-1.5", "", "decimal", False, "-1.5"),
        ("0", "", "varchar", False, "'0'"),
        ("CURRENT_TIMESTAMP", "DEFAULT_GENERATED", "datetime", False, "CURRENT_TIMESTAMP"),
        ("CURRENT_TIMESTAMP", "", "timestamp", False, "CURRENT_TIMESTAMP"),
        ("uuid()", "DEFAULT_GENERATED", "char", False, "(uuid())"),
        (None, "", "int", False, None),
    ],
)
def test_mysql_and_mariadb_column_defaults_become_sql(
    value, extra: str, data_type: str, quoted: bool, sql
) -> None:
    assert mysql_default(value, extra, data_type, quoted=quoted) == sql


def test_mariadb_quotes_its_defaults_from_10_2_7() -> None:
    assert _mariadb_quotes_defaults("10.11.19-MariaDB-0+deb12u1")
    assert _mariadb_quotes_defaults("10.2.7-MariaDB")
    assert not _mariadb_quotes_defaults("10.2.6-MariaDB")
    assert not _mariadb_quotes_defaults("8.0.36")


def test_a_ddl_file_keeps_its_defaults(tmp_path: Path) -> None:
    path = tmp_path / "shop.sql"
    path.write_text(
        "CREATE TABLE t (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'active'::text, "
        "code int DEFAULT nextval('codes'::regclass), note text DEFAULT NULL, "
        "token uuid DEFAULT gen_random_uuid(), score int DEFAULT 0);\n"
    )
    text, _problems = import_ddl(path, "postgres")
    fields = phony_pdl.load(text).entities["t"].fields
    assert fields["status"].sql_default == "'active'"
    assert fields["score"].sql_default == "0"
    assert fields["token"].sql_default == "GEN_RANDOM_UUID()"
    assert fields["id"].sql_default is fields["code"].sql_default is fields["note"].sql_default
    assert fields["note"].sql_default is None
    token = next(line for line in text.splitlines() if line.strip().startswith("token:"))
    assert token.endswith(
        "# DEFAULT GEN_RANDOM_UUID() as PostgreSQL writes it: rewrite it for another dialect"
    )


LIVE = {
    "postgres": (
        "CREATE TABLE t (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'active', "
        "created_at timestamptz NOT NULL DEFAULT now(), score int DEFAULT 0, note text)",
        {"status": "'active'", "created_at": "now()", "score": "0"},
    ),
    "mysql": (
        "CREATE TABLE t (id bigint AUTO_INCREMENT PRIMARY KEY, "
        "status varchar(20) NOT NULL DEFAULT 'active', "
        "created_at datetime NOT NULL DEFAULT current_timestamp(), score int DEFAULT 0, "
        "note text)",
        {"status": "'active'", "created_at": "CURRENT_TIMESTAMP", "score": "0"},
    ),
    "sqlite": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'active', "
        "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, score INTEGER DEFAULT 0, "
        "stamp TEXT DEFAULT (datetime('now')), note TEXT)",
        {
            "status": "'active'",
            "created_at": "CURRENT_TIMESTAMP",
            "score": "0",
            "stamp": "(datetime('now'))",
        },
    ),
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite"], indirect=True)
def test_imported_defaults_fill_an_applications_insert_into_new_tables(database) -> None:
    """Import a live table with defaults, make the table anew from the PDL (the original
    dropped: a fresh database), then INSERT as an application does, naming one column."""
    kind, url, connect = database
    ddl, expected = LIVE[kind]
    run_original_ddl(kind, connect, ddl)
    text, _problems = import_url(url)
    fields = phony_pdl.load(text).entities["t"].fields
    assert {n: f.sql_default for n, f in fields.items() if f.sql_default} == expected
    if kind == "postgres":
        line = next(x for x in text.splitlines() if x.strip().startswith("created_at:"))
        assert line.endswith(
            "# DEFAULT now() as PostgreSQL writes it: rewrite it for another dialect"
        )
    run_original_ddl(kind, connect, "DROP TABLE t")
    load(phony_pdl.load(text).generate(seed=1), url)  # creates the table
    _insert(kind, connect, "INSERT INTO t (note) VALUES ('app')")
    ((id_, status, created_at, score),) = query(
        connect, "SELECT id, status, created_at, score FROM t WHERE note = 'app'"
    )
    assert (status, score) == ("active", 0)
    assert id_ == 101  # the identity column numbers the application's row after Phony's 100
    assert isinstance(created_at, str if kind == "sqlite" else dt.datetime)
    if kind == "sqlite":
        assert query(connect, "SELECT stamp FROM t WHERE note = 'app'")[0][0] is not None
