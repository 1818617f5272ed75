"""How escalon's long-running processes tune Python's cyclic garbage collector.

Ingestion, firing and imports allocate many small, acyclic, long-lived objects (event records,
ticket states, rows) and almost no reference cycles; reference counting frees nearly all of
them. With the default thresholds (700, 10, 10) the collector still runs every 700 net
allocations and rescans the young objects each time: measured on a batch of 5,000 events, it
was about 60% of the engine's time (160 us per event with it, 47 us without).

`SERVICE_THRESHOLDS` collect the youngest generation every 100,000 net allocations and the
older ones rarely. Cycles are still collected, only less often; one young collection costs a
few milliseconds, well inside the API's latency budget. The API server, the worker and
`escalon import` use it; replay raises the same thresholds for its own run.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SERVICE_THRESHOLDS = (100_000, 50, 100)
"""gc.set_threshold arguments for a process that ingests or fires in bulk."""


def collect_rarely() -> None:
    """Use `SERVICE_THRESHOLDS` for the rest of the process (the API server)."""
    gc.set_threshold(*SERVICE_THRESHOLDS)


_lock = threading.Lock()
_inside = 0
_previous: tuple[int, ...] = ()


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """Use `SERVICE_THRESHOLDS` inside the block; the previous thresholds come back when the
    last of the blocks running at once (workers in threads of one process) ends."""
    global _inside, _previous
    with _lock:
        if _inside == 0:
            _previous = gc.get_threshold()
            collect_rarely()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_previous)
