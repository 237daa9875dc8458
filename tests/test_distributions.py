"""Distributions and correlations: goodness of fit against scipy's references.

Every family is sampled through the engine (a PDL field, 200,000 rows, Phony's own
uniform streams and inverse CDFs) and tested against scipy's distribution of the same
parameters: Kolmogorov–Smirnov for continuous families, chi-square for discrete ones
(bins with an expected count below 5 merged into the tails), each at ALPHA = 0.001.
Truncated variants are tested against the truncated reference
(F(x) − F(min)) / (F(max) − F(min)); `clip: true` against the clipped one.

Copula blocks are tested at 200,000 rows: the achieved Pearson or Spearman
correlations are within 0.02 of the targets.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pyarrow as pa
import pytest
import scipy.stats as st

import phony_pdl
from phony_pdl import SchemaError
from phony_pdl.engine.copula_calibration import (
    achieved_correlation,
    calibrate_pair,
    copula_matrix,
    marginal_of,
)
from phony_pdl.errors import CorrelationWarning
from phony_pdl.rng import Stream

ALPHA = 0.001
N = 200_000
TOLERANCE = 0.02  # copula: |achieved − target|


def _generate(fields: dict[str, str], n: int = N, correlate: list[str] | None = None):
    lines = [
        "pdl: 1",
        "name: dist",
        "seed: 11",
        "entities:",
        "  t:",
        f"    count: {n}",
        "    fields:",
    ]
    lines += [f"      {name}: {spec}" for name, spec in fields.items()]
    if correlate:
        lines.append("    correlate:")
        lines += [f"      - {block}" for block in correlate]
    return phony_pdl.load("\n".join(lines) + "\n").generate()


def _values(dataset, name: str) -> np.ndarray:
    return dataset["t"].column(name).to_numpy(zero_copy_only=False).astype(np.float64)


def truncated_cdf(dist, lo: float | None, hi: float | None):
    f_lo = dist.cdf(lo) if lo is not None else 0.0
    f_hi = dist.cdf(hi) if hi is not None else 1.0
    return lambda x: np.clip((dist.cdf(x) - f_lo) / (f_hi - f_lo), 0, 1)


# name → (PDL spec, scipy reference, truncation bounds or None)
CONTINUOUS = {
    "normal": ("{ distribution: normal, mean: 10, sd: 3 }", st.norm(10, 3), None),
    "normal_t": (
        "{ distribution: normal, mean: 10, sd: 3, min: 8, max: 17 }",
        st.norm(10, 3),
        (8, 17),
    ),
    "lognormal": (
        "{ distribution: lognormal, median: 20, sigma: 0.7 }",
        st.lognorm(0.7, scale=20),
        None,
    ),
    "lognormal_msd": (
        "{ distribution: lognormal, mean: 10, sd: 5 }",
        st.lognorm(
            math.sqrt(math.log1p(0.25)), scale=math.exp(math.log(10) - math.log1p(0.25) / 2)
        ),
        None,
    ),
    "lognormal_t": (
        "{ distribution: lognormal, median: 20, sigma: 0.7, min: 5, max: 60 }",
        st.lognorm(0.7, scale=20),
        (5, 60),
    ),
    "exponential": ("{ distribution: exponential, mean: 4 }", st.expon(scale=4), None),
    "exponential_t": (
        "{ distribution: exponential, rate: 0.25, min: 1, max: 9 }",
        st.expon(scale=4),
        (1, 9),
    ),
    "gamma": ("{ distribution: gamma, shape: 2.5, scale: 1.5 }", st.gamma(2.5, scale=1.5), None),
    "gamma_t": (
        "{ distribution: gamma, shape: 2.5, rate: 2, max: 2 }",
        st.gamma(2.5, scale=0.5),
        (None, 2),
    ),
    "beta": ("{ distribution: beta, alpha: 2, beta: 5 }", st.beta(2, 5), None),
    "beta_scaled": (
        "{ distribution: beta, alpha: 2, beta: 5, min: 10, max: 30 }",
        st.beta(2, 5, loc=10, scale=20),
        None,
    ),
    "weibull": (
        "{ distribution: weibull, shape: 1.5, scale: 3 }",
        st.weibull_min(1.5, scale=3),
        None,
    ),
    "weibull_t": (
        "{ distribution: weibull, shape: 1.5, scale: 3, min: 1, max: 4 }",
        st.weibull_min(1.5, scale=3),
        (1, 4),
    ),
    "pareto": ("{ distribution: pareto, alpha: 3, scale: 2 }", st.pareto(3, scale=2), None),
    "pareto_t": (
        "{ distribution: pareto, alpha: 3, scale: 2, max: 5 }",
        st.pareto(3, scale=2),
        (None, 5),
    ),
    "uniform": ("{ distribution: uniform, min: -2, max: 7 }", st.uniform(-2, 9), None),
    "triangular": (
        "{ distribution: triangular, min: 0, max: 10, mode: 7 }",
        st.triang(0.7, loc=0, scale=10),
        None,
    ),
    "empirical_q": (
        "{ distribution: empirical, quantiles: [1, 5, 12, 30, 200] }",
        st.rv_histogram((np.ones(4), np.array([1, 5, 12, 30, 200.0])), density=False),
        None,
    ),
    "empirical_h": (
        "{ distribution: empirical, histogram: { edges: [0, 1, 3, 10], weights: [5, 3, 2] } }",
        st.rv_histogram((np.array([5, 3, 2.0]), np.array([0, 1, 3, 10.0])), density=False),
        None,
    ),
    "empirical_t": (
        "{ distribution: empirical, quantiles: [1, 5, 12, 30, 200], min: 3, max: 50 }",
        st.rv_histogram((np.ones(4), np.array([1, 5, 12, 30, 200.0])), density=False),
        (3, 50),
    ),
}

# name → (PDL spec, scipy reference, truncation bounds or None)
DISCRETE = {
    "poisson": ("{ distribution: poisson, mean: 4 }", st.poisson(4), None),
    "poisson_t": ("{ distribution: poisson, mean: 4, min: 2, max: 8 }", st.poisson(4), (2, 8)),
    "binomial": ("{ distribution: binomial, n: 20, p: 0.3 }", st.binom(20, 0.3), None),
    "binomial_t": (
        "{ distribution: binomial, n: 20, p: 0.3, min: 3, max: 10 }",
        st.binom(20, 0.3),
        (3, 10),
    ),
    "negative_binomial": (
        "{ distribution: negative_binomial, n: 3, p: 0.4 }",
        st.nbinom(3, 0.4),
        None,
    ),
    "negative_binomial_t": (
        "{ distribution: negative_binomial, n: 3, p: 0.4, min: 1, max: 12 }",
        st.nbinom(3, 0.4),
        (1, 12),
    ),
    # the mean with R's `size` (n), or with the sd: p = n/(n + mean); n = mean²/(sd² − mean)
    "negative_binomial_mean_n": (
        "{ distribution: negative_binomial, mean: 6, n: 2 }",
        st.nbinom(2, 0.25),
        None,
    ),
    "negative_binomial_mean_sd": (
        "{ distribution: negative_binomial, mean: 6, sd: 4 }",
        st.nbinom(3.6, 0.375),
        None,
    ),
    "geometric": ("{ distribution: geometric, p: 0.3 }", st.geom(0.3), None),
    "geometric_t": ("{ distribution: geometric, p: 0.3, min: 2, max: 9 }", st.geom(0.3), (2, 9)),
}


@pytest.fixture(scope="module")
def sampled():
    fields = {name: spec for name, (spec, _, _) in {**CONTINUOUS, **DISCRETE}.items()}
    fields["clipped"] = "{ distribution: exponential, mean: 4, max: 6, clip: true }"
    fields["mixture"] = (
        "{ distribution: mixture, components: [{ distribution: normal, mean: 0, sd: 1, weight: 3 },"
        " { distribution: lognormal, median: 8, sigma: 0.3, weight: 1 }] }"
    )
    fields["mixture_t"] = (
        "{ distribution: mixture, min: -1, max: 10, components: [{ distribution: normal, mean: 0,"
        " sd: 1, weight: 3 }, { distribution: lognormal, median: 8, sigma: 0.3, weight: 1 }] }"
    )
    fields["tier"] = "{ choice: { bronze: 60, silver: 30, gold: 10 } }"
    return _generate(fields)


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_family_passes_ks(sampled, name: str) -> None:
    _, ref, bounds = CONTINUOUS[name]
    x = _values(sampled, name)
    assert len(x) == N
    cdf = ref.cdf if bounds is None else truncated_cdf(ref, *bounds)
    if bounds is not None:
        lo, hi = bounds
        assert lo is None or x.min() >= lo
        assert hi is None or x.max() <= hi
    result = st.kstest(x, cdf)
    assert result.pvalue > ALPHA, f"{name}: KS D={result.statistic:.5f} p={result.pvalue:.2g}"


def _chi_square(x: np.ndarray, pmf) -> tuple[float, float]:
    """Chi-square of integer samples against pmf(k), merging sparse tails; (stat, p-value)."""
    values, counts = np.unique(x.astype(np.int64), return_counts=True)
    lo, hi = int(values.min()), int(values.max())
    observed = np.zeros(hi - lo + 1)
    observed[values - lo] = counts
    probs = pmf(np.arange(lo, hi + 1))
    below = pmf(np.arange(0, lo)).sum() if lo > 0 else 0.0  # supports start at 0 or 1
    above = max(1.0 - probs.sum() - below, 0.0)
    probs[0] += below
    probs[-1] += above
    expected = probs * len(x)
    # Group neighbouring values until each group expects at least 5 (the remainder joins
    # the last group). Merging only from the two ends left sparse bins inside a long tail
    # (zipf), where one value expected 0.001 times weighs 1,000 in the statistic; and
    # `exp[-2] += exp.pop()` resolves its index after the pop, so it had also duplicated
    # counts into the wrong bins.
    obs, exp = [], []
    acc_obs = acc_exp = 0.0
    for o, e in zip(observed, expected, strict=True):
        acc_obs += o
        acc_exp += e
        if acc_exp >= 5:
            obs.append(acc_obs)
            exp.append(acc_exp)
            acc_obs = acc_exp = 0.0
    if obs:
        obs[-1] += acc_obs
        exp[-1] += acc_exp
    else:
        obs, exp = [acc_obs], [acc_exp]
    assert sum(obs) == len(x)
    stat, p = st.chisquare(np.array(obs), np.array(exp) * sum(obs) / sum(exp))
    return float(stat), float(p)


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_family_passes_chi_square(sampled, name: str) -> None:
    _, ref, bounds = DISCRETE[name]
    x = _values(sampled, name)
    assert np.all(x == np.round(x))
    if bounds is None:
        pmf = ref.pmf
    else:
        lo, hi = bounds
        assert x.min() >= lo and x.max() <= hi
        mass = ref.cdf(hi) - ref.cdf(lo - 1)
        pmf = lambda k: np.where((k >= lo) & (k <= hi), ref.pmf(k), 0.0) / mass  # noqa: E731
    stat, p = _chi_square(x, pmf)
    assert p > ALPHA, f"{name}: chi-square {stat:.1f}, p={p:.2g}"


FRACTIONAL = {
    "poisson": ("poisson, mean: 3", (2.5, None), (3, None)),
    "binomial": ("binomial, n: 20, p: 0.3", (3.2, 8.9), (4, 8)),
    "negative_binomial": ("negative_binomial, n: 3, p: 0.4", (1.01, 7.99), (2, 7)),
    "geometric": ("geometric, p: 0.3", (1.5, 5.5), (2, 5)),
    "zipf": ("zipf, s: 1.3, n: 100", (1.5, 40.2), (2, 40)),
    "poisson_far": ("poisson, mean: 1", (29.5, 40.5), (30, 40)),  # the far-tail walk
}


@pytest.mark.parametrize("name", FRACTIONAL)
@pytest.mark.parametrize("clip", [False, True])
def test_count_families_take_the_whole_numbers_within_fractional_bounds(
    name: str, clip: bool
) -> None:
    """`poisson mean 3, min: 2.5` gave 2 in 28 % of rows (truncation started at F(1.5),
    which is F(1)), and `clip: true` with `min: 2.5` wrote 2.5, rounded to 2: the bounds
    of a count family are now ceil(min) and floor(max), the same draws row for row as
    those whole bounds."""
    family, fractional, whole = FRACTIONAL[name]
    extra = ", clip: true" if clip else ""

    def spec(bounds) -> str:
        lo, hi = bounds
        text = "{ distribution: " + family
        text += "" if lo is None else f", min: {lo}"
        text += "" if hi is None else f", max: {hi}"
        return text + extra + " }"

    x = _values(_generate({"x": spec(fractional)}, n=20_000), "x")
    lo, hi = whole
    assert x.min() >= lo and (hi is None or x.max() <= hi)
    assert np.all(x == np.round(x))
    # the same field (so the same uniforms) with the whole bounds gives the same values
    assert np.array_equal(x, _values(_generate({"x": spec(whole)}, n=20_000), "x"))


def test_clip_piles_the_tail_at_the_bound(sampled) -> None:
    x = _values(sampled, "clipped")
    ref = st.expon(scale=4)
    at_bound = np.mean(x == 6)
    expected = ref.sf(6)
    se = math.sqrt(expected * (1 - expected) / N)
    assert abs(at_bound - expected) < 4 * se
    inside = x[x < 6]
    assert st.kstest(inside, truncated_cdf(ref, None, 6)).pvalue > ALPHA


def test_mixture_matches_weighted_components(sampled) -> None:
    a, b = st.norm(0, 1), st.lognorm(0.3, scale=8)
    x = _values(sampled, "mixture")
    assert st.kstest(x, lambda v: 0.75 * a.cdf(v) + 0.25 * b.cdf(v)).pvalue > ALPHA
    # Bounds truncate each component separately, so the weights stay as written.
    ta, tb = truncated_cdf(a, -1, 10), truncated_cdf(b, -1, 10)
    xt = _values(sampled, "mixture_t")
    assert xt.min() >= -1 and xt.max() <= 10
    assert st.kstest(xt, lambda v: 0.75 * ta(v) + 0.25 * tb(v)).pvalue > ALPHA


def test_choice_weights_are_honoured(sampled) -> None:
    values = sampled["t"].column("tier").to_pylist()
    observed = [values.count(k) for k in ("bronze", "silver", "gold")]
    expected = [0.6 * N, 0.3 * N, 0.1 * N]
    assert st.chisquare(observed, expected).pvalue > ALPHA


def test_choice_weights_are_honoured_under_a_copula() -> None:
    ds = _generate(
        {
            "tier": "{ choice: { bronze: 60, silver: 30, gold: 10 } }",
            "x": "{ distribution: normal }",
        },
        correlate=["{ fields: [tier, x], spearman: 0.5 }"],
    )
    values = ds["t"].column("tier").to_pylist()
    observed = [values.count(k) for k in ("bronze", "silver", "gold")]
    assert st.chisquare(observed, [0.6 * N, 0.3 * N, 0.1 * N]).pvalue > ALPHA


def test_a_weighted_bool_choice_spells_its_values_as_keys() -> None:
    """Mapping keys are text, so `{ true: 95, false: 5 }` with `type: bool` was a
    type-mismatch and a weighted bool could not be written at all."""
    ds = _generate({"paid": "{ choice: { true: 95, false: 5 }, type: bool }"})
    column = ds["t"].column("paid")
    assert column.type == pa.bool_()
    trues = sum(column.to_pylist())
    assert st.binomtest(trues, N, 0.95).pvalue > ALPHA


@pytest.mark.parametrize(
    "choice",
    [
        "{ choice: { '3': 1, '1': 2, '2': 1 }, type: int }",  # numbers listed out of order
        "{ choice: { '1': 2, '2': 1, '3': 1 }, type: int }",
        "{ choice: { false: 5, true: 95 }, type: bool }",
        "{ choice: { true: 95, false: 5 }, type: bool }",  # false counts below true
    ],
)
def test_numeric_choices_in_a_copula_reach_their_pearson_target_in_any_order(
    choice: str,
) -> None:
    """A copula walked a choice's values in the order written while the calibration read
    them as numbers: listed out of order, the values' correlation came out wrong, even of
    the opposite sign (true before false: a target of 0.3 gave -0.47 with a warning)."""
    ds = _generate(
        {"k": choice, "x": "{ distribution: normal }"},
        correlate=["{ fields: [k, x], rho: 0.3 }"],
    )
    k = np.asarray(ds["t"].column("k").to_pylist(), dtype=np.float64)
    x = _values(ds, "x")
    assert abs(np.corrcoef(k, x)[0, 1] - 0.3) < 0.02


def test_values_are_the_inverse_cdf_of_phony_uniforms() -> None:
    ds = _generate({"x": "{ distribution: weibull, shape: 2, scale: 3 }"}, n=1000)
    rows = np.arange(1000, dtype=np.int64)
    u = Stream(11, "t", "x", "").open_uniform(rows)
    np.testing.assert_array_equal(_values(ds, "x"), st.weibull_min(2, scale=3).ppf(u))


@pytest.mark.parametrize(
    ("pdl", "ref"),
    [
        ("{ distribution: gamma, shape: 2, scale: 3 }", st.gamma(2, scale=3)),
        ("{ distribution: gamma, shape: 0.3 }", st.gamma(0.3)),
        ("{ distribution: beta, alpha: 0.6, beta: 9, min: 10, max: 20 }", st.beta(0.6, 9, 10, 10)),
        ("{ distribution: beta, alpha: 40, beta: 2 }", st.beta(40, 2)),
    ],
)
def test_tabulated_quantiles_match_scipy_to_1e10_in_probability(pdl: str, ref) -> None:
    """Gamma and beta come from an interpolated quantile table: within 1e-10 of the exact
    inverse CDF in probability (tighter near the ends), never out of order."""
    n = 50_000
    ds = _generate({"x": pdl}, n=n)
    u = Stream(11, "t", "x", "").open_uniform(np.arange(n, dtype=np.int64))
    x = _values(ds, "x")
    assert np.abs(ref.cdf(x) - u).max() <= 1e-10
    np.testing.assert_allclose(x, ref.ppf(u), rtol=1e-7, atol=0)
    order = np.argsort(u)
    assert np.all(np.diff(x[order]) >= 0)


def test_zipf_bounded_fast() -> None:
    ds = _generate({"z": "{ distribution: zipf, s: 1.3, n: 50 }"}, n=20_000)
    ref = st.zipfian(1.3, 50)
    stat, p = _chi_square(_values(ds, "z"), ref.pmf)
    assert p > ALPHA, f"zipf: chi-square {stat:.1f}, p={p:.2g}"


@pytest.mark.parametrize("bounds", [None, (2, 40)])
def test_zipf_bounded_passes_chi_square(bounds) -> None:
    extra = "" if bounds is None else f", min: {bounds[0]}, max: {bounds[1]}"
    ds = _generate({"z": "{ distribution: zipf, s: 1.3, n: 100" + extra + " }"})
    ref = st.zipfian(1.3, 100)
    if bounds is None:
        pmf = ref.pmf
    else:
        lo, hi = bounds
        mass = ref.cdf(hi) - ref.cdf(lo - 1)
        pmf = lambda k: np.where((k >= lo) & (k <= hi), ref.pmf(k), 0.0) / mass  # noqa: E731
    stat, p = _chi_square(_values(ds, "z"), pmf)
    assert p > ALPHA, f"zipf: chi-square {stat:.1f}, p={p:.2g}"


@pytest.mark.parametrize("s", [0.8, 1.0])
def test_zipf_bounded_large_n_with_s_up_to_1_is_the_exact_inverse(s: float) -> None:
    """scipy sums the harmonic number term by term on every CDF call when s <= 1 (50 ms per
    value at n = 10^6: minutes for a column); the light Zipfian's H(k, s) is a prefix sum
    plus Euler–Maclaurin. Each value v is still the smallest rank with F(v) >= u for its
    uniform (checked against scipy's own CDF on a sample), and the ranks in bins of
    growing width pass a chi-square test against the exact probabilities."""
    n = 50_000
    ds = _generate({"x": f"{{ distribution: zipf, s: {s}, n: {n} }}"})
    x = _values(ds, "x")
    u = Stream(11, "t", "x", "").open_uniform(np.arange(N, dtype=np.int64))
    ref = st.zipfian(s, n)
    pick = np.r_[np.flatnonzero(x > 4096)[:60], np.arange(40)]  # past the 4,096-value table
    v = x[pick]
    assert np.all(ref.cdf(v - 1) < u[pick]) and np.all(u[pick] <= ref.cdf(v) + 1e-15)
    weights = np.arange(1, n + 1, dtype=np.float64) ** -s
    starts = np.unique(np.r_[np.arange(1, 50), np.geomspace(50, n, 60).astype(np.int64)])
    expected = np.add.reduceat(weights, starts - 1) / weights.sum() * N  # ranks start..next
    observed = np.histogram(x, bins=np.r_[starts, n + 1])[0]
    assert observed.sum() == N
    assert st.chisquare(observed, expected * N / expected.sum()).pvalue > ALPHA


def test_zipf_unbounded_passes_chi_square() -> None:
    ds = _generate({"z": "{ distribution: zipf, s: 2.0 }"})
    _, p = _chi_square(_values(ds, "z"), st.zipf(2.0).pmf)
    assert p > ALPHA


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("{ distribution: normal, mean: 0, sd: -1 }", "sd=-1"),
        ("{ distribution: lognormal, median: 3, sd: 1 }", "`sd` goes with `mean`"),
        ("{ distribution: lognormal, median: 3, mean: 3, sigma: 1 }", "only one of"),
        ("{ distribution: exponential }", "needs one of"),
        ("{ distribution: beta, alpha: 0, beta: 2 }", "alpha=0"),
        ("{ distribution: binomial, n: 10, p: 1.5 }", "p=1.5"),
        ("{ distribution: geometric, p: 0 }", "p=0"),
        ("{ distribution: zipf, s: 0.9 }", "needs s > 1"),
        ("{ distribution: empirical, quantiles: [3, 2, 5] }", "non-decreasing"),
        (
            "{ distribution: empirical, histogram: { edges: [0, 1], weights: [1, 2] } }",
            "one weight per bin",
        ),
        ("{ distribution: uniform, min: 0 }", "uniform"),
        ("{ distribution: normal, mean: 0, sigma: 1 }", "sigma"),
    ],
)
def test_bad_parameters_are_rejected(spec: str, needle: str) -> None:
    with pytest.raises(SchemaError) as info:
        _generate({"x": spec}, n=10)
    text = str(info.value) + " ".join(d.message for d in info.value.diagnostics)
    assert needle in text, text


# ---------------------------------------------------------------- copulas


def _codes(dataset, name: str, order: list[str]) -> np.ndarray:
    index = {v: i for i, v in enumerate(order)}
    return np.array([index[v] for v in dataset["t"].column(name).to_pylist()], dtype=np.float64)


def test_pearson_rho_on_normal_marginals() -> None:
    ds = _generate(
        {
            "a": "{ distribution: normal, mean: 5, sd: 2 }",
            "b": "{ distribution: normal, mean: -1, sd: 9 }",
        },
        correlate=["{ fields: [a, b], rho: 0.6 }"],
    )
    r = np.corrcoef(_values(ds, "a"), _values(ds, "b"))[0, 1]
    assert abs(r - 0.6) < TOLERANCE


def test_spearman_on_continuous_marginals() -> None:
    ds = _generate(
        {
            "a": "{ distribution: lognormal, median: 3, sigma: 1.2 }",
            "b": "{ distribution: exponential, mean: 2 }",
            "c": "{ distribution: beta, alpha: 2, beta: 5 }",
        },
        correlate=[
            "{ fields: [a, b, c], spearman: [[1, 0.5, -0.3], [0.5, 1, 0.2], [-0.3, 0.2, 1]] }"
        ],
    )
    m = st.spearmanr(np.column_stack([_values(ds, c) for c in "abc"])).statistic
    target = np.array([[1, 0.5, -0.3], [0.5, 1, 0.2], [-0.3, 0.2, 1]])
    assert np.max(np.abs(m - target)) < TOLERANCE


def test_pearson_rho_on_lognormals_needs_calibration() -> None:
    fields = {
        "a": "{ distribution: lognormal, median: 1, sigma: 1 }",
        "b": "{ distribution: lognormal, median: 1, sigma: 1 }",
    }
    ds = _generate(fields, correlate=["{ fields: [a, b], rho: 0.8 }"])
    r = np.corrcoef(_values(ds, "a"), _values(ds, "b"))[0, 1]
    assert abs(r - 0.8) < TOLERANCE


def test_pearson_matrix_on_mixed_marginals_with_calibration() -> None:
    target = np.array([[1, 0.5, 0.3], [0.5, 1, -0.4], [0.3, -0.4, 1]])
    ds = _generate(
        {
            "a": "{ distribution: gamma, shape: 2, scale: 3 }",
            "b": "{ distribution: poisson, mean: 3 }",
            "c": '{ choice: { "1": 50, "2": 30, "5": 20 }, type: int }',
        },
        correlate=[
            "{ fields: [a, b, c], matrix: [[1, 0.5, 0.3], [0.5, 1, -0.4], [0.3, -0.4, 1]] }"
        ],
    )
    m = np.corrcoef(np.column_stack([_values(ds, c) for c in "abc"]), rowvar=False)
    assert np.max(np.abs(m - target)) < TOLERANCE


def test_spearman_on_discrete_and_ordered_categories_with_calibration() -> None:
    ds = _generate(
        {
            "a": "{ distribution: poisson, mean: 1.5 }",
            "b": "{ distribution: binomial, n: 3, p: 0.4 }",
            "tier": "{ choice: { low: 50, mid: 30, high: 20 } }",
            "g": "{ distribution: gamma, shape: 2 }",
        },
        correlate=[
            "{ fields: [a, b], spearman: 0.6 }",
            "{ fields: [tier, g], spearman: -0.45 }",
        ],
    )
    assert abs(st.spearmanr(_values(ds, "a"), _values(ds, "b")).statistic - 0.6) < TOLERANCE
    tier = _codes(ds, "tier", ["low", "mid", "high"])
    assert abs(st.spearmanr(tier, _values(ds, "g")).statistic + 0.45) < TOLERANCE


def test_type_alone_fields_with_calibration() -> None:
    ds = _generate(
        {"d": "{ type: date, between: [2020-01-01, 2020-12-31] }", "x": "{ distribution: normal }"},
        correlate=["{ fields: [d, x], spearman: 0.7 }"],
    )
    days = ds["t"].column("d").cast("int32").to_numpy().astype(float)
    assert abs(st.spearmanr(days, _values(ds, "x")).statistic - 0.7) < TOLERANCE


def test_non_psd_matrix_is_rejected_with_its_eigenvalue() -> None:
    block = "{ fields: [a, b, c], matrix: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]] }"
    fields = {c: "{ distribution: normal }" for c in "abc"}
    with pytest.raises(SchemaError) as info:
        _generate(fields, n=10, correlate=[block])
    (diag,) = [d for d in info.value.diagnostics if d.code == "bad-correlation"]
    smallest = np.linalg.eigvalsh(np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])).min()
    assert f"{smallest:.4f}" in diag.message


def test_repair_nearest_gives_a_valid_close_matrix() -> None:
    target = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    block = "{ fields: [a, b, c], matrix: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], repair: nearest }"
    ds = _generate({c: "{ distribution: normal }" for c in "abc"}, correlate=[block])
    m = np.corrcoef(np.column_stack([_values(ds, c) for c in "abc"]), rowvar=False)
    # The repaired matrix is positive semi-definite, and each entry keeps its sign.
    assert np.linalg.eigvalsh(m).min() > -1e-9
    assert np.all(np.sign(m) == np.sign(target))
    repaired = copula_matrix(ds.plan, "t", ds.plan.doc.entities["t"].correlate[0])
    assert np.max(np.abs(m - repaired)) < TOLERANCE


def test_calibration_inverts_the_achieved_correlation() -> None:
    ds = _generate(
        {
            "a": "{ distribution: lognormal, median: 2, sigma: 0.9 }",
            "b": "{ distribution: poisson, mean: 2 }",
        },
        n=10,
    )
    a, b = marginal_of(ds.plan, "t", "a"), marginal_of(ds.plan, "t", "b")
    for method in ("pearson", "spearman"):
        for target in (-0.5, 0.1, 0.6):
            r = calibrate_pair(a, b, target, method)
            assert abs(achieved_correlation(a, b, r, method) - target) < 1e-6


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        ("{ distribution: geometric, p: 0.5, min: 40 }", 0.8),  # F(39) is 1 − 2**-39
        ("{ distribution: poisson, mean: 1, min: 30, max: 40 }", 0.5),
        ("{ distribution: poisson, mean: 1, min: 30, max: 40 }", -0.9),  # beyond reach
    ],
)
def test_copula_with_a_count_far_in_its_tail(spec: str, target: float) -> None:
    """The calibration's values of a count truncated far in its tail came from F, which
    is 1.0 there: every grid point was `min`, a constant, so the copula's correlation was
    set to 0 and the output had r ≈ 0 (geometric p 0.5 from 40 against a normal at rho
    0.8: −0.001). The grid now takes its values as sampling draws them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorrelationWarning)
        ds = _generate(
            {"g": spec, "x": "{ distribution: normal }"},
            correlate=[f"{{ fields: [g, x], rho: {target} }}"],
        )
        _values(ds, "g")
    g, x = marginal_of(ds.plan, "t", "g"), marginal_of(ds.plan, "t", "x")
    assert np.ptp(g.values) > 0  # not a constant
    edge = 0.9999  # the calibration's largest |r|
    reachable = achieved_correlation(g, x, edge if target > 0 else -edge)
    expected = min(target, reachable) if target > 0 else max(target, reachable)
    achieved = np.corrcoef(_values(ds, "g"), _values(ds, "x"))[0, 1]
    assert abs(achieved - expected) < 0.05, (achieved, expected, reachable)
    assert abs(achieved) > 0.3
    # the unreachable targets (0.5 and −0.9 for the poisson: |r| <= 0.41) are reported
    assert len(caught) == (expected != target), [str(w.message) for w in caught]


