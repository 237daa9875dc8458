"""TPC-H at scale factor 1: Phony's dataset layout vs DuckDB's dbgen, run on demand (never in CI).

    python bench/tpch.py [--scale 1] [--workers 1,2] [--dask local:2] [--skip-duckdb]

Phony: examples/tpch.yaml → write_dataset (one Parquet part per 65,536-row block per
table, manifest.json), once per worker count, each in a fresh process so the figures do
not share caches; the manifests of all runs must be identical (same bytes for any worker
count). Reported: planning (the serial whole-table reductions: per-parent counts,
o_totalprice, o_orderstatus, l_linenumber), total wall time, rows/s and the 1→N scaling.

DuckDB: `CALL dbgen(sf=…)` then `COPY … TO '….parquet' (FORMAT parquet)` per table,
with threads=1 and threads=N. It needs duckdb 1.4.4 and the matching `duckdb-ext-tpch`
wheel, loaded by file path; they are set up in a separate virtualenv (default
/tmp/duck144) so the project's own duckdb is left alone:

    python -m venv /tmp/duck144 && /tmp/duck144/bin/pip install duckdb==1.4.4
    /tmp/duck144/bin/pip download --no-deps -d /tmp/tpchext 'duckdb-ext-tpch==1.4.4.*'

(the script does both when they are missing). Prints a markdown section; writes no
results file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMA = ROOT / "examples" / "tpch.yaml"
TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]


# ---------------------------------------------------------------- Phony


def phony_child(scale: float, workers: int, client: str | None, out: str) -> None:
    """One Phony run in this (child) process; prints a JSON line."""
    import phony_pdl
    from phony_pdl.distributed import connect, write_dataset
    from phony_pdl.distributed.dataset import planning_processes

    schema = phony_pdl.load(SCHEMA)
    with connect(client) if client else contextlib.nullcontext() as c:
        # Warm up imports (scipy.stats, pyarrow writers) here and, on Dask, on the workers;
        # a LocalCluster's start-up is not timed.
        with tempfile.TemporaryDirectory() as warm:
            write_dataset(schema.generate(scale=0.3, only=["region", "nation"]), warm, client=c)
        cpu_before = cpu_seconds(c)
        started = time.perf_counter()
        dataset = schema.generate(scale=scale)
        # planning runs on as many local processes as the parts, as write_dataset does; not
        # next to a running Dask cluster (forking a process with its threads is not safe)
        dataset.plan.workers = planning_processes(workers, None) if client is None else 1
        dataset.prepare()
        planned = time.perf_counter()
        report = write_dataset(dataset, out, workers=workers, client=c)
        finished = time.perf_counter()
        cpu = cpu_seconds(c) - cpu_before
    manifest = json.loads((Path(out) / "manifest.json").read_text())
    print(
        json.dumps(
            {
                "rows": report.rows,
                "tables": {n: e.rows for n, e in report.entities.items()},
                "parts": sum(len(e.parts) for e in report.entities.values()),
                "plan_s": planned - started,
                "total_s": finished - started,
                "cpu_s": cpu,
                "bytes": sum(p.stat().st_size for p in Path(out).rglob("*.parquet")),
                "entities": manifest["entities"],
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def _rusage_cpu(who: int = resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def cpu_seconds(client=None) -> float:
    """CPU time (user + sys) of this process, its reaped children (forked workers) and,
    on Dask, of every worker process."""
    total = _rusage_cpu() + _rusage_cpu(resource.RUSAGE_CHILDREN)
    if client is not None:
        total += sum(client.run(_rusage_cpu).values())
    return total


def run_phony(scale: float, workers: int, client: str | None, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", str(scale), str(workers), client or "", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"phony run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- DuckDB dbgen

DUCK_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb
    TABLES = json.loads(sys.argv[5])
    ext, sf, threads, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute(f"LOAD '{ext}'")
    import resource
    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    c0 = cpu()
    t0 = time.perf_counter()
    con.execute(f"CALL dbgen(sf={sf})")
    t1 = time.perf_counter()
    rows = {}
    for t in TABLES:
        con.execute(f"COPY {t} TO '{out}/{t}.parquet' (FORMAT parquet)")
        rows[t] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
    t2 = time.perf_counter()
    cpu_s = cpu() - c0
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(json.dumps({"version": duckdb.__version__, "dbgen_s": t1 - t0, "copy_s": t2 - t1,
                      "total_s": t2 - t0, "rows": sum(rows.values()), "tables": rows,
                      "bytes": size, "cpu_s": cpu_s}))
    """
)


