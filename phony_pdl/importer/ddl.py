"""CREATE TABLE / ALTER TABLE / CREATE TYPE … AS ENUM text → Catalog, through sqlglot."""

from __future__ import annotations

import contextlib
import logging
import re

import sqlglot
from sqlglot import exp

from ..errors import UsageError
from .model import Catalog, ColumnInfo, ForeignKeyInfo, TableInfo

_AUTO_TYPES = {"serial", "bigserial", "smallserial"}


@contextlib.contextmanager
def _quiet_sqlglot():
    """sqlglot logs a warning for each statement it keeps unparsed; the notes say it instead."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _name(node: exp.Expression | None) -> str:
    return node.name if node is not None else ""


def _schema(node: exp.Expression | None) -> str | None:
    """The schema a table name is qualified with (`sales.customers` → sales), or None."""
    db = node.args.get("db") if isinstance(node, exp.Table) else None
    return _name(db) or None


def _deferrable(reference: exp.Expression | None) -> bool:
    """`REFERENCES p (id) DEFERRABLE [INITIALLY DEFERRED]`."""
    options = reference.args.get("options") if reference is not None else None
    return any(str(o).upper().startswith("DEFERRABLE") for o in options or [])


def _key(node: exp.Expression | None) -> str:
    """How `tables` finds a table: `schema.name` when qualified, else the name."""
    schema = _schema(node)
    return f"{schema}.{_name(node)}" if schema else _name(node)


def disambiguate(catalog: Catalog) -> None:
    """Tables of the same name in different schemas (`sales.customers`, `archive.customers`)
    become entities named `sales_customers` and `archive_customers`, and foreign keys follow
    their schema; PDL has one namespace of entities."""
    by_name: dict[str, list[TableInfo]] = {}
    for table in catalog.tables:
        by_name.setdefault(table.name, []).append(table)
    renamed: dict[tuple[str | None, str], str] = {}
    for name, group in by_name.items():
        if len(group) < 2 or len({t.schema for t in group}) < len(group):
            continue
        for table in group:
            new = f"{table.schema}_{name}" if table.schema else name
            renamed[(table.schema, name)] = new
            table.name = new
        qualified = ", ".join(f"{t.schema}.{name}" if t.schema else name for t in group)
        entities = ", ".join(t.name for t in group)
        catalog.problems.append(
            f"tables {qualified} share the name {name}: entities {entities} (PDL has no "
            "schemas; rename them to load into the original tables)"
        )
    if not renamed:
        return
    names = {name for _, name in renamed}
    for table in catalog.tables:
        for fk in table.foreign_keys:
            if fk.parent in names:
                fk.parent = renamed.get((fk.parent_schema, fk.parent), fk.parent)


def _literal(node: exp.Expression) -> object:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        return float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        value = _literal(node.this)
        return -value if isinstance(value, int | float) else value
    if isinstance(node, exp.Cast):
        value = _literal(node.this)
        # PostgreSQL writes bounds back as `('-100'::integer)`, `'5000000000'::bigint`
        if isinstance(value, str) and node.to is not None and node.to.is_type(*_NUMERIC_TYPES):
            try:
                return int(value)
            except ValueError:
                try:
                    return float(value)
                except ValueError:
                    return value
        return value
    return None


_NUMERIC_TYPES = (
    "int", "bigint", "smallint", "tinyint", "numeric", "decimal", "double", "float", "real",
)  # fmt: skip


# MySQL's `int unsigned`, … (sqlglot's UINT, USMALLINT, UDECIMAL, …) → the signed base type
_UNSIGNED = {
    "utinyint": "tinyint", "usmallint": "smallint", "umediumint": "mediumint", "uint": "int",
    "ubigint": "bigint", "udecimal": "decimal", "udouble": "double", "ufloat": "float",
}  # fmt: skip


# `CURRENT_TIMESTAMP`, and MariaDB's way of writing it back (`current_timestamp()`)
_NOW = re.compile(r"current_timestamp\s*(\(\s*\))?", re.IGNORECASE)


def column_default(text: str | None, dialect: str) -> tuple[str, bool] | None:
    """A column's DEFAULT as (SQL expression, portable), or None when there is none to
    keep: no default, `DEFAULT NULL` (any column's default anyway) or a sequence's
    `nextval(…)` (the key becomes `sequence`, declared as an identity column again).

    A literal is portable, written plainly: PostgreSQL's `'active'::text` as 'active',
    `'-1'::integer` as -1. So is `CURRENT_TIMESTAMP` (MariaDB's `current_timestamp()`).
    Anything else (`now()`, `(datetime('now'))`, a string with a backslash, which MySQL
    reads as an escape) is kept verbatim, as the source dialect wrote it: it may be that
    dialect's own SQL."""
    text = (text or "").strip()
    if not text:
        return None
    if _NOW.fullmatch(text):
        return "CURRENT_TIMESTAMP", True
    try:
        with _quiet_sqlglot():
            node = sqlglot.parse_one(text, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return text, False
    numeric_cast = False
    while isinstance(node, exp.Paren | exp.Cast):
        if isinstance(node, exp.Cast):
            inner = node.this
            while isinstance(inner, exp.Paren):
                inner = inner.this
            if not isinstance(inner, exp.Literal | exp.Neg | exp.Null | exp.Boolean):
                break  # a cast of an expression is the expression's own SQL
            numeric_cast = node.to is not None and node.to.is_type(*_NUMERIC_TYPES)
        node = node.this
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Anonymous) and node.name.lower() == "nextval":
        return None
    if isinstance(node, exp.Boolean):
        return ("TRUE" if node.this else "FALSE"), True
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}", True
    if isinstance(node, exp.Literal):
        value = node.this
        if not node.is_string:
            return value, True
        if numeric_cast and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
            return value, True  # PostgreSQL's `'-1'::integer`
        if "\\" not in value:
            return "'" + value.replace("'", "''") + "'", True
    return text, False


def _type(kind: exp.DataType | None, dialect: str) -> tuple[str, tuple[int, ...], str]:
    """(base type, parameters, the type as the source dialect spells it)."""
    if kind is None:
        return "text", (), ""
    try:
        raw = kind.sql(dialect=dialect)
    except Exception:  # a type the dialect cannot write back: sqlglot's spelling
        raw = kind.sql()
    base = kind.this.name.lower() if hasattr(kind.this, "name") else str(kind.this).lower()
    if base == "userdefined":
        named = kind.args.get("kind")  # an expression, or a plain string (SQLite's `serial`)
        base = (getattr(named, "name", named) or "text").lower() if named is not None else "text"
    params = []
    for p in kind.expressions:
        value = _literal(p.this) if isinstance(p, exp.DataTypeParam) else None
        if isinstance(value, int):
            params.append(value)
    return base, tuple(params), raw


def _temporal_bound(column_type: str, value: str) -> bool:
    """A date or timestamp bound written as text (`d >= '2020-01-01'`)."""
    import datetime as dt

    if not column_type.lower().startswith(("date", "timestamp", "datetime")):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _next_day(value: str, days: int) -> str:
    """The bound of a strict comparison: the day after (`>`) or before (`<`) a date; a
    timestamp keeps its value (one microsecond is no difference a generator shows)."""
    import datetime as dt

    if len(value) != 10:
        return value
    return (dt.date.fromisoformat(value) + dt.timedelta(days=days)).isoformat()


def _apply_check(table: TableInfo, condition: exp.Expression, catalog: Catalog) -> None:
    """CHECK (x BETWEEN a AND b), (x >= a AND x <= b), (x IN (…)) → column bounds/enums."""

    def conjuncts(node: exp.Expression) -> list[exp.Expression]:
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.And):
            return conjuncts(node.this) + conjuncts(node.expression)
        return [node]

    def bare(node: exp.Expression) -> exp.Expression:
        """Without parentheses and casts: PostgreSQL writes `(status)::text`."""
        while isinstance(node, exp.Paren | exp.Cast):
            node = node.this
        return node

    def disjuncts(node: exp.Expression) -> list[exp.Expression] | None:
        """The terms of an OR chain (parentheses dropped), in order; None if not an OR."""
        node = bare(node) if isinstance(node, exp.Paren) else node
        if not isinstance(node, exp.Or):
            return None
        terms, stack = [], [node]
        while stack:
            n = stack.pop()
            while isinstance(n, exp.Paren):
                n = n.this
            if isinstance(n, exp.Or):
                stack += [n.expression, n.this]
            else:
                terms.append(n)
        return terms

    def equalities(node: exp.Expression) -> exp.In | None:
        """`x = 'a' OR x = 'b'` (how Phony writes a choice for SQLite) as `x IN ('a', 'b')`."""
        terms = disjuncts(node)
        if terms is None:
            return None
        if not all(isinstance(t, exp.EQ) and isinstance(bare(t.this), exp.Column) for t in terms):
            return None
        names = {bare(t.this).name for t in terms}
        if len(names) != 1:
            return None
        return exp.In(this=bare(terms[0].this), expressions=[t.expression for t in terms])

    def unless_null(node: exp.Expression) -> exp.Expression | None:
        """`x IS NULL OR <condition on x>` (a rule for the rows where x is set) as the
        condition: Phony's values of x keep it whenever they are not NULL."""
        terms = disjuncts(node)
        if terms is None:
            return None
        nulls = {
            bare(t.this).name
            for t in terms
            if isinstance(t, exp.Is)
            and isinstance(t.expression, exp.Null)
            and isinstance(bare(t.this), exp.Column)
        }
        rest = [
            t for t in terms if not (isinstance(t, exp.Is) and isinstance(t.expression, exp.Null))
        ]
        if not nulls or not rest:
            return None
        named = {c.name for t in rest for c in t.find_all(exp.Column)}
        if not nulls <= named:  # `x IS NULL OR y > 0` ties two columns: not a rule on x
            return None
        return exp.or_(*rest) if len(rest) > 1 else rest[0]

    for part in conjuncts(condition):
        column = None
        rest = unless_null(part)
        if rest is not None:
            _apply_check(table, rest, catalog)
            continue
        if (
            isinstance(part, exp.Anonymous | exp.Func)
            and part.name.lower() == "json_valid"
            and len(part.expressions) == 1
            and isinstance(bare(part.expressions[0]), exp.Column)
        ):  # MariaDB's JSON: LONGTEXT with CHECK (json_valid(col))
            column = table.column(bare(part.expressions[0]).name)
            if column is not None:
                column.type = "json"
                continue
        part = equalities(part) or part
        # PostgreSQL writes `x IN ('a', 'b')` back as
        # `(x)::text = ANY ((ARRAY['a'::character varying, 'b'])::text[])`.
        if isinstance(part, exp.EQ) and isinstance(part.expression, exp.Any):
            array = bare(part.expression.this)
            if isinstance(array, exp.Array) and isinstance(bare(part.this), exp.Column):
                part = exp.In(this=bare(part.this), expressions=array.expressions)
        if isinstance(part, exp.GT | exp.GTE | exp.LT | exp.LTE) and all(
            isinstance(bare(side), exp.Column) for side in (part.this, part.expression)
        ):
            # `shipped_at >= ordered_at`: the later column is generated after the earlier
            later, earlier = (
                (bare(part.this), bare(part.expression))
                if isinstance(part, exp.GT | exp.GTE)
                else (bare(part.expression), bare(part.this))
            )
            column = table.column(later.name)
            if column is not None and table.column(earlier.name) is not None:
                column.after = earlier.name
                column.strictly_after = isinstance(part, exp.GT | exp.LT)
                continue
            column = None
        if isinstance(part, exp.In | exp.Between):
            part.set("this", bare(part.this))
        if isinstance(part, exp.Between) and isinstance(part.this, exp.Column):
            column = table.column(part.this.name)
            if column:
                column.low, column.high = _literal(part.args["low"]), _literal(part.args["high"])
        elif isinstance(part, exp.In) and isinstance(part.this, exp.Column):
            column = table.column(part.this.name)
            if column:
                values = [_literal(v) for v in part.expressions]
                column.enum = [v for v in values if v is not None]
        elif isinstance(part, exp.GT | exp.GTE | exp.LT | exp.LTE):
            left, right = part.this, part.expression
            if isinstance(bare(left), exp.Column):
                column, value = table.column(bare(left).name), _literal(right)
                lower = isinstance(part, exp.GT | exp.GTE)
            elif isinstance(bare(right), exp.Column):
                column, value = table.column(bare(right).name), _literal(left)
                lower = isinstance(part, exp.LT | exp.LTE)
            else:
                value, lower = None, False
            if (
                column is not None
                and isinstance(value, str)
                and _temporal_bound(column.type, value)
            ):
                strict = isinstance(part, exp.GT | exp.LT)
                shifted = _next_day(value, -1 if not lower else 1) if strict else value
                if lower:
                    column.low = shifted
                else:
                    column.high = shifted
                continue
            if not isinstance(value, int | float) or isinstance(value, bool):
                column = None  # a bound Phony cannot read: reported below, never dropped quietly
            if column is not None:
                strict = isinstance(part, exp.GT | exp.LT)
                step = (
                    1
                    if column.type in ("int", "integer", "bigint", "smallint", "tinyint")
                    else 0.01
                )
                if lower:
                    column.low = value + (step if strict else 0)
                else:
                    column.high = value - (step if strict else 0)
        if column is None:
            catalog.problems.append(
                f"{table.name}: CHECK ({part.sql()}) is not a range or list Phony understands"
            )


