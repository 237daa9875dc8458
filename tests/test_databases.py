"""Loads into real SQLite, PostgreSQL, MariaDB and DuckDB with every constraint on.

PostgreSQL and MariaDB must run on 127.0.0.1 (see .ci/run). Each test creates and
drops its own database. With PHONY_REQUIRE_DB=1 a skipped test here fails the run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import phony_pdl
from phony_pdl.loaders import LoadError, load
from phony_pdl.sql.dialects import get_dialect
from phony_pdl.sql.script import orphan_query, schema_tables

from .conftest import EXAMPLES, MY, PG, ROOT

pytestmark = pytest.mark.db

TARGETS = ["sqlite", "postgres", "mysql", "duckdb"]


def query(connect, sql: str) -> list[tuple]:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return list(cur.fetchall())
    finally:
        conn.close()


def tables_in(kind: str, connect) -> set[str]:
    sql = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
        "postgres": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
        "duckdb": "SELECT table_name FROM information_schema.tables",
    }[kind]
    return {r[0] for r in query(connect, sql)}


def normal(value):
    """Database values and Arrow values in one comparable form."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return Decimal(value).normalize()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def same_rows(expected: pa.Table, got: list[tuple], kind: str, ordered: bool = True) -> None:
    want = [tuple(normal(v) for v in row.values()) for row in expected.to_pylist()]
    have = [tuple(normal(v) for v in row) for row in got]
    if kind == "sqlite":  # SQLite keeps temporal values as text and decimals as REAL
        for i, name in enumerate(expected.schema.names):
            t = expected.schema.field(name).type
            if pa.types.is_decimal(t):
                want = [
                    (*w[:i], float(w[i]) if w[i] is not None else None, *w[i + 1 :]) for w in want
                ]
                have = [
                    (*h[:i], round(float(h[i]), 6) if h[i] is not None else None, *h[i + 1 :])
                    for h in have
                ]
            if pa.types.is_timestamp(t):
                want = [
                    (*w[:i], w[i].replace("T", " ") if w[i] else None, *w[i + 1 :]) for w in want
                ]
                have = [(*h[:i], h[i][:26] if h[i] else None, *h[i + 1 :]) for h in have]
    if not ordered:  # no primary key: compare as multisets
        have = sorted(have, key=lambda r: tuple(str(v) for v in r))
        want = sorted(want, key=lambda r: tuple(str(v) for v in r))
    assert have == want


def check_loaded(dataset, kind: str, connect) -> None:
    dialect = get_dialect(kind)
    for table in schema_tables(dataset):
        expected = dataset[table.entity]
        columns = ", ".join(dialect_quote(c, dialect) for c in expected.schema.names)
        order = ", ".join(
            dialect_quote(c, dialect) for c in (table.primary_key or expected.schema.names[:1])
        )
        rows = query(
            connect, f"SELECT {columns} FROM {dialect_quote(table.name, dialect)} ORDER BY {order}"
        )
        if table.primary_key:
            expected = expected.sort_by([(n, "ascending") for n in table.primary_key])
        assert len(rows) == dataset.count(table.entity)
        same_rows(expected, rows, kind, ordered=bool(table.primary_key))
        for fk in table.foreign_keys:
            assert query(connect, orphan_query(table, fk, dialect))[0][0] == 0


