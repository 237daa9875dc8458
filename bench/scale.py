"""100M rows in bounded memory: peak RSS per process, and orphan foreign keys, at two sizes.

    python bench/scale.py [--rows 10000000 100000000] [--backends workers dask]
                          [--workers 2] [--tmp /tmp] [--keep] [--no-results] [--json FILE]

For each total row count, `phony generate --schema bench/scale.yaml --layout dataset
--format parquet --workers 2 --scale X` runs as a subprocess into a fresh directory
under --tmp (X is chosen so the three entities add up to about the requested total;
bench/scale.yaml makes ~1.3M rows at scale 1). With `--backends dask` the same run is
also made with `--dask local:2` (one LocalCluster of 2 single-threaded worker processes).

While it runs, the whole process tree (found through /proc/<pid>/task/*/children) is
polled every --interval seconds (default 0.05): VmRSS and VmHWM from /proc/<pid>/status
for every process, and every --rollup-every polls also Pss and Private_* from
/proc/<pid>/smaps_rollup. A process's peak RSS is the larger of the highest VmRSS seen
and its last VmHWM (the kernel's own high-water mark, so a spike between two polls is not
missed). Roles: the `phony` process is the coordinator (it plans, then collects results
and writes the manifest; with Dask it also hosts the scheduler), its direct children are
the workers (multiprocessing's resource tracker, if any, is listed apart). RSS counts the
pages a forked worker shares copy-on-write with the coordinator; PSS splits shared pages
between the processes mapping them and USS (Private_Clean + Private_Dirty) counts only the
worker's own, so the three together show whether a worker's memory is its own.

Afterwards DuckDB reads every entity directory (`read_parquet('<dir>/*.parquet')`) and
counts rows per entity, orphan foreign keys by anti-join (orders → customers,
order_items → orders), NULL foreign keys and duplicate parent keys. The output size on
disk is summed, then the directory is deleted (unless --keep).

Targets (issue #9), checked per backend: peak RSS of every worker under 1 GB (10^9 bytes)
at every size, the largest size's worst worker peak within 10% of the smallest size's,
and 0 orphans. Prints a table; writes the section "100M rows in bounded memory" of
bench/RESULTS.md (unless --no-results). Needs duckdb (`pip install -e '.[dev]'` has it);
Linux only (/proc). Takes about 10 minutes on 2 cores at the default sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCHEMA = HERE / "scale.yaml"
ENTITIES = ["customers", "orders", "order_items"]
# (child, foreign key, parent, parent key)
FOREIGN_KEYS = [
    ("orders", "customer_id", "customers", "id"),
    ("order_items", "order_id", "orders", "id"),
]
GB = 10**9  # the target: under 1 GB per worker
RATIO_LIMIT = 1.10  # the largest run's worker peak within 10% of the smallest run's
MIB = 1024 * 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- /proc


def children(pid: int) -> list[int]:
    """Child processes of every thread of `pid` (empty once it is gone)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return found


