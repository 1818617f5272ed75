"""How escalon tunes Python's cyclic garbage collector for bulk work.

Batch ingestion, firing and imports allocate many small, acyclic objects that live for the
whole batch (event records, ticket states, rows) and almost no reference cycles; reference
counting frees nearly all of them. With the default thresholds (700, 10, 10) the collector
still runs every 700 net allocations and rescans the batch's live objects again and again:
measured on a batch of 5,000 events, it was about 60% of the engine's time (160 us per event
with it, 47 us without).

`BULK_THRESHOLDS` collect the youngest generation every 100,000 net allocations and the older
ones rarely. Cycles are still collected, only less often, but one young collection of that
size pauses the process for up to ~100 ms: request handling that must answer quickly (single
events, p99 at 500 requests/s) keeps the default thresholds, and only bulk work raises them,
for as long as it runs: batch requests, the worker, `escalon import` (replay raises the same
thresholds for its own run).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BULK_THRESHOLDS = (100_000, 50, 100)
"""gc.set_threshold arguments while a batch, a firing loop or an import runs."""

_lock = threading.Lock()
_inside = 0
_previous: tuple[int, ...] = ()


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """Use `BULK_THRESHOLDS` inside the block; the previous thresholds come back when the last
    of the blocks running at once (batch requests or workers in threads of one process) ends."""
    global _inside, _previous
    with _lock:
        if _inside == 0:
            _previous = gc.get_threshold()
            gc.set_threshold(*BULK_THRESHOLDS)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_previous)
