"""Vectorized building blocks shared by the generator families.

Everything here works on whole arrays: strings are assembled with Arrow kernels or
from byte matrices, never with a per-row Python loop. Loops run over a small fixed
number of formats, columns or character positions.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


def constant(text: str, n: int) -> pa.Array:
    """`n` copies of one string, built from buffers (no Python list of n items)."""
    raw = text.encode("utf-8")
    offsets = (np.arange(n + 1, dtype=np.int64) * len(raw)).astype(np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(raw * n))


def take(values: pa.Array, index: np.ndarray) -> pa.Array:
    """values[index] for an int64 numpy index (zero-copy into Arrow)."""
    return values.take(pa.array(np.asarray(index, dtype=np.int64)))


def coded(ctx: Any, values: pa.Array, index: np.ndarray) -> pa.Array:
    """values[index]; as a dictionary array (codes into `values`) when the engine asked
    for codes (`ctx.codes`: it writes Parquet, whose writer then stores the codes instead
    of hashing every string again). Anything else reading the field gets it decoded."""
    if not ctx.codes or values.null_count:
        return take(values, index)
    return as_codes(values, index)


def as_codes(values: pa.Array, index: np.ndarray) -> pa.DictionaryArray:
    """values[index] as codes into `values` (int32, what the Parquet writer stores)."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)), values)


def scaled(u: np.ndarray, k: int) -> np.ndarray:
    """Uniforms in [0, 1) → integers in [0, k)."""
    out = (u * k).astype(np.int64)
    np.minimum(out, k - 1, out=out)
    return out


def pick(values: pa.Array, u: np.ndarray) -> pa.Array:
    """A uniform choice from `values` per row, driven by the uniforms `u`."""
    return take(values, scaled(u, len(values)))


HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)  # ASCII of 0-9a-f, by nibble


def strings_from_matrix(matrix: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """Row i is the first lengths[i] bytes of matrix[i] (ASCII)."""
    n, width = matrix.shape
    keep = np.arange(width)[None, :] < lengths[:, None]
    data = matrix[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes()))


def fixed_width(matrix: np.ndarray) -> pa.Array:
    """Every row of an ASCII byte matrix as one string of the matrix's width."""
    n, width = matrix.shape
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64).astype(np.int32)
    data = np.ascontiguousarray(matrix, dtype=np.uint8).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def cent_bounds(low: float, high: float, precision: int) -> tuple[int, int]:
    """The whole cents inside [low, high] for a decimal(precision, 2) column, or ValueError
    naming the problem (the range holds no cent, or more digits than the column).
    The 1e-6 slack absorbs binary fractions: 0.07 * 100 is 7.000000000000001."""
    limit = 10 ** (precision - 2)
    if not 0 < low <= high < limit:
        raise ValueError(
            f"need 0 < min <= max < {limit:,} (decimal({precision},2)), got {low}..{high}"
        )
    first, last = math.ceil(low * 100 - 1e-6), math.floor(high * 100 + 1e-6)
    if first > last:
        raise ValueError(f"no whole cent lies between min {low} and max {high}")
    return first, last


def decimal_array(unscaled: np.ndarray, precision: int, scale: int) -> pa.Array:
    """int64 unscaled values (e.g. cents) → decimal128(precision, scale) without Python objects."""
    n = len(unscaled)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), n, [None, pa.py_buffer(words.tobytes())]
    )


