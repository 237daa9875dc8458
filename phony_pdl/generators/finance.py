"""finance.*: bank accounts and payment cards that pass their checks.

IBANs follow the country's registry structure (`bban_format`), carry real bank codes
where the locale lists them, the national check digits that Spain, France and Italy
define, and ISO 7064 mod-97 check digits. Card numbers have real brand prefixes and a
valid Luhn digit. One finance record per row (and `link`) ties a card's brand, CVV
length and expiry together, and a BIC to its IBAN's bank where bank codes are letters.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pyarrow as pa
from pydantic import field_validator, model_validator

from ..resources import known_locales, locales_dir
from ..types import STRING, DataType
from ._common import (
    UPPER,
    cent_bounds,
    constant,
    decimal_array,
    fixed_width,
    random_digits,
    random_letters,
    scaled,
    strings_from_matrix,
    take,
)
from .context import GenContext, LazyRecord
from .locale_data import alias_table, load_pack
from .registry import Params, generator

# en_US has no IBAN; its IBANs (and any locale's without one) follow Germany's.
IBAN_FALLBACK_COUNTRY = "DE"
# Reference month for card expiry dates (fixed: outputs never depend on the wall clock).
EXPIRY_FROM = (2025, 1)
_ES_WEIGHTS = np.array([1, 2, 4, 8, 5, 10, 9, 7, 3, 6], dtype=np.int64)
_IT_ODD = np.array(
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
)


# --------------------------------------------------------------------------- IBAN data


@dataclass(frozen=True)
class IbanSpec:
    country: str
    length: int
    kinds: str  # one of n/a/c per BBAN position
    bank_start: int
    bank_end: int
    bank_codes: pa.Array | None  # as fixed-width byte matrix source
    bank_matrix: np.ndarray | None  # (codes, bank_end - bank_start) uint8


@functools.cache
def iban_countries() -> dict[str, str]:
    """Country code → the bundled locale whose finance.json describes its IBAN."""
    out = {}
    for locale in known_locales():
        if (locales_dir() / locale / "finance.json").is_file():
            data = load_pack(locale, "finance").data
            if "iban_country" in data and data["iban_country"] not in out:
                out[data["iban_country"]] = locale
    return out


@functools.cache
def iban_spec(country: str) -> IbanSpec:
    locale = iban_countries().get(country)
    if locale is None:
        raise ValueError(
            f"no IBAN data for country '{country}'; known: {', '.join(sorted(iban_countries()))}"
        )
    d = load_pack(locale, "finance").data
    kinds = "".join(
        kind * int(count) for count, kind in re.findall(r"(\d+)([nac])", d["bban_format"])
    )
    start, end = d.get("bank_code_position", [0, 0])
    codes = [c for c in d.get("bank_codes", []) if len(c) == end - start]
    matrix = None
    if codes:
        matrix = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(
            len(codes), end - start
        )
    spec = IbanSpec(
        country=country,
        length=int(d["iban_length"]),
        kinds=kinds,
        bank_start=start,
        bank_end=end,
        bank_codes=pa.array(codes) if codes else None,
        bank_matrix=matrix,
    )
    if 4 + len(kinds) != spec.length:
        raise ValueError(f"{locale}/finance.json: bban_format does not give iban_length")
    return spec


def _locale_iban_country(locale: str) -> str:
    return load_pack(locale, "finance").data.get("iban_country", IBAN_FALLBACK_COUNTRY)


def _char_values(matrix: np.ndarray) -> np.ndarray:
    """ASCII digits → 0–9, upper-case letters → 10–35 (the IBAN numeric value)."""
    m = matrix.astype(np.int64)
    return np.where(m >= 65, m - 55, m - 48)


def mod97(matrix: np.ndarray) -> np.ndarray:
    """Each row's alphanumeric string read as an IBAN number, modulo 97."""
    values = _char_values(matrix)
    r = np.zeros(len(matrix), dtype=np.int64)
    for j in range(matrix.shape[1]):
        v = values[:, j]
        r = (r * np.where(v >= 10, 100, 10) + v) % 97
    return r


def _digits_value(matrix: np.ndarray) -> np.ndarray:
    out = np.zeros(len(matrix), dtype=np.int64)
    for j in range(matrix.shape[1]):
        out = out * 10 + (matrix[:, j].astype(np.int64) - 48)
    return out


