"""Long, realistic timeline paths pinned to their bytes: subscriptions renewing by
calendar month or every 30 days up to an as-of `end`, support tickets looping through a
business calendar; a monthly invoice series. The hashes were taken with the walk as it was
before it was reworked for speed; the walk may change how it computes, never what it
writes (any block size, any worker count)."""

from __future__ import annotations

from pathlib import Path

import pytest

import phony_pdl

SUBSCRIPTIONS = """pdl: 1
name: subs
entities:
  customers:
    count: {count}
    fields:
      id:        {{ sequence: 1 }}
      signed_up: {{ type: datetime, between: [2022-01-01, 2024-12-31] }}
      plan:      {{ choice: {{ monthly: 80, yearly: 20 }} }}
      status:    {{ aggregate: "last(subscription_events.state)" }}
      renewals:  {{ aggregate: "count(*) FILTER (WHERE subscription_events.state = 'renewed')" }}
  subscription_events:
    timeline:
      for: customers
      start: customers.signed_up
      end: 2025-12-31
      initial: trial
      max_steps: 60
      states:
        trial:   {{ next: {{ paid: 0.85, end: 0.15 }} }}
        paid:    {{ next: {{ renewed: "CASE WHEN plan = 'monthly' THEN 0.95 ELSE 0 END", yearly: "CASE WHEN plan = 'yearly' THEN 0.9 ELSE 0 END", end: "CASE WHEN plan = 'monthly' THEN 0.05 ELSE 0.1 END" }}, after: 14d }}
        renewed: {{ next: {{ renewed: 0.95, end: 0.05 }}, after: {renewal} }}
        yearly:  {{ next: {{ yearly: 0.9, end: 0.1 }}, after: {yearly} }}
    fields:
      customer_id: {{ ref: customers.id }}
      state:       {{ timeline: state }}
      at:          {{ timeline: time }}
"""

TICKETS = """pdl: 1
name: tickets
entities:
  tickets:
    count: {count}
    fields:
      id:        {{ sequence: 1 }}
      opened_at: {{ type: datetime, between: [2024-01-01, 2024-12-31] }}
      status:    {{ aggregate: "last(ticket_events.state)" }}
      replies:   {{ aggregate: "count(*) FILTER (WHERE ticket_events.state = 'answered')" }}
  ticket_events:
    timeline:
      for: tickets
      start: tickets.opened_at
      end: 2024-12-31
      initial: opened
      max_steps: 80
      calendar: {{ weekdays: true, hours: [9, 17]{gaps} }}
      states:
        opened:   {{ next: {{ answered: 0.95, closed: 0.05 }} }}
        answered: {{ next: {{ waiting: 0.85, closed: 0.15 }}, after: {{ distribution: exponential, mean: 4h }} }}
        waiting:  {{ next: {{ opened: 0.9, closed: 0.1 }}, after: {{ distribution: lognormal, median: 1d, sigma: 0.8 }} }}
        closed:   {{ after: {{ min: 1h, max: 16h }} }}
    fields:
      ticket_id: {{ ref: tickets.id }}
      state:     {{ timeline: state }}
      at:        {{ timeline: time }}
      step:      {{ timeline: step }}
"""

INVOICES = """pdl: 1
name: invoices
entities:
  subscribers:
    count: 3000
    fields:
      id:        { sequence: 1 }
      joined_on: { type: datetime, between: [2022-01-01, 2024-12-31] }
      invoices:  { aggregate: "count(invoices)" }
  invoices:
    series:
      for: subscribers
      start: subscribers.joined_on
      end: 2025-12-31
      every: 1 month
      jitter: 2d
      churn: 0.06
      max_events: 48
    fields:
      subscriber_id: { ref: subscribers.id }
      at:            { series: time }
      n:             { series: step }
"""

MONTHS = {"renewal": "1 month, delay: { min: 0h, max: 3d }", "yearly": "P1Y"}
DAYS = {"renewal": "{ min: 30d, max: 33d }", "yearly": "365d"}

