"""Whole years between a date column and one fixed day: a person's age beside their birth
date, an employee's years of service beside the hire date.

`age` holds on every row when some day D lies, for each row, between the row's date's
`age`-th anniversary and the day before its next one. Each row bounds D that way; the
rows together leave the days common to all of them, and any of those reproduces every
row. The expression PDL gets is the age on D as SQL writes it: the difference of the
years, less one before the birthday in D's year (a 29 February birthday comes on 1 March
in other years, as the month-and-day comparison gives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_AGE_ROWS = 20  # rows with both values set before a fixed day is evidence
MIN_AGE_VALUES = 3  # distinct ages: a column of one or two values says little
PROBE_ROWS = 64


@dataclass(frozen=True)
class AgeOn:
    """`target` = whole years from `date` to `day` on every row."""

    target: str
    date: str
    day: np.datetime64  # the day the ages hold on (datetime64[D])
    first: np.datetime64  # the earliest day every age holds on
    last: np.datetime64  # the latest
    rows: int

    def expr(self, quote) -> str:
        year, month, dom = _parts(np.array([self.day]))
        column = quote(self.date)
        whole_years = f"{int(year[0])} - EXTRACT(YEAR FROM {column})"
        month_day = int(month[0]) * 100 + int(dom[0])
        if month_day == 1231:  # every birthday of the year has come by 31 December
            return whole_years
        return (
            f"{whole_years} - CASE WHEN EXTRACT(MONTH FROM {column}) * 100 + "
            f"EXTRACT(DAY FROM {column}) > {month_day} THEN 1 ELSE 0 END"
        )

    def comment(self) -> str:
        span = (
            f"on {self.day}"
            if self.first == self.last
            else f"on {self.day} (any day from {self.first} to {self.last} fits)"
        )
        return f"whole years from {self.date} {span}, on all {self.rows:,} rows"


def _parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1–12) and day of the month of datetime64[D] values."""
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    return (
        years.astype(np.int64) + 1970,
        (months - years.astype("datetime64[M]")).astype(np.int64) + 1,
        (days - months.astype("datetime64[D]")).astype(np.int64) + 1,
    )


def _anniversary(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The day each date turns `years` years old: its month and day that many years on (29
    February → 1 March outside leap years)."""
    year, month, dom = _parts(days)
    start = (year + years - 1970) * 12 + month - 1
    return start.astype("datetime64[M]").astype("datetime64[D]") + (dom - 1)


def _days_between(
    born: np.ndarray, years: np.ndarray
) -> tuple[np.datetime64, np.datetime64] | None:
    """The first and last day on which every date is `years` old, or None if none is."""
    first = _anniversary(born, years).max()
    last = (_anniversary(born, years + 1) - np.timedelta64(1, "D")).min()
    return None if first > last else (first, last)


def _roundest_day(first: np.datetime64, last: np.datetime64) -> np.datetime64:
    """The latest 1 January between first and last, else the latest first of a month,
    else `last`."""
    for unit in ("Y", "M"):
        day = last.astype(f"datetime64[{unit}]").astype("datetime64[D]")
        if day >= first:
            return day
    return last


def ages_on_a_day(
    dates: dict[str, np.ndarray], whole_numbers: dict[str, np.ndarray]
) -> list[AgeOn]:
    """Integer columns (`whole_numbers`, as floats with NaN for NULL) that hold the whole
    years from a date column (`dates`, days since 1970 as floats) to one fixed day on
    every row, NULL exactly where the date is. Each date column explains one at most."""
    found: list[AgeOn] = []
    claimed: set[str] = set()
    for target, age in whole_numbers.items():
        known = ~np.isnan(age)
        if known.sum() < MIN_AGE_ROWS or len(np.unique(age[known])) < MIN_AGE_VALUES:
            continue
        if age[known].min() < 0 or not np.all(age[known] == np.round(age[known])):
            continue
        years = age[known].astype(np.int64)
        probe = np.flatnonzero(known)[:PROBE_ROWS]
        for name, days in dates.items():
            if name in claimed:
                continue
            # a few rows first, before any work on every row: most pairs of columns fail
            # there (wide tables have many)
            if np.isnan(days[probe]).any():
                continue
            head = days[probe].astype(np.int64).astype("datetime64[D]")
            if _days_between(head, years[:PROBE_ROWS]) is None:
                continue
            if not np.array_equal(known, ~np.isnan(days)):
                continue
            born = days[known].astype(np.int64).astype("datetime64[D]")
            span = _days_between(born, years)
            if span is None:
                continue
            first, last = span
            day = _roundest_day(first, last)
            found.append(AgeOn(target, name, day, first, last, int(known.sum())))
            claimed.add(name)
            break
    return found
