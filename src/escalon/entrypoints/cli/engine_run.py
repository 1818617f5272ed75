"""Run the escalation engine over parsed events, for the report and the demo.

The dashboard counts the escalations the engine adds (time-based, management triggers), so the
events are replayed through the engine with the policy first. Events the engine refuses (for
instance an agent asking for a tier the engine had already escalated to) are counted, not fatal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from escalon.domain.engine import Decision, EventRecord
from escalon.domain.events import Event
from escalon.domain.policy import Policy
from escalon.services.replay import Replayer, replay


@dataclass(frozen=True)
class EngineRun:
    decisions: list[Decision]
    refused: Counter[str]

    def by_kind(self) -> Counter[str]:
        return Counter(d.kind for d in self.decisions)


def run_engine(events: Sequence[Event], policy: Policy) -> EngineRun:
    records = sorted((EventRecord.from_event(e) for e in events), key=EventRecord.order_key)
    runner = Replayer(policy, skip_invalid=True)
    decisions = list(replay(records, policy, replayer=runner))
    return EngineRun(decisions, Counter(r.message for r in runner.rejected))
