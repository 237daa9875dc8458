"""`phony infer`: learn a PDL schema from sample data.

>>> import pyarrow as pa
>>> from phony_pdl.infer import infer
>>> result = infer(pa.table({"id": [1, 2, 3, 4], "tier": ["a", "b", "a", "a"]}), name="t")
>>> result.document["entities"]["t"]["fields"]["id"]
{'sequence': 1}

Per column: type, null rate, keys, categories (top-K plus a remainder), the best
distribution family by AIC (empirical fallback), precision, time ranges, code
patterns and semantic generators. Across columns: a Spearman `correlate` block,
exact formulas (`expr`) and time orderings (`after`). Across tables: foreign keys
by inclusion and children-per-parent distributions (`count: {per:}`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._version import __version__
from ..blas_threads import single_blas_thread
from ..errors import GenerationError, SchemaError
from ..model import usable_column, usable_table
from ..ngram.model import NgramModel
from ..quiet import quiet_numerics
from .ages import ages_on_a_day
from .document import (
    EntityOut,
    FieldOut,
    InferOptions,
    bool_field,
    comparison_field,
    copy_field,
    count_spec,
    gap_field,
    key_field,
    labelled_comparison_field,
    numeric_field,
    relation_field,
    string_field,
    temporal_field,
)
from .profile import ColumnProfile, profile_column, shared_text
from .readers import Source, read_source, sanitize
from .relations import (
    ForeignKey,
    RankedColumns,
    Relation,
    _common_factor,
    algebraic_relations,
    boolean_comparisons,
    category_order,
    foreign_keys,
    proportional_relations,
    spearman_matrix,
    time_orderings,
    zipf_exponent,
)
from .templates import joined_columns
from .text_models import text_model
from .timelines import TimelineOut, find_timeline
from .trends import growing_times, trend_fields
from .value_maps import Coded, ConditionalChoice, ValueMap, conditional_choices, value_maps
from .writer import document as to_document
from .writer import render

__all__ = ["InferOptions", "InferResult", "infer", "read_source"]


@dataclass
class InferResult:
    """An inferred schema: its PDL text (with comments), the same as a dict, and name maps."""

    name: str
    text: str
    document: dict[str, Any]
    entities: dict[str, str] = field(default_factory=dict)  # entity → source table
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # entity → field → column
    source: Source | None = field(default=None, repr=False)
    # n-gram models of free-text columns, by the path (relative to the schema) it names
    models: dict[str, NgramModel] = field(default_factory=dict, repr=False)
    _schema: Any = field(default=None, repr=False)

    def schema(self):
        """The validated schema (loaded from `text` once)."""
        if self._schema is None:
            from ..schema import load

            self._schema = load(self.text, name=f"<infer {self.name}>")
        self._schema.models = dict(self.models)  # sent along to worker processes
        return self._schema

    def write(self, path: str | Path) -> list[Path]:
        """Write the PDL to `path` and its models beside it; returns the files written.
        A `.json` path gets the document as JSON (without the YAML's comments)."""
        import json

        from ..writers.base import AtomicFile

        path = Path(path)
        text = self.text
        if path.suffix.lower() == ".json":
            text = json.dumps(self.document, indent=2, ensure_ascii=False) + "\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        written = self.write_models(path.parent)
        out = AtomicFile(path)
        try:
            out.write(text.encode("utf-8"))
            out.commit()
        except BaseException:
            out.abort()
            raise
        return [*written, path]

    def write_models(self, folder: str | Path) -> list[Path]:
        """Save the models under `folder` at the relative paths the schema names."""
        from ..ngram import fileformat
        from ..writers.base import AtomicFile

        written = []
        for rel, model in sorted(self.models.items()):
            target = Path(folder) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            out = AtomicFile(target)
            try:
                out.write(fileformat.dumps(model))
                out.commit()
            except BaseException:
                out.abort()
                raise
            written.append(target)
        return written


@quiet_numerics
@single_blas_thread
def infer(
    source: Any,
    *,
    name: str | None = None,
    options: InferOptions | None = None,
    **knobs: Any,
) -> InferResult:
    """Infer a PDL schema from a file, folder, database URL, Arrow table or mapping of tables.

    Keyword knobs are those of `InferOptions` (`max_categories`, `top_k`, `correlate`,
    `relations`, `min_correlation`, `rows`).
    """
    opts = options or InferOptions(**knobs)
    src = read_source(source, name=name)
    builder = _Builder(src, opts)
    return builder.run()


class _Builder:
    def __init__(self, src: Source, opts: InferOptions) -> None:
        self.src = src
        self.opts = opts
        taken: set[str] = set()
        self.ident = {t: sanitize(t, taken) for t in src.tables}
        self.profiles: dict[str, dict[str, ColumnProfile]] = {}
        self.models: dict[str, NgramModel] = {}  # relative path → model, for free text
        self.cycle_breakers: set[tuple[str, str]] = set()
        self._parent_rows: dict[tuple[str, str, str, str], np.ndarray] = {}
        self._texts: dict[tuple[str, str], np.ndarray] = {}
        self._table_of = {e: t for t, e in self.ident.items()}  # entity name → table
        # table → field → spec of the entities built so far (children are built first, so
        # a parent's aggregates know which child fields read it)
        self.specs: dict[str, dict[str, dict[str, Any]]] = {}
        self.timelines: dict[str, TimelineOut] = {}  # event table → its timeline
        # parent table → hidden fields a child copies from it (a sibling's aggregate), added
        # when the parent is built
        self.parent_fields: dict[str, list[FieldOut]] = {}
        self.locales: list[str] = []
        for table, data in src.tables.items():
            used: set[str] = set()
            profs = {}
            for col in data.table.column_names:
                column = data.table.column(col).combine_chunks()
                p = profile_column(
                    col, sanitize(col, used), column, decimals=data.decimals.get(col),
                    top_k=max(opts.top_k, opts.max_categories),
                )  # fmt: skip
                profs[p.name] = p
            self.profiles[table] = profs

    # ------------------------------------------------------------ keys

    def primary_key(self, table: str) -> str | None:
        profs = self.profiles[table]
        declared = self.src.tables[table].primary_key
        by_source = {p.source: p.name for p in profs.values()}
        if len(declared) == 1 and declared[0] in by_source:
            return by_source[declared[0]]
        candidates = [p for p in profs.values() if self._is_key(p)]
        if not candidates:
            return None
        stem = self.ident[table].lower().rstrip("s")

        def score(p: ColumnProfile) -> tuple:
            n = p.name.lower()
            return (
                n == "id",
                n in (f"{stem}_id", f"{self.ident[table].lower()}_id", f"{stem}id"),
                p.sorted_steps is not None,
                n.endswith(("id", "_key", "_code", "uuid")),
            )

        best = max(candidates, key=score)
        return best.name if any(score(best)) else None

    @staticmethod
    def _is_key(p: ColumnProfile) -> bool:
        return p.unique and p.nulls == 0 and p.kind in ("int", "string") and p.n >= 2

    def foreign_keys(self, pks: dict[str, str | None]) -> list[ForeignKey]:
        found: list[ForeignKey] = []
        declared_cols = set()
        for table, data in self.src.tables.items():
            by_source = {p.source: p.name for p in self.profiles[table].values()}
            for col, parent, key in data.foreign_keys:
                if parent in self.profiles and col in by_source:
                    pkey = {p.source: p.name for p in self.profiles[parent].values()}.get(key)
                    if pkey:
                        used = self._coverage(table, by_source[col], parent, pkey)
                        found.append(ForeignKey(table, by_source[col], parent, pkey, used, True))
                        declared_cols.add((table, by_source[col]))
            for col in data.composite_references:  # declared otherwise: no guessed key
                if col in by_source:
                    declared_cols.add((table, by_source[col]))
        if len(self.src.tables) < 2 and not any(
            "parent" in c or "manager" in c for p in self.profiles.values() for c in p
        ):
            return found
        columns: dict[str, dict[str, tuple[set, str, bool]]] = {}
        keys: dict[str, list[str]] = {}
        for table, profs in self.profiles.items():
            cols = {}
            for p in profs.values():
                if p.kind == "int":
                    values = set(p.numbers.astype(np.int64).tolist())
                elif p.kind == "string":
                    values = set(p.strings or [])
                else:
                    continue
                cols[p.name] = (values, p.kind, p.name == pks.get(table))
            columns[table] = cols
            keys[table] = [p.name for p in profs.values() if self._is_key(p)]
        for fk in foreign_keys(columns, keys):
            if (fk.table, fk.column) not in declared_cols:
                found.append(fk)
        return found

    def _coverage(self, table: str, column: str, parent: str, key: str) -> float:
        """Share of the parent's keys that the column uses (for a declared foreign key)."""

        def values(p: ColumnProfile) -> set:
            if p.numbers is not None:
                return set(np.unique(p.numbers).tolist())
            return set(p.strings or [])

        child, keys = values(self.profiles[table][column]), values(self.profiles[parent][key])
        return len(child & keys) / len(keys) if keys else 1.0

    # ------------------------------------------------------------ per table

    def name_columns(self, e: EntityOut) -> None:
        """`column:` the source's own name where it is not the field's identifier
        (`Customer ID` → field `Customer_ID`), so the generated files have the source's
        header. Left out where it cannot name a column (see validate.column_value) or
        would fold to another column's name: the identifier is then the column's name."""
        profs = self.profiles.get(e.source, {})
        written = {f.name: f.name for f in e.fields}
        for f in e.fields:
            p = profs.get(f.name)
            if p is None or p.source == f.name or f.spec.get("hidden") or "column" in f.spec:
                continue
            name = p.source
            if not usable_column(name):
                continue
            others = {v.casefold() for k, v in written.items() if k != f.name}
            if name.casefold() in others:
                continue
            written[f.name] = name
            f.spec["column"] = name

    def name_tables(self, entities: list[EntityOut]) -> None:
        """`table:` the source's own name where it is not the entity's identifier (a file
        `Order Details.csv` → entity `Order_Details`), so the generated files keep the
        source's names. Left out where it cannot name a table (see validate.table_value)
        or would fold to another table's name."""
        written = {e.name.casefold() for e in entities}
        for e in entities:
            if e.source == e.name or not usable_table(e.source):
                continue
            if e.source.casefold() in written - {e.name.casefold()}:
                continue
            written.discard(e.name.casefold())
            written.add(e.source.casefold())
            e.table = e.source

    def run(self) -> InferResult:
        pks = {t: self.primary_key(t) for t in self.src.tables}
        fks = self.foreign_keys(pks)
        for fk in fks:  # a unique column other tables refer to is its table's key
            if pks.get(fk.parent) is None and fk.parent != fk.table:
                pks[fk.parent] = fk.key
        self.cycle_breakers = self._cycle_breakers(fks)
        built = {t: self.entity(t, pks, fks) for t in _children_first(list(self.src.tables), fks)}
        self._timeline_starts(built)
        entities = [built[t] for t in self.src.tables]
        entities = _ordered(entities, fks, self.ident)
        self._written_numbers(entities)
        # sorted first: a tie goes to the same locale in every process (set order is salted)
        locale = max(sorted(set(self.locales)), key=self.locales.count) if self.locales else None
        for e in entities:  # a field's own locale only where it differs from the document's
            for f in e.fields:
                if f.spec.get("locale") is not None and f.spec["locale"] == (locale or "en_US"):
                    del f.spec["locale"]
        for e in entities:
            self.name_columns(e)
        self.name_tables(entities)
        name = sanitize(self.src.name, set())
        rows = sum(d.table.num_rows for d in self.src.tables.values())
        header = [
            f"Inferred by `phony infer` (Phony {__version__}) from {self.src.origin or self.src.name}:",
            f"{len(entities)} table(s), {rows:,} rows. Comments give the evidence for each field:",
            "the family chosen by AIC and the runner-up's AIC difference, the Kolmogorov-Smirnov",
            "distance D of the fit and the rows it was fitted on. Review before use.",
            *self.src.notes,
        ]
        text = render(name, entities, header, locale)
        doc = to_document(name, entities, locale)
        result = InferResult(
            name,
            text,
            doc,
            entities={e.name: e.source for e in entities},
            columns={
                self.ident[t]: {p.name: p.source for p in profs.values()}
                for t, profs in self.profiles.items()
            },
            source=self.src,
            models=dict(self.models),
        )
        from ..schema import load

        try:  # the dict is the text's twin and loads without YAML parsing
            result._schema = load(doc, name=f"<infer {name}>")
        except SchemaError as exc:  # a bug in infer, not in the data: say so plainly
            raise GenerationError(
                "the inferred schema does not validate; please report this with the data:\n"
                + "\n".join(f"  {d.message} at {d.path}" for d in exc.diagnostics)
            ) from None
        return result

    def entity(self, table: str, pks: dict[str, str | None], fks: list[ForeignKey]) -> EntityOut:
        opts = self.opts
        profs = self.profiles[table]
        data = self.src.tables[table]
        n_rows = data.table.num_rows
        ename = self.ident[table]
        pk = pks[table]
        mine = {fk.column: fk for fk in fks if fk.table == table}
        out = EntityOut(ename, table, opts.rows or n_rows, primary_key=pk)
        out.comments.append(f"{table}: {n_rows:,} rows, {len(profs)} columns in the sample")
        for col, kind in data.skipped.items():
            out.comments.append(f"left out {col} ({kind}): not a type PDL generates")
        done: dict[str, list[FieldOut]] = {}

        # Foreign keys; the one to the largest parent drives `count: {per:}`.
        per = None
        for col, fk in mine.items():
            p = profs[col]
            if (
                fk.parent != table
                and p.nulls == 0
                and (table, col) not in self.cycle_breakers  # its count would close the cycle
                and (
                    per is None
                    or self.src.tables[fk.parent].table.num_rows
                    > self.src.tables[mine[per].parent].table.num_rows
                )
            ):
                per = col
        for col, fk in mine.items():
            p = profs[col]
            spec: dict[str, Any] = {"ref": f"{self.ident[fk.parent]}.{fk.key}"}
            note = (
                f"every value is one of {self.ident[fk.parent]}.{fk.key} "
                f"({fk.coverage:.0%} of them used)"
            )
            index = self._parent_index(table, col, fk)
            counts = np.bincount(
                index[index >= 0], minlength=self.src.tables[fk.parent].table.num_rows
            )
            if col == per:
                count, count_note = count_spec(self.ident[fk.parent], counts)
                out.count = count
                out.count_comment = count_note
            elif fk.parent != table:
                s = zipf_exponent(counts)
                if s is not None:
                    spec["pick"] = {"zipf": s}
                    note += f"; popularity ~ Zipf s={s}"
            if p.nulls:
                spec["null_rate"] = round(p.null_rate, 4)
            elif (table, col) in self.cycle_breakers:
                spec["nullable"] = True
                note += "; nullable: it closes a cycle of references (filled after both load)"
            done[col] = [FieldOut(col, spec, note)]
        if pk is not None and pk not in done:
            done[pk] = [key_field(profs[pk])]
        if per is not None and opts.relations:
            self._timeline(out, table, per, mine[per], pk, done)
            self._line_numbers(out, table, per, mine[per], done)
        self._multi_column_keys(out, table, mine)

        # Values copied from the parent through a foreign key: `from: fk.field`.
        if opts.relations:
            for col, fk in mine.items():
                if fk.parent == table:
                    continue
                index = self._parent_index(table, col, fk)
                for p in profs.values():
                    if p.name in done or (p.scores is None and p.strings is None):
                        continue
                    match = self._copied(p, fk, index)
                    if match is not None:
                        done[p.name] = [copy_field(p, f"{col}.{match[0]}", match[1])]
            # ... or a copy times a constant, or plus one (a price with 20 % tax): a hidden
            # `from` and an `expr` over it
            for col, fk in mine.items():
                if fk.parent == table:
                    continue
                index = self._parent_index(table, col, fk)
                for p in profs.values():
                    if p.name in done or not p.numeric or p.name == pk or p.name in mine:
                        continue
                    scaled = self._scaled(p, fk, index)
                    if scaled is not None:
                        done[p.name] = self._scaled_fields(table, p, col, scaled)

        # Times: x >= y on every row becomes `after: y`, also through a foreign key.
        if opts.relations:
            times = {
                p.name: (p.scores, p.kind)
                for p in profs.values()
                if p.kind in ("date", "datetime") and p.name not in done
            }
            through = {}
            for col, fk in mine.items():
                if fk.parent == table:
                    continue
                index = self._parent_index(table, col, fk)
                for q in self.profiles[fk.parent].values():
                    if q.kind in ("date", "datetime"):
                        values = np.where(index >= 0, q.scores[np.maximum(index, 0)], np.nan)
                        through[f"{col}.{q.name}"] = (values, q.kind)
            for child, order in time_orderings(times, through).items():
                done[child] = [gap_field(profs[child], order)]

            # Whole years from a date to one day (age beside birth_date): an `expr`, so the
            # two agree on every generated row instead of only in rank.
            ages = ages_on_a_day(
                {p.name: p.scores for p in profs.values() if p.kind == "date"},
                {
                    p.name: p.scores
                    for p in profs.values()
                    if p.kind == "int" and p.name not in done and p.name not in mine
                    and p.name != pk
                },
            )  # fmt: skip
            for age in ages:
                done[age.target] = [
                    FieldOut(age.target, {"expr": age.expr(_quote), "type": "int"}, age.comment())
                ]

            numbers = {
                p.name: p.scores
                for p in profs.values()
                if p.numeric and p.name != pk and p.name not in mine
            }
            decimals = {p.name: (0 if p.kind == "int" else p.decimals) for p in profs.values()}
            free = {n for n in numbers if n not in done}
            formulas = nx.DiGraph()
            for rel in algebraic_relations(numbers, decimals, targets=free):
                done[rel.target] = [relation_field(profs[rel.target], rel, _quote)]
                formulas.add_edges_from([(rel.left, rel.target), (rel.right, rel.target)])
            # a = b * k for a column no formula computes, from any column (a formula's
            # output too: fee = amount * 0.03 beside amount = quantity * unit_price) except
            # one computed from a itself (tax beside total = amount + tax), so no formula
            # reads its own output
            drawn = {n for n in numbers if n not in done}
            avoid = {(t, s) for t in drawn if t in formulas for s in nx.descendants(formulas, t)}
            for rel in proportional_relations(numbers, decimals, targets=drawn, avoid=avoid):
                done[rel.target] = [relation_field(profs[rel.target], rel, _quote)]

            key = profs[pk] if pk is not None else None
            if key is not None and key.kind == "int" and key.sorted_steps is not None:
                for p in profs.values():
                    if p.numeric and p.name not in done and p.name not in mine and p.name != pk:
                        trend = trend_fields(p, pk, key.scores)
                        if trend is not None:
                            done[p.name] = trend
                for p in profs.values():
                    if p.kind == "datetime" and p.name not in done:
                        growing = growing_times(p, pk)
                        if growing is not None:
                            done[p.name] = growing

            for name, fields in self._aggregates(table, fks, done, mine, pk).items():
                done[name] = fields
            for name, fields in self._sibling_aggregates(table, fks, done, mine, pk).items():
                done[name] = fields

            # Flags that are a comparison on every row (late = returned_at > due_at,
            # adult = age >= 18): `expr`, not a probability that loses which rows are true.
            self._comparisons(table, done, mine)

            texts = {
                p.name: p.strings
                for p in profs.values()
                if p.kind == "string" and p.nulls == 0 and p.strings and p.distinct >= 2
            }
            for j in joined_columns(texts, {n for n in texts if n not in done}):
                done[j.target] = [
                    FieldOut(
                        j.target,
                        {"template": j.template()},
                        f"{j.left} + {j.separator!r} + {j.right} on all {n_rows:,} rows",
                    )
                ]

            # Last of the relations, over the columns none claimed: a column whose value
            # follows from another's on every row (a plan's price) is a CASE over that
            # column, so the pairs stay as they are.
            coded = self._coded(table, done, mine, pk)
            for vm in value_maps(coded, n_rows):
                done[vm.target] = [self._value_map_field(table, vm)]
            # ... and one whose shares depend on another's (a language, mostly the
            # country's): drawn from its shares within each of that column's values
            # (text and flags only: numbers that go together are the copula's)
            nominal = {n: c for n, c in coded.items() if profs[n].kind in ("string", "bool")}
            for cc in conditional_choices(nominal, n_rows, set(done)):
                done[cc.target] = self._conditional_fields(table, cc, done)

        for p in profs.values():
            if p.name in done:
                continue
            if p.kind == "null":
                done[p.name] = [
                    FieldOut(p.name, {"type": "string", "null_rate": 1.0}, "every value is NULL")
                ]
            elif p.kind == "bool":
                done[p.name] = [bool_field(p)]
            elif p.numeric:
                done[p.name] = numeric_field(p, opts)
            elif p.kind in ("date", "datetime", "time"):
                done[p.name] = temporal_field(p, opts)
            else:
                fields, locale = string_field(p, opts)
                if locale:
                    self.locales.append(locale)
                done[p.name] = fields
        order = list(profs)
        if per is not None:  # the expansion fills the first ref to the parent: put it first
            parent = mine[per].parent
            first = next(c for c in order if c in mine and mine[c].parent == parent)
            if first != per:
                i, j = order.index(first), order.index(per)
                order[i], order[j] = order[j], order[i]
        out.fields = [f for col in order for f in done[col]]
        out.fields += self.parent_fields.pop(table, [])
        self.specs[table] = {f.name: f.spec for f in out.fields}
        self._written_dates(out, table)
        if opts.models:
            for i, f in enumerate(out.fields):
                if f.text is not None:
                    out.fields[i] = text_model(ename, table, f, self.models) or f
        if opts.correlate:
            self._correlate(out)
        # A mixture's component is picked apart from the copula: only fields outside every
        # correlate block try one (its EM runs are most of a small table's fitting time).
        correlated = {name for block in out.correlate for name in block["fields"]}
        for f in out.fields:
            if f.mixture is not None and f.name not in correlated:
                better = f.mixture()
                if better is not None:
                    f.spec, f.comment = better
        if opts.relations:
            self._nulls_by_category(out, table, correlated)
        return out

    def _timeline(
        self,
        out: EntityOut,
        table: str,
        per: str,
        fk: ForeignKey,
        pk: str | None,
        done: dict[str, list[FieldOut]],
    ) -> None:
        """An event table (states walked in time order from one first state, per parent row)
        written as a `timeline:` block, which then decides the number of rows per parent
        instead of `count: {per:}` (see timelines.py for the evidence it asks)."""
        profs = self.profiles[table]
        key = profs.get(pk) if pk is not None else None
        found = find_timeline(
            fk,
            self.ident[fk.parent],
            self._parent_index(table, per, fk),
            profs,
            self.profiles[fk.parent],
            lambda p: self._comparable(table, p),
            set(done),
            tie=key.scores if key is not None and key.scores is not None else None,
        )
        if found is None:
            return
        out.timeline = found
        self.timelines[table] = found
        for f in found.fields:
            done[f.name] = [f]

    def _timeline_starts(self, built: dict[str, EntityOut]) -> None:
        """A timeline whose first events come after the parent time starts at a hidden field
        of the parent (timelines.py), named now that the parent's fields are known and
        written after the parent time it follows."""
        for table, tl in self.timelines.items():
            parent = built[self._table_of[tl.spec["for"]]]
            hidden = tl.name_start(parent.fields, self.ident[table])
            if hidden is None:
                continue
            at = next(
                (i + 1 for i, f in enumerate(parent.fields) if f.name == tl.reads),
                len(parent.fields),
            )
            parent.fields.insert(at, hidden)

    def _coded(
        self,
        table: str,
        done: dict[str, list[FieldOut]],
        mine: dict[str, ForeignKey],
        pk: str | None,
    ) -> dict[str, Coded]:
        """The table's columns of a few values (up to --max-categories: text, whole numbers,
        numbers, flags) that no relation claims yet, as codes, in column order."""
        out: dict[str, Coded] = {}
        data = self.src.tables[table].table
        for p in self.profiles[table].values():
            if (
                p.name in done
                or p.name in mine
                or p.name == pk
                or p.kind not in ("string", "int", "float", "decimal", "bool")
                or not 2 <= p.distinct <= self.opts.max_categories
            ):
                continue
            coded = pc.dictionary_encode(data.column(p.source).combine_chunks())
            labels = coded.dictionary.to_pylist()
            if any(isinstance(v, float) and not math.isfinite(v) for v in labels):
                continue  # no SQL literal for ±inf: `inf` would name a column
            codes = coded.indices.fill_null(len(labels)).to_numpy(zero_copy_only=False)
            if coded.null_count:
                labels.append(None)
            out[p.name] = Coded(codes.astype(np.int64), labels)
        return out

    def _value_map_field(self, table: str, vm: ValueMap) -> FieldOut:
        p = self.profiles[table][vm.target]
        source = self.profiles[table][vm.source]
        whens = " ".join(
            f"WHEN {_literal(a, source.kind)} THEN {_literal(b, p.kind)}" for a, b in vm.pairs
        )
        spec: dict[str, Any] = {"expr": f"CASE {_quote(vm.source)} {whens} END", **_typed(p)}
        return FieldOut(
            vm.target,
            spec,
            f"one value per {vm.source} on all {vm.rows:,} rows "
            f"({len(vm.pairs)} {vm.source} values)",
        )

    def _conditional_fields(
        self, table: str, cc: ConditionalChoice, done: dict[str, list[FieldOut]]
    ) -> list[FieldOut]:
        """A hidden uniform draw and a CASE over the source column that turns it into the
        target's value by the target's shares among that source value's rows."""
        p = self.profiles[table][cc.target]
        source = self.profiles[table][cc.source]
        # clear of the columns, the hidden fields made so far and those a child copies here
        used = set(self.profiles[table]) | {f.name for fields in done.values() for f in fields}
        used |= {f.name for f in self.parent_fields.get(table, [])}
        draw = f"_{cc.target}_draw"[:63]
        while draw in used:
            draw = ("_" + draw)[:63]
        branches = []
        for value, shares in cc.shares:
            if len(shares) == 1:
                then = _literal(shares[0][0], p.kind)
            else:
                steps, total = [], 0.0
                for label, share in shares[:-1]:
                    total += share
                    steps.append(
                        f"WHEN {_quote(draw)} < {total:.4g} THEN {_literal(label, p.kind)}"
                    )
                last = _literal(shares[-1][0], p.kind)
                then = f"CASE {' '.join(steps)} ELSE {last} END"
            branches.append(f"WHEN {_literal(value, source.kind)} THEN {then}")
        spec: dict[str, Any] = {"expr": f"CASE {_quote(cc.source)} {' '.join(branches)} END"}
        spec.update(_typed(p))
        return [
            FieldOut(
                draw,
                {"distribution": "uniform", "min": 0, "max": 1, "hidden": True},
                f"draws {cc.target} within each {cc.source}",
            ),
            FieldOut(
                cc.target,
                spec,
                f"shares within each {cc.source} (Cramér's V {cc.association:.2f}, "
                f"{len(cc.shares)} {cc.source} values, {cc.rows:,} rows)",
            ),
        ]

    def _comparisons(
        self, table: str, done: dict[str, list[FieldOut]], mine: dict[str, ForeignKey]
    ) -> None:
        profs = self.profiles[table]
        flags = {}
        labels: dict[str, tuple[str, str]] = {}  # two-valued text: (false label, true label)
        for p in profs.values():
            if p.name in done:
                continue
            column = self.src.tables[table].table.column(p.source)
            if p.kind == "bool":
                flags[p.name] = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
            elif p.kind == "string" and p.distinct == 2:
                # `kind: credit / debit` by the amount's sign: a flag with two names
                low, high = sorted(str(v) for v, _ in p.top)
                text = column.to_numpy(zero_copy_only=False)
                flag = np.where(text == high, 1.0, 0.0)
                flag[column.is_null().to_numpy(zero_copy_only=False)] = np.nan
                flags[p.name] = flag
                labels[p.name] = (low, high)
        if not flags:
            return
        inputs = {
            p.name: (p.scores, p.kind)
            for p in profs.values()
            if p.scores is not None
            and p.kind in ("int", "float", "decimal", "date", "datetime")
            and p.name not in mine  # a reference's ids compare as nothing meaningful
        }
        # A flag may not read a column computed from it (through any chain of fields).
        reads = {f.name: _spec_words(f.spec) for fields in done.values() for f in fields}

        def reaches(start: str, goal: str) -> bool:
            seen, todo = set(), [start]
            while todo:
                name = todo.pop()
                if name == goal:
                    return True
                if name not in seen:
                    seen.add(name)
                    todo.extend(sorted(reads.get(name, ())))
            return False

        skip = {flag: {n for n in inputs if reaches(n, flag)} for flag in flags}
        for c in boolean_comparisons(flags, inputs, skip=skip):
            p = profs[c.target]
            if c.target in labels:
                done[c.target] = [labelled_comparison_field(p, c, labels[c.target], _quote)]
            else:
                done[c.target] = [comparison_field(p, c, _quote)]

    def _nulls_by_category(self, out: EntityOut, table: str, correlated: set[str]) -> None:
        """A column that is NULL exactly for some categories of another (a ship date for orders
        still `new` or `cancelled`) is written as a CASE over that column: the values come
        from a hidden helper, NULL where the category says so."""
        profs = self.profiles[table]
        n = self.src.tables[table].table.num_rows
        if n < 20:
            return
        if not any(
            (p := profs.get(f.name)) is not None
            and 0 < p.nulls < n
            and f.name not in correlated
            and "null_rate" in f.spec
            for f in out.fields
        ):  # no column with some NULLs: no category to explain them (skip the labelling)
            return
        categories = {}
        for f in out.fields:
            p = profs.get(f.name)
            if "choice" in f.spec and p is not None and p.nulls == 0 and p.distinct <= 30:
                values = p.strings if p.kind == "string" else p.numbers
                if values is not None and len(values) == n:
                    if p.kind == "string":
                        labels, inverse = np.unique(
                            np.asarray(values, dtype=str), return_inverse=True
                        )
                    else:  # the distinct numbers first, then their text (not every row's)
                        uniq, inverse = np.unique(np.asarray(values), return_inverse=True)
                        labels = np.array([str(float(v)) for v in uniq], dtype=object)
                    categories[f.name] = (labels, inverse, p.kind)
        if not categories:
            return
        used = set(profs) | {f.name for f in out.fields}  # other hidden fields too (a draw)

        def fresh(name: str) -> str:
            name = name[:63]
            while name in used:
                name = ("_" + name)[:63]
            used.add(name)
            return name

        rewritten = []
        for i, f in enumerate(out.fields):
            p = profs.get(f.name)
            if (
                p is None
                or not 0 < p.nulls < n
                or f.name in correlated
                or "null_rate" not in f.spec
                or f.name in categories
            ):
                continue
            is_null = np.isnan(p.scores) if p.scores is not None else None
            if is_null is None:
                column = self.src.tables[table].table.column(p.source)
                is_null = column.is_null().to_numpy(zero_copy_only=False)
            exact, mostly = None, None
            for cname, (labels, inverse, kind) in categories.items():
                nulls = np.bincount(inverse, weights=is_null.astype(float), minlength=len(labels))
                totals = np.bincount(inverse, minlength=len(labels))
                share = nulls / np.maximum(totals, 1)
                if np.all((share == 0) | (share == 1)) and (share == 1).any():
                    if not (share == 1).all():
                        exact = (cname, labels, share, kind)
                        break
                    continue
                g = _null_dependence(nulls, totals)
                if g is not None and (mostly is None or g > mostly[0]):
                    mostly = (g, cname, labels, share, kind)
            if exact is None and mostly is None:
                continue
            helper = fresh(f"_{f.name}_value")
            spec = {k: v for k, v in f.spec.items() if k != "null_rate"}
            spec["hidden"] = True
            keep = {k: f.spec[k] for k in ("type", "round") if k in f.spec}

            def literal(v: str, kind: str) -> str:
                return v if kind != "string" else "'" + v.replace("'", "''") + "'"

            if exact is not None:
                cname, labels, share, kind = exact
                null_labels = labels[share == 1].tolist()  # sorted, as np.unique gives them
                literals = ", ".join(literal(v, kind) for v in sorted(null_labels))
                case = f"CASE WHEN {_quote(cname)} IN ({literals}) THEN NULL ELSE {helper} END"
                fields = [
                    FieldOut(helper, spec, f.comment),
                    FieldOut(
                        f.name,
                        {"expr": case, **keep},
                        f"NULL exactly where {cname} is {' or '.join(sorted(null_labels))}"
                        f" ({int(p.nulls):,} of {n:,} rows)",
                    ),
                ]
            else:
                _, cname, labels, share, kind = mostly
                draw = fresh(f"_{f.name}_null_draw")
                rates: dict[float, list[str]] = {}
                for label, rate in zip(labels.tolist(), share.tolist(), strict=True):
                    if rate > 0:
                        rates.setdefault(float(f"{rate:.4g}"), []).append(label)
                whens = " ".join(
                    f"WHEN {_quote(cname)} IN ({', '.join(literal(v, kind) for v in group)}) "
                    f"THEN {rate:g}"
                    for rate, group in sorted(rates.items(), reverse=True)
                )
                case = f"CASE WHEN {draw} < CASE {whens} ELSE 0 END THEN NULL ELSE {helper} END"
                by = ", ".join(
                    f"{label} {rate:.0%}"
                    for label, rate in sorted(
                        zip(labels.tolist(), share.tolist(), strict=True), key=lambda t: -t[1]
                    )
                )
                fields = [
                    FieldOut(helper, spec, f.comment),
                    FieldOut(
                        draw,
                        {"distribution": "uniform", "min": 0, "max": 1, "hidden": True},
                        f"draws which rows of each {cname} are NULL in {f.name}",
                    ),
                    FieldOut(
                        f.name,
                        {"expr": case, **keep},
                        f"NULL mostly by {cname}: {by} ({int(p.nulls):,} of {n:,} rows NULL)",
                    ),
                ]
            rewritten.append((i, fields))
        for i, fields in reversed(rewritten):
            out.fields[i : i + 1] = fields

    def _aggregates(
        self,
        table: str,
        fks: list[ForeignKey],
        done: dict[str, list[FieldOut]],
        mine: dict[str, ForeignKey],
        pk: str | None,
    ) -> dict[str, list[FieldOut]]:
        """Parent columns that equal, on every parent row, a summary of its children through
        one foreign key: their number, or the count, sum, avg, min, max, first or last of a
        child column (an order's total of its lines, its status the last event's state):
        `aggregate:` fields. A parent without children must hold what PDL gives it: 0 for a
        count, NULL for the rest; a 0 there instead is written `COALESCE(_agg, 0)` over a
        hidden aggregate. A child column that reads this parent's column (a `from`, an `after`
        through the key, or a formula over those) is not summed into it: that is a cycle."""
        n_parent = self.src.tables[table].table.num_rows
        profs = self.profiles[table]
        targets = [
            p
            for p in profs.values()
            if p.name not in done
            and p.name not in mine
            and p.name != pk
            and p.distinct > 1
            and (p.scores is not None or p.kind == "string")
        ]
        found: dict[str, list[FieldOut]] = {}
        if not targets or n_parent < MIN_AGGREGATE_PARENTS:
            return found
        children = [fk for fk in fks if fk.parent == table and fk.table != table]
        values = {p.name: self._comparable(table, p) for p in targets}
        for fk in children:
            index, rows = self._by_parent(fk)
            events = self.timelines.get(fk.table)
            if events is not None and events.column == fk.column:
                rows = events.order  # generated in event order, whatever the sample's order
            counts = np.bincount(index[rows], minlength=n_parent)
            has = counts > 0
            if has.sum() < MIN_AGGREGATE_PARENTS:
                continue
            child = self.ident[fk.table]
            via = {} if sum(1 for f in children if f.table == fk.table) == 1 else {"via": fk.column}
            reads = self._reads_parent(fk)
            # One child column's summaries at a time (8 arrays of n_parent, not 8 per child
            # column), each compared with every parent column not found yet: the first that
            # holds, in child column order, wins (the row count first).
            columns = [None] + [
                c
                for c in self.profiles[fk.table].values()
                if c.name != fk.column and (c.scores is not None or c.kind == "string")
            ]
            probe = np.flatnonzero(has)[:PROBE_PARENTS]
            for c in columns:
                if all(p.name in found for p in targets):
                    break
                summaries = self._child_summaries(fk.table, c, index, rows, counts, n_parent)
                for func, expected in summaries:
                    for p in targets:
                        if p.name in found or not _comparable_kinds(p, c, func):
                            continue
                        if c is not None and (reads is None or p.name in reads.get(c.name, ())):
                            continue  # the child copies (or follows) this column: a cycle
                        target = values[p.name]
                        if not _could_hold(target[probe], expected[probe], p, func):
                            continue
                        fields = self._aggregate_fields(
                            p, target, expected, func, child, c, via, table
                        )
                        if fields is not None:
                            found[p.name] = fields
        return found

    def _by_parent(self, fk: ForeignKey) -> tuple[np.ndarray, np.ndarray]:
        """Each row's parent row through `fk` (-1 for none), and the rows with a parent
        grouped by it, in row order within each parent (what `first` and `last` read)."""
        index = self._parent_index(fk.table, fk.column, fk)
        rows = np.flatnonzero(index >= 0)
        return index, rows[np.argsort(index[rows], kind="stable")]

    def _child_summaries(
        self,
        table: str,
        c: ColumnProfile | None,
        index: np.ndarray,
        rows: np.ndarray,
        counts: np.ndarray,
        n_parent: int,
    ) -> list[tuple[str, np.ndarray]]:
        """Per parent row, the summaries PDL can write of child column `c` (None: the
        number of children)."""
        if c is None:
            return [("count", counts.astype(np.float64))]
        return _summaries(self._comparable(table, c), index, rows, c, n_parent)

    def _sibling_aggregates(
        self,
        table: str,
        fks: list[ForeignKey],
        done: dict[str, list[FieldOut]],
        mine: dict[str, ForeignKey],
        pk: str | None,
    ) -> dict[str, list[FieldOut]]:
        """Columns that equal, on every row, a summary of another table's rows under the
        same parent row (an invoice's total, the sum of its patient's appointment fees):
        a hidden aggregate on the parent, copied here with `from`, as PDL writes it (an
        aggregate reads children only). The other table must be built, refer to nothing
        that leads back here, and its summed column must read nothing of the parent."""
        profs = self.profiles[table]
        targets = [
            p
            for p in profs.values()
            if p.name not in done
            and p.name not in mine
            and p.name != pk
            and p.distinct > 1
            and p.scores is not None
        ]
        found: dict[str, list[FieldOut]] = {}
        if not targets:
            return found
        refs = nx.DiGraph()
        refs.add_edges_from((fk.table, fk.parent) for fk in fks if fk.table != fk.parent)
        for f_col, f in mine.items():
            parent = f.parent
            if parent == table or parent in self.specs:  # built already: too late to add to
                continue
            own_index = self._parent_index(table, f_col, f)
            linked = own_index >= 0
            # a copy is NULL where the key is: a row without a parent must hold NULL
            copyable = [p for p in targets if np.isnan(p.scores[~linked]).all()]
            n_parent = self.src.tables[parent].table.num_rows
            for g in fks:
                other = g.table
                if g.parent != parent or other in (table, parent) or other not in self.specs:
                    continue
                if (
                    refs.has_node(other)
                    and refs.has_node(table)
                    and nx.has_path(refs, other, table)
                ):
                    continue  # its rows would wait for this table's: a cycle
                reads = self._reads_parent(g)
                if reads is None:
                    continue
                index, rows = self._by_parent(g)
                counts = np.bincount(index[rows], minlength=n_parent)
                if (counts > 0).sum() < MIN_AGGREGATE_PARENTS:
                    continue
                child = self.ident[other]
                same = sum(1 for h in fks if h.table == other and h.parent == parent)
                via = {} if same == 1 else {"via": g.column}
                columns = [None] + [
                    c
                    for c in self.profiles[other].values()
                    if c.name != g.column and c.scores is not None and not reads.get(c.name)
                ]
                probe = np.flatnonzero(linked & (counts[np.maximum(own_index, 0)] > 0))
                probe = probe[:PROBE_PARENTS]
                for c in columns:
                    if all(p.name in found for p in copyable):
                        break
                    summaries = self._child_summaries(other, c, index, rows, counts, n_parent)
                    for func, per_parent in summaries:
                        expected = np.where(linked, per_parent[np.maximum(own_index, 0)], np.nan)
                        for p in copyable:
                            if p.name in found or not _comparable_kinds(p, c, func):
                                continue
                            target = p.scores
                            if not _could_hold(target[probe], expected[probe], p, func):
                                continue
                            fields = self._aggregate_fields(
                                p, target, expected, func, child, c, via, parent
                            )
                            if fields is not None:
                                found[p.name] = self._copied_aggregate(
                                    table, parent, f_col, p, fields
                                )
        return found

    def _copied_aggregate(
        self, table: str, parent: str, fk_column: str, p: ColumnProfile, fields: list[FieldOut]
    ) -> list[FieldOut]:
        """`fields` (an aggregate, or a hidden one under COALESCE) moved to the parent as
        hidden fields; this table's column copies the last one."""
        used = set(self.profiles[parent]) | {f.name for f in self.parent_fields.get(parent, [])}

        def fresh(name: str) -> str:
            name = name[:63]
            while name in used:
                name = ("_" + name)[:63]
            used.add(name)
            return name

        base = fresh(f"_{self.ident[table]}_{p.name}")
        moved = []
        if len(fields) == 2:  # COALESCE(hidden aggregate, 0): both move
            inner = fresh(f"{base}_{fields[0].spec['aggregate'].split('(')[0]}")
            moved.append(FieldOut(inner, fields[0].spec, fields[0].comment))
            expr = fields[1].spec["expr"].replace(_quote(fields[0].name), _quote(inner))
            moved.append(
                FieldOut(base, {**fields[1].spec, "expr": expr, "hidden": True}, "copied by "
                         f"{self.ident[table]}.{p.name}")
            )  # fmt: skip
        else:
            moved.append(
                FieldOut(base, {**fields[0].spec, "hidden": True}, f"copied by {self.ident[table]}.{p.name}")
            )  # fmt: skip
        self.parent_fields.setdefault(parent, []).extend(moved)
        summary = moved[-1].spec.get("expr") or moved[-1].spec["aggregate"]
        summary = summary.replace(_quote(moved[0].name), moved[0].spec.get("aggregate", ""))
        rows = self.src.tables[table].table.num_rows
        note = (
            f"{summary} of the {self.ident[parent]} row {fk_column} names (hidden there), "
            f"on every one of the {rows:,} rows"
        )
        return [FieldOut(p.name, {"from": f"{fk_column}.{base}"}, note)]

    def _aggregate_fields(
        self,
        p: ColumnProfile,
        target: np.ndarray,
        expected: np.ndarray,
        func: str,
        child: str,
        c: ColumnProfile | None,
        via: dict[str, str],
        table: str,
    ) -> list[FieldOut] | None:
        """The fields for `p = func(child.c)`, or None when it does not hold on every row."""
        n_parent = len(target)
        some = ~_missing(expected)  # count: every parent; the rest: parents with child values
        if _missing(target[some]).any():
            return None
        if expected.dtype == object:  # text: first or last, equal as written
            if not np.all(target[some] == expected[some]):
                return None
        else:
            # a sum or mean within the rounding of the column; the rest equal exactly
            numeric = p.kind in _NUMBERS and func in ("sum", "avg")
            places = 0 if p.kind == "int" else p.decimals
            base = 0.5 * 10.0**-places if numeric and places is not None else 0.0
            tol = base * (1 + 1e-9) + 1e-9 * np.maximum(np.abs(expected[some]), 1.0) * numeric
            if not np.all(np.abs(target[some] - expected[some]) <= tol):
                return None
        events = self.timelines.get(self._table_of[child])
        in_order = events is not None and c is not None and c.name in events.field_names
        if func in ("first", "last") and c is not None and not in_order:
            linked = self._comparable(self._table_of[child], c)
            if _distance(target[some], linked[~_missing(linked)]) > MAX_ORDER_DISTANCE:
                return None  # the children's order carries it (a timeline's last state)
        rest = target[~some]
        zero = False
        if len(rest) and not _missing(rest).all():
            # the parents without (non-NULL) child values hold 0 instead of NULL
            if func not in ("sum", "avg", "min", "max") or not np.all(rest == 0):
                return None
            zero = True
        arg = child if c is None else f"{child}.{c.name}"
        spec: dict[str, Any] = {"aggregate": f"{func}({arg})", **via}
        what = {"count": "the number of", "avg": "the mean of", "sum": "the sum of"}.get(
            func, f"the {func} of"
        )
        note = (
            f"{what} {arg} over its rows"
            if c is not None or func != "count"
            else (f"the number of its {child} rows")
        )
        if c is not None and c.nulls and func == "count":
            note = f"the number of its {child} rows where {c.name} is set"
        typed = _result_type(p) if func == "avg" or zero else {}
        if not zero:
            spec.update(typed)
            return [FieldOut(p.name, spec, f"{note}, on every one of the {n_parent:,} rows")]
        used = set(self.profiles[table]) | {f.name for f in self.parent_fields.get(table, [])}
        hidden = f"_{p.name}_{func}"
        while hidden in used:
            hidden = "_" + hidden
        spec["hidden"] = True
        return [
            FieldOut(hidden, spec, f"{note} (NULL without children)"),
            FieldOut(
                p.name,
                {"expr": f"COALESCE({_quote(hidden)}, 0)", **typed},
                f"{note}, 0 without children, on every one of the {n_parent:,} rows",
            ),
        ]

    def _comparable(self, table: str, p: ColumnProfile) -> np.ndarray:
        """Every row of a column, comparable by `==`: its float scores (NaN for NULL), or
        the text itself (None for NULL) for a string column."""
        if p.scores is not None:
            return p.scores
        key = (table, p.name)
        if key not in self._texts:
            column = self.src.tables[table].table.column(p.source)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                self._texts[key] = shared_text(column)  # a string object per value, not row
            else:
                self._texts[key] = column.to_numpy(zero_copy_only=False).astype(object)
        return self._texts[key]

    def _reads_parent(self, fk: ForeignKey) -> dict[str, set[str]] | None:
        """Child field → the parent fields it reads through `fk` (by `from`, `after`, a
        generator's `domain_from`, or a formula over such fields); None when the child
        entity is not built yet (a cycle of references)."""
        specs = self.specs.get(fk.table)
        if specs is None:
            return None
        prefix = f"{fk.column}."
        direct: dict[str, set[str]] = {}
        same_row: dict[str, set[str]] = {}
        for name, spec in specs.items():
            words = _spec_words(spec)
            direct[name] = {w[len(prefix) :] for w in words if w.startswith(prefix)}
            same_row[name] = {w for w in words if w in specs and w != name}
        events = self.timelines.get(fk.table)
        if events is not None and events.spec["for"] == self.ident[fk.parent]:
            for deps in direct.values():  # every event follows the timeline's start
                deps.add(events.reads)
        changed = True
        while changed:  # through formulas: amount reads unit_price reads product_id.price
            changed = False
            for name, deps in same_row.items():
                for dep in deps:
                    if not direct[dep] <= direct[name]:
                        direct[name] |= direct[dep]
                        changed = True
        return direct

    def _written_dates(self, out: EntityOut, table: str) -> None:
        """Dates read from text like `03/31/2024` are written back in that format, except
        where another field reads them (`after`, `before` and `from` need the date itself,
        and an `expr` would compare the text: `late: {expr: "back > due"}`)."""
        formats = self.src.tables[table].formats
        if not formats:
            return
        profs = self.profiles[table]
        read = {
            str(f.spec.get(key)).split(".")[0]
            for f in out.fields
            for key in ("after", "before", "from")
            if key in f.spec
        }
        read |= {w for f in out.fields if "expr" in f.spec for w in _spec_words(f.spec["expr"])}
        for f in out.fields:
            p = profs.get(f.name)
            if p is not None and p.source in formats and f.name not in read:
                f.spec["format"] = formats[p.source]
                f.comment += f"; written as {formats[p.source]}"

    def _written_numbers(self, entities: list[EntityOut]) -> None:
        """Numbers read from text like `$1,234.50` or `14.5%` are written back that way
        (`format: '${:,.2f}'`), except where a field of any table names them (an `expr`,
        a copy, an aggregate read the number, not its text)."""
        formatted = {
            (e.name, f.name): self.src.tables[e.source].number_formats[p.source]
            for e in entities
            for f in e.fields
            if (p := self.profiles[e.source].get(f.name)) is not None
            and p.source in self.src.tables[e.source].number_formats
        }
        if not formatted:
            return
        named: Counter[str] = Counter()  # identifiers written in the fields' specs
        for e in entities:
            for f in e.fields:
                named.update(set(re.findall(r"[A-Za-z_]\w*", repr(f.spec))))
        for e in entities:
            for f in e.fields:
                fmt = formatted.get((e.name, f.name))
                if fmt is None or named[f.name] or "format" in f.spec:
                    continue
                if not any(k in f.spec for k in ("distribution", "type", "choice", "expr")):
                    continue
                f.spec["format"] = fmt
                f.comment += f"; written as {fmt}"

    def _cycle_breakers(self, fks: list[ForeignKey]) -> set[tuple[str, str]]:
        """(table, column) of one foreign key per cycle of NOT NULL references, written
        `nullable: true` so the schema can be generated and loaded (teams.captain_id →
        players while players.team_id → teams): a column the database declares nullable,
        else the reference from the smaller table (a captain among many players)."""
        import networkx as nx

        graph = nx.DiGraph()
        for fk in fks:
            if fk.table != fk.parent and self.profiles[fk.table][fk.column].nulls == 0:
                graph.add_edge(fk.table, fk.parent, column=fk.column)
        breakers: set[tuple[str, str]] = set()
        while True:
            try:
                cycle = nx.find_cycle(graph)
            except nx.NetworkXNoCycle:
                return breakers

            def rank(edge: tuple[str, str]) -> tuple:
                table, parent = edge
                column = graph.edges[table, parent]["column"]
                declared = column in self.src.tables[table].nullable
                return (not declared, self.src.tables[table].table.num_rows, table, column)

            table, parent = min(((a, b) for a, b, *_ in cycle), key=rank)
            breakers.add((table, graph.edges[table, parent]["column"]))
            graph.remove_edge(table, parent)

    def _line_numbers(
        self,
        out: EntityOut,
        table: str,
        per: str,
        fk: ForeignKey,
        done: dict[str, list[FieldOut]],
    ) -> None:
        """An integer column that numbers each parent's rows 1, 2, 3 … (or 0, 1, 2 …): an
        order's line numbers. Written as ROW_NUMBER over the parent, so (parent, line) pairs
        stay distinct; with no key of its own, that pair is the table's primary key."""
        parent = self._parent_index(table, per, fk)
        if len(parent) == 0 or (parent < 0).any():
            return
        order = np.argsort(parent, kind="stable")
        grouped = parent[order]
        starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        position = np.arange(len(grouped)) - np.repeat(starts, np.diff(np.r_[starts, len(grouped)]))
        for p in self.profiles[table].values():
            if p.name in done or p.kind != "int" or p.nulls or p.numbers is None:
                continue
            values = np.asarray(p.numbers)[order]
            first = int(values.min())
            if first not in (0, 1) or p.distinct < 2:
                continue
            # within each parent the values are first, first + 1, …: sort each group's values
            key = np.lexsort((values, grouped))
            if not np.array_equal(values[key] - first, position):
                continue
            expr = f"ROW_NUMBER() OVER (PARTITION BY {per})" + (" - 1" if first == 0 else "")
            note = f"numbers the rows of each {per} from {first}"
            done[p.name] = [FieldOut(p.name, {"expr": expr}, note)]
            if out.primary_key is None:
                out.primary_key = [per, p.name]
            out.unique.append([per, p.name])
            out.unique_comment = f"({per}, {p.name}): a line number within each {per}"
            return

    def _multi_column_keys(self, out: EntityOut, table: str, mine: dict[str, ForeignKey]) -> None:
        """Declared composite keys and unique constraints; else pairs of foreign keys that
        never repeat together where chance alone would repeat them (an order's items name
        each product once)."""
        by_source = {p.source: p.name for p in self.profiles[table].values()}
        data = self.src.tables[table]
        if len(data.primary_key) >= 2 and all(c in by_source for c in data.primary_key):
            out.primary_key = [by_source[c] for c in data.primary_key]
            out.unique.append(list(out.primary_key))
            out.unique_comment = "declared by the database"
        for cols in data.uniques:
            if all(c in by_source for c in cols) and [by_source[c] for c in cols] not in out.unique:
                out.unique.append([by_source[c] for c in cols])
                out.unique_comment = "declared by the database"
        if out.unique or not self.opts.relations:
            return
        refs = [
            (col, fk)
            for col, fk in mine.items()
            if fk.parent != table and self.profiles[table][col].nulls == 0
        ]
        n = data.table.num_rows
        notes = []
        index = (
            {col: self._parent_index(table, col, fk) for col, fk in refs} if len(refs) > 1 else {}
        )
        for i, (a, _) in enumerate(refs):
            for b, fb in refs[i + 1 :]:
                ia, ib = index[a], index[b]
                width = self.src.tables[fb.parent].table.num_rows
                pairs = ia.astype(np.int64) * width + ib
                if len(np.unique(pairs)) != n:
                    continue
                # Row pairs sharing a, sharing b, and both if a and b were independent.
                same_a = float(np.sum(_pairs_within(np.bincount(ia))))
                same_b = float(np.sum(_pairs_within(np.bincount(ib))))
                expected = same_a * same_b / max(n * (n - 1) / 2, 1)
                if expected >= 3:  # no repeat where about `expected` were due: a constraint
                    out.unique.append([a, b])
                    notes.append(
                        f"({a}, {b}) never repeats in {n:,} rows; chance: ~{expected:,.0f}"
                    )
        if not out.unique and out.primary_key is None:
            self._composite_key(out, table, mine, notes)
        out.unique_comment = "; ".join(notes)

    def _composite_key(
        self, out: EntityOut, table: str, mine: dict[str, ForeignKey], notes: list[str]
    ) -> None:
        """A table with no key of its own whose two columns never repeat together where chance
        would repeat them (order_no, line_no): its composite primary key."""
        n = self.src.tables[table].table.num_rows
        candidates = [
            p
            for p in self.profiles[table].values()
            if p.kind in ("int", "string")
            and p.nulls == 0
            and 1 < p.distinct < n
            and p.name not in mine  # pairs with a reference: see the foreign-key pairs above
        ][:MAX_KEY_CANDIDATES]
        codes = {}
        for p in candidates:
            if p.kind == "int" and p.histogram is not None:
                # the index of each value among the sorted distinct ones, as np.unique's
                # inverse gives it, without sorting the column again
                codes[p.name] = np.searchsorted(p.histogram[0], p.numbers).astype(np.int64)
            else:
                values = p.numbers if p.kind == "int" else np.asarray(p.strings, dtype=object)
                codes[p.name] = np.unique(values, return_inverse=True)[1].astype(np.int64)
        best: tuple[float, str, str] | None = None
        for i, a in enumerate(candidates):
            for b in candidates[i + 1 :]:
                ca, cb = codes[a.name], codes[b.name]
                if a.distinct * b.distinct < n / KEY_DENSITY:
                    continue  # too crowded to generate distinct pairs by drawing them
                width = int(cb.max()) + 1
                pair = ca * width + cb
                if (int(ca.max()) + 1) * width <= 8 * n + 4096:  # few combinations: counted
                    repeats = bool(np.bincount(pair).max() > 1)
                else:
                    repeats = len(np.unique(pair)) != n
                if repeats:
                    continue
                same_a = float(np.sum(_pairs_within(np.bincount(ca))))
                same_b = float(np.sum(_pairs_within(np.bincount(cb))))
                expected = same_a * same_b / max(n * (n - 1) / 2, 1)
                if expected >= 3 and (best is None or expected > best[0]):
                    best = (expected, a.name, b.name)
        if best is not None:
            expected, a, b = best
            out.primary_key = [a, b]
            out.unique.append([a, b])
            notes.append(f"({a}, {b}) never repeats in {n:,} rows; chance: ~{expected:,.0f}")

    def _copied(
        self, p: ColumnProfile, fk: ForeignKey, index: np.ndarray
    ) -> tuple[str, int] | None:
        """The parent field this column equals on every row (through the foreign key)."""
        ok = index >= 0
        if ok.sum() < 20 or p.distinct < 2:
            return None
        values = self._comparable(fk.table, p)
        if not _missing(values[~ok]).all():
            return None  # a copy is NULL where the foreign key is
        child = values[ok]
        for q in self.profiles[fk.parent].values():
            if q.kind != p.kind or q.name == fk.key or q.distinct < 2:
                continue
            parent = self._comparable(fk.parent, q)[index[ok]]
            gone = _missing(child)
            if np.array_equal(gone, _missing(parent)) and np.all(child[~gone] == parent[~gone]):
                return q.name, int(ok.sum())
        return None

    def _scaled(
        self, p: ColumnProfile, fk: ForeignKey, index: np.ndarray
    ) -> tuple[str, str, str, int, float] | None:
        """(parent field, op, constant, rows, largest error) for `p = parent.q * k` or
        `p = parent.q + k` within p's rounding on every row whose key is set (NULL where the
        key or q is NULL), k the shortest decimal that fits (not 1 or 0: those are copies)."""
        ok = index >= 0
        if ok.sum() < 20 or p.distinct < 3 or not np.isnan(p.scores[~ok]).all():
            return None
        places = 0 if p.kind == "int" else p.decimals
        if places is None:
            return None
        tol = 0.5 * 10.0**-places
        a = p.scores[ok]
        for q in self.profiles[fk.parent].values():
            if not q.numeric or q.name == fk.key or q.distinct < 3:
                continue
            b = q.scores[index[ok]]
            if not np.array_equal(np.isnan(a), np.isnan(b)):
                continue
            set_ = ~np.isnan(a)
            x, y = a[set_], b[set_]
            k = _common_factor(x, y, tol, 20)
            if k is not None and k not in (0.0, 1.0):
                return q.name, "*", repr(k), int(ok.sum()), float(np.max(np.abs(x - y * k)))
            diff = x - y
            lo, hi = float(diff.max() - tol * 1.001), float(diff.min() + tol * 1.001)
            if len(x) >= 20 and lo <= hi:
                middle = (lo + hi) / 2
                for digits in range(1, 7):
                    k = float(f"{middle:.{digits}g}")
                    if lo <= k <= hi and k != 0.0:
                        error = float(np.max(np.abs(x - y - k)))
                        return q.name, "+", repr(k), int(ok.sum()), error
        return None

    def _scaled_fields(
        self, table: str, p: ColumnProfile, col: str, scaled: tuple[str, str, str, int, float]
    ) -> list[FieldOut]:
        """A hidden copy of the parent's field and `p` as the formula over it."""
        parent_field, op, k, rows, error = scaled
        used = set(self.profiles[table]) | {f.name for f in self.parent_fields.get(table, [])}
        hidden = f"_{p.name}_{parent_field}"
        while hidden in used:
            hidden = "_" + hidden
        path = f"{col}.{parent_field}"
        rel = Relation(p.name, op, hidden, k, rows, error)
        out = relation_field(p, rel, _quote)
        out.comment = f"{p.name} = {path} {op} {k} on all {rows:,} rows (largest error {error:.2g})"
        return [FieldOut(hidden, {"from": path, "hidden": True}, f"a copy of {path}"), out]

    def _parent_index(self, table: str, col: str, fk: ForeignKey) -> np.ndarray:
        """Row of the parent each child row points at (-1 where NULL); once per column."""
        key = (table, col, fk.parent, fk.key)
        if key not in self._parent_rows:
            self._parent_rows[key] = self._find_parent_rows(table, col, fk)
        return self._parent_rows[key]

    def _find_parent_rows(self, table: str, col: str, fk: ForeignKey) -> np.ndarray:
        child = self.profiles[table][col]
        parent = self.profiles[fk.parent][fk.key]
        if parent.kind == "int":
            keys = parent.numbers.astype(np.int64)
            order = np.argsort(keys)
            values = np.nan_to_num(child.scores, nan=-(2**62)).astype(np.int64)
            pos = np.clip(np.searchsorted(keys[order], values), 0, len(keys) - 1)
            found = keys[order][pos] == values
            return np.where(found & ~np.isnan(child.scores), order[pos], -1)
        keys = pa.array(parent.strings or [], type=pa.string())
        column = self.src.tables[table].table.column(child.source).cast(pa.string())
        found = pc.index_in(column, value_set=keys)  # NULL where absent or NULL
        return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)

    def _ordered_categories(
        self, out: EntityOut, numbers: list[FieldOut]
    ) -> dict[str, tuple[list[str], str]]:
        """Text `choice` fields whose categories differ in a number column of the block
        (salary by department), each with its categories ordered along that number and a
        note; their `scores` are then each row's place in that order (NaN for NULL), so
        the rank correlations and the copula see them as ordered categories."""
        found: dict[str, tuple[list[str], str]] = {}
        profiles = self.profiles.get(out.source, {})
        table = self.src.tables[out.source].table
        ranked = RankedColumns([g.scores for g in numbers])  # each one sorted once
        for f in out.fields:
            p = profiles.get(f.name)
            choice = f.spec.get("choice")
            if (
                f.scores is not None
                or p is None
                or p.kind != "string"
                or not isinstance(choice, dict)
                or f.spec.get("type", "string") != "string"
                or any(k in f.spec for k in ("expr", "hidden", "format"))
                or not 2 <= len(choice) <= self.opts.max_categories
            ):
                continue
            coded = pc.dictionary_encode(table.column(p.source).combine_chunks())
            labels = coded.dictionary.to_pylist()
            if set(labels) != set(choice):  # a remainder bucket or a rewritten value
                continue
            position = np.array([list(choice).index(v) for v in labels], dtype=np.int64)
            indices = coded.indices.fill_null(0).to_numpy(zero_copy_only=False)
            valid = ~coded.is_null().to_numpy(zero_copy_only=False)
            codes = np.where(valid, position[indices], -1)
            best = category_order(codes, len(choice), ranked)
            if best is None:
                continue
            order, j, eta2 = best
            keys = list(choice)
            place = np.empty(len(order), dtype=np.float64)
            place[order] = np.arange(len(order), dtype=np.float64)
            f.scores = np.where(codes >= 0, place[np.maximum(codes, 0)], np.nan)
            found[f.name] = (
                [keys[i] for i in order],
                f"listed by {numbers[j].name} (rank eta² {eta2:.2f}), so the copula keeps it",
            )
        return found

    def _correlate(self, out: EntityOut) -> None:
        members = [
            f
            for f in out.fields
            if f.scores is not None
            and ("distribution" in f.spec or "choice" in f.spec or "type" in f.spec)
            and not any(k in f.spec for k in ("expr", "const", "sequence", "ref", "generator"))
        ]
        profiles = self.profiles.get(out.source, {})
        ordered = self._ordered_categories(out, members) if members else {}
        members += [f for f in out.fields if f.name in ordered]
        if len(members) < 2:
            return
        histograms = []
        for f in members:  # the profile's counts, where the scores are its numbers
            p = profiles.get(f.name)
            same = p is not None and p.scores is f.scores and p.histogram is not None
            histograms.append(p.histogram if same else None)
        m = spearman_matrix([f.scores for f in members], histograms)
        # Fields that correlate with nothing stay out: smaller blocks, same data.
        # A field joins only if some |rho| beats what chance gives the largest of the
        # k(k-1)/2 pairs of independent columns (about sqrt(2 ln pairs / n)): a wide table
        # of unrelated columns gets no block of noise.
        rows = min(int(np.sum(~np.isnan(f.scores))) for f in members)
        pairs = len(members) * (len(members) - 1) / 2
        chance = math.sqrt(2 * math.log(pairs + 1) / max(rows, 1))
        threshold = max(self.opts.min_correlation, chance)
        strong = np.abs(m - np.eye(len(m))).max(axis=1) >= threshold
        members = [f for f, keep in zip(members, strong, strict=True) if keep]
        m = m[np.ix_(strong, strong)]
        if len(members) < 2:
            return
        for f in members:  # listed in the order the copula walks them
            if f.name in ordered:
                order, note = ordered[f.name]
                f.spec["choice"] = {label: f.spec["choice"][label] for label in order}
                f.comment += f"; {note}"
        off = np.abs(m[~np.eye(len(m), dtype=bool)])
        names = [f.name for f in members]
        rounded = np.round(m, 3)
        np.fill_diagonal(rounded, 1.0)
        if len(names) == 2:
            block = {"fields": names, "spearman": float(rounded[0, 1])}
        else:
            block = {
                "fields": names,
                "spearman": [[float(v) for v in row] for row in rounded],
                "repair": "nearest",
            }
        out.correlate.append(block)
        out.correlate_comment = (
            "Spearman rank correlations of the sample (pairwise-complete rows); "
            f"largest |rho| {off.max():.3f}"
        )


