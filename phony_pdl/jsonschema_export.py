"""Builds schemas/pdl-1.schema.json from the pydantic models and the registries.

Run `python -m phony_pdl.jsonschema_export > schemas/pdl-1.schema.json` after
changing the language; a test fails while the committed file is out of date.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import distributions
from .generators import registry
from .model import Document

SCHEMA_ID = "https://phony.dev/schemas/pdl-1.schema.json"
_NUMBER_OR_DURATION = {"anyOf": [{"type": "number"}, {"type": "string"}]}


def _params_schema(model: type, allow_durations: bool = False) -> dict[str, Any]:
    schema = model.model_json_schema()
    props = schema.get("properties", {})
    out = {}
    for name, prop in props.items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        kinds = {prop.get("type")} | {a.get("type") for a in prop.get("anyOf", [])}
        if allow_durations and kinds & {"number", "integer"}:
            prop = {"anyOf": [*_NUMBER_OR_DURATION["anyOf"], {"type": "null"}]}
        out[name] = prop
    return out


def _conditionals(
    key: str, table: dict[str, Any], allow_durations: bool = False
) -> list[dict[str, Any]]:
    rules = []
    for name in sorted(table):
        item = table[name]
        params = _params_schema(item.params, allow_durations)
        if not params:
            continue
        rules.append(
            {
                "if": {"properties": {key: {"const": name}}, "required": [key]},
                "then": {"properties": params},
            }
        )
    return rules


def build_schema() -> dict[str, Any]:
    schema = Document.model_json_schema(by_alias=True, mode="validation")
    defs = schema["$defs"]
    generator_names = registry.names()
    dist_names = sorted(distributions.REGISTRY)
    generators = {s.name: s for s in registry.all_specs()}
    for holder in ("FieldSpec", "DistSpec", "PerCount"):
        d = defs[holder]
        d["properties"].pop("params", None)
        d.pop("additionalProperties", None)
        d["unevaluatedProperties"] = False
        if "distribution" in d["properties"]:
            d["properties"]["distribution"] = {
                "anyOf": [{"enum": dist_names}, {"type": "null"}],
                "description": d["properties"]["distribution"].get("description", ""),
            }
        rules = _conditionals(
            "distribution", distributions.REGISTRY, allow_durations=holder == "DistSpec"
        )
        if holder == "FieldSpec":
            d["properties"]["generator"] = {
                "anyOf": [{"enum": generator_names}, {"type": "null"}],
                "description": d["properties"]["generator"].get("description", ""),
            }
            rules += _conditionals("generator", generators)
            from .series_params import SeriesValueParams

            rules.append(
                {
                    "if": {"properties": {"series": {"const": "value"}}, "required": ["series"]},
                    "then": {"properties": _params_schema(SeriesValueParams)},
                }
            )
        if rules:
            d["allOf"] = rules
    for d in defs.values():
        d.pop("title", None)
        for prop in d.get("properties", {}).values():
            prop.pop("title", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Phony Definition Language, version 1",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def render() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
