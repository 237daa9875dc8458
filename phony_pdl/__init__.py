"""Phony: schema-driven synthetic data.

>>> import phony_pdl
>>> schema = phony_pdl.load({"pdl": 1, "name": "t", "entities": {"a": {"count": 3, "fields": {"id": {"sequence": 1}}}}})
>>> schema.name
't'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import Diagnostic, GenerationError, PhonyError, SchemaError, UsageError

if TYPE_CHECKING:
    from .engine import Dataset
    from .fake import Phony
    from .schema import Schema, load

# The engine (numpy, pyarrow, networkx, sqlglot, pydantic models) loads on first use, so
# `phony --version` and the pytest plugin (loaded by every pytest run where Phony is
# installed) stay cheap to import.
_LAZY = {"Dataset": ".engine", "Phony": ".fake", "Schema": ".schema", "load": ".schema"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:  # the lazy names too, for tab completion and help()
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Dataset",
    "Diagnostic",
    "GenerationError",
    "Phony",
    "PhonyError",
    "Schema",
    "SchemaError",
    "UsageError",
    "__version__",
    "load",
]
