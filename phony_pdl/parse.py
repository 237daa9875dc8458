"""YAML and JSON text → a syntax tree whose every node knows its file:line:column.

Safe by construction: the YAML side is built from PyYAML's event stream (no
constructors run, so no Python tags), aliases are shared rather than copied and
their expanded size is capped, nesting depth is capped before any recursion,
and scalars are resolved with the YAML 1.2 core schema. Plain scalars that a
YAML 1.1 reader would turn into booleans or numbers (``NO``, ``on``, ``012``,
``1:30``) are rejected with "quote it" so a file means the same thing in every
tool that reads it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .errors import Diagnostic, SchemaError, Span
from .nodes import MapNode, Node, ScalarNode, SeqNode

MAX_DEPTH = 64
# Values that aliases add when expanded in place (the "billion laughs" risk). Values written
# out in the file are not counted: their number is bounded by the file's size, and a `choice`
# of 100,000 categories that `phony infer` writes is a legitimate document.
MAX_ALIAS_VALUES = 200_000

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_HEX = re.compile(r"^0x[0-9a-fA-F_]+$")
_OCT = re.compile(r"^0o[0-7_]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
# Plain scalars that YAML 1.1 (PyYAML, many editors) reads differently from YAML 1.2.
_YAML11_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$")
_YAML11_NUMBER = re.compile(
    r"^(?:[-+]?0[0-9_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$"
)

_ALLOWED_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
}
_ALLOWED_COLLECTION_TAGS = {None, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Problems(Exception):
    def __init__(self, diag: Diagnostic, before: list[Diagnostic] | None = None) -> None:
        self.diag = diag
        self.diags = [*(before or []), diag]


def _span(file: str, start: yaml.Mark, end: yaml.Mark | None = None) -> Span:
    end = end or start
    return Span(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def resolve_plain(text: str) -> object:
    """YAML 1.2 core-schema resolution of an unquoted scalar."""
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text.replace("_", ""))
    if _HEX.match(text):
        return int(text[2:].replace("_", ""), 16)
    if _OCT.match(text):
        return int(text[2:].replace("_", ""), 8)
    if _FLOAT.match(text):
        return float(text.replace("_", ""))
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def yaml11_surprise(text: str) -> str | None:
    """What YAML 1.1 makes of a plain scalar, when that differs from YAML 1.2."""
    if _YAML11_BOOL.match(text):
        truthy = text.lower() in ("yes", "on")
        return f"the boolean {str(truthy).lower()} in YAML 1.1 but the string '{text}' in YAML 1.2"
    if _YAML11_NUMBER.match(text) and not _INT.match(text):
        body = text.lstrip("+-").replace("_", "")
        sign = -1 if text.startswith("-") else 1
        if ":" in body:
            value = 0.0
            for part in body.split(":"):
                value = value * 60 + float(part)
            old = f"{sign * value:g} (base 60)"
        elif body.startswith("0b"):
            old = f"{sign * int(body[2:], 2)} (binary)"
        elif all(c in "01234567" for c in body):
            old = f"{sign * int(body, 8)} (octal)"
        else:
            old = "a string"
        new = resolve_plain(text)
        new_text = f"the string '{text}'" if isinstance(new, str) else f"{new:g}"
        return f"{old} in YAML 1.1 but {new_text} in YAML 1.2"
    return None


# ---------------------------------------------------------------- decoding


def decode(data: bytes, file: str) -> str:
    """UTF-8 bytes → text; a UTF-8 BOM is dropped, anything else non-UTF-8 is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raise SchemaError(
            [
                Diagnostic(
                    "encoding",
                    "the file starts with a UTF-16/UTF-32 byte-order mark",
                    Span(file, 1, 1, 1, 2),
                    hint="save the file as UTF-8 (without a byte-order mark)",
                )
            ]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SchemaError(
            [
                Diagnostic(
                    "encoding",
                    f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
                    Span(file, line, column, line, column + 1),
                    hint="save the file as UTF-8",
                )
            ]
        ) from None


# ---------------------------------------------------------------- YAML


class _YamlBuilder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}
        self.alias_values = 0
        # unquoted values YAML 1.1 reads otherwise: all of them are reported, not the first
        self.ambiguous: list[Diagnostic] = []

    def fail(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        raise _Problems(Diagnostic(code, message, span, hint=hint), self.ambiguous)

    def build(self, text: str, loader: type = yaml.SafeLoader) -> Node:
        # A stack of [container node, pending key or None, size so far, anchor].
        stack: list[list] = []
        root: Node | None = None
        documents = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.fail(
                        "multiple-documents",
                        "the file holds more than one YAML document",
                        _span(self.file, event.start_mark, event.end_mark),
                        hint="put one PDL document in each file (remove the second `---`)",
                    )
                continue
            if isinstance(event, yaml.ScalarEvent):
                node = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = node
                root = self._attach(stack, node, 1) or root
            elif isinstance(event, yaml.AliasEvent):
                target = self.anchors.get(event.anchor)
                if target is None:  # PyYAML reports unknown aliases itself; belt and braces
                    self.fail(
                        "syntax",
                        f"unknown alias '*{event.anchor}'",
                        _span(self.file, event.start_mark, event.end_mark),
                    )
                size = self.sizes.get(id(target), 1)
                self._count_alias(size, event)
                root = self._attach(stack, target, size) or root
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if event.tag not in _ALLOWED_COLLECTION_TAGS:
                    self.fail(
                        "forbidden-tag",
                        f"YAML tag '{event.tag}' is not allowed in PDL",
                        _span(self.file, event.start_mark, event.end_mark),
                        hint="remove the tag; PDL files hold plain data only",
                    )
                if len(stack) >= MAX_DEPTH:
                    self.fail(
                        "too-deep",
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        _span(self.file, event.start_mark, event.end_mark),
                        hint="PDL never needs more than a dozen levels; check the file was generated correctly",
                    )
                span = _span(self.file, event.start_mark, event.end_mark)
                node = MapNode(span) if isinstance(event, yaml.MappingStartEvent) else SeqNode(span)
                stack.append([node, None, 1, event.anchor])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                node, _, size, anchor = stack.pop()
                if isinstance(node, MapNode):
                    self._merge_keys(node)
                self.sizes[id(node)] = size
                if anchor:
                    self.anchors[anchor] = node
                root = self._attach(stack, node, size) or root
        if root is None or (isinstance(root, ScalarNode) and root.value is None and root.plain):
            raise _Problems(
                Diagnostic(
                    "empty-document",
                    "the file holds no PDL document",
                    Span(self.file, 1, 1, 1, 1),
                    hint="start with `pdl: 1`, a `name:` and an `entities:` mapping",
                )
            )
        if self.ambiguous:
            raise _Problems(self.ambiguous[-1], self.ambiguous[:-1])
        return root

    def _count_alias(self, size: int, event: yaml.AliasEvent) -> None:
        """Each alias adds the expanded size of what it names; stop at the one that takes
        the sum past the limit, before anything is expanded."""
        self.alias_values += size
        if self.alias_values > MAX_ALIAS_VALUES:
            self.fail(
                "alias-limit",
                f"aliases expand the document by more than {MAX_ALIAS_VALUES:,} values "
                f"(this one, '*{event.anchor}', adds {size:,})",
                _span(self.file, event.start_mark, event.end_mark),
                hint="each alias (`*name`) counts as a copy of what it names; use an alias "
                "to reuse a value, not to multiply it",
            )

    def _attach(self, stack: list[list], node: Node, size: int) -> Node | None:
        """Attach to the open container; returns the node when it is the document root."""
        if not stack:
            return node
        top = stack[-1]
        container = top[0]
        top[2] += size
        if isinstance(container, SeqNode):
            container.items.append(node)
            return None
        if top[1] is None:  # this node is a key
            if not isinstance(node, ScalarNode):
                self.fail(
                    "complex-key",
                    "a mapping key must be a plain string",
                    node.span,
                    hint="use a string key",
                )
            key = ScalarNode(
                node.span, node.text if node.plain else str(node.value), node.text, node.plain
            )
            existing = container.key_node(key.value)
            if existing is not None:
                raise _Problems(
                    Diagnostic(
                        "duplicate-key",
                        f"duplicate key '{key.value}' (first defined on line {existing.span.line})",
                        key.span,
                        notes=(f"first defined at {existing.span}",),
                        hint="remove one of them or rename it",
                    ),
                    self.ambiguous,
                )
            top[1] = key
            return None
        container.keys.append(top[1])
        container.values.append(node)
        top[1] = None
        return None

    def _merge_keys(self, node: MapNode) -> None:
        """YAML merge keys (`<<: *defaults`): explicit keys win over merged ones."""
        if "<<" not in node.key_names():
            return
        keys, values, merged = [], [], []
        for k, v in zip(node.keys, node.values, strict=True):
            if k.value == "<<" and k.plain:
                sources = v.items if isinstance(v, SeqNode) else [v]
                for src in sources:
                    if not isinstance(src, MapNode):
                        self.fail(
                            "wrong-type",
                            "a merge key (`<<`) needs a mapping or a list of mappings",
                            src.span,
                        )
                    merged.append(src)
            else:
                keys.append(k)
                values.append(v)
        present = {k.value for k in keys}
        for src in merged:
            for k, v in zip(src.keys, src.values, strict=True):
                if k.value not in present:
                    present.add(k.value)
                    keys.append(k)
                    values.append(v)
        node.keys, node.values = keys, values

    def _scalar(self, event: yaml.ScalarEvent) -> ScalarNode:
        span = _span(self.file, event.start_mark, event.end_mark)
        text = event.value
        plain = not event.style  # libyaml says '' where PyYAML says None
        tag = event.tag
        if tag is not None and tag != "!":
            kind = _ALLOWED_SCALAR_TAGS.get(tag)
            if kind is None:
                self.fail(
                    "forbidden-tag",
                    f"YAML tag '{tag}' is not allowed in PDL",
                    span,
                    hint="remove the tag; PDL files hold plain data only",
                )
            if kind == "str":
                return ScalarNode(span, text, text, plain=False)
            value = resolve_plain(text)
            expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[kind]
            if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
                self.fail("syntax", f"'{text}' is not a valid !!{kind}", span)
            return ScalarNode(span, value, text, plain=False)
        if not plain:
            return ScalarNode(span, text, text, plain=False)
        surprise = yaml11_surprise(text)
        if surprise:
            boolean = "boolean" in surprise.split(" in YAML 1.1")[0]
            self.ambiguous.append(
                Diagnostic(
                    "ambiguous-scalar",
                    f"unquoted '{text}' means {surprise}",
                    span,
                    hint=f'quote it: "{text}"'
                    + (" (or write true/false for a boolean)" if boolean else ""),
                )
            )
        return ScalarNode(span, resolve_plain(text), text, plain=True)


def _yaml_error(exc: yaml.YAMLError, file: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.reader.ReaderError):
        problem = f"special character {exc.character!r} is not allowed"
        # ReaderError positions count characters; find line/column ourselves.
        return Diagnostic("syntax", problem, Span(file, 1, exc.position + 1, 1, exc.position + 2))
    msg = problem if not context else f"{problem} ({context})"
    span = _span(file, mark) if mark is not None else Span(file, 1, 1, 1, 1)
    hint = None
    if "tab" in msg.lower() or "'\\t'" in msg:
        hint = "indent with spaces, not tabs"
    elif "mapping values are not allowed" in msg:
        hint = "a value containing ': ' must be quoted"
    elif "found undefined alias" in msg:
        hint = "define the anchor (`&name`) before its alias (`*name`)"
    elif context in ("while parsing a flow mapping", "while parsing a flow sequence"):
        opened = getattr(exc, "context_mark", None)
        if opened is not None and mark is not opened:
            bracket = "{" if "mapping" in context else "["
            closer = "}" if bracket == "{" else "]"
            hint = (
                f"the `{bracket}` opened at line {opened.line + 1}, column {opened.column + 1} "
                f"is not closed: end it with `{closer}` on its line"
            )
    return Diagnostic("syntax", f"invalid YAML: {msg}", span, hint=hint)


# libyaml's parser, when PyYAML was built with it: the same events and marks as PyYAML's
# own (checked over every YAML text in the repository), 30 times faster, which matters for
# a `choice` of 100,000 values (26.7 s to read with PyYAML's parser, 2.3 s with this).
_FAST_LOADER: type | None = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, file: str = "<string>") -> Node:
    if _FAST_LOADER is not None:
        try:
            return _YamlBuilder(file).build(text, _FAST_LOADER)
        except (_Problems, yaml.YAMLError, RecursionError):
            pass  # a problem: PyYAML's parser reports it, with the messages and places tested
    try:
        return _YamlBuilder(file).build(text)
    except _Problems as exc:
        raise SchemaError(exc.diags, {file: text}) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        diag = Diagnostic(
            "syntax",
            f"character {exc.character!r} is not allowed in YAML",
            Span(file, line, col, line, col + 1),
            hint="remove control characters from the file",
        )
        raise SchemaError([diag], {file: text}) from None
    except yaml.YAMLError as exc:
        raise SchemaError([_yaml_error(exc, file)], {file: text}) from None
    except RecursionError:  # defensive: PyYAML's scanner is iterative, but never leak a traceback
        diag = Diagnostic("too-deep", "nesting is too deep to parse", Span(file, 1, 1, 1, 1))
        raise SchemaError([diag], {file: text}) from None


