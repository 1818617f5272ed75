from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from escalon.domain.handoff import (
    KbFollowUp,
    Resolution,
    check_resolution,
    close_escalation,
)

AT = datetime(2025, 4, 2, 15, 0, tzinfo=UTC)


def _resolution(**kw: object) -> Resolution:
    base: dict[str, object] = {
        "ticket": "T-7",
        "resolved_at": AT,
        "summary": "Token audience fixed in the ERP connector",
        "kb": {"action": "create", "reason": "new failure mode"},
    }
    base.update(kw)
    return Resolution.model_validate(base)


def test_rca_is_required_only_where_the_path_says() -> None:
    without_rca = _resolution()
    assert check_resolution(without_rca, rca_required=False).complete
    verdict = check_resolution(without_rca, rca_required=True)
    assert not verdict.complete and verdict.missing == ["root_cause"]
    assert verdict.reason == "resolution incomplete: missing root_cause"
    assert check_resolution(_resolution(root_cause="audience"), rca_required=True).complete


def test_summary_and_kb_decision_are_always_needed() -> None:
    verdict = check_resolution(_resolution(summary=" ", kb=None), rca_required=False)
    assert verdict.missing == ["summary", "kb"]


def test_kb_follow_up_rules() -> None:
    with pytest.raises(ValidationError, match="article"):
        KbFollowUp(action="update")
    with pytest.raises(ValidationError, match="reason"):
        KbFollowUp(action="none")
    assert KbFollowUp(action="update", article="KB-12").article == "KB-12"


def test_closure_schedules_csat_and_keeps_over_escalation_flag() -> None:
    resolution = _resolution(
        root_cause="audience", over_escalation={"reason": "knowledge_gap", "note": "known issue"}
    )
    closure = close_escalation(resolution, rca_required=True, closed_at=AT + timedelta(hours=1))
    assert closure.csat_survey_at == AT + timedelta(days=1, hours=1)
    assert closure.over_escalation is not None
    assert closure.over_escalation.reason == "knowledge_gap"


def test_closure_refused_while_incomplete_or_before_resolution() -> None:
    with pytest.raises(ValueError, match="missing root_cause"):
        close_escalation(_resolution(), rca_required=True, closed_at=AT)
    with pytest.raises(ValueError, match="closed_at"):
        close_escalation(_resolution(), rca_required=False, closed_at=AT - timedelta(minutes=1))


def test_unknown_over_escalation_reason_is_refused() -> None:
    with pytest.raises(ValidationError, match="over_escalation"):
        _resolution(over_escalation={"reason": "laziness"})
