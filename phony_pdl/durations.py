"""Durations: `90s`, `15m`, `2h`, `30d`, `2w`, compounds like `1h30m`, or ISO 8601 `P3DT4H`.

Calendar steps (`1 month`, `3 months`, `1 year`, `P1M`, `P1Y6M`) are not durations: a month
has no fixed length. A timeline state's `after` and a series' `every` take them
(`parse_calendar_step`); every other place that takes a duration rejects them with a hint
(`duration_help`).
"""

from __future__ import annotations

import re

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_SHORT = re.compile(r"^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d|w))+$")
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_ISO = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
DURATION_HELP = "write a duration like 90s, 15m, 2h, 30d, 2w, 1h30m or ISO 8601 P3DT4H"


_WORDS = re.compile(
    r"^(\d+(?:\.\d+)?)\s*(milliseconds?|msecs?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?"
    r"|weeks?|ms|s|m|h|d|w)$",
    re.IGNORECASE,
)


_CALENDAR = re.compile(r"^(\d+(?:\.\d+)?)\s*(months?|mons?|mo|years?|yrs?|y|m)$", re.IGNORECASE)
_ISO_CALENDAR = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:\d+D)?(?:T.*)?$", re.IGNORECASE)


# a calendar step: whole months or years, in words (`1 month`, `3months`, `1 yr`, `2y`) or
# ISO 8601 (`P1M`, `P1Y6M`); `1M` stays ambiguous (`1m` is a minute) and is refused
_STEP_WORDS = re.compile(r"^(\d+)\s*(months?|mons?|mo|years?|yrs?|y)$", re.IGNORECASE)
_STEP_ISO = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?$", re.IGNORECASE)


def parse_calendar_step(value: object) -> int | None:
    """Months in a calendar step (`1 month` 1, `P1Y6M` 18, `2 years` 24), or None when
    `value` is not written in months or years at all (a duration, or nothing valid).
    Raises ValueError for a month spelling that is no whole step: `1.5 months`, `P1M2D`,
    `0 months`, `1M`."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?\s*M", text):
        raise ValueError(f"'{text}' is ambiguous: a month or a minute")
    m = _STEP_WORDS.match(text)
    if m is not None:
        n = int(m.group(1)) * (12 if m.group(2).lower().startswith("y") else 1)
    else:
        m = _STEP_ISO.match(text)
        if m is None or not (m.group(1) or m.group(2)):
            if _calendar_help(text) is not None:  # months or years, but no whole step
                raise ValueError(f"'{text}' is not a calendar step: write whole months or years")
            return None
        n = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
    if n <= 0:
        raise ValueError(f"calendar step '{text}' must be at least one month")
    return n


def calendar_step_help(value: object) -> str:
    """The hint for a month spelling `parse_calendar_step` refused."""
    text = str(value).strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*M", text)
    if m is not None:
        n = m.group(1)
        months = "1 month" if n == "1" else f"{n} months"
        return f"write '{months}' (or 'P{n}M') for calendar months, '{n}m' for minutes"
    if re.match(r"^P", text, re.IGNORECASE):
        return (
            "a calendar step is whole months or years alone, like 'P1M' or 'P1Y6M'; "
            "a random time after the scheduled day goes in a timeline state's `delay`"
        )
    return (
        "write whole months or years, like '1 month', '3 months', '1 year' "
        "(or days, like '45d', for a fixed length)"
    )


def _calendar_help(value: str) -> str | None:
    """Months and years have no fixed length: the days to write instead (30 a month, 365 a
    year), and for `1M` the minute it also reads as."""
    text = value.strip()
    m = _CALENDAR.match(text)
    if m is not None and m.group(2) != "m":  # `1 m` is minutes written with a space
        n, unit = float(m.group(1)), m.group(2)
        days = n * (365 if unit.lower().startswith("y") else 30)
        minute = f" ('{m.group(1)}m' is minutes)" if unit == "M" else ""
        return (
            f"months and years have no fixed length: write days, like '{days:g}d'{minute}; "
            "events 30d apart drift against calendar months; "
            "calendar months go in a timeline state's `after` or a series' `every` ('1 month', 'P1M')"
        )
    m = _ISO_CALENDAR.match(text)
    if m is not None and (m.group(1) or m.group(2)):
        days = int(m.group(1) or 0) * 365 + int(m.group(2) or 0) * 30
        return (
            f"months and years have no fixed length: write days, like 'P{days}D' or '{days}d'; "
            "calendar months go in a timeline state's `after` or a series' `every` ('1 month', 'P1M')"
        )
    return None


def duration_help(value: object) -> str:
    """How to write `value` as a duration: its short form for `15 minutes` or `2 Hours`,
    days for `1 month` or `P1M`."""
    negative = (isinstance(value, int | float) and not isinstance(value, bool) and value < 0) or (
        isinstance(value, str) and value.strip()[:1] == "-" and is_duration_text(value.strip()[1:])
    )
    if negative:
        return "a duration is never negative: for a time before another, use `before:`"
    calendar = _calendar_help(value) if isinstance(value, str) else None
    if calendar is not None:
        return calendar
    m = _WORDS.match(value.strip()) if isinstance(value, str) else None
    if m is None:
        return DURATION_HELP
    word = m.group(2).lower()
    unit = "ms" if word.startswith(("millis", "msec")) or word == "ms" else word[0]
    return f"did you mean '{m.group(1)}{unit}'? ({DURATION_HELP})"


def parse_duration(value: str | int | float) -> float:
    """Seconds in a duration; bare numbers are seconds. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration, got boolean {value}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"duration {value} is negative")
        return float(value)
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):  # "3600", quoted: seconds, like a bare number
        return float(text)
    if _SHORT.match(text):
        return sum(float(n) * _UNIT_SECONDS[u] for n, u in _SHORT_PART.findall(text))
    m = _ISO.match(text.upper())
    if m and text.upper() != "PT":
        weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in m.groups())
        return weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds
    if text.startswith("-") and is_duration_text(text[1:]):  # as for a negative number
        raise ValueError(f"duration {text} is negative")
    if re.match(r"^P.*(Y|\d+M.*T|^P\d+M)", text.upper()) or re.match(r"^P\d+M", text.upper()):
        raise ValueError(f"'{text}' uses months or years, which have no fixed length; use days")
    raise ValueError(f"'{text}' is not a duration")


def is_duration_text(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True
