"""What a generator sees: the rows to fill, random streams, locale data, coherent records."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa

from ..rng import Stream
from .locale_data import LocalePack, load_pack


class GenContext:
    """Context of one (entity, field) evaluated at an array of row indices.

    ``rows`` are global row indices; every random draw is a pure function of
    (seed, entity, field or family, label, row), so values never depend on
    which block or worker asks for them.
    """

    def __init__(
        self,
        *,
        seed: int,
        entity: str,
        field: str,
        rows: np.ndarray,
        locale: str,
        link: str | None = None,
        unique: bool = False,
        record_cache: dict | None = None,
        attempt: int = 0,
        total_rows: int = 0,
        gender: str | None = None,
        person_locale: str | None = None,
        age_bounds: tuple[int, int] | None = None,
        unique_place: bool = False,
        field_source: Callable[[str], pa.Array] | None = None,
        codes: bool = False,
        prepared: Any = None,
        whole_records: dict | None = None,
    ) -> None:
        self.seed = seed
        self.entity = entity
        self.field = field
        self.rows = rows
        self.locale = locale
        self.link = link or ""
        self.unique = unique
        self.attempt = attempt
        self.total_rows = total_rows  # rows of the whole entity (sizes unique suffixes)
        # The sex every person record of this row and link has (a field's `gender`), or None.
        self.gender = gender if gender in ("female", "male") else None
        # The locale of the row's person (its person.* fields'), which an email or user name
        # of another locale still describes (only its mail domains follow the field's locale).
        self.person_locale = person_locale or locale
        # (min_age, max_age) a person.age or person.birth_date field of the row sets: both
        # read them, so a row's age and birth date agree whichever field names the bounds.
        self.age_bounds = age_bounds
        # An address field of the row is unique: house numbers take the widest range, so
        # street addresses have room to differ (500 streets × 250 numbers run out).
        self.unique_place = unique_place
        # Values of another field of these rows, by path (the engine's; None outside a schema)
        self._field_source = field_source
        # The engine writes these rows to Parquet: a value read from a small list may come
        # back as codes into it (a dictionary array; see _common.coded)
        self.codes = codes
        self._records = record_cache if record_cache is not None else {}
        # What the generator's `prepare` made for this field over the whole entity (the
        # engine's, once per run), or None
        self.prepared = prepared
        # Parts of records the engine already drew for the whole entity, by record key:
        # rows read them instead of drawing them again (the same values either way)
        self._whole = whole_records

    def sub(self, rows: np.ndarray) -> GenContext:
        """The same field at other rows, with records of its own."""
        other = copy.copy(self)
        other.rows = rows
        other._records = {}
        return other

    def record_key(self, family: str, locale: str | None = None) -> tuple:
        """The key of this field's record of `family` (see `record`)."""
        return (family, self.link, locale or self.locale, self.attempt, self.gender)

    def field_values(self, path: str) -> pa.Array:
        """The values of `path` (`field` or `fk_field.parent_field`) for these rows."""
        if self._field_source is None:
            from ..errors import UsageError

            raise UsageError(
                f"{self.field}: a parameter naming another field ({path!r}) needs a PDL "
                "schema; the Python API makes values without rows around them"
            )
        return self._field_source(path)

    @property
    def n(self) -> int:
        return len(self.rows)

    def stream(self, label: str = "") -> Stream:
        labels = [self.entity, self.field, label]
        if self.attempt:
            labels.append(f"retry{self.attempt}")
        return Stream(self.seed, *labels)

    def uniform(self, label: str = "") -> np.ndarray:
        return self.stream(label).uniform(self.rows)

    def integers(self, k: int, label: str = "") -> np.ndarray:
        return self.stream(label).integers(self.rows, k)

    def pack(self, family: str) -> LocalePack:
        return load_pack(self.locale, family)

    def record(
        self,
        family: str,
        build: Callable[[GenContext], dict[str, Any]],
        locale: str | None = None,
    ) -> dict[str, Any]:
        """One sampled record per row for a family (person, address, …) and link.

        Every field of the family in the same row and link reads the same record,
        which is what makes a row's email belong to its person and its city to its
        postal code.
        """
        key = self.record_key(family, locale)
        locale = key[2]
        rows_id = id(self.rows)
        cached = self._records.get(key)
        if cached is not None and cached[0] == rows_id:
            return cached[1]
        labels = [self.entity, f"@{family}", self.link]
        if self.attempt:
            labels.append(f"retry{self.attempt}")
        record_ctx = _RecordContext(self, Stream(self.seed, *labels), locale)
        value = build(record_ctx)
        if self._whole and isinstance(value, LazyRecord):
            value.whole = self._whole.get(key)
        self._records[key] = (rows_id, value)
        return value


class LazyRecord:
    """A record whose parts are computed on first use (a row's city needs no street)."""

    def __init__(self, ctx: Any, parts: dict[str, Callable[[Any, LazyRecord], Any]]) -> None:
        self.ctx = ctx
        self.parts = parts
        self.values: dict[str, Any] = {}
        self.whole: dict[str, np.ndarray] | None = None  # whole-entity parts (by row index)

    def __getitem__(self, name: str) -> Any:
        if name not in self.values:
            if self.whole is not None and name in self.whole:
                self.values[name] = self.whole[name][self.ctx.rows].astype(np.int64)
            else:
                self.values[name] = self.parts[name](self.ctx, self)
        return self.values[name]


class _RecordContext:
    """Random draws for a record: keyed by family and link, not by field."""

    def __init__(self, parent: GenContext, base: Stream, locale: str | None = None) -> None:
        self.parent = parent
        self.base = base
        self.rows = parent.rows
        self.locale = locale or parent.locale
        self.gender = parent.gender
        self.unique_place = parent.unique_place

    @property
    def n(self) -> int:
        return len(self.rows)

    def uniform(self, label: str) -> np.ndarray:
        return self.base.sub(label).uniform(self.rows)

    def integers(self, k: int, label: str) -> np.ndarray:
        return self.base.sub(label).integers(self.rows, k)

    def pack(self, family: str) -> LocalePack:
        return load_pack(self.locale, family)


def take(values: pa.Array, index: np.ndarray) -> pa.Array:
    return values.take(pa.array(index, type=pa.int64()))
