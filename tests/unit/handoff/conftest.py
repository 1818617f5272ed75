from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def filled() -> dict[str, Any]:
    """A handoff with every originating-tier field filled."""
    return {
        "ticket_information": {
            "ticket_id": "T-1042",
            "priority": "P2",
            "escalation_from": "L1 / Dana",
            "escalation_to": "L2 Integrations",
            "escalation_time": "2025-04-01T13:00:00Z",
            "sla_remaining": "2h30m",
        },
        "issue_summary": {
            "customer_description": "Orders stopped syncing to our ERP since this morning.",
            "technical_description": "Webhook deliveries to the ERP endpoint return 401.",
            "impact": "All orders for one enterprise customer; revenue reporting blocked.",
        },
        "troubleshooting": {
            "steps": [
                {"step": "Re-sent a failed webhook", "result": "401 again", "time_spent": "10m"},
                {"step": "Rotated the API key", "result": "no change", "time_spent": "20m"},
            ],
            "attachments": ["webhook-log.txt", "screenshot.png"],
        },
        "current_status": {
            "issue_reproduced": "yes",
            "workaround_provided": True,
            "workaround_details": "manual CSV export",
            "customer_sentiment": "frustrated",
            "last_customer_communication": "2025-04-01T12:45:00Z",
        },
        "hypothesis": {
            "likely_cause": "Token audience changed after the auth upgrade.",
            "recommended_action": "Check the ERP connector's token audience.",
            "additional_context": "Started after the 09:00 deploy.",
        },
        "customer_communication": {
            "customer_notified": True,
            "notified_at": "2025-04-01T12:50:00Z",
            "expected_update_time": "2025-04-01T15:00:00Z",
            "preferences": "e-mail, every 2 hours",
            "prefers_live_transfer": False,
            "vip": True,
            "relationship_notes": "Renewal due in May.",
        },
    }
