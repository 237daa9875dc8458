"""Calibrating a Gaussian copula so the *outputs* have the requested correlations.

A `correlate` block draws normal scores with correlation r and maps each score
through its field's inverse CDF. The Pearson correlation of the resulting values
is a function ρ(r) of r and of the two marginals; it equals r only for two
untruncated normals. For each pair this module finds the r that gives the
target:

- Pearson (`rho`, `matrix`): ρ(r) is the correlation of the values.
- Spearman (`spearman`): ρ(r) is the correlation of the mid-ranks (the value
  through its mid-rank CDF F(x−) + P(X = x)/2), which is what
  `scipy.stats.spearmanr` measures, ties included. For two marginals without
  atoms this is the closed form 2·sin(π·ρ/6).

ρ(r) comes from Mehler's expansion of the bivariate normal density:
E[g1(Z1) g2(Z2)] = Σ_k c1_k c2_k r^k, where c_k = E[g(Z) h_k(Z)] are the
coefficients of g in the orthonormal Hermite polynomials h_k. Each marginal's
coefficients are computed once on a fixed grid of normal quantiles, so ρ(r) is
a polynomial in r, and Newton steps find the roots of every pair at once. ρ(r) is
increasing in r for non-decreasing g1, g2, so the root is unique; a target
beyond what the marginals allow is clamped to the nearest achievable value.

Results are rounded to 1e-9 so that last-bit differences between machines do
not reach the Cholesky factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..blas_threads import one_blas_thread
from ..types import BOOL_WORDS

__all__ = [
    "UNREACHABLE",
    "Marginal",
    "achieved_correlation",
    "calibrate_pair",
    "calibrate_pairs",
    "copula_cholesky",
    "copula_matrix",
    "marginal_of",
    "reachable",
]

GRID = 8192  # normal quantiles per marginal
TERMS = 48  # Hermite terms
_MAX_TABLE = 2_000_000  # largest discrete support tabulated for an inverse CDF
_EDGE = 0.9999


@dataclass(frozen=True, eq=False)
class Marginal:
    """A field's values on the quantile grid: one row per mixture component, with weights."""

    values: np.ndarray  # shape (components, GRID), each row non-decreasing in u
    weights: np.ndarray  # shape (components,), sums to 1
    _memo: dict = field(default_factory=dict, repr=False)

    @property
    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        # Made anew on each call: keeping every field's 64 KB of weights alive (asked twice)
        # made wine's calibration slower, 8.5 → 10 ms CPU, not faster.
        w = np.repeat(self.weights / self.values.shape[1], self.values.shape[1])
        return self.values.ravel(), w

    def has_atoms(self) -> bool:
        """True when some value carries clearly more mass than one grid step (ties)."""
        if "atoms" not in self._memo:  # asked once per pair: 465 times in a 31-field block
            self._memo["atoms"] = bool(self.ties()[1].max() > 4.0 / self.values.shape[1])
        return self._memo["atoms"]

    def ties(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(distinct values in increasing order, the mass of each, and the index into them
        of each of `values`)."""
        if "ties" not in self._memo:
            x, w = self.pooled
            ordered = len(self.values) == 1 and not np.any(x[1:] < x[:-1])
            if not ordered:
                order = np.argsort(x, kind="stable")
                x, w = x[order], w[order]
            new = np.concatenate(([True], x[1:] != x[:-1]))
            starts = np.flatnonzero(new)
            distinct = x[starts]
            if ordered:  # one component, non-decreasing in u as always: no search needed
                index = (np.cumsum(new) - 1).reshape(self.values.shape)
            else:
                index = np.searchsorted(distinct, self.values)
            if ordered and len(w) and math.frexp(float(w[0]))[0] == 0.5:
                # every grid point weighs the same power of two: a run's sum is its length
                # times that weight, exactly (what add.reduceat adds up one by one)
                lengths = np.diff(np.append(starts, len(x)))
                mass = lengths * w[0]
            else:
                mass = np.add.reduceat(w, starts)
            self._memo["ties"] = (distinct, mass, index)
        return self._memo["ties"]


def _grid() -> tuple[np.ndarray, np.ndarray]:
    from scipy.special import ndtri

    u = (np.arange(GRID, dtype=np.float64) + 0.5) / GRID
    return u, ndtri(u)


def _hermite(x: np.ndarray, terms: int) -> np.ndarray:
    """Orthonormal probabilists' Hermite polynomials h_1..h_terms at x (rows)."""
    out = np.empty((terms, len(x)))
    prev, cur = np.ones_like(x), x.copy()
    out[0] = cur
    for k in range(1, terms):
        nxt = (x * cur - math.sqrt(k) * prev) / math.sqrt(k + 1)
        prev, cur = cur, nxt
        out[k] = cur
    return out


_CACHE: dict[str, Any] = {}


def _basis() -> tuple[np.ndarray, np.ndarray]:
    if "basis" not in _CACHE:
        u, x = _grid()
        _CACHE["basis"] = (u, _hermite(x, TERMS))
    return _CACHE["basis"]


def _scores(m: Marginal, method: str) -> tuple[np.ndarray, float]:
    """(E[score | u] on the grid, sd of the score) for `pearson` or `spearman`."""
    if method == "pearson":
        s = m.values
    else:
        _, mass, index = m.ties()
        below = np.cumsum(mass) - mass
        mid = below + mass / 2  # mid-rank CDF of each distinct value
        s = mid[index]
    x, w = m.pooled if method == "pearson" else (s.ravel(), m.pooled[1])
    mean = float(np.sum(w * x))
    sd = math.sqrt(max(float(np.sum(w * (x - mean) ** 2)), 0.0))
    g = (m.weights[:, None] * s).sum(axis=0)  # E[score | u] over mixture components
    return g - mean, sd


def _coefficients(m: Marginal, method: str) -> tuple[np.ndarray, float]:
    key = "coef-" + method
    if key not in m._memo:
        _prepare([m], method)
    return m._memo[key]


def _prepare(margins: list[Marginal], method: str) -> None:
    """Hermite coefficients of every marginal not yet known, in one matrix product: a
    block's 14 fields take a quarter of the time of 14 matrix-vector products."""
    key = "coef-" + method
    todo: list[Marginal] = []
    seen: set[int] = set()
    for m in margins:  # each once, in the order given
        if key not in m._memo and id(m) not in seen:
            seen.add(id(m))
            todo.append(m)
    if not todo:
        return
    scores = [_scores(m, method) for m in todo]
    _, h = _basis()
    # On one BLAS thread: a pool of them spinning on a busy machine made this product (and
    # so a small table's whole generate) ten times slower, not faster.
    with one_blas_thread():
        coefs = np.stack([g for g, _ in scores]) @ h.T / GRID
    for m, row, (_, sd) in zip(todo, coefs, scores, strict=True):
        m._memo[key] = (row, sd)


def achieved_correlation(a: Marginal, b: Marginal, r: float, method: str = "pearson") -> float:
    """Correlation of the outputs when the copula's normal correlation is r."""
    ca, sa = _coefficients(a, method)
    cb, sb = _coefficients(b, method)
    if sa == 0 or sb == 0:
        return 0.0
    powers = r ** np.arange(1, TERMS + 1)
    return float(np.sum(ca * cb * powers) / (sa * sb))


def calibrate_pair(a: Marginal, b: Marginal, target: float, method: str = "pearson") -> float:
    """The normal correlation r in (-1, 1) whose outputs have correlation `target`."""
    return float(calibrate_pairs([(a, b, target)], method)[0])


def calibrate_pairs(
    pairs: list[tuple[Marginal, Marginal, float]], method: str = "pearson"
) -> np.ndarray:
    """`calibrate_pair` for many pairs at once (a 31-field block has 465 pairs; one root
    finder per pair cost 0.09 s of Python calls). Results are rounded to 1e-9 like every
    calibrated correlation."""
    return _calibrate(pairs, method)[0]


def _calibrate(
    pairs: list[tuple[Marginal, Marginal, float]], method: str
) -> tuple[np.ndarray, list[float | None]]:
    """(normal correlation per pair, `reachable` per pair).

    ρ(r) is an increasing polynomial, so the root is unique: safeguarded Newton steps on
    every pair at once, each step halving the bracket instead when it would leave it,
    until no root moves by more than 1e-15 (about six steps where 48 bisections were
    needed before). Targets beyond what the marginals allow are clamped to ±EDGE."""
    out = np.zeros(len(pairs))
    bounds: list[float | None] = [None] * len(pairs)
    coefs, targets, slots = [], [], []
    closed = [method == "spearman" and not a.has_atoms() and not b.has_atoms() for a, b, _ in pairs]
    _prepare(
        [m for (a, b, t), c in zip(pairs, closed, strict=True) if t != 0 and not c for m in (a, b)],
        method,
    )
    for i, (a, b, target) in enumerate(pairs):
        if target == 0:
            continue
        if closed[i]:  # 2 sin(π ρ / 6): every target in [−1, 1] is reachable
            out[i] = round(2 * math.sin(math.pi * target / 6), 9)
            continue
        ca, sa = _coefficients(a, method)
        cb, sb = _coefficients(b, method)
        if sa == 0 or sb == 0:  # a constant field: nothing to correlate
            bounds[i] = _unreachable(target, 0.0)
            continue
        coefs.append(ca * cb / (sa * sb))
        targets.append(target)
        slots.append(i)
    if not slots:
        return out, bounds
    coef, target = np.array(coefs).T.copy(), np.array(targets)  # coef[k - 1]: term r**k
    slope = coef * np.arange(1, TERMS + 1)[:, None]  # of the derivative's term r**(k - 1)

    def powers(r: np.ndarray) -> np.ndarray:  # rows r**0 .. r**(TERMS - 1)
        p = np.empty((TERMS, len(r)))
        p[0] = 1.0
        np.cumprod(np.broadcast_to(r, (TERMS - 1, len(r))), axis=0, out=p[1:])
        return p

    def rho(r: np.ndarray) -> np.ndarray:
        return (coef * powers(r)).sum(axis=0) * r

    lo, hi = np.full(len(slots), -_EDGE), np.full(len(slots), _EDGE)
    top, bottom = rho(hi), rho(lo)
    at_top, at_bottom = top <= target, bottom >= target
    r = np.where(at_top, _EDGE, np.where(at_bottom, -_EDGE, np.clip(target, -0.5, 0.5)))
    done = at_top | at_bottom  # no root inside: clamped
    for _ in range(60):
        p = powers(r)
        f = (coef * p).sum(axis=0) * r - target
        below = f < 0
        lo = np.where(below, r, lo)
        hi = np.where(below, hi, r)
        step = f / (slope * p).sum(axis=0)
        nxt = r - step
        inside = (nxt >= lo) & (nxt <= hi)  # a root hit exactly is its own bracket end
        nxt = np.where(done, r, np.where(inside, nxt, (lo + hi) / 2))
        moved = np.abs(nxt - r)
        r = nxt
        if moved.max() <= 1e-14:
            break
    root = np.round(r, 9)
    out[slots] = root
    for i, t, up, down in zip(slots, target, top, bottom, strict=True):
        bounds[i] = _unreachable(float(t), float(up if t > 0 else down))
    return out, bounds


UNREACHABLE = 0.005  # how far beyond the reachable bound a target is before it is reported


def _unreachable(target: float, bound: float) -> float | None:
    if abs(target) - abs(bound) > UNREACHABLE or bound * target < 0:
        return round(bound, 3) + 0.0  # no −0.0
    return None


def reachable(a: Marginal, b: Marginal, target: float, method: str = "pearson") -> float | None:
    """The correlation nearest `target` that the two marginals allow (copula correlation at
    ±EDGE, the calibration's limit), when the target lies beyond it by more than
    UNREACHABLE; None when it is reachable. Two log-normals with sigma 1 reach no Pearson
    correlation below −0.37, a constant field none but 0."""
    if target == 0:
        return None
    if method == "spearman" and not a.has_atoms() and not b.has_atoms():
        return None  # 2 sin(π ρ / 6): every target in [−1, 1]
    return _unreachable(target, achieved_correlation(a, b, math.copysign(_EDGE, target), method))


def _warn_unreachable(
    entity: str, first: str, second: str, target: float, bound: float, method: str
) -> None:
    import warnings

    from ..errors import CorrelationWarning

    key = {"pearson": "rho", "spearman": "spearman"}[method]
    side = "lowest" if target < 0 else "highest"
    warnings.warn(
        f"correlate: {entity}.{first} and {entity}.{second} cannot reach {key} {target:g} "
        f"with their distributions; the {side} they reach, {bound:g}, is used",
        CorrelationWarning,
        stacklevel=2,
    )


# ---------------------------------------------------------------- marginals from PDL fields


def _discrete_ppf(dist: Any, q: np.ndarray) -> np.ndarray:
    """Inverse CDF of a discrete scipy distribution by a CDF table (exact, vectorised)."""
    lo = dist.support()[0]
    lo = 0 if not np.isfinite(lo) else int(lo)
    top = float(q.max())
    size = 1024
    while True:
        k = np.arange(lo, lo + size, dtype=np.float64)
        cdf = np.cumsum(dist.pmf(k))
        if cdf[-1] >= top or size >= _MAX_TABLE:
            break
        size *= 4
    idx = np.minimum(np.searchsorted(cdf, q * (1 - 1e-12), side="left"), len(k) - 1)
    return k[idx]


def _distribution_values(name: str, params: dict, lo: Any, hi: Any, clip: bool, u: np.ndarray):
    from .. import distributions
    from . import sampling

    d = distributions.REGISTRY[name]
    lo_f = None if lo is None else float(lo)
    hi_f = None if hi is None else float(hi)
    if not d.discrete:
        return sampling.sample(name, params, u, lo=lo_f, hi=hi_f, clip=clip)
    lo_f, hi_f = sampling.whole_bounds(name, lo_f, hi_f)
    dist = d.frozen(d.params.model_validate(params), lo_f, hi_f)
    if clip or (lo_f is None and hi_f is None):
        q = u
    else:
        c_lo = dist.cdf(lo_f - 1) if lo_f is not None else 0.0
        c_hi = dist.cdf(hi_f) if hi_f is not None else 1.0
        if (c_lo > sampling.UPPER_TAIL or c_hi < sampling.LOWER_TAIL) and sampling.has_room(
            dist, lo_f, hi_f
        ):
            # Far in a tail, where F has run out of doubles: the values as sampling draws
            # them (weighed one by one by log pmf). Through F every grid point was the bound:
            # a constant, which the calibration could not correlate.
            return sampling.sample(name, params, u, lo=lo_f, hi=hi_f)
        q = c_lo + u * (c_hi - c_lo)
    values = _discrete_ppf(dist, q)
    if lo_f is not None or hi_f is not None:
        values = np.clip(
            values, -np.inf if lo_f is None else lo_f, np.inf if hi_f is None else hi_f
        )
    return values


def choice_copula_order(labels: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(order, number per label): the order in which a copula's uniform walks a choice's
    values, and the number each value counts as. Numbers (and booleans, false below true)
    go in increasing order, so a higher copula score never gives a lower value and a
    correlation means what it says whatever order the values are listed in; other values
    are ordered categories, in the order written, counted by their rank."""
    try:
        numeric = np.array([float(BOOL_WORDS.get(v, v)) for v in labels])
    except (TypeError, ValueError):
        return np.arange(len(labels)), np.arange(len(labels), dtype=np.float64)
    return np.argsort(numeric, kind="stable"), numeric


def marginal_of(plan: Any, entity: str, name: str) -> Marginal | None:
    """The field's values as a function of its copula uniform; None if it ignores the copula."""
    f = plan.doc.entities[entity].fields[name]
    dtype = plan.dtype(entity, name)
    u, _ = _basis()
    source = f.source
    if source == "distribution":
        lo, hi = (f.between[0], f.between[1]) if f.between is not None else (f.min, f.max)
        if f.distribution == "mixture":
            rows, weights = [], []
            for comp in f.params["components"]:
                comp = dict(comp)
                weights.append(float(comp.pop("weight", 1)))
                cname = comp.pop("distribution")
                c_lo, c_hi = comp.pop("min", lo), comp.pop("max", hi)
                rows.append(_distribution_values(cname, comp, c_lo, c_hi, f.clip, u))
            values = np.vstack(rows)
            w = np.asarray(weights)
            w = w / w.sum()
        else:
            values = _distribution_values(f.distribution, f.params, lo, hi, f.clip, u)[None, :]
            w = np.ones(1)
        if dtype is not None and dtype.kind == "int":
            values = np.rint(values)
        elif f.round is not None:
            values = np.round(values, f.round)
        return Marginal(np.asarray(values, dtype=np.float64), w)
    if source == "choice":
        if isinstance(f.choice, dict):
            labels, weights = list(f.choice), np.array(list(f.choice.values()), dtype=np.float64)
        else:
            labels, weights = list(f.choice), np.ones(len(f.choice))
        order, numeric = choice_copula_order(labels)
        cumulative = np.cumsum(weights[order]) / weights.sum()
        cumulative[-1] = 1.0
        index = np.searchsorted(cumulative, u, side="right")
        return Marginal(numeric[order][np.minimum(index, len(labels) - 1)][None, :], np.ones(1))
    if source == "type" and dtype is not None and dtype.kind not in ("bool", "uuid", "string"):
        from .columns import Columns

        lo, hi = Columns(plan).bounds_units(f, dtype)
        if dtype.kind == "float":
            values = float(lo) + u * (float(hi) - float(lo))
        else:
            span = int(hi) - int(lo) + 1
            values = float(int(lo)) + np.minimum(np.floor(u * span), span - 1)
        return Marginal(np.asarray(values, dtype=np.float64)[None, :], np.ones(1))
    return None


def _target_matrix(block: Any) -> tuple[np.ndarray, str]:
    k = len(block.fields)
    if block.spearman is not None:
        value, method = block.spearman, "spearman"
    elif block.rho is not None:
        value, method = block.rho, "pearson"
    else:
        value, method = block.matrix, "pearson"
    if isinstance(value, int | float):
        m = np.array([[1.0, value], [value, 1.0]])
    else:
        m = np.array(value, dtype=np.float64)
    assert m.shape == (k, k)
    return m, method


def copula_matrix(plan: Any, entity: str, block: Any) -> np.ndarray:
    """The normal-score correlation matrix whose outputs have the block's target correlations.

    A matrix that is not positive definite after calibration (or as given, with
    `repair: nearest`) is repaired as the engine does: eigenvalues below 1e-10
    are raised to 1e-10 and the diagonal rescaled to 1.
    """
    target, method = _target_matrix(block)
    k = len(block.fields)
    margins = [marginal_of(plan, entity, name) for name in block.fields]
    m = np.eye(k)
    calibrated: list[tuple[int, int]] = []
    pairs: list[tuple[Marginal, Marginal, float]] = []
    for i in range(k):
        for j in range(i + 1, k):
            t = float(target[i, j])
            a, b = margins[i], margins[j]
            if a is None or b is None:
                r = 2 * math.sin(math.pi * t / 6) if method == "spearman" else t
                m[i, j] = m[j, i] = r
            else:
                calibrated.append((i, j))
                pairs.append((a, b, t))
    roots, bounds = _calibrate(pairs, method)
    for (i, j), r, bound, (_, _, t) in zip(calibrated, roots, bounds, pairs, strict=True):
        m[i, j] = m[j, i] = r
        if bound is not None:
            _warn_unreachable(entity, block.fields[i], block.fields[j], t, bound, method)
    with one_blas_thread():  # a block's small matrix: a thread pool only spins
        eigenvalues, vectors = np.linalg.eigh(m)
        if eigenvalues.min() < 1e-12:
            eigenvalues = np.clip(eigenvalues, 1e-10, None)
            m = vectors @ np.diag(eigenvalues) @ vectors.T
            d = np.sqrt(np.diag(m))
            m = m / np.outer(d, d)
    return m


def copula_cholesky(plan: Any, entity: str, block: Any) -> np.ndarray:
    """Cholesky factor of `copula_matrix` (what `Columns.copula_uniform` multiplies by)."""
    m = copula_matrix(plan, entity, block)
    with one_blas_thread():
        return np.linalg.cholesky(m)
