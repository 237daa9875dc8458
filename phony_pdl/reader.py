"""Syntax tree → pydantic models, with every shape error placed at file:line:column."""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import ValidationError

from .errors import Diagnostic, Span, did_you_mean, one_of
from .model import Document, PdlModel
from .nodes import MapNode, Node, ScalarNode, SeqNode, node_kind, to_python

Path = tuple[str | int, ...]


def path_str(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class Locator:
    """Finds the node (and key) at a PDL path, for placing diagnostics."""

    def __init__(self, root: Node) -> None:
        self.root = root

    def walk(self, path: Path) -> tuple[Node, ScalarNode | None, Path]:
        """(deepest node reached, its key node, the part of the path that was found)."""
        node, key, found = self.root, None, ()
        for part in path:
            if isinstance(node, MapNode) and isinstance(part, str):
                child_key = node.key_node(part)
                if child_key is None:
                    continue  # a pydantic union tag or a default, not in the file
                node, key = node.get(part), child_key
                found += (part,)
            elif (
                isinstance(node, SeqNode) and isinstance(part, int) and 0 <= part < len(node.items)
            ):
                node, key = node.items[part], None
                found += (part,)
        return node, key, found

    def node(self, path: Path) -> Node:
        return self.walk(path)[0]

    def span(self, path: Path, *, key: bool = False) -> Span:
        node, key_node, _ = self.walk(path)
        if key and key_node is not None:
            return key_node.span
        return node.span


def describe(node: Node) -> str:
    """`string 'abc'`, `number 1.10`, `list`, … as users wrote it."""
    if isinstance(node, ScalarNode):
        if node.value is None:
            return "null"
        text = node.text if len(node.text) <= 40 else node.text[:37] + "..."
        return f"{node.kind} {text!r}" if node.kind == "string" else f"{node.kind} {text}"
    return node_kind(node)


_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "none_required": "null",
}


def difflib_best(given: str, options: Any) -> str | None:
    import difflib

    match = difflib.get_close_matches(given, sorted(options), n=1, cutoff=0.6)
    return match[0] if match else None


def _union_members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _union_members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = []
        for arg in typing.get_args(annotation):
            members.extend(_union_members(arg))
        return members
    return [annotation]


def split_at_comma(key: str, node: MapNode) -> str | None:
    """A hint when `key` is the tail of a value that a flow mapping cut at its comma:
    `{ type: decimal(18,2) }` reads as `type: decimal(18` and a key `2)`."""
    pairs = [(k.value, v.value) for k, v in node.items() if isinstance(v, ScalarNode)]
    return comma_split_hint(key, pairs)


def comma_split_hint(key: str, pairs: list[tuple[Any, Any]]) -> str | None:
    """`split_at_comma` over a mapping's (key, value) pairs."""
    if ")" not in key:
        return None
    for other, text in pairs:
        if isinstance(text, str) and text.count("(") > text.count(")"):
            whole = f"{text},{key}"
            return (
                f"inside `{{ … }}` a comma separates keys, so `{other}: {whole}` was cut at "
                f'its comma; quote the value: `{other}: "{whole}"`'
            )
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, PdlModel)


# What other tools call a field key, and PDL's name for it.
_SYNONYMS = {  # other tools' words for a field key
    "enum": "choice", "values": "choice", "oneof": "choice", "one_of": "choice",
    "options": "choice", "weights": "choice", "default": "const", "value": "const",
    "regex": "pattern", "format_regex": "pattern", "fk": "ref", "foreign_key": "ref",
    "references": "ref", "faker": "generator", "provider": "generator", "nullable_rate": "null_rate",
    "null_probability": "null_rate", "formula": "expr", "sql": "expr", "autoincrement": "sequence",
    "serial": "sequence", "dist": "distribution", "lookup": "from", "look_up": "from",
    "copy": "from", "copy_from": "from", "decimals": "round", "precision": "round",
    "range": "between", "auto_increment": "sequence", "identity": "sequence",
    "expression": "expr", "computed": "expr",
}  # fmt: skip