def _add_constraint(
    table: TableInfo, node: exp.Expression, catalog: Catalog, tables: dict[str, TableInfo]
) -> None:
    if isinstance(node, exp.Constraint):
        for inner in node.expressions:
            _add_constraint(table, inner, catalog, tables)
        return
    if isinstance(node, exp.PrimaryKey):
        table.primary_key = [_name(e) for e in node.expressions]
    elif isinstance(node, exp.ForeignKey):
        ref = node.args.get("reference")
        target = ref.this if ref is not None else None
        parent_table = target.this if isinstance(target, exp.Schema) else target
        parent_columns = (
            [_name(e) for e in target.expressions] if isinstance(target, exp.Schema) else []
        )
        table.foreign_keys.append(
            ForeignKeyInfo(
                [_name(e) for e in node.expressions],
                _name(parent_table),
                parent_columns,
                _schema(parent_table),
                _deferrable(ref),
            )
        )
    elif isinstance(node, exp.UniqueColumnConstraint):
        schema = node.this
        names = [_name(e) for e in schema.expressions] if isinstance(schema, exp.Schema) else []
        if len(names) == 1 and table.column(names[0]):
            table.column(names[0]).unique = True
        elif names:
            table.uniques.append(names)
    elif isinstance(node, exp.CheckColumnConstraint | exp.Check):
        _apply_check(table, node.this, catalog)
    elif isinstance(node, exp.IndexColumnConstraint):
        pass  # a plain index (MySQL's KEY, made for every foreign key) constrains no value
    else:
        catalog.problems.append(f"{table.name}: constraint {node.sql()[:60]} is ignored")