MAX_KEY_CANDIDATES = 12  # columns tried two by two for a composite key
KEY_DENSITY = 0.8  # most of a composite key's combinations the rows may use
MIN_AGGREGATE_PARENTS = 20  # parent rows needed before equality with a sum is evidence


# A column's NULLs follow a category "mostly" when the categories' NULL shares differ by at
# least this much (cancelled_at: NULL for 100 % of shipped orders, 4 % of cancelled ones) and
# a G-test rejects one share for all at this level.
MOSTLY_SPREAD = 0.5
MOSTLY_ALPHA = 1e-3


def _literal(value: Any, kind: str) -> str:
    """A column's value as an SQL literal of its kind."""
    if value is None:
        return "NULL"
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    if kind in ("int", "float", "decimal"):
        return repr(value) if isinstance(value, float) else format(value, "")
    return "'" + str(value).replace("'", "''") + "'"


def _typed(p: ColumnProfile) -> dict[str, Any]:
    """The `type` an expression's result takes to be written as the column was."""
    if p.kind in ("int", "float", "bool"):
        return {"type": p.kind}
    if p.kind == "decimal" and p.precision is not None:
        return {"type": f"decimal({p.precision[0]},{p.precision[1]})"}
    return {}


def _missing(x: np.ndarray) -> np.ndarray:
    """NULL entries of a column from `_comparable`: NaN, or None in text."""
    return np.equal(x, None) if x.dtype == object else np.isnan(x)


