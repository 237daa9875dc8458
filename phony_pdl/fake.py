"""A Faker-style Python API over Phony's generators.

>>> from phony_pdl.fake import Phony
>>> fake = Phony(locale="de_DE", seed=1)
>>> name = fake.person.first_name()                # one value (str)
>>> names = fake.person.first_name(n=1_000)         # a pyarrow array
>>> women = fake.person.first_name(n=5, gender="female")
>>> people = fake.record("person", n=3)             # a pyarrow Table, one person per row

Every call draws the next rows of an internal row counter, so successive calls give
new values, and the same seed and sequence of calls always give the same values. A
value depends only on (seed, locale, generator, parameters, row), exactly as in a PDL
run, and is built by the same vectorized code: a million names take one call.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from .errors import UsageError
from .generators import registry
from .generators.context import GenContext
from .resources import known_locales, locale_hint

API_ENTITY = "__api__"
API_FIELD = ("api", "value")  # the one-field schema behind Phony.field()


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _suggest_generator(name: str, options: list[str], prefix: str = "") -> str:
    """Faker's name first (`company.company` → company.name), else the closest option."""
    from .generators.faker_names import faker_equivalent

    found = faker_equivalent(name, set(registry.names()))
    if found is not None:
        target, fakers = found
        gender = name.rsplit("_", 1)[-1] if name.endswith(("_female", "_male")) else None
        spec = registry.get(target)
        takes_gender = spec is not None and "gender" in spec.params.model_fields
        extra = f"(gender='{gender}')" if gender and takes_gender else "()"
        origin = f" (Faker's '{name.rsplit('.', 1)[-1]}')" if fakers else ""
        return f"; did you mean {target}{extra}?{origin}"
    return _suggest(name.removeprefix(prefix), options)


