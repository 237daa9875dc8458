"""Truncation far in a tail, and bounds that leave one value or none.

Far in the upper tail F(min) rounds to 1.0 (a normal from about 8.3 sd), and every row
used to be `max`; values now come from log P(X > x). Tested through the engine (a PDL
field, 200,000 rows, Phony's own uniforms) by Kolmogorov–Smirnov against scipy.stats'
truncated distribution, computed in log space so that the reference itself holds there.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats as st

import phony_pdl
from phony_pdl import GenerationError, SchemaError
from phony_pdl.engine import sampling
from phony_pdl.rng import Stream

ALPHA = 0.001
N = 200_000


def _text(fields: dict[str, str], n: int) -> str:
    lines = ["pdl: 1", "name: tails", "seed: 5", "entities:", "  t:", f"    count: {n}"]
    lines += ["    fields:", *(f"      {name}: {spec}" for name, spec in fields.items())]
    return "\n".join(lines) + "\n"


def _generate(fields: dict[str, str], n: int = N):
    return phony_pdl.load(_text(fields, n)).generate()


def _values(dataset, name: str) -> np.ndarray:
    return dataset["t"].column(name).to_numpy(zero_copy_only=False).astype(np.float64)


def upper_truncated_cdf(dist, lo: float, hi: float | None):
    """CDF of `dist` truncated to [lo, hi] by its survival function in log space:
    (S(lo) − S(x)) / (S(lo) − S(hi)), which holds where F(lo) is 1.0 in doubles."""
    l_lo = dist.logsf(lo)
    l_hi = -np.inf if hi is None else dist.logsf(hi)
    return lambda x: np.clip(
        np.expm1(np.minimum(dist.logsf(x) - l_lo, 0)) / np.expm1(l_hi - l_lo), 0, 1
    )


# name → (PDL spec, scipy reference, (min, max)); every F(min) here is 1.0 or within
# 1e-10 of it, where sampling through F kept few or no bits.
UPPER = {
    "normal": ("{ distribution: normal, mean: 100, sd: 1, min: 109, max: 120 }", st.norm(100, 1)),
    "normal_open": ("{ distribution: normal, mean: 0, sd: 2, min: 90 }", st.norm(0, 2)),
    "exponential": ("{ distribution: exponential, mean: 1, min: 40, max: 50 }", st.expon()),
    "lognormal": (
        "{ distribution: lognormal, median: 1, sigma: 1, min: 10000 }",
        st.lognorm(1),
    ),
    "gamma": ("{ distribution: gamma, shape: 2, scale: 1, min: 45, max: 60 }", st.gamma(2)),
    "gamma_rate": ("{ distribution: gamma, shape: 0.5, rate: 2, min: 200 }", st.gamma(0.5, 0, 0.5)),
    "weibull": ("{ distribution: weibull, shape: 2, min: 7, max: 8 }", st.weibull_min(2)),
    "pareto": ("{ distribution: pareto, alpha: 3, min: 1e7, max: 1e8 }", st.pareto(3)),
}
BOUNDS = {
    "normal": (109, 120),
    "normal_open": (90, None),
    "exponential": (40, 50),
    "lognormal": (10000, None),
    "gamma": (45, 60),
    "gamma_rate": (200, None),
    "weibull": (7, 8),
    "pareto": (1e7, 1e8),
}


@pytest.fixture(scope="module")
def upper():
    return _generate({name: spec for name, (spec, _) in UPPER.items()})


@pytest.mark.parametrize("name", sorted(UPPER))
def test_upper_tail_truncation_passes_ks(upper, name: str) -> None:
    _, ref = UPPER[name]
    lo, hi = BOUNDS[name]
    assert ref.cdf(lo) > 1 - 1e-10  # the case the CDF path got wrong or coarse
    x = _values(upper, name)
    assert x.min() >= lo and (hi is None or x.max() <= hi)
    assert len(np.unique(x)) > N * 0.99  # not the bound, not a handful of values
    result = st.kstest(x, upper_truncated_cdf(ref, lo, hi))
    assert result.pvalue > ALPHA, f"{name}: KS D={result.statistic:.5f} p={result.pvalue:.2g}"


def test_upper_tail_normal_matches_scipy_truncnorm(upper) -> None:
    x = _values(upper, "normal")
    result = st.kstest(x, st.truncnorm(9, 20, loc=100, scale=1).cdf)
    assert result.pvalue > ALPHA
    assert 109 < np.median(x) < 109.1  # mostly just above min (the mean excess is ~1/9 sd)


def test_far_lower_tail_of_normal_and_lognormal() -> None:
    """F(max) underflows to 0 past about 38 sd below the mean: every row was `min` (or
    -inf without one)."""
    ds = _generate(
        {
            "n": "{ distribution: normal, mean: 0, sd: 1, min: -60, max: -45 }",
            "ln": "{ distribution: lognormal, median: 1, sigma: 0.5, max: 1e-20 }",
        }
    )
    n, ln = _values(ds, "n"), _values(ds, "ln")
    assert n.min() >= -60 and n.max() <= -45 and np.isfinite(ln).all() and ln.max() <= 1e-20
    ref = st.norm()
    l_hi = ref.logcdf(-45.0)
    cdf = lambda v: np.exp(np.minimum(ref.logcdf(v) - l_hi, 0))  # noqa: E731 (min: -60 is nil)
    assert st.kstest(n, cdf).pvalue > ALPHA
    ref_ln = st.lognorm(0.5)
    l_hi = ref_ln.logcdf(1e-20)
    cdf = lambda v: np.exp(np.minimum(ref_ln.logcdf(v) - l_hi, 0))  # noqa: E731
    assert st.kstest(ln, cdf).pvalue > ALPHA


def test_tail_values_rise_with_u() -> None:
    """Correlated fields rely on each value being an increasing function of its uniform."""
    u = np.sort(Stream(3, "t", "x", "").open_uniform(np.arange(50_000, dtype=np.int64)))
    for name, params, lo, hi in [
        ("normal", {"mean": 0, "sd": 1}, 12, None),
        ("normal", {"mean": 0, "sd": 1}, None, -50),
        ("gamma", {"shape": 3}, 80, 90),
        ("pareto", {"alpha": 1.5, "scale": 2}, 1e12, None),
    ]:
        values = sampling.sample(name, params, u, lo=lo, hi=hi)
        assert np.all(np.diff(values) >= 0), name


def test_values_short_of_the_tail_threshold_are_unchanged() -> None:
    """Below the threshold (P(X > min) >= 2**-26) the CDF path stays, bit for bit."""
    rows = np.arange(2000, dtype=np.int64)
    u = Stream(5, "t", "x", "").open_uniform(rows)
    ref = st.norm(0, 1)
    lo, hi = 5.5, 9.0  # P(X > 5.5) = 1.9e-8, just above 2**-26 = 1.5e-8
    assert ref.sf(lo) > 2.0**-26
    c_lo, c_hi = ref.cdf(lo), ref.cdf(hi)
    expected = np.clip(ref.ppf(c_lo + u * (c_hi - c_lo)), lo, hi)
    got = sampling.sample("normal", {"mean": 0, "sd": 1}, u, lo=lo, hi=hi)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ("{ distribution: gamma, shape: 2, min: 800 }", "above min=800"),  # P < 1e-346
        ("{ distribution: gamma, shape: 200, max: 1 }", "below max=1"),  # P < 1e-374
    ],
)
def test_probability_no_double_holds_is_a_generation_error(spec: str, where: str) -> None:
    with pytest.raises(GenerationError) as info:
        _generate({"x": spec}, n=10)["t"]
    message = str(info.value)
    assert message.startswith("t.x: gamma has too little probability " + where), message
    assert "bring the bounds nearer the bulk" in message


# ---------------------------------------------------------------- one value, or none


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        ("{ distribution: triangular, min: 1, max: 1, mode: 1 }", 1.0),
        ("{ distribution: beta, alpha: 2, beta: 2, min: 1, max: 1 }", 1.0),
        ("{ distribution: beta, alpha: 2, beta: 2, min: 1, max: 1, type: int }", 1.0),
        ("{ distribution: beta, alpha: 2, beta: 2, min: 1 }", 1.0),  # range 1..1 (default max)
        ("{ distribution: uniform, between: [2.5, 2.5] }", 2.5),
        ("{ distribution: normal, mean: 0, sd: 1, min: 3, max: 3 }", 3.0),
        ("{ distribution: poisson, mean: 4, min: 7, max: 7 }", 7.0),
        ("{ distribution: pareto, alpha: 2, scale: 10, max: 10 }", 10.0),  # touches the support
        ("{ distribution: pareto, alpha: 2, scale: 10, max: 5, clip: true }", 5.0),  # as asked
    ],
)
def test_a_range_of_one_point_is_a_constant(spec: str, value: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered" on the way
        x = _values(_generate({"x": spec}, n=50), "x")
    assert np.all(x == value), x[:5]


def _diagnostics(spec: str) -> list:
    with pytest.raises(SchemaError) as info:
        phony_pdl.load(_text({"id": "{ sequence: 1 }", "x": spec}, 10))
    return list(info.value.diagnostics)


@pytest.mark.parametrize(
    ("spec", "code", "message", "at", "path"),
    [
        (
            "{ distribution: pareto, alpha: 2, scale: 10, max: 5 }",
            "bad-distribution-param",
            "max=5 is below every value of distribution 'pareto', the smallest being 10",
            "5 }",
            "entities.t.fields.x.max",
        ),
        (
            "{ distribution: pareto, alpha: 2, scale: 10, between: [1, 5] }",
            "bad-distribution-param",
            "max=5 is below every value of distribution 'pareto', the smallest being 10",
            "5] }",
            "entities.t.fields.x.between[1]",
        ),
        (
            "{ distribution: exponential, mean: 3, max: -1 }",
            "bad-distribution-param",
            "max=-1 is below every value of distribution 'exponential', the smallest being 0",
            "-1 }",
            "entities.t.fields.x.max",
        ),
        (
            "{ distribution: binomial, n: 10, p: 0.5, min: 11 }",
            "bad-distribution-param",
            "min=11 is above every value of distribution 'binomial', the largest being 10",
            "11 }",
            "entities.t.fields.x.min",
        ),
        (
            "{ distribution: empirical, quantiles: [1, 2, 3], min: 4 }",
            "bad-distribution-param",
            "min=4 is above every value of distribution 'empirical', the largest being 3",
            "4 }",
            "entities.t.fields.x.min",
        ),
        (
            "{ distribution: beta, alpha: 2, beta: 2, min: 2 }",
            "min-greater-than-max",
            "min=2 is greater than beta's default max=1",
            "2 }",
            "entities.t.fields.x.min",
        ),
        (
            "{ distribution: beta, alpha: 2, beta: 2, max: -1 }",
            "min-greater-than-max",
            "max=-1 is less than beta's default min=0",
            "-1 }",
            "entities.t.fields.x.max",
        ),
        (
            "{ distribution: mixture, max: 5, components: [{ distribution: normal },"
            " { distribution: pareto, alpha: 2, scale: 10 }] }",
            "bad-distribution-param",
            "max=5 is below every value of mixture component 1 ('pareto'), the smallest being 10",
            "5, components",
            "entities.t.fields.x.max",
        ),
        (
            "{ distribution: mixture, components: [{ distribution: uniform, min: 5, max: 1 }] }",
            "min-greater-than-max",
            "min=5 is greater than max=1",
            "5, max: 1",
            "entities.t.fields.x.components[0].min",
        ),
    ],
)
def test_bounds_that_leave_no_value_are_rejected(
    spec: str, code: str, message: str, at: str, path: str
) -> None:
    """Reported at the bound (`at` starts where the caret goes), line 9 being field `x`."""
    (d,) = _diagnostics(spec)
    assert (d.code, d.message) == (code, message)
    column = len("      x: ") + spec.index(at) + 1
    assert (d.span.line, d.span.column) == (9, column)
    assert d.path == path
    assert d.hint


def test_support_bounds_in_gaps_are_in_seconds() -> None:
    text = _text(
        {
            "id": "{ sequence: 1 }",
            "s": "{ type: datetime }",
            "x": "{ after: s, gap: { distribution: pareto, alpha: 2, scale: 10m, max: 5m } }",
        },
        10,
    )
    with pytest.raises(SchemaError) as info:
        phony_pdl.load(text)
    (d,) = info.value.diagnostics
    assert d.message == (
        "max=5m is below every value of distribution 'pareto', the smallest being 600 s"
    )
    line = text.splitlines()[9]
    assert (d.span.line, d.span.column) == (10, line.index("5m }") + 1)


def test_negative_count_bound_is_reported_once() -> None:
    text = _text({"id": "{ sequence: 1 }"}, 3) + "\n".join(
        [
            "  c:",
            "    count: { per: t, distribution: poisson, mean: 2, max: -1 }",
            "    fields:",
            "      id: { sequence: 1 }",
        ]
    )
    with pytest.raises(SchemaError) as info:
        phony_pdl.load(text + "\n")
    assert [d.code for d in info.value.diagnostics] == ["bad-count"]


def test_tail_sampler_reach_matches_gamma_isf() -> None:
    """gamma's log-space inverse goes through exp(y): inside the sampler's reach the round
    trip log P(X > isf(y)) = y holds; the reach is where exp(y) is still a normal double."""
    tail = sampling._log_tail("gamma", {"shape": 2, "scale": 1}, upper=True)
    assert tail is not None and math.exp(tail.reach) >= np.finfo(np.float64).tiny
    y = np.array([-10.0, -200.0, tail.reach + 1.0])
    x = tail.isf_log(y)
    assert np.all(np.isfinite(x)) and np.all(np.diff(x) > 0)
    np.testing.assert_allclose(tail.logsf(x), y, rtol=1e-9)


@pytest.mark.parametrize(
    ("spec", "family", "lo", "hi"),
    [
        ("{ distribution: poisson, mean: 1, min: 30, max: 40 }", st.poisson(1), 30, 40),
        ("{ distribution: poisson, mean: 1, min: 30 }", st.poisson(1), 30, None),
        ("{ distribution: geometric, p: 0.9, min: 40 }", st.geom(0.9), 40, None),
        ("{ distribution: poisson, mean: 1000, max: 50 }", st.poisson(1000), 0, 50),
    ],
)
def test_counts_far_in_a_tail_follow_the_truncated_distribution(spec, family, lo, hi) -> None:
    """A count far in a tail: the CDF of `min` is 1.0 (or that of `max` is 0), and every
    row used to be `min` (poisson mean 1 on 30..40: 30 on every row, where 3 % are 31).
    Chi-square against scipy's probabilities, normalised in log space."""
    values = _values(_generate({"x": spec}), "x").astype(np.int64)
    top = hi if hi is not None else lo + 200
    ks = np.arange(lo, top + 1)
    logp = family.logpmf(ks)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    assert values.min() >= lo and (hi is None or values.max() <= hi)
    counts = np.array([(values == k).sum() for k in ks])
    expected = p * N
    keep = expected >= 5  # pool the rest into one cell
    observed = np.append(counts[keep], counts[~keep].sum())
    wanted = np.append(expected[keep], expected[~keep].sum())
    observed, wanted = observed[wanted > 0], wanted[wanted > 0]
    assert observed.sum() == N and len(observed) >= 2
    assert st.chisquare(observed, wanted).pvalue > ALPHA


