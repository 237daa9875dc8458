"""Profiles and relations → a PDL document (a dict) with a comment for every decision."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..pattern import fixed_positions, parse_pattern
from .fit import Fit, fit_counts, fit_numeric
from .profile import (
    MAX_DECIMALS,
    US_PER_DAY,
    ColumnProfile,
    induce_pattern,
    locale_share,
    semantic,
)
from .relations import Comparison, Ordering, Relation

__all__ = ["EntityOut", "FieldOut", "InferOptions"]

EPOCH = dt.datetime(1970, 1, 1)
UNIQUE_GENERATORS = {"internet.email", "internet.username", "id.uuid4"}
MIN_MODEL_VALUES = 30  # distinct free-text values below which an n-gram model is not trained
_WORDS = re.compile(r"(\[A-Z\])?\[a-z\]\{\d+,\d+\}")  # `[A-Z][a-z]{3,10}`: a word


@dataclass
class InferOptions:
    """Knobs of `phony infer` (keyword-only in the API)."""

    max_categories: int = 50  # a text or integer column with at most this many values is a choice
    models: bool = True  # free text with enough distinct values: a trained n-gram model
    top_k: int = 40  # values kept by name when there are more; the rest become a remainder
    correlate: bool = True
    relations: bool = True
    min_correlation: float = 0.05  # no correlate block unless some |rho| reaches this
    rows: int | None = None  # rows of each table without a parent (default: as in the sample)


@dataclass
class FieldOut:
    name: str
    spec: dict[str, Any]
    comment: str = ""
    scores: np.ndarray | None = None  # values for the correlate block (None: not a member)
    # The mixture fit (spec, comment) that replaces `spec` if the field is not correlated,
    # computed on demand; None when no mixture does better.
    mixture: Callable[[], tuple[dict[str, Any], str] | None] | None = None
    text: list[str] | None = None  # free text to train an n-gram model on, if worth it


@dataclass
class EntityOut:
    name: str
    source: str
    count: int | dict[str, Any]
    fields: list[FieldOut] = field(default_factory=list)
    primary_key: str | list[str] | None = None
    unique: list[list[str]] = field(default_factory=list)  # multi-column constraints
    unique_comment: str = ""
    correlate: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    count_comment: str = ""
    correlate_comment: str = ""
    table: str | None = None  # the source's name, where the entity's identifier is not it
    timeline: Any = None  # a timelines.TimelineOut: written instead of `count`


def _r(x: float, digits: int = 6) -> float | int:
    v = float(f"{x:.{digits}g}")
    return int(v) if v.is_integer() and abs(v) < 1e15 else v


def _has(generator: str) -> bool:
    from ..generators import registry

    return generator in registry.names()


def null_spec(p: ColumnProfile) -> dict[str, Any]:
    return {"null_rate": _r(p.null_rate, 4)} if p.nulls else {}


def _number_type(p: ColumnProfile, integer: bool) -> dict[str, Any]:
    if p.kind == "decimal" and p.precision is not None:
        return {"type": f"decimal({p.precision[0]},{p.precision[1]})"}
    if integer:
        return {"type": "int"}
    if p.decimals is not None and p.decimals <= MAX_DECIMALS:
        return {"round": p.decimals}
    return {}


def fit_spec(fit: Fit, p: ColumnProfile | None, *, integer: bool) -> dict[str, Any]:
    """The PDL source of a fitted column (without type and rounding)."""
    if fit.family == "choice":
        return {"choice": dict(fit.params["weights"])}
    if fit.family == "uniform" and integer:
        return {"type": "int", "min": int(fit.lo), "max": int(fit.hi)}
    spec: dict[str, Any] = {"distribution": fit.family}
    spec.update(fit.params)
    if fit.lo is not None and not (fit.family == "beta" and (fit.lo, fit.hi) == (0, 1)):
        lo, hi = fit.lo, fit.hi
        # An integer column's continuous fit keeps its bucket edges (lowest value − ½ …
        # highest + ½): rounded to int, values stay within the observed range and the end
        # values keep their whole bucket. Count families take whole bounds.
        if fit.family in ("poisson", "binomial", "negative_binomial", "geometric", "zipf"):
            lo, hi = math.floor(lo), math.ceil(hi)
        spec["min"], spec["max"] = _r(lo, 10), _r(hi, 10)
    return spec


def numeric_field(p: ColumnProfile, opts: InferOptions) -> list[FieldOut]:
    integer = p.kind == "int"
    if p.distinct == 1:
        value = p.top[0][0]
        spec = {"const": int(value) if integer else _r(value, 12)}
        return [FieldOut(p.name, {**spec, **null_spec(p)}, "one value in every row")]
    found = _missing_code(p.numbers, p.histogram)
    if found is not None:
        coded = _coded_field(p, opts, found)
        if coded is not None:
            return [coded]
    fit = fit_numeric(
        p.numbers,
        integer=integer,
        decimals=p.decimals,
        max_categories=opts.max_categories,
        defer_mixtures=True,
        histogram=p.histogram,
    )
    if fit is None:  # no finite value: NULL (or NaN) in every row
        spec = {"type": "int" if integer else "float", "null_rate": 1.0}
        return [FieldOut(p.name, spec, "no finite value in the sample: NULL in every row")]
    code = "" if found is None else found.comment("It is fitted as a value")
    out = FieldOut(p.name, _numeric_spec(fit, p, integer), fit.comment() + code, scores=p.scores)
    if fit.mixture is not None:
        deferred = fit.mixture

        def mixture() -> tuple[dict[str, Any], str] | None:
            mixed = deferred()
            if mixed is None:
                return None
            return _numeric_spec(mixed, p, integer), mixed.comment() + code

        out.mixture = mixture
    return [out]


# Values exports write for "unknown" in a column of non-negative numbers (ages, counts),
# and the 9s written past a column's largest value.
MISSING_CODES = (-1, -9, -99, -999, -9999, 99, 999, 9999, 99999)
_MISSING_CODES = np.array(MISSING_CODES, dtype=np.float64)
MIN_CODE_SHARE = 0.005  # and at least MIN_CODE_ROWS rows
MIN_CODE_ROWS = 3
MIN_REST_ROWS = 10
# An empty gap between a code and the rest counts though narrower than half their
# interquartile range where an equally wide stretch just inside the range holds this many
# rows: were the values spread on into the gap, it would hardly be empty (ages uniform on
# 18-95 and -1: 19 apart, less than half their IQR, yet ~25 % of the rows lie in 18-37).
MIN_NEAR_ROWS = 20


@dataclass
class MissingCode:
    value: float
    rows: int
    share: float  # of the non-null values
    low: float  # the range of the other values
    high: float

    def comment(self, what: str) -> str:
        return (
            f"; {_r(self.value)} in {self.rows:,} rows ({self.share:.1%}), apart from the rest "
            f"({_r(self.low)} to {_r(self.high)}): a code for a missing value? {what}"
        )


def _missing_code(
    x: np.ndarray, histogram: tuple[np.ndarray, np.ndarray] | None = None
) -> MissingCode | None:
    """A value such as -1 or 999 repeated apart from the rest of the column (ages 18-90
    and -1), a code for a missing value: one of MISSING_CODES, in at least 3 rows and
    0.5 % of the values, with 10 other values at least, and outside their range by at least
    max(1, half their interquartile range) - or, for evenly spread values whose IQR is wide,
    by two steps of the values at least with MIN_NEAR_ROWS rows in an equally wide stretch
    just inside the range (a gap the neighbouring density would have filled); a negative
    code only where every other value is >= 0 (-1 among temperatures is a temperature)."""
    if histogram is None:
        histogram = np.unique(x, return_counts=True)
    distinct, counts = histogram
    n = int(counts.sum())
    places = np.searchsorted(distinct, _MISSING_CODES).tolist()  # one search for all codes
    for code, at in zip(MISSING_CODES, places, strict=True):
        if at == len(distinct) or distinct[at] != code:
            continue
        count = int(counts[at])
        if count < MIN_CODE_ROWS or count < MIN_CODE_SHARE * n or n - count < MIN_REST_ROWS:
            continue
        rest_x, rest_c = np.delete(distinct, at), np.delete(counts, at)
        cum = np.cumsum(rest_c) / (n - count)
        q1, q3 = rest_x[np.searchsorted(cum, [0.25, 0.75])]
        apart = max(1.0, 0.5 * float(q3 - q1))  # not the next step of the values
        low, high = float(rest_x[0]), float(rest_x[-1])
        if code < 0 <= low:
            gap = low - code
            # the rows an equally wide stretch just inside the range holds
            near = int(rest_c[: np.searchsorted(rest_x, low + gap, side="right")].sum())
        elif code > 0:
            gap = code - high
            near = int(rest_c[np.searchsorted(rest_x, high - gap, side="left") :].sum())
        else:
            continue
        if gap >= apart or (gap >= 2 * _step(rest_x) and near >= MIN_NEAR_ROWS):
            return MissingCode(float(code), count, count / n, low, high)
    return None


def _step(x: np.ndarray) -> float:
    """The typical spacing of sorted distinct values: their median difference (1 for whole
    numbers seen at every value, more where the values are sparse)."""
    return float(np.median(np.diff(x))) if len(x) > 1 else 1.0


def _coded_field(p: ColumnProfile, opts: InferOptions, code: MissingCode) -> FieldOut | None:
    """The column with its missing-value code kept as a value of its own: a `mixture` of the
    family fitted to the other values and a one-point component at the code, weighted by
    their rows. A compare against the sample then sees the code as often as there, and the
    rest is fitted without it (a -1 among ages 18-95 no longer pulls the fit into the gap,
    nor drives it to an empirical table)."""
    integer = p.kind == "int"
    distinct, counts = (
        p.histogram if p.histogram is not None else np.unique(p.numbers, return_counts=True)
    )
    keep = distinct != code.value
    histogram = (distinct[keep], counts[keep])
    rest = p.numbers[p.numbers != code.value]
    fit = fit_numeric(
        rest,
        integer=integer,
        decimals=p.decimals,
        max_categories=opts.max_categories,
        histogram=histogram,
    )
    if fit is None:
        return None
    spec = _numeric_spec(fit, p, integer)
    rows = code.rows
    if "choice" in spec:  # a table of values already: the code is one more
        weights = spec["choice"]
        total = sum(weights.values())
        weights[str(int(code.value)) if code.value.is_integer() else repr(code.value)] = max(
            1, round(total * code.share / (1 - code.share))
        )
        what = "Kept as a value in the choice"
    else:
        spec = _with_point(spec, code.value, rows, int(counts.sum()) - rows)
        if integer:  # a mixture is drawn as floats, even of count families
            spec.setdefault("type", "int")
        what = f"Kept as a value of its own (the mixture's last component, weight {rows:,})"
    what += (
        f"; for NULL instead, give the other component alone with `null_rate: "
        f"{_r(code.share, 4)}`. The rest"
    )
    comment = code.comment(what) + ": " + fit.comment()
    return FieldOut(p.name, spec, comment.lstrip("; "), scores=p.scores)


BOUND_KEYS = ("min", "max")
FIELD_KEYS = ("type", "round", "null_rate", "clip")


def _with_point(spec: dict[str, Any], value: float, rows: int, others: int) -> dict[str, Any]:
    """`spec` (a fitted distribution with its bounds) as a mixture with a point at `value`:
    the fit's bounds move into its components, which a point outside them would break."""
    field_keys = {k: spec[k] for k in FIELD_KEYS if k in spec}
    body = {k: v for k, v in spec.items() if k not in FIELD_KEYS}
    if "distribution" not in body:  # an integer range: a uniform over its whole buckets
        body = {"distribution": "uniform", "min": body["min"] - 0.5, "max": body["max"] + 0.5}
    bounds = {k: body.pop(k) for k in BOUND_KEYS if k in body}
    if body["distribution"] == "mixture":
        parts = body["components"]
        total = sum(float(c.get("weight", 1)) for c in parts)
        components = [
            {**bounds, **c, "weight": _r(float(c.get("weight", 1)) / total * others)} for c in parts
        ]
    else:
        components = [{**body, **bounds, "weight": others}]
    point = {"distribution": "uniform", "min": _r(value), "max": _r(value), "weight": rows}
    return {"distribution": "mixture", "components": [*components, point], **field_keys}