_NUMBERS = ("int", "float", "decimal")


PROBE_PARENTS = 64  # parents with children a summary is compared on before all of them


def _could_hold(target: np.ndarray, expected: np.ndarray, p: ColumnProfile, func: str) -> bool:
    """A quick look at a few parents: False when `target = func(...)` fails on one of them
    (within half a unit of the last place for a sum or mean, as the full check)."""
    if expected.dtype == object or target.dtype == object:
        return bool(np.all((target == expected) | np.equal(expected, None)))
    known = ~np.isnan(expected)
    slack = 0.0
    if p.kind in _NUMBERS and func in ("sum", "avg"):
        places = 0 if p.kind == "int" else p.decimals
        slack = 0.5 * 10.0**-places * (1 + 1e-9) if places is not None else 0.0
        slack = slack + 1e-9 * np.maximum(np.abs(expected[known]), 1.0)
    return bool(np.all(np.abs(target[known] - expected[known]) <= slack))


def _summaries(
    values: np.ndarray, index: np.ndarray, rows: np.ndarray, c: ColumnProfile, n: int
) -> list[tuple[str, np.ndarray]]:
    """Per parent row (n of them), the aggregates PDL can write over the child column
    `values` (NULLs skipped, as PDL does): NaN or None for a parent without a child value,
    0 for a count. `rows`: the child rows with a parent, grouped by parent (`index[rows]`
    ascending), in child row order within each parent (what `first` and `last` read)."""
    v = values[rows]
    par = index[rows]
    keep = ~_missing(v)
    v, par = v[keep], par[keep]
    set_count = np.bincount(par, minlength=n)
    out: list[tuple[str, np.ndarray]] = []
    if c.nulls:
        out.append(("count", set_count.astype(np.float64)))
    if not len(v):
        return out
    starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
    ends = np.r_[starts[1:], len(par)]
    who = par[starts]
    text = v.dtype == object

    def spread(per_parent: np.ndarray) -> np.ndarray:
        full = np.full(n, None, dtype=object) if text else np.full(n, np.nan)
        full[who] = per_parent
        return full

    if c.kind in _NUMBERS:
        total = np.bincount(par, weights=v, minlength=n)
        none = set_count == 0
        total[none] = np.nan
        out.append(("sum", total))
        with np.errstate(all="ignore"):
            out.append(("avg", total / set_count))
    if not text:
        out.append(("min", spread(np.minimum.reduceat(v, starts))))
        out.append(("max", spread(np.maximum.reduceat(v, starts))))
    out.append(("first", spread(v[starts])))
    out.append(("last", spread(v[ends - 1])))
    return out


