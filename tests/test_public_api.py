"""The public façade exports exactly what it documents."""

from __future__ import annotations

import phony_pdl


def test_all_is_exact_and_importable() -> None:
    assert sorted(phony_pdl.__all__) == sorted(
        [
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
    )
    for name in phony_pdl.__all__:
        assert hasattr(phony_pdl, name)


def test_errors_inherit_builtins() -> None:
    assert issubclass(phony_pdl.SchemaError, ValueError)
    assert issubclass(phony_pdl.SchemaError, phony_pdl.PhonyError)
    assert issubclass(phony_pdl.GenerationError, RuntimeError)