def _national_check(country: str, bban: np.ndarray) -> None:
    """Write national check digits and fixed characters in place (ES, FR, IT, TR, BR)."""
    if country == "ES":
        d = bban.astype(np.int64) - 48

        def reconcile(x: np.ndarray) -> np.ndarray:
            return np.where(x == 11, 0, np.where(x == 10, 1, x))

        first = reconcile(11 - (d[:, 0:8] * _ES_WEIGHTS[2:]).sum(axis=1) % 11)
        second = reconcile(11 - (d[:, 10:20] * _ES_WEIGHTS).sum(axis=1) % 11)
        bban[:, 8] = 48 + first
        bban[:, 9] = 48 + second
    elif country == "FR":
        bank = _digits_value(bban[:, 0:5]) % 97
        branch = _digits_value(bban[:, 5:10]) % 97
        account = _digits_value(bban[:, 10:21]) % 97
        key = 97 - (89 * bank + 15 * branch + 3 * account) % 97
        bban[:, 21] = 48 + key // 10
        bban[:, 22] = 48 + key % 10
    elif country == "IT":
        values = bban[:, 1:23].astype(np.int64)
        index = np.where(values >= 65, values - 65, values - 48)
        total = np.zeros(len(bban), dtype=np.int64)
        for i in range(22):
            total += index[:, i] if (i + 1) % 2 == 0 else _IT_ODD[index[:, i]]
        bban[:, 0] = UPPER[total % 26]
    elif country == "TR":
        bban[:, 5] = ord("0")  # reserved digit, always 0
    elif country == "BR":
        # SWIFT registry 8!n5!n10!n1!a1!c: account type C (checking) or P (savings), then
        # the holder ("1": first holder); the pack's 1c1c admits these too
        bban[:, 23] = np.where(bban[:, 22] % 4 == 0, ord("P"), ord("C"))
        bban[:, 24] = ord("1")


def iban_matrix(ctx: Any, country: str, u_bank: np.ndarray) -> np.ndarray:
    spec = iban_spec(country)
    n = ctx.n
    width = len(spec.kinds)
    digits = random_digits(ctx, width, "iban") + 48
    letters = random_letters(ctx, width, "iban_letters")
    is_letter = np.frombuffer(spec.kinds.encode(), dtype=np.uint8) == ord("a")
    bban = np.where(is_letter[None, :], letters, digits).astype(np.uint8)
    if spec.bank_matrix is not None:
        bban[:, spec.bank_start : spec.bank_end] = spec.bank_matrix[
            scaled(u_bank, len(spec.bank_matrix))
        ]
    _national_check(country, bban)
    tail = np.frombuffer(f"{country}00".encode(), dtype=np.uint8)
    check = 98 - mod97(np.concatenate([bban, np.tile(tail, (n, 1))], axis=1))
    out = np.empty((n, 4 + width), dtype=np.uint8)
    out[:, 0:2] = np.frombuffer(country.encode(), dtype=np.uint8)
    out[:, 2] = 48 + check // 10
    out[:, 3] = 48 + check % 10
    out[:, 4:] = bban
    return out


# --------------------------------------------------------------------------- cards

BRANDS = ["Visa", "Mastercard", "American Express", "Discover", "JCB"]
BRAND_KEYS = ["visa", "mastercard", "amex", "discover", "jcb"]
BRAND_WEIGHTS = [0.5, 0.3, 0.1, 0.05, 0.05]
CARD_LENGTH = [16, 16, 15, 16, 16]
# (brand, first prefix, last prefix, prefix digits, weight within the brand)
CARD_RANGES = [
    (0, 4, 4, 1, 1.0),
    (1, 51, 55, 2, 0.8),
    (1, 2221, 2720, 4, 0.2),
    (2, 34, 34, 2, 0.5),
    (2, 37, 37, 2, 0.5),
    (3, 6011, 6011, 4, 0.4),
    (3, 644, 649, 3, 0.1),
    (3, 65, 65, 2, 0.5),
    (4, 3528, 3589, 4, 1.0),
]
_RANGE = np.array([r[:4] for r in CARD_RANGES], dtype=np.int64)
_BRAND_OF_RANGE = _RANGE[:, 0]


