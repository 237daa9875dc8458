"""schemas/pdl-1.schema.json is generated from the models and registry, and every example fits it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from phony_pdl.jsonschema_export import render
from phony_pdl.nodes import to_python
from phony_pdl.parse import parse_file
from phony_pdl.resources import schema_path

from .conftest import EXAMPLES, ROOT


def test_committed_schema_is_in_sync() -> None:
    committed = (ROOT / "schemas" / "pdl-1.schema.json").read_text(encoding="utf-8")
    assert committed == render(), (
        "run: python -m phony_pdl.jsonschema_export > schemas/pdl-1.schema.json"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(schema_path().read_text()))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_examples_validate_against_json_schema(example) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_path().read_text()))
    data = to_python(parse_file(example)[0])
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_json_schema_catches_typos_for_editors() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_path().read_text()))
    data = to_python(parse_file(EXAMPLES[0])[0])
    entity = next(iter(data["entities"].values()))
    field = next(iter(entity["fields"].values()))
    field["nul_rate"] = 0.1
    assert any("nul_rate" in e.message for e in validator.iter_errors(data))


@pytest.mark.parametrize(
    ("pdl", "count", "fields"),
    [
        (2, 5, {"id": {"sequence": 1}}),  # a version this Phony does not read
        (1, -5, {"id": {"sequence": 1}}),  # negative count
        (1, 5, {"a": {"type": "int", "null_rate": 15}}),  # a share above 1
        (1, 5, {"a": {"choice": ["a", "b"], "const": "a"}}),  # two value sources
        (1, 5, {"a": {"null_rate": 0.5}}),  # no source and no type
    ],
)
def test_json_schema_catches_what_validate_would(pdl: int, count: int, fields: dict) -> None:
    import phony_pdl

    validator = jsonschema.Draft202012Validator(json.loads(schema_path().read_text()))
    doc = {"pdl": pdl, "name": "x", "entities": {"t": {"count": count, "fields": fields}}}
    assert list(validator.iter_errors(doc))
    with pytest.raises(phony_pdl.SchemaError):
        phony_pdl.load(doc)


def test_json_schema_knows_a_per_parent_choice_table() -> None:
    """`count: {per:, choice: {2: 260, …}}`: described, accepted as PDL accepts it, and the
    mistakes validate reports (a fractional key, a negative weight, `max` beside it) fail."""
    import phony_pdl

    schema = json.loads(schema_path().read_text())
    choice = schema["$defs"]["PerCount"]["properties"]["choice"]
    assert "table of children per parent" in choice["description"]
    validator = jsonschema.Draft202012Validator(schema)

    def doc(count: dict) -> dict:
        return {
            "pdl": 1,
            "name": "x",
            "entities": {
                "p": {"count": 3, "fields": {"id": {"sequence": 1}}},
                "c": {"count": {"per": "p", **count}, "fields": {"p_id": {"ref": "p.id"}}},
            },
        }

    good = doc({"choice": {"0": 1, "2": 260, "3": 87.5}})
    assert list(validator.iter_errors(good)) == []
    phony_pdl.load(good)
    for bad in (
        {"choice": {"2.5": 1}},
        {"choice": {"2": -1}},
        {"choice": {"2": 1}, "max": 4},
        {"choice": {}},
    ):
        assert list(validator.iter_errors(doc(bad))), bad
        with pytest.raises(phony_pdl.SchemaError):
            phony_pdl.load(doc(bad))
