"""Distribution families fitted to a numeric column by maximum likelihood, ranked by AIC.

Every candidate is scored by the same likelihood: the probability of each
observed value's *bucket* (the value ± half its resolution: 1 for integers,
10^-s for values written with s decimals), under the family truncated to the
observed range. So a Poisson count, a normal rounded to integers, a categorical
table and an empirical quantile table compete on one scale, and AIC
(2·parameters − 2·log-likelihood) picks among them; the empirical table is the
fallback that wins when no family does. Families whose support excludes the
data (a log-normal for values ≤ 0) are skipped.

Fits are closed form or a few Newton/EM steps on the distinct values with their
counts; a truncated maximum likelihood refinement (damped Newton on a vectorised
likelihood) runs only for the winner, and only when the truncation matters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from .. import light_distributions as light

__all__ = ["Data", "Fit", "fit_counts", "fit_numeric"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_TINY = 1e-300
TRUNCATION_MASS = 1e-3  # emit min/max when the family puts more than this outside them
MAX_FIT_ROWS = 20_000


@dataclass
class Data:
    """A numeric column as distinct sorted values with counts, and its resolution."""

    x: np.ndarray
    c: np.ndarray
    delta: float  # bucket width: 1 for integers, 10^-s for s decimals, ~0 for full precision
    integer: bool
    n: int = 0
    lo: float = 0.0
    hi: float = 0.0
    mean: float = 0.0
    sd: float = 0.0
    places: int | None = None  # decimals the values are written with, when known
    # Points where `_loglik` evaluates a cdf, per scoring window: the same for every model
    _points: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(
        cls,
        values: np.ndarray,
        *,
        decimals: int | None,
        integer: bool,
        histogram: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Data:
        """`histogram`: the values' sorted distinct numbers and counts, when already known."""
        if histogram is not None:
            distinct, counts = histogram
            finite = np.isfinite(distinct)
            distinct, counts = distinct[finite], counts[finite]
            total = int(counts.sum())
            if total > MAX_FIT_ROWS:  # the same subsample as sorting all values would give
                at = np.linspace(0, total - 1, MAX_FIT_ROWS).astype(int)
                picked = np.searchsorted(np.cumsum(counts), at, side="right")
                # non-decreasing indices into distinct values: np.unique's result by runs
                starts = np.flatnonzero(np.concatenate(([True], picked[1:] != picked[:-1])))
                x = distinct[picked[starts]]
                c = np.diff(np.append(starts, len(picked)))
            else:  # already what np.unique of the repeated values gives
                seen = counts > 0
                x = np.asarray(distinct[seen], dtype=np.float64)
                c = np.asarray(counts[seen], dtype=np.int64)
        else:
            values = np.asarray(values, dtype=np.float64)
            values = values[np.isfinite(values)]
            if len(values) > MAX_FIT_ROWS:  # a fixed, evenly spread subsample: deterministic
                at = np.linspace(0, len(values) - 1, MAX_FIT_ROWS).astype(int)
                values = np.sort(values)[at]
            x, c = np.unique(values, return_counts=True)
        if len(x) == 0:
            return cls(x, c.astype(np.float64), 1.0, integer, 0, 0.0, 0.0, 0.0, 0.0)
        c = c.astype(np.float64)
        n = int(c.sum())
        mean = float(np.sum(x * c) / n)
        sd = math.sqrt(float(np.sum(c * (x - mean) ** 2) / n))
        if integer:
            delta = 1.0
        elif decimals is not None and decimals <= 9:
            delta = 10.0**-decimals
        else:
            delta = 0.0
        span = float(x[-1] - x[0])
        if delta == 0.0:  # resolution unknown: treat the values as exact
            delta = span * 1e-9
        places = 0 if integer else (decimals if decimals is not None and decimals <= 9 else None)
        return cls(x, c, delta, integer, n, float(x[0]), float(x[-1]), mean, sd, places)

    @property
    def eps(self) -> float:
        """Half-width of an atom's bucket in fine data (ties of full-precision values)."""
        return 1e-6 * (self.hi - self.lo)

    @property
    def fine(self) -> bool:
        """Buckets so narrow that density × width is the probability."""
        return self.delta == 0.0 or (self.sd > 0 and self.delta < 1e-3 * self.sd)

    @property
    def logx(self) -> np.ndarray:
        return self._memo("logx", lambda: np.log(self.x))

    @property
    def atoms(self) -> np.ndarray:
        """Which values repeat in at least 2 rows and 0.5 % of them (an atom's bucket)."""
        return self._memo("atoms", lambda: self.c >= max(2, 0.005 * self.n))

    @property
    def atom_count(self) -> int:
        if "atom_count" not in self._points:
            self._points["atom_count"] = int(self.atoms.sum())
        return self._points["atom_count"]

    def _memo(self, key: str, make: Callable[[], np.ndarray]) -> np.ndarray:
        """Arrays every candidate's scoring asks for, made once (read-only), kept beside
        the cdf points."""
        got = self._points.get(key)
        if got is None:
            got = self._points[key] = make()
            got.flags.writeable = False
        return got


@dataclass
class Batch:
    cdf: Callable[[np.ndarray], np.ndarray]
    density: Callable[[np.ndarray], np.ndarray]
    ok: np.ndarray | None = None


@dataclass
class Model:
    """A candidate: its PDL form and the functions that score it."""

    family: str
    params: dict[str, Any]
    k: int
    cdf: Callable[[np.ndarray], np.ndarray]
    logpdf: Callable[[np.ndarray], np.ndarray] | None = None  # continuous
    logpmf: Callable[[np.ndarray], np.ndarray] | None = None  # discrete: integer support
    bounds: tuple[float, float] | None = None  # `min`/`max` the family takes as its support
    support: tuple[float, float] | None = None  # a support of its own: no truncation applies
    rebuild: Callable[[np.ndarray], Model | None] | None = None
    simplicity: int = 5  # tie-break among equally sized models: lower reads simpler
    theta: np.ndarray | None = None
    # The family at many parameter vectors at once, for the refinement: given theta as
    # (parameters, k, 1), its cdf and log density (or pmf) mapping x to (k, len(x)), and
    # which of the k vectors the scalar constructor would accept.
    batch: Callable[[np.ndarray], Batch] | None = None
    scale: np.ndarray | None = None  # natural step of each parameter (a normal mean: its sd)
    ks: float | None = None  # `_ks` of the model on its column, once asked
    note: str = ""


@dataclass
class Fit:
    family: str
    params: dict[str, Any]
    k: int
    loglik: float
    n: int
    lo: float | None = None  # truncation bounds to write
    hi: float | None = None
    ks: float = 0.0
    ranking: list[tuple[str, float]] = field(default_factory=list)  # (family, AIC) best first
    integer: bool = False
    note: str = ""
    # Deferred (`fit_numeric(defer_mixtures=True)`): the mixture fit that would replace this
    # one, or None; only worth its EM runs for a field outside every correlate block.
    mixture: Callable[[], Fit | None] | None = field(default=None, repr=False)

    @property
    def aic(self) -> float:
        return 2 * self.k - 2 * self.loglik

    def comment(self) -> str:
        """`lognormal by AIC 1234.5 (next: gamma +12.3), KS D=0.011, n=5000`."""
        text = f"{self.family} by AIC {self.aic:.1f}"
        if len(self.ranking) > 1:
            nxt, aic = self.ranking[1]
            delta = aic - self.ranking[0][1]
            if delta >= 0:
                text += f" (next: {nxt} +{delta:.1f})"
            elif nxt == "empirical":
                text += f" (empirical {-delta:.1f} lower, but {self.family} passes KS)"
            else:
                text += f" ({nxt} {-delta:.1f} lower, but {self.family} is simpler)"
        text += f", KS D={self.ks:.3f}, n={self.n:,}"
        if self.note:
            text += f"; {self.note}"
        return text


