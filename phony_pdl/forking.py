"""Pools of forked worker processes, shared by the engine, planning and the dataset layout."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from . import interrupts

__all__ = ["fork_pool"]

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def fork_pool(processes: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of `processes` forked workers.

    The parent's objects go to the garbage collector's permanent generation first
    (gc.freeze): a worker's collections then never write to the objects it inherited, so
    the pages it shares with the parent are not copied one by one (copy-on-write).
    """
    gc.freeze()
    pool = None
    # Ctrl-C or SIGTERM while forking would raise in the standard library's at-fork hooks,
    # which print the exception and go on: held back until the workers exist.
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        pool = multiprocessing.get_context("fork").Pool(
            processes=processes, initializer=_worker_signals
        )
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)  # a held-back signal lands here
        yield pool
    except BaseException:  # GeneratorExit too: a consumer interrupted between batches
        if pool is not None and (
            interrupts.requested or any(w.exitcode is not None for w in pool._pool)  # type: ignore[attr-defined]
        ):
            _abandon(pool)
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        if pool is not None:
            pool.terminate()  # a no-op after _abandon
        gc.unfreeze()


def _abandon(pool: multiprocessing.pool.Pool) -> None:
    """Stops a pool after Ctrl-C or SIGTERM. Sent to the whole process group (a terminal,
    `timeout`), they also reach the workers, which may die while holding one of the pool's
    queue locks (sending a block back); Pool.terminate would then wait for that lock
    forever. So: no replacement workers, every worker killed, and the pool's own teardown
    cancelled (its threads are daemons, blocked at most until the process exits)."""
    pool._worker_handler._state = multiprocessing.pool.TERMINATE  # type: ignore[attr-defined]
    workers = list(pool._pool)  # type: ignore[attr-defined]
    for worker in workers:
        if worker.exitcode is None:
            worker.kill()
    for worker in workers:
        worker.join(timeout=5)
    pool._terminate.cancel()  # type: ignore[attr-defined]
    pool._state = multiprocessing.pool.TERMINATE  # type: ignore[attr-defined]


def _worker_signals() -> None:
    """Workers die on SIGTERM (how the pool stops them), whatever the CLI installed to
    clean up in the parent; they leave Ctrl-C (sent to the whole process group by a
    terminal) to the parent, which stops them, instead of each printing a traceback; and
    they take signals again (they were forked with them held)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
