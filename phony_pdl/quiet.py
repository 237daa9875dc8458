"""Library calls that stay silent on degenerate data.

Statistics over a column of one value, all NULLs or infinities make numpy warn
("Degrees of freedom <= 0", "invalid value encountered"); the code already handles the
NaN or infinity that results. Under `-W error` or pytest's `filterwarnings = error` such
a warning would become an exception in the caller's program, so `infer` and `compare`
run with numpy's floating-point warnings and RuntimeWarnings turned off.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def quiet_numerics(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import numpy as np

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
