"""Text columns that are other text columns joined: `name = city + " " + mascot`.

A column equal, on every row, to one column, a short separator and another column
(`full_name` from `first_name` and `last_name`, `label` from `code` and `title`) is
written as `template: "{a} {b}"`, so generated rows keep the parts and the whole in
agreement. Candidates are screened on the first rows, then checked on all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Joined", "joined_columns"]

SCREEN_ROWS = 200
MAX_SEPARATOR = 3  # characters between the parts
MAX_COLUMNS = 40  # text columns looked at (pairs grow with the square)


@dataclass(frozen=True)
class Joined:
    target: str
    left: str
    separator: str
    right: str

    def template(self) -> str:
        sep = self.separator.replace("{", "{{").replace("}", "}}")
        return "{" + self.left + "}" + sep + "{" + self.right + "}"


def _separator(whole: str, left: str, right: str) -> str | None:
    if len(whole) < len(left) + len(right) or not (
        whole.startswith(left) and whole.endswith(right)
    ):
        return None
    sep = whole[len(left) : len(whole) - len(right)]
    return sep if len(sep) <= MAX_SEPARATOR else None


def _holds(whole: list[str], left: list[str], right: list[str], rows: int) -> str | None:
    """The separator joining left and right into whole on the first `rows` rows, if one does."""
    sep = None
    for w, a, b in zip(whole[:rows], left[:rows], right[:rows], strict=False):
        found = _separator(w, a, b)
        if found is None or (sep is not None and found != sep):
            return None
        sep = found
    return sep


def _joins_everywhere(whole: list[str], left: list[str], right: list[str], sep: str) -> bool:
    """whole == left + sep + right on every row (one vectorized join and compare)."""
    joined = pc.binary_join_element_wise(pa.array(left), pa.array(right), sep)
    return bool(pc.all(pc.equal(joined, pa.array(whole))).as_py())


def joined_columns(columns: dict[str, list[str]], targets: set[str]) -> list[Joined]:
    """Every target equal to left + separator + right on all rows (columns without NULLs,
    one list of values each, aligned by row); one decomposition per target."""
    names = list(columns)[:MAX_COLUMNS]
    found: list[Joined] = []
    used_as_target: set[str] = set()
    for t in names:
        if t not in targets:
            continue
        whole = columns[t]
        for a in names:
            if a == t or a in used_as_target:
                continue
            for b in names:
                if b in (a, t) or b in used_as_target:
                    continue
                sep = _holds(whole, columns[a], columns[b], SCREEN_ROWS)
                if sep is None or (sep == "" and _trivial(columns[a], columns[b])):
                    continue
                if _joins_everywhere(whole, columns[a], columns[b], sep):
                    found.append(Joined(t, a, sep, b))
                    used_as_target.add(t)
                    break
            if t in used_as_target:
                break
    return found


def _trivial(left: list[str], right: list[str]) -> bool:
    """Parts that are empty on most rows explain any text; they do not make a template."""
    empty = sum(1 for a, b in zip(left, right, strict=False) if not a or not b)
    return empty > len(left) // 2
