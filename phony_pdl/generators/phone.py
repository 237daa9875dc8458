"""phone.*: numbers drawn from the locale's own formats, valid for its numbering plan.

A format such as `030 ########` is a byte template: `#` is a random digit, every other
character is literal. Landline formats carry an area code; a row's landline number uses
one of its place's area codes when the data knows them (Berlin → 030, Denver → 303),
so the phone agrees with address.* in the same row. The E.164 form is `+`, the calling
code and the national digits without the trunk prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa

from ..types import STRING
from ._common import constant, fixed_width, random_digits, strings_from_matrix
from .address import address
from .context import GenContext
from .locale_data import LocalePack
from .registry import Params, generator

MOBILE_SHARE = 0.6  # of `kind: any` numbers, where the locale has mobile formats


@dataclass(frozen=True)
class Templates:
    """National formats as a padded byte matrix (`#` marks a random digit), and which
    columns the E.164 form keeps: every digit except a leading trunk prefix."""

    matrix: np.ndarray  # (formats, width) uint8
    length: np.ndarray  # (formats,)
    holes: np.ndarray  # columns where some format has a '#'
    e164_keep: np.ndarray  # (formats, width) bool
    e164_prefix: bytes  # b"+49"

    @classmethod
    def build(cls, formats: list[str], trunk: str, calling_code: str) -> Templates:
        width = max(len(f) for f in formats)
        matrix = np.zeros((len(formats), width), dtype=np.uint8)
        keep = np.zeros((len(formats), width), dtype=bool)
        for i, f in enumerate(formats):  # once per locale, over its formats
            raw = f.encode("ascii")
            matrix[i, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
            digit_cols = [j for j, c in enumerate(f) if c.isdigit() or c == "#"]
            if trunk and _digits_only(f).startswith(trunk):
                digit_cols = digit_cols[len(trunk) :]
            keep[i, digit_cols] = True
        length = np.array([len(f) for f in formats], dtype=np.int64)
        holes = np.flatnonzero((matrix == ord("#")).any(axis=0))
        return cls(matrix, length, holes, keep, f"+{calling_code}".encode())

    def fill(self, ctx: GenContext, index: np.ndarray, e164: bool) -> pa.Array:
        """Numbers in formats[index], every `#` a random digit; E.164 keeps the digits."""
        matrix = self.matrix[index]
        digits = random_digits(ctx, len(self.holes)) + np.uint8(48)
        part = matrix[:, self.holes]
        matrix[:, self.holes] = np.where(part == ord("#"), digits, part)
        if e164:
            n = len(index)
            head = np.frombuffer(self.e164_prefix, dtype=np.uint8)
            keep = self.e164_keep[index]
            lengths = len(head) + keep.sum(axis=1)
            data = np.concatenate([np.broadcast_to(head, (n, len(head))), matrix], axis=1)[
                np.concatenate([np.ones((n, len(head)), dtype=bool), keep], axis=1)
            ]
            offsets = np.zeros(n + 1, dtype=np.int32)
            np.cumsum(lengths, out=offsets[1:])
            return pa.StringArray.from_buffers(
                n, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())
            )
        if (self.length == self.length[0]).all():
            return fixed_width(matrix[:, : self.length[0]])
        return strings_from_matrix(matrix, self.length[index])


def international_format(fmt: str, trunk: str, calling_code: str) -> str:
    """The national format `fmt` as written abroad: `+`, the calling code, a space and the
    national number without its trunk prefix (`030 ########` → `+49 30 ########`,
    `(202) 2##-####` → `+1 (202) 2##-####`)."""
    if trunk and _digits_only(fmt).startswith(trunk):
        kept, dropped = [], 0
        for ch in fmt:  # the trunk's digits are the format's first digits
            if dropped < len(trunk) and ch.isdigit():
                dropped += 1
                continue
            kept.append(ch)
        fmt = "".join(kept).lstrip()
    return f"+{calling_code} {fmt}"


@dataclass(frozen=True)
class PhonePlan:
    templates: Templates
    international: Templates  # the same formats written abroad (+49 30 …)
    # per kind (0 mobile, 1 landline): CSR lists of format indices per place, with the
    # kind's whole list at the end for places without their own formats
    starts: tuple[np.ndarray, np.ndarray]
    counts: tuple[np.ndarray, np.ndarray]
    flat: tuple[np.ndarray, np.ndarray]
    has_mobile: bool
    calling_code: str


def _digits_only(fmt: str) -> str:
    return "".join(c for c in fmt if c.isdigit() or c == "#")


def _area_of(fmt: str, trunk: str, areas: list[str]) -> str | None:
    """The longest known area code that the format's fixed leading digits start with."""
    digits = _digits_only(fmt)
    if trunk and digits.startswith(trunk):
        digits = digits[len(trunk) :]
    fixed = digits.split("#")[0]
    best = None
    for a in areas:
        if fixed.startswith(a) and (best is None or len(a) > len(best)):
            best = a
    return best


