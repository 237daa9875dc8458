"""`phony compare`: how close synthetic data is to the real data it imitates.

>>> import pyarrow as pa
>>> from phony_pdl.compare import compare
>>> real = pa.table({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "b", "a", "a"]})
>>> report = compare(real, real)
>>> report.mean("KS"), report.mean("TVD"), report.tables[0].exact_copies
(0.0, 0.0, 1.0)
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..errors import UsageError
from ..quiet import quiet_numerics
from .metrics import ColumnScore, TableScore, compare_tables, ks_distance, tvd

__all__ = ["ColumnScore", "Report", "TableScore", "compare", "ks_distance", "tvd"]


@dataclass
class Report:
    tables: list[TableScore] = field(default_factory=list)
    seconds: float = 0.0
    unmatched: list[str] = field(default_factory=list)  # real tables with no synthetic twin
    # why a synthetic file of that name was left out (`a header but no rows`), where one was
    unmatched_why: dict[str, str] = field(default_factory=dict)

    def mean(self, metric: str) -> float | None:
        return self.mean_of(metric)

    def mean_of(self, *metrics: str) -> float | None:
        values = [c.value for t in self.tables for c in t.columns if c.metric in metrics]
        return float(np.mean(values)) if values else None

    def correlation_error(self, method: str = "pearson") -> float | None:
        """Mean absolute difference of the correlation matrices (upper triangles, all tables)."""
        diffs = []
        for t in self.tables:
            a, b = (
                (t.pearson_real, t.pearson_synthetic)
                if method == "pearson"
                else (t.spearman_real, t.spearman_synthetic)
            )
            if a is not None and b is not None and len(a) >= 2:
                iu = np.triu_indices(len(a), 1)
                diffs.extend(np.abs(a[iu] - b[iu]).tolist())
        return float(np.mean(diffs)) if diffs else None

    def category_error(self) -> float | None:
        """Mean |Δ η²| of every category–number pair (all tables): how far the synthetic
        data is from the real one in how much categories explain numbers."""
        diffs = [abs(a - b) for t in self.tables for _, _, a, b in t.category_dependence]
        return float(np.mean(diffs)) if diffs else None

    def association_error(self) -> float | None:
        """Mean |Δ Cramér's V| of every pair of category columns (all tables)."""
        diffs = [abs(a - b) for t in self.tables for _, _, a, b in t.category_association]
        return float(np.mean(diffs)) if diffs else None

    def summary(self) -> dict[str, Any]:
        copies = [t.exact_copies for t in self.tables]
        return {
            "mean_ks": self.mean("KS"),
            "mean_tvd": self.mean("TVD"),
            "mean_ks_length": self.mean("KS(length)"),
            "mean_tvd_clock": self.mean_of("TVD(hour)", "TVD(weekday)"),
            "pearson_error": self.correlation_error("pearson"),
            "spearman_error": self.correlation_error("spearman"),
            "category_error": self.category_error(),
            "association_error": self.association_error(),
            "exact_copies": float(np.mean(copies)) if copies else None,
            "tables": len(self.tables),
            "columns": sum(len(t.columns) for t in self.tables),
        }

    def rich_tables(self) -> list:
        from rich.table import Table

        out = []
        for t in self.tables:
            table = Table(
                "column", "kind", "metric", "value", "coverage", "null real", "null synth",
                title=f"{t.name}: {t.real_rows:,} real rows, {t.synthetic_rows:,} synthetic",
                title_justify="left", box=None, pad_edge=False,
            )  # fmt: skip
            for c in t.columns:
                table.add_row(
                    c.column,
                    c.kind,
                    c.metric,
                    f"{c.value:.3f}",
                    "-" if c.coverage is None else f"{c.coverage:.0%}",
                    f"{c.real_null:.1%}",
                    f"{c.synthetic_null:.1%}",
                )
            out.append(table)
        return out

    def lines(self) -> list[str]:
        """The per-table and overall summary lines printed under the tables."""
        lines = []
        for t in self.tables:
            parts = []
            if t.pearson_error is not None:
                parts.append(
                    f"correlation error {t.pearson_error:.3f} (Pearson), {t.spearman_error:.3f} (Spearman)"
                )
            if t.category_error is not None:
                parts.append(f"category–number error {t.category_error:.3f} (rank η²)")
            if t.association_error is not None:
                parts.append(f"category–category error {t.association_error:.3f} (Cramér's V)")
            parts.append(f"exact copies {t.exact_copies:.1%}")
            if t.dcr:
                parts.append(
                    f"closest-record distance median {t.dcr['synthetic_median']:.3f} "
                    f"(real to real {t.dcr['real_median']:.3f})"
                )
            if t.missing:
                parts.append(f"missing columns: {', '.join(t.missing)}")
            lines.append(f"{t.name}: " + "; ".join(parts))
        s = self.summary()
        overall = []
        for key, label in (
            ("mean_ks", "mean KS"),
            ("mean_tvd", "mean TVD"),
            ("mean_ks_length", "mean KS of text lengths"),
            ("mean_tvd_clock", "mean TVD of hours and weekdays"),
            ("pearson_error", "mean |Δ corr|"),
            ("category_error", "mean |Δ η²|"),
            ("association_error", "mean |Δ V|"),
        ):
            if s[key] is not None:
                overall.append(f"{label} {s[key]:.3f}")
        lines.append("overall: " + (", ".join(overall) or "nothing comparable"))
        for name in self.unmatched:
            why = self.unmatched_why.get(name)
            lines.append(
                f"{name}: the synthetic {why}"
                if why
                else f"{name}: no synthetic table of that name"
            )
        return lines

    def write_html(self, path: str | Path, *, title: str = "Phony fidelity report") -> Path:
        from ..writers.base import AtomicFile
        from .report import render_html

        path = Path(path)
        html = quiet_numerics(render_html)(self, title=title)  # before any file is opened
        path.parent.mkdir(parents=True, exist_ok=True)
        out = AtomicFile(path)  # a half-written report never replaces a good one
        try:
            out.write(html.encode("utf-8"))
            out.commit()
        except BaseException:
            out.abort()
            raise
        return path


