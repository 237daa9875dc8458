"""Composite unique constraints over small finite domains, drawn jointly.

Redrawing the last member of `unique: [[firm, year]]` cannot succeed when the rows take
most of the combinations (10 firms × 20 years for 200 rows: every combination exactly
once). When the members of a constraint are fields with a finite set of values (`choice`,
type alone `int`, `date`, `decimal` or `bool`, not in a copula, no NULLs) and the rows
take at least half of their combinations, or enough that one combination of the others
could crowd the last member's values (`_redraw_may_stall`), row *i* takes combination
*π(i)* of a keyed permutation instead, written in mixed radix over the members: distinct by construction,
no retries, any row computable alone. When the constraint includes the per-parent
foreign key, the permutation is taken per parent over the child's position in its
parent (readings of one device on distinct days). `choice` weights are not used there:
at that density the combinations are a sample without replacement, uniform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import GenerationError
from ..generators.unique import permute_below
from ..rng import derive_key

if TYPE_CHECKING:
    from .columns import Batch, Columns

__all__ = ["DENSITY", "DenseGroup", "dense_groups", "dense_index"]

DENSITY = 0.5  # rows per combination from which a constraint is drawn jointly


@dataclass(frozen=True)
class DenseGroup:
    constraint: tuple[str, ...]  # as declared (may include the per-parent foreign key)
    members: tuple[str, ...]  # the fields drawn jointly
    sizes: tuple[int, ...]  # their numbers of possible values
    per_parent: bool

    @property
    def total(self) -> int:
        return math.prod(self.sizes)


def _constraints(columns: Columns, entity: str) -> list[tuple[str, ...]]:
    spec = columns.doc.entities[entity]
    groups = [tuple(g) for g in spec.unique if not isinstance(g, str) and len(g) > 1]
    if isinstance(spec.primary_key, list) and len(spec.primary_key) > 1:
        groups.append(tuple(spec.primary_key))
    return list(dict.fromkeys(groups))


def _finite_size(columns: Columns, entity: str, name: str) -> int | None:
    """How many values the field can take, if it is drawn from a finite set by index."""
    f = columns.doc.entities[entity].fields[name]
    if f.null_rate or columns.in_copula(entity, name):
        return None
    if f.source == "choice":
        return len(f.choice) if f.choice else None
    if f.source != "type":
        return None
    dtype = columns.plan.dtype(entity, name)
    if dtype is None:
        return None
    if dtype.kind == "bool":
        return 2
    if dtype.kind in ("int", "date", "decimal"):
        lo, hi = columns.bounds_units(f, dtype)
        return max(0, int(hi) - int(lo) + 1)
    return None


def _largest_share(columns: Columns, entity: str, name: str, size: int) -> float:
    """The largest probability one value of the field has (its heaviest `choice` weight)."""
    f = columns.doc.entities[entity].fields[name]
    if f.source == "choice" and isinstance(f.choice, dict):
        weights = [float(w) for w in f.choice.values()]
        return max(weights) / sum(weights)
    return 1.0 / size


def _redraw_may_stall(
    columns: Columns, entity: str, members: tuple[str, ...], sizes: list[int], needed: int
) -> bool:
    """Redrawing the last member needs room in every combination of the others: true
    unless the busiest combination's expected rows (Poisson, plus four standard
    deviations) stay within DENSITY of the last member's values."""
    busiest = needed * math.prod(
        _largest_share(columns, entity, m, s) for m, s in zip(members[:-1], sizes[:-1], strict=True)
    )
    return busiest + 4 * math.sqrt(busiest) + 1 > DENSITY * sizes[-1]


def dense_groups(columns: Columns, entity: str) -> dict[str, DenseGroup]:
    """Field → its jointly drawn constraint (fields of no such constraint are absent)."""
    plan = columns.plan
    fk = plan.expansion_fk(entity)
    layout = plan.layout(entity) if fk is not None else None
    out: dict[str, DenseGroup] = {}
    for constraint in _constraints(columns, entity):
        per_parent = fk in constraint and layout is not None
        members = tuple(g for g in constraint if not (per_parent and g == fk))
        if not members or any(m in out for m in members):
            continue
        sizes = [_finite_size(columns, entity, m) for m in members]
        if any(s is None or s == 0 for s in sizes):
            continue
        total = math.prod(sizes)
        if total > 2**62:
            continue
        if per_parent:
            parent = columns.doc.entities[entity].fields[fk].ref.split(".")[0]
            parents = plan.count(parent)
            needed = int(layout.size(np.arange(parents)).max()) if parents else 0
        elif len(members) > 1:
            needed = plan.count(entity)
        else:
            continue
        if needed < DENSITY * total and not _redraw_may_stall(
            columns, entity, members, sizes, needed
        ):
            continue
        group = DenseGroup(constraint, members, tuple(sizes), per_parent)
        for m in members:
            out[m] = group
    return out


def dense_index(columns: Columns, batch: Batch, name: str) -> np.ndarray | None:
    """The index of this field's value for the rows, when it is drawn jointly; else None."""
    group = columns.plan_cache(
        ("dense-unique", batch.entity), lambda: dense_groups(columns, batch.entity)
    ).get(name)
    if group is None:
        return None
    key = derive_key(columns.seed, batch.entity, "#dense", *group.constraint)
    rows = batch.rows
    if group.per_parent:
        layout = columns.plan.layout(batch.entity)
        parents = layout.parent_of(rows)
        position = layout.position_in_parent(rows, parents)
        if len(position) and int(position.max()) >= group.total:
            label = "(" + ", ".join(group.constraint) + ")"
            raise GenerationError(
                f"{batch.entity}.{label}: a parent has more than the {group.total:,} children "
                f"its other fields have combinations for; widen their domain or lower the count"
            )
        code = permute_below(position, group.total, key, groups=parents)
    else:
        total = columns.plan.count(batch.entity)
        if total > group.total:  # validation checks count: 1; --scale may exceed the domain
            label = "(" + ", ".join(group.constraint) + ")"
            raise GenerationError(
                f"{batch.entity}.{label} must be unique over {total:,} rows, but only "
                f"{group.total:,} combinations exist (at scale {columns.plan.scale:g}); lower "
                "--scale or the count, widen the fields' domains, or drop `unique`"
            )
        code = permute_below(rows, group.total, key)
    for member, size in zip(reversed(group.members), reversed(group.sizes), strict=True):
        digit = code % size
        code = code // size
        if member == name:
            return digit
    raise AssertionError(name)  # every member of the group is one of its digits
