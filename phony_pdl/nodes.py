"""The syntax tree the parsers produce: values that remember where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Span


@dataclass(eq=False, slots=True)
class Node:
    span: Span


@dataclass(eq=False, slots=True)
class ScalarNode(Node):
    """A leaf. ``value`` is the resolved Python value; ``text`` what was written."""

    value: Any
    text: str
    plain: bool = True  # unquoted in the source

    @property
    def kind(self) -> str:
        return kind_of(self.value)


@dataclass(eq=False, slots=True)
class SeqNode(Node):
    items: list[Node] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class MapNode(Node):
    """Insertion-ordered mapping of string keys; the key nodes keep their spans."""

    keys: list[ScalarNode] = field(default_factory=list)
    values: list[Node] = field(default_factory=list)
    # first position of each key name, extended as keys are appended: the parser looks up
    # every new key (duplicate check), and a scan made a 40,000-key `choice` take 44 s
    _positions: dict[Any, int] = field(default_factory=dict, repr=False)
    _scanned: int = field(default=0, repr=False)

    def items(self) -> list[tuple[ScalarNode, Node]]:
        return list(zip(self.keys, self.values, strict=True))

    def key_names(self) -> list[str]:
        return [k.value for k in self.keys]

    def _position(self, name: Any) -> int | None:
        for i in range(self._scanned, len(self.keys)):
            self._positions.setdefault(self.keys[i].value, i)
        self._scanned = len(self.keys)
        return self._positions.get(name)

    def get(self, name: str) -> Node | None:
        i = self._position(name)
        return None if i is None or i >= len(self.values) else self.values[i]

    def key_node(self, name: str) -> ScalarNode | None:
        i = self._position(name)
        return None if i is None else self.keys[i]


def kind_of(value: Any) -> str:
    """The word users see for a value's kind in error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


def to_python(node: Node) -> Any:
    """Plain dicts/lists/scalars (aliases become shared subtrees, never copied twice)."""
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SeqNode):
        return [to_python(n) for n in node.items]
    if isinstance(node, MapNode):
        return {k.value: to_python(v) for k, v in zip(node.keys, node.values, strict=True)}
    raise TypeError(node)


def node_kind(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return node.kind
    if isinstance(node, SeqNode):
        return "list"
    return "mapping"


def from_python(value: Any, file: str = "<dict>", _depth: int = 0) -> Node:
    """Wrap plain Python data (the API's dict input) as a tree without positions."""
    return _wrap(value, Span(file, 0, 0, 0, 0), _depth)


# Leaves by exact type: an inferred document holds thousands (quantile tables, matrices)
_PLAIN = {float: repr, int: repr, bool: repr, type(None): repr, str: lambda v: v}


def _wrap(value: Any, span: Span, depth: int) -> Node:
    """`from_python` with one span for every node (they all carry the same place)."""
    if depth > 200:
        raise ValueError("nesting too deep")
    text = _PLAIN.get(type(value))
    if text is not None:
        return ScalarNode(span, value, text(value), plain=False)
    if isinstance(value, dict):
        m = MapNode(span)
        for k, v in value.items():
            m.keys.append(ScalarNode(span, str(k), str(k), plain=False))
            m.values.append(_wrap(v, span, depth + 1))
        return m
    if isinstance(value, list | tuple):
        return SeqNode(span, [_wrap(v, span, depth + 1) for v in value])
    if hasattr(value, "isoformat"):  # date/datetime given from Python code
        return ScalarNode(span, value.isoformat(), value.isoformat(), plain=False)
    if hasattr(value, "item") and type(value).__module__ == "numpy":  # np.int64(3) → 3
        value = value.item()
    # a string's text is itself, as for a quoted YAML scalar (repr quoted it twice in messages)
    return ScalarNode(span, value, value if isinstance(value, str) else repr(value), plain=False)
