"""One part of the dataset layout: the unit of work that runs anywhere.

`write_part(job, entity, block, expected)` rebuilds nothing global: the Plan it
receives is already prepared (counts, layouts, aggregates, unique retries), so
the part's rows are a pure function of (plan, entity, block). It writes
`<root>/<entity>/part-<block:08d>.<ext>` through a temp name and a rename, and
returns the part's row count and SHA-256. Running it twice, in any order, on
any process or machine, gives the same bytes under the same name.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from ..engine.columns import Columns
from ..engine.plan import Plan
from ..errors import GenerationError
from ..model import table_name
from ..writers.base import FORMATS, EntityWriter
from ..writers.file_names import file_stem

PART_PREFIX = "part-"
# The engine fills lazy caches as it goes and is not audited for threads: a Dask worker
# started with --nthreads > 1 makes one part's rows at a time (files are written in parallel).
_ENGINE_LOCK = threading.Lock()


def part_name(block: int, extension: str) -> str:
    return f"{PART_PREFIX}{block:08d}.{extension}"


def part_count(rows: int, block_rows: int) -> int:
    """Blocks of an entity; an empty entity still gets one (empty) part with its schema."""
    return max(1, -(-rows // block_rows))


def schema_sha256(schema: pa.Schema) -> str:
    return hashlib.sha256(schema.to_string(show_schema_metadata=False).encode()).hexdigest()


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return digest.hexdigest()


def runtime_versions() -> dict[str, str]:
    """The versions the bytes depend on (see the determinism contract)."""
    import numpy
    import scipy

    from .._version import __version__

    return {
        "phony": __version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pyarrow": pa.__version__,
    }


@dataclass
class PartJob:
    """Everything a part needs, shipped once to every worker (pickled; Dask scatters it)."""

    plan: Plan
    root: str
    format: str
    extension: str
    schemas: dict[str, pa.Schema]
    dictionaries: dict[str, list[str]]
    versions: dict[str, str]
    compression: str | None = None
    # Test hook: (entity, block, marker file). The first attempt at that block (no marker yet)
    # creates the marker and kills its process with os._exit(1), as a dying worker would.
    crash_once: tuple[str, int, str] | None = None
    _checked: bool = field(default=False, repr=False, compare=False)

    def rows(self, entity: str, block: int) -> np.ndarray:
        n = self.plan.count(entity)
        step = self.plan.block_rows
        start = min(block * step, n)
        return np.arange(start, min(start + step, n), dtype=np.int64)

    def path(self, entity: str, block: int) -> Path:
        folder = file_stem(table_name(self.plan.doc, entity))
        return Path(self.root) / folder / part_name(block, self.extension)

    def check_versions(self) -> None:
        """A worker with other library versions could write other bytes: refuse it."""
        if self._checked:
            return
        here = runtime_versions()
        diff = {k: (v, here.get(k)) for k, v in self.versions.items() if here.get(k) != v}
        if diff:
            detail = ", ".join(
                f"{k} {want} on the client, {got} here" for k, (want, got) in diff.items()
            )
            raise GenerationError(
                f"this worker cannot write byte-identical parts: {detail}; "
                "install the same versions on every worker"
            )
        self._checked = True


def writer_class(fmt: str) -> type[EntityWriter]:
    from ..writers import csv, json, parquet  # noqa: F401  (fill the registry)

    return FORMATS[fmt]


class PartResult(NamedTuple):
    entity: str
    block: int
    file: str
    rows: int
    sha256: str
    reused: bool
    seconds: float


def write_part(job: PartJob, entity: str, block: int, expected: str | None = None) -> PartResult:
    """Write (or, when `expected` matches the file on disk, keep) one part."""
    started = time.perf_counter()
    job.check_versions()
    path = job.path(entity, block)
    rows = job.rows(entity, block)
    if expected is not None and file_sha256(path) == expected:
        return PartResult(entity, block, path.name, len(rows), expected, True, 0.0)
    if job.crash_once is not None and job.crash_once[:2] == (entity, block):
        marker = Path(job.crash_once[2])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)
    schema = job.schemas[entity]
    with _ENGINE_LOCK:
        batch = Columns(job.plan).table(entity, rows)
    if batch.schema == schema:
        batches = [batch]
    else:  # e.g. an all-NULL block: every part carries the entity's full schema
        batches = pa.Table.from_batches([batch]).cast(schema).to_batches()
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = writer_class(job.format)(path, schema, job.dictionaries[entity], job.compression)
    try:
        for b in batches:
            if b.num_rows:
                writer.write(b)
        digest = writer.close()
    except BaseException:
        writer.abort()
        raise
    return PartResult(
        entity, block, path.name, len(rows), digest, False, time.perf_counter() - started
    )


def describe(job: PartJob) -> dict[str, Any]:
    """The identity of a run: a previous manifest is reusable only if all of this matches."""
    plan = job.plan
    return {
        "phony_version": job.versions["phony"],
        "schema": plan.schema.name,
        "schema_sha256": plan.schema.sha256,
        "seed": plan.seed,
        "scale": plan.scale,
        **({"counts": plan.count_overrides} if plan.count_overrides else {}),
        "block_rows": plan.block_rows,
        "format": job.format,
        "compression": job.compression or "none",
        "layout": "dataset",
        "versions": {k: v for k, v in job.versions.items() if k != "phony"},
    }
