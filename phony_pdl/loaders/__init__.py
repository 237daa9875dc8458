"""Loading straight into databases: `phony generate --schema FILE --to URL`.

One code path for every target: create tables in FK order (or use existing ones),
stream blocks in one transaction, fill cycle foreign keys by UPDATE, verify row
counts and foreign keys, then commit. Any failure rolls back; where the server
commits DDL on its own (MySQL/MariaDB) the tables this run created are dropped.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from ..errors import GenerationError, UsageError
from ..sql.ddl import Table, add_foreign_key, create_table
from ..sql.dialects import Dialect, get_dialect
from ..sql.encode import quote_identifier
from ..sql.script import (
    Deferred,
    orphan_query,
    require_fitting_text,
    require_keys_for_cycles,
    require_storable_names,
    schema_tables,
    split_deferred,
    update_statements,
)


class LoadError(GenerationError):
    """A load failed; the database was left as it was before the run."""


@dataclass
class Target:
    scheme: str
    dialect: Dialect
    url: str
    path: str | None = None  # file databases
    params: dict[str, Any] = field(default_factory=dict)


_SCHEMES = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "duckdb": "duckdb",
}
_EXTRAS = {
    "postgres": ("psycopg", "postgres"),
    "mysql": ("pymysql", "mysql"),
    "duckdb": ("duckdb", "duckdb"),
}


_DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}


def parse_url(url: str, option: str = "--to") -> Target:
    """`option`: how the user gave the URL, for messages (`--to`, or `source` for infer)."""
    try:
        parsed = urlparse(url)
    except ValueError as exc:  # `[::1` without its `]`
        raise UsageError(f"{option}: cannot read the URL ({exc}); write it as in "
                         "postgresql://user@host:5432/dbname") from None  # fmt: skip
    scheme = parsed.scheme.split("+")[0].lower()
    if scheme not in _SCHEMES:
        raise UsageError(
            f"{option} {url!r}: unknown database scheme '{parsed.scheme}'; use sqlite:///file.db, "
            "postgresql://user@host/db, mysql://user@host/db, mariadb://… or duckdb:///file.duckdb"
        )
    dialect = get_dialect(_SCHEMES[scheme])
    if "://" not in url:  # sqlite:file.db, duckdb:x.duckdb
        example = (
            f"{scheme}:///data.db for a file data.db here"
            if scheme in ("sqlite", "duckdb")
            else f"{scheme}://user@host/dbname"
        )
        raise UsageError(
            f"{option} {redact(url)!r}: write {scheme}:// before the rest, e.g. {example}"
        )
    if scheme in ("sqlite", "duckdb"):
        path = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0]  # query: ignored
        path = (
            path[1:] if path.startswith("/") else path
        )  # sqlite:///rel.db → rel.db, sqlite:////abs → /abs
        if not path:
            raise UsageError(f"{option} {url!r}: give a file, e.g. {scheme}:///data.db")
        return Target(scheme, dialect, url, path=path)
    try:
        port = parsed.port
        if port == 0:
            raise ValueError("port 0")
    except ValueError:
        raise UsageError(
            f"{option} {redact(url)!r}: the port after ':' must be a number from 1 to 65535, "
            f"e.g. {scheme}://user@127.0.0.1:{_DEFAULT_PORTS.get(scheme, 5432)}/dbname"
        ) from None
    params = {
        "host": parsed.hostname or "127.0.0.1",
        "port": port,
        "user": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "database": parsed.path.lstrip("/") or None,
    }
    if not params["database"]:
        raise UsageError(f"{option} {url!r}: name the database, e.g. {scheme}://user@host/dbname")
    if dialect.name == "postgres":
        # libpq's `options` (`?options=-c%20search_path%3Dstaging`): the schema that
        # unqualified table names resolve in, for import and load alike
        options = parse_qs(parsed.query).get("options")
        if options:
            params["options"] = options[-1]
    return Target(scheme, dialect, redact(url), params=params)


def redact(url: str) -> str:
    """The URL with its password replaced by `***`, for messages."""
    parsed = urlparse(url)
    if not parsed.password:
        return url
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


def require_driver(dialect_name: str) -> Any:
    module, extra = _EXTRAS[dialect_name]
    try:
        return __import__(module)
    except ImportError:
        raise UsageError(
            f"loading into {dialect_name} needs the '{module}' driver: pip install 'phony-pdl[{extra}]'"
        ) from None


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load(
    dataset: Any,
    url: str,
    *,
    create: bool = True,
    truncate: bool = False,
    checks: bool = True,
    batch_rows: int | None = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Load every entity of a dataset into the database at `url`, all or nothing."""
    if batch_rows is not None and batch_rows < 1:
        raise UsageError(f"--batch-rows must be at least 1, got {batch_rows}")
    target = parse_url(url)
    tables = schema_tables(dataset, checks)
    require_keys_for_cycles(tables)
    require_storable_names(tables, target.dialect)
    dataset.prepare()
    # a database file this run creates is removed again if the load fails
    new_file = Path(target.path) if target.path and not Path(target.path).exists() else None
    try:
        return _load(dataset, target, tables, create, truncate, checks, batch_rows, workers,
                     progress)  # fmt: skip
    except BaseException:
        if new_file is not None:
            for leftover in (new_file, new_file.with_name(new_file.name + ".wal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        raise


def _load(
    dataset: Any,
    target: Target,
    tables: list[Table],
    create: bool,
    truncate: bool,
    checks: bool,
    batch_rows: int | None,
    workers: int,
    progress: Callable[[str, int, int], None] | None,
) -> LoadReport:
    from .backends import Backend, connect

    backend = connect(target)
    report = LoadReport()
    started = time.perf_counter()
    created: list[str] = []
    try:
        backend.begin()
        prepare_tables(backend, tables, create=create, checks=checks, created=created)
        if not target.dialect.transactional_ddl:
            backend.begin_data()  # after the DDL (which MySQL commits), before any DELETE or INSERT
        before = empty_or_count(backend, tables, truncate=truncate)
        # read now: after a failed row PostgreSQL answers nothing until the rollback
        declared = {} if create else {t.name: backend.declared_lengths(t.name) for t in tables}
        checks_held = {} if create else {t.name: backend.declared_checks(t.name) for t in tables}
        held: dict[str, Deferred] = {}
        for table in tables:
            total = dataset.count(table.entity)
            done = 0
            if progress:
                progress(table.entity, 0, total)
            for batch in dataset.iter_batches(table.entity, workers=workers):
                if create:  # tables of our making; existing ones may be wider (the server judges)
                    require_fitting_text(batch, table, target.dialect, done)
                batch = split_deferred(batch, table, held)
                step = batch_rows or batch.num_rows or 1
                for start in range(0, batch.num_rows, step):
                    part = batch.slice(start, step)
                    try:
                        backend.insert(table, part)
                    except Exception as exc:
                        first = done + start
                        rows = f"loading {table.name} rows {first + 1}–{first + part.num_rows}"
                        too_long = too_long_text(part, table.name, declared.get(table.name), first)
                        if too_long:  # the server's own words seldom name the column
                            raise LoadError(
                                f"{rows} failed: {Backend.message(exc)}; {too_long}"
                            ) from exc
                        message = backend.message(exc)
                        check = broken_check(message, table.name, checks_held.get(table.name))
                        if check:
                            raise LoadError(f"{rows} failed: {message}; {check}") from exc
                        # a key clash with the rows already there is the usual cause
                        held_rows = before.get(table.name, 0)
                        hint = (
                            f" ({table.name} already held {held_rows:,} rows; --truncate "
                            "empties the tables first)"
                            if held_rows
                            else ""
                        )
                        raise LoadError(f"{rows} failed: {backend.message(exc)}{hint}") from exc
                done += batch.num_rows
                if progress:
                    progress(table.entity, done, total)
            report.rows[table.entity] = done
        for d in held.values():
            for statement in update_statements(d, target.dialect):
                try:
                    backend.execute(statement)
                except Exception as exc:
                    raise LoadError(
                        f"filling {d.table}.{d.column} failed: {backend.message(exc)}"
                    ) from exc
        verify(backend, tables, before, report)
        backend.advance_sequences(tables)  # existing tables' or the identity columns made
        try:
            backend.commit()
        except BaseException as exc:
            # a COMMIT that was interrupted may have finished on the server: do not claim
            # that nothing was loaded
            raise LoadError(
                f"the final COMMIT was interrupted ({backend.message(exc) or 'interrupted'}); "
                "the database may or may not hold this load: check the row counts"
            ) from exc
    except BaseException as exc:
        backend.rollback_and_cleanup(created)
        if isinstance(exc, LoadError | UsageError | KeyboardInterrupt):
            raise
        if isinstance(exc, GenerationError):
            raise LoadError(f"{exc}; nothing was loaded") from exc
        raise LoadError(f"load failed: {backend.message(exc)}; nothing was loaded") from exc
    finally:
        backend.close()
    report.seconds = time.perf_counter() - started
    return report


def broken_check(message: str, table: str, checks: dict[str, str] | None) -> str | None:
    """What an existing table's CHECK that refused a row says, and how to keep it: the
    server's message gives only the constraint's name."""
    for name, definition in (checks or {}).items():
        if name in message:
            bare = name.strip('`"')
            return (
                f"{bare} is {definition} in the database: keep {table}'s values "
                "inside it (`min`/`max`, a `choice` list, `after:` for two columns in order), "
                "or write the schema with `phony import URL`, which reads CHECK ranges, lists "
                "and orderings"
            )
    return None


def too_long_text(
    batch: Any, table: str, declared: dict[str, tuple[str, int]] | None, first_row: int
) -> str | None:
    """Why a failed batch does not fit an existing table: the first value longer than its
    column's declared CHAR or VARCHAR length, or None. Trailing spaces do not count: the
    servers drop those silently."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, (sql_type, limit) in (declared or {}).items():
        index = batch.schema.get_field_index(name)
        if index < 0 or not pa.types.is_string(batch.schema.field(index).type):
            continue
        lengths = pc.utf8_length(pc.utf8_rtrim(batch.column(index), characters=" "))
        over = pc.fill_null(pc.greater(lengths, limit), False).to_numpy(zero_copy_only=False)
        if not over.any():
            continue
        row = int(np.flatnonzero(over)[0])
        return (
            f"{table}.{name} is {sql_type} in the database (at most {limit:,} characters), "
            f"but row {first_row + row + 1:,} holds {lengths[row].as_py():,} characters; "
            f"generate values of at most {limit:,} characters (a shorter `pattern`, `max` "
            "on `type: string`), or write the schema with `phony import URL`, which fits "
            "text to each column's length"
        )
    return None


def prepare_tables(
    backend: Any, tables: list[Table], *, create: bool, checks: bool, created: list[str]
) -> None:
    """Create the tables (or check that they exist)."""
    dialect = backend.dialect
    existing = {t.name for t in tables if backend.table_exists(t.name)}
    if create:
        clash = [t.name for t in tables if t.name in existing]
        if clash:
            raise LoadError(
                f"table(s) {', '.join(clash)} already exist; use --no-create to load into existing "
                "tables (with --truncate to empty them first), or drop them"
            )
        for table in tables:
            sql = create_table(
                table, dialect, inline_deferred=dialect.forward_fk == "inline", checks=checks
            )
            # noted first: interrupted mid-statement, the server may still finish the CREATE,
            # and cleanup drops IF EXISTS (none of these tables existed before: see clash)
            created.append(table.name)
            backend.execute(sql)
        if dialect.forward_fk == "alter":
            for table in tables:
                for fk in table.deferred:
                    backend.execute(add_foreign_key(table, fk, dialect))
        return
    missing = [t.name for t in tables if t.name not in existing]
    if missing:
        hint = backend.elsewhere(missing)
        raise LoadError(
            f"--no-create: table(s) {', '.join(missing)} do not exist{hint}; create them or "
            "drop --no-create"
        )


def empty_or_count(backend: Any, tables: list[Table], *, truncate: bool) -> dict[str, int]:
    """Empty the tables (--truncate, inside the load's transaction) or count their rows."""
    dialect = backend.dialect
    if truncate:
        empty_tables(backend, tables)
    return {
        t.name: backend.scalar(f"SELECT COUNT(*) FROM {quote_identifier(t.name, dialect)}")
        for t in tables
    }


def empty_tables(backend: Any, tables: list[Table]) -> None:
    """--truncate inside the load's transaction. PostgreSQL: one TRUNCATE of all of them
    (row-by-row DELETEs check every row against unindexed foreign keys: minutes for 100k
    rows). Elsewhere: keys that point forward or at the own table set to NULL first (a NOT
    NULL self-reference to the row itself), then DELETEs, children before parents, so no
    row is deleted while another points at it."""
    dialect = backend.dialect
    q = quote_identifier
    names = {t.name for t in tables}
    if dialect.name == "postgres":
        backend.execute("SAVEPOINT phony_truncate")
        try:
            backend.execute(f"TRUNCATE {', '.join(q(t.name, dialect) for t in tables)}")
            return
        except Exception:  # another table points at these: DELETE what may be deleted
            backend.execute("ROLLBACK TO SAVEPOINT phony_truncate")
    if dialect.name == "duckdb" and any(
        fk.parent in names for t in tables for fk in t.foreign_keys
    ):
        raise LoadError(
            "--truncate: DuckDB cannot delete rows that a foreign key pointed at earlier in "
            "the same transaction, so these tables cannot be emptied in one; load into a new "
            "file, or drop the tables and load without --no-create"
        )
    if dialect.name == "mysql":
        for table in tables:
            not_null = {c.name for c in table.columns if not c.nullable}
            stuck = [
                fk.column
                for fk in table.foreign_keys
                if fk.parent == table.name and fk.column in not_null
            ]
            if stuck:
                raise LoadError(
                    f"--truncate: {table.name}.{stuck[0]} is a NOT NULL reference to its own "
                    "table, and InnoDB refuses to delete a row that a row (even itself) "
                    "points at, so the table cannot be emptied inside the load's "
                    "transaction; drop the tables and load without --no-create"
                )
    for table in tables:
        self_keys = [fk for fk in table.foreign_keys if fk.parent == table.name]
        not_null = {c.name for c in table.columns if not c.nullable}
        for fk in [*table.deferred, *(k for k in self_keys if k not in table.deferred)]:
            # A NOT NULL self-reference cannot be NULL: each row points at itself instead,
            # which no other row's deletion can break.
            value = (
                q(fk.parent_column, dialect)
                if fk.parent == table.name and fk.column in not_null
                else "NULL"
            )
            backend.execute(
                f"UPDATE {q(table.name, dialect)} SET {q(fk.column, dialect)} = {value}"
            )
    for table in reversed(tables):  # children first, so no foreign key points at a deleted row
        backend.execute(f"DELETE FROM {q(table.name, dialect)}")


def verify(backend: Any, tables: list[Table], before: dict[str, int], report: LoadReport) -> None:
    dialect = backend.dialect
    for table in tables:
        count = backend.scalar(f"SELECT COUNT(*) FROM {quote_identifier(table.name, dialect)}")
        expected = before[table.name] + report.rows.get(table.entity, 0)
        if count != expected:
            raise LoadError(
                f"{table.name}: the database holds {count:,} rows, expected {expected:,}"
            )
        for fk in table.foreign_keys:
            orphans = backend.scalar(orphan_query(table, fk, dialect))
            if orphans:
                raise LoadError(
                    f"{table.name}.{fk.column}: {orphans:,} rows reference missing {fk.parent}.{fk.parent_column}"
                )
        for key in table.composite_keys:
            orphans = backend.scalar(orphan_query(table, key, dialect))
            if orphans:
                raise LoadError(
                    f"{table.name} ({', '.join(key.columns)}): {orphans:,} rows reference "
                    f"missing {key.parent} ({', '.join(key.parent_columns)})"
                )
