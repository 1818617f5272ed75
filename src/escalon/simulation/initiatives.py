"""Simulated prevention initiatives and churn to go with a simulated event stream.

Initiatives arrive at a steady monthly rate; churn is drawn among customers whose tickets went
to management (a churn threat), which is where churn concentrates in real support books.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from escalon.analytics.ops_records import OpsRecord, RecordKind
from escalon.simulation.org import Organisation

_MONTHLY: tuple[tuple[RecordKind, float, str], ...] = (
    ("training", 3.0, "Escalation handling training"),
    ("process_change", 2.0, "Escalation checklist update"),
    ("tool_enhancement", 1.0, "Diagnostic tool release"),
)
CHURN_ODDS_AFTER_THREAT = 0.12


def simulate_ops_records(
    rng: np.random.Generator,
    org: Organisation,
    events: list[dict[str, Any]],
    begin: datetime,
    days: int,
) -> list[OpsRecord]:
    records: list[OpsRecord] = []
    l1_teams = [t.name for t in org.teams if t.tier == "L1"]
    for kind, per_month, title in _MONTHLY:
        for k in range(int(rng.poisson(per_month * days / 30))):
            at = begin + timedelta(seconds=int(rng.integers(days * 86400)))
            team = l1_teams[int(rng.integers(len(l1_teams)))] if kind == "training" else None
            records.append(
                OpsRecord(id=f"{kind}-{k + 1:03d}", kind=kind, at=at, title=title, team=team)
            )
    customer_of: dict[str, str] = {}
    churned: set[str] = set()
    for event in events:
        if event["type"] == "ticket.created":
            customer_of[event["ticket"]] = event["data"]["customer"]["id"]
        elif event["type"] == "ticket.updated" and event["data"].get("churn_threat"):
            customer = customer_of[event["ticket"]]
            if customer not in churned and rng.random() < CHURN_ODDS_AFTER_THREAT:
                churned.add(customer)
                at = datetime.fromisoformat(event["at"]) + timedelta(days=3)
                records.append(
                    OpsRecord(id=f"churn-{customer}", kind="churn", at=at, customer=customer)
                )
    records.sort(key=lambda r: (r.at.astimezone(UTC), r.id))
    return records
