"""Memory-heavy passes in pure Python + polars: no cyclic garbage collection while they run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a pass that makes ~10^5 short-lived objects
    and frees them by refcount (an import chunk, the duplicate finder): collector passes
    over the process's whole heap would cost more than the work, and more the bigger the
    heap is (a web worker, a command that loaded the migration graph). Nests: the
    collector comes back only when the outermost pass ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