# ---------------------------------------------------------------- scoring


def _window(d: Data, m: Model) -> tuple[float, float, bool]:
    """(low, high, truncated?) of the range the model is scored on."""
    if m.support is not None:
        return m.support[0], m.support[1], False
    if m.bounds is not None:
        return m.bounds[0], m.bounds[1], False
    return d.lo, d.hi, True


def _cdf_points(d: Data, kind: str, lo: float, hi: float) -> np.ndarray:
    """[hi, low end, then the data's bucket ends] for one cdf call per model: `discrete`
    (low end lo − 1), `fine` (lo, then each atom's upper and lower ends) or `buckets`
    (lo, then each bucket's upper and lower ends), all clipped to [lo, hi]."""
    key = (kind, lo, hi)
    if key not in d._points:
        if kind == "discrete":
            points = np.array([hi, lo - 1])
        elif kind == "fine":
            xa = d.x[d.atoms]
            points = np.concatenate(
                ([hi, lo], np.minimum(xa + d.eps, hi), np.maximum(xa - d.eps, lo))
            )
        else:
            half = d.delta / 2
            points = np.concatenate(
                ([hi, lo], np.minimum(d.x + half, hi), np.maximum(d.x - half, lo))
            )
        d._points[key] = points
    return d._points[key]


def _loglik(d: Data, m: Model) -> tuple[float, float]:
    """(log-likelihood under truncation to the observed range, mass the family puts outside)."""
    lo, hi, truncated = _window(d, m)
    with np.errstate(all="ignore"):
        if m.logpmf is not None:
            ll = (d.c * m.logpmf(d.x)).sum()  # np.sum's reduction, without its wrapper
            f = m.cdf(_cdf_points(d, "discrete", lo, hi)) if truncated else None
        elif d.fine and m.logpdf is not None:
            dens = m.logpdf(d.x) + math.log(d.delta or 1.0)
            f = m.cdf(_cdf_points(d, "fine", lo, hi))
            count = d.atom_count
            if count:  # repeated values: the mass the model puts right at them
                mass = f[2 : 2 + count] - f[2 + count :]
                dens[d.atoms] = np.log(np.maximum(mass, _TINY))
            ll = (d.c * dens).sum()
        else:
            f = m.cdf(_cdf_points(d, "buckets", lo, hi))
            width = len(d.x)
            p = f[2 : 2 + width] - f[2 + width :]
            ll = (d.c * np.log(np.maximum(p, _TINY))).sum()
        z = float(f[0] - f[1]) if truncated else 1.0
    if not np.isfinite(ll) or not z > 1e-6:  # a sliver of a huge distribution: degenerate
        return -math.inf, 1.0
    return float(ll - d.n * math.log(min(z, 1.0))), max(0.0, 1.0 - z)


def _ks(d: Data, m: Model) -> float:
    """Kolmogorov–Smirnov distance of the model from its column (kept: selection asks for
    the winner's, and the fit written reports it)."""
    if m.ks is None:
        m.ks = _ks_distance(d, m)
    return m.ks


def _ks_distance(d: Data, m: Model) -> float:
    lo, hi, truncated = _window(d, m)
    with np.errstate(all="ignore"):
        if m.logpmf is not None:
            base = float(m.cdf(np.array([lo - 1]))[0]) if truncated else 0.0
            top = float(m.cdf(np.array([hi]))[0]) if truncated else 1.0
            upper = m.cdf(d.x)
            lower = m.cdf(d.x - 1)
        else:
            # Exact values: an atom's mass sits within eps of it; else half a bucket.
            half = np.where(d.atoms, d.eps, 0.0) if d.fine else d.delta / 2
            base = float(m.cdf(np.array([lo]))[0]) if truncated else 0.0
            top = float(m.cdf(np.array([hi]))[0]) if truncated else 1.0
            upper = m.cdf(np.minimum(d.x + half, hi))
            lower = m.cdf(np.maximum(d.x - half, lo))
        z = top - base
        if not z > 0:
            return 1.0
        fu = (upper - base) / z
        fl = (lower - base) / z
    emp = np.cumsum(d.c) / d.n
    emp_lower = emp - d.c / d.n
    return float(max(np.max(np.abs(fu - emp)), np.max(np.abs(fl - emp_lower))))


FALLBACKS = ("empirical",)
PARSIMONY = 4.0  # AIC units: a model this close to the best with fewer parameters is kept


def _score(d: Data, models: list[Model]) -> list[list]:
    """[AIC, model, log-likelihood, mass outside, parameters] per model that fits at all.

    Candidates whose truncation to the observed range matters are refitted by truncated
    maximum likelihood (the best one by AIC, to bound the work).
    """
    scored = []
    for m in models:
        ll, outside = _loglik(d, m)
        if math.isfinite(ll):
            scored.append([2 * m.k - 2 * ll, m, ll, outside])
    scored.sort(key=lambda t: t[0])
    # A sample of n rows leaves about 2/n of a distribution outside its range by chance:
    # refit the best family whose truncation clearly matters more than that.
    for entry in scored:
        m = entry[1]
        if entry[3] > max(TRUNCATION_MASS, 4 / d.n) and m.batch is not None:
            best, ll, outside = _refine(d, m, entry[2])
            entry[:] = [2 * best.k - 2 * ll, best, ll, outside]
            break
    for entry in scored:  # truncation bounds written into the PDL are two more parameters
        m = entry[1]
        k = m.k + (
            2 if entry[3] > TRUNCATION_MASS and m.bounds is None and m.support is None else 0
        )
        entry[0] = 2 * k - 2 * entry[2]
        entry.append(k)
    return scored


def _select(d: Data, scored: list[list]) -> list | None:
    """The entry to write: best AIC, then equivalence, parsimony and the KS fallback rule."""
    if not scored:
        return None
    scored = sorted(scored, key=lambda t: t[0])
    families = [e for e in scored if e[1].family not in FALLBACKS]
    chosen = scored[0]
    simpler = _equivalent_simpler(chosen[1], scored)
    if simpler is not None:
        chosen = simpler
    # Parsimony: among models within 4 AIC of the best, the one with fewest parameters
    # (a Poisson over a negative binomial with n → ∞, an exponential over a gamma of shape 1).
    close = [e for e in scored if e[0] <= chosen[0] + PARSIMONY]
    chosen = min(close, key=lambda e: (e[4], e[1].simplicity, e[0]))
    if families and chosen[1].family in FALLBACKS:
        # A family the data do not reject (KS at alpha = 0.01) is kept over the table.
        top = families[0]
        if _ks(d, top[1]) <= _critical(d):
            chosen = top
    return chosen


def _critical(d: Data) -> float:
    """Kolmogorov–Smirnov critical distance at alpha = 0.01."""
    return 1.63 / math.sqrt(d.n)


def _fit_of(d: Data, chosen: list, scored: list[list]) -> Fit:
    _, best, ll, outside, k = chosen
    ranking, seen = [(best.family, chosen[0])], {best.family}
    for aic, m, *_ in sorted(scored, key=lambda t: t[0]):
        if m.family not in seen:
            seen.add(m.family)
            ranking.append((m.family, aic))
    truncate = outside > TRUNCATION_MASS and best.bounds is None and best.support is None
    fit = Fit(
        best.family,
        dict(best.params),
        k,
        ll,
        d.n,
        lo=d.lo if truncate else None,
        hi=d.hi if truncate else None,
        ks=_ks(d, best),
        ranking=ranking,
        integer=d.integer,
        note=best.note,
    )
    if best.bounds is not None:
        fit.lo, fit.hi = best.bounds
    if truncate:
        fit.note = (fit.note + "; " if fit.note else "") + "truncated to the observed range"
    return fit


