"""Pools of forked worker processes, shared by the engine, planning and the dataset layout."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["fork_pool"]


@contextmanager
def fork_pool(processes: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of `processes` forked workers.

    The parent's objects go to the garbage collector's permanent generation first
    (gc.freeze): a worker's collections then never write to the objects it inherited, so
    the pages it shares with the parent are not copied one by one (copy-on-write).
    """
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(processes=processes) as pool:
            yield pool
    finally:
        gc.unfreeze()
