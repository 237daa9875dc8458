"""One error root, stable diagnostic codes, and the renderer users see.

Every user-facing problem is a :class:`Diagnostic` (data: code, place, message,
hint). Errors that carry diagnostics also inherit the matching builtin so
callers can catch ``ValueError`` without knowing Phony.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Stable codes. Each has a section in spec/errors.md (a test keeps them in step).
CODES: dict[str, str] = {
    # reading the file
    "file-not-found": "the schema file does not exist or cannot be read",
    "encoding": "the file is not valid UTF-8 text",
    "empty-document": "the file holds no PDL document",
    "multiple-documents": "a YAML stream with more than one document",
    "syntax": "the text is not valid YAML or JSON",
    "duplicate-key": "a mapping repeats a key",
    "too-deep": "nesting deeper than the parser allows",
    "alias-limit": "anchors and aliases expand past the allowed size",
    "forbidden-tag": "an explicit YAML tag that PDL does not allow",
    "ambiguous-scalar": "an unquoted value that YAML 1.1 reads as something else",
    "complex-key": "a mapping key that is not a plain string",
    # shape of the document
    "unknown-key": "a key PDL does not define in this place",
    "missing-key": "a required key is absent",
    "wrong-type": "a value of the wrong kind (string, number, list, mapping)",
    "invalid-value": "a value outside what the key accepts",
    "unsupported-version": "the `pdl` version is not one this Phony reads",
    "no-source": "a field names no value source",
    "multiple-sources": "a field names more than one value source",
    "misplaced-key": "a key that only applies to another source",
    # names and references
    "bad-identifier": "an entity or field name that is not a portable identifier",
    "identifier-collision": "two names that are equal after case folding",
    "unknown-entity": "a reference to an entity that does not exist",
    "unknown-field": "a reference to a field that does not exist",
    "ref-not-key": "a foreign key that points at a column which is not unique",
    "fk-type-mismatch": "a foreign key whose type differs from the key it references",
    "unknown-generator": "a generator name that is not in the registry",
    "bad-generator-param": "a generator parameter that is unknown or invalid",
    "unknown-distribution": "a distribution name that is not known",
    "bad-distribution-param": "a distribution parameter that is missing or invalid",
    "unknown-type": "a `type` that PDL does not define",
    "type-mismatch": "a value that does not fit the field's type",
    "unknown-locale": "a locale with no data pack",
    "bad-expression": "a SQL expression that does not parse or uses something unsupported",
    "bad-template": "a template that does not parse or names an unknown field",
    "bad-pattern": "a pattern outside the supported regex subset",
    "bad-aggregate": "an aggregate that does not parse or does not point at children",
    "bad-duration": "a duration that is not `90s`, `15m`, `2h`, `30d`, `2w` or ISO 8601",
    # numbers and probabilities
    "bad-count": "a row count that is negative, fractional, boolean or absurd",
    "min-greater-than-max": "a lower bound above the upper bound",
    "bad-null-rate": "a `null_rate` outside [0, 1]",
    "bad-weights": "weights or probabilities that are negative, all zero or do not sum to 1",
    "bad-correlation": "a correlation block that is malformed or not positive semi-definite",
    "impossible-unique": "more unique values requested than the domain holds",
    # graph
    "field-cycle": "fields that depend on each other in a circle",
    "fk-cycle": "entities whose NOT NULL foreign keys form a circle",
    "bad-timeline": "a timeline state machine that is malformed",
    "bad-key": "a primary key or unique constraint that names unusable fields",
}


_SNIPPET_WIDTH = 100


@dataclass(frozen=True, slots=True)
class Span:
    """A place in a source file; lines and columns are 1-based."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a schema, as data."""

    code: str
    message: str
    span: Span | None = None
    path: str = ""
    hint: str | None = None
    notes: tuple[str, ...] = field(default=())
    file: str | None = None  # the file of a problem with no place in it (file-not-found)

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a programming error, not user input
            raise KeyError(f"unregistered diagnostic code {self.code!r}")

    def sort_key(self) -> tuple:
        if self.span is None:
            return ("~", 0, 0, self.path, self.code)
        return (self.span.file, self.span.line, self.span.column, self.path, self.code)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.span.file if self.span else self.file,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "path": self.path,
            "hint": self.hint,
            "notes": list(self.notes),
        }


class PhonyError(Exception):
    """Root of every error Phony raises on purpose."""

    exit_code = 1

    def render(self, sources: Mapping[str, str] | None = None, color: bool = False) -> str:
        return f"error: {self}"


class UsageError(PhonyError, ValueError):
    """The command line or API call itself is wrong (exit status 2)."""

    exit_code = 2