def process_tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of `root` and all its descendants, breadth first."""
    tree = [(root, 0)]
    queue = [root]
    while queue:
        pid = queue.pop(0)
        for child in children(pid):
            tree.append((child, pid))
            queue.append(child)
    return tree


def read_kb_fields(path: str, names: tuple[str, ...]) -> dict[str, int] | None:
    """`Name:  123 kB` lines of a /proc file, in bytes (None if the process is gone)."""
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError:
        return None
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in names:
            out[key] = int(value.split()[0]) * 1024
    return out


def cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return " ".join(a.decode(errors="replace") for a in fh.read().split(b"\0") if a)
    except OSError:
        return ""


@dataclass
class ProcessPeak:
    pid: int
    ppid: int
    role: str
    command: str
    first_seen: float  # seconds since the run started
    last_seen: float = 0.0
    first_rss: int = 0  # bytes, at the first poll (for a forked worker: what it inherited)
    peak_rss: int = 0  # max(polled VmRSS, last VmHWM)
    peak_pss: int = 0
    peak_uss: int = 0
    cpu_s: float = 0.0
    polls: int = 0
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (s, VmRSS) every ~1 s


def role_of(pid: int, ppid: int, root: int, command: str, known: dict[int, ProcessPeak]) -> str:
    if pid == root:
        return "coordinator"
    if "resource_tracker" in command or "forkserver" in command:
        return "helper"
    if ppid == root:
        return "worker"
    parent = known.get(ppid)
    return f"child of {parent.role}" if parent else "other"


def watch(proc: subprocess.Popen[bytes], interval: float, rollup_every: int) -> list[ProcessPeak]:
    """Poll the tree of `proc` until it exits; the peak memory of every process seen."""
    started = time.perf_counter()
    seen: dict[int, ProcessPeak] = {}
    polls = 0
    next_mark = 0.0
    while proc.poll() is None:
        now = time.perf_counter() - started
        rollup = polls % rollup_every == 0
        mark = now >= next_mark
        if mark:
            next_mark = now + 1.0
        for pid, ppid in process_tree(proc.pid):
            status = read_kb_fields(f"/proc/{pid}/status", ("VmRSS", "VmHWM"))
            if not status or "VmRSS" not in status:
                continue  # gone, or a zombie
            p = seen.get(pid)
            new = p is None
            if p is None:
                command = command_line(pid)
                role = role_of(pid, ppid, proc.pid, command, seen)
                p = seen[pid] = ProcessPeak(
                    pid, ppid, role, command, now, first_rss=status["VmRSS"]
                )
            p.last_seen = now
            p.polls += 1
            p.peak_rss = max(p.peak_rss, status["VmRSS"], status.get("VmHWM", 0))
            if mark:
                p.timeline.append((round(now, 2), status["VmRSS"]))
            cpu = cpu_seconds(pid)
            if cpu is not None:
                p.cpu_s = cpu
            if rollup or new:
                smaps = read_kb_fields(
                    f"/proc/{pid}/smaps_rollup", ("Pss", "Private_Clean", "Private_Dirty")
                )
                if smaps:
                    p.peak_pss = max(p.peak_pss, smaps.get("Pss", 0))
                    uss = smaps.get("Private_Clean", 0) + smaps.get("Private_Dirty", 0)
                    p.peak_uss = max(p.peak_uss, uss)
        polls += 1
        time.sleep(interval)
    return sorted(seen.values(), key=lambda p: (p.role != "coordinator", p.role, p.first_seen))


# ---------------------------------------------------------------- one run


def phony_executable() -> str:
    beside = Path(sys.executable).parent / "phony"
    found = str(beside) if beside.exists() else shutil.which("phony")
    if not found:
        raise SystemExit("the `phony` command is not installed (pip install -e '.[dev]')")
    return found


def base_rows() -> int:
    """Rows of bench/scale.yaml at scale 1 (the per-parent counts are drawn, so it is
    measured, not computed); the total at scale X is X times this, give or take 0.1%."""
    import phony_pdl

    dataset = phony_pdl.load(SCHEMA).generate(scale=1)
    return sum(dataset.count(name) for name in dataset.entities)


def disk_usage(root: Path) -> tuple[int, int, int]:
    """(files, bytes of content, bytes allocated on disk) under `root`."""
    files = size = allocated = 0
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            files += 1
            size += st.st_size
            allocated += st.st_blocks * 512
    return files, size, allocated


def check_with_duckdb(out: Path) -> dict[str, Any]:
    """Rows per entity, orphan and NULL foreign keys, duplicate parent keys."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    for name in ENTITIES:
        glob = str(out / name / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{glob}')")
    rows = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in ENTITIES}
    orphans: dict[str, int] = {}
    nulls: dict[str, int] = {}
    for child, fk, parent, key in FOREIGN_KEYS:
        label = f"{child}.{fk} → {parent}.{key}"
        orphans[label] = con.execute(
            f"SELECT count(*) FROM {child} AS c ANTI JOIN {parent} AS p ON c.{fk} = p.{key}"
        ).fetchone()[0]
        nulls[label] = con.execute(f"SELECT count(*) FROM {child} WHERE {fk} IS NULL").fetchone()[0]
    duplicates = {
        f"{parent}.{key}": con.execute(
            f"SELECT count(*) - count(DISTINCT {key}) FROM {parent}"
        ).fetchone()[0]
        for _, _, parent, key in FOREIGN_KEYS
    }
    con.close()
    return {
        "duckdb": duckdb.__version__,
        "rows": rows,
        "orphans": orphans,
        "null_fks": nulls,
        "duplicate_keys": duplicates,
        "seconds": time.perf_counter() - started,
    }


