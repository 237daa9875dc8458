"""Tables as the database sees them: columns, types, keys, constraints, load order.

Built from a plan (not from data), so DDL can be written before any row exists.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .. import graph as graph_mod
from ..engine.plan import Plan
from ..model import FieldSpec, column_name, table_name
from ..types import STRING, DataType
from ..validate import count_table
from .dialects import Dialect
from .encode import quote_identifier, string_literal

_ALWAYS_SET = {
    "sequence",
    "generator",
    "choice",
    "distribution",
    "type",
    "pattern",
    "template",
    "timeline",
    "series",
}


@dataclass
class Column:
    name: str
    dtype: DataType | None
    nullable: bool
    sql_type: str | None = None  # the field's own `sql_type`, verbatim
    check: str | None = None  # a CHECK body in PDL terms: ("between", lo, hi) or ("in", values)
    check_args: tuple = ()
    identity: bool = False  # a `sequence` primary key: declared IDENTITY / AUTO_INCREMENT
    default: str | None = None  # the field's own `sql_default`, verbatim after DEFAULT
    pdl_field: str = ""  # the PDL field; `name` is its column as written (its `column`)


@dataclass
class ForeignKey:
    column: str
    parent: str
    parent_column: str
    deferred: bool  # filled by UPDATE after the parent loads (a nullable cycle)
    # the parent column may hold NULL (a unique key with a null_rate, not the primary key)
    nullable_target: bool = False


@dataclass
class CompositeKey:
    """A foreign key of several columns: a hidden `ref` picks the parent row and a plain
    `from` copies each column of the parent's composite primary key or unique group."""

    columns: list[str]
    parent: str
    parent_columns: list[str]
    via: str  # the hidden `ref` field

    @property
    def column(self) -> str:  # for messages and constraint names
        return "_".join(self.columns)


@dataclass
class Table:
    name: str
    columns: list[Column]
    primary_key: list[str]
    uniques: list[list[str]]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    composite_keys: list[CompositeKey] = field(default_factory=list)
    entity: str = ""  # the PDL entity; `name` is its table as written (its `table`)

    @property
    def deferred(self) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.deferred]