def _plain_keys_type(choice: MapNode) -> str | None:
    """The type a weighted choice's keys have when every one is written as an unquoted
    number or boolean (`{15: 50, 30: 40, 60: 10}`): the type the same values have in a
    list. Quoted keys, and JSON's (always quoted), stay text."""
    if not choice.keys or not all(k.plain for k in choice.keys):
        return None
    from .parse import resolve_plain

    values = [resolve_plain(k.text) for k in choice.keys]
    if all(isinstance(v, bool) for v in values):
        return "bool"
    decimal = re.compile(r"^[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$")
    if not all(
        isinstance(v, int | float) and decimal.match(k.text)
        for v, k in zip(values, choice.keys, strict=True)
    ):
        return None  # 0x1F, 1_000, .inf: numbers to YAML, but no value PDL's types read back
    return "int" if all(isinstance(v, int) and not isinstance(v, bool) for v in values) else "float"


def synonym_hint(key: str) -> str | None:
    """'did you mean …' for another tool's word for a field key (`lookup` → `from`)."""
    synonym = _SYNONYMS.get(key.lower())
    return f"did you mean '{synonym}'? (PDL's word for it)" if synonym else None


# Other tools' words for a key of one kind of mapping, where spelling alone would point at the
# wrong key (`pearson` is one letter-swap from `spearman` but means `rho`).
_MODEL_SYNONYMS = {  # other tools' words for a field key
    "Correlate": {"pearson": "rho", "correlation": "rho", "corr": "rho", "r": "rho"},
}


# Keys that belong one level up or down, with where they go.
_MODEL_HINTS = {
    ("Entity", "locale"): "`locale` goes on the document or on a field "
    "(`{generator: address.city, locale: fr_FR}`), not on an entity",
}