def run_once(target: int, backend: str, args: argparse.Namespace, per_scale: int) -> dict[str, Any]:
    scale = target / per_scale
    out = Path(tempfile.mkdtemp(prefix=f"phony-scale-{backend}-{target}-", dir=args.tmp))
    parallel = ["--workers", str(args.workers)]
    if backend == "dask":
        parallel = ["--dask", f"local:{args.workers}"]
    command = [
        phony_executable(),
        "generate",
        "--schema",
        str(SCHEMA.relative_to(ROOT)),
        "--layout",
        "dataset",
        "--format",
        "parquet",
        *parallel,
        "--scale",
        f"{scale:.6f}",
        "--out",
        str(out),
    ]
    log = out.with_suffix(".log")
    print(f"$ {shlex.join(command)}", file=sys.stderr, flush=True)
    try:
        with open(log, "wb") as fh:
            started = time.perf_counter()
            proc = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
            processes = watch(proc, args.interval, args.rollup_every)
            wall = time.perf_counter() - started
        output = log.read_text(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"phony exited with {proc.returncode}:\n{output[-3000:]}")
        manifest = json.loads((out / "manifest.json").read_text())
        files, size, allocated = disk_usage(out)
        print(f"  generated in {wall:.1f} s; checking with DuckDB …", file=sys.stderr, flush=True)
        checks = check_with_duckdb(out)
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
            log.unlink(missing_ok=True)
    workers = [p for p in processes if p.role == "worker"]
    planned = min((p.first_seen for p in workers), default=wall)
    manifest_rows = {n: e["rows"] for n, e in manifest["entities"].items()}
    return {
        "target": target,
        "backend": backend,
        "command": shlex.join(["phony", *command[1:]]),  # run from the repository root
        "scale": scale,
        "wall_s": wall,
        "until_workers_s": planned,
        "rows": manifest_rows,
        "total_rows": sum(manifest_rows.values()),
        "parts": sum(len(e["parts"]) for e in manifest["entities"].values()),
        "files": files,
        "bytes": size,
        "allocated": allocated,
        "checks": checks,
        "processes": [p.__dict__ for p in processes],
        "summary": output.strip().splitlines()[-5:],
        "kept": str(out) if args.keep else None,
    }


# ---------------------------------------------------------------- report


def mib(n: int) -> str:
    return f"{n / MIB:,.0f}"


def worker_peaks(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in run["processes"] if p["role"] == "worker"]


def worst_worker(run: dict[str, Any]) -> int:
    return max((p["peak_rss"] for p in worker_peaks(run)), default=0)


def coordinator(run: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in run["processes"] if p["role"] == "coordinator")


