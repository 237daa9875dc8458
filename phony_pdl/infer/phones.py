"""Which locale and form of `phone.number` writes numbers shaped like a sample's.

A number's shape keeps its punctuation and turns every digit into `9` (`(303) 555-0143` →
`(999) 999-9999`). Each bundled locale's generator is asked for a few hundred numbers in
each form (national, international and E.164); the (locale, form) whose shapes cover the most sample
values wins, if it covers most of them. Numbers in a house style no locale writes
(`+49-30-1234567`) match none, and the column is left to pattern induction, which keeps
the style.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

__all__ = ["MIN_SHARE", "phone_style"]

MIN_SHARE = 0.6  # of sample values whose shape the generator writes
_PROBE = 400  # numbers asked of each (locale, form)
_DIGIT = re.compile(r"[0-9]")


def shape(value: str) -> str:
    return _DIGIT.sub("9", value.strip())


@functools.cache
def _shapes(locale: str, form: str) -> frozenset[str]:
    from ..fake import Phony

    numbers = Phony(locale=locale, seed=0).generate("phone.number", n=_PROBE, format=form)
    return frozenset(shape(v) for v in numbers.to_pylist())


def phone_style(values: list[str]) -> tuple[str, str, float] | None:
    """(locale, "national", "international" or "e164", share of values matched), or None
    below MIN_SHARE."""
    from ..resources import known_locales

    shapes = Counter(shape(v) for v in values if v.strip())
    total = sum(shapes.values())
    if not total:
        return None
    best: tuple[float, str, str] | None = None
    for locale in sorted(known_locales()):
        for form in ("national", "international", "e164"):
            written = _shapes(locale, form)
            share = sum(c for s, c in shapes.items() if s in written) / total
            if best is None or share > best[0]:
                best = (share, locale, form)
    if best is None or best[0] < MIN_SHARE:
        return None
    return best[1], best[2], best[0]
