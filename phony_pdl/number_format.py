"""`format` on a number: `"${:,.2f}"`, `"{:.1f}%"`, `"{:+d}"`, `"#{:06d}"`.

A number format is text with one `{…}` for the number (`{{` and `}}` are braces), in the
mini-language of Python's `format()` cut down to what test data needs:

    {[:][+][0width][,|_][.digits f | .digits % | d]}

`+` signs positive numbers too, `0width` pads the number with zeros to that width (sign
included, as Python does), `,` or `_` groups thousands, `.2f` writes two digits after the
point, `.1%` the number times 100 with one digit and a percent sign (0.125 → 12.5%) and
`d` a whole number. The text around the braces is written as it is (`$`, `€`, a
unit). Values are rounded half to even on their exact value, as Python rounds, and what a
format writes is what `format(value, spec)` writes in Python, except that a value that
rounds to zero has no minus sign (`0.00`, where Python writes `-0.00` for -0.001).

Formatting is vectorized: each value's digits come from its unscaled integer (the value
times 10**digits, correctly rounded by Arrow's cast to decimal) and are laid out right-
aligned in a byte matrix, one column at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .errors import GenerationError
from .types import DataType

__all__ = ["NumberFormat", "NumberFormatError", "format_numbers", "parse_number_format"]

MAX_DIGITS = 18  # after the point (Arrow decimals hold 38, an int64 unscaled value 18 more)
MAX_WIDTH = 40
_SPEC = re.compile(
    r"(?P<sign>\+)?(?:0(?P<width>\d+))?(?P<group>[,_])?(?:\.(?P<digits>\d+))?(?P<kind>[fd%])?"
)
_POW10 = np.array([10**i for i in range(20)], dtype=np.uint64)


class NumberFormatError(ValueError):
    """A number format that cannot be used: `message` and a `hint` with the fix."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class NumberFormat:
    prefix: str  # text before the number, braces unescaped
    suffix: str  # text after it
    spec: str  # what was inside the braces after `:` (for messages)
    sign: bool  # `+`: positive numbers are written with a sign too
    width: int  # `0width`: zero-padded to this many characters (0: none)
    grouping: str  # "", "," or "_"
    digits: int | None  # after the point, from `.Nf`; None: the type's own
    kind: str  # "f", "d", "%" (times 100, then f and a percent sign) or "" (none given)

    def places(self, dtype: DataType) -> int:
        """Digits after the point for values of `dtype`."""
        if self.digits is not None:
            return self.digits
        if self.kind == "%":  # Python's default: six digits, a decimal's own less two
            return max(dtype.scale - 2, 0) if dtype.kind == "decimal" else 6
        return dtype.scale if dtype.kind == "decimal" else 0


def looks_like_number_format(text: str) -> bool:
    """Whether `format` text is meant for a number (it has a `{`), not a strftime pattern."""
    return "{" in text.replace("{{", "")


def parse_number_format(text: str) -> NumberFormat:
    """The format, or NumberFormatError naming what is wrong and the fix."""
    example = "e.g. '${:,.2f}' (1,234.50 with a dollar sign) or '{:.1f}%'"
    parts: list[str] = []  # literal text before and after the field
    fields: list[str] = []
    literal, i = [], 0
    while i < len(text):
        c = text[i]
        if (c == "{" and text[i + 1 : i + 2] == "{") or (c == "}" and text[i + 1 : i + 2] == "}"):
            literal.append(c)
            i += 2
            continue
        if c == "}":
            raise NumberFormatError(
                f"format {text!r} has a '}}' that closes no '{{'", "write '}}' for a brace"
            )
        if c == "{":
            end = text.find("}", i)
            if end < 0:
                raise NumberFormatError(
                    f"format {text!r} opens a '{{' it never closes",
                    f"close the number's field: {{:,.2f}}; write '{{{{' for a brace; {example}",
                )
            fields.append(text[i + 1 : end])
            parts.append("".join(literal))
            literal, i = [], end + 1
            continue
        literal.append(c)
        i += 1
    parts.append("".join(literal))
    if not fields:
        raise NumberFormatError(f"format {text!r} has no '{{…}}' for the number", example)
    if len(fields) != 1:
        raise NumberFormatError(
            f"format {text!r} has {len(fields)} '{{…}}' fields; a number format has one, "
            "where the number goes",
            example,
        )
    field = fields[0]
    name, colon, spec = field.partition(":")
    if name:
        raise NumberFormatError(
            f"format {text!r} names its field ({name!r}); the field is the number itself",
            f"write {{:{spec}}}" if colon else "write {}",
        )
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise NumberFormatError(
            f"format {text!r}: {spec!r} is not a number format spec",
            "the spec is [+][0width][,|_][.digits f | d]: '{:,.2f}', '{:+d}', '{:06d}', '{:.1f}'",
        )
    width = int(match["width"] or 0)
    digits = None if match["digits"] is None else int(match["digits"])
    kind = match["kind"] or ""
    if digits is not None and kind not in ("f", "%"):
        hint = f"write '{{:{spec[: match.start('digits') - 1]}.{digits}f}}'"
        raise NumberFormatError(
            f"format {text!r}: '.{digits}' without 'f' (Python would read it as significant "
            "digits)",
            hint + ": f writes that many digits after the point",
        )
    if digits is not None and digits > MAX_DIGITS:
        raise NumberFormatError(
            f"format {text!r} writes {digits} digits after the point; at most {MAX_DIGITS}",
            f"use .{MAX_DIGITS}f or fewer",
        )
    if width > MAX_WIDTH or (match["width"] is not None and width == 0):
        raise NumberFormatError(
            f"format {text!r}: zero padding to {width} characters; 1 to {MAX_WIDTH}",
            "write the width after the 0: '{:06d}' pads 42 to 000042",
        )
    if width and match["group"]:
        raise NumberFormatError(
            f"format {text!r} pads with zeros and groups thousands; Phony does one or the other",
            f"drop the '0{width}' or the '{match['group']}'",
        )
    return NumberFormat(
        parts[0], parts[1], spec, bool(match["sign"]), width, match["group"] or "", digits, kind
    )


