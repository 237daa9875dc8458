"""The one dialect-aware encoder: Arrow columns → SQL literals and PostgreSQL COPY text.

Works column-wise with Arrow kernels; a value a target cannot store (NUL in PostgreSQL
text, NaN in MySQL) fails early with the table, column and row instead of corrupting data.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..decimal_text import decimal_text
from ..engine.arrow import decimal_to_float
from ..errors import GenerationError
from .dialects import Dialect


def quote_identifier(name: str, dialect: Dialect) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect.sqlglot)


def _first_match(arr: pa.Array, pattern: str) -> int | None:
    hits = pc.match_substring_regex(arr, pattern)
    if not pc.any(hits).as_py():
        return None
    return int(np.flatnonzero(hits.to_numpy(zero_copy_only=False))[0])


def string_literals(arr: pa.Array, dialect: Dialect, where: str) -> pa.Array:
    s = arr
    if dialect.backslash_escapes:
        s = pc.replace_substring(s, "\\", "\\\\")
    s = pc.replace_substring(s, "'", "''")
    bad = _first_match(s, "\\x00")
    if bad is not None and dialect.nul_in_text is None:
        raise GenerationError(
            f"{where}, row {bad + 1}: the value contains a NUL character (U+0000), "
            f"which {dialect.name} cannot store in text"
        )
    spliced = None  # which values got a splice (for the dialect's spliced_prefix)
    for raw, splice in _splices(dialect):
        hits = pc.match_substring(s, raw)
        if not pc.any(hits).as_py():
            continue
        spliced = hits if spliced is None else pc.or_(spliced, hits)
        s = pc.replace_substring(s, raw, splice)
    out = pc.binary_join_element_wise(pa.scalar(dialect.string_prefix + "'"), s, pa.scalar("'"), "")
    if spliced is not None and dialect.spliced_prefix:
        prefixed = pc.binary_join_element_wise(pa.scalar(dialect.spliced_prefix), out, "")
        out = pc.if_else(pc.fill_null(spliced, False), prefixed, out)
    return out


def _splices(dialect: Dialect) -> list[tuple[str, str]]:
    """(raw text, what it becomes) for each character or sequence a literal of the dialect
    cannot hold as it is, in the order they are replaced (the replacements hold none)."""
    out = [
        (raw, splice)
        for raw, splice in (
            ("\x00", dialect.nul_in_text),
            ("\r", dialect.cr_in_text),
            ("\n", dialect.lf_in_text),
        )
        if splice is not None
    ]
    return out + list(dialect.text_splices)


def string_literal(text: str, dialect: Dialect, where: str) -> str:
    """One value as string_literals writes it (CHECK constraints)."""
    return string_literals(pa.array([text], pa.string()), dialect, where)[0].as_py()


def nonfinite(arr: pa.Array, dialect: Dialect, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, mask of NaN and infinities) of a float column; a GenerationError naming the
    first such row when the dialect cannot store them."""
    values = pc.fill_null(arr, 0.0).to_numpy(zero_copy_only=False)
    special = ~np.isfinite(values)
    if dialect.nan is None and special.any():
        row = int(np.flatnonzero(special)[0])
        raise GenerationError(
            f"{where}, row {row + 1}: {values[row]} cannot be stored in {dialect.name}"
        )
    return values, special


def float_literals(arr: pa.Array, dialect: Dialect, where: str) -> pa.Array:
    values, special = nonfinite(arr, dialect, where)
    if dialect.float_digits is None:
        text = pc.cast(arr, pa.string())
    else:  # nulls stay null here and become NULL in sql_literals
        digits = np.char.mod(f"%.{dialect.float_digits}g", values)
        text = pa.array(digits, pa.string(), mask=arr.is_null().to_numpy(zero_copy_only=False))
    if dialect.float_exponent:  # `0.5E0`, `1E0`: a float literal, not a DECIMAL or INT one
        plain = pc.invert(pc.match_substring_regex(text, "[eEna]"))
        text = pc.if_else(plain, pc.binary_join_element_wise(text, pa.scalar("E0"), ""), text)
    with np.errstate(invalid="ignore"):
        negative_zero = (values == 0) & np.signbit(values)
    if negative_zero.any():  # "-0" would be read as the integer 0 and lose its sign
        minus_zero = "-0.0E0" if dialect.float_exponent else "-0.0"
        text = pc.if_else(pa.array(negative_zero), pa.scalar(minus_zero), text)
    if not special.any():
        return text
    negative_infinity = dialect.infinity.replace("Infinity", "-Infinity")
    words = np.where(
        np.isnan(values), dialect.nan, np.where(values > 0, dialect.infinity, negative_infinity)
    )
    return pc.if_else(pa.array(special), pa.array(words.astype(object), type=pa.string()), text)


def sql_literals(arr: pa.Array, dialect: Dialect, where: str) -> pa.Array:
    """SQL literal text for every value of a column (NULL for nulls)."""
    t = arr.type
    if pa.types.is_null(t):
        return pa.array(["NULL"] * len(arr), type=pa.string())
    if pa.types.is_boolean(t):
        out = pc.if_else(arr, pa.scalar(dialect.true), pa.scalar(dialect.false))
    elif pa.types.is_integer(t):
        out = pc.cast(arr, pa.string())
    elif pa.types.is_decimal(t) and dialect.decimal_as_double:
        # the double nearest the decimal, as the loader sends it
        out = float_literals(decimal_to_float(arr), dialect, where)
    elif pa.types.is_decimal(t):
        out = decimal_text(arr)
    elif pa.types.is_floating(t):
        out = float_literals(arr, dialect, where)
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        out = string_literals(arr, dialect, where)
    else:  # date, time, timestamp: ISO text that every target parses
        out = pc.binary_join_element_wise(
            pa.scalar("'"), pc.cast(arr, pa.string()), pa.scalar("'"), ""
        )
    return pc.fill_null(out, "NULL")