# ---------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<punct>[{}\[\]:,])
  | (?P<string>"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")
  | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
  | (?P<word>true|false|null)
    """,
    re.VERBOSE,
)


class _JsonParser:
    """A small iterative JSON parser that keeps positions and catches duplicates."""

    def __init__(self, text: str, file: str) -> None:
        self.text, self.file = text, file
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def span(self, start: int, end: int) -> Span:
        from bisect import bisect_right

        ls = bisect_right(self.line_starts, start) - 1
        le = bisect_right(self.line_starts, max(start, end - 1)) - 1
        return Span(
            self.file,
            ls + 1,
            start - self.line_starts[ls] + 1,
            le + 1,
            end - self.line_starts[le] + 1,
        )

    def tokens(self):
        pos, n = 0, len(self.text)
        while pos < n:
            m = _JSON_TOKEN.match(self.text, pos)
            if m is None:
                bad = self.text[pos]
                raise _Problems(
                    Diagnostic(
                        "syntax",
                        f"invalid JSON: unexpected character {bad!r}",
                        self.span(pos, pos + 1),
                        hint="JSON strings need double quotes; comments and trailing commas are not allowed"
                        if bad in "'/#"
                        else None,
                    )
                )
            kind = m.lastgroup
            if kind != "ws":
                yield kind, m.group(), m.start(), m.end()
            pos = m.end()

    def parse(self) -> Node:
        stack: list[list] = []  # [node, pending key, expecting]
        root: Node | None = None
        last = None
        expect_value = True
        for kind, tok, start, end in self.tokens():
            last = (start, end)
            span = self.span(start, end)
            if root is not None and not stack:
                self.error("unexpected data after the top-level value", span)
            if kind == "punct":
                if tok in "{[":
                    if not expect_value:
                        self.error(f"unexpected {tok!r}", span)
                    if len(stack) >= MAX_DEPTH:
                        raise _Problems(
                            Diagnostic(
                                "too-deep",
                                f"nesting is deeper than {MAX_DEPTH} levels",
                                span,
                                hint="PDL never needs more than a dozen levels",
                            )
                        )
                    node = MapNode(span) if tok == "{" else SeqNode(span)
                    stack.append([node, None, "key_or_end" if tok == "{" else "value_or_end"])
                    expect_value = tok == "["
                    continue
                if tok in "}]":
                    if not stack:
                        self.error(f"unexpected {tok!r}", span)
                    node, _key, state = stack[-1]
                    want = "}" if isinstance(node, MapNode) else "]"
                    if tok != want or state not in ("key_or_end", "value_or_end", "comma_or_end"):
                        hint = "remove the trailing comma" if state in ("key", "value") else None
                        self.error(f"unexpected {tok!r}", span, hint)
                    stack.pop()
                    root = self.attach(stack, node) or root
                    expect_value = False
                    continue
                if tok == ":":
                    if not stack or stack[-1][2] != "colon":
                        self.error("unexpected ':'", span)
                    stack[-1][2] = "value"
                    expect_value = True
                    continue
                if tok == ",":
                    if not stack or stack[-1][2] != "comma_or_end":
                        self.error("unexpected ','", span)
                    is_map = isinstance(stack[-1][0], MapNode)
                    stack[-1][2] = "key" if is_map else "value"
                    expect_value = not is_map
                    continue
            # a scalar token
            if kind == "string":
                value = json.loads(tok)
            elif kind == "number":
                value = float(tok) if any(c in tok for c in ".eE") else int(tok)
            else:
                value = {"true": True, "false": False, "null": None}[tok]
            scalar = ScalarNode(span, value, tok, plain=kind != "string")
            if stack and stack[-1][2] in ("key_or_end", "key"):
                if kind != "string":
                    self.error("object keys must be strings", span)
                container = stack[-1][0]
                existing = container.key_node(value)
                if existing is not None:
                    raise _Problems(
                        Diagnostic(
                            "duplicate-key",
                            f"duplicate key '{value}' (first defined on line {existing.span.line})",
                            span,
                            notes=(f"first defined at {existing.span}",),
                            hint="remove one of them or rename it",
                        )
                    )
                stack[-1][1] = ScalarNode(span, value, tok, plain=False)
                stack[-1][2] = "colon"
                continue
            if not expect_value:
                self.error(f"unexpected {tok!r} (missing ','?)", span)
            root = self.attach(stack, scalar) or root
            expect_value = False
        if stack:
            pos = len(self.text)
            self.error("unexpected end of file (unclosed bracket)", self.span(pos - 1, pos))
        if root is None:
            raise _Problems(
                Diagnostic(
                    "empty-document",
                    "the file holds no PDL document",
                    Span(self.file, 1, 1, 1, 1),
                    hint='start with {"pdl": 1, "name": ..., "entities": {...}}',
                )
            )
        del last
        return root

    def attach(self, stack: list[list], node: Node) -> Node | None:
        if not stack:
            return node
        top = stack[-1]
        if isinstance(top[0], SeqNode):
            top[0].items.append(node)
        else:
            top[0].keys.append(top[1])
            top[0].values.append(node)
            top[1] = None
        top[2] = "comma_or_end"
        return None

    def error(self, message: str, span: Span, hint: str | None = None) -> None:
        raise _Problems(Diagnostic("syntax", f"invalid JSON: {message}", span, hint=hint))


def parse_json(text: str, file: str = "<string>") -> Node:
    try:
        return _JsonParser(text, file).parse()
    except _Problems as exc:
        raise SchemaError([exc.diag], {file: text}) from None


# ---------------------------------------------------------------- entry points


def parse_text(text: str, file: str = "<string>", fmt: str | None = None) -> Node:
    """Parse PDL text; ``fmt`` is 'yaml' or 'json' (guessed from the text when None)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    return parse_json(text, file) if fmt == "json" else parse_yaml(text, file)


def read_source(path: str | Path) -> tuple[str, str]:
    """(display name, text) of a schema file, with encoding checks."""
    p = Path(path)
    name = str(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SchemaError(
            [
                Diagnostic(
                    "file-not-found",
                    f"no such file: '{name}'",
                    None,
                    hint="check the path",
                    file=name,
                )
            ]
        ) from None
    except IsADirectoryError:
        raise SchemaError(
            [
                Diagnostic(
                    "file-not-found", f"'{name}' is a directory, not a schema file", None, file=name
                )
            ]
        ) from None
    except OSError as exc:
        raise SchemaError(
            [Diagnostic("file-not-found", f"cannot read '{name}': {exc.strerror}", None, file=name)]
        ) from None
    return name, decode(data, name)


def parse_file(path: str | Path) -> tuple[Node, str, str]:
    """Parse a file; returns (tree, display name, text)."""
    name, text = read_source(path)
    suffix = Path(path).suffix.lower()
    fmt = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else None
    try:
        return parse_text(text, name, fmt), name, text
    except SchemaError as exc:
        exc.sources.setdefault(name, text)
        raise
