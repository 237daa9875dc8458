"""`--format sql --dialect X` as a user takes the script to the database: every PDL type,
hostile text, NULLs, a timeline, CHECKs, a composite primary key, a cycle and a
self-reference. PostgreSQL, MariaDB, SQLite and DuckDB run the script for real (in a
session whose settings would change values if the script did not set its own) and every
value must come back exactly; T-SQL, which cannot run here, is parsed back with sqlglot
and its literals evaluated as SQL Server reads them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlglot
from sqlglot import exp

import phony_pdl
from phony_pdl.sql.dialects import get_dialect

LONG = "x" * 3000 + "\n" + "y" * 3000  # over 4,000 characters only when joined in T-SQL
TEXT = [
    "it's",
    'say "hi"',
    "back\\slash",
    "ends with \\",
    "backslash before a line feed \\\nnext",
    "backslash before a CR-LF \\\r\nnext",
    "double \\\\ back",
    "\\n is not a line feed",
    "\\'",
    "-- not a comment",
    "/* not a comment */",
    "$$ dollar $$",
    "sqlcmd $(var) and $(",
    "line\nbreak",
    "tab\tand\rreturn",
    "crlf\r\nline",
    "go\nGO\n:r /etc/passwd\n!!echo x",
    "emoji 🎲🐍 𝔘",
    "ünïcödé 中文 العربية",
    "",
    " trailing ",
    "%s %(x)s ? :1",
    LONG,
]

EVERY = {
    "pdl": 1,
    "name": "every",
    "entities": {
        "kinds": {
            "count": 12,
            "primary_key": ["code", "region"],
            "unique": [["code", "region"]],
            "fields": {
                "code": {"choice": ["a", "A", "b", "B"]},  # distinct only by case
                "region": {"choice": ["x'y", "back\\slash", "uni ü", "😀"]},
                "label": {"choice": ["one", "two\nlines", "th'ree"]},
            },
        },
        "teams": {
            "count": 20,
            "fields": {
                "id": {"sequence": 1},
                "name": {"generator": "company.name", "unique": True},
                "captain_id": {"ref": "people.id", "null_rate": 0.2},
            },
        },
        "people": {
            "count": 300,
            "fields": {
                "id": {"sequence": 1},
                "team_id": {"ref": "teams.id"},
                "mentor_id": {"ref": "people.id"},
                "uid": {"type": "uuid", "unique": True},
                "big": {"type": "int", "between": [-(2**63) + 1, 2**63 - 1]},
                "small": {"type": "int", "between": [-5, 5]},
                "d38": {"type": "decimal(38,10)", "between": [-900000000, 900000000]},
                "d5": {"type": "decimal(5,5)", "between": [0, 0.99999]},
                "f": {"type": "float", "between": [-1e300, 1e300]},
                "tiny": {"type": "float", "between": [0, 1e-10]},
                "fchoice": {
                    "choice": [0.1, 1 / 3, 1e20, 5e-324, 1.7976931348623157e308, -0.0, 2.5e-7]
                },
                "ok": {"type": "bool", "null_rate": 0.2},
                "born": {"type": "date", "between": ["0001-01-01", "9999-12-31"]},
                "at": {"type": "datetime", "between": ["1000-01-01", "9999-12-31"]},
                "tm": {"type": "time"},
                "note": {"choice": TEXT, "null_rate": 0.1},
                "score": {"distribution": "normal", "mean": 50, "sd": 10, "min": 0, "max": 100},
                "grade": {"choice": [1, 2, 3]},
            },
        },
        "events": {
            "timeline": {
                "for": "people",
                "start": "people.at",
                "initial": "new",
                "states": {
                    "new": {"next": {"active": 0.9, "gone": 0.1}},
                    "active": {
                        "next": {"gone": 1},
                        "after": {"distribution": "exponential", "mean": "2d"},
                    },
                    "gone": {"after": {"distribution": "exponential", "mean": "1h"}},
                },
            },
            "fields": {
                "id": {"sequence": 1},
                "person_id": {"ref": "people.id"},
                "state": {"timeline": "state"},
                "at": {"timeline": "time"},
            },
        },
    },
}


@pytest.fixture(scope="module")
def every():
    return phony_pdl.load(EVERY).generate(seed=7)


def script(dataset, dialect: str, folder: Path) -> Path:
    dataset.write(folder, format="sql", sql={"dialect": dialect})
    return folder / "every.sql"


# ---------------------------------------------------------------- databases that run here


def run_script(kind: str, url: str, path: Path) -> None:
    """The script in the database's own client, in a session set up to change values
    wherever the script leaves a setting to the server."""
    if kind == "duckdb":
        import duckdb

        conn = duckdb.connect(url.split(":///", 1)[1])
        conn.execute(path.read_text(encoding="utf-8"))
        conn.close()
        return
    if kind == "sqlite":
        command = ["sqlite3", "-bail", url.split(":///", 1)[1], "PRAGMA foreign_keys=ON;"]
        command.append(f".read {path}")
        env = None
    elif kind == "postgres":
        command = ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path)]
        # a backslash would be an escape character without the script's own SET
        env = {**os.environ, "PGOPTIONS": "-c standard_conforming_strings=off"}
    else:
        database = url.rsplit("/", 1)[1]
        command = ["mariadb", "-h", "127.0.0.1", "-u", "root", database, "-e", f"source {path}"]
        # `\\` would be two backslashes, and a non-strict session cuts what does not fit
        command.append("--init-command=SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'")
        env = None
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]


def expected(value, kind: str, arrow_type: pa.DataType):
    """An Arrow value as the database returns it."""
    if value is None:
        return None
    if isinstance(value, float) and value == 0:
        return 0.0  # no target keeps the sign of -0.0 from a literal (formats.md, Literals)
    if pa.types.is_decimal(arrow_type) and kind == "sqlite":
        return float(value)  # the double nearest the decimal (formats.md, Types)
    if kind == "sqlite" and pa.types.is_temporal(arrow_type):
        return pc.cast(pa.array([value], arrow_type), pa.string())[0].as_py()
    if kind in ("sqlite", "mysql") and isinstance(value, bool):
        return int(value)
    return value


def returned(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):  # MySQL's TIME
        return (dt.datetime.min + value).time()
    return value


def same(a, b) -> bool:
    """Equal, and for floats the very same double (the sign of zero included)."""
    if isinstance(a, float) or isinstance(b, float):
        return (
            isinstance(a, int | float)
            and isinstance(b, int | float)
            and float(a) == float(b)
            and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b and a.as_tuple().exponent == b.as_tuple().exponent
    return type(a) is type(b) and a == b


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_every_type_round_trips_exactly_through_the_script(database, every, tmp_path) -> None:
    kind, url, connect = database
    path = script(every, kind, tmp_path / "out")
    run_script(kind, url, path)
    dialect = get_dialect(kind)
    q = lambda name: exp.to_identifier(name, quoted=True).sql(dialect=dialect.sqlglot)  # noqa: E731
    conn = connect()
    try:
        compare_tables(every, kind, conn.cursor(), q)
    finally:
        conn.close()  # an open transaction would keep MariaDB from dropping the database


def compare_tables(every, kind: str, cur, q) -> None:
    for table in every:
        want = every[table]
        names = want.schema.names
        key = ["code", "region"] if table == "kinds" else ["id"]
        order = ", ".join(q(k) for k in key)
        cur.execute(f"SELECT {', '.join(q(n) for n in names)} FROM {q(table)} ORDER BY {order}")
        rows = cur.fetchall()
        want = want.sort_by([(k, "ascending") for k in key])
        if kind == "postgres" and table == "kinds":  # PostgreSQL sorts text by its collation
            rows.sort(key=lambda r: (r[0].encode(), r[1].encode()))
            order_bytes = sorted(
                range(want.num_rows),
                key=lambda i: (
                    want["code"][i].as_py().encode(),
                    want["region"][i].as_py().encode(),
                ),
            )
            want = want.take(order_bytes)
        assert len(rows) == want.num_rows, table
        for c, name in enumerate(names):
            arrow_type = want.schema.field(name).type
            wanted = [expected(v, kind, arrow_type) for v in want[name].to_pylist()]
            got = [returned(r[c]) for r in rows]
            if kind == "sqlite" and pa.types.is_decimal(arrow_type):
                got = [None if v is None else float(v) for v in got]
            wrong = [(w, g) for w, g in zip(wanted, got, strict=True) if not same(w, g)]
            assert not wrong, f"{table}.{name}: {len(wrong)} values differ, e.g. {wrong[:2]}"


VIOLATIONS = {
    "foreign key": "INSERT INTO {events} ({id}, {person_id}, {state}, {at}) "
    "VALUES (999999, 999999, 'new', '2020-01-01 00:00:00')",
    "CHECK of a choice": "UPDATE {events} SET {state} = 'bogus' WHERE {id} = 1",
    "CHECK of bounds": "UPDATE {people} SET {small} = 99 WHERE {id} = 1",
    "NOT NULL": "UPDATE {people} SET {born} = NULL WHERE {id} = 1",
    "composite primary key": "INSERT INTO {kinds} SELECT * FROM {kinds} WHERE {code} = 'a'",
    "cycle foreign key": "UPDATE {teams} SET {captain_id} = 999999 WHERE {id} = 1",
}


@pytest.mark.db
@pytest.mark.parametrize("database", ["postgres", "mysql", "sqlite", "duckdb"], indirect=True)
def test_the_scripts_constraints_are_on(database, every, tmp_path) -> None:
    kind, url, connect = database
    run_script(kind, url, script(every, kind, tmp_path / "out"))
    dialect = get_dialect(kind)
    words = ["events", "people", "kinds", "teams", "id", "person_id", "state", "at"]
    words += ["small", "born", "code", "captain_id"]
    names = {n: exp.to_identifier(n, quoted=True).sql(dialect=dialect.sqlglot) for n in words}
    accepted = []
    for what, sql in VIOLATIONS.items():
        if kind == "duckdb" and what == "cycle foreign key":
            continue  # not declared in DuckDB (formats.md, Dialects)
        conn = connect()
        try:
            conn.cursor().execute(sql.format(**names))
            accepted.append(what)
        except Exception as exc:  # each driver has its own IntegrityError
            assert re.search(r"(?i)constraint|foreign key|cannot be null|duplicate", str(exc))
        finally:
            conn.close()
    assert accepted == []


# ---------------------------------------------------------------- T-SQL, parsed back


def tsql_value(node: exp.Expression):
    """A VALUES item as SQL Server computes it: string literals joined by `+`, NCHAR(n),
    CAST to NVARCHAR(MAX); numbers as their text."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.National):
        # SQL Server drops a backslash followed by a line break, and the line break
        return re.sub(r"\\\r?\n", "", node.this)
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else ("number", node.this)
    if isinstance(node, exp.Neg):
        return ("number", "-" + tsql_value(node.this)[1])
    if isinstance(node, exp.Add):
        return tsql_value(node.this) + tsql_value(node.expression)
    if isinstance(node, exp.Cast):
        assert node.to.sql("tsql") == "NVARCHAR(MAX)"
        return tsql_value(node.this)
    if isinstance(node, exp.Anonymous) and node.name.upper() == "NCHAR":
        return chr(int(node.expressions[0].this))
    raise AssertionError(f"unexpected {type(node).__name__} in VALUES: {node.sql('tsql')}")


