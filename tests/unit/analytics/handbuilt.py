"""A small April 2025 event log whose every dashboard figure is worked out by hand.

Timeline (UTC), with the hand computation each test checks:
  T1 Alpha, enterprise EMEA, API integration, technical: L1->L2 10:00, resolved 14:00 (4 h),
     over-escalation knowledge_gap, KB-1 written; CSAT 3.
  T2 Alpha, smb AMER, billing: resolved at L1 (FCR), KB-2 (not escalation-related); CSAT 5.
  T3 Delta, enterprise EMEA, API integration, technical: L1->L2 09:30, L2->L3 11:30 (2 h at L2),
     resolved next day 05:30 (18 h at L3); CSAT 2; service credit $500.
  T4 Delta, mid-market APAC, Reporting, general: L1->L2 10:00, sent back to L1 12:00 (2 h),
     escalated again 13:00 (a re-escalation), resolved 15:00 (2 h), tool_limitation.
  T5 Alpha, enterprise EMEA, API integration, technical: resolved at L1, reopened, L1->L2 10:00
     (reopen-driven), management 11:00 (from L2, Integrations), resolved 16:00 (6 h at L2,
     5 h for management); CSAT 4.
  T6 Alpha, smb AMER, Reporting, general: resolved at L1 (FCR); CSAT 4.
  T7 Delta, smb AMER, API integration, technical: L1->L2 10:00 for SLA breach risk, still open.
  M1, M2: two March escalations (the previous period); M1 is C5's.
  Churn: C1 on 04-20 (escalated T1, T3) and C5 on 04-21 (M1 in March is within 90 days): 2.
"""

from __future__ import annotations

from typing import Any

from escalon.analytics.ops_records import OpsRecord, parse_ops_records
from escalon.domain.events import Event, parse_event

CUSTOMERS = {
    "C1": {"id": "C1", "segment": "enterprise", "region": "EMEA"},
    "C2": {"id": "C2", "segment": "smb", "region": "AMER"},
    "C3": {"id": "C3", "segment": "mid-market", "region": "APAC"},
    "C4": {"id": "C4", "segment": "enterprise", "region": "EMEA"},
    "C5": {"id": "C5", "segment": "smb", "region": "AMER"},
}


