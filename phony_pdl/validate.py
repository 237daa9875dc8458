"""Semantic checks over a read Document: references, types, numbers, graph rules.

Every check appends to one list; nothing raises until the caller has them all.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
from pydantic import ValidationError

from . import distributions
from . import expr as expr_mod
from . import graph as graph_mod
from .durations import calendar_step_help, duration_help, parse_calendar_step, parse_duration
from .errors import Diagnostic, Span, did_you_mean, one_of
from .generators import registry
from .model import (
    MAX_COLUMN_BYTES,
    SOURCE_KEYS,
    SOURCE_OPTIONS,
    TIMELINE_END,
    DistSpec,
    Document,
    Entity,
    FieldSpec,
    PerCount,
    ZipfPick,
    column_name,
    table_name,
)
from .nullness import null_source
from .pattern import PatternError, parse_pattern
from .pattern import domain_size as pattern_domain
from .reader import Locator, Path, comma_split_hint, path_str, synonym_hint
from .resources import known_locales, locale_hint
from .template import TemplateError, parse_template
from .types import BOOL_WORDS, STRING, DataType, known_type_names, parse_type

SUPPORTED_VERSIONS = (1,)
MAX_ROWS = 10**11  # beyond this a count is a typo, not a plan
MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's limit, the tightest of the targets
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FIELD_KEYS = sorted({f.alias or n for n, f in FieldSpec.model_fields.items() if n != "params"})
# Other tools' words for a fixed number of children per parent (`count: {per: p, exactly: 2}`)
_CONST_COUNT_WORDS = ("exactly", "fixed", "n", "value", "each")
# Type-alone kinds drawn by index from a range of units (days, microseconds, 10^-s).
DRAWN_KINDS = ("int", "decimal", "date", "datetime", "time")
DISCRETE_COUNT_DISTS = (
    "poisson",
    "geometric",
    "zipf",
    "binomial",
    "negative_binomial",
    "uniform",
    "mixture",
)
# The components a count's `mixture` may have: the discrete families
COUNT_COMPONENT_DISTS = ("poisson", "geometric", "zipf", "binomial", "negative_binomial")


def _beyond_precision(value: float, dtype: DataType) -> bool:
    """Whether a bound lies outside decimal(p, s), compared exactly (in binary floating
    point 10**16 - 0.01 is 10**16, so the largest value printed one unit too high). A
    bound that reads as the same float as the largest value is the largest value written
    (YAML reads 9999999999999999.99 as 1e16)."""
    if not 0 < dtype.precision <= 38:
        return False
    largest = Decimal(10) ** (dtype.precision - dtype.scale) - Decimal(10) ** -dtype.scale
    return abs(Decimal(str(value))) > largest and abs(float(value)) != float(largest)


def path_field(path: Path) -> str | None:
    """The field a diagnostic path is about (entities.<e>.fields.<f>…), if any."""
    parts = list(path)
    if "fields" in parts and parts.index("fields") + 1 < len(parts):
        return str(parts[parts.index("fields") + 1])
    return None


def _decimal_units_too_wide(value: Any, dtype: DataType) -> bool:
    """A decimal literal whose unscaled value passes the 64-bit units the engine uses."""
    from decimal import Decimal, InvalidOperation

    if isinstance(value, bool) or value is None:
        return False
    try:
        units = abs(Decimal(str(value))).scaleb(dtype.scale)
    except (InvalidOperation, ValueError):
        return False
    return units >= 2**63


def _date_problem(value: Any) -> str | None:
    """What is wrong with a value written like a date (`2024-13-01`: month must be in 1..12)."""
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        return f"{value[:10]} is no calendar date ({exc})"
    return None


def a_type(dtype: DataType) -> str:
    name = str(dtype)
    return ("an " if name[0] in "aeiou" and name != "uuid" else "a ") + name


def _as_date(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


# strftime directives of `format` that Arrow's strftime writes the same everywhere ("C"
# locale). Left out: %c %x %X %r (their layout comes from the platform's C library),
# %z %Z (values have no time zone: an error), %E/%O forms, %q/%Q (Arrow internals), and
# unknown letters such as %f or %s (copied as text).
STRFTIME_DIRECTIVES = "aAbBCdDeFgGhHIjmMnpRStTuUVwWyY%"
_STRFTIME_SET = frozenset(STRFTIME_DIRECTIVES)
# the directives that write a part of the date (a time of day has none)
_DATE_DIRECTIVES = frozenset("aAbBCdDeFgGhjmuUVwWyY")
# the types `format` turns into text (strftime for the first three, `{:,.2f}` for numbers)
_FORMATTED_KINDS = ("date", "datetime", "time", "int", "float", "decimal")
# seconds since 1970 of 0001-01-01 and of the last microsecond of 9999-12-31
_DATETIME_SECONDS = (-62_135_596_800, 253_402_300_799.999999)
_FORMAT_NOTES = {
    "": "write %% for a percent sign",
    "f": "%S already includes the microseconds (%H:%M:%S gives 19:09:10.213883)",
    "z": "the values have no time zone",
    "Z": "the values have no time zone",
    **dict.fromkeys(
        ("c", "x", "X", "r"),
        "%c, %x, %X and %r differ between platforms: spell them out, "
        "e.g. %m/%d/%y for %x or %I:%M:%S %p for %r",
    ),
}

_BOUND_HINTS = {
    "date": 'write dates as 2024-01-31 (or datetimes as "2024-01-31T08:00:00")',
    "datetime": 'write datetimes as "2024-01-31T08:00:00" (or dates as 2024-01-31)',
    "time": 'write times of day as "08:30:00"',
    "string": "bounds of a string are its length in characters, e.g. min: 3",
    None: "write numbers plainly and dates as 2024-01-31",
}

# Fields of one person whose age bounds must agree (the row's age and birth date).
AGE_GENERATORS = ("person.age", "person.birth_date")


class Validator:
    def __init__(self, doc: Document, locator: Locator, diagnostics: list[Diagnostic]) -> None:
        self.doc = doc
        self.loc = locator
        self.diags = diagnostics
        self.types: dict[tuple[str, str], DataType | None] = {}

    # ------------------------------------------------------------ helpers

    def add(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str | None = None,
        *,
        key: bool = False,
        span: Span | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        self.diags.append(
            Diagnostic(
                code, message, span or self.loc.span(path, key=key), path_str(path), hint, notes
            )
        )

    def fpath(self, ename: str, fname: str, *rest: str | int) -> Path:
        return ("entities", ename, "fields", fname, *rest)

    # ------------------------------------------------------------ document

    def run(self) -> None:
        doc = self.doc
        if doc.pdl not in SUPPORTED_VERSIONS:
            self.add(
                "unsupported-version",
                f"pdl: {doc.pdl} is not a version this Phony reads",
                ("pdl",),
                hint="this Phony reads `pdl: 1`; upgrade Phony for newer files",
            )
        self.check_locale(doc.locale, ("locale",))
        if any(c in doc.name for c in "/\\\0") or doc.name.startswith(".") or not doc.name.strip():
            # the name becomes out/<name>/ and <name>.sql: it must not climb out of --out
            self.add(
                "invalid-value",
                f"name {doc.name!r} cannot be a file name",
                ("name",),
                hint="no slashes, and no leading dot: e.g. `shop_test`",
            )
        if not doc.entities:
            self.add(
                "missing-key",
                "`entities` is empty",
                ("entities",),
                hint="declare at least one entity",
            )
        self.check_identifiers()
        for ename, entity in doc.entities.items():
            self.check_entity(ename, entity)
        self.check_graph()

    def check_locale(self, locale: str, path: Path) -> None:
        locales = known_locales()
        if locale not in locales:
            self.add(
                "unknown-locale",
                f"no data pack for locale '{locale}'",
                path,
                hint=locale_hint(locale) or f"available: {one_of(locales)}",
            )

    def check_identifiers(self) -> None:
        def check(names: list[str], base: Path, what: str) -> None:
            seen: dict[str, str] = {}
            for name in names:
                path = (*base, name)
                if not _IDENTIFIER.match(name):
                    self.add(
                        "bad-identifier",
                        f"{what} name '{name}' is not a portable identifier",
                        path,
                        hint="use letters, digits and underscores, starting with a letter or underscore",
                        key=True,
                    )
                elif len(name.encode()) > MAX_IDENTIFIER_BYTES:
                    self.add(
                        "bad-identifier",
                        f"{what} name '{name[:20]}…' is {len(name.encode())} bytes long",
                        path,
                        hint=f"databases cut names at {MAX_IDENTIFIER_BYTES} bytes; shorten it",
                        key=True,
                    )
                folded = name.casefold()
                if folded in seen:
                    other = seen[folded]
                    self.add(
                        "identifier-collision",
                        f"{what} '{name}' collides with '{other}' after case folding",
                        path,
                        hint="databases that fold case would see one name; rename one",
                        key=True,
                        notes=(f"'{other}' is at {self.loc.span((*base, other), key=True)}",),
                    )
                else:
                    seen[folded] = name

        check(list(self.doc.entities), ("entities",), "entity")
        self.check_tables()
        for ename, entity in self.doc.entities.items():
            check(list(entity.fields), ("entities", ename, "fields"), "field")
            self.check_columns(ename, entity)

    def check_tables(self) -> None:
        """`table` names: storable in every target and as a file's name, and one table (and
        file) per name, as SQLite, MySQL on Windows and macOS and their file systems compare
        them without case."""
        seen: dict[str, str] = {}  # folded table name → entity
        for ename, entity in self.doc.entities.items():
            if entity.table is not None and not self.table_value(ename, entity.table):
                continue
            out = table_name(self.doc, ename)
            other = seen.get(out.casefold())
            if other is None:
                seen[out.casefold()] = ename
                continue
            if entity.table is None and self.doc.entities[other].table is None:
                continue  # two identifiers: check_identifiers said so
            self.add(
                "identifier-collision",
                f"{_entity_named(self.doc, ename)} and {_entity_named(self.doc, other)} would "
                "write tables (and files) of the same name after case folding",
                ("entities", ename, "table") if entity.table is not None else ("entities", ename),
                hint="SQLite, MySQL on Windows and macOS, and those systems' file names "
                "compare these names without case, so entities need distinct table names: "
                "change one `table` (or rename the entity)",
                key=entity.table is None,
                notes=(f"'{other}' is at {self.loc.span(('entities', other), key=True)}",),
            )

    def table_value(self, ename: str, name: object) -> bool:
        """Whether an entity's `table` can name a table and its files (errors said why not)."""
        path = ("entities", ename, "table")
        name = str(name)
        bad = next((ch for ch in name if unicodedata.category(ch) in ("Cc", "Cs")), None)
        example = 'e.g. `table: "Order Details"`'
        if not name.strip():
            self.add(
                "invalid-value",
                f"`table` of entity '{ename}' is {'empty' if not name else 'only blanks'}",
                path,
                hint=f"give the table's name, {example}, or remove `table` (the entity's own "
                "name is then its table's)",
            )
        elif bad is not None:
            self.add(
                "invalid-value",
                f"`table` of entity '{ename}' holds the control character U+{ord(bad):04X}",
                path,
                hint="table names are printable text: no NUL, tab, line break or other "
                "control character",
            )
        elif name != name.strip():
            self.add(
                "invalid-value",
                f"`table` of entity '{ename}' starts or ends with a blank",
                path,
                hint="MySQL refuses a name that ends in a space and file names lose them; "
                f"drop the blanks: `table: {name.strip()!r}`",
            )
        elif len(name.encode()) > MAX_COLUMN_BYTES:
            self.add(
                "invalid-value",
                f"`table` of entity '{ename}' is {len(name.encode())} bytes long in UTF-8",
                path,
                hint=f"PostgreSQL keeps at most {MAX_COLUMN_BYTES} bytes of a table name "
                "(and cuts the rest); shorten it",
            )
        else:
            return True
        return False

    def check_columns(self, ename: str, entity: Entity) -> None:
        """`column` names: storable in every target, and one column per name in the
        entity's output, as MySQL and SQLite compare column names (case-insensitively)."""
        seen: dict[str, str] = {}  # folded output name → field
        for fname, f in entity.fields.items():
            if f.column is not None and not self.column_value(ename, fname, f):
                continue
            if f.hidden:
                continue
            out = column_name(f, fname)
            other = seen.get(out.casefold())
            if other is None:
                seen[out.casefold()] = fname
                continue
            if f.column is None and entity.fields[other].column is None:
                continue  # two identifiers: check_identifiers said so

            where = (
                self.fpath(ename, fname, "column")
                if f.column is not None
                else self.fpath(ename, fname)
            )
            self.add(
                "identifier-collision",
                f"{_named(entity, fname)} and {_named(entity, other)} would write columns of the "
                "same name after case folding",
                where,
                hint="MySQL and SQLite compare column names without case, so an entity's "
                "columns need distinct names: change one `column` (or rename the field)",
                key=f.column is None,
                notes=(f"'{other}' is at {self.loc.span(self.fpath(ename, other), key=True)}",),
            )

    def column_value(self, ename: str, fname: str, f: FieldSpec) -> bool:
        """Whether a field's `column` can name a column (errors said why not)."""
        path = self.fpath(ename, fname, "column")
        name = f.column or ""
        bad = next((ch for ch in name if unicodedata.category(ch) in ("Cc", "Cs")), None)
        if not name.strip():
            self.add(
                "invalid-value",
                f"`column` of field '{fname}' is {'empty' if not name else 'only blanks'}",
                path,
                hint='give the column\'s name, e.g. `column: "Customer ID"`, or remove `column` '
                "(the field's own name is then its column's)",
            )
        elif bad is not None:
            self.add(
                "invalid-value",
                f"`column` of field '{fname}' holds the control character U+{ord(bad):04X}",
                path,
                hint="column names are printable text: no NUL, tab, line break or other "
                "control character",
            )
        elif len(name.encode()) > MAX_COLUMN_BYTES:
            self.add(
                "invalid-value",
                f"`column` of field '{fname}' is {len(name.encode())} bytes long in UTF-8",
                path,
                hint=f"PostgreSQL keeps at most {MAX_COLUMN_BYTES} bytes of a column name "
                "(and cuts the rest); shorten it",
            )
        elif f.hidden:
            self.add(
                "misplaced-key",
                f"field '{fname}' is hidden, so it has no column for `column` to name",
                path,
                hint="remove `column`, or remove `hidden: true` to write the field",
            )
        else:
            return True
        return False

    # ------------------------------------------------------------ entities

    def rows(self, ename: str, _seen: frozenset = frozenset()) -> tuple[float, float]:
        """(fewest rows guaranteed, expected rows) of an entity at scale 1."""
        entity = self.doc.entities.get(ename)
        if entity is None or ename in _seen:
            return 0.0, 0.0
        count = entity.count
        if isinstance(count, int):
            return float(count), float(count)
        if isinstance(count, PerCount):
            pmin, pexp = self.rows(count.per, _seen | {ename})
            lo, mean = self.per_parent_bounds(count)
            return pmin * lo, pexp * mean
        if entity.timeline is not None:
            pmin, pexp = self.rows(entity.timeline.for_, _seen | {ename})
            return pmin, pexp * 3
        return 0.0, 0.0

    def per_parent_bounds(self, count: PerCount) -> tuple[float, float]:
        """(fewest, expected) children per parent."""
        if count.const is not None:
            return float(count.const), float(count.const)
        if count.choice is not None:
            values, weights = count_table(count.choice)
            total = weights.sum()
            if total > 0 and np.isfinite(total):
                return float(values[weights > 0].min()), float(values @ weights / total)
            return 0.0, 0.0
        if count.distribution in (None, "uniform"):
            lo, hi = count.min or 0, count.max if count.max is not None else count.min or 0
            return float(lo), (lo + hi) / 2
        if count.distribution == "mixture":
            mean = _mixture_count_mean(count.params.get("components"), count.min, count.max)
            if mean is not None:
                return float(count.min or 0), mean
        mean = count.params.get("mean")
        if isinstance(mean, int | float) and not isinstance(mean, bool):
            return float(count.min or 0), float(mean)
        return float(count.min or 0), float(count.min or 1)

    def check_entity(self, ename: str, entity: Entity) -> None:
        base: Path = ("entities", ename)
        count = entity.count
        if count is None and entity.timeline is None and entity.series is None:
            self.add(
                "missing-key",
                f"entity '{ename}' has no `count`",
                base,
                hint="add `count: 100` or `count: {per: parent_entity, min: 1, max: 5}`",
                key=True,
            )
        if count is not None and (entity.timeline is not None or entity.series is not None):
            self.add(
                "invalid-value",
                "a timeline or series entity gets its rows from its events; remove `count`",
                (*base, "count"),
                key=True,
            )
        if entity.timeline is not None and entity.series is not None:
            self.add(
                "invalid-value",
                "an entity has a `timeline` or a `series`, not both",
                (*base, "series"),
                key=True,
            )
        if isinstance(count, int):
            if count < 0:
                self.add(
                    "bad-count",
                    f"count={count} is negative",
                    (*base, "count"),
                    hint="use 0 or more rows",
                )
            elif count > MAX_ROWS:
                self.add(
                    "bad-count",
                    f"count={count:,} is beyond {MAX_ROWS:,} rows",
                    (*base, "count"),
                    hint="use --scale for large runs; check for a typo",
                )
        elif isinstance(count, PerCount):
            self.check_per_count(ename, count, (*base, "count"))
        if not entity.fields:
            self.add("missing-key", f"entity '{ename}' has no fields", (*base, "fields"), key=True)
        self.check_keys(ename, entity)
        for fname, f in entity.fields.items():
            self.check_field(ename, fname, f)
        seen_in_block: dict[str, int] = {}
        for i, block in enumerate(entity.correlate):
            self.check_correlate(ename, entity, i, block)
            for j, name in enumerate(block.fields):
                if seen_in_block.get(name, i) != i:
                    self.add(
                        "bad-correlation",
                        f"'{name}' is already in correlate block {seen_in_block[name]}",
                        ("entities", ename, "correlate", i, "fields", j),
                        hint="put fields that correlate with each other in one block with a matrix",
                    )
                seen_in_block.setdefault(name, i)
        if entity.timeline is not None:
            self.check_timeline(ename, entity)
        if entity.series is not None:
            self.check_series(ename, entity)

    def check_series(self, ename: str, entity: Entity) -> None:
        s = entity.series
        path: Path = ("entities", ename, "series")
        if s.for_ not in self.doc.entities:
            self.add(
                "unknown-entity",
                f"series `for: {s.for_}` names no entity",
                (*path, "for"),
                hint=did_you_mean(s.for_, self.doc.entities),
            )
            return
        for key in ("start", "end"):
            value = getattr(s, key)
            if value is not None:
                self.check_time_bound("series", s.for_, key, value, (*path, key))
        if (s.every is None) == (s.poisson is None):
            self.add(
                "missing-key",
                "a series needs exactly one of `every` (fixed interval) or `poisson` (mean gap)",
                path,
                key=True,
            )
        months = None
        try:
            months = parse_calendar_step(s.every)
        except ValueError as exc:
            self.add("bad-duration", str(exc), (*path, "every"), hint=calendar_step_help(s.every))
        for key in ("every", "poisson", "jitter"):
            value = getattr(s, key)
            if value is None or (key == "every" and _calendar_spelling(value)):
                continue  # a calendar step: checked above
            try:
                seconds = parse_duration(value)
            except ValueError as exc:
                self.add("bad-duration", str(exc), (*path, key), hint=duration_help(value))
                continue
            if seconds <= 0 and key != "jitter":
                written = f"{value:g}" if isinstance(value, float) else value  # 0, not 0.0
                self.add("bad-duration", f"{key}={written} must be longer than zero", (*path, key))
        if s.jitter is not None and months:
            try:
                if parse_duration(s.jitter) >= 14 * 86400 * months:
                    self.add(
                        "invalid-value",
                        f"jitter {s.jitter} must be under half of every {s.every}, so events "
                        f"stay in order: under {14 * months}d (a month can be 28 days)",
                        (*path, "jitter"),
                    )
            except ValueError:
                pass
        elif s.jitter is not None and s.every is not None:
            try:
                if parse_duration(s.jitter) * 2 >= parse_duration(s.every):
                    self.add(
                        "invalid-value",
                        f"jitter {s.jitter} must be under half of every {s.every}, so events stay in order",
                        (*path, "jitter"),
                    )
            except ValueError:
                pass
        if s.poisson is not None and s.end is None:
            self.add("missing-key", "a Poisson series needs an `end`", path, key=True)
        if s.churn is not None and not (0 <= s.churn < 1):
            self.add("invalid-value", f"churn={s.churn} must be in [0, 1)", (*path, "churn"))
        if s.max_events < 1:
            self.add(
                "invalid-value",
                f"max_events={s.max_events} must be at least 1",
                (*path, "max_events"),
            )
        if s.end is None and not s.churn and "max_events" not in s.model_fields_set:
            self.add(
                "missing-key",
                "a series without `end` or `churn` would always run to max_events",
                path,
                hint="add `end:`, a `churn:` probability, or an explicit `max_events:`",
                key=True,
            )

    def check_time_bound(self, what: str, parent: str, key: str, value: str, path: Path) -> None:
        """A series or timeline bound: `parent.field` (a date or datetime) or a literal."""
        head, _, rest = value.partition(".")
        if rest and head in self.doc.entities:
            if head != parent:
                self.add(
                    "bad-timeline",
                    f"{what} {key} '{value}' must be a field of '{parent}'",
                    path,
                )
            elif rest not in self.doc.entities[head].fields:
                self.add(
                    "unknown-field",
                    f"{what} {key} '{value}' is not a field of '{head}'",
                    path,
                    hint=did_you_mean(rest, self.doc.entities[head].fields),
                )
            else:
                t = self.type_of(head, rest)
                if t is not None and t.kind not in ("date", "datetime"):
                    self.add(
                        "type-mismatch",
                        f"{what} {key} '{value}' is {t}, not a date or datetime",
                        path,
                    )
        elif _as_date(value) is None:
            fields = self.doc.entities[parent].fields
            if value in fields:  # as a timeline's `start` takes it: say the prefix is needed
                hint = f"did you mean '{parent}.{value}'? a {what} bound names its entity"
            else:
                times = [
                    n
                    for n in fields
                    if (t := self.type_of(parent, n)) and t.kind in ("date", "datetime")
                ]
                example = f"{parent}.{times[0] if times else 'field'}"
                hint = f"write a parent field like {example} or a date like 2024-01-01"
            self.add(
                "invalid-value",
                f"{what} {key} '{value}' is neither `{parent}.field` nor a date",
                path,
                hint=hint,
            )

    def check_per_count(self, ename: str, count: PerCount, path: Path) -> None:
        if count.per not in self.doc.entities:
            self.add(
                "unknown-entity",
                f"`per: {count.per}` names no entity",
                (*path, "per"),
                hint=did_you_mean(count.per, self.doc.entities)
                or f"entities: {one_of(self.doc.entities)}",
            )
        elif count.per == ename:
            self.add("bad-count", "an entity cannot count its rows per itself", (*path, "per"))
        for key in ("const", "min", "max"):
            value = getattr(count, key)
            if value is not None and value < 0:
                self.add(
                    "bad-count", f"{key}={value} is negative", (*path, key), hint="use 0 or more"
                )
        if count.min is not None and count.max is not None and count.min > count.max:
            self.add(
                "min-greater-than-max",
                f"min={count.min} is greater than max={count.max}",
                (*path, "min"),
                hint="swap them",
            )
        if count.const is not None and (
            count.distribution or count.min is not None or count.max is not None
        ):
            self.add(
                "invalid-value",
                "`const` children per parent excludes `min`, `max` and `distribution`",
                (*path, "const"),
                key=True,
            )
        if count.choice is not None:
            self.check_count_choice(count, path)
            return
        if count.distribution is None:
            meant_const = [k for k in count.params if k.lower() in _CONST_COUNT_WORDS]
            if count.const is None and count.max is None and not meant_const:
                self.add(
                    "missing-key",
                    "a per-parent count needs `const`, `max` (with optional `min`), a "
                    "`distribution` or a `choice` table",
                    path,
                    hint="e.g. `{per: orders, min: 1, max: 5}`",
                )
            for key in count.params:
                self.add(
                    "unknown-key",
                    f"unknown key '{key}' in `count`",
                    (*path, key),
                    hint=(
                        "did you mean 'const'? (PDL's word for it)" if key in meant_const else None
                    )
                    or did_you_mean(key, ["per", "const", "min", "max", "distribution", "choice"]),
                    key=True,
                )
            return
        if count.distribution not in DISCRETE_COUNT_DISTS:
            known = count.distribution in distributions.REGISTRY
            self.add(
                "unknown-distribution" if not known else "invalid-value",
                f"'{count.distribution}' is not a discrete distribution for counts"
                if known
                else f"unknown distribution '{count.distribution}'",
                (*path, "distribution"),
                hint=did_you_mean(count.distribution, DISCRETE_COUNT_DISTS)
                or f"use one of {one_of(DISCRETE_COUNT_DISTS)}",
            )
            return
        if count.distribution == "mixture":
            comps = count.params.get("components")
            for i, comp in enumerate(comps if isinstance(comps, list) else []):
                name = comp.get("distribution") if isinstance(comp, dict) else None
                if name in distributions.REGISTRY and name not in (
                    *COUNT_COMPONENT_DISTS,
                    "mixture",  # reported by the mixture check: mixtures cannot nest
                ):
                    self.add(
                        "invalid-value",
                        f"mixture component {i} ('{name}') is not a discrete distribution "
                        "for counts",
                        (*path, "components", i, "distribution"),
                        hint=f"use one of {one_of(COUNT_COMPONENT_DISTS)}",
                    )
        # A negative bound is reported above (bad-count), not again as outside the support.
        lo, hi = (None if v is None or v < 0 else v for v in (count.min, count.max))
        self.check_dist_params(count.distribution, count.params, path, lo, hi)

    def check_count_choice(self, count: PerCount, path: Path) -> None:
        """`count: {per: p, choice: {2: 260, 3: 87}}`: whole numbers >= 0 with weights, alone."""
        clash = [
            k for k in ("const", "min", "max", "distribution") if getattr(count, k) is not None
        ]
        for key in clash:
            self.add(
                "invalid-value",
                f"`choice` children per parent excludes `{key}`",
                (*path, key),
                hint=f"remove `{key}`: the table lists every count it draws",
                key=True,
            )
        for key in [] if count.distribution is not None else count.params:
            self.add(
                "unknown-key",
                f"unknown key '{key}' in `count`",
                (*path, key),
                hint=did_you_mean(key, ["per", "choice"])
                or "a `choice` count takes `per` and `choice`",
                key=True,
            )
        cpath = (*path, "choice")
        for value in count.choice or {}:
            if not _COUNT_KEY.fullmatch(value):
                self.add(
                    "bad-count",
                    f"choice count '{value}' is not a whole number >= 0",
                    (*cpath, value),
                    hint="the keys of a count's `choice` are children per parent, e.g. `2: 260`",
                    key=True,
                )
            elif int(value) > MAX_ROWS:
                self.add(
                    "bad-count",
                    f"choice count {int(value):,} is beyond {MAX_ROWS:,} rows",
                    (*cpath, value),
                    key=True,
                )
        self.check_choice_weights(count.choice or {}, cpath)

    def null_key(self, ename: str, name: str, why: str) -> None:
        """A primary key whose source can make it NULL: SQL refuses a NULL key, and a
        foreign key to that row would point at nothing."""
        f = self.doc.entities[ename].fields[name]
        where: tuple[str | int, ...] = (f.source,)
        if f.source == "choice" and isinstance(f.choice, list):
            where = ("choice", f.choice.index(None))  # the null item itself
        fixes = {
            "choice": "drop null from the choice",
            "const": "give it a value",
            "expr": "make the expression total (an ELSE, or COALESCE(…, fallback))",
        }
        fix = fixes.get(f.source, "give it a source that always sets a value")
        self.add(
            "bad-key",
            f"primary key '{name}' can be NULL: {why}",
            self.fpath(ename, name, *where),
            hint=f"{fix}, or make another field the primary key and "
            f"{'keep' if f.unique else 'declare'} '{name}' `unique: true` (a unique key may "
            "hold NULLs; foreign keys skip those rows)",
        )

    def check_keys(self, ename: str, entity: Entity) -> None:
        base: Path = ("entities", ename)
        pk = entity.primary_key
        if pk is None and "id" in entity.fields:
            pk = "id"  # the implicit primary key obeys the same rules
        pk_list = [pk] if isinstance(pk, str) else list(pk or [])
        for i, name in enumerate(pk_list):
            if name not in entity.fields:
                p = (*base, "primary_key") if isinstance(pk, str) else (*base, "primary_key", i)
                self.add(
                    "bad-key",
                    f"primary key '{name}' is not a field of '{ename}'",
                    p,
                    hint=did_you_mean(name, entity.fields) or f"fields: {one_of(entity.fields)}",
                )
            elif entity.fields[name].null_rate:
                p = self.fpath(ename, name, "null_rate")
                self.add("bad-key", f"primary key '{name}' cannot have a null_rate", p)
            elif (why := null_source(self.doc, ename, name)) is not None:
                self.null_key(ename, name, why)
        for i, group in enumerate(entity.unique):
            names = [group] if isinstance(group, str) else group
            for j, name in enumerate(names):
                if name not in entity.fields:
                    p = (*base, "unique", i) if isinstance(group, str) else (*base, "unique", i, j)
                    self.add(
                        "bad-key",
                        f"unique constraint names '{name}', which is not a field of '{ename}'",
                        p,
                        hint=did_you_mean(name, entity.fields)
                        or f"fields: {one_of(entity.fields)}",
                    )
            if all(n in entity.fields for n in names):
                self.check_unique_group(ename, entity, names, (*base, "unique", i))
        checkable = pk_list and all(n in entity.fields for n in pk_list)
        if checkable and (len(pk_list) > 1 or not entity.fields[pk_list[0]].unique):
            where = (
                (*base, "primary_key")
                if entity.primary_key is not None
                else self.fpath(ename, pk_list[0])
            )
            self.check_unique_group(ename, entity, pk_list, where)

    def key_fields(self, ename: str) -> set[str]:
        entity = self.doc.entities[ename]
        pk = entity.primary_key
        if pk is None and "id" in entity.fields:
            pk = "id"
        keys = {pk} if isinstance(pk, str) else set()
        keys |= {n for n, f in entity.fields.items() if f.unique or f.source == "sequence"}
        for group in entity.unique:  # `unique: [code]` or `unique: [[code]]` make one column a key
            names = [group] if isinstance(group, str) else group
            if len(names) == 1:
                keys.add(names[0])
        return keys

    # ------------------------------------------------------------ fields

    def check_field(self, ename: str, fname: str, f: FieldSpec) -> None:
        path = self.fpath(ename, fname)
        present = f.present
        sources = [k for k in SOURCE_KEYS if k in present]
        if not sources and "type" not in present:
            misspelt = {k: did_you_mean(k, SOURCE_KEYS) for k in f.params or {}}
            if any(misspelt.values()):  # `sequnce: 1`: name the typo, not "no source"
                for key, hint in misspelt.items():
                    self.add(
                        "unknown-key",
                        f"unknown key '{key}' in a field, which has no value source",
                        (*path, key),
                        hint=hint or f"expected one of {one_of(_FIELD_KEYS)}",
                        key=True,
                    )
                return
            self.add(
                "no-source",
                f"field '{fname}' has no value source",
                path,
                hint="add one of: " + ", ".join(SOURCE_KEYS) + ", or a `type` alone",
                key=True,
            )
            return
        if len(sources) > 1:
            self.add(
                "multiple-sources",
                f"field '{fname}' has {len(sources)} sources: {', '.join(sources)}",
                (*path, sources[1]),
                hint="a field takes exactly one source; keep one",
                key=True,
            )
            return
        source = sources[0] if sources else "type"
        for option, owners in SOURCE_OPTIONS.items():
            if option in present and source not in owners:
                self.add(
                    "misplaced-key",
                    f"`{option}` only applies to {' or '.join(owners)}, not to {source}",
                    (*path, option),
                    hint=f"remove `{option}`",
                    key=True,
                )
        dtype = self.declared_type(ename, fname, f)
        if f.params and source not in ("generator", "distribution", "series"):
            for key in f.params:
                self.add(
                    "unknown-key",
                    f"unknown key '{key}' in a field",
                    (*path, key),
                    hint=did_you_mean(key, _FIELD_KEYS) or f"expected one of {one_of(_FIELD_KEYS)}",
                    key=True,
                )
        self.check_modifiers(ename, fname, f, dtype)
        getattr(self, f"source_{source}")(ename, fname, f, dtype)
        if f.unique:
            self.check_unique_group(ename, self.doc.entities[ename], [fname], (*path, "unique"))

    def declared_type(self, ename: str, fname: str, f: FieldSpec) -> DataType | None:
        if f.type is None:
            return None
        try:
            return parse_type(f.type)
        except ValueError as exc:
            decimal = f.type.replace(" ", "").lower().startswith("decimal(")
            self.add(
                "unknown-type",
                str(exc),
                self.fpath(ename, fname, "type"),
                hint="write decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p, e.g. decimal(12,2)"
                if decimal
                else did_you_mean(f.type, known_type_names())
                or f"types: {one_of(known_type_names())}",
            )
            return None

    def check_modifiers(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname)
        if f.null_rate is not None and not (0 <= f.null_rate <= 1):
            self.add(
                "bad-null-rate",
                f"null_rate={f.null_rate} is outside [0, 1]",
                (*path, "null_rate"),
                hint="a share of rows: 0.1 means 10% NULL",
            )
        if f.null_rate and f.nullable is False:
            self.add(
                "invalid-value",
                "`nullable: false` contradicts a null_rate above 0",
                (*path, "nullable"),
            )
        if f.source == "ref":
            # A foreign key copies its key: a rounded or formatted copy points at no row.
            for key, what in (("round", "rounded"), ("format", "formatted")):
                if getattr(f, key) is not None:
                    self.add(
                        "invalid-value",
                        f"a foreign key cannot be {what}: its values must equal the key "
                        f"{f.ref} to point at a row",
                        (*path, key),
                        hint=f"remove `{key}`; to write a {what} copy, add a field "
                        f"`{{from: {fname}.{(f.ref or '').partition('.')[2]}, {key}: …}}`",
                        key=True,
                    )
        elif f.round is not None and not (0 <= f.round <= 18):
            self.add("invalid-value", f"round={f.round} is outside 0..18", (*path, "round"))
        if f.format is not None and f.source != "ref":
            dtype = self.type_of(ename, fname)
            if dtype is not None and dtype.numeric:
                self.check_number_format(fname, f.format, dtype, (*path, "format"))
            else:
                self.check_format(f.format, (*path, "format"))
                self.check_format_type(ename, fname, f.format, (*path, "format"))
        if f.locale is not None:
            self.check_locale(f.locale, (*path, "locale"))
        if f.sql_default is not None:
            self.check_sql_default(f, (*path, "sql_default"))
        if f.between is not None and (f.min is not None or f.max is not None):
            self.add(
                "invalid-value",
                "`between` and `min`/`max` say the same thing twice",
                (*path, "between"),
                hint="keep one",
                key=True,
            )
        lo, hi = self.bounds(f)
        lo_key = "between" if f.between is not None else "min"
        self.check_bound_values(ename, fname, f, dtype)
        numbers = [v for v in (lo, hi) if isinstance(v, int | float) and not isinstance(v, bool)]
        if (
            f.round is not None
            and 0 <= f.round <= 18
            and len(numbers) == 2
            and all(math.isfinite(v) for v in numbers)
            and f.source in ("type", "distribution")
            and (dtype is None or dtype.kind == "float")
            and math.ceil(lo * 10**f.round - 1e-9) > math.floor(hi * 10**f.round + 1e-9)
        ):
            self.add(
                "invalid-value",
                f"round={f.round} leaves no value between {lo} and {hi}",
                (*path, "round"),
                hint=f"round to more places, e.g. round: {f.round + 1}, or widen the range",
            )
        # Each bound on its own: one bound is used as much as two (a missing one defaults).
        bad_bound = False
        kind = dtype.kind if dtype is not None else None
        for value, where in self.bound_places(ename, fname, f):
            if not self.bound_fits(value, dtype, f.source):
                bad_bound = True
                self.add(
                    "type-mismatch",
                    f"bound {value!r} is not {self.bound_kind(dtype, f.source)}",
                    where,
                    hint=self.field_as_bound_hint(ename, value, kind)
                    or _date_problem(value)
                    or _BOUND_HINTS.get(kind, _BOUND_HINTS[None]),
                )
        if lo is not None and hi is not None and not bad_bound:
            a, b = self.comparable(lo, dtype), self.comparable(hi, dtype)
            if a is not None and b is not None and a > b:
                self.add(
                    "min-greater-than-max",
                    f"min={lo!r} is greater than max={hi!r}",
                    (*path, lo_key),
                    hint="swap them",
                )

    def check_sql_default(self, f: FieldSpec, path: Path) -> None:
        """`sql_default` goes verbatim into a column definition of CREATE TABLE: one
        expression, which must not end the statement or comment out the rest of the line."""
        if f.hidden:
            self.add(
                "invalid-value",
                "`sql_default` on a hidden field: a hidden field has no column, so there is "
                "no DEFAULT to declare",
                path,
                hint="remove `sql_default`, or drop `hidden: true` to write the column",
                key=True,
            )
            return
        text = f.sql_default or ""
        if not text.strip():
            self.add(
                "invalid-value",
                "`sql_default` is empty",
                path,
                hint="write a SQL expression, e.g. sql_default: \"'active'\" or "
                "sql_default: CURRENT_TIMESTAMP, or remove the key",
            )
            return
        problem = sql_expression_problem(text)
        if problem is not None:
            offset, length, message, hint = problem
            self.add(
                "invalid-value",
                f"sql_default {text!r}: {message}",
                path,
                hint=hint,
                span=self.offset_span(path, offset, length),
            )

    @staticmethod
    def bound_kind(dtype: DataType | None, source: str) -> str:
        """What a bound of this field must be, for messages."""
        if dtype is not None and dtype.kind == "string":
            return "a whole number"
        if dtype is not None:
            return a_type(dtype)
        return "a number" if source == "distribution" else "a number, date or duration"

    def bound_fits(self, value: Any, dtype: DataType | None, source: str) -> bool:
        """A bound the engine can read for this type (arrow.scalar_to_units, a distribution's
        float(), the length of a type-alone string)."""
        if isinstance(value, bool):
            return False
        number = isinstance(value, int | float)
        kind = dtype.kind if dtype is not None else "float" if source == "distribution" else None
        if kind in ("int", "string"):
            return number or (
                isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value) is not None
            )
        if kind in ("float", "decimal"):
            return number or self.fits(value, DataType("float"))
        if kind == "date":
            return isinstance(value, str) and _as_date(value) is not None
        if kind == "datetime":  # numbers are seconds since 1970, within years 1 to 9999
            if number:
                return _DATETIME_SECONDS[0] <= value <= _DATETIME_SECONDS[1]
            return isinstance(value, str) and _as_date(value) is not None
        if kind == "time":
            return isinstance(value, str) and self.comparable(value, dtype) is not None
        return self.comparable(value, dtype) is not None

    def check_format(self, fmt: str, path: Path) -> None:
        """Only the strftime directives the engine's formatter (Arrow's strftime, C
        locale) writes the same on every platform; it copies unknown ones as text."""
        bad: list[str] = []
        i = 0
        while i < len(fmt):
            if fmt[i] != "%":
                i += 1
                continue
            directive = fmt[i : i + 2] if fmt[i + 1 : i + 2] not in ("E", "O") else fmt[i : i + 3]
            if directive[1:] not in _STRFTIME_SET and directive not in bad:
                bad.append(directive)
            i += len(directive)
        if not bad:
            return
        quoted = [f"'{d}'" for d in bad]
        names = quoted[0] if len(bad) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        notes = [_FORMAT_NOTES.get(d[1:]) if d[1:].isalpha() else _FORMAT_NOTES[""] for d in bad]
        notes = [n for n in notes if n is not None]
        self.add(
            "invalid-value",
            f"format {fmt!r} uses {names}, which "
            + (
                "is not a supported strftime directive"
                if len(bad) == 1
                else "are not supported strftime directives"
            ),
            path,
            hint="; ".join(dict.fromkeys(notes))
            + ("; " if notes else "")
            + "supported: "
            + " ".join("%" + d for d in STRFTIME_DIRECTIVES),
        )

    def check_number_format(self, fname: str, fmt: str, dtype: DataType, path: Path) -> None:
        """`format` on a number: one `{…}` in the mini-language number_format reads."""
        from .number_format import NumberFormatError, parse_number_format

        try:
            parsed = parse_number_format(fmt)
        except NumberFormatError as exc:
            hint = exc.hint
            if "%" in fmt and "{" not in fmt:
                hint = f"{fname} is {a_type(dtype)}: a number's format puts the number in " + (
                    "'{}' (strftime's %-directives are for dates and times); " + hint
                )
            self.add("invalid-value", exc.message, path, hint=hint)
            return
        if dtype.kind != "int" and parsed.kind == "d":
            self.add(
                "invalid-value",
                f"format {fmt!r} writes whole numbers ('d'); {fname} is {a_type(dtype)}",
                path,
                hint="write '{:.0f}' to round it to a whole number, or '{:,.2f}' for two "
                "digits after the point",
            )
        elif dtype.kind == "float" and parsed.digits is None and parsed.kind != "%":
            self.add(
                "invalid-value",
                f"format {fmt!r} does not say how many digits after the point to write; "
                f"{fname} is a float",
                path,
                hint=f"write the digits with f: '{{:{parsed.spec}.2f}}'"
                if not parsed.kind
                else "write '{:.2f}' or another number of digits",
            )

    def check_format_type(self, ename: str, fname: str, fmt: str, path: Path) -> None:
        """`format` writes dates, datetimes and times; on anything else the engine ignored
        it, and on a time of day the date directives wrote parts of 1970-01-01."""
        from .number_format import looks_like_number_format

        dtype = self.type_of(ename, fname)
        if dtype is None:
            return
        if dtype.kind not in ("date", "datetime", "time"):
            self.add(
                "invalid-value",
                f"`format` writes dates, datetimes, times and numbers as text; {fname} is "
                f"{a_type(dtype)}, which it would leave unchanged",
                path,
                hint="remove `format`, or give the field a date, datetime, time or number type",
            )
        elif looks_like_number_format(fmt):
            self.add(
                "invalid-value",
                f"format {fmt!r} is a number's; {fname} is {a_type(dtype)}, written with "
                "strftime directives",
                path,
                hint="write the date with %-directives, e.g. '%d/%m/%Y'",
            )
        elif dtype.kind == "time":
            dated = sorted({d for d in re.findall(r"%([A-Za-z])", fmt) if d in _DATE_DIRECTIVES})
            if dated:
                self.add(
                    "invalid-value",
                    f"format {fmt!r} writes the date ({', '.join('%' + d for d in dated)}) of "
                    f"a time of day, which has none (it would be 1970-01-01's)",
                    path,
                    hint="use the time directives %H %M %S %I %p %R %T, or make the field "
                    "a datetime",
                )

    def bound_places(self, ename: str, fname: str, f: FieldSpec) -> list[tuple[Any, Path]]:
        """(bound, where it is written) for each bound the field has."""
        path = self.fpath(ename, fname)
        if f.between is not None:
            return [(f.between[i], (*path, "between", i)) for i in (0, 1)]
        return [(v, (*path, k)) for v, k in ((f.min, "min"), (f.max, "max")) if v is not None]

    def check_bound_values(
        self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None
    ) -> None:
        """Numeric bounds the column can hold: finite, inside int64, whole for a type-alone
        int, within a decimal's digits, non-negative as string lengths."""
        kind = dtype.kind if dtype is not None else None
        type_alone = f.source == "type"
        for value, where in self.bound_places(ename, fname, f):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            name = where[-1] if isinstance(where[-1], str) else f"between[{where[-1]}]"
            if isinstance(value, float) and not math.isfinite(value):
                self.add(
                    "invalid-value",
                    f"{name}={value} is not a finite number",
                    where,
                    hint="write the bound as a plain number",
                )
            elif kind in ("int", "string") and not -(2**63) <= value < 2**63:
                self.add(
                    "invalid-value",
                    f"{name}={value} is beyond the range of 64-bit integers",
                    where,
                    hint="keep integer bounds within ±9223372036854775807",
                )
            elif kind == "int" and type_alone and value != int(value):
                whole = math.ceil(value) if name in ("min", "between[0]") else math.floor(value)
                self.add(
                    "invalid-value",
                    f"{name}={value} is not a whole number, but the field is an int",
                    where,
                    hint=f"write {name.split('[')[0]}: {whole}"
                    if name in ("min", "max")
                    else f"write {whole}",
                )
            elif kind == "decimal" and type_alone and _beyond_precision(value, dtype):
                # the declared type's own bound first: it is the tighter one up to 18 digits
                largest = (
                    Decimal(10) ** (dtype.precision - dtype.scale) - Decimal(10) ** -dtype.scale
                )
                self.add(
                    "invalid-value",
                    f"{name}={value} does not fit {dtype} (largest {largest})",
                    where,
                    hint="declare more digits of precision or narrow the range",
                )
            elif kind == "decimal" and abs(value) * 10**dtype.scale >= 2**63:
                self.add(
                    "invalid-value",
                    f"{name}={value} is beyond the decimals this release generates "
                    f"(64-bit units: below {2**63 / 10**dtype.scale:.4g} at scale {dtype.scale})",
                    where,
                    hint="narrow the range or declare fewer decimal places",
                )
            elif kind == "string" and type_alone and value < 0:
                self.add(
                    "invalid-value",
                    f"{name}={value}: a string length cannot be negative",
                    where,
                    hint="bounds of a type-alone string are its length in characters",
                )

    @staticmethod
    def bounds(f: FieldSpec) -> tuple[Any, Any]:
        if f.between is not None:
            return f.between[0], f.between[1]
        return f.min, f.max

    @staticmethod
    def comparable(value: Any, dtype: DataType | None) -> float | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            if dtype is not None and dtype.kind in ("int", "float", "decimal", "string"):
                try:
                    return float(value)
                except ValueError:
                    return None
            if dtype is not None and dtype.kind == "time":
                try:
                    t = dt.time.fromisoformat(value)
                    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
                except ValueError:
                    return None
            d = _as_date(value)
            if d is not None:
                return (
                    d.replace(tzinfo=None).timestamp()
                    if d.tzinfo
                    else (d - dt.datetime(1970, 1, 1)).total_seconds()
                )
            try:
                return parse_duration(value)
            except ValueError:
                return None
        return None

    # one method per source ------------------------------------------------

    def source_type(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        pass

    def source_sequence(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        if dtype is not None and dtype.kind not in ("int", "decimal", "string"):
            self.add(
                "type-mismatch",
                f"a sequence yields integers, not {dtype}",
                self.fpath(ename, fname, "type"),
            )
        if f.step == 0:
            self.add(
                "invalid-value", "step=0 would repeat one value", self.fpath(ename, fname, "step")
            )

    def source_generator(
        self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None
    ) -> None:
        path = self.fpath(ename, fname)
        spec = registry.get(f.generator)
        if spec is None:
            self.add(
                "unknown-generator",
                f"unknown generator '{f.generator}'",
                (*path, "generator"),
                hint=_generator_hint(f.generator)
                or did_you_mean(f.generator, registry.names())
                or "run `phony generators` for the list",
            )
            return
        try:
            spec.params.model_validate(f.params)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                key = err["loc"][0] if err["loc"] else None
                valid = list(spec.params.model_fields)
                if err["type"] == "extra_forbidden" and isinstance(key, str):
                    self.add(
                        "unknown-key",
                        f"unknown key '{key}' for generator '{f.generator}'",
                        (*path, key),
                        hint=did_you_mean(key, valid + _FIELD_KEYS)
                        or synonym_hint(key)
                        or comma_split_hint(
                            key, [*f.model_dump(by_alias=True).items(), *f.params.items()]
                        )
                        or (
                            f"its parameters: {one_of(valid)}"
                            if valid
                            else "it takes no parameters"
                        ),
                        key=True,
                    )
                else:
                    # pydantic's prefix for a ValueError raised in a validator says nothing
                    msg = err["msg"].removeprefix("Value error, ")
                    if not key:  # a check of several parameters: point at the first it names
                        named = [
                            (m.start(), k)
                            for k in f.params or {}
                            if (m := re.search(rf"\b{re.escape(k)}\b", msg)) is not None
                        ]
                        key = min(named)[1] if named else None
                        where = (*path, key) if key else path
                    else:
                        msg, where = f"{key}: {msg}", (*path, key)
                    self.add("bad-generator-param", msg, where)
            return
        for param in spec.params.field_paths:
            text = (f.params or {}).get(param)
            if isinstance(text, str):
                self.generator_field_path(ename, fname, f, param, text)
        self.one_gender_per_person(ename, fname, f)
        self.one_age_range_per_person(ename, fname, f)

    def generator_field_path(
        self, ename: str, fname: str, f: FieldSpec, param: str, text: str
    ) -> None:
        """A parameter naming another field: it resolves and is text (naming the field
        itself is a field-cycle, reported with the others)."""
        path = (*self.fpath(ename, fname), param)
        target = self.resolve_path(ename, text, path, param)
        if target is None:
            return
        dtype = self.formatted_type(*target)
        if dtype is not None and dtype.kind != "string":
            self.add(
                "type-mismatch",
                f"{param} '{text}' is {a_type(dtype)}; {f.generator} needs text",
                path,
                hint="name a text field, such as a company.domain",
            )

    def one_age_range_per_person(self, ename: str, fname: str, f: FieldSpec) -> None:
        """A row's age and birth date describe one person: their bounds cannot disagree."""
        params = f.params or {}
        if f.generator not in AGE_GENERATORS or not ("min_age" in params or "max_age" in params):
            return
        mine = (params.get("min_age", 18), params.get("max_age", 80))
        for other_name, other in self.doc.entities[ename].fields.items():
            if other_name == fname:
                return
            theirs = other.params or {}
            if (
                other.generator in AGE_GENERATORS
                and other.link == f.link
                and ("min_age" in theirs or "max_age" in theirs)
                and (theirs.get("min_age", 18), theirs.get("max_age", 80)) != mine
            ):
                self.add(
                    "bad-generator-param",
                    f"ages {mine[0]}..{mine[1]} contradict {other_name}'s "
                    f"{theirs.get('min_age', 18)}..{theirs.get('max_age', 80)}; a row's age "
                    "and birth date describe one person",
                    (*self.fpath(ename, fname), "min_age" if "min_age" in params else "max_age"),
                    hint="set the bounds on one of them (the other follows), or `link: <name>` "
                    "for a second person",
                )
                return

    def row_gender(self, ename: str, link: str | None) -> str | None:
        """The sex a field of this entity and link sets with `gender`, if any (the engine
        gives it to every record of the row)."""
        for other in self.doc.entities[ename].fields.values():
            gender = (other.params or {}).get("gender") if other.generator else None
            if gender in ("female", "male") and (other.link or None) == (link or None):
                return gender
        return None

    def row_age_bounds(self, ename: str, link: str | None) -> tuple[int, int] | None:
        """(min_age, max_age) a person.age or person.birth_date field of this link sets."""
        for other in self.doc.entities[ename].fields.values():
            params = other.params or {}
            if (
                other.generator in AGE_GENERATORS
                and (other.link or None) == (link or None)
                and ("min_age" in params or "max_age" in params)
            ):
                return int(params.get("min_age", 18)), int(params.get("max_age", 80))
        return None

    def one_gender_per_person(self, ename: str, fname: str, f: FieldSpec) -> None:
        """`gender` sets the sex of the row's person (per link): two fields cannot disagree."""
        gender = (f.params or {}).get("gender")
        if gender not in ("female", "male"):
            return
        for other_name, other in self.doc.entities[ename].fields.items():
            if other_name == fname:
                return
            theirs = (other.params or {}).get("gender") if other.generator else None
            if theirs in ("female", "male") and theirs != gender and other.link == f.link:
                self.add(
                    "bad-generator-param",
                    f"gender: '{gender}' contradicts '{theirs}' on {other_name}; the fields of "
                    "a row describe one person",
                    (*self.fpath(ename, fname), "gender"),
                    hint="use the same gender, or `link: <name>` on one of them for a second "
                    "person in the row",
                )
                return

    def check_choice_weights(self, choice: dict[str, float], path: Path) -> bool:
        """The weights of a `choice` mapping (a field's or a per-parent count's): finite,
        >= 0 and not all zero. False when the mapping is empty."""
        if not choice:
            self.add("bad-weights", "`choice` is empty", path, hint="list at least one value")
            return False
        for value, weight in choice.items():
            if not math.isfinite(weight):
                self.add(
                    "bad-weights",
                    f"weight {weight:g} of '{value}' is not a finite number",
                    (*path, value),
                    hint="weights are counts or shares, e.g. 3 or 0.25",
                )
            elif weight < 0:
                self.add(
                    "bad-weights", f"weight {weight:g} of '{value}' is negative", (*path, value)
                )
        if all(w == 0 for w in choice.values()):
            self.add(
                "bad-weights",
                "all choice weights are zero",
                path,
                hint="give some value a weight > 0",
            )
        return True

    def source_choice(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "choice")
        choice = f.choice
        if isinstance(choice, dict):
            if not self.check_choice_weights(choice, path):
                return
            values = list(choice)
        else:
            if not choice:
                self.add("bad-weights", "`choice` is empty", path, hint="list at least one value")
                return
            values = choice
        for i, v in enumerate(values):  # a list's whole numbers are ints, typed or not
            whole = isinstance(v, int) and not isinstance(v, bool)
            if dtype is not None and dtype.kind == "int":
                whole = whole or (isinstance(v, str) and self.fits(v, dtype))
            typed_int = dtype is None or dtype.kind == "int"
            if whole and typed_int and not -(2**63) <= int(v) < 2**63:
                self.add(
                    "invalid-value",
                    f"choice value {v!r} is beyond a 64-bit integer",
                    (*path, v) if isinstance(choice, dict) else (*path, i),
                    hint="quote it to keep it as text",
                )
        if dtype is not None:
            for i, v in enumerate(values):
                p = (*path, v) if isinstance(choice, dict) else (*path, i)
                if not self.fits(v, dtype):
                    self.add("type-mismatch", f"choice value {v!r} is not {a_type(dtype)}", p)
                elif dtype.kind == "decimal" and _decimal_units_too_wide(v, dtype):
                    self.add(
                        "invalid-value",
                        f"choice value {v!r} is beyond the decimals this release generates "
                        "(64-bit units)",
                        p,
                        hint="declare fewer decimal places",
                    )

    def source_distribution(
        self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None
    ) -> None:
        path = self.fpath(ename, fname)
        if dtype is not None and not dtype.numeric:
            self.add(
                "type-mismatch",
                f"a distribution yields numbers, not {dtype}",
                (*path, "type"),
                hint="use type: int, float or decimal(p,s)",
            )
        lo, hi = self.bounds(f)
        places = ((*path, "between", 0), (*path, "between", 1)) if f.between is not None else None
        self.check_dist_params(f.distribution, f.params, path, lo, hi, clip=f.clip, places=places)
        a, b = self.comparable(lo, None), self.comparable(hi, None)
        family = distributions.REGISTRY.get(f.distribution)
        discrete = family is not None and family.discrete  # check_whole_range covers those
        rounded = dtype is not None and dtype.kind == "int" and not discrete
        if rounded and a is not None and b is not None and a <= b < math.ceil(a):
            self.add(  # a continuous family rounded to int, with no whole number to round to
                "bad-distribution-param",
                f"no whole number lies between min={lo} and max={hi}, and the field is of type int",
                places[0] if places else (*path, "min"),
                hint=f"widen the bounds to hold one, such as `min: {math.floor(b)}` or "
                f"`max: {math.ceil(a)}`, or use type: float",
            )

    def check_dist_params(
        self,
        name: str | None,
        params: dict,
        path: Path,
        lo: Any,
        hi: Any,
        durations: bool = False,
        *,
        clip: bool = False,
        places: tuple[Path, Path] | None = None,
        outer: tuple[Any, Any] = (None, None),
    ) -> Any:
        """Check a distribution's parameters against its family and bounds; the parsed
        parameters when they are valid, else None. `places` says where `min` and `max` are
        written (default: the keys `min` and `max` under `path`)."""
        places = places or ((*path, "min"), (*path, "max"))
        d = distributions.REGISTRY.get(name or "")
        if d is None:
            self.add(
                "unknown-distribution",
                f"unknown distribution '{name}'",
                (*path, "distribution"),
                hint=did_you_mean(name or "", distributions.REGISTRY)
                or f"known: {one_of(distributions.REGISTRY)}",
            )
            return None
        values = dict(params)
        if durations:
            for k, v in values.items():
                if isinstance(v, str):
                    try:
                        values[k] = parse_duration(v)
                    except ValueError as exc:
                        self.add("bad-duration", str(exc), (*path, k), hint=duration_help(v))
                        return None
        valid = list(d.params.model_fields)
        if d.needs_bounds and (lo is None or hi is None):
            self.add(
                "bad-distribution-param",
                f"distribution '{name}' needs `min` and `max`",
                (*path, "distribution"),
                hint="add `min:` and `max:` (or `between: [a, b]`)",
            )
        if name == "mixture":
            self.check_mixture(values, path, durations, lo, hi, clip, places)
            return None
        try:
            parsed = d.params.model_validate(values)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            missing = [e["loc"][0] for e in errors if e["type"] == "missing" and e["loc"]]
            unknown = [e["loc"][0] for e in errors if e["type"] == "extra_forbidden" and e["loc"]]
            meant: set[str] = set()  # missing parameters an unknown key is taken for
            for err in errors:
                key = err["loc"][0] if err["loc"] else (err.get("ctx") or {}).get("name")
                if err["type"] == "extra_forbidden":
                    # `poisson` with `lambda: 3`: the name is the problem, not a missing `mean`
                    other = distributions.other_name(name, str(key))
                    hint = f"did you mean '{other}'?" if other in valid else None
                    hint = hint or did_you_mean(str(key), valid + _FIELD_KEYS)
                    hint = hint or synonym_hint(str(key))
                    if hint is None and len(unknown) == 1 and len(missing) == 1:
                        other = missing[0]
                        hint = f"did you mean '{other}'?"
                    if hint is not None and other in missing:
                        meant.add(other)
                    self.add(
                        "unknown-key",
                        f"unknown key '{key}' for distribution '{name}'",
                        (*path, key),
                        hint=hint
                        or (
                            f"its parameters: {one_of(valid)}"
                            if valid
                            else "it takes no parameters"
                        ),
                        key=True,
                    )
            for err in errors:
                key = err["loc"][0] if err["loc"] else (err.get("ctx") or {}).get("name")
                if err["type"] == "extra_forbidden" or (err["type"] == "missing" and key in meant):
                    continue
                if err["type"] == "missing":
                    self.add(
                        "bad-distribution-param",
                        f"distribution '{name}' needs `{key}`",
                        (*path, "distribution"),
                        hint=f"its parameters: {one_of(valid)}",
                    )
                else:
                    self.add(
                        "bad-distribution-param",
                        f"{name}: {err['msg']}",
                        (*path, key) if isinstance(key, str) else (*path, "distribution"),
                        hint=(err.get("ctx") or {}).get("hint"),
                    )
            return None
        if name == "triangular" and lo is not None and hi is not None:
            a, b = self.comparable(lo, None), self.comparable(hi, None)
            if a is not None and b is not None and not (a <= parsed.mode <= b):
                self.add(
                    "bad-distribution-param",
                    f"mode={parsed.mode} lies outside [{lo}, {hi}]",
                    (*path, "mode"),
                )
        if name == "beta" and (lo is None) != (hi is None):
            # One bound: the other is beta's default (0 or 1), which it may pass.
            a, b = self.comparable(lo, None), self.comparable(hi, None)
            if a is not None and a > 1:
                self.add(
                    "min-greater-than-max",
                    f"min={lo!r} is greater than beta's default max=1",
                    places[0],
                    hint="give `max` as well, or a `min` of 1 or less",
                )
            if b is not None and b < 0:
                self.add(
                    "min-greater-than-max",
                    f"max={hi!r} is less than beta's default min=0",
                    places[1],
                    hint="give `min` as well, or a `max` of 0 or more",
                )
        self.check_support(name, parsed, lo, hi, places, clip, durations)
        self.check_whole_range(name, lo, hi, places)
        outer_lo, outer_hi = outer
        self.check_exact(
            name,
            parsed,
            lo if lo is not None else outer_lo,
            hi if hi is not None else outer_hi,
            path,
            places,
        )
        return parsed

    def check_exact(
        self, name: str, parsed: Any, lo: Any, hi: Any, path: Path, places: tuple[Path, Path]
    ) -> None:
        """Count draws above 2**53 are not whole numbers a double holds exactly: the inverse
        CDF's bisection stopped there and every draw of `poisson` with mean 1e16 was
        2**54. Parameters (or a `min`) that reach past it are rejected."""
        top = distributions.largest_draw(name, parsed)
        if top is None:
            return
        value, param = top
        a, b = self.comparable(lo, None), self.comparable(hi, None)
        if b is not None:
            value = min(value, math.floor(b))
        if a is not None and math.ceil(a) > value:
            value, where = math.ceil(a), places[0]
        else:
            where = (*path, param)
        if value <= distributions.EXACT:
            return
        self.add(
            "bad-distribution-param",
            f"distribution '{name}' would draw values up to about {value:.3g}, beyond 2^53 "
            "(9007199254740992): above it a 64-bit float holds only some whole numbers, "
            "so the draws would not be exact",
            where,
            hint="lower `min` to 9007199254740992 or less"
            if where == places[0]
            else "set `max` to 9007199254740992 or less, or choose parameters whose values "
            "stay below it",
        )

    def check_whole_range(
        self, name: str, lo: Any, hi: Any, places: tuple[Path, Path], what: str | None = None
    ) -> None:
        """A count family's bounds must hold a whole number: it draws from ceil(min) to
        floor(max), and `min: 2.5, max: 2.7` leaves none (truncating or clipping)."""
        d = distributions.REGISTRY.get(name)
        a, b = self.comparable(lo, None), self.comparable(hi, None)
        if d is None or not d.discrete or a is None or b is None or a > b:
            return
        if math.ceil(a) <= math.floor(b):
            return
        what = what or f"distribution '{name}'"
        self.add(
            "bad-distribution-param",
            f"no whole number lies between min={lo} and max={hi}, and {what} draws only "
            "whole numbers",
            places[0],
            hint=f"widen the bounds to hold one, such as `min: {math.floor(b)}` or "
            f"`max: {math.ceil(a)}`",
        )

    def check_support(
        self,
        name: str,
        parsed: Any,
        lo: Any,
        hi: Any,
        places: tuple[Path, Path],
        clip: bool,
        durations: bool,
        what: str | None = None,
    ) -> None:
        """Truncation bounds that miss every value of the distribution (`max` below a
        pareto's `scale`, `min` above a binomial's `n`, …): nothing is left to draw, and
        sampling used to write the bound on every row. A bound that only touches the range
        (`max` equal to the smallest value) leaves that one value, like `min` == `max`.
        With `clip: true` every value becoming the bound is what was asked for."""
        support = None if clip else distributions.support(name, parsed)
        if support is None:
            return
        smallest, largest = support
        what = what or f"distribution '{name}'"
        unit = " s" if durations else ""
        a, b = self.comparable(lo, None), self.comparable(hi, None)
        if b is not None and b < smallest:
            self.add(
                "bad-distribution-param",
                f"max={hi} is below every value of {what}, the smallest being {smallest:g}{unit}",
                places[1],
                hint=f"`min` and `max` truncate: raise `max` to {smallest:g}{unit} or more, "
                "or change the parameters",
            )
        if a is not None and a > largest:
            self.add(
                "bad-distribution-param",
                f"min={lo} is above every value of {what}, the largest being {largest:g}{unit}",
                places[0],
                hint=f"`min` and `max` truncate: lower `min` to {largest:g}{unit} or less, "
                "or change the parameters",
            )

    def check_mixture(
        self,
        values: dict,
        path: Path,
        durations: bool,
        lo: Any,
        hi: Any,
        clip: bool,
        places: tuple[Path, Path],
    ) -> None:
        comps = values.get("components")
        if not isinstance(comps, list) or not comps:
            self.add(
                "bad-distribution-param",
                "a mixture needs `components`: a list of distributions with a `weight` each",
                (*path, "distribution"),
            )
            return
        weights = []
        for i, comp in enumerate(comps):
            cpath = (*path, "components", i)
            if not isinstance(comp, dict) or "distribution" not in comp:
                self.add("bad-distribution-param", "each component needs a `distribution`", cpath)
                continue
            comp = dict(comp)
            w = comp.pop("weight", 1)
            if isinstance(w, float) and not math.isfinite(w):
                self.add(
                    "bad-distribution-param",
                    f"weight={w} must be a finite number (not NaN or infinity)",
                    (*cpath, "weight"),
                    hint="write a finite number",
                )
            elif not isinstance(w, int | float) or isinstance(w, bool) or w < 0:
                self.add("bad-weights", f"weight {w!r} must be a number >= 0", (*cpath, "weight"))
            else:
                weights.append(w)
            name = comp.pop("distribution")
            c_lo, c_hi = comp.pop("min", None), comp.pop("max", None)
            if name == "mixture":
                self.add("bad-distribution-param", "mixtures cannot nest", (*cpath, "distribution"))
                continue
            a, b = self.comparable(c_lo, None), self.comparable(c_hi, None)
            unreadable = [
                (key, v)
                for key, v, n in (("min", c_lo, a), ("max", c_hi, b))
                if v is not None and n is None
            ]
            for key, v in unreadable:
                self.add(
                    "type-mismatch",
                    f"bound {v!r} of mixture component {i} is not a "
                    + ("duration" if durations else "number"),
                    (*cpath, key),
                    hint="write a duration such as 90m" if durations else "write a number",
                )
            if unreadable:
                continue
            if a is not None and b is not None and a > b:
                self.add(
                    "min-greater-than-max",
                    f"min={c_lo!r} is greater than max={c_hi!r}",
                    (*cpath, "min"),
                    hint="swap them",
                )
                continue
            # its own bound against the field's other one: nothing left between them
            f_lo, f_hi = self.comparable(lo, None), self.comparable(hi, None)
            for own, other, key, word in ((a, f_hi, "min", "max"), (b, f_lo, "max", "min")):
                if clip or own is None or other is None:
                    continue
                if (key == "min" and own > other) or (key == "max" and own < other):
                    self.add(
                        "min-greater-than-max",
                        f"mixture component {i} has {key}={c_lo if key == 'min' else c_hi!r} "
                        f"beyond the field's {word}={hi if word == 'max' else lo!r}: it has no "
                        "values to draw",
                        (*cpath, key),
                        hint=f"bring the component's {key} inside the field's bounds, or drop it",
                    )
            parsed = self.check_dist_params(
                name, comp, cpath, c_lo, c_hi, durations, clip=clip, outer=(lo, hi)
            )
            # A component without its own bounds is truncated by the field's (see sampling).
            inherited_lo = lo if c_lo is None else None
            inherited_hi = hi if c_hi is None else None
            if parsed is not None and (inherited_lo is not None or inherited_hi is not None):
                self.check_whole_range(
                    name,
                    c_lo if c_lo is not None else lo,
                    c_hi if c_hi is not None else hi,
                    places if c_lo is None else ((*cpath, "min"), (*cpath, "max")),
                    f"mixture component {i} ('{name}')",
                )
            if parsed is not None:
                self.check_support(
                    name,
                    parsed,
                    inherited_lo,
                    inherited_hi,
                    places,
                    clip,
                    durations,
                    f"mixture component {i} ('{name}')",
                )
        if weights and sum(weights) <= 0:
            self.add("bad-weights", "all mixture weights are zero", (*path, "components"))

    def source_const(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        if dtype is not None and f.const is not None and not self.fits(f.const, dtype):
            self.add(
                "type-mismatch",
                f"const {f.const!r} is not {a_type(dtype)}",
                self.fpath(ename, fname, "const"),
            )
        elif (
            dtype is not None
            and dtype.kind == "decimal"
            and _decimal_units_too_wide(f.const, dtype)
        ):
            self.add(
                "invalid-value",
                f"const {f.const!r} is beyond the decimals this release generates (64-bit units)",
                self.fpath(ename, fname, "const"),
                hint="declare fewer decimal places",
            )
        elif (
            dtype is not None
            and dtype.kind == "decimal"
            and isinstance(f.const, int | float)
            and not isinstance(f.const, bool)
            and 0 < dtype.precision <= 38
            and round(abs(f.const) * 10**dtype.scale) >= 10**dtype.precision
        ):
            self.add(
                "invalid-value",
                f"const {f.const!r} does not fit {dtype}",
                self.fpath(ename, fname, "const"),
                hint="declare more digits of precision",
            )

    def source_pattern(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "pattern")
        try:
            parse_pattern(f.pattern)
        except PatternError as exc:
            self.add(
                "bad-pattern",
                str(exc),
                path,
                hint="see spec/pdl.md#pattern for the supported subset",
                span=self.offset_span(path, exc.offset),
            )

    def offset_span(self, path: Path, offset: int, length: int = 1) -> Span:
        """The span of `length` characters inside a scalar (quoted scalars start one column
        later)."""
        node = self.loc.node(path)
        span = node.span
        plain = getattr(node, "plain", True)
        if span.line != span.end_line or span.line == 0:
            return span
        col = span.column + offset + (0 if plain else 1)
        return Span(span.file, span.line, col, span.line, col + max(1, length))

    def source_template(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "template")
        entity = self.doc.entities[ename]
        try:
            parts = parse_template(f.template)
        except TemplateError as exc:
            self.add("bad-template", str(exc), path, span=self.offset_span(path, exc.offset))
            return
        for kind, name in parts:
            if kind == "field" and name not in entity.fields:
                self.add(
                    "bad-template",
                    f"template names '{{{name}}}', which is not a field of '{ename}'",
                    path,
                    hint=did_you_mean(name, entity.fields) or f"fields: {one_of(entity.fields)}",
                    span=self.offset_span(path, f.template.find("{" + name)),
                )
            elif kind == "field" and name == fname:
                self.add("field-cycle", f"template of '{fname}' uses '{fname}' itself", path)

    def resolve_ref(self, text: str, path: Path) -> tuple[str, str] | None:
        if text.count(".") != 1:
            self.add(
                "invalid-value",
                f"ref '{text}' should be `entity.field`",
                path,
                hint=f"e.g. `ref: {text}.id`"
                if text in self.doc.entities
                else "e.g. `ref: customers.id`",
            )
            return None
        ent, fld = text.split(".")
        if ent not in self.doc.entities:
            self.add(
                "unknown-entity",
                f"ref '{text}' names entity '{ent}', which does not exist",
                path,
                hint=did_you_mean(ent, self.doc.entities)
                or f"entities: {one_of(self.doc.entities)}",
            )
            return None
        if fld not in self.doc.entities[ent].fields:
            self.add(
                "unknown-field",
                f"ref '{text}' names field '{fld}', which '{ent}' does not have",
                path,
                hint=did_you_mean(fld, self.doc.entities[ent].fields)
                or f"fields of {ent}: {one_of(self.doc.entities[ent].fields)}",
            )
            return None
        return ent, fld

    def source_ref(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "ref")
        if isinstance(f.pick, ZipfPick) and not (f.pick.zipf > 0 and math.isfinite(f.pick.zipf)):
            self.add(
                "invalid-value",
                f"zipf={f.pick.zipf} must be a positive exponent",
                self.fpath(ename, fname, "pick", "zipf"),
                hint="1.0–1.5 gives a realistic popularity skew",
            )
        target = self.resolve_ref(f.ref, path)
        if target is None:
            return
        ent, fld = target
        if fld not in self.key_fields(ent):
            self.add(
                "ref-not-key",
                f"ref '{f.ref}' points at '{fld}', which is neither the primary key nor unique",
                path,
                hint=f"reference the key of '{ent}', or mark '{fld}' `unique: true`",
            )
        if (ent, fld) == (ename, fname):
            self.add("field-cycle", f"'{fname}' references itself", path)
            return
        key_null_rate = self.doc.entities[ent].fields[fld].null_rate
        per_parent = ent != ename and graph_mod.per_parent_fk(self.doc, ename) == fname
        if key_null_rate and per_parent:
            # The expansion makes children for every parent row, those whose key is NULL too.
            self.add(
                "invalid-value",
                f"'{fname}' takes the key of the '{ent}' row its rows are made for, but "
                f"{f.ref} has a null_rate: the rows made for a NULL key would point at no row",
                path,
                hint=f"reference a key of '{ent}' without null_rate, or drop the null_rate "
                f"of {f.ref}",
            )
        elif per_parent and (why := null_source(self.doc, ent, fld)) is not None:
            self.add(
                "invalid-value",
                f"'{fname}' takes the key of the '{ent}' row its rows are made for, but "
                f"{f.ref} can be NULL ({why}): the rows made for a NULL key would point at "
                "no row",
                path,
                hint=f"reference a key of '{ent}' that is never NULL, or make {f.ref} "
                "always set a value",
            )
        if ent == ename and f.unique and f.nullable is False:
            self.add(
                "invalid-value",
                "a unique self-reference cannot be `nullable: false`: row i points at row "
                "i - 1, and the first row, with no row before it, could only point at itself, "
                "as the second row does",
                self.fpath(ename, fname, "nullable"),
                hint="drop `nullable: false` (the first row's reference is then NULL), or "
                "point every row at itself with an `expr` of the key",
            )
        target_type = self.formatted_type(ent, fld)  # a formatted key is text
        if dtype is not None and target_type is not None and dtype != target_type:
            # Exactly the key's type: PostgreSQL refuses a FOREIGN KEY from numeric to
            # bigint ("cannot be implemented"), MariaDB one between DECIMALs of another
            # size (errno 150).
            numbers = {dtype.kind, target_type.kind} <= {"int", "decimal"}
            self.add(
                "fk-type-mismatch",
                f"'{fname}' is {dtype} but the key it references, {ent}.{fld}, is {target_type}",
                self.fpath(ename, fname, "type"),
                hint="remove `type` (a foreign key takes its key's type)"
                + (
                    f", or declare `type: {target_type}`: databases refuse a foreign key "
                    "between number columns of different types"
                    if numbers
                    else " or make them match"
                ),
            )

    def resolve_path(self, ename: str, text: str, path: Path, what: str) -> tuple[str, str] | None:
        """`field` or `fk_field.parent_field` → (entity, field) of the value."""
        entity = self.doc.entities[ename]
        head, _, rest = text.partition(".")
        if head not in entity.fields:
            # a parent's field reached through a key (`user_id.created_at`), or a near name;
            # never the field itself
            through = [
                f"{k}.{head}"
                for k, f in entity.fields.items()
                if f.ref and f.ref.split(".")[0] in self.doc.entities
                and head in self.doc.entities[f.ref.split(".")[0]].fields
            ]  # fmt: skip
            others = [n for n in entity.fields if n != path_field(path)]
            hint = (
                f"the parent's field goes through its key: `{through[0]}`"
                if through
                else did_you_mean(head, others) or f"fields: {one_of(others)}"
            )
            self.add(
                "unknown-field",
                f"{what} '{text}' names '{head}', which is not a field of '{ename}'",
                path,
                hint=hint,
            )
            return None
        if not rest:
            return ename, head
        fk = entity.fields[head]
        if fk.ref is None:
            self.add(
                "invalid-value",
                f"{what} '{text}' goes through '{head}', which is not a foreign key",
                path,
                hint=f"`{head}` needs `ref: entity.key` to look values up through it",
            )
            return None
        parent = fk.ref.split(".")[0]
        if parent not in self.doc.entities:
            return None  # reported on the ref itself
        if rest not in self.doc.entities[parent].fields:
            self.add(
                "unknown-field",
                f"{what} '{text}' names '{rest}', which '{parent}' does not have",
                path,
                hint=did_you_mean(rest, self.doc.entities[parent].fields)
                or f"fields of {parent}: {one_of(self.doc.entities[parent].fields)}",
            )
            return None
        return parent, rest

    def source_from(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "from")
        if "." not in f.from_:
            self.add(
                "invalid-value",
                f"from '{f.from_}' should be `fk_field.parent_field`",
                path,
                hint="e.g. `from: product_id.price`",
            )
            return
        target = self.resolve_path(ename, f.from_, path, "from")
        if target is not None:
            self.check_not_formatted(target, f"from: {f.from_}", path)

    def check_not_formatted(self, target: tuple[str, str], what: str, path: Path) -> None:
        """`from`/`after`/`before` read a field's typed value, which a `format` has replaced
        by text."""
        entity, field_name = target
        fmt = self.doc.entities[entity].fields[field_name].format
        if fmt is not None:
            dtype = self.type_of(entity, field_name)
            typed = "numbers" if dtype is not None and dtype.numeric else "dates"
            self.add(
                "type-mismatch",
                f"`{what}` reads {entity}.{field_name}, which has `format: {fmt}`: its values "
                f"are text, not {typed}",
                path,
                hint=f"keep {entity}.{field_name} unformatted and format the copy instead "
                f"(`{{{what}, format: '{fmt}'}}`)",
            )

    def source_after(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        self.relative_time(ename, fname, f, "after")

    def source_before(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        self.relative_time(ename, fname, f, "before")

    def relative_time(self, ename: str, fname: str, f: FieldSpec, key: str) -> None:
        path = self.fpath(ename, fname)
        target = self.resolve_path(ename, getattr(f, key), (*path, key), key)
        if target is not None:
            self.check_not_formatted(target, f"{key}: {getattr(f, key)}", (*path, key))
            ttype = self.type_of(*target)
            if ttype is not None and ttype.kind not in ("date", "datetime"):
                self.add(
                    "type-mismatch",
                    f"`{key}: {getattr(f, key)}` needs a date or datetime, but it is {ttype}",
                    (*path, key),
                )
        self.check_gap(f.gap, (*path, "gap"), required=False)

    def check_gap(self, gap: Any, path: Path, required: bool = True) -> None:
        if gap is None:
            return
        if isinstance(gap, str | int | float) and not isinstance(gap, bool):
            try:
                parse_duration(gap)
            except ValueError as exc:
                self.add("bad-duration", str(exc), path, hint=duration_help(gap))
            return
        if isinstance(gap, DistSpec):
            seconds = {}
            for key in ("min", "max"):
                value = getattr(gap, key)
                if value is not None:
                    try:
                        seconds[key] = parse_duration(value)
                    except ValueError as exc:
                        self.add("bad-duration", str(exc), (*path, key), hint=duration_help(value))
            if len(seconds) == 2 and seconds["min"] > seconds["max"]:
                self.add(
                    "min-greater-than-max",
                    f"gap min={gap.min} is longer than max={gap.max}",
                    (*path, "min"),
                    hint="swap them",
                )
            if gap.distribution is None:
                if gap.min is None or gap.max is None:
                    key = str(path[-1])  # `gap`, or a timeline state's `after`
                    what = "a gap" if key == "gap" else "a state's `after`"
                    self.add(
                        "missing-key",
                        f"{what} needs a `distribution` or `min` and `max`",
                        path,
                        hint=f"e.g. `{key}: {{distribution: exponential, mean: 2h}}` "
                        f"or `{key}: {{min: 1h, max: 1d}}`",
                    )
                return
            self.check_dist_params(
                gap.distribution, gap.params, path, gap.min, gap.max, durations=True, clip=gap.clip
            )

    def source_expr(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        path = self.fpath(ename, fname, "expr")
        entity = self.doc.entities[ename]
        try:
            tree = expr_mod.parse_expr(f.expr)
        except expr_mod.ExprError as exc:
            self.add("bad-expression", str(exc), path, hint=exc.hint)
            return
        for name in expr_mod.columns(tree):
            if "." in name:
                self.add(
                    "bad-expression",
                    f"'{name}' reads another entity; an expr sees only its own row",
                    path,
                    hint="bring the value in with a `from:` field (it can be `hidden: true`)",
                )
            elif name not in entity.fields:
                self.add(
                    "bad-expression",
                    f"expression names '{name}', which is not a field of '{ename}'",
                    path,
                    hint=did_you_mean(name, entity.fields) or f"fields: {one_of(entity.fields)}",
                )
        self.try_expr(ename, tree, path)

    def check_window_defaults(self, ename: str, tree: Any, path: Path) -> None:
        """LAG(x, n, default): the default must be a value of x's type (a number for numbers,
        text for text)."""
        from sqlglot import exp

        for func in tree.find_all(exp.Lag, exp.Lead):
            default = func.args.get("default")
            target = func.this
            if default is None or not isinstance(target, exp.Column):
                continue
            literal = default.this if isinstance(default, exp.Neg) else default
            if (
                not isinstance(literal, exp.Literal)
                or target.name not in self.doc.entities[ename].fields
            ):
                continue
            kind = self.type_of(ename, target.name)
            if kind is None:
                continue
            numeric = kind.kind in ("int", "float", "decimal")
            if (numeric and literal.is_string) or (not numeric and not literal.is_string):
                self.add(
                    "bad-expression",
                    f"the default {default.sql()} of {func.sql_name()}({target.name}) is not "
                    f"{a_type(kind)}, the type of {target.name}",
                    path,
                    hint="give a default of that type, or leave it out and use COALESCE(…)",
                )

    def try_expr(self, ename: str, tree: Any, path: Path) -> None:
        """Run the expression on two made-up rows of its inputs' types (see expr_trial)."""
        from sqlglot import exp

        from .expr_trial import trial_problem

        if any(isinstance(node, exp.Window) for node in tree.walk()):
            self.check_window_defaults(ename, tree, path)
            return  # windows need the whole entity; the rest is checked as it is generated
        names = expr_mod.columns(tree)
        if any("." in n or n not in self.doc.entities[ename].fields for n in names):
            return  # already reported
        fields = self.doc.entities[ename].fields
        inputs = {n: self.formatted_type(ename, n) for n in names}
        if any(t is None for t in inputs.values()):
            return
        problem = trial_problem(tree, inputs)
        if problem is not None and problem.offset is not None:  # a literal, pointed at
            self.add(
                "bad-expression",
                problem.message,
                path,
                hint=problem.hint,
                span=self.offset_span(path, problem.offset, problem.length),
            )
        elif problem is not None:
            formatted = [n for n in names if inputs[n] is STRING and fields[n].format is not None]
            hint = (
                f"{formatted[0]} is text once `format: '{fields[formatted[0]].format}'` "
                f"writes it: keep it unformatted and hidden (`_{formatted[0]}`), compute "
                f"from that, and write `{formatted[0]}: {{expr: _{formatted[0]}, format: …}}`"
                if formatted
                else "the result leaves the 64-bit integer range "
                "(-9223372036854775808 to 9223372036854775807): use smaller numbers, "
                "or CAST(… AS DOUBLE) for an approximate value"
                if problem.message == "overflow"
                else "CAST the operands to the types the operation takes, e.g. "
                "CAST(code AS INT) + 1"
            )
            self.add(
                "bad-expression",
                f"the expression cannot be evaluated: {problem.message}",
                path,
                hint=hint,
            )

    def source_aggregate(
        self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None
    ) -> None:
        path = self.fpath(ename, fname, "aggregate")
        try:
            agg = expr_mod.parse_aggregate(f.aggregate)
        except expr_mod.ExprError as exc:
            self.add("bad-aggregate", str(exc), path, hint=exc.hint)
            return
        if agg.child not in self.doc.entities:
            self.add(
                "unknown-entity",
                f"aggregate reads entity '{agg.child}', which does not exist",
                path,
                hint=did_you_mean(agg.child, self.doc.entities)
                or f"entities: {one_of(self.doc.entities)}",
            )
            return
        child = self.doc.entities[agg.child]
        if agg.field is not None and agg.field not in child.fields:
            self.add(
                "unknown-field",
                f"aggregate reads '{agg.child}.{agg.field}', which does not exist",
                path,
                hint=did_you_mean(agg.field, child.fields)
                or f"fields of {agg.child}: {one_of(child.fields)}",
            )
        for col in agg.filter_columns:
            parts = col.split(".")
            if (len(parts) == 2 and parts[0] != agg.child) or parts[-1] not in child.fields:
                self.add(
                    "bad-aggregate",
                    f"FILTER reads '{col}', which is not a field of '{agg.child}'",
                    path,
                )
        fks = [n for n, cf in child.fields.items() if cf.ref and cf.ref.split(".")[0] == ename]
        if f.via is not None:
            if f.via not in fks:
                self.add(
                    "bad-aggregate",
                    f"via '{f.via}' is not a foreign key from '{agg.child}' to '{ename}'",
                    self.fpath(ename, fname, "via"),
                    hint=f"foreign keys to {ename}: {one_of(fks)}" if fks else None,
                )
        elif not fks:
            self.add(
                "bad-aggregate",
                f"'{agg.child}' has no foreign key to '{ename}', so it has no rows per {ename} row",
                path,
                hint=self.no_fk_hint(ename, agg.child),
            )
        elif len(fks) > 1:
            self.add(
                "bad-aggregate",
                f"'{agg.child}' has {len(fks)} foreign keys to '{ename}': {', '.join(fks)}",
                path,
                hint="say which one with `via:`",
            )
        if agg.field is None or agg.field in child.fields:
            self.check_aggregate_types(ename, fname, agg, dtype)

    def no_fk_hint(self, ename: str, child: str) -> str:
        """How to give an aggregate child rows: never a `ref` to a field that does not exist."""
        entity = self.doc.entities[ename]

        def parents(e: str) -> list[str]:
            fields = self.doc.entities[e].fields.values()
            return [f.ref.split(".")[0] for f in fields if f.ref and "." in f.ref]

        shared = [p for p in dict.fromkeys(parents(child)) if p != ename and p in parents(ename)]
        if shared:  # siblings under one parent: the parent is where their rows meet
            return (
                f"'{child}' and '{ename}' both reference '{shared[0]}': put the aggregate on "
                f"'{shared[0]}' (and copy it here with `from`)"
            )
        pk = entity.primary_key if entity.primary_key is not None else "id"
        keys = self.key_fields(ename)
        key = pk if isinstance(pk, str) and pk in keys else min(keys, default=None)
        if key is None:
            return f"give '{ename}' a key (`id: {{sequence: 1}}`) and add `{{ref: {ename}.id}}` to '{child}'"
        return f"add a field `{{ref: {ename}.{key}}}` to '{child}'"

    def field_as_bound_hint(self, ename: str, value: object, kind: str | None) -> str | None:
        """`min: hired_on` names a field: bounds are fixed values, so say what relates two
        fields instead of how to write a date."""
        if not isinstance(value, str) or value not in self.doc.entities[ename].fields:
            return None
        if kind in ("date", "datetime"):
            return (
                f"'{value}' is a field, and bounds are fixed values: for a time after it write "
                f"`after: {value}` (with a `gap`), or `before: {value}`"
            )
        return (
            f"'{value}' is a field, and bounds are fixed values: compute the value with an `expr`"
        )

    def check_aggregate_types(
        self, ename: str, fname: str, agg: expr_mod.Aggregate, dtype: DataType | None
    ) -> None:
        """sum/avg add numbers; a declared `type` must hold what the function yields (the
        engine computes the result in the type of spec/pdl.md's aggregate table, then casts
        it to `type`)."""
        from .types import FLOAT, INT

        column = f"{agg.child}.{agg.field}"
        value = self.value_type(agg.child, agg.field) if agg.field is not None else None
        if agg.func in ("sum", "avg") and value is not None and not value.numeric:
            self.add(
                "bad-aggregate",
                f"{agg.func}() {'adds' if agg.func == 'sum' else 'averages'} numbers, but "
                f"{column} is {a_type(value)}",
                self.fpath(ename, fname, "aggregate"),
                hint=_aggregate_hint(value, column),
            )
            return
        if agg.func in ("count", "count_distinct"):
            result = INT
        elif agg.func == "avg":
            result = FLOAT
        else:
            result = value
        if dtype is None or result is None or _holds(dtype, result):
            return
        holders = [k for k, t in _TYPE_NAMES.items() if _holds(t, result)]
        self.add(
            "type-mismatch",
            f"{_aggregate_call(agg)} yields {a_type(result)}, which {a_type(dtype)} cannot hold",
            self.fpath(ename, fname, "type"),
            hint=f"remove `type` (the field then is {a_type(result)}) or declare one that "
            f"holds it: {', '.join(holders)}",
        )

    def value_type(self, ename: str, fname: str, _seen: frozenset = frozenset()) -> DataType | None:
        """type_of (text where `format` writes a date or time), or for an `expr` without
        `type` the type it yields on two made-up rows of its inputs (as the engine finds
        it by evaluating the expression)."""
        entity = self.doc.entities.get(ename)
        if entity is None or fname not in entity.fields:
            return None
        found = self.formatted_type(ename, fname)
        if found is not None or entity is None or (ename, fname) in _seen:
            return found
        f = entity.fields.get(fname)
        if f is None or f.expr is None:
            return None
        from sqlglot import exp

        from .expr_trial import trial_type

        try:
            tree = expr_mod.parse_expr(f.expr)
        except expr_mod.ExprError:
            return None
        names = expr_mod.columns(tree)
        if any(isinstance(node, exp.Window) for node in tree.walk()) or any(
            "." in n or n not in entity.fields for n in names
        ):
            return None
        inputs = {n: self.value_type(ename, n, _seen | {(ename, fname)}) for n in names}
        if any(t is None for t in inputs.values()):
            return None
        return trial_type(tree, inputs)

    def source_series(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        from .series_params import SeriesValueParams

        path = self.fpath(ename, fname)
        if self.doc.entities[ename].series is None:
            self.add(
                "bad-timeline",
                f"`series: {f.series}` needs a `series:` block on entity '{ename}'",
                (*path, "series"),
                hint=_other_events_hint(self.doc.entities[ename], "series", str(f.series)),
            )
            return
        if f.series != "value":
            for key in f.params:
                self.add(
                    "unknown-key",
                    f"unknown key '{key}' for `series: {f.series}`",
                    (*path, key),
                    key=True,
                )
            return
        try:
            SeriesValueParams.model_validate(f.params)
        except ValidationError as exc:
            valid = list(SeriesValueParams.model_fields)
            for err in exc.errors(include_url=False):
                key = err["loc"][0] if err["loc"] else None
                if err["type"] == "extra_forbidden":
                    self.add(
                        "unknown-key",
                        f"unknown key '{key}' for `series: value`",
                        (*path, key),
                        hint=did_you_mean(str(key), valid) or f"its parameters: {one_of(valid)}",
                        key=True,
                    )
                elif err["type"] == "literal_error":  # `model: ar`: name the choices, in PDL words
                    models = re.findall(r"'([^']*)'", err["ctx"]["expected"])
                    self.add(
                        "bad-distribution-param",
                        f"series value: unknown {key} {err['input']!r}; expected one of "
                        f"{one_of(models)}",
                        (*path, key) if key else path,
                        hint=did_you_mean(str(err["input"]), models),
                    )
                else:
                    self.add(
                        "bad-distribution-param",
                        f"series value: {err['msg']}",
                        (*path, key) if key else path,
                    )

    def source_timeline(self, ename: str, fname: str, f: FieldSpec, dtype: DataType | None) -> None:
        if self.doc.entities[ename].timeline is None:
            self.add(
                "bad-timeline",
                f"`timeline: {f.timeline}` needs a `timeline:` block on entity '{ename}'",
                self.fpath(ename, fname, "timeline"),
                hint=_other_events_hint(self.doc.entities[ename], "timeline", str(f.timeline)),
            )

    # ------------------------------------------------------------ types and domains

    def fits(self, value: Any, dtype: DataType) -> bool:
        kind = dtype.kind
        if value is None:
            return True
        if kind == "int":
            return (isinstance(value, int) and not isinstance(value, bool)) or (
                isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value) is not None
            )
        if kind in ("float", "decimal"):
            if isinstance(value, bool):
                return False
            if isinstance(value, int | float):
                return True
            try:
                float(value)
                return True
            except (TypeError, ValueError):
                return False
        if kind == "bool":  # a mapping's keys are text: `{ true: 95, false: 5 }`
            return isinstance(value, bool) or value in BOOL_WORDS
        if kind == "string":
            return isinstance(value, str | int | float) and not isinstance(value, bool)
        if kind in ("date", "datetime"):
            return isinstance(value, str) and _as_date(value) is not None
        if kind == "time":
            try:
                dt.time.fromisoformat(str(value))
                return True
            except ValueError:
                return False
        if kind == "uuid":
            return (
                isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F-]{32,36}", value) is not None
            )
        return True

    def formatted_type(self, ename: str, fname: str) -> DataType | None:
        """The type other fields read: text where `format` writes a date, datetime or time
        as text (as the engine does), else the field's type."""
        dtype = self.type_of(ename, fname)
        field = self.doc.entities[ename].fields[fname]
        if field.format is not None and dtype is not None and dtype.kind in _FORMATTED_KINDS:
            if dtype.numeric and not _is_number_format(field.format):
                return dtype  # refused as a format already: not also text to its readers
            return STRING
        return dtype

    def type_of(self, ename: str, fname: str, _depth: int = 0) -> DataType | None:
        """The value type of a field (declared, or implied by its source)."""
        key = (ename, fname)
        if key in self.types:
            return self.types[key]
        self.types[key] = None  # guards reference loops
        result = self._infer_type(ename, fname, _depth)
        self.types[key] = result
        return result

    def _infer_type(self, ename: str, fname: str, depth: int) -> DataType | None:
        from .types import BOOL, DATETIME, FLOAT, INT, STRING

        entity = self.doc.entities.get(ename)
        if entity is None or fname not in entity.fields or depth > 20:
            return None
        f = entity.fields[fname]
        if f.type is not None:
            try:
                return parse_type(f.type)
            except ValueError:
                return None
        source = f.source
        if source == "sequence":
            return INT
        if source == "generator":
            spec = registry.get(f.generator or "")
            return spec.returns if spec else None
        if source == "choice":
            values = list(f.choice) if isinstance(f.choice, dict) else list(f.choice or [])
            values = [v for v in values if v is not None]
            if values and all(isinstance(v, bool) for v in values):
                return BOOL
            if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                return INT
            if values and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                return FLOAT
            return STRING
        if source == "distribution":
            d = distributions.REGISTRY.get(f.distribution or "")
            return INT if d is not None and d.discrete else FLOAT
        if source == "const":
            v = f.const
            if isinstance(v, bool):
                return BOOL
            if isinstance(v, int):
                return INT
            if isinstance(v, float):
                return FLOAT
            return STRING
        if source in ("pattern", "template"):
            return STRING
        if source == "ref":
            parts = (f.ref or "").split(".")
            if len(parts) != 2 or parts[0] not in self.doc.entities:
                return None
            if parts[1] not in self.doc.entities[parts[0]].fields:
                return None
            # a key with `format` holds text, and so does the foreign key that copies it
            return self.formatted_type(parts[0], parts[1])
        if source in ("from", "after", "before"):
            text = getattr(f, "from_" if source == "from" else source) or ""
            head, _, rest = text.partition(".")
            if source != "from" and not rest:
                return self.type_of(ename, head, depth + 1)
            fk = entity.fields.get(head)
            if fk is None or fk.ref is None:
                return None
            parent = fk.ref.split(".")[0]
            base = self.type_of(parent, rest, depth + 1)
            return base if source == "from" else (base or DATETIME)
        if source == "timeline":
            return {"state": STRING, "time": DATETIME, "step": INT}[f.timeline]
        if source == "series":
            return {"time": DATETIME, "step": INT, "value": FLOAT}[f.series]
        if source == "aggregate":
            try:
                agg = expr_mod.parse_aggregate(f.aggregate or "")
            except expr_mod.ExprError:
                return None
            if agg.func in ("count", "count_distinct"):
                return INT
            if agg.func == "avg":
                return FLOAT
            return self.type_of(agg.child, agg.field, depth + 1) if agg.field else None
        return None

    def domain(self, ename: str, fname: str) -> int | None:
        """Distinct values a field can take (None: unbounded or unknown)."""
        entity = self.doc.entities[ename]
        f = entity.fields[fname]
        dtype = self.type_of(ename, fname)
        source = f.source
        if source == "choice":
            return len(f.choice) if f.choice else 0
        if source == "const":
            return 1
        if source == "pattern":
            try:
                return pattern_domain(parse_pattern(f.pattern))
            except PatternError:
                return None
        if source == "generator":
            spec = registry.get(f.generator or "")
            if spec is None:
                return None
            try:
                params = spec.params.model_validate(f.params)
                gender = self.row_gender(ename, f.link)
                if gender and getattr(params, "gender", None) == "any":
                    # another field makes the row's person one sex: names come from one list
                    params = spec.params.model_validate({**(f.params or {}), "gender": gender})
            except ValidationError:
                return None
            return spec.domain_size(params, f.locale or self.doc.locale)
        if source == "ref":
            parts = (f.ref or "").split(".")
            if len(parts) == 2 and parts[0] in self.doc.entities:
                # the rows the parent has on average: a drawn count may give fewer for
                # some seeds, and then generation stops with the shortfall (refusing
                # every count above the fewest would refuse most per-parent schemas)
                return int(self.rows(parts[0])[1])
            return None
        if dtype is not None and dtype.kind == "bool":
            return 2
        if source == "type" and dtype is not None and dtype.kind in DRAWN_KINDS:
            return self.drawn_domain(f, dtype)
        if source in ("type", "distribution"):
            lo, hi = self.bounds(f)
            if dtype is not None and lo is not None and hi is not None:
                if dtype.kind == "int":
                    a, b = self.comparable(lo, dtype), self.comparable(hi, dtype)
                    if a is not None and b is not None:
                        return max(0, math.floor(b) - math.ceil(a) + 1)
                if dtype.kind == "date":
                    a, b = _as_date(str(lo)), _as_date(str(hi))
                    if a is not None and b is not None:
                        return max(0, (b.date() - a.date()).days + 1)
                if dtype.kind == "decimal":
                    a, b = self.comparable(lo, dtype), self.comparable(hi, dtype)
                    if a is not None and b is not None:
                        return max(0, int((b - a) * 10**dtype.scale) + 1)
            if source == "distribution":
                d = distributions.REGISTRY.get(f.distribution or "")
                if (
                    d is not None
                    and d.discrete
                    and f.round is None
                    and lo is not None
                    and hi is not None
                ):
                    a, b = self.comparable(lo, dtype), self.comparable(hi, dtype)
                    if a is not None and b is not None:
                        return max(0, int(b) - int(a) + 1)
        if f.round is not None and dtype is not None and dtype.kind in ("float", "decimal"):
            lo, hi = self.bounds(f)
            a, b = self.comparable(lo, dtype), self.comparable(hi, dtype)
            if a is not None and b is not None:
                return max(0, int((b - a) * 10**f.round) + 1)
        return None

    @staticmethod
    def drawn_domain(f: FieldSpec, dtype: DataType) -> int | None:
        """Values a type-alone int, decimal, date, datetime or time field can take: the
        units of the range the engine draws from (its bounds, or the type's defaults
        beside a single bound), in steps of `round` for datetimes and times."""
        from .engine.arrow import drawn_bounds, drawn_step

        try:
            lo, hi = drawn_bounds(f, dtype)
        except (ValueError, TypeError, ArithmeticError):
            return None  # a bound of the wrong type: reported where it is written
        step = drawn_step(f, dtype)
        return max(0, int(hi) // step - -(-int(lo) // step) + 1)

    def check_unique_group(self, ename: str, entity: Entity, names: list[str], path: Path) -> None:
        count = entity.count
        fk = graph_mod.per_parent_fk(self.doc, ename)
        if isinstance(count, PerCount) and fk in names:
            others = [n for n in names if n != fk]
            if not others:  # the per-parent key alone: a parent's children all share it
                self.check_unique_expansion_fk(ename, count, fk, path)
                return
            # The largest group must fit: a parent may get `max` children.
            per_parent = count.const if count.const is not None else count.max
            needed = float(per_parent or 0)
            what = f"{int(needed):,} rows per '{count.per}' row"
        else:
            others = names
            needed = self.rows(ename)[0]
            what = f"{int(needed):,} rows"
        if not others:
            return
        space = 1
        for n in others:
            d = self.domain(ename, n)
            if d is None:
                return
            space *= d
        if needed > space:
            label = names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"
            hint = "widen the domain, lower the count, or drop `unique`"
            for n in others:  # a key over a parent whose row count is drawn: say so
                parent = (entity.fields[n].ref or "").split(".")[0]
                if parent in self.doc.entities:
                    least, expected = self.rows(parent)
                    if least < expected:
                        hint = (
                            f"'{parent}' has {int(expected):,} rows on average (its count is "
                            f"drawn per '{self.doc.entities[parent].count.per}' row, at least "
                            f"{int(least):,}); lower the count, raise its `min`, or drop "
                            "`unique`"
                        )
                        break
            self.add(
                "impossible-unique",
                f"{label} must be unique over {what}, but only {space:,} distinct "
                + ("value exists" if space == 1 else "values exist"),
                path,
                hint=hint,
                key=len(names) == 1,
            )

    def check_unique_expansion_fk(self, ename: str, count: PerCount, fk: str, path: Path) -> None:
        """The foreign key a `count: {per: …}` fills takes its parent row's key in every child
        of that row: it is unique only when no parent can have two children."""
        if count.const is not None:
            most: float = count.const
        elif count.choice is not None:
            values, weights = count_table(count.choice)
            most = int(values[weights > 0].max()) if (weights > 0).any() else 0
        elif count.max is not None:
            most = count.max
        else:
            n = count.params.get("n") if count.distribution == "binomial" else None
            most = n if isinstance(n, int) and not isinstance(n, bool) else math.inf
        if most <= 1:
            return
        how = f"up to {most:,}" if math.isfinite(most) else "any number of"
        if count.const is not None:
            how = f"{most:,}"
        self.add(
            "impossible-unique",
            f"{fk} must be unique, but `count: {{per: {count.per}}}` fills it: each "
            f"'{count.per}' row gets {how} children, which all take its key",
            path,
            hint="drop `unique`, or make at most one child per parent row (`max: 1`)",
            key=True,
        )

    # ------------------------------------------------------------ correlate and timeline

    def check_correlate(self, ename: str, entity: Entity, i: int, block: Any) -> None:
        path: Path = ("entities", ename, "correlate", i)
        k = len(block.fields)
        for j, name in enumerate(block.fields):
            if name not in entity.fields:
                self.add(
                    "unknown-field",
                    f"correlate names '{name}', which is not a field of '{ename}'",
                    (*path, "fields", j),
                    hint=did_you_mean(name, entity.fields),
                )
                return
            src = entity.fields[name].source
            if src not in ("distribution", "type", "choice"):
                self.add(
                    "bad-correlation",
                    f"'{name}' comes from `{src}`; only distribution, choice and typed fields can be correlated",
                    (*path, "fields", j),
                )
                return
            kind = self.type_of(ename, name)
            if src == "type" and kind is not None and kind.kind in ("string", "bool", "uuid"):
                self.add(
                    "bad-correlation",
                    f"'{name}' is a type-alone {kind.kind}, which has no order to correlate",
                    (*path, "fields", j),
                    hint="correlate numbers, dates, times or a `choice` of ordered categories",
                )
                return
        if len(set(block.fields)) != k or k < 2:
            self.add(
                "bad-correlation",
                "a correlate block needs two or more distinct fields",
                (*path, "fields"),
            )
            return
        given = [x for x in ("rho", "matrix", "spearman") if getattr(block, x) is not None]
        if len(given) != 1:
            self.add(
                "bad-correlation",
                "give exactly one of `rho`, `matrix` or `spearman`",
                path,
                hint="`rho` for a pair, `matrix` for three or more fields",
            )
            return
        value = getattr(block, given[0])
        if isinstance(value, int | float):
            if k != 2:
                self.add(
                    "bad-correlation",
                    f"`{given[0]}: {value}` is for two fields; {k} need a matrix",
                    (*path, given[0]),
                )
                return
            m = np.array([[1.0, value], [value, 1.0]])
        else:
            m = np.array(value, dtype=float)
            if m.shape != (k, k):
                self.add(
                    "bad-correlation",
                    f"matrix is {m.shape[0]}×{m.shape[1] if m.ndim == 2 else '?'} but there are {k} fields",
                    (*path, given[0]),
                )
                return
            if not np.allclose(m, m.T) or not np.allclose(np.diag(m), 1.0):
                self.add(
                    "bad-correlation",
                    "a correlation matrix must be symmetric with 1 on the diagonal",
                    (*path, given[0]),
                )
                return
        if np.any(np.abs(m) > 1):
            self.add("bad-correlation", "correlations must lie in [-1, 1]", (*path, given[0]))
            return
        smallest = float(np.linalg.eigvalsh(m).min())
        if smallest < -1e-9 and block.repair is None:
            self.add(
                "bad-correlation",
                f"the correlation matrix is not positive semi-definite (smallest eigenvalue {smallest:.4f})",
                (*path, given[0]),
                hint="these correlations cannot hold together; adjust them or add `repair: nearest`",
            )

    def check_timeline(self, ename: str, entity: Entity) -> None:
        tl = entity.timeline
        path: Path = ("entities", ename, "timeline")
        if tl.for_ not in self.doc.entities:
            self.add(
                "unknown-entity",
                f"timeline `for: {tl.for_}` names no entity",
                (*path, "for"),
                hint=did_you_mean(tl.for_, self.doc.entities),
            )
        else:
            start = tl.start.split(".")
            if len(start) == 2 and start[0] != tl.for_:
                self.add(
                    "bad-timeline",
                    f"timeline start '{tl.start}' must be a field of '{tl.for_}'",
                    (*path, "start"),
                )
            elif start[-1] not in self.doc.entities[tl.for_].fields:
                self.add(
                    "unknown-field",
                    f"timeline start '{tl.start}' is not a field of '{tl.for_}'",
                    (*path, "start"),
                    hint=did_you_mean(start[-1], self.doc.entities[tl.for_].fields),
                )
            else:
                start_type = self.type_of(tl.for_, start[-1])
                if start_type is not None and start_type.kind not in ("date", "datetime"):
                    self.add(
                        "type-mismatch",
                        f"timeline start '{tl.start}' is {start_type}, not a date or datetime",
                        (*path, "start"),
                    )
        if tl.end is not None and tl.for_ in self.doc.entities:
            self.check_time_bound("timeline", tl.for_, "end", tl.end, (*path, "end"))
        if tl.initial not in tl.states:
            self.add(
                "bad-timeline",
                f"initial state '{tl.initial}' is not among the states",
                (*path, "initial"),
                hint=did_you_mean(tl.initial, tl.states) or f"states: {one_of(tl.states)}",
            )
        if tl.calendar is not None and tl.calendar.hours is not None:
            first, last = tl.calendar.hours
            if not 0 <= first < last <= 24:
                self.add(
                    "invalid-value",
                    f"calendar hours [{first}, {last}] must satisfy 0 <= first < last <= 24",
                    (*path, "calendar", "hours"),
                    hint="e.g. hours: [9, 17] for nine to five",
                )
        if (
            tl.calendar is not None
            and tl.calendar.gaps == "business"
            and tl.calendar.hours is None
            and not tl.calendar.weekdays
        ):
            self.add(
                "invalid-value",
                "calendar gaps: business needs closed time to skip, but the calendar has "
                "neither `hours` nor `weekdays: true`",
                (*path, "calendar", "gaps"),
                hint="add hours: [9, 17] and/or weekdays: true, or drop `gaps: business`",
            )
        if tl.max_steps < 1:
            self.add(
                "bad-timeline", f"max_steps={tl.max_steps} must be at least 1", (*path, "max_steps")
            )
        terminal = [s for s, st in tl.states.items() if not st.next]
        ends = [s for s, st in tl.states.items() if TIMELINE_END in (st.next or {})]
        if TIMELINE_END in tl.states:
            self.add(
                "bad-timeline",
                f"a state cannot be named '{TIMELINE_END}': `next: {{{TIMELINE_END}: p}}` ends the timeline",
                (*path, "states", TIMELINE_END),
                hint="rename the state, e.g. 'ended' or 'closed'",
                key=True,
            )
        elif not terminal and not ends:
            self.add(
                "bad-timeline",
                "no terminal state: every state has `next`, so timelines only end at max_steps",
                (*path, "states"),
                hint=f"give at least one state no `next`, or a `next` target `{TIMELINE_END}` "
                f"(e.g. `next: {{renewed: 0.8, {TIMELINE_END}: 0.2}}`)",
            )
        for sname, state in tl.states.items():
            spath = (*path, "states", sname)
            self.check_state_after(tl, state, spath)
            if not state.next:
                continue
            total, has_expr = 0.0, False
            for target, prob in state.next.items():
                if target == TIMELINE_END:
                    pass
                elif target not in tl.states:
                    self.add(
                        "bad-timeline",
                        f"state '{sname}' moves to '{target}', which is not a state",
                        (*spath, "next", target),
                        hint=did_you_mean(target, tl.states) or f"states: {one_of(tl.states)}",
                        key=True,
                    )
                if isinstance(prob, str):
                    has_expr = True
                    try:
                        tree = expr_mod.parse_expr(prob)
                    except expr_mod.ExprError as exc:
                        self.add(
                            "bad-expression", str(exc), (*spath, "next", target), hint=exc.hint
                        )
                        continue
                    self.check_parent_columns(tl.for_, tree, (*spath, "next", target))
                    continue
                if prob < 0:
                    self.add(
                        "bad-weights",
                        f"probability {prob} of '{target}' is negative",
                        (*spath, "next", target),
                    )
                total += prob
            if not has_expr and abs(total - 1.0) > 1e-9:
                self.add(
                    "bad-weights",
                    f"probabilities out of '{sname}' sum to {total:g}, not 1",
                    (*spath, "next"),
                    hint=_next_sum_hint(state.next, total),
                )
        reachable, frontier = {tl.initial}, [tl.initial]
        while frontier:
            state = tl.states.get(frontier.pop())
            for target in (state.next or {}) if state else {}:
                if target in tl.states and target != TIMELINE_END and target not in reachable:
                    reachable.add(target)
                    frontier.append(target)
        for sname in tl.states:
            if sname not in reachable and tl.initial in tl.states and sname != TIMELINE_END:
                self.add(
                    "bad-timeline",
                    f"state '{sname}' cannot be reached from '{tl.initial}'",
                    (*path, "states", sname),
                    key=True,
                )

    def check_state_after(self, tl: Any, state: Any, spath: Path) -> None:
        """A state's `after` (a duration, a distribution or calendar months) and its `delay`
        (only with calendar months)."""
        try:
            months = parse_calendar_step(state.after)
        except ValueError as exc:
            self.add(
                "bad-duration", str(exc), (*spath, "after"), hint=calendar_step_help(state.after)
            )
            return
        if months is None:
            if state.after is not None:
                self.check_gap(state.after, (*spath, "after"))
            if state.delay is not None:
                self.add(
                    "invalid-value",
                    "`delay` is the time after a calendar step's scheduled day, but `after` "
                    "is no calendar step",
                    (*spath, "delay"),
                    hint="with a duration, put the randomness in `after` itself "
                    "(`after: {distribution: exponential, mean: 2h}`), or step calendar "
                    "months: `after: 1 month`",
                    key=True,
                )
            return
        if tl.calendar is not None and tl.calendar.gaps == "business":
            self.add(
                "invalid-value",
                f"`after: {state.after}` steps calendar months, which business gaps cannot "
                "count in open hours",
                (*spath, "after"),
                hint="drop `gaps: business` (the calendar then moves each event into open "
                "hours), or write the gap in open hours, like '160h'",
            )
        if state.delay is not None:
            try:
                if parse_calendar_step(state.delay) is not None:
                    raise ValueError(f"'{state.delay}' is a calendar step, not a delay")
            except ValueError as exc:
                self.add(
                    "bad-duration", str(exc), (*spath, "delay"), hint=duration_help(state.delay)
                )
                return
            self.check_gap(state.delay, (*spath, "delay"))

    def check_parent_columns(self, parent: str, tree: Any, path: Path) -> None:
        entity = self.doc.entities.get(parent)
        if entity is None:
            return
        for col in expr_mod.columns(tree):
            parts = col.split(".")
            if (len(parts) == 2 and parts[0] != parent) or parts[-1] not in entity.fields:
                self.add(
                    "bad-expression",
                    f"probability reads '{col}', which is not a field of '{parent}'",
                    path,
                    hint=did_you_mean(parts[-1], entity.fields),
                )

    # ------------------------------------------------------------ graph

    def check_graph(self) -> None:
        g = graph_mod.build_graph(self.doc)
        for cycle in graph_mod.field_cycles(g):
            rows_only = all(f == graph_mod.ROWS for _, f in cycle)
            if rows_only and len({e for e, _ in cycle}) == 1:
                continue  # an entity counted per itself: bad-count says so
            names = " → ".join(
                f"{e}'s row count" if f == graph_mod.ROWS else f"{e}.{f}" for e, f in cycle
            )
            ename, fname = cycle[0]
            if fname.startswith("#"):
                ename, fname = next(((e, f) for e, f in cycle if not f.startswith("#")), cycle[0])
            path = self.fpath(ename, fname) if not fname.startswith("#") else ("entities", ename)
            if rows_only:
                path = (*path, "count")
            self.add(
                "field-cycle",
                f"{'row counts' if rows_only else 'fields'} depend on each other in a circle: "
                f"{names}",
                path,
                hint="give one of the entities a fixed count (`count: 100`) or count it per "
                "another entity"
                if rows_only
                else "break the circle: compute one of them from a source that does not read "
                "the others",
                key=True,
            )
        # NOT NULL foreign keys that form a circle between entities cannot be inserted.
        eg = {}
        for ename, entity in self.doc.entities.items():
            for fname, f in entity.fields.items():
                target = graph_mod.ref_target(f)
                if (
                    target
                    and target[0] != ename
                    and target[0] in self.doc.entities
                    and not graph_mod.is_nullable(f)
                ):
                    eg.setdefault(ename, []).append((target[0], fname))
        import networkx as nx

        dg = nx.DiGraph()
        for ename, edges in eg.items():
            for parent, fname in edges:
                dg.add_edge(ename, parent, field=fname)
        for component in sorted(nx.strongly_connected_components(dg), key=lambda c: sorted(c)):
            if len(component) < 2:
                continue
            sub = dg.subgraph(component)
            cycle = nx.find_cycle(sub, source=min(component))
            hops = [f"{u}.{dg.edges[u, v]['field']} → {v}" for u, v in cycle]
            first_entity, _ = cycle[0]
            self.add(
                "fk-cycle",
                "NOT NULL foreign keys form a circle: " + ", ".join(hops),
                self.fpath(first_entity, dg.edges[cycle[0]]["field"]),
                hint="no insert order can satisfy them; make one nullable (`nullable: true` or a `null_rate`)",
                key=True,
            )


# Declared types an aggregate's result may be cast to (decimal: any precision and scale).
_TYPE_NAMES = {
    k: DataType(k, 18, 2) if k == "decimal" else DataType(k)
    for k in ("int", "float", "decimal", "bool", "string", "date", "datetime", "time", "uuid")
}


def sql_expression_problem(text: str) -> tuple[int, int, str, str] | None:
    """Why `text` cannot stand after DEFAULT in a column definition, as (offset, length,
    message, hint), or None: a `;` (it would end the CREATE TABLE), a comment (`--` would
    hide the rest of the column's line) or a quote left open, each outside quotes."""
    quote = None
    opened = 0
    i = 0
    while i < len(text):
        c = text[i]
        if quote is not None:
            if c == quote:  # a doubled quote ('it''s') closes and reopens: the same result
                quote = None
        elif c in "'\"`":
            quote, opened = c, i
        elif c == ";":
            return (
                i,
                1,
                "a `;` outside quotes would end the CREATE TABLE statement",
                "write one expression without `;` (inside a quoted string it is fine: "
                "sql_default: \"'a;b'\")",
            )
        elif text.startswith(("--", "/*"), i):
            return (
                i,
                2,
                "a comment outside quotes would hide the rest of the column's definition",
                "remove the comment; a field's `description` documents it",
            )
        i += 1
    if quote is not None:
        return (
            opened,
            1,
            f"the {quote} opened here is never closed",
            f"close it, or double a {quote} that belongs to the text ('it''s')",
        )
    return None


def _holds(declared: DataType, result: DataType) -> bool:
    """Whether a field of the declared type holds an aggregate's result: what the engine's
    cast turns into a value of that type that means the same (not a count as microseconds
    since 1970, a date as a number, or a number as a bool)."""
    d, r = declared.kind, result.kind
    if d == r or d == "string":
        return True
    if d == "uuid":
        return r == "string"
    if r in ("int", "float"):
        return d in ("int", "float", "decimal")
    if r == "decimal":  # an int cannot hold cents (the cast refuses to drop them)
        return d == "float" or (d == "int" and result.scale == 0)
    if r == "bool":
        return d in ("int", "float")
    if r == "date":
        return d == "datetime"
    if r == "datetime":
        return d in ("date", "time")
    return False


def _aggregate_call(agg: expr_mod.Aggregate) -> str:
    if agg.func == "count_distinct":
        return f"count(DISTINCT {agg.child}.{agg.field})"
    return f"{agg.func}({agg.child}{'.' + agg.field if agg.field else ''})"


def _aggregate_hint(value: DataType, column: str) -> str:
    if value.kind == "bool":
        return f"count the rows where it is true: count(*) FILTER (WHERE {column})"
    if value.kind in ("date", "datetime", "time"):
        return "min, max, first, last and count work on dates and times"
    return (
        "min, max, first, last and count work on text; to add numbers held as text, sum "
        "an `expr` field that CASTs them"
    )


def validate_document(doc: Document, locator: Locator, diagnostics: list[Diagnostic]) -> None:
    Validator(doc, locator, diagnostics).run()


def _generator_hint(name: str) -> str | None:
    """Faker's name for a generator (`person.name`) → Phony's, with the parameter it needs."""
    from .generators.faker_names import faker_equivalent

    family = name.split(".", 1)[0]
    if family != name and registry.get(family) is not None:  # `ngram.sample`: a whole name
        return f"did you mean '{family}'? ('{family}' is a generator, not a family)"
    found = faker_equivalent(name, set(registry.names()))
    if found is None:
        return None
    target, fakers = found
    extra = ""
    if name.endswith(("_female", "_male")):
        extra = f" with gender: {name.rsplit('_', 1)[-1]}"
    origin = f" (Faker's '{name.rsplit('.', 1)[-1]}')" if fakers else ""
    return f"did you mean '{target}'{extra}?{origin}"


def _calendar_spelling(value: object) -> bool:
    """`value` is written in months or years (a calendar step, good or not)."""
    try:
        return parse_calendar_step(value) is not None
    except ValueError:
        return True


def _next_sum_hint(nxt: Mapping[str, Any], total: float) -> str:
    """How to make numeric `next` probabilities add up to 1: the largest one changed by
    the difference, and for a shortfall a terminal state for the rest (there is no
    "stop with what is left")."""
    numbers = {t: float(p) for t, p in nxt.items() if isinstance(p, int | float)}
    hint = "next-state probabilities must add up to 1"
    if numbers:
        target = max(numbers, key=lambda t: numbers[t])  # the first of equals, in order
        fixed = round(numbers[target] + 1.0 - total, 12)
        if fixed >= 0:
            hint += f": make '{target}' {fixed:g}"
    if total <= 0.99:  # a rounding shortfall (thirds as 0.333) needs no new state
        hint += (
            f", or end the timeline here with the other {round(1.0 - total, 12):g}: "
            f"`{TIMELINE_END}: {round(1.0 - total, 12):g}` "
            "(spec/pdl.md, Timelines: a state that may end the timeline or go on)"
        )
    return hint


def _other_events_hint(entity: Entity, source: str, column: str) -> str | None:
    """`timeline: time` on a series entity (or the reverse): the column it has instead."""
    other = "series" if source == "timeline" else "timeline"
    if getattr(entity, other) is None:
        return None
    if column in ("time", "step"):
        return f"this entity has a `{other}:` block: write `{other}: {column}`"
    have = "a value" if other == "series" else "states"
    return f"this entity has a `{other}:` block, which has no {column}; a {other} has {have}"


def _number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else None


def _count_family(name: Any, params: dict[str, Any]) -> Any:
    """scipy's frozen distribution of a count family's draw, or None where its parameters
    do not give one (left to the parameter checks)."""
    get = {k: _number(v) for k, v in params.items()}
    n, p, mean = get.get("n"), get.get("p"), get.get("mean")
    stats = distributions._scipy()
    try:
        if name == "poisson" and mean is not None and mean > 0:
            return stats.poisson(mean)
        if name == "binomial" and n is not None and p is not None:
            return stats.binom(int(n), p)
        if name == "negative_binomial":
            sd = get.get("sd")
            if mean is not None and sd is not None and sd * sd > mean:
                n = mean * mean / (sd * sd - mean)
            if mean is not None and n:
                p = n / (n + mean)
            return stats.nbinom(n, p) if n and p else None
        if name == "geometric" and p:
            return stats.geom(p)
        if name == "zipf" and get.get("s") is not None:
            if n is not None:
                return stats.zipfian(get["s"], int(n))
            return stats.zipf(get["s"]) if get["s"] > 1 else None
    except (TypeError, ValueError):
        return None
    return None


_COUNT_KEY = re.compile(r"0|[1-9][0-9]*")


def _is_number_format(text: str) -> bool:
    from .number_format import NumberFormatError, parse_number_format

    try:
        parse_number_format(text)
    except NumberFormatError:
        return False
    return True


def count_table(choice: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(counts in increasing order, their weights) of a per-parent `choice` table; keys that
    are not whole numbers >= 0 (reported by the validator) are left out."""
    pairs = sorted((int(k), float(w)) for k, w in choice.items() if _COUNT_KEY.fullmatch(k))
    values = np.array([v for v, _ in pairs], dtype=np.int64)
    weights = np.array([w for _, w in pairs], dtype=np.float64)
    return values, weights


def _mixture_count_mean(components: Any, lo: int | None, hi: int | None) -> float | None:
    """Children per parent of a count's `mixture`: the components' means weighted by their
    `weight`, each over the part of its distribution within its bounds (its own `min`/`max`,
    else the count's). An approximation: an unbounded tail is summed up to its
    1 - 1e-9 quantile and at most two million values."""
    if not isinstance(components, list) or not components:
        return None
    total = weighted = 0.0
    for part in components:
        if not isinstance(part, dict):
            return None
        weight = _number(part.get("weight", 1))
        params = {
            k: v for k, v in part.items() if k not in ("distribution", "weight", "min", "max")
        }
        dist = _count_family(part.get("distribution"), params)
        low, high = _number(part.get("min", lo)), _number(part.get("max", hi))
        if weight is None or dist is None:
            return None
        if weight == 0:
            continue
        upper = float(dist.ppf(1 - 1e-9)) if high is None else high
        first = max(low or 0.0, float(dist.support()[0]))
        ks = np.arange(first, min(upper, first + 2e6) + 1)
        pmf = dist.pmf(ks)
        if not ks.size or not pmf.sum() > 0:
            return None
        total += weight
        weighted += weight * float((ks * pmf).sum() / pmf.sum())
    return weighted / total if total > 0 else None


def _entity_named(doc: Document, name: str) -> str:
    """`entity 'Order_Details' (table 'Order Details')`, for messages about a table's name."""
    table = doc.entities[name].table
    return f"entity '{name}'" + (f" (table {table!r})" if table is not None else "")


def _named(entity: Entity, name: str) -> str:
    """`field 'email' (column 'E-Mail')`, for messages about a field's column."""
    f = entity.fields[name]
    return f"field '{name}'" + (f" (column {f.column!r})" if f.column is not None else "")
