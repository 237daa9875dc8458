"""Exact text of decimal columns: every place, never an exponent.

Arrow's decimal-to-string cast writes `0E-8` and `1.2E-7` once a value's exponent falls
below -6 (a decimal with more than six places, near zero); formats.md promises `s` digits
after the point. The unscaled integers are the same buffers read with scale 0 (a cast
that never uses an exponent); the point is then put in as text, with no loop over rows.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["decimal_text", "exponent_prone", "unscaled"]

# Arrow writes fixed-point text while the adjusted exponent is -6 or more: a scale of at
# most 6 never reaches an exponent.
_FIXED_SCALES = 6


def exponent_prone(t: pa.DataType) -> bool:
    """Whether Arrow's own text of this type may have an exponent (decimals of 7+ places)."""
    return pa.types.is_decimal(t) and t.scale > _FIXED_SCALES


def unscaled(arr: pa.Array) -> pa.Array:
    """The same buffers read as decimal(p, 0): the digits without the point (no copy)."""
    wide = pa.decimal256 if pa.types.is_decimal256(arr.type) else pa.decimal128
    return pa.Array.from_buffers(
        wide(arr.type.precision, 0), len(arr), arr.buffers(), arr.null_count, arr.offset
    )


def decimal_text(arr: pa.Array) -> pa.Array:
    """`12.50`, `-0.00000001`, `0.00000000` for decimal(p, s); nulls stay null."""
    scale = arr.type.scale
    if not exponent_prone(arr.type):
        return pc.cast(arr, pa.string())
    text = pc.cast(unscaled(arr), pa.string())
    negative = pc.starts_with(text, "-")
    digits = pc.utf8_lpad(pc.utf8_ltrim(text, "-"), scale + 1, "0")
    whole = pc.utf8_slice_codeunits(digits, 0, -scale)
    places = pc.utf8_slice_codeunits(digits, -scale)
    sign = pc.if_else(negative, pa.scalar("-"), pa.scalar(""))
    return pc.binary_join_element_wise(sign, whole, ".", places, "")
