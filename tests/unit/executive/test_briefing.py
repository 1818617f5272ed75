from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from escalon.adapters.policy_files import load_default_policy
from escalon.domain.events import parse_event
from escalon.domain.executive import (
    CommunicationEntry,
    SlaLine,
    briefing_markdown,
    build_briefing,
    match_executive,
)

NOW = datetime(2025, 4, 1, 12, 30, tzinfo=UTC)
AUTHORITY = load_default_policy().authority


def _brief(raw: list[dict[str, Any]], now: datetime = NOW, **kw: Any) -> Any:
    events = [parse_event(e) for e in raw]
    return build_briefing(
        "T-7",
        events,
        now=now,
        matrix=AUTHORITY,
        executive_matching=AUTHORITY.executive_matching,
        **kw,
    )


def test_executive_matching_follows_the_policy() -> None:
    assert match_executive("director", AUTHORITY.executive_matching) == "vp_support"
    assert match_executive("c-level", AUTHORITY.executive_matching) == "c_level"
    assert match_executive("vp", {}) is None


def test_briefing_facts(raw_events: list[dict[str, Any]]) -> None:
    b = _brief(raw_events)
    assert b.engaging_role == "vp_support"
    assert b.priority == "P1"
    assert b.customer.name == "Acme Corp"
    assert "In the customer's words: Orders stopped syncing" in b.issue_summary
    assert b.customer_impact == [
        "All orders blocked",
        "Revenue at risk: $80,000",
        "Churn threat flagged",
        "Customer sentiment: upset",
    ]


def test_timeline_is_only_this_ticket_in_order_without_ticks(
    raw_events: list[dict[str, Any]],
) -> None:
    b = _brief(list(reversed(raw_events)))
    assert [t.what.split(" ")[0] for t in b.timeline] == [
        "Ticket",
        "Escalation",
        "Escalation",
        "Escalation",
        "Escalation",
        "Updated:",
        "$7,500",
    ]
    assert (
        b.timeline[2].what
        == "Escalation rejected by lee: handoff incomplete; feedback: add the logs"
    )


def test_events_after_now_are_left_out(raw_events: list[dict[str, Any]]) -> None:
    b = _brief(raw_events, now=datetime(2025, 4, 1, 10, 30, tzinfo=UTC))
    assert len(b.timeline) == 3
    assert b.priority == "P2"
    assert [e.outcome for e in b.escalations] == ["rejected"]


def test_escalations_pair_requests_with_outcomes(raw_events: list[dict[str, Any]]) -> None:
    first, second = _brief(raw_events).escalations
    assert (
        first.outcome == "rejected"
        and first.outcome_note == "handoff incomplete (feedback: add the logs)"
    )
    assert second.outcome == "accepted" and second.outcome_at == datetime(
        2025, 4, 1, 11, 5, tzinfo=UTC
    )


def test_options_stay_within_authority(raw_events: list[dict[str, Any]]) -> None:
    options = _brief(raw_events).resolution_options
    assert options[0] == "Technical: Fix audience"
    assert "Requested by sam: $7,500 service credit, approver vp_support" in options
    assert "Within vp_support's authority: service credit up to $25,000" in options
    assert options[-1] == "Beyond $25,000: needs c_level or above"


def test_markdown_sections(raw_events: list[dict[str, Any]]) -> None:
    log = [
        CommunicationEntry.model_validate(
            {
                "at": "2025-04-01T12:10:00Z",
                "channel": "call",
                "by": "vera",
                "with": "Acme CTO",
                "summary": "Explained the fix plan",
                "next_step": "written plan by 16:00",
            }
        )
    ]
    sla = [SlaLine(name="resolution", state="running", due=NOW, remaining="1h")]
    text = briefing_markdown(_brief(raw_events, communications=log, sla_status=sla))
    for heading in (
        "# Executive briefing: ticket T-7",
        "## Issue summary",
        "## Customer impact",
        "## Timeline",
        "## Escalations",
        "## SLA status",
        "## Proposed resolution options (within authority)",
        "## Communication log",
    ):
        assert heading in text
    assert "| resolution | running | 2025-04-01 12:30 UTC | 1h |" in text
    assert "- 2025-04-01 12:10 UTC — call by vera with Acme CTO: Explained the fix plan" in text
    assert "| 2025-04-01 10:00 UTC | L2 | technical_complexity | dana | rejected" in text


def test_management_status_and_daily_updates(raw_events: list[dict[str, Any]]) -> None:
    from datetime import timedelta

    from escalon.domain.executive import ManagementEscalation

    raw_events.append(
        {
            "id": "m1",
            "type": "management.responded",
            "at": "2025-04-01T11:00:00Z",
            "ticket": "T-7",
            "data": {"milestone": "status_update", "by": "vera", "note": "fix in testing"},
        }
    )
    escalation = ManagementEscalation(
        level="vp_support", escalated_at=datetime(2025, 4, 1, 9, tzinfo=UTC), triggers=["x"]
    )
    late = datetime(2025, 4, 2, 13, 0, tzinfo=UTC)
    b = _brief(raw_events, now=late, management=escalation, status_update_cadence=timedelta(days=1))
    assert b.management is not None and b.management.status_updates is not None
    plan = b.management.status_updates
    assert plan.sent == 1 and plan.next_due == datetime(2025, 4, 2, 11, tzinfo=UTC)
    assert plan.overdue_by == timedelta(hours=2)
    assert "Management response by vera: status update: fix in testing" in [
        t.what for t in b.timeline
    ]
    text = briefing_markdown(b)
    assert "- **Management escalation:** vp_support since 2025-04-01 09:00 UTC (x)" in text
    assert (
        "- **Daily status updates:** 1 sent; next due 2025-04-02 11:00 UTC, overdue by 2h" in text
    )


def test_no_management_section_without_a_management_escalation(
    raw_events: list[dict[str, Any]],
) -> None:
    assert "Management escalation" not in briefing_markdown(_brief(raw_events))