def test_an_unreachable_correlation_target_is_a_warning() -> None:
    """Two log-normals with sigma 1 reach no Pearson correlation below about −0.37: rho −0.9
    was clamped there silently. It still is, with a CorrelationWarning naming the fields,
    the target and the bound used; reachable targets give none."""
    fields = {
        "a": "{ distribution: lognormal, median: 1, sigma: 1 }",
        "b": "{ distribution: lognormal, median: 1, sigma: 1 }",
    }
    with pytest.warns(CorrelationWarning) as caught:
        ds = _generate(fields, n=20_000, correlate=["{ fields: [a, b], rho: -0.9 }"])
        achieved = np.corrcoef(_values(ds, "a"), _values(ds, "b"))[0, 1]
    [warning] = [w for w in caught if issubclass(w.category, CorrelationWarning)]
    assert str(warning.message) == (
        "correlate: t.a and t.b cannot reach rho -0.9 with their distributions; "
        "the lowest they reach, -0.375, is used"
    )
    assert -0.42 < achieved < -0.33
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorrelationWarning)
        ds = _generate(fields, n=1000, correlate=["{ fields: [a, b], rho: -0.3 }"])
        _values(ds, "a")
    spearman = {"a": fields["a"], "b": "{ distribution: poisson, mean: 0.1 }"}
    with pytest.warns(CorrelationWarning, match=r"cannot reach spearman 0\.95 .* highest"):
        _values(_generate(spearman, n=1000, correlate=["{ fields: [a, b], spearman: 0.95 }"]), "a")


