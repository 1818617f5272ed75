"""Credits, discounts and contract changes: route each request to the lowest role allowed.

A `credit.requested` event is checked against the policy's authority matrix
(`escalon.domain.authority`); the engine decides `approval_required`, naming the least senior
role that may approve it, so the request reaches someone who can say yes instead of whoever the
agent asks first. When no role may approve it, the decision says so and names nobody.
"""

from __future__ import annotations

from decimal import Decimal

from escalon.domain.authority import money, request_authority
from escalon.domain.engine.context import Context
from escalon.domain.engine.decisions import us_to_datetime
from escalon.domain.engine.records import EventRecord
from escalon.domain.engine.state import TicketState

_LABEL = {
    "service_credit": "service credit",
    "discount": "discount",
    "contract_change": "contract change",
}


def credit_requested(ctx: Context, ticket: TicketState, event: EventRecord) -> None:
    """Decide who must approve the request (the audit trail is the decision itself)."""
    data = event.data
    kind = data.get("kind", "service_credit")
    amount = Decimal(str(data["amount"]))
    request = request_authority(
        ctx.book.policy.authority,
        request_id=event.id,
        ticket=ticket.id,
        kind=kind,
        amount=amount,
        at=us_to_datetime(event.at),
        requested_by=data.get("requested_by"),
        reason=data.get("reason"),
    )
    who = data.get("requested_by") or "an unnamed agent"
    ctx.emit(
        ticket,
        "approval_required",
        subject=ticket.id,
        rule=f"authority:{kind}",
        key=event.id,
        at=event.at,
        reason=(
            f"{money(amount)} {_LABEL[kind]} requested by {who}: {request.routing_reason} "
            f"(authority matrix, policy {ctx.book.policy.version})"
        ),
        facts={
            "request_kind": kind,
            "amount": float(amount),
            "approver": request.routed_to,
            "routing": request.routing_reason,
            "requested_by": data.get("requested_by"),
            "request_reason": data.get("reason"),
            "event": event.id,
        },
    )
