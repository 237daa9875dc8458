"""The fork pool: results in task order, worker errors raised in the parent, and no way to
hang: a worker that dies is reported, and leaving the pool early stops every worker."""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest

from phony_pdl.errors import PhonyError
from phony_pdl.forking import WorkerDied, fork_pool


def _square(n: int) -> int:
    return n * n


def _fail_on_three(n: int) -> int:
    if n == 3:
        raise PhonyError("three is not allowed")
    return n


def _die_on_two(n: int) -> int:
    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def _unpicklable(n: int) -> object:
    return lambda: n


def _pid(_: int) -> int:
    return os.getpid()


def test_imap_keeps_task_order_and_uses_every_worker() -> None:
    with fork_pool(3) as pool:
        assert list(pool.imap(_square, range(50))) == [n * n for n in range(50)]
        pids = set(pool.imap(_pid, range(30)))
    assert len(pids) == 3 and os.getpid() not in pids
    assert multiprocessing.active_children() == []


def test_imap_unordered_returns_every_result_once() -> None:
    with fork_pool(2) as pool:
        assert sorted(pool.imap_unordered(_square, range(40))) == [n * n for n in range(40)]


def test_a_worker_error_is_raised_in_the_parent_with_its_type_and_traceback() -> None:
    with pytest.raises(PhonyError, match="three is not allowed") as caught, fork_pool(2) as pool:
        list(pool.imap(_fail_on_three, range(10)))
    assert "in a worker process" in "".join(caught.value.__notes__)
    assert multiprocessing.active_children() == []


def test_an_unpicklable_result_becomes_an_error_not_a_hang() -> None:
    with pytest.raises(Exception, match="pickle"), fork_pool(2) as pool:
        list(pool.imap(_unpicklable, range(4)))


def test_a_worker_that_dies_is_reported_instead_of_waited_for() -> None:
    with pytest.raises(WorkerDied, match=r"exit code -9"), fork_pool(2) as pool:
        list(pool.imap(_die_on_two, range(10)))
    assert multiprocessing.active_children() == []


def test_leaving_early_stops_the_workers() -> None:
    with fork_pool(2) as pool:
        results = pool.imap(_square, range(1000))
        assert next(results) == 0
        results.close()
    assert multiprocessing.active_children() == []


def test_a_worker_dead_before_its_first_task_is_reported() -> None:
    with pytest.raises(WorkerDied, match=r"exit code -9"), fork_pool(2) as pool:
        for worker in pool._workers:
            worker.process.kill()
            worker.process.join()
        list(pool.imap(_square, range(4)))
