"""SQL dialects as data: type names, literal rules and capabilities per target.

Everything that differs between databases is a field of `Dialect`; code that writes
SQL reads these flags instead of branching on dialect names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError


@dataclass(frozen=True)
class Dialect:
    name: str  # Phony's name (--dialect)
    sqlglot: str  # sqlglot's dialect name, for quoting and re-parsing
    types: dict[str, str]  # PDL kind → column type; `{p}`/`{s}` filled for decimals
    key_string: str  # string type usable in PRIMARY KEY / UNIQUE / FOREIGN KEY
    true: str = "TRUE"
    false: str = "FALSE"
    backslash_escapes: bool = False  # MySQL treats \ in literals as an escape character
    nul_in_text: str | None = None  # how to splice U+0000 into a literal; None: not storable
    # How to write a carriage return so the dialect's command-line client keeps it: the
    # mysql/mariadb and sqlite3 clients read scripts line by line and drop the CR of CR-LF.
    cr_in_text: str | None = None
    nan: str | None = None  # literal for NaN; None: NaN/Infinity cannot be stored
    infinity: str | None = None
    string_prefix: str = ""  # N'…' for T-SQL Unicode literals
    supports_copy: bool = False
    transactional_ddl: bool = True
    max_insert_rows: int = 1000
    # How a foreign key to a table created later (a nullable cycle) is declared:
    # "alter" = ALTER TABLE … ADD CONSTRAINT afterwards, "inline" = in CREATE TABLE
    # (SQLite resolves references at insert time), "omit" = not declared (DuckDB can do neither).
    forward_fk: str = "alter"
    # DuckDB checks a foreign key against the table as it was before the statement, so a row
    # cannot reference an earlier row of the same INSERT; such keys are verified after loading.
    self_reference_fk: bool = True
    # SQLite evaluates `x IN (…)` in a CHECK through a temporary index on every row; an OR
    # chain checks the same thing about 3x faster for short lists.
    check_list_as_or: bool = False
    begin: str = "BEGIN"  # statement that opens a transaction in a script
    # Phony's own text column types that hold a limited length: type → (unit, limit), the
    # unit "bytes" (of UTF-8) or "characters". A longer value would be refused by a strict
    # server only when the script runs, and cut short by a lenient one; it stops the run.
    text_limits: dict[str, tuple[str, int]] = field(default_factory=dict)
    aliases: tuple[str, ...] = field(default=())


DIALECTS: dict[str, Dialect] = {}


def _register(d: Dialect) -> None:
    for key in (d.name, *d.aliases):
        if key in DIALECTS:
            raise RuntimeError(f"dialect {key!r} registered twice")
        DIALECTS[key] = d


_register(
    Dialect(
        name="postgres",
        sqlglot="postgres",
        types={
            "int": "BIGINT",
            "float": "DOUBLE PRECISION",
            "decimal": "NUMERIC({p}, {s})",
            "bool": "BOOLEAN",
            "string": "TEXT",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "time": "TIME",
            "uuid": "UUID",
        },
        key_string="TEXT",
        nan="'NaN'",
        infinity="'Infinity'",
        supports_copy=True,
        aliases=("postgresql",),
    )
)
_register(
    Dialect(
        name="mysql",
        sqlglot="mysql",
        types={
            "int": "BIGINT",
            "float": "DOUBLE",
            "decimal": "DECIMAL({p}, {s})",
            "bool": "BOOLEAN",
            "string": "TEXT",
            "date": "DATE",
            # DATETIME, not TIMESTAMP: MySQL's TIMESTAMP stops at 2038 and shifts time zones.
            "datetime": "DATETIME(6)",
            "time": "TIME(6)",
            "uuid": "CHAR(36)",
        },
        key_string="VARCHAR(255)",
        text_limits={"TEXT": ("bytes", 65_535), "VARCHAR(255)": ("characters", 255)},
        true="1",
        false="0",
        backslash_escapes=True,
        nul_in_text="\\0",
        cr_in_text="\\r",
        transactional_ddl=False,
        aliases=("mariadb",),
    )
)
_register(
    Dialect(
        name="sqlite",
        sqlglot="sqlite",
        types={
            "int": "INTEGER",
            "float": "REAL",
            "decimal": "NUMERIC({p}, {s})",
            "bool": "BOOLEAN",
            "string": "TEXT",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "time": "TIME",
            "uuid": "TEXT",
        },
        key_string="TEXT",
        true="1",
        false="0",
        nul_in_text="' || char(0) || '",
        cr_in_text="' || char(13) || '",
        max_insert_rows=500,
        forward_fk="inline",
        check_list_as_or=True,
    )
)
_register(
    Dialect(
        name="duckdb",
        sqlglot="duckdb",
        types={
            "int": "BIGINT",
            "float": "DOUBLE",
            "decimal": "DECIMAL({p}, {s})",
            "bool": "BOOLEAN",
            "string": "VARCHAR",
            "date": "DATE",
            "datetime": "TIMESTAMP",
            "time": "TIME",
            "uuid": "UUID",
        },
        key_string="VARCHAR",
        nul_in_text="' || chr(0) || '",
        cr_in_text="' || chr(13) || '",
        nan="'NaN'",
        infinity="'Infinity'",
        forward_fk="omit",
        self_reference_fk=False,
    )
)
_register(
    Dialect(
        name="tsql",
        sqlglot="tsql",
        types={
            "int": "BIGINT",
            "float": "FLOAT",
            "decimal": "DECIMAL({p}, {s})",
            "bool": "BIT",
            "string": "NVARCHAR(MAX)",
            "date": "DATE",
            "datetime": "DATETIME2(6)",
            "time": "TIME(6)",
            "uuid": "UNIQUEIDENTIFIER",
        },
        key_string="NVARCHAR(450)",
        true="1",
        false="0",
        nul_in_text="' + CHAR(0) + N'",
        string_prefix="N",
        begin="BEGIN TRANSACTION",
        aliases=("sqlserver", "mssql"),
    )
)


def get_dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        from ..errors import did_you_mean

        hint = did_you_mean(name, DIALECTS) or ""
        raise UsageError(
            f"unknown SQL dialect '{name}'; expected one of {', '.join(sorted(set(d.name for d in DIALECTS.values())))}"
            + (f" ({hint})" if hint else "")
        ) from None
