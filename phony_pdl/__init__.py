"""Phony: schema-driven synthetic data.

>>> import phony_pdl
>>> schema = phony_pdl.load({"pdl": 1, "name": "t", "entities": {"a": {"count": 3, "fields": {"id": {"sequence": 1}}}}})
>>> schema.name
't'
"""

from ._version import __version__
from .errors import Diagnostic, GenerationError, PhonyError, SchemaError, UsageError
from .fake import Phony
from .schema import Schema, load

__all__ = [
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