def test_frozen_distributions_are_made_once_per_parameters() -> None:
    from decimal import Decimal

    from phony_pdl.engine import sampling

    a = sampling.frozen("normal", {"mean": 1.0, "sd": 2.0}, None, None)
    b = sampling.frozen("normal", {"sd": 2.0, "mean": 1.0}, None, None)
    c = sampling.frozen("normal", {"mean": 1.0, "sd": 3.0}, None, None)
    assert a is b and a is not c
    # a parameter JSON cannot hold is not cached, and still works
    d = sampling.frozen("normal", {"mean": Decimal("1.0"), "sd": 2.0}, None, None)
    assert d is not a and d.ppf(0.5) == a.ppf(0.5)


def test_quantile_pieces_built_on_demand_give_the_same_values() -> None:
    from phony_pdl.engine.quantile_table import QuantileTable

    u = np.random.default_rng(7).random(50_000)
    for dist in (st.beta(0.7, 1.3), st.gamma(0.4), st.gamma(50, scale=1e-8)):
        lazy = QuantileTable(dist)
        lazy.ppf(u[:20])
        assert lazy.built.sum() <= 22  # only the pieces 20 draws reached (and the two ends)
        small = np.concatenate([lazy.ppf(u[j : j + 97]) for j in range(0, len(u), 97)])
        whole = QuantileTable(dist).ppf(u)
        assert np.array_equal(small, whole)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("binomial", {"n": 10_000, "p": 0.5}),
        ("binomial", {"n": 5_000, "p": 0.999}),
        ("poisson", {"mean": 8_000}),
        ("poisson", {"mean": 1e9}),
        ("negative_binomial", {"n": 1_000, "p": 0.01}),
        ("geometric", {"p": 1e-5}),
    ],
)
def test_quantiles_from_the_estimate_equal_the_full_search(monkeypatch, name, params) -> None:
    """Draws beyond the CDF table start from a Cornish–Fisher estimate checked against the
    exact CDF; they must be the very values the bisection finds (and scipy's ppf agrees)."""
    from scipy import stats

    from phony_pdl.engine import sampling

    q = np.random.default_rng(5).random(20_000)
    q[:4] = [1e-300, 0.5, 1 - 1e-16, 1 - 2**-53]
    quick = sampling.discrete_ppf(name, sampling.frozen(name, params, None, None), q)
    monkeypatch.setattr(sampling, "_GUESSED", frozenset())
    searched = sampling.discrete_ppf(name, sampling.frozen(name, params, None, None), q)
    assert np.array_equal(quick, searched)
    reference = {
        "binomial": lambda: stats.binom(params.get("n"), params.get("p")),
        "poisson": lambda: stats.poisson(params.get("mean")),
        "negative_binomial": lambda: stats.nbinom(params.get("n"), params.get("p")),
        "geometric": lambda: stats.geom(params.get("p")),
    }[name]()
    middle = slice(4, 2_004)  # scipy's own ppf, on ordinary quantiles
    assert np.abs(quick[middle] - reference.ppf(q[middle])).max() <= 1


