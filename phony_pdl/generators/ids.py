"""id.*: identifiers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..types import UUID
from .context import GenContext
from .registry import Params, generator

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def format_uuid(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    """Two uint64 arrays → canonical 36-character UUID strings, without a per-row loop."""
    n = len(hi)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    for word, offset in ((hi, 0), (lo, 16)):
        for j in range(16):
            shift = np.uint64(60 - 4 * j)
            nibbles[:, offset + j] = ((word >> shift) & np.uint64(0xF)).astype(np.uint8)
    chars = _HEX[nibbles]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    out[:, 0:8] = chars[:, 0:8]
    out[:, 9:13] = chars[:, 8:12]
    out[:, 14:18] = chars[:, 12:16]
    out[:, 19:23] = chars[:, 16:20]
    out[:, 24:36] = chars[:, 20:32]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.tobytes()))


@generator("id.uuid4", returns=UUID, family="id", summary="Random (version 4) UUID.", domain=2**122)
def uuid4(ctx: GenContext, p: Params) -> pa.Array:
    hi = ctx.stream("hi").raw(ctx.rows)
    lo = ctx.stream("lo").raw(ctx.rows)
    hi = (hi & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x0000000000004000)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    return format_uuid(hi, lo)
