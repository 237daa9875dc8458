"""misc.*: flags, colours, files and versions. A row's file name, extension and MIME
type come from one file record, so `report.pdf` goes with `application/pdf`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import field_validator

from ..types import BOOL, STRING
from ._common import HEX_DIGITS, fixed_width, pick, scaled, take
from .context import GenContext, LazyRecord
from .lorem import word_lists
from .registry import Params, generator

# (extension, MIME type, weight)
FILE_TYPES = [
    ("pdf", "application/pdf", 12),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 8),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 6),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", 3),
    ("csv", "text/csv", 6),
    ("txt", "text/plain", 6),
    ("md", "text/markdown", 2),
    ("html", "text/html", 3),
    ("json", "application/json", 4),
    ("xml", "application/xml", 2),
    ("zip", "application/zip", 3),
    ("gz", "application/gzip", 1),
    ("png", "image/png", 10),
    ("jpg", "image/jpeg", 14),
    ("gif", "image/gif", 2),
    ("svg", "image/svg+xml", 2),
    ("webp", "image/webp", 2),
    ("mp3", "audio/mpeg", 3),
    ("wav", "audio/wav", 1),
    ("mp4", "video/mp4", 4),
]
_EXTENSIONS = pa.array([t[0] for t in FILE_TYPES])
_MIME = pa.array([t[1] for t in FILE_TYPES])
_FILE_CDF = np.cumsum([t[2] for t in FILE_TYPES]) / sum(t[2] for t in FILE_TYPES)

# The CSS Color Module level 1 keywords plus a few common extended ones.
COLOR_NAMES = [
    "black", "silver", "gray", "white", "maroon", "red", "purple", "fuchsia", "green", "lime",
    "olive", "yellow", "navy", "blue", "teal", "aqua", "orange", "brown", "pink", "gold",
    "beige", "coral", "crimson", "indigo", "ivory", "khaki", "lavender", "salmon", "tan",
    "turquoise", "violet", "chocolate", "orchid", "plum", "sienna", "tomato",
]  # fmt: skip
_COLORS = pa.array(COLOR_NAMES)


class BooleanParams(Params):
    probability: float = 0.5

    @field_validator("probability")
    @classmethod
    def _unit(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        return v


@generator(
    "misc.boolean",
    params=BooleanParams,
    returns=BOOL,
    family="misc",
    summary="True with the given `probability` (a flag such as `is_active`).",
    domain=2,
)
def boolean(ctx: GenContext, p: BooleanParams) -> pa.Array:
    return pa.array(ctx.uniform() < p.probability)


@generator(
    "misc.color_hex",
    returns=STRING,
    family="misc",
    summary="RGB colour as `#rrggbb` (lower-case hex).",
    domain=2**24,
)
def color_hex(ctx: GenContext, p: Params) -> pa.Array:
    raw = ctx.stream("rgb").raw(ctx.rows) >> np.uint64(40)
    out = np.empty((ctx.n, 7), dtype=np.uint8)
    out[:, 0] = ord("#")
    for j in range(6):
        out[:, 1 + j] = HEX_DIGITS[
            ((raw >> np.uint64(20 - 4 * j)) & np.uint64(0xF)).astype(np.int64)
        ]
    return fixed_width(out)


@generator(
    "misc.color_name",
    returns=STRING,
    family="misc",
    summary="English colour name (CSS keywords such as `teal`, `salmon`).",
    domain=len(COLOR_NAMES),
)
def color_name(ctx: GenContext, p: Params) -> pa.Array:
    return pick(_COLORS, ctx.uniform())


FILE_PARTS = {
    "type": lambda ctx, rec: np.minimum(
        np.searchsorted(_FILE_CDF, ctx.uniform("type"), side="right"), len(FILE_TYPES) - 1
    ),
}


def _file(ctx: GenContext) -> Any:
    return ctx.record("file", lambda c: LazyRecord(c, FILE_PARTS))


@generator(
    "misc.file_extension",
    returns=STRING,
    family="misc",
    summary="File extension without the dot (`pdf`, `jpg`), weighted by how common it is.",
    domain=len(FILE_TYPES),
)
def file_extension(ctx: GenContext, p: Params) -> pa.Array:
    return take(_EXTENSIONS, _file(ctx)["type"])


@generator(
    "misc.mime_type",
    returns=STRING,
    family="misc",
    summary="MIME type agreeing with the row's file extension and file name.",
    domain=len(FILE_TYPES),
)
def mime_type(ctx: GenContext, p: Params) -> pa.Array:
    return take(_MIME, _file(ctx)["type"])


@generator(
    "misc.file_name",
    returns=STRING,
    family="misc",
    summary="File name of one to three lorem words joined by `_`, with the row's extension "
    "(`dolor_sit.pdf`).",
)
def file_name(ctx: GenContext, p: Params) -> pa.Array:
    stem = pc.binary_join(word_lists(ctx, ctx.rows, 1, 3, "stem", 8), "_")
    return pc.binary_join_element_wise(stem, take(_EXTENSIONS, _file(ctx)["type"]), ".")


_SMALL = pa.array([str(i) for i in range(64)])


@generator(
    "misc.semver",
    returns=STRING,
    family="misc",
    summary="Semantic version `major.minor.patch`, small numbers more likely (`1.4.12`).",
)
def semver(ctx: GenContext, p: Params) -> pa.Array:
    major = take(_SMALL, scaled(ctx.uniform("major") ** 3, 10))
    minor = take(_SMALL, scaled(ctx.uniform("minor") ** 2, 30))
    patch = take(_SMALL, scaled(ctx.uniform("patch") ** 2, 64))
    return pc.binary_join_element_wise(major, minor, patch, ".")