def _one_line(text: str, limit: int) -> str:
    """A statement as one line of a note: whitespace collapsed, cut at `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\b", re.IGNORECASE)


def _reparsed(st: exp.Expression, dialect: str) -> exp.Expression:
    """A statement sqlglot fell back to an unparsed Command for, parsed again without the
    clause it does not know: SQLite's `CREATE TABLE … WITHOUT ROWID` (the table is the same)."""
    if not isinstance(st, exp.Command) or str(st.this).upper() != "CREATE":
        return st
    text = st.sql(dialect=dialect)
    if not _WITHOUT_ROWID.search(text):
        return st
    try:
        again = sqlglot.parse_one(_WITHOUT_ROWID.sub(")", text), read=dialect)
    except sqlglot.errors.ParseError:
        return st
    return again if isinstance(again, exp.Create) else st


_COPY_FROM_STDIN = re.compile(r"^\s*COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE)


def sql_only(text: str) -> tuple[str, list[str]]:
    """The text without psql meta-commands (lines starting with a backslash, such as the
    `\\restrict KEY` pg_dump 17.6, 16.10, 15.14, … writes first), and a note for each,
    and without the rows of `COPY … FROM stdin` blocks (data, not SQL, up to `\\.`)."""
    kept, notes = [], []
    in_copy = False
    for line in text.splitlines():
        if in_copy:
            in_copy = line.rstrip() != "\\."
            kept.append("")
            continue
        if _COPY_FROM_STDIN.match(line):
            in_copy = True
            kept.append(line)
            continue
        if line.lstrip().startswith("\\"):
            notes.append(f"psql meta-command {line.split()[0]} skipped")
            kept.append("")  # keep line numbers for parse errors
            continue
        kept.append(line)
    return "\n".join(kept), notes


# What a dump holds besides its DDL (rows, transactions, session settings, pg_dump's
# `SELECT pg_catalog.set_config(…)`): skipped without a note, since none of it describes
# a table and a note for each would bury the notes that matter.
_NOT_DDL = (
    exp.Insert, exp.Copy, exp.Update, exp.Delete, exp.TruncateTable, exp.Select,
    exp.Transaction, exp.Commit, exp.Rollback, exp.Set, exp.Pragma,
)  # fmt: skip


_DOMAIN = re.compile(
    r'^\s*DOMAIN\s+((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))*)\s+(?:AS\s+)?(.*)$',
    re.IGNORECASE | re.DOTALL,
)
_VALUE = re.compile(r"'(?:[^']|'')*'|\bvalue\b", re.IGNORECASE)


def _domain(st: exp.Expression, dialect: str, catalog: Catalog) -> tuple[str, ColumnInfo] | None:
    """PostgreSQL's `CREATE DOMAIN name AS type [NOT NULL] [CHECK (VALUE …)]` (which sqlglot
    keeps unparsed) as (name, the column a use of it stands for): its base type, NOT NULL
    and CHECK bounds, read by parsing it as a one-column table whose column is VALUE."""
    if not isinstance(st, exp.Command) or str(st.this).upper() != "CREATE":
        return None
    match = _DOMAIN.match(str(st.expression or ""))
    if match is None:
        return None
    name = match.group(1).split(".")[-1].strip().strip('"')
    # every spelling of VALUE (outside string literals) as the one column's name
    body = _VALUE.sub(lambda m: m.group(0) if m.group(0).startswith("'") else '"VALUE"', match[2])
    try:
        with _quiet_sqlglot():
            table = parse_ddl(f'CREATE TABLE "domain {name}" ("VALUE" {body})', dialect)
    except UsageError:
        return None
    if len(table.tables) != 1 or len(table.tables[0].columns) != 1:
        return None
    catalog.problems.extend(table.problems)
    return name.lower(), table.tables[0].columns[0]  # as _type spells a column's type


def parse_ddl(text: str, dialect: str) -> Catalog:
    catalog = Catalog(dialect=dialect)
    text, catalog.problems[:0] = sql_only(text)
    try:
        with _quiet_sqlglot():
            statements = sqlglot.parse(text, read=dialect)
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError) as exc:
        raise UsageError(
            f"the DDL does not parse as {dialect}: {str(exc).splitlines()[0]}"
        ) from None
    enums: dict[str, list[str]] = {}
    domains: dict[str, ColumnInfo] = {}
    tables: dict[str, TableInfo] = {}
    for st in statements:
        if st is None or isinstance(st, _NOT_DDL):
            continue
        st = _reparsed(st, dialect)
        domain = _domain(st, dialect, catalog)
        if domain is not None:
            domains[domain[0]] = domain[1]
            continue
        if isinstance(st, exp.Create) and (st.args.get("kind") or "").upper() == "TYPE":
            dtype = st.expression
            if isinstance(dtype, exp.DataType) and dtype.this == exp.DataType.Type.ENUM:
                enums[_name(st.this).lower()] = [_literal(v) for v in dtype.expressions]
            continue
        if isinstance(st, exp.Create) and (st.args.get("kind") or "").upper() == "TABLE":
            schema = st.this
            if not isinstance(schema, exp.Schema):
                catalog.problems.append(
                    f"CREATE TABLE … AS SELECT ({st.sql()[:50]}…) has no column list"
                )
                continue
            table_node = schema.this
            table = TableInfo(_name(table_node), _name(table_node.args.get("db")) or None)
            tables[table.name] = tables[f"{table.schema}.{table.name}"] = table
            catalog.tables.append(table)
            deferred: list[exp.Expression] = []
            for item in schema.expressions:
                if isinstance(item, exp.ColumnDef):
                    base, params, raw = _type(item.args.get("kind"), dialect)
                    column = ColumnInfo(
                        _name(item.this), base, params, raw_type=raw, auto=base in _AUTO_TYPES
                    )
                    if base in _UNSIGNED:
                        column.type, column.unsigned = _UNSIGNED[base], True
                    kind_node = item.args.get("kind")
                    if base == "enum" and kind_node is not None:  # MySQL's inline ENUM('a', 'b')
                        column.enum = [
                            _literal(v) for v in kind_node.expressions if _literal(v) is not None
                        ]
                        column.type = "text"
                    if base in enums:
                        column.enum = list(enums[base])
                        column.type = "text"
                    if base in domains:  # loads take the base type's values
                        d = domains[base]
                        column.type, column.params, column.raw_type = d.type, d.params, d.raw_type
                        column.low, column.high, column.enum = d.low, d.high, d.enum
                        column.nullable, column.default = d.nullable, d.default
                    table.columns.append(column)
                    for constraint in item.args.get("constraints") or []:
                        kind = constraint.args.get("kind")
                        if isinstance(kind, exp.NotNullColumnConstraint):
                            column.nullable = bool(kind.args.get("allow_null"))
                        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
                            table.primary_key = [column.name]
                            column.nullable = False
                        elif isinstance(kind, exp.UniqueColumnConstraint):
                            column.unique = True
                        elif isinstance(
                            kind,
                            exp.AutoIncrementColumnConstraint
                            | exp.GeneratedAsIdentityColumnConstraint,
                        ):
                            column.auto = True
                        elif isinstance(kind, exp.Reference):
                            target = kind.this
                            parent = target.this if isinstance(target, exp.Schema) else target
                            cols = (
                                [_name(e) for e in target.expressions]
                                if isinstance(target, exp.Schema)
                                else []
                            )
                            table.foreign_keys.append(
                                ForeignKeyInfo(
                                    [column.name],
                                    _name(parent),
                                    cols,
                                    _schema(parent),
                                    _deferrable(kind),
                                )
                            )
                        elif isinstance(kind, exp.CheckColumnConstraint):
                            deferred.append(kind)
                        elif isinstance(kind, exp.ComputedColumnConstraint):
                            expression = kind.this
                            while isinstance(expression, exp.Paren):
                                expression = expression.this
                            column.generated = (
                                expression.sql(dialect=dialect) if expression is not None else "…"
                            )
                        elif isinstance(kind, exp.DefaultColumnConstraint):
                            column.default = (
                                kind.this.sql(dialect=dialect) if kind.this is not None else None
                            )
                else:
                    deferred.append(item)
            for item in deferred:
                _add_constraint(table, item, catalog, tables)
            continue
        if isinstance(st, exp.Alter):
            table = tables.get(_key(st.this))
            if table is None:
                catalog.problems.append(f"ALTER TABLE {_name(st.this)}: no such table above it")
                continue
            for action in st.args.get("actions") or []:
                if isinstance(action, exp.AddConstraint):
                    for c in action.expressions:
                        _add_constraint(table, c, catalog, tables)
                else:
                    catalog.problems.append(
                        f"ALTER TABLE {table.name}: {action.sql()[:60]} is ignored"
                    )
            continue
        if isinstance(st, exp.Create) and (st.args.get("kind") or "").upper() in (
            "INDEX",
            "SCHEMA",
            "SEQUENCE",
        ):
            if st.args.get("unique") and (st.args.get("kind") or "").upper() == "INDEX":
                index = st.this
                table = (
                    tables.get(_key(index.args.get("table")))
                    if isinstance(index, exp.Index)
                    else None
                )
                params = index.args.get("params") if isinstance(index, exp.Index) else None
                columns = [
                    _name(c.this if isinstance(c, exp.Ordered) else c)
                    for c in (params.args.get("columns") if params else [])
                ]
                if table is not None and columns:
                    if len(columns) == 1 and table.column(columns[0]):
                        table.column(columns[0]).unique = True
                    else:
                        table.uniques.append(columns)
            continue
        catalog.problems.append(
            f"statement ignored: {_one_line(st.sql(dialect=dialect, comments=False), 70)}"
        )
    for table in catalog.tables:
        for fk in table.foreign_keys:
            if not fk.parent_columns:
                parent = tables.get(
                    f"{fk.parent_schema}.{fk.parent}" if fk.parent_schema else fk.parent
                )
                fk.parent_columns = list(parent.primary_key) if parent else ["id"]
    return catalog
