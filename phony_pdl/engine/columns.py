"""Column evaluation: any field of any entity, for any array of row indices.

A value is a pure function of (seed, entity, field, row), so a block, a single
row looked up through a foreign key, or a row on another worker all get the
same answer. One method per PDL source; modifiers are applied afterwards.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError
from sqlglot import exp

from .. import expr as expr_mod
from ..blas_threads import one_blas_thread
from ..errors import GenerationError
from ..generators import registry
from ..generators._common import as_codes
from ..generators.context import GenContext
from ..generators.locale_data import alias_table
from ..generators.unique import permute_below
from ..model import FieldSpec, ZipfPick, column_name
from ..nullness import null_source
from ..number_format import format_numbers, parse_number_format
from ..pattern import domain_size as pattern_domain
from ..pattern import fixed_positions, generate_unique, parse_pattern
from ..pattern import generate as pattern_generate
from ..rng import Stream, derive_key
from ..template import parse_template
from ..types import DataType, parse_type
from . import sampling
from .arrow import (
    TYPE_LIMITS,
    arrow_type,
    decimal_from_unscaled,
    drawn_bounds,
    drawn_step,
    from_units,
    literal_array,
    parse_datetime,
    to_numpy_units,
)
from .copula_calibration import choice_copula_order, copula_cholesky
from .dense_unique import dense_index
from .evaluate import evaluate
from .plan import Plan

MAX_UNIQUE_ATTEMPTS = 12
# Generators whose values are distinct per row when the field asks for `unique`.
UNIQUE_GENERATORS = {"internet.email", "internet.username", "id.uuid4"}
# A generator's whole-entity `prepare` for rows below this (a preview's first rows) covers
# only this many rows, not the whole entity
PREPARED_PREFIX = 1 << 20


class Batch:
    """Rows of one entity being evaluated, with the columns computed so far."""

    __slots__ = (
        "attempt",
        "cache",
        "codes",
        "entity",
        "parent_index",
        "records",
        "rows",
        "scratch",
        "whole",
    )

    def __init__(
        self,
        entity: str,
        rows: np.ndarray,
        attempt: dict[str, int] | None = None,
        *,
        codes: bool = False,
    ) -> None:
        self.entity = entity
        self.rows = rows.astype(np.int64, copy=False)
        self.cache: dict[str, pa.Array] = {}
        self.parent_index: dict[str, np.ndarray] = {}
        self.records: dict = {}
        self.scratch: dict[str, np.ndarray] = {}  # intermediate arrays shared by fields
        self.attempt = attempt or {}
        # For a table of codes (Parquet): fields whose values are codes into a small list
        # (dictionary arrays), kept as such for the writer; None: every field decoded
        self.codes: dict[str, pa.Array] | None = {} if codes else None
        # every field of these rows is being made (a table): a field may compute at once
        # what its siblings will read (a timeline's states and times come from one walk)
        self.whole = False


def round_floats(values: pa.Array, digits: int) -> pa.Array:
    """Floats rounded to `digits` decimal places (halves to even), each the double nearest
    its decimal value: 744.3, where Arrow's round gives 744.3000000000001 (it multiplies by
    0.1 instead of dividing by 10). Values too large to have such places stay as they are."""
    x = values.to_numpy(zero_copy_only=False)
    scale = 10.0**digits  # exact for the 0..18 places `round` allows
    with np.errstate(all="ignore"):
        scaled = x * scale
        out = np.rint(scaled) / scale
    keep = ~(np.abs(scaled) < 2.0**52)  # already whole at that place, inf or NaN
    out = np.where(keep, x, out)
    return pa.array(out, type=values.type, mask=values.is_null().to_numpy(zero_copy_only=False))


def _within_rounded_bounds(values: pa.Array, f: FieldSpec) -> pa.Array:
    """Rounding a value drawn inside [min, max] may step outside (0.012 → 0.0 under
    `min: 0.01, round: 1`): such values go to the nearest rounded value inside."""
    lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
    scale = 10.0**f.round  # divide by it: 3 / 10 is 0.3, where 3 * 0.1 is 0.30000000000000004
    if isinstance(lo, int | float) and not isinstance(lo, bool):
        values = pc.max_element_wise(values, pa.scalar(math.ceil(lo * scale - 1e-9) / scale))
    if isinstance(hi, int | float) and not isinstance(hi, bool):
        values = pc.min_element_wise(values, pa.scalar(math.floor(hi * scale + 1e-9) / scale))
    return values


def _wide_integers(stream, rows: np.ndarray, lo: int, span: int, u: np.ndarray | None):
    """Integers in [lo, lo + span) for spans beyond int64 arithmetic (up to every int64):
    64 random bits reduced modulo the span in uint64, shifted by lo with wrap-around."""
    if u is not None:  # a copula's uniform: the same inverse CDF, in unsigned arithmetic
        raw = np.minimum((u * float(span)).astype(np.float64), float(span) - 1).astype(np.uint64)
    else:
        raw = stream.raw(rows)
        if span < 2**64:
            raw = raw % np.uint64(span)
    with np.errstate(over="ignore"):
        return (raw + np.uint64(lo % 2**64)).view(np.int64)


def whole_numbers(values: np.ndarray, what: str) -> np.ndarray:
    """Draws → int64, or a GenerationError where a draw is no number an int column holds
    (a Poisson of mean 1e300 would otherwise wrap round to -9223372036854775808)."""
    rounded = np.rint(values)
    ok = np.abs(rounded) < 2.0**63
    if not ok.all():
        bad = float(rounded[np.flatnonzero(~ok)[0]])
        raise GenerationError(
            f"a {what} draw of {bad:g} is no 64-bit integer; narrow its parameters or set `max`"
        )
    return rounded.astype(np.int64)


def _choice_list(f: FieldSpec, dtype: DataType) -> tuple[list[Any], np.ndarray, pa.Array]:
    """A choice's labels, their weights, and the labels as an Arrow array of the field's type."""
    values = list(f.choice)
    if isinstance(f.choice, dict):
        weights = np.array(list(f.choice.values()), dtype=np.float64)
    else:
        weights = np.ones(len(values))
    return values, weights, literal_array(values, dtype)


def _copula_walk(values: list[Any], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, cumulative weights in that order) in which a copula's uniform walks a
    choice (once per plan: the order reads every label in Python)."""
    order, _ = choice_copula_order(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    cumulative[-1] = 1.0
    return order, cumulative


def decode(values: pa.Array) -> pa.Array:
    """A dictionary array's values, row by row."""
    return values.dictionary.take(values.indices)


def _keeps_codes(f: FieldSpec, value_type: pa.DataType, dtype: DataType | None) -> bool:
    """Whether a field's values stay codes into their list: nothing the modifiers do
    (NULLs, rounding, bounds, formats, a cast to another type) applies to it."""
    return (
        not f.null_rate
        and f.round is None
        and f.format is None
        and f.min is None
        and f.max is None
        and f.between is None
        and (dtype is None or arrow_type(dtype) == value_type)
    )


class Columns:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.doc = plan.doc
        self.seed = plan.seed

    # ------------------------------------------------------------ entry points

    def get(self, batch: Batch, name: str) -> pa.Array:
        cached = batch.cache.get(name)
        if cached is not None:
            return cached
        key = (batch.entity, name)
        if batch.codes is not None and (name in batch.codes or key not in self.plan.materialized):
            values = self.output(batch, name)
            if pa.types.is_dictionary(values.type):
                values = decode(values)
        elif key in self.plan.materialized and not batch.attempt:
            values = self.plan.materialized[key].take(pa.array(batch.rows))
            if self.doc.entities[batch.entity].fields[name].ref is not None:
                self.parent_indices(batch, name)
        else:
            values = self.compute(batch, name)
        batch.cache[name] = values
        return values

    def output(self, batch: Batch, name: str) -> pa.Array:
        """A field as written: codes (a dictionary array) where the field kept them."""
        assert batch.codes is not None
        if name in batch.codes:
            return batch.codes[name]
        cached = batch.cache.get(name)
        if cached is not None:
            return cached
        if (batch.entity, name) in self.plan.materialized:
            return self.get(batch, name)
        values = self.compute(batch, name)
        if pa.types.is_dictionary(values.type):
            batch.codes[name] = values
        else:
            batch.cache[name] = values
        return values

    def table(
        self,
        entity: str,
        rows: np.ndarray,
        *,
        include_hidden: bool = False,
        codes: bool = False,
    ) -> pa.RecordBatch:
        """The rows of an entity, its columns named as written (a field's `column`, else the
        field's name). `codes`: fields drawn from a small list (names, cities, string
        choices) may come as dictionary arrays, for the Parquet writer."""
        batch = Batch(entity, rows, codes=codes)
        batch.whole = True
        names, arrays = [], []
        for name, f in self.doc.entities[entity].fields.items():
            values = self.output(batch, name) if codes and not f.hidden else self.get(batch, name)
            if f.hidden and not include_hidden:
                continue
            names.append(column_name(f, name))
            arrays.append(values)
        # Records point back at their context (a reference cycle): drop them now rather
        # than leave a block's worth of arrays to the cyclic garbage collector.
        batch.records.clear()
        batch.cache.clear()
        batch.scratch.clear()
        if batch.codes is not None:
            batch.codes.clear()
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def stream(self, batch: Batch, name: str, label: str = "") -> Stream:
        attempt = batch.attempt.get(name, 0)
        labels: list[Any] = [batch.entity, name, label]
        if attempt:
            labels.append(f"retry{attempt}")
        return Stream(self.seed, *labels)

    def null_mask(self, batch: Batch, name: str, f: FieldSpec) -> np.ndarray:
        """The rows of the batch that are NULL. Never redrawn with a field's values: a row
        drawn again for `unique` keeps its NULL or non-NULL, so the NULLs are where
        `null_rate` put them whatever the values (and their rate stays the declared one)."""
        stream = Stream(self.seed, batch.entity, name, "#null")
        return stream.uniform(batch.rows) < f.null_rate

    # ------------------------------------------------------------ one field

    def compute(self, batch: Batch, name: str) -> pa.Array:
        f = self.doc.entities[batch.entity].fields[name]
        dtype = self.plan.dtype(batch.entity, name)
        source = f.source
        where = f"{batch.entity}.{name}"
        try:
            values = getattr(self, f"src_{source}")(batch, name, f, dtype)
            if pa.types.is_dictionary(values.type):
                if _keeps_codes(f, values.type.value_type, dtype):
                    return values
                values = decode(values)
            return self.modifiers(batch, name, f, dtype, values)
        except GenerationError as exc:
            if str(exc).startswith(where):
                raise
            raise GenerationError(f"{where}: {exc}") from None
        except pa.ArrowException as exc:  # a kernel refused the values: name the field
            raise GenerationError(f"{where}: {exc}") from None

    def modifiers(
        self, batch: Batch, name: str, f: FieldSpec, dtype: DataType | None, values: pa.Array
    ) -> pa.Array:
        target = arrow_type(dtype) if dtype is not None else values.type
        if f.round is not None and pa.types.is_floating(values.type):
            values = round_floats(values, f.round)
            if f.source in ("type", "distribution"):
                values = _within_rounded_bounds(values, f)
        elif f.aggregate is not None and pa.types.is_floating(values.type):
            digits = self.summed_places(batch.entity, name, f)
            if digits is not None:
                values = round_floats(values, digits)
        elif f.round is not None and pa.types.is_decimal(values.type):
            values = pc.round(values, ndigits=f.round, round_mode="half_to_even")
        if f.source not in ("type", "distribution", "sequence", "ref") and (
            f.min is not None or f.max is not None or f.between is not None
        ):
            values = self.clamp(values, f)
        numeric_format = f.format is not None and dtype is not None and dtype.numeric
        if values.type != target and (f.format is None or numeric_format):
            values = self.cast(values, target, dtype)
        _within_the_calendar(values, batch)
        if f.round is not None:  # whole steps of a second, before a format writes them
            values = _truncate_seconds(values, f.round)
        if f.format is not None and (
            pa.types.is_timestamp(values.type)
            or pa.types.is_date(values.type)
            or pa.types.is_time(values.type)
        ):
            if pa.types.is_date(values.type):
                values = values.cast(pa.timestamp("s"))
            values = pc.strftime(values, format=f.format)
        elif numeric_format:
            values = format_numbers(values, parse_number_format(f.format), dtype)
        if f.null_rate:
            mask = self.null_mask(batch, name, f)
            if mask.any():
                values = pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)
        return values

    def cast(self, values: pa.Array, target: pa.DataType, dtype: DataType) -> pa.Array:
        if pa.types.is_integer(target) and pa.types.is_floating(values.type):
            values = pc.round(values, round_mode="half_to_even")
        if pa.types.is_decimal(target) and (
            pa.types.is_floating(values.type) or pa.types.is_integer(values.type)
        ):
            floats = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
            mask = np.isnan(floats)
            scaled = np.rint(np.nan_to_num(floats) * 10**target.scale)
            if len(scaled) and not np.abs(scaled).max() < 2.0**63:  # beyond int64 units
                wide = floats[np.flatnonzero(~(np.abs(scaled) < 2.0**63))[0]]
                raise GenerationError(
                    f"{wide:g} does not fit {dtype}; declare more digits of precision or "
                    "narrow the range"
                )
            unscaled = scaled.astype(np.int64)
            return decimal_from_unscaled(unscaled, dtype, mask if mask.any() else None)
        if pa.types.is_string(target) and not pa.types.is_string(values.type):
            return pc.cast(values, pa.string())
        if (
            pa.types.is_decimal(target)
            and pa.types.is_decimal(values.type)
            and values.type.scale > target.scale
        ):  # `tot / 4` into decimal(10,2): rounded to the places, halves to even, like a float
            values = pc.round(values, ndigits=target.scale, round_mode="half_to_even")
        try:
            return pc.cast(values, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            hint = ""
            if pa.types.is_decimal(target) and "precision" in str(exc):
                hint = f"; declare a wider type than {dtype} (more digits of precision)"
            raise GenerationError(f"cannot convert {values.type} to {dtype}: {exc}{hint}") from None

    def clamp(self, values: pa.Array, f: FieldSpec) -> pa.Array:
        if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
            return values
        lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
        if lo is not None:
            values = pc.max_element_wise(values, pa.scalar(lo).cast(values.type))
        if hi is not None:
            values = pc.min_element_wise(values, pa.scalar(hi).cast(values.type))
        return values

    # ------------------------------------------------------------ sources

    def src_sequence(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        step = f.step or 1
        if len(batch.rows):
            ends = [f.sequence + int(r) * step for r in (batch.rows[0], batch.rows[-1])]
            if not all(-(2**63) <= v < 2**63 for v in ends):
                raise GenerationError(
                    f"the sequence from {f.sequence} in steps of {step} passes the largest "
                    f"64-bit integer by row {int(batch.rows[-1]) + 1:,}; start lower"
                )
        return pa.array(f.sequence + batch.rows * step)

    def unique_index(self, batch: Batch, name: str, domain: int) -> np.ndarray:
        total = self.plan.count(batch.entity)
        if total > domain:  # validation checks count: 1; --scale or per-parent counts may exceed
            raise GenerationError(
                f"{batch.entity}.{name} must be unique over {total:,} rows, but only "
                f"{domain:,} distinct values exist (at scale {self.plan.scale:g}); lower "
                "--scale or the count, widen the field's domain, or drop `unique`"
            )
        key = derive_key(self.seed, batch.entity, name, "unique")
        return permute_below(batch.rows, domain, key)

    def bounds_units(self, f: FieldSpec, dtype: DataType) -> tuple[Any, Any]:
        return drawn_bounds(f, dtype)

    def src_type(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        kind = dtype.kind
        stream = self.stream(batch, name)
        rows = batch.rows
        unique = self.plan.is_unique(batch.entity, name)
        joint = (
            dense_index(self, batch, name) if kind in ("bool", "int", "date", "decimal") else None
        )
        if kind == "bool":
            if joint is not None:
                return pa.array(joint == 1)
            if unique:
                return pa.array(self.unique_index(batch, name, 2) == 1)
            return pa.array(stream.uniform(rows) < 0.5)
        if kind == "uuid":
            spec = registry.get("id.uuid4")
            return spec.func(self.gen_context(batch, name, f), spec.params())
        if kind == "string":
            lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
            hi = (
                max(int(lo), 16)
                if hi is None and lo is not None
                else (16 if hi is None else int(hi))
            )
            lo = min(8, hi) if lo is None else int(lo)
            from ..pattern import _repeat_class

            return _repeat_class("abcdefghijklmnopqrstuvwxyz", lo, hi, rows, stream, "s")
        lo, hi = self.bounds_units(f, dtype)
        u = self.copula_uniform(
            batch, name
        )  # correlated fields take their uniforms from the copula
        if kind == "float":
            values = lo + (stream.uniform(rows) if u is None else u) * (hi - lo)
            return pa.array(values)
        step = drawn_step(f, dtype)  # microseconds per drawn unit
        if step > 1:
            lo, hi = -(-int(lo) // step), int(hi) // step
        span = int(hi) - int(lo) + 1
        if span <= 0:
            raise GenerationError(f"{batch.entity}.{name}: empty range")
        if span >= 2**63 and joint is None and not unique:  # past what integers() takes
            return from_units(_wide_integers(stream, rows, int(lo), span, u) * step, dtype)
        if joint is not None:
            offsets = joint
        elif unique:
            offsets = self.unique_index(batch, name, span)
        elif u is not None:
            offsets = np.minimum((u * span).astype(np.int64), span - 1)
        else:
            offsets = stream.integers(rows, span)
        return from_units((int(lo) + offsets) * step, dtype)

    def src_choice(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        # once per plan: a long list read again for every small block dominated such runs
        # (150,000 labels at --block-rows 7: 30 s)
        values, weights, table = self.plan_cache(
            ("choice-values", batch.entity, name), lambda: _choice_list(f, dtype)
        )
        joint = dense_index(self, batch, name)
        if joint is not None:
            index = joint
        elif self.plan.is_unique(batch.entity, name):
            index = self.unique_index(batch, name, len(values))
        else:
            u = self.copula_uniform(batch, name)
            if u is None:
                u = self.stream(batch, name).uniform(batch.rows)
            if self.in_copula(batch.entity, name):
                # Ordered categories under a copula: inverse CDF keeps the rank order.
                order, cumulative = self.plan_cache(
                    ("choice-copula", batch.entity, name),
                    lambda: _copula_walk(values, weights),
                )
                index = order[
                    np.minimum(np.searchsorted(cumulative, u, side="right"), len(values) - 1)
                ].astype(np.int64)
            else:
                sampler = self.plan_cache(
                    ("choice", batch.entity, name), lambda: alias_table(weights)
                )
                probability, alias = sampler
                scaled = u * len(probability)
                column = np.minimum(scaled.astype(np.int64), len(probability) - 1)
                index = np.where((scaled - column) < probability[column], column, alias[column])
        if batch.codes is not None and pa.types.is_string(table.type) and not table.null_count:
            return as_codes(table, index)
        return table.take(pa.array(index))

    def in_copula(self, entity: str, name: str) -> bool:
        return any(name in block.fields for block in self.doc.entities[entity].correlate)

    def src_const(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        table = literal_array([f.const], dtype)
        return table.take(pa.array(np.zeros(len(batch.rows), dtype=np.int64)))

    def src_distribution(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        u = self.copula_uniform(batch, name)
        if u is None:
            u = self.stream(batch, name).open_uniform(batch.rows)
        lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
        pick = None
        if f.distribution == "mixture":
            pick = self.stream(batch, name, "component").uniform(batch.rows)
        values = sampling.sample(
            f.distribution,
            f.params,
            u,
            lo=None if lo is None else float(lo),
            hi=None if hi is None else float(hi),
            clip=f.clip,
            pick=pick,
        )
        if dtype.kind == "int":
            whole = whole_numbers(values, f.distribution)
            # a draw at or near a fractional bound rounds past it (clip: 2.5 → 2 for min 2.5)
            if lo is not None and float(lo) != math.floor(float(lo)):
                np.maximum(whole, math.ceil(float(lo)), out=whole)
            if hi is not None and float(hi) != math.floor(float(hi)):
                np.minimum(whole, math.floor(float(hi)), out=whole)
            return pa.array(whole)
        return pa.array(np.asarray(values, dtype=np.float64))

    def src_pattern(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        tree = parse_pattern(f.pattern)
        stream = self.stream(batch, name)
        if self.plan.is_unique(batch.entity, name):
            positions = fixed_positions(tree)
            if positions is not None:
                domain = min(pattern_domain(tree), 2**62)
                return generate_unique(positions, self.unique_index(batch, name, domain), stream)
        return pattern_generate(tree, batch.rows, stream)

    def src_template(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        parts = []
        for kind, value in parse_template(f.template):
            if kind == "text":
                parts.append(pa.scalar(value))
            else:
                column = self.get(batch, value)
                parts.append(
                    column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
                )
        if not parts:
            return pa.array([""] * len(batch.rows))
        if all(isinstance(p, pa.Scalar) for p in parts):
            text = "".join(p.as_py() for p in parts)
            return pa.array(np.full(len(batch.rows), text, dtype=object), type=pa.string())
        return pc.binary_join_element_wise(*parts, "", null_handling="replace", null_replacement="")

    def gen_context(self, batch: Batch, name: str, f: FieldSpec) -> GenContext:
        return GenContext(
            seed=self.seed,
            entity=batch.entity,
            field=name,
            rows=batch.rows,
            locale=f.locale or self.doc.locale,
            link=f.link,
            unique=self.plan.is_unique(batch.entity, name),
            record_cache=batch.records,
            attempt=batch.attempt.get(name, 0),
            total_rows=self.plan.count(batch.entity),
            gender=self.record_gender(batch.entity, f.link),
            person_locale=self.person_locale(batch.entity, name, f),
            age_bounds=self.age_bounds(batch.entity, f.link),
            unique_place=self.unique_place(batch.entity, f.link),
            field_source=lambda path: self.path_values(batch, path),
            codes=batch.codes is not None,
            whole_records=self.plan_cache(("whole records", batch.entity), dict),
        )

    def prepared(
        self,
        entity: str,
        name: str,
        f: FieldSpec,
        spec: registry.GeneratorSpec,
        params: Any,
        rows: np.ndarray | None = None,
    ) -> Any:
        """The generator's whole-entity work for a unique field (`prepare`: the ranks of a
        unique email), made once per run and kept, so every block, worker and lookup reads
        the same. Rows below PREPARED_PREFIX (a preview's) need only that prefix of the
        entity: `prepare` must give them the values the whole entity gives them. The
        record parts it drew for all rows (a person's name positions) are kept too: the
        blocks take them instead of drawing."""
        n = self.plan.count(entity)
        need = int(rows.max()) + 1 if rows is not None and len(rows) else n
        span = min(n, PREPARED_PREFIX) if need <= PREPARED_PREFIX else n
        cache = self.plan.__dict__.setdefault("_cache", {})
        key = ("prepared", entity, name)
        found = cache.get(key)
        if found is not None and found[0] >= span:
            return found[1]
        ctx = self.gen_context(Batch(entity, np.arange(span, dtype=np.int64)), name, f)
        result = spec.prepare(ctx, params)
        if span == n:
            whole = self.plan_cache(("whole records", entity), dict)
            for record, parts in getattr(result, "records", {}).items():
                if record[3] == 0:  # attempt 0: the records every block draws
                    whole.setdefault(record, {}).update(parts)
        cache[key] = (span, result)
        return result

    def path_values(self, batch: Batch, path: str) -> pa.Array:
        """`field` of these rows, or `fk_field.parent_field` through their foreign key."""
        head, _, rest = path.partition(".")
        return self.through(batch, head, rest) if rest else self.get(batch, head)

    def unique_place(self, entity: str, link: str | None) -> bool:
        """Whether an address field of this link is unique (house numbers then range wide)."""

        def find() -> bool:
            return any(
                (f.generator or "").startswith("address.")
                and f.link == link
                and self.plan.is_unique(entity, name)
                for name, f in self.doc.entities[entity].fields.items()
            )

        return self.plan_cache(("unique_place", entity, link or ""), find)

    def age_bounds(self, entity: str, link: str | None) -> tuple[int, int] | None:
        """The (min_age, max_age) a person.age or person.birth_date field of this link sets
        (validation rejects two different ones): the other one follows it."""

        return self.plan_cache(
            ("age_bounds", entity, link or ""),
            lambda: self.plan._types.row_age_bounds(entity, link),
        )

    def person_locale(self, entity: str, name: str, f: FieldSpec) -> str:
        """The locale of the row's person for this field: a person.* field's own, else that
        of the first person.* field of the same link (an email in another locale still
        belongs to the row's person), else the field's."""

        def find() -> str:
            own = f.locale or self.doc.locale
            if (f.generator or "").startswith("person."):
                return own
            for other in self.doc.entities[entity].fields.values():
                if (other.generator or "").startswith("person.") and other.link == f.link:
                    return other.locale or self.doc.locale
            return own

        return self.plan_cache(("person_locale", entity, name), find)

    def summed_places(self, entity: str, name: str, f: FieldSpec) -> int | None:
        """Decimal places of a sum of values rounded to them (`sum(items.amount)` over
        `round: 2`): the exact sum has them too, the float one carries noise
        (234.48000000000002) until rounded back."""

        def find() -> int | None:
            agg = expr_mod.parse_aggregate(f.aggregate)
            child = self.doc.entities[agg.child].fields.get(agg.field or "")
            if agg.func != "sum" or child is None or child.round is None:
                return None
            return child.round

        return self.plan_cache(("summed_places", entity, name), find)

    def record_gender(self, entity: str, link: str | None) -> str | None:
        """The sex a field of this entity and link sets with `gender` (validation rejects two
        different ones): every record of the row reads it, so names, sex and email agree."""

        return self.plan_cache(
            ("gender", entity, link or ""), lambda: self.plan._types.row_gender(entity, link)
        )

    @staticmethod
    def generator_params(f: FieldSpec) -> tuple[registry.GeneratorSpec, Any]:
        spec = registry.get(f.generator)
        try:
            params = spec.params.model_validate(f.params)
        except ValidationError as exc:  # checked at load; a model file may change since
            problems = "; ".join(e["msg"] for e in exc.errors(include_url=False))
            raise GenerationError(problems) from None
        return spec, params

    def src_generator(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        spec, params = self.generator_params(f)
        ctx = self.gen_context(batch, name, f)
        if spec.prepare is not None and len(batch.rows) and self.plan.is_unique(batch.entity, name):
            ctx.prepared = self.prepared(batch.entity, name, f, spec, params, batch.rows)
        values = spec.func(ctx, params)
        if isinstance(values, np.ndarray):
            values = pa.array(values)
        return values

    # ---- relational

    def parent_indices(self, batch: Batch, name: str) -> np.ndarray:
        """Row indices, in the referenced entity, that a foreign key field points at (-1: NULL)."""
        cached = batch.parent_index.get(name)
        if cached is not None:
            return cached
        f = self.doc.entities[batch.entity].fields[name]
        parent, _ = f.ref.split(".")
        n_parent = self.plan.count(parent)
        rows = batch.rows
        layout = self.plan.layout(batch.entity)
        if layout is not None and self.plan.expansion_fk(batch.entity) == name:
            idx = layout.parent_of(rows)
        elif parent == batch.entity:
            # A self-reference picks an earlier row, so inserts in row order always succeed;
            # a unique one the row just before (the only distinct earlier rows for all).
            if self.plan.is_unique(batch.entity, name):
                idx = rows.astype(np.int64) - 1
            else:
                u = self.stream(batch, name).uniform(rows)
                idx = np.where(rows > 0, (u * rows).astype(np.int64), -1)
            if f.nullable is False:  # row 0 has no earlier row: NOT NULL points it at itself
                idx = np.where(rows == 0, 0, idx)
        elif n_parent == 0:
            idx = np.full(len(rows), -1, dtype=np.int64)
        else:
            # A key with a null_rate: pick among the rows where it is not NULL, so the NOT
            # NULL foreign key always points at a row (SQL allows the NULLs; no child
            # references them).
            choices = self.ref_candidates(f)
            if choices is not None and len(choices) == 0:
                key = f.ref.split(".")[1]
                rate = self.doc.entities[parent].fields[key].null_rate
                why = f"its null_rate is {rate:g}" if rate else null_source(self.doc, parent, key)
                raise GenerationError(
                    f"{batch.entity}.{name}: every {f.ref} is NULL ({why}), so there is no "
                    "row to reference; make some of those keys set, or reference another key"
                )
            n_pick = n_parent if choices is None else len(choices)
            idx = self.pick(batch, name, f, n_pick)
            if choices is not None:
                idx = choices[idx]
        if f.null_rate:
            # The rows that `modifiers` turns NULL (same stream) belong to no parent, so
            # `from`, `after` and aggregates through this key agree with the written column.
            missing = self.null_mask(batch, name, f)
            idx = np.where(missing, -1, idx)
        batch.parent_index[name] = idx
        return idx

    def ref_candidates(self, f: FieldSpec) -> np.ndarray | None:
        """The parent rows a foreign key may point at, ascending: those whose key is not
        NULL, or None for every row. A key NULL only by its `null_rate` is told by the same
        stream as `null_mask`; a key whose source can be NULL (a `choice` with null, an
        `expr` with a CASE and no ELSE, …) is evaluated. Made once per plan, in slices of
        4M rows."""
        parent, key = f.ref.split(".")
        spec = self.doc.entities[parent].fields[key]
        by_source = self.plan_cache(
            ("key null source", parent, key), lambda: null_source(self.doc, parent, key)
        )
        if not spec.null_rate and by_source is None:
            return None

        def null_rows(rows: np.ndarray) -> np.ndarray:
            if by_source is None:
                return self.null_mask(Batch(parent, rows), key, spec)
            values = self.lookup(parent, key, rows)
            return values.is_null().to_numpy(zero_copy_only=False)

        def build() -> np.ndarray:
            total = self.plan.count(parent)
            parts = [np.zeros(0, dtype=np.int64)]
            for start in range(0, total, 1 << 22):
                rows = np.arange(start, min(total, start + (1 << 22)), dtype=np.int64)
                parts.append(rows[~null_rows(rows)])
            return np.concatenate(parts)

        return self.plan_cache(("ref candidates", parent, key), build)

    def ref_choices(self, f: FieldSpec) -> int:
        """How many parent rows a foreign key can point at."""
        choices = self.ref_candidates(f)
        return self.plan.count(f.ref.split(".")[0]) if choices is None else len(choices)

    def pick(self, batch: Batch, name: str, f: FieldSpec, n_parent: int) -> np.ndarray:
        rows = batch.rows
        entity = self.doc.entities[batch.entity]
        group = self.composite_group(batch.entity, name)
        if self.plan.is_unique(batch.entity, name):
            return self.unique_index(batch, name, n_parent)
        if group is not None:
            return self.pick_in_group(batch, name, f, n_parent, group)
        del entity
        return self.pick_raw(batch, name, f, n_parent, rows)

    def pick_raw(
        self, batch: Batch, name: str, f: FieldSpec, n_parent: int, rows: np.ndarray
    ) -> np.ndarray:
        stream = self.stream(batch, name)
        if f.pick == "sequential":
            return rows % n_parent
        if isinstance(f.pick, ZipfPick):
            # Rank r is chosen with weight 1/r^s; ranks map to parents by a keyed permutation
            # so the popular parents are spread over the table, not always the first rows.
            cumulative = self.plan_cache(
                ("zipf", n_parent, f.pick.zipf), lambda: _zipf_cdf(n_parent, f.pick.zipf)
            )
            ranks = np.searchsorted(cumulative, stream.uniform(rows), side="right").astype(np.int64)
            ranks = np.minimum(ranks, n_parent - 1)
            return permute_below(ranks, n_parent, derive_key(self.seed, batch.entity, name, "zipf"))
        return stream.integers(rows, n_parent)

    def plan_cache(self, key: Any, build: Any) -> Any:
        cache = self.plan.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def composite_group(self, entity: str, name: str) -> list[str] | None:
        spec = self.doc.entities[entity]
        for group in spec.unique:
            names = [group] if isinstance(group, str) else list(group)
            if name in names and len(names) > 1:
                return names
        pk = spec.primary_key
        if isinstance(pk, list) and name in pk and len(pk) > 1:
            return list(pk)
        return None

    def pick_in_group(
        self, batch: Batch, name: str, f: FieldSpec, n_parent: int, group: list[str]
    ) -> np.ndarray:
        """Foreign keys in a composite unique constraint: distinct combinations by construction."""
        entity = batch.entity
        expansion = self.plan.expansion_fk(entity)
        layout = self.plan.layout(entity)
        others = [g for g in group if g != name]
        if expansion in others and layout is not None and len(group) == 2:
            return self.pick_within_parent(batch, name, f, n_parent, layout)
        fields = self.doc.entities[entity].fields
        if all(fields[g].ref is not None for g in group):
            # Pairs (a, b, …) = a keyed permutation of the row index, written in mixed radix.
            sizes = [self.ref_choices(fields[g]) for g in group]
            total = int(np.prod(sizes, dtype=object))
            rows_needed = self.plan.count(entity)
            if total < rows_needed:  # --scale shrinks the combinations faster than the rows
                raise GenerationError(
                    f"({', '.join(group)}) must be unique over {rows_needed:,} rows, but only "
                    f"{total:,} combinations exist (at scale {self.plan.scale:g}); lower the "
                    "row count or drop the constraint"
                )
            if total > 2**62:
                return self.pick_raw(batch, name, f, n_parent, batch.rows)
            code = permute_below(
                batch.rows, total, derive_key(self.seed, entity, "#unique", *group)
            )
            for g, size in zip(reversed(group), reversed(sizes), strict=True):
                digit = code % size
                code = code // size
                if g == name:
                    return digit
        return self.pick_raw(batch, name, f, n_parent, batch.rows)

    def pick_within_parent(
        self, batch: Batch, name: str, f: FieldSpec, n_parent: int, layout
    ) -> np.ndarray:
        """Distinct picks among the children of each parent (order_items: one line per product)."""
        rows = batch.rows
        parents = layout.parent_of(rows)
        # Evaluate whole parent groups so the choice for a row never depends on the block.
        unique_parents = np.unique(parents)
        starts = layout.start(unique_parents)
        sizes = layout.size(unique_parents)
        before = np.cumsum(sizes) - sizes
        full = np.repeat(starts - before, sizes) + np.arange(int(sizes.sum()), dtype=np.int64)
        full_parents = np.repeat(unique_parents, sizes)
        picks = self.pick_raw(batch, name, f, n_parent, full)
        for attempt in range(1, MAX_UNIQUE_ATTEMPTS + 1):
            dup = _duplicates_within(full_parents, picks)
            if not dup.any():
                break
            if attempt < MAX_UNIQUE_ATTEMPTS // 2:
                retry = Batch(batch.entity, full[dup], {name: attempt})
                picks[dup] = self.pick_raw(retry, name, f, n_parent, full[dup])
            else:  # rare: probe to the next parent until free (groups are smaller than n_parent)
                picks[dup] = (picks[dup] + 1) % n_parent
        else:
            dup = _duplicates_within(full_parents, picks)
            if dup.any():
                # Parents that need most of the choices: their children take a keyed
                # permutation of the parents instead, distinct by construction.
                crowded = np.isin(full_parents, np.unique(full_parents[dup]))
                position = full - np.repeat(starts, sizes)
                if int(position[crowded].max()) >= n_parent:
                    raise GenerationError(
                        f"{batch.entity}.{name}: one {layout.parent} row has more children than "
                        f"there are {n_parent:,} distinct values to give them; cap the count "
                        f"with `max: {n_parent}` or drop the unique constraint"
                    )
                key = derive_key(self.seed, batch.entity, name, "#within")
                picks[crowded] = permute_below(
                    position[crowded], n_parent, key, groups=full_parents[crowded]
                )
        if len(full) and int(full[-1]) - int(full[0]) + 1 == len(full):  # whole, adjacent groups
            return picks[rows - full[0]]
        return picks[np.searchsorted(full, rows)]

    def src_ref(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        parent, key = f.ref.split(".")
        idx = self.parent_indices(batch, name)
        valid = idx >= 0
        safe = np.where(valid, idx, 0)
        if self.plan.count(parent) == 0:
            key_type = self.plan.dtype(parent, key)
            return pa.nulls(len(idx), type=arrow_type(key_type) if key_type else pa.int64())
        values = self.lookup(parent, key, safe)
        if not valid.all():
            values = pc.if_else(pa.array(valid), values, pa.scalar(None, values.type))
        return values

    def lookup(self, entity: str, field: str, rows: np.ndarray) -> pa.Array:
        """Values of a field at arbitrary rows (recomputed, never a whole table in memory)."""
        spec = self.doc.entities[entity].fields[field]
        if spec.source == "sequence" and not spec.null_rate and spec.format is None:
            return pa.array(spec.sequence + rows * (spec.step or 1))
        return self.get(Batch(entity, rows), field)

    def src_from(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        fk, _, parent_field = f.from_.partition(".")
        return self.through(batch, fk, parent_field)

    def through(self, batch: Batch, fk: str, parent_field: str) -> pa.Array:
        parent = self.doc.entities[batch.entity].fields[fk].ref.split(".")[0]
        idx = self.parent_indices(batch, fk)
        valid = idx >= 0
        values = self.lookup(parent, parent_field, np.where(valid, idx, 0))
        if not valid.all():
            values = pc.if_else(pa.array(valid), values, pa.scalar(None, values.type))
        return values

    def src_after(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        return self.relative(batch, name, f, f.after, +1, dtype)

    def src_before(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        return self.relative(batch, name, f, f.before, -1, dtype)

    def relative(
        self, batch: Batch, name: str, f: FieldSpec, path: str, sign: int, dtype: DataType | None
    ) -> pa.Array:
        head, _, rest = path.partition(".")
        base = self.through(batch, head, rest) if rest else self.get(batch, head)
        seconds = self.gap_seconds(batch, name, f.gap)
        if pa.types.is_date(base.type) and dtype is not None and dtype.kind == "datetime":
            # a datetime declared over a date starts at the date's midnight and moves by
            # the gap to the microsecond (whole days would put every value at midnight)
            base = base.cast(pa.timestamp("us"))
        if pa.types.is_date(base.type):
            days = np.floor(seconds / 86400).astype(np.int32) * sign
            units = to_numpy_units(base, parse_type("date")) + days
            out = pa.array(units.astype(np.int32)).cast(pa.date32())
        else:
            us = to_numpy_units(base.cast(pa.timestamp("us")), parse_type("datetime"))
            out = pa.array(us + sign * np.rint(seconds * 1e6).astype(np.int64)).cast(
                pa.timestamp("us")
            )
        if base.null_count:
            out = pc.if_else(pc.is_null(base), pa.scalar(None, out.type), out)
        return out

    def gap_seconds(self, batch: Batch, name: str, gap: Any) -> np.ndarray:
        from ..durations import parse_duration

        n = len(batch.rows)
        if gap is None:
            return np.zeros(n)
        if isinstance(gap, str | int | float):
            return np.full(n, parse_duration(gap))
        stream = self.stream(batch, name, "gap")
        # never negative: `after` is later, `before` earlier (a normal gap is truncated at 0;
        # for a distribution of non-negative values this changes no value)
        lo = 0.0 if gap.min is None else max(0.0, parse_duration(gap.min))
        hi = None if gap.max is None else parse_duration(gap.max)
        if gap.distribution is None:
            return lo + stream.uniform(batch.rows) * (hi - lo)
        params = sampling.seconds_params(gap.params)
        pick = self.stream(batch, name, "gap-component").uniform(batch.rows)
        return np.asarray(
            sampling.sample(
                gap.distribution,
                params,
                stream.open_uniform(batch.rows),
                lo=lo,
                hi=hi,
                clip=gap.clip,
                pick=pick,
            ),
            dtype=np.float64,
        )

    def src_expr(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        tree = self.plan_cache(("expr", f.expr), lambda: expr_mod.parse_expr(f.expr))
        windows = expr_mod.windows(tree)
        extra: dict[str, pa.Array] = {}
        if windows:
            # Window values need the whole entity: computed once per run, read here per block.
            tree = tree.copy()
            for i, node in enumerate(expr_mod.windows(tree)):
                extra[f"__window{i}"] = self.window_rows(batch, windows[i])
                replacement = exp.column(f"__window{i}")
                if node is tree:
                    tree = replacement
                else:
                    node.replace(replacement)
        columns = {col: self.get(batch, col) for col in expr_mod.columns(tree) if col not in extra}
        columns.update(extra)
        try:
            return evaluate(tree, columns, len(batch.rows))
        except GenerationError as exc:
            raise GenerationError(f"{batch.entity}.{name}: {exc} in `{f.expr}`") from None
        except (
            pa.ArrowInvalid,
            pa.ArrowNotImplementedError,
            pa.ArrowTypeError,
            TypeError,
            ValueError,
        ) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            types = ", ".join(f"{c} is {v.type}" for c, v in columns.items())
            raise GenerationError(
                f"{batch.entity}.{name}: `{f.expr}` cannot be evaluated: {first}"
                + (f" ({types})" if types else "")
            ) from None

    def window_rows(self, batch: Batch, node) -> pa.Array:
        """A window expression's values for the batch's rows."""
        from .window import numbers_within_parent

        if numbers_within_parent(self.plan, batch.entity, node):
            position = self.plan.layout(batch.entity).position_in_parent(batch.rows)
            return pa.array(position + 1, type=pa.int64())
        return self.window_values(batch.entity, node).take(pa.array(batch.rows))

    def window_values(self, entity: str, node) -> pa.Array:
        from .window import compute

        key = (entity, node.sql())
        windows = self.plan.__dict__.setdefault("windows", {})
        if key not in windows:
            try:
                windows[key] = compute(self, entity, node)
            except (pa.ArrowException, GenerationError) as exc:  # planned before any column
                raise GenerationError(f"{entity}: {exc} in `{node.sql()}`") from None
        return windows[key]

    def src_aggregate(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        from .aggregate import aggregate_column

        key = (batch.entity, name)
        if key not in self.plan.aggregates:
            aggregate_column(self, batch.entity, name, f)  # stores it (and its siblings)
        return self.plan.aggregates[key].take(pa.array(batch.rows))

    def src_series(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        from ..series_params import SeriesValueParams
        from . import series

        if f.series == "time":
            return pa.array(series.times_us(self, batch), type=pa.int64()).cast(pa.timestamp("us"))
        if f.series == "step":
            layout = self.plan.layout(batch.entity)
            return pa.array(layout.position_in_parent(batch.rows) + 1)
        params = SeriesValueParams.model_validate(f.params)
        return pa.array(series.values(self, batch, name, params))

    def src_timeline(self, batch: Batch, name: str, f: FieldSpec, dtype: DataType) -> pa.Array:
        from .timeline import timeline_column

        return timeline_column(self, batch, f.timeline)

    # ------------------------------------------------------------ correlations

    def copula_factor(self, entity: str, i: int) -> np.ndarray:
        """The Cholesky factor of the entity's i-th `correlate` block, calibrated once per
        plan (a target its marginals cannot reach is warned about then)."""
        block = self.doc.entities[entity].correlate[i]
        return self.plan_cache(
            ("copula", entity, i), lambda: copula_cholesky(self.plan, entity, block)
        )

    def copula_uniform(self, batch: Batch, name: str) -> np.ndarray | None:
        """Correlated uniforms for a field in a `correlate` block (Gaussian copula)."""
        spec = self.doc.entities[batch.entity]
        for i, block in enumerate(spec.correlate):
            if name not in block.fields:
                continue
            from scipy.special import ndtr, ndtri  # here: a quarter second to import

            k = len(block.fields)
            # Calibrated: the normal-score correlation is chosen so the *output* values reach
            # the requested Pearson/Spearman correlation, whatever their marginals.
            chol = self.copula_factor(batch.entity, i)
            z = batch.scratch.get(f"#copula{i}")
            if z is None:  # once per batch and block, not once per field
                normals = np.empty((len(batch.rows), k))
                for j in range(k):
                    u = Stream(self.seed, batch.entity, f"#copula{i}", j).open_uniform(batch.rows)
                    normals[:, j] = ndtri(u)
                if len(batch.rows) * k * k <= _SMALL_PRODUCT:
                    # A small product on one thread: waking OpenBLAS's pool for it cost
                    # milliseconds on a busy machine (a 569 × 31 product: 3 ms, not 0.05)
                    with one_blas_thread():
                        z = normals @ chol.T
                else:
                    z = normals @ chol.T
                batch.scratch[f"#copula{i}"] = z
            j = block.fields.index(name)
            return np.clip(ndtr(z[:, j]), 1e-16, 1 - 1e-16)
        return None


# PDL's calendar (TYPE_LIMITS), in the engine's units: microseconds and days since 1970
_DATETIME_RANGE = (
    parse_datetime(TYPE_LIMITS["datetime"][0]),
    parse_datetime(TYPE_LIMITS["datetime"][1], end=True),
)
_DATE_RANGE = tuple(parse_datetime(d) // 86_400_000_000 for d in TYPE_LIMITS["date"])


def _within_the_calendar(values: pa.Array, batch: Batch) -> None:
    """Times that arithmetic carried past 9999-12-31 (long timelines, `after` with year-long
    gaps) or before 0001-01-01 stop generation here: Arrow holds them, but files would
    show five-digit years that no database or datetime reader accepts."""
    if pa.types.is_timestamp(values.type):
        (lo, hi), ints = _DATETIME_RANGE, values.cast(pa.timestamp("us")).cast(pa.int64())
    elif pa.types.is_date32(values.type):
        (lo, hi), ints = _DATE_RANGE, values.cast(pa.int32())
    else:
        return
    extremes = pc.min_max(ints)
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    if low is None or (lo <= low and high <= hi):
        return
    late = high > hi
    outside = pc.greater(ints, hi) if late else pc.less(ints, lo)
    first = int(np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))[0])
    raise GenerationError(
        f"row {int(batch.rows[first]) + 1} falls "
        + ("after 9999-12-31" if late else "before 0001-01-01")
        + ", outside the calendar dates and times hold: shorten the gaps (or cut a timeline "
        "with max_steps or end) or move the start"
    )


_SMALL_PRODUCT = 1 << 24  # multiply-adds below which a matrix product stays on one thread


def _truncate_seconds(values: pa.Array, places: int) -> pa.Array:
    """`round: n` on a datetime or time: keep n decimal places of the seconds (cut, so a value
    never passes its `max`), in the Arrow unit that writes them (0 → s, 1–3 → ms)."""
    if pa.types.is_timestamp(values.type):
        kind = "timestamp"
    elif pa.types.is_time(values.type):
        kind = "time"
    else:
        return values
    places = min(places, 6)
    unit = "s" if places == 0 else "ms" if places <= 3 else "us"
    step = 10 ** (6 - places)  # microseconds kept per step
    us = values.cast(pa.timestamp("us") if kind == "timestamp" else pa.time64("us"))
    raw = us.cast(pa.int64()).to_numpy(zero_copy_only=False)
    valid = ~np.asarray(us.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    raw = np.where(valid, raw, 0)
    per_unit = {"s": 1_000_000, "ms": 1_000, "us": 1}[unit]
    cut = (raw // step) * step // per_unit  # floor: before 1970 too
    target = (
        pa.timestamp(unit)
        if kind == "timestamp"
        else (pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit))
    )
    storage = pa.int64() if kind == "timestamp" or unit == "us" else pa.int32()
    mask = None if valid.all() else ~valid
    return pa.array(cut, storage, mask=mask).cast(target)


def _zipf_cdf(n: int, s: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** s
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    cumulative[-1] = 1.0
    return cumulative


def _duplicates_within(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """True for every (group, value) pair already seen earlier in the arrays."""
    n = len(values)
    if n > 1 and bool((groups[1:] >= groups[:-1]).all()):
        # contiguous groups (children of one parent): compare with the few rows before
        starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
        widest = int(np.diff(np.append(starts, n)).max())
        if widest <= 32:
            out = np.zeros(n, dtype=bool)
            for k in range(1, widest):
                out[k:] |= (groups[k:] == groups[:-k]) & (values[k:] == values[:-k])
            return out
    order = np.lexsort((np.arange(len(values)), values, groups))
    g, v = groups[order], values[order]
    same = np.zeros(len(values), dtype=bool)
    same[1:] = (g[1:] == g[:-1]) & (v[1:] == v[:-1])
    out = np.zeros(len(values), dtype=bool)
    out[order] = same
    return out


def prepare_entity(plan: Plan, entity: str) -> None:
    """Whole-column work an entity needs before its blocks can be made independently."""
    from .unique import materialize_unique
    from .window import numbers_within_parent

    columns = Columns(plan)
    for name, f in plan.doc.entities[entity].fields.items():
        if f.aggregate is not None and (entity, name) not in plan.aggregates:
            from .aggregate import aggregate_column

            aggregate_column(columns, entity, name, f)  # stores it (and its siblings)
        if f.expr is not None:
            for node in expr_mod.windows(expr_mod.parse_expr(f.expr)):
                if not numbers_within_parent(plan, entity, node):
                    columns.window_values(entity, node)
        if f.source == "generator" and plan.is_unique(entity, name):
            spec, params = columns.generator_params(f)
            if spec.prepare is not None:  # here, so forked workers inherit it
                columns.prepared(entity, name, f, spec, params)
    materialize_unique(plan, columns, entity)
