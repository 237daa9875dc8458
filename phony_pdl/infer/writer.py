"""Entities with comments → readable PDL YAML (one flow mapping per field, a comment after it)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .document import EntityOut

__all__ = ["render", "scalar"]

_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_SPECIAL = {"null", "true", "false", "yes", "no", "on", "off", "~", "nan", "inf"}
WIDTH = 110


def scalar(value: Any) -> str:
    kind = type(value)  # plain numbers first: a document holds thousands of them
    if kind is float and math.isfinite(value):
        return repr(value)
    if kind is int:
        return str(value)
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        value = value.item()  # numpy scalars
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"cannot write {value} in PDL")
        return repr(value)
    text = str(value)
    if _SAFE.match(text) and text.lower() not in _SPECIAL:
        return text
    if text and "'" not in text and all(ch.isprintable() for ch in text):
        return "'" + text + "'"
    # SQL's quotes inside: double quotes read better than YAML's doubled single ones
    # (`"CASE plan WHEN 'pro' THEN 29 END"`); JSON's escapes are YAML's too, and JSON leaves
    # what YAML reads as a line break (U+2028, NEL) or refuses (C1 controls) unescaped
    return _UNPRINTABLE.sub(_escape, json.dumps(text, ensure_ascii=False))


_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def flow(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _comment(text: str) -> str:
    return ("  # " + " ".join(text.split())) if text else ""


def _block(key: str, value: dict[str, Any], indent: int, comment: str) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}{scalar(key)}:{_comment(comment)}"]
    for k, v in value.items():
        line = f"{pad}  {scalar(k)}: {flow(v)}"
        if len(line) > WIDTH and isinstance(v, dict) and v:
            lines.append(f"{pad}  {scalar(k)}:")
            lines.extend(f"{pad}    {scalar(kk)}: {flow(vv)}" for kk, vv in v.items())
        elif (
            len(line) > WIDTH and isinstance(v, list) and v and all(isinstance(i, dict) for i in v)
        ):
            lines.append(f"{pad}  {scalar(k)}:")
            lines.extend(f"{pad}    - {flow(i)}" for i in v)
        else:
            lines.append(line)
    return lines


def render(name: str, entities: list[EntityOut], header: list[str], locale: str | None) -> str:
    lines = [f"# {h}" if h else "#" for h in header]
    lines += ["pdl: 1", f"name: {scalar(name)}"]
    if locale and locale != "en_US":
        lines.append(f"locale: {locale}")
    lines.append("entities:")
    for e in entities:
        for c in e.comments:
            lines.append(f"  # {c}")
        lines.append(f"  {scalar(e.name)}:")
        if e.table is not None:
            lines.append(f"    table: {scalar(e.table)}")
        if e.timeline is not None:
            lines.extend(_timeline(e.timeline))
        else:
            lines.append(f"    count: {flow(e.count)}{_comment(e.count_comment)}")
        key = _written_key(e)
        if key is not None:
            comment = "`id` is not a key in the sample" if key == [] else None
            lines.append(f"    primary_key: {flow(key)}{_comment(comment)}")
        if e.unique:
            lines.append(f"    unique: {flow(e.unique)}{_comment(e.unique_comment)}")
        lines.append("    fields:")
        width = max((len(f.name) for f in e.fields), default=0)
        for f in e.fields:
            text = flow(f.spec)
            line = f"      {scalar(f.name) + ':':<{width + 1}} {text}"
            if len(line) <= WIDTH:
                lines.append(line + _comment(f.comment))
            else:
                lines.extend(_block(f.name, f.spec, 6, f.comment))
        if e.correlate:
            lines.append(f"    correlate:{_comment(e.correlate_comment)}")
            for block in e.correlate:
                lines.append(f"      - fields: {flow(block['fields'])}")
                for key, value in block.items():
                    if key == "fields":
                        continue
                    if isinstance(value, list):
                        lines.append(f"        {key}:")
                        lines.extend(f"          - {flow(row)}" for row in value)
                    else:
                        lines.append(f"        {key}: {flow(value)}")
    return "\n".join(lines) + "\n"


def _timeline(tl: Any) -> list[str]:
    """A `timeline:` block: one line per key, one flow mapping per state, with comments."""
    lines = [f"    timeline:{_comment(tl.comment)}"]
    for key, value in tl.spec.items():
        if key != "states":
            lines.append(f"      {key}: {flow(value)}{_comment(tl.comments.get(key, ''))}")
            continue
        lines.append(f"      states:{_comment(tl.comments.get('states', ''))}")
        width = max((len(scalar(s)) for s in value), default=0)
        for state, body in value.items():
            line = f"        {scalar(state) + ':':<{width + 1}} {flow(body)}"
            note = tl.state_comments.get(state, "")
            if len(line) <= WIDTH:
                lines.append(line + _comment(note))
            else:
                lines.extend(_block(state, body, 8, note))
    return lines


def _written_key(e: EntityOut) -> str | list[str] | None:
    """The `primary_key` to write: none for `id` (PDL's default), `[]` when a field named
    `id` is not a key (duplicates or NULLs in the sample), else the key."""
    if e.primary_key:
        return None if e.primary_key == "id" else e.primary_key
    return [] if any(f.name == "id" for f in e.fields) else None


def document(name: str, entities: list[EntityOut], locale: str | None) -> dict[str, Any]:
    """The same document as a dict (what `phony_pdl.load` accepts)."""
    doc: dict[str, Any] = {"pdl": 1, "name": name}
    if locale and locale != "en_US":
        doc["locale"] = locale
    doc["entities"] = {}
    for e in entities:
        body: dict[str, Any] = {} if e.table is None else {"table": e.table}
        if e.timeline is not None:
            body["timeline"] = e.timeline.spec
        else:
            body["count"] = e.count
        key = _written_key(e)
        if key is not None:
            body["primary_key"] = key
        if e.unique:
            body["unique"] = e.unique
        body["fields"] = {f.name: f.spec for f in e.fields}
        if e.correlate:
            body["correlate"] = e.correlate
        doc["entities"][e.name] = body
    return doc