def _numeric_spec(fit: Fit, p: ColumnProfile, integer: bool) -> dict[str, Any]:
    spec = fit_spec(fit, p, integer=integer)
    if "choice" in spec:
        if p.kind == "decimal" and p.precision is not None:
            spec["type"] = f"decimal({p.precision[0]},{p.precision[1]})"
        else:
            spec["type"] = "int" if integer else "float"
    elif fit.family in ("poisson", "binomial", "negative_binomial", "geometric", "zipf"):
        pass  # integers already
    elif spec.get("type") != "int":
        spec.update(_number_type(p, integer))
    spec.update(null_spec(p))
    return spec


# ---------------------------------------------------------------- times


def _iso(kind: str, units: float) -> str:
    if kind == "date":
        return (dt.date(1970, 1, 1) + dt.timedelta(days=int(units))).isoformat()
    if kind == "time":
        us = int(units)
        return dt.time(
            us // 3_600_000_000, us // 60_000_000 % 60, us // 1_000_000 % 60, us % 1_000_000
        ).isoformat()
    value = EPOCH + dt.timedelta(microseconds=int(units))
    return value.isoformat(sep=" ") if value.microsecond else value.strftime("%Y-%m-%d %H:%M:%S")


_UNITS = {"day": ("DAY", "days"), "s": ("SECOND", "seconds"), "us": ("MICROSECOND", "microseconds")}


