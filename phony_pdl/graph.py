"""The entity graph: (entity, field) nodes, dependency edges, execution order.

An edge u → v means v is computed from u. Every entity also has a row-count
node ``(entity, ROWS)``; per-parent counts and timelines hang off their
parent's. Entity-level cycles are fine (orders.total ← order_items.amount ←
order_items.order_id ← orders.id) as long as the field graph is acyclic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import networkx as nx

from . import expr as expr_mod
from .model import Document, Entity, FieldSpec, column_name, table_name
from .template import TemplateError, template_fields

if TYPE_CHECKING:
    from .types import DataType

ROWS = "#rows"
Node = tuple[str, str]


def copula_node(index: int) -> str:
    return f"#copula{index}"


def per_parent_fk(doc: Document, entity_name: str) -> str | None:
    """The child field filled by a `count: {per: parent}` expansion (first ref to the parent)."""
    entity = doc.entities[entity_name]
    parent = entity.count.per if entity.count is not None and hasattr(entity.count, "per") else None
    if entity.timeline is not None:
        parent = entity.timeline.for_
    if entity.series is not None:
        parent = entity.series.for_
    if parent is None:
        return None
    for fname, f in entity.fields.items():
        if f.ref is not None and f.ref.split(".")[0] == parent:
            return fname
    return None


def ref_target(f: FieldSpec) -> tuple[str, str] | None:
    if f.ref is None or "." not in f.ref:
        return None
    ent, _, fld = f.ref.partition(".")
    return ent, fld


def _lookup(doc: Document, entity_name: str, path: str) -> list[Node]:
    """Nodes behind a field path: `field` or `fk_field.parent_field`."""
    entity = doc.entities[entity_name]
    head, _, rest = path.partition(".")
    if head not in entity.fields:
        return []
    if not rest:
        return [(entity_name, head)]
    target = ref_target(entity.fields[head])
    if target is None or target[0] not in doc.entities:
        return [(entity_name, head)]
    if rest not in doc.entities[target[0]].fields:
        return [(entity_name, head)]
    return [(entity_name, head), (target[0], rest)]


def generator_field_paths(f: FieldSpec) -> list[str]:
    """The field paths a generator field's parameters name (`domain_from: org_id.domain`)."""
    if f.source != "generator":
        return []
    from .generators import registry

    spec = registry.get(f.generator or "")
    if spec is None:
        return []
    params = f.params or {}
    return [
        params[name]
        for name in spec.params.field_paths
        if isinstance(params.get(name), str) and params[name]
    ]


def field_dependencies(doc: Document, entity_name: str, fname: str) -> Iterator[Node]:
    entity: Entity = doc.entities[entity_name]
    f = entity.fields[fname]
    yield (entity_name, ROWS)
    target = ref_target(f)
    if target is not None and target[0] in doc.entities:
        yield (target[0], ROWS)
        if target[1] in doc.entities[target[0]].fields:
            yield target
    for path in (f.from_, f.after, f.before, *generator_field_paths(f)):
        if path:
            yield from _lookup(doc, entity_name, path)
    if f.template is not None:
        try:
            for name in template_fields(f.template):
                if name in entity.fields:
                    yield (entity_name, name)
        except TemplateError:
            pass
    if f.expr is not None:
        try:
            for name in expr_mod.columns(expr_mod.parse_expr(f.expr)):
                if name in entity.fields:
                    yield (entity_name, name)
        except expr_mod.ExprError:
            pass
    if f.aggregate is not None:
        try:
            agg = expr_mod.parse_aggregate(f.aggregate)
        except expr_mod.ExprError:
            agg = None
        if agg is not None and agg.child in doc.entities:
            child = doc.entities[agg.child]
            yield (agg.child, ROWS)
            if agg.field and agg.field in child.fields:
                yield (agg.child, agg.field)
            for col in agg.filter_columns:
                name = col.split(".")[-1]
                if name in child.fields:
                    yield (agg.child, name)
            via = f.via or next(
                (
                    n
                    for n, cf in child.fields.items()
                    if (ref_target(cf) or ("", ""))[0] == entity_name
                ),
                None,
            )
            if via and via in child.fields:
                yield (agg.child, via)
            if agg.func in ("first", "last"):  # ordered by the child's event time when it has one
                for n, cf in child.fields.items():
                    if cf.timeline == "time":
                        yield (agg.child, n)
    for i, block in enumerate(entity.correlate):
        if fname in block.fields:
            yield (entity_name, copula_node(i))


