"""The HTML fidelity report: one self-contained file, charts as base64 PNGs (matplotlib).

matplotlib is optional (`pip install 'phony-pdl[stats]'`); it is imported only here,
through its object-oriented API (no pyplot, no global backend switch).
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import UsageError

if TYPE_CHECKING:
    from . import Report
    from .metrics import ColumnScore, TableScore

__all__ = ["render_html"]

REAL, SYNTH = "#1f77b4", "#ff7f0e"
MAX_COLUMN_CHARTS = 60


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise UsageError(
            "the HTML report needs matplotlib: pip install 'phony-pdl[stats]'"
        ) from None
    return Figure(figsize=(width, height), dpi=80)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")  # long labels are not cut off
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _column_chart(c: ColumnScore) -> str | None:
    if c.real is None or c.synthetic is None:
        return None
    fig = _figure(4.2, 2.8)
    ax = fig.add_subplot()
    if c.kind == "categorical":
        from collections import Counter

        ra, sa = Counter(c.real), Counter(c.synthetic)
        keys = [k for k, _ in ra.most_common(15)]
        nr, ns = max(len(c.real), 1), max(len(c.synthetic), 1)
        x = np.arange(len(keys))
        ax.bar(x - 0.2, [ra[k] / nr for k in keys], 0.4, color=REAL, label="real")
        ax.bar(x + 0.2, [sa[k] / ns for k in keys], 0.4, color=SYNTH, label="synthetic")
        ax.set_xticks(x, [str(k)[:12] for k in keys], rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("share", fontsize=7)
        fig.subplots_adjust(bottom=0.3)
    else:
        # Times on a calendar or clock axis: days since 1970 are matplotlib's date numbers.
        scale = {"timestamp": 86_400e6, "date": 1.0, "time": 3_600e6}.get(c.unit or "", 1.0)
        a = np.asarray(c.real, dtype=np.float64) / scale
        b = np.asarray(c.synthetic, dtype=np.float64) / scale
        both = np.concatenate([a, b]) if len(a) + len(b) else np.zeros(1)
        lo, hi = np.percentile(both, [0.5, 99.5]) if len(both) > 1 else (0.0, 1.0)
        if hi <= lo:
            lo, hi = float(both.min()) - 0.5, float(both.max()) + 0.5
        bins = np.linspace(lo, hi, 41)
        for values, color, label in ((a, REAL, "real"), (b, SYNTH, "synthetic")):
            heights, edges = np.histogram(values, bins=bins, density=True)
            ax.stairs(heights, edges, fill=True, alpha=0.5, color=color, label=label)
        if c.unit in ("timestamp", "date"):
            import matplotlib.dates as mdates

            locator = mdates.AutoDateLocator(maxticks=6)
            # 31-36 months fit no monthly step of matplotlib's at 6 ticks (it warns on
            # stderr): a year's step keeps such ranges quiet
            locator.intervald[mdates.MONTHLY] = [1, 2, 3, 4, 6, 12]
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        elif c.unit == "time":
            ax.set_xlabel("hour of the day", fontsize=7)
        elif c.kind == "time":
            ax.set_xlabel("duration (µs)", fontsize=7)
        elif c.kind == "text":
            ax.set_xlabel("length", fontsize=7)
        elif c.metric == "KS(freq)":
            ax.set_xlabel("rows per value", fontsize=7)
    ax.set_title(f"{c.column}  {c.metric} {c.value:.3f}", fontsize=9)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7)
    return _png(fig)


def _heatmaps(t: TableScore) -> str | None:
    if t.pearson_real is None or t.pearson_synthetic is None:
        return None
    k = len(t.corr_columns)
    size = min(4.5, 1.5 + 0.25 * k)
    fig = _figure(3 * size + 1, size)
    mats = [
        ("real", t.pearson_real, "coolwarm", -1, 1),
        ("synthetic", t.pearson_synthetic, "coolwarm", -1, 1),
        ("|difference|", np.abs(t.pearson_real - t.pearson_synthetic), "Reds", 0, 1),
    ]
    labels = [c[:14] for c in t.corr_columns]
    for i, (title, m, cmap, vmin, vmax) in enumerate(mats):
        ax = fig.add_subplot(1, 3, i + 1)
        image = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_title(f"Pearson, {title}", fontsize=9)
        ticks = np.arange(k)
        fontsize = 7 if k <= 15 else 5
        ax.set_xticks(ticks, labels, rotation=90, fontsize=fontsize)
        ax.set_yticks(ticks, labels if i == 0 else [], fontsize=fontsize)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    fig.subplots_adjust(bottom=0.25, wspace=0.35)
    return _png(fig)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; font-size: 13px; }
th { background: #f4f4f4; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.charts figure { margin: 0; }
.summary td:first-child { font-weight: 600; }
"""


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{v:.1%}" if pct else f"{v:.4f}"


