"""address.*: one sampled place per row (and per `link`): city, region, postal code,
country and coordinates come from the same record, so they agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..types import FLOAT, STRING
from .context import GenContext, LazyRecord
from .locale_data import load_pack
from .registry import Params, generator


def _street(ctx: Any, rec: LazyRecord) -> pa.Array:
    pack = ctx.pack("address")
    streets, suffixes = pack.strings("street_names"), pack.strings("street_suffixes")
    return pc.binary_join_element_wise(
        streets.take(pa.array(ctx.integers(len(streets), "street"))),
        suffixes.take(pa.array(ctx.integers(len(suffixes), "suffix"))),
        " ",
    )


ADDRESS_PARTS = {
    "place": lambda ctx, rec: pa.array(
        ctx.pack("address").table_weights("places").index(ctx.uniform("place"))
    ),
    # Small house numbers are more common than large ones.
    "number": lambda ctx, rec: pa.array(
        1 + (ctx.uniform("number") ** 2 * 9999).astype(np.int64)
    ).cast(pa.string()),
    "street": _street,
    # jitter within ~3 km of the city centre so coordinates are not all identical
    "dlat": lambda ctx, rec: (ctx.uniform("dlat") - 0.5) * 0.05,
    "dlon": lambda ctx, rec: (ctx.uniform("dlon") - 0.5) * 0.05,
}


def address_record(ctx: Any) -> LazyRecord:
    return LazyRecord(ctx, ADDRESS_PARTS)


def _rec(ctx: GenContext) -> dict[str, Any]:
    return ctx.record("address", address_record)


def _place_column(ctx: GenContext, column: str) -> pa.Array:
    values = ctx.pack("address").column("places", column)
    idx = _rec(ctx)["place"]
    if isinstance(values, np.ndarray):
        return pa.array(values[idx.to_numpy()])
    return values.take(idx)


def _distinct(column: str):
    def size(p: Params, locale: str) -> int:
        return len({row[column] for row in load_pack(locale, "address").data["places"]})

    return size


@generator(
    "address.city",
    returns=STRING,
    family="address",
    summary="City of the row's place.",
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
    summary="ISO 3166-2 subdivision code of the row's region (e.g. CA).",
    domain=_distinct("region_code"),
)
def region_code(ctx: GenContext, p: Params) -> pa.Array:
    return _place_column(ctx, "region_code")


@generator(
    "address.postal_code",
    returns=STRING,
    family="address",
    summary="Postal code belonging to the row's city.",
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
    summary="Country name of the locale.",
    domain=1,
)
def country(ctx: GenContext, p: Params) -> pa.Array:
    return pa.array([ctx.pack("address").data["country"]] * ctx.n, type=pa.string())


@generator(
    "address.country_code",
    returns=STRING,
    family="address",
    summary="ISO 3166-1 alpha-2 country code.",
    domain=1,
)
def country_code(ctx: GenContext, p: Params) -> pa.Array:
    return pa.array([ctx.pack("address").data["country_code"]] * ctx.n, type=pa.string())


@generator(
    "address.latitude", returns=FLOAT, family="address", summary="Latitude near the row's city."
)
def latitude(ctx: GenContext, p: Params) -> pa.Array:
    base = ctx.pack("address").column("places", "latitude")
    rec = _rec(ctx)
    return pa.array(np.round(base[rec["place"].to_numpy()] + rec["dlat"], 6))


@generator(
    "address.longitude", returns=FLOAT, family="address", summary="Longitude near the row's city."
)
def longitude(ctx: GenContext, p: Params) -> pa.Array:
    base = ctx.pack("address").column("places", "longitude")
    rec = _rec(ctx)
    return pa.array(np.round(base[rec["place"].to_numpy()] + rec["dlon"], 6))


@generator("address.building_number", returns=STRING, family="address", summary="House number.")
def building_number(ctx: GenContext, p: Params) -> pa.Array:
    return _rec(ctx)["number"]


@generator(
    "address.street_name", returns=STRING, family="address", summary="Street name with suffix."
)
def street_name(ctx: GenContext, p: Params) -> pa.Array:
    return _rec(ctx)["street"]


@generator(
    "address.street_address",
    returns=STRING,
    family="address",
    summary="House number and street, e.g. `742 Maple Avenue`.",
)
def street_address(ctx: GenContext, p: Params) -> pa.Array:
    rec = _rec(ctx)
    return pc.binary_join_element_wise(rec["number"], rec["street"], " ")
