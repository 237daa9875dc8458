"""person.*: one sampled person per row (and per `link`), shared by every person field.

The record holds indices into the locale's name lists plus a few uniforms; each
field turns the part it needs into values, so a row's first name, sex, prefix,
birth date, age and email all describe the same person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import model_validator

from ..types import DATE, INT, STRING
from ._common import ascii_words, coded, language_of, scaled, take
from .context import GenContext, LazyRecord
from .locale_data import LocalePack, Weighted, alias_table, load_pack
from .registry import Params, generator

SEXES = pa.array(["female", "male"])

# Ages are whole years as of this fixed date: outputs never depend on the wall clock.
REFERENCE_DATE = dt.date(2025, 1, 1)
_ACADEMIC_SHARE = {"Dr": 0.02, "Dra": 0.02, "Dott": 0.12, "Ing": 0.03, "Prof": 0.003, "Pr": 0.003}


@dataclass(frozen=True)
class IndexSampler:
    """Weighted choice of vocabulary positions, one alias table per sex.

    Both tables live in one padded matrix, so a row's sex selects its table inside a
    single vectorized pass (no sampling of both lists followed by a choice).
    """

    probability: np.ndarray  # (2, K) chance of keeping the column
    alias: np.ndarray  # (2, K) the other column
    positions: np.ndarray  # (2, K) column → vocabulary index
    sizes: np.ndarray  # (2,) columns used by each sex

    @classmethod
    def build(cls, by_sex: list[tuple[list[int], list[float]]]) -> IndexSampler:
        width = max(len(p) for p, _ in by_sex)
        probability = np.ones((2, width))
        alias = np.zeros((2, width), dtype=np.int64)
        positions = np.zeros((2, width), dtype=np.int64)
        for s, (pos, weights) in enumerate(by_sex):
            prob, ali = alias_table(np.asarray(weights, dtype=np.float64))
            probability[s, : len(pos)] = prob
            alias[s, : len(pos)] = ali
            positions[s, : len(pos)] = pos
        sizes = np.array([len(p) for p, _ in by_sex], dtype=np.int64)
        return cls(probability, alias, positions, sizes)

    def index(self, u: np.ndarray, female: np.ndarray) -> np.ndarray:
        width = self.probability.shape[1]
        male = ~female
        k = np.where(male, self.sizes[1], self.sizes[0])
        scaled_u = u * k
        column = np.minimum(scaled_u.astype(np.int64), k - 1)
        base = male * width
        flat = base + column
        keep = (scaled_u - column) < self.probability.ravel()[flat]
        chosen = np.where(keep, flat, base + self.alias.ravel()[flat])
        return self.positions.ravel()[chosen]

    def one(self, sex: int, u: np.ndarray) -> np.ndarray:
        """Draws from one sex's table only (person.first_name with `gender`)."""
        return self.index(u, np.full(len(u), sex == 0))


@dataclass(frozen=True)
class PersonData:
    """A locale's person.json prepared for vectorized sampling."""

    first: pa.Array  # female names, then male names
    first_ascii: pa.Array
    last: pa.Array  # sex-neutral surnames, then female and male forms (pl_PL)
    last_ascii: pa.Array
    first_by_sex: IndexSampler
    first_any: Weighted  # sex and name in one draw: index < n_female means female
    n_female: int
    last_by_sex: IndexSampler
    last_any: Weighted | None  # when surnames do not depend on sex
    prefixes: pa.Array
    prefix_by_sex: IndexSampler
    job_titles: pa.Array  # neutral titles, then female and male ones (job_titles_by_sex)
    job_by_sex: IndexSampler | None  # when titles depend on sex (Actor/Actriz)
    # email heads with their separator, one block per style (see internet.local_part):
    # "first.", "first", "f.", "first_", then "last." (offsets k·len(first)), and tails:
    # family names, then given names (offset len(last))
    heads: pa.Array
    tails: pa.Array


