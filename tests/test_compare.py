"""`phony compare`: fidelity metrics, the HTML report (parsed for real), and the command line."""

from __future__ import annotations

import base64
import sys
from html.parser import HTMLParser

import numpy as np
import pyarrow as pa
import pytest

import phony_pdl
from phony_pdl import UsageError
from phony_pdl.compare import compare, ks_distance, tvd

from .conftest import ROOT

SCHEMA = """
pdl: 1
name: people
seed: {seed}
entities:
  people:
    count: 3000
    fields:
      id:     {{ sequence: 1 }}
      age:    {{ distribution: normal, mean: 41, sd: 12, min: 18, max: 95, type: int }}
      income: {{ distribution: lognormal, median: 52000, sigma: 0.5, round: 2 }}
      tier:   {{ choice: {{ bronze: 60, silver: 30, gold: 10 }} }}
      joined: {{ type: date, between: [2020-01-01, 2024-12-31] }}
      email:  {{ generator: internet.email }}
    correlate:
      - {{ fields: [age, income], spearman: 0.6 }}
"""


def people(seed: int) -> dict[str, pa.Table]:
    return dict(phony_pdl.load(SCHEMA.format(seed=seed)).generate())


@pytest.fixture(scope="module")
def report():
    return compare(people(1), people(2))


def test_metric_functions() -> None:
    assert ks_distance(np.arange(10.0), np.arange(10.0)) == 0.0
    assert ks_distance(np.zeros(5), np.ones(5)) == 1.0
    assert tvd(["a", "a", "b"], ["a", "b", "b"]) == (pytest.approx(1 / 3), 1.0)
    assert tvd(["a", "c"], ["a", "a"])[1] == 0.5  # coverage: 'c' never appears
    assert tvd([], ["a", "b"]) == (1.0, 1.0)  # an all-NULL real column: nothing matches
    assert tvd(["a"], []) == (1.0, 0.0)
    assert tvd([], []) == (0.0, 1.0)


def test_identical_data_scores_perfectly() -> None:
    real = people(1)
    r = compare(real, real)
    (t,) = r.tables
    assert r.mean("KS") == 0 and r.mean("TVD") == 0
    assert r.correlation_error() == pytest.approx(0.0, abs=1e-12)
    assert t.exact_copies == 1.0 and t.dcr["synthetic_zero"] == 1.0


def test_same_schema_other_seed_scores_well(report) -> None:
    (t,) = report.tables
    by = {c.column: c for c in t.columns}
    assert by["age"].metric == "KS" and by["age"].value < 0.05
    assert by["joined"].kind == "time" and by["joined"].value < 0.05
    assert by["tier"].metric == "TVD" and by["tier"].value < 0.03 and by["tier"].coverage == 1.0
    assert by["email"].metric == "KS(length)"
    assert by["id"].metric == "KS(freq)" and by["id"].value == 0.0
    assert report.correlation_error() < 0.05  # two samples of 3,000: noise is about 0.02
    assert t.exact_copies == 0.0
    assert t.dcr["synthetic_median"] > 0


def test_differences_are_detected() -> None:
    real = people(1)
    table = real["people"]
    shifted = table.set_column(
        table.column_names.index("income"),
        "income",
        pa.array(np.random.default_rng(0).permutation(table.column("income").to_numpy()) * 1.5),
    )
    r = compare(real, {"people": shifted})
    by = {c.column: c for c in r.tables[0].columns}
    assert by["income"].value > 0.15  # scaled by 1.5
    assert r.correlation_error() > 0.05  # the permutation broke age ~ income


def test_files_and_folders(tmp_path) -> None:
    phony_pdl.load(SCHEMA.format(seed=1)).generate().write(tmp_path / "real", format="csv")
    phony_pdl.load(SCHEMA.format(seed=2)).generate().write(tmp_path / "syn", format="parquet")
    r = compare(tmp_path / "real", tmp_path / "syn")
    assert [t.name for t in r.tables] == ["people"]
    assert r.mean("KS") < 0.05
    with pytest.raises(UsageError):
        compare(tmp_path / "real", tmp_path / "missing")


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append({k: v or "" for k, v in attrs})