@pytest.mark.parametrize(
    ("spec", "lo", "hi"),
    [
        ("{ distribution: normal, mean: 0, sd: 1e14, min: 0, max: 1 }", 0.0, 1.0),
        (
            "{ distribution: normal, mean: 0.5, sd: 1, min: 0.5, max: 0.5000000001 }",
            0.5,
            0.5 + 1e-10,
        ),
        # far in the upper tail: the log-space sampler keeps its bits (unchanged)
        ("{ distribution: exponential, mean: 1, min: 100, max: 100.000001 }", 100.0, 100.000001),
    ],
)
def test_a_window_narrow_in_probability_is_filled_evenly(spec: str, lo: float, hi: float) -> None:
    """F(max) − F(min) a few doubles wide (normal sd 1e14 on [0, 1]: 36 of them) left
    F(min) + u·(F(max) − F(min)) a handful of values, so the column had 37 distinct
    values; now values come from the density over the window, nearly flat there."""
    x = _values(_generate({"x": spec}), "x")
    assert x.min() >= lo and x.max() <= hi
    assert len(np.unique(x)) > 1000
    result = st.kstest((x - lo) / (hi - lo), st.uniform().cdf)
    assert result.pvalue > 0.01, f"KS D={result.statistic:.5f} p={result.pvalue:.2g}"


def test_the_narrow_window_sampler_follows_a_sloping_density() -> None:
    """The density sampler (linear on 1,024 pieces, inverted in closed form) against an
    exponential truncated to [0, 3], where the density falls twentyfold, and rising with u."""
    u = Stream(7, "t", "x", "").open_uniform(np.arange(N, dtype=np.int64))
    ref = st.expon()
    x = sampling._narrow_window(ref, u, 0.0, 3.0)
    assert st.kstest(x, lambda v: ref.cdf(v) / ref.cdf(3.0)).pvalue > ALPHA
    order = np.argsort(u)
    assert np.all(np.diff(x[order]) >= 0)