def _comparable_kinds(p: ColumnProfile, c: ColumnProfile | None, func: str) -> bool:
    """Whether `p` can hold `func(c)` (the types PDL gives the result)."""
    if func == "count":
        return p.kind in _NUMBERS
    assert c is not None
    if func in ("sum", "avg"):
        return p.kind in _NUMBERS and c.kind in _NUMBERS
    return p.kind == c.kind or (p.kind in _NUMBERS and c.kind in _NUMBERS)


def _result_type(p: ColumnProfile) -> dict[str, Any]:
    """The `type` or `round` that writes a number as the column was written."""
    if p.kind == "int":
        return {"type": "int"}
    if p.kind == "decimal" and p.precision is not None:
        return {"type": f"decimal({p.precision[0]},{p.precision[1]})"}
    if p.kind in ("float", "decimal") and p.decimals is not None and p.decimals <= 6:
        return {"round": p.decimals}
    return {}


def _spec_words(spec: Any) -> set[str]:
    """Every name or `fk.field` path in a field's spec (its strings, split into words)."""
    words: set[str] = set()
    if isinstance(spec, str):
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?", spec))
    elif isinstance(spec, dict):
        for value in spec.values():
            words |= _spec_words(value)
    elif isinstance(spec, list):
        for value in spec:
            words |= _spec_words(value)
    return words