def _pairs_table(
    title: str, blurb: str, header: tuple[str, ...], pairs: list[tuple[str, str, float, float]]
) -> list[str]:
    """A table of column pairs with their real and synthetic scores (none without pairs);
    `title`, `blurb` and `header` are the report's own HTML, the column names are escaped."""
    if not pairs:
        return []
    e = html.escape
    cells = "".join(f"<th>{h}</th>" for h in header)
    out = [f"<h3>{title}</h3><p>{blurb}</p><table><thead><tr>{cells}</tr></thead><tbody>"]
    for first, second, a, b in pairs:
        out.append(
            f"<tr><td>{e(first)}</td><td>{e(second)}</td><td>{a:.4f}</td><td>{b:.4f}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


def render_html(report: Report, *, title: str = "Phony fidelity report") -> str:
    e = html.escape
    s = report.summary()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        '<table class="summary"><tbody>',
    ]
    rows = [
        ("mean KS (numbers, times)", _fmt(s["mean_ks"])),
        ("mean TVD (categories)", _fmt(s["mean_tvd"])),
        ("mean KS of text lengths", _fmt(s["mean_ks_length"])),
        ("mean |Δ| Pearson correlation", _fmt(s["pearson_error"])),
        ("mean |Δ| Spearman correlation", _fmt(s["spearman_error"])),
        ("mean |Δ| η² of numbers by category", _fmt(s["category_error"])),
        ("mean |Δ| Cramér's V of category pairs", _fmt(s["association_error"])),
        ("synthetic rows copying a real row", _fmt(s["exact_copies"], pct=True)),
    ]
    out += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in rows]
    out.append("</tbody></table>")
    charts = 0
    for t in report.tables:
        out.append(
            f"<h2>{e(t.name)}</h2><p>{t.real_rows:,} real rows, {t.synthetic_rows:,} synthetic rows."
        )
        if t.dcr:
            out.append(
                " Distance to the closest real record (scaled units): synthetic median "
                f"{t.dcr['synthetic_median']:.3f}, 5th percentile {t.dcr['synthetic_p5']:.3f}; "
                f"between real rows median {t.dcr['real_median']:.3f}, 5th percentile "
                f"{t.dcr['real_p5']:.3f}. Exact copies: {t.exact_copies:.1%}."
            )
        out.append("</p>")
        out.append(
            "<table><thead><tr><th>column</th><th>kind</th><th>metric</th><th>value</th>"
            "<th>coverage</th><th>null real</th><th>null synthetic</th></tr></thead><tbody>"
        )
        for c in t.columns:
            out.append(
                f"<tr><td>{e(c.column)}</td><td>{c.kind}</td><td>{e(c.metric)}</td>"
                f"<td>{c.value:.4f}</td><td>{'-' if c.coverage is None else f'{c.coverage:.0%}'}</td>"
                f"<td>{c.real_null:.1%}</td><td>{c.synthetic_null:.1%}</td></tr>"
            )
        out.append("</tbody></table>")
        heat = _heatmaps(t)
        if heat:
            err = t.pearson_error
            out.append(
                f"<h3>Correlations</h3><p>Mean absolute difference {err:.4f} (Pearson), "
                f"{t.spearman_error:.4f} (Spearman).</p>"
            )
            out.append(
                f'<img alt="correlation heatmaps of {e(t.name)}" src="data:image/png;base64,{heat}">'
            )
        out += _pairs_table(
            "Numbers by category",
            "Share of each number column's rank variance its categories explain (rank η²).",
            ("category", "number", "η² real", "η² synthetic"),
            t.category_dependence,
        )
        out += _pairs_table(
            "Categories together",
            "How strongly each pair of category columns goes together (Cramér's V).",
            ("category", "category", "V real", "V synthetic"),
            t.category_association,
        )
        out.append('<h3>Distributions</h3><div class="charts">')
        for c in t.columns:
            if charts >= MAX_COLUMN_CHARTS:
                break
            png = _column_chart(c)
            if png:
                charts += 1
                out.append(
                    f'<figure><img alt="{e(t.name)}.{e(c.column)}: real and synthetic" '
                    f'src="data:image/png;base64,{png}"></figure>'
                )
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)
