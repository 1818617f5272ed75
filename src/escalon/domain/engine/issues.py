"""Cross-ticket facts: "the same issue" (the issue key), its history, and policy scopes.

Shared by criteria (repeated failure), management (repeated escalation) and the escalation
bookkeeping, so it depends on nothing else in the engine.
"""

from __future__ import annotations

from typing import Any

from escalon.domain.engine.context import Context
from escalon.domain.engine.state import TicketState


def in_scope(criterion: Any, ticket: TicketState) -> bool:
    """Criteria and triggers may be limited to some priorities and segments."""
    return (criterion.priorities is None or ticket.priority in criterion.priorities) and (
        criterion.segments is None or ticket.segment in criterion.segments
    )


def issue_key(ctx: Context, ticket: TicketState) -> str | None:
    """ "The same issue": the policy's key fields, or the explicit signature when it overrides.

    A ticket with neither a signature nor any of the non-customer key fields has no issue key
    (a bare customer id would make every ticket of that customer "the same issue").
    """
    signature = ticket.signature if ctx.book.policy.issue_key.signature_overrides else None
    parts = []
    described = signature is not None
    for name in ctx.book.issue_fields:
        if name == "customer":
            parts.append(ticket.customer)
        elif signature is None:
            value = getattr(ticket, name)
            described = described or value is not None
            parts.append(str(value or "-"))
    if signature is not None:
        parts.append("sig:" + signature)
    return "|".join(parts) if described else None


def issue_history(ctx: Context, ticket: TicketState) -> dict[str, dict[str, int]] | None:
    """The ticket's entry in the repeated-issue index (created on first use)."""
    key = issue_key(ctx, ticket)
    if key is None:
        return None
    issues = ctx.state.indexes.issues
    history = issues.get(key)
    if history is None:
        history = issues[key] = {"tickets": {}, "escalations": {}}
    return history


def recurrences(ctx: Context, ticket: TicketState, window_us: int) -> int:
    """Earlier tickets of the same issue, opened within the window and already resolved once:
    the issue came back despite an attempted resolution."""
    key = issue_key(ctx, ticket)
    history = ctx.state.indexes.issues.get(key) if key is not None else None
    if history is None:
        return 0
    since = ticket.opened - window_us
    tickets = ctx.state.tickets
    count = 0
    for other, opened in history["tickets"].items():
        if other == ticket.id or not since <= opened <= ticket.opened:
            continue
        known = tickets.get(other)
        if known is None or known.resolved_at is not None or known.closed:
            count += 1
    return count
