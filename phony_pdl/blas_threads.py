"""One BLAS thread for many tiny linear-algebra calls.

`phony infer` fits each column with many small optimisations (over two or three
parameters, dot products of a few thousand values). OpenBLAS wakes its thread pool
for each of them, and on a machine with few cores the threads spin against each other and
against other processes: one two-parameter L-BFGS-B minimisation took 8.5 ms with the
default pool and 1.5 ms with one thread, and a 31-column fit spent 2.4 times the CPU.
Large products (the distance-to-closest-record matrix in `compare`) keep the pool.

The controller is made once per process: finding the loaded libraries walks every shared
object in the process (3.5 ms, a twentieth of a small table's whole fit), and BLAS is
loaded with numpy, before any call here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """A context in which every loaded BLAS library uses one thread (restored after)."""
    return _controller().limit(limits=1, user_api="blas")


def single_blas_thread(fn: F) -> F:
    """Run `fn` with every loaded BLAS library limited to one thread (restored after)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_blas_thread():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
