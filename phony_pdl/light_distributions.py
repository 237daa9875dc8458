"""The most used distribution families without importing scipy.stats.

`import scipy.stats` takes about 0.6 s (it builds every distribution's docstrings),
more than generating a small schema. These classes compute `ppf` and `cdf` with the
same scipy.special calls and the same arithmetic, in the same order, as scipy.stats'
frozen `norm`, `lognorm`, `expon`, `weibull_min`, `uniform`, `poisson` and
`rv_histogram` (scipy 1.17: rv_continuous.ppf/.cdf and rv_discrete.cdf in
_distn_infrastructure.py), so values are bit for bit those of scipy.stats
(tests/test_light_distributions.py checks it). Anything
else (`pmf`, `mean`, …) goes to the real scipy.stats object, built on first use.

`Empirical` also takes what rv_histogram cannot: bins of zero width (equal quantiles),
which are atoms, a point carrying the bin's whole mass.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

import numpy as np


def _special():
    from scipy import special  # 0.2–0.4 s to import: only once a value is drawn

    return special


class _ScipyFallback:
    """Any attribute this class does not define comes from the real scipy.stats object,
    built on first use by `real()`."""

    _phony_cdf_table = None  # engine.sampling's cache slot: not a scipy attribute

    def __init__(self, real: Callable[[], Any]) -> None:
        self._real_factory = real
        self._real: Any = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_real", "_real_factory"):
            raise AttributeError(name)
        if self._real is None:
            self._real = self._real_factory()
        return getattr(self._real, name)


class _Light(_ScipyFallback, abc.ABC):
    """A frozen distribution: loc/scale family with standard ppf/cdf, support (a, b)."""

    a = -np.inf
    b = np.inf

    def __init__(self, real: Callable[[], Any], loc: float = 0.0, scale: float = 1.0) -> None:
        super().__init__(real)
        self.loc = loc
        self.scale = scale

    @abc.abstractmethod
    def _ppf(self, q: np.ndarray) -> np.ndarray:
        """scipy's standard-form inverse CDF, for q in (0, 1)."""

    @abc.abstractmethod
    def _cdf(self, x: np.ndarray) -> np.ndarray:
        """scipy's standard-form CDF, for x inside the support."""

    def ppf(self, q: Any) -> Any:
        q = np.asarray(q)
        inside = (q > 0) & (q < 1)
        out = np.full(q.shape, np.nan)
        out[q == 0] = self.a * self.scale + self.loc
        out[q == 1] = self.b * self.scale + self.loc
        if inside.any():
            out[inside] = self._ppf_of(q[inside], bool(inside.all())) * self.scale + self.loc
        return out[()] if out.ndim == 0 else out

    def cdf(self, x: Any) -> Any:
        x = np.asarray(x)
        x = np.asarray((x - self.loc) / self.scale, dtype=np.promote_types(x.dtype, np.float64))
        out = np.zeros(x.shape, dtype=x.dtype)
        out[np.isnan(x)] = np.nan
        out[x >= self.b] = 1.0
        inside = (self.a < x) & (x < self.b)
        if inside.any():
            out[inside] = self._cdf_of(x[inside], bool(inside.all()))
        return out[()] if out.ndim == 0 else out

    # `every`: all the values were inside. scipy then hands a shape argument to _ppf/_cdf
    # as an array as long as them, else as a one-element array (its argsreduce), and
    # numpy's power rounds those two differently in the last bit now and then.
    def _ppf_of(self, q: np.ndarray, every: bool) -> np.ndarray:
        return self._ppf(q)

    def _cdf_of(self, x: np.ndarray, every: bool) -> np.ndarray:
        return self._cdf(x)

    def support(self) -> tuple[float, float]:
        return self.a * self.scale + self.loc, self.b * self.scale + self.loc


class Normal(_Light):
    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return _special().ndtri(q)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return _special().ndtr(x)


class Lognormal(_Light):
    a = 0.0

    def __init__(self, real: Callable[[], Any], s: float, scale: float) -> None:
        super().__init__(real, 0, scale)
        self.s = s

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return np.exp(self.s * _special().ndtri(q))

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return _special().ndtr(np.log(x) / self.s)


