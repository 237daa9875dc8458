"""internet.*: addresses derived from the row's person (so emails match names) and
network identifiers built from random bits."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import field_validator, model_validator

from ..types import INT, STRING
from ._common import (
    HEX_DIGITS,
    fixed_width,
    pick,
    render_choice,
    take,
    weights_of,
)
from .company import company, company_data, sample_tld
from .context import GenContext
from .locale_data import alias_table, load_pack
from .lorem import word_lists
from .person import person, person_data
from .registry import Params, generator
from .unique import unique_suffix

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _alias_pick(values: pa.Array, weights: np.ndarray, u: np.ndarray, cache: dict, key: str):
    if key not in cache:
        cache[key] = alias_table(weights)
    probability, alias = cache[key]
    k = len(probability)
    s = u * k
    column = np.minimum(s.astype(np.int64), k - 1)
    keep = (s - column) < probability[column]
    return take(values, np.where(keep, column, alias[column]))


# --------------------------------------------------------------------------- email

# Local-part styles: first.last, firstlast, f.last, first_last, last.first. The family
# name is always there, so a row's email shows its person. A style's head comes with
# its separator from PersonData.heads (block k of that array), its tail is a name.
_STYLES = 5
_TAIL_IS_FIRST = np.array([False, False, False, False, True])
_TAILS = pa.array(["", *(str(i) for i in range(100))], type=pa.string())


def local_part(ctx: GenContext) -> list[pa.Array]:
    """ASCII local part from the row's person (Müller → mueller), maybe with digits,
    as pieces to join (one join for the whole address is cheaper than two)."""
    rec = person(ctx)
    data = person_data(load_pack(ctx.person_locale, "person"))
    first, last = rec["first_index"], rec["last_index"]
    style = ctx.integers(_STYLES, "style")
    flip = _TAIL_IS_FIRST[style]
    head = style * len(data.first_ascii) + np.where(flip, last, first)
    tail = np.where(flip, len(data.last_ascii) + first, last)
    parts = [take(data.heads, head), take(data.tails, tail)]
    if ctx.unique:
        parts.append(unique_suffix(ctx))
    else:
        digits = np.where(ctx.uniform("has_digits") < 0.4, 1 + ctx.integers(100, "digits"), 0)
        parts.append(take(_TAILS, digits))
    return parts


class EmailParams(Params):
    domain: str | None = None
    kind: Literal["free", "company"] = "free"
    domain_from: str | None = None

    field_paths = ("domain_from",)

    @field_validator("domain")
    @classmethod
    def _domain_shape(cls, v: str | None) -> str | None:
        if v is not None and not _DOMAIN.match(v):
            raise ValueError(f"'{v}' is not a lower-case domain name like example.com")
        return v

    @field_validator("domain_from")
    @classmethod
    def _path_shape(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)?", v):
            raise ValueError(f"'{v}' is not a field path: write `field` or `fk_field.parent_field`")
        return v

    @model_validator(mode="after")
    def _one_domain(self) -> EmailParams:
        given = [
            name
            for name, on in (
                ("domain", self.domain is not None),
                ("domain_from", self.domain_from is not None),
                ("kind: company", self.kind == "company"),
            )
            if on
        ]
        if len(given) > 1:
            raise ValueError(
                "give one of `domain`, `domain_from` and `kind: company`; this field sets "
                + " and ".join(f"`{g}`" for g in given)
            )
        return self


def free_domain(ctx: GenContext) -> pa.Array:
    """`@` and a free-mail domain of the locale (repeated entries weigh more)."""
    pack = ctx.pack("internet")
    if "internet:free" not in pack._cache:
        values, weights = weights_of(pack.data["free_email_domains"])
        pack._cache["internet:free"] = (pc.binary_join_element_wise("@", values, ""), weights)
    values, weights = pack._cache["internet:free"]
    return _alias_pick(values, weights, ctx.uniform("domain"), pack._cache, "internet:free#alias")


@generator(
    "internet.email",
    params=EmailParams,
    returns=STRING,
    family="internet",
    summary="Email of the row's person in ASCII (Müller → mueller) at a free-mail domain of "
    "the locale, at `domain`, (`kind: company`) at the row's company.domain, or at the domain "
    "another field holds (`domain_from: org_id.domain`, through a foreign key); unique on "
    "request.",
)
def email(ctx: GenContext, p: EmailParams) -> pa.Array:
    if p.domain:
        at_domain = "@" + p.domain
    elif p.kind == "company":
        at_domain = pc.binary_join_element_wise("@", company(ctx)["domain"], "")
    elif p.domain_from:
        at_domain = domain_of_field(ctx, p.domain_from)
    else:
        at_domain = free_domain(ctx)
    return pc.binary_join_element_wise(*local_part(ctx), at_domain, "")


def domain_of_field(ctx: GenContext, path: str) -> pa.Array:
    """`@` and the domain another field holds (an organisation's, through a foreign key),
    lower-cased and trimmed; rows where it is NULL or blank use a free-mail domain."""
    values = pc.utf8_lower(pc.utf8_trim_whitespace(ctx.field_values(path).cast(pa.string())))
    at_domain = pc.binary_join_element_wise("@", values, "")
    missing = pc.fill_null(pc.equal(values, ""), True)
    if pc.any(missing).as_py():
        at_domain = pc.if_else(missing, free_domain(ctx), at_domain)
    return at_domain


@generator(
    "internet.username",
    returns=STRING,
    family="internet",
    summary="User name derived from the row's person (`maria.garcia42`); unique on request.",
)
def username(ctx: GenContext, p: Params) -> pa.Array:
    return pc.binary_join_element_wise(*local_part(ctx), "")


# --------------------------------------------------------------------------- domains, URLs


def random_domain(ctx: GenContext, label: str = "") -> pa.Array:
    data = company_data(ctx.pack("company"), ctx.pack("internet"))
    word = pick(data.words_ascii, ctx.uniform(f"{label}word"))
    return pc.binary_join_element_wise(word, sample_tld(data, ctx.uniform(f"{label}tld")), ".")


@generator(
    "internet.domain",
    returns=STRING,
    family="internet",
    summary="Domain name from a surname and one of the locale's TLDs (`keller.de`).",
)
def domain(ctx: GenContext, p: Params) -> pa.Array:
    return random_domain(ctx)


def _tld_domain(p: Params, locale: str) -> int:
    return len(set(load_pack(locale, "internet").data["tlds"]))


@generator(
    "internet.tld",
    returns=STRING,
    family="internet",
    summary="Top-level domain, weighted as in the locale's list (`com`, `de`, `co.uk`).",
    domain=_tld_domain,
)
def tld(ctx: GenContext, p: Params) -> pa.Array:
    return sample_tld(company_data(ctx.pack("company"), ctx.pack("internet")), ctx.uniform())


class SlugParams(Params):
    min_words: int = 2
    max_words: int = 4

    @model_validator(mode="after")
    def _bounds(self) -> SlugParams:
        if not 1 <= self.min_words <= self.max_words <= 16:
            raise ValueError("need 1 <= min_words <= max_words <= 16")
        return self


@generator(
    "internet.slug",
    params=SlugParams,
    returns=STRING,
    family="internet",
    summary="URL slug of lorem words joined by hyphens (`dolor-sit-amet`).",
)
def slug(ctx: GenContext, p: SlugParams) -> pa.Array:
    lists = word_lists(ctx, ctx.rows, p.min_words, p.max_words, "slug", 16)
    return pc.binary_join(lists, "-")


_URL_FORMATS = [
    "https://{host}",
    "https://{host}/",
    "https://{host}/{path}",
    "https://{host}/{path}/",
]


@generator(
    "internet.url",
    returns=STRING,
    family="internet",
    summary="HTTPS URL on a generated domain, sometimes with `www.` and a slug path.",
)
def url(ctx: GenContext, p: Params) -> pa.Array:
    host = random_domain(ctx)
    www = pa.array(ctx.uniform("www") < 0.5)
    host = pc.if_else(www, pc.binary_join_element_wise("www", host, "."), host)
    path = pc.binary_join(word_lists(ctx, ctx.rows, 1, 3, "path", 16), "-")
    shape = ctx.integers(len(_URL_FORMATS), "shape")
    return render_choice(_URL_FORMATS, shape, {"host": host, "path": path})


# --------------------------------------------------------------------------- addresses


def _nibbles(word: np.ndarray, count: int) -> np.ndarray:
    """The top `count` hex digits of each uint64, as ASCII bytes (n × count)."""
    out = np.empty((len(word), count), dtype=np.uint8)
    for j in range(count):
        out[:, j] = HEX_DIGITS[((word >> np.uint64(60 - 4 * j)) & np.uint64(0xF)).astype(np.int64)]
    return out


@generator(
    "internet.ipv4",
    returns=STRING,
    family="internet",
    summary="Public-looking IPv4 address (dotted quad, first octet 1–223).",
    domain=2**32,
)
def ipv4(ctx: GenContext, p: Params) -> pa.Array:
    raw = ctx.stream("ip").raw(ctx.rows) >> np.uint64(32)
    octets = [((raw >> np.uint64(s)) & np.uint64(255)).astype(np.int64) for s in (24, 16, 8, 0)]
    octets[0] = 1 + octets[0] % 223  # avoid 0.x and multicast/reserved first octets
    parts = [pa.array(o).cast(pa.string()) for o in octets]
    return pc.binary_join_element_wise(*parts, ".")


@generator(
    "internet.ipv6",
    returns=STRING,
    family="internet",
    summary="Global unicast IPv6 address (2000::/3), eight full groups.",
    domain=2**125,
)
def ipv6(ctx: GenContext, p: Params) -> pa.Array:
    hi = ctx.stream("hi").raw(ctx.rows)
    lo = ctx.stream("lo").raw(ctx.rows)
    hi = (hi & np.uint64(0x1FFFFFFFFFFFFFFF)) | np.uint64(0x2000000000000000)
    digits = np.concatenate([_nibbles(hi, 16), _nibbles(lo, 16)], axis=1)
    out = np.full((ctx.n, 39), ord(":"), dtype=np.uint8)
    for g in range(8):
        out[:, g * 5 : g * 5 + 4] = digits[:, g * 4 : g * 4 + 4]
    return fixed_width(out)


@generator(
    "internet.mac",
    returns=STRING,
    family="internet",
    summary="MAC address, locally administered unicast (`02:1a:…`), colon-separated.",
    domain=2**46,
)
def mac(ctx: GenContext, p: Params) -> pa.Array:
    raw = ctx.stream("mac").raw(ctx.rows)
    raw = (raw & np.uint64(0xFCFFFFFFFFFFFFFF)) | np.uint64(0x0200000000000000)
    digits = _nibbles(raw, 12)
    out = np.full((ctx.n, 17), ord(":"), dtype=np.uint8)
    for g in range(6):
        out[:, g * 3 : g * 3 + 2] = digits[:, g * 2 : g * 2 + 2]
    return fixed_width(out)


# --------------------------------------------------------------------------- browsers

_CHROME = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome}.0.0.0"
_USER_AGENTS: list[tuple[str, float]] = [
    (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36", 30),
    (f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_CHROME} Safari/537.36", 10),
    (f"Mozilla/5.0 (X11; Linux x86_64) {_CHROME} Safari/537.36", 3),
    (f"Mozilla/5.0 (Linux; Android {{android}}; K) {_CHROME} Mobile Safari/537.36", 16),
    (f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36 Edg/{{chrome}}.0.0.0", 5),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{firefox}.0) Gecko/20100101 "
        "Firefox/{firefox}.0",
        6,
    ),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:{firefox}.0) Gecko/20100101 Firefox/{firefox}.0", 2),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/{safari}.{minor} Safari/605.1.15",
        8,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS {safari}_{minor} like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/{safari}.{minor} Mobile/15E148 Safari/604.1",
        20,
    ),
]
_UA_CDF = np.cumsum([w for _, w in _USER_AGENTS]) / sum(w for _, w in _USER_AGENTS)
_VERSIONS = {
    "chrome": range(120, 132),
    "firefox": range(115, 134),
    "safari": range(15, 19),
    "minor": range(0, 7),
    "android": range(10, 15),
}


@generator(
    "internet.user_agent",
    returns=STRING,
    family="internet",
    summary="Browser User-Agent header (Chrome, Edge, Firefox, Safari on desktop and mobile), "
    "weighted roughly by market share.",
)
def user_agent(ctx: GenContext, p: Params) -> pa.Array:
    shape = np.minimum(
        np.searchsorted(_UA_CDF, ctx.uniform("shape"), side="right"), len(_USER_AGENTS) - 1
    )
    values = {
        name: pick(pa.array([str(v) for v in versions]), ctx.uniform(name))
        for name, versions in _VERSIONS.items()
    }
    return render_choice([t for t, _ in _USER_AGENTS], shape, values)


_BCRYPT = np.frombuffer(
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", dtype=np.uint8
)


@generator(
    "internet.password_hash",
    returns=STRING,
    family="internet",
    summary="Placeholder shaped like a bcrypt hash (`$2b$12$` + 53 characters, 60 in all); "
    "it hashes no password and verifies none.",
)
def password_hash(ctx: GenContext, p: Params) -> pa.Array:
    out = np.empty((ctx.n, 60), dtype=np.uint8)
    out[:, :7] = np.frombuffer(b"$2b$12$", dtype=np.uint8)
    for w in range(6):
        raw = ctx.stream(f"bits{w}").raw(ctx.rows)
        for j in range(10):
            col = 7 + w * 10 + j
            if col >= 60:
                break
            out[:, col] = _BCRYPT[((raw >> np.uint64(6 * j)) & np.uint64(63)).astype(np.int64)]
    return fixed_width(out)


# --------------------------------------------------------------------------- HTTP

_METHODS = pa.array(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
_METHOD_WEIGHTS = np.array([60, 20, 7, 5, 5, 2, 1], dtype=np.float64)
_STATUS = pa.array([200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503])
_STATUS_WEIGHTS = np.array([70, 5, 3, 2, 3, 4, 2, 2, 1, 4, 0.5, 0.5, 0.5, 1.5, 0.5, 0.5])
_HTTP_CACHE: dict = {}


@generator(
    "internet.http_method",
    returns=STRING,
    family="internet",
    summary="HTTP request method, weighted like web traffic (mostly GET, then POST).",
    domain=len(_METHODS),
)
def http_method(ctx: GenContext, p: Params) -> pa.Array:
    return _alias_pick(_METHODS, _METHOD_WEIGHTS, ctx.uniform(), _HTTP_CACHE, "method")


@generator(
    "internet.http_status_code",
    returns=INT,
    family="internet",
    summary="HTTP response status code, weighted like web traffic (mostly 200).",
    domain=len(_STATUS),
)
def http_status_code(ctx: GenContext, p: Params) -> pa.Array:
    return _alias_pick(_STATUS, _STATUS_WEIGHTS, ctx.uniform(), _HTTP_CACHE, "status")
