"""A fast, deterministic generator of canonical events for the engine bench and tests.

`generate(tickets)` yields about ten `EventRecord`s per ticket (a million for 100,000 tickets),
in time order, with the mix a support desk sees: assignments, customer and agent comments,
waits on the customer, requested escalations (some without justification), acceptances, flags
that trigger management, reopens, resolutions and closures. The same arguments always give the
same events. Records are built directly (no per-event validation) because the bench measures
the engine, not the parser; `as_canonical` turns one back into the JSON form of `docs/events.md`.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from escalon.domain.engine import EventRecord, instant_us

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
_MIN = 60 * 1_000_000
_HOUR = 60 * _MIN

_PRIORITIES = ("P1",) * 3 + ("P2",) * 15 + ("P3",) * 50 + ("P4",) * 32
_SEGMENTS = ("enterprise",) * 10 + ("mid-market",) * 30 + ("smb",) * 60
_REGIONS = ("amer", "emea", "apac")
_CATEGORIES = ("technical", "billing", "general", "integration", "account", "security")
_REASONS = ("technical_complexity", "customer_requested", "integration_issue", "product_bug")
# Every field an L1 -> L2 path of the default policy requires: escalations are not refused.
_HANDOFF: dict[str, Any] = {
    "issue_summary": {
        "customer_description": "Exports fail since this morning",
        "technical_description": "HTTP 500 from the export job",
        "impact": "One team blocked",
    },
    "troubleshooting": {
        "steps": [{"step": "Retried the export", "result": "same error", "time_spent": "15m"}],
        "attachments": ["export.log"],
    },
    "current_status": {
        "issue_reproduced": "yes",
        "workaround_provided": False,
        "customer_sentiment": "neutral",
    },
    "hypothesis": {"likely_cause": "Export job regression", "recommended_action": "Check job logs"},
    "customer_communication": {"customer_notified": True},
}

Script = list[tuple[int, str, dict[str, Any]]]


def _customer(rng: random.Random, customers: int) -> dict[str, Any]:
    number = rng.randrange(customers)
    # a customer's segment and region are fixed by its number, as in a CRM
    return {
        "id": f"C{number:06d}",
        "segment": _SEGMENTS[number % len(_SEGMENTS)],
        "region": _REGIONS[number % 3],
    }


def _time_to_resolve(rng: random.Random) -> int:
    """Most tickets close fast at L1; a tail runs for days (and gets escalated on time)."""
    roll = rng.random()
    if roll < 0.7:
        return rng.randrange(10, 100) * _MIN
    if roll < 0.93:
        return rng.randrange(100, 8 * 60) * _MIN
    return rng.randrange(8 * 60, 72 * 60) * _MIN


def _script(rng: random.Random, customers: int, areas: int) -> Script:
    """One ticket's life as (offset, type, data), offsets in microseconds from creation."""
    created: dict[str, Any] = {
        "customer": _customer(rng, customers),
        "priority": rng.choice(_PRIORITIES),
        "category": rng.choice(_CATEGORIES),
        "product_area": f"area-{rng.randrange(areas):03d}",
        "agent": f"agent-{rng.randrange(200):03d}",
        "status": "open",
    }
    if rng.random() < 0.03:
        created["issue_signature"] = f"sig-{rng.randrange(50):02d}"
    steps: Script = [(0, "ticket.created", created)]
    t = rng.randrange(1, 5) * _MIN
    steps.append((t, "ticket.commented", {"public": True, "author": "customer"}))
    t += rng.randrange(5, 40) * _MIN
    steps.append((t, "ticket.commented", {"public": True, "author": "agent"}))
    if rng.random() < 0.25:
        t += rng.randrange(10, 40) * _MIN
        request: dict[str, Any] = {
            "to": "L2",
            "reason": rng.choice(_REASONS),
            "handoff": _HANDOFF,
        }
        if rng.random() < 0.9:
            request["justification"] = "beyond L1 runbook"
        steps.append((t, "escalation.requested", request))
        if "justification" in request and rng.random() < 0.8:
            t += rng.randrange(2, 30) * _MIN
            steps.append((t, "escalation.accepted", {"by": "l2-specialist"}))
    roll = rng.random()
    if roll < 0.03:
        flag = rng.choice(("churn_threat", "public_complaint", "legal_compliance_security"))
        t += 10 * _MIN
        steps.append((t, "ticket.updated", {flag: True}))
    elif roll < 0.05:
        t += 10 * _MIN
        steps.append((t, "ticket.updated", {"revenue_at_risk": rng.randrange(20, 90) * 1000}))
    if rng.random() < 0.3:
        t += rng.randrange(10, 60) * _MIN
        steps.append((t, "ticket.status_changed", {"status": "pending_customer"}))
        t += rng.randrange(1, 20) * _HOUR
        steps.append((t, "ticket.commented", {"public": True, "author": "customer"}))
    for _ in range(rng.randrange(1, 4)):  # the back-and-forth of working the ticket
        t += rng.randrange(5, 30) * _MIN
        steps.append((t, "ticket.commented", {"public": True, "author": "customer"}))
        t += rng.randrange(5, 30) * _MIN
        public = rng.random() < 0.8
        steps.append((t, "ticket.commented", {"public": public, "author": "agent"}))
    t += _time_to_resolve(rng)
    steps.append((t, "ticket.resolved", {}))
    if rng.random() < 0.05:
        t += rng.randrange(1, 24) * _HOUR
        steps.append((t, "ticket.reopened", {"reason": "issue came back"}))
        t += rng.randrange(1, 8) * _HOUR
        steps.append((t, "ticket.resolved", {}))
    t += 4 * _HOUR
    steps.append((t, "ticket.status_changed", {"status": "closed"}))
    if rng.random() < 0.2:
        steps.append((t + 5 * _MIN, "csat.received", {"score": rng.randrange(1, 6)}))
    return steps


