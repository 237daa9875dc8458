"""commerce.*: product names and categories."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..types import STRING
from .context import GenContext
from .locale_data import load_pack
from .registry import Params, generator


def _product_domain(p: Params, locale: str) -> int:
    data = load_pack(locale, "commerce").data
    return len(data["adjectives"]) * len(data["materials"]) * len(data["products"])


@generator(
    "commerce.product_name",
    returns=STRING,
    family="commerce",
    summary="Adjective, material and product, e.g. `Rustic Steel Chair`.",
    domain=_product_domain,
)
def product_name(ctx: GenContext, p: Params) -> pa.Array:
    pack = ctx.pack("commerce")
    parts = []
    for key in ("adjectives", "materials", "products"):
        words = pack.strings(key)
        parts.append(words.take(pa.array(ctx.integers(len(words), key))))
    return pc.binary_join_element_wise(*parts, " ")


@generator(
    "commerce.category",
    returns=STRING,
    family="commerce",
    summary="Product category.",
    domain=lambda p, locale: len(load_pack(locale, "commerce").data["categories"]),
)
def category(ctx: GenContext, p: Params) -> pa.Array:
    words = ctx.pack("commerce").strings("categories")
    return words.take(pa.array(ctx.integers(len(words))))
