"""Fidelity of `phony infer` → generate on real data, next to a Gaussian-copula baseline.

    python bench/fidelity.py [--seeds 5] [--datasets wine,diabetes,statsmodels:fair,...]

The data are real tables shipped inside PyPI packages: scikit-learn's wine, diabetes and
breast_cancer, and statsmodels' randhie (RAND health insurance experiment, 20,190 rows),
fair (affairs survey, 6,366 rows), anes96 (1996 election survey) and modechoice (travel
mode choice); for statsmodels' tables the numeric columns. For each, Phony infers a PDL
schema from the table and generates as many rows; the baseline is SDV's
GaussianCopulaSynthesizer when SDV is installed, else the `copulas` package's
GaussianMultivariate. Both are scored by `phony_pdl.compare` against the real table: mean
Kolmogorov–Smirnov distance over columns, mean total variation distance over categorical
columns, and the mean absolute difference of the Pearson correlation matrices; each
averaged over --seeds synthetic samples from one fit. Times are fit + one sample of the
table's size, after one warm-up run of each method on the same data (imports and caches),
median of --repeats runs.

Needs: pip install -e '.[fidelity]' (scikit-learn, statsmodels, matplotlib, copulas), and
sdv for the SDV baseline.
Prints a Markdown section; it does not write bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from phony_pdl.compare import compare
from phony_pdl.infer import infer

DATASETS = (
    "wine",
    "diabetes",
    "breast_cancer",
    "statsmodels:randhie",
    "statsmodels:fair",
    "statsmodels:anes96",
    "statsmodels:modechoice",
)


def load_frame(name: str):
    """A real table by name: scikit-learn's bundled sets, or `statsmodels:<name>` for the
    ones statsmodels ships (numeric columns only, as the copula baselines need)."""
    if name.startswith("statsmodels:"):
        from statsmodels import datasets as sm_datasets

        frame = getattr(sm_datasets, name.split(":", 1)[1]).load_pandas().data
        return frame.select_dtypes("number").reset_index(drop=True)
    from sklearn import datasets

    loader = getattr(datasets, f"load_{name}")
    return loader(as_frame=True).frame


# ---------------------------------------------------------------- methods


class Phony:
    label = "Phony infer + generate"

    def __init__(self, frame, name: str) -> None:
        self.table = pa.Table.from_pandas(frame, preserve_index=False)
        self.name = name

    def fit(self) -> None:
        self.result = infer(self.table, name=self.name)
        self.schema = self.result.schema()

    def sample(self, seed: int) -> pa.Table:
        return self.schema.generate(seed=seed)[self.name]


class SdvCopula:
    label = "SDV GaussianCopulaSynthesizer"

    def __init__(self, frame, name: str) -> None:
        self.frame = frame
        self.name = name

    def fit(self) -> None:
        from sdv.metadata import Metadata
        from sdv.single_table import GaussianCopulaSynthesizer

        if hasattr(Metadata, "detect_from_dataframe"):
            metadata = Metadata.detect_from_dataframe(self.frame)
            self.synth = GaussianCopulaSynthesizer(metadata)
            self.synth.fit(self.frame)
        else:  # SDV 2: one-table dictionaries
            metadata = Metadata.detect_from_dataframes({self.name: self.frame})
            self.synth = GaussianCopulaSynthesizer(metadata)
            self.synth.fit({self.name: self.frame})

    def sample(self, seed: int) -> pa.Table:
        np.random.seed(seed)
        try:
            import torch

            torch.manual_seed(seed)
        except ImportError:
            pass
        out = self.synth.sample(len(self.frame))
        if isinstance(out, dict):
            out = out[self.name]
        return pa.Table.from_pandas(out, preserve_index=False)


class CopulasGaussian:
    label = "copulas GaussianMultivariate"

    def __init__(self, frame, name: str) -> None:
        self.frame = frame

    def fit(self) -> None:
        from copulas.multivariate import GaussianMultivariate

        self.model = GaussianMultivariate()
        self.model.fit(self.frame)

    def sample(self, seed: int) -> pa.Table:
        np.random.seed(seed)
        return pa.Table.from_pandas(self.model.sample(len(self.frame)), preserve_index=False)


def baseline_class():
    try:
        import sdv  # noqa: F401

        return SdvCopula
    except ImportError:
        import copulas  # noqa: F401

        return CopulasGaussian


# ---------------------------------------------------------------- measuring


def measure(method, real: pa.Table, seeds: int, repeats: int) -> dict:
    method.fit()  # warm-up: imports, caches
    method.sample(0)
    fits, samples = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        method.fit()
        t1 = time.perf_counter()
        method.sample(1)
        t2 = time.perf_counter()
        fits.append(t1 - t0)
        samples.append(t2 - t1)
    ks, tvd, corr = [], [], []
    for seed in range(1, seeds + 1):
        report = compare(real, method.sample(seed), keep_values=False)
        ks.append(report.mean("KS"))
        tvd.append(report.mean("TVD"))
        corr.append(report.correlation_error("pearson"))
    fit, sample = statistics.median(fits), statistics.median(samples)
    return {
        "ks": float(np.mean(ks)),
        "tvd": None if tvd[0] is None else float(np.mean(tvd)),
        "corr": float(np.mean(corr)),
        "fit": fit,
        "sample": sample,
        "total": fit + sample,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="synthetic samples per method")
    parser.add_argument("--repeats", type=int, default=3, help="timed fit + sample runs")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument(
        "--stack", type=int, default=1, help="repeat each table this many times (speed at size)"
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    Baseline = baseline_class()
    rows = []
    for name in args.datasets.split(","):
        frame = load_frame(name)
        if args.stack > 1:
            import pandas as pd

            frame = pd.concat([frame] * args.stack, ignore_index=True)
        real = pa.Table.from_pandas(frame, preserve_index=False)
        name = name.removeprefix("statsmodels:")
        ours = measure(Phony(frame, name), real, args.seeds, args.repeats)
        theirs = measure(Baseline(frame, name), real, args.seeds, args.repeats)
        rows.append((name, frame.shape, ours, theirs))
        print(f"{name}: done", file=sys.stderr)

    def fmt(v: float | None, digits: int = 3) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    print("## Fidelity: `phony infer` on real tables from scikit-learn and statsmodels\n")
    print(
        f"{args.seeds} synthetic samples per method (same size as the real table), one fit; "
        f"times are the median of {args.repeats} runs after a warm-up. "
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.\n"
    )
    print(
        "| dataset | rows × cols | method | mean KS | mean TVD | mean abs Δ Pearson "
        "| fit s | sample s | fit + sample s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, shape, ours, theirs in rows:
        methods = [(Phony.label, ours), (Baseline.label, theirs)]
        for label, m in methods:
            print(
                f"| {name} | {shape[0]} × {shape[1]} | {label} | {fmt(m['ks'])} | {fmt(m['tvd'])} "
                f"| {fmt(m['corr'])} | {fmt(m['fit'], 4)} | {fmt(m['sample'], 4)} | {fmt(m['total'], 4)} |"
            )
    print()
    for name, _, ours, theirs in rows:
        speed = theirs["total"] / ours["total"]
        better_ks = "≤" if ours["ks"] <= theirs["ks"] else ">"
        better_corr = "≤" if ours["corr"] <= theirs["corr"] else ">"
        print(
            f"- {name}: Phony is {speed:.1f}× faster (fit + sample); mean KS "
            f"{ours['ks']:.3f} {better_ks} {theirs['ks']:.3f}; correlation error "
            f"{ours['corr']:.3f} {better_corr} {theirs['corr']:.3f}."
        )


if __name__ == "__main__":
    main()
