"""Encode and write batches on a second thread while the caller generates the next ones.

pyarrow's Parquet and CSV encoders release the GIL, so writing block k overlaps
generating block k+1 and a run takes about max(generate, write) instead of their
sum. The format's own preparation of a batch (`EntityWriter.stage`: Parquet cuts row
groups and compacts codes there) runs on the caller's thread, the encoding of what it
returns on the writer's. Parts keep their order (one queue, one consumer), so the bytes
are the same as writing inline; the queue holds at most QUEUE_DEPTH parts, which
bounds the memory held for the writer.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa

from .base import EntityWriter

__all__ = ["QUEUE_DEPTH", "BackgroundWriter"]

QUEUE_DEPTH = 2
_DONE = None  # end of input


class BackgroundWriter:
    """Wraps an EntityWriter: `write` hands the batch over, `close` waits and commits."""

    def __init__(self, inner: EntityWriter) -> None:
        self.inner = inner
        self._queue: queue.Queue[Any] = queue.Queue(QUEUE_DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="phony-writer", daemon=True)
        self._thread.start()

    @property
    def path(self) -> Path:
        return self.inner.path

    @property
    def rows(self) -> int:
        return self.inner.rows

    def _run(self) -> None:
        while True:
            part = self._queue.get()
            if part is _DONE:
                return
            if self._error is None:
                try:
                    self.inner.write_staged(part)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc
            # after an error keep taking batches so the producer never blocks

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, batch: pa.RecordBatch) -> None:
        self._raise_if_failed()
        for part in self.inner.stage(batch):  # the format's preparation, on this thread
            self._queue.put(part)

    def close(self, *, publish: bool = True) -> str:
        self._queue.put(_DONE)
        self._thread.join()
        self._raise_if_failed()
        return self.inner.close(publish=publish)

    def abort(self) -> None:
        if self._thread.is_alive():
            self._error = self._error or RuntimeError("aborted")
            self._queue.put(_DONE)
            self._thread.join()
        self.inner.abort()
