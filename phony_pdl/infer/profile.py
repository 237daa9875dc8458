"""One column of sample data → what it is: type, nulls, keys, categories, patterns, meaning.

A profile holds the facts (counts, the non-null values as numbers, the distinct
strings); `semantic` and `induce_pattern` read meaning and shape from strings.
Choosing the PDL source from a profile happens in document.py.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import resources

__all__ = ["ColumnProfile", "induce_pattern", "profile_column", "semantic", "shared_text"]

US_PER_DAY = 86_400_000_000


@dataclass
class ColumnProfile:
    source: str  # column name in the sample
    name: str  # PDL identifier
    kind: str  # int, float, decimal, bool, date, datetime, time, string, null
    n: int
    nulls: int
    distinct: int
    numbers: np.ndarray | None = None  # non-null values: numbers, days (date), µs (datetime, time)
    scores: np.ndarray | None = None  # every row as a float (NaN where NULL): for correlations
    strings: list[str] | None = None  # non-null values of a string column
    decimals: int | None = None  # places written (text) or found (floats)
    precision: tuple[int, int] | None = None  # decimal(p, s) of a typed source
    top: list[tuple[object, int]] = field(default_factory=list)  # most frequent values first
    sorted_steps: int | None = None  # constant step of a sorted integer column (sequence)
    int_range: tuple[int, int] | None = None  # exact min, max of integers beyond 2**53
    # the distinct numbers, sorted, and how often each occurs (so fits need not sort again)
    histogram: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def null_rate(self) -> float:
        return self.nulls / self.n if self.n else 0.0

    @property
    def non_null(self) -> int:
        return self.n - self.nulls

    @property
    def unique(self) -> bool:
        return self.non_null > 1 and self.distinct == self.non_null

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float", "decimal")

    @property
    def temporal(self) -> bool:
        return self.kind in ("date", "datetime", "time")


def profile_column(
    source: str, name: str, column: pa.Array, *, decimals: int | None = None, top_k: int = 50
) -> ColumnProfile:
    t = column.type
    n = len(column)
    nulls = column.null_count
    valid = pc.drop_null(column)
    if pa.types.is_uint64(t) and len(valid) and pc.max(valid).as_py() >= 2**63:
        kind = "string"  # past int64, which PDL's int is: codes, written as text
        valid = valid.cast(pa.string())
    elif pa.types.is_integer(t):
        kind = "int"
    elif pa.types.is_floating(t):
        kind = "float"
    elif pa.types.is_decimal(t):
        kind = "decimal"
    elif pa.types.is_boolean(t):
        kind = "bool"
    elif pa.types.is_date(t):
        kind = "date"
    elif pa.types.is_timestamp(t):
        kind = "datetime"
    elif pa.types.is_time(t):
        kind = "time"
    elif pa.types.is_null(t) or len(valid) == 0:
        kind = "null"
    else:
        kind = "string"
        valid = valid.cast(pa.string())
    p = ColumnProfile(source, name, kind, n, nulls, 0, decimals=decimals)
    if kind == "null":
        return p
    if kind in ("int", "float", "decimal", "date", "datetime", "time"):
        numbers = _as_numbers(valid, kind)
        numbers.flags.writeable = False  # shared below and read by every step: never edited
        p.numbers = numbers
        if nulls:
            scores = np.full(n, np.nan)
            scores[~column.is_null().to_numpy(zero_copy_only=False)] = numbers
            scores.flags.writeable = False
            p.scores = scores
        else:  # every row set: the same values (8 bytes a row less per column)
            p.scores = numbers
        distinct, counts = np.unique(numbers, return_counts=True)
        p.distinct = len(distinct)
        p.histogram = (distinct, counts)
        order = np.argsort(-counts, kind="stable")[:top_k]
        p.top = list(zip(distinct[order].tolist(), counts[order].tolist(), strict=True))
        if kind == "decimal":
            p.precision = (t.precision, t.scale)
            p.decimals = t.scale
        elif kind == "float" and p.decimals is None:
            p.decimals = _decimals(numbers)
        if kind == "int" and np.abs(numbers).max(initial=0) >= 2**53:
            # beyond 2**53 doubles merge neighbours (snowflake ids): count and step in int64
            exact = valid.cast(pa.int64()).to_numpy(zero_copy_only=False)
            p.distinct = len(np.unique(exact))
            p.int_range = (int(exact.min()), int(exact.max()))
            if p.unique and nulls == 0 and n > 1:
                steps = np.diff(exact)
                if steps[0] > 0 and np.all(steps == steps[0]):
                    p.sorted_steps = int(steps[0])
        elif kind == "int" and p.unique and nulls == 0 and n > 1:
            steps = np.diff(numbers)
            if steps[0] > 0 and np.all(steps == steps[0]):
                p.sorted_steps = int(steps[0])
        return p
    values = shared_text(valid).tolist() if kind == "string" else valid.to_pylist()
    counts = Counter(values)
    p.distinct = len(counts)
    p.top = counts.most_common(top_k)
    if kind == "string":
        p.strings = values
    return p


def shared_text(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A text column as an object array (None where NULL) in which equal values are one
    Python string: a million rows of a few categories take 8 MB, not the 60 MB of a string
    object per row that `to_numpy`/`to_pylist` make."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    words = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last one: NULL
    words[:-1] = encoded.dictionary.to_pylist()
    index = pc.fill_null(encoded.indices, len(encoded.dictionary))
    return words[index.to_numpy(zero_copy_only=False)]


def _as_numbers(values: pa.Array, kind: str) -> np.ndarray:
    if kind == "date":
        return values.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64)
    if kind == "datetime":
        us = values.cast(pa.timestamp("us")) if values.type.unit != "us" else values
        if values.type.tz is not None:
            us = us.cast(pa.timestamp("us"))
        return us.cast(pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
    if kind == "time":
        return values.cast(pa.time64("us")).cast(pa.int64()).to_numpy().astype(np.float64)
    if kind == "decimal":
        from ..engine.arrow import decimal_to_float

        return decimal_to_float(values).to_numpy(zero_copy_only=False)
    # safe=False: integers beyond 2**53 (snowflake ids, epoch nanoseconds) to their nearest double
    return pc.cast(values, pa.float64(), safe=False).to_numpy(zero_copy_only=False)


MAX_DECIMALS = 8  # written as `round:` up to this (coordinates have 6–8); beyond: float noise


def _decimals(x: np.ndarray) -> int | None:
    """Fewest decimal places that write 99.5 % of the values exactly (None: more than 9).

    A stray 9.899999 among values written with two decimals does not make the column six.
    """
    if len(x) == 0:
        return None
    sample = x[:5000]
    for places in range(10):
        scaled = sample * 10.0**places
        exact = np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))
        if exact.mean() >= 0.995:
            return places
    return None


# ---------------------------------------------------------------- meaning of text columns

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{5,20}[0-9]$")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"^{_OCTET}(\.{_OCTET}){{3}}(/(3[0-2]|[12]?[0-9]))?$")  # inet may add /32
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NAME_HINTS: list[tuple[str, str]] = [
    (r"(^|_)(e_?mail)(_|$)", "internet.email"),
    (r"(^|_)(first_?name|given_?name|forename)$", "person.first_name"),
    (r"(^|_)(last_?name|surname|family_?name)$", "person.last_name"),
    (r"^(full_?name|name|person_?name|customer_?name|contact_?name)$", "person.full_name"),
    (r"(^|_)(phone|mobile|telephone|tel|cell)(_|$)", "phone.number"),
    (r"(^|_)(city|town)$", "address.city"),
    (r"(^|_)(country_?code|iso_?country)$", "address.country_code"),
    (r"(^|_)country$", "address.country"),
    (r"(^|_)(zip|zip_?code|postal_?code|post_?code|postcode)$", "address.postal_code"),
]


@functools.cache
def _vocabulary() -> dict[str, dict[str, set[str]]]:
    """Per locale: first names, last names, cities, countries, country codes (lower case)."""
    out: dict[str, dict[str, set[str]]] = {}
    for locale in resources.known_locales():
        words: dict[str, set[str]] = {
            k: set() for k in ("first", "last", "city", "country", "code")
        }
        try:
            person = resources.load_json("generators", f"locales/{locale}/person.json")
            for group in person.get("first_names", {}).values():
                words["first"].update(str(n[0]).lower() for n in group)
            words["last"].update(str(n[0]).lower() for n in person.get("last_names", []))
        except (FileNotFoundError, KeyError, TypeError, IndexError):
            pass
        try:
            address = resources.load_json("generators", f"locales/{locale}/address.json")
            words["city"].update(str(p["city"]).lower() for p in address.get("places", []))
            words["country"].add(str(address.get("country", "")).lower())
            words["code"].add(str(address.get("country_code", "")).lower())
        except (FileNotFoundError, KeyError, TypeError):
            pass
        out[locale] = words
    return out


def _share(values: list[str], words: set[str]) -> float:
    return sum(1 for v in values if v.strip().lower() in words) / len(values) if values else 0.0


def _full_name_share(values: list[str], words: dict[str, set[str]]) -> float:
    """The share of values written as a first name (and a middle one) and a last name."""
    full = sum(
        1
        for v in values
        if len(parts := v.strip().lower().split()) in (2, 3)
        and parts[0] in words["first"]
        and parts[-1] in words["last"]
    )
    return full / len(values) if values else 0.0


_VOCABULARY_KEYS = {
    "person.first_name": "first",
    "person.last_name": "last",
    "address.city": "city",
    "address.country": "country",
}


def locale_share(profile: ColumnProfile, generator: str, locale: str) -> float:
    """The share of a column's values that are in `locale`'s words for `generator` (1.0 for
    generators that do not read a vocabulary: phones and the like say their locale by form)."""
    values = (profile.strings or [])[:2000]
    key = _VOCABULARY_KEYS.get(generator)
    words = _vocabulary().get(locale)
    if generator == "person.full_name" and words is not None:
        return _full_name_share(values, words)
    if key is None or words is None:
        return 1.0
    return _share(values, words[key])


def name_hint(profile: ColumnProfile) -> str | None:
    """The generator the column's name suggests (`Last Name` → person.last_name), if any."""
    name = profile.source.strip().lower().replace(" ", "_")
    return next((g for pattern, g in _NAME_HINTS if re.search(pattern, name)), None)