def rows_dependencies(doc: Document, entity_name: str) -> Iterator[Node]:
    entity = doc.entities[entity_name]
    count = entity.count
    if count is not None and not isinstance(count, int) and count.per in doc.entities:
        yield (count.per, ROWS)
    if entity.series is not None and entity.series.for_ in doc.entities:
        parent = entity.series.for_
        yield (parent, ROWS)
        for bound in (entity.series.start, entity.series.end):
            head, _, rest = (bound or "").partition(".")
            if head == parent and rest in doc.entities[parent].fields:
                yield (parent, rest)
    if entity.timeline is not None and entity.timeline.for_ in doc.entities:
        parent = entity.timeline.for_
        yield (parent, ROWS)
        start = entity.timeline.start.split(".")[-1]
        if start in doc.entities[parent].fields:
            yield (parent, start)
        head, _, rest = (entity.timeline.end or "").partition(".")
        if head == parent and rest in doc.entities[parent].fields:
            yield (parent, rest)
        for state in entity.timeline.states.values():
            for prob in (state.next or {}).values():
                if isinstance(prob, str):
                    try:
                        for col in expr_mod.columns(expr_mod.parse_expr(prob)):
                            name = col.split(".")[-1]
                            if name in doc.entities[parent].fields:
                                yield (parent, name)
                    except expr_mod.ExprError:
                        pass


def build_graph(doc: Document) -> nx.DiGraph:
    g = nx.DiGraph()
    for ename, entity in doc.entities.items():
        g.add_node((ename, ROWS), kind="rows")
        for dep in rows_dependencies(doc, ename):
            g.add_edge(dep, (ename, ROWS))
        for i, _block in enumerate(entity.correlate):
            g.add_edge((ename, ROWS), (ename, copula_node(i)))
        for fname in entity.fields:
            g.add_node((ename, fname), kind="field")
            for dep in field_dependencies(doc, ename, fname):
                if dep != (ename, fname) or entity.fields[fname].ref is None:
                    g.add_edge(dep, (ename, fname))
    # A self-reference (employees.manager_id → employees.id) reads earlier rows of the
    # same column set; it is not a cycle as long as it does not point at itself.
    return g


def field_cycles(g: nx.DiGraph) -> list[list[Node]]:
    """One representative cycle per strongly connected component, deterministic."""
    cycles = []
    for component in sorted(nx.strongly_connected_components(g), key=lambda c: sorted(c)):
        if len(component) == 1:
            node = next(iter(component))
            if not g.has_edge(node, node):
                continue
            cycles.append([node, node])
            continue
        sub = g.subgraph(component)
        start = min(component)
        cycle = nx.find_cycle(sub, source=start)
        nodes = [cycle[0][0]] + [v for _, v in cycle]
        cycles.append(nodes)
    return cycles


def execution_order(g: nx.DiGraph) -> list[Node]:
    """Topological order, ties broken by name so the plan never depends on dict order."""
    return list(nx.lexicographical_topological_sort(g, key=lambda n: f"{n[0]}\x00{n[1]}"))