def person_data(pack: LocalePack) -> PersonData:
    cached = pack._cache.get("person:data")
    if cached is not None:
        return cached
    d = pack.data
    language = language_of(pack.locale)
    fem = d["first_names"]["female"]
    mal = d["first_names"]["male"]
    first = [n for n, _ in fem] + [n for n, _ in mal]
    first_by_sex = IndexSampler.build(
        [
            (list(range(len(fem))), [w for _, w in fem]),
            (list(range(len(fem), len(first))), [w for _, w in mal]),
        ]
    )
    neutral = d["last_names"]
    last = [n for n, _ in neutral]
    by_sex = d.get("last_names_by_sex") or {}
    samplers = []
    for sex in ("female", "male"):
        forms = by_sex.get(sex, [])
        start = len(last)
        last += [n for n, _ in forms]
        positions = list(range(len(neutral))) + list(range(start, start + len(forms)))
        weights = [float(w) for _, w in neutral] + [float(w) for _, w in forms]
        samplers.append((positions, weights))
    prefixes: list[str] = []
    prefix_samplers = []
    for sex in ("female", "male"):
        items = d["prefixes"][sex]
        start = len(prefixes)
        prefixes += items
        # Academic titles at fixed shares whatever the list's length (a doctorate is about
        # 2 % of adults, a professorship well under 1 %; Italy's Dott. is every graduate's),
        # the courtesy titles sharing the rest.
        academic = [_ACADEMIC_SHARE.get(p.rstrip(".").split(".")[0], 0.0) for p in items]
        courtesy = sum(1 for a in academic if a == 0) or 1
        rest = (1.0 - sum(academic)) / courtesy
        weights = [a if a > 0 else rest for a in academic]
        prefix_samplers.append((list(range(start, len(prefixes))), weights))
    f_total = sum(float(w) for _, w in fem)
    m_total = sum(float(w) for _, w in mal)
    first_any = Weighted.build(
        [[i, 0.5 * float(w) / f_total] for i, (_, w) in enumerate(fem)]
        + [[len(fem) + i, 0.5 * float(w) / m_total] for i, (_, w) in enumerate(mal)]
    )
    last_any = None if by_sex else Weighted.build([[i, w] for i, (_, w) in enumerate(neutral)])
    jobs = list(d["job_titles"])
    jobs_by_sex = d.get("job_titles_by_sex") or {}
    job_samplers = []
    for sex in ("female", "male"):
        start = len(jobs)
        jobs += jobs_by_sex.get(sex, [])
        positions = list(range(len(d["job_titles"]))) + list(range(start, len(jobs)))
        job_samplers.append((positions, [1.0] * len(positions)))
    first_ascii = ascii_words(first, language, "user")
    last_ascii = ascii_words(last, language, "user")
    initials = pc.utf8_slice_codeunits(first_ascii, 0, 1)
    data = PersonData(
        first=pa.array(first, type=pa.string()),
        first_ascii=first_ascii,
        last=pa.array(last, type=pa.string()),
        last_ascii=last_ascii,
        first_by_sex=first_by_sex,
        first_any=first_any,
        n_female=len(fem),
        last_by_sex=IndexSampler.build(samplers),
        last_any=last_any,
        prefixes=pa.array(prefixes, type=pa.string()),
        prefix_by_sex=IndexSampler.build(prefix_samplers),
        job_titles=pa.array(jobs, type=pa.string()),
        job_by_sex=IndexSampler.build(job_samplers) if jobs_by_sex else None,
        heads=pa.concat_arrays(
            [
                pc.binary_join_element_wise(first_ascii, ".", ""),
                first_ascii,
                pc.binary_join_element_wise(initials, ".", ""),
                pc.binary_join_element_wise(first_ascii, "_", ""),
                pc.binary_join_element_wise(last_ascii, ".", ""),
            ]
        ),
        tails=pa.concat_arrays([last_ascii, first_ascii]),
    )
    pack._cache["person:data"] = data
    return data


def _data(ctx: Any) -> PersonData:
    return person_data(ctx.pack("person"))


def _last_index(ctx: Any, rec: LazyRecord) -> np.ndarray:
    data = _data(ctx)
    u = ctx.uniform("last")
    if data.last_any is not None:
        return data.last_any.index(u)
    return data.last_by_sex.index(u, rec["female"])


