"""credit.requested through the engine: routed to the lowest role the authority matrix allows."""

from __future__ import annotations

import pytest

from .conftest import Desk

ACME = {"id": "acme", "segment": "enterprise", "region": "amer"}


@pytest.mark.parametrize(
    ("kind", "amount", "approver"),
    [
        ("service_credit", 300, "l2_specialist"),
        ("service_credit", 500, "l2_specialist"),
        ("service_credit", 500.01, "support_manager"),
        ("service_credit", 5000, "support_manager"),
        ("service_credit", 7500, "vp_support"),
        ("discount", 20000, "vp_support"),
        ("contract_change", 0, "support_manager"),
    ],
)
def test_credit_request_names_the_lowest_role_allowed(
    desk: Desk, kind: str, amount: float, approver: str
) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME, priority="P3")
    out = desk.send(
        "credit.requested",
        "2025-04-01T14:00:00Z",
        amount=amount,
        kind=kind,
        requested_by="dana",
        reason="outage credit",
    )
    (decision,) = [d for d in out if d.kind == "approval_required"]
    assert decision.facts["approver"] == approver
    assert decision.facts["request_kind"] == kind
    assert decision.facts["amount"] == amount
    assert f"routed to {approver}, the lowest role allowed to approve it" in decision.reason
    assert decision.rule == f"authority:{kind}"


def test_the_same_request_twice_is_decided_once(desk: Desk) -> None:
    desk.send("ticket.created", "2025-04-01T13:00:00Z", customer=ACME, priority="P3")
    raw = {
        "id": "credit-1",
        "type": "credit.requested",
        "at": "2025-04-01T14:00:00Z",
        "ticket": "T1",
        "data": {"amount": 7500},
    }
    assert [d.kind for d in desk.event(raw)] == ["approval_required"]
    assert desk.event(raw) == []
    assert "$7,500 service credit requested by an unnamed agent" in desk.decisions[-1].reason
