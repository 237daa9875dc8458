"""One small class per database: connect, run SQL, insert a batch the fast way, clean up."""

from __future__ import annotations

import abc
import contextlib
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..sql.ddl import Table
from ..sql.dialects import MYSQL_SQL_MODE, Dialect, get_dialect
from ..sql.encode import copy_rows, insert_statement_list, nonfinite, quote_identifier
from . import Target, require_driver


class Backend(abc.ABC):
    dialect: Dialect

    def __init__(self, target: Target) -> None:
        self.target = target
        self.dialect = target.dialect
        self.conn: Any = None

    # transactions -------------------------------------------------------
    def begin(self) -> None:
        self.execute("BEGIN")

    def begin_data(self) -> None:  # noqa: B027 (an optional hook: most targets need nothing)
        """Start the data transaction after auto-committed DDL (MySQL)."""

    def commit(self) -> None:
        self.conn.commit()

    def rollback_and_cleanup(self, created: list[str]) -> None:
        # The connection may be gone (killed); then the server has rolled back already.
        with contextlib.suppress(Exception):
            self.conn.rollback()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    # statements ---------------------------------------------------------
    def execute(self, sql: str) -> None:
        cur = self.conn.cursor()
        cur.execute(sql)
        cur.close()

    def scalar(self, sql: str) -> Any:
        cur = self.conn.cursor()
        cur.execute(sql)
        value = cur.fetchone()[0]
        cur.close()
        return value

    def elsewhere(self, names: list[str]) -> str:
        """A hint when tables missing for --no-create exist where the URL does not look."""
        return ""

    def advance_sequences(self, tables: list[Table]) -> None:  # noqa: B027 (optional hook)
        """Move the sequences behind loaded serial or identity columns past their values."""

    def declared_lengths(self, name: str) -> dict[str, tuple[str, int]]:
        """{column: (declared type, characters)} of an existing table's CHAR and VARCHAR
        columns; empty where the database does not hold text to a length (SQLite, DuckDB)."""
        return {}

    def declared_checks(self, name: str) -> dict[str, str]:
        """{constraint name as the server's messages write it: CHECK (…)} of an existing
        table; empty where its messages name no constraint (SQLite, DuckDB)."""
        return {}

    @abc.abstractmethod
    def table_exists(self, name: str) -> bool:
        """Whether the table exists in the target database."""

    def insert(self, table: Table, batch: pa.RecordBatch) -> None:
        for start in range(0, batch.num_rows, self.dialect.max_insert_rows):
            part = batch.slice(start, self.dialect.max_insert_rows)
            for statement in insert_statement_list(table.name, part, self.dialect, part.num_rows):
                self.execute(statement.decode())

    @staticmethod
    def message(exc: BaseException) -> str:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class SQLite(Backend):
    def __init__(self, target: Target) -> None:
        import sqlite3

        super().__init__(target)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so DDL is inside the transaction too.
        self.conn = sqlite3.connect(target.path, isolation_level=None)
        self.conn.execute("PRAGMA foreign_keys = ON")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback_and_cleanup(self, created: list[str]) -> None:
        with contextlib.suppress(Exception):
            self.conn.execute("ROLLBACK")

    def table_exists(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
            (name,),
        ).fetchone()
        return row is not None

    def insert(self, table: Table, batch: pa.RecordBatch) -> None:
        from ..engine.arrow import decimal_to_float

        columns = []
        for name, arr in zip(batch.schema.names, batch.columns, strict=True):
            t = arr.type
            if pa.types.is_decimal(t):  # the double nearest each decimal, as its text reads
                arr = decimal_to_float(arr)
            elif pa.types.is_temporal(t):
                arr = pc.cast(arr, pa.string())
            elif pa.types.is_boolean(t):
                arr = pc.cast(arr, pa.int8())
            elif pa.types.is_floating(t):
                nonfinite(arr, self.dialect, f"{table.name}.{name}")  # NaN: an error
            columns.append(arr.to_pylist())
        names = ", ".join(quote_identifier(n, self.dialect) for n in batch.schema.names)
        marks = ", ".join("?" * batch.num_columns)
        sql = f"INSERT INTO {quote_identifier(table.name, self.dialect)} ({names}) VALUES ({marks})"
        self.conn.executemany(sql, zip(*columns, strict=True))


