"""internet.*: addresses derived from the row's person (so emails match names) and
network identifiers built from random bits."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import field_validator, model_validator

from ..rng import derive_key, mix
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
from .person import PersonData, person, person_data
from .registry import Params, generator
from .unique import occurrence_rank, rank_numbers, unique_suffix

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
_DIGIT_SHARE = 0.4  # addresses with a number after the names
_TAILS = pa.array(["", *(str(i) for i in range(100))], type=pa.string())


def _head_tail(ctx: GenContext) -> tuple[np.ndarray, np.ndarray]:
    """Each row's style head (with its separator) and tail, as positions in PersonData's
    heads and tails."""
    rec = person(ctx)
    data = person_data(load_pack(ctx.person_locale, "person"))
    first, last = rec["first_index"], rec["last_index"]
    style = ctx.integers(_STYLES, "style")
    flip = _TAIL_IS_FIRST[style]
    head = style * len(data.first_ascii) + np.where(flip, last, first)
    tail = np.where(flip, len(data.last_ascii) + first, last)
    return head, tail


def local_part(ctx: GenContext, prepared: UniqueLocal | None = None) -> list[pa.Array]:
    """ASCII local part from the row's person (Müller → mueller), maybe with digits,
    as pieces to join (one join for the whole address is cheaper than two).

    Unique, with the entity's `prepared` ranks: the rows' own heads and tails, and a number
    only where an earlier row has the same address (see prepare_unique)."""
    data = person_data(load_pack(ctx.person_locale, "person"))
    if ctx.unique and prepared is not None and not ctx.attempt:
        head = prepared.head[ctx.rows]
        tail = prepared.tail[ctx.rows]
        domain = None if prepared.domain is None else prepared.domain[ctx.rows]
        number = prepared.number_text(ctx.rows, head, tail, domain)
        return [take(data.heads, head), take(data.tails, tail), number]
    head, tail = _head_tail(ctx)
    parts = [take(data.heads, head), take(data.tails, tail)]
    if ctx.unique:
        suffix = unique_suffix(ctx)
        if prepared is not None:  # a redraw: "0" and a code, a shape no rank takes ("0"+"17")
            suffix = pc.binary_join_element_wise("0", suffix, "")
        parts.append(suffix)
    else:
        digits = np.where(
            ctx.uniform("has_digits") < _DIGIT_SHARE, 1 + ctx.integers(100, "digits"), 0
        )
        parts.append(take(_TAILS, digits))
    return parts


@dataclass(frozen=True)
class _LocalKeys:
    """Codes under which two (head, tail) pairs of a locale spell the same local part."""

    head: np.ndarray  # code of each entry of PersonData.heads (equal strings, equal codes)
    tail: np.ndarray  # code of each entry of PersonData.tails
    tails: int  # tail codes in all
    ambiguous_head: np.ndarray  # per head code: in a pair spelt like another pair
    ambiguous: np.ndarray  # sorted pair codes (head · tails + tail) spelt like another …
    canonical: np.ndarray  # … and the pair code standing for all spellings of that string


def _local_keys(data: PersonData) -> _LocalKeys | None:
    """Pair codes of a locale's heads and tails (once per locale, over its vocabulary), or
    None when a name holds a digit (a name's digits could then read as another row's
    number, and the by-construction suffix stays).

    Equal strings get equal codes (José and Jose both read "jose"; "j." is the head of every
    J name in f.last). Two different pairs spell one string only if one head is a prefix
    of the other (h1 + s = h2) and the first tail starts with s (t1 = s + t2), as "ann" +
    "amarie" and "anna" + "marie" do in firstlast: every such pair is found from the heads'
    prefixes and the tails' prefixes and mapped to one code per string."""
    heads, tails = data.heads.to_pylist(), data.tails.to_pylist()
    if any(ch.isdigit() for word in (*heads, *tails) for ch in word):
        return None
    head_ids: dict[str, int] = {}
    tail_ids: dict[str, int] = {}
    head = np.array([head_ids.setdefault(h, len(head_ids)) for h in heads], dtype=np.int64)
    tail = np.array([tail_ids.setdefault(t, len(tail_ids)) for t in tails], dtype=np.int64)
    size = len(tail_ids)
    extensions: dict[str, list[tuple[str, str]]] = {}  # s → (h1, h2) with h1 + s == h2
    for h2 in head_ids:  # vocabulary, not rows
        for k in range(1, len(h2)):
            if h2[:k] in head_ids:
                extensions.setdefault(h2[k:], []).append((h2[:k], h2))
    spellings: dict[str, set[int]] = {}
    for t1 in tail_ids:
        for k in range(1, len(t1)):
            s, t2 = t1[:k], t1[k:]
            if s in extensions and t2 in tail_ids:
                for h1, h2 in extensions[s]:
                    both = spellings.setdefault(h1 + t1, set())
                    both.add(head_ids[h1] * size + tail_ids[t1])
                    both.add(head_ids[h2] * size + tail_ids[t2])
    pairs = sorted((p, min(codes)) for codes in spellings.values() for p in codes)
    ambiguous = np.array([p for p, _ in pairs], dtype=np.int64)
    ambiguous_head = np.zeros(len(head_ids), dtype=bool)
    ambiguous_head[ambiguous // size] = True
    return _LocalKeys(
        head, tail, size, ambiguous_head, ambiguous, np.array([c for _, c in pairs], np.int64)
    )


@dataclass(frozen=True)
class UniqueLocal:
    """A unique email or user name field's whole entity, made once per run: each row's
    head, tail, free-mail domain (when the address has one) and rank, so every block,
    worker and lookup reads the same. `records`: the person record's name positions drawn
    on the way, by record key (the blocks take them instead of drawing them again)."""

    keys: _LocalKeys
    head: np.ndarray
    tail: np.ndarray
    domain: np.ndarray | None
    domain_codes: np.ndarray | None  # a code per free-mail domain (equal domains, equal code)
    rank: np.ndarray
    shows: int  # a first row shows its number when its key's hash bits 48–63 are below this
    salt: int
    records: dict

    def key(self, head: np.ndarray, tail: np.ndarray, domain: np.ndarray | None) -> np.ndarray:
        """The int key of rows with these heads, tails and domains: equal exactly when the
        rows spell the same address before their numbers."""
        keys = self.keys
        head_code = keys.head[head]
        pair = head_code * keys.tails + keys.tail[tail]
        if len(keys.ambiguous):  # spellings shared by several pairs take one code
            rows = np.flatnonzero(keys.ambiguous_head[head_code])
            some = pair[rows]
            at = np.minimum(np.searchsorted(keys.ambiguous, some), len(keys.ambiguous) - 1)
            hit = keys.ambiguous[at] == some
            pair[rows[hit]] = keys.canonical[at[hit]]
        if domain is not None:
            pair *= len(self.domain_codes)
            pair += self.domain_codes[domain]
        return pair

    def numbers(
        self, rows: np.ndarray, head: np.ndarray, tail: np.ndarray, domain: np.ndarray | None
    ) -> np.ndarray:
        """The rows' numbers (-1 for none). Bits 0–33 of a key's hash set its numbers
        (rank_numbers), bits 48–63 whether its first row shows one."""
        hashed = mix(self.salt, self.key(head, tail, domain).astype(np.uint64))
        rank = self.rank[rows].astype(np.int64)
        numbered = np.flatnonzero((rank > 0) | ((hashed >> np.uint64(48)) < self.shows))
        number = np.full(len(rows), -1, dtype=np.int64)
        number[numbered] = rank_numbers(hashed[numbered], rank[numbered])
        return number

    def number_text(
        self, rows: np.ndarray, head: np.ndarray, tail: np.ndarray, domain: np.ndarray | None
    ) -> pa.Array:
        """The rows' numbers as text ("" for none)."""
        return _with_long_numbers(self.numbers(rows, head, tail, domain), _TAILS, 1, None)


def _with_long_numbers(
    number: np.ndarray, table: pa.Array, width: int, after: tuple[pa.Array, np.ndarray] | None
) -> pa.Array:
    """Each row's number (-1: none) as text from `table`, whose entry (number + 1) · width
    + k holds numbers below 100 (k: the row's position in `after`'s values, which follow
    the number); numbers from 100 on are spelt out (rare: the 100th repeat of a spelling)."""
    short = number < 100
    code = np.where(short, number + 1, 0) * width  # -1 → "" (+ its suffix)
    if after is not None:
        code += after[1]
    text = take(table, code)
    if not short.all():
        long = pa.array(number[~short]).cast(pa.string())
        if after is not None:
            long = pc.binary_join_element_wise(long, take(after[0], after[1][~short]), "")
        text = pc.replace_with_mask(text, pa.array(~short), long)
    return text


# The repeats among this many first rows set how often a first row shows a number (at most
# the engine's PREPARED_PREFIX)
SHARE_ROWS = 1 << 20
# The whole-entity draws go a block of rows at a time: small arrays stay in the allocator's
# reach (a million-row temporary costs its page faults each time)
_PREPARE_ROWS = 1 << 16


def in_slices(work: Callable[[int, int], None], n: int) -> None:
    """work(lo, hi) over consecutive slices of 0 … n - 1, on two threads when there are
    cores for them: each slice writes its own part of the output arrays, so the result is
    the same whatever runs where (numpy lets go of the GIL inside its loops). Both threads
    are done before this returns (no thread outlives it to meet a fork)."""
    slices = [(lo, min(lo + _PREPARE_ROWS, n)) for lo in range(0, n, _PREPARE_ROWS)]
    if len(slices) < 4 or (os.cpu_count() or 1) < 2:
        for lo, hi in slices:
            work(lo, hi)
        return
    with ThreadPoolExecutor(2, thread_name_prefix="phony-prepare") as pool:
        for done in [pool.submit(work, lo, hi) for lo, hi in slices]:
            done.result()


def _narrow(size: int) -> type:
    """The narrowest unsigned type holding 0 … size - 1."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if size - 1 <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def prepare_unique(ctx: GenContext, with_domain: bool) -> UniqueLocal | None:
    """The numbers that make a unique email or user name unique, for the whole entity
    (`ctx.rows` are its rows 0 … n - 1, or its first rows: a row's rank only depends on
    the rows before it).

    Two rows can only clash when they have the same head, tail and (`with_domain`) free-mail
    domain: each row's pair code and domain make an int key, and its rank among earlier
    rows with that key decides its number. The first row of a key keeps the natural look
    (no number, or a number below 100, as without `unique`); later rows take numbers
    injective in the rank (rank_numbers), so no two rows of a key agree and rows of
    different keys differ before their digits (names hold none). Emails at `domain`, a
    company's domain or `domain_from` leave the domain out: the local part is then unique
    on its own, stricter but right whatever the domain. None when the locale's names hold
    digits (the by-construction suffix stays)."""
    data = person_data(load_pack(ctx.person_locale, "person"))
    keys = _local_keys_of(ctx.person_locale, data)
    if keys is None:
        return None
    n = len(ctx.rows)
    first = np.empty(n, dtype=_narrow(len(data.first)))
    last = np.empty(n, dtype=_narrow(len(data.last)))
    head = np.empty(n, dtype=_narrow(len(data.heads)))
    tail = np.empty(n, dtype=_narrow(len(data.tails)))
    key = np.empty(n, dtype=np.int64)
    domain = codes = None
    if with_domain:
        _, codes, _ = free_domain_codes(ctx.sub(ctx.rows[:0]))
        domain = np.empty(n, dtype=_narrow(len(codes)))
    salt = derive_key(ctx.seed, ctx.entity, ctx.field, "number")
    record_key = ctx.record_key("person", ctx.person_locale)
    records = {record_key: {"first_index": first, "last_index": last}}
    out = UniqueLocal(keys, head, tail, domain, codes, key, 0, salt, records)

    def draw(lo: int, hi: int) -> None:
        part = ctx.sub(ctx.rows[lo:hi])
        record = person(part)
        first[lo:hi] = record["first_index"]
        last[lo:hi] = record["last_index"]
        h, t = _head_tail(part)
        head[lo:hi], tail[lo:hi] = h, t
        d = None
        if domain is not None:
            d = domain[lo:hi] = free_domain_index(part)
        key[lo:hi] = out.key(h, t, d)

    in_slices(draw, n)
    rank = occurrence_rank(key, overwrite=True)
    # A first row shows a number as often as it takes for four values in ten to carry
    # digits, as without `unique` (never when the repeats alone pass that share). The
    # share is read off the first SHARE_ROWS rows, so a preview's prefix (the engine's
    # PREPARED_PREFIX rows) gives the whole entity's values.
    sample = min(n, SHARE_ROWS)
    repeats = float(np.count_nonzero(rank[:sample])) / sample if sample else 0.0
    shows = int(65536 * max(0.0, (_DIGIT_SHARE - repeats) / (1.0 - repeats))) if repeats < 1 else 0
    return dataclasses.replace(out, rank=_narrow_copy(rank), shows=shows)


def _narrow_copy(values: np.ndarray) -> np.ndarray:
    top = int(values.max()) if len(values) else 0
    return values.astype(_narrow(top + 1))


def _local_keys_of(locale: str, data: PersonData) -> _LocalKeys | None:
    pack = load_pack(locale, "person")
    if "internet:local-keys" not in pack._cache:
        pack._cache["internet:local-keys"] = _local_keys(data)
    return pack._cache["internet:local-keys"]


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


def _free_domains(ctx: GenContext) -> tuple[pa.Array, np.ndarray]:
    pack = ctx.pack("internet")
    if "internet:free" not in pack._cache:
        values, weights = weights_of(pack.data["free_email_domains"])
        pack._cache["internet:free"] = (pc.binary_join_element_wise("@", values, ""), weights)
    return pack._cache["internet:free"]


def free_domain_index(ctx: GenContext) -> np.ndarray:
    """Each row's position in the locale's free-mail domains (repeated entries weigh more)."""
    _, weights = _free_domains(ctx)
    cache = ctx.pack("internet")._cache
    if "internet:free#alias" not in cache:
        cache["internet:free#alias"] = alias_table(weights)
    probability, alias = cache["internet:free#alias"]
    k = len(probability)
    s = ctx.uniform("domain") * k
    column = np.minimum(s.astype(np.int64), k - 1)
    return np.where((s - column) < probability[column], column, alias[column])


def free_domain_codes(ctx: GenContext) -> tuple[np.ndarray, np.ndarray, int]:
    """(each row's domain position, a code per position that equal domains share, codes)."""
    values, _ = _free_domains(ctx)
    codes = pc.dictionary_encode(values).indices.to_numpy().astype(np.int64)
    return free_domain_index(ctx), codes, int(codes.max()) + 1


def free_domain(ctx: GenContext, prepared: UniqueLocal | None = None) -> pa.Array:
    """`@` and a free-mail domain of the locale (repeated entries weigh more)."""
    values, _ = _free_domains(ctx)
    if prepared is not None and prepared.domain is not None and not ctx.attempt:
        return take(values, prepared.domain[ctx.rows])
    return take(values, free_domain_index(ctx))


@generator(
    "internet.email",
    params=EmailParams,
    returns=STRING,
    family="internet",
    summary="Email of the row's person in ASCII (Müller → mueller) at a free-mail domain of "
    "the locale, at `domain`, (`kind: company`) at the row's company.domain, or at the domain "
    "another field holds (`domain_from: org_id.domain`, through a foreign key); unique on "
    "request.",
    prepare=lambda ctx, p: prepare_unique(ctx, not (p.domain or p.domain_from or p.kind != "free")),
)
def email(ctx: GenContext, p: EmailParams) -> pa.Array:
    prepared = ctx.prepared
    if p.domain:
        at_domain = "@" + p.domain
    elif p.kind == "company":
        at_domain = pc.binary_join_element_wise("@", company(ctx)["domain"], "")
    elif p.domain_from:
        at_domain = domain_of_field(ctx, p.domain_from)
    elif ctx.unique and prepared is not None and prepared.domain is not None and not ctx.attempt:
        # head, tail, then the number and `@domain` as one piece from a table of both
        # (one join of three pieces costs a third less than of four)
        data = person_data(load_pack(ctx.person_locale, "person"))
        head, tail = prepared.head[ctx.rows], prepared.tail[ctx.rows]
        domain = prepared.domain[ctx.rows].astype(np.int64)
        number = prepared.numbers(ctx.rows, head, tail, domain)
        values, _ = _free_domains(ctx)
        suffix = _with_long_numbers(number, _number_domains(ctx), len(values), (values, domain))
        return pc.binary_join_element_wise(
            take(data.heads, head), take(data.tails, tail), suffix, ""
        )
    else:
        at_domain = free_domain(ctx, prepared)
    return pc.binary_join_element_wise(*local_part(ctx, prepared), at_domain, "")


def _number_domains(ctx: GenContext) -> pa.Array:
    """Every number text of _TAILS followed by every free-mail domain of the locale,
    at (number + 1) · domains + domain."""
    pack = ctx.pack("internet")
    if "internet:free#numbered" not in pack._cache:
        values, _ = _free_domains(ctx)
        k = len(values)
        numbers = _TAILS.take(pa.array(np.repeat(np.arange(len(_TAILS)), k)))
        domains = values.take(pa.array(np.tile(np.arange(k), len(_TAILS))))
        pack._cache["internet:free#numbered"] = pc.binary_join_element_wise(numbers, domains, "")
    return pack._cache["internet:free#numbered"]


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
    prepare=lambda ctx, p: prepare_unique(ctx, False),
)
def username(ctx: GenContext, p: Params) -> pa.Array:
    return pc.binary_join_element_wise(*local_part(ctx, ctx.prepared), "")


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