@functools.cache
def _range_sampler(brand: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    members = [i for i, r in enumerate(CARD_RANGES) if brand is None or r[0] == brand]
    weights = np.array(
        [
            CARD_RANGES[i][4] * (BRAND_WEIGHTS[CARD_RANGES[i][0]] if brand is None else 1)
            for i in members
        ]
    )
    probability, alias = alias_table(weights)
    return probability, alias, np.array(members, dtype=np.int64)


def _card_range(u: np.ndarray, brand: int | None) -> np.ndarray:
    probability, alias, members = _range_sampler(brand)
    k = len(probability)
    s = u * k
    column = np.minimum(s.astype(np.int64), k - 1)
    keep = (s - column) < probability[column]
    return members[np.where(keep, column, alias[column])]


def luhn_check(digits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Luhn check digit for each row's first lengths-1 digits (digit values, n × width)."""
    width = digits.shape[1]
    position = np.arange(width)[None, :]
    distance = (lengths[:, None] - 1) - position  # 1 for the digit left of the check digit
    data = (distance >= 1) & (distance <= lengths[:, None] - 1)
    doubled = digits.astype(np.int64) * np.where(distance % 2 == 1, 2, 1)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = np.where(data, doubled, 0).sum(axis=1)
    return (10 - total % 10) % 10


def card_numbers(ctx: Any, u_range: np.ndarray, u_prefix: np.ndarray, brand: int | None):
    ranges = _card_range(u_range, brand)
    lo, hi, width = _RANGE[ranges, 1], _RANGE[ranges, 2], _RANGE[ranges, 3]
    prefix = lo + np.minimum((u_prefix * (hi - lo + 1)).astype(np.int64), hi - lo)
    lengths = np.array(CARD_LENGTH, dtype=np.int64)[_BRAND_OF_RANGE[ranges]]
    digits = random_digits(ctx, 16, "card").astype(np.int64)
    for j in range(4):
        inside = j < width
        digit = (prefix // 10 ** np.maximum(width - 1 - j, 0)) % 10
        digits[:, j] = np.where(inside, digit, digits[:, j])
    check = luhn_check(digits, lengths)
    digits[np.arange(ctx.n), lengths - 1] = check
    return strings_from_matrix((digits + 48).astype(np.uint8), lengths), _BRAND_OF_RANGE[ranges]


# --------------------------------------------------------------------------- record


def _brand(ctx: Any, rec: LazyRecord) -> np.ndarray:
    return _BRAND_OF_RANGE[_card_range(rec["u_range"], None)]


FINANCE_PARTS = {
    "u_bank": lambda ctx, rec: ctx.uniform("bank"),
    "u_range": lambda ctx, rec: ctx.uniform("card_range"),
    "u_prefix": lambda ctx, rec: ctx.uniform("card_prefix"),
    "brand": _brand,
    "expiry": lambda ctx, rec: 1 + ctx.integers(60, "expiry"),  # months after EXPIRY_FROM
}


def finance(ctx: GenContext) -> Any:
    return ctx.record("finance", lambda c: LazyRecord(c, FINANCE_PARTS))


# --------------------------------------------------------------------------- generators


class IbanParams(Params):
    country: str | None = None

    @field_validator("country")
    @classmethod
    def _known(cls, v: str | None) -> str | None:
        if v is not None and v.upper() in iban_countries():
            return v.upper()  # `fr` as FR, like every country code a user may type
        if v is not None and v not in iban_countries():
            raise ValueError(
                f"no IBAN data for '{v}'; choose one of {', '.join(sorted(iban_countries()))}"
            )
        return v


@generator(
    "finance.iban",
    params=IbanParams,
    returns=STRING,
    family="finance",
    summary="IBAN of the locale's country (or `country`), with its length and structure, real "
    "bank codes where known, national and mod-97 check digits; en_US (no IBAN) gives German "
    "IBANs.",
)
def iban(ctx: GenContext, p: IbanParams) -> pa.Array:
    country = p.country or _locale_iban_country(ctx.locale)
    return fixed_width(iban_matrix(ctx, country, finance(ctx)["u_bank"]))


class BicParams(Params):
    length: Literal[8, 11] = 8


_ALNUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789", dtype=np.uint8)


@generator(
    "finance.bic",
    params=BicParams,
    returns=STRING,
    family="finance",
    summary="BIC (SWIFT code) of the locale's country, 8 or 11 characters; where bank codes "
    "are letters (GB, NL) it names the bank of the row's IBAN.",
)
def bic(ctx: GenContext, p: BicParams) -> pa.Array:
    cc = ctx.pack("address").data["country_code"]
    out = np.empty((ctx.n, p.length), dtype=np.uint8)
    out[:, :4] = random_letters(ctx, 4, "bank")
    country = load_pack(ctx.locale, "finance").data.get("iban_country")
    if country:
        spec = iban_spec(country)
        if spec.bank_matrix is not None and spec.bank_end - spec.bank_start == 4:
            codes = spec.bank_matrix[scaled(finance(ctx)["u_bank"], len(spec.bank_matrix))]
            letters = np.all((codes >= 65) & (codes <= 90), axis=1)
            out[:, :4] = np.where(letters[:, None], codes, out[:, :4])
    out[:, 4:6] = np.frombuffer(cc.encode(), dtype=np.uint8)
    raw = ctx.stream("location").raw(ctx.rows)
    for j in range(2, p.length - 4):
        bits = (raw >> np.uint64(8 * j)) & np.uint64(0xFF)
        out[:, 4 + j] = _ALNUM[((bits * np.uint64(len(_ALNUM))) >> np.uint64(8)).astype(np.int64)]
    if p.length == 11:
        head_office = ctx.uniform("branch") < 0.5
        out[:, 8:11] = np.where(head_office[:, None], np.frombuffer(b"XXX", np.uint8), out[:, 8:11])
    return fixed_width(out)


class CardParams(Params):
    brand: Literal["any", "visa", "mastercard", "amex", "discover", "jcb"] = "any"


@generator(
    "finance.credit_card_number",
    params=CardParams,
    returns=STRING,
    family="finance",
    summary="Payment card number with a real brand prefix and length (Visa 4…, Mastercard "
    "51–55/2221–2720, Amex 34/37, Discover, JCB) and a valid Luhn digit; no separators.",
)
def credit_card_number(ctx: GenContext, p: CardParams) -> pa.Array:
    rec = finance(ctx)
    brand = None if p.brand == "any" else BRAND_KEYS.index(p.brand)
    numbers, _ = card_numbers(ctx, rec["u_range"], rec["u_prefix"], brand)
    return numbers


@generator(
    "finance.card_brand",
    returns=STRING,
    family="finance",
    summary="Brand of the row's card (`Visa`, `Mastercard`, `American Express`, `Discover`, "
    "`JCB`), agreeing with finance.credit_card_number.",
    domain=len(BRANDS),
)
def card_brand(ctx: GenContext, p: Params) -> pa.Array:
    return take(pa.array(BRANDS), finance(ctx)["brand"])


@generator(
    "finance.card_expiry",
    returns=STRING,
    family="finance",
    summary="Card expiry `MM/YY`, 1–60 months after January 2025 (a fixed date).",
    domain=60,
)
def card_expiry(ctx: GenContext, p: Params) -> pa.Array:
    months = (EXPIRY_FROM[1] - 1) + finance(ctx)["expiry"]
    year = (EXPIRY_FROM[0] + months // 12) % 100
    month = months % 12 + 1
    out = np.empty((ctx.n, 5), dtype=np.uint8)
    out[:, 0], out[:, 1] = 48 + month // 10, 48 + month % 10
    out[:, 2] = ord("/")
    out[:, 3], out[:, 4] = 48 + year // 10, 48 + year % 10
    return fixed_width(out)


@generator(
    "finance.cvv",
    returns=STRING,
    family="finance",
    summary="Card security code: 4 digits for American Express, else 3, agreeing with the "
    "row's card brand.",
)
def cvv(ctx: GenContext, p: Params) -> pa.Array:
    digits = random_digits(ctx, 4, "cvv") + 48
    lengths = np.where(finance(ctx)["brand"] == 2, 4, 3)
    return strings_from_matrix(digits, lengths)


AMOUNT = DataType("decimal", 16, 2)


class AmountParams(Params):
    min: float = 0.01
    max: float = 10_000.0

    @model_validator(mode="after")
    def _bounds(self) -> AmountParams:
        cent_bounds(self.min, self.max, AMOUNT.precision)
        return self


@generator(
    "finance.amount",
    params=AmountParams,
    returns=AMOUNT,
    family="finance",
    summary="Money amount between `min` and `max` with cents, log-uniform (small amounts "
    "more common).",
)
def amount(ctx: GenContext, p: AmountParams) -> pa.Array:
    lo, hi = math.log(p.min), math.log(p.max)
    cents = np.round(np.exp(lo + ctx.uniform() * (hi - lo)) * 100).astype(np.int64)
    cents = np.clip(cents, *cent_bounds(p.min, p.max, AMOUNT.precision))
    return decimal_array(cents, AMOUNT.precision, AMOUNT.scale)


@generator(
    "finance.currency",
    returns=STRING,
    family="finance",
    summary="ISO 4217 code of the locale's currency (`EUR`, `PLN`).",
    domain=1,
)
def currency(ctx: GenContext, p: Params) -> pa.Array:
    return constant(ctx.pack("finance").data["currency"], ctx.n)
