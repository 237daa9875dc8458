"""Whether the user asked the run to stop (Ctrl-C or SIGTERM, noted by the CLI's handlers).

A signal handler raises KeyboardInterrupt wherever the main thread is, and a few places
swallow it: an exception in an at-fork hook of the standard library is printed and
ignored, and the run would go on to the end. So the handlers also set `requested`, and
the loops that write batches call `raise_if_requested()` between batches.
"""

from __future__ import annotations

requested = False


def raise_if_requested() -> None:
    if requested:
        raise KeyboardInterrupt