def test_many_pairs_calibrate_as_each_alone_and_report_what_they_cannot_reach() -> None:
    """The vectorised root finder (Newton steps within a bisection bracket) agrees with
    a bisection of `achieved_correlation` for every pair, clamps the unreachable ones at
    ±0.9999 and gives the same reachable bound as `reachable`, pair by pair."""
    from phony_pdl.engine import copula_calibration as cc

    ds = _generate(
        {
            "a": "{ distribution: lognormal, median: 1, sigma: 1 }",
            "b": "{ distribution: lognormal, median: 1, sigma: 1 }",
            "c": "{ distribution: poisson, mean: 2 }",
            "d": "{ distribution: normal, mean: 5, sd: 2 }",
            "e": "{ distribution: uniform, min: 0, max: 1, round: 1 }",
        },
        n=10,
    )
    m = {f: marginal_of(ds.plan, "t", f) for f in "abcde"}
    pairs = [
        (m[x], m[y], t)
        for x, y in (("a", "b"), ("a", "c"), ("c", "d"), ("d", "e"), ("b", "e"))
        for t in (-0.9, -0.3, 0.0, 0.42, 0.97)
    ]
    for method in ("pearson", "spearman"):
        roots, bounds = cc._calibrate(pairs, method)
        for (a, b, t), r, bound in zip(pairs, roots, bounds, strict=True):
            lo, hi = -0.9999, 0.9999
            if achieved_correlation(a, b, hi, method) <= t:
                want = hi
            elif achieved_correlation(a, b, lo, method) >= t:
                want = lo
            else:
                for _ in range(60):
                    mid = (lo + hi) / 2
                    lo, hi = (mid, hi) if achieved_correlation(a, b, mid, method) < t else (lo, mid)
                want = (lo + hi) / 2
            if t == 0:
                want = 0.0
            elif method == "spearman" and not a.has_atoms() and not b.has_atoms():
                want = 2 * np.sin(np.pi * t / 6)
            assert abs(r - want) < 2e-9, (method, t, r, want)
            assert bound == cc.reachable(a, b, t, method)
        if method == "pearson":  # lognormals at −0.9 and more
            assert sum(b is not None for b in bounds) >= 4


