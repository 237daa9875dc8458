"""Evaluates the SQL expressions of `expr:` (parsed by sqlglot) on Arrow columns.

The node types handled here are exactly expr.SUPPORTED; validation rejects the rest.
Semantics follow PostgreSQL where dialects differ: `||` yields NULL when an input is
NULL (CONCAT skips NULLs), `/` on integers is true division, ROUND rounds half away
from zero, CASE treats a NULL condition as false, EXTRACT(DOW) counts Sunday as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..errors import GenerationError
from ..types import parse_type
from .arrow import arrow_type

Value = pa.Array | pa.Scalar

_UNIT_US = {
    "MICROSECOND": 1,
    "MILLISECOND": 1_000,
    "SECOND": 1_000_000,
    "MINUTE": 60_000_000,
    "HOUR": 3_600_000_000,
    "DAY": 86_400_000_000,
    "WEEK": 604_800_000_000,
}
# sqlglot type names → PDL types, for CAST.
_SQL_TYPES = {
    "varchar": "string",
    "nvarchar": "string",
    "char": "string",
    "nchar": "string",
    "text": "string",
    "int": "int",
    "bigint": "int",
    "smallint": "int",
    "tinyint": "int",
    "double": "float",
    "float": "float",
    "real": "float",
    "decimal": "decimal",
    "boolean": "bool",
    "date": "date",
    "timestamp": "datetime",
    "datetime": "datetime",
    "time": "time",
    "uuid": "uuid",
}
_EXTRACT = {
    "YEAR": pc.year,
    "MONTH": pc.month,
    "DAY": pc.day,
    "HOUR": pc.hour,
    "MINUTE": pc.minute,
    "SECOND": pc.second,
    "QUARTER": pc.quarter,
    "DOY": pc.day_of_year,
    "DOW": lambda a: pc.day_of_week(a, count_from_zero=True, week_start=7),
    "ISODOW": lambda a: pc.day_of_week(a, count_from_zero=False, week_start=1),
    "WEEK": pc.iso_week,
}


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _type(v: Value) -> pa.DataType:
    return v.type


def _both_integers(a: pa.DataType, b: pa.DataType) -> bool:
    return pa.types.is_integer(a) and pa.types.is_integer(b)


def _as_float(v: Value) -> Value:
    return pc.cast(v, pa.float64(), safe=False) if pa.types.is_integer(_type(v)) else v


MAX_EXACT_DOUBLE_INT = 2**53  # every whole number up to this holds in a double exactly
MAX_INT64 = 2**63 - 1


class LiteralError(GenerationError):
    """A literal of the expression is wrong whatever the rows hold; `offset` is where it
    starts in the expression's text, so validation can point at it."""

    def __init__(self, literal: exp.Literal, reason: str, hint: str) -> None:
        self.offset: int | None = literal.meta.get("start")
        self.length = len(literal.this)
        self.reason, self.hint = reason, hint
        super().__init__(f"{reason}; {hint}")


def _float_text(value: int) -> str:
    return repr(float(value)).replace("e+", "e")  # 1.2345678901234568e17


def inexact_literal(literal: exp.Literal) -> LiteralError:
    """An integer literal in double (float) arithmetic that no double holds exactly."""
    return LiteralError(
        literal,
        f"the integer literal {literal.this} cannot be represented exactly as a double "
        f"(a float holds whole numbers exactly only up to 2^53 = {MAX_EXACT_DOUBLE_INT:,})",
        f"write it as a float literal, {_float_text(int(literal.this))} (the double it "
        "rounds to), or keep the arithmetic in integers or decimals, with no float operand",
    )


def _literal_of(node: exp.Expression | None) -> exp.Literal | None:
    """The integer literal `node` is (through parentheses and a minus sign), or None."""
    while isinstance(node, exp.Paren | exp.Neg):
        node = node.this
    return node if isinstance(node, exp.Literal) and node.is_int else None


def require_exact_double(node: exp.Expression | None, value: Value) -> None:
    """Stop when an integer literal beyond ±2^53 is about to become a double."""
    if not pa.types.is_integer(_type(value)):
        return
    literal = _literal_of(node)
    if literal is not None and abs(int(literal.this)) > MAX_EXACT_DOUBLE_INT:
        raise inexact_literal(literal)