def semantic(profile: ColumnProfile) -> tuple[str | None, str | None, str]:
    """(generator, locale, reason) for a text column whose values have a known meaning."""
    values = (profile.strings or [])[:2000]
    if not values:
        return None, None, ""
    hint = name_hint(profile)

    def share(rx: re.Pattern) -> float:
        return sum(1 for v in values if rx.match(v.strip())) / len(values)

    if share(_EMAIL) >= 0.9:
        return "internet.email", None, f"{share(_EMAIL):.0%} of values are e-mail addresses"
    if share(_UUID) >= 0.99:
        return "id.uuid4", None, "values are UUIDs"
    vocab = _vocabulary()
    best: tuple[float, str, str] | None = None
    for locale, words in vocab.items():
        for key, generator in (
            ("first", "person.first_name"),
            ("last", "person.last_name"),
            ("city", "address.city"),
            ("country", "address.country"),
        ):
            s = _share(values, words[key])
            if s > 0 and (best is None or s > best[0]):
                best = (s, generator, locale)
        full = _full_name_share(values, words)
        if full > 0 and (best is None or full > best[0]):
            best = (full, "person.full_name", locale)
    if best is not None and (best[0] >= 0.5 or (best[0] >= 0.2 and hint == best[1])):
        what = best[1].split(".")[1].replace("_", " ")
        return best[1], best[2], f"{best[0]:.0%} of values are known {what} values ({best[2]})"
    if share(_IPV4) >= 0.9:  # before phone numbers: 10.0.0.1 also reads as digits and dots
        return "internet.ipv4", None, f"{share(_IPV4):.0%} of values are IPv4 addresses"
    if hint == "phone.number" or (share(_PHONE) >= 0.9 and _has_phone_punctuation(values)):
        from .phones import phone_style

        style = phone_style(values)
        if style is None:  # a house style no locale writes: pattern induction keeps it
            return None, None, ""
        locale, form, matched = style
        return (
            "phone.number" if form == "national" else f"phone.number:{form}",
            locale,
            f"phone numbers: {matched:.0%} shaped as {locale}'s {form} form",
        )
    codes = set().union(*(w["code"] for w in vocab.values()))
    if hint == "address.country_code" or (
        all(len(v) == 2 and v.isalpha() and v.isupper() for v in values)
        and _share(values, codes) >= 0.5
    ):
        return "address.country_code", None, "two-letter country codes"
    if hint in ("address.country", "address.city", "address.postal_code", "internet.email"):
        return hint, None, f"column name '{profile.source}'"
    if hint in ("person.first_name", "person.last_name", "person.full_name"):
        letters = sum(1 for v in values if re.fullmatch(r"[^\W\d_][^\W\d_' .\-]*", v.strip()))
        # A `name` column of single words is a department's or product's, not a person's.
        words = sum(1 for v in values if len(v.split()) >= 2) if hint.endswith("full_name") else 0
        if letters / len(values) >= 0.9 and (
            not hint.endswith("full_name") or words / len(values) >= 0.8
        ):
            return hint, None, f"column name '{profile.source}'"
    return None, None, ""


