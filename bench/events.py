"""Events benchmark: a timeline over 1M parents and an aggregate over a 10M-row child table.

python bench/events.py [--parents 1000000] [--children 10000000]
Each case runs in its own process (peak RSS is its own); appends to bench/RESULTS.md.
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

TIMELINE = {
    "pdl": 1,
    "name": "orders_timeline",
    "entities": {
        "orders": {
            "count": 1,
            "fields": {"id": {"sequence": 1}, "placed_at": {"type": "datetime"}},
        },
        "events": {
            "timeline": {
                "for": "orders",
                "start": "orders.placed_at",
                "initial": "created",
                "states": {
                    "created": {"next": {"paid": 0.92, "cancelled": 0.08}},
                    "paid": {
                        "next": {"shipped": 0.97, "refunded": 0.03},
                        "after": {"distribution": "exponential", "mean": "2h"},
                    },
                    "shipped": {
                        "next": {"delivered": 1},
                        "after": {"distribution": "lognormal", "median": "1d", "sigma": 0.6},
                    },
                    "delivered": {
                        "after": {"distribution": "lognormal", "median": "3d", "sigma": 0.4}
                    },
                    "cancelled": {"after": {"distribution": "exponential", "mean": "1h"}},
                    "refunded": {"after": {"distribution": "exponential", "mean": "5d"}},
                },
            },
            "fields": {
                "order_id": {"ref": "orders.id"},
                "state": {"timeline": "state"},
                "at": {"timeline": "time"},
            },
        },
    },
}

AGGREGATE = {
    "pdl": 1,
    "name": "orders_aggregate",
    "entities": {
        "orders": {
            "count": 1,
            "fields": {
                "id": {"sequence": 1},
                "total": {"aggregate": "sum(items.amount)"},
                "n_items": {"aggregate": "count(items)"},
            },
        },
        "items": {
            "count": {"per": "orders", "const": 10},
            "fields": {
                "order_id": {"ref": "orders.id"},
                "amount": {"type": "decimal(10,2)", "min": 1, "max": 200},
            },
        },
    },
}


def child(case: str, size: int) -> None:
    import phony_pdl

    spec = json.loads(json.dumps(TIMELINE if case == "timeline" else AGGREGATE))
    parents = size if case == "timeline" else size // 10
    spec["entities"]["orders"]["count"] = parents
    schema = phony_pdl.load(spec)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        dataset = schema.generate()
        report = dataset.write(out, format="parquet")
        seconds = time.perf_counter() - started
    rows = report.entities["events" if case == "timeline" else "items"].rows
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"case": case, "parents": parents, "rows": rows, "seconds": seconds, "rss_mb": rss}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--parents", type=int, default=1_000_000)
    parser.add_argument("--children", type=int, default=10_000_000)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size)
        return
    results = []
    for case, size in (("timeline", args.parents), ("aggregate", args.children)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, "--size", str(size)],
            capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(result, flush=True)
        results.append(result)
    t, a = results
    lines = [
        "",
        "## Events and aggregates",
        "",
        "| case | parents | rows | seconds | rows/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
        f"| timeline (order lifecycle, 6 states) → Parquet | {t['parents']:,} | {t['rows']:,} events | "
        f"{t['seconds']:.1f} | {t['rows'] / t['seconds']:,.0f} events/s | {t['rss_mb']:,.0f} |",
        f"| sum + count over a child table → Parquet | {a['parents']:,} | {a['rows']:,} children | "
        f"{a['seconds']:.1f} | {a['rows'] / a['seconds']:,.0f} child rows/s | {a['rss_mb']:,.0f} |",
        "",
        "Times include planning (timeline lengths, the aggregate pass over all children) and writing "
        "both entities.",
    ]
    from results import replace_section

    replace_section("## Events", lines)


if __name__ == "__main__":
    main()