def dialect_quote(name: str, dialect) -> str:
    from phony_pdl.sql.encode import quote_identifier

    return quote_identifier(name, dialect)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("database", TARGETS, indirect=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_loader_round_trip(database, example: Path) -> None:
    kind, url, connect = database
    dataset = phony_pdl.load(example).generate(seed=11)
    report = load(dataset, url)
    assert report.rows == {e: dataset.count(e) for e in dataset}
    check_loaded(dataset, kind, connect)


CLIENTS = {
    "sqlite": lambda url, path: ["sqlite3", "-bail", url.split(":///", 1)[1], f".read {path}"],
    "postgres": lambda url, path: ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-f", str(path)],
    "mysql": lambda url, path: [
        "mariadb",
        "-h",
        "127.0.0.1",
        "-u",
        "root",
        url.rsplit("/", 1)[1],
        "-e",
        f"source {path}",
    ],
}


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"], indirect=True)
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_sql_file_runs_in_the_database_client(database, example: Path, tmp_path: Path) -> None:
    kind, url, connect = database
    client = CLIENTS[kind](url, tmp_path / "out" / "x.sql")[0]
    if shutil.which(client) is None:
        pytest.skip(f"{client} is not installed")
    dataset = phony_pdl.load(example).generate(seed=5)
    dataset.write(tmp_path / "out", format="sql", sql={"dialect": kind, "copy": kind == "postgres"})
    script = tmp_path / "out" / f"{dataset.plan.schema.name}.sql"
    if kind == "sqlite":
        subprocess.run(["sqlite3", "-bail", url.split(":///", 1)[1], "PRAGMA foreign_keys=ON;", f".read {script}"],
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    else:
        subprocess.run(CLIENTS[kind](url, script), check=True, capture_output=True, timeout=120)
    check_loaded(dataset, kind, connect)


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite", "duckdb", "tsql"])
def test_sql_output_reparses_with_sqlglot(dialect: str, tmp_path: Path) -> None:
    import sqlglot

    dataset = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate()
    dataset.write(tmp_path, format="sql", sql={"dialect": dialect})
    text = (tmp_path / "teams.sql").read_text()
    statements = [
        s for s in sqlglot.parse(text, read=get_dialect(dialect).sqlglot) if s is not None
    ]
    assert sum(1 for s in statements if s.key == "create") == 2
    assert sum(1 for s in statements if s.key == "insert") >= 2


# ---------------------------------------------------------------- hostile values

HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash",
    "double \\\\ back",
    "-- not a comment",
    "/* not a comment */",
    "$$ dollar $$",
    "line\nbreak",
    "tab\tand\rreturn",
    "emoji 🎲🐍",
    "ünïcödé",
    "",
    "%s %(x)s ? :1",
]


def hostile_schema(values: list[str]) -> dict:
    return {
        "pdl": 1,
        "name": "hostile",
        "entities": {
            "order": {
                "count": len(values),
                "fields": {
                    "id": {"sequence": 1},
                    "select": {"choice": values, "unique": True},
                    "MixedCase": {"const": "x"},
                },
            }
        },
    }


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_hostile_values_round_trip(database) -> None:
    kind, url, connect = database
    schema = hostile_schema(HOSTILE)
    schema["entities"]["order"]["fields"]["select"]["choice"] = HOSTILE
    dataset = phony_pdl.load(schema).generate()
    load(dataset, url)
    rows = query(
        connect,
        f"SELECT {dialect_quote('select', get_dialect(kind))} FROM {dialect_quote('order', get_dialect(kind))}",
    )
    assert sorted(r[0] for r in rows) == sorted(HOSTILE)


def test_nul_fails_early_for_postgres(tmp_path: Path) -> None:
    dataset = phony_pdl.load(hostile_schema(["a\x00b", "ok"])).generate()
    with pytest.raises(phony_pdl.GenerationError, match=r"NUL character .* postgres"):
        dataset.write(tmp_path, format="sql", sql={"dialect": "postgres"})
    assert not (tmp_path / "hostile.sql").exists()


@pytest.mark.parametrize("database", ["sqlite", "mysql"], indirect=True)
def test_nul_is_stored_where_the_database_can(database) -> None:
    kind, url, connect = database
    dataset = phony_pdl.load(hostile_schema(["a\x00b", "ok"])).generate()
    load(dataset, url)
    rows = query(
        connect,
        f"SELECT {dialect_quote('select', get_dialect(kind))} FROM {dialect_quote('order', get_dialect(kind))}",
    )
    assert sorted(r[0] for r in rows) == ["a\x00b", "ok"]


# ---------------------------------------------------------------- failures leave nothing


def failing_schema() -> dict:
    # The second table's column type cannot hold its values, so the load fails midway.
    return {
        "pdl": 1,
        "name": "fails",
        "entities": {
            "parents": {"count": 3000, "fields": {"id": {"sequence": 1}}},
            "children": {
                "count": 5000,
                "fields": {
                    "id": {"sequence": 1},
                    "parent_id": {"ref": "parents.id"},
                    "code": {"pattern": "[A-Z]{3}", "sql_type": "CHAR(2)"},
                },
            },
        },
    }


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql", "duckdb"], indirect=True)
def test_constraint_violation_midway_leaves_database_unchanged(database) -> None:
    kind, url, connect = database
    schema = failing_schema()
    if kind in ("sqlite", "duckdb"):  # they do not enforce CHAR lengths; break a CHECK instead
        schema["entities"]["children"]["fields"]["code"] = {
            "type": "int",
            "min": 1,
            "max": 9,
            "sql_type": "INTEGER CHECK (code < 5)",
        }
    with pytest.raises(LoadError, match="children") as exc:
        load(phony_pdl.load(schema).generate(), url)
    assert "rows" in str(exc.value) or "children" in str(exc.value)
    assert tables_in(kind, connect) == set()


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_existing_tables_are_left_as_they_were(database) -> None:
    _kind, url, connect = database
    dataset = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(seed=1)
    load(dataset, url)
    before = query(connect, "SELECT COUNT(*) FROM players")[0][0]
    with pytest.raises(LoadError, match="already exist"):
        load(dataset, url)
    with pytest.raises(LoadError):  # same keys again: primary key violation midway
        load(dataset, url, create=False)
    assert query(connect, "SELECT COUNT(*) FROM players")[0][0] == before
    load(dataset, url, create=False, truncate=True)
    assert query(connect, "SELECT COUNT(*) FROM players")[0][0] == before


def _kill_when_loading(kind: str, database_name: str, stop: threading.Event) -> None:
    if kind == "postgres":
        import psycopg

        with psycopg.connect(**PG, autocommit=True) as admin:
            while not stop.is_set():
                rows = admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = 'phony' "
                    "AND datname = %s AND state = 'active'",
                    (database_name,),
                ).fetchall()
                if rows:
                    time.sleep(0.2)
                    admin.execute("SELECT pg_terminate_backend(%s)", (rows[0][0],))
                    return
                time.sleep(0.02)
    else:
        import pymysql

        admin = pymysql.connect(**MY, autocommit=True)
        try:
            cur = admin.cursor()
            while not stop.is_set():
                cur.execute(
                    "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> CONNECTION_ID() "
                    "AND command = 'Query'",
                    (database_name,),
                )
                row = cur.fetchone()
                if row:
                    time.sleep(0.2)
                    cur.execute(f"KILL {int(row[0])}")
                    return
                time.sleep(0.02)
        finally:
            admin.close()


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_connection_killed_midway_leaves_database_unchanged(database) -> None:
    kind, url, connect = database
    dataset = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(scale=30)
    stop = threading.Event()
    killer = threading.Thread(target=_kill_when_loading, args=(kind, url.rsplit("/", 1)[1], stop))
    killer.start()
    try:
        with pytest.raises(LoadError):
            load(dataset, url)
    finally:
        stop.set()
        killer.join(timeout=30)
    assert tables_in(kind, connect) == set()


def test_missing_driver_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "psycopg":
            raise ImportError("no psycopg")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    dataset = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate()
    with pytest.raises(phony_pdl.UsageError, match=r"pip install 'phony-pdl\[postgres\]'"):
        load(dataset, "postgresql://postgres@127.0.0.1/test")


