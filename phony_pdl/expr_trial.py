"""Trying an `expr` at validation on two made-up rows of its inputs' types.

The evaluator (phony_pdl.engine.evaluate) is the authority on which operations
apply to which types; running it on a tiny sample at validation turns a type
mistake (`name + 1`, `CASE WHEN name THEN …`) into a validation error at the
field's file:line:column instead of a generation error after the run started.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp

from .types import DataType

# Two values per type, as the engine holds them.
_SAMPLES: dict[str, list] = {
    "int": [1, 2],
    "float": [1.5, 2.5],
    "bool": [True, False],
    "string": ["a", "b"],
    "uuid": ["00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001"],
    "date": [dt.date(2024, 1, 31), dt.date(2024, 2, 1)],
    "datetime": [dt.datetime(2024, 1, 31, 12), dt.datetime(2024, 2, 1, 12)],
    "time": [dt.time(12), dt.time(13)],
}
_OPERATORS = {
    "add": "+",
    "add_checked": "+",
    "subtract": "-",
    "subtract_checked": "-",
    "multiply": "*",
    "multiply_checked": "*",
    "divide": "/",
    "negate_checked": "unary -",
    "equal": "=",
    "not_equal": "<>",
    "less": "<",
    "less_equal": "<=",
    "greater": ">",
    "greater_equal": ">=",
    "and_kleene": "AND",
    "or_kleene": "OR",
    "invert": "NOT",
}
_TYPE_WORDS = [
    (r"large_string|string|utf8", "text"),
    (r"int\d+", "int"),
    (r"double|float", "float"),
    (r"date32\[day\]", "date"),
    (r"timestamp\[\w+\]", "datetime"),
    (r"time64\[\w+\]", "time"),
    (r"duration\[\w+\]", "interval"),
    (r"decimal128\(\d+, \d+\)", "decimal"),
]
_NO_KERNEL = re.compile(r"Function '(\w+)' has no kernel matching input types \(([^)]*)\)")


def trial_type(tree: exp.Expression, inputs: Mapping[str, DataType]) -> DataType | None:
    """The type `tree` yields on two rows of `inputs`, or None if that cannot be told."""
    import pyarrow as pa

    from .engine.arrow import pdl_type
    from .engine.evaluate import evaluate
    from .errors import GenerationError

    columns = _sample_columns(inputs)
    if columns is None:
        return None
    try:
        result = evaluate(tree, columns, 2)
    except (pa.ArrowException, GenerationError, TypeError, ValueError):
        return None
    return pdl_type(result.type)


def _sample_columns(inputs: Mapping[str, DataType]) -> dict | None:
    """Two made-up rows of each input, as the engine holds them (None: a type this check
    cannot sample)."""
    import pyarrow as pa

    from .engine.arrow import arrow_type

    columns = {}
    for name, dtype in inputs.items():
        if dtype.kind == "decimal":  # one and two units of the last digit fit any precision
            values = [Decimal(k).scaleb(-dtype.scale) for k in (1, 2)]
        else:
            values = _SAMPLES.get(dtype.kind)
        if values is None:
            return None
        try:
            columns[name] = pa.array(values, type=arrow_type(dtype))
        except (pa.ArrowException, TypeError, ValueError):
            return None  # a type this check cannot sample: generation will tell
    return columns


@dataclass(frozen=True)
class Problem:
    """What is wrong; `offset`: where in the expression's text (a literal), if known."""

    message: str
    offset: int | None = None
    length: int = 1
    hint: str | None = None


def trial_problem(tree: exp.Expression, inputs: Mapping[str, DataType]) -> Problem | None:
    """What the evaluator says about `tree` on two rows of `inputs`, or None if it runs."""
    import pyarrow as pa

    from .engine.evaluate import LiteralError, evaluate
    from .errors import GenerationError

    columns = _sample_columns(inputs)
    if columns is None:
        return None
    try:
        evaluate(tree, columns, 2)
    except LiteralError as exc:  # wrong whatever the rows hold, and it knows its place
        return Problem(exc.reason, exc.offset, exc.length, exc.hint)
    except pa.ArrowInvalid as exc:  # about values, not types: only a literal's is certain
        # (and any of an expression that reads no field: its rows are all alike)
        certain = not inputs or _about_a_literal(str(exc))
        return Problem(_readable(str(exc))) if certain else None
    except (pa.ArrowException, GenerationError, TypeError, ValueError) as exc:
        return Problem(_readable(str(exc)))
    return None


_MADE_UP = {str(v) for values in _SAMPLES.values() for v in values} | {"1", "2", "0.01", "0.02"}


def _about_a_literal(message: str) -> bool:
    """An ArrowInvalid that the made-up rows cannot have caused: a literal that does not
    parse (`d = 'not a date'`). Parse failures of the sample values, truncation and overflow
    depend on the real values (`CAST(code AS INT)` on digits) and are left to generation."""
    m = re.search(r"Failed to parse string: '([^']*)'", message)
    return m is not None and m.group(1) not in _MADE_UP


def _readable(message: str) -> str:
    m = _NO_KERNEL.search(message)
    if m:
        op = _OPERATORS.get(m.group(1), m.group(1).upper())
        types = [_type_word(t.strip()) for t in m.group(2).split(",")]
        return f"{op} does not apply to {' and '.join(types)}"
    return message.splitlines()[0] if message else "cannot be evaluated"


def _type_word(arrow_name: str) -> str:
    for pattern, word in _TYPE_WORDS:
        if re.fullmatch(pattern, arrow_name):
            return word
    return arrow_name