class PostgreSQL(Backend):
    def __init__(self, target: Target) -> None:
        psycopg = require_driver("postgres")
        super().__init__(target)
        p = {k: v for k, v in target.params.items() if v is not None}
        if "database" in p:
            p["dbname"] = p.pop("database")
        # text goes over the wire as UTF-8 whatever the database's own encoding
        self.conn = psycopg.connect(application_name="phony", client_encoding="UTF8", **p)

    def begin(self) -> None:
        pass  # psycopg opens a transaction on the first statement (autocommit is off)

    def table_exists(self, name: str) -> bool:
        return bool(
            self.scalar(
                f"SELECT to_regclass('{quote_identifier(name, self.dialect).replace(chr(39), chr(39) * 2)}') IS NOT NULL"
            )
        )

    def elsewhere(self, names: list[str]) -> str:
        rows = self.conn.execute(
            "SELECT n.nspname, COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s) "
            "AND NOT n.nspname = ANY(current_schemas(false)) "
            "GROUP BY n.nspname ORDER BY COUNT(*) DESC, n.nspname",
            (names,),
        ).fetchall()
        if not rows:
            return ""
        path = self.scalar("SELECT current_setting('search_path')")
        schema, count = rows[0]
        sep = "&" if "?" in self.target.url else "?"
        return (
            f" in the search path ({path}); schema {schema} holds {count} of them: add "
            f"{sep}options=-c%20search_path%3D{schema} to the URL (or set "
            f"PGOPTIONS='-c search_path={schema}')"
        )

    def declared_lengths(self, name: str) -> dict[str, tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod), atttypmod - 4 FROM pg_attribute "
            "WHERE attrelid = to_regclass(%s) AND attnum > 0 AND NOT attisdropped "
            "AND atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND atttypmod > 4 "
            "ORDER BY attnum",
            (quote_identifier(name, self.dialect),),
        ).fetchall()
        return {column: (sql_type, limit) for column, sql_type, limit in rows}

    def declared_checks(self, name: str) -> dict[str, str]:
        rows = self.conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%s) AND contype = 'c' ORDER BY conname",
            (quote_identifier(name, self.dialect),),
        ).fetchall()
        return {f'"{conname}"': definition for conname, definition in rows}

    def advance_sequences(self, tables: list[Table]) -> None:
        # COPY with explicit ids leaves a serial or identity column's sequence at its start:
        # the application's next INSERT would take id 1 again. Never moved backwards (a
        # sequence may serve other tables too). setval is not rolled back: a failed COMMIT
        # after it leaves only a gap in the numbers.
        for table in tables:
            relation = quote_identifier(table.name, self.dialect)
            for column in table.columns:
                sequence = self.conn.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", (relation, column.name)
                ).fetchone()[0]
                if sequence is None:
                    continue
                name = quote_identifier(column.name, self.dialect)
                self.execute(
                    f"SELECT setval('{sequence.replace(chr(39), chr(39) * 2)}', "
                    f"GREATEST(m, (SELECT last_value FROM {sequence}))) "
                    f"FROM (SELECT MAX({name}) AS m FROM {relation}) AS loaded WHERE m IS NOT NULL"
                )

    def insert(self, table: Table, batch: pa.RecordBatch) -> None:
        columns = ", ".join(quote_identifier(n, self.dialect) for n in batch.schema.names)
        with (
            self.conn.cursor() as cur,
            cur.copy(
                f"COPY {quote_identifier(table.name, self.dialect)} ({columns}) FROM STDIN"
            ) as copy,
        ):
            copy.write(copy_rows(batch, table.name))

    @staticmethod
    def message(exc: BaseException) -> str:
        diag = getattr(exc, "diag", None)
        text = str(exc).strip()
        if diag is not None and getattr(diag, "context", None):
            line = re.search(r"line (\d+)", diag.context)
            if line:
                text += f" (row {line.group(1)} of the batch)"
        return text.splitlines()[0] if text else type(exc).__name__


