"""Calendar-month arithmetic on µs times (timeline `after: 1 month`, series `every: 1 month`).

Integer arithmetic on the proleptic Gregorian calendar (H. Hinnant's conversions between
days and civil dates) in years that start in March, so the leap day ends a year: a few
numpy passes per value, where datetime64 month units cost about ten times more.
"""

from __future__ import annotations

import numpy as np

_DAY_US = 86_400_000_000
# days in each month of a year counted from March (the leap day ends the year)
_MARCH_LENGTHS = np.array([31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28], dtype=np.int64)


def add_months(times_us: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Each time `months` calendar months later (µs): the same time of day on the same day
    of the month, or on the month's last day when it is shorter (Jan 31 + 1 month is
    Feb 29 in a leap year, Feb 28 otherwise; + 2 months is Mar 31)."""
    times_us, months = np.broadcast_arrays(
        np.asarray(times_us, dtype=np.int64), np.asarray(months, dtype=np.int64)
    )
    index, day_of_month, time_of_day = month_parts(times_us)
    return from_month_parts(index + months, day_of_month, time_of_day)


def month_parts(times_us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month, day of the month from 0, µs into the day) of each time; months are counted
    from March of year 0 (so `month + k` is k calendar months later)."""
    t = np.asarray(times_us, dtype=np.int64)
    day = np.floor_divide(t, _DAY_US)
    time_of_day = t - day * _DAY_US
    # civil date of `day`: 400-year eras of 146,097 days from 0000-03-01
    z = day + 719_468
    era = np.floor_divide(z, 146_097)
    of_era = z - era * 146_097  # 0 … 146,096
    year_of_era = (of_era - of_era // 1460 + of_era // 36_524 - of_era // 146_096) // 365
    of_year = of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month = (5 * of_year + 2) // 153  # 0 is March
    day_of_month = of_year - (153 * month + 2) // 5
    return (era * 400 + year_of_era) * 12 + month, day_of_month, time_of_day


def from_month_parts(
    index: np.ndarray, day_of_month: np.ndarray, time_of_day: np.ndarray
) -> np.ndarray:
    """The time (µs) on that day of month `index` (as `month_parts` counts), or on the
    month's last day when it is shorter."""
    index = np.asarray(index, dtype=np.int64)
    if not index.size:
        return np.zeros(index.shape, dtype=np.int64)
    lo, hi = int(index.min()), int(index.max())
    if hi - lo < max(4096, index.size // 4):  # a table of the months spanned, then lookups
        first, length = _month_days(np.arange(lo, hi + 1, dtype=np.int64))
        at = index - lo
        first, length = first[at], length[at]
    else:
        first, length = _month_days(index)
    return (first + np.minimum(day_of_month, length - 1)) * _DAY_US + time_of_day


def _month_days(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first day (days from 1970-01-01) and the length of each month."""
    year = np.floor_divide(index, 12)
    month = index - year * 12
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    first = (
        era * 146_097
        + 365 * year_of_era
        + year_of_era // 4
        - year_of_era // 100
        + (153 * month + 2) // 5
        - 719_468
    )
    # February (the last month of a March year) of a leap civil year has 29 days
    civil = year + 1
    leap = (civil % 4 == 0) & ((civil % 100 != 0) | (civil % 400 == 0))
    return first, _MARCH_LENGTHS[month] + ((month == 11) & leap)
