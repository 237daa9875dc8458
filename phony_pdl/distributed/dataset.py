"""write_dataset: the partitioned "dataset" layout, on one process, local processes or Dask.

    out/
      manifest.json                  written last, atomically
      customers/part-00000000.parquet
      orders/part-00000000.parquet   one part per block of plan.block_rows rows
      orders/part-00000001.parquet   …

Every part of an entity has the entity's full Arrow schema (all-NULL blocks included),
so DuckDB (`read_parquet('out/orders/*.parquet')`), `pyarrow.dataset` and Polars read a
directory with no schema options. Part names and bytes depend only on (PDL, seed, scale,
block_rows, versions): never on the worker count, the backend or the order tasks run in.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import Dataset, EntityReport, RunReport
from ..errors import UsageError
from ..forking import fork_pool
from ..model import table_name
from ..writers.base import TEMP_SUFFIX, remove_stale_temps
from ..writers.compression import check_compression, file_suffix
from ..writers.file_names import check_not_run_file, file_stem
from .manifest import MANIFEST, ManifestWriter, previous_parts
from .parts import (
    PART_PREFIX,
    PartJob,
    PartResult,
    describe,
    part_count,
    part_name,
    runtime_versions,
    schema_sha256,
    write_part,
    writer_class,
)

FORMATS = ("parquet", "csv", "jsonl", "json")


@dataclass
class PartInfo:
    block: int
    file: str
    rows: int
    sha256: str
    reused: bool = False


@dataclass
class EntityParts(EntityReport):
    """`file` is the entity's directory; `seconds` is the worker time spent on its parts."""

    parts: list[PartInfo] = field(default_factory=list)


@dataclass
class DatasetReport(RunReport):
    written: int = 0  # parts made by this run
    reused: int = 0  # parts kept by --resume (file present, SHA-256 as recorded)
    resume_note: str | None = None  # why a previous manifest could not be used
    backend: str = "local"


# Set in the parent before forking local workers; each worker reads its own copy.
_FORK_JOB: PartJob | None = None


def _fork_task(task: tuple[str, int, str | None]) -> PartResult:
    assert _FORK_JOB is not None
    return write_part(_FORK_JOB, *task)


def planning_processes(workers: int, client: Any) -> int:
    """Processes this machine may use for planning: --workers, or N of `local:N`."""
    if client is None:
        return workers
    if isinstance(client, str) and client.startswith("local"):
        from .cluster import parse_address

        return parse_address(client)[1] or os.cpu_count() or 1
    return 1


