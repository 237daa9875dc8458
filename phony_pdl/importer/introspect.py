"""Live databases → DDL text → Catalog, so one parser serves files and servers alike.

SQLite and DuckDB keep each table's CREATE statement; MySQL/MariaDB return it from
SHOW CREATE TABLE; PostgreSQL's is rebuilt from its catalog (pg_catalog functions).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputNotFoundError, UsageError
from ..loaders import parse_url, require_driver
from .ddl import column_default, parse_ddl
from .model import Catalog
from .stats import mariadb_stats, postgres_stats


def catalog_from_url(url: str, *, stats: bool = False) -> tuple[Catalog, str]:
    """The tables of a live database, for `phony import` and `phony infer`; with `stats`,
    each table's statistics where the database keeps them (PostgreSQL, MariaDB: see
    importer/stats.py), never its rows.

    A missing SQLite or DuckDB file is an error (connecting would create an empty one), as
    is a server that refuses the connection: both as UsageError naming the URL."""
    target = parse_url(url, "database URL")
    kind = target.dialect.name
    if (
        kind in ("sqlite", "duckdb")
        and target.path != ":memory:"
        and not Path(target.path).is_file()
    ):
        raise InputNotFoundError(f"{target.url}: no such database file '{target.path}'")
    try:
        return _catalog(target, stats)
    except UsageError:
        raise
    except Exception as exc:  # the drivers' own errors: refused, unknown database, bad password
        text = str(exc).strip()
        reason = text.splitlines()[0] if text else type(exc).__name__
        raise UsageError(f"cannot read {target.url}: {reason}") from exc


def _catalog(target, stats: bool = False) -> tuple[Catalog, str]:
    kind = target.dialect.name
    if kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(target.path)
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        ).fetchall()
        catalog = parse_ddl(";\n".join(r[0] for r in rows), "sqlite")
        defaults = {}
        for table in catalog.tables:
            quoted = '"' + table.name.replace('"', '""') + '"'
            for row in conn.execute(f"PRAGMA table_info({quoted})").fetchall():
                # dflt_value: the text as written, without the parentheses SQLite wants
                # around an expression (`DEFAULT (datetime('now'))`): put back
                found = column_default(row[4], "sqlite")
                portable = found is None or found[1]
                defaults[(table.name, row[1])] = row[4] if portable else f"({row[4]})"
        conn.close()
        _set_defaults(catalog, defaults)
        return catalog, target.path.rsplit("/", 1)[-1].split(".")[0]
    if kind == "duckdb":
        duckdb = require_driver("duckdb")
        conn = duckdb.connect(target.path, read_only=True)
        rows = conn.execute("SELECT sql FROM duckdb_tables() ORDER BY table_oid").fetchall()
        conn.close()
        return parse_ddl("\n".join(r[0] for r in rows), "duckdb"), target.path.rsplit("/", 1)[
            -1
        ].split(".")[0]
    if kind == "mysql":
        pymysql = require_driver("mysql")
        p = {k: v for k, v in target.params.items() if v is not None}
        conn = pymysql.connect(charset="utf8mb4", **p)
        cur = conn.cursor()
        cur.execute("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")
        names = [r[0] for r in cur.fetchall()]
        ddl = []
        for name in names:
            cur.execute(f"SHOW CREATE TABLE `{name}`")
            ddl.append(cur.fetchone()[1] + ";")
        # Dependency order matters for readers; SHOW FULL TABLES is alphabetical, which PDL does not mind.
        catalog = parse_ddl("\n".join(ddl), "mysql")
        cur.execute("SELECT VERSION()")
        quoted = _mariadb_quotes_defaults(cur.fetchone()[0])
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_DEFAULT, EXTRA, DATA_TYPE "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s",
            (target.params["database"],),
        )
        _set_defaults(
            catalog,
            {
                (table, column): mysql_default(value, extra, data_type, quoted=quoted)
                for table, column, value, extra, data_type in cur.fetchall()
            },
        )
        if stats:
            try:
                mariadb_stats(cur, target.params["database"], catalog)
            except pymysql.err.MySQLError as exc:  # MySQL (no mysql.column_stats), no grant
                if exc.args and exc.args[0] not in (1146, 1142):  # no such table, denied
                    raise
        conn.close()
        return catalog, target.params["database"]
    psycopg = require_driver("postgres")
    p = {k: v for k, v in target.params.items() if v is not None}
    p["dbname"] = p.pop("database")
    with psycopg.connect(**p) as conn:
        text, notes, defaults = _postgres_ddl(conn)
        catalog = parse_ddl(text, "postgres")
        catalog.problems.extend(notes)
        _set_defaults(catalog, defaults)
        if stats:
            postgres_stats(conn, catalog)
        if not catalog.tables:
            _no_tables_on_the_search_path(conn, target.url)
        return catalog, p["dbname"]


def _no_tables_on_the_search_path(conn, url: str) -> None:
    """Tables in other schemas only: name them and how to import one (PostgreSQL)."""
    path = conn.execute("SELECT current_setting('search_path')").fetchone()[0]
    others = conn.execute(
        "SELECT n.nspname, COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND NOT n.nspname = ANY(current_schemas(false)) "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%' "
        "GROUP BY n.nspname ORDER BY COUNT(*) DESC, n.nspname"
    ).fetchall()
    if not others:
        return
    listed = ", ".join(
        f"{name} ({count} table{'s' if count != 1 else ''})" for name, count in others
    )
    first = others[0][0]
    sep = "&" if "?" in url else "?"
    raise UsageError(
        f"{url}: no tables in the schemas of the search path ({path}); other schemas hold "
        f"{listed}. To import {first}, add {sep}options=-c%20search_path%3D{first} to the URL "
        f"(or set PGOPTIONS='-c search_path={first}'), and load with the same URL"
    )


def _set_defaults(catalog: Catalog, defaults: dict[tuple[str, str], str | None]) -> None:
    """Each column's DEFAULT as the database itself writes it back, verbatim (sqlglot would
    write `now()` as CURRENT_TIMESTAMP), in place of the one read from the DDL."""
    for table in catalog.tables:
        for column in table.columns:
            if (table.name, column.name) in defaults:
                column.default = defaults[(table.name, column.name)]


def _mariadb_quotes_defaults(version: str) -> bool:
    """Whether information_schema.COLUMNS.COLUMN_DEFAULT holds SQL (`'active'`, `NULL` for
    DEFAULT NULL, `current_timestamp()`): MariaDB 10.2.7 and later. MySQL, and MariaDB
    before, hold a literal's value unquoted (`active`) and SQL NULL for DEFAULT NULL."""
    found = re.match(r"(\d+)\.(\d+)\.(\d+)", version)
    if "mariadb" not in version.lower() or found is None:
        return False
    return tuple(int(n) for n in found.groups()) >= (10, 2, 7)


