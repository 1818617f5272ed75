"""The collector thresholds of bulk work (escalon.gc_tuning)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from escalon.gc_tuning import BULK_THRESHOLDS, collecting_rarely


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    previous = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield previous
    gc.set_threshold(*previous)


def test_collecting_rarely_restores_the_previous_thresholds(thresholds: tuple[int, ...]) -> None:
    with collecting_rarely():
        assert gc.get_threshold() == BULK_THRESHOLDS
        assert gc.isenabled()  # cycles are still collected, only less often
    assert gc.get_threshold() == (700, 10, 10)


def test_collecting_rarely_restores_them_after_an_error(thresholds: tuple[int, ...]) -> None:
    with pytest.raises(RuntimeError), collecting_rarely():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_blocks_restore_the_thresholds_when_the_last_ends(
    thresholds: tuple[int, ...],
) -> None:
    first, second = collecting_rarely(), collecting_rarely()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the other block still runs: thresholds stay
    assert gc.get_threshold() == BULK_THRESHOLDS
    second.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_api_process_keeps_the_default_thresholds_between_batches(
    thresholds: tuple[int, ...], tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Young collections of 100,000 objects paused single requests (p99 ~115 ms)."""
    from escalon.entrypoints.api import server

    monkeypatch.setenv("ESCALON_DATABASE_URL", f"sqlite:///{tmp_path}/api.db")
    monkeypatch.setattr(gc, "freeze", lambda: None)  # keep the test process collectable
    server.app()
    assert gc.get_threshold() == (700, 10, 10)
