"""Calendar-month arithmetic on µs times (timeline `after: 1 month`, series `every: 1 month`)."""

from __future__ import annotations

import numpy as np


def add_months(times_us: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Each time `months` calendar months later (µs): the same time of day on the same day
    of the month, or on the month's last day when it is shorter (Jan 31 + 1 month is
    Feb 29 in a leap year, Feb 28 otherwise; + 2 months is Mar 31)."""
    t = np.asarray(times_us, dtype=np.int64).astype("datetime64[us]")
    day = t.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)  # from 0
    target = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - first).astype(np.int64)
    moved = first + np.minimum(day_of_month, length - 1).astype("timedelta64[D]")
    return (moved.astype("datetime64[us]") + (t - day)).astype(np.int64)