def split_format(fmt: str) -> list[tuple[bool, str]]:
    """`"{number} {street}"` → [(True, "number"), (False, " "), (True, "street")]."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(fmt):
        if m.start() > pos:
            parts.append((False, fmt[pos : m.start()]))
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(fmt):
        parts.append((False, fmt[pos:]))
    return parts


def render(fmt: str, values: dict[str, Any], n: int) -> pa.Array:
    """Fill a `{name}` format with per-row string arrays (or plain strings)."""
    parts = []
    for is_name, text in split_format(fmt):
        value = values[text] if is_name else text
        parts.append(pa.scalar(value, pa.string()) if isinstance(value, str) else value)
    if not any(isinstance(p, pa.Array) for p in parts):
        return constant("".join(p.as_py() for p in parts), n)
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "")


def render_choice(formats: list[str], choice: np.ndarray, values: dict[str, Any]) -> pa.Array:
    """Row i uses formats[choice[i]]; each format renders only its own rows."""
    n = len(choice)
    if len(formats) == 1:
        return render(formats[0], values, n)
    pieces, order = [], []
    for k, fmt in enumerate(formats):
        rows = np.flatnonzero(choice == k)
        if len(rows) == 0:
            continue
        idx = pa.array(rows)
        used = {text for is_name, text in split_format(fmt) if is_name}
        sub = {
            name: (values[name].take(idx) if isinstance(values[name], pa.Array) else values[name])
            for name in used
        }
        pieces.append(render(fmt, sub, len(rows)))
        order.append(rows)
    if not pieces:
        return pa.array([], type=pa.string())
    if len(pieces) == 1:
        return pieces[0]
    merged = pa.concat_arrays(pieces)
    inverse = np.empty(n, dtype=np.int64)
    inverse[np.concatenate(order)] = np.arange(n, dtype=np.int64)
    return merged.take(pa.array(inverse))


def weights_of(values: list[str]) -> tuple[pa.Array, np.ndarray]:
    """Distinct values with their counts (repetition in a data list means weight)."""
    seen: dict[str, int] = {}
    for v in values:
        seen[v] = seen.get(v, 0) + 1
    return pa.array(list(seen), type=pa.string()), np.array(list(seen.values()), dtype=np.float64)


# --------------------------------------------------------------------------- ASCII names

# Letters that Unicode decomposition does not reduce to ASCII.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "Ł": "L",
        "ł": "l",
        "ı": "i",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
    }
)
# German spelling replaces umlauts by a following e (Müller → Mueller).
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def ascii_word(text: str, language: str = "") -> str:
    """A name as lower-case ASCII letters and digits: Müller → mueller, Şahin → sahin."""
    if language == "de":
        text = text.translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = text.encode("ascii", "ignore").decode().lower()
    return _NOT_ALNUM.sub("", text)


def ascii_words(values: list[str], language: str = "", fallback: str = "x") -> pa.Array:
    """ascii_word for a whole vocabulary (runs once per vocabulary, never per row)."""
    return pa.array(
        [ascii_word(v, language) or fallback for v in values],  # vocabulary, not rows
        type=pa.string(),
    )


def language_of(locale: str) -> str:
    return locale.split("_")[0]


# --------------------------------------------------------------------------- random characters

UPPER = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_LOW32 = np.uint64(0xFFFFFFFF)
_HIGH = np.uint64(32)
_TEN_THOUSAND = np.uint64(10_000)
# 0 … 9999 as four digit values 0–9 in one little-endian word each: 1234 → bytes 1, 2, 3, 4
_FOUR_DIGITS = (
    (np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1]) % 10).astype(np.uint8).view("<u4")
).ravel()


def random_digits(ctx: Any, count: int, label: str = "digits") -> np.ndarray:
    """n × count random decimal digits 0–9, as uint8 values.

    Each 32-bit half of a draw is read as a binary fraction and gives its first four
    decimal digits, eight digits per draw: floor(x · 10⁴ / 2³²) is the number those four
    digits spell (what multiplying by ten and keeping the integer part four times gives),
    and a table turns it into its four digit bytes, one 32-bit word per four digits.
    """
    count = max(count, 1)
    words = -(-count // 4)
    out = np.empty((ctx.n, words), dtype="<u4")
    for block in range(0, count, 8):
        raw = ctx.stream(f"{label}{block}").raw(ctx.rows)
        for half in range(2):
            word = block // 4 + half
            if word >= words:
                break
            x = raw & _LOW32 if half == 0 else raw >> _HIGH
            x *= _TEN_THOUSAND  # below 2**46: no wrap-around
            x >>= _HIGH
            out[:, word] = _FOUR_DIGITS[x]
    return out.view(np.uint8)[:, :count]


def random_letters(ctx: Any, count: int, label: str = "letters") -> np.ndarray:
    """n × count random upper-case ASCII letters (four 16-bit draws per 64 bits), as bytes."""
    count = max(count, 1)
    out = np.empty((ctx.n, count), dtype=np.uint8)
    for block in range(0, count, 4):
        raw = ctx.stream(f"{label}{block}").raw(ctx.rows)
        for j in range(block, min(block + 4, count)):
            bits = (raw >> np.uint64(16 * (j - block))) & np.uint64(0xFFFF)
            out[:, j] = UPPER[((bits * np.uint64(26)) >> np.uint64(16)).astype(np.int64)]
    return out