def _has_phone_punctuation(values: list[str]) -> bool:
    return sum(1 for v in values if re.search(r"[ ()+.\-]", v)) / len(values) >= 0.5


# ---------------------------------------------------------------- patterns of codes

_RUNS = re.compile(r"[A-Z]+|[a-z]+|[0-9]+|.", re.S)
_CLASS = {"A": "[A-Z]", "a": "[a-z]", "9": r"\d"}
_ESCAPE = set(".^$*+?()[]{}|\\")


def _class_of(token: str) -> str:
    c = token[0]
    if c.isupper() and c.isascii():
        return "A"
    if c.islower() and c.isascii():
        return "a"
    if c.isdigit() and c.isascii():
        return "9"
    return "=" + token


def _literal(text: str) -> str:
    return "".join("\\" + ch if ch in _ESCAPE else ch for ch in text)


def _quantifier(lo: int, hi: int) -> str:
    if lo == hi:
        return "" if lo == 1 else f"{{{lo}}}"
    return f"{{{lo},{hi}}}"


def induce_pattern(values: list[str], *, coverage: float = 0.98) -> str | None:
    """A `pattern:` regex most values match (`[A-Z]{2}-\\d{4}`), or None.

    Values are cut into runs of upper-case letters, lower-case letters, digits and
    single other characters; the dominant run signature gives the pattern, with
    a run that never changes written literally.
    """
    if not values:
        return None
    sample = values[:20000]
    tokenised = [_RUNS.findall(v) for v in sample]
    signatures = Counter(tuple(_class_of(t) for t in toks) for toks in tokenised)
    signature, count = signatures.most_common(1)[0]
    if count / len(sample) < coverage or not signature or len(signature) > 24:
        return _coarse_pattern(sample, coverage)
    members = [toks for toks in tokenised if tuple(_class_of(t) for t in toks) == signature]
    parts = []
    variable = False
    for i, cls in enumerate(signature):
        tokens = {toks[i] for toks in members}
        if cls.startswith("="):
            parts.append(_literal(cls[1:]))
        elif len(tokens) == 1 and len(members) > 10:
            parts.append(_literal(next(iter(tokens))))
        else:
            lengths = [len(t) for t in tokens]
            lead = _leading_digits(cls, [toks[i] for toks in members], lengths)
            if lead is not None:
                parts.append(lead + _CLASS[cls] + _quantifier(lengths[0] - 1, lengths[0] - 1))
            else:
                parts.append(_CLASS[cls] + _quantifier(min(lengths), max(lengths)))
            variable = True
    return "".join(parts) if variable else None