class MySQL(Backend):
    @staticmethod
    def message(exc: BaseException) -> str:
        text = Backend.message(exc)
        if "Data too long for column" in text:  # formats.md, "In a key"
            text += (
                f"; MySQL and MariaDB hold text as TEXT (at most 65,535 bytes) and text in a key "
                f"(primary, unique or referenced) as {get_dialect('mysql').key_string}: "
                "shorten the values or drop the key"
            )
        return text

    def __init__(self, target: Target) -> None:
        pymysql = require_driver("mysql")
        super().__init__(target)
        p = {k: v for k, v in target.params.items() if v is not None}
        p.setdefault("port", 3306)
        self.conn = pymysql.connect(charset="utf8mb4", autocommit=False, program_name="phony", **p)
        self.execute(f"SET SESSION sql_mode = '{MYSQL_SQL_MODE}'")

    def begin(self) -> None:
        pass  # DDL commits by itself in MySQL; the data transaction starts in begin_data

    def begin_data(self) -> None:
        self.execute("START TRANSACTION")

    def table_exists(self, name: str) -> bool:
        cur = self.conn.cursor()
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s",
            (name,),
        )
        found = cur.fetchone()[0] > 0
        cur.close()
        return found

    def declared_lengths(self, name: str) -> dict[str, tuple[str, int]]:
        cur = self.conn.cursor()
        cur.execute(
            "SELECT column_name, column_type, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = DATABASE() "
            "AND table_name = %s AND data_type IN ('char', 'varchar') ORDER BY ordinal_position",
            (name,),
        )
        found = {column: (sql_type.upper(), int(limit)) for column, sql_type, limit in cur}
        cur.close()
        return found

    def declared_checks(self, name: str) -> dict[str, str]:
        # MariaDB lists each CHECK with its table and names a column's one after the column
        # (its message: CONSTRAINT `table.column` failed); MySQL 8 has no TABLE_NAME there
        cur = self.conn.cursor()
        try:
            cur.execute(
                "SELECT constraint_name, check_clause, level FROM information_schema.check_constraints "
                "WHERE constraint_schema = DATABASE() AND table_name = %s ORDER BY constraint_name",
                (name,),
            )
            rows = list(cur)
        except Exception:
            cur.execute(
                "SELECT c.constraint_name, c.check_clause, 'Table' FROM "
                "information_schema.check_constraints c JOIN information_schema.table_constraints t "
                "ON t.constraint_schema = c.constraint_schema AND t.constraint_name = c.constraint_name "
                "WHERE t.table_schema = DATABASE() AND t.table_name = %s ORDER BY c.constraint_name",
                (name,),
            )
            rows = list(cur)
        finally:
            cur.close()
        return {
            f"`{name}.{conname}`" if level == "Column" else f"`{conname}`": f"CHECK ({clause})"
            for conname, clause, level in rows
        }

    def rollback_and_cleanup(self, created: list[str]) -> None:
        with contextlib.suppress(Exception):
            self.conn.rollback()
        if not created:
            return
        # DDL was committed on its own: drop what this run created, on a fresh connection
        # if the old one died (e.g. KILLed mid-load).
        conn = self.conn
        try:
            conn.ping(reconnect=False)
        except Exception:
            conn = MySQL(self.target).conn
        cur = conn.cursor()
        cur.execute("SET FOREIGN_KEY_CHECKS = 0")
        for name in reversed(created):
            cur.execute(f"DROP TABLE IF EXISTS {quote_identifier(name, self.dialect)}")
        cur.execute("SET FOREIGN_KEY_CHECKS = 1")
        conn.commit()
        cur.close()
        if conn is not self.conn:
            conn.close()


