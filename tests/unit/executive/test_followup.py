from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalon.domain.executive import (
    PostEscalationReview,
    StatusUpdate,
    review_markdown,
    review_template,
    status_update_plan,
    status_update_text,
)

T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def test_first_update_is_due_a_day_after_escalation() -> None:
    plan = status_update_plan(escalated_at=T0, cadence=DAY, sent=[], now=T0 + timedelta(hours=3))
    assert plan.next_due == T0 + DAY and not plan.overdue and plan.sent == 0


def test_cadence_counts_from_the_last_update_sent() -> None:
    sent = [T0 + timedelta(hours=20), T0 + timedelta(hours=44)]
    plan = status_update_plan(escalated_at=T0, cadence=DAY, sent=sent, now=T0 + timedelta(hours=70))
    assert plan.next_due == T0 + timedelta(hours=68)
    assert plan.overdue and plan.overdue_by == timedelta(hours=2) and plan.sent == 2


def test_updates_stop_once_resolved() -> None:
    plan = status_update_plan(
        escalated_at=T0, cadence=DAY, sent=[], now=T0 + 3 * DAY, resolved_at=T0 + DAY / 2
    )
    assert plan.next_due is None and not plan.overdue


def test_updates_before_escalation_do_not_count() -> None:
    plan = status_update_plan(escalated_at=T0, cadence=DAY, sent=[T0 - DAY], now=T0)
    assert plan.sent == 0 and plan.next_due == T0 + DAY


def test_cadence_must_be_positive() -> None:
    with pytest.raises(ValueError):
        status_update_plan(escalated_at=T0, cadence=timedelta(0), sent=[], now=T0)


@given(
    offsets=st.lists(st.integers(0, 10_000), max_size=8),
    now_offset=st.integers(0, 10_000),
)
def test_never_more_than_one_cadence_of_silence_without_being_overdue(
    offsets: list[int], now_offset: int
) -> None:
    sent = [T0 + timedelta(minutes=m) for m in offsets]
    now = T0 + timedelta(minutes=now_offset)
    plan = status_update_plan(escalated_at=T0, cadence=DAY, sent=sent, now=now)
    assert plan.next_due is not None
    last = max([s for s in sent if s <= now] + [T0])
    assert plan.next_due == last + DAY
    assert plan.overdue == (now - last > DAY)


def test_status_update_text() -> None:
    update = StatusUpdate(
        ticket="T-7",
        at=T0,
        progress="Fix deployed to staging.",
        next_steps=["Deploy to production", "Verify order sync"],
        next_update=T0 + DAY,
    )
    assert status_update_text(update) == (
        "Status update — ticket T-7 — 2025-04-01 09:00 UTC\n\nFix deployed to staging.\n\n"
        "Next steps:\n  - Deploy to production\n  - Verify order sync\n\n"
        "Next update by 2025-04-02 09:00 UTC.\n"
    )


def test_review_template_follow_ups_come_from_what_is_open() -> None:
    review = review_template("T-7", resolved_at=T0, over_escalation="knowledge_gap", csat_score=2)
    actions = [item.action for item in review.follow_ups]
    assert actions == [
        "Hold the escalation debrief with the team",
        "Record the root cause analysis",
        "Create or update the knowledge-base article",
        "Coach the originating tier on the over-escalation (knowledge_gap)",
        "Relationship restoration call (CSAT 2/5)",
    ]
    assert all(item.due == T0 + timedelta(days=7) for item in review.follow_ups)
    done = review_template(
        "T-7", resolved_at=T0, root_cause_recorded=True, kb_article="KB-1", csat_score=5
    )
    assert [i.action for i in done.follow_ups] == ["Hold the escalation debrief with the team"]


def test_review_markdown_has_the_five_seed_sections() -> None:
    review = PostEscalationReview.model_validate(
        {
            "ticket": "T-7",
            "relationship_status": "at_risk",
            "training_needs": ["ERP auth troubleshooting"],
            "follow_ups": [{"action": "Ship audience check", "owner": "eng", "done": True}],
        }
    )
    text = review_markdown(review)
    for heading in (
        "## Escalation debrief",
        "## Customer relationship status",
        "## Process improvements",
        "## Training needs",
        "## Systemic root cause",
        "## Follow-up items",
    ):
        assert heading in text
    assert "at_risk" in text and "- ERP auth troubleshooting" in text
    assert "- [x] Ship audience check (owner eng)" in text
    assert review.open_follow_ups == []