def report(runs: list[dict[str, Any]], args: argparse.Namespace, argv: list[str]) -> list[str]:
    lines = ["## 100M rows in bounded memory (`bench/scale.py`)", ""]
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"load average (1 min) after the runs: {os.getloadavg()[0]:.1f}. "
        f"`{shlex.join(['python', 'bench/scale.py', *argv])}`: schema `bench/scale.yaml` "
        "(customers → orders (Poisson 3 per customer) → order_items (1–5 per order); "
        "names, cities, dates, datetimes, choices, decimals, a pattern, an expression), "
        "Parquet, one part per 65,536-row block, output in a fresh directory under "
        f"{args.tmp} (deleted afterwards)."
    )
    lines += ["", "Commands:", ""]
    lines += [f"    {r['command']}" for r in runs]
    lines += [
        "",
        "Peak memory per process, polled every "
        f"{args.interval * 1000:.0f} ms over the whole process tree (/proc: VmRSS, and the "
        "kernel's VmHWM so no spike between polls is missed; PSS and USS from smaps_rollup "
        f"every {args.rollup_every} polls). RSS counts pages a forked worker shares "
        "copy-on-write with the coordinator; USS counts only its own. MiB.",
        "",
        "| backend | rows | customers | orders | order_items | wall s | rows/s | "
        "until workers s | coordinator RSS | worker RSS (each) | worker RSS at start | "
        "worker PSS | worker USS | parts | Parquet MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---:|---:|",
    ]
    for r in runs:
        w = worker_peaks(r)
        c = coordinator(r)
        lines.append(
            f"| {r['backend']} | {r['total_rows']:,} | {r['rows']['customers']:,} | "
            f"{r['rows']['orders']:,} | {r['rows']['order_items']:,} | {r['wall_s']:.1f} | "
            f"{r['total_rows'] / r['wall_s']:,.0f} | {r['until_workers_s']:.1f} | "
            f"{mib(c['peak_rss'])} | {' / '.join(mib(p['peak_rss']) for p in w)} | "
            f"{' / '.join(mib(p['first_rss']) for p in w)} | "
            f"{' / '.join(mib(p['peak_pss']) for p in w)} | "
            f"{' / '.join(mib(p['peak_uss']) for p in w)} | {r['parts']:,} | "
            f"{r['bytes'] / 1e6:,.0f} |"
        )
    others = [
        f"{p['role']} {p['command'][:60]!r} {mib(p['peak_rss'])} MiB"
        for r in runs
        for p in r["processes"]
        if p["role"] not in ("worker", "coordinator") and p["peak_rss"]  # 0: seen mid-exec
    ]
    lines += [
        "",
        "“until workers s”: from starting `phony` to the first worker process appearing "
        "(Python start-up, imports and planning: the per-parent counts and their prefix sums); "
        "with Dask it includes starting the LocalCluster.",
    ]
    if others:
        lines.append("Other processes in the tree: " + "; ".join(sorted(set(others))) + ".")
    lines.append(
        "The plan's per-parent layouts keep one int64 offset per 65,536 customers and per "
        "65,536 orders (phony_pdl/engine/plan.py, Layout) and recompute the counts of the "
        "chunks a block needs, so no process holds an array as long as a table."
    )

    lines += [
        "",
        "DuckDB over the output (`read_parquet('<entity>/*.parquet')`):",
        "",
        "| backend | rows | orphans orders → customers | orphans order_items → orders | "
        "NULL FKs | duplicate parent keys | rows = manifest | check s |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in runs:
        ch = r["checks"]
        o = list(ch["orphans"].values())
        lines.append(
            f"| {r['backend']} | {sum(ch['rows'].values()):,} | {o[0]:,} | {o[1]:,} | "
            f"{sum(ch['null_fks'].values()):,} | {sum(ch['duplicate_keys'].values()):,} | "
            f"{'yes' if ch['rows'] == r['rows'] else 'NO'} | {ch['seconds']:.1f} |"
        )
    lines += ["", "Targets (issue #9):", ""]
    for backend in dict.fromkeys(r["backend"] for r in runs):
        mine = sorted((r for r in runs if r["backend"] == backend), key=lambda r: r["target"])
        worst = [(r, worst_worker(r)) for r in mine]
        under = all(w < GB for _, w in worst)
        peaks = [f"{mib(w)} MiB at {r['total_rows']:,} rows" for r, w in worst]
        lines.append(
            f"- {backend}: peak RSS of every worker under 1 GB: **{'met' if under else 'NOT met'}** "
            f"(worst: {'; '.join(peaks)})."
        )
        if len(mine) > 1:
            small, large = worst[0], worst[-1]
            ratio = large[1] / small[1] if small[1] else float("inf")
            per_worker = " / ".join(
                f"{b['peak_rss'] / a['peak_rss']:.2f}"
                for a, b in zip(worker_peaks(small[0]), worker_peaks(large[0]), strict=False)
            )
            lines.append(
                f"- {backend}: worst worker peak at {large[0]['total_rows']:,} rows / at "
                f"{small[0]['total_rows']:,} rows = {ratio:.2f} (each worker, by start order: "
                f"{per_worker}); within 10%: **{'met' if ratio <= RATIO_LIMIT else 'NOT met'}**."
            )
        orphans = sum(sum(r["checks"]["orphans"].values()) for r in mine)
        lines.append(
            f"- {backend}: 0 orphan foreign keys by DuckDB anti-join: "
            f"**{'met' if orphans == 0 else f'NOT met ({orphans:,})'}**."
        )
    return lines


def print_table(runs: list[dict[str, Any]]) -> None:
    head = f"{'backend':<8} {'rows':>12} {'wall s':>8} {'rows/s':>11} {'role':<12} {'pid':>7} "
    head += f"{'RSS MiB':>8} {'start':>6} {'PSS':>6} {'USS':>6} {'CPU s':>7}"
    print(head)
    for r in runs:
        rate = f"{r['total_rows'] / r['wall_s']:,.0f}"
        first = [r["backend"], f"{r['total_rows']:,}", f"{r['wall_s']:.1f}", rate]
        for i, p in enumerate(r["processes"]):
            b, n, w, s = first if i == 0 else ["", "", "", ""]
            print(
                f"{b:<8} {n:>12} {w:>8} {s:>11} "
                f"{p['role']:<12} {p['pid']:>7} {mib(p['peak_rss']):>8} {mib(p['first_rss']):>6} "
                f"{mib(p['peak_pss']):>6} {mib(p['peak_uss']):>6} {p['cpu_s']:>7.1f}"
            )
        ch = r["checks"]
        print(
            f"{'':<8} rows {ch['rows']}  orphans {ch['orphans']}  null FKs {ch['null_fks']}  "
            f"duplicate keys {ch['duplicate_keys']}  disk {r['bytes'] / 1e6:,.0f} MB "
            f"({r['allocated'] / 1e6:,.0f} MB allocated, {r['files']:,} files)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    ap.add_argument("--backends", nargs="+", choices=["workers", "dask"], default=["workers"])
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--tmp", type=Path, default=Path("/tmp"), help="where output directories go")
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between polls")
    ap.add_argument("--rollup-every", type=int, default=10, help="polls between smaps_rollup")
    ap.add_argument("--keep", action="store_true", help="keep the output directories")
    ap.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    args = ap.parse_args()
    if not Path("/proc/self/status").exists():
        raise SystemExit("bench/scale.py reads /proc: Linux only")
    args.tmp.mkdir(parents=True, exist_ok=True)
    if args.tmp.resolve().is_relative_to(ROOT):
        raise SystemExit(f"--tmp {args.tmp} is inside the repository; pick a directory outside it")

    per_scale = base_rows()
    runs = []
    for backend in args.backends:
        for target in sorted(args.rows):
            print(f"{backend}, ~{target:,} rows …", file=sys.stderr, flush=True)
            runs.append(run_once(target, backend, args, per_scale))
            if args.json:
                args.json.write_text(json.dumps(runs, indent=1, default=str))
    print_table(runs)
    lines = report(runs, args, sys.argv[1:])
    print()
    print("\n".join(lines))
    if not args.no_results:
        sys.path.insert(0, str(HERE))
        from results import replace_section

        replace_section("## 100M rows in bounded memory", lines)
        print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
