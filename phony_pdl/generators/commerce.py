"""commerce.*: products, prices and article numbers with valid check digits."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import model_validator

from ..types import STRING, DataType
from ._common import cent_bounds, constant, decimal_array, fixed_width
from .context import GenContext
from .locale_data import load_pack
from .registry import Params, generator

# GS1 prefixes of the locales' countries (first three digits of an EAN-13).
GS1_PREFIXES = {
    "US": (60, 139),
    "DE": (400, 440),
    "GB": (500, 509),
    "FR": (300, 379),
    "ES": (840, 849),
    "IT": (800, 839),
    "NL": (870, 879),
    "PL": (590, 590),
    "BR": (789, 790),
    "TR": (868, 869),
}


def _product_domain(p: Params, locale: str) -> int:
    data = load_pack(locale, "commerce").data
    return len(data["adjectives"]) * len(data["materials"]) * len(data["products"])


def _strings(ctx: GenContext, key: str) -> pa.Array:
    return ctx.pack("commerce").strings(key)


@generator(
    "commerce.product_name",
    returns=STRING,
    family="commerce",
    summary="Adjective, material and product, e.g. `Rustic Steel Chair` (English words).",
    domain=_product_domain,
)
def product_name(ctx: GenContext, p: Params) -> pa.Array:
    parts = []
    for key in ("adjectives", "materials", "products"):
        words = _strings(ctx, key)
        parts.append(words.take(pa.array(ctx.integers(len(words), key))))
    return pc.binary_join_element_wise(*parts, " ")


@generator(
    "commerce.category",
    returns=STRING,
    family="commerce",
    summary="Product category (English words).",
    domain=lambda p, locale: len(load_pack(locale, "commerce").data["categories"]),
)
def category(ctx: GenContext, p: Params) -> pa.Array:
    words = _strings(ctx, "categories")
    return words.take(pa.array(ctx.integers(len(words))))


@generator(
    "commerce.currency",
    returns=STRING,
    family="commerce",
    summary="ISO 4217 code of the locale's currency (`EUR`, `USD`).",
    domain=1,
)
def currency(ctx: GenContext, p: Params) -> pa.Array:
    return constant(ctx.pack("commerce").data["currency"], ctx.n)


PRICE = DataType("decimal", 12, 2)


class PriceParams(Params):
    min: float = 1.0
    max: float = 1000.0

    @model_validator(mode="after")
    def _bounds(self) -> PriceParams:
        cent_bounds(self.min, self.max, PRICE.precision)
        return self


@generator(
    "commerce.price",
    params=PriceParams,
    returns=PRICE,
    family="commerce",
    summary="Price between `min` and `max`, log-uniform (cheap items more common), half of "
    "them ending in .99.",
)
def price(ctx: GenContext, p: PriceParams) -> pa.Array:
    lo, hi = math.log(p.min), math.log(p.max)
    value = np.exp(lo + ctx.uniform("value") * (hi - lo))
    cents = np.round(value * 100).astype(np.int64)
    charm = np.floor(value).astype(np.int64) * 100 + 99
    cents = np.where(ctx.uniform("charm") < 0.5, charm, cents)
    cents = np.clip(cents, *cent_bounds(p.min, p.max, PRICE.precision))
    return decimal_array(cents, PRICE.precision, PRICE.scale)


_LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


@generator(
    "commerce.sku",
    returns=STRING,
    family="commerce",
    summary="Stock-keeping unit: three letters, a hyphen, five digits (`KXR-20417`).",
    domain=26**3 * 10**5,
)
def sku(ctx: GenContext, p: Params) -> pa.Array:
    out = np.empty((ctx.n, 9), dtype=np.uint8)
    raw = ctx.stream("sku").raw(ctx.rows)
    letters = raw >> np.uint64(32)
    for j in range(3):
        out[:, j] = _LETTERS[((letters >> np.uint64(8 * j)) % np.uint64(26)).astype(np.int64)]
    out[:, 3] = ord("-")
    number = (raw & np.uint64(0xFFFFFFFF)) % np.uint64(100_000)
    for j in range(5):
        out[:, 8 - j] = 48 + ((number // np.uint64(10**j)) % np.uint64(10)).astype(np.uint8)
    return fixed_width(out)


def gs1_check(digits: np.ndarray) -> np.ndarray:
    """GS1 check digit of data digits (n × k): weights 3, 1, 3, … from the right."""
    k = digits.shape[1]
    weights = np.array([3 if (k - 1 - j) % 2 == 0 else 1 for j in range(k)], dtype=np.int64)
    total = (digits.astype(np.int64) * weights).sum(axis=1)
    return (10 - total % 10) % 10


def _gs1_code(ctx: GenContext, head: np.ndarray, head_digits: int, length: int) -> pa.Array:
    """`head` (head_digits wide) + random digits + check digit, `length` digits in all."""
    body = length - 1 - head_digits
    raw = ctx.stream("body").raw(ctx.rows) % np.uint64(10**body)
    digits = np.empty((ctx.n, length), dtype=np.uint8)
    for j in range(head_digits):
        digits[:, j] = (head // 10 ** (head_digits - 1 - j)) % 10
    for j in range(body):
        digits[:, length - 2 - j] = ((raw // np.uint64(10**j)) % np.uint64(10)).astype(np.uint8)
    digits[:, length - 1] = gs1_check(digits[:, : length - 1])
    return fixed_width(digits + 48)


def _gs1_prefix(ctx: GenContext) -> np.ndarray:
    lo, hi = GS1_PREFIXES.get(ctx.pack("address").data["country_code"], (0, 139))
    return lo + ctx.integers(hi - lo + 1, "prefix")


@generator(
    "commerce.ean13",
    returns=STRING,
    family="commerce",
    summary="EAN-13 barcode number with the locale country's GS1 prefix and a valid check digit.",
)
def ean13(ctx: GenContext, p: Params) -> pa.Array:
    return _gs1_code(ctx, _gs1_prefix(ctx), 3, 13)


@generator(
    "commerce.ean8",
    returns=STRING,
    family="commerce",
    summary="EAN-8 barcode number with a valid check digit.",
    domain=10**7,
)
def ean8(ctx: GenContext, p: Params) -> pa.Array:
    return _gs1_code(ctx, np.zeros(ctx.n, dtype=np.int64), 0, 8)


@generator(
    "commerce.isbn13",
    returns=STRING,
    family="commerce",
    summary="ISBN-13 (978 prefix, 13 digits without hyphens) with a valid check digit.",
    domain=10**9,
)
def isbn13(ctx: GenContext, p: Params) -> pa.Array:
    return _gs1_code(ctx, np.full(ctx.n, 978, dtype=np.int64), 3, 13)
