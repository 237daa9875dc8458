"""Pools of forked worker processes, shared by the engine, planning and the dataset layout.

Not multiprocessing.Pool: its helper threads fork replacement workers whenever one dies,
and its workers share locked queues. Ctrl-C or SIGTERM sent to a whole process group (a
terminal, `timeout`, a cancelled CI job) kills workers mid-send, holding those locks, and
the parent could wait on them forever. Here every worker has its own pipe (one reader,
one writer, no locks), the parent forks only once from its main thread, and stopping
means SIGKILL and reaping: nothing can be left to wait on. A worker that dies on its own
(out of memory, killed) is reported instead of hanging the run.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

from . import interrupts
from .errors import PhonyError

__all__ = ["ForkPool", "WorkerDied", "fork_pool"]

_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}

# Tasks sent ahead to a busy worker, so it never idles between tasks; more would only let
# results pile up in the parent when the consumer is slower than the workers.
_QUEUED_PER_WORKER = 2


class WorkerDied(PhonyError):
    """A worker process ended while it held a task (killed, out of memory)."""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    sent: deque[int] = field(default_factory=deque)  # task indexes in flight, oldest first


class ForkPool:
    """Forked workers that run module-level functions on picklable tasks."""

    def __init__(self, workers: list[_Worker]) -> None:
        self._workers = workers

    def imap(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """fn(task) for each task, in task order (never in order of completion)."""
        return self._run(fn, list(tasks), ordered=True)

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """fn(task) for each task, as each finishes."""
        return self._run(fn, list(tasks), ordered=False)

    def _run(self, fn: Callable[[Any], Any], tasks: list[Any], *, ordered: bool) -> Iterator[Any]:
        window = len(self._workers) * _QUEUED_PER_WORKER
        done: dict[int, Any] = {}
        sent = yielded = 0
        while yielded < len(tasks):
            # Ordered results wait for earlier ones: cap how far ahead tasks may run.
            limit = min(len(tasks), yielded + window) if ordered else len(tasks)
            while sent < limit:
                worker = min(self._workers, key=lambda w: len(w.sent))
                if len(worker.sent) >= _QUEUED_PER_WORKER:
                    break
                try:
                    worker.conn.send((sent, fn, tasks[sent]))
                except OSError:  # BrokenPipeError: it died before reading
                    _died(worker)
                worker.sent.append(sent)
                sent += 1
            if ordered and yielded in done:
                yield done.pop(yielded)
                yielded += 1
                continue
            if not ordered and done:
                yield done.pop(next(iter(done)))
                yielded += 1
                continue
            busy = {w.conn: w for w in self._workers if w.sent}
            for conn in multiprocessing.connection.wait(list(busy)):
                index, value = self._receive(busy[conn])
                done[index] = value

    @staticmethod
    def _receive(worker: _Worker) -> tuple[int, Any]:
        try:
            index, ok, value = worker.conn.recv()
        except (EOFError, OSError):
            _died(worker)
        worker.sent.remove(index)
        if not ok:
            raise value
        return index, value


def _died(worker: _Worker) -> NoReturn:
    interrupts.raise_if_requested()  # killed along with us by the same signal
    worker.process.join(timeout=5)
    raise WorkerDied(
        f"a worker process ended unexpectedly (exit code {worker.process.exitcode}); "
        "it may have run out of memory: try fewer --workers or a smaller --block-rows"
    ) from None


@contextmanager
def fork_pool(processes: int) -> Iterator[ForkPool]:
    """A pool of `processes` forked workers, stopped (killed) when the block ends.

    The parent's objects go to the garbage collector's permanent generation first
    (gc.freeze): a worker's collections then never write to the objects it inherited, so
    the pages it shares with the parent are not copied one by one (copy-on-write).
    """
    gc.freeze()
    workers: list[_Worker] = []
    # Ctrl-C or SIGTERM while forking would raise in the standard library's at-fork hooks,
    # which print the exception and go on: held back until the workers exist.
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        context = multiprocessing.get_context("fork")
        for _ in range(processes):
            parent_end, child_end = context.Pipe()
            # The child closes the parent's ends it inherits, so that it sees end-of-file
            # (and exits) when the parent dies, and the others see theirs when it dies.
            inherited = [w.conn for w in workers] + [parent_end]
            process = context.Process(target=_serve, args=(child_end, inherited), daemon=True)
            process.start()
            child_end.close()
            workers.append(_Worker(process, parent_end))
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)  # a held-back signal lands here
        yield ForkPool(workers)
        for worker in workers:
            worker.conn.send(None)  # done: exit
        for worker in workers:
            worker.process.join(timeout=10)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        _stop(workers)
        gc.unfreeze()


def _stop(workers: list[_Worker]) -> None:
    """Kills what is still running (after an error or an interrupt, workers may be mid-task)
    and reaps every worker, so none is left behind and none is waited on twice."""
    for worker in workers:
        if worker.process.exitcode is None:
            worker.process.kill()
    for worker in workers:
        worker.process.join()
        worker.conn.close()


def _serve(
    conn: multiprocessing.connection.Connection,
    inherited: list[multiprocessing.connection.Connection],
) -> None:
    """A worker's loop: run each task it is sent and send back its result or exception,
    until told to stop or the parent is gone."""
    # Workers die on SIGTERM (how a process group is stopped), whatever the CLI installed
    # to clean up in the parent; they leave Ctrl-C (sent to the whole process group by a
    # terminal) to the parent, which stops them, instead of each printing a traceback; and
    # they take signals again (they were forked with them held).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    for other in inherited:
        other.close()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, fn, task = message
        try:
            reply = (index, True, fn(task))
        except BaseException as exc:  # sent back, raised in the parent
            reply = (index, False, _portable(exc))
        try:
            conn.send(reply)
        except (BrokenPipeError, EOFError):
            return
        except Exception as exc:  # a result that cannot be pickled
            conn.send((index, False, _portable(exc)))


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError with its text;
    either way with the worker's traceback, which the parent's would not show."""
    note = "in a worker process:\n" + "".join(traceback.format_exception(exc)).rstrip()
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    exc.add_note(note)
    return exc