def entity_order(doc: Document, skip_nullable: bool = True) -> list[str]:
    """Parents before children by foreign keys (nullable cycle FKs ignored), ties by file order."""
    g = nx.DiGraph()
    names = list(doc.entities)
    g.add_nodes_from(names)
    for ename, entity in doc.entities.items():
        parents = set()
        if entity.count is not None and not isinstance(entity.count, int):
            parents.add(entity.count.per)
        if entity.timeline is not None:
            parents.add(entity.timeline.for_)
        if entity.series is not None:
            parents.add(entity.series.for_)
        for f in entity.fields.values():
            target = ref_target(f)
            if target is None or target[0] == ename or target[0] not in doc.entities:
                continue
            if skip_nullable and is_nullable(f):
                continue
            parents.add(target[0])
        for p in sorted(parents):
            if p in doc.entities and p != ename:
                g.add_edge(p, ename)
    position = {n: i for i, n in enumerate(names)}
    try:
        return list(nx.lexicographical_topological_sort(g, key=lambda n: f"{position[n]:09d}"))
    except nx.NetworkXUnfeasible:
        return names


def is_nullable(f: FieldSpec) -> bool:
    if f.nullable is not None:
        return f.nullable
    return bool(f.null_rate)


TypeOf = Callable[[str, str], "DataType | None"]


def _source_note(f: FieldSpec) -> str | None:
    """Where a field's values come from, for a diagram's comment column."""
    if f.ref:
        return f"ref {f.ref}"
    if f.aggregate:
        return f.aggregate
    if f.source == "generator":
        return f.generator
    if f.source == "distribution":
        return f.distribution
    if f.source == "from":
        return f"from {f.from_}"
    if f.source in ("after", "before"):
        return f"{f.source} {f.after or f.before}"
    if f.source == "expr" and f.expr is not None:
        text = " ".join(f.expr.split())
        return text if len(text) <= 40 else text[:39] + "…"
    if f.source == "timeline":
        return f"timeline {f.timeline}"
    if f.source in (None, "type"):
        return None  # a typed range: the type column says it
    return f.source


def _primary_keys(entity: Any) -> list[str]:
    pk = (
        entity.primary_key
        if entity.primary_key is not None
        else ("id" if "id" in entity.fields else None)
    )
    return [pk] if isinstance(pk, str) else list(pk or [])


def key_copies(entity: Any, fname: str) -> list[tuple[str, str]]:
    """A composite foreign key's columns: (copy, parent column) of each `from: fname.col`
    beside the hidden `ref` `fname` that picks the parent row, in field order (none for a
    written `ref`: its own column is the key)."""
    f = entity.fields[fname]
    if not (f.hidden and f.ref):
        return []
    copies = []
    for name, g in entity.fields.items():
        head, dot, column = (g.from_ or "").partition(".")
        if g.source == "from" and head == fname and dot and "." not in column:
            copies.append((name, column))
    return copies


def _copied_keys(entity: Any) -> set[str]:
    return {name for fname in entity.fields for name, _ in key_copies(entity, fname)}


def _mermaid_text(text: str) -> str:
    """Text for a Mermaid quoted string, which ends at the first `"` whatever precedes it."""
    return text.replace('"', "'")


def _record_text(text: str) -> str:
    """Text for a Graphviz record label: its field separators, port brackets and the
    quote of the DOT string escaped with a backslash."""
    return re.sub(r'([\\{}|<>"])', r"\\\1", text)


def _column(entity: Entity, fname: str) -> str:
    return column_name(entity.fields[fname], fname)


