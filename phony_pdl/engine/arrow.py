"""PDL types ↔ Arrow types, and PDL literals (bounds, consts, choices) as Arrow values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import GenerationError
from ..types import BOOL_WORDS, DataType

EPOCH = dt.datetime(1970, 1, 1)
US_PER_DAY = 86_400_000_000

ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "time": pa.time64("us"),
    "uuid": pa.string(),
}

# Defaults when a type-alone field gives no bounds (fixed: outputs never depend on "now").
DEFAULT_BOUNDS: dict[str, tuple[Any, Any]] = {
    "int": (0, 1_000_000),
    "float": (0.0, 1.0),
    "decimal": (0, 1000),
    "date": ("2000-01-01", "2025-12-31"),
    "datetime": ("2000-01-01", "2025-12-31"),
    "time": ("00:00:00", "23:59:59.999999"),
    "string": (8, 16),
}


# The widest range each type holds (PDL's calendar is years 1..9999, a time one day).
TYPE_LIMITS: dict[str, tuple[Any, Any]] = {
    "date": ("0001-01-01", "9999-12-31"),
    "datetime": ("0001-01-01", "9999-12-31"),
    "time": ("00:00:00", "23:59:59.999999"),
    "int": (-(2**63), 2**63 - 1),  # a lone bound near the edge: no wrap-around past it
}


def arrow_type(dtype: DataType) -> pa.DataType:
    if dtype.kind == "decimal":
        return pa.decimal128(dtype.precision, dtype.scale)
    return ARROW_TYPES[dtype.kind]


def pdl_type(t: pa.DataType) -> DataType | None:
    """The PDL type of an Arrow type (for columns whose type only evaluation tells)."""
    if pa.types.is_decimal(t):
        return DataType("decimal", t.precision, t.scale)
    for kind, arrow in ARROW_TYPES.items():
        if kind != "uuid" and t == arrow:
            return DataType(kind)
    if pa.types.is_integer(t):
        return DataType("int")
    if pa.types.is_floating(t):
        return DataType("float")
    if pa.types.is_timestamp(t):
        return DataType("datetime")
    return None


def parse_datetime(value: Any, *, end: bool = False) -> int:
    """Microseconds since the epoch; a date-only upper bound means the end of that day."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value * 1_000_000)
    text = str(value).strip()
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    us = (parsed - EPOCH) // dt.timedelta(microseconds=1)
    if end and len(text) <= 10:  # `2024-12-31` as an upper bound includes that whole day
        us += US_PER_DAY - 1
    return us


def parse_date(value: Any) -> int:
    """Days since the epoch."""
    return (dt.date.fromisoformat(str(value).strip()[:10]) - EPOCH.date()).days


def parse_time(value: Any) -> int:
    t = dt.time.fromisoformat(str(value).strip())
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def scalar_to_units(value: Any, dtype: DataType, *, end: bool = False) -> float | int:
    """A bound in the integer/float units the generators work in."""
    kind = dtype.kind
    if kind == "date":
        return parse_date(value)
    if kind == "datetime":
        return parse_datetime(value, end=end)
    if kind == "time":
        return parse_time(value)
    if kind == "decimal":
        return int((Decimal(str(value)) * (10**dtype.scale)).to_integral_value())
    if kind == "int":
        return int(value)
    return float(value)


def drawn_bounds(f: Any, dtype: DataType) -> tuple[Any, Any]:
    """(lowest, highest) units a type-alone field of `dtype` is drawn from: its bounds, or
    the type's defaults (validation counts a unique field's values from the same range)."""
    lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
    default_lo, default_hi = DEFAULT_BOUNDS.get(dtype.kind, (0, 1))
    d_lo, d_hi = (
        scalar_to_units(default_lo, dtype),
        scalar_to_units(default_hi, dtype, end=True),
    )
    u_lo = None if lo is None else scalar_to_units(lo, dtype)
    u_hi = None if hi is None else scalar_to_units(hi, dtype, end=True)
    # One bound given: keep the default width of the range on the other side, up to
    # the edge of what the type holds (`min: "20:00:00"` stops at midnight).
    if u_lo is None and u_hi is None:
        return d_lo, d_hi
    limits = TYPE_LIMITS.get(dtype.kind)
    if u_hi is None:
        u_hi = u_lo + (d_hi - d_lo)
        if limits is not None:
            u_hi = max(u_lo, min(u_hi, scalar_to_units(limits[1], dtype, end=True)))
    elif u_lo is None:
        u_lo = u_hi - (d_hi - d_lo)
        if limits is not None:
            u_lo = min(u_hi, max(u_lo, scalar_to_units(limits[0], dtype)))
    return u_lo, u_hi


def drawn_step(f: Any, dtype: DataType) -> int:
    """Microseconds per drawn unit of a type-alone datetime or time: whole steps when
    `round` cuts the seconds (1 for every other type)."""
    if dtype.kind in ("datetime", "time") and f.round is not None and f.round < 6:
        return 10 ** (6 - f.round)
    return 1


