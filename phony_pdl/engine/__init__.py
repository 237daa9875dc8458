"""Block-wise generation: plan once, then make any block of any entity independently."""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from .. import interrupts
from .._version import __version__
from ..errors import GenerationError, UsageError, did_you_mean, one_of
from ..forking import fork_pool
from ..model import PerCount, column_name, table_name
from ..schema import Schema
from ..validate import MAX_ROWS
from .columns import Columns
from .plan import DEFAULT_BLOCK_ROWS, Plan

if TYPE_CHECKING:
    from ..writers.base import AtomicFile

__all__ = ["DEFAULT_BLOCK_ROWS", "Dataset", "Plan", "generate"]

# Generators whose declared domain (distinct values) is at most this get dictionary-encoded
# Parquet columns: smaller files, and cheaper to write than plain strings.
DICTIONARY_DOMAIN = 10_000

# Set in the parent before forking workers; each worker reads its own copy.
_WORKER_PLAN: Plan | None = None
_WORKER_CODES = False  # blocks for Parquet: small-list fields as codes


def _make_block(task: tuple[str, int, int]) -> pa.RecordBatch:
    entity, start, stop = task
    assert _WORKER_PLAN is not None
    rows = np.arange(start, stop, dtype=np.int64)
    return Columns(_WORKER_PLAN).table(entity, rows, codes=_WORKER_CODES)


@dataclass
class EntityReport:
    rows: int = 0
    seconds: float = 0.0
    file: str | None = None
    sha256: str | None = None


@dataclass
class RunReport:
    entities: dict[str, EntityReport] = field(default_factory=dict)
    directory: Path | None = None
    manifest: Path | None = None

    @property
    def rows(self) -> int:
        return sum(e.rows for e in self.entities.values())


def _check_sql_options(sql: dict[str, Any]) -> None:
    from ..sql.dialects import get_dialect

    unknown = sorted(set(sql) - {"dialect", "copy", "checks", "create"})
    if unknown:
        raise UsageError(f"sql= takes dialect, copy, checks and create, not {', '.join(unknown)}")

    target = get_dialect(sql.get("dialect", "postgres"))
    if sql.get("copy") and not target.supports_copy:
        raise UsageError(f"--copy needs PostgreSQL; {target.name} has no COPY FROM STDIN")