# `first` and `last` of children drawn independently of their order take the children's
# spread of values: only claimed when the parent column has that spread (KS or TVD below
# this). An order's status, the last state of its events, is mostly `delivered` where the
# events are mostly not: generated events that are not a timeline would give it theirs.
# The fields of a learnt timeline (timelines.py) are generated in event order: not checked.
MAX_ORDER_DISTANCE = 0.1


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """KS distance of two samples of numbers, TVD of two samples of text."""
    if not len(a) or not len(b):
        return 1.0
    if a.dtype == object:
        values, inverse = np.unique(np.r_[a, b].astype(str), return_inverse=True)
        pa_ = np.bincount(inverse[: len(a)], minlength=len(values)) / len(a)
        pb = np.bincount(inverse[len(a) :], minlength=len(values)) / len(b)
        return float(np.abs(pa_ - pb).sum() / 2)
    a, b = np.sort(a), np.sort(b)
    grid = np.r_[a, b]
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(fa - fb).max())


def _children_first(tables: list[str], fks: list[ForeignKey]) -> list[str]:
    """Tables with the ones that refer to others before those (sample order otherwise, and
    where references form a cycle)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(tables)
    for fk in fks:
        if fk.parent != fk.table:
            graph.add_edge(fk.table, fk.parent)
    position = {t: i for i, t in enumerate(tables)}
    try:
        return list(nx.lexicographical_topological_sort(graph, key=lambda t: position[t]))
    except nx.NetworkXUnfeasible:
        return tables


def _null_dependence(nulls: np.ndarray, totals: np.ndarray) -> float | None:
    """The G statistic of NULLs against a category, or None when the NULL shares do not
    differ enough (MOSTLY_SPREAD) or not significantly (MOSTLY_ALPHA)."""
    from scipy import special

    seen = totals > 0
    nulls, totals = nulls[seen], totals[seen].astype(float)
    if len(totals) < 2:
        return None
    share = nulls / totals
    if share.max() - share.min() < MOSTLY_SPREAD:
        return None
    rate = nulls.sum() / totals.sum()
    kept = totals - nulls
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2 * float(
            np.sum(np.where(nulls > 0, nulls * np.log(nulls / (totals * rate)), 0.0))
            + np.sum(np.where(kept > 0, kept * np.log(kept / (totals * (1 - rate))), 0.0))
        )
    if not special.chdtrc(len(totals) - 1, g) < MOSTLY_ALPHA:
        return None
    return g


def _quote(name: str) -> str:
    """A column name as it can appear in `expr` (quoted when SQL would read it otherwise)."""
    import sqlglot
    from sqlglot import exp

    try:
        node = sqlglot.parse_one(name)
        if isinstance(node, exp.Column) and node.name == name and not node.table:
            return name
    except sqlglot.errors.ParseError:
        pass
    return '"' + name.replace('"', '""') + '"'


def _pairs_within(counts: np.ndarray) -> np.ndarray:
    """Unordered pairs of rows among `counts` rows with the same value."""
    counts = counts.astype(np.float64)
    return counts * (counts - 1) / 2


def _ordered(
    entities: list[EntityOut], fks: list[ForeignKey], ident: dict[str, str]
) -> list[EntityOut]:
    """Parents before children where the references allow it; otherwise sample order."""
    import networkx as nx

    position = {e.name: i for i, e in enumerate(entities)}
    graph = nx.DiGraph()
    graph.add_nodes_from(position)
    for fk in fks:
        if fk.parent != fk.table:
            graph.add_edge(ident[fk.parent], ident[fk.table])
    try:
        order = list(nx.lexicographical_topological_sort(graph, key=lambda n: position[n]))
    except nx.NetworkXUnfeasible:
        return entities
    by_name = {e.name: e for e in entities}
    return [by_name[n] for n in order]