def _first_index(ctx: Any, u: np.ndarray) -> np.ndarray:
    """Sex and given name in one draw, or, when a field sets `gender`, from that sex's list
    (the row's sex, prefix, surname form and email then follow the name)."""
    data = _data(ctx)
    if ctx.gender is None:
        return data.first_any.index(u)
    return data.first_by_sex.one(0 if ctx.gender == "female" else 1, u)


PERSON_PARTS = {
    "u_first": lambda ctx, rec: ctx.uniform("first"),
    "first_index": lambda ctx, rec: _first_index(ctx, rec["u_first"]),
    "female": lambda ctx, rec: rec["first_index"] < _data(ctx).n_female,
    "last_index": _last_index,
    "first_name": lambda ctx, rec: take(_data(ctx).first, rec["first_index"]),
    "last_name": lambda ctx, rec: take(_data(ctx).last, rec["last_index"]),
    "sex": lambda ctx, rec: take(SEXES, (~rec["female"]).astype(np.int64)),
    "prefix_index": lambda ctx, rec: _data(ctx).prefix_by_sex.index(
        ctx.uniform("prefix"), rec["female"]
    ),
    "u_age": lambda ctx, rec: ctx.uniform("age"),
    "u_birthday": lambda ctx, rec: ctx.uniform("birthday"),
    "u_job": lambda ctx, rec: ctx.uniform("job"),
}


def person_record(ctx: Any) -> LazyRecord:
    return LazyRecord(ctx, PERSON_PARTS)


def person(ctx: GenContext) -> Any:
    """The row's person record (shared by person.*, internet.email and internet.username)."""
    return ctx.record("person", person_record, ctx.person_locale)


def vocab(ctx: Any, kind: str, form: str = "text") -> pa.Array:
    """Name lists of the locale: `text` as written, `ascii` for emails (Müller → mueller)."""
    data = _data(ctx)
    if kind == "first":
        return data.first_ascii if form == "ascii" else data.first
    return data.last_ascii if form == "ascii" else data.last


# --------------------------------------------------------------------------- names


class FirstNameParams(Params):
    gender: Literal["any", "female", "male"] = "any"


def _first_name_domain(p: FirstNameParams, locale: str) -> int:
    names = load_pack(locale, "person").data["first_names"]
    if p.gender == "any":
        return len({n for n, _ in names["female"]} | {n for n, _ in names["male"]})
    return len({n for n, _ in names[p.gender]})


@generator(
    "person.first_name",
    params=FirstNameParams,
    returns=STRING,
    family="person",
    summary="Given name, frequency-weighted, agreeing with the row's sex; `gender: female` "
    "(or `male`) makes the row's person that sex, so every person.* field, the email and "
    "the username follow.",
    domain=_first_name_domain,
)
def first_name(ctx: GenContext, p: FirstNameParams) -> pa.Array:
    return coded(ctx, _data(ctx).first, person(ctx)["first_index"])


def _last_domain(p: Params, locale: str) -> int:
    return len(set(person_data(load_pack(locale, "person")).last.to_pylist()))


@generator(
    "person.last_name",
    returns=STRING,
    family="person",
    summary="Family name, frequency-weighted (female or male form where the language has "
    "both, e.g. Kowalska/Kowalski).",
    domain=_last_domain,
)
def last_name(ctx: GenContext, p: Params) -> pa.Array:
    return coded(ctx, _data(ctx).last, person(ctx)["last_index"])


class FullNameParams(Params):
    with_prefix: bool = False
    gender: Literal["any", "female", "male"] = "any"


@generator(
    "person.full_name",
    params=FullNameParams,
    returns=STRING,
    family="person",
    summary="Given and family name of the row's person; `with_prefix` puts the courtesy "
    "title first; `gender` as for person.first_name.",
)
def full_name(ctx: GenContext, p: FullNameParams) -> pa.Array:
    rec = person(ctx)
    parts = [rec["first_name"], rec["last_name"]]
    if p.with_prefix:
        parts.insert(0, take(_data(ctx).prefixes, rec["prefix_index"]))
    return pc.binary_join_element_wise(*parts, " ")