def _unit(p: ColumnProfile) -> tuple[str, float]:
    """(name, µs per unit) of the coarsest unit every value is a whole number of."""
    if p.kind == "date":
        return "day", 1.0
    x = p.numbers
    if np.all(np.mod(x, US_PER_DAY) == 0):
        return "day", float(US_PER_DAY)
    if np.all(np.mod(x, 1_000_000) == 0):
        return "s", 1_000_000.0
    return "us", 1.0


def seconds_places(p: ColumnProfile) -> dict[str, int]:
    """`{"round": 0}` for datetimes and times written in whole seconds (3: milliseconds), so
    the synthetic values are written as the sample's were (`17:33:00`, not `17:33:00.221581`)."""
    if p.kind not in ("datetime", "time") or p.numbers is None or len(p.numbers) == 0:
        return {}
    us = p.numbers[np.isfinite(p.numbers)]
    if np.all(np.mod(us, 1_000_000) == 0):
        return {"round": 0}
    if np.all(np.mod(us, 1_000) == 0):
        return {"round": 3}
    return {}


MIN_CLOCK_ROWS = 200  # fewer rows cannot show an empty hour or weekday as more than chance


def clock_fields(p: ColumnProfile) -> list[FieldOut] | None:
    """Datetimes that keep a clock (office hours, weekdays only): a week, a weekday and an
    hour drawn with the sample's weights, plus a uniform second within the hour, so the
    synthetic times keep the hours and days the sample has. None when every hour and
    weekday occurs, or the sample is too small to tell."""
    if p.kind != "datetime" or p.non_null < MIN_CLOCK_ROWS:
        return None
    us = p.numbers.astype(np.int64)
    within_hour = us % 3_600_000_000
    if (within_hour == within_hour[0]).all():
        return None  # on the hour, or dates kept as midnights: the plain range keeps that
    days = us // US_PER_DAY
    hours = np.bincount((us % US_PER_DAY) // 3_600_000_000, minlength=24)
    weekdays = np.bincount((days + 3) % 7, minlength=7)  # 1970-01-01 was a Thursday: 0 = Monday
    quiet_hours = int((hours == 0).sum())
    quiet_days = int((weekdays == 0).sum())
    if quiet_hours < 4 and not (quiet_days and p.non_null / 7 >= 20):
        return None
    monday = int(days.min()) - int((days.min() + 3) % 7)
    weeks = int((days.max() - monday) // 7)
    start = (dt.date(1970, 1, 1) + dt.timedelta(days=monday)).isoformat()
    week, weekday, hour, second = (
        f"_{p.name}_{part}"[:63] for part in ("week", "weekday", "hour", "second")
    )
    fields = [
        FieldOut(week, {"type": "int", "min": 0, "max": weeks, "hidden": True}, f"week of {p.name}"),
        FieldOut(weekday, {"choice": {i: int(c) for i, c in enumerate(weekdays) if c}, "type": "int",
                           "hidden": True},
                 f"weekday of {p.name} (0 = Monday), weights = counts"),
        FieldOut(hour, {"choice": {i: int(c) for i, c in enumerate(hours) if c}, "type": "int",
                        "hidden": True},
                 f"hour of {p.name}, weights = counts"),
        FieldOut(second, {"type": "int", "min": 0, "max": 3599, "hidden": True}, "second within the hour"),
    ]  # fmt: skip
    expr = (
        f"CAST('{start}' AS DATE) + ({week} * 7 + {weekday}) + "
        f"({hour} * 3600 + {second}) * INTERVAL '1' SECOND"
    )
    shown = f"{quiet_hours} hours" + (f" and {quiet_days} weekdays" if quiet_days else "")
    fields.append(
        FieldOut(
            p.name,
            {"expr": expr, "round": 0, **null_spec(p)},
            f"keeps the sample's clock: {shown} never occur in it",
        )
    )
    return fields


def temporal_field(p: ColumnProfile, opts: InferOptions) -> list[FieldOut]:
    kind = p.kind
    if not len(p.numbers):
        return [FieldOut(p.name, {"type": kind, "null_rate": 1.0}, "NULL in every row")]
    lo, hi = float(p.numbers.min()), float(p.numbers.max())
    if p.distinct == 1:
        return [
            FieldOut(
                p.name,
                {"const": _iso(kind, lo), "type": kind, **null_spec(p)},
                "one value in every row",
            )
        ]
    if kind == "time":
        spec = {"type": "time", "between": [_iso(kind, lo), _iso(kind, hi)]}
        spec.update({**seconds_places(p), **null_spec(p)})
        return [FieldOut(p.name, spec, "uniform time of day in the observed range")]
    clock = clock_fields(p)
    if clock is not None:
        return clock
    unit, per = _unit(p)
    offsets = np.round((p.numbers - lo) / per)
    fit = fit_numeric(offsets, integer=True, discrete=False)
    span = f"{_iso(kind, lo)} to {_iso(kind, hi)}"
    if (
        fit is None
        or fit.family == "uniform"
        or (fit.family == "empirical" and _uniform_ks(offsets) <= 1.63 / math.sqrt(len(offsets)))
    ):
        spec = {"type": kind, "between": [_iso(kind, lo), _iso(kind, hi)]}
        spec.update({**seconds_places(p), **null_spec(p)})
        return [FieldOut(p.name, spec, f"uniform over {span}", scores=p.scores)]
    helper = f"_{p.name}_{unit}"[:63]
    hidden = fit_spec(fit, None, integer=True)
    if hidden.get("distribution") not in (None, "empirical", "mixture") and not (
        isinstance(hidden.get("min"), int | float) and hidden["min"] >= 0
    ):  # an offset from the earliest value: never before it
        hidden["min"] = 0
    hidden["type"] = "int"
    hidden["hidden"] = True
    origin = _iso(kind, lo)
    sql_unit, words = _UNITS[unit]
    if kind == "date":
        expr = f"CAST('{origin}' AS DATE) + {helper}"
    else:
        expr = f"CAST('{origin}' AS TIMESTAMP) + {helper} * INTERVAL '1' {sql_unit}"
    return [
        FieldOut(helper, hidden, f"{words} after {origin}: {fit.comment()}", scores=p.scores),
        FieldOut(
            p.name,
            {"expr": expr, **seconds_places(p), **null_spec(p)},
            f"{span}, distribution in `{helper}`",
        ),
    ]


def _uniform_ks(x: np.ndarray) -> float:
    x = np.sort(x)
    if x[-1] == x[0]:
        return 0.0
    f = (x - x[0]) / (x[-1] - x[0])
    n = len(x)
    emp = np.arange(1, n + 1) / n
    return float(max(np.max(np.abs(emp - f)), np.max(np.abs(emp - 1 / n - f))))


def _duration(seconds: float) -> str | float:
    """`1.5d`, `36h`, `90s`: a readable duration that parses back to (about) the same seconds."""
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            value = seconds / size
            text = f"{value:.5g}"
            if "e" not in text and abs(float(text) * size - seconds) <= 1e-4 * seconds:
                return f"{text}{unit}"
            break
    return _r(seconds, 8)


_SCALE_PARAMS = {"mean", "sd", "median", "scale", "mode"}  # in the units of the gap


def gap_field(p: ColumnProfile, order: Ordering) -> FieldOut:
    """`after: parent` with the gap distribution fitted on child − parent."""
    if p.kind == "date":
        # `after` moves a date by whole days (the gap floored): fit the days as [d, d + 1).
        fitted = duration_fit(order.gaps + 0.5, scale=86400.0, decimals=0)
    else:
        fitted = duration_fit(order.gaps / 1e6, scale=1.0, decimals=_gap_decimals(order.gaps))
    spec: dict[str, Any] = {"after": order.parent}
    if p.kind == "datetime" and order.parent_kind == "date":
        spec = {"type": "datetime", **spec}  # else the field would take the date's type
    if fitted is None:
        constant = float(order.gaps[0]) * (86400 if p.kind == "date" else 1e-6)
        if constant:
            spec["gap"] = _duration(constant)
        return FieldOut(
            p.name,
            {**spec, **seconds_places(p), **_after_nulls(p, order)},
            f"always {order.parent} + a fixed gap"
            + (f" ({_always(order)})" if order.earlier else ""),
        )
    spec["gap"], fit = fitted
    unit = "days" if p.kind == "date" else "seconds"
    return FieldOut(
        p.name,
        {**spec, **seconds_places(p), **_after_nulls(p, order)},
        f"{_always(order)}; gap in {unit}: {fit.comment()}",
    )


def _gap_decimals(us: np.ndarray) -> int:
    """Places of seconds the gaps (in µs) are written to: 0 for whole seconds, else 6."""
    return 0 if np.all(np.mod(us, 1_000_000) == 0) else 6


def duration_fit(
    values: np.ndarray, *, scale: float, decimals: int
) -> tuple[dict[str, Any], Fit] | None:
    """The best family for durations (`values` times `scale` seconds) as a `gap` or a
    timeline `after`, its scale parameters written as durations; None when every value is
    the same (no distribution to fit)."""
    fit = fit_numeric(values, integer=False, decimals=decimals, discrete=False)
    if fit is None:
        return None
    gap: dict[str, Any] = {"distribution": fit.family}
    for key, value in fit.params.items():
        if key in _SCALE_PARAMS:
            gap[key] = _duration(value * scale)
        elif key == "quantiles":
            gap[key] = [_r(max(v, 0.0) * scale, 8) for v in value]
        elif key == "components":
            gap[key] = [
                {k: (_r(v * scale, 8) if k in ("mean", "sd") else v) for k, v in c.items()}
                for c in value
            ]
        else:
            gap[key] = value
    if fit.family == "uniform":
        gap = {"min": _duration(fit.lo * scale), "max": _duration(fit.hi * scale)}
    elif fit.lo is not None:
        gap["min"] = _duration(max(fit.lo, 0.0) * scale) if fit.lo > 0 else 0
        gap["max"] = _duration(fit.hi * scale)
    if fit.family in ("normal", "mixture") and "min" not in gap:
        gap["min"] = 0  # a duration is never negative
    return gap, fit


def _always(order: Ordering) -> str:
    if not order.earlier:
        return f"always >= {order.parent}"
    share = order.earlier / (len(order.gaps) + order.earlier)
    return (
        f">= {order.parent} but on {order.earlier:,} rows ({share:.1%}), which are not reproduced"
    )


def _after_nulls(p: ColumnProfile, order: Ordering) -> dict[str, Any]:
    set_rows = len(order.gaps) + order.earlier + order.child_nulls
    if order.child_nulls and set_rows:
        return {"null_rate": _r(order.child_nulls / set_rows, 4)}
    return {}


# ---------------------------------------------------------------- text


def _generator_explains(generator: str, locale: str | None, reason: str, p: ColumnProfile) -> bool:
    """Whether a semantic generator can stand for a closed set of values: not when only the
    column's name suggested it (a store's 66 cities `Ville25` … are not the locale's), nor
    when it has fewer values than the sample (`address.country_code` is the locale's one
    country, the sample has ten)."""
    if reason.startswith("column name"):
        return False
    from ..generators import registry

    spec = registry.get(generator)
    if spec is None:
        return False
    try:
        size = spec.domain_size(spec.params(), locale or "en_US")
    except Exception:  # a generator that needs parameters: no size to compare
        return True
    return size is None or size >= p.distinct


# A choice column of person names votes for the document's locale from this many distinct
# values on, or when its name says it holds names
_NAME_VOTE_MIN = 10
_NAMES = ("person.first_name", "person.last_name", "person.full_name")


def _named_as(p: ColumnProfile, generator: str) -> bool:
    """Whether the column's name says it holds what `generator` makes (`last_name`)."""
    from .profile import name_hint

    return name_hint(p) == generator


def string_field(p: ColumnProfile, opts: InferOptions) -> tuple[list[FieldOut], str | None]:
    """(fields, locale suggested by the values)."""
    if p.distinct == 1:
        return [
            FieldOut(p.name, {"const": p.top[0][0], **null_spec(p)}, "one value in every row")
        ], None
    generator, locale, reason = semantic(p)
    params: dict[str, Any] = {}
    if generator is not None and generator.startswith("phone.number:"):
        generator, params = "phone.number", {"format": generator.partition(":")[2]}
    if generator == "phone.number" and locale is not None:
        params["locale"] = locale  # dropped again where it is the document's
    if generator is not None and not _has(generator):
        generator = None
    # A column kept as a choice says the document's locale only when its values are mostly
    # that locale's (a country column whose commonest country is 26 % France is no vote)
    vote = locale
    if locale is not None and generator is not None and locale_share(p, generator, locale) < 0.5:
        vote = None
    few = p.distinct <= opts.max_categories and p.non_null >= 2 * p.distinct
    if few and p.distinct < _NAME_VOTE_MIN and generator in _NAMES and not _named_as(p, generator):
        # a handful of words that happen to be surnames somewhere (North, South, East,
        # West are British ones) say nothing about the people in the data
        vote = None
    if few:
        weights = {str(v): c for v, c in p.top}
        comment = f"{p.distinct} categories, weights = counts in the sample"
        if generator:
            comment += f" (values look like {generator}: kept as a choice for their frequencies)"
        return [FieldOut(p.name, {"choice": weights, **null_spec(p)}, comment)], vote
    if (
        not p.unique
        and p.distinct <= MAX_CHOICE_VALUES
        and p.non_null >= REPEATS_FOR_CHOICE * p.distinct
        and p.strings is not None
        and (generator is None or not _generator_explains(generator, locale, reason, p))
    ):  # a closed set used over and over (500 SKUs in a million order lines): keep the set
        counts = Counter(p.strings)
        weights = {str(v): c for v, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
        comment = (
            f"{p.distinct} values, each used {p.non_null / p.distinct:.0f} times on average: "
            "a closed set, weights = counts in the sample"
        )
        if generator:
            comment += f" (kept over {generator}: the sample's own values)"
        return [FieldOut(p.name, {"choice": weights, **null_spec(p)}, comment)], vote
    if generator is not None:
        spec: dict[str, Any] = {"generator": generator, **params}
        if p.unique and generator in UNIQUE_GENERATORS:
            spec["unique"] = True
        return [FieldOut(p.name, {**spec, **null_spec(p)}, reason)], locale
    covered = sum(c for _, c in p.top[: opts.top_k])
    if not p.unique and covered >= 0.5 * p.non_null and p.distinct > opts.max_categories:
        return _top_and_rest(p, opts), None
    slots = word_slots(p)
    if slots is not None:
        return slots, None
    numbered = numbered_text(p)
    if numbered is not None:
        return numbered, None
    key = numbered_key(p)
    if key is not None:
        return [key], None
    if (
        p.unique
        and p.distinct <= opts.max_categories
        and p.strings is not None
        and all(
            len(v) <= LABEL_CHARS and len(v.split()) <= LABEL_WORDS and _LABEL.fullmatch(v)
            for v in p.strings
        )
    ):  # a small lookup table's labels (departments, regions): its own values, each once;
        # only words, so no identifier, plate, token or code is copied into the schema
        spec = {"choice": sorted(set(p.strings)), "unique": True}
        comment = (
            f"{p.distinct} distinct labels, each once: the sample's own set "
            "(more rows than labels need `unique` dropped)"
        )
        return [FieldOut(p.name, {**spec, **null_spec(p)}, comment)], None
    pattern = induce_pattern(p.strings or [])
    if pattern is not None and opts.models and _WORDS.fullmatch(pattern):
        pattern = None  # words of varying length (surnames, place names): text, not a code
    if pattern is not None:
        spec = {"pattern": pattern}
        comment = "pattern induced from the values"
        if p.unique and fixed_positions(parse_pattern(pattern)) is not None:
            spec["unique"] = True  # one length: distinct by construction
        elif p.unique:  # lengths vary: short ones can run out ($2.00 … $9.00), so not enforced
            comment += "; distinct in the sample, not required"
        return [FieldOut(p.name, {**spec, **null_spec(p)}, comment)], None
    return [_free_text(p)], None


_NUMBERED = r"^(?P<head>\D*?)(?P<number>0|[1-9][0-9]{0,17})(?P<tail>\D*)$"
_CODED = r"^(?P<head>\D*?)(?P<number>[0-9]{1,18})(?P<tail>\D*)$"


def _around_a_number(values: list[str], regex: str) -> tuple[str, str, pa.Array, np.ndarray] | None:
    """(head, tail, digits, numbers) when every value is the same text around a whole number
    (`regex` names the parts head, number and tail), or None."""
    text = pa.array(values, pa.string())
    if not pc.all(pc.match_substring_regex(text.slice(0, 1000), regex)).as_py():
        return None  # the first values rule most columns out before the whole one is read
    parts = pc.extract_regex(text, regex)
    if parts.null_count:
        return None
    heads = pc.unique(parts.field("head")).to_pylist()
    tails = pc.unique(parts.field("tail")).to_pylist()
    if len(heads) != 1 or len(tails) != 1 or heads == tails == [""]:
        return None
    digits = parts.field("number")
    numbers = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
    return heads[0], tails[0], digits, numbers


def numbered_key(p: ColumnProfile) -> FieldOut | None:
    """`INV-1000` … `INV-1499`, `ORD-000001` …: one text around consecutive whole numbers,
    each once, in one length or without leading zeros. A sequence written with a number
    format keeps the counter (a pattern would draw random codes in the same shape), and a
    reference to the key holds the same text."""
    values = p.strings or []
    if len(values) < 20 or not p.unique or p.nulls or len(values) != p.non_null:
        return None
    around = _around_a_number(values, _CODED)
    if around is None:
        return None
    head, tail, digits, numbers = around
    lo, hi = int(numbers.min()), int(numbers.max())
    if hi - lo + 1 != len(numbers):
        return None  # not a counter
    widths = pc.unique(pc.utf8_length(digits)).to_pylist()
    padded = pc.any(pc.starts_with(digits, "0")).as_py() and max(widths) > 1
    if padded and len(widths) != 1:
        return None  # zeros in front of some lengths only: no format writes that
    spec = f"{{:0{widths[0]}d}}" if padded else "{:d}"
    escape = lambda text: text.replace("{", "{{").replace("}", "}}")  # noqa: E731
    written = f"{escape(head)}{spec}{escape(tail)}"
    return FieldOut(
        p.name,
        {"sequence": lo, "format": written},
        f"key: consecutive numbers {lo}..{hi} written as {written}",
    )


def numbered_text(p: ColumnProfile) -> list[FieldOut] | None:
    """`Item 7` … `Item 399`: one text around a whole number written without leading zeros,
    in more than one length. A pattern would draw each length equally often and write
    `Item 06`; a hidden integer in a template keeps the numbers and their lengths."""
    values = p.strings or []
    if len(values) < 20:
        return None
    around = _around_a_number(values, _NUMBERED)
    if around is None:
        return None
    head, tail, digits, numbers = around
    if len(pc.unique(pc.utf8_length(digits))) < 2:
        return None  # one length: a pattern writes it exactly
    helper = f"_{p.name}_number"
    lo, hi = int(numbers.min()), int(numbers.max())
    hidden: dict[str, Any] = {"type": "int", "min": lo, "max": hi, "hidden": True}
    if p.unique and hi - lo + 1 == len(numbers):  # every number once: a counter, any scale
        hidden = {"sequence": lo, "hidden": True}
    elif p.unique:
        # drawn for every row, the NULL ones too: the range must hold a number per row
        hidden["max"] = max(hi, lo + p.n - 1)
        hidden["unique"] = True
    escape = lambda text: text.replace("{", "{{").replace("}", "}}")  # noqa: E731
    template = f"{escape(head)}{{{helper}}}{escape(tail)}"
    return [
        FieldOut(helper, hidden, f"the number in {p.name}, {lo} to {hi}"),
        FieldOut(p.name, {"template": template, **null_spec(p)}, "text around a number"),
    ]


MAX_LONG_TEXT_CHARS = 40_000  # long text up to this much gets a model of its own words
MAX_SLOT_WORDS = 60  # distinct words one position of a slotted name may hold


def word_slots(p: ColumnProfile) -> list[FieldOut] | None:
    """Values that are always k words, each position from a small vocabulary of its own
    ("Ergonomic Steel Chair": adjective, material, product): a hidden `choice` per position
    (weights = counts) joined by a template, so new combinations come in the same style."""
    values = p.strings or []
    if p.distinct < 20 or not values or p.unique:
        return None
    k = values[0].count(" ") + 1
    # counted before split: a column of comments fails here without a list per row
    if not 2 <= k <= 4 or any(v.count(" ") != k - 1 for v in values):
        return None
    split = [v.split(" ") for v in values]
    columns = [Counter(words[i] for words in split) for i in range(k)]
    if any(
        not 2 <= len(c) <= MAX_SLOT_WORDS or "" in c or not all(w.isalpha() for w in c)
        for c in columns
    ):  # a fixed word or numbers (`Item 12`) make a code: a pattern writes it better
        return None
    combinations = math.prod(len(c) for c in columns)
    # Positions that combine freely show about as many distinct values as independent draws
    # would; a list of fixed names ("New York", "Los Angeles") shows far fewer.
    independent = combinations * (1 - math.exp(-len(values) / combinations))
    if p.distinct < 0.5 * independent:
        return None
    fields = []
    names = []
    for i, counts in enumerate(columns):
        helper = f"_{p.name}_w{i + 1}"[:63]
        names.append(helper)
        weights = {w: c for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
        fields.append(
            FieldOut(
                helper,
                {"choice": weights, "hidden": True},
                f"word {i + 1} of {p.name}: {len(counts)} words, weights = counts",
            )
        )
    template = " ".join("{" + n + "}" for n in names)
    fields.append(
        FieldOut(
            p.name,
            {"template": template, **null_spec(p)},
            f"{k} words, each position from its own vocabulary "
            f"({' × '.join(str(len(c)) for c in columns)} = {combinations:,} combinations)",
        )
    )
    return fields


LABEL_CHARS, LABEL_WORDS = 40, 4  # short labels, not prose: a lookup set copied as is
_LABEL = re.compile(r"[^\W\d_]+(?:[ '&/\-][^\W\d_]+)*")  # words without digits
MAX_CHOICE_VALUES = 1000  # a closed set of values written out in full as a `choice`
REPEATS_FOR_CHOICE = 10  # … when each value is used this often on average


LOREM_SENTENCE_WORDS = 8  # lorem.paragraph's sentences: 4 to 12 words


def _lorem_of_length(values: list[str]) -> dict[str, Any]:
    """lorem.sentence with the column's word counts (5th to 95th percentile), or for text
    longer than a sentence can be, lorem.paragraph with as many sentences."""
    from ..generators.lorem import MAX_SENTENCES, MAX_WORDS

    counts = np.array([len(v.split()) for v in values] or [8])
    low, high = (round(float(np.quantile(counts, q))) for q in (0.05, 0.95))
    low, high = max(low, 1), max(high, low, 1)
    if high <= MAX_WORDS:
        return {"generator": "lorem.sentence", "min_words": low, "max_words": high}
    few, many = (min(max(round(n / LOREM_SENTENCE_WORDS), 1), MAX_SENTENCES) for n in (low, high))
    return {"generator": "lorem.paragraph", "min_sentences": few, "max_sentences": many}


def _free_text(
    p: ColumnProfile, name: str | None = None, values: list[str] | None = None
) -> FieldOut:
    values = values if values is not None else (p.strings or [""])
    lengths = [len(v) for v in values] or [8]
    words = float(np.mean([len(v.split()) for v in values])) if values else 0.0
    if words >= 4 and _has("lorem.sentence"):
        # lorem unless an n-gram model of the column's own words can be trained (text=…);
        # not for bulk text (comments on every row), whose model takes minutes to check
        modest = sum(lengths) <= MAX_LONG_TEXT_CHARS
        return FieldOut(
            name or p.name,
            {**_lorem_of_length(values), **({} if name else null_spec(p))},
            f"free text, {words:.1f} words on average",
            text=values if modest and len(set(values)) >= MIN_MODEL_VALUES else None,
        )
    lo, hi = max(min(lengths), 1), max(max(lengths), 1)
    spec = {"type": "string", "min": lo, "max": hi}
    return FieldOut(
        name or p.name,
        {**spec, **({} if name else null_spec(p))},
        "free text: random letters of the observed lengths",
        text=values if len(set(values)) >= MIN_MODEL_VALUES else None,
    )


def _top_and_rest(p: ColumnProfile, opts: InferOptions) -> list[FieldOut]:
    top = p.top[: opts.top_k]
    kept = {str(v) for v, _ in top}
    rest_values = [v for v in (p.strings or []) if v not in kept]
    remainder = len(rest_values)
    other = "__other__"
    weights = {str(v): c for v, c in top}
    weights[other] = remainder
    top_name, rest_name = f"_{p.name}_top"[:63], f"_{p.name}_rest"[:63]
    pattern = induce_pattern(rest_values)
    if pattern is not None:
        rest = FieldOut(
            rest_name, {"pattern": pattern, "hidden": True}, "pattern of the remaining values"
        )
    else:
        rest = _free_text(p, rest_name, rest_values)
        rest.spec["hidden"] = True
    expr = f"CASE WHEN {top_name} = '{other}' THEN {rest_name} ELSE {top_name} END"
    share = remainder / max(p.non_null, 1)
    return [
        FieldOut(
            top_name,
            {"choice": weights, "hidden": True},
            f"the {len(top)} most frequent of {p.distinct:,} values; {share:.1%} of rows are other values",
        ),
        rest,
        FieldOut(p.name, {"expr": expr, **null_spec(p)}, "top values, else the remainder"),
    ]


def bool_field(p: ColumnProfile) -> FieldOut:
    if not p.non_null:
        return FieldOut(p.name, {"type": "bool", "null_rate": 1.0}, "NULL in every row")
    true = dict(p.top).get(True, 0)
    share = true / max(p.non_null, 1)
    if _has("misc.boolean"):
        spec = {"generator": "misc.boolean", "probability": _r(share, 4)}
    else:
        spec = {"type": "bool"}
    return FieldOut(p.name, {**spec, **null_spec(p)}, f"true in {share:.1%} of rows")


# ---------------------------------------------------------------- keys and references


def key_field(p: ColumnProfile) -> FieldOut:
    if p.kind == "int":
        lo, hi = p.int_range or (int(p.numbers.min()), int(p.numbers.max()))
        if p.sorted_steps is not None:
            spec = {"sequence": lo}
            if p.sorted_steps != 1:
                spec["step"] = p.sorted_steps
            return FieldOut(p.name, spec, "key: consecutive integers")
        if hi - lo + 1 == p.non_null:
            return FieldOut(
                p.name, {"sequence": lo}, f"key: every integer {lo}..{hi} (shuffled in the sample)"
            )
        return FieldOut(
            p.name,
            {"type": "int", "min": lo, "max": hi, "unique": True},
            "key: distinct integers in the observed range",
        )
    generator, _, _ = semantic(p)
    if generator == "id.uuid4" and _has("id.uuid4"):
        return FieldOut(p.name, {"generator": "id.uuid4", "unique": True}, "key: UUIDs")
    key = numbered_key(p)
    if key is not None:
        return key
    pattern = induce_pattern(p.strings or [])
    if pattern is not None:
        return FieldOut(
            p.name, {"pattern": pattern, "unique": True}, "key: pattern induced from the values"
        )
    return FieldOut(p.name, {"type": "uuid"}, "key: distinct text with no common pattern")


def count_spec(parent: str, counts: np.ndarray) -> tuple[dict[str, Any], str]:
    fit = fit_counts(counts)
    if fit is None:
        return {"per": parent, "const": 0}, "no children"
    if fit.family == "const":
        return {
            "per": parent,
            "const": fit.params["const"],
        }, f"exactly {fit.params['const']} per {parent} row"
    if fit.family == "uniform":
        spec = {"per": parent, "min": int(fit.lo), "max": int(fit.hi)}
    elif fit.family == "choice":
        spec = {"per": parent, "choice": dict(fit.params["choice"])}
    else:
        spec = {"per": parent, "distribution": fit.family, **fit.params}
        if fit.lo is not None and fit.lo > 0:
            spec["min"] = int(fit.lo)
        if fit.hi is not None:
            spec["max"] = int(fit.hi)
    return spec, f"children per {parent} row: {fit.comment()}"


def copy_field(p: ColumnProfile, path: str, rows: int) -> FieldOut:
    """`from: path`: NULL exactly where the key or the parent's value is (checked), so no
    `null_rate` on top."""
    return FieldOut(p.name, {"from": path}, f"equal to {path} on all {rows:,} rows")


def comparison_field(p: ColumnProfile, c: Comparison, quote) -> FieldOut:
    """`expr: x > t` / `x >= y`: NULL where an input is (checked against the sample), so no
    `null_rate` on top."""
    where = " (NULL where an input is)" if c.rows < p.n else ""
    note = f"{c.target} = {c.sql(str)} on all {c.rows:,} rows{where}, {c.trues:,} true"
    if c.gap is not None:
        below, above = ("false", "true") if c.op in (">", ">=") else ("true", "false")
        note += f"; {below} up to {c.gap[0]}, {above} from {c.gap[1]}"
    return FieldOut(c.target, {"expr": c.sql(quote)}, note)


def labelled_comparison_field(
    p: ColumnProfile, c: Comparison, labels: tuple[str, str], quote
) -> FieldOut:
    """A two-valued text column that a comparison gives (`kind: credit` where `amount >=
    0`, else `debit`): a CASE, NULL where an input is (both WHENs are then unknown)."""
    low, high = ("'" + v.replace("'", "''") + "'" for v in labels)
    cond = c.sql(quote)
    if c.rows < p.n:
        expr = f"CASE WHEN {cond} THEN {high} WHEN NOT ({cond}) THEN {low} END"
    else:
        expr = f"CASE WHEN {cond} THEN {high} ELSE {low} END"
    where = " (NULL where an input is)" if c.rows < p.n else ""
    note = (
        f"{labels[1]} where {c.sql(str)}, else {labels[0]}, on all {c.rows:,} rows{where}"
        f" ({c.trues:,} {labels[1]})"
    )
    if c.gap is not None:
        below, above = labels if c.op in (">", ">=") else labels[::-1]
        note += f"; {below} up to {c.gap[0]}, {above} from {c.gap[1]}"
    return FieldOut(c.target, {"expr": expr}, note)


def relation_field(p: ColumnProfile, rel: Relation, quote) -> FieldOut:
    spec: dict[str, Any] = {"expr": rel.sql(quote)}
    if p.kind == "float" and p.decimals is not None and p.decimals <= MAX_DECIMALS:
        spec["round"] = p.decimals
    elif p.kind == "decimal" and p.precision is not None:
        spec["type"] = f"decimal({p.precision[0]},{p.precision[1]})"
    elif p.kind == "int":
        spec["type"] = "int"
    spec.update(null_spec(p))
    return FieldOut(
        p.name,
        spec,
        f"{p.name} = {rel.left} {rel.op} {rel.right} on all {rel.rows:,} rows (largest error {rel.max_error:.2g})",
    )