def tsql_rows(text: str) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {}
    for statement in sqlglot.parse(text, read="tsql"):
        if isinstance(statement, exp.Insert):
            values = statement.expression.expressions
            assert 0 < len(values) <= 1000  # SQL Server's limit on one VALUES list
            table = statement.this.this.name
            rows.setdefault(table, []).extend(
                tuple(tsql_value(v) for v in row.expressions) for row in values
            )
    return rows


def test_tsql_values_read_back_exactly(every, tmp_path) -> None:
    text = script(every, "tsql", tmp_path).read_text(encoding="utf-8")
    rows = tsql_rows(text)
    for table in every:
        want = every[table]
        assert len(rows[table]) == want.num_rows
        for c, name in enumerate(want.schema.names):
            t = want.schema.field(name).type
            got = [r[c] for r in rows[table]]
            if name == "captain_id":  # NULL here, set by the UPDATE after the people
                assert set(got) == {None}
                continue
            for w, g in zip(want[name].to_pylist(), got, strict=True):
                if w is None or g is None:
                    assert w is None and g is None, name
                elif pa.types.is_floating(t):
                    assert g[1].upper().count("E") == 1, g  # a float literal, not DECIMAL
                    assert same(float(g[1]), w), (name, g, w)
                elif pa.types.is_decimal(t):
                    assert same(Decimal(g[1]), w), (name, g, w)
                elif pa.types.is_boolean(t):
                    assert g == ("number", "1" if w else "0")
                elif pa.types.is_integer(t):
                    assert int(g[1]) == w
                elif pa.types.is_temporal(t):
                    assert g == pc.cast(pa.array([w], t), pa.string())[0].as_py()
                else:
                    assert g == w, name
    # the long value with a line feed is joined as NVARCHAR(MAX), not cut at 4,000
    starts = [m.start() for m in re.finditer("N'" + "x" * 3000, text)]
    assert len(starts) >= 2  # in the CHECK and in the rows
    for start in starts:
        assert text[start - len("CAST(N'' AS NVARCHAR(MAX)) + ") : start] == (
            "CAST(N'' AS NVARCHAR(MAX)) + "
        )