def _choose(
    d: Data,
    models: list[Model],
    more: Callable[[], list[Model]] | None = None,
    *,
    defer: bool = False,
) -> Fit | None:
    """The best family by AIC; the empirical table only when the data reject that family.

    `more` gives costlier candidates (mixtures), tried only when no single family passes KS.
    With `defer`, a single family found is returned at once and the mixture step waits in
    `Fit.mixture` for a caller that knows the field is not correlated (the engine picks a
    mixture's component independently of a copula, so correlated fields avoid them).
    """
    scored = _score(d, models)
    chosen = _select(d, scored)

    def with_mixtures() -> Fit | None:
        extra = _score(d, more())
        if extra:
            both = scored + extra
            better = _select(d, both)
            if better is not None and better[1].family == "mixture":
                return _fit_of(d, better, both)
        return None

    if more is not None and (
        chosen is None or chosen[1].family in FALLBACKS or _ks(d, chosen[1]) > _critical(d)
    ):
        if defer and chosen is not None:
            fit = _fit_of(d, chosen, scored)
            fit.mixture = with_mixtures
            return fit
        mixture = with_mixtures()
        if mixture is not None:
            return mixture
    return None if chosen is None else _fit_of(d, chosen, scored)


# A generalisation whose extra parameter sits this close to the nested value is written as
# the simpler family: a Weibull or gamma of shape 1 ± 0.03 is an exponential, a negative
# binomial with p > 0.97 (variance within 3 % of the mean) a Poisson.
EQUIVALENT_SHAPE = 0.03


def _equivalent_simpler(m: Model, scored: list) -> list | None:
    target = None
    if m.family in ("weibull", "gamma") and abs(m.params["shape"] - 1) <= EQUIVALENT_SHAPE:
        target = "exponential"
    elif m.family == "negative_binomial" and m.params["p"] >= 1 - EQUIVALENT_SHAPE:
        target = "poisson"
    if target is None:
        return None
    return next((e for e in scored if e[1].family == target), None)


