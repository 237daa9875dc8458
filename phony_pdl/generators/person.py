"""person.*: one sampled person per row (and per `link`), shared by every person field."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import STRING
from .context import GenContext, LazyRecord
from .locale_data import load_pack
from .registry import Params, generator

SEXES = pa.array(["female", "male"])


def _first_index(ctx: Any, rec: LazyRecord) -> np.ndarray:
    """Index into the combined first-name list (female names first, then male)."""
    pack = ctx.pack("person")
    fem, mal = pack.weighted("first_names", "female"), pack.weighted("first_names", "male")
    u = rec["u_first"]
    return np.where(rec["female"], fem.index(u), len(fem) + mal.index(u))


PERSON_PARTS = {
    "female": lambda ctx, rec: ctx.uniform("sex") < 0.5,
    "u_first": lambda ctx, rec: ctx.uniform("first"),
    "first_index": _first_index,
    "last_index": lambda ctx, rec: (
        ctx.pack("person").weighted("last_names").index(ctx.uniform("last"))
    ),
    "first_name": lambda ctx, rec: vocab(ctx, "first").take(pa.array(rec["first_index"])),
    "last_name": lambda ctx, rec: vocab(ctx, "last").take(pa.array(rec["last_index"])),
    "sex": lambda ctx, rec: SEXES.take(pa.array((~rec["female"]).astype(np.int64))),
}


def vocab(ctx: Any, kind: str, form: str = "text") -> pa.Array:
    """Name lists of the locale: `text` as written, `ascii` lowercased letters only (for emails)."""
    pack = ctx.pack("person")
    key = f"vocab:{kind}:{form}"
    if key not in pack._cache:
        if kind == "first":
            names = [n for n, _ in pack.data["first_names"]["female"]] + [
                n for n, _ in pack.data["first_names"]["male"]
            ]
        else:
            names = [n for n, _ in pack.data["last_names"]]
        values = pa.array(names, type=pa.string())
        if form == "ascii":
            values = pc.replace_substring_regex(pc.utf8_lower(ascii_fold(values)), r"[^a-z0-9]", "")
        pack._cache[key] = values
    return pack._cache[key]


def ascii_fold(values: pa.Array) -> pa.Array:
    """Strip accents for email-safe names (José → Jose) using Unicode decomposition."""
    import unicodedata

    folded = [
        None if v is None else unicodedata.normalize("NFKD", v).encode("ascii", "ignore").decode()
        for v in values.to_pylist()
    ]  # runs once per vocabulary, not per row
    return pa.array(folded, type=pa.string())


def person_record(ctx: Any) -> LazyRecord:
    return LazyRecord(ctx, PERSON_PARTS)


def _record(ctx: GenContext) -> dict[str, Any]:
    return ctx.record("person", person_record)


class FirstNameParams(Params):
    gender: Literal["any", "female", "male"] = "any"


def _first_name_domain(p: FirstNameParams, locale: str) -> int:
    pack = load_pack(locale, "person")
    if p.gender == "any":
        names = {n for n, _ in pack.data["first_names"]["female"]} | {
            n for n, _ in pack.data["first_names"]["male"]
        }
        return len(names)
    return len(pack.data["first_names"][p.gender])


@generator(
    "person.first_name",
    params=FirstNameParams,
    returns=STRING,
    family="person",
    summary="Given name, frequency-weighted, agreeing with the row's sex.",
    domain=_first_name_domain,
)
def first_name(ctx: GenContext, p: FirstNameParams) -> pa.Array:
    person = _record(ctx)
    if p.gender == "any":
        return person["first_name"]
    return ctx.pack("person").weighted("first_names", p.gender).sample(person["u_first"])


@generator(
    "person.last_name",
    returns=STRING,
    family="person",
    summary="Family name, frequency-weighted.",
    domain=lambda p, locale: len(load_pack(locale, "person").data["last_names"]),
)
def last_name(ctx: GenContext, p: Params) -> pa.Array:
    return _record(ctx)["last_name"]


@generator(
    "person.full_name",
    returns=STRING,
    family="person",
    summary="Given and family name of the row's person.",
)
def full_name(ctx: GenContext, p: Params) -> pa.Array:
    person = _record(ctx)
    return pc.binary_join_element_wise(person["first_name"], person["last_name"], " ")


@generator(
    "person.sex",
    returns=STRING,
    family="person",
    summary="`female` or `male`, agreeing with the first name.",
    domain=2,
)
def sex(ctx: GenContext, p: Params) -> pa.Array:
    return _record(ctx)["sex"]


@generator(
    "person.prefix",
    returns=STRING,
    family="person",
    summary="Courtesy title agreeing with the row's sex (Ms., Mr., Dr.).",
)
def prefix(ctx: GenContext, p: Params) -> pa.Array:
    person = _record(ctx)
    prefixes = ctx.pack("person").data["prefixes"]
    fem = pa.array(prefixes["female"])
    mal = pa.array(prefixes["male"])
    u = ctx.uniform("prefix")
    f_idx = np.minimum((u * len(fem)).astype(np.int64), len(fem) - 1)
    m_idx = np.minimum((u * len(mal)).astype(np.int64), len(mal) - 1)
    return pc.if_else(
        pa.array(person["female"]), fem.take(pa.array(f_idx)), mal.take(pa.array(m_idx))
    )


@generator(
    "person.job_title",
    returns=STRING,
    family="person",
    summary="Job title.",
)
def job_title(ctx: GenContext, p: Params) -> pa.Array:
    titles = ctx.pack("person").strings("job_titles")
    return titles.take(pa.array(ctx.integers(len(titles))))