def test_required_servers_are_reachable_in_ci() -> None:
    """CI promises real servers; fail loudly instead of skipping when they are absent."""
    if not os.environ.get("PHONY_REQUIRE_DB"):
        pytest.skip("only enforced under PHONY_REQUIRE_DB=1 (set by .ci/run)")
    import psycopg
    import pymysql

    psycopg.connect(**PG).close()
    pymysql.connect(**MY).close()


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"], indirect=True)
def test_two_cycles_with_the_same_key_name(database) -> None:
    _kind, url, connect = database
    spec = {
        "pdl": 1,
        "name": "cycles",
        "entities": {
            "teams": {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "captain_id": {"ref": "players.id", "nullable": True},
                },
            },
            "clubs": {
                "count": 4,
                "fields": {
                    "id": {"sequence": 1},
                    "captain_id": {"ref": "players.id", "nullable": True},
                },
            },
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
    dataset = phony_pdl.load(spec).generate()
    load(dataset, url)
    for table in ("teams", "clubs"):
        got = sorted(query(connect, f"SELECT id, captain_id FROM {table}"))
        assert got == sorted(
            zip(*(dataset[table].column(c).to_pylist() for c in ("id", "captain_id")), strict=True)
        )


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_failed_truncating_load_keeps_the_old_rows(database) -> None:
    _kind, url, connect = database
    good = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(seed=1)
    load(good, url)
    before = query(connect, "SELECT COUNT(*) FROM players")[0][0]
    import yaml

    bad = yaml.safe_load((ROOT / "examples" / "teams.yaml").read_text())
    # player numbers outside the table's CHECK (1..99) make the load fail after the DELETEs
    bad["entities"]["players"]["fields"]["number"] = {"type": "int", "min": 200, "max": 300}
    bad["entities"]["players"]["fields"]["born_on"]["between"] = ["1990-01-01", "2006-12-31"]
    with pytest.raises(LoadError):
        load(phony_pdl.load(bad).generate(), url, create=False, truncate=True)
    assert query(connect, "SELECT COUNT(*) FROM players")[0][0] == before


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_formatted_dates_and_numeric_text_choices_load(database) -> None:
    _kind, url, connect = database
    spec = {
        "pdl": 1,
        "name": "fmt",
        "entities": {
            "t": {
                "count": 20,
                "fields": {
                    "id": {"sequence": 1},
                    "day": {"type": "date", "format": "%d/%m/%Y"},
                    "code": {"choice": [1, 2, 3], "type": "string"},
                },
            }
        },
    }
    load(phony_pdl.load(spec).generate(), url)
    assert (
        query(connect, "SELECT COUNT(*) FROM t WHERE day LIKE '%/%/%' AND code IN ('1', '2', '3')")[
            0
        ][0]
        == 20
    )


def _emptied(kind: str, url: str, connect) -> None:
    """Drop every table of the test database (the source of an inferred schema)."""
    if kind == "postgres":
        conn = connect()
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
        conn.commit()
        conn.close()
        return
    if kind in ("sqlite", "duckdb"):
        Path(url.split(":///", 1)[1]).unlink()
        return
    names = tables_in(kind, connect)
    conn = connect()
    cur = conn.cursor()
    cur.execute("SET FOREIGN_KEY_CHECKS = 0")
    for name in names:
        cur.execute(f"DROP TABLE {name}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_infer_from_a_database_then_load_synthetic_rows_back(database) -> None:
    """The staging workflow: a schema learnt from a live database generates rows that its
    own constraints (keys, foreign keys, composite uniques, NOT NULL, CHECKs) accept."""
    from phony_pdl.infer import infer

    kind, url, connect = database
    source = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(scale=0.3)
    load(source, url)
    learnt = infer(url, name="shop")
    items = learnt.document["entities"]["order_items"]
    assert items["unique"] == [["order_id", "product_id"]]  # declared by the database
    assert items["fields"]["order_id"]["ref"] == "orders.id"
    _emptied(kind, url, connect)
    synthetic = learnt.schema().generate(seed=11)
    load(synthetic, url)  # one transaction, every constraint on
    for table in schema_tables(synthetic):
        assert query(connect, f"SELECT COUNT(*) FROM {table.name}")[0][0] == synthetic.count(
            table.name
        )
        for fk in table.foreign_keys:
            assert query(connect, orphan_query(table, fk, get_dialect(kind)))[0][0] == 0


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_infer_breaks_a_cycle_of_references_it_reads(database) -> None:
    """teams.captain_id → players and players.team_id → teams, both filled: the inferred
    schema makes the captain nullable (as the example does) so it loads again."""
    from phony_pdl.infer import infer

    kind, url, connect = database
    load(phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(scale=0.5), url)
    learnt = infer(url, name="league")
    teams = learnt.document["entities"]["teams"]
    players = learnt.document["entities"]["players"]
    assert players["count"]["per"] == "teams"
    if kind != "duckdb":  # DuckDB cannot add the cycle's second foreign key, so none is read
        assert teams["fields"]["captain_id"] == {"ref": "players.id", "nullable": True}
        assert not isinstance(teams["count"], dict)  # no count per player: that closes the cycle
    _emptied(kind, url, connect)
    synthetic = learnt.schema().generate(seed=4)
    load(synthetic, url)
    assert query(connect, "SELECT COUNT(*) FROM players")[0][0] == synthetic.count("players")


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_infer_reads_mysql_times_of_day(database) -> None:
    """PyMySQL returns TIME as timedeltas: within a day they are PDL times."""
    from phony_pdl.infer import infer

    kind, url, connect = database
    conn = connect()
    cur = conn.cursor()
    cur.execute("CREATE TABLE t (id int PRIMARY KEY, opens time, span time)")
    for i in range(1, 61):
        cur.execute(
            "INSERT INTO t VALUES (%s, %s, %s)", (i, f"{i % 24}:{i % 60}:00", f"{i + 20}:00:00")
        )
    conn.commit()
    conn.close()
    learnt = infer(url, name="my")
    fields = learnt.document["entities"]["t"]["fields"]
    assert fields["opens"]["type"] == "time"
    assert "span" not in fields and "# left out span (duration" in learnt.text  # up to 80 h
    _emptied(kind, url, connect)
    load(learnt.schema().generate(seed=1), url)
    assert query(connect, "SELECT COUNT(*) FROM t")[0][0] == 60


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_infer_reads_postgres_specific_types(database) -> None:
    """uuid (an Arrow extension type), arrays, jsonb, interval, money, inet, timestamptz."""
    from phony_pdl.infer import infer

    kind, url, connect = database
    conn = connect()
    conn.execute(
        "CREATE TABLE t (id serial PRIMARY KEY, tags text[], doc jsonb, u uuid, span interval,"
        " price numeric(10,2), m money, ip inet, created timestamptz,"
        " status text CHECK (status IN ('a', 'b')))"
    )
    for i in range(100):
        conn.execute(
            "INSERT INTO t (tags, doc, u, span, price, m, ip, created, status) VALUES (%s, %s,"
            " gen_random_uuid(), %s, %s, %s::numeric::money, %s, now() - %s * interval '1 hour', %s)",
            (["x", "y"][: i % 3], f'{{"a": {i}}}', f"{i} minutes", i * 1.5 + 2, i * 2,
             f"10.0.0.{i}", i, "ab"[i % 2]),
        )  # fmt: skip
    conn.commit()
    conn.close()
    learnt = infer(url, name="pg")
    fields = learnt.document["entities"]["t"]["fields"]
    assert fields["u"] == {"generator": "id.uuid4", "unique": True}
    assert fields["ip"] == {"generator": "internet.ipv4"}
    for col in ("tags", "doc", "span"):
        assert col not in fields and f"# left out {col} (" in learnt.text
    _emptied(kind, url, connect)
    synthetic = learnt.schema().generate(seed=2)
    load(synthetic, url)
    assert query(connect, "SELECT COUNT(*) FROM t")[0][0] == 100


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_infer_keeps_declared_decimal_types(database) -> None:
    """numeric(12,2) stays decimal(12,2) although every value read is below 10,000 (Arrow
    would infer decimal(6,2), and a scaled-up load then overflowed); an unbounded PostgreSQL
    numeric gets the widest precision."""
    from phony_pdl.infer import infer

    kind, url, connect = database
    conn = connect()
    unbounded = ", n numeric" if kind == "postgres" else ""
    conn.cursor().execute(
        f"CREATE TABLE pay (id int PRIMARY KEY, amount numeric(12,2) NOT NULL{unbounded})"
    )
    rng = np.random.default_rng(3)
    for i, a in enumerate(np.round(rng.lognormal(3, 1.0, 200), 2)):
        extra = f", {1.5 * (i + 1)}" if kind == "postgres" else ""
        conn.cursor().execute(f"INSERT INTO pay VALUES ({i + 1}, {a}{extra})")
    conn.commit()
    conn.close()
    fields = infer(url, name="db").document["entities"]["pay"]["fields"]
    assert fields["amount"]["type"] == "decimal(12,2)"
    if kind == "postgres":
        assert fields["n"]["type"] == "decimal(38,1)"


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_infer_reads_the_search_path_and_skips_other_schemas(database) -> None:
    """A table in another schema (not on the search_path) used to crash infer with
    `relation "items" does not exist`: the catalog listed it, the query left the schema off."""
    from phony_pdl.infer import infer

    _, url, connect = database
    conn = connect()
    conn.execute("CREATE TABLE pay (id int PRIMARY KEY, label text)")
    conn.execute("CREATE SCHEMA other")
    conn.execute("CREATE TABLE other.items (id int PRIMARY KEY, pay_id int REFERENCES pay(id))")
    conn.execute("INSERT INTO pay SELECT g, 'p' || g FROM generate_series(1, 30) g")
    conn.commit()
    conn.close()
    learnt = infer(url, name="db")
    assert list(learnt.document["entities"]) == ["pay"]


# ---------------------------------------------------------------- fixes from a user's loads


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"], indirect=True)
def test_truncate_empties_self_references_and_cycles(database) -> None:
    """--no-create --truncate on hr (a self-reference) and teams (a cycle), twice each."""
    _kind, url, connect = database
    for example in ("hr", "teams", "shop"):
        schema = phony_pdl.load(ROOT / "examples" / f"{example}.yaml")
        load(schema.generate(seed=1), url)
        second = schema.generate(seed=2)
        load(second, url, create=False, truncate=True)
        check_loaded(second, _kind, connect)


NOT_NULL_SELF_REFERENCE = """pdl: 1
name: tree
entities:
  node:
    count: 40
    fields:
      id:     { sequence: 1 }
      up_id:  { ref: node.id, nullable: false }
      label:  { pattern: "[a-z]{6}" }
"""


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"], indirect=True)
def test_truncate_empties_a_not_null_self_reference(database) -> None:
    """--truncate set self-references to NULL before deleting, which a NOT NULL column
    refuses; such a column now points each row at itself first. InnoDB will not delete a
    row that points at itself: MySQL says so before changing anything."""
    kind, url, connect = database
    schema = phony_pdl.load(NOT_NULL_SELF_REFERENCE)
    first = schema.generate(seed=1)
    load(first, url)
    second = schema.generate(seed=2)
    if kind == "mysql":
        with pytest.raises(LoadError, match=r"--truncate: node\.up_id is a NOT NULL reference"):
            load(second, url, create=False, truncate=True)
        check_loaded(first, kind, connect)  # untouched: one transaction
        return
    load(second, url, create=False, truncate=True)
    check_loaded(second, kind, connect)
    assert query(connect, "SELECT COUNT(*) FROM node WHERE up_id IS NULL")[0][0] == 0


@pytest.mark.parametrize("database", ["duckdb"], indirect=True)
def test_duckdb_truncate_with_foreign_keys_says_why_not(database) -> None:
    _kind, url, connect = database
    schema = phony_pdl.load(ROOT / "examples" / "shop.yaml")
    load(schema.generate(seed=1), url)
    with pytest.raises(LoadError, match="DuckDB cannot delete rows that a foreign key"):
        load(schema.generate(seed=2), url, create=False, truncate=True)
    assert query(connect, "SELECT COUNT(*) FROM orders")[0][0] == schema.generate(seed=1).count(
        "orders"
    )


@pytest.mark.parametrize("database", ["duckdb"], indirect=True)
def test_duckdb_keeps_the_real_error_and_stores_durations_as_microseconds(database) -> None:
    _kind, url, connect = database
    doc = {
        "pdl": 1,
        "name": "d",
        "entities": {
            "t": {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "start": {"type": "datetime", "between": ["2024-01-01", "2024-01-02"]},
                    "stop": {"expr": "start + INTERVAL '90' MINUTE"},
                    "took": {"expr": "stop - start"},
                },
            }
        },
    }
    load(phony_pdl.load(doc).generate(), url)
    # as in CSV and the other databases: microseconds (DuckDB wrote `01:30:00`)
    assert {str(r[0]) for r in query(connect, "SELECT took FROM t")} == {str(90 * 60 * 1_000_000)}
    with pytest.raises(LoadError, match=r"(?i)duplicate key|constraint"):
        load(phony_pdl.load(doc).generate(), url, create=False)


def test_sqlite_gets_the_double_nearest_each_decimal(tmp_path: Path) -> None:
    import sqlite3

    data = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate(seed=1)
    load(data, f"sqlite:///{tmp_path / 's.db'}")
    conn = sqlite3.connect(tmp_path / "s.db")
    off = conn.execute(
        "SELECT COUNT(*) FROM order_items WHERE unit_price <> ROUND(unit_price, 2)"
    ).fetchone()[0]
    conn.close()
    assert off == 0


def test_sqlite_refuses_nan_like_its_script(tmp_path: Path) -> None:
    doc = {
        "pdl": 1,
        "name": "n",
        "entities": {"t": {"count": 50, "fields": {"x": {"choice": [float("nan"), 1.5]}}}},
    }
    with pytest.raises(LoadError, match="cannot be stored in sqlite"):
        load(phony_pdl.load(doc).generate(seed=3), f"sqlite:///{tmp_path / 'n.db'}")


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_long_names_keep_distinct_foreign_key_names(database) -> None:
    _kind, url, connect = database
    long = "t" * 55
    parent = "c" * 63
    doc = {
        "pdl": 1,
        "name": "long",
        "entities": {
            long: {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "first_captain_id": {"ref": "players.id", "nullable": True},
                    "first_captain_ix": {"ref": "players.id", "nullable": True},
                },
            },
            "players": {
                "count": 20,
                "fields": {"id": {"sequence": 1}, "team": {"ref": f"{long}.id"}},
            },
            parent: {"count": 3, "fields": {"id": {"sequence": 1}, "p": {"ref": "players.id"}}},
        },
    }
    data = phony_pdl.load(doc).generate()
    load(data, url)
    check_loaded(data, _kind, connect)


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_keys_distinct_only_by_case_load(database) -> None:
    _kind, url, connect = database
    doc = {
        "pdl": 1,
        "name": "ci",
        "entities": {
            "t": {
                "count": 1500,
                "fields": {
                    "id": {"sequence": 1},
                    "slug": {"pattern": "[a-zA-Z]{2}", "unique": True},
                },
            }
        },
    }
    load(phony_pdl.load(doc).generate(), url)
    assert query(connect, "SELECT COUNT(DISTINCT slug) FROM t")[0][0] == 1500


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_import_reads_postgres_negative_and_bigint_check_bounds(database, tmp_path: Path) -> None:
    import yaml

    from phony_pdl.importer import import_url

    _kind, url, connect = database
    conn = connect()
    cur = conn.cursor()
    cur.execute(
        "CREATE TABLE neg (id int PRIMARY KEY, x int NOT NULL CHECK (x >= -100 AND x <= -1), "
        "big bigint NOT NULL CHECK (big >= 0 AND big <= 5000000000))"
    )
    conn.commit()
    conn.close()
    text, problems = import_url(url)
    assert not problems, problems
    fields = yaml.safe_load(text)["entities"]["neg"]["fields"]
    assert (fields["x"]["min"], fields["x"]["max"]) == (-100, -1)
    assert fields["big"]["max"] == 5_000_000_000
    load(phony_pdl.load(text).generate(), url, create=False, truncate=True)


