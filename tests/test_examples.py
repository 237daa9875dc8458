"""Every bundled example is a valid schema."""

from __future__ import annotations

import pytest

import phony_pdl

from .conftest import EXAMPLES, ROOT


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_validates(example) -> None:
    schema = phony_pdl.load(example)
    assert schema.entities


def test_required_examples_exist() -> None:
    names = {e.name for e in EXAMPLES}
    assert {"shop.yaml", "hr.yaml", "teams.yaml"} <= names


@pytest.mark.parametrize("path", sorted((ROOT / "bench").glob("*.yaml")), ids=lambda p: p.name)
def test_benchmark_schemas_validate_and_generate(path) -> None:
    """The benchmark schemas are not run in CI at size; keep them valid and working."""
    schema = phony_pdl.load(path)
    ds = schema.generate(scale=0.01)
    for name in schema.entities:
        assert ds[name].num_rows == ds.count(name)
