"""A column that trends with the table's sequence key: a straight line plus noise.

Yearly or monthly tables (wheat prices by year, miles driven by year) keep their key as a
`sequence`, which a copula cannot hold, so a column rising with the years would come out
flat. When a numeric column's rank correlation with the key reaches TREND_RHO, it is
written as `expr: a + b * key + _<column>_noise`: the least-squares line and a hidden
field with the fitted distribution of the residuals (which may join the correlate block).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .document import FieldOut, _numeric_spec, _r
from .fit import fit_numeric
from .profile import ColumnProfile
from .relations import spearman_matrix

__all__ = ["TREND_RHO", "growing_times", "trend_fields"]

TREND_RHO = 0.6  # |Spearman| with the key from which a column is a trend plus noise
MIN_ROWS = 20


def _shaped(p: ColumnProfile, expr: str) -> dict[str, Any]:
    """The expr with the column's type or rounding and its NULL share."""
    spec: dict[str, Any] = {"expr": expr}
    if p.kind == "int":
        spec["type"] = "int"
    elif p.kind == "decimal" and p.precision is not None:
        spec["type"] = f"decimal({p.precision[0]},{p.precision[1]})"
    elif p.decimals is not None:
        spec["round"] = p.decimals
    if p.nulls:
        spec["null_rate"] = _r(p.null_rate, 4)
    return spec


def _exact_line(p: ColumnProfile, key: str, intercept: float, slope: float) -> FieldOut:
    line = f"{slope} * {key}" if intercept == 0 else f"{intercept} + {slope} * {key}"
    return FieldOut(p.name, _shaped(p, line), f"{p.name} = {line} on every row")


def _identifier(name: str) -> bool:
    """Ids rise with the key too (a manager hired earlier): they are references, not trends."""
    n = name.lower()
    return n == "id" or n.endswith(("_id", "id", "_key", "_no", "_code", "_ref"))


def trend_fields(p: ColumnProfile, key: str, key_values: np.ndarray) -> list[FieldOut] | None:
    """[hidden noise field, the column as line + noise], or None (no clear trend)."""
    if p.scores is None or p.distinct < MIN_ROWS // 2 or _identifier(p.name):
        return None
    if len(key_values) and float(np.max(np.abs(key_values))) >= 2**53:
        return None  # snowflake-size keys: a line through them has no usable precision
    known = ~np.isnan(p.scores)
    x, y = key_values.astype(np.float64)[known], p.scores[known]
    if len(y) < MIN_ROWS:
        return None
    rho = float(spearman_matrix([x, y])[0, 1])  # mid-ranks, as the correlate block's
    if abs(rho) < TREND_RHO:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    slope, intercept = _r(float(slope)), _r(float(intercept))
    residuals = np.full(len(p.scores), np.nan)  # aligned with the rows, NaN where y is NULL
    residuals[known] = y - (intercept + slope * x)
    tol = 0.5 * 10.0 ** -(p.decimals or 0) if p.decimals is not None or p.kind == "int" else 0.0
    tol = max(tol, 1e-9 * float(np.max(np.abs(y))))
    if float(np.max(np.abs(residuals[known]))) <= tol:  # the line itself: an exact formula
        return [_exact_line(p, key, intercept if abs(intercept) > tol else 0.0, slope)]
    fit = fit_numeric(residuals[known], integer=False, decimals=None, defer_mixtures=True)
    if fit is None or not all(math.isfinite(v) for v in (slope, intercept)):
        return None
    noise = f"_{p.name}_noise"[:63]
    noise_spec: dict[str, Any] = {**_numeric_spec(fit, p, False), "hidden": True}
    for k in ("round", "null_rate", "type"):
        noise_spec.pop(k, None)
    spec = _shaped(p, f"{intercept} + {slope} * {key} + {noise}")
    return [
        FieldOut(noise, noise_spec, f"residuals of {p.name} around its trend: {fit.comment()}",
                 scores=residuals),
        FieldOut(p.name, spec, f"trend with {key} (Spearman {rho:+.2f}) plus noise"),
    ]  # fmt: skip


def growing_times(p: ColumnProfile, key: str) -> list[FieldOut] | None:
    """A datetime that never decreases along the sequence key (records stamped as they were
    made): the first time plus a running sum of fitted gaps, so it keeps growing with the
    key. None unless every row has a time and some gap is positive."""
    from .document import _iso, fit_spec, seconds_places

    if p.kind != "datetime" or p.scores is None or p.nulls or len(p.scores) < MIN_ROWS:
        return None
    gaps = np.diff(p.scores) / 1e6  # microseconds → seconds, in key order
    if gaps.min() < 0 or gaps.max() <= 0:
        return None
    start = _iso("datetime", float(p.scores[0]))
    if gaps.max() - gaps.min() <= 1e-6:  # a clock: every row the same step after the last
        step = _r(float(gaps[0]))
        expr = (
            f"CAST('{start}' AS TIMESTAMP) + "
            f"(ROW_NUMBER() OVER (ORDER BY {key}) - 1) * {step} * INTERVAL '1' SECOND"
        )
        return [
            FieldOut(
                p.name,
                {"expr": expr, **seconds_places(p)},
                f"every {step:g} s along {key}, from {start}",
            )
        ]
    fit = fit_numeric(gaps, integer=False, decimals=None, discrete=False)
    if fit is None:
        return None
    helper = f"_{p.name}_gap"[:63]
    gap_spec: dict[str, Any] = {**fit_spec(fit, None, integer=False), "hidden": True}
    if "min" not in gap_spec and fit.family not in ("empirical", "choice"):
        gap_spec["min"] = 0  # time only moves forward
    # the gaps before this row: the running sum up to it, less its own gap
    expr = (
        f"CAST('{start}' AS TIMESTAMP) + "
        f"(SUM({helper}) OVER (ORDER BY {key}) - {helper}) * INTERVAL '1' SECOND"
    )
    return [
        FieldOut(helper, gap_spec, f"seconds from one {p.name} to the next: {fit.comment()}"),
        FieldOut(
            p.name,
            {"expr": expr, **seconds_places(p)},
            f"never decreases along {key}: the first time plus the gaps so far",
        ),
    ]
