"""Probability distributions PDL names, with their parameters and inverse CDFs.

Each family is declared once: a pydantic model of its parameters (natural names,
validated), whether it is discrete, and a function that builds the scipy frozen
distribution used for inverse-CDF sampling from Phony's own uniform streams (the
most used families as light_distributions' scipy-exact stand-ins, so that generating
does not import scipy.stats).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from . import light_distributions as light


class DistParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="after")
    def _finite(self) -> DistParams:
        """Every number a family takes is finite: NaN or ±inf in a mean, a quantile, an edge
        or a weight gives NaN or no values at all when sampled. Checked for every family
        here, before the family's own checks."""
        for name in type(self).model_fields:
            _finite(name, getattr(self, name))
        return self


def _finite(name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _finite(f"{name}.{key}", inner)
        return
    numbers = value if isinstance(value, list) else [value]
    bad = [v for v in numbers if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        what = f"{name}={value}:" if not isinstance(value, list) else f"`{name}` holds {bad[0]}:"
        raise PydanticCustomError(
            "bad-distribution-param",
            what + " distribution parameters must be finite numbers (not NaN or infinity)",
            {"name": name.split(".")[0], "value": value, "hint": "write a finite number"},
        )


def _positive(name: str, value: float | None) -> None:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise PydanticCustomError(
            "bad-distribution-param",
            "{name}={value} must be a positive number",
            {"name": name, "value": value},
        )


def _prob(name: str, value: float | None, allow_zero: bool = False) -> None:
    if value is None:
        return
    ok = (0 <= value <= 1) if allow_zero else (0 < value <= 1)
    if not ok:
        raise PydanticCustomError(
            "bad-distribution-param",
            "{name}={value} must be a probability in " + ("[0, 1]" if allow_zero else "(0, 1]"),
            {"name": name, "value": value},
        )


def _one_of(params: BaseModel, *names: str, default: str | None = None) -> None:
    given = [n for n in names if getattr(params, n) is not None]
    if len(given) > 1:
        raise PydanticCustomError(
            "bad-distribution-param",
            "give only one of {names}",
            {"names": ", ".join(names)},
        )
    if not given and default is None:
        raise PydanticCustomError(
            "bad-distribution-param",
            "needs one of {names}",
            {"names": ", ".join(names)},
        )


class UniformParams(DistParams):
    pass


class NormalParams(DistParams):
    mean: float = 0.0
    sd: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> NormalParams:
        _positive("sd", self.sd)
        return self


class LognormalParams(DistParams):
    median: float | None = None
    mean: float | None = None
    sigma: float | None = None
    sd: float | None = None

    @model_validator(mode="after")
    def _check(self) -> LognormalParams:
        _one_of(self, "median", "mean")
        _one_of(self, "sigma", "sd")
        _positive("median", self.median)
        _positive("mean", self.mean)
        _positive("sigma", self.sigma)
        _positive("sd", self.sd)
        if self.sd is not None and self.mean is None:
            raise PydanticCustomError(
                "bad-distribution-param", "`sd` goes with `mean`; with `median` give `sigma`", {}
            )
        return self

    def mu_sigma(self) -> tuple[float, float]:
        if self.sigma is not None:
            sigma = self.sigma
            mu = (
                math.log(self.median)
                if self.median is not None
                else math.log(self.mean) - sigma**2 / 2
            )
        else:  # mean and sd of the variable itself
            sigma = math.sqrt(math.log1p((self.sd / self.mean) ** 2))
            mu = math.log(self.mean) - sigma**2 / 2
        return mu, sigma


class ExponentialParams(DistParams):
    mean: float | None = None
    rate: float | None = None

    @model_validator(mode="after")
    def _check(self) -> ExponentialParams:
        _one_of(self, "mean", "rate")
        _positive("mean", self.mean)
        _positive("rate", self.rate)
        return self

    def scale(self) -> float:
        return self.mean if self.mean is not None else 1.0 / self.rate


class GammaParams(DistParams):
    shape: float
    scale: float | None = None
    rate: float | None = None

    @model_validator(mode="after")
    def _check(self) -> GammaParams:
        _one_of(self, "scale", "rate", default="scale")
        _positive("shape", self.shape)
        _positive("scale", self.scale)
        _positive("rate", self.rate)
        return self


class BetaParams(DistParams):
    alpha: float
    beta: float

    @model_validator(mode="after")
    def _check(self) -> BetaParams:
        _positive("alpha", self.alpha)
        _positive("beta", self.beta)
        return self


class WeibullParams(DistParams):
    shape: float
    scale: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> WeibullParams:
        _positive("shape", self.shape)
        _positive("scale", self.scale)
        return self


class ParetoParams(DistParams):
    alpha: float
    scale: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> ParetoParams:
        _positive("alpha", self.alpha)
        _positive("scale", self.scale)
        return self


class TriangularParams(DistParams):
    mode: float


class PoissonParams(DistParams):
    mean: float

    @model_validator(mode="after")
    def _check(self) -> PoissonParams:
        _positive("mean", self.mean)
        return self


class BinomialParams(DistParams):
    n: int
    p: float

    @model_validator(mode="after")
    def _check(self) -> BinomialParams:
        _positive("n", self.n)
        _prob("p", self.p, allow_zero=True)
        return self


class NegativeBinomialParams(DistParams):
    """`n` and `p` (scipy's, numpy's), or the mean with `n` (R's `mu` and `size`, the
    gamma-Poisson's shape) or with `sd` (over-dispersed counts as people describe them)."""

    n: float | None = None
    p: float | None = None
    mean: float | None = None
    sd: float | None = None

    @model_validator(mode="after")
    def _check(self) -> NegativeBinomialParams:
        _positive("n", self.n)
        _prob("p", self.p)
        _positive("mean", self.mean)
        _positive("sd", self.sd)
        if self.mean is None:
            if self.n is None or self.p is None or self.sd is not None:
                raise PydanticCustomError(
                    "bad-distribution-param",
                    "needs `n` and `p`, or `mean` with `n` or with `sd`",
                    {},
                )
            return self
        if self.p is not None:
            raise PydanticCustomError(
                "bad-distribution-param",
                "`p` goes with `n`; with `mean` give `n` or `sd`",
                {},
            )
        _one_of(self, "n", "sd")
        if self.sd is not None and not self.sd**2 > self.mean:
            raise PydanticCustomError(
                "bad-distribution-param",
                "sd={sd} must be above √mean = {root}: a negative binomial's variance, "
                "mean + mean²/n, exceeds its mean (for variance equal to the mean use poisson)",
                {"sd": self.sd, "root": f"{math.sqrt(self.mean):.6g}"},
            )
        return self

    def n_p(self) -> tuple[float, float]:
        """scipy's (n, p) from whichever pair was given."""
        if self.mean is None:
            return float(self.n), float(self.p)  # type: ignore[arg-type]
        if self.sd is not None:
            # variance = mean + mean²/n  →  n = mean² / (variance − mean), p = mean / variance
            n = self.mean**2 / (self.sd**2 - self.mean)
            return n, self.mean / self.sd**2
        return float(self.n), self.n / (self.n + self.mean)  # type: ignore[operator]


class GeometricParams(DistParams):
    p: float

    @model_validator(mode="after")
    def _check(self) -> GeometricParams:
        _prob("p", self.p)
        return self


class ZipfParams(DistParams):
    s: float
    n: int | None = None

    @model_validator(mode="after")
    def _check(self) -> ZipfParams:
        _positive("s", self.s)
        _positive("n", self.n)
        if self.n is None and self.s <= 1:
            raise PydanticCustomError(
                "bad-distribution-param",
                "an unbounded zipf needs s > 1 (got s={s}); give `n` to bound it",
                {"s": self.s},
            )
        return self


class EmpiricalParams(DistParams):
    quantiles: list[float] | None = None
    histogram: dict[str, list[float]] | None = None

    @model_validator(mode="after")
    def _check(self) -> EmpiricalParams:
        _one_of(self, "quantiles", "histogram")
        if self.quantiles is not None:
            q = self.quantiles
            if len(q) < 2 or any(b < a for a, b in itertools.pairwise(q)):
                raise PydanticCustomError(
                    "bad-distribution-param",
                    "`quantiles` needs at least two non-decreasing values",
                    {},
                )
        if self.histogram is not None:
            h = self.histogram
            if set(h) != {"edges", "weights"}:
                raise PydanticCustomError(
                    "bad-distribution-param", "`histogram` needs exactly `edges` and `weights`", {}
                )
            edges, weights = h["edges"], h["weights"]
            if len(edges) != len(weights) + 1 or any(b <= a for a, b in itertools.pairwise(edges)):
                raise PydanticCustomError(
                    "bad-distribution-param",
                    "`histogram` needs increasing `edges` and one weight per bin",
                    {},
                )
            if any(w < 0 for w in weights) or sum(weights) <= 0:
                raise PydanticCustomError(
                    "bad-weights", "histogram weights must be >= 0 and not all zero", {}
                )
        return self


class MixtureParams(DistParams):
    # Components are validated one by one by `validate_params` (each is a distribution spec).
    components: list[dict[str, Any]]


@dataclass(frozen=True)
class Distribution:
    name: str
    params: type[DistParams]
    discrete: bool
    summary: str
    frozen: Callable[[Any, float | None, float | None], Any] | None = None
    needs_bounds: bool = False


def _scipy() -> Any:
    import scipy.stats

    return scipy.stats


REGISTRY: dict[str, Distribution] = {}


def _register(d: Distribution) -> None:
    if d.name in REGISTRY:
        raise RuntimeError(f"distribution {d.name!r} declared twice")
    REGISTRY[d.name] = d


def _empirical(p: EmpiricalParams, lo: float | None, hi: float | None) -> Any:
    if p.quantiles is not None:
        q = np.asarray(p.quantiles, dtype=float)
        edges = q
        weights = np.ones(len(q) - 1)
    else:
        edges = np.asarray(p.histogram["edges"], dtype=float)
        weights = np.asarray(p.histogram["weights"], dtype=float)
    # A piecewise-linear CDF: linear between quantiles, uniform within bins; equal quantiles
    # are atoms. Same values as scipy's rv_histogram where that is defined.
    real = lambda: _scipy().rv_histogram((weights, edges), density=False)  # noqa: E731
    return light.Empirical(real, weights, edges)


for _d in (
    Distribution(
        "uniform",
        UniformParams,
        False,
        "uniform between `min` and `max`",
        lambda p, lo, hi: light.Uniform(
            lambda: _scipy().uniform(loc=lo, scale=hi - lo), loc=lo, scale=hi - lo
        ),
        needs_bounds=True,
    ),
    Distribution(
        "normal",
        NormalParams,
        False,
        "normal with `mean` and `sd`",
        lambda p, lo, hi: light.Normal(
            lambda: _scipy().norm(loc=p.mean, scale=p.sd), loc=p.mean, scale=p.sd
        ),
    ),
    Distribution(
        "lognormal",
        LognormalParams,
        False,
        "log-normal by `median` and `sigma` (log scale) or `mean` and `sd`",
        lambda p, lo, hi: light.Lognormal(
            lambda: _scipy().lognorm(s=p.mu_sigma()[1], scale=math.exp(p.mu_sigma()[0])),
            s=p.mu_sigma()[1],
            scale=math.exp(p.mu_sigma()[0]),
        ),
    ),
    Distribution(
        "exponential",
        ExponentialParams,
        False,
        "exponential by `mean` or `rate`",
        lambda p, lo, hi: light.Exponential(
            lambda: _scipy().expon(scale=p.scale()), scale=p.scale()
        ),
    ),
    Distribution(
        "gamma",
        GammaParams,
        False,
        "gamma by `shape` and `scale` or `rate`",
        lambda p, lo, hi: _scipy().gamma(
            a=p.shape, scale=p.scale if p.scale is not None else (1 / p.rate if p.rate else 1.0)
        ),
    ),
    Distribution(
        "beta",
        BetaParams,
        False,
        "beta by `alpha` and `beta`, scaled to `min`..`max` (default 0..1)",
        lambda p, lo, hi: _scipy().beta(
            p.alpha, p.beta, loc=lo or 0.0, scale=(hi if hi is not None else 1.0) - (lo or 0.0)
        ),
    ),
    Distribution(
        "weibull",
        WeibullParams,
        False,
        "Weibull by `shape` and `scale`",
        lambda p, lo, hi: light.Weibull(
            lambda: _scipy().weibull_min(p.shape, scale=p.scale), c=p.shape, scale=p.scale
        ),
    ),
    Distribution(
        "pareto",
        ParetoParams,
        False,
        "Pareto by `alpha` and `scale` (the minimum)",
        lambda p, lo, hi: _scipy().pareto(p.alpha, scale=p.scale),
    ),
    Distribution(
        "triangular",
        TriangularParams,
        False,
        "triangular between `min` and `max` peaking at `mode`",
        lambda p, lo, hi: _scipy().triang((p.mode - lo) / (hi - lo), loc=lo, scale=hi - lo),
        needs_bounds=True,
    ),
    Distribution(
        "poisson",
        PoissonParams,
        True,
        "Poisson counts by `mean`",
        lambda p, lo, hi: light.Poisson(lambda: _scipy().poisson(p.mean), mu=p.mean),
    ),
    Distribution(
        "binomial",
        BinomialParams,
        True,
        "binomial by `n` trials and success probability `p`",
        lambda p, lo, hi: _scipy().binom(p.n, p.p),
    ),
    Distribution(
        "negative_binomial",
        NegativeBinomialParams,
        True,
        "failures before `n` successes with probability `p` (or by `mean` with `n` or `sd`)",
        lambda p, lo, hi: _scipy().nbinom(*p.n_p()),
    ),
    Distribution(
        "geometric",
        GeometricParams,
        True,
        "trials up to and including the first success, probability `p` (support 1, 2, …)",
        lambda p, lo, hi: _scipy().geom(p.p),
    ),
    Distribution(
        "zipf",
        ZipfParams,
        True,
        "Zipf ranks 1, 2, … with exponent `s` (bounded to `n` when given)",
        lambda p, lo, hi: (
            light.Zipfian(lambda: _scipy().zipfian(p.s, p.n), p.s, p.n)
            if p.n
            else _scipy().zipf(p.s)
        ),
    ),
    Distribution(
        "empirical",
        EmpiricalParams,
        False,
        "piecewise-linear from `quantiles` or a `histogram` of `edges` and `weights`",
        lambda p, lo, hi: _empirical(p, lo, hi),
    ),
    Distribution("mixture", MixtureParams, False, "weighted mixture of `components`", None),
):
    _register(_d)


# What other tools (numpy, scipy, R, textbooks) call a family's parameters, and PDL's name:
# an unknown parameter with one of these names gets "did you mean" the PDL one.
OTHER_NAMES: dict[str, dict[str, str]] = {
    "normal": {"mu": "mean", "loc": "mean", "sigma": "sd", "std": "sd", "stdev": "sd",
               "scale": "sd"},
    "lognormal": {"s": "sigma", "shape": "sigma", "scale": "median", "std": "sd"},
    "exponential": {"lambda": "rate", "lam": "rate", "scale": "mean", "beta": "mean"},
    "gamma": {"k": "shape", "a": "shape", "alpha": "shape", "theta": "scale", "beta": "rate"},
    "beta": {"a": "alpha", "b": "beta"},
    "weibull": {"k": "shape", "c": "shape", "a": "shape", "lambda": "scale"},
    "pareto": {"b": "alpha", "a": "alpha", "shape": "alpha", "xm": "scale", "x_m": "scale"},
    "triangular": {"c": "mode", "peak": "mode", "mid": "mode"},
    "poisson": {"lambda": "mean", "lam": "mean", "mu": "mean", "rate": "mean"},
    "binomial": {"trials": "n", "size": "n", "prob": "p"},
    "negative_binomial": {"r": "n", "size": "n", "k": "n", "dispersion": "n", "prob": "p",
                          "mu": "mean"},
    "geometric": {"prob": "p"},
    "zipf": {"a": "s", "alpha": "s", "exponent": "s"},
}  # fmt: skip


def other_name(name: str, key: str) -> str | None:
    """The family's own parameter that another tool calls `key`, if any."""
    return OTHER_NAMES.get(name, {}).get(key.lower())


def param_names(name: str) -> list[str]:
    d = REGISTRY.get(name)
    return list(d.params.model_fields) if d else []


def all_param_names() -> set[str]:
    return {n for d in REGISTRY.values() for n in d.params.model_fields}


def support(name: str, p: DistParams) -> tuple[float, float] | None:
    """The smallest and largest value of a family with parameters `p` (infinite where
    unbounded), for the families that `min` and `max` truncate; None for those that take
    their range from the bounds (uniform, triangular, beta) and for mixtures. Validation
    rejects bounds that miss it: truncation would have nothing to draw from."""
    inf = math.inf
    if name == "normal":
        return -inf, inf
    if isinstance(p, NegativeBinomialParams) and p.n_p()[1] == 1.0:
        return 0.0, 0.0
    if name in ("lognormal", "exponential", "gamma", "weibull", "poisson", "negative_binomial"):
        return 0.0, inf
    if isinstance(p, ParetoParams):
        return p.scale, inf
    # Degenerate probabilities pin the family to one value: p = 1 makes every geometric
    # draw 1 and every negative binomial draw 0; a binomial of p 0 or 1 is 0 or n.
    if isinstance(p, BinomialParams):
        if p.p in (0.0, 1.0):
            return (float(p.n),) * 2 if p.p == 1.0 else (0.0, 0.0)
        return 0.0, float(p.n)
    if name == "geometric":
        return (1.0, 1.0) if getattr(p, "p", None) == 1.0 else (1.0, inf)
    if isinstance(p, ZipfParams):
        return 1.0, float(p.n) if p.n is not None else inf
    if isinstance(p, EmpiricalParams):
        if p.quantiles is not None:
            return p.quantiles[0], p.quantiles[-1]
        edges, weights = p.histogram["edges"], p.histogram["weights"]
        used = [i for i, w in enumerate(weights) if w > 0]  # zero-weight end bins hold none
        return edges[used[0]], edges[used[-1] + 1]
    return None


EXACT = 2.0**53  # doubles hold every whole number up to here, and not all beyond


def largest_draw(name: str, p: DistParams) -> tuple[float, str] | None:
    """About the largest value a count family draws (its quantile at the largest uniform,
    1 − 2**-53), on the high side by up to a third, and the parameter that sets it; None
    for the other families and an unbounded zipf, whose far tail generation checks."""
    if isinstance(p, PoissonParams):
        return p.mean + 9 * math.sqrt(p.mean) + 40, "mean"
    if isinstance(p, BinomialParams):
        m = p.n * p.p
        return min(float(p.n), m + 9 * math.sqrt(m * (1 - p.p)) + 40), "n"
    if isinstance(p, NegativeBinomialParams):
        # a Poisson of a gamma of shape n and scale (1 − p)/p
        n, prob = p.n_p()
        g = (1 - prob) / prob * (n + 9 * math.sqrt(n) + 37)
        return g + 9 * math.sqrt(g) + 40, "p" if p.mean is None else "mean"
    if isinstance(p, GeometricParams):
        return (1.0 if p.p == 1 else 1 + 37.5 / -math.log1p(-p.p)), "p"
    if isinstance(p, ZipfParams) and p.n is not None:
        return float(p.n), "n"
    return None