def test_html_report_renders_with_images(report, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    path = report.write_html(tmp_path / "report.html")
    parser = _Images()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert {"html", "head", "body", "h1", "table", "img"} <= set(parser.tags)
    (t,) = report.tables
    assert len(parser.images) == len(t.columns) + 1  # one chart per column + the heatmaps
    for img in parser.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix) and img["alt"]
        png = base64.b64decode(img["src"][len(prefix) :], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert any("correlation" in img["alt"] for img in parser.images)


def test_dates_over_about_three_years_are_charted_without_a_warning(tmp_path) -> None:
    """Sign-up dates over 33 months made matplotlib warn on stderr during `phony compare`."""
    pytest.importorskip("matplotlib")
    import datetime as dt
    import warnings

    days = [dt.date(2021, 1, 1) + dt.timedelta(days=i * 5 // 2) for i in range(400)]
    table = pa.table({"signup": pa.array(days, pa.date32())})
    result = compare({"t": table}, {"t": table})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = result.write_html(tmp_path / "r.html")
    parser = _Images()
    parser.feed(path.read_text(encoding="utf-8"))
    assert [img["alt"] for img in parser.images] == ["t.signup: real and synthetic"]


def test_time_columns_are_plotted_on_calendar_and_clock_axes(tmp_path) -> None:
    """Times are charted as dates and hours of the day, not µs since 1970."""
    pytest.importorskip("matplotlib")
    import datetime as dt

    from phony_pdl.compare import report as report_mod

    n = 300
    stamps = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=7 * i) for i in range(n)]
    table = pa.table(
        {
            "at": pa.array(stamps, pa.timestamp("us")),
            "day": pa.array([s.date() for s in stamps], pa.date32()),
            "clock": pa.array([s.time() for s in stamps], pa.time64("us")),
        }
    )
    result = compare({"t": table}, {"t": table})
    units = {c.column: c.unit for c in result.tables[0].columns if c.metric == "KS"}
    assert units == {"at": "timestamp", "day": "date", "clock": "time"}
    seen = []
    original = report_mod._png

    def capture(fig):
        ax = fig.axes[0]
        seen.append((ax.get_title(), ax.get_xlim(), ax.get_xlabel()))
        return original(fig)

    report_mod._png = capture
    try:
        result.write_html(tmp_path / "r.html")
    finally:
        report_mod._png = original
    limits = {title.split()[0]: (lim, label) for title, lim, label in seen}
    first_day = dt.date(2024, 1, 1).toordinal() - dt.date(1970, 1, 1).toordinal()
    for name in ("at", "day"):  # matplotlib date numbers: days since 1970
        (lo, hi), _ = limits[name]
        assert first_day - 30 < lo < first_day + 30 and hi < first_day + 200
    (lo, hi), label = limits["clock"]
    assert lo > -2 and hi < 26 and label == "hour of the day"


def test_html_report_without_matplotlib_says_how_to_install(report, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(UsageError, match=r"pip install 'phony-pdl\[stats\]'"):
        report.write_html(tmp_path / "r.html")


def test_summary_lines(report) -> None:
    lines = report.lines()
    assert lines[0].startswith("people: correlation error")
    assert lines[-1].startswith("overall: mean KS")
    assert "mean KS of text lengths" in lines[-1]  # email: text columns count in it too


# ---------------------------------------------------------------- command line


def _command(name: str):
    from phony_pdl import cli

    names = {
        c.name or (c.callback.__name__ if c.callback else "") for c in cli.app.registered_commands
    }
    assert name in names, f"`phony {name}` is not registered in cli.py"
    from typer.testing import CliRunner

    return cli.app, CliRunner()


def test_cli_compare_prints_a_table_and_exits_0(tmp_path) -> None:
    app, runner = _command("compare")
    pytest.importorskip("matplotlib")
    phony_pdl.load(SCHEMA.format(seed=1)).generate().write(tmp_path / "real", format="csv")
    phony_pdl.load(SCHEMA.format(seed=2)).generate().write(tmp_path / "syn", format="csv")
    html = tmp_path / "r.html"
    result = runner.invoke(
        app, ["compare", str(tmp_path / "real"), str(tmp_path / "syn"), "--report", str(html)]
    )
    assert result.exit_code == 0, result.output
    assert "people: 3,000 real rows, 3,000 synthetic" in result.output
    assert "overall: mean KS" in result.output
    assert html.exists()


def test_cli_infer_writes_schema_and_report(tmp_path) -> None:
    app, runner = _command("infer")
    pytest.importorskip("matplotlib")
    phony_pdl.load(SCHEMA.format(seed=1)).generate().write(tmp_path / "real", format="csv")
    out, html = tmp_path / "people.yaml", tmp_path / "r.html"
    result = runner.invoke(
        app, ["infer", str(tmp_path / "real" / "people.csv"), "-o", str(out), "--report", str(html)]
    )
    assert result.exit_code == 0, result.output
    assert phony_pdl.load(out).entities["people"].count == 3000
    assert html.exists()


def test_same_rows_as_csv_and_parquet_score_perfectly(tmp_path) -> None:
    """Decimals from Parquet and the same values parsed from CSV text are the same numbers
    (Arrow's decimal cast landed one double off, giving KS 0.165 on identical data), and
    rows count as copies whatever the file format; ids do not make a copied row new."""
    dataset = phony_pdl.load(ROOT / "examples" / "shop.yaml").generate()
    dataset.write(tmp_path / "csv", format="csv")
    dataset.write(tmp_path / "parquet", format="parquet")
    r = compare(tmp_path / "csv", tmp_path / "parquet")
    assert r.mean("KS") == 0 and r.mean("TVD") == 0
    for t in r.tables:
        assert t.exact_copies == 1.0, t.name
        assert t.dcr["synthetic_median"] == 0.0 and t.dcr["synthetic_zero"] == 1.0, t.name


def test_decimal_to_float_is_correctly_rounded() -> None:
    from decimal import Decimal

    from phony_pdl.engine.arrow import decimal_to_float

    rng = np.random.default_rng(1)
    values = [None if i % 7 == 0 else Decimal(int(rng.integers(-10**9, 10**9))) / 100
              for i in range(5000)]  # fmt: skip
    column = pa.array(values, pa.decimal128(12, 2))
    want = [None if v is None else float(v) for v in values]
    assert decimal_to_float(column).to_pylist() == want
    assert decimal_to_float(column.slice(3, 100)).to_pylist() == want[3:103]


def test_hours_and_weekdays_are_compared_for_datetimes() -> None:
    """Office-hours, weekday-only times against times spread over whole days: a KS over
    the whole range barely moves; the hour and weekday distributions give it away."""
    import datetime as dt

    rng = np.random.default_rng(1)
    base = dt.datetime(2024, 1, 1)
    real = [base + dt.timedelta(days=int(d), seconds=int(rng.integers(9 * 3600, 17 * 3600)))
            for d in rng.integers(0, 365, 2000)]  # fmt: skip
    real = [r for r in real if r.weekday() < 5]
    spread = [base + dt.timedelta(seconds=int(rng.integers(0, 365 * 86400))) for _ in real]
    report = compare(
        pa.table({"t": pa.array(real, pa.timestamp("us"))}),
        pa.table({"t": pa.array(spread, pa.timestamp("us"))}),
    )
    scores = {c.metric: c.value for c in report.tables[0].columns}
    assert scores["KS"] < 0.1 and scores["TVD(hour)"] > 0.5 and scores["TVD(weekday)"] > 0.2
    assert "mean TVD of hours and weekdays" in report.lines()[-1]
    same = compare(pa.table({"t": pa.array(real, pa.timestamp("us"))}),
                   pa.table({"t": pa.array(real, pa.timestamp("us"))}))  # fmt: skip
    assert same.mean_of("TVD(hour)", "TVD(weekday)") == 0.0


def test_hours_of_a_column_with_a_time_zone_are_read_on_utc(tmp_path) -> None:
    """Tokyo 09:00 and the same instant written as 00:00 UTC: identical data scored
    TVD(hour) 1.0 because the zoned side's hours were local."""
    rng = np.random.default_rng(4)
    seconds = rng.integers(0, 60, 2000) * 86400 + rng.integers(0, 8 * 3600, 2000)  # 00–08 UTC
    utc = (np.datetime64("2024-06-03T00:00:00", "s") + seconds).astype("datetime64[us]")
    zoned = pa.table({"ts": pa.array(utc).cast(pa.timestamp("us", tz="Asia/Tokyo"))})
    plain = pa.table({"ts": pa.array(utc)})
    scores = {c.metric: c.value for c in compare({"t": zoned}, {"t": plain}).tables[0].columns}
    assert scores["TVD(hour)"] == 0.0 and scores["TVD(weekday)"] == 0.0


def test_numbers_made_as_text_score_worst_instead_of_dropping_out(tmp_path) -> None:
    """A real number column whose synthetic twin is text was scored as text: it left the
    mean KS (0.000 overall) and the correlations without a word."""
    rng = np.random.default_rng(3)
    real = pa.table({"x": rng.normal(size=300), "y": rng.normal(size=300)})
    text = pa.array(["oops" if i % 2 else str(v) for i, v in enumerate(real["x"].to_pylist())])
    synth = real.set_column(0, "x", text)
    result = compare({"t": real}, {"t": synth})
    scores = {c.column: (c.kind, c.metric, c.value) for c in result.tables[0].columns}
    assert scores["x"] == ("numeric", "KS", 1.0)
    assert result.mean("KS") == pytest.approx(0.5, abs=0.05)
    result.write_html(tmp_path / "r.html")  # the report still renders
    assert (tmp_path / "r.html").stat().st_size > 0


def test_an_empty_synthetic_file_is_named_not_reported_missing(tmp_path) -> None:
    """`e: no synthetic table of that name` although e.csv was there (with no rows)."""
    synth = tmp_path / "syn"
    synth.mkdir()
    (synth / "a.csv").write_text("id,v\n" + "".join(f"{i},{i * 1.5}\n" for i in range(50)))
    (synth / "e.csv").write_text('"id","x"\n')
    real = {
        "a": pa.table({"id": list(range(50)), "v": [i * 1.5 for i in range(50)]}),
        "e": pa.table({"id": [1], "x": ["y"]}),
    }
    result = compare(real, synth)
    assert result.unmatched == ["e"]
    assert "e: the synthetic e.csv was left out: a header but no rows" in result.lines()


def test_distinct_names_on_a_small_table_are_text_not_categories() -> None:
    """doctors.name, 20 distinct names on 20 rows, was `categorical` with TVD 1.000 and
    coverage 0 against 20 other believable names; a few repeated values stay categories."""
    real = pa.table({
        "name": [f"Real Person {i}" for i in range(20)],
        "specialty": ["cardiology", "general", "pediatrics", "dermatology"] * 5,
    })  # fmt: skip
    synth = pa.table({
        "name": [f"Fake Person {i}" for i in range(20)],
        "specialty": ["cardiology", "general", "pediatrics", "dermatology"] * 5,
    })  # fmt: skip
    scores = {c.column: (c.kind, c.metric, c.value) for c in compare(real, synth).tables[0].columns}
    assert scores["name"][:2] == ("text", "KS(length)")
    assert scores["name"][2] == 0.0  # same lengths
    assert scores["specialty"] == ("categorical", "TVD", 0.0)


def test_how_much_categories_explain_numbers_is_compared(tmp_path) -> None:
    """Salaries by department with the departments shuffled kept every column's own
    distribution (KS and TVD 0) and the numeric correlations: only the rank η² of salary
    by department (0.8 real, about 0 shuffled) shows what was lost."""
    rng = np.random.default_rng(2)
    n = 2000
    dept = rng.choice(["a", "b", "c"], n)
    salary = np.array([{"a": 1.0, "b": 2.0, "c": 3.0}[d] for d in dept]) + rng.normal(0, 0.3, n)
    real = pa.table({"dept": dept, "salary": salary, "age": rng.normal(40, 9, n)})
    shuffled = real.set_column(0, "dept", pa.array(rng.permutation(dept)))
    same = compare(real, real)
    lost = compare(real, shuffled)
    assert same.category_error() == 0.0
    ((cat, num, eta_real, eta_lost), _) = lost.tables[0].category_dependence
    assert (cat, num) == ("dept", "salary")
    assert eta_real > 0.7 and eta_lost < 0.01
    assert lost.mean("KS") == 0.0 and lost.mean("TVD") == 0.0
    assert lost.summary()["category_error"] == pytest.approx((eta_real - eta_lost) / 2, abs=0.01)
    assert any("category–number error" in line for line in lost.lines())
    lost.write_html(tmp_path / "r.html")
    assert "Numbers by category" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_how_strongly_categories_go_together_is_compared() -> None:
    """A language that follows the country on 85 % of rows, against the same columns drawn
    apart: each column's shares match (TVD near 0) but Cramér's V of the pair falls from
    about 0.8 to about 0, which the category–category error shows."""
    rng = np.random.default_rng(3)
    n = 3000
    country = rng.choice(["DE", "FR", "US"], n)
    main = {"DE": "de", "FR": "fr", "US": "en"}
    lang = np.where(
        rng.random(n) < 0.85, [main[c] for c in country], rng.choice(["de", "fr", "en"], n)
    )
    real = pa.table({"country": country, "lang": lang})
    apart = real.set_column(1, "lang", pa.array(rng.permutation(lang)))
    same, lost = compare(real, real), compare(real, apart)
    assert same.association_error() == 0.0
    ((first, second, v_real, v_apart),) = lost.tables[0].category_association
    assert (first, second) == ("country", "lang")
    assert v_real > 0.7 and v_apart < 0.05
    assert lost.mean("TVD") < 0.01
    assert lost.summary()["association_error"] == pytest.approx(v_real - v_apart)
    assert any("category–category error" in line for line in lost.lines())


def test_categories_of_more_cells_than_rows_are_not_associated() -> None:
    """Two columns of 100 values on 2,000 rows (categories: each value repeats) make 10,000
    cells, fewer than one row each: independent columns scored Cramér's V near 0.2, and
    two such columns of 15,000 values on 400,000 rows took 23 s and 5 GB for their table.
    Such a pair is left out; the rest are kept."""
    rng = np.random.default_rng(2)
    n = 2000

    def table() -> pa.Table:
        return pa.table({
            "a": np.char.add("a", rng.integers(0, 100, n).astype(str)),
            "b": np.char.add("b", rng.integers(0, 100, n).astype(str)),
            "c": rng.choice(["x", "y", "z"], n),
        })  # fmt: skip

    pairs = compare(table(), table()).tables[0].category_association
    assert [p[:2] for p in pairs] == [("a", "c"), ("b", "c")]


def test_rank_eta2_of_a_category_with_nulls_ranks_its_rows_alone() -> None:
    """With NULL categories, η² is of the ranks among the rows that have both (taken from
    the column's tie groups, not a sort per pair): scipy's ranks of those rows give it."""
    from scipy.stats import rankdata

    rng = np.random.default_rng(4)
    n = 3000
    dept = rng.choice(["a", "b", "c"], n).astype(object)
    salary = np.round(rng.normal(50, 10, n) + (dept == "c") * 8, 0)
    dept[::6] = None
    real = pa.table({"dept": pa.array(dept.tolist()), "salary": salary})
    ((_, _, eta2, _),) = compare(real, real).tables[0].category_dependence
    rows = dept != None  # noqa: E711
    r, c = rankdata(salary[rows]), dept[rows]
    centre = (len(r) + 1) / 2
    between = sum((c == g).sum() * (r[c == g].mean() - centre) ** 2 for g in "abc")
    assert eta2 == pytest.approx(between / np.sum((r - centre) ** 2), rel=1e-12)
