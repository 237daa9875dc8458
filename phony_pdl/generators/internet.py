"""internet.*: addresses derived from the row's person, so emails match names."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import STRING
from .context import GenContext
from .person import person_record, vocab
from .registry import Params, generator
from .unique import unique_suffix


class EmailParams(Params):
    domain: str | None = None


_DIGITS = pa.array([str(i) for i in range(100)], type=pa.string())
_SEPARATORS = pa.array([".", "", ".", "_"], type=pa.string())


def _local_part(ctx: GenContext) -> pa.Array:
    """first.last, firstlast, f.last or first_last, often with digits, from the row's person."""
    person = ctx.record("person", person_record)
    first_idx = pa.array(person["first_index"])
    first = vocab(ctx, "first", "ascii").take(first_idx)
    last = vocab(ctx, "last", "ascii").take(pa.array(person["last_index"]))
    style = ctx.integers(4, "style")
    # styles: first.last, firstlast, f.last, first_last
    head = pc.if_else(pa.array(style == 2), pc.utf8_slice_codeunits(first, 0, 1), first)
    separator = _SEPARATORS.take(pa.array(style))
    local = pc.binary_join_element_wise(head, separator, last, "")
    if ctx.unique:
        return pc.binary_join_element_wise(local, unique_suffix(ctx), "")
    digits = _DIGITS.take(pa.array(ctx.integers(100, "digits")))
    with_digits = ctx.uniform("has_digits") < 0.4
    tail = pc.if_else(pa.array(with_digits), digits, pa.scalar(""))
    return pc.binary_join_element_wise(local, tail, "")


@generator(
    "internet.email",
    params=EmailParams,
    returns=STRING,
    family="internet",
    summary="Email address built from the row's person name (unique on request).",
)
def email(ctx: GenContext, p: EmailParams) -> pa.Array:
    local = _local_part(ctx)
    if p.domain:
        domain = pa.scalar(p.domain)
    else:
        domains = pa.array(ctx.pack("internet").data["free_email_domains"])
        domain = domains.take(pa.array(ctx.integers(len(domains), "domain")))
    return pc.binary_join_element_wise(local, domain, "@")


@generator(
    "internet.username",
    returns=STRING,
    family="internet",
    summary="User name derived from the row's person.",
)
def username(ctx: GenContext, p: Params) -> pa.Array:
    return _local_part(ctx)


@generator(
    "internet.ipv4",
    returns=STRING,
    family="internet",
    summary="Public-looking IPv4 address (dotted quad).",
    domain=2**32,
)
def ipv4(ctx: GenContext, p: Params) -> pa.Array:
    raw = ctx.stream("ip").raw(ctx.rows) >> np.uint64(32)
    octets = [((raw >> np.uint64(s)) & np.uint64(255)).astype(np.int64) for s in (24, 16, 8, 0)]
    octets[0] = 1 + octets[0] % 223  # avoid 0.x and multicast/reserved first octets
    parts = [pa.array(o).cast(pa.string()) for o in octets]
    return pc.binary_join_element_wise(*parts, ".")