class Exponential(_Light):
    a = 0.0

    def __init__(self, real: Callable[[], Any], scale: float) -> None:
        super().__init__(real, 0, scale)

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return -_special().log1p(-q)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return -_special().expm1(-x)


class Weibull(_Light):
    """scipy.stats.weibull_min(c, scale=scale)."""

    a = 0.0

    def __init__(self, real: Callable[[], Any], c: float, scale: float) -> None:
        super().__init__(real, 0, scale)
        self.c = c

    def _shape(self, value: float, n: int, every: bool) -> np.ndarray:
        return np.full(n, value) if every else np.array([value])

    def _ppf_of(self, q: np.ndarray, every: bool) -> np.ndarray:
        return pow(-_special().log1p(-q), 1.0 / self._shape(self.c, len(q), every))

    def _cdf_of(self, x: np.ndarray, every: bool) -> np.ndarray:
        # x**c past the float range is inf, whose CDF is exactly 1: a right answer, no warning
        with np.errstate(over="ignore"):
            return -_special().expm1(-pow(x, self._shape(self.c, len(x), every)))

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return self._ppf_of(q, True)

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return self._cdf_of(x, True)


class Uniform(_Light):
    a, b = 0.0, 1.0

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return q

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        return x


class Empirical(_Light):
    """scipy.stats.rv_histogram((weights, edges), density=False), plus atoms: a bin whose
    edges are equal carries its weight at that point (rv_histogram divides by its zero
    width and gives NaN everywhere)."""

    def __init__(self, real: Callable[[], Any], weights: np.ndarray, edges: np.ndarray) -> None:
        super().__init__(real)
        widths = edges[1:] - edges[:-1]
        flat = widths == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            density = weights / widths  # rv_histogram's arithmetic, in its order
            mass = np.where(flat, weights, density * widths)
            density = density / float(mass.sum())
            mass = np.where(flat, weights / float(mass.sum()), density * widths)
        self.edges = edges
        self.cumulative = np.concatenate(([0.0], mass.cumsum()))
        self.has_atoms = bool(flat.any())
        self.a, self.b = float(edges[0]), float(edges[-1])

    def _ppf(self, q: np.ndarray) -> np.ndarray:
        return np.interp(q, self.cumulative, self.edges)

    def cdf(self, x: Any) -> Any:
        if not self.has_atoms:
            xs = np.asarray(x)
            if xs.dtype == np.float64:
                # `_Light.cdf` in three whole-array steps (phony infer scores four tables a
                # column): the same values, NaN through np.interp, ±0 below the support
                out = np.interp(xs, self.edges, self.cumulative)
                out = np.where(xs >= self.b, 1.0, out)
                out = np.where(xs <= self.a, 0.0, out)
                return out[()] if out.ndim == 0 else out
        out = super().cdf(x)
        if self.has_atoms and self.edges[1] == self.a:  # an atom at the lowest value
            out = np.where(np.asarray(x) == self.a, self._cdf(np.asarray(self.a)), out)
            out = out[()] if out.ndim == 0 else out
        return out

    def _cdf(self, x: np.ndarray) -> np.ndarray:
        if not self.has_atoms:
            return np.interp(x, self.edges, self.cumulative)
        # Right-continuous: the bin [edges[j], edges[j+1]) holding x has a positive width.
        j = np.searchsorted(self.edges, x, side="right") - 1
        left, right = self.edges[j], self.edges[j + 1]
        share = (x - left) / (right - left)
        return self.cumulative[j] + share * (self.cumulative[j + 1] - self.cumulative[j])


class Poisson(_ScipyFallback):
    """scipy.stats.poisson(mu): support 0, 1, …; cdf(k) = pdtr(floor(k), mu) clipped to [0, 1]."""

    def __init__(self, real: Callable[[], Any], mu: float) -> None:
        super().__init__(real)
        self.mu = mu

    def cdf(self, k: Any) -> Any:
        k = np.asarray(k)
        inside = (k >= 0) & np.isfinite(k)
        out = np.zeros(k.shape, dtype="d")
        out[k >= np.inf] = 1.0
        out[np.isnan(k)] = np.nan
        if inside.any():
            out[inside] = np.clip(_special().pdtr(np.floor(k[inside]), self.mu), 0, 1)
        return out[()] if out.ndim == 0 else out

    def support(self) -> tuple[float, float]:
        return 0, np.inf


