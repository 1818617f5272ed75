"""Handoff forms for engine tests: one that satisfies every path of the shipped policy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from escalon.domain.engine import EventRecord

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


def with_handoffs(records: Iterable[EventRecord]) -> Iterator[EventRecord]:
    """The generated log with a complete handoff on each escalation request (the generator
    sends none, and the engine refuses an escalation without the path's required fields)."""
    for record in records:
        if record.type == "escalation.requested" and "handoff" not in record.data:
            data = {**record.data, "handoff": COMPLETE_HANDOFF}
            record = EventRecord(record.id, record.type, record.at, record.ticket, data)
        yield record
