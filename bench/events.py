"""Events benchmark: a timeline over 1M parents, an aggregate over a 10M-row child table,
and long realistic paths over 200k parents (subscriptions renewing by calendar month or
every 30 days up to an as-of end, support tickets looping on a business calendar, with
aggregates over the events on the parent).

python bench/events.py [--parents 1000000] [--children 10000000] [--long 200000]
    [--cases timeline,aggregate,subscriptions_months,...]
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


def subscriptions(renewal: dict, yearly: str) -> dict:
    """Trial, a 14-day first payment, then renewals (95% each) or a yearly plan, cut at an
    as-of date: about 12 events per customer, up to 60."""
    return {
        "pdl": 1,
        "name": "subscriptions",
        "entities": {
            "customers": {
                "count": 1,
                "fields": {
                    "id": {"sequence": 1},
                    "signed_up": {"type": "datetime", "between": ["2022-01-01", "2024-12-31"]},
                    "plan": {"choice": {"monthly": 80, "yearly": 20}},
                    "status": {"aggregate": "last(subscription_events.state)"},
                    "renewals": {
                        "aggregate": "count(*) FILTER (WHERE subscription_events.state = 'renewed')"
                    },
                },
            },
            "subscription_events": {
                "timeline": {
                    "for": "customers",
                    "start": "customers.signed_up",
                    "end": "2025-12-31",
                    "initial": "trial",
                    "max_steps": 60,
                    "states": {
                        "trial": {"next": {"paid": 0.85, "end": 0.15}},
                        "paid": {
                            "next": {
                                "renewed": "CASE WHEN plan = 'monthly' THEN 0.95 ELSE 0 END",
                                "yearly": "CASE WHEN plan = 'yearly' THEN 0.9 ELSE 0 END",
                                "end": "CASE WHEN plan = 'monthly' THEN 0.05 ELSE 0.1 END",
                            },
                            "after": "14d",
                        },
                        "renewed": {"next": {"renewed": 0.95, "end": 0.05}, **renewal},
                        "yearly": {"next": {"yearly": 0.9, "end": 0.1}, "after": yearly},
                    },
                },
                "fields": {
                    "customer_id": {"ref": "customers.id"},
                    "state": {"timeline": "state"},
                    "at": {"timeline": "time"},
                },
            },
        },
    }


def tickets() -> dict:
    """Opened, answered, waiting on the customer, opened again … until closed, on a
    Monday-Friday 9-17 calendar counting open hours, cut at the year's end: about 10
    events per ticket, up to 80."""
    states = {
        "opened": {"next": {"answered": 0.95, "closed": 0.05}},
        "answered": {
            "next": {"waiting": 0.85, "closed": 0.15},
            "after": {"distribution": "exponential", "mean": "4h"},
        },
        "waiting": {
            "next": {"opened": 0.9, "closed": 0.1},
            "after": {"distribution": "lognormal", "median": "1d", "sigma": 0.8},
        },
        "closed": {"after": {"min": "1h", "max": "16h"}},
    }
    return {
        "pdl": 1,
        "name": "tickets",
        "entities": {
            "tickets": {
                "count": 1,
                "fields": {
                    "id": {"sequence": 1},
                    "opened_at": {"type": "datetime", "between": ["2024-01-01", "2024-12-31"]},
                    "status": {"aggregate": "last(ticket_events.state)"},
                    "replies": {
                        "aggregate": "count(*) FILTER (WHERE ticket_events.state = 'answered')"
                    },
                },
            },
            "ticket_events": {
                "timeline": {
                    "for": "tickets",
                    "start": "tickets.opened_at",
                    "end": "2024-12-31",
                    "initial": "opened",
                    "max_steps": 80,
                    "calendar": {"weekdays": True, "hours": [9, 17], "gaps": "business"},
                    "states": states,
                },
                "fields": {
                    "ticket_id": {"ref": "tickets.id"},
                    "state": {"timeline": "state"},
                    "at": {"timeline": "time"},
                    "step": {"timeline": "step"},
                },
            },
        },
    }


def invoices() -> dict:
    """A monthly invoice series (calendar months, 2-day jitter, 6% churn) to an as-of date."""
    return {
        "pdl": 1,
        "name": "invoices",
        "entities": {
            "subscribers": {
                "count": 1,
                "fields": {
                    "id": {"sequence": 1},
                    "joined_on": {"type": "date", "between": ["2022-01-01", "2024-12-31"]},
                    "invoices": {"aggregate": "count(invoices)"},
                },
            },
            "invoices": {
                "series": {
                    "for": "subscribers",
                    "start": "subscribers.joined_on",
                    "end": "2025-12-31",
                    "every": "1 month",
                    "jitter": "2d",
                    "churn": 0.06,
                    "max_events": 48,
                },
                "fields": {
                    "subscriber_id": {"ref": "subscribers.id"},
                    "at": {"series": "time"},
                    "n": {"series": "step"},
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


# case -> (schema, parent entity, rows counted, label, what a row is)
CASES = {
    "timeline": (
        lambda: TIMELINE, "orders", "events", "timeline (order lifecycle, 6 states)", "events"
    ),
    "aggregate": (
        lambda: AGGREGATE, "orders", "items", "sum + count over a child table", "child rows"
    ),
    "subscriptions_months": (
        lambda: subscriptions({"after": "1 month", "delay": {"min": "0h", "max": "3d"}}, "P1Y"),
        "customers", "subscription_events",
        "subscriptions: 1 month renewals (+0-3d), end, last(state), count FILTER", "events",
    ),
    "subscriptions_30d": (
        lambda: subscriptions({"after": {"min": "30d", "max": "33d"}}, "365d"),
        "customers", "subscription_events",
        "subscriptions: 30-33d renewals, end, last(state), count FILTER", "events",
    ),
    "tickets_business": (
        tickets, "tickets", "ticket_events",
        "tickets: 4 states looping, business calendar (gaps: business), end, aggregates",
        "events",
    ),
    "invoices_series": (
        invoices, "subscribers", "invoices",
        "series: every 1 month, jitter 2d, churn 6%, end, count", "events",
    ),
}  # fmt: skip


def child(case: str, size: int) -> None:
    import phony_pdl

    build, parent, counted, _, _ = CASES[case]
    spec = json.loads(json.dumps(build()))
    parents = size // 10 if case == "aggregate" else size
    spec["entities"][parent]["count"] = parents
    schema = phony_pdl.load(spec)
    with tempfile.TemporaryDirectory() as out:
        started, cpu = time.perf_counter(), time.process_time()
        dataset = schema.generate()
        report = dataset.write(out, format="parquet")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = report.entities[counted].rows
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "case": case,
                "parents": parents,
                "rows": rows,
                "seconds": seconds,
                "cpu": cpu,
                "rss_mb": rss,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--parents", type=int, default=1_000_000)
    parser.add_argument("--children", type=int, default=10_000_000)
    parser.add_argument("--long", type=int, default=200_000, help="parents of the long paths")
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size)
        return
    sizes = {"timeline": args.parents, "aggregate": args.children}
    rows = []
    for case in args.cases.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, "--size", str(sizes.get(case, args.long))],
            capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(r, flush=True)
        _, _, _, label, unit = CASES[case]
        rows.append(
            f"| {label} → Parquet | {r['parents']:,} | {r['rows']:,} {unit} | {r['seconds']:.1f} "
            f"| {r['cpu']:.1f} | {r['rows'] / r['seconds']:,.0f} {unit}/s | {r['rss_mb']:,.0f} |"
        )
    lines = [
        "",
        "## Events and aggregates",
        "",
        "| case | parents | rows | seconds | CPU s | rows/s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Times include planning (timeline lengths, the aggregate pass over all children) and writing "
        "both entities. CPU s is the process's CPU time: on a shared host it varies less than the "
        "wall seconds (rows/s is per wall second).",
    ]
    from results import replace_section

    replace_section("## Events", lines)


if __name__ == "__main__":
    main()