def setup_duckdb(venv: Path, wheels: Path) -> tuple[Path, Path]:
    """duckdb 1.4.4 in its own virtualenv, and the path of tpch.duckdb_extension."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"setting up {venv} (duckdb==1.4.4) …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "duckdb==1.4.4"], check=True)
    found = sorted(wheels.glob("duckdb_ext_tpch-1.4.4*.whl"))
    if not found:
        print(f"downloading duckdb-ext-tpch==1.4.4.* into {wheels} …", file=sys.stderr)
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(python), "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels),
             "duckdb-ext-tpch==1.4.4.*"],
            check=True,
        )  # fmt: skip
        found = sorted(wheels.glob("duckdb_ext_tpch-1.4.4*.whl"))
    with zipfile.ZipFile(found[-1]) as whl:
        member = next(n for n in whl.namelist() if n.endswith("tpch.duckdb_extension"))
        target = wheels / "extracted" / member
        if not target.exists():
            whl.extract(member, wheels / "extracted")
    return python, target


def run_duckdb(python: Path, ext: Path, scale: float, threads: int, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    proc = subprocess.run(
        [
            str(python),
            "-c",
            DUCK_SCRIPT,
            str(ext),
            str(scale),
            str(threads),
            str(out),
            json.dumps(TABLES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip()[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", default="1,2", help="comma-separated local worker counts")
    ap.add_argument("--dask", default=None, help="also run on Dask, e.g. local:2")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "phony-bench-tpch")
    ap.add_argument("--duck-venv", type=Path, default=Path("/tmp/duck144"))
    ap.add_argument("--duck-wheels", type=Path, default=Path("/tmp/tpchext"))
    ap.add_argument("--skip-duckdb", action="store_true")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        scale, workers, client, out = args.child
        phony_child(float(scale), int(workers), client or None, out)
        return

    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    load_before = f"{os.getloadavg()[0]:.1f}"
    runs: list[tuple[str, dict]] = []
    for w in counts:
        print(f"phony, {w} worker(s) …", file=sys.stderr)
        runs.append(
            (
                f"Phony, {w} process{'es' if w > 1 else ''}",
                run_phony(args.scale, w, None, args.out / f"phony-w{w}"),
            )
        )
    if args.dask:
        print(f"phony on Dask {args.dask} …", file=sys.stderr)
        runs.append(
            (
                f"Phony on Dask {args.dask}",
                run_phony(args.scale, 1, args.dask, args.out / "phony-dask"),
            )
        )
    same = all(r["entities"] == runs[0][1]["entities"] for _, r in runs)

    duck: list[tuple[str, dict]] = []
    duck_error = None
    if not args.skip_duckdb:
        try:
            python, ext = setup_duckdb(args.duck_venv, args.duck_wheels)
            for t in sorted({1, max(counts)}):
                print(f"duckdb dbgen, threads={t} …", file=sys.stderr)
                duck.append(
                    (
                        f"DuckDB dbgen + COPY, threads={t}",
                        run_duckdb(python, ext, args.scale, t, args.out / f"duck-t{t}"),
                    )
                )
        except (subprocess.CalledProcessError, RuntimeError, StopIteration, OSError) as exc:
            duck_error = f"{type(exc).__name__}: {exc}"

    lines = [f"## TPC-H SF{args.scale:g}: Phony dataset layout vs DuckDB dbgen", ""]
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}. Output: Parquet (snappy)."
    )
    lines.append(
        f"Load average (1 min) before the runs: {load_before}, after: {os.getloadavg()[0]:.1f}; "
        "other processes on the machine make wall times and scaling unreliable, CPU seconds "
        "(user + sys of every process of the run) are steadier."
    )
    lines += [
        "",
        "| run | rows | plan s | total s | rows/s | CPU s | rows per CPU s | Parquet MB "
        "| peak RSS MB (client) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in runs:
        lines.append(
            f"| {name} | {r['rows']:,} | {r['plan_s']:.1f} | {r['total_s']:.1f} | "
            f"{r['rows'] / r['total_s']:,.0f} | {r['cpu_s']:.1f} | {r['rows'] / r['cpu_s']:,.0f} | "
            f"{r['bytes'] / 1e6:,.0f} | {r['peak_rss_mb']:,.0f} |"
        )
    for name, r in duck:
        lines.append(
            f"| {name} (duckdb {r['version']}) | {r['rows']:,} | {r['dbgen_s']:.1f} (dbgen) | "
            f"{r['total_s']:.1f} | {r['rows'] / r['total_s']:,.0f} | {r['cpu_s']:.1f} | "
            f"{r['rows'] / r['cpu_s']:,.0f} | {r['bytes'] / 1e6:,.0f} | – |"
        )
    lines.append("")
    if len(runs) > 1 and counts[0] == 1:
        base = runs[0][1]["total_s"]
        for name, r in runs[1:]:
            lines.append(
                f"- Scaling 1 → {name}: {base / r['total_s']:.2f}× (wall time, planning included)."
            )
        plan = runs[0][1]["plan_s"]
        lines.append(
            f"- Planning (per-parent counts, aggregates, windows; in the client, its block "
            f"passes on the local worker processes) takes {plan:.1f} s of {base:.1f} s with "
            "1 process."
        )
    lines.append(
        f"- Byte-identical manifests (every part's SHA-256) across the Phony runs: {'yes' if same else 'NO'}."
    )
    first = runs[0][1]["tables"]
    lines.append("- Phony rows: " + ", ".join(f"{t} {first.get(t, 0):,}" for t in TABLES) + ".")
    if duck:
        d = duck[0][1]["tables"]
        lines.append("- dbgen rows: " + ", ".join(f"{t} {d.get(t, 0):,}" for t in TABLES) + ".")
        phony_by_w = dict(zip(counts, (r for _, r in runs), strict=False))
        duck_by_t = dict(zip(sorted({1, max(counts)}), (r for _, r in duck), strict=False))
        for n, dr in duck_by_t.items():
            if n in phony_by_w:
                mine = phony_by_w[n]
                ratio = (mine["rows"] / mine["total_s"]) / (dr["rows"] / dr["total_s"])
                lines.append(
                    f"- Phony with {n} process{'es' if n > 1 else ''} vs DuckDB threads={n}: "
                    f"rows/s ratio {ratio:.2f}."
                )
        lines.append(
            "- DuckDB's dbgen is C++ (TPC-H's own generator); Phony evaluates a general PDL "
            "schema (patterns, expressions, aggregates, windows) with numpy/pyarrow."
        )
    elif duck_error:
        lines.append(f"- DuckDB dbgen could not run: {duck_error}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