def from_units(units: np.ndarray, dtype: DataType) -> pa.Array:
    """Integer/float units → an Arrow array of the type."""
    kind = dtype.kind
    if kind == "date":
        return pa.array(units.astype(np.int32), type=pa.int32()).cast(pa.date32())
    if kind == "datetime":
        return pa.array(units.astype(np.int64), type=pa.int64()).cast(pa.timestamp("us"))
    if kind == "time":
        return pa.array(units.astype(np.int64), type=pa.int64()).cast(pa.time64("us"))
    if kind == "decimal":
        return decimal_from_unscaled(units.astype(np.int64), dtype)
    if kind == "int":
        return pa.array(units.astype(np.int64))
    if kind == "bool":
        return pa.array(units.astype(bool))
    return pa.array(units.astype(np.float64))


def decimal_from_unscaled(
    unscaled: np.ndarray, dtype: DataType, mask: np.ndarray | None = None
) -> pa.Array:
    """int64 unscaled values → decimal128 without per-value Python objects.

    A value with more digits than the precision is a GenerationError: Arrow would take the
    buffer as it is, and the file would hold a number its own column type cannot.
    """
    n = len(unscaled)
    if 0 < dtype.precision <= 18 and n:
        limit = 10**dtype.precision
        wide = np.abs(unscaled) >= limit
        if mask is not None:
            wide &= ~mask
        if wide.any():
            bad = int(unscaled[np.flatnonzero(wide)[0]])
            scale = dtype.scale
            raise GenerationError(
                f"{_decimal_text(bad, scale)} does not fit {dtype} (largest "
                f"{_decimal_text(limit - 1, scale)}); declare more digits of precision or "
                "narrow the range"
            )
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)  # two's-complement sign extension to 128 bits
    validity = None
    null_count = 0
    if mask is not None:
        validity = pa.array(~mask).buffers()[1]
        null_count = int(mask.sum())
    return pa.Array.from_buffers(
        pa.decimal128(dtype.precision, dtype.scale),
        n,
        [validity, pa.py_buffer(words.tobytes())],
        null_count=null_count,
    )


def _decimal_text(unscaled: int, scale: int) -> str:
    digits = str(abs(unscaled)).rjust(scale + 1, "0")
    text = f"{digits[:-scale]}.{digits[-scale:]}" if scale else digits
    return ("-" if unscaled < 0 else "") + text


def decimal_to_float(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """decimal128 → float64, each value the double nearest to it (as parsing its text gives).

    Arrow's cast divides in floating point and can land one step off (56.66 →
    56.660000000000004), so the same data read from a CSV and from Parquet would differ.
    Here the unscaled integer and 10**scale are both exact doubles and one division
    rounds correctly; values beyond 2**53 units are read from their text, which Arrow
    parses correctly rounded (its cast was off for 21 of 100,000 decimal(38,10) values).
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    scale = column.type.scale
    if not pa.types.is_decimal128(column.type) or not 0 <= scale <= 22:
        return column.cast(pa.float64())
    words = np.frombuffer(column.buffers()[1], dtype="<i8").reshape(-1, 2)
    words = words[column.offset : column.offset + len(column)]
    low, high = words[:, 0], words[:, 1]
    valid = ~np.asarray(column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    fits = (high == np.where(low < 0, -1, 0)) & (np.abs(low) < 2**53)
    if not fits[valid].all():
        from ..decimal_text import decimal_text

        return pc.cast(decimal_text(column), pa.float64())
    values = low.astype(np.float64) / float(10**scale)
    return pa.array(values, pa.float64(), mask=~valid if not valid.all() else None)


def literal_array(values: list[Any], dtype: DataType) -> pa.Array:
    """PDL literal values (choice lists, consts) as an Arrow array of the field type."""
    kind = dtype.kind
    if kind in ("date", "datetime", "time", "decimal"):
        units = np.array(
            [scalar_to_units(v, dtype) if v is not None else 0 for v in values], dtype=np.int64
        )
        arr = from_units(units, dtype)
        if any(v is None for v in values):
            arr = pc.if_else(pa.array([v is None for v in values]), pa.scalar(None, arr.type), arr)
        return arr
    if kind == "int":
        return pa.array([None if v is None else int(v) for v in values], type=pa.int64())
    if kind == "float":
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    if kind == "bool":  # mapping keys spell the values: "true", "false"
        return pa.array(
            [BOOL_WORDS[v] if isinstance(v, str) else v for v in values], type=pa.bool_()
        )
    return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def to_numpy_units(arr: pa.Array, dtype: DataType) -> np.ndarray:
    """Arrow values → integer/float units (nulls as 0) for arithmetic."""
    kind = dtype.kind
    if kind == "date":
        return pc.fill_null(arr.cast(pa.int32()), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    if kind in ("datetime", "time"):
        return pc.fill_null(arr.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
    return pc.fill_null(arr, 0).to_numpy(zero_copy_only=False)