class Reader:
    def __init__(self, root: Node, diagnostics: list[Diagnostic]) -> None:
        self.root = root
        self.locator = Locator(root)
        self.diagnostics = diagnostics

    def add(
        self, code: str, message: str, span: Span | None, path: Path, hint: str | None = None
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, path_str(path), hint))

    def read_document(self) -> Document | None:
        return self.read(Document, self.root, ())

    def read(self, cls: type[PdlModel], node: Node, path: Path) -> Any:
        if not isinstance(node, MapNode):
            self.add(
                "wrong-type",
                f"expected a mapping, got {describe(node)}",
                node.span,
                path,
                hint=f"write `{path[-1]}:` as a mapping of keys" if path else None,
            )
            return None
        known = {f.alias or name: name for name, f in cls.model_fields.items() if name != "params"}
        holds_params = "params" in cls.model_fields
        data: dict[str, Any] = {}
        params: dict[str, Any] = {}
        failed: set[str] = set()  # keys already reported; their echoes are skipped
        own = self.generator_keys(cls, node) if holds_params else frozenset()
        for key, value in node.items():
            k = key.value
            if k in own:
                params[k] = to_python(value)
                continue
            if k not in known:
                if holds_params:
                    params[k] = to_python(value)
                    continue
                synonym = _MODEL_SYNONYMS.get(cls.__name__, {}).get(k.lower())
                suggestion = synonym or difflib_best(k, known)
                hint = f"did you mean '{synonym}'? (PDL's word for it)" if synonym else None
                hint = hint or _MODEL_HINTS.get((cls.__name__, k)) or split_at_comma(k, node)
                self.add(
                    "unknown-key",
                    f"unknown key '{k}' in {self.where(cls, path)}",
                    key.span,
                    (*path, k),
                    hint=hint or did_you_mean(k, known) or f"expected one of {one_of(known)}",
                )
                failed.add(suggestion or k)
                continue
            annotation = cls.model_fields[known[k]].annotation
            converted, good = self.convert(annotation, value, (*path, k))
            if not good:
                failed.add(k)
            data[k] = converted
        if holds_params:
            failed |= self.stray_params(cls, params, data, node, path)
            data["params"] = params
        choice = node.get("choice") if cls.__name__ == "FieldSpec" and "type" not in data else None
        if isinstance(choice, MapNode) and "choice" in data:
            implied = _plain_keys_type(choice)
            if implied is not None:
                data["type"] = implied
        try:
            result = cls.model_validate(data)
        except ValidationError as exc:
            self.pydantic_errors(exc, path, skip=failed)
            return None
        return None if failed else result

    @staticmethod
    def generator_keys(cls: type[PdlModel], node: MapNode) -> frozenset[str]:
        """Keys that a field's generator declares as its own parameters although a field
        also knows them (`phone.number`'s `format`, `commerce.price`'s `min`/`max`): on a
        generator field they are the generator's."""
        from .model import FieldSpec

        name = node.get("generator") if cls is FieldSpec else None
        if not isinstance(name, ScalarNode) or not isinstance(name.value, str):
            return frozenset()
        from .generators import registry

        spec = registry.get(name.value)
        if spec is None:
            return frozenset()
        return frozenset(spec.params.model_fields) & {
            f.alias or n for n, f in cls.model_fields.items()
        }

    def stray_params(
        self, cls: type[PdlModel], params: dict[str, Any], data: dict[str, Any], node: MapNode,
        path: Path,
    ) -> set[str]:  # fmt: skip
        """Flat keys of a field whose source takes no parameters (only `generator`,
        `distribution` and `series` do) are typos: reported here, with the document's other
        shape problems, rather than on the next run."""
        from .model import SOURCE_KEYS, FieldSpec

        if cls is not FieldSpec or not params:
            return set()
        if any(k in data for k in ("generator", "distribution", "series")):
            return set()
        field_keys = sorted({f.alias or n for n, f in FieldSpec.model_fields.items()} - {"params"})
        sourceless = not any(k in data for k in SOURCE_KEYS) and "type" not in data
        spans = {key.value: key.span for key, _ in node.items()}
        bad = set()
        for k in params:
            hint = synonym_hint(k)
            if _SYNONYMS.get(k.lower()) == "choice" and "choice" in data:
                # `choice: [a, b], weights: [3, 1]`: the field has its choice; say where weights go
                hint = "weights go in the choice itself, as a mapping: `choice: {a: 3, b: 1}`"
            hint = hint or split_at_comma(k, node)
            hint = hint or (did_you_mean(k, SOURCE_KEYS) if sourceless else None)
            message = f"unknown key '{k}' in a field"
            if sourceless and hint:  # `sequnce: 1`: name the typo, not "no source"
                message += ", which has no value source"
            self.add(
                "unknown-key",
                message,
                spans.get(k),
                (*path, k),
                hint=hint or did_you_mean(k, field_keys) or f"expected one of {one_of(field_keys)}",
            )
            bad.add(k)
        return bad

    @staticmethod
    def where(cls: type[PdlModel], path: Path) -> str:
        names = {
            "Document": "the document",
            "Entity": "an entity",
            "FieldSpec": "a field",
            "PerCount": "`count`",
            "DistSpec": "a distribution",
            "Correlate": "a `correlate` block",
            "Timeline": "a `timeline`",
            "TimelineState": "a timeline state",
            "ZipfPick": "`pick`",
        }
        return names.get(cls.__name__, cls.__name__)

    def convert(self, annotation: Any, node: Node, path: Path) -> tuple[Any, bool]:
        """Nested models are read recursively (for precise positions); the rest is plain data."""
        members = _union_members(annotation)
        if isinstance(node, MapNode):
            for m in members:
                if _is_model(m):
                    result = self.read(m, node, path)
                    return result, result is not None
            for m in members:
                if typing.get_origin(m) is dict:
                    value_type = typing.get_args(m)[1]
                    if _is_model(value_type):
                        out, ok = {}, True
                        for k, v in node.items():
                            item = self.read(value_type, v, (*path, k.value))
                            ok = ok and item is not None
                            out[k.value] = item
                        return out, ok
        if isinstance(node, SeqNode):
            for m in members:
                if typing.get_origin(m) is list and _is_model(typing.get_args(m)[0]):
                    item_type = typing.get_args(m)[0]
                    out, ok = [], True
                    for i, v in enumerate(node.items):
                        item = self.read(item_type, v, (*path, i))
                        ok = ok and item is not None
                        out.append(item)
                    return out, ok
        return to_python(node), True

    def pydantic_errors(
        self, exc: ValidationError, base: Path, skip: set[str] = frozenset()
    ) -> None:
        entries = []
        for err in exc.errors(include_url=False):
            if err["loc"] and err["loc"][0] in skip:
                continue
            loc = base + tuple(err["loc"])
            node, key_node, found = self.locator.walk(loc)
            entries.append((found, node, key_node, err, loc))
        found_paths = [e[0] for e in entries]

        def deeper_exists(p: Path) -> bool:
            return any(len(q) > len(p) and q[: len(p)] == p for q in found_paths)

        groups: dict[Path, list] = {}
        for entry in entries:
            found, _, _, err, _ = entry
            if err["type"] in _EXPECTED and deeper_exists(found):
                continue  # a union member that did not match the value's shape
            groups.setdefault(found, []).append(entry)
        for found, group in groups.items():
            type_errors = [
                e for e in group if e[3]["type"] in _EXPECTED or e[3]["type"] == "literal_error"
            ]
            others = [e for e in group if e not in type_errors]
            if type_errors and not others:
                self.type_error(found, type_errors)
            for entry in others:
                self.other_error(entry)

    def type_error(self, found: Path, group: list) -> None:
        node = group[0][1]
        expected: list[str] = []
        for _, _, _, err, _ in group:
            if err["type"] == "literal_error":
                expected.append("one of " + err["ctx"]["expected"])
            else:
                expected.append(_EXPECTED[err["type"]])
        expected = list(dict.fromkeys(expected))
        what = " or ".join(expected)
        hint = None
        if (
            isinstance(node, ScalarNode)
            and node.plain
            and node.kind != "string"
            and "a string" in expected
        ):
            hint = f'quote it: "{node.text}"'
        elif (
            isinstance(node, ScalarNode) and node.kind == "string" and "a number" in expected
        ) or (isinstance(node, ScalarNode) and node.kind == "string" and "an integer" in expected):
            hint = "write the number without quotes"
        elif (
            isinstance(node, ScalarNode)
            and node.kind == "string"
            and "a list" in expected
            and (
                pair := re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)\s*", node.text)
            )
        ):
            # `hours: "9-17"`, `between: "1-10"`: a range written as text
            hint = f"write a list: [{pair.group(1)}, {pair.group(2)}]"
        elif isinstance(node, ScalarNode) and node.kind == "string":
            # `series: timestamp`, `timeline: status`: the closest of the allowed words
            allowed = [
                v
                for e in group
                if e[3]["type"] == "literal_error"
                for v in re.findall(r"'([^']*)'", e[3]["ctx"]["expected"])
            ]
            hint = did_you_mean(str(node.value), allowed) if allowed else None
        code = "wrong-type"
        if all(e[3]["type"] == "literal_error" for e in group):
            code = "invalid-value"
        if len(found) == 3 and found[0] == "entities" and found[2] == "count":
            code = "bad-count"
            hint = "a row count is a whole number of 0 or more, or `{per: parent, …}`"
        if tuple(found[-2:]) == ("count", "choice") and isinstance(node, SeqNode) and node.items:
            # a field's `choice` takes a list; a count's weighs each number of children
            shown = node.items[:4]
            equal = ", ".join(
                f"{item.text if isinstance(item, ScalarNode) else 'n'}: 1" for item in shown
            )
            hint = f"a count's `choice` maps children per parent to weights: {{{equal}}} for equal shares"
        self.add(code, f"expected {what}, got {describe(node)}", node.span, found, hint)

    def other_error(self, entry: tuple) -> None:
        found, node, _key_node, err, loc = entry
        etype = err["type"]
        ctx = err.get("ctx") or {}
        if etype == "missing":
            name = loc[-1]
            parent = self.locator.node(found)
            self.add(
                "missing-key",
                f"missing required key '{name}'",
                parent.span,
                found,
                hint=f"add `{name}:`",
            )
            return
        if etype in ("too_short", "too_long"):
            n = len(node.items) if isinstance(node, SeqNode) else 0
            self.add(
                "invalid-value",
                f"expected a list of exactly 2 values [min, max], got {n}",
                node.span,
                found,
            )
            return
        from .errors import CODES

        code = etype if etype in CODES else "invalid-value"
        self.add(code, err["msg"], node.span, found, hint=ctx.get("hint"))