def test_import_reads_phonys_own_sqlite_choice_check(tmp_path: Path) -> None:
    import yaml

    from phony_pdl.importer import import_url

    url = f"sqlite:///{tmp_path / 'q.db'}"
    doc = {
        "pdl": 1,
        "name": "q",
        "entities": {
            "t": {
                "count": 20,
                "fields": {"id": {"sequence": 1}, "status": {"choice": ["open", "closed"]}},
            }
        },
    }
    load(phony_pdl.load(doc).generate(), url)
    text, problems = import_url(url)
    assert not problems, problems
    assert set(yaml.safe_load(text)["entities"]["t"]["fields"]["status"]["choice"]) == {
        "open",
        "closed",
    }
    load(phony_pdl.load(text).generate(), url, create=False, truncate=True)


def test_negative_batch_rows_is_a_usage_error(tmp_path: Path) -> None:
    from phony_pdl.errors import UsageError

    data = phony_pdl.load(ROOT / "examples" / "users.yaml").generate()
    with pytest.raises(UsageError, match="--batch-rows must be at least 1"):
        load(data, f"sqlite:///{tmp_path / 'u.db'}", batch_rows=-5)


SEQUENCE_REF = {
    "pdl": 1,
    "name": "seqref",
    "entities": {
        "invoices": {
            "count": 10,
            "fields": {"id": {"sequence": 1}, "number": {"sequence": 1000}},
        },
        "lines": {
            "count": 30,
            "fields": {"id": {"sequence": 1}, "invoice_no": {"ref": "invoices.number"}},
        },
    },
}


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_reference_to_a_sequence_column_loads(database) -> None:
    """pdl.md lets a `ref` point at a `sequence` field; the database needs that column to
    be UNIQUE to accept the foreign key (every target refused the DDL before)."""
    kind, url, connect = database
    dataset = phony_pdl.load(SEQUENCE_REF).generate()
    load(dataset, url)
    check_loaded(dataset, kind, connect)