def test_calibration_products_run_on_one_blas_thread(monkeypatch) -> None:
    """The Hermite coefficients of a block's fields are one matrix product: with OpenBLAS's
    thread pool on a busy two-core machine it made a small table's generate up to ten
    times slower. The pool is restored after."""
    from threadpoolctl import threadpool_info

    from phony_pdl.engine import copula_calibration as cc

    seen: list[int] = []
    stack = np.stack

    def spy(*args, **kwargs):
        seen.extend(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")
        return stack(*args, **kwargs)

    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    ds = _generate(
        {
            "a": "{ distribution: lognormal, median: 2, sigma: 0.9 }",
            "b": "{ distribution: normal }",
        },
        n=10,
    )
    a, b = marginal_of(ds.plan, "t", "a"), marginal_of(ds.plan, "t", "b")
    monkeypatch.setattr(cc.np, "stack", spy)
    cc._prepare([a, b], "pearson")
    assert seen and set(seen) == {1}
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before


@pytest.mark.parametrize(("limit", "one_thread"), [(1 << 24, True), (10, False)])
def test_small_copula_products_run_on_one_blas_thread(monkeypatch, limit, one_thread) -> None:
    """The normal scores of a small batch are multiplied by the copula's factor on one
    BLAS thread (the pool's wake-up cost milliseconds on a busy machine); large products
    keep the pool. The values are the same either way."""
    import contextlib

    from phony_pdl.blas_threads import one_blas_thread
    from phony_pdl.engine import columns

    entered: list[int] = []

    @contextlib.contextmanager
    def counting():
        entered.append(1)
        with one_blas_thread():
            yield

    fields = {
        "a": "{ distribution: normal }",
        "b": "{ distribution: lognormal, median: 1, sigma: 1 }",
    }
    block = ["{ fields: [a, b], rho: 0.5 }"]
    expected = _values(_generate(fields, n=50, correlate=block), "b")
    monkeypatch.setattr(columns, "one_blas_thread", counting)
    monkeypatch.setattr(columns, "_SMALL_PRODUCT", limit)
    got = _values(_generate(fields, n=50, correlate=block), "b")
    assert (len(entered) > 0) == one_thread
    assert np.array_equal(got, expected)


def test_a_truncated_distributions_window_is_computed_once() -> None:
    """F(min) and F(max) are kept with the cached frozen distribution: the copula's grid and
    the rows of every generate ask for the same two values."""
    from phony_pdl.engine import sampling

    params = {"mean": 3.0, "sd": 2.0}
    dist = sampling.frozen("normal", params, 1.0, 6.0)
    calls: list[object] = []
    real_cdf = dist.cdf

    def counting(x):
        calls.append(x)
        return real_cdf(x)

    dist.__dict__.pop("_phony_window", None)
    dist.cdf = counting
    try:
        u = np.array([0.1, 0.5, 0.9])
        first = sampling.sample("normal", params, u, lo=1.0, hi=6.0)
        second = sampling.sample("normal", params, u, lo=1.0, hi=6.0)
    finally:
        del dist.cdf
    assert len(calls) == 2 and np.array_equal(first, second)
    mass = st.norm(3, 2).cdf([1.0, 6.0])
    assert np.allclose(first, st.norm(3, 2).ppf(mass[0] + u * (mass[1] - mass[0])))
