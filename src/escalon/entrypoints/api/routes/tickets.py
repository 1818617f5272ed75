"""Tickets, the escalation queue and handoffs (submitted as canonical escalation events)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from escalon.domain.events import EscalationAccepted, EscalationRejected, EscalationRequested
from escalon.entrypoints.api.deps import HandingOff, ServiceDep, may
from escalon.entrypoints.api.schemas import (
    AcceptIn,
    ClockOut,
    CommandOut,
    DecisionOut,
    DeliveryAttemptOut,
    DeliveryOut,
    EscalationOut,
    HandoffIn,
    QueueEntryOut,
    RejectIn,
    TicketDetailOut,
    TicketOut,
    TimelineEntryOut,
)
from escalon.services import queries

router = APIRouter(prefix="/api/v1", tags=["tickets"])
TicketId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/tickets", response_model=list[TicketOut], dependencies=[may("tickets:read")])
def list_tickets(
    service: ServiceDep,
    status: str | None = None,
    priority: str | None = None,
    tier: str | None = None,
    team: str | None = None,
    agent: str | None = None,
    customer: str | None = None,
    segment: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[TicketOut]:
    """Tickets, most recently updated first, filtered on any of the listed fields."""
    filters = {
        "status": status,
        "priority": priority,
        "tier": tier,
        "team": team,
        "agent": agent,
        "customer_id": customer,
        "segment": segment,
    }
    rows = queries.list_tickets(service.uow, filters, limit, offset)
    return [TicketOut.model_validate(r) for r in rows]


@router.get("/tickets/{ticket}", response_model=TicketDetailOut, dependencies=[may("tickets:read")])
def ticket_detail(ticket: TicketId, service: ServiceDep) -> TicketDetailOut:
    """State, clocks with their ledgers, decisions with reasons, the messages sent about the
    ticket with their delivery logs, and the timeline."""
    story = queries.ticket_story(service.uow, ticket, service.outbox)
    return TicketDetailOut(
        ticket=TicketOut.model_validate(story.ticket),
        state=dict(story.ticket["state"]),
        clocks=[ClockOut.model_validate(c) for c in story.clocks],
        escalations=[EscalationOut.model_validate(e) for e in story.escalations],
        decisions=[DecisionOut.model_validate(d) for d in story.decisions],
        deliveries=[
            DeliveryOut(
                key=entry.key,
                channel=entry.message.channel,
                target=entry.message.target,
                kind=entry.message.notification.kind,
                decision_id=entry.message.notification.decision_id,
                status=entry.status,
                attempts=entry.attempts,
                due_at=entry.due_at,
                log=[DeliveryAttemptOut.model_validate(a.model_dump()) for a in entry.log],
            )
            for entry in story.deliveries
        ],
        timeline=[TimelineEntryOut.model_validate(e) for e in story.timeline()],
    )


@router.get(
    "/escalations",
    response_model=list[QueueEntryOut],
    tags=["escalations"],
    dependencies=[may("escalations:read")],
)
def escalation_queue(
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[QueueEntryOut]:
    """Open escalations, the closest to breach first."""
    now = service.clock()
    out = []
    for row in queries.escalation_queue(service.uow, limit):
        breach = row["breach_at"]
        left = (breach - now).total_seconds() if breach is not None else None
        out.append(QueueEntryOut.model_validate({**row, "seconds_to_breach": left}))
    return out


def _command(event: Any, result: Any) -> CommandOut:
    return CommandOut(
        event_id=event.id,
        ticket=event.ticket,
        type=event.type,
        decisions=result.decisions,
        duplicate=result.stored == 0,
    )


def _data(model: Any, body: Any) -> Any:
    return model.model_validate(body.model_dump(exclude={"id"}))


@router.post("/tickets/{ticket}/handoffs", response_model=CommandOut, tags=["handoffs"])
def submit_handoff(
    ticket: TicketId, body: HandoffIn, service: ServiceDep, caller: HandingOff
) -> CommandOut:
    """Request an escalation with its handoff form (an `escalation.requested` event)."""
    data = _data(EscalationRequested, body)
    event, result = service.handoffs.submit(ticket, data, caller, service.clock(), body.id)
    return _command(event, result)


@router.post("/tickets/{ticket}/handoffs/accept", response_model=CommandOut, tags=["handoffs"])
def accept_handoff(
    ticket: TicketId, body: AcceptIn, service: ServiceDep, caller: HandingOff
) -> CommandOut:
    """The receiving tier acknowledges and takes ownership (`escalation.accepted`)."""
    data = _data(EscalationAccepted, body)
    event, result = service.handoffs.accept(ticket, data, caller, service.clock(), body.id)
    return _command(event, result)


@router.post("/tickets/{ticket}/handoffs/reject", response_model=CommandOut, tags=["handoffs"])
def reject_handoff(
    ticket: TicketId, body: RejectIn, service: ServiceDep, caller: HandingOff
) -> CommandOut:
    """The receiving tier sends the ticket back with a reason (`escalation.rejected`)."""
    data = _data(EscalationRejected, body)
    event, result = service.handoffs.reject(ticket, data, caller, service.clock(), body.id)
    return _command(event, result)
