"""Every bundled example is a valid schema."""

from __future__ import annotations

import pytest

import phony_pdl

from .conftest import EXAMPLES


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_validates(example) -> None:
    schema = phony_pdl.load(example)
    assert schema.entities


def test_required_examples_exist() -> None:
    names = {e.name for e in EXAMPLES}
    assert {"shop.yaml", "hr.yaml", "teams.yaml"} <= names
