"""The scipy.stats stand-ins (phony_pdl/light_distributions.py) give scipy's values bit for bit."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.stats as st

from phony_pdl import distributions
from phony_pdl.light_distributions import _Light

from .conftest import ROOT

rng = np.random.default_rng(20261126)
QS = np.concatenate(
    [
        rng.random(20_000),
        [0.0, 1.0, np.nan, 1e-300, 5e-324, 1 - 2**-53, 0.5, -0.1, 1.1],
        rng.random(200) * 1e-12,
    ]
)
XS = np.concatenate(
    [
        rng.normal(0, 50, 20_000),
        rng.random(2_000) * 10,
        [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-300, 3.0, 2.5, 1e300],
    ]
)

CASES = [
    ("normal", {"mean": 41, "sd": 12}, None, None, st.norm(loc=41, scale=12)),
    ("normal", {"mean": -3.5, "sd": 0.01}, None, None, st.norm(loc=-3.5, scale=0.01)),
    ("lognormal", {"median": 52000, "sigma": 0.5}, None, None, st.lognorm(s=0.5, scale=52000)),
    ("lognormal", {"mean": 10, "sd": 4}, None, None, None),
    ("exponential", {"mean": 30}, None, None, st.expon(scale=30)),
    ("exponential", {"rate": 4}, None, None, st.expon(scale=0.25)),
    ("weibull", {"shape": 1.5, "scale": 3}, None, None, st.weibull_min(1.5, scale=3)),
    ("weibull", {"shape": 2, "scale": 3}, None, None, st.weibull_min(2, scale=3)),  # 1/c: 0.5
    ("weibull", {"shape": 0.5, "scale": 1}, None, None, st.weibull_min(0.5, scale=1)),  # 1/c: 2
    ("weibull", {"shape": 17.6, "scale": 13.4}, None, None, st.weibull_min(17.6, scale=13.4)),
    ("uniform", {}, -2.0, 7.5, st.uniform(loc=-2.0, scale=9.5)),
    ("poisson", {"mean": 3}, None, None, st.poisson(3)),
    ("poisson", {"mean": 0.2}, None, None, st.poisson(0.2)),
    ("poisson", {"mean": 250}, None, None, st.poisson(250)),
    ("empirical", {"quantiles": [1, 5, 12, 30, 200]}, None, None, None),
    ("empirical", {"quantiles": [-3.25, 0.1, 0.7, 2.5]}, None, None, None),
    (
        "empirical",
        {"histogram": {"edges": [0, 1, 2.5, 10, 17.5], "weights": [3, 0, 2.5, 1]}},
        None,
        None,
        None,
    ),
]


def _same(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    # bit for bit, NaNs and signed zeros included
    assert np.array_equal(a.view(np.uint64), b.view(np.uint64)), np.flatnonzero(
        a.view(np.uint64) != b.view(np.uint64)
    )[:5]


@pytest.mark.parametrize(("name", "params", "lo", "hi", "expected"), CASES)
@pytest.mark.filterwarnings("ignore:overflow encountered in power:RuntimeWarning")  # scipy's
def test_light_equals_scipy(name, params, lo, hi, expected) -> None:
    d = distributions.REGISTRY[name]
    light = d.frozen(d.params.model_validate(params), lo, hi)
    with warnings.catch_warnings():  # Phony's own values come without warnings
        warnings.simplefilter("error", RuntimeWarning)
        light.cdf(XS), light.cdf(np.floor(XS))
    assert not isinstance(light, st._distn_infrastructure.rv_frozen)
    # the scipy.stats object Phony built before, from the same converted parameters
    # (a lognormal's scale is exp(log(median)), which may differ from the median by an ulp)
    real = light._real_factory()
    if expected is not None:
        assert real.kwds == expected.kwds or np.allclose(
            [*real.args, *real.kwds.values()], [*expected.args, *expected.kwds.values()]
        )
    if not d.discrete:
        _same(light.ppf(QS), real.ppf(QS))
        for q in (0.0, 0.3, 1.0):
            assert type(light.ppf(q)) is type(real.ppf(q)) and light.ppf(q) == real.ppf(q)
    _same(light.cdf(XS), real.cdf(XS))
    _same(light.cdf(np.floor(XS)), real.cdf(np.floor(XS)))
    for x in (-1.0, 0.0, 2.0, 17.5, np.inf):
        assert type(light.cdf(x)) is type(real.cdf(x)) and light.cdf(x) == real.cdf(x)
    assert light.support() == real.support() or np.allclose(light.support(), real.support())


def test_empirical_atoms_where_rv_histogram_gives_nan() -> None:
    """Equal quantiles are atoms: the spec allows non-decreasing quantiles, rv_histogram
    divides by the zero width."""
    d = distributions.REGISTRY["empirical"]
    q = [0, 0, 0, 0, 1.5, 2, 7]  # six bins of 1/6: half the mass sits at 0
    dist = d.frozen(d.params.model_validate({"quantiles": q}), None, None)
    u = (np.arange(60_000) + 0.5) / 60_000
    values = dist.ppf(u)
    assert not np.isnan(values).any()
    assert np.mean(values == 0) == 0.5
    assert values.max() < 7 and np.all(np.diff(values) >= 0)
    # CDF: right-continuous, the atom's mass included at 0, linear within real bins
    assert dist.cdf(-1e-9) == 0.0
    assert dist.cdf(0.0) == pytest.approx(0.5)
    assert dist.cdf(0.75) == pytest.approx(0.5 + 1 / 12)
    assert dist.cdf(2.0) == pytest.approx(5 / 6)
    assert dist.cdf(7.0) == 1.0
    # an atom inside the range, between two real bins
    mid = d.frozen(d.params.model_validate({"quantiles": [0, 1, 1, 1, 3]}), None, None)
    assert np.mean(mid.ppf(u) == 1) == 0.5
    assert mid.cdf(np.array([0.5, 1.0, 2.0])) == pytest.approx([0.125, 0.75, 0.875])


def test_other_methods_reach_scipy() -> None:
    d = distributions.REGISTRY["poisson"]
    light = d.frozen(d.params.model_validate({"mean": 3}), None, None)
    _same(light.pmf(np.arange(10.0)), st.poisson(3).pmf(np.arange(10.0)))
    assert light.mean() == 3
    assert isinstance(
        distributions.REGISTRY["normal"].frozen(
            distributions.REGISTRY["normal"].params.model_validate({"mean": 0, "sd": 1}), None, None
        ),
        _Light,
    )


def test_generating_does_not_import_scipy_stats(tmp_path) -> None:
    """A schema of normal, lognormal, exponential and Poisson fields generates without
    scipy.stats (its import alone takes about 0.6 s)."""
    code = f"""