# name -> (source, events entity, {entity: sha256 of its CSV})
CASES = {
    "subscriptions-months": (
        SUBSCRIPTIONS.format(count=3000, **MONTHS),
        "subscription_events",
        {
            "customers": "01c797f7b2dcb071e216400a9ac6705f777956bb7d8e5579bd109b1349563148",
            "subscription_events": "fc1875ae88de54e317c4433efc64aefa52327990277c1369d00b96dc8a4cbc31",
        },
    ),
    "subscriptions-30d": (
        SUBSCRIPTIONS.format(count=3000, **DAYS),
        "subscription_events",
        {
            "customers": "3d463102502ed32309c54b7ef987210b2ac50c6e35607a25cd4656e8ee61c9ae",
            "subscription_events": "d712566f05c127b664651f74222f5ad2c02df37dce70a04fa67fd6a98f7ee3b8",
        },
    ),
    "tickets-business": (
        TICKETS.format(count=3000, gaps=", gaps: business"),
        "ticket_events",
        {
            "tickets": "fe84eb4f967c71803486522966998e2983b6bc2e8cff882ef6aaeba7a7bc3bcb",
            "ticket_events": "4512b4526f6de93ec2323e33c07c88ff12ede587feb6658f72a201503160d316",
        },
    ),
    "tickets-clock": (
        TICKETS.format(count=3000, gaps=""),
        "ticket_events",
        {
            "tickets": "576ddf8fcf56f02cecf41b0c0a5b4f09671f232f946412c0b69c37635eb000ef",
            "ticket_events": "b9013d1b2754014651751e0358ad6f29300a463de294110f8eb09023cb3a8bbc",
        },
    ),
    # few parents (each step tabled as a map), long enough to resume from checkpoints
    "subscriptions-months-few": (
        SUBSCRIPTIONS.format(count=40, **MONTHS)
        .replace("0.95, end: 0.05", "0.995, end: 0.005")
        .replace("max_steps: 60", "max_steps: 700")
        .replace("2025-12-31", "2060-12-31"),
        "subscription_events",
        {
            "customers": "7d6a60eba08e3c624a8087dbeeac2de0503690e144d5da86f9b216c3ec893bd8",
            "subscription_events": "d14f4c02cbd18eda0e88712605b966a5b2a3632ffb4240d518f352a736c7524e",
        },
    ),
    "tickets-business-few": (
        TICKETS.format(count=40, gaps=", gaps: business")
        .replace("max_steps: 80", "max_steps: 900")
        .replace("waiting: 0.85, closed: 0.15", "waiting: 0.998, closed: 0.002")
        .replace("opened: 0.9, closed: 0.1", "opened: 0.998, closed: 0.002")
        .replace("answered: 0.95, closed: 0.05", "answered: 0.998, closed: 0.002")
        .replace("2024-12-31]", "2024-01-31]")
        .replace("end: 2024-12-31", "end: 2030-12-31"),
        "ticket_events",
        {
            "tickets": "26c5f0bbea147c0fed8e1aed2372ee8ed05906d583c1aebdcbeb76ba4561d3c7",
            "ticket_events": "4171191f67f97d642ad36639511ba14d7621a88a9d721aa6ce1e2dfcca61545e",
        },
    ),
    # without `end`: the lengths follow from the states alone
    "tickets-clock-no-end": (
        TICKETS.format(count=3000, gaps="").replace("      end: 2024-12-31\n", ""),
        "ticket_events",
        {
            "tickets": "4271971502150f2ef37ca7611d50657133990130505a7c38ebe52b2fc6ca71ee",
            "ticket_events": "4da474888b53890d5b2dd213fcfeccc85d5fab8d0ba6d5433d0258458f7e9825",
        },
    ),
    # a series stepping calendar months (add_months)
    "invoices-series-months": (
        INVOICES,
        "invoices",
        {
            "subscribers": "2bc783f399382d615b2a4fb96c2fca02f1864741a7d2f43e758541e440ee8d61",
            "invoices": "5aebcc14e9755928de9d77d686215ef31423afeba6a28269caa9f65eb08b6abc",
        },
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_long_paths_keep_their_bytes(name: str, tmp_path: Path) -> None:
    source, events, pinned = CASES[name]
    schema = phony_pdl.load(source)
    report = schema.generate().write(tmp_path / "whole", format="csv")
    got = {entity: report.entities[entity].sha256 for entity in pinned}
    assert report.entities[events].rows > 20 * len(pinned) and got == pinned
    small = schema.generate(block_rows=173).write(tmp_path / "small", format="csv", workers=2)
    assert {entity: small.entities[entity].sha256 for entity in pinned} == pinned
