"""The public façade exports exactly what it documents."""

from __future__ import annotations

import phony_pdl


def test_all_is_exact_and_importable() -> None:
    assert sorted(phony_pdl.__all__) == sorted(
        [
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


def test_lazy_names_are_listed_and_types_are_shipped() -> None:
    from pathlib import Path

    assert {"load", "Phony", "Schema", "Dataset"} <= set(dir(phony_pdl))
    assert (Path(phony_pdl.__file__).parent / "py.typed").exists()  # PEP 561: hints reach mypy
    import inspect

    signature = inspect.signature(phony_pdl.Schema.generate)
    assert {"seed", "scale", "only", "block_rows"} <= set(signature.parameters)


def test_errors_and_generators_pickle_for_process_pools() -> None:
    import pickle

    from phony_pdl import Phony

    try:
        phony_pdl.load("pdl: 1\nname: t\nentities: {a: {count: -1, fields: {id: {sequence: 1}}}}\n")
    except phony_pdl.SchemaError as exc:
        back = pickle.loads(pickle.dumps(exc))
        assert back.codes == exc.codes == ["bad-count"] and str(back) == str(exc)
    fake = Phony(seed=4)
    fake.person.first_name(n=3)
    copy = pickle.loads(pickle.dumps(fake))
    assert copy.row == 3 and copy.person.first_name() == fake.person.first_name()


def test_api_arguments_are_checked_like_the_command_line() -> None:
    import numpy as np
    import pytest

    doc = {
        "pdl": 1,
        "name": "t",
        "entities": {"a": {"count": np.int64(3), "fields": {"id": {"sequence": 1}}}},
    }
    schema = phony_pdl.load(doc)  # numpy integers are integers
    assert schema.generate(only="a")["a"].num_rows == 3  # one name, not its letters
    for bad in ({"scale": -1}, {"seed": "7"}, {"block_rows": 0}):
        with pytest.raises(phony_pdl.UsageError):
            schema.generate(**bad)
    with pytest.raises(phony_pdl.UsageError, match="takes a path, PDL text"):
        phony_pdl.load([1])
    try:
        phony_pdl.load(
            {
                "pdl": 1,
                "name": "t",
                "entities": {"a": {"count": -1, "fields": {"id": {"sequence": 1}}}},
            }
        )
    except phony_pdl.SchemaError as exc:
        assert str(exc).startswith("entities.a.count: ")  # a dict has paths, not lines
    ds = schema.generate()
    for _ in range(2):  # a failed lookup leaves no state behind
        with pytest.raises(KeyError):
            ds.count("zz")
