"""`template:` strings: literal text with `{field}` placeholders; `{{` and `}}` escape braces."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]|[^{}]+")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TemplateError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_template(text: str) -> list[tuple[str, str]]:
    """[('text', 'literal') | ('field', 'name'), ...]; raises TemplateError."""
    parts: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            parts.append(("text", tok[0]))
        elif tok in ("{", "}"):
            raise TemplateError(
                f"unmatched '{tok}' at offset {m.start()}; write '{tok}{tok}' for a brace",
                m.start(),
            )
        elif m.group(1) is not None:
            name = m.group(1).strip()
            if not _NAME.match(name):
                raise TemplateError(f"'{{{m.group(1)}}}' is not a field name", m.start())
            parts.append(("field", name))
        else:
            parts.append(("text", tok))
    merged: list[tuple[str, str]] = []
    for kind, value in parts:
        if merged and kind == "text" and merged[-1][0] == "text":
            merged[-1] = ("text", merged[-1][1] + value)
        else:
            merged.append((kind, value))
    return merged


def template_fields(text: str) -> list[str]:
    return [v for k, v in parse_template(text) if k == "field"]
