"""SQL expressions in PDL (`expr:` and `aggregate:`), parsed by sqlglot.

This module owns what is supported: validation rejects anything outside the
tables below with the name of the unsupported construct, and the evaluator
(phony_pdl.engine.evaluate) handles exactly these node types.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

# Node types an `expr` may contain, with the words users see in errors.
SUPPORTED: dict[type, str] = {
    exp.Column: "column",
    exp.Identifier: "identifier",
    exp.Literal: "literal",
    exp.Boolean: "TRUE/FALSE",
    exp.Null: "NULL",
    exp.Paren: "parentheses",
    exp.Add: "+",
    exp.Sub: "-",
    exp.Mul: "*",
    exp.Div: "/",
    exp.Mod: "%",
    exp.Neg: "unary -",
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.And: "AND",
    exp.Or: "OR",
    exp.Not: "NOT",
    exp.Is: "IS",
    exp.In: "IN",
    exp.Between: "BETWEEN",
    exp.Case: "CASE",
    exp.If: "WHEN",
    exp.Coalesce: "COALESCE",
    exp.Nullif: "NULLIF",
    exp.DPipe: "||",
    exp.Concat: "CONCAT",
    exp.Upper: "UPPER",
    exp.Lower: "LOWER",
    exp.Substring: "SUBSTRING",
    exp.Length: "LENGTH",
    exp.Round: "ROUND",
    exp.Abs: "ABS",
    exp.Floor: "FLOOR",
    exp.Ceil: "CEIL",
    exp.Interval: "INTERVAL",
    exp.Var: "keyword",
    exp.Extract: "EXTRACT",
    exp.Cast: "CAST",
    exp.DataType: "type",
    exp.DataTypeParam: "type parameter",
}
SUPPORTED_FUNCTIONS = (
    "ABS CASE CAST CEIL COALESCE CONCAT EXTRACT FLOOR INTERVAL LENGTH LOWER NULLIF ROUND "
    "SUBSTRING UPPER"
)
AGGREGATES = ("sum", "count", "avg", "min", "max", "first", "last", "count_distinct")
_AGG_TYPES: dict[type, str] = {
    exp.Sum: "sum",
    exp.Count: "count",
    exp.Avg: "avg",
    exp.Min: "min",
    exp.Max: "max",
    exp.First: "first",
    exp.Last: "last",
}


class ExprError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).upper()
    if isinstance(node, exp.Func):
        return node.sql_name()
    return type(node).__name__.upper()


def parse_expr(text: str) -> exp.Expression:
    """Parse and check an `expr`; raises ExprError naming what is unsupported."""
    try:
        tree = sqlglot.parse_one(text)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        raise ExprError(
            f"SQL does not parse: {first.get('description', str(exc)).strip()}",
            hint="write a SQL expression such as `quantity * unit_price`",
        ) from None
    except Exception as exc:  # sqlglot's tokenizer raises plain errors on stray characters
        raise ExprError(f"SQL does not parse: {exc}") from None
    if tree is None:
        raise ExprError("empty expression")
    in_window: set[int] = set()
    for node in tree.walk():
        if id(node) in in_window:
            continue
        if isinstance(node, exp.Window):
            _check_window(node)
            in_window |= {id(n) for n in node.walk()} - {id(node)}
            continue
        if type(node) not in SUPPORTED:
            if isinstance(node, (exp.AggFunc, tuple(_AGG_TYPES))):
                raise ExprError(
                    f"aggregate {_name(node)}() is not allowed in `expr`",
                    hint="use `aggregate:` for sums and counts over child rows",
                )
            if isinstance(node, exp.Select | exp.Subquery):
                raise ExprError("sub-queries are not supported in `expr`")
            raise ExprError(
                f"unsupported function or operator {_name(node)}",
                hint=f"supported: {SUPPORTED_FUNCTIONS}, arithmetic, comparisons, AND/OR/NOT, ||",
            )
    return tree


WINDOW_FUNCTIONS = (
    exp.Sum,
    exp.Count,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Lag,
    exp.Lead,
    exp.RowNumber,
    exp.Rank,
)
_WINDOW_PARTS = (
    exp.Window,
    exp.Order,
    exp.Ordered,
    exp.Column,
    exp.Identifier,
    exp.Literal,
    exp.Star,
    exp.Neg,
)


def _check_window(node: exp.Window) -> None:
    func = node.this
    if not isinstance(func, WINDOW_FUNCTIONS):
        raise ExprError(
            f"window function {_name(func)}() is not supported",
            hint="supported over a window: SUM, COUNT, AVG, MIN, MAX, LAG, LEAD, ROW_NUMBER, RANK",
        )
    if node.args.get("spec") is not None:
        raise ExprError(
            "explicit window frames (ROWS/RANGE BETWEEN …) are not supported; the SQL default is used"
        )
    for part in node.walk():
        if part is func or isinstance(part, _WINDOW_PARTS):
            continue
        raise ExprError(f"{_name(part)} inside OVER (…) is not supported; use plain columns")


def windows(tree: exp.Expression) -> list[exp.Window]:
    return list(tree.find_all(exp.Window))


def columns(tree: exp.Expression) -> list[str]:
    """Column names an expression reads, in first-use order (qualified as `a.b`)."""
    names: list[str] = []
    for col in tree.find_all(exp.Column):
        name = ".".join(p.name for p in col.parts)
        if name not in names:
            names.append(name)
    return names


@dataclass(frozen=True)
class Aggregate:
    func: str
    child: str  # child entity
    field: str | None  # None for count(*) / count(child)
    filter: exp.Expression | None
    filter_columns: tuple[str, ...]


def parse_aggregate(text: str) -> Aggregate:
    """`sum(order_items.amount) FILTER (WHERE order_items.quantity > 1)`."""
    try:
        tree = sqlglot.parse_one(text)
    except Exception as exc:
        raise ExprError(f"aggregate does not parse: {str(exc).splitlines()[0]}") from None
    where = None
    if isinstance(tree, exp.Filter):
        where = tree.expression.this if isinstance(tree.expression, exp.Where) else tree.expression
        tree = tree.this
    func: str | None = None
    arg: exp.Expression | None = None
    if type(tree) in _AGG_TYPES:
        func = _AGG_TYPES[type(tree)]
        arg = tree.this
        if isinstance(arg, exp.Distinct):
            if func != "count":
                raise ExprError("DISTINCT is only supported in count(DISTINCT …)")
            func = "count_distinct"
            arg = arg.expressions[0] if arg.expressions else None
    elif isinstance(tree, exp.Anonymous) and str(tree.this).lower() == "count_distinct":
        func = "count_distinct"
        arg = tree.expressions[0] if tree.expressions else None
    if func is None:
        raise ExprError(
            f"'{text}' is not an aggregate",
            hint="write one of " + ", ".join(f"{a}(child.field)" for a in AGGREGATES[:3]) + ", …",
        )
    child, field = None, None
    if isinstance(arg, exp.Star) or arg is None:
        if func != "count":
            raise ExprError(f"{func}() needs a column such as `child_entity.field`")
    elif isinstance(arg, exp.Column):
        parts = [p.name for p in arg.parts]
        if len(parts) == 1:
            if func == "count":
                child = parts[0]  # count(order_items)
            else:
                raise ExprError(
                    f"'{parts[0]}' needs its entity: write `{func}(child_entity.{parts[0]})`"
                )
        elif len(parts) == 2:
            child, field = parts
        else:
            raise ExprError(f"'{'.'.join(parts)}' should be `child_entity.field`")
    else:
        raise ExprError(f"{func}() takes a column `child_entity.field`, not an expression")
    filter_cols: tuple[str, ...] = ()
    if where is not None:
        for node in where.walk():
            if type(node) not in SUPPORTED:
                raise ExprError(f"unsupported {_name(node)} in FILTER (WHERE …)")
        filter_cols = tuple(columns(where))
        for name in filter_cols:
            parts = name.split(".")
            if child is None and len(parts) == 2:
                child = parts[0]
    if child is None:
        raise ExprError("count(*) needs a FILTER naming the child, or write count(child_entity)")
    return Aggregate(func, child, field, where, filter_cols)