CRLF_VALUES = ["a\r\nb", "lone\rcr", "crlf at end\r\n", "plain"]


@pytest.mark.parametrize("database", ["sqlite", "postgres", "mysql"], indirect=True)
def test_carriage_returns_survive_the_database_clients(database, tmp_path: Path) -> None:
    """The mysql/mariadb and sqlite3 clients read a script line by line and drop the CR of
    a CR-LF inside a string literal; the script must still store it."""
    kind, url, connect = database
    client = CLIENTS[kind](url, "x")[0]
    if shutil.which(client) is None:
        pytest.skip(f"{client} is not installed")
    dataset = phony_pdl.load(hostile_schema(CRLF_VALUES)).generate()
    dataset.write(tmp_path / "out", format="sql", sql={"dialect": kind})
    script = tmp_path / "out" / "hostile.sql"
    subprocess.run(CLIENTS[kind](url, script), check=True, capture_output=True, timeout=120)
    column = dialect_quote("select", get_dialect(kind))
    table = dialect_quote("order", get_dialect(kind))
    assert sorted(r[0] for r in query(connect, f"SELECT {column} FROM {table}")) == sorted(
        CRLF_VALUES
    )


def test_postgres_database_in_another_encoding_keeps_non_ascii_text(tmp_path: Path) -> None:
    """A LATIN1 database: the loader and the script say they send UTF-8, so `Ünïcødé` is
    stored as 7 letters (it was stored as 11 garbled ones, without an error)."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(**PG, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432: {exc}")
    name = f"phony_latin1_{uuid.uuid4().hex[:8]}"
    admin.execute(
        f"CREATE DATABASE {name} ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'"
    )
    try:
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        values = ["café", "naïve", "Ünïcødé"]
        dataset = phony_pdl.load(hostile_schema(values)).generate()
        load(dataset, url)
        dataset.write(tmp_path / "out", format="sql", sql={"dialect": "postgres"})
        script = (tmp_path / "out" / "hostile.sql").read_text(encoding="utf-8")
        assert "SET client_encoding = 'UTF8';" in script
        with psycopg.connect(**{**PG, "dbname": name}, client_encoding="UTF8") as conn:
            rows = conn.execute('SELECT "select", length("select") FROM "order"').fetchall()
            assert sorted(rows) == sorted((v, len(v)) for v in values)
            conn.execute('DROP TABLE "order"')
            conn.commit()
        if shutil.which("psql"):
            script_path = tmp_path / "out" / "hostile.sql"
            subprocess.run(CLIENTS["postgres"](url, script_path), check=True, capture_output=True,
                           timeout=120)  # fmt: skip
            with psycopg.connect(**{**PG, "dbname": name}, client_encoding="UTF8") as conn:
                rows = conn.execute('SELECT "select", length("select") FROM "order"').fetchall()
                assert sorted(rows) == sorted((v, len(v)) for v in values)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@127.0.0.1:notaport/x", "port after ':' must be a number"),
        ("postgresql://postgres@127.0.0.1:99999/x", "port after ':' must be a number"),
        ("postgresql://u:secret@h:abc/db", r"u:\*\*\*@h"),
        ("sqlite:relative.db", r"write sqlite:// before the rest, e\.g\. sqlite:///data\.db"),
        ("duckdb:x.duckdb", "write duckdb:// before the rest"),
        ("mysql://root@[::1/x", r"cannot read the URL \(Invalid IPv6 URL\)"),
        ("postgresql://u@h:0/x", "port after ':' must be a number from 1 to 65535"),
    ],
)
def test_malformed_database_urls_are_usage_errors(url: str, message: str) -> None:
    from phony_pdl.errors import UsageError
    from phony_pdl.loaders import parse_url

    with pytest.raises(UsageError, match=message) as caught:
        parse_url(url)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_rows_too_big_for_one_packet_load_and_run(database, tmp_path: Path) -> None:
    """1,000 rows of 20 KB text made one INSERT over MariaDB's 16 MiB max_allowed_packet:
    the loader failed (`MySQL server has gone away`) and so did the script in the client.
    Statements now end before 1 MiB of text."""
    _, url, connect = database
    schema = {
        "pdl": 1,
        "name": "huge",
        "entities": {
            "blobs": {
                "count": 1000,
                "fields": {"id": {"sequence": 1}, "body": {"pattern": "([a-z]{1000}){20}"}},
            }
        },
    }
    dataset = phony_pdl.load(schema).generate()
    load(dataset, url)
    assert query(connect, "SELECT COUNT(*), SUM(LENGTH(body)) FROM blobs") == [(1000, 20_000_000)]
    if shutil.which("mariadb"):
        query(connect, "DROP TABLE blobs")
        dataset.write(tmp_path / "out", format="sql", sql={"dialect": "mysql"})
        script = tmp_path / "out" / "huge.sql"
        subprocess.run(CLIENTS["mysql"](url, script), check=True, capture_output=True, timeout=120)
        assert query(connect, "SELECT COUNT(*) FROM blobs") == [(1000,)]


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_system_column_names_are_refused_before_anything_is_created(
    database, tmp_path: Path
) -> None:
    """`xmin` validates (other databases take it) but PostgreSQL cannot create it: the load
    and the script stop first, naming the field, instead of failing in the server."""
    _, url, connect = database
    schema = {
        "pdl": 1,
        "name": "sys",
        "entities": {"m": {"count": 3, "fields": {"id": {"sequence": 1}, "xmin": {"const": 1}}}},
    }
    dataset = phony_pdl.load(schema).generate()
    with pytest.raises(phony_pdl.GenerationError, match=r"m\.xmin: PostgreSQL keeps 'xmin'"):
        load(dataset, url)
    assert tables_in("postgres", connect) == set()
    with pytest.raises(phony_pdl.GenerationError, match="rename the field"):
        dataset.write(tmp_path, format="sql", sql={"dialect": "postgres"})
    assert not (tmp_path / "sys.sql").exists()
    dataset.write(tmp_path, format="sql", sql={"dialect": "mysql"})  # others take the name
    # names are quoted: only the lower-case spelling is the system column's
    schema["entities"]["m"]["fields"] = {"id": {"sequence": 1}, "XMin": {"const": 1}}
    load(phony_pdl.load(schema).generate(), url)
    assert query(connect, 'SELECT "XMin" FROM m') == [(1,), (1,), (1,)]


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_key_text_too_long_says_why(database) -> None:
    _, url, connect = database
    schema = {
        "pdl": 1,
        "name": "longkey",
        "entities": {
            "docs": {
                "count": 5,
                "fields": {
                    "id": {"sequence": 1},
                    "slug": {"pattern": "[a-z]{300}", "unique": True},
                },
            }
        },
    }
    with pytest.raises(LoadError, match=r"docs\.slug, row 1: the value is 300 characters .* a key "
                       r"\(primary, unique or referenced\), as VARCHAR\(255\)"):  # fmt: skip
        load(phony_pdl.load(schema).generate(), url)
    assert tables_in("mysql", connect) == set()


def long_text_schema() -> dict:
    """Authors load first; then the third doc's body is 66,000 bytes of UTF-8 (33,000
    characters): more than MySQL's TEXT holds."""
    return {
        "pdl": 1,
        "name": "longtext",
        "entities": {
            "authors": {"count": 3, "fields": {"id": {"sequence": 1}}},
            "docs": {
                "count": 4,
                "fields": {
                    "id": {"sequence": 1},
                    "author_id": {"ref": "authors.id"},
                    "b": {"pattern": "(é{1000}){33}", "hidden": True},
                    "body": {"expr": "CASE WHEN id >= 3 THEN b ELSE 'short' END"},
                },
            },
        },
    }


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_text_too_long_for_its_column_stops_the_load(database) -> None:
    """A value longer than TEXT holds was refused by the server only as it arrived (and cut
    short by a server that is not strict); the load now stops before sending it, naming the
    field, row, length, limit and fix, and drops the tables it created."""
    _, url, connect = database
    with pytest.raises(LoadError) as exc:
        load(phony_pdl.load(long_text_schema()).generate(block_rows=2), url)
    assert str(exc.value) == (
        "docs.body, row 3: the value is 66,000 bytes long in UTF-8, but the mysql dialect "
        "writes this column as TEXT, which holds at most 65,535 bytes; generate values of at "
        "most 65,535 bytes, or give the field `sql_type: MEDIUMTEXT` (16 MiB) or "
        "`sql_type: LONGTEXT`; nothing was loaded"
    )
    assert tables_in("mysql", connect) == set()
    schema = long_text_schema()
    schema["entities"]["docs"]["fields"]["body"]["sql_type"] = "MEDIUMTEXT"  # the fix given
    load(phony_pdl.load(schema).generate(), url)
    assert query(connect, "SELECT id, LENGTH(body), CHAR_LENGTH(body) FROM docs ORDER BY id") == [
        (1, 5, 5), (2, 5, 5), (3, 66_000, 33_000), (4, 66_000, 33_000)
    ]  # fmt: skip
    # into existing tables (--no-create) the server judges: these hold MEDIUMTEXT
    load(phony_pdl.load(long_text_schema()).generate(), url, create=False, truncate=True)
    assert query(connect, "SELECT MAX(LENGTH(body)) FROM docs") == [(66_000,)]