def write_dataset(
    dataset: Dataset,
    path: str | Path,
    *,
    format: str = "parquet",
    workers: int = 1,
    client: Any = None,
    resume: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    compression: str | None = None,
    _shuffle_seed: int | None = None,
    _crash_once: tuple[str, int, str] | None = None,
) -> DatasetReport:
    """Write every entity of `dataset` as a directory of parts plus `manifest.json`.

    workers: local processes (fork) making parts when no `client` is given.
    client: a dask.distributed Client, `"local[:N]"` (a LocalCluster of N single-threaded
        worker processes) or a scheduler address `"tcp://host:port"`; every part is a task.
        Workers must see `path` (same machine or a shared file system) and run the same
        phony/numpy/scipy/pyarrow versions (checked).
    resume: keep parts whose file hashes to what the previous manifest (complete or
        partial) of the same run identity recorded; make the others. Ends byte-identical
        to a clean run.
    progress: called as progress(entity, rows_done, rows_total) as parts complete.
    compression: as for `Dataset.write` (Parquet's column codec, or gzip/zstd per part file).
    _shuffle_seed, _crash_once: test hooks (submission order; one simulated worker death).
    """
    if format not in FORMATS:
        raise UsageError(f"format={format!r}: the dataset layout writes {', '.join(FORMATS)}")
    codec = check_compression(format, compression)
    if workers < 1:
        raise UsageError("workers must be at least 1")
    if isinstance(client, str):  # a malformed address fails before any folder is made
        from .cluster import parse_address

        parse_address(client)
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    # The whole-table reductions, once, here (on local processes where there are some);
    # parts rebuild nothing global.
    dataset.plan.workers = planning_processes(workers, client)
    dataset.prepare()
    dataset.plan.workers = 1  # the plan travels to the workers: they never fork their own
    plan = dataset.plan
    schemas = {name: dataset.arrow_schema(name) for name in dataset.entities}
    job = PartJob(
        plan=plan,
        root=str(root.resolve()),
        format=format,
        extension=writer_class(format).extension + file_suffix(format, codec),
        compression=codec,
        schemas=schemas,
        dictionaries={name: dataset.low_cardinality(name) for name in dataset.entities},
        versions=runtime_versions(),
        crash_once=_crash_once,
    )
    identity = describe(job)
    schema_hashes = {name: schema_sha256(s) for name, s in schemas.items()}
    known: dict[tuple[str, int], str] = {}
    report = DatasetReport(directory=root)
    if resume:
        known, report.resume_note = previous_parts(root, identity, schema_hashes)

    # Clear what a previous run may have left: temp files of dead processes, parts beyond
    # this run's count (another scale or block size) and, below, its manifest.
    tasks: list[tuple[str, int, str | None]] = []
    entries: dict[str, dict[str, Any]] = {}
    remove_stale_temps(root)  # e.g. a manifest temp of a run killed while writing it
    for name in dataset.entities:  # before any folder is made
        check_not_run_file(name, file_stem(table_name(plan.doc, name)))
    for name in dataset.entities:
        folder = file_stem(table_name(plan.doc, name))  # named as the entity's `table`
        directory = root / folder
        directory.mkdir(exist_ok=True)
        remove_stale_temps(directory)
        n_parts = part_count(plan.count(name), plan.block_rows)
        wanted = {part_name(b, job.extension) for b in range(n_parts)}
        for p in directory.glob(f"{PART_PREFIX}*"):
            if p.name not in wanted and not p.name.endswith(TEMP_SUFFIX) and p.is_file():
                p.unlink()
        tasks.extend((name, b, known.get((name, b))) for b in range(n_parts))
        entries[name] = {
            "rows": plan.count(name),
            "directory": folder,
            "arrow_schema_sha256": schema_hashes[name],
        }
        report.entities[name] = EntityParts(file=f"{folder}/")

    manifest = ManifestWriter(root, identity, entries)
    for entity, block, expected in tasks:  # parts already verified by a previous manifest
        if expected is not None:
            manifest.parts[(entity, block)] = {
                "block": block,
                "file": part_name(block, job.extension),
                "rows": len(job.rows(entity, block)),
                "sha256": expected,
            }
    manifest.dirty = True
    manifest.flush()  # first the partial manifest (what resume needs), then the stale one goes
    (root / MANIFEST).unlink(missing_ok=True)

    done: dict[str, int] = dict.fromkeys(dataset.entities, 0)
    if progress:
        for name in dataset.entities:
            progress(name, 0, plan.count(name))

    def on_result(r: PartResult) -> None:
        manifest.add(r.entity, r.block, r.file, r.rows, r.sha256)
        entry = report.entities[r.entity]
        entry.parts.append(PartInfo(r.block, r.file, r.rows, r.sha256, r.reused))
        entry.seconds += r.seconds
        if r.reused:
            report.reused += 1
        else:
            report.written += 1
        done[r.entity] += r.rows
        if progress:
            progress(r.entity, done[r.entity], plan.count(r.entity))

    order = list(tasks)
    if _shuffle_seed is not None:
        random.Random(_shuffle_seed).shuffle(order)
    try:
        if client is not None:
            from .cluster import connect, run_dask

            report.backend = "dask"
            with connect(client) as c:
                run_dask(c, job, order, on_result)
        elif workers > 1 and len(order) > 1:
            report.backend = f"processes:{workers}"
            dataset.warm(dataset.entities)  # loaded once, here, for every forked worker
            _run_forked(job, order, workers, on_result)
        else:
            for task in order:
                on_result(write_part(job, *task))
    finally:
        manifest.flush()  # a failed or killed run leaves what it finished, for --resume

    for name in dataset.entities:
        entry = report.entities[name]
        entry.parts.sort(key=lambda p: p.block)
        entry.rows = sum(p.rows for p in entry.parts)
        remove_stale_temps(
            root / file_stem(table_name(plan.doc, name))
        )  # left by workers that died mid-part
    report.manifest = manifest.finish()
    return report


def _run_forked(
    job: PartJob,
    tasks: list[tuple[str, int, str | None]],
    workers: int,
    on_result: Callable[[PartResult], None],
) -> None:
    global _FORK_JOB
    _FORK_JOB = job
    try:
        with fork_pool(min(workers, len(tasks))) as pool:
            for result in pool.imap_unordered(_fork_task, tasks):
                on_result(result)
    finally:
        _FORK_JOB = None


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a dataset-layout directory (raises FileNotFoundError if incomplete)."""
    import json

    return json.loads((Path(path) / MANIFEST).read_text())