class Evaluator:
    """Evaluates one parsed expression against named columns of equal length."""

    def __init__(self, columns: Mapping[str, pa.Array], n: int) -> None:
        self.columns = columns
        self.n = n
        self.dispatch: dict[type, Callable[[exp.Expression], Value]] = {
            exp.Column: self.column,
            exp.Literal: self.literal,
            exp.Boolean: lambda e: pa.scalar(bool(e.this)),
            exp.Null: lambda e: pa.scalar(None, pa.null()),
            exp.Paren: lambda e: self.eval(e.this),
            exp.Neg: self.neg,
            exp.Add: self.add,
            exp.Sub: self.sub,
            exp.Mul: self.mul,
            exp.Div: self.div,
            exp.Mod: self.mod,
            exp.EQ: lambda e: self.compare(pc.equal, e),
            exp.NEQ: lambda e: self.compare(pc.not_equal, e),
            exp.GT: lambda e: self.compare(pc.greater, e),
            exp.GTE: lambda e: self.compare(pc.greater_equal, e),
            exp.LT: lambda e: self.compare(pc.less, e),
            exp.LTE: lambda e: self.compare(pc.less_equal, e),
            exp.And: lambda e: pc.and_kleene(self.eval(e.this), self.eval(e.expression)),
            exp.Or: lambda e: pc.or_kleene(self.eval(e.this), self.eval(e.expression)),
            exp.Not: self.not_,
            exp.Is: self.is_,
            exp.In: self.in_,
            exp.Between: self.between,
            exp.Case: self.case,
            exp.Coalesce: self.coalesce,
            exp.Nullif: self.nullif,
            exp.DPipe: lambda e: self.concat([e.this, e.expression], null_propagates=True),
            exp.Concat: lambda e: self.concat(e.expressions, null_propagates=False),
            exp.Upper: lambda e: pc.utf8_upper(self.text(self.eval(e.this))),
            exp.Lower: lambda e: pc.utf8_lower(self.text(self.eval(e.this))),
            exp.Substring: self.substring,
            exp.Length: lambda e: pc.cast(pc.utf8_length(self.text(self.eval(e.this))), pa.int64()),
            exp.Round: self.round,
            exp.Abs: lambda e: pc.abs(self.eval(e.this)),
            exp.Floor: lambda e: pc.floor(self.as_float(e.this)),
            exp.Ceil: lambda e: pc.ceil(self.as_float(e.this)),
            exp.Extract: self.extract,
            exp.Cast: self.cast,
            exp.Interval: self.interval,
        }

    def eval(self, node: exp.Expression) -> Value:
        handler = self.dispatch.get(type(node))
        if handler is None:  # validation prevents this; keep the message useful anyway
            raise GenerationError(f"unsupported SQL construct {type(node).__name__}")
        return handler(node)

    def result(self, node: exp.Expression) -> pa.Array:
        value = self.eval(node)
        if pa.types.is_duration(_type(value)) and _type(value).unit != "us":
            # a difference of whole-second datetimes (`round: 0`) is duration[s] in Arrow;
            # every writer promises microseconds
            value = pc.cast(value, pa.duration("us"))
        if isinstance(value, pa.Scalar):
            if value.type == pa.null():
                return pa.nulls(self.n)
            return pa.array(np.full(self.n, value.as_py(), dtype=object), type=value.type)
        return value

    # ---- leaves

    def column(self, e: exp.Column) -> Value:
        value = self.columns[e.name]
        t = _type(value)
        # `round` gives datetimes and times a coarser unit (s, ms); expressions work in
        # microseconds, so a difference of two times is always microseconds
        if pa.types.is_timestamp(t) and t.unit != "us":
            return pc.cast(value, pa.timestamp("us", tz=t.tz))
        if pa.types.is_time(t) and t.unit != "us":
            return pc.cast(value, pa.time64("us"))
        return value

    def literal(self, e: exp.Literal) -> Value:
        if e.is_string:
            return pa.scalar(e.this, pa.string())
        text = e.this
        if any(c in text for c in ".eE"):
            return pa.scalar(float(text), pa.float64())
        value = int(text)
        if value > MAX_INT64:  # a minus sign is applied afterwards, to the int64
            raise LiteralError(
                e,
                f"the integer literal {text} is beyond the 64-bit integer range "
                f"(at most {MAX_INT64:,}, or -{MAX_INT64 + 1} with its minus sign)",
                f"write it as a float literal, {_float_text(value)}, or keep the numbers "
                "within that range",
            )
        return pa.scalar(value, pa.int64())

    def neg(self, e: exp.Neg) -> Value:
        # SQL reads -9223372036854775808 as minus 9223372036854775808, a literal one past
        # int64; negated it is int64's minimum, which a BIGINT column holds (as in
        # PostgreSQL and SQLite), so the pair is taken as that one value.
        inner = e.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.Literal) and inner.is_int and int(inner.this) == MAX_INT64 + 1:
            return pa.scalar(-(MAX_INT64 + 1), pa.int64())
        return pc.negate_checked(self.eval(e.this))

    def interval(self, e: exp.Interval) -> Value:
        amount = float(e.this.name)
        unit = (e.unit.name if e.unit is not None else "SECOND").upper().rstrip("S")
        if unit not in _UNIT_US:
            raise GenerationError(
                f"INTERVAL unit {unit} is not supported (months and years vary in length)"
            )
        return pa.scalar(int(amount * _UNIT_US[unit]), pa.duration("us"))

    def as_float(self, node: exp.Expression) -> Value:
        value = self.eval(node)
        require_exact_double(node, value)
        return _as_float(value)

    def exact_with(self, nodes: list, values: list[Value], target: pa.DataType) -> None:
        """Integer literals among `nodes` that meet a double (`target`) must be exact."""
        if pa.types.is_floating(target):
            for node, value in zip(nodes, values, strict=True):
                require_exact_double(node, value)

    # ---- arithmetic

    def _pair(self, e: exp.Expression) -> tuple[Value, Value]:
        left, right = self.eval(e.this), self.eval(e.expression)
        lt, rt = _type(left), _type(right)
        if pa.types.is_decimal(lt) and pa.types.is_floating(rt):
            left = pc.cast(left, pa.float64(), safe=False)
        elif pa.types.is_floating(lt) and pa.types.is_decimal(rt):
            right = pc.cast(right, pa.float64(), safe=False)
        if pa.types.is_floating(rt):
            require_exact_double(e.this, left)
        if pa.types.is_floating(lt):
            require_exact_double(e.expression, right)
        return left, right

    def arith(self, fn: Callable, e: exp.Expression) -> Value:
        left, right = self._pair(e)
        return fn(left, right)

    def mul(self, e: exp.Mul) -> Value:
        left, right = self._pair(e)
        lt, rt = _type(left), _type(right)
        # a float times an interval (1.5 * INTERVAL '1' HOUR): microseconds, to the nearest
        if pa.types.is_duration(rt) and pa.types.is_floating(lt):
            left, right, lt, rt = right, left, rt, lt
        if pa.types.is_duration(lt) and (pa.types.is_floating(rt) or pa.types.is_decimal(rt)):
            us = pc.cast(pc.cast(left, pa.duration("us")), pa.int64())
            product = pc.round(
                pc.multiply(pc.cast(us, pa.float64()), pc.cast(right, pa.float64(), safe=False)),
                round_mode="half_to_even",
            )
            return pc.cast(pc.cast(product, pa.int64()), pa.duration("us"))
        if _both_integers(lt, rt):  # an overflow is an error, not a wrapped-around number
            return pc.multiply_checked(left, right)
        return pc.multiply(left, right)

    def add(self, e: exp.Add) -> Value:
        left, right = self._pair(e)
        if pa.types.is_time(_type(left)) and pa.types.is_date(_type(right)):
            left, right = right, left
        if pa.types.is_date(_type(left)) and pa.types.is_time(_type(right)):
            # date + time → the timestamp of that day and time (as PostgreSQL has it)
            since_midnight = pc.cast(pc.cast(right, pa.time64("us")), pa.int64())
            right = pc.cast(since_midnight, pa.duration("us"))
        if pa.types.is_date(_type(left)) and pa.types.is_duration(_type(right)):
            left = pc.cast(left, pa.timestamp("us"))
        if pa.types.is_date(_type(left)) and pa.types.is_integer(_type(right)):
            days = pc.cast(
                pc.add(pc.cast(left, pa.int32()), pc.cast(right, pa.int32())), pa.int32()
            )
            return pc.cast(days, pa.date32())
        if _both_integers(_type(left), _type(right)):
            return pc.add_checked(left, right)
        return pc.add(left, right)

    def sub(self, e: exp.Sub) -> Value:
        left, right = self._pair(e)
        if pa.types.is_date(_type(left)) and pa.types.is_date(_type(right)):
            # date - date → whole days between them, an integer (PostgreSQL's and DuckDB's)
            days = pc.subtract(pc.cast(left, pa.int32()), pc.cast(right, pa.int32()))
            return pc.cast(days, pa.int64())
        if pa.types.is_date(_type(left)) and pa.types.is_duration(_type(right)):
            left = pc.cast(left, pa.timestamp("us"))
        if pa.types.is_date(_type(left)) and pa.types.is_integer(_type(right)):
            # date - n → the date n days earlier (as PostgreSQL has it; the mirror of add)
            days = pc.subtract(pc.cast(left, pa.int32()), pc.cast(right, pa.int32()))
            return pc.cast(pc.cast(days, pa.int32()), pa.date32())
        if _both_integers(_type(left), _type(right)):
            return pc.subtract_checked(left, right)
        return pc.subtract(left, right)

    def div(self, e: exp.Div) -> Value:
        left, right = self._pair(e)
        if pa.types.is_integer(_type(left)) and pa.types.is_integer(_type(right)):
            require_exact_double(e.this, left)  # true division: both become doubles
            require_exact_double(e.expression, right)
            left, right = _as_float(left), _as_float(right)
        zero = pc.equal(
            right, pa.scalar(0, _type(right)) if not pa.types.is_decimal(_type(right)) else 0
        )
        safe = pc.if_else(zero, pa.scalar(None, _type(right)), right)  # x / 0 is NULL, not an error
        return pc.divide(left, safe)

    def mod(self, e: exp.Mod) -> Value:
        left, right = self._pair(e)
        if pa.types.is_integer(_type(left)) and pa.types.is_integer(_type(right)):
            safe = pc.if_else(pc.equal(right, 0), pa.scalar(None, pa.int64()), right)
            quotient = pc.divide(left, safe)  # integer division truncates toward zero
            return pc.subtract(left, pc.multiply(quotient, safe))
        lf, rf = pc.cast(left, pa.float64(), safe=False), pc.cast(right, pa.float64(), safe=False)
        return pc.subtract(lf, pc.multiply(pc.trunc(pc.divide(lf, rf)), rf))

    # ---- logic

    def compare(self, fn: Callable, e: exp.Expression) -> Value:
        left, right = self._pair(e)
        return fn(left, right)

    def not_(self, e: exp.Not) -> Value:
        inner = e.this
        if isinstance(inner, exp.Is):
            return pc.invert(self.is_(inner))
        return pc.invert(self.eval(inner))

    def is_(self, e: exp.Is) -> Value:
        target = e.expression
        value = self.eval(e.this)
        if isinstance(target, exp.Null):
            return pc.is_null(value)
        return pc.fill_null(pc.equal(value, self.eval(target)), False)

    def in_(self, e: exp.In) -> Value:
        value = self.eval(e.this)
        options = [self.eval(x) for x in e.expressions]
        self.exact_with(e.expressions, options, _type(value))  # compared as doubles
        result = None
        for opt in options:
            hit = pc.equal(value, opt)
            result = hit if result is None else pc.or_kleene(result, hit)
        return result

    def between(self, e: exp.Between) -> Value:
        value = self.eval(e.this)
        low, high = self.eval(e.args["low"]), self.eval(e.args["high"])
        self.exact_with([e.args["low"], e.args["high"]], [low, high], _type(value))
        return pc.and_kleene(pc.greater_equal(value, low), pc.less_equal(value, high))

    def case(self, e: exp.Case) -> Value:
        default = e.args.get("default")
        branches = [(self.eval(i.this), self.eval(i.args["true"])) for i in e.args.get("ifs", [])]
        values = [v for _, v in branches] + ([self.eval(default)] if default is not None else [])
        target = _common_type(values)
        nodes = [i.args["true"] for i in e.args.get("ifs", [])]
        self.exact_with([*nodes, *([default] if default is not None else [])], values, target)
        result: Value = (
            self._cast(self.eval(default), target)
            if default is not None
            else pa.scalar(None, target)
        )
        for cond, value in reversed(branches):
            if e.this is not None:  # simple CASE x WHEN v THEN …
                cond = pc.equal(self.eval(e.this), cond)
            if not (pa.types.is_boolean(_type(cond)) or pa.types.is_null(_type(cond))):
                raise GenerationError(
                    f"CASE WHEN needs a condition (true or false), got a value of type "
                    f"{_type(cond)}; compare it, e.g. WHEN x = 'a'"
                )
            result = pc.if_else(pc.fill_null(cond, False), self._cast(value, target), result)
        return result

    def coalesce(self, e: exp.Coalesce) -> Value:
        values = [self.eval(e.this), *(self.eval(x) for x in e.expressions)]
        target = _common_type(values)
        self.exact_with([e.this, *e.expressions], values, target)
        return pc.coalesce(*(self._cast(v, target) for v in values))

    def nullif(self, e: exp.Nullif) -> Value:
        left, right = self._pair(e)
        return pc.if_else(
            pc.fill_null(pc.equal(left, right), False), pa.scalar(None, _type(left)), left
        )

    # ---- text

    def text(self, v: Value) -> Value:
        if pa.types.is_string(_type(v)) or pa.types.is_large_string(_type(v)):
            return v
        if pa.types.is_null(_type(v)):
            return pa.scalar(None, pa.string())
        return pc.cast(v, pa.string())

    def concat(self, parts: list[exp.Expression], null_propagates: bool) -> Value:
        values = [self.text(self.eval(p)) for p in parts]
        values = [self._broadcast(v) for v in values]
        if null_propagates:
            return pc.binary_join_element_wise(*values, "", null_handling="emit_null")
        return pc.binary_join_element_wise(
            *values, "", null_handling="replace", null_replacement=""
        )

    def substring(self, e: exp.Substring) -> Value:
        value = self.text(self.eval(e.this))
        for part in ("start", "length"):
            arg = e.args.get(part)
            if arg is not None and not (isinstance(arg, exp.Literal) and arg.is_int):
                raise GenerationError(
                    f"SUBSTRING takes whole-number literals for its {part}, not `{arg.sql()}`"
                )
        start = int(e.args["start"].this) if e.args.get("start") is not None else 1
        length = e.args.get("length")
        begin = max(start - 1, 0)
        if length is None:
            return pc.utf8_slice_codeunits(value, begin)
        return pc.utf8_slice_codeunits(value, begin, begin + int(length.this))

    # ---- numbers, time, types

    def round(self, e: exp.Round) -> Value:
        digits = int(e.args["decimals"].this) if e.args.get("decimals") is not None else 0
        return pc.round(self.as_float(e.this), ndigits=digits, round_mode="half_towards_infinity")

    def extract(self, e: exp.Extract) -> Value:
        part = e.this.name.upper()
        fn = _EXTRACT.get(part)
        if fn is None:
            raise GenerationError(f"EXTRACT({part} …) is not supported")
        return pc.cast(fn(self.eval(e.expression)), pa.int64())

    def cast(self, e: exp.Cast) -> Value:
        to = e.args["to"]
        base = to.this.name.lower() if hasattr(to.this, "name") else str(to.this).lower()
        params = [p.sql() for p in to.expressions]
        name = _SQL_TYPES.get(base, base)
        if name == "decimal" and params:
            name = f"decimal({','.join(params)})"
        try:
            dtype = parse_type(name)
        except ValueError:
            raise GenerationError(f"CAST to {to.sql()} is not supported") from None
        return self._cast(self.eval(e.this), arrow_type(dtype))

    def _cast(self, v: Value, target: pa.DataType) -> Value:
        if _type(v) == target:
            return v
        if pa.types.is_decimal(target) and pa.types.is_floating(_type(v)):
            scale = target.scale
            v = pc.round(v, ndigits=scale, round_mode="half_towards_infinity")
            return pc.cast(v, target, safe=False)
        if pa.types.is_floating(target) and pa.types.is_integer(_type(v)):
            return pc.cast(v, target, safe=False)  # as in SQL: above 2**53 rounds to nearest
        return pc.cast(v, target)

    def _broadcast(self, v: Value) -> pa.Array:
        if isinstance(v, pa.Scalar):
            if not v.is_valid:
                return pa.nulls(self.n, type=v.type if v.type != pa.null() else pa.string())
            return pa.array(np.full(self.n, v.as_py(), dtype=object), type=v.type)
        return v


def _common_type(values: list[Value]) -> pa.DataType:
    types = [_type(v) for v in values if not pa.types.is_null(_type(v))]
    if not types:
        return pa.null()
    if all(t == types[0] for t in types):
        return types[0]
    if all(_is_numeric(t) for t in types):
        if all(pa.types.is_integer(t) for t in types):
            return pa.int64()
        return pa.float64()
    if any(pa.types.is_string(t) for t in types):
        return pa.string()
    return types[0]


def evaluate(tree: exp.Expression, columns: Mapping[str, pa.Array], n: int) -> pa.Array:
    return Evaluator(columns, n).result(tree)