def phone_plan(pack: LocalePack) -> PhonePlan:
    cached = pack._cache.get("phone:plan")
    if cached is not None:
        return cached
    phone = pack.data["phone"]
    trunk = phone.get("trunk_prefix", "")
    mobile = list(phone.get("mobile_formats") or [])
    landline = list(phone.get("landline_formats") or [])
    if not mobile and not landline:
        landline = list(phone["national_formats"])
    formats = mobile + landline
    areas = sorted(
        set(phone.get("area_codes") or [])
        | {a for p in pack.data["places"] for a in p.get("area_codes", [])}
    )
    area = [_area_of(f, trunk, areas) for f in formats]
    # Mobile numbers carry an area code only where every mobile format has one (Brazil).
    mobile_by_area = bool(mobile) and all(area[i] is not None for i in range(len(mobile)))
    kinds = [list(range(len(mobile))), list(range(len(mobile), len(formats)))]
    starts, counts, flats = [], [], []
    for k, members in enumerate(kinds):
        flat: list[int] = []
        start, count = [], []
        for place in pack.data["places"]:
            own = set(place.get("area_codes", []))
            by_area = k == 1 or mobile_by_area
            chosen = [i for i in members if by_area and area[i] in own]
            start.append(len(flat) if chosen else -1)
            count.append(len(chosen))
            flat += chosen
        fallback = len(flat)
        flat += members or [0]
        start = [s if s >= 0 else fallback for s in start]
        count = [c if c else max(len(members), 1) for c in count]
        starts.append(np.array(start, dtype=np.int64))
        counts.append(np.array(count, dtype=np.int64))
        flats.append(np.array(flat, dtype=np.int64))
    cc = phone["country_calling_code"]
    plan = PhonePlan(
        templates=Templates.build(formats, trunk, cc),
        international=Templates.build(
            [international_format(f, trunk, cc) for f in formats], "", cc
        ),
        starts=(starts[0], starts[1]),
        counts=(counts[0], counts[1]),
        flat=(flats[0], flats[1]),
        has_mobile=bool(mobile),
        calling_code=cc,
    )
    pack._cache["phone:plan"] = plan
    return plan


class PhoneParams(Params):
    format: Literal["national", "international", "e164"] = "national"
    kind: Literal["any", "mobile", "landline"] = "any"


@generator(
    "phone.number",
    params=PhoneParams,
    returns=STRING,
    family="phone",
    summary="Phone number valid for the locale's numbering plan, `national` "
    "(`030 12345678`, `(303) 555-0143`), `international` (`+49 30 12345678`, "
    "`+1 (303) 555-0143`: the calling code and the national form without its trunk "
    "prefix) or `e164` (`+493012345678`); landlines use an area code of the row's address "
    "place where the data has one.",
)
def number(ctx: GenContext, p: PhoneParams) -> pa.Array:
    plan = phone_plan(ctx.pack("address"))
    place = address(ctx)["place"]
    if p.kind == "mobile" and plan.has_mobile:
        landline = np.zeros(ctx.n, dtype=bool)
    elif p.kind == "landline" or not plan.has_mobile:
        landline = np.ones(ctx.n, dtype=bool)
    else:
        landline = ctx.uniform("kind") >= MOBILE_SHARE
    u = ctx.uniform("format")
    index = np.empty(ctx.n, dtype=np.int64)
    for k, rows in ((0, ~landline), (1, landline)):
        if not rows.any():
            continue
        where = place[rows]
        start, count = plan.starts[k][where], plan.counts[k][where]
        offset = np.minimum((u[rows] * count).astype(np.int64), count - 1)
        index[rows] = plan.flat[k][start + offset]
    templates = plan.international if p.format == "international" else plan.templates
    return templates.fill(ctx, index, p.format == "e164")


@generator(
    "phone.calling_code",
    returns=STRING,
    family="phone",
    summary="The country's international calling code with `+` (`+49`).",
    domain=1,
)
def calling_code(ctx: GenContext, p: Params) -> pa.Array:
    return constant("+" + phone_plan(ctx.pack("address")).calling_code, ctx.n)
