"""A small, fully predictable engine for storage and worker tests.

It keeps the service tests independent of the policy's details: every created ticket gets one
breach deadline (P1: 1 h, others: 4 h); handoffs open an escalation with a 15-minute
acknowledgement deadline; a tick fires every deadline due up to its instant, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from escalon.domain.events import Event
from escalon.services.engine_port import (
    BatchOut,
    ClockOut,
    DecisionOut,
    EngineRefusal,
    EscalationOut,
    StateSource,
    TicketOut,
)

BREACH_AFTER = {"P1": timedelta(hours=1)}
DEFAULT_BREACH = timedelta(hours=4)
ACK_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Stepped(TicketOut):
    decisions: list[DecisionOut] = field(default_factory=list)


def _t(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


class FakeEngine:
    def apply(
        self,
        source: StateSource,
        items: Sequence[tuple[str, Event]],
        policy: Any,
        *,
        skip_refused: bool = False,
    ) -> BatchOut:
        states: dict[str, Mapping[str, Any] | None] = {}
        tickets: dict[str, TicketOut] = {}
        decisions: list[DecisionOut] = []
        refused: list[tuple[int, EngineRefusal]] = []
        for index, (path, event) in enumerate(items):
            if event.ticket not in states:
                states[event.ticket] = source.ticket(event.ticket)
            try:
                out = self.step(states[event.ticket], event, policy)
            except EngineRefusal as refusal:
                named = EngineRefusal(str(refusal), field=f"{path}{refusal.field}")
                if not skip_refused:
                    raise named from refusal
                refused.append((index, named))
                continue
            states[event.ticket] = out.state
            tickets[event.ticket] = out
            decisions += out.decisions
        return BatchOut(
            tickets=tickets,
            decisions=decisions,
            shared=None,
            shared_wakeup=None,
            refused=refused,
        )

    def step(self, state: Mapping[str, Any] | None, event: Event, policy: Any) -> Stepped:
        s: dict[str, Any] = {
            "deadlines": [],
            "fired": [],
            "escalations": {},
            **dict(state or {}),
        }
        s["deadlines"] = list(s["deadlines"])
        s["escalations"] = {k: dict(v) for k, v in s["escalations"].items()}
        decisions: list[DecisionOut] = []
        version = str(policy.version)
        if event.type == "ticket.created":
            after = BREACH_AFTER.get(event.data.priority, DEFAULT_BREACH)
            s["deadlines"].append(["sla_breach", (event.at + after).isoformat()])
        elif event.type == "escalation.requested":
            if event.data.to == "nowhere":
                raise EngineRefusal("no tier named 'nowhere'", field="data/to")
            s["escalations"][event.id] = {
                "to": event.data.to,
                "reason": event.data.reason,
                "status": "requested",
                "opened_at": event.at.isoformat(),
                "breach_at": (event.at + ACK_WITHIN).isoformat(),
            }
            s["deadlines"].append(["acknowledgement_missed", (event.at + ACK_WITHIN).isoformat()])
        elif event.type in ("escalation.accepted", "escalation.rejected"):
            status = "accepted" if event.type == "escalation.accepted" else "rejected"
            for esc in s["escalations"].values():
                if esc["status"] == "requested":
                    esc["status"] = status
            s["deadlines"] = [d for d in s["deadlines"] if d[0] != "acknowledgement_missed"]
        elif event.type == "ticket.resolved":
            s["deadlines"] = []
        due = [d for d in s["deadlines"] if _t(d[1]) <= event.at]
        for kind, at in due:
            decisions.append(
                DecisionOut(
                    id=f"{event.ticket}:{kind}:{at}",
                    ticket=event.ticket,
                    kind=kind,
                    due_at=_t(at),
                    reason=f"{kind} due at {at}",
                    policy_version=version,
                    body={"ticket": event.ticket},
                )
            )
            s["fired"].append(f"{kind}@{at}")
        s["deadlines"] = [d for d in s["deadlines"] if _t(d[1]) > event.at]
        wakeups = [_t(d[1]) for d in s["deadlines"]]
        breach = [_t(d[1]) for d in s["deadlines"] if d[0] == "sla_breach"]
        clocks = [
            ClockOut(
                name="resolution",
                status="running" if breach else "stopped",
                due_at=min(breach) if breach else None,
                breached=any(f.startswith("sla_breach") for f in s["fired"]),
                detail={"ledger": [{"from": d[1], "kind": d[0]} for d in s["deadlines"]]},
            )
        ]
        escalations = [
            EscalationOut(
                id=eid,
                kind="functional",
                to_level=e["to"],
                reason=e["reason"],
                status=e["status"],
                opened_at=_t(e["opened_at"]),
                breach_at=_t(e["breach_at"]),
                closed_at=None,
            )
            for eid, e in s["escalations"].items()
        ]
        return Stepped(
            state=s,
            next_wakeup=min(wakeups) if wakeups else None,
            clocks=clocks,
            escalations=escalations,
            decisions=decisions,
        )
