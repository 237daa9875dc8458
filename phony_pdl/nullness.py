"""Which fields can be NULL through their source, told from the schema alone.

A `null_rate` says so plainly; a `choice` with a `null` item, an `expr` with a
`CASE` and no `ELSE` or a `from` of a nullable field say it less plainly. Keys
need to know: a primary key must never be NULL, and a foreign key must never
point at a row whose key is. The answer is conservative (an `expr` that divides
may be NULL even if the divisor is never 0), so it is used to refuse primary
keys at validation and to decide, at generation, whether a key's values must
be read to find the rows a foreign key may point at.
"""

from __future__ import annotations

from sqlglot import exp

from . import expr as expr_mod
from .model import Document

_ALWAYS_SET = frozenset(
    {"sequence", "generator", "distribution", "type", "pattern", "template", "timeline", "series"}
)
# Aggregates that give a parent with no child rows 0 instead of NULL.
_COUNTS = ("count", "count_distinct")


def null_source(doc: Document, entity: str, name: str) -> str | None:
    """Why `entity.name` can be NULL through its source (ignoring its own `null_rate`),
    as a phrase for a message, or None if its source always sets a value."""
    return _Analysis(doc).source(entity, name, set())


class _Analysis:
    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def field(self, entity: str, name: str, seen: set[tuple[str, str]]) -> str | None:
        spec = self.doc.entities.get(entity)
        f = spec.fields.get(name) if spec is not None else None
        if f is None:
            return None  # an unknown name is reported by validation, not here
        if f.null_rate:
            return f"'{name}' has a null_rate"
        return self.source(entity, name, seen)

    def source(self, entity: str, name: str, seen: set[tuple[str, str]]) -> str | None:
        if (entity, name) in seen or entity not in self.doc.entities:
            return None  # a cycle is reported by validation
        f = self.doc.entities[entity].fields.get(name)
        if f is None:
            return None
        seen = seen | {(entity, name)}
        source = f.source
        if source in _ALWAYS_SET:
            return None
        if source == "choice":
            # Mapping keys are text (a YAML `null:` key is the string "null").
            if isinstance(f.choice, list) and any(v is None for v in f.choice):
                return "its choice includes null"
            return None
        if source == "const":
            return "its const is null" if f.const is None else None
        if source == "ref":
            # Any other foreign key only points at rows whose key is set; a self-reference
            # is NULL in the first row unless `nullable: false` points that row at itself.
            return (
                "a self-reference is NULL in the first row"
                if f.ref.startswith(f"{entity}.") and f.nullable is not False
                else None
            )
        if source in ("from", "after", "before"):
            path = f.from_ or f.after or f.before or ""
            head, _, rest = path.partition(".")
            why = self.field(entity, head, seen)
            if why is None and rest:
                parent = (self.doc.entities[entity].fields.get(head) or f).ref
                if parent is not None and "." in parent:
                    why = self.field(parent.split(".")[0], rest, seen)
            return f"it copies {path}, which can be NULL ({why})" if why else None
        if source == "aggregate":
            try:
                func = expr_mod.parse_aggregate(f.aggregate).func
            except expr_mod.ExprError:
                return None
            return None if func in _COUNTS else f"{func}() is NULL for a row with no child rows"
        if source == "expr":
            try:
                tree = expr_mod.parse_expr(f.expr)
            except expr_mod.ExprError:
                return None
            why = self.expr(entity, tree, seen)
            return f"its expression can be NULL ({why})" if why else None
        return None

    def expr(self, entity: str, node: exp.Expression, seen: set[tuple[str, str]]) -> str | None:
        """Why the expression can yield NULL, following the evaluator's rules."""
        if isinstance(node, exp.Null):
            return "a NULL literal"
        if isinstance(node, exp.Column):
            return self.field(entity, node.name, seen)
        if isinstance(node, exp.Is) or (
            isinstance(node, exp.Not) and isinstance(node.this, exp.Is)
        ):
            return None  # IS [NOT] NULL is true or false
        if isinstance(node, exp.Concat):
            return None  # CONCAT skips NULL parts
        if isinstance(node, exp.Nullif):
            return "NULLIF"
        if isinstance(node, exp.Case):
            if node.args.get("default") is None:
                return "a CASE without ELSE"
            values = [i.args["true"] for i in node.args.get("ifs", [])]
            return self.first(entity, [*values, node.args["default"]], seen)
        if isinstance(node, exp.Coalesce):
            parts = [node.this, *node.expressions]
            whys = [self.expr(entity, p, seen) for p in parts]
            return whys[-1] if all(whys) else None
        if isinstance(node, exp.Div | exp.Mod) and not _nonzero_literal(node.expression):
            return "a division by a value that can be 0 (x / 0 is NULL)"
        if isinstance(node, exp.Window) and isinstance(node.this, exp.Lag | exp.Lead):
            return "LAG/LEAD past the end of the partition"
        return self.first(entity, list(node.iter_expressions()), seen)

    def first(
        self, entity: str, nodes: list[exp.Expression], seen: set[tuple[str, str]]
    ) -> str | None:
        for part in nodes:
            why = self.expr(entity, part, seen)
            if why:
                return why
        return None


def _nonzero_literal(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren | exp.Neg):
        node = node.this
    if not isinstance(node, exp.Literal) or node.is_string:
        return False
    try:
        return float(node.this) != 0
    except ValueError:
        return False