# A run's first digit is a class of its own when this many values never show some digits
# there (area codes never start with 0 or 1): at 200 values a digit drawn one time in ten
# is missing by chance with odds of 1 in 10^9. At most half the digits go, so the pattern
# holds at least half as many values as `\d` would (a unique key can still grow).
_LEAD_EVIDENCE = 200
_LEAD_KEEP = 5


def _leading_digits(cls: str, tokens: list[str], lengths: list[int]) -> str | None:
    """`[2-9]` for a fixed-length run of digits whose values start with 2 to 9 only, else
    None (too few values, other lengths, or starts spread over all ten digits)."""
    if cls != "9" or len(tokens) < _LEAD_EVIDENCE or not min(lengths) == max(lengths) >= 2:
        return None
    seen = sorted({int(t[0]) for t in tokens})
    low, high = seen[0], seen[-1]
    if len(seen) == 10 or high - low + 1 < _LEAD_KEEP or len(seen) != high - low + 1:
        return None
    return f"[{low}-{high}]"


def _coarse_pattern(values: list[str], coverage: float) -> str | None:
    """Codes mixing letters and digits freely (hashes, tokens): one character class."""
    lengths = [len(v) for v in values]
    chars = set().union(*map(set, values))
    if not chars or not all(c.isascii() and c.isalnum() for c in chars):
        return None
    letters = {c for c in chars if c.isalpha()}
    if letters and (letters <= set("abcdef") or letters <= set("ABCDEF")) and len(values) >= 20:
        # hex digits (hashes, ids): a letter past f would make every synthetic value non-hex;
        # 20 values make a hex-looking run of ordinary codes unlikely (6/26 per letter)
        cls = "0-9a-f" if letters <= set("abcdef") else "0-9A-F"
    else:
        cls = "".join(
            r
            for r, ok in (
                ("A-Z", any(c.isupper() for c in chars)),
                ("a-z", any(c.islower() for c in chars)),
                ("0-9", any(c.isdigit() for c in chars)),
            )
            if ok
        )
    lo, hi = min(lengths), max(lengths)
    if hi - lo > 8 or hi < 4:
        return None
    del coverage
    return f"[{cls}]{_quantifier(lo, hi)}"
