"""PDL value types: parsing the `type:` modifier and what each type means."""

from __future__ import annotations

import re
from dataclasses import dataclass

# kind → (description, ordered?) ; the single list behind validation and docs.
TYPE_KINDS: dict[str, str] = {
    "int": "64-bit signed integer",
    "float": "64-bit floating point",
    "decimal": "exact decimal, `decimal(p,s)` (default p=18, s=2)",
    "bool": "true/false",
    "string": "Unicode text; `min`/`max` bound its length",
    "date": "calendar date (ISO 8601 `2024-01-31`)",
    "datetime": "timestamp without time zone, microsecond precision",
    "time": "time of day (`13:45:00`)",
    "uuid": "RFC 4122 UUID, written as text",
}
_ALIASES = {
    "integer": "int",
    "bigint": "int",
    "double": "float",
    "boolean": "bool",
    "str": "string",
    "text": "string",
    "timestamp": "datetime",
    "numeric": "decimal",
}
_DECIMAL = re.compile(r"^decimal\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$")


@dataclass(frozen=True, slots=True)
class DataType:
    kind: str
    precision: int = 0
    scale: int = 0

    def __str__(self) -> str:
        if self.kind == "decimal":
            return f"decimal({self.precision},{self.scale})"
        return self.kind

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float", "decimal")

    @property
    def temporal(self) -> bool:
        return self.kind in ("date", "datetime", "time")


INT = DataType("int")
FLOAT = DataType("float")
BOOL = DataType("bool")

# A mapping's keys are text, so a weighted bool choice (`{ true: 95, false: 5 }`) has the
# YAML core schema's spellings of the two values as keys.
BOOL_WORDS = {
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False
}  # fmt: skip
STRING = DataType("string")
DATE = DataType("date")
DATETIME = DataType("datetime")
TIME = DataType("time")
UUID = DataType("uuid")


def parse_type(text: str) -> DataType:
    """`decimal(10,2)` → DataType; raises ValueError with a user-facing message."""
    raw = text.strip().lower()
    raw = _ALIASES.get(raw, raw)
    if raw.startswith("numeric("):
        raw = "decimal" + raw[len("numeric") :]
    m = _DECIMAL.match(raw)
    if m:
        precision = int(m.group(1) or 18)
        scale = int(m.group(2) or (2 if m.group(1) is None else 0))
        if not 1 <= precision <= 38:
            raise ValueError(f"decimal precision {precision} is outside 1..38")
        if scale > precision:
            raise ValueError(f"decimal scale {scale} exceeds its precision {precision}")
        return DataType("decimal", precision, scale)
    if raw in TYPE_KINDS:
        return DataType(raw)
    raise ValueError(f"unknown type '{text}'")


def known_type_names() -> list[str]:
    return sorted(set(TYPE_KINDS) | set(_ALIASES))