def mermaid(doc: Document, type_of: TypeOf | None = None) -> str:
    """An erDiagram: each attribute as `type name keys "source"` (the type the field
    generates, from `type_of`; without it, the declared type or the source kind). An
    entity with a `table` shows it (`order_details["Order Details"]`); a field with a
    `column` has it in its comment, as attribute names cannot hold blanks."""
    lines = ["erDiagram"]
    for ename, entity in doc.entities.items():
        alias = "" if entity.table is None else f'["{_mermaid_text(entity.table)}"]'
        lines.append(f"    {ename}{alias} {{")
        pks = _primary_keys(entity)
        copied = _copied_keys(entity)
        for fname, f in entity.fields.items():
            marks = []
            if fname in pks:
                marks.append("PK")
            if f.ref or fname in copied:
                marks.append("FK")
            if f.unique and fname not in pks:
                marks.append("UK")
            dtype = type_of(ename, fname) if type_of is not None else None
            kind = str(dtype) if dtype is not None else (f.type or f.source)
            kind = kind.replace("(", "_").replace(",", "_").replace(")", "")
            note = _source_note(f) if type_of is not None else None
            if f.column is not None:
                note = f"column {f.column}" + (f"; {note}" if note else "")
            line = f"        {kind} {fname}{(' ' + ','.join(marks)) if marks else ''}"
            if note:
                line += ' "' + _mermaid_text(note) + '"'
            lines.append(line)
        lines.append("    }")
    for ename, entity in doc.entities.items():
        for fname, f in entity.fields.items():
            target = ref_target(f)
            if target is None:
                continue
            card = "o|" if is_nullable(f) else "||"
            # a composite key is labelled with its copied columns, not the hidden ref
            copies = [name for name, _ in key_copies(entity, fname)] or [fname]
            label = _mermaid_text(", ".join(_column(entity, name) for name in copies))
            lines.append(f'    {target[0]} {card}--o{{ {ename} : "{label}"')
        if entity.timeline is not None and per_parent_fk(doc, ename) is None:
            lines.append(f'    {entity.timeline.for_} ||--o{{ {ename} : "timeline"')
    for ename, entity in doc.entities.items():
        for fname, f in entity.fields.items():
            if f.aggregate:
                try:
                    expr_mod.parse_aggregate(f.aggregate)
                except expr_mod.ExprError:
                    continue
                # as written: a rebuilt call would drop FILTER and DISTINCT
                lines.append(f"    %% {ename}.{fname} = {' '.join(f.aggregate.split())}")
    return "\n".join(lines) + "\n"


def dot(doc: Document, type_of: TypeOf | None = None) -> str:
    """A Graphviz digraph of record nodes, named and ported by PDL identifiers and
    labelled with the output's names (an entity's `table`, a field's `column`)."""
    lines = ["digraph phony {", "  rankdir=LR;", '  node [shape=record, fontname="Helvetica"];']
    for ename, entity in doc.entities.items():
        pks = _primary_keys(entity)
        copied = _copied_keys(entity)
        rows = []
        for fname, f in entity.fields.items():
            tag = " (PK)" if fname in pks else " (FK)" if f.ref or fname in copied else ""
            dtype = type_of(ename, fname) if type_of is not None else None
            typed = f": {dtype}" if dtype is not None else ""
            rows.append(f"<{fname}> {_record_text(_column(entity, fname))}{typed}{tag}")
        title = _record_text(table_name(doc, ename))
        lines.append(f'  "{ename}" [label="{{{title}|{"|".join(rows)}}}"];')
    for ename, entity in doc.entities.items():
        for fname, f in entity.fields.items():
            target = ref_target(f)
            if target is not None:
                style = "dashed" if is_nullable(f) else "solid"
                copies = key_copies(entity, fname)
                if copies:  # a composite key: from its first copied column to the parent's
                    label = ", ".join(_column(entity, n) for n, _ in copies)
                    label = label.replace("\\", "\\\\").replace('"', '\\"')
                    (first, column) = copies[0]
                    lines.append(
                        f'  "{ename}":"{first}" -> "{target[0]}":"{column}" '
                        f'[style={style}, label="{label}"];'
                    )
                    continue
                lines.append(
                    f'  "{ename}":"{fname}" -> "{target[0]}":"{target[1]}" [style={style}];'
                )
            if f.aggregate:
                try:
                    agg = expr_mod.parse_aggregate(f.aggregate)
                    lines.append(
                        f'  "{agg.child}" -> "{ename}":"{fname}" '
                        f'[style=dotted, label="{agg.func}{" FILTER" if agg.filter else ""}"];'
                    )
                except expr_mod.ExprError:
                    pass
    lines.append("}")
    return "\n".join(lines) + "\n"
