"""Durations: `90s`, `15m`, `2h`, `30d`, `2w`, compounds like `1h30m`, or ISO 8601 `P3DT4H`."""

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
            "events 30d apart drift against calendar months"
        )
    m = _ISO_CALENDAR.match(text)
    if m is not None and (m.group(1) or m.group(2)):
        days = int(m.group(1) or 0) * 365 + int(m.group(2) or 0) * 30
        return f"months and years have no fixed length: write days, like 'P{days}D' or '{days}d'"
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
