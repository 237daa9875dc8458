"""phone.*: numbers in the locale's national or E.164 form."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pyarrow as pa

from ..pattern import _strings_from_matrix
from ..types import STRING
from .context import GenContext
from .registry import Params, generator


class PhoneParams(Params):
    format: Literal["national", "e164"] = "national"


_TEMPLATES = {"national": "(AAA) EEE-SSSS", "e164": "+1AAAEEESSSS"}


def _put_digits(matrix: np.ndarray, columns: list[int], values: np.ndarray) -> None:
    for k, col in enumerate(reversed(columns)):
        matrix[:, col] = ord("0") + (values // 10**k) % 10


@generator(
    "phone.number",
    params=PhoneParams,
    returns=STRING,
    family="phone",
    summary="NANP-valid number: `(212) 555-0143` nationally or `+12125550143` in E.164.",
)
def number(ctx: GenContext, p: PhoneParams) -> pa.Array:
    # NANP: area code and exchange start with 2-9 and are never N11.
    area = 200 + ctx.integers(800, "area")
    area = np.where(area % 100 == 11, area + 1, area)
    exchange = 200 + ctx.integers(800, "exchange")
    exchange = np.where(exchange % 100 == 11, exchange + 1, exchange)
    line = ctx.integers(10000, "line")
    template = _TEMPLATES[p.format]
    matrix = np.tile(np.frombuffer(template.encode(), dtype=np.uint8), (ctx.n, 1))
    for letter, values in (("A", area), ("E", exchange), ("S", line)):
        _put_digits(matrix, [i for i, c in enumerate(template) if c == letter], values)
    return _strings_from_matrix(matrix, np.full(ctx.n, len(template), dtype=np.int64))