def _batch_objective(d: Data, m: Model) -> Callable[[np.ndarray], np.ndarray]:
    """−log-likelihood of `m`'s family at k parameter vectors (k, p) in one numpy pass.

    The likelihood `_loglik` gives one model, with every point where the cdf is needed
    gathered into one array; 1e300 where the family is undefined or degenerate. Columns
    with more than 1024 distinct values are scored on grouped data instead (counts between
    256 quantile edges): as good a guide to the optimum at a fraction of the cost."""
    lo, hi = d.lo, d.hi  # the refined families have no bounds or support of their own
    n = d.n
    grouped = len(d.x) > 4 * 256
    atoms_fix = None
    if grouped:
        cum = np.cumsum(d.c)
        cuts = np.unique(np.searchsorted(cum, np.linspace(0, n, 257)[1:-1], side="left"))
        edges = np.r_[lo, (d.x[cuts] + d.x[np.minimum(cuts + 1, len(d.x) - 1)]) / 2, hi]
        counts = np.diff(np.r_[0, cum[cuts], n])
        keep = np.diff(edges) > 0
        points = np.clip(np.r_[edges[0], edges[1:][keep]], lo, hi)
        counts = counts[keep]
        kind = "grouped"
    else:
        kind = "discrete" if m.logpmf is not None else "fine" if d.fine else "buckets"
        points = _cdf_points(d, kind, lo, hi)
        atoms = d.atoms
        if kind == "fine" and atoms.any():
            atoms_fix = (np.flatnonzero(atoms), int(atoms.sum()))
    log_delta = math.log(d.delta or 1.0)
    width = len(d.x)

    def objective(theta: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            family = m.batch(theta.T[:, :, None])
            f = family.cdf(points)
            if kind == "grouped":
                z = f[:, -1] - f[:, 0]
                ll = np.log(np.maximum(np.diff(f, axis=1), _TINY)) @ counts
                value = ll - n * np.log(z)
                bad = ~(z > 0)
            else:
                z = f[:, 0] - f[:, 1]
                if kind == "discrete":
                    ll = family.density(d.x) @ d.c
                elif kind == "fine":
                    dens = family.density(d.x) + log_delta
                    if atoms_fix is not None:
                        at, count = atoms_fix
                        mass = f[:, 2 : 2 + count] - f[:, 2 + count :]
                        dens[:, at] = np.log(np.maximum(mass, _TINY))
                    ll = dens @ d.c
                else:
                    p = f[:, 2 : 2 + width] - f[:, 2 + width :]
                    ll = np.log(np.maximum(p, _TINY)) @ d.c
                value = ll - n * np.log(np.minimum(z, 1.0))
                bad = ~(z > 1e-6)
            bad |= ~np.isfinite(value)
            if family.ok is not None:
                bad |= ~family.ok
        return np.where(bad, 1e300, -value)

    return objective


def _minimise(
    f: Callable[[np.ndarray], np.ndarray],
    start: np.ndarray,
    scale: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> np.ndarray:
    """Minimum of a smooth f of a few parameters within a box, by damped Newton steps.

    f is evaluated on a finite-difference stencil around the point (gradient and Hessian)
    in one vectorised call: on a likelihood of a few hundred values a call costs about
    what one value did. A full Newton step is tried with the stencil around its end, so an
    accepted step costs one call; a rejected one is searched along at nine shorter lengths
    (one more call). This takes a fraction of the time scipy's L-BFGS-B took with numerical
    gradients (dozens of scalar calls, most of the time spent in its own bookkeeping).
    Curvature is taken in absolute value (a saddle or a flat tail, such as a truncated
    exponential whose mean grows without bound, is left downhill, not climbed); steps are
    clipped to the box."""
    p = len(start)
    h = _STEP
    unit, pairs = _stencil(p)
    stencil = unit * scale
    shorter = 0.5 ** np.arange(1, 10)[:, None]
    theta = start.astype(np.float64)
    v = f(theta + stencil)
    best = v[0]
    for _ in range(50):
        if not np.all(v < 1e299):
            break
        newton = _newton_step(v, p, pairs, h)
        if newton is None:
            break
        step, predicted = newton
        if predicted is not None and predicted <= 1e-10 * max(1.0, abs(best)):
            break  # the quadratic model promises no gain worth another call: converged
        step = step * scale  # in theta's units
        ahead = np.clip(theta + step, lower, upper)
        w = f(ahead + stencil)
        if w[0] < best:
            nxt, value, v = ahead, w[0], w
        else:
            tries = np.clip(theta + shorter * step, lower, upper)
            values = f(tries)
            k = int(np.argmin(values))
            if not values[k] < best:
                break
            nxt, value, v = tries[k], values[k], None
        gain = best - value
        moved = np.max(np.abs(nxt - theta) / scale)
        theta, best = nxt, value
        if gain <= 1e-10 * max(1.0, abs(best)) or moved < 1e-9:
            break
        if v is None:
            v = f(theta + stencil)
    return theta


_STEP = 1e-4  # `_minimise`'s finite-difference step, in scaled units
_STENCILS: dict[int, tuple[np.ndarray, list[tuple[int, int]]]] = {}


def _stencil(p: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(offsets × step, the parameter pairs) of `_minimise`'s stencil for p parameters:
    the point, ± each axis, then the four diagonal corners of each pair. The same few
    shapes every fit: built once."""
    if p not in _STENCILS:
        eye = np.eye(p)
        offsets = [np.zeros(p)]
        for i in range(p):
            offsets += [eye[i], -eye[i]]
        pairs = [(i, j) for i in range(p) for j in range(i + 1, p)]
        for i, j in pairs:
            offsets += [eye[i] + eye[j], eye[i] - eye[j], -eye[i] + eye[j], -eye[i] - eye[j]]
        unit = np.array(offsets) * _STEP
        unit.flags.writeable = False
        _STENCILS[p] = (unit, pairs)
    return _STENCILS[p]


def _newton_step(
    v: np.ndarray, p: int, pairs: list[tuple[int, int]], h: float
) -> tuple[np.ndarray, float | None] | None:
    """(−H⁻¹g, the decrease ½gᵀH⁻¹g it predicts) from f on the stencil of `_minimise`
    (scaled units). Where H is not positive definite its eigenvalues are taken in absolute
    value and no decrease is predicted."""
    if p <= 2:
        fast = _newton_step_small(v, p, h)
        if fast is not None:
            return fast
    f0 = v[0]
    g = (v[1 : 2 * p + 1 : 2] - v[2 : 2 * p + 1 : 2]) / (2 * h)
    hess = np.diag((v[1 : 2 * p + 1 : 2] + v[2 : 2 * p + 1 : 2] - 2 * f0) / h**2)
    for n, (i, j) in enumerate(pairs):
        a, b, c, e = v[1 + 2 * p + 4 * n : 5 + 2 * p + 4 * n]
        hess[i, j] = hess[j, i] = (a - b - c + e) / (4 * h**2)
    if not (np.all(np.isfinite(hess)) and np.all(np.isfinite(g))):
        return None
    if p == 1 and hess[0, 0] > 0:
        step = -g / hess[0, 0]
        return step, float(-g @ step) / 2
    if p == 2:  # positive definite and well conditioned: Cramer's rule
        det = hess[0, 0] * hess[1, 1] - hess[0, 1] ** 2
        if hess[0, 0] > 0 and det > 1e-12 * (hess[0, 0] + hess[1, 1]) ** 2:
            step = -np.array(
                [hess[1, 1] * g[0] - hess[0, 1] * g[1], hess[0, 0] * g[1] - hess[0, 1] * g[0]]
            )
            step /= det
            return step, float(-g @ step) / 2
    eig, vec = np.linalg.eigh(hess)
    top = float(np.max(np.abs(eig)))
    if top == 0.0:
        return None
    eig = np.maximum(np.abs(eig), 1e-8 * top)
    return -(vec @ ((vec.T @ g) / eig)), None


def _newton_step_small(v: np.ndarray, p: int, h: float) -> tuple[np.ndarray, float | None] | None:
    """`_newton_step` for one or two parameters with a positive definite H, in Python floats:
    the same operations in the same order as the array code (so the same doubles), without
    a dozen numpy calls on 2 × 2 arrays per step. None where that code would go on to the
    eigen-decomposition (or give up on a non-finite H): the caller runs it."""
    w = v[: 2 * p + 1 + 4 * (p - 1)].tolist()
    f0 = w[0]
    h2 = h**2
    if p == 1:
        g0 = (w[1] - w[2]) / (2 * h)
        h00 = (w[1] + w[2] - 2 * f0) / h2
        if not (math.isfinite(g0) and math.isfinite(h00)) or not h00 > 0:
            return None
        s0 = -g0 / h00
        return np.array([s0]), -g0 * s0 / 2
    g0 = (w[1] - w[2]) / (2 * h)
    g1 = (w[3] - w[4]) / (2 * h)
    h00 = (w[1] + w[2] - 2 * f0) / h2
    h11 = (w[3] + w[4] - 2 * f0) / h2
    h01 = (w[5] - w[6] - w[7] + w[8]) / (4 * h2)
    if not all(math.isfinite(t) for t in (g0, g1, h00, h11, h01)):
        return None
    det = h00 * h11 - h01**2
    if not (h00 > 0 and det > 1e-12 * (h00 + h11) ** 2):
        return None
    step = np.array([-(h11 * g0 - h01 * g1), -(h00 * g1 - h01 * g0)])
    step /= det
    return step, float(-np.array([g0, g1]) @ step) / 2


def _refine(d: Data, m: Model, ll: float) -> tuple[Model, float, float]:
    """Maximum likelihood of the family truncated to [lo, hi], from the plain fit.

    Damped Newton steps (`_minimise`) on the whole family's likelihood evaluated for many
    parameter vectors at once. Each parameter (log scale for positive ones) stays within
    10 + |start| of its start, so no step reaches values whose exponential overflows."""
    start = np.asarray(m.theta, dtype=np.float64)
    reach = 10.0 + np.abs(start)
    scale = np.ones_like(start) if m.scale is None else m.scale
    theta = _minimise(_batch_objective(d, m), start, scale, start - reach, start + reach)
    try:
        best = m.rebuild(theta)
    except (OverflowError, ValueError, ZeroDivisionError):
        best = None
    if best is None:
        return m, ll, _loglik(d, m)[1]
    value, outside = _loglik(d, best)
    if value < ll:
        return m, ll, _loglik(d, m)[1]
    return best, value, outside


# ---------------------------------------------------------------- continuous families


def _r(x: float) -> float:
    """A readable number: 6 significant digits."""
    return float(f"{x:.6g}")


def _normal(mu: float, sd: float) -> Model | None:
    if not (sd > 0 and math.isfinite(mu)):
        return None
    return Model(
        "normal",
        {"mean": _r(mu), "sd": _r(sd)},
        2,
        cdf=lambda x: special.ndtr((x - mu) / sd),
        logpdf=lambda x: -0.5 * ((x - mu) / sd) ** 2 - math.log(sd) - _LOG_SQRT_2PI,
        rebuild=lambda t: _normal(t[0], math.exp(t[1])),
        theta=np.array([mu, math.log(sd)]),
        batch=_normal_batch,
        scale=np.array([sd, 1.0]),
    )


def _normal_batch(t: np.ndarray) -> Batch:
    mu, sd = t[0], np.exp(t[1])
    return Batch(
        cdf=lambda x: special.ndtr((x - mu) / sd),
        density=lambda x: -0.5 * ((x - mu) / sd) ** 2 - np.log(sd) - _LOG_SQRT_2PI,
    )


def _lognormal(mu: float, sigma: float) -> Model | None:
    if not (sigma > 0 and math.isfinite(mu)):
        return None

    def cdf(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x > 0, special.ndtr((np.log(np.maximum(x, _TINY)) - mu) / sigma), 0.0)

    def logpdf(x: np.ndarray) -> np.ndarray:
        lx = np.log(x)
        return -0.5 * ((lx - mu) / sigma) ** 2 - math.log(sigma) - lx - _LOG_SQRT_2PI

    return Model(
        "lognormal",
        {"median": _r(math.exp(mu)), "sigma": _r(sigma)},
        2,
        cdf=cdf,
        logpdf=logpdf,
        rebuild=lambda t: _lognormal(t[0], math.exp(t[1])),
        theta=np.array([mu, math.log(sigma)]),
        batch=_lognormal_batch,
    )


def _lognormal_batch(t: np.ndarray) -> Batch:
    mu, sigma = t[0], np.exp(t[1])

    def cdf(x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, special.ndtr((np.log(np.maximum(x, _TINY)) - mu) / sigma), 0.0)

    def density(x: np.ndarray) -> np.ndarray:
        lx = np.log(x)
        return -0.5 * ((lx - mu) / sigma) ** 2 - np.log(sigma) - lx - _LOG_SQRT_2PI

    return Batch(cdf, density)


def _exponential(mean: float) -> Model | None:
    if not mean > 0:
        return None
    return Model(
        "exponential",
        {"mean": _r(mean)},
        1,
        cdf=lambda x: np.where(x > 0, -np.expm1(-np.maximum(x, 0) / mean), 0.0),
        logpdf=lambda x: -math.log(mean) - x / mean,
        rebuild=lambda t: _exponential(math.exp(t[0])),
        theta=np.array([math.log(mean)]),
        batch=_exponential_batch,
    )


def _exponential_batch(t: np.ndarray) -> Batch:
    mean = np.exp(t[0])
    return Batch(
        cdf=lambda x: np.where(x > 0, -np.expm1(-np.maximum(x, 0) / mean), 0.0),
        density=lambda x: -np.log(mean) - x / mean,
    )


def _gamma(shape: float, scale: float) -> Model | None:
    if not (shape > 0 and scale > 0) or shape > 1e6:
        return None
    lg = special.gammaln(shape)
    return Model(
        "gamma",
        {"shape": _r(shape), "scale": _r(scale)},
        2,
        cdf=lambda x: special.gammainc(shape, np.maximum(x, 0) / scale),
        logpdf=lambda x: (shape - 1) * np.log(x) - x / scale - lg - shape * math.log(scale),
        rebuild=lambda t: _gamma(math.exp(t[0]), math.exp(t[1])),
        theta=np.array([math.log(shape), math.log(scale)]),
        batch=_gamma_batch,
    )


def _gamma_batch(t: np.ndarray) -> Batch:
    shape, scale = np.exp(t[0]), np.exp(t[1])
    lg = special.gammaln(shape)
    return Batch(
        cdf=lambda x: special.gammainc(shape, np.maximum(x, 0) / scale),
        density=lambda x: (shape - 1) * np.log(x) - x / scale - lg - shape * np.log(scale),
        ok=(shape <= 1e6)[:, 0],
    )


def _weibull(shape: float, scale: float) -> Model | None:
    if not (shape > 0 and scale > 0) or shape > 200:
        return None
    return Model(
        "weibull",
        {"shape": _r(shape), "scale": _r(scale)},
        2,
        cdf=lambda x: -np.expm1(-((np.maximum(x, 0) / scale) ** shape)),
        logpdf=lambda x: (
            math.log(shape / scale) + (shape - 1) * np.log(x / scale) - (x / scale) ** shape
        ),
        rebuild=lambda t: _weibull(math.exp(t[0]), math.exp(t[1])),
        theta=np.array([math.log(shape), math.log(scale)]),
        batch=_weibull_batch,
    )


def _weibull_batch(t: np.ndarray) -> Batch:
    shape, scale = np.exp(t[0]), np.exp(t[1])
    return Batch(
        cdf=lambda x: -np.expm1(-((np.maximum(x, 0) / scale) ** shape)),
        density=lambda x: (
            np.log(shape / scale) + (shape - 1) * np.log(x / scale) - (x / scale) ** shape
        ),
        ok=(shape <= 200)[:, 0],
    )


def _pareto(alpha: float, scale: float) -> Model | None:
    if not (alpha > 0 and scale > 0):
        return None
    return Model(
        "pareto",
        {"alpha": _r(alpha), "scale": _r(scale)},
        2,
        cdf=lambda x: np.where(x >= scale, 1 - (scale / np.maximum(x, scale)) ** alpha, 0.0),
        logpdf=lambda x: math.log(alpha) + alpha * math.log(scale) - (alpha + 1) * np.log(x),
    )


def _beta(a: float, b: float, low: float, high: float, k: int) -> Model | None:
    if not (a > 0 and b > 0 and high > low):
        return None
    width = high - low
    lb = special.betaln(a, b)

    def cdf(x: np.ndarray) -> np.ndarray:
        return special.betainc(a, b, np.clip((x - low) / width, 0, 1))

    def logpdf(x: np.ndarray) -> np.ndarray:
        t = (x - low) / width
        return (a - 1) * np.log(t) + (b - 1) * np.log1p(-t) - lb - math.log(width)

    return Model(
        "beta",
        {"alpha": _r(a), "beta": _r(b)},
        k,
        cdf=cdf,
        logpdf=logpdf,
        bounds=(_r(low), _r(high)),
    )


def _uniform(low: float, high: float) -> Model | None:
    if not high > low:
        return None
    width = high - low
    return Model(
        "uniform",
        {},
        2,
        cdf=lambda x: np.clip((x - low) / width, 0, 1),
        logpdf=lambda x: np.where((x >= low) & (x <= high), -math.log(width), -np.inf),
        bounds=(low, high),
    )


def _int_uniform(low: float, high: float) -> Model | None:
    """Every integer in [low, high] equally likely (written as `type: int` with bounds)."""
    if not high > low:
        return None
    size = high - low + 1
    return Model(
        "uniform",
        {},
        2,
        cdf=lambda k: np.clip((np.floor(k) - low + 1) / size, 0, 1),
        logpmf=lambda k: np.where((k >= low) & (k <= high), -math.log(size), -np.inf),
        bounds=(low, high),
        simplicity=0,
    )


def _triangular(low: float, high: float, mode: float) -> Model | None:
    if not high > low:
        return None
    mode = min(max(mode, low), high)
    width = high - low

    def cdf(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, low, high)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = (x - low) ** 2 / (width * (mode - low)) if mode > low else np.zeros_like(x)
            right = (
                1 - (high - x) ** 2 / (width * (high - mode)) if high > mode else np.ones_like(x)
            )
        return np.where(x <= mode, left, right)

    def logpdf(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.log(2 * (x - low) / (width * (mode - low))) if mode > low else -np.inf
            right = np.log(2 * (high - x) / (width * (high - mode))) if high > mode else -np.inf
        return np.where(x <= mode, left, right)

    return Model(
        "triangular", {"mode": _r(mode)}, 3, cdf=cdf, logpdf=logpdf, bounds=(_r(low), _r(high))
    )


def _mixture(w: np.ndarray, mu: np.ndarray, sd: np.ndarray, low: float, high: float) -> Model:
    """Normal components, each truncated to [low, high] as the engine does."""
    za = special.ndtr((low - mu) / sd)
    zb = special.ndtr((high - mu) / sd)
    mass = np.maximum(zb - za, _TINY)

    def cdf(x: np.ndarray) -> np.ndarray:
        x = np.clip(np.asarray(x, dtype=np.float64), low, high)
        f = (special.ndtr((x[:, None] - mu) / sd) - za) / mass
        return f @ w

    def logpdf(x: np.ndarray) -> np.ndarray:
        z = (x[:, None] - mu) / sd
        logs = -0.5 * z**2 - np.log(sd) - _LOG_SQRT_2PI - np.log(mass) + np.log(w)
        return _logsumexp(logs)

    components = [
        {"distribution": "normal", "mean": _r(m), "sd": _r(s), "weight": _r(float(p))}
        for p, m, s in zip(w, mu, sd, strict=True)
    ]
    return Model(
        "mixture", {"components": components}, 3 * len(w) - 1, cdf=cdf, logpdf=logpdf,
        note=f"{len(w)} normal components",
    )  # fmt: skip


def _logsumexp(a: np.ndarray) -> np.ndarray:
    top = a.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(a - top).sum(axis=1, keepdims=True)))[:, 0]


def _binned(d: Data, bins: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """At most `bins` weighted points (bin means, counts) standing in for the data."""
    if len(d.x) <= bins:
        return d.x, d.c
    edges = np.searchsorted(np.cumsum(d.c), np.linspace(0, d.n, bins + 1)[1:-1])
    starts = np.unique(np.r_[0, edges])
    c = np.add.reduceat(d.c, starts)
    x = np.add.reduceat(d.x * d.c, starts) / c
    return x, c


def _em_normals(d: Data, k: int) -> Model | None:
    """A mixture of k normals by EM (on at most 512 weighted points), started at quantiles."""
    if d.n < 100 * k or len(d.x) < 10 * k:
        return None
    x, c = _binned(d)
    cum = np.cumsum(c) / d.n
    mu = np.array([x[np.searchsorted(cum, (i + 0.5) / k)] for i in range(k)], dtype=np.float64)
    floor = max(d.delta, d.sd * 1e-3)
    sd = np.full(k, max(d.sd / k, floor))
    w = np.full(k, 1.0 / k)
    previous = -math.inf
    for _ in range(100):
        logs = -0.5 * ((x[:, None] - mu) / sd) ** 2 - np.log(sd) + np.log(w)
        norm = _logsumexp(logs)
        ll = float(np.dot(c, norm))
        if ll - previous < 1e-6 * d.n:
            break
        previous = ll
        resp = np.exp(logs - norm[:, None]) * c[:, None]
        nk = resp.sum(axis=0)
        if np.any(nk < 1e-3 * d.n):
            return None
        w = nk / d.n
        mu = (resp * x[:, None]).sum(axis=0) / nk
        sd = np.maximum(np.sqrt((resp * (x[:, None] - mu) ** 2).sum(axis=0) / nk), floor)
    order = np.argsort(mu)
    return _mixture(w[order], mu[order], sd[order], d.lo, d.hi)


_PROBABILITIES: dict[int, np.ndarray] = {}


def _probabilities(bins: int) -> np.ndarray:
    """np.linspace(0, 1, bins + 1), made once per table size (read-only)."""
    if bins not in _PROBABILITIES:
        probs = np.linspace(0, 1, bins + 1)
        probs.flags.writeable = False
        _PROBABILITIES[bins] = probs
    return _PROBABILITIES[bins]


def _quantiles(d: Data, bins: int) -> np.ndarray:
    """The `bins`+1 type-7 quantiles an empirical table is written with (rounded as written).

    Element by element, so the table of 8 bins is every 8th value of the table of 64:
    the probabilities k/8 and 8k/64 are the same doubles."""
    cum = np.cumsum(d.c)
    probs = _probabilities(bins)
    # Type-7 quantiles of the data written as distinct values with counts.
    pos = probs * (d.n - 1)
    i = np.floor(pos).astype(np.int64)
    frac = pos - i
    at = lambda r: d.x[np.searchsorted(cum, r, side="right")]  # noqa: E731
    low = at(i)
    q = low + frac * (at(np.minimum(i + 1, d.n - 1)) - low)
    if d.integer:
        q[0] -= 0.5  # so that rounding to integers gives the end values their full share
        q[-1] += 0.5
    if d.delta >= 1e-5:
        q = np.array([_r(v) for v in q])
    elif d.places is not None:
        # Values written with `places` decimals: two more keep every data value (and atom)
        # exact and the table readable. Full-precision values stay as they are.
        q = np.round(q, d.places + 2)
    return q


def _empirical(d: Data, bins: int, q: np.ndarray | None = None) -> Model | None:
    """Piecewise-linear CDF through `bins`+1 quantiles (the engine's `quantiles` form);
    `q`: those quantiles, when already known (`_quantiles`)."""
    if bins < 2:
        return None
    if q is None:
        q = _quantiles(d, bins)
    widths = np.diff(q)
    if np.any(widths < 0) or not widths.any():
        return None
    # Equal quantiles are an atom (the engine gives a zero-width bin its mass at that point):
    # a value repeated in many rows, such as the zeros of a zero-inflated column.
    dist = light.Empirical(lambda: None, np.ones(bins), q)
    with np.errstate(divide="ignore"):
        dens = np.where(widths > 0, (1.0 / bins) / widths, (1.0 / bins) / (2 * d.eps))

    def cdf(x: np.ndarray) -> np.ndarray:
        return dist.cdf(x)

    def logpdf(x: np.ndarray) -> np.ndarray:
        j = np.clip(np.searchsorted(q, x, side="right") - 1, 0, bins - 1)
        inside = (x >= q[0]) & (x <= q[-1])
        return np.where(inside, np.log(dens[j]), -np.inf)

    quantiles = q.tolist()
    return Model(
        "empirical", {"quantiles": quantiles}, bins + 1, cdf=cdf, logpdf=logpdf,
        # widened by eps: an atom at the lowest value keeps its bucket (as for `choice`)
        support=(float(q[0]) - d.eps, float(q[-1]) + d.eps), note=f"{bins} quantile bins",
    )  # fmt: skip


def _gamma_start(d: Data) -> tuple[float, float] | None:
    mean_log = float(np.sum(d.c * d.logx) / d.n)
    s = math.log(d.mean) - mean_log
    if not s > 0:
        return None
    k = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(6):  # Newton on log k − ψ(k) = s
        g = math.log(k) - special.digamma(k) - s
        dg = 1 / k - special.zeta(2, k)  # polygamma(1, k), without its Python wrapper
        k_new = k - g / dg
        k = k_new if k_new > 0 else k / 2
    return k, d.mean / k


def _weibull_start(d: Data) -> tuple[float, float] | None:
    lx = d.logx
    mean_log = float(np.sum(d.c * lx) / d.n)
    sd_log = math.sqrt(float(np.sum(d.c * (lx - mean_log) ** 2) / d.n))
    if not sd_log > 0:
        return None
    k = 1.2 / sd_log
    z = lx - lx.max()  # scale-free powers: x^k / max^k
    for _ in range(50):
        p = d.c * np.exp(k * z)
        s0, s1, s2 = p.sum(), (p * lx).sum(), (p * lx * lx).sum()
        f = s1 / s0 - 1 / k - mean_log
        df = (s2 / s0 - (s1 / s0) ** 2) + 1 / k**2
        step = f / df
        k_new = k - step
        k = k_new if k_new > 0 else k / 2
        if abs(step) < 1e-10 * k:
            break
    scale = math.exp(lx.max()) * (float(np.sum(d.c * np.exp(k * z))) / d.n) ** (1 / k)
    return k, scale


def continuous_models(d: Data) -> list[Model]:
    models: list[Model | None] = [_normal(d.mean, d.sd)]
    if d.lo > 0:
        lx = d.logx
        mu = float(np.sum(d.c * lx) / d.n)
        models.append(_lognormal(mu, math.sqrt(float(np.sum(d.c * (lx - mu) ** 2) / d.n))))
        start = _gamma_start(d)
        if start:
            models.append(_gamma(*start))
        start = _weibull_start(d)
        if start:
            models.append(_weibull(*start))
        alpha = d.n / float(np.sum(d.c * np.log(d.x / d.lo)) or math.inf)
        models.append(_pareto(alpha, d.lo))
    if d.lo >= 0 and d.mean > 0:
        models.append(_exponential(d.mean))
    models.append(_int_uniform(d.lo, d.hi) if d.integer else _uniform(d.lo, d.hi))
    models.append(_triangular(d.lo, d.hi, 3 * d.mean - d.lo - d.hi))
    if d.hi > d.lo and d.sd > 0:
        if d.lo >= 0 and d.hi <= 1:
            low, high, k = 0.0, 1.0, 2
        else:
            pad = (d.hi - d.lo) / max(d.n, 2)
            low, high, k = d.lo - pad, d.hi + pad, 4
        m = (d.mean - low) / (high - low)
        v = (d.sd / (high - low)) ** 2
        common = m * (1 - m) / v - 1
        if common > 0:
            models.append(_beta(m * common, (1 - m) * common, low, high, k))
    tables = [b for b in (8, 16, 32, 64) if d.n >= 5 * b and len(d.x) >= b]
    if tables:  # the largest table's quantiles hold every smaller one's
        q = _quantiles(d, tables[-1])
        models += [_empirical(d, b, q[:: tables[-1] // b]) for b in tables]
    return [m for m in models if m is not None]


# ---------------------------------------------------------------- discrete families


def _poisson(lam: float) -> Model | None:
    if not lam > 0:
        return None
    return Model(
        "poisson",
        {"mean": _r(lam)},
        1,
        cdf=lambda k: np.where(k >= 0, special.pdtr(np.floor(np.maximum(k, 0)), lam), 0.0),
        logpmf=lambda k: np.where(
            k >= 0, k * math.log(lam) - lam - special.gammaln(k + 1), -np.inf
        ),
        rebuild=lambda t: _poisson(math.exp(t[0])),
        theta=np.array([math.log(lam)]),
        batch=_poisson_batch,
    )


def _poisson_batch(t: np.ndarray) -> Batch:
    lam = np.exp(t[0])
    return Batch(
        cdf=lambda k: np.where(k >= 0, special.pdtr(np.floor(np.maximum(k, 0)), lam), 0.0),
        density=lambda k: np.where(k >= 0, k * np.log(lam) - lam - special.gammaln(k + 1), -np.inf),
    )


def _nbinom(r: float, p: float) -> Model | None:
    if not (r > 0 and 0 < p <= 1):
        return None
    lr = special.gammaln(r)
    return Model(
        "negative_binomial",
        {"n": _r(r), "p": _r(p)},
        2,
        cdf=lambda k: np.where(k >= 0, special.betainc(r, np.floor(np.maximum(k, 0)) + 1, p), 0.0),
        logpmf=lambda k: np.where(
            k >= 0,
            special.gammaln(k + r)
            - lr
            - special.gammaln(k + 1)
            + r * math.log(p)
            + k * math.log1p(-p),
            -np.inf,
        ),
        rebuild=lambda t: _nbinom(math.exp(t[0]), special.expit(t[1])),
        theta=np.array([math.log(r), special.logit(min(p, 1 - 1e-12))]),
        batch=_nbinom_batch,
    )


def _nbinom_batch(t: np.ndarray) -> Batch:
    r, p = np.exp(t[0]), special.expit(t[1])
    lr = special.gammaln(r)
    return Batch(
        cdf=lambda k: np.where(k >= 0, special.betainc(r, np.floor(np.maximum(k, 0)) + 1, p), 0.0),
        density=lambda k: np.where(
            k >= 0,
            special.gammaln(k + r) - lr - special.gammaln(k + 1) + r * np.log(p) + k * np.log1p(-p),
            -np.inf,
        ),
        ok=((r > 0) & (p > 0) & (p <= 1))[:, 0],
    )


def _geometric(p: float) -> Model | None:
    if not 0 < p < 1:
        return None
    return Model(
        "geometric",
        {"p": _r(p)},
        1,
        cdf=lambda k: np.where(k >= 1, -np.expm1(np.floor(np.maximum(k, 0)) * math.log1p(-p)), 0),
        logpmf=lambda k: np.where(k >= 1, (k - 1) * math.log1p(-p) + math.log(p), -np.inf),
    )


def _binomial(n: int, p: float) -> Model | None:
    if not (n >= 1 and 0 < p < 1):
        return None
    ln = special.gammaln(n + 1)
    return Model(
        "binomial",
        {"n": int(n), "p": _r(p)},
        2,
        cdf=lambda k: np.where(k >= 0, special.bdtr(np.clip(np.floor(k), 0, n), n, p), 0.0),
        logpmf=lambda k: np.where(
            (k >= 0) & (k <= n),
            ln
            - special.gammaln(k + 1)
            - special.gammaln(n - k + 1)
            + k * math.log(p)
            + (n - k) * math.log1p(-p),
            -np.inf,
        ),
    )


def _zipf(s: float, n: int) -> Model | None:
    if not (s > 0 and n >= 1) or n > 10_000_000:
        return None
    ranks = np.arange(1, n + 1, dtype=np.float64)
    weights = ranks**-s
    total = weights.sum()
    table = np.concatenate([[0.0], np.cumsum(weights) / total])
    log_total = math.log(total)

    def cdf(k: np.ndarray) -> np.ndarray:
        return table[np.clip(np.floor(k), 0, n).astype(np.int64)]

    return Model(
        "zipf",
        {"s": _r(s), "n": int(n)},
        2,
        cdf=cdf,
        logpmf=lambda k: np.where(
            (k >= 1) & (k <= n), -s * np.log(np.maximum(k, 1)) - log_total, -np.inf
        ),
    )


def _golden(f: Callable[[float], float], a: float, b: float, iterations: int = 40) -> float:
    """Minimum of a unimodal f on [a, b]."""
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iterations):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def discrete_models(d: Data) -> list[Model]:
    """Count families for non-negative integer data (all of them allowed in `count: {per:}`)."""
    models: list[Model | None] = []
    if d.lo < 0:
        return []
    var = d.sd**2
    models.append(_poisson(d.mean))
    if var > d.mean > 0:
        lx, c, n, mean = d.x, d.c, d.n, d.mean

        def nll(log_r: float) -> float:
            r = math.exp(log_r)
            p = r / (r + mean)
            if p >= 1.0:
                # r so large that p rounds to 1 (a variance above the mean by rounding
                # error only, as 0..4 five times each: r0 ~ 1e16): the Poisson limit, which
                # the Poisson fit already covers with one parameter less
                return math.inf
            return -float(
                np.sum(c * (special.gammaln(lx + r) - special.gammaln(r)))
                + n * r * math.log(p) + n * mean * math.log1p(-p)
            )  # fmt: skip

        r0 = mean**2 / (var - mean)
        r = math.exp(_golden(nll, math.log(r0) - 3, math.log(r0) + 3))
        if r / (r + mean) < 1.0:
            models.append(_nbinom(r, r / (r + mean)))
    if d.lo >= 1 and d.mean > 1:
        models.append(_geometric(1 / d.mean))
    if 0 < var < d.mean and 1 <= d.hi <= 10_000:
        best = None
        for n_trials in range(int(d.hi), int(d.hi) * 3 + 2):
            p = d.mean / n_trials
            if not 0 < p < 1:
                continue
            m = _binomial(n_trials, p)
            ll = float(np.sum(d.c * m.logpmf(d.x)))
            if best is None or ll > best[0]:
                best = (ll, m)
            elif ll < best[0] - 5:
                break
        if best:
            models.append(best[1])
    if d.lo >= 1 and d.hi <= 1_000_000:
        top = int(d.hi)
        log_sum = float(np.sum(d.c * np.log(d.x)))

        def zipf_nll(s: float) -> float:
            return s * log_sum + d.n * math.log(np.sum(np.arange(1, top + 1, dtype=float) ** -s))

        models.append(_zipf(_golden(zipf_nll, 0.01, 6.0), top))
    return [m for m in models if m is not None]


# A count mixture's tail component: zipf over 1..max, summed over this many ranks at most
MAX_ZIPF_RANKS = 100_000


def _truncated_pmfs(theta: np.ndarray, k: np.ndarray, logk: np.ndarray) -> np.ndarray:
    """(2, len(k)): a negative binomial at (log n, logit p) and a zipf over 1..k[-1] at
    (log s) on the whole numbers k = lo..hi, each renormalised to them."""
    r, p, s = math.exp(theta[0]), special.expit(theta[1]), math.exp(theta[2])
    nb = np.exp(
        special.gammaln(k + r) - special.gammaln(r) - special.gammaln(k + 1)
        + r * math.log(p) + k * math.log1p(-p)
    )  # fmt: skip
    zf = np.where(k >= 1, np.exp(-s * logk[np.maximum(k.astype(np.int64) - 1, 0)]), 0.0)
    out = np.stack([nb, zf])
    return out / np.maximum(out.sum(axis=1, keepdims=True), _TINY)


def _count_mixture(d: Data) -> Model | None:
    """A negative binomial body with a zipf tail, for children per parent whose tail no single
    family holds (many parents with 0-2 children, a few with hundreds).

    Each component is truncated to the observed [lo, hi] on its own, as `count: {per:, min:,
    max:}` does. The tail's weight is set so the mixture's mean is the observed one (the
    total of children comes out as in the data, which a free weight misses by a third on a
    Pareto tail: the likelihood follows the many small counts, the total the few large
    ones); n, p and s by maximum likelihood over the distinct counts (Nelder-Mead)."""
    if d.lo < 0 or d.hi < 3 or d.hi > MAX_ZIPF_RANKS or len(d.x) < 5:
        return None
    from scipy import optimize

    x, c, lo, hi, mean = d.x, d.c, d.lo, d.hi, d.mean
    k = np.arange(lo, hi + 1, dtype=np.float64)
    logk = np.log(np.arange(1, int(hi) + 1, dtype=np.float64))
    at = (x - lo).astype(np.int64)

    def weight(pmfs: np.ndarray) -> float:
        m_nb, m_zf = pmfs @ k
        return (mean - m_nb) / (m_zf - m_nb) if m_zf != m_nb else math.nan

    def nll(theta: np.ndarray) -> float:
        pmfs = _truncated_pmfs(theta, k, logk)
        w = weight(pmfs)
        if not 1e-6 < w < 1 - 1e-6:  # the mean is out of reach: far outside
            return 1e300
        mix = (1 - w) * pmfs[0, at] + w * pmfs[1, at]
        ll = float(np.sum(c * np.log(np.maximum(mix, _TINY))))
        return -ll if math.isfinite(ll) else 1e300

    # Starts: the body's moments (below its 90th percentile) with zipf exponents 1.5 and 2
    body = x <= x[np.searchsorted(np.cumsum(c), 0.9 * d.n)]
    m = float(np.sum(x[body] * c[body]) / np.sum(c[body]))
    v = float(np.sum(c[body] * (x[body] - m) ** 2) / np.sum(c[body]))
    r0 = min(max(m**2 / (v - m) if v > m > 0 else 10.0, 1e-3), 1e3)
    p0 = min(max(r0 / (r0 + max(m, 1e-3)), 1e-6), 1 - 1e-6)
    best = None
    with np.errstate(all="ignore"):
        for s0 in (1.5, 2.0):
            start = np.array([math.log(r0), special.logit(p0), math.log(s0)])
            res = optimize.minimize(
                nll, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-3}
            )
            if best is None or res.fun < best.fun:
                best = res
    if best is None or not best.fun < 1e299:
        return None
    theta = best.x
    pmfs = _truncated_pmfs(theta, k, logk)
    w = weight(pmfs)
    pmf = (1 - w) * pmfs[0] + w * pmfs[1]
    cum = np.cumsum(pmf)
    table = np.log(np.maximum(pmf, _TINY))
    r, p, s = math.exp(theta[0]), float(special.expit(theta[1])), math.exp(theta[2])

    def cdf(v: np.ndarray) -> np.ndarray:
        i = np.floor(np.asarray(v, dtype=np.float64)) - lo
        return np.where(i < 0, 0.0, cum[np.clip(i, 0, len(cum) - 1).astype(np.int64)])

    def logpmf(v: np.ndarray) -> np.ndarray:
        i = np.asarray(v, dtype=np.float64) - lo
        ok = (i >= 0) & (i <= hi - lo)
        return np.where(ok, table[np.clip(i, 0, len(table) - 1).astype(np.int64)], -np.inf)

    return Model(
        "mixture",
        {
            "components": [
                {"distribution": "negative_binomial", "n": _r(r), "p": _r(p), "weight": _r(1 - w)},
                {"distribution": "zipf", "s": _r(s), "n": int(hi), "weight": _r(w)},
            ]
        },
        5,
        cdf=cdf,
        logpmf=logpmf,
        support=(lo, hi),
        note=f"a negative binomial body with a zipf tail on {w:.1%} of parents",
    )


def categorical_model(d: Data) -> Model:
    """Every observed value with its frequency (a `choice`)."""
    p = d.c / d.n
    cum = np.concatenate([[0.0], np.cumsum(p)])
    x = d.x

    def cdf(v: np.ndarray) -> np.ndarray:
        return cum[np.searchsorted(x, v, side="right")]

    def logpmf(v: np.ndarray) -> np.ndarray:
        j = np.clip(np.searchsorted(x, v), 0, len(x) - 1)
        return np.where(x[j] == v, np.log(p[j]), -np.inf)

    weights = {_key(v): int(c) for v, c in zip(x, d.c, strict=True)}
    model = Model("choice", {"weights": weights}, len(x) - 1, cdf=cdf, logpmf=logpmf)
    if not d.integer:  # floats: score by bucket like the continuous families
        model.logpdf = lambda v: logpmf(v) - math.log(d.delta or 1.0)
        model.logpmf = None
        # Its own support, wider than the data by a bucket: clipping a bucket to the observed
        # range would cut the atom at the lowest value out of its own bucket.
        model.support = (d.lo - max(d.delta, d.eps), d.hi + max(d.delta, d.eps))
    return model


def _key(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


# ---------------------------------------------------------------- entry points


def fit_numeric(
    values: np.ndarray,
    *,
    integer: bool,
    decimals: int | None = None,
    max_categories: int = 30,
    discrete: bool = True,
    defer_mixtures: bool = False,
    histogram: tuple[np.ndarray, np.ndarray] | None = None,
) -> Fit | None:
    """Best family for a numeric column (None for an empty or constant one).

    `discrete=False` leaves out count families and the categorical table (times, gaps).
    `defer_mixtures`: see `_choose` (`Fit.mixture`). `histogram`: see `Data.of`.
    """
    d = Data.of(values, decimals=decimals, integer=integer, histogram=histogram)
    if d.n == 0 or d.hi == d.lo:
        return None
    models = continuous_models(d)
    if integer and discrete:
        models += discrete_models(d)
    if discrete and len(d.x) <= max_categories and (integer or d.delta > 0) and d.n >= 2 * len(d.x):
        models.append(categorical_model(d))

    def mixtures() -> list[Model]:
        return [m for m in (_em_normals(d, 2), _em_normals(d, 3)) if m is not None]

    return _choose(d, models, mixtures, defer=defer_mixtures)


def fit_counts(values: np.ndarray) -> Fit | None:
    """Children per parent: a discrete family `count: {per:}` accepts, or a uniform range."""
    d = Data.of(values, decimals=0, integer=True)
    if d.n == 0:
        return None
    if d.hi == d.lo:
        return Fit("const", {"const": int(d.lo)}, 0, 0.0, d.n, ranking=[("const", 0.0)])
    models = discrete_models(d)
    models.append(_int_uniform(d.lo, d.hi))

    def mixtures() -> list[Model]:  # only when no single family passes KS: a heavy tail
        return [m for m in (_count_mixture(d),) if m is not None]

    models.append(_count_points(d))
    fit = _choose(d, [m for m in models if m is not None], mixtures)
    if fit is not None and fit.family not in ("uniform", "choice"):
        fit.lo = d.lo if d.lo > 0 else fit.lo
        fit.hi = d.hi  # a count is always bounded by what was seen
    return fit


# Children per parent taking this many distinct values at most are also offered as a table
# of those values (`count: {per: p, choice: {2: 260, 3: 87}}`): 2-4 events per order fitted
# as a Poisson of mean 21 truncated to 2-4 reads as nonsense, though it scores well.
MAX_COUNT_POINTS = 10


def _count_points(d: Data) -> Model | None:
    """Each observed count with its frequency, as a count's `choice` table writes it (weights
    = parents with that many children). Scored like any family (one parameter per value but
    the last), so a family within AIC reach still wins by parsimony."""
    if len(d.x) < 2 or len(d.x) > MAX_COUNT_POINTS or d.lo < 0:
        return None
    m = categorical_model(d)
    return Model(
        "choice",
        {"choice": {int(x): int(c) for x, c in zip(d.x, d.c, strict=True)}},
        len(d.x) - 1,
        cdf=m.cdf,
        logpmf=m.logpmf,
        support=(d.lo, d.hi),
        simplicity=6,
        note="a table of the observed counts, weights = parents with that many",
    )