class Dataset(Mapping[str, pa.Table]):
    """Generated entities, made on demand: `dataset["orders"]` is a pyarrow.Table."""

    def __init__(self, plan: Plan, entities: list[str]) -> None:
        self.plan = plan
        self.entities = entities
        self._tables: dict[str, pa.Table] = {}
        self._prepared = False

    def __getitem__(self, name: str) -> pa.Table:
        if name not in self.entities:
            raise KeyError(name)
        if name not in self._tables:
            batches = list(self.iter_batches(name))
            # The schema of an empty table is that of a zero-row batch, which costs nearly
            # what a small table's rows do (a fifth of a 178-row entity's generate); rows
            # come with it.
            schema = batches[0].schema if batches else self.arrow_schema(name)
            self._tables[name] = pa.Table.from_batches(batches, schema=schema)
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.entities)

    def __len__(self) -> int:
        return len(self.entities)

    def __repr__(self) -> str:
        counts = ", ".join(f"{e}={self.plan.count(e):,}" for e in self.entities)
        return f"Dataset({self.plan.schema.name!r}, seed={self.plan.seed}, {counts})"

    def count(self, name: str) -> int:
        return self.plan.count(name)

    def arrow_schema(self, name: str, *, codes: bool = False) -> pa.Schema:
        return Columns(self.plan).table(name, np.zeros(0, dtype=np.int64), codes=codes).schema

    def blocks(self, name: str) -> list[tuple[str, int, int]]:
        n = self.plan.count(name)
        step = self.plan.block_rows
        return [(name, start, min(start + step, n)) for start in range(0, n, step)]

    def iter_batches(
        self, name: str, *, workers: int = 1, codes: bool = False
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of an entity in row order (the same bytes for any worker count).
        `codes`: fields drawn from a small list may come as dictionary arrays (the same
        values; the Parquet writer stores such codes without hashing the strings)."""
        self.prepare()
        tasks = self.blocks(name)
        if workers <= 1 or len(tasks) <= 1:
            columns = Columns(self.plan)
            for entity, start, stop in tasks:
                interrupts.raise_if_requested()
                yield columns.table(entity, np.arange(start, stop, dtype=np.int64), codes=codes)
            return
        self.warm([name])
        for batch in _parallel(self.plan, tasks, workers, codes):
            interrupts.raise_if_requested()
            yield batch

    def write(
        self,
        path: str | Path,
        *,
        format: str = "csv",
        workers: int = 1,
        progress: Callable[[str, int, int], None] | None = None,
        sql: dict[str, Any] | None = None,
        compression: str | None = None,
    ) -> RunReport:
        """Write one file per entity plus manifest.json; see phony_pdl.writers.

        `format="sql"` writes one `<schema>.sql` script instead; `sql` takes
        `dialect` (default "postgres"), `copy` (PostgreSQL COPY blocks), `checks` and
        `create` (False: rows only, for tables that exist).
        `compression`: Parquet's column codec (snappy by default; zstd, gzip, lz4, brotli,
        none), or for the text formats `gzip`/`zstd` around the whole file (`users.csv.gz`).
        """
        from ..writers.compression import check_compression

        if format not in ("csv", "jsonl", "json", "parquet", "sql"):
            raise UsageError(f"format={format!r}: expected one of csv, jsonl, json, parquet, sql")
        codec = check_compression(format, compression)
        if format == "sql":
            _check_sql_options(sql or {})  # before any folder is made
        elif sql:
            raise UsageError(f"sql={sql!r} applies to format='sql', not format={format!r}")
        directory = Path(path)
        if directory.exists() and not directory.is_dir():
            raise UsageError(f"{directory} is a file, not a folder; choose another output folder")
        created = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True)
        try:
            return self._write_into(directory, format, workers, progress, sql, codec)
        except BaseException:
            if created:  # a failed run leaves no empty output folder of its own behind
                with contextlib.suppress(OSError):
                    directory.rmdir()
            raise

    def _write_into(
        self,
        directory: Path,
        format: str,
        workers: int,
        progress: Callable[[str, int, int], None] | None,
        sql: dict[str, Any] | None,
        codec: str,
    ) -> RunReport:
        from ..writers.base import remove_stale_temps

        remove_stale_temps(directory)
        self.plan.workers = max(1, workers)
        self.prepare()
        report = RunReport(directory=directory)
        if format == "sql":
            try:
                self.write_sql(
                    directory,
                    report,
                    workers=workers,
                    progress=progress,
                    compression=codec,
                    **(sql or {}),
                )
            except BaseException:
                remove_stale_temps(directory)  # as below
                raise
            self.write_manifest(directory, report, format, codec)
            return report
        from ..writers.base import file_name
        from ..writers.file_names import check_not_run_file, file_stem

        for name in self.entities:  # before any file is written
            stem = file_stem(table_name(self.plan.doc, name))
            check_not_run_file(name, file_name(format, stem, codec))
        done_files: list[AtomicFile] = []  # written and synced, renamed into place at the end
        try:
            for name in self.entities:
                done_files.append(
                    self._write_entity(name, directory, format, workers, progress, report, codec)
                )
        except BaseException:
            for f in done_files:
                f.abort()
            # and this run's temp file of an entity interrupted between opening its file
            # and the writer's own cleanup (Ctrl-C or SIGTERM at that moment)
            remove_stale_temps(directory)
            raise
        blocked = [f.path for f in done_files if f.path.is_dir()]
        if blocked:
            for f in done_files:
                f.abort()
            raise UsageError(f"{blocked[0]} is a folder; move it away or choose another folder")
        for i, f in enumerate(done_files):  # every entity succeeded: now rename them all
            try:
                f.publish()
            except BaseException:
                for rest in done_files[i:]:
                    rest.abort()
                raise
        self.write_manifest(directory, report, format, codec)
        return report

    def _write_entity(
        self,
        name: str,
        directory: Path,
        format: str,
        workers: int,
        progress: Callable[[str, int, int], None] | None,
        report: RunReport,
        codec: str | None = None,
    ) -> AtomicFile:
        """Writes one entity under a temp name; returns its file for the caller to publish."""
        from ..writers import open_writer
        from ..writers.background import BackgroundWriter
        from ..writers.file_names import file_stem

        started = time.perf_counter()
        codes = format == "parquet"  # its writer stores dictionary arrays' codes directly
        writer = open_writer(
            format,
            directory,
            # the file's base name: the entity's `table`, storable on every file system
            file_stem(table_name(self.plan.doc, name)),
            self.arrow_schema(name, codes=codes),
            self.low_cardinality(name),
            codec,
        )
        if workers <= 1:
            # one process: write on a second thread while the next blocks generate (with
            # worker processes this process only writes, and no thread may run at a fork)
            writer = BackgroundWriter(writer)
        try:
            total = self.plan.count(name)
            done = 0
            if progress:
                progress(name, 0, total)
            for batch in self.iter_batches(name, workers=workers, codes=codes):
                writer.write(batch)
                done += batch.num_rows
                if progress:
                    progress(name, done, total)
            digest = writer.close(publish=False)
        except BaseException:
            writer.abort()
            raise
        report.entities[name] = EntityReport(
            rows=writer.rows,
            seconds=time.perf_counter() - started,
            file=writer.path.name,
            sha256=digest,
        )
        return writer.inner.file if isinstance(writer, BackgroundWriter) else writer.file

    def write_sql(
        self,
        directory: Path,
        report: RunReport,
        *,
        dialect: str = "postgres",
        copy: bool = False,
        checks: bool = True,
        create: bool = True,
        workers: int = 1,
        progress: Callable[[str, int, int], None] | None = None,
        compression: str = "none",
    ) -> None:
        from ..sql.dialects import get_dialect
        from ..sql.script import sql_script
        from ..writers.base import AtomicFile
        from ..writers.compression import CompressedSink, file_suffix

        target = get_dialect(dialect)
        if copy and not target.supports_copy:
            raise UsageError(f"--copy needs PostgreSQL; {target.name} has no COPY FROM STDIN")
        started = time.perf_counter()
        from ..writers.file_names import file_stem

        name = f"{file_stem(self.plan.schema.name)}.sql{file_suffix('sql', compression)}"
        out = AtomicFile(directory / name)
        sink = CompressedSink(out, compression) if compression != "none" else None
        try:
            for _, data in sql_script(
                self,
                target,
                copy=copy,
                checks=checks,
                create=create,
                workers=workers,
                progress=progress,
            ):
                (sink or out).write(data)
            if sink is not None:
                sink.finish()
            digest = out.commit()
        except BaseException:
            if sink is not None:
                sink.abort()
            out.abort()
            raise
        for entity in self.entities:
            report.entities[entity] = EntityReport(
                rows=self.plan.count(entity), file=name, sha256=digest
            )
        report.entities[self.entities[0]].seconds = (
            time.perf_counter() - started if self.entities else 0
        )

    def write_manifest(
        self, directory: Path, report: RunReport, format: str, compression: str | None = None
    ) -> None:
        from ..writers.base import AtomicFile

        manifest = self.manifest(report, format, compression)
        target = AtomicFile(directory / "manifest.json")
        try:
            target.write((json.dumps(manifest, indent=2) + "\n").encode())
            target.commit()
        except BaseException:
            target.abort()
            raise
        report.manifest = directory / "manifest.json"

    def warm(self, names: list[str]) -> None:
        """Make the first row of each entity, so what generators load (locale packs, models,
        parsed patterns) is in memory before workers fork and each inherits it."""
        columns = Columns(self.plan)
        for name in names:
            if self.plan.count(name):
                columns.table(name, np.zeros(1, dtype=np.int64), include_hidden=True)

    def prepare(self) -> None:
        """Run the whole-table reductions once (counts, aggregates, unique retries)."""
        if not self._prepared:
            self.plan.prepare(self.needed())
            self._prepared = True

    def low_cardinality(self, name: str) -> list[str]:
        """Columns with few distinct values (dictionary encoding pays off for them), by
        their names in output."""
        out = []
        for fname, f in self.plan.doc.entities[name].fields.items():
            if f.hidden:
                continue
            if f.source in ("choice", "const") or f.timeline == "state" or self._few_values(f):
                out.append(column_name(f, fname))
        return out

    def _few_values(self, f: Any) -> bool:
        """A generator field that declares a small domain of strings."""
        from ..generators import registry

        spec = registry.get(f.generator or "") if f.source == "generator" else None
        if spec is None or spec.returns.kind != "string":
            return False
        try:
            size = spec.domain_size(
                spec.params.model_validate(f.params), f.locale or self.plan.doc.locale
            )
        except Exception:  # params were validated with the schema; be safe anyway
            return False
        return size is not None and size <= DICTIONARY_DOMAIN

    def needed(self) -> list[str]:
        """Entities the selected ones depend on (their reductions must be planned too)."""
        import networkx as nx

        g = self.plan.schema.graph
        wanted = set(self.entities)
        for node in list(g.nodes):
            if node[0] in self.entities:
                wanted |= {a[0] for a in nx.ancestors(g, node)}
        return [e for e in self.plan.order if e in wanted]

    def manifest(
        self, report: RunReport, format: str, compression: str | None = None
    ) -> dict[str, Any]:
        import numpy
        import scipy

        return {
            "phony_version": __version__,
            "schema": self.plan.schema.name,
            "schema_sha256": self.plan.schema.sha256,
            "seed": self.plan.seed,
            "scale": self.plan.scale,
            **({"counts": self.plan.count_overrides} if self.plan.count_overrides else {}),
            "format": format,
            "compression": compression or "none",
            "versions": {
                "numpy": numpy.__version__,
                "scipy": scipy.__version__,
                "pyarrow": pa.__version__,
            },
            "entities": {
                name: {"rows": e.rows, "file": e.file, "sha256": e.sha256}
                for name, e in report.entities.items()
            },
        }


def _parallel(
    plan: Plan, tasks: list[tuple[str, int, int]], workers: int, codes: bool = False
) -> Iterator[pa.RecordBatch]:
    global _WORKER_PLAN, _WORKER_CODES
    _WORKER_PLAN, _WORKER_CODES = plan, codes
    try:
        with fork_pool(workers) as pool:
            # imap keeps task order, so output bytes never depend on which worker finished first.
            yield from pool.imap(_make_block, tasks)
    finally:
        _WORKER_PLAN, _WORKER_CODES = None, False


def check_counts(schema: Schema, counts: Mapping[str, int] | None) -> dict[str, int]:
    """`counts` (counts=, --count) checked against the schema: entities it has, each with a
    fixed count (the others' rows follow from their parents, series or timelines)."""
    checked: dict[str, int] = {}
    for name, n in (counts or {}).items():
        if name not in schema.entities:
            hint = did_you_mean(name, schema.entities) or f"entities: {one_of(schema.entities)}"
            raise UsageError(f"counts= (--count) names an unknown entity '{name}'; {hint}")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n <= MAX_ROWS:
            raise UsageError(
                f"counts= (--count) {name}={n!r}: expected a whole number of rows from 0 to "
                f"{MAX_ROWS:,}"
            )
        made = _parent_of(schema.entities[name])
        if made is not None:
            root = made[1]  # the first entity up the chain with a count of its own
            while (up := _parent_of(schema.entities[root])) is not None:
                root = up[1]
            raise UsageError(
                f"counts= (--count) {name}: its rows follow from its parent ({made[0]} per "
                f"{made[1]} row); set the count of {root} instead (--count {root}=N)"
            )
        checked[name] = int(n)
    return checked


def _parent_of(spec: Any) -> tuple[str, str] | None:
    """(what makes the rows, the parent) of an entity whose rows follow from a parent's."""
    if spec.series is not None:
        return "a series", spec.series.for_
    if spec.timeline is not None:
        return "a timeline", spec.timeline.for_
    if isinstance(spec.count, PerCount):
        return "children", spec.count.per
    return None


def generate(
    schema: Schema,
    *,
    seed: int | None = None,
    scale: float = 1.0,
    only: list[str] | None = None,
    block_rows: int | None = None,
    counts: Mapping[str, int] | None = None,
) -> Dataset:
    """Plan a run. Rows are made lazily when the Dataset is read or written. `counts`: rows
    of entities with a fixed count, instead of count × scale."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise UsageError(f"seed={seed!r}: expected an integer")
    if isinstance(scale, bool) or not isinstance(scale, int | float | np.number):
        raise UsageError(f"scale={scale!r}: expected a positive number")
    if not (float(scale) > 0 and math.isfinite(float(scale))):
        raise UsageError(f"scale={scale}: expected a positive number (1 keeps every count)")
    if block_rows is not None and (
        isinstance(block_rows, bool)
        or not isinstance(block_rows, int | np.integer)
        or block_rows < 1
    ):
        raise UsageError(f"block_rows={block_rows!r}: expected an integer of at least 1")
    if isinstance(only, str):  # one entity's name, not its letters
        only = [only]
    plan = Plan(
        schema,
        seed=None if seed is None else int(seed),
        scale=float(scale),
        block_rows=None if block_rows is None else int(block_rows),
        counts=check_counts(schema, counts),
    )
    entities = plan.order
    if only:
        unknown = [e for e in only if e not in schema.entities]
        if unknown:
            hint = did_you_mean(unknown[0], schema.entities) or (
                f"entities: {one_of(schema.entities)}"
            )
            raise UsageError(f"only= (--only) names unknown entities: {', '.join(unknown)}; {hint}")
        entities = [e for e in plan.order if e in only]
    try:
        for name in entities:
            plan.count(name)
    except GenerationError:
        raise
    return Dataset(plan, entities)
