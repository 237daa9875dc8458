"""The generator registry: one declaration per generator drives validation,
`phony generators`, spec/generators.md, the JSON Schema and uniqueness checks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..types import DataType


class Params(BaseModel):
    """Base of every generator's parameter model: unknown keys are errors.

    `field_paths` names parameters whose value is another field of the row (`field` or
    `fk_field.parent_field`): validation resolves them, the entity graph orders the field
    after them, and the generator reads their values with `ctx.field_values`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    field_paths: ClassVar[tuple[str, ...]] = ()


DomainFn = Callable[[Any, str], "int | None"]


@dataclass(frozen=True)
class GeneratorSpec:
    name: str
    params: type[Params]
    returns: DataType
    family: str
    summary: str
    func: Callable[..., Any]
    domain: DomainFn | int | None = None
    # Whole-entity work a unique field needs before its blocks (the engine runs it once per
    # run over all the entity's rows and hands the result to every block as ctx.prepared)
    prepare: Callable[[Any, Any], Any] | None = None

    def domain_size(self, params: Any, locale: str) -> int | None:
        """How many distinct values exist (None when unbounded or unknown)."""
        if callable(self.domain):
            return self.domain(params, locale)
        return self.domain


REGISTRY: dict[str, GeneratorSpec] = {}
_plugins_loaded = False
# Re-entrant: loading the built-in modules may look generators up on the same thread;
# other threads wait until the registry is full instead of seeing it half-filled.
_plugins_lock = threading.RLock()
_loading: set[int] = set()  # the thread filling the registry, while it does


def generator(
    name: str,
    *,
    returns: DataType,
    family: str,
    summary: str,
    params: type[Params] = Params,
    domain: DomainFn | int | None = None,
    prepare: Callable[[Any, Any], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a generator; a duplicate name fails at import time."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY:
            raise RuntimeError(f"generator {name!r} is declared twice")
        REGISTRY[name] = GeneratorSpec(
            name, params, returns, family, summary, func, domain, prepare
        )
        return func

    return register


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    with _plugins_lock:
        if _plugins_loaded or _plugins_lock_owner_loading():
            return
        _loading.add(threading.get_ident())
        try:
            from . import builtin  # noqa: F401  (fills the registry by declaration)

            for ep in entry_points(group="phony.generators"):
                ep.load()
            _plugins_loaded = True
        finally:
            _loading.discard(threading.get_ident())


def _plugins_lock_owner_loading() -> bool:
    """True inside the imports of `_load_plugins` on this thread (a nested lookup)."""
    return threading.get_ident() in _loading


def get(name: str) -> GeneratorSpec | None:
    _load_plugins()
    return REGISTRY.get(name)


def names() -> list[str]:
    _load_plugins()
    return sorted(REGISTRY)


_families: tuple[int, tuple[str, ...]] = (-1, ())


def families() -> list[str]:
    """The generator families, sorted; remade only when a generator was registered (the
    Faker-style API asks on every `fake.person`; sorting the registry each time was the
    largest part of a single value's cost)."""
    global _families
    _load_plugins()
    count, known = _families
    if count != len(REGISTRY):  # names are only ever added: the count tells a change
        known = tuple(sorted({spec.family for spec in REGISTRY.values()}))
        _families = (len(REGISTRY), known)
    return list(known)


def all_specs() -> list[GeneratorSpec]:
    _load_plugins()
    return [REGISTRY[n] for n in sorted(REGISTRY)]
