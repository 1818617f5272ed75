"""The engine's cross-ticket document is written optimistically: a lost race is detected."""

from __future__ import annotations

import pytest
from tests.integration.service.conftest import NOW

from escalon.bootstrap import Service


@pytest.mark.postgres
def test_a_writer_that_read_an_older_version_does_not_overwrite(
    service: Service, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("two open writing transactions need PostgreSQL (SQLite has one writer)")
    with service.uow() as setup:
        assert setup.shared.save({"n": 0}, None)
        setup.commit()
    with service.uow() as first, service.uow() as second:
        assert first.shared.get(lock=False) == {"n": 0}
        assert second.shared.get(lock=False) == {"n": 0}
        assert first.shared.save({"n": 1}, NOW)
        first.commit()
        assert not second.shared.save({"n": 2}, None)  # it read version 1; 2 is stored now
    with service.uow(read_only=True) as check:
        assert check.shared.get(lock=False) == {"n": 1}
        assert check.shared.next_wakeup() == NOW


def test_the_first_write_creates_the_document_once(service: Service) -> None:
    with service.uow() as uow:
        assert uow.shared.get(lock=False) is None
        assert uow.shared.save({"n": 1}, None)
        assert uow.shared.save({"n": 2}, None)  # its own write: the version it holds
        uow.commit()
    with service.uow(read_only=True) as check:
        assert check.shared.get(lock=False) == {"n": 2}
