"""address.*: one sampled place per row (and per `link`): city, region, postal code,
time zone and coordinates come from the same record, so they agree; streets are
written in the locale's own order (`street_format`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ..types import FLOAT, STRING
from ._common import coded, constant, render, scaled, split_format, take
from .context import GenContext, LazyRecord
from .locale_data import LocalePack, Weighted, load_pack
from .registry import Params, generator

# How a full postal address reads, by country (default: street, postal code and city).
FULL_FORMATS = {
    "US": "{street_address}, {city}, {region_code} {postal_code}",
    "GB": "{street_address}, {city} {postal_code}",
    "BR": "{street_address}, {city} - {region_code}, {postal_code}",
}
DEFAULT_FULL_FORMAT = "{street_address}, {postal_code} {city}"

# Jitter around the place's coordinates: ±0.025° in each (under 2.8 km each way, under
# 4 km from the centre at the corners of the square) so rows are not identical.
JITTER_DEGREES = 0.05


@dataclass(frozen=True)
class AddressData:
    places: Weighted
    columns: dict[str, pa.Array]
    latitude: np.ndarray
    longitude: np.ndarray
    streets: pa.Array
    suffixes: pa.Array
    street_format: str  # e.g. "{number} {street} {suffix}", without {suffix} if none
    street_only: str  # the street without the number, e.g. "{street} {suffix}"
    country: str
    country_code: str


def _drop_suffix(fmt: str) -> str:
    fmt = re.sub(r"\s*\{suffix\}\s*", " ", fmt)
    return re.sub(r"\s+", " ", fmt).strip(" ")


def address_data(pack: LocalePack) -> AddressData:
    cached = pack._cache.get("address:data")
    if cached is not None:
        return cached
    d = pack.data
    places = d["places"]
    columns = {
        c: pa.array([p[c] for p in places], type=pa.string())
        for c in ("city", "region", "region_code", "postal_code", "timezone")
    }
    suffixes = d.get("street_suffixes") or []
    street_format = d.get("street_format", "{number} {street} {suffix}")
    if not suffixes:
        street_format = _drop_suffix(street_format)
    names = [t for is_name, t in split_format(street_format) if is_name and t != "number"]
    data = AddressData(
        places=Weighted.build([[i, p.get("weight", 1)] for i, p in enumerate(places)]),
        columns=columns,
        latitude=np.array([p["latitude"] for p in places], dtype=np.float64),
        longitude=np.array([p["longitude"] for p in places], dtype=np.float64),
        streets=pa.array(d["street_names"], type=pa.string()),
        suffixes=pa.array(suffixes or [""], type=pa.string()),
        street_format=street_format,
        street_only=" ".join("{" + n + "}" for n in names),
        country=d["country"],
        country_code=d["country_code"],
    )
    pack._cache["address:data"] = data
    return data


def _data(ctx: Any) -> AddressData:
    return address_data(ctx.pack("address"))


# A house is a number on a street of N numbers (uniform in 1..N), streets' N log-uniform
# between `short` and `top`: P(n) ∝ 1/max(n, short) − 1/top, flat up to `short`, then
# thinning out. US grid addresses run to four and five digits, Brazil's to four.
_HOUSE_RANGE = {"US": (100, 9999), "BR": (50, 2999)}
_HOUSE_RANGE_DEFAULT = (20, 250)
_HOUSE_NUMBERS = pa.array([str(n) for n in range(1, 10_000)])


def _house_range(locale: str) -> tuple[int, int]:
    return _HOUSE_RANGE.get(locale.rsplit("_", 1)[-1], _HOUSE_RANGE_DEFAULT)


def _house_cdf(short: int, top: int) -> np.ndarray:
    # Cumulative sums, then comparisons only: no exp/log whose last bit could differ
    # between CPUs and move a value across an integer.
    n = np.arange(1, top + 1, dtype=np.float64)
    weights = 1.0 / np.maximum(n, short) - 1.0 / top
    weights[-1] = weights[-2] / 2  # the last street number, not zero chance
    return np.cumsum(weights) / weights.sum()


def _number(ctx: Any, rec: LazyRecord) -> pa.Array:
    pack = ctx.pack("address")
    short, top = _HOUSE_RANGE["US"] if ctx.unique_place else _house_range(ctx.locale)
    key = f"address:house_cdf#{short}-{top}"
    if key not in pack._cache:
        pack._cache[key] = _house_cdf(short, top)
    index = np.searchsorted(pack._cache[key], ctx.uniform("number"), side="right")
    return take(_HOUSE_NUMBERS, np.minimum(index, top - 1))


def _street_words(ctx: Any, rec: LazyRecord) -> dict[str, pa.Array]:
    data = _data(ctx)
    return {
        "street": take(data.streets, scaled(ctx.uniform("street"), len(data.streets))),
        "suffix": take(data.suffixes, scaled(ctx.uniform("suffix"), len(data.suffixes))),
    }


ADDRESS_PARTS = {
    "place": lambda ctx, rec: _data(ctx).places.index(ctx.uniform("place")),
    "number": _number,
    "words": _street_words,
    "street": lambda ctx, rec: render(_data(ctx).street_only, rec["words"], ctx.n),
    "street_address": lambda ctx, rec: render(
        _data(ctx).street_format, {**rec["words"], "number": rec["number"]}, ctx.n
    ),
    "dlat": lambda ctx, rec: (ctx.uniform("dlat") - 0.5) * JITTER_DEGREES,
    "dlon": lambda ctx, rec: (ctx.uniform("dlon") - 0.5) * JITTER_DEGREES,
}


def address_record(ctx: Any) -> LazyRecord:
    return LazyRecord(ctx, ADDRESS_PARTS)


def address(ctx: GenContext) -> Any:
    """The row's place record (shared by address.* and phone.number's area code)."""
    return ctx.record("address", address_record)


def _place_column(ctx: GenContext, column: str) -> pa.Array:
    return coded(ctx, _data(ctx).columns[column], address(ctx)["place"])


def _one_value(ctx: GenContext, text: str) -> pa.Array:
    if ctx.codes:
        return coded(ctx, pa.array([text]), np.zeros(ctx.n, dtype=np.int64))
    return constant(text, ctx.n)


def _distinct(column: str):
    def size(p: Params, locale: str) -> int:
        return len({row[column] for row in load_pack(locale, "address").data["places"]})

    return size


@generator(
    "address.city",
    returns=STRING,
    family="address",
    summary="City of the row's place, weighted by population.",
    domain=_distinct("city"),
)
def city(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "city")


@generator(
    "address.region",
    returns=STRING,
    family="address",
    summary="State or region of the row's place.",
    domain=_distinct("region"),
)
def region(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "region")


@generator(
    "address.region_code",
    returns=STRING,
    family="address",
    summary="ISO 3166-2 subdivision code of the row's region, without the country (`CA`, `BY`).",
    domain=_distinct("region_code"),
)
def region_code(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "region_code")


@generator(
    "address.postal_code",
    returns=STRING,
    family="address",
    summary="Postal code of the row's city (how exact depends on the locale; see "
    "generators/DATA_SOURCES.md).",
    domain=_distinct("postal_code"),
)
def postal_code(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "postal_code")


@generator(
    "address.timezone",
    returns=STRING,
    family="address",
    summary="IANA time zone of the row's place.",
    domain=_distinct("timezone"),
)
def timezone(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "timezone")


@generator(
    "address.country",
    returns=STRING,
    family="address",
    summary="Country name of the locale, in its language (`Deutschland`).",
    domain=1,
)
def country(ctx: GenContext, p: Params) -> pa.Array:
    return _one_value(ctx, _data(ctx).country)


@generator(
    "address.country_code",
    returns=STRING,
    family="address",
    summary="ISO 3166-1 alpha-2 code of the locale's country.",
    domain=1,
)
def country_code(ctx: GenContext, p: Params) -> pa.Array:
    return _one_value(ctx, _data(ctx).country_code)


@generator(
    "address.latitude",
    returns=FLOAT,
    family="address",
    summary="Latitude within 4 km of the row's city (6 decimals).",
)
def latitude(ctx: GenContext, p: Params) -> pa.Array:
    rec = address(ctx)
    return pa.array(np.round(_data(ctx).latitude[rec["place"]] + rec["dlat"], 6))


@generator(
    "address.longitude",
    returns=FLOAT,
    family="address",
    summary="Longitude within 4 km of the row's city (6 decimals).",
)
def longitude(ctx: GenContext, p: Params) -> pa.Array:
    rec = address(ctx)
    return pa.array(np.round(_data(ctx).longitude[rec["place"]] + rec["dlon"], 6))


@generator(
    "address.building_number",
    returns=STRING,
    family="address",
    summary="House number as on streets of varied length: 1–20 equally likely, then "
    "thinning out to 250 (US: flat to 100, up to 9999; Brazil: 50, 2999).",
    domain=lambda p, locale: _house_range(locale)[1],
)
def building_number(ctx: GenContext, p: Params) -> pa.Array:
    return address(ctx)["number"]


@generator(
    "address.street",
    returns=STRING,
    family="address",
    summary="Street with its type in the locale's order (`Maple Avenue`, `Calle Mayor`, "
    "`Goethestraße`).",
)
def street(ctx: GenContext, p: Params) -> pa.Array:
    return address(ctx)["street"]


@generator(
    "address.street_name",
    returns=STRING,
    family="address",
    summary="The same as address.street (Faker's name for it).",
)
def street_name(ctx: GenContext, p: Params) -> pa.Array:
    return address(ctx)["street"]


@generator(
    "address.street_address",
    returns=STRING,
    family="address",
    summary="Street and house number in the locale's `street_format` (`742 Maple Avenue`, "
    "`Goethestraße 12`, `Calle Mayor, 5`).",
)
def street_address(ctx: GenContext, p: Params) -> pa.Array:
    return address(ctx)["street_address"]


@generator(
    "address.full",
    returns=STRING,
    family="address",
    summary="One-line postal address of the row's place in the country's order "
    "(`742 Maple Avenue, Denver, CO 80202`, `Goethestraße 12, 10115 Berlin`).",
)
def full(ctx: GenContext, p: Params) -> pa.Array:
    data = _data(ctx)
    rec = address(ctx)
    fmt = FULL_FORMATS.get(data.country_code, DEFAULT_FULL_FORMAT)
    values = {"street_address": rec["street_address"]}
    for name in ("city", "region", "region_code", "postal_code"):
        if "{" + name + "}" in fmt:
            values[name] = take(data.columns[name], rec["place"])
    return render(fmt, values, ctx.n)