# Below this rank generalized harmonic numbers are summed term by term; above, the
# Euler–Maclaurin formula carries on from there (its remainder after four terms is below
# 1e-25 from rank 256 on, for every s > 0).
_HARMONIC_SUMMED = 256
# Euler–Maclaurin: B_2j / (2j)! for j = 1..4, with the order of f's derivative (2j − 1).
_EULER_MACLAURIN = ((1 / 12, 1), (-1 / 720, 3), (1 / 30240, 5), (-1 / 1209600, 7))


class Zipfian(_ScipyFallback):
    """scipy.stats.zipfian(s, n), ranks 1..n with P(k) = k^-s / H(n, s), with `cdf`, `pmf`
    and `logpmf` from generalized harmonic numbers H(k, s) in constant time per value.
    scipy 1.17 sums H(n, s) term by term for s near or below 1, on every call and for
    every value: 50 ms per value at n = 10^6, so a bounded zipf with s <= 1 and a large
    n took minutes (the CDF table alone has 4,096 values). Here H is a 256-term prefix
    sum plus the Euler–Maclaurin tail, to about 1e-16 relative."""

    def __init__(self, real: Callable[[], Any], s: float, n: int) -> None:
        super().__init__(real)
        self.s, self.n = float(s), int(n)
        m = min(self.n, _HARMONIC_SUMMED)
        terms = np.arange(1, m + 1, dtype=np.float64) ** -self.s
        self._prefix = np.concatenate([[0.0], np.cumsum(terms)])  # H(0), …, H(m)
        self._total = float(self.harmonic(np.array([float(self.n)]))[0])

    def harmonic(self, k: np.ndarray) -> np.ndarray:
        """H(k, s) = 1 + 2^-s + … + k^-s for whole k from 0 to n."""
        s, m = self.s, len(self._prefix) - 1
        k = np.asarray(k, dtype=np.float64)
        out = np.empty(k.shape)
        small = k <= m
        out[small] = self._prefix[k[small].astype(np.int64)]
        if not small.all():
            x = k[~small]
            # Σ_{i=m+1}^{x} i^-s = ∫_m^x t^-s dt + (x^-s − m^-s)/2
            #                      + Σ_j B_2j/(2j)! (f^(2j−1)(x) − f^(2j−1)(m))
            t = np.log(x / m)
            integral = t if s == 1 else m ** (1 - s) * np.expm1((1 - s) * t) / (1 - s)
            tail = integral + (x**-s - m**-s) / 2
            rising = 1.0
            for j, (coef, order) in enumerate(_EULER_MACLAURIN):
                # f^(order)(y) = −s(s+1)…(s+order−1) y^(−s−order), order odd
                rising *= (s + 2 * j - 1) * (s + 2 * j) if j else s
                tail -= coef * rising * (x ** (-s - order) - float(m) ** (-s - order))
            out[~small] = self._prefix[m] + tail
        return out

    def cdf(self, k: Any) -> Any:
        k = np.floor(np.asarray(k, dtype=np.float64))
        out = np.where(k >= self.n, 1.0, 0.0)
        out[np.isnan(k)] = np.nan
        inside = (k >= 1) & (k < self.n)
        if inside.any():
            out[inside] = self.harmonic(k[inside]) / self._total
        return out[()] if out.ndim == 0 else out

    def logpmf(self, k: Any) -> Any:
        k = np.asarray(k, dtype=np.float64)
        inside = (k >= 1) & (k <= self.n) & (k == np.floor(k))
        with np.errstate(divide="ignore"):
            out = np.where(inside, -self.s * np.log(np.where(inside, k, 1.0)), -np.inf)
        out = out - np.log(self._total)
        return out[()] if out.ndim == 0 else out

    def pmf(self, k: Any) -> Any:
        return np.exp(self.logpmf(k))

    def support(self) -> tuple[float, float]:
        return 1, self.n
