from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalon.domain.handoff import check_handoff, confirm_transfer, rejection_feedback

AT = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)


def test_rejection_feedback_lists_missing_fields_and_score() -> None:
    verdict = check_handoff(
        {"issue_summary": {"impact": "orders blocked"}},
        ["issue_summary.impact", "troubleshooting.steps"],
    )
    fb = rejection_feedback(
        ticket="T-7",
        originating_tier="L1",
        rejecting_tier="L2",
        at=AT,
        reason="handoff incomplete",
        feedback="attach the webhook log",
        rejected_by="lee",
        handoff=verdict,
    )
    assert fb.returned_to == "L1"
    assert fb.missing_fields == ["troubleshooting.steps"]
    assert fb.message == (
        "L2 sent T-7 back: handoff incomplete. Feedback: attach the webhook log. "
        "Missing from the handoff: troubleshooting.steps. Handoff completeness: 3/100."
    )


def test_rejection_without_handoff_verdict() -> None:
    fb = rejection_feedback(
        ticket="T-7", originating_tier="L1", rejecting_tier="L2", at=AT, reason="not L2 work"
    )
    assert fb.message == "L2 sent T-7 back: not L2 work."


def test_transfer_confirmation_says_the_clock_continues() -> None:
    transfer = confirm_transfer(
        ticket="T-7",
        from_tier="L1",
        to_tier="L2",
        owner="lee",
        requested_at=AT,
        accepted_at=AT + timedelta(minutes=12),
        acknowledgement_target=timedelta(minutes=15),
        resolution_consumed=timedelta(hours=2, minutes=12),
    )
    assert transfer.acknowledged_within_target
    assert transfer.confirmation == (
        "T-7 now owned by lee (L2), taken over from L1; acknowledged in 12m, within the 15m "
        "target; resolution clock continues with 2h12m already used"
    )


def test_late_acknowledgement_uses_the_calendar_span_when_given() -> None:
    late = confirm_transfer(
        ticket="T-7",
        from_tier="L2",
        to_tier="L3",
        owner="kim",
        requested_at=AT,
        accepted_at=AT + timedelta(hours=16),
        acknowledgement_target=timedelta(minutes=30),
        acknowledged_in=timedelta(minutes=20),
        chased=["l3_lead"],
    )
    assert late.acknowledged_within_target and late.escalated_to_after_miss == ["l3_lead"]
    with pytest.raises(ValueError, match="accepted_at"):
        confirm_transfer(
            ticket="T-7",
            from_tier="L2",
            to_tier="L3",
            owner="kim",
            requested_at=AT,
            accepted_at=AT - timedelta(minutes=1),
            acknowledgement_target=timedelta(minutes=30),
        )
