"""`phony import`: existing DDL (a file or a live database) → a PDL schema to review."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputNotFoundError, UsageError
from .ddl import _quiet_sqlglot, disambiguate, parse_ddl, sql_only
from .model import Catalog
from .to_pdl import to_pdl

__all__ = ["import_ddl", "import_url", "to_pdl"]


def _normalise_case(catalog: Catalog, text: str, dialect: str) -> None:
    """PostgreSQL folds unquoted names to lower case; mirror that so loads hit the same tables."""
    if dialect not in ("postgres", "postgresql"):
        return
    import sqlglot
    from sqlglot import exp

    text = sql_only(text)[0]
    quoted = {i.name for i in sqlglot.parse_one("SELECT 1").find_all(exp.Identifier)}
    with _quiet_sqlglot():
        statements = sqlglot.parse(text, read="postgres")
    for st in statements:
        if st is not None:
            quoted |= {i.name for i in st.find_all(exp.Identifier) if i.quoted}
    fold = lambda n: n if n in quoted else n.lower()  # noqa: E731
    for table in catalog.tables:
        table.name = fold(table.name)
        table.schema = fold(table.schema) if table.schema else None
        for c in table.columns:
            c.name = fold(c.name)
        table.primary_key = [fold(n) for n in table.primary_key]
        table.uniques = [[fold(n) for n in g] for g in table.uniques]
        for fk in table.foreign_keys:
            fk.columns = [fold(n) for n in fk.columns]
            fk.parent = fold(fk.parent)
            fk.parent_schema = fold(fk.parent_schema) if fk.parent_schema else None
            fk.parent_columns = [fold(n) for n in fk.parent_columns]


def import_ddl(
    path: str | Path, dialect: str, *, rows: int = 100, schema_ref: str | None = None
) -> tuple[str, list[str]]:
    """(PDL text, problems) for a DDL file; `schema_ref`: see to_pdl."""
    from sqlglot.dialects.dialect import Dialect

    if rows < 1:
        raise UsageError(f"--rows {rows}: import at least 1 row per table")
    # The names `generate --dialect` takes (mariadb, postgresql, sqlserver, mssql) are
    # sqlglot's mysql, postgres and tsql.
    from ..sql.dialects import DIALECTS

    if dialect.lower() in DIALECTS:
        dialect = DIALECTS[dialect.lower()].name
    try:
        Dialect.get_or_raise(dialect)
    except ValueError:
        known = ", ".join(sorted(d for d in Dialect.classes if d))
        raise UsageError(
            f"--dialect {dialect!r} is not a SQL dialect sqlglot knows; one of {known}"
        ) from None
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        missing = isinstance(exc, FileNotFoundError)
        raise (InputNotFoundError if missing else UsageError)(
            f"cannot read {path}: {exc.strerror}"
        ) from None
    catalog = parse_ddl(text, dialect)
    _normalise_case(catalog, text, dialect)
    disambiguate(catalog)
    if not catalog.tables:
        raise UsageError(f"{path}: no CREATE TABLE statements found")
    text = to_pdl(
        catalog, name=p.stem, source=f"{p.name} ({dialect})", rows=rows, schema_ref=schema_ref
    )
    return text, list(catalog.problems)


def import_url(
    url: str, *, rows: int | None = None, stats: bool = True, schema_ref: str | None = None
) -> tuple[str, list[str]]:
    """(PDL text, problems) for the tables of a live database.

    With `stats` (the default), a table's statistics shape its fields where the database
    keeps them (see importer/stats.py); its row estimate is its count unless `rows` is
    given. Tables without statistics get exactly what they would without `stats`."""
    if rows is not None and rows < 1:
        raise UsageError(f"--rows {rows}: import at least 1 row per table")
    from .introspect import catalog_from_url

    catalog, name = catalog_from_url(url, stats=stats)
    if not catalog.tables:
        raise UsageError(f"{url}: the database has no tables")
    text = to_pdl(
        catalog,
        name=name,
        source=url.split("@")[-1],
        rows=100 if rows is None else rows,
        row_estimates=rows is None,
        schema_ref=schema_ref,
    )
    return text, list(catalog.problems)
