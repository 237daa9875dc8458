"""Distribution sampling by inverse CDF from Phony's own uniforms.

scipy provides the quantile functions (ppf); for gamma and beta, whose scipy ppf is a
per-value root search, a table of scipy's exact quantiles interpolated to 1e-10 in
probability (quantile_table). Which uniform feeds which row is ours, so a numpy or scipy
upgrade can change a value only through the ppf arithmetic itself (documented in
spec/pdl.md, "Determinism").
"""

from __future__ import annotations

import functools
import json
from typing import Any

import numpy as np

from .. import distributions
from ..durations import parse_duration
from .quantile_table import quantile_table

# Families whose scipy ppf inverts the CDF numerically per value (seconds per million):
# sampled through a checked interpolation table instead (see quantile_table).
TABULATED = frozenset({"gamma", "beta"})


def frozen(name: str, params: dict[str, Any], lo: float | None, hi: float | None) -> Any:
    try:
        key = json.dumps(params, sort_keys=True)
    except TypeError:  # a parameter JSON cannot hold: no cache
        d = distributions.REGISTRY[name]
        return d.frozen(d.params.model_validate(params), lo, hi)
    return _frozen(name, key, lo, hi)


@functools.lru_cache(maxsize=256)
def _frozen(name: str, params_json: str, lo: float | None, hi: float | None) -> Any:
    """A frozen scipy distribution per (family, parameters, bounds). Freezing builds a new
    scipy object (with generated argument parsers) and validates the parameters: once per
    process instead of once per block. Frozen distributions are not changed by use."""
    d = distributions.REGISTRY[name]
    parsed = d.params.model_validate(json.loads(params_json))
    return d.frozen(parsed, lo, hi)


def seconds_params(params: dict[str, Any]) -> dict[str, Any]:
    """Duration strings (`30d`) in a gap's parameters → seconds, in a mixture's components
    too (their `distribution` names stay as they are)."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if k == "components" and isinstance(v, list):
            out[k] = [seconds_params(c) if isinstance(c, dict) else c for c in v]
        elif isinstance(v, str) and k != "distribution":
            out[k] = parse_duration(v)
        else:
            out[k] = v
    return out


def sample(
    name: str,
    params: dict[str, Any],
    u: np.ndarray,
    *,
    lo: float | None = None,
    hi: float | None = None,
    clip: bool = False,
    pick: np.ndarray | None = None,
) -> np.ndarray:
    """Values of a distribution for uniforms `u` in (0, 1), truncated (or clipped) to [lo, hi].

    `pick` (uniforms) chooses mixture components; it is unused otherwise.
    """
    d = distributions.REGISTRY[name]
    if name == "mixture":
        return _mixture(params, u, pick if pick is not None else u, lo, hi, clip)
    dist = frozen(name, params, lo, hi)
    # Discrete families: our table + bisection inverse (scipy's generic one is slow, and for
    # zipf it can fail with "updating stopped, endless loop"); same values as scipy's.
    if d.discrete:
        ppf = lambda q: discrete_ppf(name, dist, q)  # noqa: E731
    elif name in TABULATED:
        ppf = quantile_table(dist).ppf
    else:
        ppf = dist.ppf
    if clip or d.needs_bounds or (lo is None and hi is None):
        values = ppf(u)
    else:
        # Truncation: map u into the CDF range of [lo, hi], so no mass piles up at the bounds.
        if d.discrete:
            c_lo = dist.cdf(lo - 1) if lo is not None else 0.0
        else:
            c_lo = dist.cdf(lo) if lo is not None else 0.0
        c_hi = dist.cdf(hi) if hi is not None else 1.0
        values = ppf(c_lo + u * (c_hi - c_lo))
    if lo is not None or hi is not None:
        values = np.clip(
            values, lo if lo is not None else -np.inf, hi if hi is not None else np.inf
        )
    return values


def _mixture(
    params: dict[str, Any],
    u: np.ndarray,
    pick: np.ndarray,
    lo: float | None,
    hi: float | None,
    clip: bool,
) -> np.ndarray:
    comps = params["components"]
    weights = np.array([float(c.get("weight", 1)) for c in comps])
    cumulative = np.cumsum(weights) / weights.sum()
    which = np.minimum(np.searchsorted(cumulative, pick, side="right"), len(comps) - 1)
    out = np.empty(len(u), dtype=np.float64)
    for i, comp in enumerate(comps):
        sel = which == i
        if not sel.any():
            continue
        comp = dict(comp)
        comp.pop("weight", None)
        name = comp.pop("distribution")
        c_lo = comp.pop("min", lo)
        c_hi = comp.pop("max", hi)
        out[sel] = sample(name, comp, u[sel], lo=c_lo, hi=c_hi, clip=clip)
    return out


_TABLE = 4096
_TOP = 2.0**63  # draws are stopped here: no int64 column holds more (see whole_numbers)
_EXACT = 2.0**53  # doubles hold every integer below this


def discrete_ppf(name, dist, q):
    """Smallest integer k with F(k) >= q, for arrays q in (0, 1): a CDF table over the
    first 4096 support points, then integer bisection on the exact CDF for the rare q
    beyond it. Replaces scipy's generic per-value loop (slow, and for zipf it can raise
    'updating stopped, endless loop')."""
    q = np.asarray(q, dtype=np.float64)
    lo = dist.support()[0]
    lo = 0 if not np.isfinite(lo) else int(lo)
    cdf = _cdf_function(name, dist)
    ks = np.arange(lo, lo + _TABLE, dtype=np.float64)
    table = getattr(dist, "_phony_cdf_table", None)  # frozen objects are cached (frozen())
    if table is None:
        table = cdf(ks)
        dist._phony_cdf_table = table
    idx = np.searchsorted(table, q, side="left")
    out = ks[np.minimum(idx, _TABLE - 1)]
    tail = idx >= _TABLE
    if tail.any():
        qt = q[tail]
        a = np.full(qt.shape, ks[-1])  # F(a) < q
        b = a * 2 + 1
        for _ in range(64):  # grow b until F(b) >= q, at most to 2**63 (past any int64)
            short = (cdf(b) < qt) & (b < _TOP)
            if not short.any():
                break
            a = np.where(short, b, a)
            b = np.where(short, np.minimum(b * 2 + 1, _TOP), b)
        # Bisection in doubles: exact below 2**53; above, neighbours merge and the gap stops
        # shrinking (an unbounded zipf's far tail), so it ends there with b as the draw.
        for _ in range(64):
            active = (b - a > 1) & (b < _EXACT)
            if not active.any():
                break
            mid = np.floor((a + b) / 2)
            below = (cdf(mid) < qt) & active
            above = ~below & active
            a = np.where(below, mid, a)
            b = np.where(above, mid, b)
        out[tail] = b
    return out


def _cdf_function(name, dist):
    if name == "zipf" and getattr(dist.dist, "name", "") == "zipf":
        from scipy import special

        (s,) = dist.args
        total = special.zeta(s, 1)
        return lambda k: 1.0 - special.zeta(s, np.maximum(k, 1) + 1) / total
    return dist.cdf
