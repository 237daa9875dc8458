"""Long event paths: few parents with very many events each, spread over many blocks.

python bench/long_paths.py [--steps 100000] [--readings 2000000] [--case timeline|series]
Each case runs in its own process (one worker) and writes Parquet to a temporary
directory; the time includes planning (every path is run once to learn its length) and
writing. CPU seconds are given beside wall seconds: on a shared host they vary less.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timeline(parents: int, steps: int) -> dict:
    """A cyclic machine: practically every path runs to max_steps."""
    return {
        "pdl": 1,
        "name": "long_timeline",
        "entities": {
            "sessions": {
                "count": parents,
                "fields": {
                    "id": {"sequence": 1},
                    "opened": {"type": "datetime", "between": ["2024-01-01", "2024-02-01"]},
                },
            },
            "events": {
                "timeline": {
                    "for": "sessions",
                    "start": "sessions.opened",
                    "initial": "idle",
                    "max_steps": steps,
                    "states": {
                        "idle": {
                            "next": {"busy": 0.7, "away": 0.3},
                            "after": {"distribution": "exponential", "mean": "5m"},
                        },
                        "busy": {
                            "next": {"idle": 0.8, "away": 0.2},
                            "after": {"min": "1s", "max": "2m"},
                        },
                        # a way out, taken about once in 40 million steps
                        "away": {"next": {"idle": 0.9999999, "closed": 1e-7}, "after": "30s"},
                        "closed": {"after": "1s"},
                    },
                },
                "fields": {
                    "session_id": {"ref": "sessions.id"},
                    "state": {"timeline": "state"},
                    "at": {"timeline": "time"},
                    "k": {"timeline": "step"},
                },
            },
        },
    }


def series(readings: int) -> dict:
    """One sensor, a Poisson process of mean gap 1 minute over `readings` minutes."""
    return {
        "pdl": 1,
        "name": "long_series",
        "entities": {
            "sensors": {"count": 1, "fields": {"id": {"sequence": 1}}},
            "readings": {
                "series": {
                    "for": "sensors",
                    "start": "2020-01-01",
                    "end": _end(readings),
                    "poisson": "1m",
                    "max_events": readings * 2,
                },
                "fields": {
                    "sensor_id": {"ref": "sensors.id"},
                    "at": {"series": "time"},
                    "temp": {"series": "value", "model": "ar1", "mean": 20, "sd": 0.5, "phi": 0.9},
                    "level": {"series": "value", "model": "random_walk", "start": 0, "sd": 1},
                },
            },
        },
    }


def _end(minutes: int) -> str:
    import datetime as dt

    return (dt.datetime(2020, 1, 1) + dt.timedelta(minutes=minutes)).isoformat()


def child(case: str, size: int, parents: int) -> None:
    import phony_pdl

    spec = timeline(parents, size) if case == "timeline" else series(size)
    schema = phony_pdl.load(spec)
    with tempfile.TemporaryDirectory() as out:
        started, cpu = time.perf_counter(), time.process_time()
        report = schema.generate().write(out, format="parquet")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = report.entities["events" if case == "timeline" else "readings"].rows
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "rows": rows, "seconds": seconds, "cpu": cpu, "rss_mb": rss}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--parents", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--readings", type=int, default=2_000_000)
    parser.add_argument("--case", choices=["timeline", "series"], action="append")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size, args.parents)
        return
    for case in args.case or ["timeline", "series"]:
        size = args.steps if case == "timeline" else args.readings
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, "--size", str(size),
             "--parents", str(args.parents)],
            capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        rate, cpu_rate = (result["rows"] / result[k] for k in ("seconds", "cpu"))
        print(
            f"{case}: {result['rows']:,} rows in {result['seconds']:.1f} s = {rate:,.0f} rows/s "
            f"({result['cpu']:.1f} CPU s = {cpu_rate:,.0f} rows per CPU s), "
            f"peak RSS {result['rss_mb']:,.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
