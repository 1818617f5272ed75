from __future__ import annotations

from typing import Any

import pytest

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.engine import Decision, EngineState, step
from escalon.domain.events import parse_event
from escalon.domain.policy import Policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_default_policy()


class Desk:
    """Feeds canonical events (as dicts) to one engine state and keeps every decision."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.state = EngineState()
        self.decisions: list[Decision] = []
        self._n = 0

    def send(self, type_: str, at: str, ticket: str = "T1", **data: Any) -> list[Decision]:
        self._n += 1
        raw = {"id": f"e{self._n}", "type": type_, "at": at, "ticket": ticket, "data": data}
        return self.event(raw)

    def event(self, raw: dict[str, Any]) -> list[Decision]:
        result = step(self.state, parse_event(raw), self.policy)
        self.decisions.extend(result.decisions)
        return result.decisions

    def tick(self, at: str) -> list[Decision]:
        self._n += 1
        return self.event({"id": f"tick{self._n}", "type": "tick", "at": at, "ticket": "*"})

    def kinds(self) -> list[str]:
        return [d.kind for d in self.decisions]


@pytest.fixture
def desk(policy: Policy) -> Desk:
    return Desk(policy)