def test_tsql_script_is_safe_for_sqlcmd_and_sql_server(every, tmp_path) -> None:
    text = script(every, "tsql", tmp_path).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[1:3] == ["SET XACT_ABORT ON;", "BEGIN TRANSACTION;"]
    assert lines[-1] == "COMMIT;"
    # no literal spans lines, so no data line can start a sqlcmd command or continue one
    for statement in sqlglot.parse(text, read="tsql"):
        for literal in statement.find_all(exp.National, exp.Literal):
            if isinstance(literal, exp.National) or literal.is_string:
                assert not re.search(r"[\r\n]|\$\(", literal.this), literal.this[:60]
    assert not [line for line in lines if re.match(r"(?i)\s*(go\b|:|!!)", line)]
    assert "\r" not in text and "$(" not in text


def test_tsql_types_are_sql_servers_own(every, tmp_path) -> None:
    text = script(every, "tsql", tmp_path).read_text(encoding="utf-8")
    creates = {
        s.this.this.name: s for s in sqlglot.parse(text, read="tsql") if isinstance(s, exp.Create)
    }
    assert set(creates) == {"kinds", "teams", "people", "events"}
    people = text[text.index("CREATE TABLE [people]") :].split(");")[0]
    for column, sql_type in {
        "id": "BIGINT",
        "uid": "UNIQUEIDENTIFIER",
        "d38": "DECIMAL(38, 10)",
        "f": "FLOAT",
        "ok": "BIT",
        "born": "DATE",
        "at": "DATETIME2(6)",
        "tm": "TIME(6)",
        "note": "NVARCHAR(MAX)",
    }.items():
        assert f"  [{column}] {sql_type}" in people
    kinds = text[text.index("CREATE TABLE [kinds]") :].split(");")[0]
    assert "[code] NVARCHAR(450) COLLATE Latin1_General_100_BIN2 NOT NULL" in kinds
    assert "BOOLEAN" not in text and "TIMESTAMP" not in text and "TEXT" not in text
    # CHECK values are spliced like the rows' ("two\nlines" was a multi-line literal)
    assert "CAST(N'' AS NVARCHAR(MAX)) + N'two' + NCHAR(10) + N'lines'" in kinds


