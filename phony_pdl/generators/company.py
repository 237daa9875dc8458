"""company.*: one sampled company per row (and per `link`): its name, legal form,
industry, catch phrase and web domain agree with each other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import STRING
from ._common import ascii_words, language_of, pick, render_choice, scaled, take, weights_of
from .context import GenContext, LazyRecord
from .locale_data import LocalePack, alias_table, load_pack
from .registry import Params, generator

# Name shapes; `{suffix}` is the legal form (GmbH, Inc.). Chosen with these weights.
NAME_FORMATS = ["{w1} {suffix}", "{w1}-{w2} {suffix}", "{w1} & {w2} {suffix}", "{w1} {w2} {suffix}"]
NAME_WEIGHTS = np.array([0.5, 0.2, 0.2, 0.1])
_NAME_CDF = np.cumsum(NAME_WEIGHTS) / NAME_WEIGHTS.sum()


@dataclass(frozen=True)
class CompanyData:
    words: pa.Array
    words_ascii: pa.Array
    suffixes: pa.Array
    industries: pa.Array
    adjectives: pa.Array
    descriptors: pa.Array
    nouns: pa.Array
    tlds: pa.Array
    tld_probability: np.ndarray
    tld_alias: np.ndarray


def company_data(pack: LocalePack, internet: LocalePack) -> CompanyData:
    cached = pack._cache.get("company:data")
    if cached is not None:
        return cached
    d = pack.data
    phrase = d["catch_phrase"]
    tlds, weights = weights_of(internet.data["tlds"])
    probability, alias = alias_table(weights)
    data = CompanyData(
        words=pa.array(d["name_words"], type=pa.string()),
        words_ascii=ascii_words(d["name_words"], language_of(pack.locale), "company"),
        suffixes=pa.array(d["suffixes"], type=pa.string()),
        industries=pa.array(d["industries"], type=pa.string()),
        adjectives=pa.array(phrase["adjectives"], type=pa.string()),
        descriptors=pa.array(phrase["descriptors"], type=pa.string()),
        nouns=pa.array(phrase["nouns"], type=pa.string()),
        tlds=tlds,
        tld_probability=probability,
        tld_alias=alias,
    )
    pack._cache["company:data"] = data
    return data


def sample_tld(data: CompanyData, u: np.ndarray) -> pa.Array:
    k = len(data.tld_probability)
    s = u * k
    column = np.minimum(s.astype(np.int64), k - 1)
    keep = (s - column) < data.tld_probability[column]
    return take(data.tlds, np.where(keep, column, data.tld_alias[column]))


def _data(ctx: Any) -> CompanyData:
    return company_data(ctx.pack("company"), ctx.pack("internet"))


def _domain(ctx: Any, rec: LazyRecord) -> pa.Array:
    data = _data(ctx)
    shape = rec["shape"]
    w1 = take(data.words_ascii, rec["w1"])
    w2 = take(data.words_ascii, rec["w2"])
    two_words = pa.array(shape != 0)
    label = pc.if_else(two_words, pc.binary_join_element_wise(w1, w2, "-"), w1)
    return pc.binary_join_element_wise(label, sample_tld(data, ctx.uniform("tld")), ".")


def _name(ctx: Any, rec: LazyRecord) -> pa.Array:
    data = _data(ctx)
    values = {
        "w1": take(data.words, rec["w1"]),
        "w2": take(data.words, rec["w2"]),
        "suffix": take(data.suffixes, rec["suffix"]),
    }
    return render_choice(NAME_FORMATS, rec["shape"], values)


COMPANY_PARTS = {
    "shape": lambda ctx, rec: np.searchsorted(_NAME_CDF, ctx.uniform("shape"), side="right"),
    "w1": lambda ctx, rec: scaled(ctx.uniform("w1"), len(_data(ctx).words)),
    "w2": lambda ctx, rec: scaled(ctx.uniform("w2"), len(_data(ctx).words)),
    "suffix": lambda ctx, rec: scaled(ctx.uniform("suffix"), len(_data(ctx).suffixes)),
    "industry": lambda ctx, rec: scaled(ctx.uniform("industry"), len(_data(ctx).industries)),
    "phrase": lambda ctx, rec: pc.binary_join_element_wise(
        pick(_data(ctx).adjectives, ctx.uniform("adjective")),
        pick(_data(ctx).descriptors, ctx.uniform("descriptor")),
        pick(_data(ctx).nouns, ctx.uniform("noun")),
        " ",
    ),
    "name": _name,
    "domain": _domain,
}


def company_record(ctx: Any) -> LazyRecord:
    return LazyRecord(ctx, COMPANY_PARTS)


def company(ctx: GenContext) -> Any:
    return ctx.record("company", company_record)


@generator(
    "company.name",
    returns=STRING,
    family="company",
    summary="Company name from the locale's surnames and legal forms, e.g. `Schmidt & Weber GmbH`.",
)
def name(ctx: GenContext, p: Params) -> pa.Array:
    return company(ctx)["name"]


@generator(
    "company.suffix",
    returns=STRING,
    family="company",
    summary="Legal form of the row's company (Inc., GmbH, S.A.), as in its name.",
    domain=lambda p, locale: len(set(load_pack(locale, "company").data["suffixes"])),
)
def suffix(ctx: GenContext, p: Params) -> pa.Array:
    return take(_data(ctx).suffixes, company(ctx)["suffix"])


@generator(
    "company.industry",
    returns=STRING,
    family="company",
    summary="Industry of the row's company, in the locale's language.",
    domain=lambda p, locale: len(set(load_pack(locale, "company").data["industries"])),
)
def industry(ctx: GenContext, p: Params) -> pa.Array:
    return take(_data(ctx).industries, company(ctx)["industry"])


def _phrase_domain(p: Params, locale: str) -> int:
    c = load_pack(locale, "company").data["catch_phrase"]
    return len(c["adjectives"]) * len(c["descriptors"]) * len(c["nouns"])


@generator(
    "company.catch_phrase",
    returns=STRING,
    family="company",
    summary="Marketing phrase of the row's company, e.g. `Adaptive 24/7 framework` (English words in every locale).",
    domain=_phrase_domain,
)
def catch_phrase(ctx: GenContext, p: Params) -> pa.Array:
    return company(ctx)["phrase"]


@generator(
    "company.domain",
    returns=STRING,
    family="company",
    summary="Web domain of the row's company, from its name words in ASCII "
    "(`schmidt-weber.de`); internet.email with `kind: company` uses it.",
)
def domain(ctx: GenContext, p: Params) -> pa.Array:
    return company(ctx)["domain"]
