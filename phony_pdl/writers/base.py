"""Atomic files and the writer registry."""

from __future__ import annotations

import abc
import contextlib
import hashlib
import os
import threading
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

TEMP_SUFFIX = ".phony-tmp"


class AtomicFile:
    """Writes to `.name.<pid>.phony-tmp` and renames over `name` only on success.

    A run killed at any moment leaves no file under its final name that is partial.
    """

    # Bytes written between background syncs: the disk works while the run computes, so the
    # fsync before the rename has only the last stretch left (1M users rows: 40 MB, whose
    # single final fsync took 0.09 s of a 0.8 s run).
    SYNC_EVERY = 8 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
        self.handle: BinaryIO = open(self.temp, "wb")  # noqa: SIM115 (closed in commit/abort)
        self.digest = hashlib.sha256()
        self.size = 0
        self._synced = 0
        self._syncing: threading.Thread | None = None

    def write(self, data: bytes) -> int:
        # hashed as written, on the writer's thread: no second pass over the file at commit
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)
        if self.size - self._synced >= self.SYNC_EVERY and not self._sync_running():
            self.handle.flush()
            self._synced = self.size
            self._syncing = threading.Thread(
                target=_quiet_fdatasync, args=(self.handle.fileno(),), daemon=True
            )
            self._syncing.start()
        return len(data)

    def _sync_running(self) -> bool:
        return self._syncing is not None and self._syncing.is_alive()

    def _sync_done(self) -> None:
        if self._syncing is not None:
            self._syncing.join()
            self._syncing = None

    # The rest of a binary file's interface, so C++ writers (pyarrow's Parquet writer)
    # can write through this object.
    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.handle.flush()

    @property
    def closed(self) -> bool:
        return self.handle.closed

    def commit(self, *, publish: bool = True) -> str:
        """Flush, sync and hash; `publish=False` leaves the file under its temp name until
        `publish()` (a run of several files renames them all only once each one is done)."""
        self.handle.flush()
        self._sync_done()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if publish:
            self.publish()
        return self.digest.hexdigest()

    def publish(self) -> None:
        os.replace(self.temp, self.path)

    def abort(self) -> None:
        self._sync_done()
        if not self.handle.closed:
            self.handle.close()
        self.temp.unlink(missing_ok=True)


def _quiet_fdatasync(fd: int) -> None:
    """Write back what is written so far; a failure here shows again in commit's fsync."""
    with contextlib.suppress(OSError):
        getattr(os, "fdatasync", os.fsync)(fd)  # macOS has no fdatasync


def remove_stale_temps(directory: Path) -> None:
    """Temp files left by a killed run (never under a final name) are removed on the next run;
    those of a process that is still running are left alone."""
    if not directory.is_dir():
        return
    for p in directory.glob(f".*{TEMP_SUFFIX}"):
        pid = p.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EntityWriter(abc.ABC):
    """Receives the record batches of one entity in row order.

    Text formats write through `self.out`: the file itself, or a gzip/zstd stream into it
    (`compression`). Parquet reads `self.compression` as its column codec instead.
    """

    extension = ""
    whole_file_codec = True  # False: the format compresses inside the file (Parquet)

    def __init__(
        self,
        path: Path,
        schema: pa.Schema,
        dictionary: list[str] | None = None,
        compression: str | None = None,
    ) -> None:
        from .compression import CompressedSink

        self.path = path
        self.schema = schema
        self.dictionary = dictionary or []
        self.compression = compression
        self.file = AtomicFile(path)
        self.compressor = (
            CompressedSink(self.file, compression)
            if compression not in (None, "none") and self.whole_file_codec
            else None
        )
        self.out: CompressedSink | AtomicFile = self.compressor or self.file
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        for part in self.stage(batch):
            self.write_staged(part)

    def stage(self, batch: pa.RecordBatch) -> list[Any]:
        """The work `write_staged` then writes, prepared on the caller's thread: with a
        BackgroundWriter this runs on the generating thread while the writer thread encodes
        the previous part (formats whose encoding dominates move their own preparation here)."""
        self.rows += batch.num_rows
        return [batch]

    def write_staged(self, part: Any) -> None:
        """Write one part `stage` returned (on the writer's thread)."""
        self.write_batch(part)

    @abc.abstractmethod
    def write_batch(self, batch: pa.RecordBatch) -> None:
        """Encode and write one batch (each format's own rules)."""

    def finish(self) -> None:  # noqa: B027 (an optional hook: only some formats have trailers)
        """Write trailers before commit (JSON's closing bracket, Parquet's footer)."""

    def close(self, *, publish: bool = True) -> str:
        self.finish()
        if self.compressor is not None:
            self.compressor.finish()
        return self.file.commit(publish=publish)

    def abort(self) -> None:
        if self.compressor is not None:
            self.compressor.abort()
        self.file.abort()


FORMATS: dict[str, type[EntityWriter]] = {}


def register(name: str):
    def deco(cls: type[EntityWriter]) -> type[EntityWriter]:
        if name in FORMATS:
            raise RuntimeError(f"writer {name!r} registered twice")
        FORMATS[name] = cls
        return cls

    return deco


def open_writer(
    fmt: str,
    directory: Path,
    entity: str,
    schema: pa.Schema,
    dictionary: list[str] | None = None,
    compression: str | None = None,
) -> EntityWriter:
    """`dictionary`: low-cardinality columns worth dictionary-encoding (Parquet);
    `compression`: a codec `check_compression` accepted for `fmt`."""
    path = directory / file_name(fmt, entity, compression)  # fills the registry first
    return FORMATS[fmt](path, schema, dictionary, compression)


def file_name(fmt: str, stem: str, compression: str | None = None) -> str:
    """The name of an entity's file: `stem` (its table's, made storable), the format's
    extension and the whole-file codec's (`users.csv.gz`)."""
    from . import csv, json, parquet  # noqa: F401  (fill the registry)
    from .compression import file_suffix

    return f"{stem}.{FORMATS[fmt].extension}{file_suffix(fmt, compression)}"