def test_tsql_unique_key_with_nulls_is_a_filtered_index(tmp_path) -> None:
    """SQL Server's UNIQUE allows one NULL: 50 parents with half their `alt` NULL could not
    load. A filtered index keeps the rest distinct; no foreign key can point at it."""
    doc = {
        "pdl": 1,
        "name": "every",
        "entities": {
            "parents": {
                "count": 50,
                "fields": {
                    "id": {"sequence": 1},
                    "alt": {
                        "type": "int",
                        "min": 1,
                        "max": 10**5,
                        "unique": True,
                        "null_rate": 0.5,
                    },
                },
            },
            "kids": {
                "count": 30,
                "fields": {
                    "id": {"sequence": 1},
                    "p_alt": {"ref": "parents.alt"},
                    "p_id": {"ref": "parents.id"},
                },
            },
        },
    }
    text = script(phony_pdl.load(doc).generate(seed=1), "tsql", tmp_path).read_text()
    assert (
        "CREATE UNIQUE INDEX [uq_parents_alt] ON [parents] ([alt]) WHERE [alt] IS NOT NULL;" in text
    )
    assert "UNIQUE ([alt])" not in text
    assert "FOREIGN KEY ([p_alt])" not in text
    assert "FOREIGN KEY ([p_id]) REFERENCES [parents] ([id])" in text
    kinds = [s.key for s in sqlglot.parse(text, read="tsql") if s is not None]
    assert kinds.count("create") == 3
    # the other dialects keep UNIQUE, where NULLs are distinct
    postgres = script(phony_pdl.load(doc).generate(seed=1), "postgres", tmp_path / "pg")
    assert 'UNIQUE ("alt")' in postgres.read_text()


@pytest.mark.parametrize("name", ["oracle", "snowflake", "bigquery", "redshift", "trino"])
def test_dialects_without_a_script_are_refused(name, every, tmp_path) -> None:
    with pytest.raises(
        phony_pdl.UsageError,
        match=rf"unknown SQL dialect '{name}'; expected one of duckdb, mysql, postgres, sqlite, tsql",
    ):
        every.write(tmp_path / "x", format="sql", sql={"dialect": name})
    assert not (tmp_path / "x").exists()


