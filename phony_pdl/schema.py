"""Loading a PDL document: parse → read → validate, raising one SchemaError with everything."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import graph as graph_mod
from .errors import Diagnostic, SchemaError, UsageError
from .model import Document
from .nodes import MapNode, Node, from_python
from .parse import parse_file, parse_text
from .reader import Locator, Reader, describe
from .validate import validate_document

if TYPE_CHECKING:
    from .engine import Dataset


class Schema:
    """A validated PDL document, ready to plan and generate."""

    def __init__(self, document: Document, source: str, name: str, root: Node) -> None:
        self.document = document
        self.source = source  # the text (or canonical JSON for dict input)
        self.file = name
        self._root = root
        # n-gram models the schema names but no file holds (`phony_pdl.infer`'s, before
        # `write`): they travel with a pickled schema to other processes
        self.models: dict[str, Any] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.__dict__.get("models"):
            from .generators.ngram import register_model

            for path, model in self.models.items():
                register_model(path, model)

    def __repr__(self) -> str:
        return f"Schema(name={self.name!r}, entities={list(self.entities)!r}, file={self.file!r})"

    @property
    def name(self) -> str:
        return self.document.name

    @property
    def entities(self) -> dict:
        return self.document.entities

    @property
    def seed(self) -> int:
        return self.document.seed

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @cached_property
    def graph(self) -> nx.DiGraph:
        return graph_mod.build_graph(self.document)

    def entity_order(self) -> list[str]:
        return graph_mod.entity_order(self.document)

    def mermaid(self) -> str:
        """An ER diagram in Mermaid: entities, each field's type, keys and source."""
        return graph_mod.mermaid(self.document, self._type_of())

    def dot(self) -> str:
        """The same diagram in Graphviz DOT."""
        return graph_mod.dot(self.document, self._type_of())

    def _type_of(self):
        """The type each field generates (an expression's, an aggregate's: what evaluating
        it yields), as the engine's plan knows it. A bare plan: `generate` would count every
        entity's rows first (minutes for a hundred million customers' orders)."""
        from .engine.plan import Plan

        return Plan(self).dtype

    def generate(
        self,
        *,
        seed: int | None = None,
        scale: float = 1.0,
        only: list[str] | str | None = None,
        block_rows: int | None = None,
        counts: Mapping[str, int] | None = None,
    ) -> Dataset:
        """Plan a run of every entity (or those in `only`); rows are made lazily when the
        Dataset is read (`ds["users"]`, `ds.iter_batches`) or written (`ds.write(...)`).
        `counts` sets the rows of entities with a fixed count (`{"users": 5000}`), instead
        of their count × `scale`; their children follow."""
        from .engine import generate

        return generate(
            self, seed=seed, scale=scale, only=only, block_rows=block_rows, counts=counts
        )


def _anchor_models(document: Any, folder: Path) -> None:
    """Relative `.phony` model paths that exist beside the PDL file point there, so a schema
    and its models move together and generate from any working directory."""
    for entity in document.entities.values():
        for f in entity.fields.values():
            model = f.params.get("model") if f.generator == "ngram" else None
            if not isinstance(model, str) or not model.endswith(".phony"):
                continue
            path = Path(model).expanduser()
            if not path.is_absolute() and (folder / path).is_file():
                f.params["model"] = str(folder / path)


def _build(root: Node, name: str, text: str, folder: Path | None = None) -> Schema:
    diagnostics: list[Diagnostic] = []
    if not isinstance(root, MapNode):
        diagnostics.append(
            Diagnostic(
                "wrong-type",
                f"a PDL document is a mapping, got {describe(root)}",
                root.span,
                hint="start with `pdl: 1`",
            )
        )
        raise SchemaError(diagnostics, {name: text})
    document = Reader(root, diagnostics).read_document()
    if document is not None and folder is not None:
        _anchor_models(document, folder)
    if document is not None:
        validate_document(document, Locator(root), diagnostics)
    if diagnostics or document is None:
        raise SchemaError(diagnostics, {name: text})
    return Schema(document, text, name, root)


def load(source: str | Path | Mapping[str, Any], *, name: str | None = None) -> Schema:
    """A validated Schema from a path, PDL text (YAML or JSON) or a dict.

    Raises SchemaError (a ValueError) whose ``diagnostics`` list every problem.
    """
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    if not isinstance(source, str | Path | Mapping):
        raise UsageError(
            f"load() takes a path, PDL text (YAML or JSON) or a dict, not {type(source).__name__}"
        )
    if isinstance(source, Mapping):
        label = name or "<dict>"
        root = from_python(dict(source), label)
        text = json.dumps(source, sort_keys=False, default=str, ensure_ascii=False)
        return _build(root, label, text)
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and _looks_like_path(source)
    ):
        root, label, text = parse_file(source)
        return _build(root, name or label, text, Path(source).expanduser().resolve().parent)
    label = name or "<string>"
    root = parse_text(source, label)
    return _build(root, label, source)


def _looks_like_path(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped.startswith(("{", "pdl:", "#", "---")):
        return False
    return stripped.endswith((".yaml", ".yml", ".json")) or Path(stripped).exists()
