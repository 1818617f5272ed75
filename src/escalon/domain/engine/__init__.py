"""The escalation engine: a pure function of (policy, events, time) that decides and explains.

`step(state, event, policy)` applies one canonical event or tick and returns the new state, the
decisions that became due and the next wake-up. See docs/engine.md.
"""

from escalon.domain.engine.context import InvalidEvent
from escalon.domain.engine.decisions import DECISION_KINDS, Decision, DecisionKind, decision_id
from escalon.domain.engine.records import EventRecord, instant_us
from escalon.domain.engine.rulebook import Rulebook, rulebook_for
from escalon.domain.engine.state import (
    EngineState,
    Escalation,
    Incident,
    Indexes,
    Management,
    TicketState,
)
from escalon.domain.engine.step import StepResult, advance, step
from escalon.domain.engine.timers import Timer

__all__ = [
    "DECISION_KINDS",
    "Decision",
    "DecisionKind",
    "EngineState",
    "Escalation",
    "EventRecord",
    "Incident",
    "Indexes",
    "InvalidEvent",
    "Management",
    "Rulebook",
    "StepResult",
    "TicketState",
    "Timer",
    "advance",
    "decision_id",
    "instant_us",
    "rulebook_for",
    "step",
]
