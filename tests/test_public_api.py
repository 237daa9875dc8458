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


def test_light_imports_do_not_load_the_engine() -> None:
    """`phony --version` and the pytest plugin (loaded by every pytest run where Phony is
    installed) must not pay for numpy, pyarrow, networkx, sqlglot or pydantic."""
    import json
    import subprocess
    import sys

    heavy = ["numpy", "pyarrow", "networkx", "sqlglot", "pydantic", "scipy"]
    code = (
        "import json, sys\n"
        "import phony_pdl, phony_pdl.cli, phony_pdl.pytest_plugin\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)  # fmt: skip
    assert loaded == []
    version = subprocess.run([sys.executable, "-m", "phony_pdl.cli", "--version"],
                             capture_output=True, text=True)  # fmt: skip
    assert version.returncode == 0 and version.stdout.startswith("phony ")


def test_lazy_names_resolve_to_the_engine_objects() -> None:
    from phony_pdl.fake import Phony
    from phony_pdl.schema import Schema, load

    assert (phony_pdl.Phony, phony_pdl.Schema, phony_pdl.load) == (Phony, Schema, load)
    try:
        phony_pdl.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "no_such_name" in str(exc)
    else:
        raise AssertionError("unknown attribute did not raise")
