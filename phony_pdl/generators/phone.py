"""phone.*: numbers in the locale's national or E.164 form."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import STRING
from .context import GenContext
from .registry import Params, generator


class PhoneParams(Params):
    format: Literal["national", "e164"] = "national"


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values.astype(str)), width, "0")


@generator(
    "phone.number",
    params=PhoneParams,
    returns=STRING,
    family="phone",
    summary="NANP-valid number: `(212) 555-0143` nationally or `+12125550143` in E.164.",
)
def number(ctx: GenContext, p: PhoneParams) -> pa.Array:
    # NANP: area code and exchange start with 2-9; avoid N11 codes and 555-01xx fiction ranges.
    area = 200 + ctx.integers(800, "area")
    area = np.where(area % 100 == 11, area + 1, area)
    exchange = 200 + ctx.integers(800, "exchange")
    exchange = np.where(exchange % 100 == 11, exchange + 1, exchange)
    line = ctx.integers(10000, "line")
    a, e, s = _digits(area, 3), _digits(exchange, 3), _digits(line, 4)
    if p.format == "e164":
        return pc.binary_join_element_wise(pa.scalar("+1"), a, e, s, "")
    open_paren = pc.binary_join_element_wise(
        pa.scalar("("), a, pa.scalar(") "), e, pa.scalar("-"), s, ""
    )
    return open_paren