# MySQL types whose default literal is a number, written without quotes
_MYSQL_NUMBERS = {
    "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
    "float", "double", "real", "year",
}  # fmt: skip
_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")
_MYSQL_NOW = re.compile(r"current_timestamp(\(\d*\))?", re.IGNORECASE)


def mysql_default(
    value: str | None, extra: str | None, data_type: str | None, *, quoted: bool
) -> str | None:
    """information_schema.COLUMNS.COLUMN_DEFAULT as SQL text. MariaDB's (`quoted`, see
    _mariadb_quotes_defaults) is SQL already. MySQL's is a literal's value unquoted
    (`active`, `0`) or, with EXTRA `DEFAULT_GENERATED` (and CURRENT_TIMESTAMP before MySQL
    8.0.13), an expression, which MySQL takes only in parentheses (`(uuid())`)."""
    if value is None or quoted:
        return value
    kind = (data_type or "").lower()
    if _MYSQL_NOW.fullmatch(value.strip()):
        return value.strip()
    if "default_generated" in (extra or "").lower():
        return f"({value})"
    if kind in _MYSQL_NUMBERS and _NUMBER.fullmatch(value):
        return value
    if kind == "bit" and value.startswith("b'"):
        return value
    # a backslash is an escape in MySQL's literals (Phony's sessions keep that mode)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _postgres_ddl(conn) -> tuple[str, list[str], dict[tuple[str, str], str | None]]:
    """CREATE statements for the tables of the search path, notes on what is left out, and
    each column's default as pg_get_expr writes it (None for an identity, serial or
    generated column's, which the CREATE statement already says)."""
    statements, notes = [], []
    defaults: dict[tuple[str, str], str | None] = {}
    for schema, table in conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND NOT n.nspname = ANY(current_schemas(false)) "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%' "
        "ORDER BY n.nspname, c.relname"
    ).fetchall():
        notes.append(
            f"table {schema}.{table}: schema {schema} is not on the search path "
            "(entities are loaded by unqualified name); skipped"
        )
    for name, labels in conn.execute(
        "SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t "
        "JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname"
    ).fetchall():
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in labels)
        statements.append(f'CREATE TYPE "{name}" AS ENUM ({values});')
    # domains (`CREATE DOMAIN positive_price AS numeric(10,2) CHECK (VALUE > 0)`): a column
    # of one is read as its base type with the domain's NOT NULL and CHECKs
    for name, base, not_null, checks in conn.execute(
        "SELECT t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull, "
        "array_remove(array_agg(pg_get_constraintdef(c.oid) ORDER BY c.conname), NULL) "
        "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "LEFT JOIN pg_constraint c ON c.contypid = t.oid "
        "WHERE t.typtype = 'd' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "GROUP BY t.oid, t.typname, t.typbasetype, t.typtypmod, t.typnotnull ORDER BY t.typname"
    ).fetchall():
        parts = [base] + (["NOT NULL"] if not_null else []) + list(checks)
        statements.append(f'CREATE DOMAIN "{name}" AS {" ".join(parts)};')
    tables = conn.execute(
        "SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        # the schemas an unqualified name resolves in (search_path): the tables are read,
        # and named in the PDL, without their schema
        "WHERE c.relkind = 'r' AND n.nspname = ANY(current_schemas(false)) ORDER BY c.oid"
    ).fetchall()
    for oid, _schema, table in tables:
        columns = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            (oid,),
        ).fetchall()
        lines = []
        for name, type_, not_null, default, identity, generated in columns:
            line = f'"{name}" {type_}'
            defaults[(table, name)] = None
            if generated == "s":  # the default is the generation expression
                line += f" GENERATED ALWAYS AS ({default}) STORED"
            elif identity or (default or "").startswith("nextval("):
                line += " GENERATED BY DEFAULT AS IDENTITY"
            else:
                defaults[(table, name)] = default
            if not_null:
                line += " NOT NULL"
            lines.append(line)
        for (definition,) in conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s ORDER BY contype DESC, conname",
            (oid,),
        ).fetchall():
            lines.append(definition)
        statements.append(f'CREATE TABLE "{table}" (\n  ' + ",\n  ".join(lines) + "\n);")
        # unique indexes that back no constraint (CREATE UNIQUE INDEX): plain columns, no
        # WHERE clause (a partial index constrains only some rows)
        for (names,) in conn.execute(
            "SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i "
            "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE i.indrelid = %s AND i.indisunique AND NOT i.indisprimary "
            "AND i.indpred IS NULL AND i.indexprs IS NULL AND k.n <= i.indnkeyatts "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid "
            "AND x.conrelid = i.indrelid AND x.contype IN ('p', 'u', 'x')) "
            "GROUP BY i.indexrelid ORDER BY i.indexrelid",
            (oid,),
        ).fetchall():
            columns = ", ".join(f'"{n}"' for n in names)
            statements.append(f'CREATE UNIQUE INDEX ON "{table}" ({columns});')
        for (definition,) in conn.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s "
            "AND indisunique AND (indpred IS NOT NULL OR indexprs IS NOT NULL) ORDER BY indexrelid",
            (oid,),
        ).fetchall():
            notes.append(f"{table}: {definition} (on an expression or some rows) is not kept")
    return "\n".join(statements), notes, defaults