def _log() -> list[tuple[str, str, str, dict[str, Any]]]:
    def created(customer: str, category: str, area: str, team: str) -> dict[str, Any]:
        return {
            "customer": CUSTOMERS[customer],
            "category": category,
            "product_area": area,
            "tier": "L1",
            "team": team,
            "agent": f"{team[-5:].lower()}-1",
        }

    def to_l2(team: str) -> dict[str, Any]:
        return {"tier": "L2", "team": team, "agent": f"{team.lower()}-1"}

    return [
        (
            "T1",
            "ticket.created",
            "2025-04-01T09:00:00Z",
            created("C1", "technical", "API integration", "Team Alpha"),
        ),
        (
            "T1",
            "escalation.requested",
            "2025-04-01T10:00:00Z",
            {"to": "L2", "reason": "technical_complexity"},
        ),
        ("T1", "ticket.assigned", "2025-04-01T10:00:00Z", to_l2("Integrations")),
        (
            "T1",
            "ticket.resolved",
            "2025-04-01T14:00:00Z",
            {"over_escalation": "knowledge_gap", "kb_article": "KB-1"},
        ),
        ("T1", "csat.received", "2025-04-01T18:00:00Z", {"score": 3}),
        (
            "T2",
            "ticket.created",
            "2025-04-02T09:00:00Z",
            created("C2", "billing", "Billing", "Team Alpha"),
        ),
        ("T2", "ticket.resolved", "2025-04-02T10:00:00Z", {"kb_article": "KB-2"}),
        ("T2", "csat.received", "2025-04-02T12:00:00Z", {"score": 5}),
        (
            "T3",
            "ticket.created",
            "2025-04-03T09:00:00Z",
            created("C1", "technical", "API integration", "Team Delta"),
        ),
        (
            "T3",
            "escalation.requested",
            "2025-04-03T09:30:00Z",
            {"to": "L2", "reason": "product_bug"},
        ),
        ("T3", "ticket.assigned", "2025-04-03T09:30:00Z", to_l2("Integrations")),
        (
            "T3",
            "escalation.requested",
            "2025-04-03T11:30:00Z",
            {"to": "L3", "reason": "engineering_required"},
        ),
        ("T3", "ticket.assigned", "2025-04-03T11:30:00Z", {"tier": "L3", "team": "Engineering"}),
        ("T3", "ticket.resolved", "2025-04-04T05:30:00Z", {}),
        (
            "T3",
            "credit.requested",
            "2025-04-04T06:00:00Z",
            {"amount": "500", "kind": "service_credit"},
        ),
        ("T3", "csat.received", "2025-04-04T09:00:00Z", {"score": 2}),
        (
            "T4",
            "ticket.created",
            "2025-04-05T09:00:00Z",
            created("C3", "general", "Reporting", "Team Delta"),
        ),
        (
            "T4",
            "escalation.requested",
            "2025-04-05T10:00:00Z",
            {"to": "L2", "reason": "customer_requested"},
        ),
        ("T4", "ticket.assigned", "2025-04-05T10:00:00Z", to_l2("Platform")),
        ("T4", "ticket.assigned", "2025-04-05T12:00:00Z", {"tier": "L1", "team": "Team Delta"}),
        (
            "T4",
            "escalation.requested",
            "2025-04-05T13:00:00Z",
            {"to": "L2", "reason": "customer_requested"},
        ),
        ("T4", "ticket.assigned", "2025-04-05T13:00:00Z", to_l2("Platform")),
        ("T4", "ticket.resolved", "2025-04-05T15:00:00Z", {"over_escalation": "tool_limitation"}),
        (
            "T5",
            "ticket.created",
            "2025-04-06T09:00:00Z",
            created("C4", "technical", "API integration", "Team Alpha"),
        ),
        ("T5", "ticket.resolved", "2025-04-06T09:30:00Z", {}),
        ("T5", "ticket.reopened", "2025-04-07T09:00:00Z", {}),
        (
            "T5",
            "escalation.requested",
            "2025-04-07T10:00:00Z",
            {"to": "L2", "reason": "integration_issue"},
        ),
        ("T5", "ticket.assigned", "2025-04-07T10:00:00Z", to_l2("Integrations")),
        (
            "T5",
            "escalation.requested",
            "2025-04-07T11:00:00Z",
            {"to": "management", "reason": "customer_requested"},
        ),
        ("T5", "ticket.resolved", "2025-04-07T16:00:00Z", {}),
        ("T5", "csat.received", "2025-04-07T18:00:00Z", {"score": 4}),
        (
            "T6",
            "ticket.created",
            "2025-04-08T09:00:00Z",
            created("C5", "general", "Reporting", "Team Alpha"),
        ),
        ("T6", "ticket.resolved", "2025-04-08T09:20:00Z", {}),
        ("T6", "csat.received", "2025-04-08T10:00:00Z", {"score": 4}),
        (
            "T7",
            "ticket.created",
            "2025-04-09T09:00:00Z",
            created("C2", "technical", "API integration", "Team Delta"),
        ),
        (
            "T7",
            "escalation.requested",
            "2025-04-09T10:00:00Z",
            {"to": "L2", "reason": "sla_breach_risk"},
        ),
        (
            "M1",
            "ticket.created",
            "2025-03-15T09:00:00Z",
            created("C5", "general", "Reporting", "Team Alpha"),
        ),
        ("M1", "escalation.requested", "2025-03-15T10:00:00Z", {"to": "L2", "reason": "other"}),
        ("M1", "ticket.resolved", "2025-03-15T11:00:00Z", {}),
        (
            "M2",
            "ticket.created",
            "2025-03-16T09:00:00Z",
            created("C3", "general", "Reporting", "Team Alpha"),
        ),
        ("M2", "escalation.requested", "2025-03-16T10:00:00Z", {"to": "L2", "reason": "other"}),
    ]


def handbuilt_events() -> list[Event]:
    return [
        parse_event(
            {"id": f"{ticket}-{n:02d}", "type": kind, "at": at, "ticket": ticket, "data": data}
        )
        for n, (ticket, kind, at, data) in enumerate(_log())
    ]


def handbuilt_ops_records() -> list[OpsRecord]:
    lines = [
        '{"id": "ch-1", "kind": "churn", "at": "2025-04-20T00:00:00Z", "customer": "C1"}',
        '{"id": "ch-5", "kind": "churn", "at": "2025-04-21T00:00:00Z", "customer": "C5"}',
        '{"id": "tr-1", "kind": "training", "at": "2025-04-10T09:00:00Z", "team": "Team Delta"}',
        '{"id": "tr-0", "kind": "training", "at": "2025-03-10T09:00:00Z"}',
        '{"id": "pc-1", "kind": "process_change", "at": "2025-04-11T09:00:00Z"}',
    ]
    return parse_ops_records(lines)
