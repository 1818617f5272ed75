"""Service fixtures: the same suite runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.integration.service.fake_engine import FakeEngine

from escalon.adapters.db.tables import metadata
from escalon.bootstrap import Service, bootstrap
from escalon.settings import Settings

with warnings.catch_warnings():
    # starlette asks for `httpx2`, which escalon does not pin; the client works with httpx.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = ["TestClient"]

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class FixedClock:
    """A clock tests move by hand; the service only ever reads it through `service.clock`."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url: str) -> str:
    service = bootstrap(Settings(database_url=postgres_url), ticket_engine=FakeEngine())
    service.prepare()
    service.close()
    return postgres_url


def _truncate(service: Service) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with service.db.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'escalon.db'}"
    url: str = request.getfixturevalue("migrated_postgres")
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def make_service(database_url: str, clock: FixedClock) -> Iterator[Callable[..., Service]]:
    made: list[Service] = []

    def make(**overrides: Any) -> Service:
        settings = Settings(database_url=database_url, **overrides)
        service = bootstrap(settings, ticket_engine=FakeEngine(), clock=clock)
        made.append(service)
        return service

    first = make()
    if first.db.dialect.name == "postgresql":
        _truncate(first)
    first.prepare()
    yield make
    for service in made:
        service.close()


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service()


def created(
    ticket: str,
    at: datetime,
    *,
    priority: str = "P2",
    event_id: str | None = None,
    customer: str = "acme",
) -> dict[str, Any]:
    return {
        "id": event_id or f"{ticket}-created",
        "type": "ticket.created",
        "at": at.isoformat(),
        "ticket": ticket,
        "data": {"priority": priority, "customer": {"id": customer, "segment": "enterprise"}},
    }
