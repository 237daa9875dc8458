"""The Dask backend: one task per part, results gathered in block order by the client."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import UsageError
from .parts import PartJob, PartResult, write_part

INSTALL_HINT = "pip install 'phony-pdl[dask]'"


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(
            f"the Dask backend needs dask.distributed, which is not installed: {INSTALL_HINT}"
        ) from None
    return distributed


def parse_address(spec: str) -> tuple[str, int | None] | tuple[str, str]:
    """`local` / `local:N` → ("local", N or None); `tcp://host:port` → ("remote", address)."""
    text = spec.strip()
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2]
        if count == "":
            return ("local", None)
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--dask {spec!r}: expected local, local:N (N ≥ 1) or tcp://host:port")
        return ("local", int(count))
    if "://" in text and text.split("://", 1)[1]:
        return ("remote", text)
    raise UsageError(
        f"--dask {spec!r}: expected local, local:N or a scheduler address tcp://host:port"
    )


# Environment of the workers of `--dask local[:N]` (see connect); for a cluster of your own,
# set the same variables where its workers start.
WORKER_ENVIRON = {
    "MALLOC_TRIM_THRESHOLD_": 65536,
    "MALLOC_MMAP_THRESHOLD_": 32 * 1024 * 1024,
    "OMP_NUM_THREADS": 1,
    "MKL_NUM_THREADS": 1,
    "OPENBLAS_NUM_THREADS": 1,
}


@contextmanager
def connect(client: Any) -> Iterator[Any]:
    """A dask.distributed Client for `client`: a Client (used as is, left open), or a string
    `local[:N]` (a LocalCluster of N single-threaded worker processes, closed afterwards) or
    a scheduler address such as `tcp://host:8786` (connected to, and disconnected afterwards)."""
    if not isinstance(client, str):
        if not (hasattr(client, "submit") and hasattr(client, "scatter")):
            raise UsageError(f"client={client!r}: expected a dask.distributed Client or an address")
        yield client
        return
    kind, value = parse_address(client)
    distributed = _import_distributed()
    if kind == "local":
        import dask

        n = value or os.cpu_count() or 1
        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's
        # adaptive mmap threshold: every block's arrays were mapped and unmapped again
        # (3.5 s of system time per worker per 20M rows). Keep blocks on the heap.
        with dask.config.set({"distributed.nanny.pre-spawn-environ": WORKER_ENVIRON}):
            cluster = distributed.LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            try:
                with distributed.Client(cluster) as c:
                    yield c
            finally:
                cluster.close()
        return
    try:
        c = distributed.Client(value, timeout="30s")
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {value}: {exc}") from None
    try:
        yield c
    finally:
        c.close()


def run_dask(
    client: Any,
    job: PartJob,
    tasks: list[tuple[str, int, str | None]],
    on_result: Callable[[PartResult], None],
) -> None:
    """Submit one task per part (in the order of `tasks`) and hand every result to
    `on_result` as it completes; the caller orders them by block."""
    distributed = _import_distributed()
    token = uuid.uuid4().hex[:12]
    # Scattered once, to every worker; workers that join later fetch it from a peer.
    shared = client.scatter(job, broadcast=True, hash=False)
    futures = [
        client.submit(
            write_part,
            shared,
            entity,
            block,
            expected,
            key=f"phony-part-{token}-{entity}-{block}",
            retries=2,
            pure=False,
        )
        for entity, block, expected in tasks
    ]
    try:
        for future in distributed.as_completed(futures):
            result = future.result()  # re-raises the task's error after its retries
            future.release()
            on_result(result)
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.cancel(shared)
