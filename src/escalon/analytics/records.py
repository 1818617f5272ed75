"""Columnar escalation records: one row per escalation, one per ticket, derived from events.

The dashboard never reads events directly. `build_records` walks each ticket's events once and
writes what the metrics need as plain columns (Arrow tables, Parquet on disk), so DuckDB can
answer every figure with a scan. Column meanings are the contract documented in docs/metrics.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa

from escalon.analytics.ops_records import OpsRecord
from escalon.domain.engine import Decision
from escalon.domain.events import (
    AssignedEvent,
    CreditRequestedEvent,
    CsatReceivedEvent,
    EscalationRejectedEvent,
    EscalationRequestedEvent,
    Event,
    TicketCreatedEvent,
    TicketReopenedEvent,
    TicketResolvedEvent,
    TicketUpdatedEvent,
)

MANAGEMENT_TIERS = frozenset({"management", "manager", "executive", "mgmt"})
_TS = pa.timestamp("us", tz="UTC")

ESCALATION_SCHEMA = pa.schema(
    [
        ("escalation_id", pa.string()),
        ("ticket_id", pa.string()),
        ("source", pa.string()),
        ("requested_at", _TS),
        ("month", pa.int32()),
        ("from_tier", pa.string()),
        ("to_tier", pa.string()),
        ("path", pa.string()),
        ("reason", pa.string()),
        ("from_team", pa.string()),
        ("from_agent", pa.string()),
        ("to_team", pa.string()),
        ("priority", pa.string()),
        ("category", pa.string()),
        ("product_area", pa.string()),
        ("segment", pa.string()),
        ("region", pa.string()),
        ("customer_id", pa.string()),
        ("issue_signature", pa.string()),
        ("resolved_at_tier", pa.bool_()),
        ("escalated_further", pa.bool_()),
        ("returned", pa.bool_()),
        ("rejected", pa.bool_()),
        ("resolution_hours", pa.float64()),
        ("handling_hours", pa.float64()),
        ("re_escalation", pa.bool_()),
        ("reopen_driven", pa.bool_()),
        ("over_escalation", pa.string()),
    ]
)
TICKET_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("created_at", _TS),
        ("month", pa.int32()),
        ("customer_id", pa.string()),
        ("priority", pa.string()),
        ("category", pa.string()),
        ("product_area", pa.string()),
        ("segment", pa.string()),
        ("region", pa.string()),
        ("team", pa.string()),
        ("agent", pa.string()),
        ("escalations", pa.int32()),
        ("reopens", pa.int32()),
        ("tier_bounces", pa.int32()),
        ("team_changes", pa.int32()),
        ("resolved", pa.bool_()),
        ("fcr", pa.bool_()),
        ("csat", pa.int8()),
    ]
)
CREDIT_SCHEMA = pa.schema(
    [
        ("ticket_id", pa.string()),
        ("at", _TS),
        ("month", pa.int32()),
        ("amount", pa.float64()),
        ("kind", pa.string()),
        ("escalated", pa.bool_()),
    ]
)
INITIATIVE_SCHEMA = pa.schema(
    [("id", pa.string()), ("kind", pa.string()), ("at", _TS), ("month", pa.int32())]
)
CHURN_SCHEMA = pa.schema([("customer_id", pa.string()), ("at", _TS), ("month", pa.int32())])


def month_of(at: datetime) -> int:
    """The UTC calendar month as yyyymm: the period key every table is filtered on."""
    utc = at.astimezone(UTC)
    return utc.year * 100 + utc.month


def tier_rank(tier: str) -> int | None:
    """L1 < L2 < L3 < L4; other names (management, custom queues) have no rank."""
    found = re.fullmatch(r"[Ll](\d+)", tier.strip())
    return int(found.group(1)) if found else None


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


@dataclass
class EscalationRecords:
    """The five tables the dashboard is computed from."""

    escalations: pa.Table
    tickets: pa.Table
    credits: pa.Table
    initiatives: pa.Table
    churn: pa.Table

    def months(self) -> list[int]:
        found = set(self.tickets.column("month").to_pylist())
        found |= set(self.escalations.column("month").to_pylist())
        return sorted(m for m in found if m is not None)


@dataclass
class _Ticket:
    """Running state of one ticket while its events are walked in time order."""

    row: dict[str, object]
    tier: str
    team: str | None
    agent: str | None
    holding: dict[str, object] | None = None
    management: list[dict[str, object]] = field(default_factory=list)
    escalated_before: bool = False
    came_back: bool = False
    reopened_since: bool = False
    went_down: bool = False
    resolved_at: datetime | None = None


# what an automatic escalation's criterion means as a canonical escalation reason
CRITERION_REASONS = {
    "time": "sla_breach_risk",
    "engineering_required": "engineering_required",
    "vendor_dependency": "vendor_dependency",
    "impact": "impact",
    "repeated_failure": "repeated_failure",
}
MANAGEMENT_REASONS = {"repeat_issue": "repeated_failure", "repeated_issue": "repeated_failure"}


def build_records(
    events: Iterable[Event],
    ops_records: Sequence[OpsRecord] = (),
    decisions: Iterable[Decision] = (),
) -> EscalationRecords:
    """Walk events (and the engine's decisions) in time order and emit the record tables.

    Escalations the engine adds are records too (`source = engine`): an `escalate` decision
    nobody requested (time-based, criteria) and the first `management_escalation` of a ticket
    (later ones raise the same escalation up the management chain). At one instant, events come
    before the decisions they caused.
    """
    tickets: dict[str, _Ticket] = {}
    escalations: list[dict[str, object]] = []
    credits: list[dict[str, object]] = []
    initiatives: list[dict[str, object]] = []
    stream: list[tuple[datetime, int, Event | Decision]] = [(e.at, 0, e) for e in events]
    stream += [(d.at, 1, d) for d in decisions if d.kind in ("escalate", "management_escalation")]
    stream.sort(key=lambda item: (item[0], item[1]))
    for _, _, event in stream:
        if isinstance(event, Decision):
            state = tickets.get(event.ticket)
            added = None if state is None else _engine_escalation(state, event)
            if added is not None:
                escalations.append(added)
            continue
        if isinstance(event, TicketCreatedEvent):
            tickets[event.ticket] = _created(event)
            continue
        state = tickets.get(event.ticket)
        if state is None:
            continue  # an event for a ticket we never saw created: nothing to attribute it to
        if isinstance(event, TicketUpdatedEvent):
            _updated(state, event)
        elif isinstance(event, EscalationRequestedEvent):
            if event.data.to == state.tier and state.holding is not None:
                continue  # the engine had already escalated it there on time
            escalations.append(
                _escalated(state, event.id, event.at, event.data.to, event.data.reason)
            )
        elif isinstance(event, EscalationRejectedEvent):
            _rejected(state, event.at)
        elif isinstance(event, AssignedEvent):
            implicit = _assigned(state, event)
            if implicit is not None:
                escalations.append(implicit)
        elif isinstance(event, TicketResolvedEvent):
            _resolved(state, event)
            if event.data.kb_article and state.escalated_before:
                initiatives.append(
                    {"id": event.data.kb_article, "kind": "kb_article", "at": event.at}
                )
        elif isinstance(event, TicketReopenedEvent):
            state.row["reopens"] = int(state.row["reopens"]) + 1  # type: ignore[call-overload]
            state.reopened_since = True
            state.resolved_at = None
            state.row["resolved"] = False
        elif isinstance(event, CsatReceivedEvent):
            state.row["csat"] = event.data.score
        elif isinstance(event, CreditRequestedEvent):
            credits.append(
                {
                    "ticket_id": event.ticket,
                    "at": event.at,
                    "amount": float(event.data.amount),
                    "kind": event.data.kind,
                    "escalated": state.escalated_before or bool(state.management),
                }
            )
    return _tables(tickets, escalations, credits, initiatives, ops_records)


def _created(event: TicketCreatedEvent) -> _Ticket:
    d = event.data
    row: dict[str, object] = {
        "ticket_id": event.ticket,
        "created_at": event.at,
        "customer_id": d.customer.id,
        "priority": d.priority,
        "category": d.category,
        "product_area": d.product_area,
        "segment": d.customer.segment,
        "region": d.customer.region,
        "issue_signature": d.issue_signature,
        "team": d.team,
        "agent": d.agent,
        "escalations": 0,
        "reopens": 0,
        "tier_bounces": 0,
        "team_changes": 0,
        "resolved": False,
        "fcr": False,
        "csat": None,
    }
    return _Ticket(row=row, tier=d.tier, team=d.team, agent=d.agent)


def _updated(state: _Ticket, event: TicketUpdatedEvent) -> None:
    d = event.data
    for key in ("priority", "category", "product_area", "issue_signature"):
        value = getattr(d, key)
        if value is not None:
            state.row[key] = value
    if d.customer is not None:
        state.row.update(
            customer_id=d.customer.id, segment=d.customer.segment, region=d.customer.region
        )


def _end_holding(state: _Ticket, at: datetime, outcome: str) -> None:
    if state.holding is None:
        return
    state.holding[outcome] = True
    state.holding["handling_hours"] = _hours(state.holding["requested_at"], at)  # type: ignore[arg-type]
    state.holding = None


def _engine_escalation(state: _Ticket, decision: Decision) -> dict[str, object] | None:
    facts = decision.facts
    if decision.kind == "escalate":
        to = facts.get("to")
        if facts.get("requested_by") or not isinstance(to, str) or facts.get("from") != state.tier:
            return None  # the engine confirming a requested escalation, or a stale one
        reason = CRITERION_REASONS.get(str(facts.get("criterion")), "other")
        return _escalated(state, decision.id, decision.at, to, reason, source="engine")
    if any(r["handling_hours"] is None for r in state.management):
        return None
    reason = MANAGEMENT_REASONS.get(str(facts.get("trigger")), "impact")
    return _escalated(state, decision.id, decision.at, "management", reason, source="engine")


def _escalated(
    state: _Ticket,
    escalation_id: str,
    at: datetime,
    to: str,
    reason: str,
    *,
    source: str = "event",
) -> dict[str, object]:
    management = to.strip().lower() in MANAGEMENT_TIERS
    row = state.row
    record: dict[str, object] = {
        "escalation_id": escalation_id,
        "ticket_id": row["ticket_id"],
        "source": source,
        "requested_at": at,
        "from_tier": state.tier,
        "to_tier": "management" if management else to,
        "path": "management" if management else f"{state.tier}->{to}",
        "reason": reason,
        "from_team": state.team,
        "from_agent": state.agent,
        "to_team": None,
        **{k: row[k] for k in _TICKET_ATTRIBUTES},
        "resolved_at_tier": False,
        "escalated_further": False,
        "returned": False,
        "rejected": False,
        "resolution_hours": None,
        "handling_hours": None,
        "re_escalation": False,
        "reopen_driven": state.reopened_since,
        "over_escalation": None,
    }
    row["escalations"] = int(row["escalations"]) + 1  # type: ignore[call-overload]
    if management:
        state.management.append(record)
        return record
    record["re_escalation"] = state.escalated_before and (state.came_back or state.reopened_since)
    if state.went_down:
        row["tier_bounces"] = int(row["tier_bounces"]) + 1  # type: ignore[call-overload]
        state.went_down = False
    _end_holding(state, at, "escalated_further")
    state.holding = record
    state.escalated_before = True
    state.came_back = state.reopened_since = False
    state.tier = to
    return record


_TICKET_ATTRIBUTES = (
    "priority",
    "category",
    "product_area",
    "segment",
    "region",
    "customer_id",
    "issue_signature",
)


def _rejected(state: _Ticket, at: datetime) -> None:
    if state.holding is None:
        return
    state.tier = str(state.holding["from_tier"])
    _end_holding(state, at, "rejected")


def _assigned(state: _Ticket, event: AssignedEvent) -> dict[str, object] | None:
    """Follow tier and team moves; a move up with no request counts as an escalation."""
    d = event.data
    implicit: dict[str, object] | None = None
    if d.tier is not None and d.tier != state.tier:
        new, old = tier_rank(d.tier), tier_rank(state.tier)
        if new is not None and old is not None and new < old:
            _end_holding(state, event.at, "returned")
            state.came_back = state.went_down = True
            state.tier = d.tier
        elif new is not None and old is not None and new > old:
            implicit = _escalated(state, event.id, event.at, d.tier, "other")
    if d.team is not None and d.team != state.team:
        state.row["team_changes"] = int(state.row["team_changes"]) + 1  # type: ignore[call-overload]
        state.team = d.team
    if d.agent is not None:
        state.agent = d.agent
    if state.holding is not None and state.holding["to_team"] is None:
        state.holding["to_team"] = state.team
    return implicit


def _resolved(state: _Ticket, event: TicketResolvedEvent) -> None:
    state.resolved_at = event.at
    state.row["resolved"] = True
    if state.holding is not None:
        state.holding["resolution_hours"] = _hours(state.holding["requested_at"], event.at)  # type: ignore[arg-type]
        if event.data.over_escalation is not None:
            state.holding["over_escalation"] = event.data.over_escalation
        _end_holding(state, event.at, "resolved_at_tier")
    for record in state.management:
        if record["handling_hours"] is None:
            record["handling_hours"] = _hours(record["requested_at"], event.at)  # type: ignore[arg-type]
            record["resolution_hours"] = record["handling_hours"]
            record["resolved_at_tier"] = True


def _tables(
    tickets: dict[str, _Ticket],
    escalations: list[dict[str, object]],
    credits: list[dict[str, object]],
    initiatives: list[dict[str, object]],
    ops_records: Sequence[OpsRecord],
) -> EscalationRecords:
    ticket_rows = []
    for state in tickets.values():
        row = dict(state.row)
        row["fcr"] = bool(
            row["resolved"]
            and row["escalations"] == 0
            and row["reopens"] == 0
            and row["team_changes"] == 0
        )
        row["month"] = month_of(row["created_at"])  # type: ignore[arg-type]
        ticket_rows.append(row)
    for row in escalations:
        row["month"] = month_of(row["requested_at"])  # type: ignore[arg-type]
    churn: list[dict[str, object]] = [
        {"customer_id": r.customer, "at": r.at} for r in ops_records if r.kind == "churn"
    ]
    initiatives = initiatives + [
        {"id": r.id, "kind": r.kind, "at": r.at} for r in ops_records if r.kind != "churn"
    ]
    dated_rows: list[dict[str, object]] = [*credits, *initiatives, *churn]
    for dated in dated_rows:
        dated["month"] = month_of(dated["at"])  # type: ignore[arg-type]
    return EscalationRecords(
        escalations=pa.Table.from_pylist(escalations, schema=ESCALATION_SCHEMA),
        tickets=pa.Table.from_pylist(ticket_rows, schema=TICKET_SCHEMA),
        credits=pa.Table.from_pylist(credits, schema=CREDIT_SCHEMA),
        initiatives=pa.Table.from_pylist(initiatives, schema=INITIATIVE_SCHEMA),
        churn=pa.Table.from_pylist(churn, schema=CHURN_SCHEMA),
    )
