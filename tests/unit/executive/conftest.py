from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def raw_events() -> list[dict[str, Any]]:
    """An enterprise P1 that went L1 -> L2 (rejected once), then got a credit request."""
    handoff = {
        "issue_summary": {
            "customer_description": "Orders stopped syncing",
            "technical_description": "ERP webhook returns 401",
            "impact": "All orders blocked",
        },
        "hypothesis": {"likely_cause": "token audience", "recommended_action": "Fix audience"},
        "current_status": {"customer_sentiment": "upset"},
    }
    return [
        {
            "id": "e1",
            "type": "ticket.created",
            "at": "2025-04-01T09:00:00Z",
            "ticket": "T-7",
            "data": {
                "subject": "ERP sync down",
                "priority": "P2",
                "category": "integration",
                "customer": {
                    "id": "acme",
                    "name": "Acme Corp",
                    "segment": "enterprise",
                    "executive_level": "director",
                },
                "revenue_at_risk": "80000",
            },
        },
        {
            "id": "e2",
            "type": "escalation.requested",
            "at": "2025-04-01T10:00:00Z",
            "ticket": "T-7",
            "data": {"to": "L2", "reason": "technical_complexity", "requested_by": "dana"},
        },
        {
            "id": "e3",
            "type": "escalation.rejected",
            "at": "2025-04-01T10:20:00Z",
            "ticket": "T-7",
            "data": {"by": "lee", "reason": "handoff incomplete", "feedback": "add the logs"},
        },
        {
            "id": "e4",
            "type": "escalation.requested",
            "at": "2025-04-01T11:00:00Z",
            "ticket": "T-7",
            "data": {
                "to": "L2",
                "reason": "technical_complexity",
                "requested_by": "dana",
                "justification": "401s",
                "handoff": handoff,
            },
        },
        {
            "id": "e5",
            "type": "escalation.accepted",
            "at": "2025-04-01T11:05:00Z",
            "ticket": "T-7",
            "data": {"by": "lee"},
        },
        {
            "id": "e6",
            "type": "ticket.updated",
            "at": "2025-04-01T11:30:00Z",
            "ticket": "T-7",
            "data": {"priority": "P1", "churn_threat": True},
        },
        {
            "id": "e7",
            "type": "credit.requested",
            "at": "2025-04-01T12:00:00Z",
            "ticket": "T-7",
            "data": {"amount": "7500", "requested_by": "sam"},
        },
        {
            "id": "x1",
            "type": "ticket.created",
            "at": "2025-04-01T09:30:00Z",
            "ticket": "T-8",
            "data": {"customer": {"id": "other"}},
        },
        {"id": "t1", "type": "tick", "at": "2025-04-01T13:00:00Z", "ticket": "*"},
    ]
