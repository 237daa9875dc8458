"""A load as a sequence of SQL steps, shared by the `.sql` writer and the database loaders.

Order: CREATE TABLE for every table (parents first), foreign keys that point forward
added by ALTER TABLE where the dialect allows, rows in FK order, then the deferred
foreign keys of nullable cycles filled by UPDATE once their parents exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ddl import (
    Table,
    add_foreign_key,
    column_type,
    create_table,
    declared_foreign_key,
    keyed_columns,
    tables,
)
from .dialects import Dialect
from .encode import copy_rows, insert_statements, quote_identifier, sql_literals


@dataclass
class Deferred:
    """Values of cycle foreign keys held back until their parent table is loaded."""

    table: str
    key: str
    column: str
    keys: list[pa.Array]
    values: list[pa.Array]


def schema_tables(dataset, checks: bool = True) -> list[Table]:
    return tables(dataset.plan, list(dataset.entities), checks=checks)


def split_deferred(
    batch: pa.RecordBatch, table: Table, held: dict[str, Deferred]
) -> pa.RecordBatch:
    """NULL out deferred FK columns in the batch and keep their values for the UPDATE."""
    for fk in table.deferred:
        i = batch.schema.get_field_index(fk.column)
        values = batch.column(i)
        key = table.primary_key[0]
        entry = held.setdefault(
            f"{table.name}.{fk.column}", Deferred(table.name, key, fk.column, [], [])
        )
        entry.keys.append(batch.column(batch.schema.get_field_index(key)))
        entry.values.append(values)
        batch = batch.set_column(
            i, batch.schema.field(i), pa.nulls(batch.num_rows, type=values.type)
        )
    return batch


def update_statements(
    d: Deferred, dialect: Dialect, rows_per_statement: int = 500
) -> Iterator[str]:
    keys = pa.concat_arrays(d.keys) if d.keys else pa.array([])
    values = pa.concat_arrays(d.values) if d.values else pa.array([])
    present = pc.is_valid(values)
    keys, values = keys.filter(present), values.filter(present)
    q = lambda n: quote_identifier(n, dialect)  # noqa: E731
    key_sql = sql_literals(keys, dialect, f"{d.table}.{d.key}").to_pylist()
    value_sql = sql_literals(values, dialect, f"{d.table}.{d.column}").to_pylist()
    for start in range(0, len(key_sql), rows_per_statement):
        ks = key_sql[start : start + rows_per_statement]
        vs = value_sql[start : start + rows_per_statement]
        cases = " ".join(f"WHEN {k} THEN {v}" for k, v in zip(ks, vs, strict=True))
        yield (
            f"UPDATE {q(d.table)} SET {q(d.column)} = CASE {q(d.key)} {cases} END "
            f"WHERE {q(d.key)} IN ({', '.join(ks)});\n"
        )


# Names PostgreSQL reserves for the system columns every table has: a column of that name
# cannot be created (`column name "xmin" conflicts with a system column name`).
POSTGRES_SYSTEM_COLUMNS = ("tableoid", "xmin", "cmin", "xmax", "cmax", "ctid")


def require_storable_names(table_list: list[Table], dialect: Dialect) -> None:
    """Column names the target refuses, found before anything is written or created."""
    from ..errors import GenerationError

    for table in table_list:
        why = _unstorable_name(table.name, dialect, "table")
        if why:
            raise GenerationError(f"{table.name}: {why}")
        for column in table.columns:
            why = _unstorable_name(column.name, dialect)
            if why:
                raise GenerationError(f"{table.name}.{column.name}: {why}")


def _unstorable_name(name: str, dialect: Dialect, kind: str = "column") -> str | None:
    """Why the dialect cannot name a column (or table) `name` (a field's `column` and an
    entity's `table` may be any text)."""
    # names are quoted, so only the lower-case spelling clashes ("XMin" is fine)
    if kind == "column" and dialect.name == "postgres" and name in POSTGRES_SYSTEM_COLUMNS:
        return (
            f"PostgreSQL keeps '{name}' for a system column of every table; rename the "
            "field or give it another `column` (SQLite, MySQL and DuckDB accept it)"
        )
    if dialect.name == "mysql" and name != name.rstrip(" "):
        return f"MySQL and MariaDB refuse a {kind} name that ends in a space; drop the space"
    if dialect.name == "mysql" and any(ord(ch) > 0xFFFF for ch in name):
        return (
            "MySQL and MariaDB names hold only characters of Unicode's Basic Multilingual "
            f"Plane (no emoji or other character above U+FFFF); give another `{kind}`"
        )
    if kind == "table" and dialect.name == "sqlite" and name.lower().startswith("sqlite_"):
        return (
            "SQLite keeps table names that begin with 'sqlite_' for itself; rename the "
            "entity or give it another `table`"
        )
    if "$(" in name and dialect.text_splices:
        # sqlcmd replaces `$(x)` by a variable in names as in literals
        return f"sqlcmd would read `$(` in the name as a variable; give another `{kind}`"
    return None


def text_limits(table: Table, dialect: Dialect) -> list[tuple[str, str, str, int]]:
    """(column, type, unit, limit) of the table's columns of a length-limited text type that
    Phony chose (a field's own `sql_type` is the user's: the server judges it)."""
    keyed = keyed_columns(table)
    out = []
    for column in table.columns:
        if column.sql_type is None and dialect.text_limits:
            sql_type = column_type(column, dialect, column.name in keyed)
            if sql_type in dialect.text_limits:
                out.append((column.name, sql_type, *dialect.text_limits[sql_type]))
    return out


def require_fitting_text(
    batch: pa.RecordBatch, table: Table, dialect: Dialect, first_row: int = 0
) -> None:
    """Stop at the first value too long for its column's text type, before it is written:
    a strict server would refuse the script only when it runs, a lenient one would cut the
    value short. `first_row`: the number of the table's rows before this batch."""
    from ..errors import GenerationError

    for name, sql_type, unit, limit in text_limits(table, dialect):
        values = batch.column(batch.schema.get_field_index(name))
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            continue
        lengths = pc.binary_length(values) if unit == "bytes" else pc.utf8_length(values)
        longest = pc.max(lengths).as_py()
        if longest is None or longest <= limit:
            continue
        over = pc.fill_null(pc.greater(lengths, limit), False).to_numpy(zero_copy_only=False)
        row = int(np.flatnonzero(over)[0])
        size = lengths[row].as_py()
        if sql_type == dialect.key_string:
            what = "this column, a key (primary, unique or referenced),"
            fix = (
                f"generate values of at most {limit} {unit}, give the field a wider "
                "`sql_type` (a key holds at most VARCHAR(768) in utf8mb4), or drop the key"
            )
        else:
            what = "this column"
            fix = (
                f"generate values of at most {limit:,} {unit}, or give the field "
                "`sql_type: MEDIUMTEXT` (16 MiB) or `sql_type: LONGTEXT`"
            )
        raise GenerationError(
            f"{table.name}.{name}, row {first_row + row + 1:,}: the value is {size:,} {unit} "
            f"long{' in UTF-8' if unit == 'bytes' else ''}, but the {dialect.name} dialect "
            f"writes {what} as {sql_type}, which holds at most {limit:,} {unit}; {fix}"
        )


def require_keys_for_cycles(table_list: list[Table]) -> None:
    from ..errors import GenerationError

    for table in table_list:
        if table.deferred and len(table.primary_key) != 1:
            columns = ", ".join(fk.column for fk in table.deferred)
            raise GenerationError(
                f"{table.name}: the cycle foreign key ({columns}) is filled by UPDATE after loading, "
                "which needs a single-column primary key on the table"
            )


def sql_script(
    dataset,
    dialect: Dialect,
    *,
    copy: bool = False,
    checks: bool = True,
    create: bool = True,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    rows_per_statement: int | None = None,
) -> Iterator[tuple[str | None, bytes]]:
    """(entity or None, SQL bytes) pieces of a complete script; rows are streamed.
    `create=False`: rows only, for tables that already exist (no CREATE or ALTER TABLE)."""
    table_list = schema_tables(dataset, checks)
    require_keys_for_cycles(table_list)
    require_storable_names(table_list, dialect)
    inline = dialect.forward_fk == "inline"
    per = rows_per_statement or dialect.max_insert_rows
    schema = dataset.plan.schema
    yield (
        None,
        (
            f"-- Generated by Phony from schema '{schema.name}' (sha256 {schema.sha256[:16]}…), "
            f"seed {dataset.plan.seed}, scale {dataset.plan.scale:g}, dialect {dialect.name}.\n"
        ).encode(),
    )
    for statement in dialect.preamble:
        yield None, f"{statement}\n".encode()
    yield None, (f"{dialect.begin};\n".encode() if dialect.transactional_ddl else b"")
    for table in table_list if create else ():
        yield None, create_table(table, dialect, inline_deferred=inline, checks=checks).encode()
    if dialect.forward_fk == "alter" and create:
        for table in table_list:
            for fk in table.deferred:
                if declared_foreign_key(table, fk, dialect):
                    yield None, add_foreign_key(table, fk, dialect).encode()
    if not dialect.transactional_ddl:
        yield None, b"START TRANSACTION;\n"
    held: dict[str, Deferred] = {}
    for table in table_list:
        total = dataset.count(table.entity)
        done = 0
        if progress:
            progress(table.entity, 0, total)
        columns = ", ".join(quote_identifier(c.name, dialect) for c in table.columns)
        if copy and total:
            yield (
                table.entity,
                f"COPY {quote_identifier(table.name, dialect)} ({columns}) FROM stdin;\n".encode(),
            )
        # INSERTs hold `per` rows each counted from the table's first row, whatever the
        # block size: a block's last rows wait for the next block (the same bytes for any
        # --block-rows)
        waiting: pa.RecordBatch | None = None
        for batch in dataset.iter_batches(table.entity, workers=workers):
            if create:  # tables of the script's making; existing ones may be wider
                require_fitting_text(batch, table, dialect, done)
            batch = split_deferred(batch, table, held)
            done += batch.num_rows
            if copy:
                yield table.entity, copy_rows(batch, table.name)
            else:
                if waiting is not None:
                    joined = pa.Table.from_batches([waiting, batch]).combine_chunks()
                    batch = pa.RecordBatch.from_arrays(
                        [
                            c.chunk(0) if c.num_chunks else c.combine_chunks()
                            for c in joined.columns
                        ],
                        schema=joined.schema,
                    )
                whole = batch.num_rows - batch.num_rows % per
                waiting = batch.slice(whole) if whole < batch.num_rows else None
                if whole:
                    yield (
                        table.entity,
                        insert_statements(table.name, batch.slice(0, whole), dialect, per),
                    )
            if progress:
                progress(table.entity, done, total)
        if waiting is not None:
            yield table.entity, insert_statements(table.name, waiting, dialect, per)
        if copy and total:
            yield table.entity, b"\\.\n"
    for d in held.values():
        for statement in update_statements(d, dialect):
            yield d.table, statement.encode()
    if dialect.name == "postgres":  # existing tables' sequences, or the identity columns made
        for table in table_list:
            if not create or any(c.identity for c in table.columns):
                yield table.entity, advance_sequence_statements(table, dialect).encode()
    yield None, b"COMMIT;\n"


def advance_sequence_statements(table: Table, dialect: Dialect) -> str:
    """PostgreSQL: move the sequence behind each serial or identity column of an existing
    table to its largest value, never backwards nor below its start, as the loader does: the
    rows carry their own ids, so the application's next INSERT would otherwise take id 1
    again. Only integer primary-key columns, where such sequences live, so the script stays
    short; a column without a sequence gives no row (pg_get_serial_sequence is NULL)."""
    q = lambda n: quote_identifier(n, dialect)  # noqa: E731
    relation = q(table.name).replace("'", "''")
    out = []
    for column in table.columns:
        if column.name not in table.primary_key or getattr(column.dtype, "kind", "") != "int":
            continue
        name = column.name.replace("'", "''")
        out.append(
            f"SELECT setval(s, m) FROM (SELECT pg_get_serial_sequence('{relation}', '{name}')"
            f"::regclass AS s, MAX({q(column.name)}) AS m FROM {q(table.name)}) AS loaded "
            "WHERE COALESCE(m > pg_sequence_last_value(s), "
            "m >= (SELECT seqstart FROM pg_sequence WHERE seqrelid = s));\n"
        )
    return "".join(out)


def orphan_query(table: Table, fk, dialect: Dialect) -> str:
    """Rows whose foreign key (one column, or a CompositeKey's several) points at no
    parent row; a key with a NULL column is not checked, as the databases do (MATCH SIMPLE)."""
    q = lambda n: quote_identifier(n, dialect)  # noqa: E731
    composite = hasattr(fk, "columns")
    columns = fk.columns if composite else [fk.column]
    parents = fk.parent_columns if composite else [fk.parent_column]
    on = " AND ".join(f"c.{q(c)} = p.{q(pc)}" for c, pc in zip(columns, parents, strict=True))
    set_ = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in columns)
    return (
        f"SELECT COUNT(*) FROM {q(table.name)} c LEFT JOIN {q(fk.parent)} p ON {on} "
        f"WHERE {set_} AND p.{q(parents[0])} IS NULL"
    )