class Phony:
    """Fake values by generator family, Faker-style, from Phony's vectorized generators.

    ``fake = Phony(locale="de_DE", seed=1)``, then:

    - ``fake.person.first_name()``: one Python value; ``…(n=1000)``: a pyarrow Array;
    - ``fake.person.birth_date(min_age=18)``: parameters by keyword (``help()`` lists them);
    - ``fake.record("person", "internet", n=10)``: a pyarrow Table of coherent rows;
    - ``fake.unique.internet.email()``: never a value given before (``fake.unique.clear()``);
    - ``fake.field(type="int", min=1, max=10)``: one PDL field (Faker's random_int,
      random_element, date_between, …).

    Families: ``Phony.families()`` or ``dir(fake)``; generators: ``dir(fake.person)``.
    Every call draws the next rows of this Phony, so the same seed and calls give the
    same values; ``fake.seed_instance(7)`` or ``fake.reset()`` starts again.
    """

    def __init__(self, locale: str = "en_US", seed: int = 0) -> None:
        self._lock = threading.Lock()  # threads sharing one Phony never draw the same rows
        self._seen: dict[tuple[str, str], _Memory] = {}  # values given out under `unique`
        self._unique_lock = threading.RLock()
        self._ahead: dict[tuple[str, str], tuple[int, int, list[Any]]] = {}  # see _one
        self.locale = locale  # validated by the property
        self.seed = seed  # validated by the property; starts at row 0

    @property
    def locale(self) -> str:
        return self._locale

    @locale.setter
    def locale(self, locale: str) -> None:
        if locale not in known_locales():
            raise UsageError(
                f"unknown locale '{locale}'{'; ' + hint if (hint := locale_hint(locale)) else ''} "
                f"(known: {', '.join(known_locales())})"
            )
        with self._lock:
            self._locale = locale
            self._ahead.clear()  # values computed ahead are the old locale's

    def __repr__(self) -> str:
        return f"Phony(locale={self.locale!r}, seed={self.seed}, row={self.row})"

    def __getstate__(self) -> dict[str, Any]:  # a lock does not pickle: a new one on load
        skip = ("_lock", "_unique_lock", "_plans")  # field() plans are rebuilt on demand
        return {k: v for k, v in self.__dict__.items() if k not in skip}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._unique_lock = threading.RLock()

    @property
    def seed(self) -> int:
        return self._seed

    @seed.setter
    def seed(self, seed: int) -> None:
        if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
            raise UsageError(f"seed must be an int, got {type(seed).__name__}")
        with self._lock:
            self._seed = int(seed)
            self.row = 0  # the next row index to draw

    def seed_instance(self, seed: int) -> Phony:
        """Reseed (Faker's name for it): draw again from row 0 of `seed`; returns self."""
        self.seed = seed
        return self

    # ---- discovery

    @staticmethod
    def families() -> list[str]:
        """The generator families (`person`, `internet`, …): ``fake.<family>.<generator>()``."""
        return registry.families()

    def __getattr__(self, name: str) -> _Family:
        if name.startswith("_") or name in ("locale", "seed", "row"):
            raise AttributeError(name)  # not set yet (a failed __init__): not a family
        families = self.families()
        if name not in families:
            from .generators.faker_names import FAKER_FIELDS

            if name in FAKER_FIELDS:  # random_int, pyfloat, date_between: a field, no generator
                raise AttributeError(
                    f"no generator family '{name}'; Faker's {name}() is "
                    f"fake.{FAKER_FIELDS[name]} (a PDL field: see help(Phony.field))"
                )
            hint = _suggest_generator(name, families)
            if hint and "(" in hint.split("?")[0]:  # fake.name() → fake.person.full_name()
                hint = hint.replace("did you mean ", "did you mean fake.")
            raise AttributeError(
                f"no generator family '{name}'{hint} (families: {', '.join(families)})"
            )
        return _Family(self, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.families()})

    # ---- drawing

    def reset(self, row: int = 0) -> None:
        """Start drawing again at `row` (0: the first values this seed gives)."""
        if not isinstance(row, int | np.integer) or isinstance(row, bool) or not 0 <= row < 2**62:
            raise UsageError(f"reset(row): row must be an int from 0 to 2**62, got {row!r}")
        with self._lock:
            self.row = int(row)

    def _rows(self, count: int) -> np.ndarray:
        if not isinstance(count, int | np.integer) or isinstance(count, bool) or count < 0:
            raise UsageError(f"n must be a non-negative int, got {count!r}")
        count = int(count)
        with self._lock:
            start = self.row
            self.row += count
        return np.arange(start, start + count, dtype=np.int64)

    def _context(
        self, name: str, rows: np.ndarray, cache: dict, gender: str | None = None
    ) -> GenContext:
        return GenContext(
            seed=self.seed,
            entity=API_ENTITY,
            field=name,
            rows=rows,
            locale=self.locale,
            record_cache=cache,
            total_rows=int(rows[-1]) + 1 if len(rows) else 0,
            gender=gender,
        )

    def _params(self, spec: registry.GeneratorSpec, params: dict[str, Any]) -> Any:
        try:
            return spec.params.model_validate(params)
        except ValidationError as exc:
            fields = list(spec.params.model_fields)
            problems = "; ".join(
                f"{'.'.join(str(x) for x in e['loc']) or 'params'}: {e['msg']}"
                # Faker's spelling (minimum_age) is usually close to Phony's (min_age)
                + (_suggest(str(e["loc"][-1]), fields) if e["type"] == "extra_forbidden" else "")
                for e in exc.errors(include_url=False)
            )
            known = ", ".join(fields) or "none"
            raise UsageError(f"{spec.name}: {problems} (its parameters: {known})") from None

    @property
    def unique(self) -> _Unique:
        """Faker's `fake.unique`: ``fake.unique.internet.email(n=…)`` never repeats a value
        it gave before (per generator and parameters) until ``fake.unique.clear()``."""
        return _Unique(self)

    def generate(
        self, name: str, n: int | None = None, *, unique: bool = False, **params: Any
    ) -> Any:
        """Values of the generator `name` (e.g. "person.first_name").

        Without `n`: one Python value. With `n`: a pyarrow Array of n values. With
        `unique=True`, values differ from each other and from every value this Phony gave
        under `unique` before (as ``fake.unique``).
        """
        spec = registry.get(name)
        if spec is None:
            raise UsageError(
                f"unknown generator '{name}'{_suggest_generator(name, registry.names())}"
            )
        parsed = self._params(spec, params)
        if n is None:
            import json

            key = (spec.name, json.dumps(parsed.model_dump(mode="json"), sort_keys=True))
            if unique:
                return self._one_distinct(spec, parsed, key)
            return self._one(key, lambda rows: self._draw(spec, parsed, rows))
        if unique:
            values = self._distinct(spec, parsed, n)
        else:
            values = self._draw(spec, parsed, self._rows(n))
        return values[0].as_py() if n is None else values

    def field(self, n: int | None = None, **spec: Any) -> Any:
        """Values of one PDL field given by its keys (spec/pdl.md, Fields): the sources
        that are no generator, such as Faker's random_int, pyfloat, random_element(s) and
        date_between::

            fake.field(type="int", min=1, max=10)                 # random_int(1, 10)
            fake.field(type="float", min=0, max=100, round=2)     # pyfloat
            fake.field(choice={"gold": 10, "silver": 30}, n=3)    # weighted random_elements
            fake.field(type="date", between=["1990-01-01", "2020-12-31"])  # date_between
            fake.field(pattern="[A-Z]{3}-[0-9]{4}")                # bothify / regexify

        Without `n`: one Python value; with `n`: a pyarrow Array. The values are those a
        PDL field with the same keys draws (validated the same way); keys naming other
        fields (`ref`, `expr` over fields, …) have no other field here.
        """
        if not spec:
            raise UsageError(
                "field() takes a PDL field's keys, e.g. field(type='int', min=1, max=10)"
            )
        if "unique" in spec:  # PDL's unique spans an entity's rows; the API's is fake.unique
            raise UsageError(
                "field(unique=…) is not supported: a PDL unique spans a table's rows; "
                "draw n values at once and dedupe, or use fake.unique.<family>.<generator>()"
            )
        import json

        try:
            text = json.dumps(spec, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(sorted(spec.items(), key=lambda kv: kv[0]))
        key = ("field", text)
        if n is None:
            return self._one(key, lambda rows: self._field_values(key, spec, rows))
        return self._field_values(key, spec, self._rows(n))

    _FIELD_PLANS = 64

    def _field_values(self, key: tuple[str, str], spec: dict[str, Any], rows: np.ndarray) -> Any:
        from .engine.columns import Columns, prepare_entity
        from .engine.plan import Plan

        with self._lock:
            seed, locale = self._seed, self._locale
            plans = self.__dict__.setdefault("_plans", {})
            found = plans.get((key, seed, locale))
        if found is None:
            found = Columns(Plan(self._field_schema(spec, locale), seed=seed))
            prepare_entity(found.plan, API_FIELD[0])
            with self._lock:
                plans[(key, seed, locale)] = found
                while len(plans) > self._FIELD_PLANS:  # the oldest plan goes
                    plans.pop(next(iter(plans)))
        return found.lookup(*API_FIELD, rows)

    @staticmethod
    def _field_schema(spec: dict[str, Any], locale: str) -> Any:
        from .errors import SchemaError
        from .schema import load

        entity, name = API_FIELD
        document = {
            "pdl": 1,
            "name": "api",
            "locale": locale,
            "entities": {entity: {"count": 1, "fields": {name: spec}}},
        }
        try:
            return load(document)
        except SchemaError as exc:
            prefix = f"entities.{entity}.fields.{name}"
            problems = []
            for d in exc.diagnostics:
                where = d.path.removeprefix(prefix).lstrip(".") or "field"
                hint = d.hint
                if hint and f"'{name}'" in hint:  # "fields: 'value'" names our own stand-in
                    hint = "field() stands alone: it has no other field to name"
                text = f"{where}: {d.message}" + (f" ({hint})" if hint else "")
                problems.append(text.replace(f"'{entity}'", "field()"))
            relative = [
                v
                for v in (spec.get("between") or [spec.get("min"), spec.get("max")])
                if isinstance(v, str) and (v[:1] in "+-" or v in ("today", "now"))
            ]
            if relative:  # Faker's date_between("-30y", "today") reads the clock
                problems.append(
                    f"{relative[0]!r} is relative to today: Phony never reads the clock, so "
                    "the values repeat run after run; write the dates (2024-01-31)"
                )
            args = ", ".join(f"{k}={v!r}" for k, v in spec.items())
            raise UsageError(f"field({args}): " + "; ".join(problems)) from None

    # One value costs as much as a few hundred (the work is per call, not per row): a single
    # call computes the next rows ahead, and later single calls whose row falls among them
    # are served from there. Rows are addressed, so the values are those of one-by-one calls.
    _AHEAD = 256
    _AHEAD_KEYS = 64

    def _one(self, key: tuple[str, str], draw: Callable[[np.ndarray], pa.Array]) -> Any:
        with self._lock:
            row = self.row
            self.row += 1
            ahead = self._ahead.get(key)
            if ahead is not None and ahead[0] == self._seed and 0 <= row - ahead[1] < len(ahead[2]):
                return ahead[2][row - ahead[1]]
            seed = self._seed
        rows = np.arange(row, row + self._AHEAD, dtype=np.int64)
        values = draw(rows).to_pylist()
        with self._lock:
            if seed == self._seed:
                self._ahead.pop(key, None)
                self._ahead[key] = (seed, row, values)
                while len(self._ahead) > self._AHEAD_KEYS:  # the least recently filled goes
                    self._ahead.pop(next(iter(self._ahead)))
        return values[0]

    def _draw(self, spec: registry.GeneratorSpec, parsed: Any, rows: np.ndarray) -> pa.Array:
        ctx = self._context(spec.name, rows, {}, getattr(parsed, "gender", None))
        values = spec.func(ctx, parsed)
        return pa.array(values) if isinstance(values, np.ndarray) else values

    def _one_distinct(self, spec: registry.GeneratorSpec, parsed: Any, key: tuple[str, str]) -> Any:
        """One value new to the `unique` memory: the next rows' values one by one, from the
        values computed ahead (a draw per call cost ~500 µs for an email); when the next
        rows give nothing new, the growing draws of _distinct take over."""
        with self._unique_lock:
            memory = self._seen.setdefault(key, _Memory())
            for _ in range(self._AHEAD):
                value = self._one(key, lambda rows: self._draw(spec, parsed, rows))
                if value is not None and value not in memory.values:
                    memory.values.add(value)
                    return value
            return self._distinct(spec, parsed, 1)[0].as_py()

    # Each draw that gives nothing new doubles the next one; after this many in a row (about
    # 40,000 values for a single one asked) the generator has run out of values.
    _UNIQUE_STALLS = 12

    def _distinct(self, spec: registry.GeneratorSpec, parsed: Any, n: int) -> pa.Array:
        """n values new to this Phony's `unique` memory: draw, keep the first occurrence of
        each value not seen before, draw again for the rest. One thread at a time (the
        memory is shared); a call costs about its own size, not the memory's."""
        import json

        key = (spec.name, json.dumps(parsed.model_dump(mode="json"), sort_keys=True))
        kept: list[pa.Array] = []
        got, stalls = 0, 0
        with self._unique_lock:
            memory = self._seen.setdefault(key, _Memory())
            given: set = set()  # this call's values: remembered only if the call succeeds
            while got < n:
                need = n - got
                size = min((need + need // 4 + 8) << stalls, max(need, 1 << 20))
                batch = self._draw(spec, parsed, self._rows(size))
                values = batch.to_pylist()
                take, fresh = [], set()
                for i, v in enumerate(values):  # set lookups: O(1) whatever the memory holds
                    if (
                        v is not None
                        and v not in memory.values
                        and v not in given
                        and v not in fresh
                    ):
                        fresh.add(v)
                        take.append(i)
                        if len(take) == need:
                            break
                if not take:
                    stalls += 1
                    if stalls >= self._UNIQUE_STALLS:
                        domain = spec.domain_size(parsed, self.locale)
                        size_text = f" (it has about {domain:,})" if domain else ""
                        raise UsageError(
                            f"{spec.name}: no new distinct value in {stalls} growing draws "
                            f"after {len(memory.values) + len(given):,} distinct values"
                            f"{size_text}; fake.unique.clear() forgets the values given so far"
                            + (
                                f" (this call gave none of its {n:,}: they stay available)"
                                if given
                                else ""
                            )
                        )
                    continue
                stalls = 0
                new = batch.take(pa.array(take, type=pa.int64()))
                given.update(fresh)
                kept.append(new)
                got += len(new)
            memory.values.update(given)
        return pa.concat_arrays(kept) if kept else self._draw(spec, parsed, self._rows(0))

    def record(self, *families: str, n: int = 1, fields: list[str] | None = None) -> pa.Table:
        """A table whose every row is one coherent record of the families' generators.

        ``record("person", n=3)`` has every person.* column (default parameters), all
        describing the same person in each row; ``record("person", "internet")`` adds
        emails of those people. `fields` picks generators by full name instead.
        """
        specs = registry.all_specs()
        stray = [f for f in families if not isinstance(f, str)]
        if stray:
            raise UsageError(
                f"record() takes family names, then n=…: got {stray[0]!r}; "
                f"write record({', '.join(repr(f) for f in families if isinstance(f, str))}, "
                f"n={stray[0]!r})"
            )
        if isinstance(fields, str):  # one generator's name, not its letters
            fields = [fields]
        if fields is not None and families:
            raise UsageError(
                f"record() takes families ({', '.join(map(repr, families))}) or fields=, not "
                "both: fields= picks the generators by name, families take all of theirs"
            )
        if fields is not None:
            chosen = []
            for name in fields:
                spec = registry.get(name)
                if spec is None:
                    raise UsageError(
                        f"unknown generator '{name}'{_suggest_generator(name, registry.names())}"
                    )
                chosen.append(spec)
        else:
            if not families:
                raise UsageError("name at least one family, e.g. record('person', n=10)")
            known = self.families()
            for family in families:
                if family not in known:
                    raise UsageError(
                        f"no generator family '{family}'{_suggest(family, known)} "
                        f"(families: {', '.join(known)})"
                    )
            chosen = [s for f in dict.fromkeys(families) for s in specs if s.family == f]
        short = [s.name.split(".", 1)[-1] for s in chosen]
        columns = [
            sh if short.count(sh) == 1 else s.name for sh, s in zip(short, chosen, strict=True)
        ]
        rows = self._rows(n)
        cache: dict = {}  # one record per family shared by every column: coherent rows
        arrays = []
        defaults = [self._params(spec, {}) for spec in chosen]  # a required one: UsageError
        for spec, params in zip(chosen, defaults, strict=True):
            values = spec.func(self._context(spec.name, rows, cache), params)
            arrays.append(pa.array(values) if isinstance(values, np.ndarray) else values)
        return pa.table(dict(zip(columns, arrays, strict=True)))


class _Family:
    """`fake.person`: its generators as methods."""

    def __init__(self, owner: Phony, family: str, unique: bool = False) -> None:
        self._owner = owner
        self._family = family
        self._unique = unique
        self.__doc__ = _family_doc(family)

    def _names(self) -> list[str]:
        return [s.name.split(".", 1)[-1] for s in registry.all_specs() if s.family == self._family]

    def __call__(self, n: int | None = None, **params: Any) -> Any:
        """A family that is also one generator (`ngram`): `fake.ngram(model=…, n=…)`."""
        if registry.get(self._family) is None:
            from .generators.faker_names import FAKER_NAMES

            # Faker's `fake.address()` / `fake.company()` are methods: name the one meant
            meant = FAKER_NAMES.get(self._family)
            faker = f"Faker's fake.{self._family}() is fake.{meant}(); " if meant else ""
            raise TypeError(
                f"{faker}'{self._family}' is a family of generators, not one; call one of them: "
                f"{', '.join(f'{self._family}.{x}()' for x in self._names())}"
            )
        if self._unique:
            params.setdefault("unique", True)
        return self._owner.generate(self._family, n, **params)

    def __getattr__(self, name: str) -> _Generator:
        if name.startswith("_"):
            raise AttributeError(name)
        full = f"{self._family}.{name}"
        if name == self._family and registry.get(name) is not None:
            full = name  # `fake.ngram.ngram`, as `dir(fake.ngram)` lists it
        if registry.get(full) is None:
            raise AttributeError(
                f"no generator '{full}'{_suggest_generator(full, self._names(), f'{self._family}.')} "
                f"({self._family}: {', '.join(self._names())})"
            )
        return _Generator(self._owner, full, self._unique)

    def __dir__(self) -> list[str]:
        return self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __repr__(self) -> str:
        return f"<{self._family} generators: {', '.join(self._names())}>"


class _Memory:
    """The values `fake.unique` gave for one generator and parameters."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: set[Any] = set()


class _Unique:
    """`fake.unique.<family>.<generator>(…)`: values never given out before under it."""

    def __init__(self, owner: Phony) -> None:
        self._owner = owner

    def clear(self) -> None:
        """Forget the values given so far (Faker's `fake.unique.clear()`)."""
        with self._owner._unique_lock:
            self._owner._seen.clear()

    def generate(self, name: str, n: int | None = None, **params: Any) -> Any:
        """`fake.generate(name, n, unique=True, …)`."""
        return self._owner.generate(name, n, unique=True, **params)

    def __getattr__(self, name: str) -> _Family:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._owner.families():
            hint = _suggest_generator(name, self._owner.families())
            if hint and "(" in hint.split("?")[0]:  # fake.unique.email → its full path
                hint = hint.replace("did you mean ", "did you mean fake.unique.")
            raise AttributeError(
                f"fake.unique has the generator families ({', '.join(self._owner.families())}) "
                f"and generate(); '{name}' is not one of them{hint}"
            )
        return _Family(self._owner, name, unique=True)

    def __dir__(self) -> list[str]:
        return [*self._owner.families(), "clear"]


# The Python type of one value, by the PDL type a generator returns (for help()).
_PYTHON_TYPES = {
    "bool": "bool",
    "date": "datetime.date",
    "decimal": "decimal.Decimal",
    "float": "float",
    "int": "int",
    "string": "str",
    "uuid": "str",
}


@functools.cache
def _generator_help(name: str) -> tuple[str, inspect.Signature]:
    """A generator's help text and call signature, made once: every `fake.person.age`
    makes a _Generator, and building these per call tripled a single value's cost."""
    spec = registry.get(name)
    fields = spec.params.model_fields
    one = _PYTHON_TYPES.get(str(spec.returns).split("(")[0], "value")
    doc = (
        f"{spec.summary}\n\nParameters: "
        + (", ".join(f"{k}={f.default!r}" for k, f in fields.items()) or "none")
        + f"\n\nReturns one {one} without `n`; with `n=`, a pyarrow Array of n values "
        f"({spec.returns})."
    )
    # help() and IDEs show the real keywords, not (n=None, **params)
    signature = inspect.Signature(
        [inspect.Parameter("n", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)]
        + [
            inspect.Parameter(
                k,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if f.is_required() else f.default,
            )
            for k, f in fields.items()
        ]
    )
    return doc, signature


@functools.cache
def _family_doc(family: str) -> str:
    return f"fake.{family}: its generators as methods.\n\n" + "\n".join(
        f"{s.name.split('.', 1)[-1]}(): {s.summary}"
        for s in registry.all_specs()
        if s.family == family
    )


class _Generator:
    def __init__(self, owner: Phony, name: str, unique: bool = False) -> None:
        self._owner = owner
        self._unique = unique
        self.name = name
        self.__doc__, self.__signature__ = _generator_help(name)

    def __call__(self, n: int | None = None, **params: Any) -> Any:
        if self._unique:
            params.setdefault("unique", True)
        return self._owner.generate(self.name, n, **params)

    def __repr__(self) -> str:
        return f"<generator {self.name}>"


__all__ = ["Phony"]