class Nullability:
    """Which columns can hold NULL, derived from their sources (conservative)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.doc = plan.doc
        self.memo: dict[tuple[str, str], bool] = {}

    def __call__(self, entity: str, name: str, deferred: bool = False) -> bool:
        key = (entity, name)
        if key not in self.memo:
            self.memo[key] = True  # guards loops
            self.memo[key] = self._compute(entity, name)
        return self.memo[key] or deferred

    def _compute(self, entity: str, name: str) -> bool:
        f: FieldSpec = self.doc.entities[entity].fields[name]
        if f.nullable is not None:
            return f.nullable
        if f.null_rate:
            return True
        source = f.source
        if source == "const":
            return f.const is None
        if source == "choice":
            values = list(f.choice) if isinstance(f.choice, dict) else list(f.choice or [])
            return any(v is None for v in values)
        if source in _ALWAYS_SET:
            return False
        if source == "ref":
            parent = f.ref.split(".")[0]
            if parent == entity:
                return True  # the first row has no earlier row to point to
            return self.plan.count(parent) == 0
        if source == "from" or (
            source in ("after", "before") and "." in (f.after or f.before or "")
        ):
            path = f.from_ or f.after or f.before
            fk, _, parent_field = path.partition(".")
            parent = self.doc.entities[entity].fields[fk].ref.split(".")[0]
            return self(entity, fk) or self(parent, parent_field)
        if source in ("after", "before"):
            return self(entity, f.after or f.before)
        if source == "aggregate":
            from ..expr import parse_aggregate

            agg = parse_aggregate(f.aggregate)
            if agg.func in ("count", "count_distinct"):
                return False
            return not self._every_parent_has_a_value(entity, f, agg)
        if source == "expr" and f.expr is not None:
            return not self._arithmetic_of_set_fields(entity, f.expr)
        return True  # other expressions: NULL whenever an input is, or by their own rules

    def _arithmetic_of_set_fields(self, entity: str, text: str) -> bool:
        """Whether an expression is `+`, `-` and `*` of literals, intervals, casts of literals,
        `ROW_NUMBER()` and NOT NULL fields of its own row (`quantity * unit_price`,
        `borrowed_at + INTERVAL '21 days'`): then it is never NULL either. Anything else
        (division, functions, CASE, a NULL literal) is left nullable."""
        from sqlglot import exp

        from ..expr import ExprError, parse_expr

        try:
            tree = parse_expr(text)
        except ExprError:
            return False
        # ROW_NUMBER() OVER (…) numbers every row, whatever its partition holds
        tree = tree.transform(
            lambda n: (
                exp.Literal.number(1)
                if isinstance(n, exp.Window) and isinstance(n.this, exp.RowNumber)
                else n
            )
        )
        fields = self.doc.entities[entity].fields
        for node in tree.walk():
            if isinstance(node, exp.Column):
                if node.table or node.name not in fields or self(entity, node.name):
                    return False
            elif isinstance(node, exp.Cast):
                # a literal's cast (`CAST('2023-01-01' AS DATE)`) is a constant; a column's
                # could fail to convert, so it is left nullable
                if not isinstance(node.this, exp.Literal):
                    return False
            elif isinstance(node, exp.Null) or not isinstance(
                node,
                exp.Add
                | exp.Sub
                | exp.Mul
                | exp.Neg
                | exp.Paren
                | exp.Literal
                | exp.Identifier
                # `INTERVAL '21 days'`: a constant duration (with its unit word and type)
                | exp.Interval
                | exp.Var
                | exp.DataType,
            ):
                return False
        return True

    def _every_parent_has_a_value(self, entity: str, f: FieldSpec, agg) -> bool:
        """Whether an aggregate sees at least one non-NULL value for every parent row: its
        child is made per parent through the key it follows (a timeline whose start is never
        NULL, or a per-parent count of at least one), with no FILTER, over a field that is
        never NULL. Then sum, avg, min, max, first and last are never NULL either."""
        if agg.filter is not None or agg.field is None or agg.child not in self.doc.entities:
            return False
        child = self.doc.entities[agg.child]
        fk = graph_mod.per_parent_fk(self.doc, agg.child)
        if fk is None or child.fields[fk].ref.split(".")[0] != entity:
            return False
        refs = [n for n, c in child.fields.items() if c.ref and c.ref.split(".")[0] == entity]
        if (f.via or (refs[0] if len(refs) == 1 else None)) != fk:
            return False  # another key to this entity, which may leave a parent without rows
        if child.timeline is not None:
            if child.timeline.end is not None:
                return False  # a start after the end leaves a parent without events
            start = child.timeline.start.split(".")[-1]
            if self(entity, start):
                return False  # a parent whose start is NULL has no events
        elif child.series is not None:
            return False  # a series may have no events (a start after its end)
        else:
            count = child.count
            if count.choice is not None:  # the fewest children a weighted row of the table gives
                values, weights = count_table(count.choice)
                if not (weights > 0).any() or values[weights > 0].min() < 1:
                    return False
            elif not ((count.const or 0) >= 1 or (count.min or 0) >= 1):
                return False
        return not self(agg.child, agg.field)


def primary_key(plan: Plan, entity: str) -> list[str]:
    spec = plan.doc.entities[entity]
    pk = spec.primary_key
    if pk is None and "id" in spec.fields:
        pk = "id"
    names = [pk] if isinstance(pk, str) else list(pk or [])
    return [n for n in names if not spec.fields[n].hidden]


def tables(plan: Plan, entities: list[str], checks: bool = True) -> list[Table]:
    """Tables in load order (parents first; nullable cycle FKs deferred)."""
    nullable = Nullability(plan)
    position = {e: i for i, e in enumerate(entities)}
    # A foreign key needs a key to point at: a referenced `sequence` column is unique by
    # construction but only a declared UNIQUE lets the database accept the reference.
    referenced: dict[str, list[str]] = {}
    for entity in entities:
        for f in plan.doc.entities[entity].fields.values():
            target = None if f.hidden else graph_mod.ref_target(f)
            if target is not None and target[0] in position:
                referenced.setdefault(target[0], [])
                if target[1] not in referenced[target[0]]:
                    referenced[target[0]].append(target[1])
    out = []
    for entity in entities:
        spec = plan.doc.entities[entity]
        visible = {n: f for n, f in spec.fields.items() if not f.hidden}
        fks = []
        for name, f in visible.items():
            target = graph_mod.ref_target(f)
            if target is None:
                continue
            parent, parent_column = target
            if parent not in position or plan.doc.entities[parent].fields[parent_column].hidden:
                continue
            deferred = position[parent] > position[entity]
            nullable_target = primary_key(plan, parent) != [parent_column] and nullable(
                parent, parent_column
            )
            fks.append(ForeignKey(name, parent, parent_column, deferred, nullable_target))
        deferred_columns = {fk.column for fk in fks if fk.deferred}
        composites = composite_keys(plan, entity, position)
        # a column of a composite key has its parent column's type, as a `ref` has
        copied = {
            c: (k.parent, pc)
            for k in composites
            for c, pc in zip(k.columns, k.parent_columns, strict=True)
        }
        columns = []
        for name, f in visible.items():
            sql_type = key_sql_type(plan, entity, name)
            if sql_type is None and name in copied:
                sql_type = key_sql_type(plan, *copied[name])
            column = Column(
                name=name,
                # a `format`ted temporal value is written as text
                dtype=STRING if f.format is not None else plan.dtype(entity, name),
                nullable=nullable(entity, name, deferred=name in deferred_columns),
                sql_type=sql_type,
                default=f.sql_default,
            )
            if checks:
                add_check(column, f, spec.timeline.states if spec.timeline else None)
                if column.check is not None and not _default_passes(column):
                    column.check, column.check_args = None, ()
            columns.append(column)
        pk = primary_key(plan, entity)
        if len(pk) == 1:
            by_name = {c.name: c for c in columns}
            by_name[pk[0]].identity = _identity(visible[pk[0]], by_name[pk[0]])
        uniques = [[n] for n, f in visible.items() if f.unique]
        for group in spec.unique:
            names = [group] if isinstance(group, str) else list(group)
            if all(n in visible for n in names) and names not in uniques:
                uniques.append(names)
        for name in referenced.get(entity, []):
            if name in visible and [name] not in uniques:
                uniques.append([name])
        uniques = [u for u in uniques if u != pk]
        out.append(as_written(plan, Table(entity, columns, pk, uniques, fks, composites)))
    return out


def as_written(plan: Plan, table: Table) -> Table:
    """The table with fields named by their columns as written (a field's `column`), as
    the rows' batches name them, and tables by theirs (an entity's `table`): every
    statement then takes its names from the table. The dataset is read by `entity`."""

    def name(entity: str, field_name: str) -> str:
        f = plan.doc.entities[entity].fields[field_name]
        return column_name(f, field_name)

    def own(field_name: str) -> str:
        return name(table.name, field_name)

    def written(entity: str) -> str:
        return table_name(plan.doc, entity)

    return replace(
        table,
        name=written(table.name),
        entity=table.name,
        columns=[replace(c, name=own(c.name), pdl_field=c.name) for c in table.columns],
        primary_key=[own(n) for n in table.primary_key],
        uniques=[[own(n) for n in group] for group in table.uniques],
        foreign_keys=[
            replace(
                fk,
                column=own(fk.column),
                parent=written(fk.parent),
                parent_column=name(fk.parent, fk.parent_column),
            )
            for fk in table.foreign_keys
        ],
        composite_keys=[
            replace(
                key,
                columns=[own(n) for n in key.columns],
                parent=written(key.parent),
                parent_columns=[name(key.parent, n) for n in key.parent_columns],
            )
            for key in table.composite_keys
        ],
    )


def _identity(f: FieldSpec, column: Column) -> bool:
    """A `sequence` key counting up from 1 or more: numbers an identity column (PostgreSQL)
    or AUTO_INCREMENT (MySQL) would give too, so the database can number the rows the
    application adds later. MySQL gives a new number for an inserted 0: never from 0. Not
    with a `sql_default`: a column has one default, and the user's is the one asked for
    (PostgreSQL and MySQL refuse both)."""
    return (
        f.source == "sequence"
        and column.default is None
        and (f.sequence or 0) >= 1
        and (f.step or 1) >= 1
        and getattr(column.dtype, "kind", "") == "int"
        and (column.sql_type is None or "INT" in column.sql_type.upper())
    )


# what a `from` copy may carry and still hold exactly the parent's value
_PLAIN_COPY = {"from", "sql_type", "sql_default", "column", "description", "nullable", "params"}


def _key_groups(plan: Plan, entity: str) -> list[list[str]]:
    """The composite keys of an entity: its primary key and its `unique` groups."""
    spec = plan.doc.entities[entity]
    groups = [primary_key(plan, entity)]
    groups += [list(g) for g in spec.unique if not isinstance(g, str)]
    return [g for g in groups if len(g) >= 2]


def composite_keys(plan: Plan, entity: str, position: dict[str, int]) -> list[CompositeKey]:
    """Composite foreign keys of an entity, written in PDL as a hidden `ref` to a single key
    of the parent plus one plain `from` copy per column of a composite key of the parent:

        line:     { ref: order_lines.row_id, hidden: true }
        order_id: { from: line.order_id }
        line_no:  { from: line.line_no }

    declares FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no).
    Not for a reference to the entity itself or to a later entity (a cycle): the copies
    are consistent, but no row order would let the database check them on insert."""
    spec = plan.doc.entities[entity]
    out = []
    for via, f in spec.fields.items():
        target = graph_mod.ref_target(f) if f.hidden else None
        if target is None or target[0] == entity or target[0] not in position:
            continue
        if position[target[0]] > position[entity]:
            continue
        copies: dict[str, str] = {}  # parent column → this entity's column
        for name, g in spec.fields.items():
            head, _, column = (g.from_ or "").partition(".")
            if head == via and not g.hidden and not g.present - _PLAIN_COPY and not g.null_rate:
                copies.setdefault(column, name)
        for group in _key_groups(plan, target[0]):
            if all(c in copies for c in group):
                columns = [copies[c] for c in group]
                out.append(CompositeKey(columns, target[0], list(group), via))
                break
    return out


def key_sql_type(plan: Plan, entity: str, name: str) -> str | None:
    """A field's own `sql_type`; for a foreign key without one, its key's (through a chain
    of references): a child column of another type than its parent's key is refused by
    MySQL (BIGINT → SMALLINT) and compares by another rule in PostgreSQL (TEXT → CHAR)."""
    seen: set[tuple[str, str]] = set()
    f = plan.doc.entities[entity].fields[name]
    while f.sql_type is None and (target := graph_mod.ref_target(f)) is not None:
        if target in seen or target[0] not in plan.doc.entities:
            return None
        seen.add(target)
        f = plan.doc.entities[target[0]].fields.get(target[1])
        if f is None:
            return None
    return f.sql_type


def add_check(column: Column, f: FieldSpec, states: dict | None = None) -> None:
    """CHECK constraints that PDL bounds imply and generation guarantees (`states`: the
    entity's timeline states, the only values its `timeline: state` column holds)."""
    dtype = column.dtype
    if dtype is None or f.format is not None:
        return
    if f.source == "timeline" and f.timeline == "state" and states and dtype.kind == "string":
        if all("\x00" not in name for name in states):
            column.check, column.check_args = "in", tuple(states)
        return
    if f.source == "choice" and dtype.kind in ("int", "string") and f.min is None and f.max is None:
        values = list(f.choice) if isinstance(f.choice, dict) else list(f.choice or [])
        # A NUL cannot be spelled portably inside DDL; such a column simply gets no CHECK.
        if values and all(v is not None and "\x00" not in str(v) for v in values):
            if dtype.kind == "string":
                values = [str(v) for v in values]
            else:  # a mapping's keys are text: `{15: 50, 30: 40}` with `type: int` holds 15, 30
                values = [int(v) if isinstance(v, str) else v for v in values]
            column.check, column.check_args = "in", tuple(values)
        return
    if f.source not in ("type", "distribution") or not dtype.numeric:
        return
    lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
    if lo is None and hi is None:
        return
    if f.round is not None and not all(
        bound is None or _whole_at(bound, f.round) for bound in (lo, hi)
    ):
        return  # rounding may step past a bound written with more decimals than it keeps
    scale = dtype.scale if dtype.kind == "decimal" else (0 if dtype.kind == "int" else None)
    for bound in (lo, hi):
        if bound is not None and scale is not None:
            exponent = Decimal(str(bound)).as_tuple().exponent
            if isinstance(exponent, int) and -exponent > scale:
                return  # the bound is finer than the column can hold
    column.check, column.check_args = "between", (lo, hi)


def _whole_at(bound: object, places: int) -> bool:
    """Whether `bound` has at most `places` decimals (a multiple of 10**-places): rounded
    values are then kept inside it (engine.columns `_within_rounded_bounds`)."""
    if isinstance(bound, bool) or not isinstance(bound, int | float):
        return False
    return Decimal(str(bound)).scaleb(places) % 1 == 0


_NUMBER_LITERAL = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_STRING_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _default_passes(column: Column) -> bool:
    """Whether the rows an application inserts with the column's `sql_default` keep the
    CHECK Phony derived from the field's own values: a literal default outside the bounds
    or the list (a guessed range an imported `DEFAULT -1` is not in) would refuse every
    such row, so the CHECK is not declared. Other expressions cannot be judged here."""
    text = (column.default or "").strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if _NUMBER_LITERAL.fullmatch(text):
        value: object = Decimal(text)
    elif (found := _STRING_LITERAL.fullmatch(text)) is not None:
        value = found.group(1).replace("''", "'")
    else:
        return True
    if column.check == "in":
        if isinstance(value, str):
            return value in {str(v) for v in column.check_args}
        numbers = [v for v in column.check_args if isinstance(v, int | float)]
        return any(Decimal(str(v)) == value for v in numbers)
    lo, hi = column.check_args
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except ArithmeticError:
        return True  # a date or other text: the server converts it, Phony does not judge
    return (lo is None or Decimal(str(lo)) <= number) and (hi is None or number <= Decimal(str(hi)))


def column_type(column: Column, dialect: Dialect, key: bool) -> str:
    if column.sql_type:
        return column.sql_type
    dtype = column.dtype
    if dtype is None:
        return dialect.types["string"]
    if dtype.kind == "string" and key:
        return dialect.key_string
    template = dialect.types[dtype.kind]
    return template.format(p=dtype.precision, s=dtype.scale)


def _literal(value: object, dialect: Dialect) -> str:
    if isinstance(value, bool):
        return dialect.true if value else dialect.false
    if isinstance(value, int | float):
        return repr(value)
    # as the row values: quotes doubled, and what the dialect's clients would change spliced
    return string_literal(str(value), dialect, "a CHECK constraint")


def check_sql(column: Column, dialect: Dialect) -> str | None:
    q = quote_identifier(column.name, dialect)
    if column.check == "in":
        literals = [_literal(v, dialect) for v in column.check_args]
        if dialect.check_list_as_or and len(literals) <= 64:
            return f"CHECK ({' OR '.join(f'{q} = {lit}' for lit in literals)})"
        return f"CHECK ({q} IN ({', '.join(literals)}))"
    if column.check == "between":
        lo, hi = column.check_args
        parts = []
        if lo is not None:
            parts.append(f"{q} >= {_literal(lo, dialect)}")
        if hi is not None:
            parts.append(f"{q} <= {_literal(hi, dialect)}")
        return f"CHECK ({' AND '.join(parts)})"
    return None


def keyed_columns(table: Table) -> set[str]:
    """Columns of the primary key, a UNIQUE constraint or a foreign key."""
    keyed = {c for group in [table.primary_key, *table.uniques] for c in group}
    keyed |= {c for key in table.composite_keys for c in key.columns}
    return keyed | {fk.column for fk in table.foreign_keys}


def create_table(
    table: Table, dialect: Dialect, *, inline_deferred: bool, checks: bool = True
) -> str:
    q = lambda name: quote_identifier(name, dialect)  # noqa: E731
    keyed = keyed_columns(table)
    lines = []
    for column in table.columns:
        parts = [q(column.name), column_type(column, dialect, column.name in keyed)]
        if column.default is not None:
            # right after the type (and T-SQL's COLLATE), where all five dialects take it,
            # before NOT NULL, which T-SQL's grammar puts after DEFAULT
            parts.append(f"DEFAULT {column.default}")
        if column.identity and dialect.identity:
            parts.append(dialect.identity)
        if not column.nullable:
            parts.append("NOT NULL")
        if checks:
            check = check_sql(column, dialect)
            if check:
                parts.append(check)
        lines.append(" ".join(parts))
    if table.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(q(c) for c in table.primary_key)})")
    nullable = {c.name for c in table.columns if c.nullable}
    filtered = []  # unique keys over nullable columns where UNIQUE allows one NULL
    for group in table.uniques:
        if not dialect.unique_nulls_distinct and nullable.intersection(group):
            filtered.append(group)
        else:
            lines.append(f"UNIQUE ({', '.join(q(c) for c in group)})")
    for fk in table.foreign_keys:
        if fk.deferred and not inline_deferred:
            continue
        if not declared_foreign_key(table, fk, dialect):
            continue
        # MySQL names an unnamed key `<table>_ibfk_<n>`, too long for a 58+ character table
        named = (
            f"CONSTRAINT {q(constraint_name(table.name, fk.column))} "
            if (dialect.name == "mysql")
            else ""
        )
        lines.append(
            f"{named}FOREIGN KEY ({q(fk.column)}) REFERENCES {q(fk.parent)} ({q(fk.parent_column)})"
        )
    for key in table.composite_keys:
        named = (
            f"CONSTRAINT {q(constraint_name(table.name, key.column))} "
            if (dialect.name == "mysql")
            else ""
        )
        lines.append(
            f"{named}FOREIGN KEY ({', '.join(q(c) for c in key.columns)}) REFERENCES "
            f"{q(key.parent)} ({', '.join(q(c) for c in key.parent_columns)})"
        )
    body = ",\n  ".join(lines)
    # MySQL's default collation compares 'VX' and 'vx' equal: keys Phony made distinct
    # would collide, so text compares by its bytes, as in every other target
    options = " DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" if dialect.name == "mysql" else ""
    indexes = "".join(
        f"CREATE UNIQUE INDEX {q(constraint_name(table.name, '_'.join(group), 'uq'))} "
        f"ON {q(table.name)} ({', '.join(q(c) for c in group)}) WHERE "
        + " AND ".join(f"{q(c)} IS NOT NULL" for c in group if c in nullable)
        + ";\n"
        for group in filtered
    )
    return f"CREATE TABLE {q(table.name)} (\n  {body}\n){options};\n{indexes}"