@pytest.mark.db
@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_keeps_an_id_of_zero_in_an_auto_increment_column(database, tmp_path) -> None:
    """Without NO_AUTO_VALUE_ON_ZERO, MySQL and MariaDB take an id of 0 for "the next
    AUTO_INCREMENT value": ids 0, 1, 2 loaded as 1 and then a duplicate 1 (ids 0, 10, 20 as
    1, 10, 20, silently)."""
    from phony_pdl.loaders import load

    _kind, url, connect = database
    doc = {
        "pdl": 1,
        "name": "z",
        "entities": {"t": {"count": 3, "fields": {"id": {"sequence": 0, "step": 10}}}},
    }
    data = phony_pdl.load(doc).generate()
    data.write(tmp_path, format="sql", sql={"dialect": "mysql", "create": False})
    for how in ("script", "loader"):
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("DROP TABLE IF EXISTS t")
            cur.execute("CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY)")
        finally:
            conn.close()
        if how == "script":
            run_script("mysql", url, tmp_path / "z.sql")
        else:
            load(data, url, create=False)
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT id FROM t ORDER BY id")
            assert [r[0] for r in cur.fetchall()] == [0, 10, 20], how
        finally:
            conn.close()


@pytest.mark.db
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_sqlite_script_floats_are_the_same_doubles(database, tmp_path) -> None:
    """SQLite reads a literal by its own conversion: of 120,000 floats written as their
    shortest text, 8 came back one unit in the last place off (SQLite 3.40); written
    with 17 significant digits, none. Decimals, which SQLite keeps as REAL, are the
    double nearest each value (`12.345678` itself read one off for 26 of 100,000)."""
    kind, url, connect = database
    doc = {
        "pdl": 1,
        "name": "every",
        "entities": {
            "t": {
                "count": 40_000,
                "fields": {
                    "id": {"sequence": 1},
                    "u": {"type": "float"},
                    "n": {"distribution": "normal", "mean": 0, "sd": 1e6},
                    "l": {"distribution": "lognormal", "median": 1, "sigma": 5},
                    "d": {"type": "decimal(12,6)", "between": [-100000, 100000]},
                    "w": {"type": "decimal(38,10)", "between": [-900000000, 900000000]},
                },
            }
        },
    }
    data = phony_pdl.load(doc).generate(seed=3)
    run_script(kind, url, script(data, kind, tmp_path / "out"))
    conn = connect()
    got = conn.execute("SELECT u, n, l, d, w FROM t ORDER BY id").fetchall()
    conn.close()
    want = [
        (r["u"], r["n"], r["l"], float(r["d"]), float(r["w"]))  # float(Decimal): the nearest
        for r in data["t"].to_pylist()
    ]
    off = [(w, g) for w, g in zip(want, got, strict=True) if w != tuple(map(float, g))]
    assert off == []


@pytest.mark.db
@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
def test_two_cycles_with_the_same_key_name_in_a_script(database, tmp_path) -> None:
    """formats.md said the second table's `captain_id` stayed NULL; each table gets its own
    UPDATE, and both columns hold their values."""
    kind, url, connect = database
    key = {"ref": "players.id", "nullable": True}
    doc = {
        "pdl": 1,
        "name": "every",
        "entities": {
            "teams": {"count": 5, "fields": {"id": {"sequence": 1}, "captain_id": key}},
            "clubs": {"count": 4, "fields": {"id": {"sequence": 1}, "captain_id": key}},
            "players": {
                "count": 30,
                "fields": {
                    "id": {"sequence": 1},
                    "team_id": {"ref": "teams.id"},
                    "club_id": {"ref": "clubs.id"},
                },
            },
        },
    }
    data = phony_pdl.load(doc).generate(seed=2)
    run_script(kind, url, script(data, kind, tmp_path / "out"))
    conn = connect()
    try:
        for table in ("teams", "clubs"):
            cur = conn.cursor()
            cur.execute(f"SELECT id, captain_id FROM {table} ORDER BY id")
            want = data[table].select(["id", "captain_id"]).to_pylist()
            assert [tuple(r) for r in cur.fetchall()] == [tuple(w.values()) for w in want]
            assert any(w["captain_id"] is not None for w in want)
    finally:
        conn.close()