def _place(d: Diagnostic) -> str:
    """`file:line:column: ` for a diagnostic in a file, `path: ` for one in a mapping (a dict
    has no lines), nothing when there is neither."""
    if d.span is not None and d.span.line > 0:
        return f"{d.span}: "
    return f"{d.path}: " if d.path else ""


class InputNotFoundError(UsageError):
    """An input file or folder does not exist: invalid input (exit status 1), like a PDL
    file that is not found, though raised where usage errors are."""

    exit_code = 1


class SchemaError(PhonyError, ValueError):
    """A PDL document is invalid; ``diagnostics`` lists every problem found."""

    def __init__(
        self,
        diagnostics: Sequence[Diagnostic],
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(diagnostics, key=Diagnostic.sort_key)
        )
        self.sources: dict[str, str] = dict(sources or {})
        first = self.diagnostics[0] if self.diagnostics else None
        summary = f"{_place(first)}{first.message}" if first else "invalid schema"
        if first is not None and first.hint:  # str(exc) alone should say how to fix it
            summary += f" ({first.hint})"
        more = len(self.diagnostics) - 1
        super().__init__(summary + (f" (and {more} more)" if more > 0 else ""))

    def __reduce__(self):  # pickles whole (process pools send errors back to the parent)
        return (type(self), (self.diagnostics, self.sources))

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def render(
        self,
        sources: Mapping[str, str] | None = None,
        color: bool = False,
        trailer: str = "",
        limit: int = 50,
    ) -> str:
        texts = {**self.sources, **(sources or {})}
        return render_diagnostics(self.diagnostics, texts, trailer=trailer, limit=limit)


class GenerationError(PhonyError, RuntimeError):
    """Generation failed for a reason the schema could not reveal in advance."""


class PhonyWarning(UserWarning):
    """Something Phony did differently from what the schema asked, without failing: issued
    through Python's `warnings` (the CLI prints it as `warning: …` on stderr)."""


class CorrelationWarning(PhonyWarning):
    """A `correlate` target the fields' distributions cannot reach: the nearest reachable
    correlation is used instead."""


def render_diagnostic(diag: Diagnostic, sources: Mapping[str, str]) -> str:
    lines = [f"error[{diag.code}]: {diag.message}"]
    span = diag.span
    if span is not None and span.line > 0:
        lines.append(f"  --> {span}")
        text = sources.get(span.file)
        src_lines = text.splitlines() if text is not None else []
        if 0 < span.line <= len(src_lines):
            src = src_lines[span.line - 1].replace("\t", " ")
            col = span.column
            if len(src) > _SNIPPET_WIDTH:  # show a window around the caret, not a 20k-char line
                start = max(0, col - 1 - _SNIPPET_WIDTH // 3)
                src = ("…" if start else "") + src[start : start + _SNIPPET_WIDTH] + "…"
                col = col - start + (1 if start else 0)
            num = str(span.line)
            pad = " " * len(num)
            if span.end_line == span.line and span.end_column > span.column:
                width = span.end_column - span.column
            else:
                width = max(1, len(src.rstrip()) - col + 1)
            width = max(1, min(width, max(1, len(src) - col + 1)))
            lines.append(f" {pad} |")
            lines.append(f" {num} | {src}")
            lines.append(f" {pad} | {' ' * (col - 1)}{'^' * width}")
    elif diag.path:
        lines.append(f"  --> {diag.path}")
    if diag.path and span is not None:
        lines.append(f"   = at: {diag.path}")
    for note in diag.notes:
        lines.append(f"   = note: {note}")
    if diag.hint:
        lines.append(f"   = hint: {diag.hint}")
    return "\n".join(lines)


def render_diagnostics(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str],
    trailer: str = "",
    limit: int = 50,
) -> str:
    shown = [render_diagnostic(d, sources) for d in diagnostics[:limit]]
    n = len(diagnostics)
    if n > limit:
        shown.append(f"... and {n - limit} more errors not shown")
    summary = f"{n} error{'s' if n != 1 else ''}."
    if trailer:
        summary += " " + trailer
    return "\n\n".join(shown) + "\n\n" + summary


def did_you_mean(given: str, options: Iterable[str], cutoff: float = 0.6) -> str | None:
    """A hint naming the closest option, or None when nothing is close."""
    choices = sorted(set(options))
    match = difflib.get_close_matches(given, choices, n=1, cutoff=cutoff)
    if not match:
        folded = {c.lower(): c for c in choices}
        if given.lower() in folded:
            match = [folded[given.lower()]]
    return f"did you mean '{match[0]}'?" if match else None


def one_of(options: Iterable[str], limit: int = 12) -> str:
    items = sorted(set(options))
    shown = ", ".join(f"'{o}'" for o in items[:limit])
    if len(items) > limit:
        shown += f", … ({len(items)} in all)"
    return shown