def declared_foreign_key(table: Table, fk: ForeignKey, dialect: Dialect) -> bool:
    """Whether the dialect can declare the foreign key: DuckDB none to its own table (see
    Dialect.self_reference_fk), SQL Server none to a key that holds NULLs (a filtered index)."""
    if fk.parent == table.name and not dialect.self_reference_fk:
        return False
    return dialect.unique_nulls_distinct or not fk.nullable_target


MAX_CONSTRAINT_BYTES = 63  # PostgreSQL's limit; MySQL's is 64


def constraint_name(table: str, column: str, kind: str = "fk") -> str:
    """`fk_<table>_<column>`, or when that is too long a cut of it with a hash of the whole,
    so two long names that share their first 63 bytes stay two names."""
    name = f"{kind}_{table}_{column}"
    if len(name.encode()) <= MAX_CONSTRAINT_BYTES:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    head = name.encode()[: MAX_CONSTRAINT_BYTES - 9].decode("utf-8", "ignore")
    return f"{head}_{digest}"


def add_foreign_key(table: Table, fk: ForeignKey, dialect: Dialect) -> str:
    q = lambda name: quote_identifier(name, dialect)  # noqa: E731
    name = q(constraint_name(table.name, fk.column))
    return (
        f"ALTER TABLE {q(table.name)} ADD CONSTRAINT {name} FOREIGN KEY ({q(fk.column)}) "
        f"REFERENCES {q(fk.parent)} ({q(fk.parent_column)});\n"
    )


def drop_table(table: str, dialect: Dialect) -> str:
    return f"DROP TABLE IF EXISTS {quote_identifier(table, dialect)};\n"