def generate(
    tickets: int,
    *,
    seed: int = 7,
    start: datetime = START,
    spacing_seconds: float = 20.0,
    customers: int = 20_000,
    areas: int = 500,
    prefix: str = "T",
) -> Iterator[EventRecord]:
    """Events for `tickets` tickets opened every `spacing_seconds`, merged in time order."""
    rng = random.Random(seed)
    origin = instant_us(start)
    spacing = int(spacing_seconds * 1_000_000)
    pending: list[tuple[int, int, int, str, Script]] = []
    opened = 0
    while opened < tickets or pending:
        next_open = origin + opened * spacing if opened < tickets else None
        if next_open is not None and (not pending or next_open <= pending[0][0]):
            ticket = f"{prefix}{opened:07d}"
            script = _script(rng, customers, areas)
            heapq.heappush(pending, (next_open, opened, 0, ticket, script))
            opened += 1
            continue
        at, order, index, ticket, script = heapq.heappop(pending)
        offset, kind, data = script[index]
        yield EventRecord(f"{ticket}-{index}", kind, at, ticket, data)
        if index + 1 < len(script):
            base = at - offset
            heapq.heappush(pending, (base + script[index + 1][0], order, index + 1, ticket, script))


def open_tickets(count: int, *, seed: int = 11, prefix: str = "OPEN") -> Iterator[EventRecord]:
    """A backlog: `count` P4 tickets already with engineering (L3), opened during the hour before
    `START` and left open. Their next wake-ups lie days ahead, so they load the engine's indexes
    and wake-up heap without adding work to a short window after `START`."""
    rng = random.Random(seed)
    origin = instant_us(START) - _HOUR
    step = max(_HOUR // max(count, 1), 1)
    for n in range(count):
        data = {
            "customer": _customer(rng, 50_000),
            "priority": "P4",
            "category": "general",
            "tier": "L3",
            "status": "open",
        }
        ticket = f"{prefix}{n:07d}"
        yield EventRecord(f"{ticket}-0", "ticket.created", origin + n * step, ticket, data)


def as_canonical(record: EventRecord) -> dict[str, Any]:
    """The record in the canonical JSON shape (what `escalon replay` reads)."""
    at = datetime.fromtimestamp(record.at / 1_000_000, UTC)
    return {
        "id": record.id,
        "type": record.type,
        "at": at.isoformat().replace("+00:00", "Z"),
        "ticket": record.ticket,
        "data": record.data,
    }
