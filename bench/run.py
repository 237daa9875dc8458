"""Phony benchmarks, run on demand (never in CI): python bench/run.py [--quick]

Each case runs in its own process so its peak RSS is its own. Faker and Mimesis build
the same 8 user fields as Python dicts (their best case) in the same run, and the
report gives Phony's ratio to each. Results go to bench/RESULTS.md.

Needs: pip install -e '.[bench]'
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(case: str, rows: int) -> None:
    """Runs one case in this (child) process and prints a JSON line."""
    started, cpu_started = time.perf_counter(), time.process_time()
    if case.startswith("phony:"):
        _, schema_path, fmt, workers = case.split(":")
        import phony_pdl

        schema = phony_pdl.load(ROOT / schema_path)
        entities = schema.entities
        base = sum(e.count for e in entities.values() if isinstance(e.count, int))
        scale = rows / base if rows else 1.0
        with tempfile.TemporaryDirectory() as out:
            # Warm up imports (scipy.stats, pyarrow writers) so the figure is steady-state speed.
            schema.generate(scale=min(scale, 0.001)).write(Path(out) / "warm", format=fmt)
            started, cpu_started = time.perf_counter(), time.process_time()
            report = schema.generate(scale=scale).write(out, format=fmt, workers=int(workers))
            made = report.rows
    elif case == "faker":
        from faker import Faker

        fake = Faker("en_US")
        Faker.seed(1)
        started, cpu_started = time.perf_counter(), time.process_time()
        data = [
            {
                "id": i,
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
                "email": fake.email(),
                "phone": fake.phone_number(),
                "city": fake.city(),
                "country": fake.country_code(),
                "birth_date": fake.date_of_birth(),
            }
            for i in range(rows)
        ]
        made = len(data)
    elif case == "mimesis":
        from mimesis import Address, Datetime, Locale, Person

        person, address, when = (
            Person(Locale.EN, seed=1),
            Address(Locale.EN, seed=1),
            Datetime(seed=1),
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        data = [
            {
                "id": i,
                "first_name": person.first_name(),
                "last_name": person.last_name(),
                "email": person.email(),
                "phone": person.telephone(),
                "city": address.city(),
                "country": address.country_code(),
                "birth_date": when.date(start=1950, end=2006),
            }
            for i in range(rows)
        ]
        made = len(data)
    else:
        raise SystemExit(f"unknown case {case}")
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started  # every thread of this process
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"case": case, "rows": made, "seconds": seconds, "cpu": cpu, "rss_mb": rss_mb})
    )


REPEATS = 3  # fresh processes per case; the fastest counts, for every tool alike


def run(case: str, rows: int) -> dict:
    """The fastest of REPEATS fresh child processes (a shared host's noise only slows)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = []
    for _ in range(REPEATS):
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, "--rows", str(rows)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    result = min(runs, key=lambda r: r["seconds"])
    result["all_seconds"] = [round(r["seconds"], 3) for r in runs]
    result["rows_per_s"] = result["rows"] / result["seconds"]
    print(f"{case:<45} {result['rows']:>11,} rows {result['seconds']:8.2f}s "
          f"{result['rows_per_s']:>13,.0f} rows/s {result['rss_mb']:8.0f} MB", flush=True)  # fmt: skip
    return result


def main() -> None:
    global REPEATS
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, no 10M-row case")
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="processes per case; the fastest counts"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    REPEATS = max(1, args.repeats)
    q = args.quick
    core_rows = 200_000 if q else 1_000_000
    users_rows = 200_000 if q else 1_000_000
    results = {
        "core_parquet": run("phony:bench/core.yaml:parquet:1", core_rows),
        "core_csv": run("phony:bench/core.yaml:csv:1", core_rows),
        "core_parquet_2w": run("phony:bench/core.yaml:parquet:2", core_rows),
        "fk_parquet": run("phony:bench/fk.yaml:parquet:1", 0),
        "users_parquet": run("phony:examples/users.yaml:parquet:1", users_rows),
        "faker": run("faker", 5_000 if q else 20_000),
        "mimesis": run("mimesis", 20_000 if q else 100_000),
    }
    if not q:
        results["core_10m_parquet"] = run("phony:bench/core.yaml:parquet:1", 10_000_000)
    write_results(results, q)


def write_results(r: dict, quick: bool) -> None:
    def row(label: str, key: str) -> str:
        x = r[key]
        return (
            f"| {label} | {x['rows']:,} | {x['seconds']:.2f} | {x['cpu']:.2f} | "
            f"{x['rows_per_s']:,.0f} | {x['rows'] / x['cpu']:,.0f} | {x['rss_mb']:,.0f} |"
        )

    users = r["users_parquet"]["rows_per_s"]
    users_cpu = r["users_parquet"]["rows"] / r["users_parquet"]["cpu"]
    lines = [
        "## Generation speed, and Faker and Mimesis on the same fields",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}; "
        f"{'quick run' if quick else 'full run'} of `python bench/run.py`. One process per case; "
        "rows/s include writing the files; CPU s is the process's CPU time over all its threads "
        "(Phony encodes and writes files on a second thread while it generates the next blocks; "
        "the 2-worker case counts only the parent, not its forked workers); "
        "RSS is the peak of that process. Each case ran in "
        f"{REPEATS} fresh processes and the fastest counts, the same for Faker and Mimesis "
        "(all times: "
        + "; ".join(f"{k} {r[k]['all_seconds']}" for k in ("users_parquet", "faker", "mimesis"))
        + " s).",
        "",
        "| case | rows | seconds | CPU s | rows/s | rows per CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row("core table (8 columns) → Parquet, 1 process", "core_parquet"),
        row("core table → CSV, 1 process", "core_csv"),
        row("core table → Parquet, 2 workers", "core_parquet_2w"),
        row("FK schema (customers → orders → items) → Parquet", "fk_parquet"),
        row("users (8 fields, examples/users.yaml) → Parquet", "users_parquet"),
        row("Faker, same 8 user fields as dicts", "faker"),
        row("Mimesis, same 8 user fields as dicts", "mimesis"),
    ]
    if "core_10m_parquet" in r:
        lines.append(row("core table, 10M rows → Parquet", "core_10m_parquet"))
    lines += [
        "",
        f"Phony users vs Faker: **{users / r['faker']['rows_per_s']:,.0f}×**; "
        f"vs Mimesis: **{users / r['mimesis']['rows_per_s']:,.0f}×** (Phony also writes Parquet; "
        "the others only build dicts in memory). Per CPU second (one core's work): "
        f"{users_cpu / (r['faker']['rows'] / r['faker']['cpu']):,.0f}× Faker, "
        f"{users_cpu / (r['mimesis']['rows'] / r['mimesis']['cpu']):,.0f}× Mimesis.",
        "",
        "Core table columns: sequence, int range, normal, decimal(10,2), weighted choice, datetime "
        "range, pattern, template, decimal expr (bench/core.yaml).",
    ]
    from results import replace_section

    replace_section("## Generation", lines)
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