def format_numbers(values: pa.Array, fmt: NumberFormat, dtype: DataType) -> pa.Array:
    """`values` (int64, float64 or decimal128) as text in `fmt`; NULL stays NULL."""
    n = len(values)
    if n == 0:
        return pa.array([], pa.string())
    places = fmt.places(dtype)
    percent = fmt.kind == "%"
    if percent and pa.types.is_floating(values.type):
        # as Python does: the float times 100 (a float), then rounded
        unscaled = _unscaled(pc.multiply(values.cast(pa.float64()), 100.0), places)
    else:  # an integer or a decimal times 100 is exact: two more places
        unscaled = _unscaled(values, places + 2) if percent else _unscaled(values, places)
    negative = unscaled < 0
    magnitude = np.abs(unscaled).astype(np.uint64)
    whole = magnitude // _POW10[places]
    fraction = magnitude % _POW10[places]
    whole_digits = np.searchsorted(_POW10[1:], whole, side="right") + 1  # >= 1
    signed = negative | fmt.sign
    point = places + 1 if places else 0
    if fmt.width:  # zeros fill the whole part up to the width (sign, fraction, % included)
        whole_digits = np.maximum(whole_digits, fmt.width - signed - point - percent)
    body = whole_digits + (whole_digits - 1) // 3 if fmt.grouping else whole_digits
    prefix = np.frombuffer(fmt.prefix.encode(), dtype=np.uint8)
    suffix = np.frombuffer(("%" if percent else "").encode() + fmt.suffix.encode(), np.uint8)
    lengths = len(prefix) + signed + body + point + len(suffix)
    width = int(lengths.max())
    matrix = np.zeros((n, width), dtype=np.uint8)
    rows = np.arange(n)
    end = width - len(suffix)  # the suffix, then the fraction, right-aligned
    if len(suffix):
        matrix[:, end:] = suffix
    if places:
        end -= point
        matrix[:, end] = ord(".")
        for j in range(places):
            matrix[:, end + 1 + j] = (fraction // _POW10[places - 1 - j] % 10 + 48).astype(np.uint8)
    separator = ord(fmt.grouping) if fmt.grouping else 0
    for p in range(int(body.max())):  # the whole part, from its last digit left
        inside = p < body
        if fmt.grouping and p % 4 == 3:
            matrix[inside, end - 1 - p] = separator
            continue
        place = p - p // 4 if fmt.grouping else p
        digit = (whole // _POW10[min(place, 19)] % 10 + 48).astype(np.uint8)
        if place > 19:  # zero padding beyond the 20 digits a uint64 has
            digit[:] = ord("0")
        matrix[inside, end - 1 - p] = digit[inside]
    start = end - body  # where each row's whole part begins
    if signed.any():
        matrix[rows[signed], start[signed] - 1] = np.where(negative[signed], ord("-"), ord("+"))
    start = start - signed - len(prefix)
    for j, byte in enumerate(prefix):
        matrix[rows, start + j] = byte
    keep = np.arange(width)[None, :] >= (width - lengths)[:, None]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    text = pa.LargeStringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(matrix[keep].tobytes())
    ).cast(pa.string())
    if values.null_count:
        text = pc.if_else(values.is_valid(), text, pa.scalar(None, pa.string()))
    return text


def _unscaled(values: pa.Array, places: int) -> np.ndarray:
    """Each value times 10**places, rounded half to even on its exact value, as int64 (0
    where NULL); GenerationError where that does not fit 64 bits or a float is not finite."""
    kind = values.type
    if pa.types.is_integer(kind):
        ints = pc.fill_null(values, 0).to_numpy(zero_copy_only=False).astype(np.int64)
        limit = (2**63 - 1) // 10**places
        if len(ints) and int(np.abs(ints).max()) > limit:
            raise GenerationError(
                f"a value beyond {limit:,} does not fit the format's {places} digits after "
                "the point"
            )
        return ints * np.int64(10**places)
    if pa.types.is_floating(kind):
        floats = pc.fill_null(values.cast(pa.float64()), 0.0)
        if not np.isfinite(floats.to_numpy(zero_copy_only=False)).all():
            raise GenerationError("a format cannot write infinite values or NaN")
        try:
            decimal = pc.cast(floats, pa.decimal128(38, places), safe=False)
        except pa.ArrowInvalid:
            raise GenerationError(
                f"a value too large to write with {places} digits after the point"
            ) from None
    elif pa.types.is_decimal(kind):
        decimal = pc.fill_null(values, pa.scalar(0, kind))
        if kind.scale > places:
            decimal = pc.round(decimal, ndigits=places, round_mode="half_to_even")
        decimal = decimal.cast(pa.decimal128(38, places))
    else:
        raise GenerationError(f"`format` with '{{…}}' writes numbers, not {kind}")
    decimal = decimal.combine_chunks() if isinstance(decimal, pa.ChunkedArray) else decimal
    words = np.frombuffer(decimal.buffers()[1], dtype=np.int64)
    words = words[2 * decimal.offset : 2 * (decimal.offset + len(decimal))].reshape(-1, 2)
    low, high = words[:, 0], words[:, 1]
    if not np.array_equal(high, low >> np.int64(63)):
        raise GenerationError(
            f"a value beyond {(2**63 - 1) / 10**places:.3g} does not fit the format's {places} "
            "digits after the point"
        )
    return low.copy()