import sys, phony_pdl
phony_pdl.load({str(ROOT / "examples" / "shop.yaml")!r}).generate(scale=0.1).write({str(tmp_path)!r})
print("scipy.stats" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_brentq_equals_scipy() -> None:
    """engine.roots.brentq returns scipy.optimize.brentq's float, on the copula
    calibration's polynomials and on other smooth functions."""
    import scipy.optimize as so

    from phony_pdl.engine.roots import brentq

    rng = np.random.default_rng(7)
    k = np.arange(1, 21)
    compared = 0
    for _ in range(1500):
        coef = np.abs(rng.normal(size=20)) * rng.random(20) ** np.arange(20)
        coef /= coef.sum()
        target = rng.uniform(-0.99, 0.99)

        def f(r: float, coef=coef, target=target) -> float:
            return float(np.sum(coef * r**k)) - target

        if f(-0.999999) * f(0.999999) > 0:
            continue
        compared += 1
        assert brentq(f, -0.999999, 0.999999, xtol=1e-12) == so.brentq(
            f, -0.999999, 0.999999, xtol=1e-12
        )
    for _ in range(500):
        c = rng.normal(size=3)

        def g(x: float, c=c) -> float:
            return float(np.tanh(c[0] * x) + c[1] * x**3 - c[2])

        if g(-5.0) * g(5.0) > 0:
            continue
        compared += 1
        assert brentq(g, -5.0, 5.0) == so.brentq(g, -5.0, 5.0)
    assert compared > 1000
    with pytest.raises(ValueError, match="different signs"):
        brentq(lambda x: x * x + 1, -1.0, 1.0)


@pytest.mark.parametrize("shape", [0.5, 1.0, 1.5, 2.0, 3.7])
def test_light_weibull_equals_scipy_when_every_value_is_inside(shape: float) -> None:
    """scipy passes the shape to its formulas as an array as long as the values when all of
    them are inside the support, else as one element: numpy's power rounds the two
    differently now and then, and the light Weibull follows both."""
    d = distributions.REGISTRY["weibull"]
    light = d.frozen(d.params.model_validate({"shape": shape, "scale": 2.5}), None, None)
    real = st.weibull_min(shape, scale=2.5)
    u = QS[:20_000]  # all in (0, 1)
    x = np.abs(XS[:22_000]) + 1e-9  # all above 0
    _same(light.ppf(u), real.ppf(u))
    _same(light.cdf(x), real.cdf(x))
    _same(light.ppf(np.r_[u, 0.0]), real.ppf(np.r_[u, 0.0]))
    _same(light.cdf(np.r_[x, -1.0]), real.cdf(np.r_[x, -1.0]))
