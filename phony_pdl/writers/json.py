"""JSON Lines and JSON arrays, encoded column-wise with Arrow kernels (no per-row Python).

Rules: NULL, NaN and ±Infinity are written as `null`; integers beyond ±2**53 as strings
(JavaScript readers would round them); decimals as exact numbers; dates, times and
timestamps as ISO-8601 strings (`YYYY-MM-DD HH:MM:SS.ffffff`); UUIDs as strings.
"""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc

from ..decimal_text import decimal_text
from .base import EntityWriter, register

_SAFE_INT = 2**53
_CONTROL = [chr(c) for c in range(0x20)]
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def quote(strings: pa.Array) -> pa.Array:
    s = pc.replace_substring(strings, "\\", "\\\\")
    s = pc.replace_substring(s, '"', '\\"')
    if pc.any(pc.match_substring_regex(s, "[\\x00-\\x1f]")).as_py():
        for ch in _CONTROL:
            s = pc.replace_substring(s, ch, _SHORT_ESCAPES.get(ch, f"\\u{ord(ch):04x}"))
    return pc.binary_join_element_wise(pa.scalar('"'), s, pa.scalar('"'), "")


def encode_column(arr: pa.Array) -> pa.Array:
    """JSON text of every value of a column."""
    t = arr.type
    if pa.types.is_null(t):
        out = pa.array(["null"] * len(arr))
    elif pa.types.is_boolean(t):
        out = pc.cast(arr, pa.string())
    elif pa.types.is_integer(t):
        text = pc.cast(arr, pa.string())
        wide = pc.cast(arr, pa.int64())
        big = pc.or_(pc.greater(wide, _SAFE_INT), pc.less(wide, -_SAFE_INT))
        out = pc.if_else(big, quote(text), text) if pc.any(big).as_py() else text
    elif pa.types.is_floating(t):
        finite = pc.is_finite(arr)
        out = pc.if_else(finite, pc.cast(arr, pa.string()), pa.scalar(None, pa.string()))
    elif pa.types.is_decimal(t):
        out = decimal_text(arr)
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        out = quote(arr)
    else:  # dates, times, timestamps
        out = quote(pc.cast(arr, pa.string()))
    return pc.fill_null(out, "null")


def encode_rows(batch: pa.RecordBatch) -> pa.Array:
    parts: list = []
    for i, name in enumerate(batch.schema.names):
        key = json.dumps(name, ensure_ascii=False) + ":"
        parts.append(pa.scalar(("{" if i == 0 else ",") + key))
        parts.append(encode_column(batch.column(i)))
    parts.append(pa.scalar("}"))
    if batch.num_rows == 0:
        return pa.array([], type=pa.string())
    return pc.binary_join_element_wise(*parts, "")


def joined_bytes(strings: pa.Array) -> bytes:
    """The concatenated UTF-8 of a string array, straight from its data buffer."""
    strings = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    if len(strings) == 0:
        return b""
    offsets = strings.buffers()[1]
    import numpy as np

    off = np.frombuffer(offsets, dtype=np.int32)[strings.offset : strings.offset + len(strings) + 1]
    return strings.buffers()[2].to_pybytes()[off[0] : off[-1]]


@register("jsonl")
class JsonLinesWriter(EntityWriter):
    extension = "jsonl"

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows:
            rows = encode_rows(batch)
            self.out.write(joined_bytes(pc.binary_join_element_wise(rows, pa.scalar("\n"), "")))


@register("json")
class JsonArrayWriter(EntityWriter):
    extension = "json"

    def __init__(
        self,
        path,
        schema: pa.Schema,
        dictionary: list[str] | None = None,
        compression: str | None = None,
    ) -> None:
        super().__init__(path, schema, dictionary, compression)
        self.first = True
        self.out.write(b"[")

    def write_batch(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        rows = encode_rows(batch)
        data = joined_bytes(pc.binary_join_element_wise(pa.scalar(",\n"), rows, ""))
        self.out.write(b"\n" + data[2:] if self.first else data)
        self.first = False

    def finish(self) -> None:
        self.out.write(b"]\n" if self.first else b"\n]\n")