# The most SQL text one INSERT holds (unless one row alone is longer): MySQL and MariaDB
# refuse a statement over max_allowed_packet (16 MiB by default in MariaDB, 4 MiB in
# MySQL 5.7), and 1,000 rows of 20 KB text each went over it. Rows of ordinary size never
# come near it, so statements keep their row counts.
MAX_STATEMENT_BYTES = 1 << 20


def statement_starts(
    row_bytes: np.ndarray, per: int, limit: int = MAX_STATEMENT_BYTES
) -> np.ndarray:
    """Rows that begin an INSERT: every `per`-th row counted from the first, and, inside a
    group of `per` rows whose text would pass `limit`, each row that would pass it."""
    n = len(row_bytes)
    starts = np.zeros(n, dtype=bool)
    starts[::per] = True
    group_starts = np.flatnonzero(starts)
    totals = np.add.reduceat(row_bytes, group_starts) if n else np.zeros(0)
    for g in np.flatnonzero(totals > limit):  # only groups of rows of over ~1 KB each
        lo = group_starts[g]
        hi = group_starts[g + 1] if g + 1 < len(group_starts) else n
        size = 0
        for i in range(lo, hi):
            if i > lo and size + row_bytes[i] > limit:
                starts[i] = True
                size = 0
            size += int(row_bytes[i])
    return starts


def insert_statements(
    table: str, batch: pa.RecordBatch, dialect: Dialect, rows_per_statement: int
) -> bytes:
    """Multi-row INSERT statements for a batch, `rows_per_statement` rows each (fewer when
    their text would pass MAX_STATEMENT_BYTES), UTF-8."""
    return _rendered(table, batch, dialect, rows_per_statement)[0]


def insert_statement_list(
    table: str, batch: pa.RecordBatch, dialect: Dialect, rows_per_statement: int
) -> list[bytes]:
    """The statements of insert_statements one by one (a driver runs one at a time)."""
    data, cuts = _rendered(table, batch, dialect, rows_per_statement)
    return [data[a:b] for a, b in itertools.pairwise(cuts)]


def _rendered(
    table: str, batch: pa.RecordBatch, dialect: Dialect, rows_per_statement: int
) -> tuple[bytes, list[int]]:
    """The statements' text and the byte offsets where each starts (and the end)."""
    n = batch.num_rows
    if n == 0:
        return b"", [0]
    columns = ", ".join(quote_identifier(name, dialect) for name in batch.schema.names)
    head = f"INSERT INTO {quote_identifier(table, dialect)} ({columns}) VALUES\n("
    literals = [
        sql_literals(batch.column(i), dialect, f"{table}.{name}")
        for i, name in enumerate(batch.schema.names)
    ]
    row_bytes = np.full(n, 4 + 2 * len(literals), dtype=np.int64)  # "(", ", " …, "),\n"
    for lit in literals:
        row_bytes += pc.binary_length(lit).to_numpy(zero_copy_only=False).astype(np.int64)
    first = statement_starts(row_bytes, rows_per_statement)
    last = np.append(first[1:], True)
    prefix = pc.if_else(pa.array(first), pa.scalar(head), pa.scalar("("))
    suffix = pc.if_else(pa.array(last), pa.scalar(");\n"), pa.scalar("),\n"))
    parts: list = [prefix]
    for i, lit in enumerate(literals):
        if i:
            parts.append(pa.scalar(", "))
        parts.append(lit)
    parts.append(suffix)
    from ..writers.json import joined_bytes

    rows = pc.binary_join_element_wise(*parts, "")
    data = joined_bytes(rows)
    starts = np.flatnonzero(first)
    if len(starts) == 1:
        return data, [0, len(data)]
    row_ends = np.cumsum(pc.binary_length(rows).to_numpy(zero_copy_only=False).astype(np.int64))
    return data, [0, *(int(row_ends[i - 1]) for i in starts[1:]), len(data)]


def copy_text(arr: pa.Array, where: str) -> pa.Array:
    """PostgreSQL COPY text format for a column: \\N for NULL, backslash escapes."""
    t = arr.type
    if pa.types.is_boolean(t):
        out = pc.if_else(arr, pa.scalar("t"), pa.scalar("f"))
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        bad = _first_match(arr, "\\x00")
        if bad is not None:
            raise GenerationError(
                f"{where}, row {bad + 1}: the value contains a NUL character (U+0000), "
                "which PostgreSQL cannot store in text"
            )
        out = pc.replace_substring(arr, "\\", "\\\\")
        for raw, escaped in (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            out = pc.replace_substring(out, raw, escaped)
    elif pa.types.is_floating(t):
        out = pc.cast(arr, pa.string())
        out = pc.replace_substring(out, "nan", "NaN")
        out = pc.replace_substring_regex(out, "^(-?)inf$", "\\1Infinity")
    elif pa.types.is_decimal(t):
        out = decimal_text(arr)
    else:
        out = pc.cast(arr, pa.string())
    return pc.fill_null(out, "\\N")


def copy_rows(batch: pa.RecordBatch, table: str) -> bytes:
    if batch.num_rows == 0:
        return b""
    parts: list = []
    for i, name in enumerate(batch.schema.names):
        if i:
            parts.append(pa.scalar("\t"))
        parts.append(copy_text(batch.column(i), f"{table}.{name}"))
    parts.append(pa.scalar("\n"))
    from ..writers.json import joined_bytes

    return joined_bytes(pc.binary_join_element_wise(*parts, ""))