def _tables(data: Any) -> dict[str, pa.Table]:
    return _read(data)[0]


def _read(data: Any) -> tuple[dict[str, pa.Table], list[str]]:
    """The tables, and the reader's notes on files it left out."""
    from ..infer.readers import read_source

    src = read_source(data)
    return {name: t.table for name, t in src.tables.items()}, list(src.notes)


def _match(
    real: dict[str, pa.Table], synth: dict[str, pa.Table]
) -> tuple[list[tuple[str, str]], list[str]]:
    from ..infer.readers import sanitize

    by_ident = {sanitize(n, set()).lower(): n for n in synth}
    pairs, missing = [], []
    for name in real:
        if name in synth:
            pairs.append((name, name))
        elif sanitize(name, set()).lower() in by_ident:
            pairs.append((name, by_ident[sanitize(name, set()).lower()]))
        elif len(real) == 1 and len(synth) == 1:
            pairs.append((name, next(iter(synth))))
        else:
            missing.append(name)
    return pairs, missing


def _renamed(real: pa.Table, synth: pa.Table) -> pa.Table:
    """The synthetic table with its columns named as the real ones (PDL identifiers → source)."""
    from ..infer.readers import sanitize

    if set(synth.column_names) <= set(real.column_names):
        return synth  # named as the source already (a schema of `phony infer` with `column`)
    taken: set[str] = set()
    idents = {sanitize(c, taken): c for c in real.column_names}
    # `a b` and `a_b` in the real table are `a_b` and `a_b_2` in the PDL: map identifiers
    # first; names the synthetic side already shares with the real one only as a fallback
    names = [idents.get(c, c) for c in synth.column_names]
    if len(set(names)) != len(names):
        names = [c if c in real.column_names else idents.get(c, c) for c in synth.column_names]
    return synth.rename_columns(names)


@quiet_numerics
def compare(real: Any, synthetic: Any, *, keep_values: bool = True) -> Report:
    """Compare real and synthetic data: files, folders, database URLs, Arrow tables or mappings.

    Tables pair up by name (or by PDL identifier, `mean radius` ↔ `mean_radius`); a single
    table on each side pairs regardless of name.
    """
    started = time.perf_counter()
    real_tables = _tables(real)
    syn_tables, syn_notes = _read(synthetic)
    pairs, missing = _match(real_tables, syn_tables)
    if not pairs:
        raise UsageError(
            "no table of the real data has a synthetic counterpart "
            f"(real: {', '.join(real_tables)}; synthetic: {', '.join(syn_tables)})"
        )
    report = Report(unmatched=missing)
    for name in missing:  # `left out e.csv: a header but no rows` → say so, not "no table"
        note = next((n for n in syn_notes if re.match(rf"left out {re.escape(name)}\.", n)), None)
        if note is not None:
            file, _, why = note.removeprefix("left out ").partition(": ")
            report.unmatched_why[name] = f"{file} was left out: {why}"
    for rname, sname in pairs:
        synth = _renamed(real_tables[rname], syn_tables[sname])
        report.tables.append(compare_tables(rname, real_tables[rname], synth, keep=keep_values))
    report.seconds = time.perf_counter() - started
    return report