class DuckDB(Backend):
    def __init__(self, target: Target) -> None:
        duckdb = require_driver("duckdb")
        super().__init__(target)
        self.conn = duckdb.connect(target.path)

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback_and_cleanup(self, created: list[str]) -> None:
        with contextlib.suppress(Exception):
            self.conn.execute("ROLLBACK")

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def scalar(self, sql: str) -> Any:
        return self.conn.execute(sql).fetchall()[0][0]  # fetchall: DuckDB wants results drained

    def table_exists(self, name: str) -> bool:
        query = (
            "SELECT COUNT(*) FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND lower(table_name) = lower(?)"
        )
        return bool(self.conn.execute(query, [name]).fetchall()[0][0])

    def advance_sequences(self, tables: list[Table]) -> None:
        # DuckDB has no serial columns: a key takes `DEFAULT nextval('seq')`, and rows
        # inserted with explicit ids leave that sequence where it was, as in PostgreSQL.
        # Never moved backwards, nor below the sequence's start; descending sequences are
        # left alone. Like PostgreSQL's, DuckDB's sequences are not rolled back.
        setval = bool(
            self.scalar("SELECT COUNT(*) FROM duckdb_functions() WHERE function_name = 'setval'")
        )
        for table in tables:
            defaults = self.conn.execute(
                "SELECT column_name, column_default FROM duckdb_columns() "
                "WHERE database_name = current_database() AND schema_name = current_schema() "
                "AND lower(table_name) = lower(?)",
                [table.name],
            ).fetchall()
            loaded = {c.name.lower() for c in table.columns}
            for column, default in defaults:
                match = _NEXTVAL.match(default or "")
                if match is None or column.lower() not in loaded:
                    continue
                literal = match.group(1)  # as written in the default, quotes doubled
                state = self._sequence(literal.replace("''", "'"))
                if state is None:
                    continue
                start, increment, last = state
                name = quote_identifier(column, self.dialect)
                top = self.scalar(
                    f"SELECT MAX({name}) FROM {quote_identifier(table.name, self.dialect)}"
                )
                following = start if last is None else last + increment
                if increment <= 0 or top is None or top < following:
                    continue
                if setval:
                    self.execute(f"SELECT setval('{literal}', {int(top)})")
                else:  # older DuckDB releases have no setval: draw the numbers the load used
                    draws = (int(top) - following) // increment + 1
                    self.execute(f"SELECT MAX(nextval('{literal}')) FROM range({draws})")

    def _sequence(self, name: str) -> tuple[int, int, int | None] | None:
        """(start, increment, last value or None) of the sequence `nextval` names."""
        parts = _identifier_parts(name)
        schema = parts[-2] if len(parts) > 1 else None
        rows = self.conn.execute(
            "SELECT start_value, increment_by, last_value FROM duckdb_sequences() "
            "WHERE lower(sequence_name) = lower(?) AND lower(schema_name) = "
            "lower(coalesce(?, current_schema())) AND lower(database_name) = "
            "lower(coalesce(?, current_database()))",
            [parts[-1], schema, parts[-3] if len(parts) > 2 else None],
        ).fetchall()
        return rows[0] if len(rows) == 1 else None

    def insert(self, table: Table, batch: pa.RecordBatch) -> None:
        # Arrow ingestion: DuckDB reads the batch's buffers directly. Durations go in as
        # microseconds, as every other target stores them (DuckDB would write them as text).
        columns = [
            pc.cast(a, pa.int64()) if pa.types.is_duration(a.type) else a for a in batch.columns
        ]
        self.conn.register("phony_batch", pa.Table.from_arrays(columns, batch.schema.names))
        try:
            names = ", ".join(quote_identifier(n, self.dialect) for n in batch.schema.names)
            self.conn.execute(
                f"INSERT INTO {quote_identifier(table.name, self.dialect)} ({names}) SELECT {names} FROM phony_batch"
            )
        except Exception as exc:
            # Ctrl-C while DuckDB reads the batch through Python comes back as DuckDB's own
            # error naming the KeyboardInterrupt: an interruption, not bad data
            if "KeyboardInterrupt" in str(exc):
                raise KeyboardInterrupt from exc
            raise
        finally:
            with contextlib.suppress(Exception):  # in an aborted transaction: keep the real error
                self.conn.unregister("phony_batch")


_NEXTVAL = re.compile(r"^\(?\s*nextval\('((?:[^']|'')+)'\)\s*\)?$", re.IGNORECASE)


def _identifier_parts(name: str) -> list[str]:
    """`db.s."Se q"` → [db, s, Se q]: a dotted SQL name, double quotes undone."""
    return [
        quoted.replace('""', '"') if quoted else plain.strip()
        for quoted, plain in re.findall(r'"((?:[^"]|"")*)"|([^."]+)', name)
    ]


BACKENDS = {"sqlite": SQLite, "postgres": PostgreSQL, "mysql": MySQL, "duckdb": DuckDB}


def connect(target: Target) -> Backend:
    cls = BACKENDS[target.dialect.name]
    try:
        return cls(target)
    except UsageError:
        raise
    except Exception as exc:
        from . import LoadError

        raise LoadError(f"cannot connect to {target.url}: {Backend.message(exc)}") from exc
