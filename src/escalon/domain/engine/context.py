"""What one step works with: the state, the compiled policy, and the decisions made so far."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from escalon.domain.calendar import Calendar
from escalon.domain.durations import format_duration
from escalon.domain.engine.decisions import Decision, DecisionKind, Fact, decision_id
from escalon.domain.engine.rulebook import Rulebook
from escalon.domain.engine.state import EngineState, TicketState


class InvalidEvent(ValueError):
    """An event the engine refuses: schema, unknown ticket or impossible transition.

    `event` and `field` name the culprit so the CLI can print one clear line.
    """

    def __init__(self, event: str, field: str, message: str) -> None:
        super().__init__(f"event {event}: {field}: {message}")
        self.event = event
        self.field = field
        self.message = message


def span_text(us: int) -> str:
    """Working time as users read it: `2h05m` (remembered: decisions repeat the same few)."""
    text = _SPAN_TEXTS.get(us)
    if text is None:
        if len(_SPAN_TEXTS) >= 4096:
            _SPAN_TEXTS.clear()
        text = _SPAN_TEXTS[us] = format_duration(timedelta(microseconds=us))
    return text


_SPAN_TEXTS: dict[int, str] = {}


class Context:
    """One step's working set. `replaying` is set while a ticket is rebuilt for a late event:
    decisions already issued stay silent and cross-ticket counters are not touched twice."""

    __slots__ = ("state", "book", "out", "replaying", "prior")

    def __init__(self, state: EngineState, book: Rulebook) -> None:
        self.state = state
        self.book = book
        self.out: list[Decision] = []
        self.replaying = False
        self.prior: set[str] = set()

    def calendar(self, name: str) -> Calendar:
        return self.book.calendars[name]

    def emit(
        self,
        ticket: TicketState | None,
        kind: DecisionKind,
        *,
        subject: str,
        rule: str,
        key: str,
        at: int,
        reason: str,
        facts: dict[str, Fact],
        policy: str | None = None,
        ident: str | None = None,
    ) -> bool:
        """Record a decision unless this subject already had it; True when it is new.

        `ident`, when the caller already has it, is `decision_id(subject, rule, key)`."""
        if ident is None:
            ident = decision_id(subject, rule, key)
        if ticket is not None:
            if ident in ticket.issued:
                return False
            ticket.issued.add(ident)
            if ident in self.prior:
                return False
        self.out.append(
            Decision(ident, kind, subject, at, rule, reason, policy or self.book.ref, facts)
        )
        return True

    def count_agent(self, agent: str | None, counter: str) -> None:
        """Per-agent escalation counts for analytics (escalation fatigue, coaching)."""
        if agent is None or self.replaying:
            return
        counts: dict[str, Any] = self.state.indexes.agents.setdefault(agent, {})
        counts[counter] = counts.get(counter, 0) + 1
