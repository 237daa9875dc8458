"""id.*: identifiers. Time-ordered ids (UUIDv7, ULID) take their time from the row
index on a fixed time line (`start` + row × `step_ms`), never from the clock, so they
sort in row order and are reproducible."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from pydantic import field_validator

from ..types import STRING, UUID
from ._common import HEX_DIGITS, fixed_width
from .context import GenContext
from .registry import Params, generator

_CROCKFORD = np.frombuffer(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", dtype=np.uint8)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def format_uuid(hi: np.ndarray, lo: np.ndarray) -> pa.Array:
    """Two uint64 arrays → canonical 36-character UUID strings, without a per-row loop."""
    n = len(hi)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    for word, offset in ((hi, 0), (lo, 16)):
        for j in range(16):
            shift = np.uint64(60 - 4 * j)
            nibbles[:, offset + j] = ((word >> shift) & np.uint64(0xF)).astype(np.uint8)
    chars = HEX_DIGITS[nibbles]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    out[:, 0:8] = chars[:, 0:8]
    out[:, 9:13] = chars[:, 8:12]
    out[:, 14:18] = chars[:, 12:16]
    out[:, 19:23] = chars[:, 16:20]
    out[:, 24:36] = chars[:, 20:32]
    return fixed_width(out)


@generator("id.uuid4", returns=UUID, family="id", summary="Random (version 4) UUID.", domain=2**122)
def uuid4(ctx: GenContext, p: Params) -> pa.Array:
    hi = ctx.stream("hi").raw(ctx.rows)
    lo = ctx.stream("lo").raw(ctx.rows)
    hi = (hi & np.uint64(0xFFFFFFFFFFFF0FFF)) | np.uint64(0x0000000000004000)
    lo = (lo & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    return format_uuid(hi, lo)


class TimeOrderedParams(Params):
    start: str = "2024-01-01T00:00:00Z"
    step_ms: int = 1000

    @field_validator("start")
    @classmethod
    def _iso(cls, v: str) -> str:
        _start_ms(v)
        return v

    @field_validator("step_ms")
    @classmethod
    def _step(cls, v: int) -> int:
        if not 0 <= v <= 86_400_000:
            raise ValueError("step_ms must be between 0 and 86400000 (one day)")
        return v


def _start_ms(text: str) -> int:
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not an ISO 8601 date or datetime") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    ms = (parsed - _EPOCH) // dt.timedelta(milliseconds=1)
    if not 0 <= ms < 2**47:
        raise ValueError(f"'{text}' is outside 1970..6429")
    return ms


def _millis(ctx: GenContext, p: TimeOrderedParams) -> np.ndarray:
    """start + row × step, plus jitter within the step: increasing with the row."""
    jitter = (ctx.uniform("jitter") * p.step_ms).astype(np.int64)
    ms = _start_ms(p.start) + ctx.rows.astype(np.int64) * p.step_ms + jitter
    return (ms & ((1 << 48) - 1)).astype(np.uint64)


@generator(
    "id.uuid7",
    params=TimeOrderedParams,
    returns=UUID,
    family="id",
    summary="Time-ordered (version 7) UUID; its millisecond time is `start` + row × `step_ms` "
    "(plus jitter below one step), so ids sort by row.",
    domain=2**74,
)
def uuid7(ctx: GenContext, p: TimeOrderedParams) -> pa.Array:
    rand_a = ctx.stream("a").raw(ctx.rows) & np.uint64(0xFFF)
    rand_b = ctx.stream("b").raw(ctx.rows)
    hi = (_millis(ctx, p) << np.uint64(16)) | np.uint64(0x7000) | rand_a
    lo = (rand_b & np.uint64(0x3FFFFFFFFFFFFFFF)) | np.uint64(0x8000000000000000)
    return format_uuid(hi, lo)


@generator(
    "id.ulid",
    params=TimeOrderedParams,
    returns=STRING,
    family="id",
    summary="ULID: 26 Crockford base-32 characters, 48-bit time (`start` + row × `step_ms`) "
    "then 80 random bits; sorts by row.",
    domain=2**80,
)
def ulid(ctx: GenContext, p: TimeOrderedParams) -> pa.Array:
    hi = (_millis(ctx, p) << np.uint64(16)) | (ctx.stream("r16").raw(ctx.rows) >> np.uint64(48))
    lo = ctx.stream("r64").raw(ctx.rows)
    out = np.empty((ctx.n, 26), dtype=np.uint8)
    mask = np.uint64(31)
    for position in range(26):
        shift = 5 * (25 - position)  # bit offset of this character in the 128-bit value
        if shift >= 64:
            value = hi >> np.uint64(shift - 64)
        elif shift == 0:
            value = lo
        else:
            value = (lo >> np.uint64(shift)) | (hi << np.uint64(64 - shift))
        out[:, position] = _CROCKFORD[(value & mask).astype(np.int64)]
    return fixed_width(out)