@generator(
    "person.sex",
    returns=STRING,
    family="person",
    summary="`female` or `male`, agreeing with the first name and prefix.",
    domain=2,
)
def sex(ctx: GenContext, p: Params) -> pa.Array:
    return coded(ctx, SEXES, (~person(ctx)["female"]).astype(np.int64))


def _prefix_domain(p: Params, locale: str) -> int:
    prefixes = load_pack(locale, "person").data["prefixes"]
    return len(set(prefixes["female"]) | set(prefixes["male"]))


@generator(
    "person.prefix",
    returns=STRING,
    family="person",
    summary="Courtesy title agreeing with the row's sex (Ms., Herr, Sra.); academic titles "
    "(Dr., Prof.) are rarer.",
    domain=_prefix_domain,
)
def prefix(ctx: GenContext, p: Params) -> pa.Array:
    return coded(ctx, _data(ctx).prefixes, person(ctx)["prefix_index"])


def _job_domain(p: Params, locale: str) -> int:
    return len(set(person_data(load_pack(locale, "person")).job_titles.to_pylist()))


@generator(
    "person.job_title",
    returns=STRING,
    family="person",
    summary="Job title of the row's person, in the locale's language where the data has it; "
    "a title of one sex (Actriz, Ärztin) only for that sex.",
    domain=_job_domain,
)
def job_title(ctx: GenContext, p: Params) -> pa.Array:
    data = _data(ctx)
    rec = person(ctx)
    if data.job_by_sex is None:
        return coded(ctx, data.job_titles, scaled(rec["u_job"], len(data.job_titles)))
    return coded(ctx, data.job_titles, data.job_by_sex.index(rec["u_job"], rec["female"]))


# --------------------------------------------------------------------------- age


class AgeParams(Params):
    min_age: int = 18
    max_age: int = 80

    @model_validator(mode="after")
    def _bounds(self) -> AgeParams:
        if not 0 <= self.min_age <= self.max_age <= 150:
            raise ValueError(
                f"need 0 <= min_age <= max_age <= 150, got {self.min_age}..{self.max_age}"
            )
        return self


def _ages(ctx: GenContext, p: AgeParams) -> np.ndarray:
    bounds = getattr(ctx, "age_bounds", None)
    low, high = bounds if bounds is not None else (p.min_age, p.max_age)
    return low + scaled(person(ctx)["u_age"], high - low + 1)


_EPOCH_YEAR = np.datetime64("1970", "Y")


def _jan(year: np.ndarray, day: int) -> np.ndarray:
    """Days since 1970-01-01 of January `day` of each year."""
    years = (year - 1970).astype("timedelta64[Y]") + _EPOCH_YEAR
    return years.astype("datetime64[D]").astype(np.int64) + (day - 1)


@generator(
    "person.age",
    params=AgeParams,
    returns=INT,
    family="person",
    summary="Age in whole years on 2025-01-01 (a fixed date), uniform in "
    "[min_age, max_age]; agrees with the row's person.birth_date (bounds set on either "
    "field hold for both).",
    domain=lambda p, locale: p.max_age - p.min_age + 1,
)
def age(ctx: GenContext, p: AgeParams) -> pa.Array:
    return pa.array(_ages(ctx, p), type=pa.int64())


@generator(
    "person.birth_date",
    params=AgeParams,
    returns=DATE,
    family="person",
    summary="Birth date of the row's person: a day on which they were person.age years old "
    "on 2025-01-01.",
)
def birth_date(ctx: GenContext, p: AgeParams) -> pa.Array:
    ages = _ages(ctx, p)
    ref = REFERENCE_DATE.year
    # Age A on 2025-01-01 ⇔ born between (2024-A)-01-02 and (2025-A)-01-01 inclusive.
    first = _jan(ref - 1 - ages, 2)
    last = _jan(ref - ages, 1)
    days = first + (person(ctx)["u_birthday"] * (last - first + 1)).astype(np.int64)
    days = np.minimum(days, last)
    return pa.array(days.astype(np.int32), type=pa.int32()).cast(pa.date32())
