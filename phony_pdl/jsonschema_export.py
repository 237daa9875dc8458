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


def _tighten(schema: dict[str, Any], defs: dict[str, Any]) -> None:
    """What `phony validate` checks and an editor can too: the version, non-negative counts
    (a per-parent `choice` table of whole numbers, alone),
    null rates in [0, 1], and one value source per field (a type alone is one)."""
    from .model import SOURCE_KEYS

    schema["properties"]["pdl"] = {"const": 1, "description": "PDL language version: 1."}
    count = defs["Entity"]["properties"]["count"]
    count["anyOf"] = [
        {"type": "integer", "minimum": 0} if a.get("type") == "integer" else a
        for a in count["anyOf"]
    ]
    per = defs["PerCount"]
    per["properties"]["choice"]["anyOf"] = [
        {
            "type": "object",
            "propertyNames": {"pattern": "^(0|[1-9][0-9]*)$"},
            "additionalProperties": {"type": "number", "minimum": 0},
            "minProperties": 1,
        }
        if a.get("type") == "object"
        else a
        for a in per["properties"]["choice"]["anyOf"]
    ]
    per["dependentSchemas"] = {
        "choice": {
            "properties": {k: False for k in ("const", "min", "max", "distribution")},
            "description": "a `choice` table lists every count it draws: no other form beside it",
        }
    }
    field = defs["FieldSpec"]
    rate = field["properties"]["null_rate"]
    rate["anyOf"] = [
        {"type": "number", "minimum": 0, "maximum": 1} if a.get("type") == "number" else a
        for a in rate["anyOf"]
    ]
    sources = [k for k in SOURCE_KEYS if k in field["properties"]]
    field["dependentSchemas"] = {
        key: {
            "properties": {other: False for other in sources if other != key},
            "description": f"`{key}` is the field's value source: no other one beside it",
        }
        for key in sources
    }
    field.setdefault("allOf", []).append(
        {"anyOf": [{"required": [key]} for key in [*sources, "type"]]}
    )


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
    _tighten(schema, defs)
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
