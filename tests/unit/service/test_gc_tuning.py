"""The collector thresholds of the long-running processes (escalon.gc_tuning)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from escalon.gc_tuning import SERVICE_THRESHOLDS, collect_rarely, collecting_rarely


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    previous = gc.get_threshold()
    yield previous
    gc.set_threshold(*previous)


def test_collecting_rarely_restores_the_previous_thresholds(thresholds: tuple[int, ...]) -> None:
    gc.set_threshold(700, 10, 10)
    with collecting_rarely():
        assert gc.get_threshold() == SERVICE_THRESHOLDS
    assert gc.get_threshold() == (700, 10, 10)


def test_collecting_rarely_restores_them_after_an_error(thresholds: tuple[int, ...]) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(RuntimeError), collecting_rarely():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_collect_rarely_keeps_collecting_cycles(thresholds: tuple[int, ...]) -> None:
    collect_rarely()
    assert gc.get_threshold() == SERVICE_THRESHOLDS
    assert gc.isenabled()
    assert SERVICE_THRESHOLDS[0] > 700  # young collections rarer than the default


def test_overlapping_blocks_restore_the_thresholds_when_the_last_ends(
    thresholds: tuple[int, ...],
) -> None:
    gc.set_threshold(700, 10, 10)
    first, second = collecting_rarely(), collecting_rarely()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the other block still runs: thresholds stay
    assert gc.get_threshold() == SERVICE_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)