@pytest.mark.parametrize("database", ["mysql"], indirect=True)
def test_mysql_key_text_counts_characters_not_bytes(database) -> None:
    """VARCHAR(255) holds 255 characters of utf8mb4, however many bytes they take."""
    _, url, connect = database
    slug = {"expr": f"'{'é' * 250}' || CAST(id + 10000 AS TEXT)", "unique": True}
    schema = {
        "pdl": 1,
        "name": "widekey",
        "entities": {"docs": {"count": 3, "fields": {"id": {"sequence": 1}, "slug": slug}}},
    }
    load(phony_pdl.load(schema).generate(), url)
    assert query(connect, "SELECT MAX(CHAR_LENGTH(slug)), MAX(LENGTH(slug)) FROM docs") == [
        (255, 505)
    ]


@pytest.mark.parametrize("database", ["sqlite", "postgres", "duckdb"], indirect=True)
def test_long_text_loads_where_text_is_unbounded(database) -> None:
    kind, url, connect = database
    dataset = phony_pdl.load(long_text_schema()).generate()
    load(dataset, url)
    check_loaded(dataset, kind, connect)


FK_TYPES = {
    "pdl": 1,
    "name": "fk_types",
    "entities": {
        "p": {
            "count": 30,
            "fields": {
                "id": {"sequence": 1},
                "amt": {"type": "decimal(8,3)", "min": 0, "max": 99, "unique": True},
                "day": {
                    "type": "date",
                    "between": ["2020-01-01", "2024-12-31"],
                    "unique": True,
                    "format": "%d/%m/%Y",
                },
            },
        },
        "c": {
            "count": 80,
            "fields": {
                "id": {"sequence": 1},
                "p_id": {"ref": "p.id", "type": "bigint"},
                "p_amt": {"ref": "p.amt", "type": "decimal(8,3)"},
                "p_day": {"ref": "p.day"},
            },
        },
    },
}


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_foreign_keys_to_decimal_and_formatted_keys_load(database) -> None:
    """A foreign key has exactly its key's type (PostgreSQL and MariaDB refuse a FOREIGN KEY
    from a numeric to a bigint column); a key with `format` is text, and so is its foreign
    key (it failed at generation: `cannot convert string to date`)."""
    kind, url, connect = database
    dataset = phony_pdl.load(FK_TYPES).generate(seed=4)
    assert dataset["c"].schema.field("p_day").type == pa.string()
    load(dataset, url)
    check_loaded(dataset, kind, connect)


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_foreign_keys_to_a_unique_key_with_nulls_load(database) -> None:
    """A foreign key to a unique key with a `null_rate` was NULL wherever it picked a parent
    whose key is NULL, and the NOT NULL column refused the rows."""
    kind, url, connect = database
    spec = {
        "pdl": 1,
        "name": "nullable_key",
        "entities": {
            "parents": {
                "count": 50,
                "primary_key": "code",
                "fields": {
                    "code": {"pattern": "[A-Z]{4}", "unique": True},
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
                "count": 300,
                "fields": {"id": {"sequence": 1}, "p_alt": {"ref": "parents.alt"}},
            },
        },
    }
    dataset = phony_pdl.load(spec).generate(seed=1)
    load(dataset, url)
    check_loaded(dataset, kind, connect)
    assert query(connect, "SELECT COUNT(*) FROM kids WHERE p_alt IS NULL")[0][0] == 0


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_import_of_short_text_keys_and_small_unique_domains_loads(database, tmp_path: Path) -> None:
    """A `char(2)` primary key got 4-character codes (the load failed: value too long), and
    a `char(1) UNIQUE` column in a table of 300 rows gave a schema that did not validate."""
    import yaml

    from phony_pdl.importer import import_ddl

    kind, url, connect = database
    ddl = (
        "CREATE TABLE country (code CHAR(2) PRIMARY KEY, name VARCHAR(40) NOT NULL);\n"
        "CREATE TABLE store (store_id INTEGER PRIMARY KEY,\n"
        "  store_code CHAR(1) NOT NULL UNIQUE,\n"
        "  country_code CHAR(2) NOT NULL REFERENCES country (code));\n"
    )
    path = tmp_path / "in.sql"
    path.write_text(ddl)
    text, problems = import_ddl(path, kind, rows=100)
    assert problems == [
        "store: the unique key (store_code) holds only 26 distinct values; the table gets 26 rows"
    ]
    doc = yaml.safe_load(text)
    assert doc["entities"]["country"]["fields"]["code"]["pattern"] == "[A-Z0-9]{2}"
    assert doc["entities"]["store"]["count"] == 26
    conn = connect()
    try:
        cur = conn.cursor()
        for statement in ddl.split(";"):
            if statement.strip():
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()
    load(phony_pdl.load(text).generate(), url, create=False)
    assert query(connect, "SELECT COUNT(DISTINCT store_code), COUNT(*) FROM store") == [(26, 26)]
    assert query(connect, "SELECT MAX(LENGTH(code)), COUNT(*) FROM country") == [(2, 100)]


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_a_load_into_tables_that_hold_rows_says_truncate_empties_them(database) -> None:
    """A second load failed on the primary key without saying that the rows already there
    were the cause, nor how to replace them."""
    kind, url, _connect = database
    dataset = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(seed=1)
    load(dataset, url)
    with pytest.raises(LoadError) as caught:
        load(dataset, url, create=False)
    message = str(caught.value)
    assert message.startswith("loading teams rows 1–"), message
    assert message.endswith(" (teams already held 20 rows; --truncate empties the tables first)")
    if kind != "duckdb":  # DuckDB cannot empty tables with foreign keys in one transaction
        load(dataset, url, create=False, truncate=True)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_serial_and_identity_sequences_move_past_the_loaded_keys(database) -> None:
    """After a load into existing tables, the application's next INSERT took id 1 again
    (duplicate key): COPY with explicit ids leaves the sequences where they were."""
    _kind, url, connect = database
    conn = connect()
    cur = conn.cursor()
    cur.execute('CREATE TABLE "Account" (id serial PRIMARY KEY, name text NOT NULL)')
    cur.execute(
        "CREATE TABLE ledger (no int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        'account_id int NOT NULL REFERENCES "Account" (id))'
    )
    cur.execute("SELECT setval(pg_get_serial_sequence('ledger', 'no'), 5000)")
    conn.commit()
    conn.close()
    doc = {
        "pdl": 1,
        "name": "seqs",
        "entities": {
            "Account": {"count": 40, "fields": {"id": {"sequence": 1}, "name": {"const": "a"}}},
            "ledger": {
                "count": 70,
                "primary_key": "no",
                "fields": {"no": {"sequence": 1}, "account_id": {"ref": "Account.id"}},
            },
        },
    }
    load(phony_pdl.load(doc).generate(), url, create=False)
    conn = connect()
    cur = conn.cursor()
    cur.execute("""INSERT INTO "Account" (name) VALUES ('new') RETURNING id""")
    assert cur.fetchone()[0] == 41
    cur.execute("INSERT INTO ledger (account_id) VALUES (1) RETURNING no")
    assert cur.fetchone()[0] == 5001  # never moved back
    conn.commit()
    conn.close()


@pytest.mark.parametrize("has_setval", [True, False], ids=["setval", "nextval"])
@pytest.mark.parametrize("database", ["duckdb"], indirect=True)
def test_duckdb_sequence_defaults_move_past_the_loaded_keys(
    database, has_setval: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a load into existing DuckDB tables, the application's next INSERT took id 1
    again: a `DEFAULT nextval('seq')` key's sequence stayed where it was. Older DuckDB
    releases have no setval; there the numbers are drawn with nextval instead."""
    from phony_pdl.loaders import backends

    if not has_setval:
        real = backends.DuckDB.scalar
        monkeypatch.setattr(
            backends.DuckDB,
            "scalar",
            lambda self, sql: 0 if "'setval'" in sql else real(self, sql),
        )
    _kind, url, connect = database
    conn = connect()
    conn.execute('CREATE SCHEMA s; CREATE SEQUENCE s."Acc seq"; CREATE SEQUENCE ahead')
    conn.execute("CREATE SEQUENCE late START 1000; CREATE SEQUENCE step INCREMENT 3")
    conn.execute("SELECT MAX(nextval('ahead')) FROM range(5000)")
    conn.execute(
        """CREATE TABLE account (id INTEGER DEFAULT nextval('s."Acc seq"') PRIMARY KEY,
           ledger_no BIGINT DEFAULT nextval('ahead'), late_no INTEGER DEFAULT nextval('late'),
           step_no INTEGER DEFAULT nextval('step'), name VARCHAR NOT NULL)"""
    )
    conn.close()
    fields = {f: {"sequence": 1} for f in ("id", "ledger_no", "late_no", "step_no")}
    doc = {
        "pdl": 1,
        "name": "seqs",
        "entities": {"account": {"count": 40, "fields": {**fields, "name": {"const": "a"}}}},
    }
    load(phony_pdl.load(doc).generate(), url, create=False)
    conn = connect()
    got = conn.execute("INSERT INTO account (name) VALUES ('new') RETURNING *").fetchall()
    conn.close()
    # 41 after the loaded 1..40; 5001 never moved back; 1000: its start is above the
    # loaded keys; 43: the first number past 40 in steps of 3 from 1
    assert got == [(41, 5001, 1000, 43, "new")]


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_text_too_long_for_an_existing_column_names_it(database) -> None:
    """`--no-create` into a VARCHAR(5) column failed with PostgreSQL's `value too long for
    type character varying(5)`, which names no column, and MySQL's hint about the TEXT
    columns Phony would have created. Trailing spaces do not count (the servers drop
    them), so the 6-character 'ok    ' is not blamed."""
    kind, url, connect = database
    conn = connect()
    cur = conn.cursor()
    quoted = '"Item"' if kind == "postgres" else "`Item`"
    cur.execute(
        f"CREATE TABLE {quoted} (id int PRIMARY KEY, tag char(2) NOT NULL, code varchar(5))"
    )
    conn.commit()
    conn.close()
    code = "CASE WHEN id = 7 THEN 'TOOLONG' WHEN id = 6 THEN 'ok    ' ELSE 'ok' END"
    doc = {
        "pdl": 1,
        "name": "short",
        "entities": {
            "Item": {
                "count": 10,
                "fields": {"id": {"sequence": 1}, "tag": {"const": "ab"}, "code": {"expr": code}},
            }
        },
    }
    with pytest.raises(LoadError) as caught:
        load(phony_pdl.load(doc).generate(), url, create=False, batch_rows=4)
    declared = "character varying(5)" if kind == "postgres" else "VARCHAR(5)"
    assert str(caught.value).startswith("loading Item rows 5–8 failed: "), caught.value
    assert str(caught.value).endswith(
        f"; Item.code is {declared} in the database (at most 5 characters), but row 7 holds "
        "7 characters; generate values of at most 5 characters (a shorter `pattern`, `max` on "
        "`type: string`), or write the schema with `phony import URL`, which fits text to "
        "each column's length"
    )
    assert query(connect, 'SELECT COUNT(*) FROM "Item"' if kind == "postgres" else
                 "SELECT COUNT(*) FROM Item") == [(0,)]  # fmt: skip


def _run_script(kind: str, url: str, connect, script: Path) -> None:
    if kind == "duckdb":
        conn = connect()
        conn.execute(script.read_text(encoding="utf-8"))
        conn.close()
        return
    client = CLIENTS[kind](url, script)
    if shutil.which(client[0]) is None:
        pytest.skip(f"{client[0]} is not installed")
    if kind == "sqlite":
        client[3:3] = ["PRAGMA foreign_keys=ON;"]
    subprocess.run(client, check=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("database", TARGETS, indirect=True)
def test_rows_only_sql_script_loads_into_existing_tables(database, tmp_path: Path) -> None:
    """`--format sql --no-create` was refused: there was no script of rows alone to run
    against an existing schema. It is the full script without CREATE and ALTER TABLE."""
    kind, url, connect = database
    dataset = phony_pdl.load(ROOT / "examples" / "teams.yaml").generate(seed=5)
    dataset.write(tmp_path / "full", format="sql", sql={"dialect": kind})
    _run_script(kind, url, connect, tmp_path / "full" / "teams.sql")
    conn = connect()
    for statement in ("UPDATE teams SET captain_id = NULL", "DELETE FROM players",
                      "DELETE FROM teams"):  # fmt: skip
        conn.cursor().execute(statement)
    conn.commit()
    conn.close()
    dataset.write(tmp_path / "rows", format="sql", sql={"dialect": kind, "create": False})
    script = (tmp_path / "rows" / "teams.sql").read_text(encoding="utf-8")
    assert "CREATE TABLE" not in script and "ALTER TABLE" not in script
    assert script.count("INSERT INTO") == (tmp_path / "full" / "teams.sql").read_text(
        encoding="utf-8"
    ).count("INSERT INTO")
    _run_script(kind, url, connect, tmp_path / "rows" / "teams.sql")
    check_loaded(dataset, kind, connect)


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_rows_only_postgres_script_moves_sequences_past_its_keys(database, tmp_path: Path) -> None:
    """As the loader does: serial and identity sequences move to the largest key, never
    backwards nor below their start."""
    _kind, url, connect = database
    conn = connect()
    conn.execute('CREATE TABLE "Account" (id serial PRIMARY KEY, name text NOT NULL)')
    conn.execute("CREATE TABLE ledger (no int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
    conn.execute("CREATE TABLE late (no int GENERATED BY DEFAULT AS IDENTITY (START 1000) "
                 "PRIMARY KEY)")  # fmt: skip
    conn.execute("SELECT setval(pg_get_serial_sequence('ledger', 'no'), 5000)")
    conn.commit()
    conn.close()
    entities = {
        name: {"count": 40, "primary_key": key, "fields": {key: {"sequence": 1}}}
        for name, key in (("Account", "id"), ("ledger", "no"), ("late", "no"))
    }
    entities["Account"]["fields"]["name"] = {"const": "a"}
    doc = {"pdl": 1, "name": "seqs", "entities": entities}
    phony_pdl.load(doc).generate().write(tmp_path, format="sql", sql={"create": False})
    _run_script("postgres", url, connect, tmp_path / "seqs.sql")
    conn = connect()
    got = [
        conn.execute(sql).fetchone()[0]
        for sql in (
            """INSERT INTO "Account" (name) VALUES ('new') RETURNING id""",
            "INSERT INTO ledger DEFAULT VALUES RETURNING no",
            "INSERT INTO late DEFAULT VALUES RETURNING no",
        )
    ]
    conn.close()
    assert got == [41, 5001, 1000]


@pytest.mark.parametrize("database", ["postgres", "mysql"], indirect=True)
def test_imported_text_lengths_are_recreated(database, tmp_path: Path) -> None:
    """An imported `VARCHAR(40)` came back as TEXT from `--create` and SQL scripts: the
    import now keeps a declared text length as the field's `sql_type` (a reference takes
    its key's), in the spelling every dialect reads."""
    from phony_pdl.importer import import_ddl

    kind, url, connect = database
    path = tmp_path / "in.sql"
    path.write_text(
        "CREATE TABLE country (code character(2) PRIMARY KEY, name character varying(40));\n"
        "CREATE TABLE store (id int PRIMARY KEY, email varchar(60) NOT NULL UNIQUE,\n"
        "  country_code char(2) NOT NULL REFERENCES country (code), note text);\n"
    )
    text, _problems = import_ddl(path, "postgres", rows=20)
    load(phony_pdl.load(text).generate(), url)
    schema = "current_schema()" if kind == "postgres" else "DATABASE()"
    got = query(
        connect,
        "SELECT table_name, column_name, data_type, character_maximum_length FROM "
        f"information_schema.columns WHERE table_schema = {schema} AND data_type IN "
        "('character', 'character varying', 'text', 'char', 'varchar') "
        "ORDER BY table_name, ordinal_position",
    )
    char, varchar = (
        ("character", "character varying") if kind == "postgres" else ("char", "varchar")
    )
    assert [(t, c, d, n and int(n)) for t, c, d, n in got] == [
        ("country", "code", char, 2),
        ("country", "name", varchar, 40),
        ("store", "email", varchar, 60),
        ("store", "country_code", char, 2),
        ("store", "note", "text", 65535 if kind == "mysql" else None),  # no length to keep
    ]
