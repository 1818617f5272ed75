"""Handoff forms for engine tests: one that satisfies every path of the shipped policy."""

from __future__ import annotations

from typing import Any

COMPLETE_HANDOFF: dict[str, Any] = {
    "issue_summary": {
        "customer_description": "Orders stopped syncing",
        "technical_description": "ERP webhook returns 401",
        "impact": "All orders blocked",
    },
    "troubleshooting": {
        "steps": [{"step": "Re-sent webhook", "result": "401", "time_spent": "10m"}],
        "attachments": ["webhook.log"],
    },
    "current_status": {
        "issue_reproduced": "yes",
        "workaround_provided": False,
        "customer_sentiment": "neutral",
    },
    "hypothesis": {"likely_cause": "token audience", "recommended_action": "check audience"},
    "customer_communication": {"customer_notified": False},
}
